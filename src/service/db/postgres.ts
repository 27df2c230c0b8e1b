// PostgreSQL through `pg`: a pool, one client per transaction. Several service instances may
// share one database; the migration lock and the audit chain's table lock serialise what must be.

import type { Database, Queryable } from "./database.js";

export async function openPostgres(url: string): Promise<Database> {
  const pg = (await import("pg")).default;
  const pool = new pg.Pool({ connectionString: url, max: Number(process.env.GATEHOUSE_DB_POOL ?? 10) });
  // An idle client's error (the server restarting) must not crash the process: the next query fails instead.
  pool.on("error", () => {});
  const query: Queryable["query"] = async <T>(sql: string, params: readonly unknown[] = []) => (await pool.query(sql, [...params])).rows as T[];
  return {
    kind: "postgres",
    query,
    exec: async (sql) => {
      await pool.query(sql);
    },
    transaction: async (fn) => {
      const client = await pool.connect();
      try {
        await client.query("BEGIN");
        const tx: Queryable = { query: async <T>(sql: string, params: readonly unknown[] = []) => (await client.query(sql, [...params])).rows as T[] };
        const result = await fn(tx);
        await client.query("COMMIT");
        return result;
      } catch (error) {
        await client.query("ROLLBACK").catch(() => {});
        throw error;
      } finally {
        client.release();
      }
    },
    close: () => pool.end(),
  };
}
