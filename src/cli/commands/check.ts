// `gatehouse check`: conftest-style evaluation of input files against a policy directory
// (compiled and cached) or a built bundle. Each file is parsed by the parser its name selects
// (src/inputs/parsers/index.ts) or by --parser. --trace adds conftest's trace of the same
// queries, from OPA's interpreter in the toolchain; the verdict is the compiled wasm's.

import { realpathSync, statSync } from "node:fs";
import { basename, dirname, isAbsolute, join, posix, relative, resolve, sep } from "node:path";
import type { Argv } from "yargs";
import { ToolchainError, UsageError } from "../../core/errors.js";
import { isDenying } from "../../core/findings.js";
import { displayPath } from "../../core/paths.js";
import { EXIT_ALLOW } from "../../core/verdict.js";
import { findFiles } from "../../core/walk.js";
import { readStdin } from "../../core/read.js";
import { DEFAULT_MAX_INPUT_BYTES } from "../../inputs/parse.js";
import { isParserName, parserFor, PARSER_NAMES, type ParserName } from "../../inputs/parsers/index.js";
import type { InputJob, NamespaceSelection } from "../../gate/evaluate-input.js";
import { runEvaluation } from "../../gate/run.js";
import { namespaceMatcher } from "../../gate/namespaces.js";
import { topdownBuiltin } from "../../policy/builtins/topdown.js";
import { combineJobs, parseJobs } from "../../gate/documents.js";
import { KINDS } from "../../schemas/kinds.js";
import { protectInputs } from "../output.js";
import { fixedNow, STDIN_MARKER, progress, report, requireExisting, selectFormats, validateNumbers, withReportOptions, type ReportArgs } from "../common.js";
import {
  boolSetting,
  CHECK_LOOSENING_KEYS,
  compileOptions,
  listSetting,
  loadDataPaths,
  policyPaths,
  readConftestConfig,
  stringSetting,
  namedPathsWorkspace,
  withConftestOptions,
  writeTrace,
  type ConftestArgs,
  type TraceBlock,
} from "../conftest-options.js";
import { isBundleDir } from "../../policy/bundle.js";
import type { CompileOptions } from "../../policy/build.js";
import { expectOk, inputToolchain } from "../../toolchain/index.js";


interface CheckArgs extends ReportArgs, ConftestArgs {
  files: string[];
  namespace?: string | string[] | undefined;
  allNamespaces?: boolean | undefined;
  kind?: string | undefined;
  parser?: string | undefined;
  combine?: boolean | undefined;
  failOnWarn?: boolean | undefined;
  /** false for --no-fail (yargs reads --no-X as X = false) */
  fail?: boolean | undefined;
  ignore?: string | undefined;
  suppressExceptions?: boolean | undefined;
  stdinFilename?: string | undefined;
}

