import { json, type Queryable } from "../db/database.js";
import type { RunRow, RunStore, StepRow } from "./store.js";

const RUN_SELECT = `SELECT id, project_id AS "projectId", pack_key AS pack, pack_version AS version, effective_hash AS "effectiveHash", mode,
  reported_verdict AS "reportedVerdict", decision, reasons, commit_sha AS commit, ref, pipeline, policy_snapshot AS "policySnapshot",
  report_sha256 AS "reportSha256", uploaded_by AS "uploadedBy", created_at AS "createdAt" FROM runs`;
const STEP_SELECT = `SELECT id, run_id AS "runId", project_id AS "projectId", position, path, kind, sha256, bytes, rules_evaluated AS "rulesEvaluated" FROM steps`;

/** Rows per INSERT: PostgreSQL takes at most 65,535 parameters in one statement. */
const CHUNK = 500;

async function insertMany(q: Queryable, table: string, columns: string[], casts: string[], rows: unknown[][]): Promise<void> {
  for (let start = 0; start < rows.length; start += CHUNK) {
    const chunk = rows.slice(start, start + CHUNK);
    const values = chunk.map((_, r) => `(${columns.map((_, c) => `$${r * columns.length + c + 1}${casts[c] ?? ""}`).join(", ")})`);
    await q.query(`INSERT INTO ${table} (${columns.join(", ")}) VALUES ${values.join(", ")}`, chunk.flat());
  }
}

function step(row: StepRow): StepRow {
  return { ...row, position: Number(row.position), bytes: row.bytes === null ? null : Number(row.bytes), rulesEvaluated: row.rulesEvaluated === null ? null : Number(row.rulesEvaluated) };
}

export const sqlRunStore: RunStore = {
  async insertRun(q, r) {
    await q.query(
      `INSERT INTO runs (id, project_id, pack_key, pack_version, effective_hash, mode, reported_verdict, decision, reasons, commit_sha, ref, pipeline, policy_snapshot, report_sha256, uploaded_by, created_at)
       VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9::text::jsonb, $10, $11, $12, $13::text::jsonb, $14, $15, $16)`,
      [r.id, r.projectId, r.pack, r.version, r.effectiveHash, r.mode, r.reportedVerdict, r.decision, json(r.reasons), r.commit, r.ref, r.pipeline, json(r.policySnapshot), r.reportSha256, r.uploadedBy, r.createdAt],
    );
  },
  async insertSteps(q, steps) {
    const columns = ["id", "run_id", "project_id", "position", "path", "kind", "sha256", "bytes", "rules_evaluated"];
    await insertMany(q, "steps", columns, [], steps.map((s) => [s.id, s.runId, s.projectId, s.position, s.path, s.kind, s.sha256, s.bytes, s.rulesEvaluated]));
  },
  async appendFindings(q, events) {
    const columns = ["project_id", "run_id", "step_id", "code", "severity", "finding", "created_at"];
    const casts = ["", "", "", "", "", "::text::jsonb", ""];
    await insertMany(q, "finding_events", columns, casts, events.map((e) => [e.projectId, e.runId, e.stepId, e.code, e.severity, json(e.finding), e.createdAt]));
  },
  async getRun(q, id) {
    return (await q.query<RunRow>(`${RUN_SELECT} WHERE id = $1`, [id]))[0];
  },
  async steps(q, runId) {
    return (await q.query<StepRow>(`${STEP_SELECT} WHERE run_id = $1 ORDER BY position`, [runId])).map(step);
  },
  async getStep(q, id) {
    const row = (await q.query<StepRow>(`${STEP_SELECT} WHERE id = $1`, [id]))[0];
    return row ? step(row) : undefined;
  },
  async countRuns(q, projectId) {
    return Number((await q.query<{ n: number | string }>("SELECT count(*) AS n FROM runs WHERE project_id = $1", [projectId]))[0]!.n);
  },
};
