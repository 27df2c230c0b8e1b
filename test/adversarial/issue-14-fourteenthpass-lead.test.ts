// Issue 14, fourteenth pass (lead): holes the thirteenth pass left open, each case seen failing on
// the previous main. Secrets: a dotenv file named `*.env` (production.env) or direnv's `.envrc`
// was not a secret-like change, so `ops change` let it through under a declaration that allows
// every path; only a template (example.env, .env.example) is not a secret.

import { mkdirSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { test } from "uvu";
import * as assert from "uvu/assert";
import { ALLOW_ALL_PATHS_DECLARATION, gatehouse, git, withRepo } from "./harness.js";

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

test.run();
