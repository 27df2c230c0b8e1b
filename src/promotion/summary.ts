// The verification summary (schemas/verification-summary.v1.schema.json), modelled on the SLSA
// Verification Summary Attestation: written by `gatehouse promote verify`, re-checked by
// `gatehouse promote check-summary` against the files on disk without re-running any rule.

import { readFileSync } from "node:fs";
import { dirname, isAbsolute, relative, resolve, sep } from "node:path";
import { sha256 } from "../core/digest.js";
import { isDenying, type Finding, type Severity } from "../core/findings.js";
import { displayPath } from "../core/paths.js";
import { readUntrustedFile, UntrustedFileError } from "../core/read.js";
import type { InputRecord, Verdict } from "../core/verdict.js";
import { DEFAULT_MAX_INPUT_BYTES, InputParseError, parseDocument } from "../inputs/parse.js";
import type { SchemaRegistry } from "../schemas/registry.js";
import type { FileFact, SubjectFact } from "./collect.js";
import { HASH_CONCURRENCY, hashFile, mapLimited } from "./hash.js";

export const VERIFIER_ID = "https://gatehouse.dev/promote/v1";
/** The level a PASSED summary vouches for: every promotion rule of this bundle held. */
export const PROMOTION_LEVEL = "GATEHOUSE_PROMOTION_V1";
/** The schemas a promotion verdict depends on; their digests go into the summary. */
export const PROMOTION_SCHEMAS = ["promotion-input.v1", "run-manifest.v1", "run-receipt.v1", "watcher-registry.v1"];

export interface DigestRef {
  uri: string;
  digest: { sha256: string };
}

export interface NamedRef extends DigestRef {
  name: string;
  bytes?: number;
}

export interface VerificationSummary {
  summaryVersion: "verification-summary.v1";
  verifier: { id: string; version: string; opaVersion?: string };
  timeVerified: string;
  policy: DigestRef;
  schemas: NamedRef[];
  inputAttestations: DigestRef[];
  subject: NamedRef[];
  verificationResult: "PASSED" | "FAILED";
  verifiedLevels: string[];
  findings: { code: string; severity: Severity; message: string; input?: string; pointer?: string }[];
}

/** Codes `check-summary` raises. Each denies; none needs the policy bundle to run. */
export const SUMMARY_CODES = {
  "summary/invalid": "the summary cannot be read, parsed, fails verification-summary.v1, or is PASSED without any subject or input attestation",
  "summary/result-failed": "the summary records verificationResult FAILED (or no verified level)",
  "summary/policy-mismatch": "the policy bundle on disk is missing or has another digest than the summary records",
  "summary/schema-mismatch": "a schema on disk is missing or has another digest than the summary records",
  "summary/input-mismatch": "a receipt, manifest or registry on disk is missing or changed since verification",
  "summary/subject-mismatch": "a verified output on disk is missing or changed since verification",
} as const;
export type SummaryCode = keyof typeof SUMMARY_CODES;

export interface SummarySources {
  verdict: Verdict;
  nowNs: bigint;
  version: string;
  /** the policy wasm file and its digest */
  policyFile: string;
  policySha256: string;
  opaVersion?: string;
  schemasDir: string;
  files: FileFact[];
  subjects: SubjectFact[];
}

/** Builds the summary for a summary file at `summaryFile`; every uri is relative to its directory. */
export function buildSummary(summaryFile: string, sources: SummarySources): VerificationSummary {
  const base = dirname(resolve(summaryFile));
  const uri = (file: string) => toPosix(relative(base, file));
  const passed = sources.verdict.decision === "allow";
  return {
    summaryVersion: "verification-summary.v1",
    verifier: { id: VERIFIER_ID, version: sources.version, ...(sources.opaVersion ? { opaVersion: sources.opaVersion } : {}) },
    timeVerified: new Date(Number(sources.nowNs / 1_000_000n)).toISOString(),
    policy: { uri: uri(sources.policyFile), digest: { sha256: sources.policySha256 } },
    schemas: PROMOTION_SCHEMAS.map((name) => {
      const file = resolve(sources.schemasDir, `${name}.schema.json`);
      return { name, uri: uri(file), digest: { sha256: sha256(readFileSync(file)) } };
    }),
    inputAttestations: sources.files
      .map((f) => ({ uri: uri(f.file), digest: { sha256: f.sha256 } }))
      .sort((a, b) => (a.uri < b.uri ? -1 : a.uri > b.uri ? 1 : 0)),
    subject: sources.subjects.map((s) => ({ name: s.name, uri: uri(s.file), digest: { sha256: s.sha256 }, bytes: s.bytes })),
    verificationResult: passed ? "PASSED" : "FAILED",
    verifiedLevels: passed ? [PROMOTION_LEVEL] : [],
    findings: sources.verdict.findings
      .filter((f) => f.severity !== "info")
      .map((f) => ({
        code: f.code,
        severity: f.severity,
        message: f.message,
        ...(f.input !== undefined ? { input: f.input } : {}),
        ...(f.location?.pointer !== undefined ? { pointer: f.location.pointer } : {}),
      })),
  };
}

