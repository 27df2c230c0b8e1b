import { json } from "../db/database.js";
import type { AuditRecord, AuditStore } from "./store.js";

type Row = Omit<AuditRecord, "seq"> & { seq: number | string };

const COLUMNS = "seq, prev, hash, event, actor, at, subject, old, new";

export const sqlAuditStore: AuditStore = {
  async lockChain(q) {
    await q.query("LOCK TABLE audit_events IN SHARE ROW EXCLUSIVE MODE");
  },
  async head(q) {
    const rows = await q.query<{ seq: number | string; hash: string }>("SELECT seq, hash FROM audit_events ORDER BY seq DESC LIMIT 1");
    return rows[0] ? { seq: Number(rows[0].seq), hash: rows[0].hash } : undefined;
  },
  async insert(q, r) {
    await q.query(`INSERT INTO audit_events (${COLUMNS}) VALUES ($1, $2, $3, $4, $5, $6, $7, $8::text::jsonb, $9::text::jsonb)`, [
      r.seq,
      r.prev,
      r.hash,
      r.event,
      r.actor,
      r.at,
      r.subject,
      json(r.old ?? null),
      json(r.new ?? null),
    ]);
  },
  async list(q, { after, limit, subject }) {
    const rows = subject
      ? await q.query<Row>(`SELECT ${COLUMNS} FROM audit_events WHERE seq > $1 AND subject = $3 ORDER BY seq LIMIT $2`, [after, limit, subject])
      : await q.query<Row>(`SELECT ${COLUMNS} FROM audit_events WHERE seq > $1 ORDER BY seq LIMIT $2`, [after, limit]);
    return rows.map((r) => ({ ...r, seq: Number(r.seq) }));
  },
};
