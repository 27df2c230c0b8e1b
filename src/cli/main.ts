// The command line. Known error classes are caught here, once: they are rendered as text on
// stderr and in every chosen machine format (file or stdout), and exit 2. Library code never calls process.exit.

import yargs from "yargs";
import { errorMessage, isKnownError, UsageError } from "../core/errors.js";
import { EXIT_ERROR } from "../core/verdict.js";
import { parseFormats, REPORTERS, type FormatTarget } from "../reporters/index.js";
import type { ToolErrorReport } from "../reporters/types.js";
import { session, STDIN_MARKER } from "./common.js";
import { emit, reportContext } from "./output.js";

/**
 * The commands, in help order, each loaded on demand: some pull in heavy dependencies
 * (typescript, web-tree-sitter, execa...) that `gatehouse check` should not pay for at every
 * start. A run loads only the command it names; anything else (no command, an unknown one,
 * top-level --help) loads them all, so help and errors are unchanged.
 */
export const COMMANDS: Record<string, () => Promise<object>> = {
  init: async () => (await import("./commands/init.js")).initCommand,
  check: async () => (await import("./commands/check.js")).checkCommand,
  parse: async () => (await import("./commands/parse.js")).parseCommand,
  verify: async () => (await import("./commands/verify.js")).verifyCommand,
  gate: async () => (await import("./commands/gate.js")).gateCommand,
  build: async () => (await import("./commands/build.js")).buildCommand,
  fixtures: async () => (await import("./commands/fixtures.js")).fixturesCommand,
  contracts: async () => (await import("./commands/contracts.js")).contractsCommand,
  promote: async () => (await import("./commands/promote.js")).promoteCommand,
  schemas: async () => (await import("./commands/schemas.js")).schemasCommand,
  version: async () => (await import("./commands/version.js")).versionCommand,
  policy: async () => (await import("./commands/policy.js")).policyCommand,
  clarify: async () => (await import("./commands/clarify.js")).clarifyCommand,
  ops: async () => (await import("./commands/ops.js")).opsCommand,
  ledger: async () => (await import("./commands/ledger.js")).ledgerCommand,
  keys: async () => (await import("./commands/keys.js")).keysCommand,
  serve: async () => (await import("./commands/serve.js")).serveCommand,
};

/** The command modules a run needs: the one named first on the command line, else all. */
export async function commandsFor(argv: readonly string[]): Promise<object[]> {
  const named = argv.find((a) => !a.startsWith("-"));
  const names = named !== undefined && Object.hasOwn(COMMANDS, named) ? [named] : Object.keys(COMMANDS);
  return Promise.all(names.map((name) => COMMANDS[name]!()));
}

export async function main(argv: string[]): Promise<void> {
  session.targets = [{ format: "text" }];
  session.chosen = false;
  guardStdout();
  try {
    if (argv.includes("--version") && !argv.some((a) => !a.startsWith("-"))) {
      const { versionText } = await import("./commands/version.js");
      process.stdout.write(await versionText());
      return;
    }
    const parser = yargs(argv.map((a) => (a === "-" ? STDIN_MARKER : a))).scriptName("gatehouse");
    for (const command of await commandsFor(argv)) parser.command(command as never);
    parser
      .demandCommand(1, `name a command: ${Object.keys(COMMANDS).join(", ")}`)
      .recommendCommands()
      .strict()
      // Handlers see `-` again: the marker only carries it through yargs' parser.
      .middleware(restoreStdin, true)
      .middleware(((_parsed: unknown, y: unknown) => refuseBooleanValues(argv, y as BooleanOptions)) as never, true)
      .middleware(((parsed: Record<string, unknown>, y: unknown) => argumentsAfterDoubleDash(argv, parsed, y as CommandContext)) as never, true)
      .version(false)
      .option("version", { type: "boolean", describe: "print gatehouse, OPA and bundle versions" })
      .help()
      .exitProcess(false)
      .fail((message, error) => {
        throw error ?? new UsageError(message);
      });
    const positional = argv.find((a) => !a.startsWith("-"));
    if (positional === undefined && !argv.includes("--help") && !argv.includes("-h")) {
      // No command: the help, on stderr since nothing was done, and exit 2 as for any usage error.
      process.stderr.write(`${await parser.getHelp()}\n\nname a command, e.g. \`gatehouse gate\`\n`);
      process.exitCode = EXIT_ERROR;
      return;
    }
    // Only a first word is surely a command: `--root x gate` has x as an option's value.
    if (positional !== undefined && argv[0] === positional && !Object.hasOwn(COMMANDS, positional)) {
      const near = nearest(positional, Object.keys(COMMANDS));
      if (near !== undefined) throw new UsageError(`unknown command ${JSON.stringify(positional)}: did you mean ${near}?`);
    }
    skipHelpCache(parser);
    await parser.parseAsync();
  } catch (error) {
    // yargs rejects bad arguments before any handler has chosen the formats: read them from argv.
    if (!session.chosen) session.targets = formatsFromArgv(argv);
    renderToolError(error);
    process.exitCode = EXIT_ERROR;
  }
}

