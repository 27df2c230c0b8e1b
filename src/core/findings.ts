// The one finding model every stage speaks: collectors, schema validation, the policy engine,
// policy packs and every reporter. It lives here, in a neutral module, so that no reporter owns
// the types and no stage depends on another stage to describe what it found.

export type Severity = "info" | "warning" | "error" | "block";

/** Severities that deny in block mode (the default). `warning` and `info` never deny. */
export const DENYING_SEVERITIES: ReadonlySet<Severity> = new Set<Severity>(["error", "block"]);

export type FindingScope = "project" | "artifact" | "change" | "operation";

/** Where the finding points at. `pointer` is an RFC 6901 JSON pointer into the input document. */
export interface FindingLocation {
  file?: string;
  pointer?: string;
  line?: number;
  column?: number;
}

/** How a finding was suppressed: a conftest `exception` rule or a policy-pack waiver. */
export interface Suppression {
  kind: "exception" | "waiver";
  justification: string;
  /** who owns the waiver (waivers only) */
  owner?: string;
  expires?: string;
}

export interface Finding {
  /** Stable, documented identifier, e.g. `gate/no-policies` or `promotion/digest-mismatch`. */
  code: string;
  severity: Severity;
  message: string;
  /** Which stage raised it. */
  source: "gate" | "schema" | "policy" | "pack";
  /** The input this finding is about (its display path); absent for run-level findings. */
  input?: string;
  /** The rule that produced it, e.g. `data.main.deny`. */
  rule?: string;
  location?: FindingLocation;
  scope?: FindingScope;
  suggestedFix?: string;
  metadata?: Record<string, unknown>;
  suppressed?: Suppression;
}

/**
 * The file a finding is about: its location's file (a contract change's source file), else its
 * input. Every reporter shows this file and a waiver's `target.file` matches it, so a waiver
 * written from any report suppresses the finding it was written for.
 */
export function findingFile(finding: Finding): string | undefined {
  return finding.location?.file ?? finding.input;
}

/** A finding counts against the verdict unless it was suppressed. */
export function isDenying(finding: Finding): boolean {
  return finding.suppressed === undefined && DENYING_SEVERITIES.has(finding.severity);
}

/** The counts every reporter's summary gives: denying, warning and informing findings, and suppressed ones. */
export interface FindingCounts {
  failures: number;
  warnings: number;
  notices: number;
  suppressed: number;
}

export function countFindings(findings: readonly Finding[]): FindingCounts {
  const counts: FindingCounts = { failures: 0, warnings: 0, notices: 0, suppressed: 0 };
  for (const finding of findings) {
    if (finding.suppressed !== undefined) counts.suppressed++;
    else if (isDenying(finding)) counts.failures++;
    else if (finding.severity === "warning") counts.warnings++;
    else if (finding.severity === "info") counts.notices++;
  }
  return counts;
}

const SEVERITY_RANK: Record<Severity, number> = { block: 0, error: 1, warning: 2, info: 3 };

/** Deterministic order for every reporter: input, then severity, then code, then message. */
export function compareFindings(a: Finding, b: Finding): number {
  return (
    cmp(a.input ?? "", b.input ?? "") ||
    SEVERITY_RANK[a.severity] - SEVERITY_RANK[b.severity] ||
    cmp(a.code, b.code) ||
    cmp(a.location?.pointer ?? "", b.location?.pointer ?? "") ||
    cmp(a.message, b.message) ||
    cmp(a.rule ?? "", b.rule ?? "")
  );
}

export function cmp(a: string, b: string): number {
  return a < b ? -1 : a > b ? 1 : 0;
}
