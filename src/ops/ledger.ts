// The ops sign-off ledger: append-only JSON Lines in <dir>/YYYY-MM.jsonl (month of the append, UTC).
// Every entry carries `seq` (1, 2, 3, ... with no gaps, across month files) and `prev`, the
// sha256 of the previous entry's RFC 8785 canonical JSON (64 zeros for the first), so an edit,
// removal, reordering or gap anywhere before the last entry breaks the chain and `verifyLedger`
// names the file, line and problem. Corrections are new entries (`corrects: <seq>`), never rewrites.
//
// Appends are serialised by an exclusive lock file (created whole with link(2), which fails if it
// exists, like O_EXCL; it holds pid + host + time + a token);
// a lock whose holder pid is dead on this host is broken under a second exclusive "break" lock so
// that two breakers cannot both succeed. Under the lock: read the tail, compute seq/prev, write the
// line with ONE write(2) on an O_APPEND descriptor, fsync the file (and the directory when the month
// file is new), release. A process killed before its write leaves no trace; killed after it, the
// entry is complete. A torn tail (no trailing newline: a write that never completed) is reported by
// verify and set aside (moved to a .torn file, never silently dropped) by the next append.

import { closeSync, existsSync, fstatSync, fsyncSync, ftruncateSync, linkSync, mkdirSync, openSync, readdirSync, readSync, statSync, unlinkSync, writeFileSync, writeSync, constants } from "node:fs";
import { hostname } from "node:os";
import { join } from "node:path";
import canonicalizeModule from "canonicalize";
import { ConfigError } from "../core/errors.js";
import { sha256 } from "../core/digest.js";
import { displayPath } from "../core/paths.js";
import { openForUpdate, readUntrustedText, UntrustedFileError } from "../core/read.js";
import { InputParseError, parseDocument, decodeText } from "../inputs/parse.js";
import { SchemaRegistry } from "../schemas/registry.js";

// canonicalize is CommonJS (module.exports = fn); under NodeNext it may arrive wrapped.
type Canonicalize = (value: unknown) => string | undefined;
const canonicalizeFn: Canonicalize =
  (canonicalizeModule as unknown as { default?: Canonicalize }).default ?? (canonicalizeModule as unknown as Canonicalize);

export const LEDGER_SCHEMA = "ops-ledger-entry.v1";
export const DEFAULT_LEDGER_DIR = "ops/ledger";
export const GENESIS_PREV = "0".repeat(64);
export const LEDGER_FILE = /^(\d{4})-(0[1-9]|1[0-2])\.jsonl$/;
const LOCK_NAME = ".lock";
const BREAK_LOCK_NAME = ".lock.break";
/** Fields the caller supplies; seq and prev are the ledger's. Order here is the on-disk order. */
export const ENTRY_FIELDS = [
  "operation_id",
  "operation_name",
  "requested_by",
  "approved_by",
  "approval_timestamp",
  "execution_timestamp",
  "risk_class",
  "blast_radius",
  "changes_summary",
  "rollback_ref",
  "outcome",
  "notes",
  "corrects",
] as const;

export type LedgerEntry = { seq: number; prev: string } & Record<(typeof ENTRY_FIELDS)[number], unknown>;

/**
 * RFC 8785 (JCS) canonical JSON. The canonicalize package sorts keys by UTF-16 code units and
 * serialises numbers and strings with ECMAScript JSON.stringify, which is what RFC 8785 specifies;
 * RFC 8785 also requires I-JSON input, so lone surrogates (which JSON.stringify would escape) and
 * non-finite numbers are refused here.
 */
export function canonicalJson(value: unknown): string {
  assertIJson(value, "");
  const text = canonicalizeFn(value);
  if (text === undefined) throw new TypeError("value has no JSON representation");
  return text;
}

