// The embedded store: PGlite, one PostgreSQL backend in this process. It takes one query at a
// time and runs `transaction` exclusively, so the service's transactions never interleave.
// A directory opened by two processes at once is corrupted (PGlite takes no lock): the serve
// command holds a lock file beside it (src/service/db/lock.ts).

import type { Database, Queryable } from "./database.js";

type PgliteQueryable = { query<T>(sql: string, params?: unknown[]): Promise<{ rows: T[] }> };

function wrap(q: PgliteQueryable): Queryable {
  return { query: async <T>(sql: string, params: readonly unknown[] = []) => (await q.query<T>(sql, [...params])).rows };
}

/** A PGlite instance: in memory when `dataDir` is undefined, else persisted there. */
export async function openPglite(dataDir?: string, loadDataDir?: Blob): Promise<Database & { dump(): Promise<Blob> }> {
  const { PGlite } = await import("@electric-sql/pglite");
  const db = await PGlite.create({ ...(dataDir !== undefined ? { dataDir } : {}), ...(loadDataDir ? { loadDataDir } : {}) });
  const plain = wrap(db);
  return {
    kind: "embedded",
    query: plain.query,
    exec: async (sql) => {
      await db.exec(sql);
    },
    transaction: (fn) => db.transaction((tx) => fn(wrap(tx))),
    close: () => db.close(),
    // The database's files as a tarball, to start copies of it quickly (tests).
    dump: () => db.dumpDataDir("none"),
  };
}

