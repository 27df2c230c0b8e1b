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
//
// The directory is anchored: HEAD holds the seq and sha256 of the last entry, rewritten (atomically,
// under the lock) after every append and committed with it, so removing entries, renaming a month
// file away or starting a fresh chain no longer verifies; with a base ref, the head recorded there
// must still be in the chain (the ledger only moves forward). An operation is signed off once (a
// later entry about it is a correction), never executed before its approval, by identities that
// src/core/identity.ts accepts; any file the ledger does not write is refused.

import { closeSync, existsSync, fstatSync, fsyncSync, ftruncateSync, linkSync, lstatSync, mkdirSync, openSync, readdirSync, readSync, renameSync, statSync, unlinkSync, writeFileSync, writeSync, constants } from "node:fs";
import { hostname } from "node:os";
import { join } from "node:path";
import canonicalizeModule from "canonicalize";
import type { GateCode } from "../core/codes.js";
import { ConfigError } from "../core/errors.js";
import { identityProblems } from "./approval.js";
import { sha256 } from "../core/digest.js";
import { displayPath } from "../core/paths.js";
import { openForUpdate, readUntrustedFile, readUntrustedText, UntrustedFileError } from "../core/read.js";
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
export const HEAD_NAME = "HEAD";
/** What an append sets aside from a torn tail: `<month file>.<ms>.<pid>.torn`, a partial line. */
const TORN_FILE = /^\d{4}-(0[1-9]|1[0-2])\.jsonl\.\d+\.\d+\.torn$/;
/** Temp files of the lock and of HEAD, named by the writer's pid and a token. */
const TEMP_FILE = /^\.(lock(\.break)?|HEAD)\.\d+-[\w-]+\.tmp$/;
const MAX_SMALL_FILE = 4096;
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
  kind: "malformed" | "torn" | "invalid" | "gap" | "order" | "chain" | "correction" | "layout" | "duplicate" | "timestamps" | "identity" | "head";
  message: string;
}

/** The finding code of each kind of ledger problem. */
export const LEDGER_PROBLEM_CODES: Record<LedgerProblem["kind"], GateCode> = {
  gap: "ledger/broken",
  order: "ledger/broken",
  chain: "ledger/broken",
  correction: "ledger/broken",
  malformed: "ledger/malformed",
  torn: "ledger/malformed",
  invalid: "ledger/malformed",
  layout: "ledger/unknown-file",
  duplicate: "ledger/duplicate-operation",
  timestamps: "ledger/approval-after-execution",
  identity: "identity/invalid",
  head: "ledger/head-mismatch",
};

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

export interface LedgerHead {
  seq: number;
  sha256: string;
}

/**
 * Files in the ledger directory that the ledger did not write, with why: anything but month
 * files, HEAD, .gitkeep, the locks, their small temp files and torn fragments (a partial line:
 * a fragment holding a newline is a month file renamed, say, to hide it).
 */
function strayFiles(dir: string): { name: string; why: string }[] {
  if (!existsSync(dir)) return [];
  const stray: { name: string; why: string }[] = [];
  for (const name of readdirSync(dir).sort()) {
    if (LEDGER_FILE.test(name) || name === HEAD_NAME || name === ".gitkeep" || name === LOCK_NAME || name === BREAK_LOCK_NAME) continue;
    const path = join(dir, name);
    // lstat: a link in the ledger directory is never followed (a dangling one is a stray, not a crash).
    const stat = lstatSync(path);
    if (stat.isSymbolicLink()) {
      stray.push({ name, why: "a symbolic link" });
    } else if (!stat.isFile()) {
      stray.push({ name, why: "not a regular file" });
    } else if (TEMP_FILE.test(name)) {
      if (stat.size > MAX_SMALL_FILE) stray.push({ name, why: `named like a temp file but ${stat.size} bytes` });
    } else if (TORN_FILE.test(name)) {
      if (readUntrustedFile(path, { maxBytes: MAX_LEDGER_FILE_BYTES, noFollow: true }).includes(0x0a)) stray.push({ name, why: "named like a torn fragment but it holds complete lines (a renamed month file?)" });
    } else {
      stray.push({ name, why: "month files are YYYY-MM.jsonl" });
    }
  }
  return stray;
}

/** HEAD as recorded, undefined when there is none; a problem message when it is unreadable. */
function readHead(dir: string): { head?: LedgerHead; problem?: string } {
  const path = join(dir, HEAD_NAME);
  if (lstatSync(path, { throwIfNoEntry: false }) === undefined) return {};
  try {
    return parseHead(readUntrustedText(path, { maxBytes: MAX_SMALL_FILE, noFollow: true }));
  } catch (error) {
    if (error instanceof UntrustedFileError) return { problem: `${HEAD_NAME} ${error.problem === "too-large" ? `is over ${MAX_SMALL_FILE} bytes` : `cannot be read: ${error.reason}`}` };
    throw error;
  }
}

