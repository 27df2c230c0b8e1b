// The pre-parse step: files in a format conftest's parsers read (everything but JSON and YAML)
// are read here, in the main thread, and parsed in one toolchain request per format for the
// whole run (src/inputs/parsers/conftest.ts), because those parsers are asynchronous and batched
// while the per-input pipeline is synchronous. Each such job leaves with its document and the
// digest of the bytes it came from, or with the refusal its input denies with; the JSON/YAML
// jobs are untouched and keep the fast path of evaluate-input.ts.

import { isUtf8 } from "node:buffer";
import { sha256 } from "../core/digest.js";
import { readUntrustedFile, UntrustedFileError } from "../core/read.js";
import { assertDocuments, InputParseError, loadFormatParser, NotADocumentError, parserFor, type BatchFile, type BatchParser, type ParserName } from "../inputs/parsers/index.js";
import type { InputJob } from "./evaluate-input.js";

export interface PreparseOptions {
  maxInputBytes: number;
  /** conftest's --proto-file-dirs, for textproto inputs */
  protoFileDirs?: readonly string[];
  /** how long one batched parse may run (default PARSE_TIMEOUT_MS): a parser never hangs the run */
  timeoutMs?: number;
}

/** The parse budget when the command has no --timeout (gatehouse parse): check's default. */
export const PARSE_TIMEOUT_MS = 10_000;

/** The batched parser a job needs, or undefined when it is parsed in-process (or is a document). */
function batchParserOf(job: InputJob): { name: ParserName; parser: BatchParser } | undefined {
  if (job.document !== undefined || job.refused !== undefined) return undefined;
  const name = job.file !== undefined ? parserFor(job.file, job.parser) : job.parser;
  if (name === undefined) return undefined;
  const parser = loadFormatParser(name);
  return parser?.batch ? { name, parser } : undefined;
}

/** Parses, in place, every job whose format is batched; returns whether there was any. */
export async function preparseJobs(jobs: InputJob[], options: PreparseOptions): Promise<boolean> {
  const groups = new Map<ParserName, { parser: BatchParser; jobs: InputJob[]; files: BatchFile[] }>();
  for (const job of jobs) {
    const selected = batchParserOf(job);
    if (!selected) continue;
    const bytes = readJobBytes(job, options.maxInputBytes);
    if (bytes === undefined) continue;
    const digest = { sha256: sha256(bytes), bytes: bytes.byteLength };
    // The formats are text: bytes that are not UTF-8 would reach the policy with replacement
    // characters (Go's JSON encoding substitutes them), a document nobody wrote.
    if (!isUtf8(bytes)) {
      job.refused = { code: "input/unparsable", message: "not valid UTF-8 text", ...digest };
      continue;
    }
    job.source = digest;
    const group = groups.get(selected.name) ?? { parser: selected.parser, jobs: [], files: [] };
    group.jobs.push(job);
    group.files.push({ path: job.file ?? "-", bytes });
    groups.set(selected.name, group);
  }
  // One request per format, all formats at once.
  await Promise.all(
    [...groups.values()].map(async (group) => {
      const parsed = await group.parser.parseFiles(group.files, {
        timeoutMs: options.timeoutMs ?? PARSE_TIMEOUT_MS,
        ...(options.protoFileDirs ? { protoFileDirs: options.protoFileDirs } : {}),
      });
      for (const [index, job] of group.jobs.entries()) settle(job, parsed[index]!);
    }),
  );
  return groups.size > 0;
}

function settle(job: InputJob, parsed: { ok: true; document: unknown } | { ok: false; error: InputParseError }): void {
  const digest = job.source!;
  if (!parsed.ok) {
    delete job.source;
    job.refused = { code: "input/unparsable", message: parsed.error.message, ...digest };
    return;
  }
  try {
    // conftest evaluates a top-level list element by element, as gatehouse does: each must be a document.
    assertDocuments(Array.isArray(parsed.document) && job.kind === undefined ? parsed.document : [parsed.document]);
  } catch (error) {
    if (!(error instanceof NotADocumentError)) throw error;
    delete job.source;
    job.refused = { code: "input/not-a-document", message: error.message, ...digest };
    return;
  }
  job.document = parsed.document;
}

/** The job's bytes, or undefined after recording why they cannot be had (as evaluate-input.ts words it). */
function readJobBytes(job: InputJob, maxInputBytes: number): Buffer | undefined {
  if (job.file === undefined) {
    const bytes = inlineBytes(job);
    if (bytes.byteLength > maxInputBytes) {
      job.refused = { code: "input/too-large", message: `input is ${bytes.byteLength} bytes, over the ${maxInputBytes}-byte limit`, bytes: bytes.byteLength };
      return undefined;
    }
    return bytes;
  }
  try {
    return readUntrustedFile(job.file, { maxBytes: maxInputBytes, skipStatBeforeOpen: true, ...(job.root !== undefined ? { root: job.root } : {}) });
  } catch (error) {
    if (!(error instanceof UntrustedFileError)) throw error;
    if (error.problem === "too-large") {
      const grew = error.reason.includes("grew");
      job.refused = {
        code: "input/too-large",
        message: grew ? `input is over the ${maxInputBytes}-byte limit (it grew while being read)` : `input is ${error.bytes} bytes, over the ${maxInputBytes}-byte limit`,
        bytes: error.bytes ?? 0,
      };
    } else {
      job.refused = { code: "input/unreadable", message: `cannot read input: ${error.reason}` };
    }
    return undefined;
  }
}

/** A job's own bytes, when it names no file: stdin is read as bytes, a collector's input is text. */
export function inlineBytes(job: InputJob): Buffer {
  if (job.bytes !== undefined) return Buffer.from(job.bytes.buffer, job.bytes.byteOffset, job.bytes.byteLength);
  return Buffer.from(job.text ?? "", "utf8");
}