export const checkCommand = {
  command: "check [files..]",
  describe: "evaluate configuration files against Rego policies (conftest test: its flags, formats and conftest.toml); '-' reads stdin",
  builder: (y: Argv) =>
    withConftestOptions(withReportOptions(y))
      .positional("files", { type: "string", array: true, default: [] as string[] })
      .option("namespace", { alias: "n", type: "string", describe: "policy package to evaluate (repeatable, globs as conftest: main.*; default main)" })
      .option("all-namespaces", { type: "boolean", describe: "evaluate every package in the policy" })
      .option("kind", { type: "string", describe: `validate inputs as this kind and evaluate its namespace (${Object.keys(KINDS).join(", ")})` })
      .option("parser", { type: "string", describe: `parse every input with this parser instead of choosing by file name (${PARSER_NAMES.join(", ")})` })
      .option("combine", { type: "boolean", describe: "evaluate every file together as one input, [{path, contents}] (conftest's --combine)" })
      .option("fail-on-warn", { type: "boolean", describe: "deny when a policy warns" })
      .option("fail", { type: "boolean", describe: "--no-fail: exit 0 even when policies deny (gatehouse's own refusals still exit 1)" })
      .option("ignore", { type: "string", describe: "regular expression of input paths to skip" })
      .option("suppress-exceptions", { type: "boolean", describe: "leave excepted findings out of the text report" })
      .option("stdin-filename", { type: "string", describe: "name to report stdin under" }),
  handler: async (args: CheckArgs) => {
    const targets = selectFormats(args);
    validateNumbers(args);
    const config = await readConftestConfig(args.configFile, CHECK_LOOSENING_KEYS, args);
    const allNamespaces = boolSetting(config, "all-namespaces", args.allNamespaces);
    const namespaces = listSetting(config, "namespace", args.namespace);
    if (allNamespaces && (args.kind !== undefined || args.namespace !== undefined)) {
      throw new UsageError("--all-namespaces cannot be combined with --namespace or --kind");
    }
    const combine = boolSetting(config, "combine", args.combine);
    if (combine && args.kind !== undefined) throw new UsageError("--combine cannot be combined with --kind (the combined input has no kind)");
    if (args.color === false || boolSetting(config, "no-color", undefined)) process.env.NO_COLOR = "1";
    // conftest skips an empty file name ("") among the arguments.
    const files = args.files.filter((file) => file !== "");
    // A path that is not there is a usage error; what is there but cannot be read denies.
    for (const file of files) requireExisting(file, "input");
    const parser = parserOption(stringSetting(config, "parser", args.parser));
    const ignore = ignorePattern(stringSetting(config, "ignore", args.ignore));
    const options = compileOptions(config, args);
    const trace = boolSetting(config, "trace", args.trace);
    const policies = policyPaths(config, args);
    if (trace) refuseUntraceable(policies, args.kind);
    const protoFileDirs = listSetting(config, "proto-file-dirs", args.protoFileDirs);
    // An unknown --kind is not a usage error: it denies each input with schema/unknown-kind.
    let jobs = await collectJobs(files, args.kind, parser, args.maxInputBytes, ignore);
    const stdinName = stringSetting(config, "stdin-filename", args.stdinFilename);
    if (stdinName !== undefined) for (const job of jobs) if (job.display === "-") job.display = stdinName;
    protectInputs(jobs.flatMap((job) => (job.file !== undefined ? [job.file] : [])));
    if (combine) {
      // Every file parsed here, then one input of them all (conftest's CheckCombined).
      await parseJobs(jobs, { maxInputBytes: args.maxInputBytes, timeoutMs: args.timeout, ...(protoFileDirs.length > 0 ? { protoFileDirs } : {}) });
      jobs = combineJobs(jobs);
    }
    const selection: NamespaceSelection = allNamespaces ? { all: true } : { all: false, namespaces: namespaces.length === 0 ? ["main"] : namespaces };
    // A malformed --namespace pattern is a usage error here, before anything is evaluated.
    if (!selection.all) namespaceMatcher(selection.namespaces);
    const nowNs = fixedNow(args);
    const dataPaths = listSetting(config, "data", args.data);
    const data = loadDataPaths(dataPaths);
    let verdict = await runEvaluation({
      policy: policies,
      compileOptions: options,
      jobs,
      selection,
      maxInputBytes: args.maxInputBytes,
      timeoutMs: args.timeout,
      ...(nowNs !== undefined ? { nowNs } : {}),
      ...(data !== undefined ? { data } : {}),
      ...(args.workers !== undefined ? { workers: args.workers } : {}),
      ...(protoFileDirs.length > 0 ? { protoFileDirs } : {}),
      ...(targets.some((t) => t.format === "tap" || t.format === "table") ? { conftestTallies: true } : {}),
      conftestFileInfo: true,
      ...(progress("evaluated") ? { onProgress: progress("evaluated")! } : {}),
    });
    // --fail-on-warn: a warning denies (conftest exits 1 on warnings, 2 on failures; gatehouse 1 on both).
    if (boolSetting(config, "fail-on-warn", args.failOnWarn) && verdict.decision === "allow" && verdict.findings.some((f) => f.severity === "warning" && !f.suppressed)) {
      verdict = { ...verdict, decision: "deny" };
    }
    // --suppress-exceptions hides them from the text report only, as conftest's standard output;
    // machine formats keep every finding.
    if (boolSetting(config, "suppress-exceptions", args.suppressExceptions) && targets.every((t) => t.format === "text")) {
      verdict = { ...verdict, findings: verdict.findings.filter((f) => f.suppressed?.kind !== "exception") };
    }
    const quiet = boolSetting(config, "quiet", args.quiet);
    if (!(quiet && verdict.decision === "allow")) {
      if (trace) {
        const blocks = await traceQueries({ policies, dataPaths, options, selection, jobs, maxInputBytes: args.maxInputBytes, protoFileDirs });
        writeTrace(blocks, targets.some((t) => t.format === "text" && t.file === undefined));
      }
      report(verdict, targets);
    } else process.exitCode = EXIT_ALLOW;
    // --no-fail: the policies' denials do not fail the run; gatehouse's own refusals (an input it
    // could not parse, no policy...) still do.
    if (boolSetting(config, "no-fail", args.fail === false ? true : undefined) && verdict.decision === "deny" && verdict.findings.every((f) => !isDenying(f) || f.source === "policy")) {
      process.exitCode = EXIT_ALLOW;
    }
  },
};

