// The request/response protocol of gatehouse's Go toolchain module, mirrored from
// tools/wasm/protocol.go: the only place these shapes live on the Node side. Both drivers
// (wasi.ts, native.ts) answer every command in these shapes, so callers never read CLI text.
// Bump PROTOCOL_VERSION with ProtocolVersion in protocol.go: wasi.ts refuses a module built for
// another version.

import { posix } from "node:path";

export const PROTOCOL_VERSION = 1;

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

/** `opa build -t wasm -e E... --ignore I... PATHS` (`--capabilities` when given). */
export interface BuildArgs {
  paths: string[];
  entrypoints: string[];
  ignore?: string[];
  /** A capabilities document (`opa capabilities` output); this OPA version's own when absent. */
  capabilities?: unknown;
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
}

/** A successful check has no result; a failed one answers with errors. */
export type CheckResult = Record<string, never>;

/** Rego files to parse, each as `opa parse FILE` would. */
export interface ParseArgs {
  paths: string[];
}

export interface ParsedModule {
  path: string;
  /** The package path without the leading `data`, one segment per entry. */
  package: string[];
  /** The first segment of every rule head, unique, in source order. */
  rules: string[];
}

export interface ParseResult {
  modules: ParsedModule[];
}

/** `opa inspect -a PATH`: one directory (loaded as a bundle) or one file. */
export interface InspectArgs {
  path: string;
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

/** `opa test --ignore I... [--run R] PATHS`. */
export interface TestArgs {
  paths: string[];
  ignore?: string[];
  run?: string;
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
}

export interface TestResult {
  /** Sorted by file, row, then name (durations left out: results are deterministic). */
  tests: TestCase[];
}

/** Every command: its arguments and its result. */
export interface Commands {
  version: { args: Record<string, never>; result: VersionResult };
  build: { args: BuildArgs; result: BuildResult };
  check: { args: CheckArgs; result: CheckResult };
  parse: { args: ParseArgs; result: ParseResult };
  inspect: { args: InspectArgs; result: InspectResult };
  fmt: { args: FmtArgs; result: FmtResult };
  test: { args: TestArgs; result: TestResult };
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
  inspect: "read the annotations of a Rego directory",
  fmt: "format one Rego module",
  test: "run Rego tests",
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
