// The service against a real PostgreSQL (DATABASE_URL; .ci/run installs and starts one): the
// API suite, migrations on an existing database, gate --server and durability with the server
// as a child process. Each suite gets a database of its own, dropped at the end.
// Without DATABASE_URL this fails under CI (CI=true) and is skipped, with a note, elsewhere.

import { randomBytes } from "node:crypto";
import pg from "pg";
import { test } from "uvu";
import * as assert from "uvu/assert";
import { createService } from "../../../src/service/app.js";
import { openDatabase } from "../../../src/service/db/database.js";
import { defineMigrationSuite } from "../migrations-suite.js";
import { defineProcessSuite } from "../process-suite.js";
import { defineServiceSuite } from "../suite.js";

const url = process.env.DATABASE_URL;
const ADMIN = "postgres-admin-token-0123456789";

/** A new database on the server DATABASE_URL names; its URL and its removal. */
async function freshDatabase(): Promise<{ url: string; drop(): Promise<void> }> {
  const name = `gatehouse_test_${randomBytes(6).toString("hex")}`;
  const admin = new pg.Client({ connectionString: url });
  await admin.connect();
  await admin.query(`CREATE DATABASE ${name}`);
  await admin.end();
  const target = new URL(url!);
  target.pathname = `/${name}`;
  return {
    url: target.href,
    drop: async () => {
      const client = new pg.Client({ connectionString: url });
      await client.connect();
      await client.query(`DROP DATABASE IF EXISTS ${name} WITH (FORCE)`);
      await client.end();
    },
  };
}

if (!url) {
  if (process.env.CI === "true") {
    test("PostgreSQL suite: DATABASE_URL is set (CI must start PostgreSQL)", () => {
      assert.unreachable("DATABASE_URL is unset: .ci/run must install and start PostgreSQL and export DATABASE_URL");
    });
    test.run();
  } else {
    console.log("note: test/service/sql skipped: set DATABASE_URL to a PostgreSQL server to run it (CI does)");
  }
} else {
  defineServiceSuite("service (postgres)", async ({ bundleDir }) => {
    const database = await freshDatabase();
    const db = await openDatabase({ kind: "postgres", url: database.url });
    const service = await createService({ db, adminToken: ADMIN, logger: false, watchBundle: false, checkResponses: true, bundleDir });
    return {
      service,
      adminToken: ADMIN,
      cleanup: async () => {
        await service.close();
        await database.drop();
      },
    };
  });
  defineMigrationSuite("service migrations (postgres)", async () => {
    const database = await freshDatabase();
    const db = await openDatabase({ kind: "postgres", url: database.url });
    return {
      db,
      cleanup: async () => {
        await db.close();
        await database.drop();
      },
    };
  });
  defineProcessSuite("service process (postgres)", async () => {
    const database = await freshDatabase();
    return { env: { DATABASE_URL: database.url }, cleanup: () => database.drop() };
  });
}