function assertIJson(value: unknown, pointer: string): void {
  if (typeof value === "string") {
    if (/[\ud800-\udbff](?![\udc00-\udfff])|(?<![\ud800-\udbff])[\udc00-\udfff]/.test(value)) {
      throw new TypeError(`lone surrogate in string at ${pointer || "/"} (not I-JSON)`);
    }
  } else if (typeof value === "number") {
    if (!Number.isFinite(value)) throw new TypeError(`non-finite number at ${pointer || "/"}`);
  } else if (Array.isArray(value)) {
    value.forEach((item, i) => assertIJson(item, `${pointer}/${i}`));
  } else if (value !== null && typeof value === "object") {
    for (const [key, item] of Object.entries(value)) {
      assertIJson(key, pointer);
      assertIJson(item, `${pointer}/${key}`);
    }
  }
}

export function entryHash(entry: unknown): string {
  return sha256(canonicalJson(entry));
}

// ---------------------------------------------------------------------------------------------
// verify

export interface LedgerProblem {
  file: string;
  /** 1-based line; 0 for problems about the file as a whole */
  line: number;
  kind: "malformed" | "torn" | "invalid" | "gap" | "order" | "chain" | "correction" | "layout";
  message: string;
}

export interface VerifyResult {
  problems: LedgerProblem[];
  entries: number;
  files: string[];
  /** seq and hash of the last good entry: record it elsewhere to anchor the tail */
  head?: { seq: number; sha256: string };
}

export function ledgerFiles(dir: string): string[] {
  if (!existsSync(dir)) return [];
  return readdirSync(dir).filter((f) => LEDGER_FILE.test(f)).sort();
}

/** Files in the ledger directory that are neither month files nor the lock (a renamed month file, say). */
function strayFiles(dir: string): string[] {
  if (!existsSync(dir)) return [];
  return readdirSync(dir)
    .filter((f) => !LEDGER_FILE.test(f) && !f.startsWith(LOCK_NAME) && !f.endsWith(".torn") && f !== ".gitkeep")
    .sort();
}

export function verifyLedger(dir: string, schemas: SchemaRegistry = new SchemaRegistry()): VerifyResult {
  const problems: LedgerProblem[] = [];
  const files = ledgerFiles(dir);
  for (const stray of strayFiles(dir)) {
    problems.push({ file: displayPath(join(dir, stray)), line: 0, kind: "layout", message: `unexpected file in the ledger directory (month files are YYYY-MM.jsonl)` });
  }
  let expectedSeq = 1;
  let prevHash = GENESIS_PREV;
  let prevWhere = "the start of the ledger";
  let entries = 0;
  let head: VerifyResult["head"];
  const seen = new Map<number, LedgerEntry>();
  for (const [fileIndex, name] of files.entries()) {
    const path = join(dir, name);
    const shown = displayPath(path);
    let text: string;
    try {
      text = readUntrustedText(path, { maxBytes: MAX_LEDGER_FILE_BYTES });
    } catch (error) {
      if (!(error instanceof UntrustedFileError)) throw error;
      problems.push({ file: shown, line: 0, kind: "layout", message: `cannot be read: ${error.reason}` });
      continue;
    }
    // An empty month file holds no entries and hides none (the chain continues in the next
    // file); an append killed between creating the file and writing leaves one.
    if (text.length === 0) continue;
    const lines = text.split("\n");
    const endsWithNewline = lines[lines.length - 1] === "";
    if (endsWithNewline) lines.pop();
    for (const [index, line] of lines.entries()) {
      const lineNo = index + 1;
      const isLast = fileIndex === files.length - 1 && index === lines.length - 1;
      const report = (kind: LedgerProblem["kind"], message: string) => problems.push({ file: shown, line: lineNo, kind, message });
      if (!endsWithNewline && index === lines.length - 1) {
        report("torn", isLast
          ? "torn last line: no trailing newline (an append that never completed, or a cut); the next append sets it aside"
          : "line without trailing newline before the next month file (truncated?)");
        // The last line of the ledger is an incomplete append; elsewhere it may still hold an entry.
        if (isLast) continue;
      }
      if (line.trim() === "") {
        report("malformed", "blank line (an entry was removed or the file was edited)");
        continue;
      }
      let entry: unknown;
      try {
        entry = parseDocument(line, "json");
      } catch (error) {
        report("malformed", `not a JSON entry: ${error instanceof InputParseError ? error.message : (error as Error).message}`);
        continue;
      }
      const invalid = schemas.validate(LEDGER_SCHEMA, entry, shown);
      if (invalid.length > 0) {
        report("invalid", `entry does not match ${LEDGER_SCHEMA}: ${invalid.map((f) => f.message).join("; ")}`);
        const seqValue = (entry as { seq?: unknown }).seq;
        if (typeof seqValue !== "number" || !Number.isSafeInteger(seqValue)) continue;
      }
      const e = entry as LedgerEntry;
      if (e.seq !== expectedSeq) {
        if (e.seq > expectedSeq) {
          report("gap", `seq ${e.seq} where ${expectedSeq} was expected: ${e.seq - expectedSeq === 1 ? "entry" : `${e.seq - expectedSeq} entries`} missing (removed or truncated)`);
        } else {
          report("order", `seq ${e.seq} where ${expectedSeq} was expected: entries reordered or duplicated`);
        }
      }
      let hash: string;
      try {
        hash = entryHash(e);
      } catch (error) {
        report("malformed", `entry cannot be canonicalised: ${(error as Error).message}`);
        continue;
      }
      if (e.prev !== prevHash) {
        report("chain", `prev does not match the sha256 of the entry before it (${prevWhere}): that entry was edited, removed or reordered`);
      }
      if (e.corrects !== undefined) {
        const problem = correctionProblem(e, seen.get(e.corrects as number));
        if (problem) report("correction", problem);
      }
      seen.set(e.seq, e);
      entries++;
      // Resynchronise on what is actually there so one break is reported once, not cascaded.
      expectedSeq = e.seq + 1;
      prevHash = hash;
      prevWhere = `${shown}:${lineNo}`;
      head = { seq: e.seq, sha256: hash };
    }
  }
  return { problems, entries, files: files.map((f) => displayPath(join(dir, f))), ...(head ? { head } : {}) };
}

