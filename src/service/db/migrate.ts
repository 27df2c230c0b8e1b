// Forward-only migrations: migrations/NNNN_<name>.sql, applied in order on start, each in its own
// transaction with its row in schema_migrations. A migration already applied whose file has
// changed since is refused: the database would no longer be what the files describe. Several
// instances starting at once on one PostgreSQL take turns through an advisory lock.

import { readdirSync, readFileSync } from "node:fs";
import { join } from "node:path";
import { sha256 } from "../../core/digest.js";
import { packagePath } from "../../core/paths.js";
import type { Database } from "./database.js";

export const MIGRATION_FILE = /^(\d{4})_([a-z0-9_]+)\.sql$/;
/** An arbitrary constant: the advisory lock every gatehouse instance takes to migrate. */
const MIGRATION_LOCK = 4_711_017;

export interface Migration {
  version: number;
  name: string;
  sql: string;
  sha256: string;
}

export function migrationsDir(): string {
  return packagePath("migrations");
}

export function readMigrations(dir: string = migrationsDir()): Migration[] {
  const migrations = readdirSync(dir)
    .map((file) => ({ file, match: MIGRATION_FILE.exec(file) }))
    .filter((m): m is { file: string; match: RegExpExecArray } => m.match !== null)
    .map(({ file, match }) => {
      const sql = readFileSync(join(dir, file), "utf8");
      return { version: Number(match[1]), name: match[2]!, sql, sha256: sha256(sql) };
    })
    .sort((a, b) => a.version - b.version);
  migrations.forEach((m, i) => {
    if (m.version !== i + 1) throw new Error(`migrations must be numbered 0001, 0002, ... without gaps: found ${String(m.version).padStart(4, "0")}_${m.name}.sql at position ${i + 1}`);
  });
  return migrations;
}

/** Applies the migrations not yet applied; returns the versions it applied. */
export async function migrate(db: Database, dir: string = migrationsDir()): Promise<number[]> {
  const migrations = readMigrations(dir);
  return db.transaction(async (tx) => {
    // Held to the end of this transaction: a second instance waits, then finds nothing to do.
    await tx.query("SELECT pg_advisory_xact_lock($1)", [MIGRATION_LOCK]);
    await tx.query(
      "CREATE TABLE IF NOT EXISTS schema_migrations (version integer PRIMARY KEY, name text NOT NULL, sha256 text NOT NULL, applied_at text NOT NULL)",
    );
    const applied = new Map(
      (await tx.query<{ version: number; name: string; sha256: string }>("SELECT version, name, sha256 FROM schema_migrations ORDER BY version")).map((r) => [
        Number(r.version),
        r,
      ]),
    );
    for (const [version, row] of applied) {
      const file = migrations.find((m) => m.version === version);
      if (!file) throw new Error(`the database has migration ${version} (${row.name}), which this gatehouse does not know: it is older than the database`);
      if (file.sha256 !== row.sha256) throw new Error(`migration ${version} (${row.name}) was changed after it was applied: migrations are forward only, add a new one`);
    }
    const done: number[] = [];
    for (const m of migrations) {
      if (applied.has(m.version)) continue;
      // Statements one by one through the transaction's client: exec would leave it.
      for (const statement of splitStatements(m.sql)) await tx.query(statement);
      await tx.query("INSERT INTO schema_migrations (version, name, sha256, applied_at) VALUES ($1, $2, $3, $4)", [m.version, m.name, m.sha256, new Date().toISOString()]);
      done.push(m.version);
    }
    return done;
  });
}

/**
 * A migration file's statements: split at semicolons that end a line, outside dollar-quoted
 * bodies ($$ ... $$, as plpgsql functions are written). Comments are kept; migrations are ours,
 * written to this rule.
 */
export function splitStatements(sql: string): string[] {
  const statements: string[] = [];
  let current: string[] = [];
  let inDollar = false;
  for (const line of sql.split("\n")) {
    current.push(line);
    if ((line.match(/\$\$/g) ?? []).length % 2 === 1) inDollar = !inDollar;
    if (!inDollar && /;\s*(--.*)?$/.test(line)) {
      const text = current.join("\n").trim();
      if (text.replace(/--.*$/gm, "").trim() !== "") statements.push(text);
      current = [];
    }
  }
  if (current.join("\n").replace(/--.*$/gm, "").trim() !== "") throw new Error("a migration's last statement must end with a semicolon");
  return statements;
}
