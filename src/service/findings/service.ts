// Findings, read back in the order they were appended, a page at a time (`after` = the last
// `seq` seen, answered as `next` while there may be more).

import type { Database } from "../db/database.js";
import { ServiceError } from "../errors.js";
import type { FindingScope, FindingStore, StoredFinding } from "./store.js";

export const DEFAULT_PAGE = 100;
export const MAX_PAGE = 1000;

export function pageOptions(query: Record<string, string | undefined>): { after: number; limit: number } {
  const after = query.after === undefined ? 0 : Number(query.after);
  const limit = query.limit === undefined ? DEFAULT_PAGE : Number(query.limit);
  if (!Number.isSafeInteger(after) || after < 0) throw new ServiceError("invalid_parameter", `after must be a non-negative integer, got ${JSON.stringify(query.after)}`);
  if (!Number.isSafeInteger(limit) || limit < 1 || limit > MAX_PAGE) throw new ServiceError("invalid_parameter", `limit must be an integer from 1 to ${MAX_PAGE}, got ${JSON.stringify(query.limit)}`);
  return { after, limit };
}

export class FindingService {
  constructor(
    private readonly db: Database,
    private readonly store: FindingStore,
  ) {}

  async list(scope: FindingScope, query: Record<string, string | undefined>): Promise<{ findings: StoredFinding[]; next: number | null }> {
    const options = pageOptions(query);
    const findings = await this.store.list(this.db, scope, options);
    return { findings, next: findings.length === options.limit ? findings[findings.length - 1]!.seq : null };
  }
}
