// The JUnit reporter's output validates against the common JUnit XSD (test/junit/junit.xsd, the
// Ant/Jenkins format), checked with xmllint: the goldens, and fresh renders of awkward verdicts.

import { spawnSync } from "node:child_process";
import { mkdtempSync, readdirSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { test } from "uvu";
import * as assert from "uvu/assert";
import type { Finding } from "../src/core/findings.js";
import { packagePath } from "../src/core/paths.js";
import { decide } from "../src/core/verdict.js";
import { REPORTERS } from "../src/reporters/index.js";

const XSD = packagePath("test", "junit", "junit.xsd");
const CONTEXT = { toolName: "gatehouse", toolVersion: "0.0.0-test", color: false, env: {} };

function xmllint(file: string): { ok: boolean; output: string } {
  const r = spawnSync("xmllint", ["--noout", "--schema", XSD, file], { encoding: "utf8" });
  if (r.error && (r.error as NodeJS.ErrnoException).code === "ENOENT") {
    throw new Error("xmllint is not installed: this test validates JUnit reports against test/junit/junit.xsd with it (Debian/Ubuntu: apt-get install -y libxml2-utils)");
  }
  return { ok: r.status === 0, output: `${r.stdout}${r.stderr}` };
}

test("the XSD itself rejects what the common JUnit XSD rejects: skipped on <testsuites>", () => {
  const dir = mkdtempSync(join(tmpdir(), "gatehouse-junit-"));
  try {
    const file = join(dir, "bad.xml");
    writeFileSync(file, `<?xml version="1.0" encoding="UTF-8"?>\n<testsuites name="x" tests="1" skipped="1"><testsuite name="a" tests="1"><testcase name="c"><skipped/></testcase></testsuite></testsuites>\n`);
    const r = xmllint(file);
    assert.not.ok(r.ok, "a report with testsuites/@skipped must fail the schema");
    assert.match(r.output, /attribute 'skipped' is not allowed/);
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});

test("every JUnit golden validates against the common JUnit XSD", () => {
  const dir = packagePath("test", "golden", "junit");
  const files = readdirSync(dir).filter((f) => f.endsWith(".xml"));
  assert.ok(files.length >= 3, "the goldens are there");
  for (const file of files) {
    const r = xmllint(join(dir, file));
    assert.ok(r.ok, `${file}: ${r.output}`);
  }
});

test("fresh JUnit reports validate: suppressed, denying and passing findings, odd text, run-level findings, a tool error", () => {
  const findings: Finding[] = [
    { code: "gate/no-inputs", severity: "error", message: "no inputs", source: "gate" },
    { code: "a/b", severity: "error", message: 'quote " amp & lt < \u0001 control', source: "policy", input: "x & y.json", location: { pointer: "/a/0", line: 3, column: 2 } },
    { code: "a/b", severity: "error", message: "same name twice", source: "policy", input: "x & y.json", location: { pointer: "/a/0", line: 3, column: 2 } },
    { code: "a/c", severity: "warning", message: "warn\nmultiline", source: "policy", input: "x & y.json" },
    { code: "a/d", severity: "info", message: "note", source: "policy", input: "z.yaml", suppressed: { kind: "waiver", justification: "until <then>", owner: "o", expires: "2030-01-01" } },
    { code: "a/e", severity: "block", message: "block", source: "policy", input: "z.yaml", suppressed: { kind: "exception", justification: "exception: e" } },
    { code: "contracts/x", severity: "error", message: "elsewhere", source: "policy", input: "contracts/registry.json", location: { file: "src/a.ts", line: 7, pointer: "/changes/0" } },
  ];
  const verdict = decide(findings, [
    { path: "x & y.json", kind: "k", sha256: "a".repeat(64), bytes: 1, rulesEvaluated: 2 },
    { path: "clean.json", sha256: "b".repeat(64), bytes: 1, rulesEvaluated: 0 },
  ], { durations: { totalMs: 12345.6789, evaluateMs: 1 } });
  const dir = mkdtempSync(join(tmpdir(), "gatehouse-junit-"));
  try {
    const outcomes = { verdict: { verdict }, error: { error: { type: "ConfigError", message: "bad <config> & \"quotes\"\nline two" } } };
    for (const [name, outcome] of Object.entries(outcomes)) {
      const file = join(dir, `${name}.xml`);
      writeFileSync(file, REPORTERS.junit.render(outcome, CONTEXT));
      const r = xmllint(file);
      assert.ok(r.ok, `${name}: ${r.output}`);
    }
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});

test.run();