/** HEAD's text: one JSON object `{"seq": N, "sha256": "<hex>"}` and a newline. */
export function parseHead(text: string): { head?: LedgerHead; problem?: string } {
  try {
    const value = JSON.parse(text) as Partial<LedgerHead>;
    if (Number.isSafeInteger(value.seq) && (value.seq as number) >= 1 && typeof value.sha256 === "string" && /^[0-9a-f]{64}$/.test(value.sha256)) {
      return { head: { seq: value.seq as number, sha256: value.sha256 } };
    }
  } catch {
    // reported below
  }
  return { problem: `${HEAD_NAME} is not {"seq": N, "sha256": "<64 hex>"}` };
}

function headText(head: LedgerHead): string {
  return `${JSON.stringify({ seq: head.seq, sha256: head.sha256 })}\n`;
}

/** An RFC 3339 timestamp as nanoseconds since the epoch; undefined when it is not one. */
function instantNs(text: unknown): bigint | undefined {
  if (typeof text !== "string") return undefined;
  const m = /^(\d{4})-(\d{2})-(\d{2})[Tt](\d{2}):(\d{2}):(\d{2})(?:\.(\d+))?([Zz]|([+-])(\d{2}):(\d{2}))$/.exec(text);
  if (!m) return undefined;
  const ms = Date.UTC(Number(m[1]), Number(m[2]) - 1, Number(m[3]), Number(m[4]), Number(m[5]), Number(m[6]));
  if (Number.isNaN(ms)) return undefined;
  const offsetMin = m[9] ? (m[9] === "-" ? -1 : 1) * (Number(m[10]) * 60 + Number(m[11])) : 0;
  const fraction = BigInt((m[7] ?? "").slice(0, 9).padEnd(9, "0"));
  return (BigInt(ms) - BigInt(offsetMin) * 60_000n) * 1_000_000n + fraction;
}

/** Why an entry's approval does not precede its execution (undefined when it does). */
function timestampProblem(entry: Record<string, unknown>): string | undefined {
  const approved = instantNs(entry.approval_timestamp);
  const executed = instantNs(entry.execution_timestamp);
  if (approved === undefined || executed === undefined) return "approval_timestamp and execution_timestamp must be RFC 3339 instants";
  if (approved > executed) return `approved at ${String(entry.approval_timestamp)}, after its execution at ${String(entry.execution_timestamp)}: an operation runs only once approved`;
  return undefined;
}

export interface VerifyOptions {
  /** the head recorded at a base ref: the chain must still hold it (the ledger only moves forward) */
  baseHead?: LedgerHead;
  /** where baseHead came from, for messages */
  baseName?: string;
}

export function verifyLedger(dir: string, schemas: SchemaRegistry = new SchemaRegistry(), options: VerifyOptions = {}): VerifyResult {
  const problems: LedgerProblem[] = [];
  const files = ledgerFiles(dir);
  for (const stray of strayFiles(dir)) {
    problems.push({ file: displayPath(join(dir, stray.name)), line: 0, kind: "layout", message: `unexpected file in the ledger directory (${stray.why})` });
  }
  const hashes = new Map<number, string>();
  const signedOff = new Map<string, string>();
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
      text = readUntrustedText(path, { maxBytes: MAX_LEDGER_FILE_BYTES, noFollow: true });
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
      if (invalid.length === 0) {
        for (const message of identityProblems(e)) report("identity", message);
        const timing = timestampProblem(e);
        if (timing) report("timestamps", `${String(e.operation_id)}: ${timing}`);
        // One sign-off per operation; later entries about it are corrections.
        if (e.corrects === undefined) {
          const id = String(e.operation_id);
          const first = signedOff.get(id);
          if (first) report("duplicate", `${id} was already signed off at ${first}; a later entry about an operation is a correction (corrects: <seq>)`);
          else signedOff.set(id, `${shown}:${lineNo} (seq ${e.seq})`);
        }
      }
      seen.set(e.seq, e);
      hashes.set(e.seq, hash);
      entries++;
      // Resynchronise on what is actually there so one break is reported once, not cascaded.
      expectedSeq = e.seq + 1;
      prevHash = hash;
      prevWhere = `${shown}:${lineNo}`;
      head = { seq: e.seq, sha256: hash };
    }
  }
  problems.push(...headProblems(dir, head, hashes, options));
  return { problems, entries, files: files.map((f) => displayPath(join(dir, f))), ...(head ? { head } : {}) };
}

