// What every input parser implements, and the names of the formats gatehouse knows (conftest's,
// so that `--parser NAME` and file-name selection mean the same in both tools).

/** conftest's parser names (parser/parser.go), plus its `jsonc` alias. */
export type ParserName =
  | "codeowners"
  | "cue"
  | "cyclonedx"
  | "dockerfile"
  | "dotenv"
  | "edn"
  | "groovy"
  | "hcl1"
  | "hcl2"
  | "hocon"
  | "ignore"
  | "ini"
  | "json"
  | "jsonc"
  | "jsonnet"
  | "nginx"
  | "properties"
  | "spdx"
  | "textproto"
  | "toml"
  | "vcl"
  | "xml"
  | "yaml";

export class InputParseError extends Error {
  override name = "InputParseError";
}

/**
 * A document that parsed to a bare scalar (string, number, boolean, null) where the format
 * yields a mapping or a list: not what the policies were written for, so it is refused.
 */
export class NotADocumentError extends InputParseError {
  override name = "NotADocumentError";
}

export interface ParseContext {
  /** the file's path (for messages and formats with relative imports), or "-" for stdin */
  path: string;
}

export interface Parsed {
  /** what the policies see as `input` */
  value: unknown;
  /** the documents of the file: one, or each of a multi-document stream (YAML's `---`) */
  documents: readonly unknown[];
}

/**
 * A format parsed in-process. `parse` is synchronous: it runs inside the per-input pipeline of a worker thread.
 * It throws InputParseError (with the format and the position) for anything it cannot parse
 * exactly, and never falls back to another format.
 */
export interface Parser {
  readonly batch?: undefined;
  parse(text: string, context: ParseContext): Parsed;
}

/** One file for a batch parser: its path (for messages, and imports relative to it) and its bytes. */
export interface BatchFile {
  path: string;
  bytes: Uint8Array;
}

/** A batch parser's answer for one file: its document, or why it has none (an InputParseError). */
export type BatchParsed = { ok: true; document: unknown } | { ok: false; error: InputParseError };

/**
 * A format parsed by conftest's own parser in gatehouse's Go toolchain module: asynchronous and
 * batched (one toolchain request per format per run, not per file), so the gate parses these
 * files before evaluation (src/inputs/preparse.ts) and hands the jobs their documents.
 */
export interface BatchParser {
  readonly batch: true;
  /** conftest's parser name, as `conftest test --parser NAME` */
  readonly conftestName: string;
  parseFiles(files: readonly BatchFile[], options: BatchOptions): Promise<BatchParsed[]>;
}

export interface BatchOptions {
  /** conftest's --proto-file-dirs: where the textproto parser finds its message types */
  protoFileDirs?: readonly string[];
  /** how long one parse request may run before it is stopped (a file alone past it is refused) */
  timeoutMs?: number;
}

export type AnyParser = Parser | BatchParser;