/** Fields that make up an approval record: a correction repeats them, it never re-approves. */
export const APPROVAL_FIELDS = ["operation_id", "requested_by", "approved_by", "approval_timestamp", "risk_class"] as const;

/** Why `entry` is not a valid correction of `target` (undefined when it is). */
export function correctionProblem(entry: LedgerEntry, target: LedgerEntry | undefined): string | undefined {
  if (!target) return `corrects seq ${String(entry.corrects)}, which is not an earlier entry`;
  const changed = APPROVAL_FIELDS.filter((field) => entry[field] !== target[field]);
  if (changed.length === 0) return undefined;
  return `corrects seq ${target.seq} but changes its approval record (${changed.join(", ")}); a correction keeps the original approval`;
}

// ---------------------------------------------------------------------------------------------
// append

export interface AppendOptions {
  /** clock for the month file choice (tests); default Date.now */
  now?: () => Date;
  /** give up waiting for the lock after this long */
  lockTimeoutMs?: number;
  schemas?: SchemaRegistry;
  /** called with the lock held, just before the write (tests use it to kill mid-append) */
  beforeWrite?: () => void;
}

export interface AppendResult {
  entry: LedgerEntry;
  file: string;
  line: number;
  sha256: string;
}

/** The entry as stored: seq and prev first, then the fields in their documented order. */
export function buildEntry(fields: Record<string, unknown>, seq: number, prev: string): LedgerEntry {
  for (const key of Object.keys(fields)) {
    if (key === "seq" || key === "prev") throw new ConfigError(`an entry to append must not carry "${key}": the ledger assigns it`);
  }
  const entry: Record<string, unknown> = { seq, prev };
  for (const key of ENTRY_FIELDS) if (fields[key] !== undefined) entry[key] = fields[key];
  // Unknown fields are kept so the schema can reject them by name.
  for (const key of Object.keys(fields).sort()) if (!(key in entry)) entry[key] = fields[key];
  return entry as LedgerEntry;
}

