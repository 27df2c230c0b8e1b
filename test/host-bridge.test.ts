// HostBridge (src/policy/host-bridge.ts): values read straight from OPA's value structs must be
// exactly what JSON.parse makes of the runtime's own JSON dump, results loaded into the wasm must
// dump as what was loaded, and evaluation with gatehouse's host calls must agree with the SDK's.

import { test } from "uvu";
import * as assert from "uvu/assert";
import { mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { packagePath } from "../src/core/paths.js";
import { fixedNsClock } from "../src/policy/builtins/index.js";
import { exactJson } from "../src/policy/builtins/exact.js";
import { buildBundle } from "../src/policy/build.js";
import { loadBundle } from "../src/policy/bundle.js";
import { HostBridge, type BridgeExports } from "../src/policy/host-bridge.js";
import { compilePolicy, evaluationWasm, instantiate } from "../src/policy/runtime.js";
import { initSortedIteration } from "../src/policy/sorted-iteration.js";
import { rng } from "../scripts/bench-inputs.js";
import { isSet } from "../src/policy/builtins/values.js";
import { setsSortedLike } from "./helpers/sets.js";

const shipped = readFileSync(packagePath("bundle", "policy.wasm"));
// As evaluations run it: the dump and the iterator answer in sorted order (sorted-iteration.ts).
const module = new WebAssembly.Module(evaluationWasm(shipped).wasm);

interface Runtime {
  memory: WebAssembly.Memory;
  exports: BridgeExports & { opa_heap_ptr_get(): number; opa_heap_ptr_set(addr: number): void };
  bridge: HostBridge;
}

/** The shipped runtime with no policy calls: just its value functions. */
function runtime(wrap: (exports: BridgeExports) => BridgeExports = (e) => e): Runtime {
  const memory = new WebAssembly.Memory({ initial: 5 });
  const fail = () => {
    throw new Error("not expected in this test");
  };
  const instance = new WebAssembly.Instance(module, {
    env: { memory, opa_abort: fail, opa_println: fail, opa_builtin0: fail, opa_builtin1: fail, opa_builtin2: fail, opa_builtin3: fail, opa_builtin4: fail },
  });
  const exports = instance.exports as unknown as Runtime["exports"];
  assert.ok(initSortedIteration(instance.exports, memory));
  return { memory, exports, bridge: new HostBridge(memory, wrap(exports)) };
}

function parse(r: Runtime, text: string, setLiterals = false): number {
  const bytes = new TextEncoder().encode(text);
  const addr = r.exports.opa_malloc(bytes.byteLength);
  new Uint8Array(r.memory.buffer).set(bytes, addr);
  const value = setLiterals ? r.exports.opa_value_parse(addr, bytes.byteLength) : r.exports.opa_json_parse(addr, bytes.byteLength);
  assert.ok(value !== 0, `the runtime parses ${text.slice(0, 80)}`);
  return value;
}

/**
 * Strict deep equality: same key order (unless told otherwise), same prototypes, numbers by Object.is (uvu's equal
 * trusts an own "constructor" key and cannot tell an own "__proto__" key from a prototype).
 */
function same(actual: unknown, expected: unknown, label: string, keyOrder = true): void {
  const differs = (a: unknown, b: unknown, path: string): string | undefined => {
    if (typeof a !== "object" || a === null || typeof b !== "object" || b === null) {
      return Object.is(a, b) ? undefined : `${path}: ${String(a)} vs ${String(b)}`;
    }
    if (Object.getPrototypeOf(a) !== Object.getPrototypeOf(b)) return `${path}: prototypes differ`;
    const keysA = keyOrder ? Object.keys(a) : Object.keys(a).sort();
    const keysB = keyOrder ? Object.keys(b) : Object.keys(b).sort();
    if (keysA.join("\0") !== keysB.join("\0")) return `${path}: keys ${keysA.join(",")} vs ${keysB.join(",")}`;
    for (const key of keysA) {
      const found = differs((a as Record<string, unknown>)[key], (b as Record<string, unknown>)[key], `${path}/${key}`);
      if (found) return found;
    }
    return undefined;
  };
  const found = differs(actual, expected, "");
  assert.ok(found === undefined, `${label}: ${found}`);
}

const STRINGS = ["", "a", "key", "with space", "quote \" backslash \\ slash /", "ctl \b\f\n\r\t \u0001 \u001f", "é", "ü中文😀", "\u2028\u2029", "x".repeat(33), "é".repeat(20), "__proto__", "constructor"];

function randomValue(next: () => number, depth: number): unknown {
  const pick = Math.floor(next() * (depth > 4 ? 4 : 7));
  switch (pick) {
    case 0:
      return STRINGS[Math.floor(next() * STRINGS.length)]! + (next() < 0.5 ? String(Math.floor(next() * 1000)) : "");
    case 1: {
      const kinds = [0, -0, 1, -1, 42, 1.5, -2.25e-7, 1e21, 123456789012, 2 ** 53 + 2, Number.MAX_SAFE_INTEGER, 5e-324, 1.7976931348623157e308];
      return kinds[Math.floor(next() * kinds.length)]! * (next() < 0.3 ? -1 : 1);
    }
    case 2:
      return next() < 0.5;
    case 3:
      return null;
    case 4:
    case 5: {
      const size = Math.floor(next() * (next() < 0.2 ? 40 : 8));
      const out: Record<string, unknown> = {};
      for (let i = 0; i < size; i++) {
        const key = next() < 0.1 ? STRINGS[Math.floor(next() * STRINGS.length)]! : `k${Math.floor(next() * 100)}`;
        Object.defineProperty(out, key, { value: randomValue(next, depth + 1), enumerable: true, writable: true, configurable: true });
      }
      return out;
    }
    default:
      return Array.from({ length: Math.floor(next() * (next() < 0.2 ? 30 : 6)) }, () => randomValue(next, depth + 1));
  }
}

test("direct reads are verified on the shipped runtime", () => {
  const r = runtime();
  assert.is(r.bridge.directReads, false, "off until verified");
  assert.ok(r.bridge.verifyDirectReads());
  assert.ok(r.bridge.directReads);
});

test("direct reads equal the runtime's dump on 1,500 generated values", () => {
  const r = runtime();
  assert.ok(r.bridge.verifyDirectReads());
  const base = r.exports.opa_heap_ptr_get();
  const next = rng(2026);
  for (let i = 0; i < 1500; i++) {
    r.exports.opa_heap_ptr_set(base);
    const value = randomValue(next, 0);
    const text = i % 3 === 0 ? JSON.stringify(value, null, 2) : JSON.stringify(value);
    const addr = parse(r, text);
    const expected = r.bridge.readThroughDump(addr);
    same(r.bridge.read(addr), expected, `value ${i}: ${text.slice(0, 120)}`);
    same(expected, JSON.parse(text), `value ${i} survives the runtime unchanged (in its key order)`, false);
  }
});

test("sets read as the dump writes them but in OPA's order, marked as sets; non-string keys go through the dump", () => {
  const r = runtime();
  assert.ok(r.bridge.verifyDirectReads());
  const cases = [
    '{"a", "b", "c", 1, 2.5, null, true, ["x"], {"k": "v"}}',
    "set()",
    '{"outer": {{1, 2}, {3}}, "list": [{"z", "y"}]}',
    Array.from({ length: 40 }, (_, i) => `"member-${i}"`).join(",").replace(/^/, "{").replace(/$/, "}"),
    '{1: "number key", "s": "string key"}',
    '{"nested": {"deeper": {[1, 2]: "array key"}}, "plain": [1, 2]}',
    '{{"set key"}: 1}',
  ];
  for (const text of cases) {
    const addr = parse(r, text, true);
    const read = r.bridge.read(addr);
    same(read, setsSortedLike(r.bridge.readThroughDump(addr), read), text);
  }
  const mixed = r.bridge.read(parse(r, '{"b", "a", 10, 9, null, ["x"], {"k": "v"}, {"s"}, false, "ü", "z", "😀", "\ufffd"}', true));
  assert.ok(isSet(mixed));
  // ast.Compare: null < boolean < number < string (code points) < array < object < set.
  assert.equal(JSON.stringify(mixed), '[null,false,9,10,"a","b","z","ü","\ufffd","😀",["x"],{"k":"v"},["s"]]');
  assert.not.ok(isSet(r.bridge.read(parse(r, '["b", "a"]', true))));
  assert.equal(r.bridge.read(parse(r, '{1: "a", "b": {2: 3}}', true)), { "1": "a", b: { "2": 3 } });
});

test("integer-represented numbers, beyond 2^53 and negative, read as JSON.parse reads their digits", () => {
  const r = runtime();
  assert.ok(r.bridge.verifyDirectReads());
  for (const n of [0n, 1n, -1n, 2n ** 31n, -(2n ** 31n), 2n ** 32n + 5n, 2n ** 53n - 1n, 2n ** 53n + 1n, -(2n ** 53n) - 3n, 2n ** 62n + 12345n, -(2n ** 63n) + 1n, 2n ** 63n - 1n]) {
    // (Not -2^63: the runtime's own dump of it is not JSON, "-" alone.)
    // opa_number_int's layout: type 3, repr 1 (int), int64 at offset 8.
    const addr = r.exports.opa_malloc(24);
    const view = new DataView(r.memory.buffer);
    view.setUint8(addr, 3);
    view.setUint8(addr + 1, 1);
    view.setBigInt64(addr + 8, n, true);
    assert.is(r.bridge.readThroughDump(addr), JSON.parse(n.toString()), `dump of ${n}`);
    assert.is(r.bridge.read(addr), JSON.parse(n.toString()), `direct read of ${n}`);
  }
});

test("loading results: strings as structs, everything else as JSON; ArrayBuffers as exact JSON text", () => {
  const r = runtime();
  assert.ok(r.bridge.verifyDirectReads());
  for (const text of [...STRINGS, "x".repeat(257), "中".repeat(300)]) {
    const loaded = r.bridge.load(text);
    assert.is(r.bridge.readThroughDump(loaded), text, JSON.stringify(text));
    // A string struct of the same type and length as the runtime's parser makes of the same
    // string, its bytes right after it in the same allocation (so `free` is 0: they are not a
    // separate allocation to free).
    const parsed = parse(r, JSON.stringify(text));
    const view = new DataView(r.memory.buffer);
    assert.equal([view.getUint8(loaded), view.getUint32(loaded + 4, true)], [view.getUint8(parsed), view.getUint32(parsed + 4, true)], JSON.stringify(text));
    assert.equal([view.getUint8(loaded + 1), view.getUint32(loaded + 8, true)], [0, loaded + 12], JSON.stringify(text));
  }
  for (const value of [null, true, 0, -1.5, [1, "a", { b: null }], { "__proto__": 1, z: [] }]) {
    same(r.bridge.readThroughDump(r.bridge.load(value)), JSON.parse(JSON.stringify(value)), JSON.stringify(value));
  }
  const exact = r.bridge.load(exactJson("12345678901234567891"));
  assert.is(r.bridge.cString(r.exports.opa_json_dump(exact)), "12345678901234567891");
  assert.is(r.bridge.load(undefined), 0);
  assert.throws(() => r.bridge.load(() => 1), /JSON cannot hold/);
});

test("reads and loads after the wasm memory has grown", () => {
  const r = runtime();
  assert.ok(r.bridge.verifyDirectReads());
  const before = r.memory.buffer.byteLength;
  const big = "y".repeat(1 << 20);
  const addr = r.bridge.load(big);
  assert.ok(r.memory.buffer.byteLength > before, "the memory grew");
  assert.is(r.bridge.read(addr), big);
  assert.equal(r.bridge.read(r.bridge.load(["after", "growth"])), ["after", "growth"]);
});

test("a runtime whose dump disagrees with the direct reader keeps every value on the dump", () => {
  // A stand-in for an unknown runtime layout: its dump of every value differs from what the
  // structs say, so verification must fail and reads must take the dump.
  let lie = false;
  const r = runtime((exports) => ({
    ...exports,
    opa_json_dump: (addr: number) => {
      const real = exports.opa_json_dump(addr);
      if (!lie) return real;
      const text = new TextEncoder().encode('"from the dump"\0');
      const at = exports.opa_malloc(text.byteLength);
      new Uint8Array(r.memory.buffer).set(text, at);
      return at;
    },
  }));
  lie = true;
  assert.is(r.bridge.verifyDirectReads(), false);
  assert.is(r.bridge.directReads, false);
  assert.is(r.bridge.read(parse(r, '{"a": 1}')), "from the dump");
  // Strings are then loaded as JSON too (the struct layout is not trusted either).
  lie = false;
  assert.is(r.bridge.readThroughDump(r.bridge.load("text")), "text");
});

const work = mkdtempSync(join(tmpdir(), "gatehouse-bridge-"));
test.after(() => rmSync(work, { recursive: true, force: true }));

// Builtin arguments and results of every shape: sets, non-string keys, numbers beyond 2^53,
// unicode, exact time results; the whole result set read back directly.
const POLICY = `package bridge

import rego.v1

deny contains msg if {
	some x in input.items
	msg := sprintf("%s has %d parts: %v", [x.name, count(x.parts), x.parts])
}

deny contains sprintf("set %v and object %v", [{"b", "a", 3}, {1: "one", "two": 2}]) if input.items

deny contains {"msg": "non-string keys", "details": {1: "a", "b": {2: [3, {4}]}}} if input.items

deny contains msg if {
	parts := regex.split("[,;]", input.csv)
	msg := sprintf("%d fields: %v; unicode %s", [count(parts), parts, input.unicode])
}

deny contains sprintf("big %v %d", [input.big, input.big]) if input.big

deny contains "exact now" if time.now_ns() == 1700000000123456789
`;

test("evaluation through HostBridge agrees with the SDK's host calls and results", async () => {
  mkdirSync(join(work, "policy"));
  writeFileSync(join(work, "policy", "bridge.rego"), POLICY);
  await buildBundle(join(work, "policy"), join(work, "bundle"));
  const bundle = await loadBundle(join(work, "bundle"));
  const clock = fixedNsClock(1_700_000_000_123_456_789n);
  const ours = await instantiate(await compilePolicy(bundle.wasm), bundle.manifest.builtins, { clock });
  const reference = await instantiate(await compilePolicy(bundle.wasm), bundle.manifest.builtins, { clock, hostCalls: "sdk" });
  assert.ok(ours.directReads);
  const next = rng(7);
  for (let i = 0; i < 60; i++) {
    const input = {
      items: Array.from({ length: i % 4 }, (_, j) => ({ name: `item-${i}-${j}`, parts: Array.from({ length: j + 1 }, (_, k) => (k % 2 ? k : `p${k}`)) })),
      csv: Array.from({ length: 1 + (i % 5) }, (_, j) => `f${j}`).join(i % 2 ? "," : ";"),
      unicode: STRINGS[i % STRINGS.length],
      big: i % 3 === 0 ? 12345678901234567000 : next() * 1e6,
    };
    const bytes = ours.encodeInput(input);
    const result = ours.evaluate(bytes, "bridge/deny");
    const sdk = reference.evaluateWithSdk(bytes.slice(0), "bridge/deny") as { result: unknown }[];
    // The one place the two differ by design: sprintf prints a number key as topdown does (`{1: ...}`),
    // where the SDK's JSON dump hands it over as its text (`{"1": ...}`) and a set beside it as an array.
    const sdkResult = (sdk[0]!.result as unknown[]).map((m) => (m === 'set [3, "a", "b"] and object {"1": "one", "two": 2}' ? 'set {3, "a", "b"} and object {1: "one", "two": 2}' : m));
    same(result, { defined: true, value: sdkResult }, `input ${i}`);
  }
  const sample = ours.evaluate(ours.encodeInput({ items: [{ name: "n", parts: ["a"] }], csv: "a,b", unicode: "ü", big: 1 }), "bridge/deny").value as unknown[];
  assert.ok(sample.includes("exact now"), "an exact nanosecond result");
  assert.ok(sample.some((m) => typeof m === "object" && JSON.stringify(m).includes('"1":"a"')), "non-string keys as the dump writes them");
});

test.run();
