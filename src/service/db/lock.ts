// One process per embedded database directory: PGlite takes no lock of its own, and two
// processes writing one directory corrupt it. The lock is a file holding the owner's pid,
// created exclusively; a file whose process is gone (a server killed with SIGKILL) is taken over.

import { closeSync, mkdirSync, openSync, readFileSync, rmSync, writeSync } from "node:fs";
import { join } from "node:path";
import { ConfigError } from "../../core/errors.js";

export const LOCK_FILE = "gatehouse-serve.pid";

function alive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch (error) {
    return (error as NodeJS.ErrnoException).code === "EPERM";
  }
}

/** Takes the directory's lock; returns its release. */
export function lockDataDir(dir: string): () => void {
  mkdirSync(dir, { recursive: true });
  const file = join(dir, LOCK_FILE);
  for (let attempt = 0; attempt < 2; attempt++) {
    try {
      const fd = openSync(file, "wx", 0o600);
      writeSync(fd, `${process.pid}\n`);
      closeSync(fd);
      return () => rmSync(file, { force: true });
    } catch (error) {
      if ((error as NodeJS.ErrnoException).code !== "EEXIST") throw error;
      const owner = Number(readFileSync(file, "utf8").trim());
      if (Number.isInteger(owner) && owner > 0 && owner !== process.pid && alive(owner)) {
        throw new ConfigError(`the embedded database is in use by process ${owner} (another gatehouse serve); one process per directory`, file);
      }
      rmSync(file, { force: true }); // stale: its process is gone
    }
  }
  throw new ConfigError("cannot take the embedded database's lock", file);
}
