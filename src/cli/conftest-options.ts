// conftest's flags, shared by `check` (conftest test) and `verify` (conftest verify), with the
// same names and meanings, and conftest's configuration file: `-c/--config-file FILE`, else
// `conftest.toml` (or .yaml/.yml/.json) in the working directory, read by conftest's own parser.
// A flag on the command line wins over the file, the file over the default, as with viper.
// The one intended difference: gatehouse exits 2 on errors, where conftest exits 1 (and 2 for a
// failure under --fail-on-warn); gatehouse's deny is always 1.

import { existsSync, statSync } from "node:fs";
import { extname, join, relative, resolve, sep } from "node:path";
import type { Argv } from "yargs";
import { ConfigError, UsageError } from "../core/errors.js";
import { readUntrustedFile, readUntrustedText, UntrustedFileError } from "../core/read.js";
import { findFiles } from "../core/walk.js";
import { DEFAULT_MAX_INPUT_BYTES, InputParseError, parseDocument } from "../inputs/parse.js";
import { loadFormatParser } from "../inputs/parsers/index.js";
import { assertNumbersHeldAlike } from "../inputs/parsers/json.js";
import type { CompileOptions } from "../policy/build.js";
import type { RegoVersion } from "../toolchain/protocol.js";
import { safeText } from "../reporters/text.js";
import { reportContext } from "./output.js";
import { commonDirectory, undecodableNameHint } from "../core/paths.js";
import { setOwn } from "../core/own-keys.js";
import type { Workspace } from "../toolchain/index.js";

/** The conftest flags both commands take (conftest's spelling; `-o` is gatehouse's --format). */
export function withConftestOptions<T>(y: Argv<T>) {
  return y
    .option("policy", { alias: "p", type: "string", describe: "Rego directory, .rego file or built bundle (repeatable; default policy)" })
    .option("data", { alias: "d", type: "string", describe: "JSON/YAML data file or directory, loaded under data as conftest does (repeatable)" })
    .option("rego-version", { type: "string", describe: "Rego syntax of the policies: v0 or v1 (default v1)" })
    .option("strict", { type: "boolean", describe: "OPA's strict checks (unused variables, imports...); off by default, as in conftest" })
    .option("capabilities", { type: "string", describe: "OPA capabilities JSON file restricting the builtins policies may call" })
    .option("show-builtin-errors", { type: "boolean", describe: "accepted for conftest compatibility: gatehouse always fails an evaluation whose builtin errors" })
    .option("quiet", { type: "boolean", describe: "print nothing when the run passes" })
    .option("color", { type: "boolean", describe: "colour in the text report on a terminal (--no-color: never)" })
    .option("trace", {
      type: "boolean",
      describe: "OPA's interpreter trace of conftest's queries, per file, on stderr (and before a text report on stdout, as conftest); the verdict still comes from the compiled wasm",
    })
    .option("config-file", { alias: "c", type: "string", describe: "conftest configuration file (default: conftest.toml in the working directory, if any)" })
    .option("proto-file-dirs", { type: "string", describe: "directories of .proto files for textproto inputs (repeatable)" });
}

export interface ConftestArgs {
  policy?: string | string[] | undefined;
  data?: string | string[] | undefined;
  regoVersion?: string | undefined;
  strict?: boolean | undefined;
  capabilities?: string | undefined;
  showBuiltinErrors?: boolean | undefined;
  quiet?: boolean | undefined;
  color?: boolean | undefined;
  trace?: boolean | undefined;
  configFile?: string | undefined;
  protoFileDirs?: string | string[] | undefined;
}

/**
 * The extensions viper looks for `conftest.<ext>` with, in its order (viper 1.21's SupportedExts):
 * the first that exists is conftest's configuration. gatehouse reads the first four; conftest
 * cannot decode the others ("decoder not found for this format") and fails, so such a file is
 * refused here too, not passed over (a conftest.hcl setting all-namespaces or fail-on-warn was
 * silently ignored: exit 0 where conftest exits 1).
 */
const VIPER_EXTENSIONS = ["json", "toml", "yaml", "yml", "properties", "props", "prop", "hcl", "tfvars", "dotenv", "env", "ini"];
const READ_EXTENSIONS = ["json", "toml", "yaml", "yml"];

/**
 * Settings a configuration file may not hold, with what each does to the verdict: the file is
 * repository content, as untrusted as the inputs it configures (issue 14.4), so it may tighten
 * (fail-on-warn, strict, all-namespaces) or choose the project's policy (policy, namespace,
 * data), but not loosen. The same flag on the command line is the user's choice and works.
 */
export type LooseningKeys = Readonly<Record<string, string>>;