export function appendEntry(dir: string, fields: Record<string, unknown>, options: AppendOptions = {}): AppendResult {
  const schemas = options.schemas ?? new SchemaRegistry();
  // Validate the shape before taking the lock (seq/prev are placeholders of the right form).
  const problems = schemas.validate(LEDGER_SCHEMA, buildEntry(fields, 1, GENESIS_PREV), "entry");
  if (problems.length > 0) throw new ConfigError(`entry does not match ${LEDGER_SCHEMA}: ${problems.map((p) => `${p.location?.pointer || "/"} ${p.message}`).join("; ")}`);
  canonicalJson(fields);
  mkdirSync(dir, { recursive: true });
  const release = acquireLock(dir, options.lockTimeoutMs ?? 60_000);
  try {
    const files = ledgerFiles(dir);
    const tail = readTail(dir, files);
    const seq = tail ? tail.entry.seq + 1 : 1;
    const prev = tail ? entryHash(tail.entry) : GENESIS_PREV;
    const entry = buildEntry(fields, seq, prev);
    if (fields.corrects !== undefined) {
      const target = Number(fields.corrects) < seq ? findEntry(dir, files, Number(fields.corrects)) : undefined;
      const problem = correctionProblem(entry, target);
      if (problem) throw new ConfigError(problem);
    }
    const now = (options.now ?? (() => new Date()))();
    const month = `${now.getUTCFullYear().toString().padStart(4, "0")}-${String(now.getUTCMonth() + 1).padStart(2, "0")}.jsonl`;
    // Never append into a month before the tail's file: the chain order must follow file order.
    const last = files[files.length - 1];
    const name = last !== undefined && last > month ? last : month;
    const path = join(dir, name);
    const isNew = !existsSync(path);
    const line = Buffer.from(`${JSON.stringify(entry)}\n`, "utf8");
    options.beforeWrite?.();
    const fd = openLedgerFile(path, constants.O_WRONLY | constants.O_APPEND | constants.O_CREAT, 0o644);
    try {
      const before = fstatSync(fd).size;
      const written = writeSync(fd, line);
      if (written !== line.length) {
        ftruncateSync(fd, before);
        throw new ConfigError(`short write (${written} of ${line.length} bytes); nothing was appended`, displayPath(path));
      }
      fsyncSync(fd);
    } finally {
      closeSync(fd);
    }
    if (isNew) fsyncDir(dir);
    const lineNo = tail && tail.file === name ? tail.line + 1 : 1;
    return { entry, file: displayPath(path), line: lineNo, sha256: entryHash(entry) };
  } finally {
    release();
  }
}

interface Tail {
  entry: LedgerEntry;
  file: string;
  line: number;
}

/**
 * The last complete entry, reading only the end of the last non-empty month file. A torn tail
 * (bytes after the last newline) is moved to `<file>.<time>.torn` and cut off, so the next entry
 * starts on a fresh line; the cut bytes never were an acknowledged entry.
 */
function readTail(dir: string, files: string[]): Tail | undefined {
  for (let i = files.length - 1; i >= 0; i--) {
    const name = files[i]!;
    const path = join(dir, name);
    const fd = openLedgerFile(path, constants.O_RDWR);
    try {
      let size = fstatSync(fd).size;
      if (size === 0) continue;
      const lastByte = Buffer.alloc(1);
      readSync(fd, lastByte, 0, 1, size - 1);
      if (lastByte[0] !== 0x0a) {
        const cut = lastNewline(fd, size);
        const fragment = Buffer.alloc(size - cut);
        readSync(fd, fragment, 0, fragment.length, cut);
        writeFileSync(join(dir, `${name}.${Date.now()}.${process.pid}.torn`), fragment);
        ftruncateSync(fd, cut);
        fsyncSync(fd);
        size = cut;
        if (size === 0) continue;
      }
      const start = lastNewline(fd, size - 1);
      const buffer = Buffer.alloc(size - 1 - start);
      readSync(fd, buffer, 0, buffer.length, start);
      let entry: LedgerEntry;
      try {
        entry = parseDocument(decodeText(buffer), "json") as LedgerEntry;
      } catch (error) {
        throw new ConfigError(`the last entry is not valid JSON (${(error as Error).message}); run \`gatehouse ledger verify\``, displayPath(path));
      }
      if (!Number.isSafeInteger(entry.seq) || entry.seq < 1) {
        throw new ConfigError("the last entry has no valid seq; run `gatehouse ledger verify`", displayPath(path));
      }
      return { entry, file: name, line: countLines(fd, size) };
    } finally {
      closeSync(fd);
    }
  }
  return undefined;
}

