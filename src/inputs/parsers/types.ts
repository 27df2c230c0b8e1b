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
 * One format. `parse` is synchronous: it runs inside the per-input pipeline of a worker thread.
 * It throws InputParseError (with the format and the position) for anything it cannot parse
 * exactly, and never falls back to another format.
 */
export interface Parser {
  parse(text: string, context: ParseContext): Parsed;
}
