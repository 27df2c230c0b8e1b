// The set-lookup fast path (src/policy/runtime-patch.ts): applied only to the runtime it was
// written for, and evaluation with it gives exactly the results of the bytes as OPA built them,
// on a policy that leans on sets every way the runtime iterates or looks them up. The strict
// native builtins (src/policy/strict-natives.ts), which compilePolicy applies as well: the same
// results wherever the natives succeed, and only the policy's own code rewritten.

import { test } from "uvu";
import * as assert from "uvu/assert";
import { setsSortedLike } from "./helpers/sets.js";
import { mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { packagePath } from "../src/core/paths.js";
import { fixedNsClock } from "../src/policy/builtins/index.js";
import { extractFromTarGz } from "../src/policy/build.js";
import { functionBody, MAX_BUCKETS, parseModule, patchSetLookups, runtimeFingerprint, type ParsedModule } from "../src/policy/runtime-patch.js";
import { CHECKED_NATIVES, checkNativeResults, forEachCall, nativeCheckEdits, policyFunctions, redirectCalls } from "../src/policy/strict-natives.js";
import { baseDataKeyEdits } from "../src/policy/base-data-keys.js";
import { FailClosed } from "../src/core/errors.js";
import { NATIVE_GUARDS, type GuardMode } from "../src/policy/builtins/native-guards.js";
import { sortedIterationEdits, TABLE_GLOBAL } from "../src/policy/sorted-iteration.js";
import { compilePolicy, evaluationWasm, instantiate, type PolicyInstance } from "../src/policy/runtime.js";
import { runTool } from "../src/toolchain/native.js";
import { rng } from "../scripts/bench-inputs.js";

const work = mkdtempSync(join(tmpdir(), "gatehouse-patch-"));
const shipped = readFileSync(packagePath("bundle", "policy.wasm"));

// Sets of objects, strings, numbers and sets; iteration (some, comprehensions, builtins that walk
// a set), membership with equal values at other addresses, set algebra, sets past MAX_BUCKETS
// (the original code path), empty sets, and serialisation of sets.
const POLICY = `package diff

import rego.v1

items contains x if some x in input.items

names contains x.name if some x in input.items

big contains i if some i in numbers.range(0, input.n)

nested contains {x.name, x.kind} if some x in input.items

empty contains x if {
	some x in input.items
	x.kind == "never"
}

default every_named := false

every_named if every x in items {
	is_string(x.name)
}

default object_member := false

object_member if {"name": "a", "kind": "k0", "bad": false} in items

report := {
	"items": [x | some x in items],
	"names": [n | some n in names],
	"big": [i | some i in big],
	"big_pairs": count([1 | some i in big; some j in big; i == j]),
	"nested": [s | some s in nested],
	"nested_members": [m | some s in nested; some m in s],
	"probe_in": [p | some p in input.probe; p in names],
	"probe_out": [p | some p in input.probe; not p in names],
	"probe_big": [p | some p in input.probe_numbers; p in big],
	"object_member": object_member,
	"count": [count(items), count(names), count(big), count(empty)],
	"empty": [x | some x in empty],
	"union": sort(names | {"zz", "aa"}),
	"intersection": names & {"a", "b", "c"},
	"difference": big - {1, 2, 3},
	"marshal": json.marshal(names),
	"walked": [k | some k, _ in {n: true | some n in names}],
	"any_bad": [x.name | some x in items; x.bad == true],
	"every_named": every_named,
	"strings": concat(",", sort([n | some n in names])),
}

deny contains msg if {
	some x in items
	x.bad == true
	msg := sprintf("item %s is bad", [x.name])
}
`;

function input(seed: number): unknown {
  const r = rng(seed);
  // Up to 60 items: sets from empty to well past MAX_BUCKETS buckets.
  const count = seed % 7 === 0 ? 0 : Math.floor(r() * (seed % 3 === 0 ? 60 : 12));
  const names = "abcdefghijklmnopqrstuvwxyz";
  const items = Array.from({ length: count }, () => ({
    name: names[Math.floor(r() * names.length)]! + (r() < 0.3 ? String(Math.floor(r() * 5)) : ""),
    kind: `k${Math.floor(r() * 3)}`,
    bad: r() < 0.2,
    ...(r() < 0.3 ? { extra: { deep: [1, 2, { x: r() < 0.5 }] } } : {}),
  }));
  if (seed % 5 === 0) items.push({ name: "a", kind: "k0", bad: false });
  return {
    items,
    n: Math.floor(r() * (seed % 4 === 0 ? 80 : 10)),
    probe: ["a", "b", "zz", "q1", ""],
    probe_numbers: [0, 1, 5, 40, 79, 100],
  };
}

let patched: PolicyInstance;
let original: PolicyInstance;
let wasm: Buffer;

test.before(async () => {
  const dir = join(work, "policy");
  mkdirSync(dir);
  writeFileSync(join(dir, "diff.rego"), POLICY);
  const tarball = join(work, "bundle.tar.gz");
  await runTool("opa", ["build", "-t", "wasm", "-e", "diff/report", "-e", "diff/deny", "-o", tarball, "."], { cwd: dir });
  wasm = extractFromTarGz(readFileSync(tarball), "/policy.wasm");
  patched = await instantiate(await compilePolicy(wasm), [], { clock: fixedNsClock(0n) });
  // Without the fast path (iteration stays sorted: that is semantics, not speed; concat of a set
  // is answered on the host, which the SDK's host calls do not know).
  original = await instantiate(await WebAssembly.compile(evaluationWasm(wasm, { GATEHOUSE_RUNTIME_PATCHES: "off" }).wasm), [], { clock: fixedNsClock(0n) });
});

test.after(() => rmSync(work, { recursive: true, force: true }));

test("the shipped bundle's runtime is the one the patch was written for; both functions are patched", () => {
  const result = patchSetLookups(shipped);
  assert.is(result.skipped, undefined);
  assert.equal(result.patched, ["opa_value_get", "opa_value_iter"]);
  assert.ok(WebAssembly.validate(result.wasm));
  assert.ok(result.wasm.byteLength > shipped.byteLength);
  // The runtime library is the same whatever the policy: same fingerprint.
  assert.is(runtimeFingerprint(wasm), runtimeFingerprint(shipped));
});

test("patched and unpatched evaluation agree on 400 inputs (sets empty, small and past the scan limit)", () => {
  let large = 0;
  let denied = 0;
  for (let seed = 1; seed <= 400; seed++) {
    const doc = input(seed);
    const bytes = patched.encodeInput(doc);
    for (const entrypoint of ["diff/report", "diff/deny"]) {
      const ours = patched.evaluate(bytes, entrypoint);
      const theirs = original.evaluate(bytes.slice(0), entrypoint);
      // json.marshal is answered on the host as Go writes it (native-guards.ts: a set's members
      // sorted, as topdown sorts them), where the unpatched runtime's C writer kept its own order:
      // the members must be the same.
      const value = theirs.value as { marshal?: string } | undefined;
      const sameMembers = value?.marshal !== undefined ? { ...value, marshal: JSON.stringify((JSON.parse(value.marshal) as string[]).sort()) } : theirs.value;
      assert.equal(ours, { ...theirs, value: setsSortedLike(sameMembers, ours.value) }, `seed ${seed} ${entrypoint}`);
      if (entrypoint === "diff/deny" && (ours.value as unknown[]).length > 0) denied++;
    }
    if ((doc as { items: unknown[] }).items.length > 22) large++;
  }
  // The inputs did exercise both paths and both outcomes.
  assert.ok(large > 20, `${large} inputs had sets past ${MAX_BUCKETS} buckets`);
  assert.ok(denied > 50 && denied < 400, `${denied} inputs denied`);
});

test("an unknown runtime is left exactly as it was, with the reason", () => {
  // Flip one byte inside opa_set_get's body: the fingerprint no longer matches.
  const copy = new Uint8Array(shipped);
  const fingerprint = runtimeFingerprint(copy);
  const body = functionBody(copy, "opa_set_get")!;
  copy[body.end - 2] = copy[body.end - 2]! ^ 0x01;
  const result = patchSetLookups(copy);
  assert.ok(runtimeFingerprint(copy) !== fingerprint);
  assert.equal(result.patched, []);
  assert.match(result.skipped ?? "", /unknown runtime/);
  assert.equal(result.wasm, copy);
});

test("not a module, or a module without OPA's runtime: left as it was", () => {
  const junk = new TextEncoder().encode("not wasm at all");
  assert.match(patchSetLookups(junk).skipped ?? "", /unreadable module/);
  // The smallest valid module: no functions at all.
  const empty = Uint8Array.from([0, 0x61, 0x73, 0x6d, 1, 0, 0, 0]);
  assert.match(patchSetLookups(empty).skipped ?? "", /unreadable module: no code section/);
});

test("GATEHOUSE_RUNTIME_PATCHES=off leaves out the set-lookup fast path, not the strict native builtins", () => {
  const off = evaluationWasm(shipped, { GATEHOUSE_RUNTIME_PATCHES: "off" });
  assert.equal(off.patched, []);
  assert.ok(off.checkedNatives?.includes("count"));
  assert.ok((off.valueLookups ?? 0) > 0, "the value lookups stay");
  const on = evaluationWasm(shipped, {});
  assert.equal(on.patched, ["opa_value_get", "opa_value_iter"]);
  // Sorted iteration is semantics: both have it.
  assert.ok(off.sortedIteration && on.sortedIteration);
  // The two differ in the two patched runtime functions only (compared as bytes: uvu's diff of
  // two modules would take minutes).
  const original = parseModule(shipped);
  const [a, b] = [parseModule(off.wasm), parseModule(on.wasm)];
  assert.is(a.bodies.length, b.bodies.length);
  const patched = new Set(on.patched.map((name) => original.functionNames.get(name)! - original.importedFunctions));
  for (let i = 0; i < a.bodies.length; i++) {
    const same = Buffer.compare(off.wasm.subarray(a.bodies[i]!.start, a.bodies[i]!.end), on.wasm.subarray(b.bodies[i]!.start, b.bodies[i]!.end)) === 0;
    assert.is(same, !patched.has(i), `function ${i}`);
  }
  // The fast path alone, on the strict-natives rewrite, patches the same two functions.
  assert.equal(patchSetLookups(checkNativeResults(shipped).wasm).patched, on.patched);
});

test("sorted iteration appends four functions and two globals, the table's exported, and leaves every other index where it was", () => {
  const before = parseModule(shipped);
  const result = evaluationWasm(shipped);
  const after = parseModule(result.wasm);
  assert.is(after.importedGlobals, before.importedGlobals);
  assert.is(after.definedGlobals, before.definedGlobals + 2);
  assert.ok(before.globalSection >= 0 && after.globalSection === before.globalSection);
  assert.ok(before.exportSection >= 0 && after.exportSection === before.exportSection);
  assert.is(after.importedFunctions, before.importedFunctions);
  for (const [name, index] of before.functionNames) assert.is(after.functionNames.get(name), index, name);
  const instance = new WebAssembly.Instance(new WebAssembly.Module(result.wasm), {
    env: { memory: new WebAssembly.Memory({ initial: 5 }), opa_abort: () => 0, opa_println: () => 0, opa_builtin0: () => 0, opa_builtin1: () => 0, opa_builtin2: () => 0, opa_builtin3: () => 0, opa_builtin4: () => 0 },
  });
  const table = instance.exports[TABLE_GLOBAL];
  assert.ok(table instanceof WebAssembly.Global && table.value === 0, "exported, 0 until the host allocates the table");
  // It redirects calls (the policy's, the JSON writer's, walk's), and replaces no body.
  const edits = sortedIterationEdits(shipped, before, before.importedFunctions + before.bodies.length, before.importedGlobals + before.definedGlobals);
  assert.is(edits.replacements.size, 0);
  const writer = before.functionNames.get("opa_json_writer_emit_collection")! - before.importedFunctions;
  assert.ok(edits.calls.has(writer), "the JSON writer's iteration is sorted");
  assert.ok([...edits.calls.keys()].some((index) => index !== writer), "and the policy's own");
  const member = before.functionNames.get("builtin_member");
  assert.ok(member !== undefined, "the shipped runtime has builtin_member");
  assert.ok(!edits.calls.has(member - before.importedFunctions), "membership keeps the bucket walk");
});

test("a module not compiled for evaluation is refused unless asked for as built", async () => {
  let refused: unknown;
  try {
    await instantiate(new WebAssembly.Module(new Uint8Array(wasm)), [], { clock: fixedNsClock(0n) });
  } catch (error) {
    refused = error;
  }
  assert.ok(refused instanceof FailClosed && /not prepared for evaluation/.test(refused.message), String(refused));
  const asBuilt = await instantiate(new WebAssembly.Module(new Uint8Array(wasm)), [], { clock: fixedNsClock(0n), asBuilt: true });
  assert.ok(asBuilt.evaluate(asBuilt.encodeInput(input(1)), "diff/deny").defined);
});

test("a runtime sorted iteration was not written for is refused, not evaluated in bucket order", () => {
  const copy = new Uint8Array(shipped);
  const body = functionBody(copy, "opa_value_compare")!;
  copy[body.end - 2] = copy[body.end - 2]! ^ 0x01;
  assert.throws(() => evaluationWasm(copy), (error: unknown) => error instanceof FailClosed && /sorted iteration .*unknown runtime/.test(error.message));
});

/** The callees of every `call` in a function's body. */
function callees(module: ParsedModule, wasm: Uint8Array, index: number): number[] {
  const body = module.bodies[index - module.importedFunctions]!;
  const out: number[] = [];
  forEachCall(wasm, body.start, body.end, (_at, _end, callee) => out.push(callee));
  return out;
}

test("strict natives: the policy's calls of a native go through a checker; the runtime library's own code is untouched", () => {
  const result = checkNativeResults(shipped);
  assert.ok(WebAssembly.validate(result.wasm));
  const before = parseModule(shipped);
  const after = parseModule(result.wasm);
  assert.is(after.bodies.length, before.bodies.length + result.checked.length);
  assert.ok(result.callSites > result.checked.length, `${result.callSites} call sites`);
  const policy = new Set(policyFunctions(before));
  const natives = new Set(Object.keys(CHECKED_NATIVES).map((name) => before.functionNames.get(name)).filter((i) => i !== undefined));
  let nativeCallsInRuntime = 0;
  for (let index = before.importedFunctions; index < before.importedFunctions + before.bodies.length; index++) {
    const original = before.bodies[index - before.importedFunctions]!;
    const rewritten = after.bodies[index - after.importedFunctions]!;
    if (policy.has(index)) {
      assert.ok(!callees(after, result.wasm, index).some((callee) => natives.has(callee)), `policy function ${index} still calls a native directly`);
      continue;
    }
    assert.equal(result.wasm.subarray(rewritten.start, rewritten.end), new Uint8Array(shipped.subarray(original.start, original.end)), `runtime function ${index}`);
    if (callees(before, shipped, index).some((callee) => natives.has(callee))) nativeCallsInRuntime++;
  }
  // minus calls set_diff, union_n calls union ...: those calls stay unchecked, as they must.
  assert.ok(nativeCallsInRuntime > 0);
  // Each checker calls its native and opa_abort, or (a native answered on the host) the host.
  const abort = before.functionImports.get("env.opa_abort")!;
  const host = new Set([0, 1, 2, 3, 4].map((n) => before.functionImports.get(`env.opa_builtin${n}`)));
  let hostCalling = 0;
  for (let index = before.importedFunctions + before.bodies.length; index < after.importedFunctions + after.bodies.length; index++) {
    const calls = callees(after, result.wasm, index);
    if (calls.some((callee) => host.has(callee))) hostCalling++;
    if (calls.length === 1 && host.has(calls[0])) continue;
    assert.ok(calls.some((callee) => natives.has(callee)) && calls.includes(abort), `checker ${index}`);
  }
  // concat, which the shipped policies call (a set is joined on the host), among them
  const concatGuard = NATIVE_GUARDS.find((guard) => guard.builtin === "concat")!;
  const mode: GuardMode = concatGuard.mode;
  assert.is(mode, "host-for-sets");
  assert.is(concatGuard.setOperand, 1);
  assert.ok(hostCalling >= 1, `${hostCalling} checkers call the host`);
  // the regex natives ask the host only for a pattern holding a backslash and a C; arithmetic
  // only for an operand that is not an int64 (topdown's big.Float, arith.ts), division always
  const modes = new Map<string, GuardMode>(NATIVE_GUARDS.map((guard) => [guard.builtin, guard.mode]));
  for (const name of ["regex.match", "regex.find_all_string_submatch_n"]) assert.is(modes.get(name), "host-when-contains", name);
  // regex.is_valid is answered by topdown itself
  assert.is(modes.get("regex.is_valid"), "host");
  assert.is(NATIVE_GUARDS.filter((guard) => guard.native === "opa_regex_is_valid").length, 1, "one guard per native");
  for (const name of ["plus", "minus", "mul", "rem", "abs", "round", "ceil", "floor"]) assert.is(modes.get(name), "host-unless-ints", name);
  assert.is(modes.get("div"), "host-or-native");
  // index and bit operands: the native first, topdown only where it refuses one (a whole float)
  for (const name of ["array.slice", "substring", "bits.or", "bits.and", "bits.negate", "bits.xor", "bits.lsh", "bits.rsh"]) {
    assert.is(modes.get(name), "host-on-null", name);
    const guard = NATIVE_GUARDS.find((candidate) => candidate.builtin === name)!;
    assert.is(CHECKED_NATIVES[guard.native]?.builtin, name, `${name}: its NULL is checked`);
  }
});

test("composed rewrites: each redirected call of strict natives and of base data lookups is one edit, and both land in one module", async () => {
  const dir = join(work, "composed");
  mkdirSync(dir, { recursive: true });
  writeFileSync(join(dir, "p.rego"), 'package c\n\nr := count(data.limits[input.kind]) + to_number(data.rows["1"])\n');
  const tarball = join(work, "composed.tar.gz");
  await runTool("opa", ["build", "-t", "wasm", "-e", "c/r", "-o", tarball, "."], { cwd: dir });
  const wasm = extractFromTarGz(readFileSync(tarball), "/policy.wasm");
  const module = parseModule(wasm);
  const strict = nativeCheckEdits(wasm, module);
  assert.ok(strict.callSites >= 2, "count and to_number are checked");
  assert.is([...strict.calls.values()].reduce((n, edits) => n + edits.length, 0), strict.callSites);
  // The replacement bodies are the calls' edits applied, nothing else.
  assert.equal([...redirectCalls(wasm, module, strict.calls)], [...strict.replacements]);
  const keys = baseDataKeyEdits(wasm, module, module.importedFunctions + module.bodies.length + strict.appended.length, strict.checkerOf);
  assert.ok(keys.callSites >= 4, `data.limits, [input.kind], data.rows, ["1"]: ${keys.callSites}`);
  assert.ok(keys.valueSites >= 1, `input.kind: ${keys.valueSites}`);
  assert.is([...keys.calls.values()].reduce((n, edits) => n + edits.length, 0), keys.callSites + keys.valueSites);
  const redirectedGets = new Set([...keys.calls.values()].flat().map((edit) => edit.at));
  for (const edits of strict.calls.values()) for (const edit of edits) assert.ok(!redirectedGets.has(edit.at), "the two rewrites never edit the same call");
  const result = evaluationWasm(wasm);
  assert.ok(WebAssembly.validate(result.wasm));
  assert.is(result.baseDataLookups, keys.callSites);
  assert.is(result.valueLookups, keys.valueSites);
  // the value lookup and the data lookup (the policy calls no object.get)
  assert.is(keys.retarget.size, 0);
  // and sorted iteration's four functions
  assert.is(parseModule(result.wasm).bodies.length, module.bodies.length + strict.appended.length + 2 + 4);
});

test("strict natives: a policy function the decoder cannot read refuses the module (evaluating it unchecked would fail open)", () => {
  const copy = new Uint8Array(shipped);
  const module = parseModule(copy);
  const index = policyFunctions(module).find((i) => callees(module, copy, i).length > 0)!;
  const body = module.bodies[index - module.importedFunctions]!;
  // The body's first instruction (after its local declarations) becomes an opcode that does not exist.
  let at = body.start;
  const leb = (): number => {
    let v = 0;
    for (let shift = 0; ; shift += 7) {
      const b = copy[at++]!;
      v += (b & 0x7f) * 2 ** shift;
      if ((b & 0x80) === 0) return v;
    }
  };
  for (let groups = leb(); groups > 0; groups--) (leb(), at++);
  copy[at] = 0xff;
  assert.throws(() => checkNativeResults(copy), /unknown instruction 0xff/);
  assert.throws(
    () => evaluationWasm(copy, {}),
    (error: unknown) => error instanceof FailClosed && error.code === "policy/missing-builtin" && /strict builtin errors/.test(error.message),
  );
});

test.run();
