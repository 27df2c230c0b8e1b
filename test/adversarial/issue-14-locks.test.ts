// Issue 14.3: locked never-break invariants could be bypassed. Under enterprise-compliance,
// deleting contracts/registry.json and waiving (or overriding) contracts/registry-missing, or
// waiving contracts/decision-invalid, let a data-access function without workspaceId through.
// Every locked code (src/packs/locks.ts) must be unwaivable and un-overridable in every pack,
// and a missing registry must not stop the contract diff.

import { readFileSync, rmSync } from "node:fs";
import { join } from "node:path";
import { test } from "uvu";
import * as assert from "uvu/assert";
import { GATE_CODES } from "../../src/core/codes.js";
import { decide } from "../../src/core/verdict.js";
import type { Finding } from "../../src/core/findings.js";
import { packagePath } from "../../src/core/paths.js";
import { PACK_CODES } from "../../src/packs/core-codes.js";
import { resolveEffectivePolicy } from "../../src/packs/effective.js";
import { enforcePack } from "../../src/packs/enforce.js";
import { availablePacks } from "../../src/packs/load.js";
import { isLockedCode, LOCKED_CODES } from "../../src/packs/locks.js";
import { SchemaRegistry } from "../../src/schemas/registry.js";
import { cleanup, denyingCodes, findingsOf, gatehouse, git, gitRepo, tempRepo, writeFiles } from "../helpers/adversarial.js";

const schemas = new SchemaRegistry();

const CONFIG = `version: 1
# the rig uses gatehouse's own layout collectors, so the self profile
profile: self
pack:
  use: enterprise-compliance@1.0
collectors:
  schemas: {}
  fixtures: {}
  policy-tree: {}
  contracts: {}
  # enterprise-compliance requires the security review of changes (issue 19)
  security: {}
contracts:
  invariants:
    dataAccessModules: ["src/db/**"]
`;

/** A repository that passes enterprise-compliance: every document, answer and collector it asks for. */
const COMPLIANT: Record<string, string> = {
  "gatehouse.config.yaml": CONFIG,
  "README.md": "# x\n\n## Usage\n\nrun it\n",
  "SECURITY.md": "# Security\n\n## Reporting a vulnerability\n\nmail us\n",
  CODEOWNERS: "* @alice\n",
  "docs/changes/0001.md": "# c\n\n## Verification\n\nok\n\n## Rollback\n\nrevert\n\n## Definition of Done\n\ndone\n",
  ".gatehouse/clarifications.yaml":
    "version: 1\nanswers:\n  data-classification: { value: internal, answered_at: 2026-01-01T00:00:00Z }\n  regulatory-scope: { value: none, answered_at: 2026-01-01T00:00:00Z }\n  change-approval: { value: change-board, answered_at: 2026-01-01T00:00:00Z }\n",
  "schemas/thing.v1.schema.json": JSON.stringify({
    $schema: "https://json-schema.org/draft/2020-12/schema",
    $id: "https://gatehouse.dev/schemas/thing.v1.schema.json",
    title: "Thing",
    description: "A thing.",
    type: "object",
    additionalProperties: false,
    required: ["a"],
    properties: { a: { type: "string" } },
  }),
  "fixtures/thing.v1/basic.json": JSON.stringify({
    description: "things",
    tests: [
      { description: "ok", data: { a: "x" }, valid: true },
      { description: "no a", data: {}, valid: false, codes: ["schema/invalid"] },
      { description: "extra", data: { a: "x", b: 1 }, valid: false, codes: ["schema/invalid"] },
    ],
  }),
  "src/db/users.ts": "export function getUser(workspaceId: string, id: string): string {\n  return workspaceId + id;\n}\n",
};

const UNSCOPED = "export function getUser(workspaceId: string, id: string): string {\n  return workspaceId + id;\n}\n\nexport function listAll(): string[] {\n  return [];\n}\n";

const waiverFor = (code: string, file: string) =>
  `version: 1\nwaivers:\n  - code: ${code}\n    target: { file: ${file} }\n    reason: migrating\n    owner: alice\n    expires: 2026-12-01\n`;

/** The compliant repository with its registry accepted and committed; the gate allows it. */
async function compliantRepo(): Promise<string> {
  const root = await gitRepo(COMPLIANT);
  const accepted = await gatehouse(["contracts", "accept", "--root", root]);
  assert.is(accepted.exitCode, 0, accepted.stderr);
  await git(root, "add", "-A");
  await git(root, "commit", "-qm", "registry");
  const gate = await gatehouse(["gate", "--root", root, "--format", "json"]);
  assert.is(gate.exitCode, 0, `the rig itself must pass: ${gate.stdout}`);
  return root;
}

