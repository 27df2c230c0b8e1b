// The one reader for untrusted files: everything read from the repository or a pipeline (inputs,
// receipts, manifests, waivers, pack overrides, decisions, ledgers, summaries) comes through here.
// A committed symlink to /dev/zero or a FIFO where a file was expected must fail with a reason,
// not grow memory until the process dies or block forever, so each read:
//   1. follows links (realpath) and, when a root is given, refuses a target outside it;
//   2. refuses anything that is not a regular file before opening it (stat);
//   3. opens with O_NONBLOCK (a FIFO swapped in after the stat cannot block the open) and
//      re-checks the open file (fstat): a regular file, the same one the stat saw;
//   4. refuses a file over the cap by its size, and reads at most cap + 1 bytes whatever the size
//      said (a file can grow, and a size is only a claim).

import { isUtf8 } from "node:buffer";
import { closeSync, constants, fstatSync, lstatSync, openSync, readSync, realpathSync, statSync, type Stats } from "node:fs";
import { open, realpath, stat, type FileHandle } from "node:fs/promises";
import { isAbsolute, relative, resolve, sep } from "node:path";

/**
 * Why a file was refused: callers map these to their codes (input/too-large for too-large,
 * input/unreadable or their domain's own for the others).
 */
export type ReadProblem = "unreadable" | "not-a-file" | "too-large";

/**
 * A refused read. The message is the reason alone ("ENOENT", "a FIFO, not a regular file"), for
 * messages that name the file themselves; `code` is the errno code when there is one, so callers
 * that print `error.code ?? error.message` print what they printed for fs errors before.
 */
export class UntrustedFileError extends Error {
  override name = "UntrustedFileError";
  readonly code: string | undefined;
  constructor(
    readonly problem: ReadProblem,
    readonly file: string,
    readonly reason: string,
    /** the size seen, when it was over the cap */
    readonly bytes?: number,
    code?: string,
  ) {
    super(reason);
    this.code = code;
  }
}

export interface ReadOptions {
  /** refuse a file over this many bytes */
  maxBytes: number;
  /** refuse a file whose target (links resolved) is not inside this directory */
  root?: string;
  /**
   * Skip the stat before the open (default false). The open is non-blocking either way; the
   * stat first keeps a device from being opened at all. Only for a caller that already knows
   * the path names a regular file (the gate's per-input hot path: one fstat per input).
   */
  skipStatBeforeOpen?: boolean;
  /**
   * Refuse a symlink at the path itself instead of following it (default false): for files a
   * tool of ours writes in place, such as the ledger's, where a link can only be someone's
   * attempt to make another file read as this one.
   */
  noFollow?: boolean;
}

/**
 * Every file this process opened through the reader (paths as given, resolved): the files a run
 * reads, so that no report or summary of the run is written over one of them (src/cli/output.ts).
 */
const opened = new Set<string>();

/** The files opened through the reader so far, absolute. */
export function filesRead(): ReadonlySet<string> {
  return opened;
}

// O_NONBLOCK: opening a FIFO returns at once instead of waiting for a writer. O_NOCTTY: a
// terminal never becomes the controlling one. Reads of a regular file ignore O_NONBLOCK.
const OPEN_FLAGS = constants.O_RDONLY | (constants.O_NONBLOCK ?? 0) | (constants.O_NOCTTY ?? 0);

/** Reads a whole untrusted file (see the header). Throws UntrustedFileError. */
export function readUntrustedFile(file: string, options: ReadOptions, buffer?: (bytes: number) => Buffer): Buffer {
  const { fd, size } = openUntrustedFile(file, options);
  try {
    if (size > options.maxBytes) throw tooLarge(file, size, options.maxBytes);
    let raw: Buffer;
    try {
      raw = readOpenFile(fd, size, options.maxBytes, buffer);
    } catch (error) {
      throw asReadError(file, error);
    }
    if (raw.byteLength > options.maxBytes) throw new UntrustedFileError("too-large", file, `over the ${options.maxBytes}-byte limit (it grew while being read)`, raw.byteLength);
    return raw;
  } finally {
    closeSync(fd);
  }
}

/**
 * readUntrustedFile decoded as UTF-8. Bytes that are not UTF-8 are refused, not decoded with
 * replacement characters: what a policy or a pack would see would not be what the file says.
 */
export function readUntrustedText(file: string, options: ReadOptions): string {
  const bytes = readUntrustedFile(file, options, textBuffer);
  if (!isUtf8(bytes)) throw new UntrustedFileError("unreadable", file, "not valid UTF-8 text");
  return bytes.toString("utf8");
}

/**
 * The buffer text reads go through, reused: its bytes are decoded into a string at once and
 * never handed out, so reading thousands of source files (contract extraction) allocates, and
 * page-faults in, one buffer instead of one per file. Files above the cap get a buffer of their own.
 */
