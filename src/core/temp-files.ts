// Temp files of atomic writes (`<name>.tmp-<pid>`, src/core/write.ts; `<dir>.tmp-<pid>` bundle
// staging, src/policy/build.ts). A process killed mid-write, or a full disk, leaves one behind:
// the next write of the same output removes those whose process is gone (or that are older than
// STALE_TEMP_MS, in case the pid was reused), and readers never take one for data.

import { lstatSync, readdirSync, rmSync } from "node:fs";
import { basename, dirname, join } from "node:path";

const TEMP_NAME = /\.tmp-(\d+)$/;
/** Old enough that no write of gatehouse's is still in flight. */
export const STALE_TEMP_MS = 60 * 60 * 1000;

/** Whether a file name is a temp file of an atomic write (never read as data). */
export function isTempFileName(name: string): boolean {
  return TEMP_NAME.test(name);
}

/** Removes the stale temp files (or staging directories) of `target`: `<target>.tmp-<pid>`. */
export function removeStaleTemps(target: string, now: number = Date.now()): void {
  const dir = dirname(target);
  const prefix = `${basename(target)}.tmp-`;
  let names: string[];
  try {
    names = readdirSync(dir);
  } catch {
    return; // no directory yet: nothing left behind
  }
  for (const name of names) {
    if (!name.startsWith(prefix)) continue;
    const pid = Number(TEMP_NAME.exec(name)?.[1] ?? Number.NaN);
    if (!Number.isSafeInteger(pid) || name.length !== prefix.length + String(pid).length) continue;
    const path = join(dir, name);
    let age: number;
    try {
      age = now - lstatSync(path).mtimeMs;
    } catch {
      continue;
    }
    if (age <= STALE_TEMP_MS && (pid === process.pid || pidAlive(pid))) continue;
    try {
      rmSync(path, { recursive: true, force: true });
    } catch {
      // another run removed it, or it is not ours to remove: leave it
    }
  }
}

function pidAlive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch (error) {
    return (error as NodeJS.ErrnoException).code === "EPERM";
  }
}
