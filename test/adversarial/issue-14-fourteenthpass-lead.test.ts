// Issue 14, fourteenth pass (lead): holes the thirteenth pass left open, each case seen failing on
// the previous main. Secrets: a dotenv file named `*.env` (production.env) or direnv's `.envrc`
// was not a secret-like change, so `ops change` let it through under a declaration that allows
// every path; only a template (example.env, .env.example) is not a secret. Runtime: the C
// runtime's array.slice, substring and bits.* refused an index or operand it holds as a float
// (`1.0`, `4 / 2`, an input's `2.0`) where topdown takes any integral number: gatehouse erred where
// opa eval answers.

import { mkdirSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { test } from "uvu";
import * as assert from "uvu/assert";
import { ALLOW_ALL_PATHS_DECLARATION, assertExpressionsAsOpa, gatehouse, git, withRepo } from "./harness.js";

/** The exit code of `ops check` and the files it found secret-like, after adding `names` untracked. */
function secretsAmong(names: string[]): { code: number | null; files: string[]; out: string } {
  return withRepo("fourteenth-env", { "op.yaml": ALLOW_ALL_PATHS_DECLARATION }, (dir) => {
    git(dir, "init", "-q");
    git(dir, "add", "op.yaml");
    git(dir, "commit", "-qm", "base");
    mkdirSync(join(dir, "deploy"));
    for (const name of names) writeFileSync(join(dir, "deploy", name), "DATABASE_PASSWORD=hunter2\n");
    const r = gatehouse(["ops", "check", "op.yaml", "--format", "json"], dir);
    const out = `${r.stdout}${r.stderr}`;
    const report = JSON.parse(r.stdout) as { findings: { code: string; location?: { file?: string } }[] };
    const files = report.findings.filter((f) => f.code === "ops/undeclared-secret").map((f) => f.location?.file ?? "");
    return { code: r.code, files: files.sort(), out };
  });
}

test("issue 14 (fourteenth pass): a dotenv file named *.env, a copy of one, or direnv's .envrc is an undeclared secret", () => {
  const names = ["production.env", "app.local.env", "PROD.ENV", "staging.env.bak", ".envrc"];
  const r = secretsAmong(names);
  assert.is(r.code, 1, r.out);
  assert.equal(r.files, names.map((name) => `deploy/${name}`).sort(), r.out);
});

test("issue 14 (fourteenth pass): dotenv templates are not secrets (example.env, sample.env, .env.example)", () => {
  const r = secretsAmong(["example.env", "sample.env", "template.env", ".env.example", "environment.md"]);
  assert.is(r.code, 0, r.out);
  assert.equal(r.files, [], r.out);
});

test("issue 14 (fourteenth pass): array.slice, substring and bits.* take whole numbers held as floats as opa eval does", async () => {
  await assertExpressionsAsOpa(
    "fourteenth-whole-floats",
    {
      slice_literal: "array.slice([1, 2, 3], 1.0, 2)",
      slice_division: "array.slice([1, 2, 3, 4], 4 / 4, 6 / 2)",
      slice_input: "array.slice(input.list, input.one, input.three)",
      slice_exponent_clamped: "array.slice([1, 2, 3], 0, 10.0)",
      substring_literal: 'substring("hello", 1.0, 2)',
      substring_input: 'substring("hello", input.one, -1)',
      or: "bits.or(1.0, 2)",
      and: "bits.and(input.three, 6.0)",
      xor: "bits.xor(5.0, 1)",
      negate: "bits.negate(input.three)",
      lsh: "bits.lsh(1.0, 3.0)",
      rsh: "bits.rsh(16.0, input.one)",
      ints_unchanged: "array.slice([1, 2, 3], 1, 3)",
    },
    '{"list": [1, 2, 3, 4], "one": 1.0, "three": 3.0}\n',
  );
});

test("issue 14 (fourteenth pass): a fractional index or bit operand still errs, with topdown's message", () => {
  withRepo(
    "fourteenth-fractional",
    {
      "policy/p.rego": ["package main", "import rego.v1", 'deny contains "sliced" if { array.slice([1, 2, 3], input.i, 2) }', 'deny contains "ored" if { bits.or(input.i, 1) }', ""].join("\n"),
      "in.json": '{"i": 1.5}\n',
    },
    (dir) => {
      const r = gatehouse(["check", "--policy", "policy", "-o", "json", "in.json"], dir);
      assert.is(r.code, 1, r.stdout + r.stderr);
      const report = JSON.parse(r.stdout) as { findings: { code: string; message: string }[] };
      assert.equal(
        report.findings.map((f) => f.code),
        ["policy/eval-error"],
        r.stdout,
      );
      assert.match(report.findings[0]!.message, /operand 2 must be integer number but got floating-point number|operand 1 must be integer number but got floating-point number/);
    },
  );
});

test.run();