/** What `check` refuses from the file. */
export const CHECK_LOOSENING_KEYS: LooseningKeys = {
  "no-fail": "it turns the policies' denials into exit 0",
  ignore: "it skips inputs, which are then never judged",
  parser: "it parses inputs with a parser their names do not select, so the policies judge another document",
  combine: "it evaluates one combined input, which policies written for single files do not match",
};

/** What `verify` refuses from the file: a namespace only hides the tests of other packages. */
export const VERIFY_LOOSENING_KEYS: LooseningKeys = {
  namespace: "it leaves the tests of every other package out of the verdict",
};

/**
 * What the file may set only for a policy it chose itself: when the command line names the policy
 * (`--policy`: central policies), these would let the repository pick how that policy judges it.
 */
const POLICY_BOUND_KEYS: LooseningKeys = {
  namespace: "it picks which packages of the policy the command line named are evaluated, so a lenient package can stand in for main",
  data: "it feeds data to the policy the command line named, which may read it as exceptions or allow-lists",
};

/**
 * The configuration file's settings, keyed by flag name (`all-namespaces`), or {} without one.
 * `-c FILE` must exist; the automatic one is read when present. A loosening setting in it is a
 * configuration error naming the file and the key; so is a POLICY_BOUND_KEYS setting when the
 * command line names the policy and not that setting in a file found on its own (the file did not
 * choose the policy it would configure; a flag given on the command line wins over the file anyway;
 * a file named with `-c` is the command line's choice of settings).
 */
export async function readConftestConfig(
  file: string | undefined,
  loosening: LooseningKeys = {},
  commandLine: { readonly policy?: unknown; readonly namespace?: unknown; readonly data?: unknown } = {},
): Promise<Record<string, unknown>> {
  let path = file;
  if (path === undefined) {
    path = VIPER_EXTENSIONS.map((extension) => `conftest.${extension}`).find((name) => existsSync(name));
    if (path === undefined) return {};
  } else if (!existsSync(path)) {
    throw new UsageError(`${path}: configuration file does not exist${undecodableNameHint(path)}`);
  }
  if (!READ_EXTENSIONS.includes(extname(path).slice(1).toLowerCase())) {
    throw new ConfigError(
      `a configuration file must be ${READ_EXTENSIONS.map((e) => `.${e}`).join(", ")} (conftest cannot decode this format either); ${file === undefined ? "it was found as conftest's configuration, so it is refused rather than ignored" : "rename it"}`,
      path,
    );
  }
  let bytes: Buffer;
  try {
    bytes = readUntrustedFile(path, { maxBytes: DEFAULT_MAX_INPUT_BYTES });
  } catch (error) {
    if (!(error instanceof UntrustedFileError)) throw error;
    throw new ConfigError(`cannot read the configuration file: ${error.reason}`, path);
  }
  const extension = extname(path).slice(1).toLowerCase();
  let settings: unknown;
  try {
    if (extension === "toml") {
      // conftest's own TOML parser (viper reads conftest.toml with the same BurntSushi/toml).
      const [parsed] = await (loadFormatParser("toml") as import("../inputs/parsers/types.js").BatchParser).parseFiles([{ path, bytes }], {});
      if (!parsed!.ok) throw parsed!.error;
      settings = parsed!.document;
    } else {
      settings = parseDocument(bytes.toString("utf8"), extension === "json" ? "json" : undefined);
    }
  } catch (error) {
    if (error instanceof InputParseError) throw new ConfigError(`invalid configuration file: ${error.message}`, path);
    throw error;
  }
  if (typeof settings !== "object" || settings === null || Array.isArray(settings)) throw new ConfigError("the configuration file must hold a table of settings", path);
  for (const key of Object.keys(settings).sort()) {
    if (!Object.hasOwn(loosening, key)) continue;
    throw new ConfigError(
      `${safeText(key)} cannot be set in a configuration file: ${loosening[key]}, and the file is repository content, which may only tighten the run; pass --${key} on the command line to mean it`,
      path,
    );
  }
  // Only the file found on its own: `-c FILE` is the command line naming the settings it takes.
  if (commandLine.policy !== undefined && file === undefined) {
    for (const key of Object.keys(settings).sort()) {
      if (!Object.hasOwn(POLICY_BOUND_KEYS, key) || commandLine[key as keyof typeof commandLine] !== undefined) continue;
      throw new ConfigError(
        `${safeText(key)} cannot be set in a configuration file when --policy is given on the command line: ${POLICY_BOUND_KEYS[key]}, and the file is repository content; pass --${key} on the command line to mean it`,
        path,
      );
    }
  }
  return settings as Record<string, unknown>;
}

