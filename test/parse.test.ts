import { test } from "uvu";
import * as assert from "uvu/assert";
import { isPlainJsonObject } from "../src/inputs/json-scan.js";
import { jsonSyntaxProblem } from "../src/inputs/json-syntax.js";
import { countJsonKeyTokens, countKeys, InputParseError, parseDocument } from "../src/inputs/parse.js";
import YAML from "yaml";
import { yamlParser } from "../src/inputs/parsers/yaml.js";
import { deployment, rng } from "../scripts/bench-inputs.js";
import { PARSERS, parserFor, type ParserEntry } from "../src/inputs/parsers/index.js";

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

// --- YAML through js-yaml (issue 2: ~8x faster than the `yaml` package it replaced) ---------

/** What the `yaml` package (the parser before js-yaml, still a dependency for writing YAML) made of a text. */
function withYamlPackage(text: string): unknown {
  const docs = YAML.parseAllDocuments(text, { uniqueKeys: true, strict: true });
  if (!Array.isArray(docs)) throw new Error("empty stream");
  const values = docs.map((doc) => {
    if (doc.errors[0]) throw new Error(doc.errors[0].message);
    return doc.toJS({ maxAliasCount: 100 });
  });
  return values.length === 1 ? values[0] : values;
}

/** Plain values YAML 1.1 (conftest, Kubernetes) reads otherwise than 1.2: refused (issue 14.1). */
/** An input file's YAML as `check` parses it (the parser registry's yaml entry). */
function parseInput(text: string): unknown {
  return yamlParser.parse(text, { path: "input.yaml" }).value;
}

const AMBIGUOUS_SCALARS = new Set(["1_000", "017", "0b101", "yes", "no", "on", "off", "y", "n", "+0x1F"]);
/** Numbers JSON cannot hold: an input holding one is refused (issue 14, twelfth pass: policies saw null). */
const NON_FINITE_SCALARS = new Set([".inf", "-.Inf", ".NaN"]);
/** Integers a double does not keep: conftest keeps them exactly, so an input holding one is refused (issue 14, thirteenth pass). */
const IMPRECISE_SCALARS = new Set(["9007199254740993"]);
const PLAIN_SCALARS = [
  "1_000", "0o17", "017", "0x1F", "0b101", "+12", "-0", "1e3", "1.5e-3", ".inf", "-.Inf", ".NaN", "1.", "yes", "no", "on",
  "off", "y", "n", "True", "TRUE", "tRue", "~", "null", "Null", "NULL", "", "2024-01-01", "2024-01-01T10:00:00Z", "12:30:00",
  "1:20", "0.1", "-1.5", ".5", "+.5", "08", "1e", "0xG", "'quoted'", '"dq \\t \\u00e9"', "!!str 5", "!!int '7'",
  "123456789012345678901234567890", "9007199254740993", "-0.0", "0e0", "1E3", "+0x1F", "0o8", "1.0e+3", "<<", "=", "a b  c",
];
const DOCUMENTS = [
  "base: &b {x: 1, y: [1, 2]}\nuse: *b\nlist: [*b, *b]\n",
  "d: &d {a: 1}\ne:\n  <<: *d\n  b: 2\n",
  "a: 1\n---\nb: 2\n...\n---\n- 3\n",
  "---\n---\n",
  "s: |\n  line1\n  line2\nf: >-\n  folded\n  text\nk: |+\n  kept\n\n",
  "{a: [1, {b: c}], 'q': \"x\\ty\"}\n",
  "1: a\n2.5: b\ntrue: c\n",
  "a:\t1\n",
  "name: \"caf\\u00e9 \\U0001F600\"\nplain: naïve\n",
  "\ufeffa: 1\n",
  "%YAML 1.2\n---\na: 1\n",
  "__proto__: {polluted: true}\nconstructor: 1\n",
  "? a\n? b\n",
  "- a\n- b: 1\n",
  "hello\n",
  "# comment\na: # trailing\n  - 1 # one\n",
  "apiVersion: v1\nkind: Pod\nmetadata:\n  name: p\n  labels: {app: web}\nspec:\n  containers:\n    - name: c\n      image: nginx:1.25\n      ports: [{containerPort: 80}]\n",
];

