import type { Queryable } from "../db/database.js";

export interface AnswerRow {
  key: string;
  value: string;
  answeredBy: string;
  answeredAt: string;
}

export interface ClarificationStore {
  list(q: Queryable, projectId: string): Promise<AnswerRow[]>;
  get(q: Queryable, projectId: string, key: string): Promise<AnswerRow | undefined>;
  upsert(q: Queryable, projectId: string, row: AnswerRow): Promise<void>;
}
