// Every job's document, parsed in the calling thread: for `gatehouse parse` (what policies see)
// and `check --combine` (one input holding every file, conftest's CheckCombined). The gate's
// own runs parse JSON/YAML in the evaluators instead (evaluate-input.ts); both paths use the
// same parsers, reader and refusals.

import { isUtf8 } from "node:buffer";
import { sha256 } from "../core/digest.js";
import { readUntrustedFile, UntrustedFileError } from "../core/read.js";
import { InputParseError, loadParser, NotADocumentError, parseInput, parserFor } from "../inputs/parsers/index.js";
import type { InputJob } from "./evaluate-input.js";
import { inlineBytes, preparseJobs, type PreparseOptions } from "./preparse.js";

/** Parses every job in place: each leaves with `document` (and `source`) or `refused`. */
export async function parseJobs(jobs: InputJob[], options: PreparseOptions): Promise<void> {
  await preparseJobs(jobs, options);
  for (const job of jobs) {
    if (job.document !== undefined || job.refused !== undefined) continue;
    parseInProcess(job, options.maxInputBytes);
  }
}

function parseInProcess(job: InputJob, maxInputBytes: number): void {
  let bytes: Buffer;
  if (job.file !== undefined) {
    try {
      bytes = readUntrustedFile(job.file, { maxBytes: maxInputBytes, ...(job.root !== undefined ? { root: job.root } : {}) });
    } catch (error) {
      if (!(error instanceof UntrustedFileError)) throw error;
      job.refused = { code: error.problem === "too-large" ? "input/too-large" : "input/unreadable", message: `cannot read input: ${error.reason}` };
      return;
    }
  } else {
    bytes = inlineBytes(job);
  }
  const digest = { sha256: sha256(bytes), bytes: bytes.byteLength };
  if (bytes.byteLength > maxInputBytes) {
    job.refused = { code: "input/too-large", message: `input is ${bytes.byteLength} bytes, over the ${maxInputBytes}-byte limit`, ...digest };
    return;
  }
  if (!isUtf8(bytes)) {
    job.refused = { code: "input/unparsable", message: "not valid UTF-8 text", ...digest };
    return;
  }
  const text = bytes.toString("utf8");
  // stdin without --parser: JSON or YAML by content, as the gate reads it.
  const format = job.file !== undefined ? parserFor(job.file, job.parser) : (job.parser ?? (looksLikeJson(text) ? "json" : "yaml"));
  const parser = format === undefined ? undefined : loadParser(format);
  if (parser === undefined) {
    job.refused = { code: "input/unsupported-format", message: "no parser claims this file name (--parser NAME picks one)", ...digest };
    return;
  }
  try {
    job.document = parseInput(parser, text, { path: job.display }).value;
    job.source = digest;
  } catch (error) {
    if (error instanceof NotADocumentError) job.refused = { code: "input/not-a-document", message: error.message, ...digest };
    else if (error instanceof InputParseError) job.refused = { code: "input/unparsable", message: error.message, ...digest };
    else throw error;
  }
}

/**
 * conftest's CombineConfigurations: one input `[{path, contents}]`, a multi-document file
 * giving one entry per document, sorted by path (stably, so a file's documents keep their
 * order), evaluated whole. Jobs that were refused stay apart and deny on their own.
 */
export function combineJobs(jobs: readonly InputJob[]): InputJob[] {
  const refused = jobs.filter((job) => job.refused !== undefined);
  const entries: { path: string; contents: unknown }[] = [];
  for (const job of jobs) {
    if (job.refused !== undefined) continue;
    const documents = Array.isArray(job.document) ? (job.document as unknown[]) : [job.document];
    // conftest's text of the path (`./a.json` as written), which a policy may compare.
    for (const contents of documents) entries.push({ path: job.conftestPath ?? job.display, contents });
  }
  // An empty combined list is nothing to evaluate: no rule can deny it, so it must not allow.
  // No job at all is the run's gate/no-inputs; only refused jobs deny on their own; files that
  // parsed to no document (a `[]`) are the empty list `check` refuses file by file.
  if (jobs.length === 0) return [];
  if (entries.length === 0) {
    if (refused.length > 0) return refused;
    return [{ display: "Combined", refused: { code: "gate/zero-rules", message: `the combined input is an empty list (no document in ${jobs.map((job) => job.display).join(", ")}): nothing was evaluated` } }];
  }
  entries.sort((a, b) => (a.path < b.path ? -1 : a.path > b.path ? 1 : 0));
  return [...refused, { display: "Combined", document: entries, whole: true }];
}

function looksLikeJson(text: string): boolean {
  const start = text.trimStart();
  if (!start.startsWith("{") && !start.startsWith("[")) return false;
  try {
    JSON.parse(text);
    return true;
  } catch {
    return false;
  }
}
