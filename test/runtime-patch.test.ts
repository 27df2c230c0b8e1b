// The set-lookup fast path (src/policy/runtime-patch.ts): applied only to the runtime it was
// written for, and evaluation with it gives exactly the results of the bytes as OPA built them,
// on a policy that leans on sets every way the runtime iterates or looks them up.

import { test } from "uvu";
import * as assert from "uvu/assert";
import { setsSortedLike } from "./helpers/sets.js";
import { mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { packagePath } from "../src/core/paths.js";
import { fixedNsClock } from "../src/policy/builtins/index.js";
import { extractFromTarGz } from "../src/policy/build.js";
import { functionBody, MAX_BUCKETS, patchSetLookups, runtimeFingerprint } from "../src/policy/runtime-patch.js";
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
  original = await instantiate(await WebAssembly.compile(new Uint8Array(wasm)), [], { clock: fixedNsClock(0n), hostCalls: "sdk" });
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
      assert.equal(ours, { ...theirs, value: setsSortedLike(theirs.value, ours.value) }, `seed ${seed} ${entrypoint}`);
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

test("GATEHOUSE_RUNTIME_PATCHES=off evaluates the bytes as built", () => {
  const off = evaluationWasm(shipped, { GATEHOUSE_RUNTIME_PATCHES: "off" });
  assert.equal(off.patched, []);
  assert.equal(off.wasm, new Uint8Array(shipped));
  assert.equal(evaluationWasm(shipped, {}).patched, ["opa_value_get", "opa_value_iter"]);
});

test.run();
