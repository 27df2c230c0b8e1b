import { mkdirSync, mkdtempSync, readFileSync, writeFileSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { dirname, join } from "node:path";
import { test } from "uvu";
import * as assert from "uvu/assert";
import { ConfigError } from "../src/core/errors.js";
import { isDenying, type Finding } from "../src/core/findings.js";
import { decide, type Verdict } from "../src/core/verdict.js";
import { displayPath } from "../src/core/paths.js";
import type { GateConfig } from "../src/gate/config.js";
import { recordAnswer } from "../src/packs/clarifications.js";
import { resolveEffectivePolicy, type EffectiveResult } from "../src/packs/effective.js";
import { enforcePack } from "../src/packs/enforce.js";
import { availablePacks, loadPack } from "../src/packs/load.js";
import type { PolicyOverride } from "../src/packs/types.js";
import { gateReport } from "../src/reporters/json.js";
import { sarifLog } from "../src/reporters/sarif.js";
import { SchemaRegistry } from "../src/schemas/registry.js";

/** Temp directories this suite made: removed when it ends. */
const made: string[] = [];

const schemas = new SchemaRegistry();
const NOW = Date.parse("2026-06-01T00:00:00Z");
const ALL_COLLECTORS = ["schemas", "fixtures", "policy-tree", "security"];

function repo(files: Record<string, string>): string {
  const root = mkdtempSync(join(tmpdir(), "gatehouse-packs-"));
  made.push(root);
  for (const [path, text] of Object.entries(files)) {
    mkdirSync(dirname(join(root, path)), { recursive: true });
    writeFileSync(join(root, path), text);
  }
  return root;
}

function config(use: string, overrides?: PolicyOverride, allowLocalLoosening?: string[]): GateConfig {
  return { version: 1, pack: { use, ...(overrides ? { overrides } : {}), ...(allowLocalLoosening ? { allowLocalLoosening } : {}) }, collectors: { schemas: {}, fixtures: {}, "policy-tree": {} } };
}

function effectiveOf(root: string, use: string, overrides?: PolicyOverride, allowLocalLoosening?: string[]): EffectiveResult {
  return resolveEffectivePolicy({ root, config: config(use, overrides, allowLocalLoosening), configFile: join(root, "gatehouse.config.yaml"), schemas });
}

function gate(root: string, use: string, base: Finding[], options: { overrides?: PolicyOverride; collectors?: string[]; nowMs?: number } = {}): Verdict {
  const effective = effectiveOf(root, use, options.overrides);
  const verdict = decide(base, [], { durations: { totalMs: 0, evaluateMs: 0 } });
  return enforcePack(verdict, { root, effective, schemas, enabledCollectors: options.collectors ?? ALL_COLLECTORS, nowMs: options.nowMs ?? NOW });
}

const denyingCodes = (v: Verdict) => [...new Set(v.findings.filter(isDenying).map((f) => f.code))].sort();
const codes = (v: Verdict) => [...new Set(v.findings.map((f) => f.code))].sort();

/** A policy finding about a file of `root`, with the display path (relative to the cwd) the gate gives it. */
function policyFinding(code: string, file = "schemas/a.v1.schema.json", root?: string): Finding {
  const input = root ? displayPath(join(root, file)) : file;
  return { code, severity: "error", message: `${code} fired`, source: "policy", input, location: { file: input } };
}

test("the five shipped packs load, validate and differ", () => {
  const refs = availablePacks();
  assert.equal(refs, ["beginner-guided@1.0", "default@1.0", "enterprise-compliance@1.0", "startup-fast@1.0", "team-standard@1.0"]);
  const root = repo({});
  const hashes = new Set(refs.map((ref) => effectiveOf(root, ref).hash));
  assert.is(hashes.size, 5);
  assert.is(loadPack("enterprise-compliance@1.0", schemas).pack.enforcement.locked, true);
  assert.throws(() => loadPack("team-standard@9.9", schemas), (e: unknown) => e instanceof ConfigError && /unknown policy pack "team-standard@9.9"; available: beginner-guided@1.0/.test(e.message));
});

test("a pack that lowers a core code, or whose name disagrees with its file, is refused", () => {
  const body = (key: string, rules: string) =>
    `meta: { key: ${key}, name: X, version: "1.0", description: x }\ndefaults: { required_checks: [] }\nrequirements: {}\nrules: ${rules}\nenforcement: { mode: warn }\nclarifications: []\nconstraints: {}\n`;
  const dir = repo({ "lax@1.0.yaml": body("lax", "{ schema/*: { severity: info } }"), "other@1.0.yaml": body("renamed", "{}") });
  assert.throws(() => loadPack("lax@1.0", schemas, dir), (e: unknown) => e instanceof ConfigError && /lax@1\.0\.yaml: schema\/\* is locked in every pack \(a fail-closed gate code: the gate cannot prove the input safe\) and cannot be lowered to info/.test(e.message));
  assert.throws(() => loadPack("other@1.0", schemas, dir), /meta says renamed@1\.0, the file name says other@1\.0/);
});

test("table: the same inputs under each pack give different verdicts", () => {
  const root = repo({
    "README.md": "# demo\n\nSome text.\n",
    "docs/changes/0001-add-cache.md": "# Add a cache\n\n## Verification\n\nran it\n\n## Definition of Done\n\n- [x] merged\n",
  });
  const base = () => [policyFinding("schemas/missing-fixtures"), policyFinding("fixtures/expected-codes", "fixtures/x/y.json")];
  const table: { pack: string; decision: "allow" | "deny"; denying: string[] }[] = [
    { pack: "default@1.0", decision: "deny", denying: ["fixtures/expected-codes", "schemas/missing-fixtures"] },
    { pack: "beginner-guided@1.0", decision: "allow", denying: [] },
    { pack: "startup-fast@1.0", decision: "allow", denying: [] },
    { pack: "team-standard@1.0", decision: "deny", denying: ["fixtures/expected-codes", "pack/clarification-unanswered", "pack/required-heading-missing", "schemas/missing-fixtures"] },
    {
      pack: "enterprise-compliance@1.0",
      decision: "deny",
      denying: ["fixtures/expected-codes", "pack/clarification-unanswered", "pack/required-file-missing", "pack/required-heading-missing", "schemas/missing-fixtures"],
    },
  ];
  for (const row of table) {
    const verdict = gate(root, row.pack, base());
    assert.is(verdict.decision, row.decision, row.pack);
    assert.equal(denyingCodes(verdict), row.denying, row.pack);
    assert.equal(verdict.policy?.pack, row.pack.split("@")[0]);
  }
  // Warn mode keeps everything and records what it lowered.
  const beginner = gate(root, "beginner-guided@1.0", base());
  const lowered = beginner.findings.find((f) => f.code === "schemas/missing-fixtures")!;
  assert.is(lowered.severity, "warning");
  assert.is(lowered.metadata?.originalSeverity, "error");
  assert.ok(codes(beginner).includes("pack/clarification-open"));
  assert.equal(
    beginner.findings.filter((f) => f.code === "pack/required-heading-missing").map((f) => f.metadata?.heading).sort(),
    ["Getting started", "Usage"],
  );
  // Enterprise: block severity, the missing security documents, the Rollback section.
  const enterprise = gate(root, "enterprise-compliance@1.0", base());
  assert.is(enterprise.findings.find((f) => f.code === "schemas/missing-fixtures")!.severity, "block");
  assert.equal(enterprise.findings.filter((f) => f.code === "pack/required-file-missing").map((f) => f.input?.endsWith("CODEOWNERS") || f.input?.endsWith("SECURITY.md")), [true, true]);
  assert.ok(enterprise.findings.some((f) => f.code === "pack/required-heading-missing" && f.metadata?.heading === "Rollback"));
});

test("require_match: enterprise-compliance needs at least one change record", () => {
  const verdict = gate(repo({ "README.md": "# x\n## Usage\n" }), "enterprise-compliance@1.0", []);
  const missing = verdict.findings.find((f) => f.code === "pack/required-document-missing")!;
  assert.is(missing.severity, "block");
  assert.match(missing.message, /at least one document matching docs\/changes\/\*\*\/\*\.md/);
  // team-standard checks change records only when there are some.
  assert.not.ok(codes(gate(repo({ "README.md": "# x\n## Usage\n" }), "team-standard@1.0", [])).includes("pack/required-document-missing"));
});

test("required checks: a collector the pack needs is disabled", () => {
  const verdict = gate(repo({ "README.md": "# x\n## Usage\n" }), "team-standard@1.0", [], { collectors: ["schemas"] });
  assert.ok(denyingCodes(verdict).includes("pack/required-check-disabled"));
  assert.match(verdict.findings.find((f) => f.code === "pack/required-check-disabled")!.message, /requires the fixtures collector/);
});

test("a switched-on constraint is reported as not enforced (a warning), one finding per flag, until switched off", () => {
  const root = repo({ "README.md": "# x\n## Usage\n" });
  const constraintFindings = (verdict: Verdict) => verdict.findings.filter((f) => f.code === "pack/constraint-unenforced");
  const team = constraintFindings(gate(root, "team-standard@1.0", []));
  assert.equal(team.map((f) => f.metadata?.constraint), ["forbid_stub_execution", "require_ci_green", "require_code_review"]);
  assert.ok(team.every((f) => f.severity === "warning" && f.source === "pack" && f.scope === "project"));
  assert.match(team[1]!.suggestedFix!, /require_ci_green: false/);
  // startup-fast sets only forbid_stub_execution; default sets none.
  assert.equal(constraintFindings(gate(root, "startup-fast@1.0", [])).map((f) => f.metadata?.constraint), ["forbid_stub_execution"]);
  assert.equal(constraintFindings(gate(root, "default@1.0", [])), []);
  // The config (trusted) may switch one off; the warning goes with it.
  const off = gate(root, "team-standard@1.0", [], { overrides: { constraints: { require_code_review: false } } });
  assert.equal(constraintFindings(off).map((f) => f.metadata?.constraint), ["forbid_stub_execution", "require_ci_green"]);
});

test("override precedence: pack, then config overrides, then the repo-local file", () => {
  const files = { "README.md": "# x\n" };
  const packOnly = effectiveOf(repo(files), "team-standard@1.0");
  assert.is(packOnly.policy.rules["pack/required-heading-missing"]!.severity, "error");
  const withConfig = effectiveOf(repo(files), "team-standard@1.0", { rules: { "pack/required-heading-missing": { severity: "warning" } }, enforcement: { mode: "warn" } });
  assert.is(withConfig.policy.rules["pack/required-heading-missing"]!.severity, "warning");
  assert.is(withConfig.record.mode, "warn");
  const root = repo({ ...files, ".gatehouse/policy.yaml": "version: 1\nrules:\n  pack/required-heading-missing: { severity: block }\nenforcement: { mode: block }\n" });
  const all = effectiveOf(root, "team-standard@1.0", { rules: { "pack/required-heading-missing": { severity: "warning" } }, enforcement: { mode: "warn" } });
  assert.is(all.policy.rules["pack/required-heading-missing"]!.severity, "block");
  assert.is(all.record.mode, "block");
  assert.equal(all.layers.map((l) => [l.source, l.applied]), [["pack", true], ["config", true], ["repo-local", true]]);
  assert.equal(all.findings, []);
  const verdict = gate(root, "team-standard@1.0", [], { overrides: { enforcement: { mode: "warn" } } });
  assert.is(verdict.findings.find((f) => f.code === "pack/required-heading-missing")!.severity, "block");
});

test("a repo-local file that loosens a locked rule is rejected, names itself and is not applied", () => {
  const root = repo({ ".gatehouse/policy.yaml": "version: 1\nrules:\n  schemas/missing-fixtures: { severity: warning }\n  pack/required-heading-missing: { severity: warning }\n" });
  const effective = effectiveOf(root, "team-standard@1.0");
  // Both are loosenings: the locked one, and the unlocked one the repo-local file may not loosen either.
  assert.equal(effective.findings.map((f) => [f.code, f.metadata?.key]), [
    ["pack/override-loosens", "rules.pack/required-heading-missing"],
    ["pack/override-loosens", "rules.schemas/missing-fixtures"],
  ]);
  assert.match(effective.findings[1]!.message, /\.gatehouse\/policy\.yaml: rule schemas\/missing-fixtures is locked by team-standard@1\.0 and cannot be loosened \(error → warning\); the file was not applied/);
  // Nothing of the rejected file applies, not even its unlocked rule.
  assert.is(effective.policy.rules["pack/required-heading-missing"]!.severity, "error");
  assert.is(effective.layers.at(-1)!.applied, false);
  const verdict = gate(root, "team-standard@1.0", [policyFinding("schemas/missing-fixtures")]);
  assert.is(verdict.decision, "deny");
  assert.ok(denyingCodes(verdict).includes("pack/override-loosens"));
  // A rule locked through its area wildcard, disabling, and unlocking are loosening too.
  for (const body of ["schemas/open-object: { severity: warning }", "schemas/open-object: { enabled: false }", "schemas/*: { locked: false }"]) {
    const r = effectiveOf(repo({ ".gatehouse/policy.yaml": `version: 1\nrules:\n  ${body}\n` }), "enterprise-compliance@1.0");
    assert.equal(r.findings.map((f) => f.code), ["pack/override-loosens"], body);
  }
  // Tightening a locked rule is fine.
  const tighter = effectiveOf(repo({ ".gatehouse/policy.json": '{"version": 1, "rules": {"schemas/missing-fixtures": {"severity": "block"}}}' }), "team-standard@1.0");
  assert.equal(tighter.findings, []);
  assert.equal(tighter.policy.rules["schemas/missing-fixtures"], { severity: "block", locked: true });
});

test("locks bind the config overrides too, as a ConfigError naming the config file", () => {
  assert.throws(
    () => effectiveOf(repo({}), "team-standard@1.0", { rules: { "schemas/missing-fixtures": { severity: "info" } } }),
    (e: unknown) => e instanceof ConfigError && /gatehouse\.config\.yaml: pack\.overrides: rule schemas\/missing-fixtures is locked/.test(e.message),
  );
  assert.throws(() => effectiveOf(repo({}), "enterprise-compliance@1.0", { enforcement: { mode: "warn" } }), /locks block mode/);
});

test("block mode cannot be switched off by the repo-local file under enterprise-compliance", () => {
  const files = { ".gatehouse/policy.yaml": "version: 1\nenforcement:\n  mode: warn\n" };
  const effective = effectiveOf(repo(files), "enterprise-compliance@1.0");
  assert.equal(effective.findings.map((f) => f.code), ["pack/override-mode-locked"]);
  assert.match(effective.findings[0]!.message, /policy\.yaml: enterprise-compliance@1\.0 locks block mode/);
  assert.is(effective.record.mode, "block");
  const verdict = gate(repo(files), "enterprise-compliance@1.0", []);
  assert.is(verdict.decision, "deny");
  assert.is(verdict.policy?.mode, "block");
  // team-standard does not lock its mode, but the repo-local file may not loosen it either; only
  // the config can let it (pack.allowLocalLoosening).
  const unlocked = effectiveOf(repo(files), "team-standard@1.0");
  assert.equal(unlocked.findings.map((f) => [f.code, f.metadata?.key]), [["pack/override-loosens", "enforcement.mode"]]);
  assert.is(unlocked.record.mode, "block");
  assert.is(effectiveOf(repo(files), "team-standard@1.0", undefined, ["enforcement.mode"]).record.mode, "warn");
});

test("the repo-local file can only switch constraints on", () => {
  const off = effectiveOf(repo({ ".gatehouse/policy.yaml": "version: 1\nconstraints: { require_ci_green: false }\n" }), "team-standard@1.0");
  assert.equal(off.findings.map((f) => f.code), ["pack/override-loosens"]);
  const on = effectiveOf(repo({ ".gatehouse/policy.yaml": "version: 1\nconstraints: { require_ci_green: true }\n" }), "default@1.0");
  assert.is(on.policy.constraints.require_ci_green, true);
});

test("oversized, invalid, unparsable and duplicated repo-local files deny with pack/override-invalid", () => {
  const big = `version: 1\n# ${"x".repeat(70 * 1024)}\n`;
  const cases: [Record<string, string>, RegExp][] = [
    [{ ".gatehouse/policy.yaml": big }, /over the 65536-byte limit/],
    [{ ".gatehouse/policy.yaml": "version: 1\npack: startup-fast@1.0\n" }, /invalid: \/ must NOT have additional properties \("pack"\)/],
    [{ ".gatehouse/policy.json": '{"version": 1, "rules": {"a/b": {"severity": "lenient"}}}' }, /must be equal to one of the allowed values/],
    [{ ".gatehouse/policy.yaml": "version: 1\nversion: 1\n" }, /duplicate|unique/i],
    [{ ".gatehouse/policy.yaml": "version: 1\n", ".gatehouse/policy.json": '{"version": 1}' }, /only one repo-local override file/],
  ];
  for (const [files, message] of cases) {
    const root = repo(files);
    const effective = effectiveOf(root, "default@1.0");
    assert.ok(effective.findings.length > 0, String(message));
    assert.ok(effective.findings.every((f) => f.code === "pack/override-invalid"));
    assert.match(effective.findings[0]!.message, message);
    assert.match(effective.findings[0]!.message, /\.gatehouse\/policy\.(yaml|json)/);
    assert.is(gate(root, "beginner-guided@1.0", []).decision, "deny", "integrity codes deny even in warn mode");
  }
});

test("core gate codes cannot be loosened by packs, overrides, warn mode or waivers", () => {
  const core = (): Finding => ({ code: "schema/invalid", severity: "error", message: "bad", source: "schema", input: "x.json", location: { file: "x.json" } });
  const root = repo({
    ".gatehouse/waivers.yaml": "version: 1\nwaivers:\n  - { code: schema/invalid, target: { file: x.json }, reason: trust me, owner: mallory, expires: 2026-07-01 }\n",
  });
  const verdict = gate(root, "beginner-guided@1.0", [core(), { ...core(), code: "policy/missing-test", source: "policy" }]);
  assert.equal(denyingCodes(verdict), ["pack/waiver-invalid", "policy/missing-test", "schema/invalid"]);
  assert.is(verdict.decision, "deny");
  assert.is(verdict.findings.find((f) => f.code === "schema/invalid")!.severity, "error");
  assert.is(verdict.findings.find((f) => f.code === "schema/invalid")!.suppressed, undefined);
  assert.match(verdict.findings.find((f) => f.code === "pack/waiver-invalid")!.message, /a locked code \(a fail-closed gate code: the gate cannot prove the input safe\) that no waiver can suppress/);
  assert.throws(() => effectiveOf(repo({}), "default@1.0", { rules: { "gate/*": { severity: "info" } } }), /gate\/\* is locked in every pack/);
  const local = effectiveOf(repo({ ".gatehouse/policy.yaml": "version: 1\nrules:\n  bundle/stale: { enabled: false }\n" }), "default@1.0");
  assert.match(local.findings[0]!.message, /bundle\/stale is locked in every pack/);
});

const WAIVER = (expires: string, target = "file: schemas/a.v1.schema.json", extra = "owner: alice") =>
  `version: 1\nwaivers:\n  - code: schemas/missing-fixtures\n    target: { ${target} }\n    reason: fixtures arrive with the next release\n    ${extra}\n    expires: "${expires}"\n`;

test("a matching unexpired waiver suppresses the finding, which is still reported", () => {
  const root = repo({ ".gatehouse/waivers.yaml": WAIVER("2026-06-30") });
  const verdict = gate(root, "default@1.0", [policyFinding("schemas/missing-fixtures", undefined, root)]);
  assert.is(verdict.decision, "allow");
  const f = verdict.findings.find((x) => x.code === "schemas/missing-fixtures")!;
  assert.equal(f.suppressed, { kind: "waiver", justification: "fixtures arrive with the next release", owner: "alice", expires: "2026-06-30" });
  // A bare date is valid through the end of that day.
  assert.is(gate(root, "default@1.0", [policyFinding("schemas/missing-fixtures", undefined, root)], { nowMs: Date.parse("2026-06-30T23:59:59Z") }).decision, "allow");
});

test("a report with waived, lowered and pack findings validates against gate-report.v1", () => {
  const root = repo({ ".gatehouse/waivers.yaml": WAIVER("2026-06-30") });
  const verdict = gate(root, "team-standard@1.0", [policyFinding("schemas/missing-fixtures", undefined, root), policyFinding("fixtures/expected-codes")], {
    overrides: { enforcement: { mode: "warn" } },
  });
  const report = gateReport({ verdict }, { toolName: "gatehouse", toolVersion: "0.0.0", color: false, env: {} });
  assert.equal(schemas.validate("gate-report.v1", report, "report"), []);
  assert.equal(report.policy, verdict.policy);
  assert.ok(verdict.findings.some((f) => f.suppressed?.kind === "waiver"));
  assert.ok(verdict.findings.some((f) => f.source === "pack"));
  // SARIF: the waiver is an external suppression; pack codes are described from PACK_CODES.
  const run = sarifLog({ verdict }, { toolName: "gatehouse", toolVersion: "0.0.0", color: false, env: {} }).runs[0]!;
  const waived = run.results!.find((r) => r.ruleId === "schemas/missing-fixtures" && r.suppressions)!;
  assert.equal(waived.suppressions![0]!.kind, "external");
  assert.is(waived.suppressions![0]!.justification, "fixtures arrive with the next release");
  const rule = run.tool.driver.rules!.find((r) => r.id === "pack/clarification-unanswered")!;
  assert.is(rule.shortDescription!.text, "Blocking clarification unanswered");
  assert.equal(run.properties?.policy, verdict.policy);
});

test("an expired waiver denies and names itself; the finding is not suppressed", () => {
  const root = repo({ ".gatehouse/waivers.yaml": WAIVER("2026-05-31") });
  const verdict = gate(root, "default@1.0", [policyFinding("schemas/missing-fixtures", undefined, root)]);
  assert.is(verdict.decision, "deny");
  assert.equal(denyingCodes(verdict), ["pack/waiver-expired", "schemas/missing-fixtures"]);
  const expired = verdict.findings.find((f) => f.code === "pack/waiver-expired")!;
  assert.match(expired.message, /waivers\.yaml: waiver #1 \(schemas\/missing-fixtures, file schemas\/a\.v1\.schema\.json, owner alice\) expired on 2026-05-31/);
  assert.is(expired.location?.pointer, "/waivers/0");
  // Expiry follows the injected clock: the same file was fine a month earlier.
  assert.is(gate(root, "default@1.0", [policyFinding("schemas/missing-fixtures", undefined, root)], { nowMs: Date.parse("2026-05-01T00:00:00Z") }).decision, "allow");
  // Warn mode does not soften an expired waiver.
  assert.is(gate(root, "beginner-guided@1.0", []).decision, "deny");
});

test("a waiver for another target does not suppress", () => {
  for (const target of ["file: schemas/b.v1.schema.json", "symbol: data.other.deny", "artifact: sha256:beef"]) {
    const root = repo({ ".gatehouse/waivers.yaml": WAIVER("2026-06-30", target) });
    const verdict = gate(root, "default@1.0", [policyFinding("schemas/missing-fixtures", undefined, root)]);
    assert.is(verdict.decision, "deny", target);
    assert.is(verdict.findings.find((f) => f.code === "schemas/missing-fixtures")!.suppressed, undefined);
  }
  // symbol and artifact targets match the finding's metadata; a rule's name is no symbol (issue 14.3, fifth pass).
  const bySymbol = gate(repo({ ".gatehouse/waivers.yaml": WAIVER("2026-06-30", "symbol: src/a.ts#f") }), "default@1.0", [
    { ...policyFinding("schemas/missing-fixtures"), metadata: { symbol: "src/a.ts#f" } },
  ]);
  assert.is(bySymbol.decision, "allow");
  const byRuleName = gate(repo({ ".gatehouse/waivers.yaml": WAIVER("2026-06-30", "symbol: data.gatehouse.schemas.fixture_coverage.deny") }), "default@1.0", [
    { ...policyFinding("schemas/missing-fixtures"), rule: "data.gatehouse.schemas.fixture_coverage.deny" },
  ]);
  assert.is(byRuleName.decision, "deny");
  const byArtifact = gate(repo({ ".gatehouse/waivers.yaml": WAIVER("2026-06-30", "artifact: sha256:beef") }), "default@1.0", [
    { ...policyFinding("schemas/missing-fixtures"), metadata: { artifact: "sha256:beef" } },
  ]);
  assert.is(byArtifact.decision, "allow");
});

test("invalid waivers deny with pack/waiver-invalid and suppress nothing", () => {
  const cases: [string, string, RegExp][] = [
    ["no owner", WAIVER("2026-06-30", undefined, "# no owner"), /waiver #1 .* is invalid: \/waivers\/0 must have required property 'owner'/],
    ["no expiry", "version: 1\nwaivers:\n  - { code: schemas/missing-fixtures, target: { file: a }, reason: because, owner: bob }\n", /required property 'expires'/],
    ["no reason", "version: 1\nwaivers:\n  - { code: schemas/missing-fixtures, target: { file: a }, owner: bob, expires: 2026-06-30 }\n", /required property 'reason'/],
    ["not a list", "version: 1\nwaivers: { code: x }\n", /no waiver in it was used/],
  ];
  for (const [name, text, message] of cases) {
    const verdict = gate(repo({ ".gatehouse/waivers.yaml": text }), "beginner-guided@1.0", [policyFinding("schemas/missing-fixtures")]);
    assert.is(verdict.decision, "deny", name);
    const invalid = verdict.findings.filter((f) => f.code === "pack/waiver-invalid");
    assert.is(invalid.length, 1, name);
    assert.match(invalid[0]!.message, message);
  }
  // team-standard allows waivers of at most 180 days.
  const long = gate(repo({ ".gatehouse/waivers.yaml": WAIVER("2027-06-30") }), "team-standard@1.0", [policyFinding("schemas/missing-fixtures")]);
  assert.match(long.findings.find((f) => f.code === "pack/waiver-invalid")!.message, /more than the 180 days team-standard@1\.0 allows/);
  assert.is(long.findings.find((f) => f.code === "schemas/missing-fixtures")!.suppressed, undefined);
});

test("an unanswered blocking clarification denies in block mode and warns in warn mode", () => {
  const root = repo({ "README.md": "# x\n\n## Usage\n" });
  const block = gate(root, "team-standard@1.0", []);
  assert.is(block.decision, "deny");
  assert.equal(denyingCodes(block), ["pack/clarification-unanswered"]);
  assert.match(block.findings.find((f) => f.code === "pack/clarification-unanswered")!.suggestedFix!, /gatehouse clarify release-channel internal/);
  const warn = gate(root, "team-standard@1.0", [], { overrides: { enforcement: { mode: "warn" } } });
  assert.is(warn.decision, "allow");
  const warned = warn.findings.find((f) => f.code === "pack/clarification-unanswered")!;
  assert.is(warned.severity, "warning");
  assert.is(warned.metadata?.originalSeverity, "error");
  // Answering it clears the finding; the non-blocking question stays informational.
  const policy = effectiveOf(root, "team-standard@1.0").policy;
  recordAnswer(root, schemas, policy, "release-channel", "internal", new Date(NOW));
  const answered = gate(root, "team-standard@1.0", []);
  assert.is(answered.decision, "allow");
  assert.equal(codes(answered).filter((code) => code !== "pack/constraint-unenforced"), ["pack/clarification-open"]);
  assert.match(readFileSync(join(root, ".gatehouse/clarifications.yaml"), "utf8"), /release-channel:\n    value: internal\n    answered_at: 2026-06-01T00:00:00.000Z/);
});

test("clarification answers are validated: the value must be an option, the file must match its schema", () => {
  const root = repo({});
  const policy = effectiveOf(root, "team-standard@1.0").policy;
  assert.throws(() => recordAnswer(root, schemas, policy, "release-channel", "moon", new Date(NOW)), /"moon" is not an answer to release-channel; choose one of: none, internal, public/);
  assert.throws(() => recordAnswer(root, schemas, policy, "colour", "red", new Date(NOW)), /has no clarification "colour"/);
  const edited = repo({ ".gatehouse/clarifications.yaml": "version: 1\nanswers:\n  release-channel: { value: moon, answered_at: 2026-01-01T00:00:00Z }\n" });
  const verdict = gate(edited, "team-standard@1.0", []);
  assert.ok(denyingCodes(verdict).includes("pack/clarifications-invalid"));
  assert.ok(denyingCodes(verdict).includes("pack/clarification-unanswered"), "an invalid file answers nothing");
  assert.throws(() => recordAnswer(edited, schemas, policy, "release-channel", "none", new Date(NOW)), /cannot update/);
});

test("effective hash: stable across key order and whitespace, changes with any semantic change", () => {
  const yaml = "version: 1\nrules:\n  fixtures/*: { severity: warning }\n  schemas/open-object:\n    severity: block\nrequirements:\n  files: [b.md, a.md]\n";
  const json = '{\n\n  "requirements": {"files": ["a.md", "b.md", "a.md"]},   "rules": {"schemas/open-object": {"severity": "block", "locked": false}, "fixtures/*": {"severity": "warning"}},\n"version": 1}';
  // fixtures/* to warning and warn mode loosen: the config names them for the repo-local file.
  const allow = ["fixtures/*", "fixtures/expected-codes", "schemas/open-object", "enforcement.mode"];
  const a = effectiveOf(repo({ ".gatehouse/policy.yaml": yaml }), "default@1.0", undefined, allow);
  const b = effectiveOf(repo({ ".gatehouse/policy.json": json }), "default@1.0", undefined, allow);
  assert.equal(a.findings, []);
  assert.is(a.hash, b.hash);
  assert.match(a.hash, /^[0-9a-f]{64}$/);
  // The same settings through the config layer instead of the repo-local file: same policy, same hash.
  const c = effectiveOf(repo({}), "default@1.0", { requirements: { files: ["a.md", "b.md"] }, rules: { "schemas/open-object": { severity: "block" }, "fixtures/*": { severity: "warning" } } });
  assert.is(c.hash, a.hash);
  const variants = [
    yaml.replace("severity: block", "severity: error"),
    yaml.replace("b.md, a.md", "a.md"),
    yaml.replace("fixtures/*", "fixtures/expected-codes"),
    `${yaml}enforcement: { mode: warn }\n`,
    `${yaml}constraints: { require_ci_green: true }\n`,
    yaml.replace("severity: block", "severity: block\n    locked: true"),
  ];
  const hashes = new Set([a.hash, ...variants.map((v) => effectiveOf(repo({ ".gatehouse/policy.yaml": v }), "default@1.0", undefined, allow).hash)]);
  assert.is(hashes.size, variants.length + 1);
  assert.is.not(effectiveOf(repo({ ".gatehouse/policy.yaml": yaml }), "startup-fast@1.0").hash, a.hash);
});

test.after(() => {
  for (const dir of made) rmSync(dir, { recursive: true, force: true });
});

test.run();