test("YAML: the same values as the `yaml` package for YAML 1.2 plain scalars and documents", () => {
  for (const scalar of PLAIN_SCALARS) {
    const text = `v: ${scalar}\n`;
    if (AMBIGUOUS_SCALARS.has(scalar)) assert.throws(() => parseInput(text), /in YAML 1\.2, as gatehouse reads it, but .* in YAML 1\.1 as conftest and Kubernetes read it/, text);
    else if (IMPRECISE_SCALARS.has(scalar)) assert.throws(() => parseInput(text), /as gatehouse holds it \(a double\): readers would judge different numbers/, text);
    else if (NON_FINITE_SCALARS.has(scalar)) assert.throws(() => parseInput(text), /the value at \/v is (-?Infinity|NaN), a number JSON cannot hold/, text);
    else assert.equal(parseInput(text), withYamlPackage(text), text);
    // gatehouse's own files have no YAML 1.1 reader: read as 1.2, as the `yaml` package reads them
    // (and refused, as inputs are, where a number JSON cannot hold stands).
    if (NON_FINITE_SCALARS.has(scalar)) assert.throws(() => parseDocument(text, "yaml"), /a number JSON cannot hold/, text);
    else assert.equal(parseDocument(text, "yaml"), withYamlPackage(text), text);
  }
  // Merge keys are merged (the `yaml` package's 1.2 kept "<<" as a key).
  for (const text of DOCUMENTS) {
    if (text.includes("<<")) assert.equal(parseDocument(text, "yaml"), withYamlPackage(text.replace("%YAML 1.2", "").replace(/^/, "%YAML 1.1\n---\n")), text);
    else assert.equal(parseDocument(text, "yaml"), withYamlPackage(text), text);
  }
  // The generated bench manifests, written out as YAML.
  for (let i = 0; i < 200; i++) {
    const text = YAML.stringify(deployment(i));
    assert.equal(parseDocument(text, "yaml"), withYamlPackage(text), text);
  }
});

test("YAML: where js-yaml differs from the `yaml` package, it is stricter or says what the text says", () => {
  // Application tags (CloudFormation) are the plain values they tag, as before.
  assert.equal(parseDocument("x: !Sub 'a-${B}'\ny: !GetAtt [B, Arn]\nz: !If {a: 1}\n", "yaml"), { x: "a-${B}", y: ["B", "Arn"], z: { a: 1 } });
  // A complex key was stringified, a !!binary became a Buffer's JSON, !!timestamp a date: now errors.
  assert.throws(() => parseDocument("? [a, b]\n: c\n", "yaml"), /invalid YAML: .*complex keys/);
  assert.throws(() => parseDocument("v: !!binary aGVsbG8=\n", "yaml"), /invalid YAML: unknown scalar tag/);
  assert.throws(() => parseDocument("v: !!timestamp 2024-01-01\n", "yaml"), /invalid YAML: unknown scalar tag/);
  // A null key is the key "null" (it was "").
  assert.equal(parseDocument("null: v\n", "yaml"), { null: "v" });
  // %YAML 1.1 gets YAML 1.1's booleans; timestamps stay their text, as conftest reads them.
  assert.equal(parseDocument("%YAML 1.1\n---\na: yes\nt: 2024-01-01\n", "yaml"), { a: true, t: "2024-01-01" });
  // Without it, a value 1.1 reads otherwise is refused, not judged as 1.2's string.
  assert.throws(() => parseInput("a: yes\n"), /line 1: the plain value yes is the string "yes" in YAML 1\.2/);
  assert.equal(parseInput("a: 'yes'\nb: !!str on\non: push\n"), { a: "yes", b: "on", on: "push" });
  assert.equal(parseDocument("a: yes\nobjective: y\n", "yaml"), { a: "yes", objective: "y" });
});

test("YAML: errors name the problem and where it is", () => {
  assert.throws(() => parseDocument("a: 1\na: 2\n", "yaml"), (e: unknown) => e instanceof InputParseError && e.message === "invalid YAML: duplicated mapping key at line 2, column 1");
  assert.throws(() => parseDocument("a:\n  b: 1\n c: 2\n", "yaml"), /^invalid YAML: bad indentation of a mapping entry at line 3, column 2$/);
  assert.throws(() => parseDocument("", "yaml"), /^the file holds no YAML document/);
  assert.throws(() => parseDocument("# only a comment\n", "yaml"), /^the file holds no YAML document/);
  // js-yaml's nesting limit (the `yaml` package had none): deeper than 100 is refused, clearly.
  assert.ok(parseDocument(`a: ${"[".repeat(99)}${"]".repeat(99)}\n`, "yaml"));
  assert.throws(() => parseDocument(`a: ${"[".repeat(101)}${"]".repeat(101)}\n`, "yaml"), /^invalid YAML: nesting exceeded maxDepth \(100\) at line 1, column \d+$/);
});

