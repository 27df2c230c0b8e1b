// What a report shows is what a user acts on: the file each reporter names for a finding is the
// one a waiver's target.file matches, and a CI log always gets a verdict line (issue 15).

import { spawnSync } from "node:child_process";
import { mkdtempSync, readFileSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { test } from "uvu";
import * as assert from "uvu/assert";
import type { Finding } from "../src/core/findings.js";
import { packagePath } from "../src/core/paths.js";
import { decide } from "../src/core/verdict.js";
import { waiverMatches } from "../src/packs/waivers.js";
import { REPORTERS } from "../src/reporters/index.js";

const CONTEXT = { toolName: "gatehouse", toolVersion: "0.0.0-test", color: false, env: {} };
const BIN = packagePath("bin", "gatehouse.js");

const FINDINGS: Finding[] = [
  // A contract change: found in the registry diff, located in its source file.
  { code: "contracts/breaking-unapproved", severity: "error", message: "BREAKING", source: "policy", input: "contracts/registry.json", location: { file: "src/x.ts", line: 7, pointer: "/changes/0" } },
  { code: "deploy/latest-tag", severity: "error", message: "latest tag", source: "policy", input: "deploy/app.yaml", location: { pointer: "/spec/image", line: 3 } },
  { code: "schemas/missing-fixtures", severity: "error", message: "no fixtures", source: "policy", input: "schemas/a.v1.schema.json", location: { file: "schemas/a.v1.schema.json", pointer: "" } },
  { code: "promotion/output-undeclared", severity: "error", message: "extra", source: "policy", input: "run/run.receipt.json", location: { file: "run/outputs/extra.bin" } },
];

/** The file a text line names: the token after the label, without its line or pointer. */
function textFile(line: string): string {
  return line.split(" ")[1]!.replace(/#.*$/, "").replace(/:\d+$/, "");
}

test("issue 15.7: the file every reporter shows for a finding is the one a waiver written from it matches", () => {
  const verdict = decide(FINDINGS, [], { durations: { totalMs: 0, evaluateMs: 0 } });
  const text = REPORTERS.text.render({ verdict }, CONTEXT).split("\n").filter((l) => l.startsWith("FAIL "));
  const sarif = JSON.parse(REPORTERS.sarif.render({ verdict }, CONTEXT)) as { runs: { results: { ruleId: string; locations: { physicalLocation: { artifactLocation: { uri: string } } }[] }[] }[] };
  const github = REPORTERS.github.render({ verdict }, CONTEXT).split("\n").filter((l) => l.startsWith("::error"));
  assert.is(text.length, FINDINGS.length);
  for (const finding of FINDINGS) {
    const line = text.find((l) => l.includes(`[${finding.code}]`))!;
    const file = textFile(line);
    const waiver = { code: finding.code, target: { file }, reason: "r", owner: "o", expires: "2099-01-01" };
    assert.ok(waiverMatches(waiver, finding, process.cwd()), `${finding.code}: a waiver for ${file} (from "${line}") does not match`);
    const result = sarif.runs[0]!.results.find((r) => r.ruleId === finding.code)!;
    assert.is(decodeURIComponent(result.locations[0]!.physicalLocation.artifactLocation.uri), file, `${finding.code}: SARIF names another file`);
    assert.ok(github.find((l) => l.includes(`title=${finding.code}`))!.includes(`file=${file}`), `${finding.code}: annotation names another file`);
  }
  // The registry pointer is still there, marked as where the finding was found.
  assert.match(text[0]!, /^FAIL src\/x\.ts:7 \[contracts\/breaking-unapproved\] BREAKING {2}\(in contracts\/registry\.json#\/changes\/0\)$/);
});

test("issue 15.4: with every report written to a file, stderr still carries the verdict line", () => {
  const dir = mkdtempSync(join(tmpdir(), "gatehouse-verdict-line-"));
  try {
    const sarifFile = join(dir, "out.sarif");
    const run = (formats: string[]) =>
      spawnSync(process.execPath, [BIN, "check", "test/parity/inputs", "--policy", "test/parity/policy", ...formats], { cwd: packagePath(), encoding: "utf8", env: { PATH: process.env.PATH ?? "", HOME: process.env.HOME ?? "", NO_COLOR: "1" } });
    const files = run(["--format", `sarif=${sarifFile}`, "--format", `junit=${join(dir, "out.xml")}`]);
    assert.is(files.status, 1);
    assert.is(files.stdout, "");
    assert.match(files.stderr, /^gatehouse: DENY \(\d+ inputs: \d+ failures?, \d+ warnings?, \d+ notices?, \d+ suppressed\)\n$/);
    assert.ok(JSON.parse(readFileSync(sarifFile, "utf8")).runs[0].results.length > 0);
    const stdout = run(["--format", "json", "--format", `sarif=${sarifFile}`]);
    assert.is(stdout.stderr, "", "a format on stdout carries the verdict itself");
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});

test.run();
