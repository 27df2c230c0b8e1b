// Options and helpers shared by the commands that produce a verdict.

import { lstatSync, statSync } from "node:fs";
import type { Argv } from "yargs";
import { undecodableNameHint } from "../core/paths.js";
import { UsageError } from "../core/errors.js";
import { refuseSharedOutputs } from "../core/write.js";
import { parseRfc3339Ns } from "../policy/builtins/time.js";
import { DEFAULT_MAX_INPUT_BYTES } from "../inputs/parse.js";
import { FORMAT_NAMES, parseFormats, REPORTERS, type FormatTarget } from "../reporters/index.js";
import type { Outcome } from "../reporters/types.js";
import { exitCodeFor, verdictLine } from "../core/verdict.js";
import type { Verdict } from "../core/verdict.js";
import { DEFAULT_TIMEOUT_MS } from "../gate/run.js";
import { emit } from "./output.js";

/** The formats chosen for this run; main.ts renders tool errors in them too. */
export const session: { targets: FormatTarget[]; chosen: boolean } = { targets: [{ format: "text" }], chosen: false };

/** The most worker threads a run starts, whatever --workers asks. */
const MAX_WORKERS = 256;

export function withReportOptions<T>(y: Argv<T>) {
  return y
    // Not `array: true`: that would swallow the positional files after `--format json`.
    .option("format", { alias: "o", type: "string", describe: `report format, or NAME=FILE (repeatable; default text):\n${FORMAT_NAMES.map((name) => `  ${name}: ${REPORTERS[name].description}`).join("\n")}` })
    .option("timeout", { type: "number", default: DEFAULT_TIMEOUT_MS, describe: "per-input evaluation budget in ms" })
    .option("max-input-bytes", { type: "number", default: DEFAULT_MAX_INPUT_BYTES, describe: "inputs larger than this deny unparsed" })
    .option("now", { type: "string", describe: "fixed time for time.now_ns (RFC 3339); default $GATEHOUSE_NOW or the system clock" })
    .option("workers", { type: "number", describe: `worker threads, a whole number from 0 to ${MAX_WORKERS}; 0 evaluates in the main thread (default: by input count, up to the cores)` });
}

export interface ReportArgs {
  format?: string | string[] | undefined;
  timeout: number;
  maxInputBytes: number;
  now?: string | undefined;
  workers?: number | undefined;
}

export function selectFormats(args: ReportArgs): FormatTarget[] {
  const targets = parseFormats(asList(args.format));
  refuseSharedOutputs(targets.flatMap((t) => (t.file !== undefined ? [{ file: t.file, what: `--format ${t.format}=FILE` }] : [])));
  session.targets = targets;
  session.chosen = true;
  return session.targets;
}

export function validateNumbers(args: ReportArgs): void {
  // Finite and whole: Infinity would lift the cap, and a fraction of a byte or millisecond means a typo.
  if (!(Number.isSafeInteger(args.timeout) && args.timeout > 0)) throw new UsageError("--timeout must be a positive whole number of milliseconds");
  if (!(Number.isSafeInteger(args.maxInputBytes) && args.maxInputBytes > 0)) throw new UsageError("--max-input-bytes must be a positive whole number of bytes");
  // Bounded: each worker is a thread with its own heap, and --workers 100000 ran the machine out of memory.
  if (args.workers !== undefined && !(Number.isInteger(args.workers) && args.workers >= 0 && args.workers <= MAX_WORKERS)) {
    throw new UsageError(`--workers must be a whole number from 0 to ${MAX_WORKERS} (0 evaluates in the main thread)`);
  }
}

/** The fixed clock, if any: --now wins over $GATEHOUSE_NOW. */
export function fixedNow(args: ReportArgs, env: NodeJS.ProcessEnv = process.env): bigint | undefined {
  const value = args.now ?? env.GATEHOUSE_NOW;
  if (value === undefined || value === "") return undefined;
  try {
    // The same RFC 3339 parser as time.parse_rfc3339_ns: nanosecond-exact.
    return parseRfc3339Ns(value);
  } catch {
    throw new UsageError(`--now / GATEHOUSE_NOW must be an RFC 3339 timestamp, got ${JSON.stringify(value)}`);
  }
}

