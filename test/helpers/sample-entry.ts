// A valid ledger entry (LOW_RISK_CONFIG, two people) tagged worker#n, for tests and the appender
// child. Each (worker, n) gets its own operation id: an operation is signed off once.

/** OPS-YYYY-MM-DD-NNN, distinct for every worker name (the year) and n (day and number). */
export function operationIdFor(workerName: string, n: number): string {
  let hash = 2166136261;
  for (const char of workerName) hash = Math.imul(hash ^ char.charCodeAt(0), 16777619) >>> 0;
  const year = 2000 + (hash % 1000);
  const day = Math.floor(n / 1000);
  const month = 1 + Math.floor(day / 28);
  return `OPS-${year}-${String(month).padStart(2, "0")}-${String(1 + (day % 28)).padStart(2, "0")}-${String(n % 1000).padStart(3, "0")}`;
}

export function entryFor(workerName: string, n: number): Record<string, unknown> {
  return {
    operation_id: operationIdFor(workerName, n),
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
