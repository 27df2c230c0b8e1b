// The audit trail: append-only (a trigger refuses UPDATE and DELETE), hash-chained like the ops
// ledger (src/ops/ledger.ts: the same canonical JSON and entry hash, the same genesis `prev`).

import type { Database, Queryable } from "../db/database.js";
import { entryHash, GENESIS_PREV } from "../../ops/ledger.js";
import type { AuditEventType } from "./events.js";
import type { AuditRecord, AuditStore } from "./store.js";

export interface AuditChange {
  event: AuditEventType;
  actor: string;
  subject: string;
  old: unknown;
  new: unknown;
}

export interface AuditVerifyResult {
  ok: boolean;
  count: number;
  head: string;
  problems: string[];
}

/** The hashed part of a record: everything but the hash, old/new as stored (null when absent). */
function hashed(record: Omit<AuditRecord, "hash">): string {
  return entryHash({ seq: record.seq, prev: record.prev, event: record.event, actor: record.actor, at: record.at, subject: record.subject, old: record.old ?? null, new: record.new ?? null });
}

export class AuditService {
  constructor(
    private readonly db: Database,
    private readonly store: AuditStore,
    private readonly now: () => Date,
  ) {}

  /**
   * Takes the chain's lock for the rest of the transaction. Services take it first, before they
   * read what they check, so that two writers (two instances on one PostgreSQL) cannot both pass
   * a check that only one of them may.
   */
  lock(tx: Queryable): Promise<void> {
    return this.store.lockChain(tx);
  }

  /** Appends one change inside the caller's transaction (which holds the lock, or takes it here). */
  async append(tx: Queryable, change: AuditChange): Promise<AuditRecord> {
    await this.store.lockChain(tx);
    const head = await this.store.head(tx);
    const base = { seq: (head?.seq ?? 0) + 1, prev: head?.hash ?? GENESIS_PREV, at: this.now().toISOString(), ...change, old: change.old ?? null, new: change.new ?? null };
    const record: AuditRecord = { ...base, hash: hashed(base) };
    await this.store.insert(tx, record);
    return record;
  }

  list(options: { after: number; limit: number; subject?: string }): Promise<AuditRecord[]> {
    return this.store.list(this.db, options);
  }

  /** Walks the whole chain: each hash recomputed, each prev the hash before it, seq without gaps. */
  async verify(): Promise<AuditVerifyResult> {
    const problems: string[] = [];
    let prev = GENESIS_PREV;
    let count = 0;
    for (let after = 0; ; ) {
      const page = await this.store.list(this.db, { after, limit: 1000 });
      if (page.length === 0) break;
      for (const record of page) {
        count++;
        if (record.seq !== count) problems.push(`seq ${record.seq}: expected seq ${count}`);
        if (record.prev !== prev) problems.push(`seq ${record.seq}: prev does not match the hash of the row before it`);
        const { hash, ...rest } = record;
        if (hashed(rest) !== hash) problems.push(`seq ${record.seq}: hash does not match its content`);
        prev = hash;
      }
      after = page[page.length - 1]!.seq;
    }
    return { ok: problems.length === 0, count, head: prev, problems };
  }
}
