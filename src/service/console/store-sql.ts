// The console's read-only queries: what the overview pages show and the resource stores do not
// answer (every project, a project's runs with their finding counts). Reads only; the tables
// belong to the resource stores (projects/, runs/, findings/).

import type { Queryable } from "../db/database.js";

export interface RunSummary {
  id: string;
  decision: "allow" | "deny";
  reportedVerdict: string;
  pack: string | null;
  version: string | null;
  effectiveHash: string | null;
  mode: string | null;
  commit: string | null;
  ref: string | null;
  createdAt: string;
  /** findings by severity, suppressed ones counted apart */
  counts: { block: number; error: number; warning: number; info: number; suppressed: number };
}

const SEVERITIES = ["block", "error", "warning", "info"] as const;

export async function listProjects(q: Queryable, only?: string): Promise<{ id: string; name: string }[]> {
  return only === undefined
    ? q.query<{ id: string; name: string }>("SELECT id, name FROM projects ORDER BY id")
    : q.query<{ id: string; name: string }>("SELECT id, name FROM projects WHERE id = $1", [only]);
}

/** The project's last `limit` runs, oldest first, each with its finding counts. */
export async function recentRuns(q: Queryable, projectId: string, limit: number): Promise<RunSummary[]> {
  const runs = await q.query<Omit<RunSummary, "counts"> & { seq: number | string }>(
    `SELECT id, seq, decision, reported_verdict AS "reportedVerdict", pack_key AS pack, pack_version AS version, effective_hash AS "effectiveHash",
       mode, commit_sha AS commit, ref, created_at AS "createdAt"
     FROM runs WHERE project_id = $1 ORDER BY seq DESC LIMIT $2`,
    [projectId, limit],
  );
  if (runs.length === 0) return [];
  const oldest = Math.min(...runs.map((r) => Number(r.seq)));
  const counts = await q.query<{ runId: string; severity: string; suppressed: boolean; n: number | string }>(
    `SELECT f.run_id AS "runId", f.severity, (f.finding -> 'suppressed') IS NOT NULL AS suppressed, count(*) AS n
     FROM finding_events f JOIN runs r ON r.id = f.run_id
     WHERE f.project_id = $1 AND r.seq >= $2 GROUP BY f.run_id, f.severity, suppressed`,
    [projectId, oldest],
  );
  return runs.reverse().map(({ seq: _seq, ...run }) => {
    const tally: RunSummary["counts"] = { block: 0, error: 0, warning: 0, info: 0, suppressed: 0 };
    for (const row of counts.filter((c) => c.runId === run.id)) {
      if (row.suppressed) tally.suppressed += Number(row.n);
      else if ((SEVERITIES as readonly string[]).includes(row.severity)) tally[row.severity as (typeof SEVERITIES)[number]] += Number(row.n);
    }
    return { ...run, counts: tally };
  });
}
