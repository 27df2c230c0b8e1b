import { json, type Queryable } from "../db/database.js";
import type { PackRow, PackStore } from "./store.js";

const SELECT = "SELECT key, version, name, description, status, document, sha256, created_by AS \"createdBy\", created_at AS \"createdAt\" FROM policy_packs";

export const sqlPackStore: PackStore = {
  async count(q) {
    const rows = await q.query<{ n: number | string }>("SELECT count(*) AS n FROM policy_packs");
    return Number(rows[0]!.n);
  },
  all: (q) => q.query<PackRow>(`${SELECT} ORDER BY key, version`),
  versions: (q, key, options = {}) =>
    q.query<PackRow>(`${options.documents === false ? SELECT.replace(" document,", " NULL AS document,") : SELECT} WHERE key = $1 ORDER BY version`, [key]),
  async get(q: Queryable, key: string, version: string) {
    return (await q.query<PackRow>(`${SELECT} WHERE key = $1 AND version = $2`, [key, version]))[0];
  },
  async insert(q, r) {
    await q.query(
      "INSERT INTO policy_packs (key, version, name, description, status, document, sha256, created_by, created_at) VALUES ($1, $2, $3, $4, $5, $6::text::jsonb, $7, $8, $9)",
      [r.key, r.version, r.name, r.description, r.status, json(r.document), r.sha256, r.createdBy, r.createdAt],
    );
  },
  async setStatus(q, key, version, status) {
    await q.query("UPDATE policy_packs SET status = $3 WHERE key = $1 AND version = $2", [key, version, status]);
  },
};
