// Every kind of change the audit trail records. A mutating service call appends one of these in
// the same transaction as the change itself.

export type AuditEventType =
  | "pack.seeded"
  | "pack.created"
  | "pack.status_changed"
  | "project.created"
  | "project.policy_changed"
  | "clarification.answered";

export const AUDIT_EVENTS: Record<AuditEventType, { subject: "pack" | "project"; description: string }> = {
  "pack.seeded": { subject: "pack", description: "a shipped pack (packs/) stored on the first start" },
  "pack.created": { subject: "pack", description: "a pack version published through POST /policy_packs" },
  "pack.status_changed": { subject: "pack", description: "a pack version deprecated or disabled" },
  "project.created": { subject: "project", description: "a project registered (its token is never recorded)" },
  "project.policy_changed": { subject: "project", description: "a project's pack selection, overrides or repo-local flag changed" },
  "clarification.answered": { subject: "project", description: "a clarification answered or its answer changed" },
};
