import type { Queryable } from "../db/database.js";

export interface StoredFinding {
  seq: number;
  runId: string;
  stepId: string;
  code: string;
  severity: string;
  finding: Record<string, unknown>;
  createdAt: string;
}

export type FindingScope = { project: string } | { run: string } | { step: string };

export interface FindingStore {
  list(q: Queryable, scope: FindingScope, options: { after: number; limit: number }): Promise<StoredFinding[]>;
}
