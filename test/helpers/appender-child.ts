// Child process for test/ledger.test.ts: appends `count` entries to the ledger in `dir`, tagged
// with `worker`, through the library (lock, tail, single write, fsync). count 0 = until killed.
// Prints "ready" once it holds its first entry, so the parent can kill it mid-loop.

import { appendEntry } from "../../src/ops/ledger.js";
import { SchemaRegistry } from "../../src/schemas/registry.js";
import { entryFor } from "./sample-entry.js";

const [dir, worker, countArg] = process.argv.slice(2);
if (!dir || !worker || !countArg) throw new Error("usage: ledger-appender DIR WORKER COUNT");
const count = Number(countArg);
const schemas = new SchemaRegistry();

for (let n = 0; count === 0 || n < count; n++) {
  appendEntry(dir, entryFor(worker, n), { schemas });
  if (n === 0) process.stdout.write("ready\n");
}