/** A setting: the flag when given, else the configuration file's, else undefined. */
function setting(config: Record<string, unknown>, flag: string, given: unknown): unknown {
  if (given !== undefined) return given;
  return Object.hasOwn(config, flag) ? config[flag] : undefined;
}

/** A list setting (a repeatable flag, or the file's string or array of strings). */
export function listSetting(config: Record<string, unknown>, flag: string, given: string | string[] | undefined): string[] {
  const value = setting(config, flag, given);
  if (value === undefined) return [];
  if (typeof value === "string") return [value];
  if (Array.isArray(value) && value.every((v) => typeof v === "string")) return value as string[];
  throw new ConfigError(`the configuration's ${flag} must be a string or a list of strings`);
}

export function boolSetting(config: Record<string, unknown>, flag: string, given: boolean | undefined): boolean {
  const value = setting(config, flag, given);
  if (value === undefined) return false;
  if (typeof value !== "boolean") throw new ConfigError(`the configuration's ${flag} must be true or false`);
  return value;
}

export function stringSetting(config: Record<string, unknown>, flag: string, given: string | undefined): string | undefined {
  const value = setting(config, flag, given);
  if (value === undefined) return undefined;
  if (typeof value !== "string") throw new ConfigError(`the configuration's ${flag} must be a string`);
  return value;
}

/** The compile options the flags (and the file) ask for. */
export function compileOptions(config: Record<string, unknown>, args: ConftestArgs): CompileOptions {
  const version = stringSetting(config, "rego-version", args.regoVersion);
  if (version !== undefined && !/^[vV][01]$/.test(version)) throw new UsageError(`invalid Rego version: ${version} (v0 or v1)`);
  const capabilitiesFile = stringSetting(config, "capabilities", args.capabilities);
  return {
    strict: boolSetting(config, "strict", args.strict),
    ...(version !== undefined ? { regoVersion: version.toLowerCase() as RegoVersion } : {}),
    ...(capabilitiesFile !== undefined ? { capabilities: readJsonFile(capabilitiesFile, "--capabilities") } : {}),
  };
}

function readJsonFile(file: string, what: string): unknown {
  if (!existsSync(file)) throw new UsageError(`${file}: ${what} file does not exist${undecodableNameHint(file)}`);
  try {
    return parseDocument(readUntrustedText(file, { maxBytes: DEFAULT_MAX_INPUT_BYTES }), "json");
  } catch (error) {
    if (error instanceof UntrustedFileError || error instanceof InputParseError) throw new ConfigError(`cannot read ${what}: ${error.message}`, file);
    throw error;
  }
}

/**
 * conftest's --data: each path a JSON/YAML file or a directory walked for them (other files,
 * .rego included, are skipped). A file given by name is merged at the root of `data`; a file
 * found in a directory under the path of its own directory below it, as OPA's loader does
 * (data/a/b.yaml under data.a). Two files that set one key differently are an error.
 */
export function loadDataPaths(paths: readonly string[]): unknown {
  if (paths.length === 0) return undefined;
  const data: Record<string, unknown> = {};
  for (const path of paths) {
    if (!existsSync(path)) throw new UsageError(`${path}: --data path does not exist${undecodableNameHint(path)}`);
    refuseUnloadedDataFile(path);
    if (statSync(path).isDirectory()) {
      for (const rel of findFiles(path, { extensions: [".json", ".yaml", ".yml"], everything: true })) {
        const segments = rel.split("/").slice(0, -1);
        merge(data, nest(segments, readDataFile(join(path, rel))), join(path, rel));
      }
    } else {
      merge(data, readDataFile(path), path);
    }
  }
  return data;
}

/**
 * A --data file named on the command line whose extension is not .json, .yaml or .yml (in any
 * case): conftest's loader filters it out, so the data conftest evaluates with does not hold it.
 * gatehouse read it as JSON/YAML, so an allow-list or exceptions in `-d allowed.txt` made a deny
 * conftest reports pass: refused, naming it, instead of either loading or silently dropping it.
 */
export function refuseUnloadedDataFile(path: string): void {
  let isDirectory = false;
  try {
    isDirectory = statSync(path).isDirectory();
  } catch {
    return; // not there, or a dangling link: the reader refuses it by name
  }
  if (isDirectory || [".json", ".yaml", ".yml"].includes(extname(path).toLowerCase())) return;
  throw new ConfigError("a --data file must be .json, .yaml or .yml: conftest leaves any other file out of data, so the policies would judge with data conftest does not have; rename it", path);
}

