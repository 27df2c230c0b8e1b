// Builds the documents of the ops input kinds, so the policies stay pure: `ops-change` (the
// declaration and the files changed in git) and `ops-execution` (the declaration, the execution
// log, per-step command facts from src/ops/commands.ts and the final report's headings).

import { relative, resolve } from "node:path";
import { ConfigError } from "../core/errors.js";
import { readUntrustedText, UntrustedFileError } from "../core/read.js";
import { InputParseError, formatForPath, parseDocument } from "../inputs/parse.js";
import type { ChangedFile } from "./changes.js";
import { commandAnalyzer, type CommandFacts } from "./commands/index.js";
import { markdownHeadings } from "./declaration.js";

const MAX_FILE_BYTES = 10 * 1024 * 1024;

function readText(file: string, what: string): string {
  try {
    return readUntrustedText(file, { maxBytes: MAX_FILE_BYTES });
  } catch (error) {
    if (error instanceof UntrustedFileError && error.problem === "too-large") throw new ConfigError(`${what} is over ${MAX_FILE_BYTES} bytes`, file);
    throw new ConfigError(`cannot read ${what}: ${(error as NodeJS.ErrnoException).code ?? (error as Error).message}`, file);
  }
}

/** Repository-relative, forward-slash path of a file given on the command line. */
export function repoPath(root: string, file: string): string {
  return relative(root, resolve(file)).split("\\").join("/");
}

export function changeDocument(options: { declaration: unknown; declarationFile: string; base: string; exempt: string[]; changes: ChangedFile[] }) {
  return {
    declaration: options.declaration,
    declaration_file: options.declarationFile,
    base: options.base,
    exempt: [...new Set(options.exempt)].sort(),
    changes: options.changes,
  };
}

export function loadExecutionLog(file: string): unknown {
  const text = readText(file, "execution log");
  try {
    return parseDocument(text, formatForPath(file) ?? "yaml");
  } catch (error) {
    if (error instanceof InputParseError) throw new ConfigError(`execution log: ${error.message}`, file);
    throw error;
  }
}

/**
 * A UTC RFC 3339 timestamp as fixed-width text (nanoseconds, `Z`), so that policies compare
 * instants as strings; "" when it is not UTC RFC 3339 (the log schema rejects those).
 */
export function utcSortable(timestamp: unknown): string {
  if (typeof timestamp !== "string") return "";
  const match = /^(\d{4}-\d{2}-\d{2})[Tt](\d{2}:\d{2}:\d{2})(?:\.(\d{1,9}))?(?:[Zz]|[+-]00:00)$/.exec(timestamp);
  return match ? `${match[1]}T${match[2]}.${(match[3] ?? "").padEnd(9, "0")}Z` : "";
}

/** The `command` of a verification that changes something (what ALLOWED_COMMANDS would have to name). */
const VERIFICATION = "(verification)";

export async function stepFacts(log: unknown): Promise<({ number: unknown; utc: string } & CommandFacts)[]> {
  const steps = (log as { steps?: unknown })?.steps;
  if (!Array.isArray(steps)) return [];
  const analyze = await commandAnalyzer();
  return steps.map((step: unknown) => {
    const s = (step ?? {}) as { number?: unknown; command?: unknown; timestamp?: unknown; verification?: { command?: unknown } };
    const facts = analyze(typeof s.command === "string" ? s.command : "");
    // The verification runs on the machine too: what it does is the step's (judged by every scope
    // rule), and a verification that changes anything proves nothing, so it is unverifiable.
    const check = s.verification?.command;
    if (typeof check === "string") {
      const v = analyze(check);
      facts.writes.push(...v.writes.filter((w) => !facts.writes.includes(w)));
      facts.reaches.push(...v.reaches.filter((w) => !facts.reaches.includes(w)));
      facts.services.push(...v.services);
      facts.streams.push(...v.streams.filter((x) => !facts.streams.includes(x)));
      facts.categories = [...new Set([...facts.categories, ...v.categories])].sort();
      facts.unverifiable.push(...v.unverifiable.map((u) => ({ command: u.command, reason: `in the verification: ${u.reason}` })));
      if (v.mutating) {
        facts.unverifiable.push({ command: VERIFICATION, reason: `the verification ${JSON.stringify(check.slice(0, 60))} changes something; a verification may only read (what it does is judged as the step's too)` });
        facts.mutating = true;
      }
    }
    return { number: typeof s.number === "number" ? s.number : 0, utc: utcSortable(s.timestamp), ...facts };
  });
}

export async function executionDocument(options: { declaration: unknown; log: unknown; reportFile?: string; reportDisplay?: string }) {
  const report = options.reportFile === undefined
    ? null
    : { file: options.reportDisplay ?? options.reportFile, headings: markdownHeadings(readText(options.reportFile, "final report")) };
  return { declaration: options.declaration, log: options.log, facts: await stepFacts(options.log), report };
}