/**
 * The instant a command records (a registry's updatedAt, a decision's createdAt): $GATEHOUSE_NOW
 * read as --now is (RFC 3339 only; Date.parse took "2026-12-31 junk" and a date-time without a
 * zone in the machine's own time zone), else the clock.
 */
export function recordedNowIso(env: NodeJS.ProcessEnv = process.env): string {
  const fixed = fixedNow({} as ReportArgs, env);
  return new Date(fixed === undefined ? Date.now() : Number(fixed / 1_000_000n)).toISOString();
}

export function report(verdict: Verdict, targets: FormatTarget[]): void {
  const outcome: Outcome = { verdict };
  emit(outcome, targets);
  // Every report went to a file (`--format sarif=out.sarif`): the log still shows the verdict.
  if (targets.every((target) => target.file !== undefined)) process.stderr.write(`${verdictLine(verdict, "gatehouse")}\n`);
  process.exitCode = exitCodeFor(verdict);
}

/** Progress on stderr, only on a TTY: files collected, evaluated. */
export function progress(label: string): ((done: number, total: number) => void) | undefined {
  if (!process.stderr.isTTY) return undefined;
  let last = 0;
  return (done, total) => {
    const now = Date.now();
    if (done !== total && now - last < 100) return;
    last = now;
    process.stderr.write(`\r${label}: ${done}/${total}${done === total ? "\n" : ""}`);
  };
}

/**
 * A path the user named must be there: its absence is a setup error (exit 2, naming the path),
 * never a deny. Anything that exists (even a dangling link) is left to the command, which
 * judges what it reads.
 */
export function requireExisting(path: string, what: string): void {
  if (path === "-" || path === STDIN_MARKER) return;
  try {
    lstatSync(path);
  } catch (error) {
    const code = (error as NodeJS.ErrnoException).code;
    const problem = code === "ENOENT" || code === "ENOTDIR" ? `${what} does not exist${undecodableNameHint(path)}` : `cannot read ${what}: ${code ?? (error as Error).message}`;
    throw new UsageError(`${path}: ${problem}`);
  }
}

/** A file the user named must be a regular file (a link to one will do): not a FIFO, device or directory. */
export function requireRegularFile(path: string, what: string): void {
  requireExisting(path, what);
  let kind = "a dangling link";
  try {
    const stat = statSync(path);
    if (stat.isFile()) return;
    kind = stat.isDirectory() ? "a directory" : stat.isFIFO() ? "a FIFO" : stat.isCharacterDevice() || stat.isBlockDevice() ? "a device" : stat.isSocket() ? "a socket" : "not a regular file";
  } catch (error) {
    const code = (error as NodeJS.ErrnoException).code;
    if (code !== "ENOENT") kind = `unreadable (${code ?? (error as Error).message})`;
  }
  throw new UsageError(`${path}: ${what} is ${kind}, not a regular file`);
}

/** A directory the user named must be one (a link to one will do). */
export function requireDirectory(path: string, what: string): void {
  requireExisting(path, what);
  let isDirectory = false;
  try {
    isDirectory = statSync(path).isDirectory();
  } catch {
    // a dangling link: not a directory
  }
  if (!isDirectory) throw new UsageError(`${path}: ${what} is not a directory`);
}

/** A repeatable option as a list (yargs gives a string for one use, an array for several). */
export function asList(value: string | string[] | undefined): string[] {
  return value === undefined ? [] : Array.isArray(value) ? value : [value];
}

/** yargs drops a bare `-` positional; main.ts swaps it for this marker before parsing. */
export const STDIN_MARKER = "\u0000stdin";

/** A yargs command module, as each file under commands/ exports it. */
interface CommandModule {
  command: string;
  describe: string;
}

/**
 * A command that only groups subcommands (`promote <command>`): running it without one is a usage
 * error naming them.
 */
export function commandGroup(name: string, describe: string, subcommands: readonly CommandModule[]) {
  const names = subcommands.map((sub) => sub.command.split(" ")[0]!);
  return {
    command: `${name} [command]`,
    describe,
    builder: (y: Argv) => subcommands.reduce((group, sub) => group.command(sub as never), y).demandCommand(1, `name ${/^[aeiou]/.test(name) ? "an" : "a"} ${name} command: ${names.join(", ")}`),
    handler: () => {},
  };
}
