// The `ops-approval` input (schemas/ops-approval.v1.schema.json): a sign-off entry about to be
// appended to the ledger, the project's settings, and the entry's identities and rollback
// reference as the gate compares them (src/core/identity.ts). policy/ops/approval compares only
// the normalised values, so a look-alike approver is the same person as the requester; an
// identity that holds invisible characters or mixes scripts is refused here, before the policy.

import { checkIdentity, requiredText } from "../core/identity.js";
import type { Finding } from "../core/findings.js";

export const IDENTITY_FIELDS = ["requested_by", "approved_by"] as const;

export interface ApprovalInput {
  document: {
    entry: Record<string, unknown>;
    settings: { solo_allowed: boolean };
    normalized: { requested_by: string; approved_by: string; rollback_ref: string };
  };
  /** identity/invalid findings: refused identities deny whatever the policy says */
  findings: Finding[];
}

/** Problems with the identities of an entry, as messages (empty: both are usable). */
export function identityProblems(entry: Record<string, unknown>): string[] {
  const problems: string[] = [];
  for (const field of IDENTITY_FIELDS) {
    const value = entry[field];
    if (typeof value !== "string") continue; // the schema names a missing or non-string field
    const check = checkIdentity(value, field);
    if (!check.ok) problems.push(check.message);
  }
  return problems;
}

/** `where` is the input's display name (the entry file, or `ledger-file:line`). */
export function approvalInput(entry: Record<string, unknown>, soloAllowed: boolean, where: string): ApprovalInput {
  const text = (field: string) => (typeof entry[field] === "string" ? (entry[field] as string) : "");
  const key = (field: string) => checkIdentity(text(field), field).key;
  const findings = identityProblems(entry).map(
    (message): Finding => ({
      code: "identity/invalid",
      severity: "error",
      source: "gate",
      input: where,
      scope: "operation",
      message: `${where}: ${message}; the sign-off is not accepted`,
      suggestedFix: "write the person's name in one script, without invisible characters, exactly as their other sign-offs spell it",
    }),
  );
  return {
    document: {
      entry,
      settings: { solo_allowed: soloAllowed },
      normalized: { requested_by: key("requested_by"), approved_by: key("approved_by"), rollback_ref: requiredText(text("rollback_ref")) },
    },
    findings,
  };
}
