// Migrations over the embedded store.

import { openPglite } from "../../src/service/db/pglite.js";
import { defineMigrationSuite } from "./migrations-suite.js";

defineMigrationSuite("service migrations (embedded)", async () => {
  const db = await openPglite();
  return { db, cleanup: () => db.close() };
});
