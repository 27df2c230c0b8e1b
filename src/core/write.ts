// The one writer for output files (reports, --summary-out, side outputs, registry and decision
// files). A report path is whatever the user or the pipeline typed, so what sits there decides
// how it is written, and nothing but a regular file is ever replaced:
//   - nothing, or a regular file: a temp file beside it, renamed over it (a failed run never
//     leaves half a file);
//   - /dev/stdout, /dev/stderr, /dev/fd/N: written to that descriptor;
//   - a character device (/dev/null, a terminal): written in place, never replaced (a rename
//     over /dev/null as root turns it into a regular file for the whole machine);
//   - a FIFO: written in place when a reader has it open, refused otherwise (never a hang);
//   - a symlink, directory, socket or block device: refused (ConfigError, exit 2), so a link
//     committed at a report path cannot redirect a write, and a link is never replaced; so is a
//     path whose directory inside the working directory is a link (`reports -> /elsewhere`).

import { closeSync, constants, fstatSync, lstatSync, mkdirSync, openSync, realpathSync, renameSync, statSync, unlinkSync, writeSync, type Stats } from "node:fs";
import { dirname, isAbsolute, join, relative, resolve, sep } from "node:path";
import { ConfigError } from "./errors.js";
import { fileTypeName } from "./read.js";
import { removeStaleTemps } from "./temp-files.js";

/** How long a FIFO reader may stall before the write gives up. */
const FIFO_STALL_MS = 30_000;

/** Writes `content` to `file` as the header says. Throws ConfigError naming the file. */
export function writeOutputFile(file: string, content: string | Uint8Array): void {
  const bytes = typeof content === "string" ? Buffer.from(content, "utf8") : content;
  const descriptor = standardDescriptor(file);
  if (descriptor !== undefined) return writeDescriptor(descriptor, bytes, file);
  refuseLinkedDirectories(file);
  const existing = lstatOrUndefined(file);
  if (existing === undefined || existing.isFile()) return replaceAtomically(file, bytes);
  if (existing.isCharacterDevice()) return writeInPlace(file, bytes, constants.O_WRONLY | (constants.O_NOCTTY ?? 0));
  if (existing.isFIFO()) return writeInPlace(file, bytes, constants.O_WRONLY | (constants.O_NONBLOCK ?? 0));
  throw refused(file, existing);
}

/** Appends to `file` (a step summary): a regular file (created if absent) or a character device, never through a link. */
export function appendOutputFile(file: string, content: string): void {
  refuseLinkedDirectories(file);
  const existing = lstatOrUndefined(file);
  if (existing !== undefined && !existing.isFile() && !existing.isCharacterDevice()) throw refused(file, existing);
  let fd: number;
  try {
    fd = openSync(file, constants.O_WRONLY | constants.O_APPEND | constants.O_CREAT | (constants.O_NOFOLLOW ?? 0) | (constants.O_NOCTTY ?? 0), 0o644);
  } catch (error) {
    throw new ConfigError(`cannot append: ${errnoOf(error)}`, file);
  }
  try {
    writeAll(fd, Buffer.from(content, "utf8"), file);
  } finally {
    closeSync(fd);
  }
}

/**
 * Refuses an output whose directory, inside the working directory, is reached through a symbolic
 * link: a committed `reports -> /elsewhere` (or `contracts -> ../other`) would carry a report, a
 * summary or the contract registry out of the repository, replacing a file of that name there,
 * as a link at the path itself would. Directories above the working directory (`/var/run`) are
 * the machine's, not the repository's, and are not judged.
 */
export function refuseLinkedDirectories(file: string): void {
  const cwd = process.cwd();
  const dir = dirname(file);
  // Walked as written, one component at a time, so `reports/../x` is judged at `reports`
  // (the kernel resolves `..` from the link's target, not lexically).
  let current = isAbsolute(dir) ? sep : cwd;
  for (const part of dir.split(sep)) {
    if (part === "" || part === ".") continue;
    current = part === ".." ? dirname(current) : join(current, part);
    const stats = lstatOrUndefined(current);
    if (stats === undefined) return; // made by the write's mkdir: a real directory
    if (!stats.isSymbolicLink()) continue;
    const rel = relative(cwd, current);
    if (rel !== "" && rel !== ".." && !rel.startsWith(`..${sep}`) && !isAbsolute(rel)) {
      throw new ConfigError(`its directory ${rel} is a symbolic link; gatehouse does not write through a link inside the working directory (a committed one could carry the output out of the repository): name the real path`, file);
    }
    try {
      current = realpathSync(current);
    } catch {
      return; // a dangling link above the working directory: the write reports it
    }
  }
}

