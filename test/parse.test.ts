import { test } from "uvu";
import * as assert from "uvu/assert";
import { isPlainJsonObject } from "../src/inputs/json-scan.js";
import { countJsonKeyTokens, countKeys, InputParseError, parseDocument } from "../src/inputs/parse.js";
import { deployment, rng } from "../scripts/bench-inputs.js";

test("JSON: a duplicate key is rejected, even when spelled with an escape", () => {
  assert.throws(() => parseDocument('{"a": 1, "a": 2}', "json"), (e: unknown) => e instanceof InputParseError && /duplicate key "a"/.test(e.message));
  assert.throws(() => parseDocument('{"a": 1, "\\u0061": 2}', "json"), /duplicate key/);
});

test("JSON: the same key in sibling objects is fine", () => {
  assert.equal(parseDocument('[{"a": 1}, {"a": 2}]', "json"), [{ a: 1 }, { a: 2 }]);
  assert.equal(parseDocument('{"a": {"a": {"a": "}"}}}', "json"), { a: { a: { a: "}" } } });
});

test("YAML: duplicate keys are rejected", () => {
  assert.throws(() => parseDocument("a: 1\na: 2\n", "yaml"), /duplicate|unique/i);
});

test("YAML: an alias bomb is refused", () => {
  const lines = ['a: &a ["x","x","x","x","x","x","x","x","x"]'];
  let prev = "a";
  for (const name of ["b", "c", "d", "e", "f", "g", "h", "i"]) {
    lines.push(`${name}: &${name} [*${prev},*${prev},*${prev},*${prev},*${prev},*${prev},*${prev},*${prev},*${prev}]`);
    prev = name;
  }
  assert.throws(() => parseDocument(lines.join("\n"), "yaml"), (e: unknown) => e instanceof InputParseError && /alias/i.test(e.message));
});

test("YAML: a multi-document stream is a list of documents", () => {
  assert.equal(parseDocument("a: 1\n---\nb: 2\n", "yaml"), [{ a: 1 }, { b: 2 }]);
});

test("invalid JSON names the problem", () => {
  assert.throws(() => parseDocument("{", "json"), /invalid JSON/);
});

// --- isPlainJsonObject: the fast path for .json inputs (src/inputs/json-scan.ts) -------------

const scan = (text: string): boolean => isPlainJsonObject(Buffer.from(text, "utf8"));

test("fast JSON scan: plain objects pass, anything else is left to the full parse", () => {
  for (const text of ['{}', ' \n\t{"a": [1, {"b": null}], "c": true, "d": -0.5e+3, "e": "\\u00e9\\n", "f": []}\r\n', '{"a": {"a": {"a": 1}}}', '{"é": 1, "e": 2}', '{"": 0}']) {
    assert.ok(scan(text), text);
  }
  const notShown = [
    '[]', '"x"', '1', 'null', '', '   ', '\ufeff{}',
    '{"a": 1, "a": 2}', '{"x": {"a": 1, "b": {}, "a": 2}}', '{"a\\u0062": 1}', '{"a\\"": 1}',
    '{"a": 1} x', '{"a": 1}}', '{"a": 1', '{"a": 01}', '{"a": 1.}', '{"a": -}', '{"a": .5}', '{"a": 1e}', '{"a": +1}',
    '{"a": "\\u00zz"}', '{"a": "\\x"}', '{"a": "tab\there"}', '{"a": tru}', '{"a": nul}', '{"a": True}',
    '{"a": 1,}', '{,}', '{"a" 1}', '{"a": 1 "b": 2}', '{"a": [1,]}', '{"a": [,1]}', '{"a": [1 2]}', '{a: 1}', "{'a': 1}",
    '{"a": 1}{"b": 2}', '{"a": [}', '{"a": {]}', '{"a": "unterminated}',
  ];
  for (const text of notShown) assert.not.ok(scan(text), text);
});