test("YAML: aliases count where they end up; more than 100 copies is refused", () => {
  // Scalar aliases: js-yaml's own count of alias nodes.
  const scalars = (n: number) => "a: &a x\n" + Array.from({ length: n }, (_, i) => `k${i}: *a`).join("\n");
  assert.equal((parseDocument(scalars(100), "yaml") as Record<string, string>)["k99"], "x");
  assert.throws(() => parseDocument(scalars(101), "yaml"), /invalid YAML: aliases exceeded maxAliases \(100\)/);
  // 50 merges of one block: 50 copies.
  const merges = "d: &d {a: 1, b: [1, 2]}\n" + Array.from({ length: 50 }, (_, i) => `k${i}: {<<: *d, c: ${i}}`).join("\n");
  assert.equal((parseDocument(merges, "yaml") as Record<string, unknown>)["k49"], { a: 1, b: [1, 2], c: 49 });
  // b holds a twice; n aliases of b copy a 2n more times: n + 2 (n + 1) copies in all.
  const nested = (n: number) => `a: &a [1]\nb: &b [*a, *a]\nc: [${Array.from({ length: n }, () => "*b").join(", ")}]\n`;
  assert.equal((parseDocument(nested(32), "yaml") as { c: unknown[] }).c.length, 32); // 32 + 66 = 98
  assert.throws(() => parseDocument(nested(33), "yaml"), /aliases would be copied more than 100 times/); // 33 + 68 = 101
  // A collection that contains an alias to itself.
  assert.throws(() => parseDocument("a: &a [1, *a]\n", "yaml"), /an alias refers to a collection that contains it/);
});

test("invalid JSON names the problem by line and column, never quoting the text (V8's message quoted its first bytes)", () => {
  assert.throws(() => parseDocument("{", "json"), /^invalid JSON at line 1, column 2: the text ended where a key \(a string\) was expected$/);
  const secret = "root:$6$SECRETHASH:19000:0:99999:7:::\n";
  assert.throws(() => parseDocument(secret, "json"), (error: unknown) => (error as Error).message === "invalid JSON at line 1, column 1: unexpected character where a value was expected");
  assert.throws(() => parseDocument('{\n  "a": 1,\n  "b" 2\n}', "json"), /^invalid JSON at line 3, column 7: unexpected character where ":" was expected$/);
  assert.throws(() => parseDocument('["tab\there"]', "json"), /a control character inside a string/);
  assert.throws(() => parseDocument('{"a": 01}', "json"), /line 1, column 8: unexpected character where the end of the number was expected/);
});

test("the JSON syntax scan finds a problem exactly when JSON.parse refuses the text, on generated and mutated documents", () => {
  const r = rng(14);
  const documents: string[] = [];
  for (let i = 0; i < 200; i++) documents.push(JSON.stringify({ root: randomValue(r, 0), n: i, s: "a\u00e9\n\"" }, null, i % 2 ? "\t" : undefined));
  const alphabet = ['"', "{", "}", "[", "]", ",", ":", " ", "\\", "0", "-", "+", ".", "e", "E", "t", "f", "n", "u", "a", "\n", "\u0001", "1", "9"];
  let refused = 0;
  for (let round = 0; round < 20_000; round++) {
    let text = documents[Math.floor(r() * documents.length)]!;
    for (let edits = 1 + Math.floor(r() * 2); edits > 0; edits--) {
      const at = Math.floor(r() * text.length);
      const ch = alphabet[Math.floor(r() * alphabet.length)]!;
      const kind = r();
      if (kind < 0.33) text = text.slice(0, at) + text.slice(at + 1);
      else if (kind < 0.66) text = text.slice(0, at) + ch + text.slice(at);
      else text = text.slice(0, at) + ch + text.slice(at + 1);
    }
    let parses = true;
    try {
      JSON.parse(text);
    } catch {
      parses = false;
    }
    const problem = jsonSyntaxProblem(text);
    assert.is(problem === undefined, parses, JSON.stringify(text.slice(0, 300)));
    if (problem) {
      refused++;
      // The text up to the problem is a prefix JSON.parse would accept more of: the problem is at or before the end.
      assert.ok(problem.offset <= text.length);
    }
  }
  assert.ok(refused > 5000, `${refused} mutated documents were refused`);
});