/**
 * HEAD against the chain: the last entry, or the one before it (an append killed between its
 * write and HEAD's). Missing while the ledger has entries, or naming an entry the chain does not
 * hold, is a problem; so is a base head the chain no longer holds.
 */
function headProblems(dir: string, last: LedgerHead | undefined, hashes: Map<number, string>, options: VerifyOptions): LedgerProblem[] {
  const shown = displayPath(join(dir, HEAD_NAME));
  const problem = (message: string): LedgerProblem => ({ file: shown, line: 0, kind: "head", message });
  const out: LedgerProblem[] = [];
  const recorded = readHead(dir);
  if (recorded.problem) out.push(problem(`${recorded.problem}; restore it from version control`));
  else if (!recorded.head) {
    if (last) out.push(problem(`no ${HEAD_NAME} while the ledger holds ${last.seq} entries: nothing anchors its end; if this history is right, run \`gatehouse ledger anchor\` and commit ${HEAD_NAME}`));
  } else {
    const head = recorded.head;
    const atHead = hashes.get(head.seq) === head.sha256;
    const lagsOne = last !== undefined && last.seq === head.seq + 1 && atHead;
    if (!last) out.push(problem(`${HEAD_NAME} records seq ${head.seq} but the ledger holds no entries: its history was removed or renamed away`));
    else if (!((last.seq === head.seq && last.sha256 === head.sha256) || lagsOne)) {
      out.push(problem(atHead
        ? `${HEAD_NAME} records seq ${head.seq} but the ledger ends at seq ${last.seq}: entries after the head were added outside \`gatehouse ledger append\``
        : `${HEAD_NAME} records seq ${head.seq} sha256 ${head.sha256.slice(0, 12)}…, which the chain (ending at seq ${last.seq}) does not hold: entries were removed, edited or replaced by a fresh chain`));
    }
  }
  if (options.baseHead) {
    const base = options.baseHead;
    if (hashes.get(base.seq) !== base.sha256 || (last?.seq ?? 0) < base.seq) {
      out.push(problem(`the head at ${options.baseName ?? "the base ref"} (seq ${base.seq} sha256 ${base.sha256.slice(0, 12)}…) is not in the chain: the ledger moved backwards or was rewritten`));
    }
  }
  return out;
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
  const refused = identityProblems(fields);
  if (refused.length > 0) throw new ConfigError(`${refused.join("; ")}; the entry was not appended`);
  const timing = timestampProblem(fields);
  if (timing) throw new ConfigError(`${String(fields.operation_id)}: ${timing}; the entry was not appended`);
  mkdirSync(dir, { recursive: true });
  const release = acquireLock(dir, options.lockTimeoutMs ?? 60_000);
  try {
    const files = ledgerFiles(dir);
    const tail = readTail(dir, files);
    const seq = tail ? tail.entry.seq + 1 : 1;
    const prev = tail ? entryHash(tail.entry) : GENESIS_PREV;
    checkHeadBeforeAppend(dir, tail?.entry, prev);
    const entry = buildEntry(fields, seq, prev);
    if (fields.corrects !== undefined) {
      const target = Number(fields.corrects) < seq ? findEntry(dir, files, Number(fields.corrects)) : undefined;
      const problem = correctionProblem(entry, target);
      if (problem) throw new ConfigError(problem);
    } else {
      const earlier = findSignOff(dir, files, String(fields.operation_id));
      if (earlier) throw new ConfigError(`${String(fields.operation_id)} was already signed off (seq ${earlier.seq}); a later entry about it is a correction (corrects: ${earlier.seq})`);
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
    writeHead(dir, { seq, sha256: entryHash(entry) });
    const lineNo = tail && tail.file === name ? tail.line + 1 : 1;
    return { entry, file: displayPath(path), line: lineNo, sha256: entryHash(entry) };
  } finally {
    release();
  }
}

/**
 * HEAD must name the tail (or the entry before it, when an append was killed between its write
 * and HEAD's); a ledger with entries and no HEAD is not appended to until it is anchored.
 */
function checkHeadBeforeAppend(dir: string, tail: LedgerEntry | undefined, tailHash: string): void {
  const recorded = readHead(dir);
  const where = displayPath(join(dir, HEAD_NAME));
  if (recorded.problem) throw new ConfigError(`${recorded.problem}; run \`gatehouse ledger verify\``, where);
  const head = recorded.head;
  if (!head) {
    if (tail) throw new ConfigError(`no ${HEAD_NAME} while the ledger holds entries; run \`gatehouse ledger verify\`, then \`gatehouse ledger anchor\``, where);
    return;
  }
  const matches = tail !== undefined && ((head.seq === tail.seq && head.sha256 === tailHash) || (head.seq === tail.seq - 1 && head.sha256 === tail.prev));
  if (!matches) throw new ConfigError(`${HEAD_NAME} (seq ${head.seq}) does not match the ledger's last entry${tail ? ` (seq ${tail.seq})` : " (there is none)"}; run \`gatehouse ledger verify\``, where);
}

/**
 * Writes HEAD whole: a synced temp file renamed over it. The directory is not synced again (the
 * entry itself already is): a rename lost to a crash leaves the previous HEAD, which verify and
 * append accept as one append behind.
 */
function writeHead(dir: string, head: LedgerHead): void {
  const tmp = join(dir, `.${HEAD_NAME}.${process.pid}-${Math.random().toString(36).slice(2)}.tmp`);
  const fd = openSync(tmp, "wx", 0o644);
  try {
    writeSync(fd, headText(head));
    fsyncSync(fd);
  } finally {
    closeSync(fd);
  }
  renameSync(tmp, join(dir, HEAD_NAME));
}

/** Anchors a ledger that verifies but has no HEAD (one written before HEAD existed). */
export function anchorLedger(dir: string, schemas: SchemaRegistry = new SchemaRegistry(), lockTimeoutMs = 60_000): LedgerHead {
  const release = acquireLock(dir, lockTimeoutMs);
  try {
    const result = verifyLedger(dir, schemas);
    if (readHead(dir).head || readHead(dir).problem) throw new ConfigError(`${HEAD_NAME} exists; restore the ledger from version control instead of re-anchoring it`, displayPath(join(dir, HEAD_NAME)));
    const other = result.problems.filter((p) => p.kind !== "head");
    if (other.length > 0) throw new ConfigError(`the ledger does not verify (${other.length} problems); run \`gatehouse ledger verify\``, displayPath(dir));
    if (!result.head) throw new ConfigError("the ledger has no entries to anchor", displayPath(dir));
    writeHead(dir, result.head);
    return result.head;
  } finally {
    release();
  }
}

/**
 * Why an entry cannot be appended as a sign-off, before taking the lock (the CLI reports these as
 * findings; appendEntry checks them again under the lock): approved after it ran, or an
 * operation already signed off.
 */
export function signOffProblems(dir: string, fields: Record<string, unknown>): { code: GateCode; message: string }[] {
  const problems: { code: GateCode; message: string }[] = [];
  const timing = timestampProblem(fields);
  if (timing) problems.push({ code: "ledger/approval-after-execution", message: `${String(fields.operation_id)}: ${timing}` });
  if (fields.corrects === undefined && typeof fields.operation_id === "string") {
    const earlier = findSignOff(dir, ledgerFiles(dir), fields.operation_id);
    if (earlier) problems.push({ code: "ledger/duplicate-operation", message: `${fields.operation_id} was already signed off (seq ${earlier.seq}); a later entry about it is a correction (corrects: ${earlier.seq})` });
  }
  return problems;
}

/** The sign-off (non-correction entry) of an operation, searching every month file. */
function findSignOff(dir: string, files: string[], operationId: string): LedgerEntry | undefined {
  const needle = Buffer.from(JSON.stringify(operationId));
  for (const name of files) {
    // Month files are verified (and read through the untrusted reader) before an append gets here.
    const bytes = readUntrustedFile(join(dir, name), { maxBytes: MAX_LEDGER_FILE_BYTES, noFollow: true });
    if (!bytes.includes(needle)) continue;
    for (const line of bytes.toString("utf8").split("\n")) {
      if (!line.includes(JSON.stringify(operationId))) continue;
      try {
        const entry = JSON.parse(line) as LedgerEntry;
        if (entry.operation_id === operationId && entry.corrects === undefined) return entry;
      } catch {
        // a malformed line is verify's business
      }
    }
  }
  return undefined;
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
    return readUntrustedText(path, { maxBytes: MAX_LEDGER_FILE_BYTES, noFollow: true });
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
    text = readUntrustedText(path, { maxBytes: 64 * 1024, noFollow: true });
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

/** Lock and HEAD temp files (`.lock.<pid>-<rand>.tmp`, `.HEAD.<pid>-<rand>.tmp`) left by processes that died. */
function removeDeadTemps(dir: string): void {
  for (const name of readdirSync(dir)) {
    const match = /^\.(?:lock(?:\.break)?|HEAD)\.(\d+)-[\w-]+\.tmp$/.exec(name);
    if (match && !pidAlive(Number(match[1]))) {
      try {
        unlinkSync(join(dir, name));
      } catch {
        // already gone
      }
    }
  }
}
