// Base data documents (`check --data`) as topdown reads them, beside `opa eval` on the same files
// (issue 16: the compliance cases data/toplevel integer, data/nested integer and base/virtual:
// conflicts). Lookups: a number key finds an object's key of that text, a string key finds an
// array's element of that integer (src/policy/base-data-keys.ts), but only through a reference
// into data (after `x := data.nested`, `x[2]` is undefined in topdown too). Conflicts: base data
// holding a value where a rule defines one is refused as opa refuses it (src/policy/data-conflicts.ts).

import { test } from "uvu";
import * as assert from "uvu/assert";
import { spawnSync } from "node:child_process";
import { mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { packagePath } from "../src/core/paths.js";
import { conflictingDocument } from "../src/policy/data-conflicts.js";
import { pinnedTool } from "../src/toolchain/native.js";

const cli = packagePath("bin", "gatehouse.js");
const work = mkdtempSync(join(tmpdir(), "gatehouse-base-data-"));
const opa = pinnedTool("opa");

const DATA = {
  // (no keys like "2.0": topdown's text of a number literal such as 2.0 depends on the other
  // literals of the policy, as the compiler shares equal constants)
  nested: { "2": "bar" },
  arr: ["x", "y", "z"],
  fl: { "2.5": "fl" },
  big: { "12345678901234567890": "big" },
  deep: { a: { b: { "7": "seven" } } },
};

/** Each case: a rule body (the warn rule's message is the case name), and whether topdown finds it. */
const CASES: { name: string; body: string; found: boolean }[] = [
  { name: "number-constant", body: `data.nested[2] == "bar"`, found: true },
  { name: "number-variable", body: `k := 2; data.nested[k] == "bar"`, found: true },
  { name: "number-from-input", body: `some i; data.nested[input.keys[i]] == "bar"`, found: true },
  { name: "float-key", body: `data.fl[2.5] == "fl"`, found: true },
  { name: "big-key", body: `data.big[12345678901234567890] == "big"`, found: true },
  { name: "deep-key", body: `data.deep.a.b[7] == "seven"`, found: true },
  { name: "bound-variable-is-a-value", body: `x := data.nested; x[2]`, found: false },
  { name: "input-is-a-value", body: `input.obj[2]`, found: false },
  { name: "string-index", body: `data.arr["2"] == "z"`, found: true },
  { name: "string-index-leading-zero", body: `data.arr["02"] == "z"`, found: true },
  { name: "string-index-plus", body: `data.arr["+2"] == "z"`, found: true },
  { name: "string-index-minus-zero", body: `data.arr["-0"] == "x"`, found: true },
  { name: "string-index-variable", body: `k := "1"; data.arr[k] == "y"`, found: true },
  { name: "string-index-minus-alone", body: `data.arr["-"]`, found: false },
  { name: "string-index-plus-minus", body: `data.arr["+-2"]`, found: false },
  { name: "string-index-empty", body: `data.arr[""]`, found: false },
  { name: "string-index-space", body: `data.arr[" 2"]`, found: false },
  { name: "string-index-negative", body: `data.arr["-1"]`, found: false },
  { name: "string-index-out-of-range", body: `data.arr["3"]`, found: false },
  { name: "iteration-keys-stay-strings", body: `some k; data.nested[k] == "bar"; k == "2"`, found: true },
  { name: "array-index-then-object-key", body: `some k; data.arr[k] == "z"; data.nested[k] == "bar"`, found: true },
  { name: "not-converted-miss", body: `not data.nested[3]`, found: true },
];

function writePolicy(dir: string, cases: typeof CASES): void {
  mkdirSync(dir, { recursive: true });
  const rules = cases.map((c) => `warn contains ${JSON.stringify(c.name)} if {\n\t${c.body}\n}`).join("\n\n");
  writeFileSync(join(dir, "p.rego"), `package main\n\n${rules}\n`);
}

function check(args: string[]): { status: number | null; stdout: string; stderr: string } {
  return spawnSync(process.execPath, [cli, "check", ...args], { cwd: work, encoding: "utf8" });
}

function warnings(stdout: string): string[] {
  const report = JSON.parse(stdout) as { findings: { severity: string; message: string }[] };
  return report.findings.filter((f) => f.severity === "warning").map((f) => f.message).sort();
}

test("lookups in base data convert their keys as topdown does, and only through a reference into data", () => {
  writePolicy(join(work, "keys"), CASES);
  writeFileSync(join(work, "data.json"), JSON.stringify(DATA));
  writeFileSync(join(work, "input.json"), JSON.stringify({ keys: [2], obj: { "2": "in" } }));
  const run = check(["--policy", "keys", "--data", "data.json", "input.json", "--format", "json"]);
  assert.is(run.status, 0, run.stderr);
  const expected = CASES.filter((c) => c.found).map((c) => c.name).sort();
  assert.equal(warnings(run.stdout), expected);
  if (opa) {
    const out = spawnSync(opa, ["eval", "-f", "json", "-d", "keys", "-d", "data.json", "-i", "input.json", "data.main.warn"], { cwd: work, encoding: "utf8" });
    assert.is(out.status, 0, out.stderr);
    const value = (JSON.parse(out.stdout) as { result: { expressions: { value: string[] }[] }[] }).result[0]!.expressions[0]!.value;
    assert.equal([...value].sort(), expected, "opa eval on the same files");
  }
});

test("without --data the same policy evaluates (the rewrite costs nothing when data holds nothing)", () => {
  const run = check(["--policy", "keys", "input.json", "--format", "json"]);
  assert.is(run.status, 0, run.stderr);
  assert.equal(warnings(run.stdout), ["not-converted-miss"]);
});

test("base data conflicting with a rule is refused (exit 2), naming the rule's file and line", () => {
  mkdirSync(join(work, "conflict"), { recursive: true });
  writeFileSync(join(work, "conflict", "rules.rego"), `package topdown.conflicts\n\nk := "bar"\n`);
  writeFileSync(join(work, "conflict", "main.rego"), `package main\n\nwarn contains "k" if data.topdown.conflicts.k\n`);
  const documents = [
    ["same-path.json", { topdown: { conflicts: { k: "foo" } } }, true],
    ["scalar-above.json", { topdown: { conflicts: 5 } }, true],
    ["array-above.json", { topdown: [1] }, true],
    ["object-beside.json", { topdown: { conflicts: { other: 1 } } }, false],
    ["elsewhere.json", { elsewhere: { k: 1 } }, false],
  ] as const;
  for (const [file, data, conflicts] of documents) {
    writeFileSync(join(work, file), JSON.stringify(data));
    const run = check(["--policy", "conflict", "--data", file, "input.json"]);
    if (conflicts) {
      assert.is(run.status, 2, `${file}: ${run.stdout}${run.stderr}`);
      assert.match(run.stderr, "conflict/rules.rego: conflicting rule for data path topdown/conflicts/k found (line 3): a --data document holds a value there too");
      assert.is(run.stdout, "", `${file}: nothing evaluated`);
    } else {
      assert.is(run.status, 0, `${file}: ${run.stdout}${run.stderr}`);
    }
    if (opa) {
      const out = spawnSync(opa, ["eval", "-d", "conflict", "-d", file, "data.main.warn"], { cwd: work, encoding: "utf8" });
      assert.is(out.status === 0, !conflicts, `${file}: opa eval agrees`);
    }
  }
});

test("conflictingDocument: exact paths, values above, objects beside", () => {
  const docs = [
    { path: ["a", "b"], at: "x.rego:1" },
    { path: ["c"], at: "y.rego:2" },
  ];
  assert.is(conflictingDocument(docs, {}), undefined);
  assert.is(conflictingDocument(docs, { a: { c: 1 } }), undefined);
  assert.equal(conflictingDocument(docs, { a: { b: null } }), docs[0]);
  assert.equal(conflictingDocument(docs, { a: "s" }), docs[0]);
  assert.equal(conflictingDocument(docs, { c: {} }), docs[1]);
  assert.is(conflictingDocument(docs, { a: { b2: 1 }, d: [] }), undefined);
});

test("a bundle that does not list its rules' data paths is refused with --data, and evaluates without", () => {
  const built = spawnSync(process.execPath, [cli, "build", "--policy", "conflict", "--out", "built"], { cwd: work, encoding: "utf8" });
  assert.is(built.status, 0, built.stderr);
  const manifestPath = join(work, "built", "manifest.json");
  const manifest = JSON.parse(readFileSync(manifestPath, "utf8")) as Record<string, unknown>;
  assert.ok(Array.isArray(manifest.documents), "gatehouse build records the documents");
  delete manifest.documents;
  writeFileSync(manifestPath, JSON.stringify(manifest, null, 2));
  const refused = check(["--policy", "built", "--data", "elsewhere.json", "input.json"]);
  assert.is(refused.status, 2, refused.stdout + refused.stderr);
  assert.match(refused.stderr, "does not list the data paths its rules define");
  const plain = check(["--policy", "built", "input.json"]);
  assert.is(plain.status, 0, plain.stdout + plain.stderr);
});

test.after(() => rmSync(work, { recursive: true, force: true }));

test.run();