let sharedTextBuffer: Buffer | undefined;
const SHARED_TEXT_BUFFER_MAX = 4 * 1024 * 1024;

function textBuffer(bytes: number): Buffer {
  if (bytes > SHARED_TEXT_BUFFER_MAX) return Buffer.allocUnsafe(bytes);
  if (!sharedTextBuffer || sharedTextBuffer.byteLength < bytes) sharedTextBuffer = Buffer.allocUnsafe(Math.min(SHARED_TEXT_BUFFER_MAX, Math.max(bytes, 2 * (sharedTextBuffer?.byteLength ?? 32 * 1024))));
  return sharedTextBuffer;
}

/**
 * Opens an untrusted file for reading after the checks of the header (the cap is the caller's,
 * on the returned size and while reading). The caller closes the descriptor.
 */
export function openUntrustedFile(file: string, options: Omit<ReadOptions, "maxBytes">): { fd: number; size: number } {
  let target = file;
  let before: Stats | undefined;
  try {
    if (options.noFollow) {
      if (lstatSync(file).isSymbolicLink()) throw new UntrustedFileError("not-a-file", file, "a symbolic link, not a regular file");
    } else if (options.root !== undefined) {
      target = insideRoot(file, realpathSync(file), realpathSync(options.root));
    }
    if (!options.skipStatBeforeOpen) before = regularFile(file, statSync(target));
  } catch (error) {
    throw asReadError(file, error);
  }
  let fd: number;
  try {
    fd = openSync(target, OPEN_FLAGS | (options.root !== undefined || options.noFollow ? (constants.O_NOFOLLOW ?? 0) : 0));
  } catch (error) {
    // ELOOP is how O_NOFOLLOW refuses a symlink swapped in after the lstat.
    if (options.noFollow && (error as NodeJS.ErrnoException).code === "ELOOP") throw new UntrustedFileError("not-a-file", file, "a symbolic link, not a regular file");
    throw asReadError(file, error);
  }
  try {
    const stats = regularFile(file, fstatSync(fd));
    sameFile(file, before, stats);
    opened.add(resolve(file));
    return { fd, size: stats.size };
  } catch (error) {
    closeSync(fd);
    throw asReadError(file, error);
  }
}

/** openUntrustedFile for streaming readers (hashing outputs): a FileHandle, no size cap. */
export async function openUntrustedHandle(file: string, options: { root?: string } = {}): Promise<{ handle: FileHandle; size: number }> {
  let target = file;
  let before: Stats;
  try {
    if (options.root !== undefined) target = insideRoot(file, await realpath(file), await realpath(options.root));
    before = regularFile(file, await stat(target));
  } catch (error) {
    throw asReadError(file, error);
  }
  let handle: FileHandle;
  try {
    handle = await open(target, OPEN_FLAGS | (options.root !== undefined ? (constants.O_NOFOLLOW ?? 0) : 0));
  } catch (error) {
    throw asReadError(file, error);
  }
  try {
    const stats = regularFile(file, await handle.stat());
    sameFile(file, before, stats);
    opened.add(resolve(file));
    return { handle, size: stats.size };
  } catch (error) {
    await handle.close();
    throw asReadError(file, error);
  }
}

/** What a non-regular file is, for messages. */
export function fileTypeName(stats: Stats): string {
  if (stats.isDirectory()) return "a directory";
  if (stats.isFIFO()) return "a FIFO";
  if (stats.isCharacterDevice()) return "a character device";
  if (stats.isBlockDevice()) return "a block device";
  if (stats.isSocket()) return "a socket";
  if (stats.isSymbolicLink()) return "a symbolic link";
  return "not a regular file";
}

function regularFile(file: string, stats: Stats): Stats {
  if (!stats.isFile()) throw new UntrustedFileError("not-a-file", file, `${fileTypeName(stats)}, not a regular file`);
  return stats;
}

function sameFile(file: string, before: Stats | undefined, opened: Stats): void {
  if (before && (before.ino !== opened.ino || before.dev !== opened.dev)) {
    throw new UntrustedFileError("unreadable", file, "it was replaced while being opened");
  }
}

function insideRoot(file: string, real: string, rootReal: string): string {
  const rel = relative(rootReal, real);
  if (rel === "" || rel === ".." || rel.startsWith(`..${sep}`) || isAbsolute(rel)) {
    throw new UntrustedFileError("unreadable", file, "it resolves outside its root directory (through a link or ..)");
  }
  return real;
}

function tooLarge(file: string, size: number, max: number): UntrustedFileError {
  return new UntrustedFileError("too-large", file, `${size} bytes, over the ${max}-byte limit`, size);
}

