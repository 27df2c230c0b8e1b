import { spawnSync } from "node:child_process";
import { mkdirSync, mkdtempSync, readFileSync, writeFileSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { dirname, join } from "node:path";
import { fileURLToPath } from "node:url";
import { test } from "uvu";
import * as assert from "uvu/assert";
import { effectiveFor } from "../src/cli/commands/policy.js";
import { ConfigError } from "../src/core/errors.js";

/** Temp directories this suite made: removed when it ends. */
const made: string[] = [];

const pkg = join(dirname(fileURLToPath(import.meta.url)), "..", "..");
const bin = join(pkg, "bin", "gatehouse.js");

function cli(args: string[], cwd: string, env: NodeJS.ProcessEnv = {}) {
  const r = spawnSync(process.execPath, [bin, ...args], { cwd, encoding: "utf8", env: { ...process.env, NO_COLOR: "1", GATEHOUSE_NOW: "", ...env } });
  return { code: r.status, stdout: r.stdout, stderr: r.stderr };
}

function repo(files: Record<string, string>): string {
  const root = mkdtempSync(join(tmpdir(), "gatehouse-packs-cli-"));
  made.push(root);
  for (const [path, text] of Object.entries(files)) {
    mkdirSync(dirname(join(root, path)), { recursive: true });
    writeFileSync(join(root, path), text);
  }
  return root;
}

test("policy effective prints the merged policy and its hash; key order does not matter", () => {
  const a = repo({ "gatehouse.config.yaml": "version: 1\npack:\n  use: startup-fast@1.0\n  overrides:\n    rules: { schemas/open-object: { severity: block } }\n    enforcement: { mode: warn }\n" });
  const b = repo({ "gatehouse.config.json": '{"pack": {"overrides": {"enforcement": {"mode": "warn"}, "rules": {"schemas/open-object": {"severity": "block"}}}, "use": "startup-fast@1.0"}, "version": 1}' });
  const ra = cli(["policy", "effective", "--format", "json"], a);
  const rb = effectiveFor(b, undefined).effective;
  assert.is(ra.code, 0, ra.stderr);
  const da = JSON.parse(ra.stdout);
  assert.is(da.pack, "startup-fast");
  assert.is(da.mode, "warn");
  assert.equal(da.policy.rules["schemas/open-object"], { severity: "block" });
  assert.is(da.effectiveHash, rb.hash);
  const text = cli(["policy", "effective"], a);
  assert.match(text.stdout, new RegExp(`pack: startup-fast@1.0\nmode: warn\neffective sha256: ${da.effectiveHash}\n`));
});

test("the effective policy refuses a rejected repo-local file with an error naming it", () => {
  const root = repo({ "gatehouse.config.yaml": "version: 1\npack: { use: enterprise-compliance@1.0 }\n", ".gatehouse/policy.yaml": "version: 1\nenforcement: { mode: warn }\n" });
  assert.throws(
    () => effectiveFor(root, undefined),
    (e: unknown) => e instanceof ConfigError && /^\[pack\/override-mode-locked\] .*\.gatehouse\/policy\.yaml: enterprise-compliance@1\.0 locks block mode/.test(e.message),
  );
});

test("clarify lists the unanswered questions and records an answer", () => {
  const root = repo({ "gatehouse.config.yaml": "version: 1\npack: { use: team-standard@1.0 }\n" });
  const list = cli(["clarify", "--format", "json"], root);
  assert.is(list.code, 0, list.stderr);
  assert.equal(JSON.parse(list.stdout).unanswered.map((q: { key: string }) => q.key), ["on-call", "release-channel"]);
  const ok = cli(["clarify", "release-channel", "internal"], root, { GATEHOUSE_NOW: "2026-02-03T04:05:06Z" });
  assert.is(ok.code, 0, ok.stderr);
  assert.match(ok.stdout, /recorded release-channel=internal in .*clarifications\.yaml/);
  assert.is(readFileSync(join(root, ".gatehouse/clarifications.yaml"), "utf8"), "version: 1\nanswers:\n  release-channel:\n    value: internal\n    answered_at: 2026-02-03T04:05:06.000Z\n");
});

test("gate records the pack, version, effective hash and mode in the report", () => {
  const r = cli(["gate", "--format", "json"], pkg);
  assert.is(r.code, 0, r.stdout + r.stderr);
  const report = JSON.parse(r.stdout);
  const { effective } = effectiveFor(pkg, undefined);
  assert.equal(report.policy, { pack: "team-standard", version: "1.0", effectiveHash: effective.hash, mode: "block" });
});

test.after(() => {
  for (const dir of made) rmSync(dir, { recursive: true, force: true });
});

test.run();
