// An array indexed by a number as topdown reads it, beside `opa eval` on the same files (issue 16).
// topdown's Array.Get takes Number.Int, i.e. util.Atoi64 of the number's text: an optional sign,
// at most 19 characters after it, digits, and at most one '.' followed by zeros only ("2.0", "2.",
// ".0", "-0.0" are integers; "2e0", "1.5", "2.000000000000000000" are not). OPA's wasm runtime
// reads only a plain integer's text, so without src/policy/base-data-keys.ts's value lookup
// `input.list[2.0]` is undefined in the wasm: a deny rule that would not fire.

import { test } from "uvu";
import * as assert from "uvu/assert";
import { spawnSync } from "node:child_process";
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { packagePath } from "../src/core/paths.js";
import { pinnedTool } from "../src/toolchain/native.js";

const cli = packagePath("bin", "gatehouse.js");
const work = mkdtempSync(join(tmpdir(), "gatehouse-array-index-"));
const opa = pinnedTool("opa");

// Numbers keep their JSON text in both evaluators: k20 is 2.0, not 2.
const INPUT_JSON = `{"list": [1, 2, 3], "k20": 2.0, "k2dot0": 2.00, "k2e0": 2e0, "kneg00": -0.0, "kneg20": -2.0, "k15": 1.5,
  "k19": 2.00000000000000000, "k20chars": 2.000000000000000000, "k30": 3.0, "kint": 2, "lists": [[1, 2, 3]],
  "m": [[0], [0], [7, 8, 9]], "obj": {"2": "in"}}`;
const DATA = { arr: ["x", "y", "z"], nested: { arr: ["x", "y", "z"] }, obj: { "2": "bar" } };

interface Case {
  name: string;
  body: string;
  found: boolean;
}

