// One process per embedded database directory: PGlite takes no lock of its own, and two
// processes writing one directory corrupt it. The lock is a file holding the owner's pid. It
// appears with its content in one step (written to a temp file, then hard-linked into place,
// which fails when the lock exists), so no one ever reads it empty. A file whose process is
// gone (a server killed with SIGKILL) is taken over by renaming it aside first, so that of two
// servers taking over one stale lock at once only one removes it: a server that finds it has
// moved a live owner's lock aside puts it back and refuses. A lock file that names no process
// (empty or garbled) is not taken over: it is refused, naming the file.

import { closeSync, linkSync, openSync, readFileSync, renameSync, rmSync, writeSync, mkdirSync } from "node:fs";
import { randomBytes } from "node:crypto";
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

/** The pid a lock file names, or undefined when it names none; null when the file is gone. */
function ownerOf(file: string): number | undefined | null {
  let text: string;
  try {
    text = readFileSync(file, "utf8");
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === "ENOENT") return null;
    throw error;
  }
  const match = /^([1-9][0-9]{0,9})\n$/.exec(text);
  return match ? Number(match[1]) : undefined;
}

/** Takes the directory's lock; returns its release. */
export function lockDataDir(dir: string): () => void {
  mkdirSync(dir, { recursive: true });
  const file = join(dir, LOCK_FILE);
  const unique = `${process.pid}-${randomBytes(6).toString("hex")}`;
  const temp = join(dir, `${LOCK_FILE}.tmp-${unique}`);
  const fd = openSync(temp, "wx", 0o600);
  try {
    writeSync(fd, `${process.pid}\n`);
  } finally {
    closeSync(fd);
  }
  try {
    for (let attempt = 0; attempt < 3; attempt++) {
      try {
        linkSync(temp, file);
        return () => rmSync(file, { force: true });
      } catch (error) {
        if ((error as NodeJS.ErrnoException).code !== "EEXIST") throw new ConfigError(`cannot create the embedded database's lock (a hard link of ${temp}): ${(error as Error).message}`, file);
      }
      const owner = ownerOf(file);
      if (owner === null) continue; // released meanwhile
      if (owner === undefined) {
        throw new ConfigError("the embedded database's lock file names no process (empty or garbled): if no gatehouse serve uses this directory, remove the file", file);
      }
      if (owner !== process.pid && alive(owner)) {
        throw new ConfigError(`the embedded database is in use by process ${owner} (another gatehouse serve); one process per directory`, file);
      }
      // Stale: moved aside, then checked again (another server may have taken it over since it was read).
      const aside = join(dir, `${LOCK_FILE}.stale-${unique}`);
      try {
        renameSync(file, aside);
      } catch (error) {
        if ((error as NodeJS.ErrnoException).code === "ENOENT") continue;
        throw error;
      }
      const moved = ownerOf(aside);
      if (typeof moved === "number" && moved !== process.pid && alive(moved)) {
        // A live server's fresh lock: put back (unless a third one locked meanwhile) and refuse.
        try {
          linkSync(aside, file);
        } catch {
          // the directory is locked by someone either way
        }
        rmSync(aside, { force: true });
        throw new ConfigError(`the embedded database is in use by process ${moved} (another gatehouse serve); one process per directory`, file);
      }
      rmSync(aside, { force: true });
    }
    throw new ConfigError("cannot take the embedded database's lock", file);
  } finally {
    rmSync(temp, { force: true });
  }
}
