import type { Queryable } from "../db/database.js";
import type { AuditEventType } from "./events.js";

/** One row of the chain. `hash` covers every other field (canonical JSON). */
export interface AuditRecord {
  seq: number;
  prev: string;
  event: AuditEventType;
  actor: string;
  at: string;
  /** `pack:<key>@<version>` or `project:<id>` */
  subject: string;
  old: unknown;
  new: unknown;
  hash: string;
}

export interface AuditStore {
  /** Serialises appenders until the transaction ends (one chain, several instances). */
  lockChain(q: Queryable): Promise<void>;
  head(q: Queryable): Promise<{ seq: number; hash: string } | undefined>;
  insert(q: Queryable, record: AuditRecord): Promise<void>;
  list(q: Queryable, options: { after: number; limit: number; subject?: string }): Promise<AuditRecord[]>;
}