/** The command most like `word` (edit distance at most 2, or a prefix), if any. */
export function nearest(word: string, candidates: readonly string[]): string | undefined {
  let best: string | undefined;
  let bestDistance = 3;
  for (const candidate of candidates) {
    const d = candidate.startsWith(word) && word.length >= 2 ? 1 : editDistance(word, candidate);
    if (d < bestDistance) [best, bestDistance] = [candidate, d];
  }
  return best;
}

/** Levenshtein distance, one row at a time. */
function editDistance(a: string, b: string): number {
  let row = Array.from({ length: b.length + 1 }, (_, j) => j);
  for (let i = 1; i <= a.length; i++) {
    const next = [i];
    for (let j = 1; j <= b.length; j++) next[j] = Math.min(row[j]! + 1, next[j - 1]! + 1, row[j - 1]! + (a[i - 1] === b[j - 1] ? 0 : 1));
    row = next;
  }
  return row[b.length]!;
}

/**
 * `--flag=VALUE` for a boolean flag takes only true or false. yargs reads any other value as
 * false, so `--fail-on-warn=1` turned the check off, and `--fail=yes` (or a file named
 * `--fail=x.json` that `gatehouse check *` expands to) was --no-fail: a denial exiting 0.
 */
interface BooleanOptions {
  getOptions(): { boolean?: string[]; alias?: Record<string, string[]> };
}

function refuseBooleanValues(argv: readonly string[], y: BooleanOptions): void {
  const options = y.getOptions();
  const booleans = new Set<string>();
  const kebab = (name: string) => name.replace(/[A-Z]/g, (c) => `-${c.toLowerCase()}`);
  for (const name of options.boolean ?? []) {
    for (const each of [name, ...(options.alias?.[name] ?? [])]) booleans.add(kebab(each));
  }
  for (const arg of argv) {
    if (arg === "--") break;
    const match = /^--?([^=]+)=([\s\S]*)$/.exec(arg);
    if (!match) continue;
    const name = kebab(match[1]!);
    const flag = booleans.has(name) ? name : name.startsWith("no-") && booleans.has(name.slice(3)) ? name : undefined;
    if (flag === undefined || match[2] === "true" || match[2] === "false") continue;
    throw new UsageError(`--${flag} is true or false, not ${JSON.stringify(match[2])} (pass --${flag} or --${flag}=false; a file name that starts with - goes after --)`);
  }
}

interface CommandContext {
  getInternalMethods(): { getContext(): { fullCommands: string[] } };
}

/**
 * What follows `--` is operands, as in conftest (`check a.json -- -b.json`): yargs leaves them in
 * `_`, where no command looked, so `check ok.json -- bad.json` evaluated ok.json alone and allowed.
 * They join the command's list of files (its `[name..]` positional); a command without one
 * refuses them rather than dropping them.
 */