// --- isPlainJsonObject: the fast path for .json inputs (src/inputs/json-scan.ts) -------------

const scan = (text: string): boolean => isPlainJsonObject(Buffer.from(text, "utf8"));

test("fast JSON scan: plain objects pass, anything else is left to the full parse", () => {
  for (const text of ['{}', ' \n\t{"a": [1, {"b": null}], "c": true, "d": -0.5, "g": 123456789012345, "e": "\\u00e9\\n", "f": []}\r\n', '{"a": {"a": {"a": 1}}}', '{"é": 1, "e": 2}', '{"": 0}']) {
    assert.ok(scan(text), text);
  }
  const notShown = [
    '[]', '"x"', '1', 'null', '', '   ', '\ufeff{}',
    '{"a": 1, "a": 2}', '{"x": {"a": 1, "b": {}, "a": 2}}', '{"a\\u0062": 1}', '{"a\\"": 1}',
    '{"a": 1} x', '{"a": 1}}', '{"a": 1', '{"a": 01}', '{"a": 1.}', '{"a": -}', '{"a": .5}', '{"a": 1e}', '{"a": +1}',
    '{"a": "\\u00zz"}', '{"a": "\\x"}', '{"a": "tab\there"}', '{"a": tru}', '{"a": nul}', '{"a": True}',
    '{"a": 1,}', '{,}', '{"a" 1}', '{"a": 1 "b": 2}', '{"a": [1,]}', '{"a": [,1]}', '{"a": [1 2]}', '{a: 1}', "{'a': 1}",
    '{"a": 1}{"b": 2}', '{"a": [}', '{"a": {]}', '{"a": "unterminated}',
    // Numbers a double may not keep (an exponent, 16 digits or more): the full parse decides.
    '{"a": -0.5e+3}', '{"a": 1E2}', '{"a": 1234567890123456}', '{"a": 0.1234567890123456}',
  ];
  for (const text of notShown) assert.not.ok(scan(text), text);
});

test("fast JSON scan: deep nesting neither overflows nor passes when unbalanced", () => {
  const depth = 20_000;
  assert.ok(scan(`{"a": ${"[".repeat(depth)}${"]".repeat(depth)}}`));
  assert.not.ok(scan(`{"a": ${"[".repeat(depth)}${"]".repeat(depth - 1)}}`));
});