test("issue 14.3: deleting the registry and waiving contracts/registry-missing still denies, and the invariant is still checked", async () => {
  const root = await compliantRepo();
  writeFiles(root, { "src/db/users.ts": UNSCOPED, ".gatehouse/waivers.yaml": waiverFor("contracts/registry-missing", "contracts/registry.json") });
  rmSync(join(root, "contracts", "registry.json"));
  const gate = await gatehouse(["gate", "--root", root, "--format", "json"]);
  assert.is(gate.exitCode, 1, gate.stdout);
  const findings = findingsOf(gate);
  assert.ok(denyingCodes(gate).includes("contracts/registry-missing"), "the waiver did not lift the lock");
  assert.ok(denyingCodes(gate).includes("contracts/invariant-tenant-param"), "the diff ran without the registry");
  assert.match(findings.find((f) => f.code === "pack/waiver-invalid")!.message, /waives contracts\/registry-missing, a locked code/);
  assert.ok(findings.some((f) => f.code === "contracts/invariant-tenant-param" && f.message.startsWith("src/db/users.ts#listAll")));
  cleanup();
});

test("issue 14.3: a repo-local override disabling or lowering contracts/registry-missing is refused", async () => {
  const root = await compliantRepo();
  rmSync(join(root, "contracts", "registry.json"));
  writeFiles(root, { "src/db/users.ts": UNSCOPED });
  for (const setting of ["{ enabled: false }", "{ severity: info }", "{ locked: false, severity: warning }"]) {
    writeFiles(root, { ".gatehouse/policy.yaml": `version: 1\nrules:\n  contracts/registry-missing: ${setting}\n` });
    const gate = await gatehouse(["gate", "--root", root, "--format", "json"]);
    assert.is(gate.exitCode, 1, setting);
    const loosens = findingsOf(gate).find((f) => f.code === "pack/override-loosens");
    assert.equal(loosens?.metadata, { key: "rules.contracts/registry-missing" }, setting);
    assert.ok(denyingCodes(gate).includes("contracts/registry-missing"), setting);
    assert.ok(denyingCodes(gate).includes("contracts/invariant-tenant-param"), setting);
  }
  cleanup();
});

test("issue 14.3: waiving contracts/decision-invalid or an invariant does not lift it", async () => {
  const root = await compliantRepo();
  writeFiles(root, {
    "src/db/users.ts": UNSCOPED,
    "contracts/decisions/broken.json": "{ not json",
    ".gatehouse/waivers.yaml": `${waiverFor("contracts/decision-invalid", "contracts/decisions/broken.json")}  - code: contracts/invariant-tenant-param\n    target: { symbol: src/db/users.ts#listAll }\n    reason: later\n    owner: alice\n    expires: 2026-12-01\n`,
  });
  const gate = await gatehouse(["gate", "--root", root, "--format", "json"]);
  assert.is(gate.exitCode, 1, gate.stdout);
  const denying = denyingCodes(gate);
  for (const code of ["contracts/decision-invalid", "contracts/invariant-tenant-param", "pack/waiver-invalid"]) assert.ok(denying.includes(code), code);
  assert.is(findingsOf(gate).filter((f) => f.code === "pack/waiver-invalid").length, 2);
  cleanup();
});

test("issue 14.3: locked codes deny in warn mode too (beginner-guided), and the config cannot unlock them", async () => {
  const root = await compliantRepo();
  rmSync(join(root, "contracts", "registry.json"));
  writeFiles(root, { "gatehouse.config.yaml": CONFIG.replace("enterprise-compliance@1.0", "beginner-guided@1.0") });
  const gate = await gatehouse(["gate", "--root", root, "--format", "json"]);
  assert.is(gate.exitCode, 1, gate.stdout);
  assert.ok(denyingCodes(gate).includes("contracts/registry-missing"));
  // The trusted config cannot lower a locked code, nor hand the repo-local file the right to.
  for (const pack of ["  overrides:\n    rules: { contracts/registry-missing: { enabled: false } }\n", '  allowLocalLoosening: ["contracts/registry-missing"]\n']) {
    writeFiles(root, { "gatehouse.config.yaml": CONFIG.replace("  use: enterprise-compliance@1.0\n", `  use: team-standard@1.0\n${pack}`) });
    const refused = await gatehouse(["gate", "--root", root]);
    assert.is(refused.exitCode, 2, pack);
    assert.match(refused.stderr, /locked in every pack/, pack);
  }
  cleanup();
});

test("issue 14.3: a missing registry diffs against the base ref's sources, so an unapproved BREAKING change still denies", async () => {
  // The registry never existed: the base ref has only sources.
  const root = await gitRepo({ "gatehouse.config.yaml": "version: 1\ncollectors:\n  contracts: {}\n", "src/api.ts": "export function greet(name: string, greeting: string): string {\n  return greeting + name;\n}\n" });
  writeFiles(root, { "src/api.ts": "export function greet(name: string): string {\n  return name;\n}\n" });
  for (const env of [{ GATEHOUSE_CONTRACTS_BASE: "HEAD" }, {}] as Record<string, string>[]) {
    const gate = await gatehouse(["gate", "--root", root, "--format", "json"], env);
    assert.is(gate.exitCode, 1, gate.stdout);
    const denying = denyingCodes(gate);
    assert.ok(denying.includes("contracts/registry-missing"));
    assert.ok(denying.includes("contracts/breaking-unapproved"), `the diff against the base ref's sources ran (${denying.join(", ")})`);
  }
  // Without git there is no base: the invariants are still checked against the code.
  const plain = tempRepo({ "gatehouse.config.yaml": 'version: 1\ncollectors:\n  contracts: {}\ncontracts:\n  invariants:\n    dataAccessModules: ["src/db/**"]\n', "src/db/users.ts": UNSCOPED });
  const gate = await gatehouse(["gate", "--root", plain, "--format", "json"]);
  assert.is(gate.exitCode, 1);
  assert.ok(denyingCodes(gate).includes("contracts/invariant-tenant-param"));
  cleanup();
});

