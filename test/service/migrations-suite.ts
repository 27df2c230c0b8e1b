// Migrations on an existing database: a database made by the first migration alone, holding
// data, is brought forward on start with its data intact; an applied migration that was edited,
// or one the program does not know, stops the start.

import { copyFileSync, mkdirSync, rmSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { suite } from "uvu";
import * as assert from "uvu/assert";
import { createService } from "../../src/service/app.js";
import type { Database } from "../../src/service/db/database.js";
import { migrate, migrationsDir, readMigrations, splitStatements } from "../../src/service/db/migrate.js";
import { buildAppBundle, caller, tempDir } from "./helpers.js";

const ADMIN = "migrations-admin-token-0123456789";

async function rejects(fn: () => Promise<unknown>, pattern: RegExp): Promise<void> {
  let error: unknown;
  try {
    await fn();
  } catch (caught) {
    error = caught;
  }
  assert.ok(error instanceof Error, "expected a rejection");
  assert.match((error as Error).message, pattern);
}

export function defineMigrationSuite(label: string, fresh: () => Promise<{ db: Database; cleanup(): Promise<void> }>): void {
  const test = suite(label);
  let work: string;
  let bundleDir: string;
  test.before(() => {
    work = tempDir("migrations");
    bundleDir = buildAppBundle(work);
  });
  test.after(() => rmSync(work, { recursive: true, force: true }));

  test("a database at migration 1 with data is migrated forward on start, its data kept", async () => {
    const { db, cleanup } = await fresh();
    try {
      const first = join(work, "first-only");
      mkdirSync(first, { recursive: true });
      copyFileSync(join(migrationsDir(), "0001_init.sql"), join(first, "0001_init.sql"));
      assert.equal(await migrate(db, first), [1]);
      await db.query(
        "INSERT INTO projects (id, name, token_sha256, pack_key, pack_version, overrides, repo_local, created_at, updated_at) VALUES ('old', 'Old', $1, 'default', NULL, '{}', false, 'then', 'then')",
        ["0".repeat(64)],
      );
      const service = await createService({ db, adminToken: ADMIN, logger: false, watchBundle: false, bundleDir });
      try {
        const versions = (await db.query<{ version: number }>("SELECT version FROM schema_migrations ORDER BY version")).map((r) => Number(r.version));
        assert.equal(versions, readMigrations().map((m) => m.version));
        assert.ok(versions.length >= 2);
        const call = caller(service, ADMIN);
        assert.equal((await call("GET", "/projects/old/policy")).body.pack, { key: "default", version: null });
        assert.is((await call("POST", "/v1/data/app/deny", { body: { input: {} } })).body.decision, "allow");
        assert.equal(await migrate(db), [], "a second start applies nothing");
      } finally {
        await service.app.close();
        await service.services.decisions.close();
      }
      await db.query("UPDATE schema_migrations SET sha256 = 'edited' WHERE version = 1");
      await rejects(() => migrate(db), /migration 1 \(init\) was changed after it was applied/);
      await db.query("UPDATE schema_migrations SET sha256 = $1 WHERE version = 1", [readMigrations()[0]!.sha256]);
      await db.query("INSERT INTO schema_migrations (version, name, sha256, applied_at) VALUES (999, 'future', 'x', 'later')");
      await rejects(() => migrate(db), /migration 999 \(future\), which this gatehouse does not know/);
    } finally {
      await cleanup();
    }
  });

  test("migration files: numbered without gaps, statements split outside dollar quotes", () => {
    const dir = join(work, "gap");
    mkdirSync(dir, { recursive: true });
    writeFileSync(join(dir, "0001_a.sql"), "SELECT 1;\n");
    writeFileSync(join(dir, "0003_c.sql"), "SELECT 3;\n");
    assert.throws(() => readMigrations(dir), /without gaps: found 0003_c.sql at position 2/);
    assert.equal(splitStatements("CREATE FUNCTION f() RETURNS int LANGUAGE sql AS $$\nSELECT 1;\n$$;\n-- done\nSELECT 2; -- two\n"), [
      "CREATE FUNCTION f() RETURNS int LANGUAGE sql AS $$\nSELECT 1;\n$$;",
      "-- done\nSELECT 2; -- two",
    ]);
    assert.throws(() => splitStatements("SELECT 1"), /must end with a semicolon/);
  });

  test.run();
}
