import type { FindingStore, StoredFinding } from "./store.js";

const SELECT = 'SELECT seq, run_id AS "runId", step_id AS "stepId", code, severity, finding, created_at AS "createdAt" FROM finding_events';

export const sqlFindingStore: FindingStore = {
  async list(q, scope, { after, limit }) {
    const [column, value] = "project" in scope ? ["project_id", scope.project] : "run" in scope ? ["run_id", scope.run] : ["step_id", scope.step];
    const rows = await q.query<StoredFinding>(`${SELECT} WHERE ${column} = $1 AND seq > $2 ORDER BY seq LIMIT $3`, [value, after, limit]);
    return rows.map((r) => ({ ...r, seq: Number(r.seq) }));
  },
};
