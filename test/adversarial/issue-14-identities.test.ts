// Issue 14.8: look-alike identities. Requester `alice` and approver `аlice` (Cyrillic а), `alice`
// plus a zero-width space, full-width `ａｌｉｃｅ`, a BOM, a soft hyphen, or `S`+ZWSP+`ELF` all
// counted as a second person; a rollback_ref or a waiver owner of only a zero-width space was
// accepted. Identities are NFKC-normalised, case- and look-alike-folded for comparison, refused
// when invisible or mixed-script (identity/invalid), and blank counts as missing.

import { existsSync, mkdirSync, readdirSync, readFileSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { test } from "uvu";
import * as assert from "uvu/assert";
import { checkIdentity, requiredText, sameIdentity } from "../../src/core/identity.js";
import { appendEntry, entryHash, GENESIS_PREV } from "../../src/ops/ledger.js";
import { cleanup, denyingCodes, findingsOf, gatehouse, git, gitRepo, tempRepo, writeFiles } from "../helpers/adversarial.js";
import { entryFor } from "../helpers/sample-entry.js";

const restart = (patch: Record<string, unknown>) => ({ ...entryFor("id", 0), risk_class: "SERVICE_RESTART", rollback_ref: "runbooks/nginx.md#rollback", ...patch });

/** `gatehouse ledger append` of one entry into a fresh ledger; the codes it denies with and whether it wrote. */
async function append(entry: Record<string, unknown>): Promise<{ exitCode: number; codes: string[]; written: boolean }> {
  const root = tempRepo({ "entry.json": JSON.stringify(entry) });
  const result = await gatehouse(["ledger", "append", join(root, "entry.json"), "--root", root, "--format", "json"]);
  const written = existsSync(join(root, "ops", "ledger")) && readdirSync(join(root, "ops", "ledger")).some((f) => f.endsWith(".jsonl"));
  return { exitCode: result.exitCode, codes: denyingCodes(result), written };
}

test("issue 14.8: look-alike approvers are not a second person (ledger append through the CLI)", async () => {
  const cases: [string, string, string[]][] = [
    ["Cyrillic а", "\u0430lice", ["identity/invalid", "ops/self-approval"]],
    ["zero-width space", "alice\u200b", ["identity/invalid", "ops/self-approval"]],
    ["full-width", "\uff41\uff4c\uff49\uff43\uff45", ["ops/self-approval"]],
    ["BOM", "\ufeffalice", ["identity/invalid", "ops/self-approval"]],
    ["soft hyphen", "al\u00adice", ["identity/invalid", "ops/self-approval"]],
    ["bidi override", "al\u202eice", ["identity/invalid", "ops/self-approval"]],
    ["all-Cyrillic look-alike", "\u0430\u04cf\u0456\u0441\u0435", ["ops/self-approval"]],
    ["mathematical bold", "\u{1d41a}\u{1d425}\u{1d422}\u{1d41c}\u{1d41e}", ["ops/self-approval"]],
    ["upper case with padding", "  ALICE ", ["ops/self-approval"]],
    ["only a zero-width space", "\u200b", ["identity/invalid"]],
    ["ideographic space (blank after NFKC)", "\u3000", ["identity/invalid"]],
  ];
  for (const [what, approver, codes] of cases) {
    const result = await append(restart({ approved_by: approver }));
    assert.is(result.exitCode, 1, what);
    assert.equal(result.codes, codes, what);
    assert.is(result.written, false, `${what}: nothing was appended`);
  }
  // A second person, plainly written, passes.
  const ok = await append(restart({ approved_by: "bob" }));
  assert.is(ok.exitCode, 0);
  assert.is(ok.written, true);
  cleanup();
});

test("issue 14.8: S+ZWSP+ELF is SELF, and a requester with invisible characters is refused too", async () => {
  const solo = await append({ ...entryFor("id", 1), approved_by: "S\u200bELF", risk_class: "LOW_RISK_CONFIG" });
  assert.is(solo.exitCode, 1);
  assert.equal(solo.codes, ["identity/invalid", "ops/solo-not-allowed"]);
  const requester = await append(restart({ requested_by: "bob\u200d", approved_by: "alice" }));
  assert.equal(requester.codes, ["identity/invalid"]);
  assert.is(requester.written, false);
  cleanup();
});

test("issue 14.8: a rollback_ref of only invisible characters is missing", async () => {
  for (const ref of ["\u200b", "\ufeff", " \u00ad ", "\u2060\u200b"]) {
    const result = await append(restart({ approved_by: "bob", rollback_ref: ref }));
    assert.is(result.exitCode, 1, JSON.stringify(ref));
    assert.equal(result.codes, ["ops/missing-rollback-ref"], JSON.stringify(ref));
    assert.is(result.written, false);
  }
  cleanup();
});

const WAIVED = (owner: string, reason = "fixtures arrive with the next release") =>
  `version: 1\nwaivers:\n  - code: schemas/missing-fixtures\n    target: { file: schemas/a.v1.schema.json }\n    reason: "${reason}"\n    owner: "${owner}"\n    expires: 2026-12-01\n`;

test("issue 14.8: a waiver whose owner is invisible, mixed-script or blank suppresses nothing", async () => {
  const root = tempRepo({
    "gatehouse.config.yaml": "version: 1\nprofile: self\ncollectors:\n  schemas: {}\n",
    "schemas/a.v1.schema.json": JSON.stringify({ $schema: "https://json-schema.org/draft/2020-12/schema", $id: "https://gatehouse.dev/schemas/a.v1.schema.json", title: "A", description: "An a.", type: "object", additionalProperties: false }),
  });
  writeFiles(root, { ".gatehouse/waivers.yaml": WAIVED("alice") });
  const waived = await gatehouse(["gate", "--root", root, "--format", "json"]);
  assert.is(waived.exitCode, 0, waived.stdout);
  for (const owner of ["\\u200b", "\\u0430lice", "\\u3000", "bob\\ufeff"]) {
    writeFiles(root, { ".gatehouse/waivers.yaml": WAIVED(owner) });
    const gate = await gatehouse(["gate", "--root", root, "--format", "json"]);
    assert.is(gate.exitCode, 1, owner);
    assert.equal(denyingCodes(gate), ["identity/invalid", "schemas/missing-fixtures"], owner);
  }
  // A reason of only invisible characters is no reason.
  writeFiles(root, { ".gatehouse/waivers.yaml": WAIVED("alice", "\\u200b\\u200b\\u200b\\ufeff") });
  const reason = await gatehouse(["gate", "--root", root, "--format", "json"]);
  assert.equal(denyingCodes(reason), ["pack/waiver-invalid", "schemas/missing-fixtures"]);
  assert.match(findingsOf(reason).find((f) => f.code === "pack/waiver-invalid")!.message, /blank reason/);
  cleanup();
});

test("issue 14.8: a contract decision signed by an invisible or look-alike approver approves nothing", async () => {
  const root = await gitRepo({ "gatehouse.config.yaml": "version: 1\ncollectors:\n  contracts: {}\n", "src/api.ts": "export function greet(name: string, greeting: string): string {\n  return greeting + name;\n}\n" });
  assert.is((await gatehouse(["contracts", "accept", "--root", root])).exitCode, 0);
  await git(root, "add", "-A");
  await git(root, "commit", "-qm", "registry");
  // The change comes with the test its decision names (issue 19.1: a decision's tests are real).
  writeFiles(root, { "src/api.ts": "export function greet(name: string): string {\n  return name;\n}\n", "test/api.test.ts": 'import { greet } from "../src/api.js";\ngreet("ada");\n' });
  // The scaffold names the exact change (its fingerprint, issue 20.4); the test fills in the rest.
  assert.is((await gatehouse(["contracts", "decide", "--id", "drop", "--root", root])).exitCode, 0);
  const scaffolded = JSON.parse(readFileSync(join(root, "contracts", "decisions", "drop.json"), "utf8")) as { changes: unknown[] };
  const decision = (patch: Record<string, unknown>) =>
    JSON.stringify({
      decisionId: "drop",
      decision: "APPROVE",
      reasons: ["simpler"],
      changes: scaffolded.changes,
      impactedConsumers: ["nobody"],
      requiredActions: [],
      migrationPlan: "drop the argument",
      rollback: "revert",
      tests: ["test/api.test.ts"],
      approvedBy: "lead",
      createdAt: "2026-11-20T00:00:00Z",
      ...patch,
    });
  writeFiles(root, { "contracts/decisions/drop.json": decision({}), "pr.md": "Contract Impact: BREAKING\n" });
  const approved = await gatehouse(["gate", "--root", root, "--format", "json", "--pr-body", join(root, "pr.md")], { GATEHOUSE_CONTRACTS_BASE: "HEAD" });
  assert.is(approved.exitCode, 1, "the registry is not accepted yet");
  assert.equal(denyingCodes(approved), ["contracts/registry-out-of-date"], "the decision approves the change");
  const cases: [Record<string, unknown>, string[]][] = [
    [{ approvedBy: "\u200b" }, ["contracts/decision-incomplete", "identity/invalid"]],
    [{ approvedBy: "l\u0435ad" }, ["contracts/decision-incomplete", "identity/invalid"]],
    [{ approvedBy: "\u3000" }, ["contracts/decision-incomplete"]],
    [{ migrationPlan: "\u200b" }, ["contracts/decision-incomplete"]],
    [{ rollback: "\u00ad" }, ["contracts/decision-incomplete"]],
    [{ tests: ["\u200b"] }, ["contracts/decision-incomplete"]],
  ];
  for (const [patch, codes] of cases) {
    writeFiles(root, { "contracts/decisions/drop.json": decision(patch) });
    const gate = await gatehouse(["gate", "--root", root, "--format", "json", "--pr-body", join(root, "pr.md")], { GATEHOUSE_CONTRACTS_BASE: "HEAD" });
    assert.is(gate.exitCode, 1, JSON.stringify(patch));
    const denying = denyingCodes(gate);
    // An approval that lacks a field is reported as incomplete (and the change stays unapproved).
    for (const code of codes) assert.ok(denying.includes(code), `${JSON.stringify(patch)}: ${code} in ${denying.join(", ")}`);
  }
  cleanup();
});

test("issue 14.8: ledger verify refuses an entry with a look-alike identity written by hand", async () => {
  const root = tempRepo({});
  const dir = join(root, "ops", "ledger");
  mkdirSync(dir, { recursive: true });
  const entry = { seq: 1, prev: GENESIS_PREV, ...restart({ approved_by: "\u0430lice" }) };
  writeFileSync(join(dir, "2026-11.jsonl"), `${JSON.stringify(entry)}\n`);
  writeFileSync(join(dir, "HEAD"), `${JSON.stringify({ seq: 1, sha256: entryHash(entry) })}\n`);
  const verify = await gatehouse(["ledger", "verify", "--root", root, "--format", "json"]);
  assert.is(verify.exitCode, 1, verify.stdout);
  assert.equal(denyingCodes(verify), ["identity/invalid"]);
  // The library refuses it too, whoever calls it.
  assert.throws(() => appendEntry(join(root, "other"), restart({ approved_by: "bob\u200b" })), /invisible or format character U\+200B ZERO WIDTH SPACE/);
  cleanup();
});

test("issue 14.8: the identity module, case by case", () => {
  assert.ok(sameIdentity("alice", "\uff41\uff4c\uff49\uff43\uff45"));
  assert.ok(sameIdentity("alice", "\u0430\u04cf\u0456\u0441\u0435"));
  assert.ok(sameIdentity("SELF", "self"));
  assert.not.ok(sameIdentity("alice", "bob"));
  // The key is the comparison key (look-alikes folded, so not "alice" itself): the same as plain alice's.
  const plain = checkIdentity("alice", "owner");
  assert.ok(plain.ok);
  assert.equal(checkIdentity("al\u00adice", "owner"), { ok: false, problem: "invisible", key: plain.key, message: 'owner "al\\u00ADice" contains the invisible or format character U+00AD SOFT HYPHEN' });
  assert.is((checkIdentity("\u0430lice", "x") as { problem: string }).problem, "mixed-script");
  assert.is((checkIdentity("\u3000\u00a0", "x") as { problem: string }).problem, "blank");
  // Real names in one script, or Latin with Japanese or Korean, are fine.
  for (const name of ["Zoë Müller", "Александр", "Ἀλέξανδρος", "李 Lee", "山田 たろう", "김 Kim"]) assert.ok(checkIdentity(name, "x").ok, name);
  assert.is(requiredText(" \u200brunbook\u200b "), "runbook");
  assert.is(requiredText("\u200b\ufeff\u00ad"), "");
});

test.run();
