// The contracts workflow end to end through the CLI, in a throwaway git repository:
// accept (create) → breaking edit → diff (registry and --against via a temporary worktree) →
// gate denies → decide → incomplete decision refused by accept → complete → accept bumps major →
// gate with a declared impact and the base ref allows.

import { mkdtempSync, readFileSync, rmSync, symlinkSync, writeFileSync, mkdirSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { test } from "uvu";
import * as assert from "uvu/assert";
import { execa } from "execa";
import { gatehouse, git as gitIn } from "./helpers/adversarial.js";
import { buildContractDiff, contractSettings, declaredImpactOf, readDeclaredImpact } from "../src/contracts/governance.js";
import { SchemaRegistry } from "../src/schemas/registry.js";

/** The CLI in-process against `cwd` (spawning node per step is slow on shared machines). */
function cli(cwd: string, args: string[], env: Record<string, string> = {}) {
  return gatehouse([...args, "--root", cwd], env);
}

function git(cwd: string, args: string[]) {
  return gitIn(cwd, ...args);
}

test("contracts workflow: accept, diff, gate, decide, accept, gate", async () => {
  const dir = mkdtempSync(join(tmpdir(), "gh-contracts-cli-"));
  try {
    await git(dir, ["init", "-q"]);
    mkdirSync(join(dir, "src"));
    writeFileSync(join(dir, "src", "api.ts"), '/** @stable */\nexport function greet(name: string, greeting?: string): string {\n  return (greeting ?? "hi ") + name;\n}\n');
    writeFileSync(join(dir, "src", "use.ts"), 'import { greet } from "./api.js";\n\nexport function main(): string {\n  return greet("ada", "hello ");\n}\n');
    mkdirSync(join(dir, "test"));
    writeFileSync(join(dir, "test", "api.test.ts"), 'import { greet } from "../src/api.js";\n\nif (greet("ada", "hello ") !== "hello ada") throw new Error("greet");\n');
    writeFileSync(join(dir, "gatehouse.config.yaml"), "version: 1\ncollectors:\n  contracts: {}\n");
    const created = await cli(dir, ["contracts", "accept"]);
    assert.is(created.exitCode, 0, created.stderr);
    assert.match(created.stdout, "created contracts/registry.json (1.0.0) with 2 contracts");
    await git(dir, ["add", "-A"]);
    await git(dir, ["commit", "-qm", "init"]);

    writeFileSync(join(dir, "src", "api.ts"), "/** @stable */\nexport function greet(name: string): string {\n  return name;\n}\n");
    const diff = await cli(dir, ["contracts", "diff", "--format", "json"]);
    assert.is(diff.exitCode, 0, diff.stderr);
    const parsed = JSON.parse(diff.stdout) as { detected: string; changes: { code: string; callSites: unknown[] }[] };
    assert.is(parsed.detected, "BREAKING");
    assert.equal(parsed.changes.map((c) => [c.code, c.callSites]), [["contracts/param-removed", [{ file: "src/use.ts", line: 4 }, { file: "test/api.test.ts", line: 3 }]]]);
    const against = await cli(dir, ["contracts", "diff", "--against", "HEAD"]);
    assert.match(against.stdout, "BREAKING contracts/param-removed  src/api.ts#greet: parameter greeting was removed  [2 call sites: src/use.ts:4, test/api.test.ts:3]");

    const denied = await cli(dir, ["gate", "--format", "json"]);
    assert.is(denied.exitCode, 1);
    const deniedFindings = (JSON.parse(denied.stdout) as { findings: { code: string; location?: { file?: string; line?: number } }[] }).findings;
    assert.equal(deniedFindings.find((f) => f.code === "contracts/breaking-unapproved")?.location, { pointer: "/changes/0", file: "src/api.ts", line: 2 });
    const codes = deniedFindings.map((f) => f.code).sort();
    // greet is @stable and its registry entry names no test yet; its test was not touched.
    assert.equal(codes, ["contracts/breaking-unapproved", "contracts/impact-understated", "contracts/registry-out-of-date", "contracts/stable-untested", "contracts/untested-change"]);
    const untested = deniedFindings.find((f) => f.code === "contracts/untested-change") as { message?: string } | undefined;
    assert.match(untested?.message ?? "", "the change touches no test file that calls greet; test files that call it today: test/api.test.ts");

    assert.is((await cli(dir, ["contracts", "decide", "--id", "drop-greeting"])).exitCode, 0);
    const refused = await cli(dir, ["contracts", "accept"]);
    assert.is(refused.exitCode, 2);
    // (in-process, the previous --format json still selects the error format: look at both streams)
    assert.match(refused.stdout + refused.stderr, "contracts/decisions/drop-greeting.json is incomplete, missing: approvedBy, migrationPlan, rollback, tests");
    const file = join(dir, "contracts", "decisions", "drop-greeting.json");
    const decision = JSON.parse(readFileSync(file, "utf8")) as Record<string, unknown>;
    assert.equal(decision.impactedConsumers, ["src/use.ts", "test/api.test.ts"]);
    writeFileSync(file, JSON.stringify({ ...decision, reasons: ["simpler"], migrationPlan: "drop the second argument", rollback: "revert", tests: ["test/api.test.ts"], approvedBy: "lead" }));
    writeFileSync(join(dir, "test", "api.test.ts"), 'import { greet } from "../src/api.js";\n\nif (greet("ada") !== "ada") throw new Error("greet");\n');
    const accepted = await cli(dir, ["contracts", "accept"], { GATEHOUSE_NOW: "2026-11-22T00:00:00Z" });
    assert.is(accepted.exitCode, 0, accepted.stderr);
    assert.match(accepted.stdout, "contracts/registry.json 1.0.0 -> 2.0.0");

    writeFileSync(join(dir, "pr.md"), "## Contract Impact\n\n- [ ] None\n- [ ] SAFE\n- [ ] RISKY\n- [x] BREAKING\n");
    const allowed = await cli(dir, ["gate", "--pr-body", join(dir, "pr.md")], { GATEHOUSE_CONTRACTS_BASE: "HEAD" });
    assert.is(allowed.exitCode, 0, allowed.stdout + allowed.stderr);
    const worktrees = await execa("git", ["worktree", "list"], { cwd: dir });
    assert.is(worktrees.stdout.split("\n").length, 1, "the temporary worktree was removed");
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});

test("never-break invariants from config, and an unreadable decision file, through the gate", async () => {
  const dir = mkdtempSync(join(tmpdir(), "gh-contracts-inv-"));
  try {
    await git(dir, ["init", "-q"]);
    mkdirSync(join(dir, "src", "db"), { recursive: true });
    mkdirSync(join(dir, "src", "briefs"));
    writeFileSync(join(dir, "src", "db", "users.ts"), "export function listUsers(limit: number): string[] {\n  return [String(limit)];\n}\n\nexport function getUser(workspaceId: string, id: string): string {\n  return workspaceId + id;\n}\n");
    writeFileSync(join(dir, "src", "mail.ts"), "/** @sideEffect external-send */\nexport function send(to: string): void {\n  void to;\n}\n\n/** @sideEffect external-send draft-only */\nexport function draft(to: string): void {\n  void to;\n}\n");
    writeFileSync(join(dir, "src", "briefs", "daily.ts"), "export function brief(): string {\n  return \"\";\n}\n\n/** @evidence links */\nexport function cited(): { text: string; links: string[] } {\n  return { text: \"\", links: [] };\n}\n");
    writeFileSync(join(dir, "gatehouse.config.yaml"), 'version: 1\ncollectors:\n  contracts: {}\ncontracts:\n  invariants:\n    dataAccessModules: ["src/db/**"]\n    summaryModules: ["src/briefs/**"]\n');
    assert.is((await cli(dir, ["contracts", "accept"])).exitCode, 0);
    mkdirSync(join(dir, "contracts", "decisions"), { recursive: true });
    writeFileSync(join(dir, "contracts", "decisions", "broken.json"), "{ not json");
    const gate = await cli(dir, ["gate", "--format", "json"]);
    assert.is(gate.exitCode, 1, gate.stdout + gate.stderr);
    const findings = (JSON.parse(gate.stdout) as { findings: { code: string; message: string }[] }).findings;
    assert.equal(findings.map((f) => f.code).sort(), ["contracts/decision-invalid", "contracts/invariant-auto-send", "contracts/invariant-evidence", "contracts/invariant-tenant-param"]);
    assert.ok(findings.some((f) => f.message.startsWith("src/db/users.ts#listUsers: exported data-access function takes no tenant parameter")));
    assert.ok(findings.some((f) => f.message.startsWith("src/mail.ts#send: declares side effect")));
    assert.ok(findings.some((f) => f.message.startsWith("src/briefs/daily.ts#brief: summary function")));
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});

/** Fill in a scaffolded decision so that it approves (BREAKING needs every field). */
function complete(file: string): void {
  const decision = JSON.parse(readFileSync(file, "utf8")) as Record<string, unknown>;
  writeFileSync(file, JSON.stringify({ ...decision, reasons: ["ok"], migrationPlan: "update callers", rollback: "revert", tests: ["test/api.test.ts"], approvedBy: "lead", impactedConsumers: ["src/use.ts"] }));
}

test("issue 20.4: a decision approves the exact change it was written for, not a second removal", async () => {
  const dir = mkdtempSync(join(tmpdir(), "gh-contracts-bind-"));
  try {
    mkdirSync(join(dir, "src"));
    const api = (params: string) => `export function send(${params}): void {\n  void 0;\n}\n`;
    writeFileSync(join(dir, "src", "api.ts"), api("to: string, cc?: string, bcc?: string"));
    assert.is((await cli(dir, ["contracts", "accept"])).exitCode, 0);
    writeFileSync(join(dir, "src", "api.ts"), api("to: string, cc?: string"));
    assert.is((await cli(dir, ["contracts", "decide", "--id", "drop-bcc"])).exitCode, 0);
    const file = join(dir, "contracts", "decisions", "drop-bcc.json");
    const scaffold = JSON.parse(readFileSync(file, "utf8")) as { changes: { code: string; symbol: string; fingerprint: string }[] };
    assert.equal(scaffold.changes.map((c) => [c.code, c.symbol]), [["contracts/param-removed", "src/api.ts#send"]]);
    assert.match(scaffold.changes[0]!.fingerprint, /^[0-9a-f]{16}$/);
    complete(file);
    // Before accepting, a second removal changes the change itself: the decision no longer covers it.
    writeFileSync(join(dir, "src", "api.ts"), api("to: string"));
    const early = await cli(dir, ["contracts", "accept"]);
    assert.is(early.exitCode, 2);
    assert.match(early.stdout + early.stderr, "contracts/decisions/drop-bcc.json was written for another change of src/api.ts#send");
    writeFileSync(join(dir, "src", "api.ts"), api("to: string, cc?: string"));
    assert.is((await cli(dir, ["contracts", "accept"])).exitCode, 0);
    // After the approved first removal is in the registry, removing cc is another change of the
    // same code and symbol: the old decision is stale there too, in accept and in the gate.
    writeFileSync(join(dir, "src", "api.ts"), api("to: string"));
    const refused = await cli(dir, ["contracts", "accept"]);
    assert.is(refused.exitCode, 2);
    assert.match(refused.stdout + refused.stderr, /drop-bcc\.json was written for another change of src\/api\.ts#send \(fingerprint [0-9a-f]{16}, this change is [0-9a-f]{16}\)/);
    writeFileSync(join(dir, "gatehouse.config.yaml"), "version: 1\ncollectors:\n  contracts: {}\n");
    const gate = await cli(dir, ["gate", "--format", "json"]);
    const findings = (JSON.parse(gate.stdout) as { findings: { code: string; message: string }[] }).findings;
    const unapproved = findings.find((f) => f.code === "contracts/breaking-unapproved");
    assert.ok(unapproved, gate.stdout);
    assert.match(unapproved!.message, "contracts/decisions/drop-bcc.json was written for another change (its fingerprint differs)");
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});

test("issue 20.5: no contracts, far fewer contracts, an unresolved entry: findings, never a silent pass", async () => {
  const dir = mkdtempSync(join(tmpdir(), "gh-contracts-blind-"));
  try {
    mkdirSync(join(dir, "src"));
    writeFileSync(join(dir, "gatehouse.config.yaml"), "version: 1\ncollectors:\n  contracts: {}\n");
    const many = Array.from({ length: 8 }, (_, i) => `export function f${i}(x: string): string {\n  return x;\n}\n`).join("\n");
    writeFileSync(join(dir, "src", "api.ts"), many);
    assert.is((await cli(dir, ["contracts", "accept"])).exitCode, 0);
    const codes = async () => ((JSON.parse((await cli(dir, ["gate", "--format", "json"])).stdout) as { findings: { code: string }[] }).findings.map((f) => f.code));

    // Two of eight left: the gate says so besides the removals.
    writeFileSync(join(dir, "src", "api.ts"), many.split("\n\n").slice(0, 2).join("\n\n"));
    assert.ok((await codes()).includes("contracts/extract-shrunk"));

    // Nothing readable at all (a script without exports): no contracts is a finding.
    writeFileSync(join(dir, "src", "api.ts"), "function hidden(): void {}\nhidden();\n");
    const empty = await codes();
    assert.ok(empty.includes("contracts/extract-empty"), empty.join(", "));
    const refused = await cli(dir, ["contracts", "accept"]);
    assert.is(refused.exitCode, 2);
    assert.match(refused.stdout + refused.stderr, "extraction cannot see the API");

    // package.json names an entry that is neither built nor has a source.
    writeFileSync(join(dir, "src", "api.ts"), many);
    writeFileSync(join(dir, "package.json"), JSON.stringify({ name: "x", main: "dist/gone.js" }));
    assert.ok((await codes()).includes("contracts/extract-unresolved-entry"));
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});

test("issue 20.6: contracts diff --fail-on SEVERITY exits 1 at that severity or above", async () => {
  const dir = mkdtempSync(join(tmpdir(), "gh-contracts-failon-"));
  try {
    mkdirSync(join(dir, "src"));
    writeFileSync(join(dir, "src", "api.ts"), "export function a(x: string): string {\n  return x;\n}\n");
    assert.is((await cli(dir, ["contracts", "accept"])).exitCode, 0);
    writeFileSync(join(dir, "src", "api.ts"), "export function a(x: string): string {\n  return x;\n}\nexport function b(): void {}\n");
    assert.is((await cli(dir, ["contracts", "diff", "--fail-on", "RISKY"])).exitCode, 0, "SAFE only");
    assert.is((await cli(dir, ["contracts", "diff", "--fail-on", "SAFE"])).exitCode, 1);
    writeFileSync(join(dir, "src", "api.ts"), "export function a(): string {\n  return \"\";\n}\n");
    assert.is((await cli(dir, ["contracts", "diff"])).exitCode, 0, "no --fail-on: a report");
    assert.is((await cli(dir, ["contracts", "diff", "--fail-on", "BREAKING"])).exitCode, 1);
    const bad = await cli(dir, ["contracts", "diff", "--fail-on", "SEVERE"]);
    assert.is(bad.exitCode, 2);
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});

test("no registry: the collector reports contracts/registry-missing, and the diff still runs (against nothing without git)", async () => {
  const dir = mkdtempSync(join(tmpdir(), "gh-contracts-none-"));
  try {
    writeFileSync(join(dir, "a.py"), "def f():\n    pass\n");
    const result = await buildContractDiff(dir, contractSettings({}), new SchemaRegistry(), {});
    assert.equal(result.findings.map((f) => [f.code, f.severity]), [["contracts/registry-missing", "error"]]);
    assert.equal(result.document?.changes.map((c) => c.code), ["contracts/symbol-added"]);
    assert.equal(result.document?.registry.inSync, false);
    assert.equal(result.extraction.contracts.map((c) => c.symbol.name), ["f"]);
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});

test("issue 19.1: test facts: touched tests, what they called at the base, renames, and references that leave the repository", async () => {
  const dir = mkdtempSync(join(tmpdir(), "gh-contracts-testfacts-"));
  const outside = mkdtempSync(join(tmpdir(), "gh-contracts-outside-"));
  try {
    await git(dir, ["init", "-q"]);
    mkdirSync(join(dir, "src"));
    mkdirSync(join(dir, "test"));
    writeFileSync(join(dir, "src", "a.ts"), "export function f(): number {\n  return 1;\n}\n\n/** @stable */\nexport interface Shape {\n  sides: number;\n}\n");
    writeFileSync(join(dir, "test", "a.test.ts"), 'import { f } from "../src/a.js";\nf();\n');
    writeFileSync(join(dir, "test", "old.test.ts"), 'import { f } from "../src/a.js";\nf();\n');
    writeFileSync(join(dir, "test", "shape.test.ts"), 'import type { Shape } from "../src/a.js";\nconst s: Shape = { sides: 3 };\nvoid s;\n');
    writeFileSync(join(dir, "test", "other.test.ts"), "export const x = 1;\n");
    assert.is((await cli(dir, ["contracts", "accept"])).exitCode, 0);
    await git(dir, ["add", "-A"]);
    await git(dir, ["commit", "-qm", "base"]);

    // f is removed: its test stops calling it, another test that called it is deleted.
    writeFileSync(join(dir, "src", "a.ts"), "/** @stable */\nexport interface Shape {\n  sides: number;\n}\n");
    writeFileSync(join(dir, "test", "a.test.ts"), "export {};\n");
    rmSync(join(dir, "test", "old.test.ts"));
    await git(dir, ["mv", "test/other.test.ts", "test/renamed.test.ts"]);
    writeFileSync(join(outside, "x.test.ts"), 'import { f } from "../src/a.js";\nf();\n');
    symlinkSync(join(outside, "x.test.ts"), join(dir, "test", "link.test.ts"));
    mkdirSync(join(dir, "contracts", "decisions"), { recursive: true });
    const named = ["test/a.test.ts", "./test/a.test.ts", "../x.test.ts", join(outside, "x.test.ts"), "test/link.test.ts", "src/a.ts", "test/none.test.ts"];
    writeFileSync(
      join(dir, "contracts", "decisions", "drop-f.json"),
      JSON.stringify({ decisionId: "drop-f", decision: "APPROVE", reasons: ["unused"], changes: [{ code: "contracts/symbol-removed", symbol: "src/a.ts#f", fingerprint: "0123456789abcdef" }], impactedConsumers: [], requiredActions: [], migrationPlan: "m", rollback: "r", tests: named, approvedBy: "lead", createdAt: "2026-11-21T00:00:00Z" }),
    );
    const { document, findings } = await buildContractDiff(dir, contractSettings({ baseRef: "HEAD" }), new SchemaRegistry(), {});
    assert.equal(findings, []);
    assert.equal(document?.changes.map((c) => [c.code, c.id]), [["contracts/symbol-removed", "src/a.ts#f"]]);
    assert.equal(document?.stable.map((s) => [s.id, s.kind, s.tests]), [["src/a.ts#Shape", "interface", []]]);
    const facts = Object.fromEntries((document?.tests.files ?? []).map(({ file, ...rest }) => [file, rest]));
    assert.is(document?.tests.base, "HEAD");
    const f = "src/a.ts#f";
    assert.equal(facts["test/a.test.ts"], { exists: true, test: true, change: "modified", calls: [], callsAtBase: [f] });
    assert.equal(facts["./test/a.test.ts"], facts["test/a.test.ts"], "a reference is resolved inside the repository");
    assert.equal(facts["test/old.test.ts"], { exists: false, test: true, change: "deleted", calls: [], callsAtBase: [f] });
    assert.equal(facts["test/shape.test.ts"], { exists: true, test: true, calls: ["src/a.ts#Shape"], callsAtBase: [] }, "a type is used, not called");
    assert.equal(facts["test/renamed.test.ts"], { exists: true, test: true, change: "modified", calls: [], callsAtBase: [] });
    assert.equal(facts["test/other.test.ts"], { exists: false, test: true, change: "deleted", calls: [], callsAtBase: [] });
    for (const ref of ["../x.test.ts", join(outside, "x.test.ts"), "test/link.test.ts", "test/none.test.ts"]) assert.is(facts[ref]?.exists, false, ref);
    // Named as a test, a source file is read like one (it declares Shape), but it is no test file.
    assert.equal(facts["src/a.ts"], { exists: true, test: false, change: "modified", calls: ["src/a.ts#Shape"], callsAtBase: [] });
  } finally {
    rmSync(dir, { recursive: true, force: true });
    rmSync(outside, { recursive: true, force: true });
  }
});

test("issue 19.1: outside a git repository nothing counts as changed", async () => {
  const dir = mkdtempSync(join(tmpdir(), "gh-contracts-nogit-"));
  try {
    mkdirSync(join(dir, "src"));
    mkdirSync(join(dir, "test"));
    writeFileSync(join(dir, "src", "a.ts"), "/** @stable */\nexport function f(): number {\n  return 1;\n}\n");
    writeFileSync(join(dir, "test", "a.test.ts"), 'import { f } from "../src/a.js";\nf();\n');
    const { document } = await buildContractDiff(dir, contractSettings({}), new SchemaRegistry(), {});
    assert.equal(document?.tests, { files: [{ file: "test/a.test.ts", exists: true, test: true, calls: ["src/a.ts#f"], callsAtBase: [] }] });
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});

test("declared impact from a PR body", () => {
  assert.is(declaredImpactOf("## Contract Impact\n- [x] RISKY\n- [ ] BREAKING\n"), "RISKY");
  assert.is(declaredImpactOf("Contract Impact: **breaking**"), "BREAKING");
  assert.is(declaredImpactOf("## Contract Impact\n- [x] SAFE\n- [x] RISKY\n"), null);
  assert.is(declaredImpactOf("## Contract Impact\n- [ ] SAFE\n## Other\n- [x] RISKY\n"), null);
  assert.is(declaredImpactOf("no section"), null);
});

test("declared impact from the GitHub event payload, --pr-body winning", () => {
  const dir = mkdtempSync(join(tmpdir(), "gh-contracts-event-"));
  try {
    const event = join(dir, "event.json");
    writeFileSync(event, JSON.stringify({ pull_request: { body: "## Contract Impact\r\n- [x] SAFE\r\n" } }));
    assert.equal(readDeclaredImpact({ GITHUB_EVENT_PATH: event }), { value: "SAFE", source: "github-event" });
    writeFileSync(join(dir, "body.md"), "Contract Impact: none");
    assert.equal(readDeclaredImpact({ GITHUB_EVENT_PATH: event, GATEHOUSE_PR_BODY: join(dir, "body.md") }), { value: "NONE", source: `pr-body:${join(dir, "body.md")}` });
    writeFileSync(event, JSON.stringify({ push: {} }));
    assert.equal(readDeclaredImpact({ GITHUB_EVENT_PATH: event }), { value: null, source: "none" });
    assert.throws(() => readDeclaredImpact({ GATEHOUSE_PR_BODY: join(dir, "missing.md") }), /PR body file does not exist/);
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});

test.run();