/** The entry with `seq`, searching month files from the newest (corrections are usually recent). */
function findEntry(dir: string, files: string[], seq: number): LedgerEntry | undefined {
  for (let i = files.length - 1; i >= 0; i--) {
    const lines = readLedgerText(join(dir, files[i]!)).split("\n");
    for (const line of lines) {
      if (!new RegExp(`"seq"\\s*:\\s*${seq}\\b`).test(line)) continue;
      try {
        const entry = JSON.parse(line) as LedgerEntry;
        if (entry.seq === seq) return entry;
      } catch {
        // a malformed line is verify's business
      }
    }
    const first = lines.find((l) => l.trim() !== "");
    if (first) {
      try {
        if ((JSON.parse(first) as LedgerEntry).seq < seq) return undefined;
      } catch {
        // keep searching older files
      }
    }
  }
  return undefined;
}

/** Month files are read whole by verify; a bigger one is not a sign-off ledger. */
const MAX_LEDGER_FILE_BYTES = 64 * 1024 * 1024;

/** A month file's text, through the untrusted-file reader (a regular file, capped). */
function readLedgerText(path: string): string {
  try {
    return readUntrustedText(path, { maxBytes: MAX_LEDGER_FILE_BYTES });
  } catch (error) {
    if (error instanceof UntrustedFileError) throw new ConfigError(`cannot read the ledger file: ${error.reason}`, displayPath(path));
    throw error;
  }
}

/** A month file opened to append or repair: never through a symlink, never a FIFO or device. */
function openLedgerFile(path: string, flags: number, mode?: number): number {
  try {
    return openForUpdate(path, flags, mode);
  } catch (error) {
    if (error instanceof UntrustedFileError) throw new ConfigError(`cannot open the ledger file: ${error.reason}`, displayPath(path));
    throw error;
  }
}

/** Offset just after the last newline strictly before `end` (0 when there is none). */
function lastNewline(fd: number, end: number): number {
  const chunk = Buffer.alloc(64 * 1024);
  let pos = end;
  while (pos > 0) {
    const from = Math.max(0, pos - chunk.length);
    const n = readSync(fd, chunk, 0, pos - from, from);
    const at = chunk.subarray(0, n).lastIndexOf(0x0a);
    if (at !== -1) return from + at + 1;
    pos = from;
  }
  return 0;
}

function countLines(fd: number, size: number): number {
  const chunk = Buffer.alloc(256 * 1024);
  let lines = 0;
  for (let pos = 0; pos < size; ) {
    const n = readSync(fd, chunk, 0, Math.min(chunk.length, size - pos), pos);
    for (let i = 0; i < n; i++) if (chunk[i] === 0x0a) lines++;
    pos += n;
  }
  return lines;
}

function fsyncDir(dir: string): void {
  let fd: number | undefined;
  try {
    fd = openSync(dir, "r");
    fsyncSync(fd);
  } catch {
    // Some platforms cannot fsync a directory; the file itself was fsynced.
  } finally {
    if (fd !== undefined) closeSync(fd);
  }
}

// ---------------------------------------------------------------------------------------------
// lock

interface LockRecord {
  pid: number;
  host: string;
  time: string;
  token: string;
}

const sleeper = new Int32Array(new SharedArrayBuffer(4));
function sleepMs(ms: number): void {
  Atomics.wait(sleeper, 0, 0, ms);
}

/**
 * Lock files are created whole: the record is written to a private temp file once, then
 * hard-linked into place (link(2) fails with EEXIST atomically, like O_EXCL), so a lock is never
 * observed empty or half-written. `tryLink` is one attempt; the caller removes the temp file.
 */
