// Child process for test/ledger.test.ts: appends `count` entries to the ledger in `dir`, tagged
// with `worker`, through the library (lock, tail, single write, fsync). count 0 = until killed.
// Prints "ready" once it holds its first entry, so the parent can kill it mid-loop.

import { appendEntry } from "../../src/ops/ledger.js";
import { SchemaRegistry } from "../../src/schemas/registry.js";
import { entryFor } from "./sample-entry.js";

const [dir, worker, countArg] = process.argv.slice(2);
if (!dir || !worker || !countArg) throw new Error("usage: appender-child DIR WORKER COUNT");
const count = Number(countArg);
const schemas = new SchemaRegistry();

// HOLD=1: after the first entry, stop inside the next append with the lock held, just before the
// write, and say so; the parent kills the process there.
const hold = process.env.GATEHOUSE_TEST_HOLD === "1";
const pause = new Int32Array(new SharedArrayBuffer(4));

for (let n = 0; count === 0 || n < count; n++) {
  const beforeWrite = hold && n === 1 ? () => {
    process.stdout.write("holding\n");
    Atomics.wait(pause, 0, 0, 30_000);
  } : undefined;
  appendEntry(dir, entryFor(worker, n), { schemas, ...(beforeWrite ? { beforeWrite } : {}) });
  if (n === 0) process.stdout.write("ready\n");
}
