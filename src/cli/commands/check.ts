// `gatehouse check`: conftest-style evaluation of JSON/YAML files against a policy directory
// (compiled and cached) or a built bundle.

import { readFileSync, statSync } from "node:fs";
import { resolve, sep } from "node:path";
import type { Argv } from "yargs";
import { ConfigError, UsageError } from "../../core/errors.js";
import { displayPath } from "../../core/paths.js";
import { findFiles } from "../../core/walk.js";
import { parseDocument, InputParseError } from "../../inputs/parse.js";
import type { InputJob, NamespaceSelection } from "../../gate/evaluate-input.js";
import { runEvaluation } from "../../gate/run.js";
import { KINDS } from "../../schemas/kinds.js";
import { asList, fixedNow, STDIN_MARKER, progress, report, requireExisting, selectFormats, validateNumbers, withReportOptions, type ReportArgs } from "../common.js";

// What a directory argument expands to (the glob **/*.{json,yaml,yml}): dot files and node_modules skipped.
const INPUT_EXTENSIONS = [".json", ".yaml", ".yml"];

interface CheckArgs extends ReportArgs {
  files: string[];
  policy: string;
  namespace?: string | string[] | undefined;
  allNamespaces: boolean;
  kind?: string | undefined;
  data?: string | undefined;
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
      .option("data", { type: "string", describe: "JSON/YAML file exposed to policies as data" }),
  handler: async (args: CheckArgs) => {
    const targets = selectFormats(args);
    validateNumbers(args);
    if (args.allNamespaces && (args.kind !== undefined || args.namespace !== undefined)) {
      throw new UsageError("--all-namespaces cannot be combined with --namespace or --kind");
    }
    // A path that is not there is a usage error; what is there but cannot be read denies.
    for (const file of args.files) requireExisting(file, "input");
    // An unknown --kind is not a usage error: it denies each input with schema/unknown-kind.
    const jobs = await collectJobs(args.files, args.kind);
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

export async function collectJobs(files: string[], kind: string | undefined): Promise<InputJob[]> {
  const jobs: InputJob[] = [];
  const seen = new Set<string>();
  const add = (job: InputJob) => {
    if (seen.has(job.display)) return;
    seen.add(job.display);
    jobs.push(kind ? { ...job, kind } : job);
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
      for (const rel of findFiles(abs, { extensions: INPUT_EXTENSIONS })) {
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
    text = readFileSync(file, "utf8");
  } catch (error) {
    throw new ConfigError(`cannot read --data: ${(error as NodeJS.ErrnoException).code ?? (error as Error).message}`, file);
  }
  try {
    return parseDocument(text, file.endsWith(".json") ? "json" : undefined);
  } catch (error) {
    if (error instanceof InputParseError) throw new ConfigError(error.message, file);
    throw error;
  }
}