test("issue 14.3: every locked code, in every pack, survives waivers, rule settings and warn mode", () => {
  const root = tempRepo({});
  const codes = Object.keys(LOCKED_CODES);
  const waivers = codes.map((code) => `  - { code: "${code}", target: { file: x.json }, reason: r, owner: alice, expires: 2026-06-30 }\n`).join("");
  writeFiles(root, { ".gatehouse/waivers.yaml": `version: 1\nwaivers:\n${waivers}` });
  for (const use of availablePacks()) {
    const effective = resolveEffectivePolicy({ root, config: { version: 1, pack: { use }, collectors: {} }, schemas });
    const findings: Finding[] = codes.map((code) => ({ code, severity: "error", message: code, source: "gate", input: "x.json", location: { file: join(root, "x.json") } }));
    const verdict = enforcePack(decide(findings, [], { durations: { totalMs: 0, evaluateMs: 0 } }), { root, effective, schemas, enabledCollectors: [], nowMs: Date.parse("2026-06-01T00:00:00Z") });
    for (const code of codes) {
      const kept = verdict.findings.find((f) => f.code === code && f.message === code);
      assert.ok(kept && kept.severity === "error" && !kept.suppressed, `${use}: ${code} was loosened`);
    }
    assert.is(verdict.findings.filter((f) => f.code === "pack/waiver-invalid" && f.source === "pack").length, codes.length, use);
    // Each locked code, disabled by the repo-local file: refused, naming the key.
    for (const code of ["contracts/registry-missing", "contracts/invariant-evidence", "ledger/head-mismatch", "identity/invalid", "pack/waiver-expired"]) {
      const local = tempRepo({ ".gatehouse/policy.yaml": `version: 1\nrules:\n  ${code}: { enabled: false }\n` });
      const refused = resolveEffectivePolicy({ root: local, config: { version: 1, pack: { use }, collectors: {} }, schemas });
      assert.equal(refused.findings.map((f) => [f.code, f.metadata?.key]), [["pack/override-loosens", `rules.${code}`]], `${use}: ${code}`);
    }
  }
  cleanup();
});

test("issue 14.3: the table of locked codes covers everything docs/rules.md calls fail closed or never-break", () => {
  const doc = readFileSync(packagePath("docs", "rules.md"), "utf8");
  const section = (title: string) => {
    const start = doc.indexOf(`## ${title}`);
    assert.ok(start >= 0, title);
    const end = doc.indexOf("\n## ", start + 1);
    return doc.slice(start, end === -1 ? undefined : end).split("\n").filter((l) => l.startsWith("| `"));
  };
  const codeOf = (row: string) => /^\| `([^`]+)`/.exec(row)![1]!;
  const failClosed = section("Gate codes (fail closed)").map(codeOf);
  assert.equal(failClosed.sort(), Object.keys(GATE_CODES).sort());
  const neverBreak = section("Policy codes").filter((row) => row.includes("Never-break")).map(codeOf);
  assert.ok(neverBreak.length >= 3);
  const integrity = section("Policy pack codes").filter((row) => / \| yes \| /.test(row)).map(codeOf);
  assert.equal(integrity.sort(), Object.entries(PACK_CODES).filter(([, i]) => i.integrity).map(([c]) => c).sort());
  for (const code of [...failClosed, ...neverBreak, ...integrity]) assert.ok(Object.hasOwn(LOCKED_CODES, code) && isLockedCode(code), `${code} is not locked`);
  // docs/rules.md lists exactly the table (it is generated from it).
  assert.equal(section("Locked codes (unwaivable)").map(codeOf).sort(), Object.keys(LOCKED_CODES).sort());
  // Nothing else is locked by name: every locked code is documented somewhere above.
  // A policy code locked because it denies what was not reviewed has its own row in Policy codes.
  const policyCodes = section("Policy codes").map(codeOf);
  const unreviewed = Object.entries(LOCKED_CODES).filter(([, reason]) => reason === "unreviewed").map(([code]) => code);
  for (const code of unreviewed) assert.ok(policyCodes.includes(code), `${code} is locked as unreviewed but has no Policy codes row`);
  for (const code of Object.keys(LOCKED_CODES)) assert.ok([...failClosed, ...neverBreak, ...integrity, ...unreviewed].includes(code), `${code} is locked but undocumented`);
});

test.run();
