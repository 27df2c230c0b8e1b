import type { Queryable } from "../db/database.js";

export interface DecisionLog {
  decisionId: string;
  path: string;
  inputSha256: string;
  /** the document's value; null when it was undefined or the evaluation failed */
  result: unknown;
  decision: "allow" | "deny";
  reason: string | null;
  bundleSha256: string | null;
  caller: string;
  at: string;
}

export interface BundleLoad {
  dir: string;
  wasmSha256: string | null;
  manifestSha256: string | null;
  error: string | null;
  loadedAt: string;
}

export interface DecisionStore {
  appendLogs(q: Queryable, logs: DecisionLog[]): Promise<void>;
  getLog(q: Queryable, id: string): Promise<DecisionLog | undefined>;
  recordLoad(q: Queryable, load: BundleLoad): Promise<void>;
}
