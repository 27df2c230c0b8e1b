// A conftest policy directory (package main, deny/violation/warn with msg, deny_<name> with an
// exception, a helper package) gives the same pass/fail per file under `gatehouse check` as under
// `conftest test` — checked against the pinned conftest itself.

import { spawnSync } from "node:child_process";
import { mkdtempSync, readdirSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { test } from "uvu";
import * as assert from "uvu/assert";
import { packagePath } from "../src/core/paths.js";
import { findTool } from "../src/toolchain/native.js";

const dir = packagePath("test", "parity");
const files = readdirSync(join(dir, "inputs")).sort().map((f) => join("inputs", f));
const cache = mkdtempSync(join(tmpdir(), "gatehouse-parity-"));

interface ConftestResult {
  filename: string;
  failures?: unknown[] | null;
  warnings?: unknown[] | null;
  exceptions?: unknown[] | null;
}

function conftestVerdicts(): Map<string, { fail: boolean; warn: boolean; excepted: boolean }> {
  const r = spawnSync(findTool("conftest"), ["test", "--policy", "policy", "--output", "json", ...files], { cwd: dir, encoding: "utf8" });
  assert.ok(r.status === 0 || r.status === 1, `conftest failed to run: ${r.stderr}`);
  const out = new Map<string, { fail: boolean; warn: boolean; excepted: boolean }>();
  for (const result of JSON.parse(r.stdout) as ConftestResult[]) {
    const prev = out.get(result.filename) ?? { fail: false, warn: false, excepted: false };
    out.set(result.filename, {
      fail: prev.fail || (result.failures?.length ?? 0) > 0,
      warn: prev.warn || (result.warnings?.length ?? 0) > 0,
      excepted: prev.excepted || (result.exceptions?.length ?? 0) > 0,
    });
  }
  return out;
}

function gatehouseVerdicts(): Map<string, { fail: boolean; warn: boolean; excepted: boolean }> {
  const r = spawnSync(process.execPath, [packagePath("bin", "gatehouse.js"), "check", "--policy", "policy", "--format", "json", ...files], {
    cwd: dir,
    encoding: "utf8",
    env: { ...process.env, GATEHOUSE_CACHE_DIR: cache },
  });
  assert.ok(r.status === 0 || r.status === 1, `gatehouse failed: ${r.stderr}`);
  const report = JSON.parse(r.stdout) as { inputs: { path: string }[]; findings: { input?: string; severity: string; suppressed?: unknown }[] };
  const out = new Map<string, { fail: boolean; warn: boolean; excepted: boolean }>();
  for (const input of report.inputs) {
    const mine = report.findings.filter((f) => f.input === input.path);
    out.set(input.path, {
      fail: mine.some((f) => !f.suppressed && (f.severity === "error" || f.severity === "block")),
      warn: mine.some((f) => !f.suppressed && f.severity === "warning"),
      excepted: mine.some((f) => f.suppressed !== undefined),
    });
  }
  return out;
}

test("gatehouse check and conftest test agree on every file", () => {
  const theirs = conftestVerdicts();
  const ours = gatehouseVerdicts();
  assert.equal([...ours.keys()].sort(), [...theirs.keys()].sort(), "both evaluated the same files");
  for (const file of files) {
    assert.equal(ours.get(file), theirs.get(file), `verdict for ${file}`);
  }
  // The suite must exercise every outcome, or agreement proves little.
  const all = [...theirs.values()];
  assert.ok(all.some((v) => v.fail) && all.some((v) => !v.fail), "has passing and failing files");
  assert.ok(all.some((v) => v.warn) && all.some((v) => v.excepted), "has warnings and exceptions");
});

test.after(() => rmSync(cache, { recursive: true, force: true }));
test.run();