/**
 * The temp file an atomic write of `file` uses. Temp files end in `.tmp-<pid>` so that a run
 * can tell its own from those of a dead process (src/core/temp-files.ts cleans those), and
 * readers globbing `*.json` never match one.
 */
export function tempPathFor(file: string): string {
  return `${file}.tmp-${process.pid}`;
}

function replaceAtomically(file: string, bytes: Uint8Array): void {
  mkdirSync(dirname(file), { recursive: true });
  removeStaleTemps(file);
  const tmp = tempPathFor(file);
  let fd: number;
  try {
    // O_EXCL: never write through something planted at the temp path. One left by a dead
    // process with our pid is ours to remove (unlink removes a link, not its target).
    fd = openExclusive(tmp);
  } catch (error) {
    throw new ConfigError(`cannot write: ${errnoOf(error)}`, file);
  }
  try {
    try {
      writeAll(fd, bytes, file);
    } finally {
      closeSync(fd);
    }
    // Re-checked just before the rename: what is there now must still be nothing or a regular file.
    const now = lstatOrUndefined(file);
    if (now !== undefined && !now.isFile()) throw refused(file, now);
    renameSync(tmp, file);
  } catch (error) {
    try {
      unlinkSync(tmp);
    } catch {
      // already gone
    }
    if (error instanceof ConfigError) throw error;
    throw new ConfigError(`cannot write: ${errnoOf(error)}`, file);
  }
}

function openExclusive(tmp: string): number {
  const flags = constants.O_WRONLY | constants.O_CREAT | constants.O_EXCL;
  try {
    return openSync(tmp, flags, 0o644);
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code !== "EEXIST") throw error;
    unlinkSync(tmp);
    return openSync(tmp, flags, 0o644);
  }
}

function writeInPlace(file: string, bytes: Uint8Array, flags: number): void {
  let fd: number;
  try {
    fd = openSync(file, flags);
  } catch (error) {
    // ENXIO: a FIFO opened for writing without blocking has no reader.
    if ((error as NodeJS.ErrnoException).code === "ENXIO") throw new ConfigError("is a FIFO that nobody is reading; refusing to wait for a reader", file);
    throw new ConfigError(`cannot write: ${errnoOf(error)}`, file);
  }
  try {
    const opened = fstatSync(fd);
    if (!opened.isCharacterDevice() && !opened.isFIFO()) throw refused(file, opened);
    writeAll(fd, bytes, file);
  } finally {
    closeSync(fd);
  }
}

/** /dev/stdout, /dev/stderr, /dev/fd/N (/proc/self/fd/N): the descriptor itself, never opened anew. */
function standardDescriptor(file: string): number | undefined {
  if (file === "/dev/stdout") return 1;
  if (file === "/dev/stderr") return 2;
  const match = /^\/(?:dev|proc\/self)\/fd\/(\d+)$/.exec(file);
  return match ? Number(match[1]) : undefined;
}

function writeDescriptor(fd: number, bytes: Uint8Array, file: string): void {
  // Through the process's own streams for 1 and 2, so the output stays in order with theirs.
  if (fd === 1) process.stdout.write(bytes);
  else if (fd === 2) process.stderr.write(bytes);
  else writeAll(fd, bytes, file);
}

const sleeper = new Int32Array(new SharedArrayBuffer(4));

/** Writes every byte; EAGAIN (a non-blocking FIFO whose reader is slow) waits, up to FIFO_STALL_MS without progress. */
function writeAll(fd: number, bytes: Uint8Array, file: string): void {
  let offset = 0;
  let stalledSince: number | undefined;
  while (offset < bytes.byteLength) {
    try {
      offset += writeSync(fd, bytes, offset, bytes.byteLength - offset);
      stalledSince = undefined;
    } catch (error) {
      if ((error as NodeJS.ErrnoException).code !== "EAGAIN") throw new ConfigError(`cannot write: ${errnoOf(error)}`, file);
      stalledSince ??= Date.now();
      if (Date.now() - stalledSince > FIFO_STALL_MS) throw new ConfigError(`its reader stopped reading for ${FIFO_STALL_MS / 1000} s; the output is incomplete`, file);
      Atomics.wait(sleeper, 0, 0, 10);
    }
  }
}