function readDataFile(file: string): unknown {
  let text: string;
  try {
    text = readUntrustedText(file, { maxBytes: DEFAULT_MAX_INPUT_BYTES });
  } catch (error) {
    if (!(error instanceof UntrustedFileError)) throw error;
    throw new ConfigError(`cannot read --data: ${error.reason}`, file);
  }
  try {
    // conftest loads --data with OPA's loader, which reads YAML with go-yaml v3 (`0777` is 511,
    // `1_000` 1000): a value js-yaml reads otherwise is refused, not judged as another number.
    const value = parseDocument(text, file.endsWith(".json") ? "json" : undefined, { refuseAmbiguous: "opa-data" });
    // OPA's loader keeps a JSON number exactly; gatehouse holds a double: one that differs is refused.
    if (file.endsWith(".json") || (/^\s*[[{]/.test(text) && parsesAsJson(text))) assertNumbersHeldAlike(text);
    return value;
  } catch (error) {
    if (error instanceof InputParseError) throw new ConfigError(error.message, file);
    throw error;
  }
}

function parsesAsJson(text: string): boolean {
  try {
    JSON.parse(text);
    return true;
  } catch {
    return false;
  }
}

function nest(segments: readonly string[], value: unknown): unknown {
  return segments.reduceRight<unknown>((inner, key) => setOwn({}, key, inner), value);
}


function merge(into: Record<string, unknown>, value: unknown, file: string): void {
  if (typeof value !== "object" || value === null || Array.isArray(value)) {
    throw new ConfigError("a data document must be an object (its keys become data's)", file);
  }
  for (const [key, next] of Object.entries(value)) {
    // Only the object's own keys (src/core/own-keys.ts): `constructor`, `toString` or `__proto__`
    // are data keys like any other (inherited ones were "set by two data files", and a file or a
    // directory named `__proto__` was merged into Object.prototype: `fail: false` there turned
    // every later `args.fail` into --no-fail).
    if (!Object.hasOwn(into, key)) {
      setOwn(into, key, next);
      continue;
    }
    const held = into[key];
    if (held === undefined) setOwn(into, key, next);
    else if (isObject(held) && isObject(next)) merge(held, next, file);
    else if (JSON.stringify(held) !== JSON.stringify(next)) throw new ConfigError(`data.${key} is set by two data files`, file);
  }
}

const isObject = (v: unknown): v is Record<string, unknown> => typeof v === "object" && v !== null && !Array.isArray(v);

/**
 * Where the toolchain runs for paths the user named: the directory holding the working directory
 * and every path, with the paths kept relative to the working directory (so messages and test
 * helpers resolve them as the user wrote them).
 */
export function namedPathsWorkspace(paths: readonly string[]): { at: Workspace; shown: (path: string) => string } {
  const cwd = process.cwd();
  const root = commonDirectory([cwd, ...paths.map((p) => resolve(p))])!;
  return {
    at: { root, cwd: relative(root, cwd).split(sep).join("/") || "." },
    shown: (p: string) => relative(cwd, resolve(p)).split(sep).join("/") || ".",
  };
}

/** One query's trace, as conftest's standard output prints it (output/standard.go, outputTrace). */
export interface TraceBlock {
  file: string;
  query: string;
  passed: boolean;
  trace: readonly string[];
}

/**
 * conftest's trace text: `file: F | query: Q` (green when the query passed, red when not), then
 * `TRAC   line` per trace line. Input-controlled text is shown escaped (safeText).
 */
export function renderTrace(blocks: readonly TraceBlock[], color: boolean): string {
  const paint = (code: number, text: string) => (color ? `\u001b[${code}m${text}\u001b[0m` : text);
  const lines: string[] = [];
  for (const block of blocks) {
    lines.push(paint(block.passed ? 32 : 31, `file: ${safeText(block.file)} | query: ${safeText(block.query)}`));
    for (const line of block.trace) lines.push(`${paint(34, "TRAC ")}  ${safeText(line)}`);
  }
  return lines.length === 0 ? "" : `${lines.join("\n")}\n`;
}

/**
 * Where conftest writes a trace: always stderr, and stdout too when its standard output goes
 * there (gatehouse's text report follows it; conftest prints the trace in its place). Colour as
 * gatehouse's text report has it: on a terminal, unless NO_COLOR.
 */
export function writeTrace(blocks: readonly TraceBlock[], textOnStdout: boolean): void {
  process.stderr.write(renderTrace(blocks, reportContext(process.stderr).color));
  if (textOnStdout) process.stdout.write(renderTrace(blocks, reportContext(process.stdout).color));
}

/** `--policy` paths (conftest's default: policy). */
export function policyPaths(config: Record<string, unknown>, args: ConftestArgs): string[] {
  const paths = listSetting(config, "policy", args.policy);
  return paths.length > 0 ? paths : ["policy"];
}