/** Lookups: in input, in locals, through data, in functions and scans; the result as topdown has it. */
const CASES: Case[] = [
  { name: "input-literal-2.0", body: `input.list[2.0] == 3`, found: true },
  { name: "input-key-2.0", body: `input.list[input.k20] == 3`, found: true },
  { name: "input-key-2.00", body: `input.list[input.k2dot0] == 3`, found: true },
  { name: "input-key-19-chars", body: `input.list[input.k19] == 3`, found: true },
  { name: "input-key-20-chars", body: `input.list[input.k20chars]`, found: false },
  { name: "input-key-2e0", body: `input.list[input.k2e0]`, found: false },
  { name: "input-key-minus-0.0", body: `input.list[input.kneg00] == 1`, found: true },
  { name: "input-key-minus-2.0", body: `input.list[input.kneg20]`, found: false },
  { name: "input-key-1.5", body: `input.list[input.k15]`, found: false },
  { name: "input-key-3.0-out-of-range", body: `input.list[input.k30]`, found: false },
  { name: "input-key-int", body: `input.list[input.kint] == 3`, found: true },
  { name: "input-string-key", body: `input.list["2"]`, found: false },
  { name: "input-object-number-key", body: `input.obj[2.0]`, found: false },
  { name: "nested-arrays", body: `input.m[input.k20][input.k20] == 9`, found: true },
  { name: "local-2.0", body: `x := 2.0; input.list[x] == 3`, found: true },
  { name: "local-array", body: `a := [1, 2, 3]; x := 2.0; a[x] == 3`, found: true },
  { name: "to-number-2.0", body: `x := to_number("2.0"); input.list[x] == 3`, found: true },
  { name: "arithmetic-4.0/2", body: `x := 4.0 / 2; input.list[x] == 3`, found: true },
  { name: "arithmetic-3-1.0", body: `x := 3 - 1.0; input.list[x] == 3`, found: true },
  { name: "function-parameter", body: `f(input.list, input.k20) == 3`, found: true },
  { name: "scan-value", body: `some l in input.lists; l[input.k20] == 3`, found: true },
  { name: "comprehension", body: `[v | v := input.list[input.k20]] == [3]`, found: true },
  { name: "with-input", body: `input.list[input.k] == 3 with input.k as 2.0`, found: true },
  { name: "bound-index-1.0", body: `i := 1.0; input.list[i] == 2`, found: true },
  { name: "iteration-index-equals-1.0", body: `some i; input.list[i] == 2; i == 1.0`, found: true },
  { name: "iteration-index-unifies-1.0", body: `some i; input.list[i]; i = 1.0`, found: true },
  { name: "object-number-key-2.0", body: `o := {2: "a"}; k := 2.0; o[k] == "a"`, found: true },
  { name: "set-number-2.0", body: `s := {2}; k := 2.0; s[k]`, found: true },
  { name: "data-literal-2.0", body: `data.arr[2.0] == "z"`, found: true },
  { name: "data-key-2.0", body: `data.arr[input.k20] == "z"`, found: true },
  { name: "data-key-2e0", body: `data.arr[input.k2e0]`, found: false },
  { name: "data-nested-2.0", body: `data.nested.arr[2.0] == "z"`, found: true },
  { name: "data-bound-2.0", body: `x := data.arr; x[2.0] == "z"`, found: true },
  { name: "data-string-index-still-converts", body: `data.arr["2"] == "z"`, found: true },
  { name: "data-object-number-key-still-converts", body: `data.obj[2] == "bar"`, found: true },
  { name: "object-get-path-2.0", body: `object.get({"a": [1, 2, 3]}, ["a", 2.0], "d") == 3`, found: true },
  { name: "object-get-path-input-2.0", body: `object.get(input, ["list", input.k20], "d") == 3`, found: true },
  { name: "object-get-path-1.5", body: `object.get(input, ["list", input.k15], "d") == "d"`, found: true },
  { name: "object-get-path-through-object", body: `object.get(input, ["m", input.k20, 2.0], "d") == 9`, found: true },
  { name: "object-get-empty-path", body: `object.get({"a": 1}, [], "d") == {"a": 1}`, found: true },
  { name: "object-get-key", body: `object.get({"a": 1}, "a", "d") == 1`, found: true },
  { name: "object-get-missing-key", body: `object.get({"a": 1}, "b", "d") == "d"`, found: true },
  { name: "object-get-through-scalar", body: `object.get({"a": 1}, ["a", 0], "d") == "d"`, found: true },
  { name: "object-get-through-set", body: `object.get({"a": {2}}, ["a", 2.0], "d") == 2`, found: true },
];

/** to_number's texts (both evaluators keep the string as the number's text). */
const TO_NUMBER_TEXTS = [".0", "2.", "02", "002.0", "-0", "-0.0", "-.0", "0.0", "1.000", "2.0", "2e0", "20e-1", "1.5", "-2.0", "3.0", "2.00000000000000000", "2.000000000000000000"];

function ruleName(c: Case): string {
  return JSON.stringify(c.name);
}

function writePolicy(dir: string, cases: Case[]): void {
  mkdirSync(dir, { recursive: true });
  const rules = cases.map((c) => `warn contains ${ruleName(c)} if {\n\t${c.body}\n}`).join("\n\n");
  writeFileSync(join(dir, "p.rego"), `package main\n\nf(a, k) := a[k]\n\n${rules}\n`);
}

function gatehouseWarnings(dir: string, data?: string): string[] {
  const args = [cli, "check", "--policy", dir, ...(data ? ["--data", data] : []), "input.json", "--format", "json"];
  const run = spawnSync(process.execPath, args, { cwd: work, encoding: "utf8" });
  assert.is(run.status, 0, run.stdout + run.stderr);
  const report = JSON.parse(run.stdout) as { findings: { severity: string; message: string }[] };
  const errors = report.findings.filter((f) => f.severity === "error");
  assert.equal(errors, [], "no evaluation error");
  return report.findings.filter((f) => f.severity === "warning").map((f) => f.message).sort();
}

