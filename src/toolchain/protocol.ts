// The request/response protocol of gatehouse's Go toolchain module, mirrored from
// tools/wasm/protocol.go: the only place these shapes live on the Node side. Both drivers
// (wasi.ts, native.ts) answer every command in these shapes, so callers never read CLI text.
// Bump PROTOCOL_VERSION with ProtocolVersion in protocol.go: wasi.ts refuses a module built for
// another version.

import { posix } from "node:path";

export const PROTOCOL_VERSION = 3;

/** A file position; `file` is the path as the request gave it (relative to the working directory). */
export interface Location {
  file: string;
  row: number;
  col: number;
}

/** OPA's AST error shape (as `opa check --format json` prints it, without details). */
export interface ToolError {
  code: string;
  message: string;
  location?: Location;
}

/** Code of an error in the request itself, not in the Rego it names. */
export const REQUEST_ERROR = "gatehouse_request_error";

export interface VersionResult {
  opaVersion: string;
  goVersion: string;
}

/**
 * Rego v1 (the default, as OPA 1.x) or v0 (conftest's `--rego-version v0`: v0 syntax and
 * meaning; a module with `import rego.v1` is read as v1 either way, as OPA's parser does).
 */
export type RegoVersion = "v0" | "v1";

/** `opa build -t wasm -e E... --ignore I... PATHS` (`--capabilities` when given). */
export interface BuildArgs {
  paths: string[];
  entrypoints: string[];
  ignore?: string[];
  /** A capabilities document (`opa capabilities` output); this OPA version's own when absent. */
  capabilities?: unknown;
  regoVersion?: RegoVersion;
}

export interface BuildResult {
  /** The bundle (.tar.gz), base64. */
  bundle: string;
}

/** `opa check [--strict] --ignore I... PATHS`. */
export interface CheckArgs {
  paths: string[];
  ignore?: string[];
  strict: boolean;
  capabilities?: unknown;
  regoVersion?: RegoVersion;
}

/** A successful check has no result; a failed one answers with errors. */
export type CheckResult = Record<string, never>;

/** Rego files to parse, each as `opa parse FILE` would. */
export interface ParseArgs {
  paths: string[];
  regoVersion?: RegoVersion;
}

export interface ParsedModule {
  path: string;
  /** The package path without the leading `data`, one segment per entry. */
  package: string[];
  /** The first segment of every rule head, unique, in source order. */
  rules: string[];
  /** How many rules (bodies; an `else` chain is one) each name of `rules` has, in the same order: conftest counts each. */
  definitions: number[];
  /**
   * The data paths the rules define (the package path and each head's ground prefix up to its
   * first non-string term), each once, with the row of its first rule: what OPA's compiler checks
   * base data against (ast.CheckPathConflicts).
   */
  documents: RuleDocument[];
}

export interface RuleDocument {
  path: string[];
  row: number;
}

export interface ParseResult {
  modules: ParsedModule[];
}

/** `opa inspect -a PATH`: one directory (loaded as a bundle) or one file. */
export interface InspectArgs {
  path: string;
  regoVersion?: RegoVersion;
}

export interface Annotation {
  scope: string;
  /** The annotated package or rule path without the leading `data`. */
  path: string[];
  title?: string;
  description?: string;
  custom?: Record<string, unknown>;
  location?: Location;
}

export interface InspectResult {
  annotations: Annotation[];
}

/** `opa fmt` of one module's source; `from: "v0"` reads Rego v0 and writes v1 syntax. */
export interface FmtArgs {
  file: string;
  source: string;
  from?: "v0" | "v1";
}

export interface FmtResult {
  formatted: string;
}

/**
 * `opa test --ignore I... [--run R] PATHS` with conftest verify's loading: only the Rego of
 * `paths`, data only from `data` (JSON and YAML), and conftest's test helpers (parse_config,
 * parse_config_file, parse_combined_config_files) declared to the tests.
 */
export interface TestArgs {
  paths: string[];
  ignore?: string[];
  run?: string;
  regoVersion?: RegoVersion;
  strict?: boolean;
  capabilities?: unknown;
  data?: string[];
  /** Report which deny rules some test makes produce a value (`denyRules`). */
  coverage?: boolean;
  /** Record OPA's interpreter trace of every test (`TestCase.trace`), as conftest verify --trace. */
  trace?: boolean;
}

export interface TestCase {
  /** As OPA names it: `data.<package>`. */
  package: string;
  name: string;
  location?: Location;
  outcome: "pass" | "fail" | "skip" | "error";
  error?: ToolError;
  /** What the test printed. */
  output?: string;
  /** With `trace`: topdown.PrettyTrace of the test's evaluation, one entry per line. */
  trace?: string[];
}

export interface TestResult {
  /** Sorted by file, row, then name (durations left out: results are deterministic). */
  tests: TestCase[];
  /** With coverage: every deny/violation rule outside the test files, and whether a test made it deny. */
  denyRules?: DenyRule[];
}