/** What --trace cannot trace: a built bundle (no Rego to interpret), an input's --kind (not conftest's). */
function refuseUntraceable(policies: readonly string[], kind: string | undefined): void {
  if (kind !== undefined) throw new UsageError("--trace traces conftest's namespaces; it cannot be combined with --kind");
  for (const policy of policies) {
    if (isBundleDir(policy)) throw new UsageError(`--trace needs Rego sources: ${policy} is a built bundle (pass its policy directory)`);
  }
}

/**
 * conftest's trace of this run: every input gatehouse could parse, evaluated once more by OPA's
 * interpreter in the toolchain (the wasm module; its `trace` command) with conftest's queries.
 * The trace is for reading: the verdict is the compiled wasm's, already decided.
 */
async function traceQueries(run: {
  policies: string[];
  dataPaths: string[];
  options: CompileOptions;
  selection: NamespaceSelection;
  jobs: InputJob[];
  maxInputBytes: number;
  protoFileDirs: string[];
}): Promise<TraceBlock[]> {
  // Inputs the evaluators parsed in their threads are parsed here again; refused ones have no trace.
  await parseJobs(run.jobs, { maxInputBytes: run.maxInputBytes, ...(run.protoFileDirs.length > 0 ? { protoFileDirs: run.protoFileDirs } : {}) });
  const inputs = run.jobs.filter((job) => job.refused === undefined && job.document !== undefined).map((job) => ({ path: job.display, document: job.document, ...(job.whole ? { whole: true } : {}) }));
  if (inputs.length === 0) return [];
  const { at, shown } = namedPathsWorkspace([...run.policies, ...run.dataPaths]);
  const { options } = run;
  const result = await expectOk(
    await inputToolchain(),
    "trace",
    {
      paths: run.policies.map(shown),
      ...(run.dataPaths.length > 0 ? { data: run.dataPaths.map(shown) } : {}),
      ...(options.regoVersion ? { regoVersion: options.regoVersion } : {}),
      ...(options.strict ? { strict: true } : {}),
      ...(options.capabilities !== undefined ? { capabilities: options.capabilities } : {}),
      ...(run.selection.all ? { allNamespaces: true } : { namespaces: run.selection.namespaces }),
      inputs,
    },
    at,
    ".",
  );
  // conftest's order: namespace by namespace, then input by input.
  const files = [...result.files].sort((a, b) => (a.namespace < b.namespace ? -1 : a.namespace > b.namespace ? 1 : 0));
  return files.flatMap((file) => file.queries.map((q) => ({ file: file.path, query: q.query, passed: q.passed, trace: q.trace })));
}

/** Whether --ignore drops a file: given every text conftest may match it by, true only when the pattern matches them all. */
type IgnoreTest = (texts: readonly string[]) => boolean;

/**
 * --ignore: a Go regular expression, as conftest compiles it (regexp.Compile, MatchString),
 * answered by Go's regexp itself (topdown's regex.match in the builtins module). A JavaScript
 * RegExp reads the same text otherwise: `\z`, `\Q...\E`, `\pL` and `[[:alpha:]]` are other
 * patterns there, `\s` matches more spaces, and `$`/`.` count UTF-16 units, so it skipped files
 * conftest evaluates (ALLOW where conftest denies).
 */
function ignorePattern(pattern: string | undefined): IgnoreTest | undefined {
  if (pattern === undefined || pattern === "") return undefined;
  const match = topdownBuiltin("regex.match");
  if (match === undefined) throw new ToolchainError("--ignore needs the builtins module (Go's regexp, as conftest matches it), which is not installed; reinstall gatehouse (in a checkout: npm run toolchain)");
  const matches = (text: string): boolean => {
    try {
      // topdown's answer is the result's JSON text.
      const answer = match(pattern, text);
      return answer !== undefined && new TextDecoder().decode(answer) === "true";
    } catch (error) {
      if (error instanceof ToolchainError) throw error;
      throw new UsageError(`--ignore: given regexp couldn't be parsed: ${(error as Error).message}`);
    }
  };
  matches(""); // a pattern Go refuses is a usage error even when no file is met
  return (texts) => texts.every(matches);
}