function writeLockTemp(path: string, record: LockRecord): string {
  const tmp = `${path}.${record.token}.tmp`;
  writeFileSync(tmp, JSON.stringify(record), { flag: "wx", mode: 0o644 });
  return tmp;
}

function tryLink(tmp: string, path: string): boolean {
  try {
    linkSync(tmp, path);
    return true;
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === "EEXIST") return false;
    throw error;
  }
}

function tryCreate(path: string, record: LockRecord): boolean {
  const tmp = writeLockTemp(path, record);
  try {
    return tryLink(tmp, path);
  } finally {
    unlinkSync(tmp);
  }
}

function readLock(path: string): { text: string; record?: LockRecord } | undefined {
  let text: string;
  try {
    text = readUntrustedText(path, { maxBytes: 64 * 1024 });
  } catch {
    return undefined;
  }
  try {
    return { text, record: JSON.parse(text) as LockRecord };
  } catch {
    return { text };
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

/**
 * A lock is stale when its holder on this host is gone. A lock from another host is never broken.
 * An unreadable record (edited by hand, disk trouble) counts as stale once it is a minute old.
 */
function isStale(path: string, lock: { text: string; record?: LockRecord }): boolean {
  if (!lock.record || typeof lock.record.pid !== "number") {
    try {
      return Date.now() - statSync(path).mtimeMs > 60_000;
    } catch {
      return false;
    }
  }
  return lock.record.host === hostname() && !pidAlive(lock.record.pid);
}

export function acquireLock(dir: string, timeoutMs: number): () => void {
  const path = join(dir, LOCK_NAME);
  const record: LockRecord = { pid: process.pid, host: hostname(), time: new Date().toISOString(), token: `${process.pid}-${Math.random().toString(36).slice(2)}` };
  const deadline = Date.now() + timeoutMs;
  let wait = 1;
  const tmp = writeLockTemp(path, record);
  try {
    for (;;) {
      if (!existsSync(path) && tryLink(tmp, path)) break;
      const held = readLock(path);
      if (held && isStale(path, held)) breakStaleLock(dir, held.text, record);
      if (Date.now() > deadline) {
        throw new ConfigError(`could not take the ledger lock within ${timeoutMs} ms (held by ${held?.text ?? "?"})`, displayPath(path));
      }
      sleepMs(wait + Math.random() * wait);
      wait = Math.min(wait * 2, 4);
    }
  } finally {
    unlinkSync(tmp);
  }
  // Holding the lock: lock temp files of processes killed while waiting go now, not only when a stale lock is broken.
  removeDeadTemps(dir);
  return () => {
    const current = readLock(path);
    if (current?.record?.token === record.token) unlinkSync(path);
  };
}

/**
 * Breakers serialise on a second exclusive lock and re-read the main lock under it, so the lock
 * they remove is exactly the stale one they judged, never a fresh lock taken meanwhile.
 */
function breakStaleLock(dir: string, staleText: string, self: LockRecord): void {
  const path = join(dir, LOCK_NAME);
  const breakPath = join(dir, BREAK_LOCK_NAME);
  if (!tryCreate(breakPath, { ...self, token: `${self.token}-break` })) {
    const breaker = readLock(breakPath);
    if (breaker && isStale(breakPath, breaker)) {
      try {
        unlinkSync(breakPath);
      } catch {
        // another process removed it first
      }
    }
    return;
  }
  try {
    const again = readLock(path);
    if (again && again.text === staleText) {
      unlinkSync(path);
      removeDeadTemps(dir);
    }
  } finally {
    unlinkSync(breakPath);
  }
}

/** Lock temp files (`.lock.<pid>-<rand>.tmp`) left by processes that died while waiting. */
function removeDeadTemps(dir: string): void {
  for (const name of readdirSync(dir)) {
    const match = /^\.lock(?:\.break)?\.(\d+)-[\w-]+\.tmp$/.exec(name);
    if (match && !pidAlive(Number(match[1]))) {
      try {
        unlinkSync(join(dir, name));
      } catch {
        // already gone
      }
    }
  }
}