function argumentsAfterDoubleDash(argv: readonly string[], parsed: Record<string, unknown>, y: CommandContext): Record<string, unknown> {
  const end = argv.indexOf("--");
  if (end < 0 || end === argv.length - 1) return {};
  const after = argv.slice(end + 1);
  const full = y.getInternalMethods().getContext().fullCommands.at(-1) ?? "";
  const variadic = /[[<]([\w-]+)\.\.[\]>]/.exec(full)?.[1];
  if (variadic === undefined) throw new UsageError(`unexpected arguments after --: ${after.map((a) => JSON.stringify(a)).join(", ")} (this command takes no list of files)`);
  const held = parsed[variadic];
  const list = [...(Array.isArray(held) ? (held as unknown[]) : held === undefined ? [] : [held]), ...after];
  const camel = variadic.replace(/-([a-z])/g, (_, c: string) => c.toUpperCase());
  return { [variadic]: list, [camel]: list };
}

function restoreStdin(argv: Record<string, unknown>): void {
  for (const [key, value] of Object.entries(argv)) {
    if (value === STDIN_MARKER) argv[key] = "-";
    else if (Array.isArray(value) && value.includes(STDIN_MARKER)) argv[key] = value.map((v: unknown) => (v === STDIN_MARKER ? "-" : v));
  }
}

let stdoutGuarded = false;

/**
 * A reader that stops early (`gatehouse check ... | head`) closes the pipe, and Node reports the
 * next write as an 'error' event that, unhandled, kills the process with a stack trace. That is
 * the reader's choice, not a failure: stop writing and keep the exit code the verdict gave. Any
 * other failure to write stdout (a full disk behind a redirect) means the report did not arrive:
 * say so on stderr and exit 2.
 */
function guardStdout(): void {
  if (stdoutGuarded) return;
  stdoutGuarded = true;
  process.stdout.on("error", (error: NodeJS.ErrnoException) => {
    if (error.code === "EPIPE") return;
    process.stderr.write(`gatehouse: cannot write to stdout: ${error.code ?? error.message}\n`);
    process.exitCode = EXIT_ERROR;
  });
}

/**
 * yargs renders the chosen command's whole help text before running its handler, to have it at
 * hand if the handler later calls showHelp: ~30 ms of cliui, wrap-ansi and string-width on every
 * run. gatehouse's handlers never call showHelp and failures are rendered by main, so that text
 * is never shown. The hook is yargs-internal: when it is not there, nothing changes but the time.
 */
function skipHelpCache(parser: object): void {
  type Internals = { getInternalMethods?: () => { getUsageInstance?: () => { cacheHelpMessage?: unknown } } };
  const usage = (parser as Internals).getInternalMethods?.().getUsageInstance?.();
  if (usage && typeof usage.cacheHelpMessage === "function") usage.cacheHelpMessage = () => undefined;
}

/** `--format X`, `--format=X`, `-o X`, `-o=X`, best effort: text alone when they do not parse. */
export function formatsFromArgv(argv: readonly string[]): FormatTarget[] {
  const values: string[] = [];
  for (let i = 0; i < argv.length; i++) {
    const arg = argv[i]!;
    if (arg === "--") break;
    const eq = /^(?:--format|-o)=(.*)$/s.exec(arg);
    if (eq) values.push(eq[1]!);
    else if ((arg === "--format" || arg === "-o") && i + 1 < argv.length) values.push(argv[++i]!);
  }
  try {
    return parseFormats(values);
  } catch {
    return [{ format: "text" }];
  }
}

function renderToolError(error: unknown): void {
  const report: ToolErrorReport = isKnownError(error)
    ? { type: error.name, message: error.message }
    : { type: "InternalError", message: errorMessage(error) };
  if (!isKnownError(error) && error instanceof Error && process.env.GATEHOUSE_DEBUG) process.stderr.write(`${error.stack}\n`);
  // A human always sees the error on stderr; every machine format also gets it, in its own
  // shape, where it would have written the verdict (a file, or stdout).
  process.stderr.write(REPORTERS.text.render({ error: report }, reportContext(process.stderr)));
  const machineTargets = session.targets.filter((target) => target.format !== "text");
  try {
    emit({ error: report }, machineTargets);
  } catch (writeError) {
    process.stderr.write(`gatehouse: could not write the error report: ${errorMessage(writeError)}\n`);
  }
}
