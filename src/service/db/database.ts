// The one database interface the service's stores speak: PostgreSQL's SQL, reached either
// through PGlite (PostgreSQL compiled to WebAssembly, the embedded default, persisted to a
// directory) or through `pg` (a PostgreSQL server, DATABASE_URL). Both drivers are loaded on
// first use, so only `gatehouse serve` pays for them.
//
// Values cross as text where the drivers differ: JSON goes in as `$n::text::jsonb` (PGlite would
// encode a string parameter typed jsonb as a JSON string) and 64-bit integers come back as
// strings from pg and numbers from PGlite, so stores read them with Number().

export interface Queryable {
  query<T = Record<string, unknown>>(sql: string, params?: readonly unknown[]): Promise<T[]>;
}

export interface Database extends Queryable {
  readonly kind: "embedded" | "postgres";
  /** Runs several statements (a migration file) with no parameters. */
  exec(sql: string): Promise<void>;
  /** BEGIN ... COMMIT around `fn`; ROLLBACK when it throws. */
  transaction<T>(fn: (tx: Queryable) => Promise<T>): Promise<T>;
  close(): Promise<void>;
}

export type DatabaseTarget = { kind: "embedded"; dataDir?: string } | { kind: "postgres"; url: string };

export async function openDatabase(target: DatabaseTarget): Promise<Database> {
  if (target.kind === "postgres") return (await import("./postgres.js")).openPostgres(target.url);
  return (await import("./pglite.js")).openPglite(target.dataDir);
}

/** JSON for a `$n::text::jsonb` parameter. */
export function json(value: unknown): string | null {
  return value === undefined ? null : JSON.stringify(value);
}