test("fast JSON scan: deep nesting neither overflows nor passes when unbalanced", () => {
  const depth = 20_000;
  assert.ok(scan(`{"a": ${"[".repeat(depth)}${"]".repeat(depth)}}`));
  assert.not.ok(scan(`{"a": ${"[".repeat(depth)}${"]".repeat(depth - 1)}}`));
});

function randomValue(r: () => number, depth: number): unknown {
  const pick = r();
  if (depth > 4 || pick < 0.35) {
    const scalars = [null, true, false, 0, -1, 3.25, 1e21, -2.5e-7, "", "plain", "é\u2028\"\\/\n\t", "\u0000\u001f", "😀"];
    return scalars[Math.floor(r() * scalars.length)];
  }
  if (pick < 0.6) return Array.from({ length: Math.floor(r() * 4) }, () => randomValue(r, depth + 1));
  const keys = ["a", "b", "name", "é", "key with space", "", "k\"q", "x".repeat(40)];
  const out: Record<string, unknown> = {};
  for (let k = Math.floor(r() * 5); k > 0; k--) out[keys[Math.floor(r() * keys.length)]!] = randomValue(r, depth + 1);
  return out;
}

/** Whether some key of the value needs an escape in JSON. */
function hasEscapedKey(value: unknown): boolean {
  if (Array.isArray(value)) return value.some(hasEscapedKey);
  if (typeof value !== "object" || value === null) return false;
  return Object.entries(value).some(([key, child]) => JSON.stringify(key).includes("\\") || hasEscapedKey(child));
}

/** The full path's answer: one object, valid, no duplicate keys. */
function fullPathAccepts(text: string): boolean {
  let value: unknown;
  try {
    value = JSON.parse(text);
  } catch {
    return false;
  }
  return typeof value === "object" && value !== null && !Array.isArray(value) && countJsonKeyTokens(text) === countKeys(value);
}

test("fast JSON scan: agrees with JSON.parse on generated documents and never passes a mutated one the full path refuses", () => {
  const r = rng(2026);
  const documents: string[] = [];
  for (let i = 0; i < 300; i++) documents.push(JSON.stringify(deployment(i), null, i % 3 === 0 ? 2 : undefined));
  for (let i = 0; i < 700; i++) documents.push(JSON.stringify({ root: randomValue(r, 0), n: i }, null, i % 2 ? "\t" : undefined));
  // Whole documents: the scan passes exactly those without escaped keys (JSON.stringify never repeats a key).
  let passed = 0;
  for (const text of documents) {
    const escapedKey = hasEscapedKey(JSON.parse(text));
    assert.is(scan(text), !escapedKey, text.slice(0, 200));
    if (!escapedKey) passed++;
  }
  assert.ok(passed > 500);
  // Mutations: delete, insert or replace a byte with JSON punctuation, or repeat a member.
  const alphabet = ['"', "{", "}", "[", "]", ",", ":", " ", "\\", "0", "-", ".", "e", "t", "n", "a", "\n", "\u0001"];
  let accepted = 0;
  let refused = 0;
  for (let round = 0; round < 20_000; round++) {
    let text = documents[Math.floor(r() * documents.length)]!;
    const at = Math.floor(r() * text.length);
    const kind = r();
    const ch = alphabet[Math.floor(r() * alphabet.length)]!;
    if (kind < 0.3) text = text.slice(0, at) + text.slice(at + 1);
    else if (kind < 0.6) text = text.slice(0, at) + ch + text.slice(at);
    else if (kind < 0.9) text = text.slice(0, at) + ch + text.slice(at + 1);
    else text = text.replace(/\{"([^"\\]+)":([^,{}\[\]]+),/, '{"$1":$2,"$1":$2,');
    const fast = scan(text);
    const full = fullPathAccepts(text);
    if (fast) assert.ok(full, `the scan passed what the full path refuses: ${JSON.stringify(text.slice(0, 300))}`);
    if (fast) accepted++;
    if (!full) refused++;
  }
  // Both outcomes were exercised.
  assert.ok(accepted > 1000, `${accepted} mutated documents passed`);
  assert.ok(refused > 5000, `${refused} mutated documents were refused`);
});

test.run();