/** Whether a walk keeps a file: some parser's rules claim its name (implemented or not). */
const claimedByParser = (name: string): boolean => parserFor(name) !== undefined;

/** An unknown --parser is a usage error listing the names, as an unknown --format is. */
export function parserOption(name: string | undefined): ParserName | undefined {
  if (name === undefined) return undefined;
  if (!isParserName(name)) throw new UsageError(`unknown parser ${JSON.stringify(name)}; known parsers: ${PARSER_NAMES.join(", ")}`);
  return name;
}

export async function collectJobs(files: string[], kind: string | undefined, parser?: ParserName, maxInputBytes: number = DEFAULT_MAX_INPUT_BYTES, ignore?: IgnoreTest): Promise<InputJob[]> {
  const jobs: InputJob[] = [];
  const seen = new Set<string>();
  const add = (job: InputJob, conftestPaths?: readonly string[]) => {
    // conftest's --ignore is matched against its own text of the path (below), never stdin's.
    if (ignore !== undefined && conftestPaths !== undefined && ignore(conftestPaths)) return;
    if (seen.has(job.display)) return;
    if (conftestPaths !== undefined) job.conftestPath = conftestPaths[conftestPaths.length - 1]!;
    seen.add(job.display);
    if (kind) job.kind = kind;
    if (parser) job.parser = parser;
    jobs.push(job);
  };
  for (const arg of files) {
    if (arg === "-" || arg === STDIN_MARKER) {
      // Capped like a file (one byte over says too large) and judged on its bytes (UTF-8 or refused).
      add({ display: "-", bytes: readStdin(maxInputBytes) });
      continue;
    }
    const abs = resolve(arg);
    let isDir = false;
    try {
      isDir = statSync(abs).isDirectory();
    } catch {
      // Not a directory (a file, or a dangling link): read as an input, and judged when it cannot be.
    }
    if (isDir) {
      // The directory's display path once, not a path.relative per file (it dominated large runs).
      const shownDir = displayPath(abs);
      const prefix = shownDir === "." ? "" : shownDir.endsWith("/") ? shownDir : `${shownDir}/`;
      // String concatenation, not path.join per file: `abs` is already absolute and normalised,
      // and `rel` is a clean relative path (it showed in large runs).
      const base = abs.endsWith(sep) ? abs : abs + sep;
      // As conftest: the files whose name selects a parser (whatever --parser says), dot files,
      // dot directories and node_modules included (conftest's filepath.Walk skips none). One in a
      // format gatehouse does not parse yet (a Dockerfile, .toml) is kept and denies
      // input/unsupported-format: skipped, a policy written for it would allow the directory.
      const unlinkedRoot = join(realpathSync(dirname(abs)), basename(abs));
      const realDirectories = new Map<string, string>();
      for (const rel of findFiles(abs, { accept: claimedByParser, everything: true })) {
        const file = base + (sep === "/" ? rel : rel.split("/").join(sep));
        add({ display: prefix + rel, file }, walkedPaths(arg, rel, file, unlinkedRoot, realDirectories));
      }
    } else {
      // A file named on the command line: conftest matches the argument as it was written.
      add({ display: displayPath(abs), file: abs }, [arg]);
    }
  }
  return jobs;
}

/**
 * The texts conftest's walk may name a file found under `arg` by (--ignore is matched against
 * them all; the last is --combine's `path`): Go's filepath.Join(arg, rel), cleaned (`./dir/` gives
 * `dir/x.yaml`). Under a linked directory conftest walks the link's resolved path instead
 * (filepath.EvalSymlinks, relative or absolute as the link is), so there the file is dropped only
 * when the pattern matches the joined path and both forms of the resolved one.
 */
function walkedPaths(arg: string, rel: string, file: string, unlinkedRoot: string, realDirectories: Map<string, string>): string[] {
  const joined = posix.normalize(`${arg.split(sep).join("/")}/${rel}`);
  // One realpath per directory, not per file (large walks).
  const directory = dirname(file);
  let realDirectory = realDirectories.get(directory);
  if (realDirectory === undefined) {
    realDirectory = realpathSync(directory);
    realDirectories.set(directory, realDirectory);
  }
  if (realDirectory === join(unlinkedRoot, dirname(rel))) return [joined];
  let real: string;
  try {
    real = realpathSync(file);
  } catch {
    return [joined]; // a dangling link: conftest matches its own name
  }
  const relativeReal = relative(process.cwd(), real);
  return isAbsolute(arg) ? [joined, relativeReal, real] : [joined, real, relativeReal];
}
