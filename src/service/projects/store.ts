import type { Queryable } from "../db/database.js";
import type { PolicyOverride } from "../../packs/types.js";

export interface ProjectRow {
  id: string;
  name: string;
  packKey: string;
  /** null: the pack's latest active version */
  packVersion: string | null;
  overrides: PolicyOverride;
  repoLocal: boolean;
  createdAt: string;
  updatedAt: string;
}

export interface ProjectStore {
  get(q: Queryable, id: string): Promise<ProjectRow | undefined>;
  insert(q: Queryable, row: ProjectRow, tokenSha256: string): Promise<void>;
  updatePolicy(q: Queryable, id: string, policy: Pick<ProjectRow, "packKey" | "packVersion" | "overrides" | "repoLocal" | "updatedAt">): Promise<void>;
  /** the project a token belongs to, by the token's sha256 */
  byToken(q: Queryable, tokenSha256: string): Promise<string | undefined>;
}
