// Issue 14, twelfth pass (class 1, inputs evaluated as conftest evaluates them): `check DIR`
// skipped dot files, dot directories and node_modules, which conftest's walk of a directory
// argument keeps. A policy on `.github/workflows/*.yml` or on `.env` allowed the directory that
// `conftest test` denies. Compared side by side with the pinned conftest.

import { spawnSync } from "node:child_process";
import { existsSync } from "node:fs";
import { packagePath } from "../../src/core/paths.js";
import { test } from "uvu";
import * as assert from "uvu/assert";
import { failLinesOf, gatehouse, withRepo } from "./harness.js";

const POLICY = `package main
import rego.v1
deny contains "write-all" if { some job in input.jobs; job.permissions == "write-all" }
deny contains "secret in env" if { input.SECRET }
deny contains "latest image" if { input.image == "nginx:latest" }
`;

const FILES = {
  "p.rego": POLICY,
  "app.json": '{"image": "nginx:1.27"}',
  ".github/workflows/ci.yml": "on: push\njobs:\n  build:\n    runs-on: ubuntu-latest\n    permissions: write-all\n    steps: []\n",
  ".env": "SECRET=hunter2\n",
  ".deploy/web.json": '{"image": "nginx:latest"}',
  "node_modules/chart/values.yaml": "image: nginx:latest\n",
};

/** The (file, message) pairs of conftest's failures, from its JSON output. */
function conftestFailures(root: string): string[] {
  const r = spawnSync(packagePath(".toolchain", "bin", "conftest"), ["test", "--no-color", "--policy", "p.rego", "--output", "json", "."], { cwd: root, encoding: "utf8" });
  const results = JSON.parse(r.stdout) as { filename: string; failures?: { msg: string }[] }[];
  return results.flatMap((result) => (result.failures ?? []).map((f) => `${result.filename}: ${f.msg}`)).sort();
}

function gatehouseFailures(stdout: string): string[] {
  return failLinesOf(stdout)
    .map((line) => /^FAIL (.*) \[main\.deny\] (.*)$/.exec(line))
    .filter((m): m is RegExpExecArray => m !== null)
    .map((m) => `${m[1]}: ${m[2]}`)
    .sort();
}

test("issue 14.1: check DIR evaluates the files in dot directories, dot files and node_modules, as conftest does", () => {
  withRepo("walk-dot", FILES, (root) => {
    const r = gatehouse(["check", "--policy", "p.rego", "."], root);
    assert.is(r.code, 1, r.stdout + r.stderr);
    const expected = [".deploy/web.json: latest image", ".env: secret in env", ".github/workflows/ci.yml: write-all", "node_modules/chart/values.yaml: latest image"];
    assert.equal(gatehouseFailures(r.stdout), expected, r.stdout);
    if (existsSync(packagePath(".toolchain", "bin", "conftest"))) assert.equal(conftestFailures(root), expected);
  });
});

test("issue 14.1: --ignore still drops what the user names from the walk (dot paths included)", () => {
  withRepo("walk-ignore", FILES, (root) => {
    const r = gatehouse(["check", "--policy", "p.rego", "--ignore", "^(\\.|node_modules/)", "."], root);
    assert.is(r.code, 0, r.stdout + r.stderr);
    assert.match(r.stdout, /^1 input, /m);
  });
});

test.run();
