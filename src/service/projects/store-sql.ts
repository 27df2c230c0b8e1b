import { json } from "../db/database.js";
import type { ProjectRow, ProjectStore } from "./store.js";

const SELECT =
  'SELECT id, name, pack_key AS "packKey", pack_version AS "packVersion", overrides, repo_local AS "repoLocal", created_at AS "createdAt", updated_at AS "updatedAt" FROM projects';

export const sqlProjectStore: ProjectStore = {
  async get(q, id) {
    return (await q.query<ProjectRow>(`${SELECT} WHERE id = $1`, [id]))[0];
  },
  async insert(q, r, tokenSha256) {
    await q.query(
      "INSERT INTO projects (id, name, token_sha256, pack_key, pack_version, overrides, repo_local, created_at, updated_at) VALUES ($1, $2, $3, $4, $5, $6::text::jsonb, $7, $8, $9)",
      [r.id, r.name, tokenSha256, r.packKey, r.packVersion, json(r.overrides), r.repoLocal, r.createdAt, r.updatedAt],
    );
  },
  async updatePolicy(q, id, p) {
    await q.query("UPDATE projects SET pack_key = $2, pack_version = $3, overrides = $4::text::jsonb, repo_local = $5, updated_at = $6 WHERE id = $1", [
      id,
      p.packKey,
      p.packVersion,
      json(p.overrides),
      p.repoLocal,
      p.updatedAt,
    ]);
  },
  async byToken(q, tokenSha256) {
    return (await q.query<{ id: string }>("SELECT id FROM projects WHERE token_sha256 = $1", [tokenSha256]))[0]?.id;
  },
};
