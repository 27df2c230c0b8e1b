// `gatehouse parse FILE... [--parser NAME] [--combine]`: prints the documents policies see, as
// `conftest parse` does: one file's document, a map of path to document for several, the
// combined list with --combine. Keys are sorted as Go's encoder sorts them, so the output
// compares with conftest's. A file that cannot be parsed is named on stderr with the code the
// gate would deny it with, and the exit status is 1; so is a run with nothing to parse.

import type { Argv } from "yargs";
import { UsageError } from "../../core/errors.js";
import { setOwn } from "../../core/own-keys.js";
import { EXIT_DENY } from "../../core/verdict.js";
import { DEFAULT_MAX_INPUT_BYTES } from "../../inputs/parse.js";
import { PARSER_NAMES } from "../../inputs/parsers/index.js";
import { combineJobs, parseJobs } from "../../gate/documents.js";
import { asList, requireExisting } from "../common.js";
import { collectJobs, parserOption } from "./check.js";

interface ParseArgs {
  files: string[];
  parser?: string | undefined;
  combine: boolean;
  maxInputBytes: number;
  protoFileDirs?: string | string[] | undefined;
}

export const parseCommand = {
  command: "parse <files..>",
  describe: "print the documents policies see for these files (as conftest parse); '-' reads stdin",
  builder: (y: Argv) =>
    y
      .positional("files", { type: "string", array: true, default: [] as string[] })
      .option("parser", { type: "string", describe: `parse every input with this parser instead of choosing by file name (${PARSER_NAMES.join(", ")})` })
      .option("combine", { type: "boolean", default: false, describe: "print the one combined input --combine evaluates" })
      .option("max-input-bytes", { type: "number", default: DEFAULT_MAX_INPUT_BYTES, describe: "inputs larger than this are refused" })
      .option("proto-file-dirs", { type: "string", describe: "directories of .proto files for textproto inputs (repeatable)" }),
  handler: async (args: ParseArgs) => {
    if (args.files.length === 0) throw new UsageError("name at least one file to parse");
    for (const file of args.files) requireExisting(file, "input");
    const jobs = await collectJobs(args.files, undefined, parserOption(args.parser));
    // Nothing to parse (an empty directory, one holding only files no parser claims) is what
    // `check` denies as gate/no-inputs: the same code and exit status here, never a silent 0.
    if (jobs.length === 0) {
      process.stderr.write(`gate/no-inputs: no inputs to parse: nothing under ${args.files.join(", ")} is a file a parser claims (--parser NAME picks one for a named file)\n`);
      process.exitCode = EXIT_DENY;
      return;
    }
    const protoFileDirs = asList(args.protoFileDirs);
    await parseJobs(jobs, { maxInputBytes: args.maxInputBytes, ...(protoFileDirs.length > 0 ? { protoFileDirs } : {}) });
    // Combined, the one input is refused when nothing went into it (see combineJobs).
    const combined = args.combine ? combineJobs(jobs) : undefined;
    const refused = (combined ?? jobs).filter((job) => job.refused !== undefined);
    for (const job of refused) process.stderr.write(`${job.display}: ${job.refused!.code}: ${job.refused!.message}\n`);
    if (refused.length > 0) process.exitCode = EXIT_DENY;
    // Several files: the documents of those that parsed are still shown (the others are named
    // on stderr); a combined input is all or nothing, like one file.
    const parsed = jobs.filter((job) => job.refused === undefined);
    if (parsed.length === 0 || (refused.length > 0 && (args.combine || jobs.length === 1))) return;
    let shown: unknown;
    if (combined !== undefined) shown = combined.find((job) => job.refused === undefined)!.document;
    else if (jobs.length === 1) shown = jobs[0]!.document;
    else shown = Object.fromEntries(parsed.map((job) => [job.display, job.document]));
    process.stdout.write(`${JSON.stringify(sortKeys(shown), null, 2)}\n`);
  },
};

/** A copy with every object's keys in code-point order (Go's encoding of a map). */
export function sortKeys(value: unknown): unknown {
  if (Array.isArray(value)) return value.map(sortKeys);
  if (typeof value !== "object" || value === null) return value;
  const out: Record<string, unknown> = {};
  // setOwn: a `__proto__` key is printed as conftest prints it, not dropped (src/core/own-keys.ts).
  for (const key of Object.keys(value).sort()) setOwn(out, key, sortKeys((value as Record<string, unknown>)[key]));
  return out;
}
