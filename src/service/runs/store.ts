import type { Queryable } from "../db/database.js";

export interface RunRow {
  id: string;
  projectId: string;
  pack: string | null;
  version: string | null;
  effectiveHash: string | null;
  mode: string | null;
  reportedVerdict: string;
  decision: "allow" | "deny";
  reasons: string[];
  commit: string | null;
  ref: string | null;
  pipeline: string | null;
  policySnapshot: unknown;
  reportSha256: string;
  uploadedBy: string;
  createdAt: string;
}

export interface StepRow {
  id: string;
  runId: string;
  projectId: string;
  position: number;
  path: string;
  kind: string | null;
  sha256: string | null;
  bytes: number | null;
  rulesEvaluated: number | null;
}

export interface FindingEvent {
  projectId: string;
  runId: string;
  stepId: string;
  code: string;
  severity: string;
  finding: Record<string, unknown>;
  createdAt: string;
}

export interface RunStore {
  insertRun(q: Queryable, run: RunRow): Promise<void>;
  insertSteps(q: Queryable, steps: StepRow[]): Promise<void>;
  appendFindings(q: Queryable, events: FindingEvent[]): Promise<void>;
  getRun(q: Queryable, id: string): Promise<RunRow | undefined>;
  steps(q: Queryable, runId: string): Promise<StepRow[]>;
  getStep(q: Queryable, id: string): Promise<StepRow | undefined>;
  countRuns(q: Queryable, projectId: string): Promise<number>;
}
