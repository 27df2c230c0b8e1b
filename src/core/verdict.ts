// The verdict of a run and the pure function from verdict to exit code.

import { compareFindings, countFindings, isDenying, type Finding, type Severity } from "./findings.js";

export type Decision = "allow" | "deny";

export interface InputRecord {
  /** display path (relative to the working directory) or `-` for stdin, or a collector label */
  path: string;
  kind?: string;
  /** sha256 of the input bytes (or of the canonical JSON a collector produced) */
  sha256: string;
  bytes: number;
  /** Rules that were evaluated for this input (entrypoints × results). */
  rulesEvaluated: number;
  /** conftest's tally per namespace evaluated, when a tap or table report asked for it (they print it). */
  namespaces?: NamespaceRecord[];
}

/** One namespace's conftest tally for one input, summed over its documents. */
export interface NamespaceRecord {
  namespace: string;
  /** conftest's successes: rule definitions that produced no message (policy/engine.go's count). */
  successes: number;
  /** The exception queries that matched, as conftest reports them: `data.NS.exception[_][_] == "NAME"`. */
  exceptions: string[];
}

export interface BundleRecord {
  path: string;
  sha256: string;
  opaVersion: string;
  entrypoints: string[];
}

export interface PolicyRecord {
  pack: string;
  version: string;
  effectiveHash: string;
  mode: "warn" | "block";
}

/** What reporters (SARIF rule descriptors) need to describe a policy finding code. */
export interface RuleInfo {
  title: string;
  description?: string;
  /** the Rego package that declares the code */
  package: string;
  /** `custom.severity` of that package, when it names a known severity */
  severity?: Severity;
}

export interface Verdict {
  decision: Decision;
  findings: Finding[];
  inputs: InputRecord[];
  bundle?: BundleRecord;
  /** the project's own policies (config `policies`) evaluated beside the bundle */
  policies?: BundleRecord[];
  policy?: PolicyRecord;
  /** Policy finding codes declared in the bundle's package METADATA (`custom.code`/`custom.codes`). */
  rules?: Record<string, RuleInfo>;
  durations: { totalMs: number; evaluateMs: number };
}

/** Builds a verdict: deny-by-default, so any denying finding, or no input at all, denies. */
export function decide(
  findings: Finding[],
  inputs: InputRecord[],
  extra: Omit<Verdict, "decision" | "findings" | "inputs">,
): Verdict {
  const sorted = [...findings].sort(compareFindings);
  const decision: Decision = sorted.some(isDenying) ? "deny" : "allow";
  return { decision, findings: sorted, inputs: [...inputs].sort((a, b) => (a.path < b.path ? -1 : a.path > b.path ? 1 : 0)), ...extra };
}

export const EXIT_ALLOW = 0;
export const EXIT_DENY = 1;
export const EXIT_ERROR = 2;

/** Exit code as a pure function of the verdict. Tool errors (no verdict) exit EXIT_ERROR. */
export function exitCodeFor(verdict: Verdict | undefined): number {
  if (!verdict) return EXIT_ERROR;
  return verdict.decision === "allow" ? EXIT_ALLOW : EXIT_DENY;
}

const plural = (n: number, word: string) => `${n} ${word}${n === 1 ? "" : "s"}`;

/** The one-line verdict for a CI log: `gatehouse: DENY (12 inputs: 1 failure, 0 warnings, 0 notices, 0 suppressed)`. */
export function verdictLine(verdict: Verdict, toolName: string): string {
  const c = countFindings(verdict.findings);
  return (
    `${toolName}: ${verdict.decision.toUpperCase()} (${plural(verdict.inputs.length, "input")}: ` +
    `${plural(c.failures, "failure")}, ${plural(c.warnings, "warning")}, ${plural(c.notices, "notice")}, ${c.suppressed} suppressed)`
  );
}
