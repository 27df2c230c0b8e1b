import { spawnSync } from "node:child_process";
import { mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { test } from "uvu";
import * as assert from "uvu/assert";
import { exitCodeFor, decide } from "../src/core/verdict.js";
import type { Finding } from "../src/core/findings.js";
import { packagePath } from "../src/core/paths.js";
import { runEvaluation } from "../src/gate/run.js";

test("npm run gate on this repository allows: its own schemas, fixtures and policy layout", () => {
  const r = spawnSync(process.execPath, [packagePath("bin", "gatehouse.js"), "gate", "--format", "json"], { cwd: packagePath(), encoding: "utf8" });
  const report = JSON.parse(r.stdout) as { verdict: string; inputs: unknown[]; findings: Finding[] };
  assert.is(report.verdict, "allow", JSON.stringify(report.findings, null, 2));
  assert.is(r.status, 0);
  assert.ok(report.inputs.length >= 10, "collected the repository's schemas, fixtures and policy tree");
});

test("exit code is a pure function of the verdict", () => {
  const durations = { durations: { totalMs: 0, evaluateMs: 0 } };
  const finding = (severity: Finding["severity"], suppressed = false): Finding => ({
    code: "x/y",
    severity,
    message: "m",
    source: "policy",
    ...(suppressed ? { suppressed: { kind: "waiver" as const, justification: "j" } } : {}),
  });
  assert.is(exitCodeFor(decide([], [], durations)), 0);
  assert.is(exitCodeFor(decide([finding("warning"), finding("info")], [], durations)), 0);
  assert.is(exitCodeFor(decide([finding("error")], [], durations)), 1);
  assert.is(exitCodeFor(decide([finding("block")], [], durations)), 1);
  assert.is(exitCodeFor(decide([finding("error", true)], [], durations)), 0, "a suppressed error does not deny");
  assert.is(exitCodeFor(undefined), 2, "no verdict (tool error) exits 2");
});

test("many inputs over two workers: every input evaluated once, results in input order", async () => {
  const dir = mkdtempSync(join(tmpdir(), "gatehouse-pool-"));
  try {
    writeFileSync(join(dir, "p.rego"), 'package main\n\ndeny contains msg if {\n\tinput.n % 7 == 0\n\tmsg := sprintf("%d is a multiple of 7", [input.n])\n}\n');
    const jobs = Array.from({ length: 400 }, (_, n) => ({ display: `doc-${String(n).padStart(3, "0")}.json`, document: { n } }));
    const verdict = await runEvaluation({
      policy: dir,
      jobs,
      selection: { all: false, namespaces: ["main"] },
      maxInputBytes: 1 << 20,
      timeoutMs: 10_000,
      workers: 2,
    });
    assert.is(verdict.inputs.length, 400);
    assert.equal(verdict.inputs.map((i) => i.path), jobs.map((j) => j.display));
    assert.is(verdict.findings.length, Math.ceil(400 / 7));
    assert.ok(verdict.findings.every((f) => Number(/(\d+) is/.exec(f.message)![1]) % 7 === 0));
    assert.is(verdict.decision, "deny");
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});

test.run();
