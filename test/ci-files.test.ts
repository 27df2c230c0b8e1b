// The CI files gatehouse ships (action.yml, the copyable workflow, this repository's workflow,
// the pre-commit hook definition) parse as YAML and hold what users rely on: SARIF uploads
// guarded on fork pull requests, `edited` among the pull_request types, a gate command whose
// formats gatehouse accepts, and a place in the package (issue 15).

import { readFileSync } from "node:fs";
import { test } from "uvu";
import * as assert from "uvu/assert";
import { parse } from "yaml";
import { packagePath } from "../src/core/paths.js";
import { parseFormats } from "../src/reporters/index.js";

interface Step {
  name?: string;
  uses?: string;
  run?: string;
  shell?: string;
  if?: string;
  with?: Record<string, unknown>;
}

const read = (path: string): any => parse(readFileSync(packagePath(path), "utf8"), { uniqueKeys: true, strict: true });
const FORK_GUARD = "github.event.pull_request.head.repo.full_name == github.repository";

/** The `--format` values of the `gatehouse gate` command in a run script, checked as gatehouse checks them. */
function gateFormats(script: string): string[] {
  const line = script.split("\n").find((l) => /\bgatehouse gate\b/.test(l));
  assert.ok(line, `no gatehouse gate command in:\n${script}`);
  const values = [...line.matchAll(/--format[= ]([^\s]+)/g)].map((m) => m[1]!);
  parseFormats(values); // throws on an unknown format or two formats on stdout
  return values;
}

function checkSarifUpload(steps: Step[], where: string): void {
  const upload = steps.filter((s) => s.uses?.startsWith("github/codeql-action/upload-sarif@"));
  assert.is(upload.length, 1, `${where}: one SARIF upload`);
  assert.ok(upload[0]!.if?.includes(FORK_GUARD), `${where}: the SARIF upload must skip fork pull requests (${FORK_GUARD})`);
  assert.ok(upload[0]!.if?.includes("always()"), `${where}: the SARIF upload must run on a deny too`);
}

test("action.yml: a composite action that installs gatehouse-cli, gates, uploads SARIF where permitted and fails on deny", () => {
  const action = read("action.yml");
  assert.is(action.runs.using, "composite");
  assert.ok(action.inputs.version, "a version input");
  const steps = action.runs.steps as Step[];
  for (const step of steps) if (step.run !== undefined) assert.ok(step.shell, `step ${step.name}: composite run steps need a shell`);
  assert.ok(steps.some((s) => s.uses?.startsWith("actions/setup-node@")));
  assert.ok(steps.some((s) => s.run?.includes("gatehouse-cli@")), "installs the gatehouse-cli package");
  const formats = gateFormats(steps.find((s) => s.run?.includes("gatehouse gate"))!.run!);
  assert.ok(formats.includes("github"), "the github format on stdout: annotations, job summary and the verdict line in the log");
  assert.ok(formats.some((f) => f.startsWith("sarif=")));
  checkSarifUpload(steps, "action.yml");
  const last = steps.at(-1)!;
  assert.match(last.run ?? "", /exit/, "the last step fails the job on deny");
  assert.ok(action.outputs.verdict && action.outputs["exit-code"]);
});

test("examples/ci/gatehouse.yml and this repository's workflow: re-run on edited PRs, SARIF guarded on forks", () => {
  for (const file of ["examples/ci/gatehouse.yml", ".github/workflows/gate.yml"]) {
    const workflow = read(file);
    assert.equal(workflow.on.pull_request.types, ["opened", "synchronize", "reopened", "edited"], `${file}: pull_request types`);
    assert.is(workflow.permissions["security-events"], "write", file);
    const steps = workflow.jobs.gate.steps as Step[];
    checkSarifUpload(steps, file);
    const gate = steps.find((s) => s.run !== undefined && /\b(gatehouse gate|npm run gate)\b/.test(s.run))!;
    gateFormats(gate.run!.replace("npm run gate --", "gatehouse gate"));
  }
  const example = read("examples/ci/gatehouse.yml");
  const scripts = (example.jobs.gate.steps as Step[]).map((s) => s.run ?? "").join("\n");
  assert.match(scripts, /npx --no-install gatehouse gate/, "the copyable workflow never runs a package it did not install");
});

test("the pre-commit hook definition, PR template, action and workflow ship in the package", () => {
  const hooks = read(".pre-commit-hooks.yaml") as { id: string; entry: string; language: string }[];
  assert.ok(hooks.some((h) => h.entry === "gatehouse ops precommit" && h.language === "node"));
  const files = (JSON.parse(readFileSync(packagePath("package.json"), "utf8")) as { files: string[] }).files;
  for (const path of ["action.yml", ".pre-commit-hooks.yaml", ".github/PULL_REQUEST_TEMPLATE.md", "scripts/hooks/pre-commit", "examples/ci"]) {
    assert.ok(files.includes(path), `package.json files lacks ${path}`);
  }
  assert.match(readFileSync(packagePath(".github", "PULL_REQUEST_TEMPLATE.md"), "utf8"), /## Contract Impact/);
});

test.run();