function asReadError(file: string, error: unknown): UntrustedFileError {
  if (error instanceof UntrustedFileError) return error;
  return new UntrustedFileError("unreadable", file, errnoReason(error), undefined, (error as NodeJS.ErrnoException).code);
}

/** The errno code (ENOENT, EACCES, ELOOP ...) when there is one: short and stable across platforms. */
function errnoReason(error: unknown): string {
  return (error as NodeJS.ErrnoException).code ?? (error as Error).message;
}

/**
 * Reads an open file whose size was just taken: one read of size + 1 bytes, which comes back
 * short at the end of the file (readFileSync would stat the file again and read once more to
 * see the end: two more system calls per input). A file that grew meanwhile is read on, up to
 * one byte past `max`, so the caller can refuse it.
 */
export function readOpenFile(fd: number, size: number, max: number, allocate: (bytes: number) => Buffer = Buffer.allocUnsafe): Buffer {
  let buffer = allocate(Math.min(size, max) + 1);
  // A shared buffer may be longer than asked: still never more than max + 1 bytes.
  let room = Math.min(buffer.byteLength, max + 1);
  let length = 0;
  for (;;) {
    const n = readSync(fd, buffer, length, room - length, null);
    if (n === 0) break;
    length += n;
    if (length > max) break;
    if (length === room) {
      const grown = Buffer.allocUnsafe(Math.min(buffer.byteLength * 2, max + 1));
      if (grown.byteLength <= length) break;
      buffer.copy(grown, 0, 0, length);
      buffer = grown;
      room = grown.byteLength;
    }
  }
  return buffer.subarray(0, length);
}


/**
 * Opens a file gatehouse appends to or repairs in place (a ledger month file): `flags` plus
 * O_NONBLOCK and O_NOFOLLOW, so a FIFO cannot block the open and a committed symlink (to
 * /etc/passwd, /dev/zero ...) is never written through; the open file must be a regular file.
 * The caller closes the descriptor. Throws UntrustedFileError.
 */
export function openForUpdate(file: string, flags: number, mode?: number): number {
  let fd: number;
  try {
    fd = openSync(file, flags | (constants.O_NONBLOCK ?? 0) | (constants.O_NOFOLLOW ?? 0) | (constants.O_NOCTTY ?? 0), mode);
  } catch (error) {
    // ELOOP is how O_NOFOLLOW refuses a symlink.
    if ((error as NodeJS.ErrnoException).code === "ELOOP") throw new UntrustedFileError("not-a-file", file, "a symbolic link, not a regular file");
    throw asReadError(file, error);
  }
  try {
    regularFile(file, fstatSync(fd));
    return fd;
  } catch (error) {
    closeSync(fd);
    throw asReadError(file, error);
  }
}

/** The name stdin goes by in UntrustedFileError. */
export const STDIN_NAME = "-";

/**
 * Reads standard input, at most `maxBytes` + 1 bytes: stdin is pipeline content like any file
 * (`gatehouse check - < /dev/zero` must not grow memory until the process dies). Nothing past
 * the cap is read: more than `maxBytes` bytes back means too large, which the caller refuses.
 * Throws UntrustedFileError when stdin cannot be read.
 */
export function readStdin(maxBytes: number): Buffer {
  const chunks: Buffer[] = [];
  let length = 0;
  const chunk = Buffer.allocUnsafe(64 * 1024);
  for (;;) {
    let n: number;
    try {
      n = readSync(0, chunk, 0, Math.min(chunk.byteLength, maxBytes + 1 - length), null);
    } catch (error) {
      // A non-blocking stdin (some CI runners hand one over) has no data yet: wait and read on.
      if ((error as NodeJS.ErrnoException).code === "EAGAIN") {
        Atomics.wait(new Int32Array(new SharedArrayBuffer(4)), 0, 0, 5);
        continue;
      }
      if ((error as NodeJS.ErrnoException).code === "EOF") break;
      throw asReadError(STDIN_NAME, error);
    }
    if (n === 0) break;
    chunks.push(Buffer.from(chunk.subarray(0, n)));
    length += n;
    if (length > maxBytes) break;
  }
  return Buffer.concat(chunks, length);
}

/** readStdin decoded as UTF-8; more than `maxBytes`, or bytes that are not UTF-8, are refused as readUntrustedText does. */
export function readStdinText(maxBytes: number): string {
  const bytes = readStdin(maxBytes);
  if (bytes.byteLength > maxBytes) throw new UntrustedFileError("too-large", STDIN_NAME, `over the ${maxBytes}-byte limit`, bytes.byteLength);
  if (!isUtf8(bytes)) throw new UntrustedFileError("unreadable", STDIN_NAME, "not valid UTF-8 text");
  return bytes.toString("utf8");
}
