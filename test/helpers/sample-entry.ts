// A valid ledger entry (LOW_RISK_CONFIG, two people) tagged worker#n, for tests and the appender child.

export function entryFor(workerName: string, n: number): Record<string, unknown> {
  return {
    operation_id: "OPS-2026-11-21-001",
    operation_name: `stress ${workerName}`,
    requested_by: "alice",
    approved_by: "bob",
    approval_timestamp: "2026-11-21T01:00:00Z",
    execution_timestamp: "2026-11-21T01:10:00Z",
    risk_class: "LOW_RISK_CONFIG",
    blast_radius: "none",
    changes_summary: `${workerName}#${n}`,
    rollback_ref: "",
    outcome: "SUCCESS",
    notes: "",
  };
}