test("fast JSON scan: objects with many keys (past the in-a-row comparison) still refuse every duplicate", () => {
  // Distinct keys of several lengths, "" (whose hash is FNV's offset itself) among them.
  const key = (k: number) => (k === 6 ? "" : `k${k}`.repeat(1 + (k % 3)));
  const object = (keys: string[], inner = "") => `{${keys.map((k, at) => `${JSON.stringify(k)}: ${at === 3 && inner ? inner : at}`).join(", ")}}`;
  for (const n of [1, 2, 15, 16, 17, 18, 40, 100]) {
    const keys = Array.from({ length: n }, (_, k) => key(k));
    assert.ok(scan(object(keys)), `${n} distinct keys`);
    // Each key repeated at the end, and the first key repeated at every position.
    for (let at = 0; at < n; at++) {
      assert.not.ok(scan(object([...keys, keys[at]!])), `${n} keys, key ${at} again at the end`);
      assert.not.ok(scan(object([...keys.slice(0, at + 1), keys[0]!, ...keys.slice(at + 1)])), `${n} keys, key 0 again after key ${at}`);
    }
    // The same keys in a nested object are not duplicates of the outer ones; a big inner object
    // closing gives its parent back its own keys.
    const inner = object(keys);
    assert.ok(scan(object(n > 3 ? keys : [...keys, "x", "y", "z"], inner)), `${n} keys with an inner object holding the same keys`);
    assert.not.ok(scan(object([...(n > 3 ? keys : [...keys, "x", "y", "z"]), n > 3 ? keys[n - 1]! : "z"], inner)), `${n} keys, inner object, then a duplicate of the outer`);
  }
  // A million keys stays linear (the Set past the limit): among a million keys some 32-bit hashes
  // collide, which answers "not shown" (the full path decides), but quickly.
  const big = `{${Array.from({ length: 1_000_000 }, (_, k) => `"${k}": 0`).join(",")}}`;
  const started = performance.now();
  scan(big);
  assert.ok(performance.now() - started < 5_000, "a million keys in well under five seconds");
  // 5,000 keys (no two of these hashes collide), then the scan is reused for small documents.
  const many = Array.from({ length: 5_000 }, (_, k) => `"${k}": 0`).join(",");
  assert.ok(scan(`{${many}}`));
  assert.not.ok(scan(`{${many}, "4999": 1}`));
  // A big object's keys are forgotten when it closes: a sibling at the same depth may reuse them.
  const siblings = Array.from({ length: 40 }, (_, k) => `"s${k}": 0`).join(",");
  assert.ok(scan(`{"a": {${siblings}}, "b": {"s3": 1, "s39": 2}, "c": [{${siblings}}, {"s0": 0}]}`));
  assert.ok(scan('{"a": 1, "b": {"a": 2}}'));
  assert.not.ok(scan('{"a": 1, "b": {"c": 2}, "a": 3}'));
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
/** A number the scan leaves to the full parse (an exponent, or more than 15 digits), as JSON.stringify writes it. */
function hasLongNumber(value: unknown): boolean {
  if (typeof value === "number") return /e/.test(String(value)) || String(value).replace(/[-.]/g, "").length > 15;
  if (typeof value !== "object" || value === null) return false;
  return Object.values(value).some(hasLongNumber);
}

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
  // Whole documents: the scan passes exactly those without escaped keys (JSON.stringify never
  // repeats a key) or numbers it leaves to the full parse.
  let passed = 0;
  for (const text of documents) {
    const shown = !hasEscapedKey(JSON.parse(text)) && !hasLongNumber(JSON.parse(text));
    assert.is(scan(text), shown, text.slice(0, 200));
    if (shown) passed++;
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


// parserFor reads conftest's file-name rules from lookup tables; they must answer as the rules
// read entry by entry in PARSERS' order (the first entry claiming the name by file name, prefix
// or extension wins; then an extension that is a parser's name).
function parserByRules(path: string): string | undefined {
  const fileName = path.slice(Math.max(path.lastIndexOf("/"), path.lastIndexOf("\\")) + 1).toLowerCase();
  const dot = fileName.lastIndexOf(".");
  const extension = dot >= 0 ? fileName.slice(dot + 1) : "";
  for (const [name, entry] of Object.entries(PARSERS) as [string, ParserEntry][]) {
    if (entry.fileNames?.includes(fileName)) return name;
    if (entry.fileNamePrefixes?.some((prefix) => fileName.startsWith(prefix))) return name;
    if (entry.extensions?.includes(extension)) return name;
  }
  return Object.hasOwn(PARSERS, extension) ? extension : undefined;
}

test("parserFor's tables choose as conftest's rules read in order, on every rule's names and their mixes", () => {
  const stems = ["x", "Dockerfile", "dockerfile", ".env", "nginx.conf", "Jenkinsfile", "CODEOWNERS", ""];
  const endings = new Set<string>([""]);
  for (const [name, entry] of Object.entries(PARSERS) as [string, ParserEntry][]) {
    endings.add(`.${name}`);
    for (const e of entry.extensions ?? []) endings.add(`.${e}`).add(`.${e.toUpperCase()}`);
    for (const f of entry.fileNames ?? []) stems.push(f, f.toUpperCase());
    for (const p of entry.fileNamePrefixes ?? []) stems.push(`${p}debug`, p, p.toUpperCase());
  }
  for (const e of [".txt", ".", ".json.bak", ".gitignore"]) endings.add(e);
  let checked = 0;
  for (const dir of ["", "a/", "a.yaml/", "c:\\dir.tf\\"]) {
    for (const stem of stems) {
      for (const ending of endings) {
        const path = `${dir}${stem}${ending}`;
        assert.is(parserFor(path), parserByRules(path), path);
        checked++;
      }
    }
  }
  assert.ok(checked > 2000, `${checked} names`);
  assert.is(parserFor("Dockerfile.yaml"), "dockerfile");
  assert.is(parserFor(".env.json"), "dotenv");
  assert.is(parserFor("x.TOML"), "toml");
  assert.is(parserFor("README"), undefined);
});

test.run();
