// Setup errors exit 2 in every command, naming the path and the problem, never a deny (exit 1);
// ops check works in a repository without commits and says what to do outside one (issue 15).

import { spawnSync } from "node:child_process";
import { cpSync, mkdirSync, mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { test } from "uvu";
import * as assert from "uvu/assert";
import { packagePath } from "../src/core/paths.js";
import { nearest } from "../src/cli/main.js";

const BIN = packagePath("bin", "gatehouse.js");
const ENV = { PATH: process.env.PATH ?? "", HOME: process.env.HOME ?? "", NO_COLOR: "1", GIT_CONFIG_NOSYSTEM: "1", GIT_AUTHOR_NAME: "t", GIT_AUTHOR_EMAIL: "t@example.com", GIT_COMMITTER_NAME: "t", GIT_COMMITTER_EMAIL: "t@example.com" };

function cli(args: string[], cwd: string) {
  const r = spawnSync(process.execPath, [BIN, ...args], { cwd, encoding: "utf8", env: ENV });
  return { code: r.status, out: r.stdout, err: r.stderr };
}

function scratch(body: (dir: string) => void): void {
  const dir = mkdtempSync(join(tmpdir(), "gatehouse-setup-"));
  try {
    body(dir);
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

test("issue 15.7: a path that does not exist is exit 2 naming it, in every command", () => {
  scratch((dir) => {
    writeFileSync(join(dir, "a.json"), "{}");
    mkdirSync(join(dir, "empty"));
    // A config, so gate reaches its --policy (without one it stops first, asking for `init`).
    writeFileSync(join(dir, "gate.yaml"), "version: 1\ncollectors: {}\n");
    const cases: [string[], RegExp][] = [
      [["check", "--policy", packagePath("test", "parity", "policy"), "nope.json"], /nope\.json: input does not exist/],
      [["check", "--policy", "no-policy-dir", "a.json"], /no-policy-dir: policy path does not exist/],
      [["check", "--policy", "a.json", "a.json"], /a\.json: policy path is neither a bundle, a directory of \.rego files nor a \.rego file/],
      [["check", "--policy", packagePath("test", "parity", "policy"), "a.json", "--data", "nope.yaml"], /nope\.yaml: --data path does not exist/],
      [["gate", "--root", "no-root"], /no-root: --root does not exist/],
      [["gate", "-c", "no-config.yaml"], /no-config\.yaml: config file does not exist/],
      [["gate", "-c", "empty"], /empty: config is not a file/],
      [["gate", "--policy", "no-policy-dir", "-c", "gate.yaml"], /no-policy-dir: policy path does not exist/],
      [["promote", "verify", "nope.receipt.json"], /nope\.receipt\.json: receipt does not exist/],
      [["promote", "verify", "a.json", "--registry", "no-registry.json"], /no-registry\.json: watcher registry does not exist/],
      [["promote", "check-summary", "nope.summary.json", "--key", "a.json"], /nope\.summary\.json: verification summary does not exist/],
      [["promote", "receipt", "create", "no-outputs", "--manifest", "a.json", "--out", "r.json", "--provider", "p"], /no-outputs: output directory does not exist/],
      [["ledger", "append", "nope.json", "--dir", "ledger"], /nope\.json: entry does not exist/],
      [["ledger", "verify", "--dir", "no-ledger"], /no-ledger: --dir does not exist/],
      [["ops", "check", "nope.md"], /nope\.md: declaration does not exist/],
      [["schemas", "compat", "old.json", "new.json"], /old\.json: cannot read schema: ENOENT/],
      [["contracts", "extract", "no-src"], /no-src: no such directory/],
    ];
    for (const [args, message] of cases) {
      const r = cli(args, dir);
      assert.is(r.code, 2, `gatehouse ${args.join(" ")}: exit ${r.code}\n${r.out}${r.err}`);
      assert.match(r.err, message, `gatehouse ${args.join(" ")}`);
      assert.not.match(r.err, /InternalError/, `gatehouse ${args.join(" ")}`);
    }
  });
});

test("issue 15.7: the nearest command for a typo, none for something unlike any", () => {
  const names = ["check", "gate", "build", "fixtures", "contracts", "promote", "schemas", "ledger", "ops"];
  assert.is(nearest("chek", names), "check");
  assert.is(nearest("gaet", names), "gate");
  assert.is(nearest("contract", names), "contracts");
  assert.is(nearest("frobnicate", names), undefined);
});

test("issue 15.7: ops check in a repository without commits compares with the empty tree; --base HEAD there, or no repository, says what to do", () => {
  scratch((dir) => {
    cpSync(packagePath("examples", "ops"), dir, { recursive: true });
    const declaration = "raise-nginx-worker-connections.md";
    const outside = cli(["ops", "check", declaration], dir);
    assert.is(outside.code, 2);
    assert.match(outside.err, /is not inside a git repository: pass --no-git with --log/);
    assert.is(spawnSync("git", ["init", "-q", "."], { cwd: dir, env: ENV }).status, 0);
    const fresh = cli(["ops", "check", declaration, "--format", "json"], dir);
    assert.ok(fresh.code === 0 || fresh.code === 1, `a verdict, not a setup error: ${fresh.err}`);
    const report = JSON.parse(fresh.out) as { inputs: { kind: string }[] };
    assert.equal(report.inputs.map((i) => i.kind), ["ops-change"]);
    const explicit = cli(["ops", "check", declaration, "--base", "HEAD"], dir);
    assert.is(explicit.code, 2);
    assert.match(explicit.err, /--base HEAD: the repository has no commits yet; leave --base out/);
  });
});

test.run();