function lstatOrUndefined(file: string): Stats | undefined {
  try {
    return lstatSync(file);
  } catch (error) {
    const code = (error as NodeJS.ErrnoException).code;
    if (code === "ENOENT") return undefined;
    // ENOTDIR: a parent is a file; the write reports it.
    if (code === "ENOTDIR") return undefined;
    throw new ConfigError(`cannot write: ${code ?? (error as Error).message}`, file);
  }
}

function refused(file: string, stats: Stats): ConfigError {
  if (stats.isSymbolicLink()) return new ConfigError("is a symbolic link; gatehouse neither replaces nor writes through a link at an output path (name its target instead)", file);
  return new ConfigError(`is ${fileTypeName(stats)}; an output is written only to a regular file (replaced atomically), a character device, a FIFO with a reader, or /dev/stdout`, file);
}

function errnoOf(error: unknown): string {
  return (error as NodeJS.ErrnoException).code ?? (error as Error).message;
}

/**
 * Refuses an output path that is one of `inputs` (the same path once links are resolved, or the
 * same file by device and inode: a hard link): writing a verification summary over the receipt
 * it verifies would destroy the evidence. Paths that do not exist yet cannot be inputs.
 */
export function refuseOutputOverInput(output: string, inputs: Iterable<string>, what: string): void {
  const target = identity(output);
  if (target === undefined) return;
  for (const input of inputs) {
    const other = identity(input);
    if (other !== undefined && other.dev === target.dev && other.ino === target.ino) {
      throw new ConfigError(`${what} would overwrite ${input}, which this run reads; choose another path`, output);
    }
  }
}

/**
 * Refuses two outputs of one run that name the same file (the same path, or the same existing
 * file through a link or a hard link): the second would replace the first, and a report the
 * user asked for (or a signed summary) would be lost without a word. Standard streams and
 * character devices (/dev/stdout, /dev/null) may be shared.
 */
export function refuseSharedOutputs(outputs: readonly { file: string; what: string }[]): void {
  const seen: { path: string; id: { dev: number; ino: number } | undefined; what: string }[] = [];
  for (const { file, what } of outputs) {
    const path = resolvedPath(file);
    const id = identity(file);
    if (isShareable(file)) continue;
    const clash = seen.find((other) => other.path === path || (id !== undefined && other.id !== undefined && other.id.dev === id.dev && other.id.ino === id.ino));
    if (clash) throw new ConfigError(`${what} and ${clash.what} name the same file; one would replace the other: give each output its own path`, file);
    seen.push({ path, id, what });
  }
}

/**
 * Where a path leads, as the kernel walks it: each existing component with its links resolved,
 * and `..` taken from the resolved directory (`up/../r.json` with `up -> x/sub` is `x/r.json`),
 * the part that does not exist yet appended as written. Two outputs that differ as text but meet
 * here (a linked directory, `..` through a link) are the same file once written.
 */
function resolvedPath(file: string): string {
  let current = isAbsolute(file) ? sep : process.cwd();
  const parts = file.split(sep).filter((part) => part !== "" && part !== ".");
  for (let i = 0; i < parts.length; i++) {
    const part = parts[i]!;
    const next = part === ".." ? dirname(current) : join(current, part);
    if (lstatOrNull(next) === null) return resolve(next, ...parts.slice(i + 1));
    try {
      current = realpathSync(next);
    } catch {
      return resolve(next, ...parts.slice(i + 1)); // a dangling link: the write reports it
    }
  }
  return current;
}

function lstatOrNull(path: string): Stats | null {
  try {
    return lstatSync(path);
  } catch {
    return null;
  }
}

/** A standard stream or character device: written in place, so several outputs may share it. */
function isShareable(file: string): boolean {
  if (standardDescriptor(file) !== undefined) return true;
  try {
    return statSync(file).isCharacterDevice();
  } catch {
    return false;
  }
}

/** The file a path names, links followed: its device and inode. */
function identity(file: string): { dev: number; ino: number } | undefined {
  try {
    const stats = statSync(file);
    return { dev: stats.dev, ino: stats.ino };
  } catch {
    return undefined;
  }
}