export interface DenyRule {
  /** The package path without `data.`. */
  package: string;
  rule: string;
  location: Location;
  covered: boolean;
}

/**
 * Configuration files to parse with one of conftest's parsers (its `parser` package, by name, as
 * `conftest test --parser NAME`). The bytes travel in the request: what is parsed is what the
 * caller read and hashed. Paths are relative to the working directory; jsonnet imports and
 * textproto's `.proto` files are read from there.
 */
export interface ParseInputsArgs {
  parser: string;
  files: InputFile[];
  protoFileDirs?: string[];
}

export interface InputFile {
  path: string;
  /** The file's bytes, base64. */
  contents: string;
}

/** One file's document (what conftest evaluates as `input`), or why it has none. */
export interface ParsedInput {
  path: string;
  document?: unknown;
  error?: string;
}

/**
 * The formats whose documents the wasm module checks after conftest's parser has read them
 * (tools/wasm/inputs.go hiddenKeys: keys the parser drops, repeats it keeps the last of, text it
 * leaves out; INI's default section shown). The pinned conftest binary does none of it, so the
 * native driver refuses these files rather than hand a policy a document missing what it hides.
 */
export const WASM_CHECKED_PARSERS: ReadonlySet<string> = new Set(["ini", "jsonc", "edn", "hcl1", "dotenv", "properties", "xml", "dockerfile", "ignore"]);

export interface ParseInputsResult {
  /** One per requested file, in order. */
  documents: ParsedInput[];
}

/**
 * conftest test --trace's evaluation: for each input and namespace, the queries conftest runs
 * (per deny/violation/warn rule name, `data.NS.exception[_][_] == "NAME"` then `data.NS.RULE`)
 * through OPA's interpreter with a trace. Policies load as conftest loads them (the Rego of
 * `paths`), data from `data`. `namespaces` are conftest's --namespace patterns (literal, or
 * globs when one has a glob character; `main` when empty); `allNamespaces` takes every package.
 * Only the trace comes from here: gatehouse's verdict is the compiled wasm's.
 */
export interface TraceArgs {
  paths: string[];
  ignore?: string[];
  data?: string[];
  regoVersion?: RegoVersion;
  strict?: boolean;
  capabilities?: unknown;
  namespaces?: string[];
  allNamespaces?: boolean;
  inputs: TraceInput[];
}

export interface TraceInput {
  /** The name the trace shows (the input's display path). */
  path: string;
  /** The document as gatehouse parsed it; a list is evaluated element by element unless `whole`. */
  document: unknown;
  whole?: boolean;
}

export interface TraceResult {
  /** Per input (request order) and namespace (sorted). */
  files: TracedFile[];
}

export interface TracedFile {
  path: string;
  namespace: string;
  queries: TracedQuery[];
}

export interface TracedQuery {
  query: string;
  /** conftest's judgement of the query: no result carries a message. */
  passed: boolean;
  /** topdown.PrettyTrace, one entry per non-empty line. */
  trace: string[];
}

/** Every command: its arguments and its result. */
export interface Commands {
  version: { args: Record<string, never>; result: VersionResult };
  build: { args: BuildArgs; result: BuildResult };
  check: { args: CheckArgs; result: CheckResult };
  parse: { args: ParseArgs; result: ParseResult };
  "parse-inputs": { args: ParseInputsArgs; result: ParseInputsResult };
  inspect: { args: InspectArgs; result: InspectResult };
  fmt: { args: FmtArgs; result: FmtResult };
  test: { args: TestArgs; result: TestResult };
  trace: { args: TraceArgs; result: TraceResult };
}

export type Command = keyof Commands;

export interface Request<C extends Command = Command> {
  protocol: number;
  command: C;
  args: Commands[C]["args"];
}

export interface Answered<R> {
  protocol: number;
  ok: true;
  result: R;
}

export interface Refused {
  protocol: number;
  ok: false;
  errors: ToolError[];
}

export type Response<C extends Command = Command> = Answered<Commands[C]["result"]> | Refused;

/** What each command does, one line (for messages). */
export const COMMANDS = {
  version: "report the OPA and Go versions",
  build: "compile Rego to a wasm bundle",
  check: "parse and compile Rego, reporting errors",
  parse: "read package and rule names from Rego files",
  "parse-inputs": "parse configuration files with conftest's parsers",
  inspect: "read the annotations of a Rego directory",
  fmt: "format one Rego module",
  test: "run Rego tests",
  trace: "trace conftest's queries through OPA's interpreter",
} satisfies Record<Command, string>;

/** One line per error: `file:row:col: code: message`, files shown under `base` when given. */
export function formatToolErrors(errors: ToolError[], base?: string): string {
  return errors
    .map((e) => {
      const file = e.location && base !== undefined ? posix.join(base.split("\\").join("/"), e.location.file) : e.location?.file;
      const where = e.location ? `${file}:${e.location.row}:${e.location.col}: ` : "";
      return `${where}${e.code ? `${e.code}: ` : ""}${e.message}`;
    })
    .join("\n");
}