function opaWarnings(dir: string, data?: string): string[] {
  const args = ["eval", "--strict-builtin-errors", "-f", "json", "-d", dir, ...(data ? ["-d", data] : []), "-i", "input.json", "data.main.warn"];
  const out = spawnSync(opa!, args, { cwd: work, encoding: "utf8" });
  assert.is(out.status, 0, out.stdout + out.stderr);
  const value = (JSON.parse(out.stdout) as { result: { expressions: { value: string[] }[] }[] }).result[0]!.expressions[0]!.value;
  return [...value].sort();
}

writeFileSync(join(work, "input.json"), INPUT_JSON);
writeFileSync(join(work, "data.json"), JSON.stringify(DATA));

test("an array's index given as a number: each case as topdown reads it, in input, locals, data, functions, scans and object.get", () => {
  writePolicy(join(work, "lookups"), CASES);
  const expected = CASES.filter((c) => c.found).map((c) => c.name).sort();
  assert.equal(gatehouseWarnings("lookups", "data.json"), expected);
  if (opa) assert.equal(opaWarnings("lookups", "data.json"), expected, "opa eval on the same files");
});

test("to_number's texts index an array as topdown's Number.Int reads them", () => {
  const cases = TO_NUMBER_TEXTS.map((text) => ({ name: `to_number(${text})`, body: `x := to_number(${JSON.stringify(text)}); input.list[x]`, found: false }));
  writePolicy(join(work, "texts"), cases);
  const found = gatehouseWarnings("texts");
  // util.Atoi64: ".0" "2." "02" "002.0" "-0" "-0.0" "-.0" "0.0" "1.000" "2.0" and 19 characters are in range
  const integers = [".0", "2.", "02", "002.0", "-0", "-0.0", "-.0", "0.0", "1.000", "2.0", "2.00000000000000000"];
  assert.equal(found, integers.map((text) => `to_number(${text})`).sort());
  if (opa) assert.equal(opaWarnings("texts"), found, "opa eval on the same files");
});

test("object.get on a value that is no object still errs (the native's checker), as opa eval --strict-builtin-errors", () => {
  const dir = join(work, "object-get-error");
  mkdirSync(dir, { recursive: true });
  writeFileSync(join(dir, "p.rego"), `package main\n\nwarn contains "x" if object.get(input.list, ["a", 2.0], "d")\n`);
  const run = spawnSync(process.execPath, [cli, "check", "--policy", "object-get-error", "input.json", "--format", "json"], { cwd: work, encoding: "utf8" });
  assert.is(run.status, 1, run.stdout + run.stderr);
  assert.match(run.stdout, "object.get: invalid operands");
  if (opa) {
    const out = spawnSync(opa, ["eval", "--strict-builtin-errors", "-d", "object-get-error", "-i", "input.json", "data.main.warn"], { cwd: work, encoding: "utf8" });
    assert.match(out.stdout + out.stderr, "object.get: operand 1 must be object");
  }
});

test("a literal array indexed by a constant that is not a plain integer is a type error in both", () => {
  const dir = join(work, "literal");
  mkdirSync(dir, { recursive: true });
  writeFileSync(join(dir, "p.rego"), `package main\n\nwarn contains "x" if [1, 2, 3][2.0] == 3\n`);
  const run = spawnSync(process.execPath, [cli, "check", "--policy", "literal", "input.json"], { cwd: work, encoding: "utf8" });
  assert.is(run.status, 2, run.stdout + run.stderr);
  assert.match(run.stderr, "undefined ref: [1, 2, 3][2.0]");
  if (opa) {
    const out = spawnSync(opa, ["eval", "-d", "literal", "data.main.warn"], { cwd: work, encoding: "utf8" });
    assert.is.not(out.status, 0);
    assert.match(out.stdout + out.stderr, "undefined ref: [1, 2, 3][2.0]");
  }
});

test.after(() => rmSync(work, { recursive: true, force: true }));

test.run();
