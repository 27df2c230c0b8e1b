// The locked codes: findings that no pack, override layer, warn mode or waiver can lower,
// disable or suppress, in any pack. They are the cases where the gate cannot prove something
// safe (its own fail-closed codes, and a changed file the security review could not read), where
// a pack layer itself is broken (integrity codes), and the never-break contract invariants that
// no decision can approve. A pack decides how strict
// the project's own rules are; it cannot lift these.
//
// This table is the one place that says so. It is typed over GateCode, so a new gate code does
// not compile until it is listed; docs/rules.md is generated from it, and
// test/adversarial/issue-14-locks.test.ts checks it against every code docs/rules.md calls fail
// closed or never-break.

import type { GateCode } from "../core/codes.js";
import type { PackIntegrityCode } from "./core-codes.js";

export type InvariantCode = "contracts/invariant-tenant-param" | "contracts/invariant-auto-send" | "contracts/invariant-evidence";
/** Policy codes that deny what the gate could not look at (docs/rules.md says they fail closed). */
export type UnreviewedCode = "security/change-unscanned";
export type LockedCode = GateCode | PackIntegrityCode | InvariantCode | UnreviewedCode;
export type LockReason = "fail-closed" | "pack-integrity" | "never-break" | "unreviewed";

/** Areas whose every code is locked, including codes added later (policy-tree lint codes, say). */
export const LOCKED_AREAS = ["gate", "bundle", "policy", "input", "schema", "ledger", "identity"] as const;

export const LOCKED_CODES: Record<LockedCode, LockReason> = {
  "gate/no-policies": "fail-closed",
  "gate/no-inputs": "fail-closed",
  "gate/no-policy-for-kind": "fail-closed",
  "gate/namespace-unmatched": "fail-closed",
  "gate/zero-rules": "fail-closed",
  "gate/collector-failed": "fail-closed",
  "gate/server-denied": "fail-closed",
  "schema/invalid": "fail-closed",
  "schema/unknown-kind": "fail-closed",
  "policy/bad-result": "fail-closed",
  "policy/finding-without-msg": "fail-closed",
  "policy/eval-error": "fail-closed",
  "policy/timeout": "fail-closed",
  "policy/missing-builtin": "fail-closed",
  "input/unreadable": "fail-closed",
  "input/unparsable": "fail-closed",
  "input/too-large": "fail-closed",
  "bundle/stale": "fail-closed",
  "bundle/tampered": "fail-closed",
  "bundle/untrusted": "fail-closed",
  "input/unsupported-format": "fail-closed",
  "input/not-a-document": "fail-closed",
  "ledger/broken": "fail-closed",
  "ledger/malformed": "fail-closed",
  "ledger/missing-entry": "fail-closed",
  "ledger/rewritten": "fail-closed",
  "ledger/duplicate-operation": "fail-closed",
  "ledger/approval-after-execution": "fail-closed",
  "ledger/head-mismatch": "fail-closed",
  "ledger/unknown-file": "fail-closed",
  "identity/invalid": "fail-closed",
  "contracts/registry-missing": "fail-closed",
  "contracts/decision-invalid": "fail-closed",
  "contracts/extract-empty": "fail-closed",
  "contracts/extract-shrunk": "fail-closed",
  "contracts/extract-unresolved-entry": "fail-closed",
  "pack/override-invalid": "pack-integrity",
  "pack/override-loosens": "pack-integrity",
  "pack/override-mode-locked": "pack-integrity",
  "pack/waiver-invalid": "pack-integrity",
  "pack/waiver-expired": "pack-integrity",
  "pack/clarifications-invalid": "pack-integrity",
  "contracts/invariant-tenant-param": "never-break",
  "contracts/invariant-auto-send": "never-break",
  "contracts/invariant-evidence": "never-break",
  "security/change-unscanned": "unreviewed",
};

export const LOCK_REASONS: Record<LockReason, string> = {
  "fail-closed": "a fail-closed gate code: the gate cannot prove the input safe",
  "pack-integrity": "a pack integrity code: a pack layer itself is broken",
  "never-break": "a never-break contract invariant that no decision can approve",
  unreviewed: "a change the security review could not read: what was not read cannot be shown free of secrets",
};

export function codeArea(code: string): string {
  const slash = code.indexOf("/");
  return slash === -1 ? code : code.slice(0, slash);
}

/** True for a locked code, or an `area/*` pattern of a locked area. */
export function isLockedCode(code: string): boolean {
  return Object.hasOwn(LOCKED_CODES, code) || (LOCKED_AREAS as readonly string[]).includes(codeArea(code));
}

/** Why a code is locked, for messages. */
export function lockReason(code: string): string {
  return Object.hasOwn(LOCKED_CODES, code) ? LOCK_REASONS[LOCKED_CODES[code as LockedCode]] : LOCK_REASONS["fail-closed"];
}
