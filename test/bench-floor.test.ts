// The bench's floor rows (scripts/bench-floor.ts): the SDK and engine floors evaluate the policy
// for real (their failing and warned counts equal gatehouse check's on the same files, with and
// without an aggregate entrypoint), the read floor reads every byte, and bad arguments exit 2
// with one line.

import { test } from "uvu";
import * as assert from "uvu/assert";
import { spawnSync } from "node:child_process";
import { mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { packagePath } from "../src/core/paths.js";
import { buildBundle } from "../src/policy/build.js";
import { gatehouseFailing } from "../scripts/bench-counts.js";
import { deployment, POLICY as BENCH_POLICY } from "../scripts/bench-inputs.js";

const work = mkdtempSync(join(tmpdir(), "gatehouse-bench-floor-"));
test.after(() => rmSync(work, { recursive: true, force: true }));

const floor = packagePath("dist", "scripts", "bench-floor.js");
const inputs = join(work, "inputs");
const bundle = join(work, "bundle");

function run(args: string[]): { status: number | null; stdout: string; stderr: string } {
  const r = spawnSync(process.execPath, args, { encoding: "utf8", cwd: work });
  return { status: r.status, stdout: r.stdout, stderr: r.stderr };
}

test.before(async () => {
  mkdirSync(join(work, "policy"));
  writeFileSync(join(work, "policy", "main.rego"), BENCH_POLICY);
  await buildBundle(join(work, "policy"), bundle);
  mkdirSync(inputs);
  for (let i = 0; i < 120; i++) writeFileSync(join(inputs, `deploy-${String(i).padStart(3, "0")}.json`), JSON.stringify(deployment(i)));
});

/** Files with denying and with warning findings in gatehouse check's JSON report. */
function gatehouseCounts(): { files: number; failing: number; warned: number } {
  const r = run([packagePath("bin", "gatehouse.js"), "check", inputs, "--policy", bundle, "--format", "json"]);
  assert.is(r.status, 1, r.stderr);
  const { inputs: files, failing, warned } = gatehouseFailing(r.stdout);
  return { files, failing, warned };
}

test("the SDK and engine floors find the same failing and warned files as gatehouse check, through the aggregate entrypoint and rule by rule", () => {
  const expected = gatehouseCounts();
  assert.ok(expected.failing > 20 && expected.failing < 100, `some inputs fail, not all (${expected.failing})`);
  assert.ok(expected.warned > 10, `some inputs warn (${expected.warned})`);
  const manifest = JSON.parse(readFileSync(join(bundle, "manifest.json"), "utf8")) as { aggregates?: unknown };
  assert.ok(manifest.aggregates, "the bench bundle has an aggregate entrypoint");
  for (const mode of ["sdk", "engine"]) {
    const aggregated = run([floor, mode, inputs, bundle]);
    assert.is(aggregated.status, 0, aggregated.stderr);
    assert.equal(JSON.parse(aggregated.stdout), expected, mode);
  }

  // The same wasm with the manifest's aggregates left out: each rule's own entrypoint.
  const ruleByRule = join(work, "bundle-rule-by-rule");
  mkdirSync(ruleByRule);
  writeFileSync(join(ruleByRule, "policy.wasm"), readFileSync(join(bundle, "policy.wasm")));
  writeFileSync(join(ruleByRule, "manifest.json"), JSON.stringify({ ...manifest, aggregates: undefined }));
  for (const mode of ["sdk", "engine"]) {
    const separate = run([floor, mode, inputs, ruleByRule]);
    assert.is(separate.status, 0, separate.stderr);
    assert.equal(JSON.parse(separate.stdout), expected, `${mode}, rule by rule`);
  }
});

test("the read floor reads every file", () => {
  const r = run([floor, "read", inputs]);
  assert.is(r.status, 0, r.stderr);
  let bytes = 0;
  for (let i = 0; i < 120; i++) bytes += Buffer.byteLength(JSON.stringify(deployment(i)));
  assert.equal(JSON.parse(r.stdout), { files: 120, bytes });
});

test("bad arguments and unreadable paths exit 2 with one line naming the problem", () => {
  for (const [args, message] of [
    [["nonsense", inputs], /^bench-floor: usage: /],
    [["sdk", inputs], /^bench-floor: usage: /],
    [["read", join(work, "missing")], /^bench-floor: ENOENT: .*missing/],
    [["sdk", inputs, join(work, "missing")], /^bench-floor: ENOENT: .*manifest\.json/],
    [["engine", inputs], /^bench-floor: usage: /],
  ] as const) {
    const r = run([floor, ...args]);
    assert.is(r.status, 2, args.join(" "));
    assert.match(r.stderr, message);
    assert.is(r.stderr.trim().split("\n").length, 1, r.stderr);
    assert.is(r.stdout, "");
  }
});

test.run();
