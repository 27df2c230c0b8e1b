import type { Queryable } from "../db/database.js";

export type PackStatus = "active" | "deprecated" | "disabled";

export interface PackRow {
  key: string;
  version: string;
  name: string;
  description: string;
  status: PackStatus;
  /** the pack document (schemas/policy-pack.v1) */
  document: unknown;
  sha256: string;
  createdBy: string;
  createdAt: string;
}

export interface PackStore {
  count(q: Queryable): Promise<number>;
  all(q: Queryable): Promise<PackRow[]>;
  /** every version of a pack; `documents: false` leaves `document` null (cheaper) */
  versions(q: Queryable, key: string, options?: { documents?: boolean }): Promise<PackRow[]>;
  get(q: Queryable, key: string, version: string): Promise<PackRow | undefined>;
  insert(q: Queryable, row: PackRow): Promise<void>;
  setStatus(q: Queryable, key: string, version: string, status: PackStatus): Promise<void>;
}
