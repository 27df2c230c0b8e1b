// `gatehouse check`: conftest-style evaluation of input files against a policy directory
// (compiled and cached) or a built bundle. Each file is parsed by the parser its name selects
// (src/inputs/parsers/index.ts) or by --parser.

import { readFileSync, statSync } from "node:fs";
import { resolve, sep } from "node:path";
import type { Argv } from "yargs";
import { ConfigError, UsageError } from "../../core/errors.js";
import { displayPath } from "../../core/paths.js";
import { findFiles } from "../../core/walk.js";
import { readUntrustedText, UntrustedFileError } from "../../core/read.js";
import { DEFAULT_MAX_INPUT_BYTES, parseDocument, InputParseError, formatForPath } from "../../inputs/parse.js";
import { hasParser, isParserName, PARSER_NAMES, type ParserName } from "../../inputs/parsers/index.js";
import type { InputJob, NamespaceSelection } from "../../gate/evaluate-input.js";
import { runEvaluation } from "../../gate/run.js";
import { KINDS } from "../../schemas/kinds.js";
import { protectInputs } from "../output.js";
import { asList, fixedNow, STDIN_MARKER, progress, report, requireExisting, selectFormats, validateNumbers, withReportOptions, type ReportArgs } from "../common.js";


interface CheckArgs extends ReportArgs {
  files: string[];
  policy: string;
  namespace?: string | string[] | undefined;
  allNamespaces: boolean;
  kind?: string | undefined;
  data?: string | undefined;
  parser?: string | undefined;
}

export const checkCommand = {
  command: "check [files..]",
  describe: "evaluate JSON/YAML files against Rego policies (conftest-compatible); '-' reads stdin",
  builder: (y: Argv) =>
    withReportOptions(y)
      .positional("files", { type: "string", array: true, default: [] as string[] })
      .option("policy", { alias: "p", type: "string", default: "policy", describe: "directory of .rego files or a built bundle" })
      .option("namespace", { alias: "n", type: "string", describe: "policy package to evaluate (repeatable; default main)" })
      .option("all-namespaces", { type: "boolean", default: false, describe: "evaluate every package in the policy" })
      .option("kind", { type: "string", describe: `validate inputs as this kind and evaluate its namespace (${Object.keys(KINDS).join(", ")})` })
      .option("data", { type: "string", describe: "JSON/YAML file exposed to policies as data" })
      .option("parser", { type: "string", describe: `parse every input with this parser instead of choosing by file name (${PARSER_NAMES.join(", ")})` }),
  handler: async (args: CheckArgs) => {
    const targets = selectFormats(args);
    validateNumbers(args);
    if (args.allNamespaces && (args.kind !== undefined || args.namespace !== undefined)) {
      throw new UsageError("--all-namespaces cannot be combined with --namespace or --kind");
    }
    // A path that is not there is a usage error; what is there but cannot be read denies.
    for (const file of args.files) requireExisting(file, "input");
    const parser = parserOption(args.parser);
    // An unknown --kind is not a usage error: it denies each input with schema/unknown-kind.
    const jobs = await collectJobs(args.files, args.kind, parser);
    protectInputs(jobs.flatMap((job) => (job.file !== undefined ? [job.file] : [])));
    const selection: NamespaceSelection = args.allNamespaces ? { all: true } : { all: false, namespaces: args.namespace === undefined ? ["main"] : asList(args.namespace) };
    const nowNs = fixedNow(args);
    const verdict = await runEvaluation({
      policy: args.policy,
      jobs,
      selection,
      maxInputBytes: args.maxInputBytes,
      timeoutMs: args.timeout,
      ...(nowNs !== undefined ? { nowNs } : {}),
      ...(args.data !== undefined ? { data: loadData(args.data) } : {}),
      ...(args.workers !== undefined ? { workers: args.workers } : {}),
      ...(progress("evaluated") ? { onProgress: progress("evaluated")! } : {}),
    });
    report(verdict, targets);
  },
};

/** An unknown --parser is a usage error listing the names, as an unknown --format is. */
function parserOption(name: string | undefined): ParserName | undefined {
  if (name === undefined) return undefined;
  if (!isParserName(name)) throw new UsageError(`unknown parser ${JSON.stringify(name)}; known parsers: ${PARSER_NAMES.join(", ")}`);
  return name;
}

export async function collectJobs(files: string[], kind: string | undefined, parser?: ParserName): Promise<InputJob[]> {
  const jobs: InputJob[] = [];
  const seen = new Set<string>();
  const add = (job: InputJob) => {
    if (seen.has(job.display)) return;
    seen.add(job.display);
    if (kind) job.kind = kind;
    if (parser) job.parser = parser;
    jobs.push(job);
  };
  for (const arg of files) {
    if (arg === "-" || arg === STDIN_MARKER) {
      add({ display: "-", text: readFileSync(0, "utf8") });
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
      // As conftest: the files whose name selects a parser (whatever --parser says); here only
      // those gatehouse can parse, so a walk never meets input/unsupported-format.
      for (const rel of findFiles(abs, { accept: hasParser })) {
        add({ display: prefix + rel, file: base + (sep === "/" ? rel : rel.split("/").join(sep)) });
      }
    } else {
      add({ display: displayPath(abs), file: abs });
    }
  }
  return jobs;
}

function loadData(file: string): unknown {
  let text: string;
  try {
    text = readUntrustedText(file, { maxBytes: DEFAULT_MAX_INPUT_BYTES });
  } catch (error) {
    if (!(error instanceof UntrustedFileError)) throw error;
    throw new ConfigError(`cannot read --data: ${error.reason}`, file);
  }
  try {
    return parseDocument(text, formatForPath(file) === "json" ? "json" : undefined);
  } catch (error) {
    if (error instanceof InputParseError) throw new ConfigError(error.message, file);
    throw error;
  }
}