/**
 * Re-checks a summary: its shape, its result, and every digest it records (policy bundle,
 * schemas, input attestations, subjects) against the files on disk. Returns denying findings;
 * none means a later stage may trust the summary without re-running the rules.
 */
export async function checkSummary(summaryFile: string, schemas: SchemaRegistry): Promise<{ findings: Finding[]; record?: InputRecord }> {
  const display = displayPath(summaryFile);
  const finding = (code: SummaryCode, message: string, pointer?: string): Finding => ({
    code,
    severity: "error",
    message,
    source: "gate",
    input: display,
    ...(pointer !== undefined ? { location: { pointer } } : {}),
  });
  let document: unknown;
  let raw: Buffer;
  try {
    raw = readUntrustedFile(summaryFile, { maxBytes: DEFAULT_MAX_INPUT_BYTES });
  } catch (error) {
    if (error instanceof UntrustedFileError && error.problem === "too-large") return { findings: [finding("summary/invalid", `the summary is over ${DEFAULT_MAX_INPUT_BYTES} bytes`)] };
    return { findings: [finding("summary/invalid", `cannot read: ${(error as NodeJS.ErrnoException).code ?? (error as Error).message}`)] };
  }
  const record: InputRecord = { path: display, sha256: sha256(raw), bytes: raw.byteLength, rulesEvaluated: 0 };
  try {
    document = parseDocument(raw.toString("utf8"), "json");
  } catch (error) {
    if (!(error instanceof InputParseError)) throw error;
    return { findings: [finding("summary/invalid", error.message)], record };
  }
  const problems = schemas.validate("verification-summary.v1", document, display);
  if (problems.length > 0) return { findings: problems.map((p) => finding("summary/invalid", p.message, p.location?.pointer)), record };
  const summary = document as VerificationSummary;
  const base = dirname(resolve(summaryFile));
  const findings: Finding[] = [];

  if (summary.verificationResult !== "PASSED" || !summary.verifiedLevels.includes(PROMOTION_LEVEL)) {
    findings.push(finding("summary/result-failed", `the summary records ${summary.verificationResult} with levels [${summary.verifiedLevels.join(", ")}]`, "/verificationResult"));
  }
  // A PASSED summary that vouches for nothing (no artifact, no receipt) would pass vacuously.
  if (summary.verificationResult === "PASSED" && (summary.subject.length === 0 || summary.inputAttestations.length === 0)) {
    findings.push(finding("summary/invalid", "a PASSED summary must name at least one subject and one input attestation", summary.subject.length === 0 ? "/subject" : "/inputAttestations"));
  }
  type Check = { code: SummaryCode; ref: DigestRef; pointer: string; bytes?: number };
  const checks: Check[] = [
    { code: "summary/policy-mismatch", ref: summary.policy, pointer: "/policy" },
    ...summary.schemas.map((ref, i) => ({ code: "summary/schema-mismatch" as const, ref, pointer: `/schemas/${i}` })),
    ...summary.inputAttestations.map((ref, i) => ({ code: "summary/input-mismatch" as const, ref, pointer: `/inputAttestations/${i}` })),
    ...summary.subject.map((ref, i) => ({ code: "summary/subject-mismatch" as const, ref, pointer: `/subject/${i}`, ...(ref.bytes !== undefined ? { bytes: ref.bytes } : {}) })),
  ];
  const results = await mapLimited(checks, HASH_CONCURRENCY, async (check) => {
    const file = isAbsolute(check.ref.uri) ? check.ref.uri : resolve(base, check.ref.uri);
    try {
      const actual = await hashFile(file);
      if (actual.sha256 !== check.ref.digest.sha256) {
        return finding(check.code, `${check.ref.uri}: sha256 is ${actual.sha256}, the summary records ${check.ref.digest.sha256}`, `${check.pointer}/digest/sha256`);
      }
      if (check.bytes !== undefined && actual.bytes !== check.bytes) {
        return finding(check.code, `${check.ref.uri}: ${actual.bytes} bytes, the summary records ${check.bytes}`, `${check.pointer}/bytes`);
      }
      return undefined;
    } catch (error) {
      return finding(check.code, `${check.ref.uri}: cannot be read (${(error as NodeJS.ErrnoException).code ?? (error as Error).message})`, `${check.pointer}/uri`);
    }
  });
  for (const result of results) if (result) findings.push(result);
  // One check per digest plus the result: what "rules evaluated" means for a summary.
  record.rulesEvaluated = checks.length + 1;
  return { findings: findings.filter(isDenying), record };
}

function toPosix(path: string): string {
  return sep === "/" ? path : path.split(sep).join("/");
}
