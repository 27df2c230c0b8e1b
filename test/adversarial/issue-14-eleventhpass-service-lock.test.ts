// Issue 14, eleventh adversarial pass, `gatehouse serve`'s embedded database lock
// (src/service/db/lock.ts). Two servers on one directory corrupt the database (PGlite takes no
// lock of its own). The lock file was created empty and its pid written after: a second server
// starting in that window read no pid, took the file for stale, removed it and started beside
// the first. Two servers taking over one stale lock at once could likewise each remove the
// other's fresh lock. The lock now appears with its pid in one step (a hard link of a written
// temp file), a lock naming no process is refused rather than taken over, and a stale one is
// renamed aside before it is removed, so only one server takes it over.

import { spawn, spawnSync } from "node:child_process";
import { existsSync, readdirSync, readFileSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { test } from "uvu";
import * as assert from "uvu/assert";
import { ConfigError } from "../../src/core/errors.js";
import { LOCK_FILE, lockDataDir } from "../../src/service/db/lock.js";
import { withRepo } from "./harness.js";

function refusal(dir: string): string {
  try {
    lockDataDir(dir)();
  } catch (error) {
    assert.ok(error instanceof ConfigError, String(error));
    return (error as Error).message;
  }
  return "(taken)";
}

test("issue 14 (eleventh pass): serve's lock file that names no process (created, its pid not yet written) is refused, not taken over; nothing is left beside it", () => {
  withRepo("eleventh-lock", {}, (dir) => {
    for (const content of ["", "12ab\n", " \n"]) {
      writeFileSync(join(dir, LOCK_FILE), content);
      assert.match(refusal(dir), "the embedded database's lock file names no process (empty or garbled): if no gatehouse serve uses this directory, remove the file", JSON.stringify(content));
      assert.is(readFileSync(join(dir, LOCK_FILE), "utf8"), content, "the file is left as it was");
      assert.equal(readdirSync(dir), [LOCK_FILE], "no temp file left");
    }
  });
});

test("issue 14 (eleventh pass): serve's lock: a live owner is refused and keeps its lock; a dead owner's lock is taken over; the release removes it; no temp or aside file is left", () => {
  withRepo("eleventh-lock", {}, (dir) => {
    const sleeper = spawn(process.execPath, ["-e", "setTimeout(() => {}, 60000)"], { stdio: "ignore" });
    try {
      writeFileSync(join(dir, LOCK_FILE), `${sleeper.pid}\n`);
      assert.match(refusal(dir), `the embedded database is in use by process ${sleeper.pid} (another gatehouse serve); one process per directory`);
      assert.is(readFileSync(join(dir, LOCK_FILE), "utf8"), `${sleeper.pid}\n`);
    } finally {
      sleeper.kill("SIGKILL");
    }
    const dead = spawnSync(process.execPath, ["-e", ""], { stdio: "ignore" });
    assert.ok(Number.isInteger(dead.pid) && dead.pid > 0, JSON.stringify(dead.error));
    writeFileSync(join(dir, LOCK_FILE), `${dead.pid}\n`);
    const release = lockDataDir(dir);
    assert.is(readFileSync(join(dir, LOCK_FILE), "utf8"), `${process.pid}\n`);
    assert.equal(readdirSync(dir), [LOCK_FILE]);
    release();
    assert.not.ok(existsSync(join(dir, LOCK_FILE)));
    assert.equal(readdirSync(dir), []);
  });
});

test.run();
