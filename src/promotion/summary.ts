// The verification summary: an in-toto Statement v1 whose predicate is a SLSA Verification
// Summary Attestation (schemas/verification-summary.v2.schema.json), signed in a DSSE envelope
// (schemas/dsse-envelope.v1.schema.json, dsse.ts). Written by `gatehouse promote verify
// --summary-out F --sign-key KEY`; `gatehouse promote check-summary F --key PUB` verifies the
// signature first, and only then reads the statement and re-checks every digest it records
// against the files on disk and the policy against the bundle the checker trusts, without
// re-running any rule. An unsigned summary (verification-summary.v1 included) is refused.

import type { KeyObject } from "node:crypto";
import { readFileSync } from "node:fs";
import { dirname, isAbsolute, relative, resolve, sep } from "node:path";
import { sha256 } from "../core/digest.js";
import { isDenying, type Finding, type Severity } from "../core/findings.js";
import { displayPath } from "../core/paths.js";
import { readUntrustedFile, UntrustedFileError } from "../core/read.js";
import type { InputRecord, Verdict } from "../core/verdict.js";
import { DEFAULT_MAX_INPUT_BYTES, InputParseError, parseDocument, decodeText } from "../inputs/parse.js";
import type { SchemaRegistry } from "../schemas/registry.js";
import type { FileFact, SubjectFact } from "./collect.js";
import { IN_TOTO_PAYLOAD_TYPE, decodeBase64, signEnvelope, verifyEnvelope, type DsseEnvelope } from "./dsse.js";
import { HASH_CHUNK_BYTES, HASH_CONCURRENCY, HASH_SLACK_BYTES, hashFile, mapLimited, SizeMismatchError } from "./hash.js";
import { keyId } from "./keys.js";

export const VERIFIER_ID = "https://gatehouse.dev/promote/v1";
export const STATEMENT_TYPE = "https://in-toto.io/Statement/v1";
export const VSA_PREDICATE_TYPE = "https://slsa.dev/verification_summary/v1";
/** The schema of the signed statement (the envelope has its own, dsse-envelope.v1). */
export const SUMMARY_SCHEMA = "verification-summary.v2";
export const ENVELOPE_SCHEMA = "dsse-envelope.v1";
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
}

/** The unsigned verification-summary.v1 document (see buildSummary). */
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

export interface SummaryFinding {
  code: string;
  severity: Severity;
  message: string;
  input?: string;
  pointer?: string;
}

/** The in-toto Statement a summary envelope carries. */
export interface SummaryStatement {
  _type: typeof STATEMENT_TYPE;
  /** the outputs verified on disk */
  subject: NamedRef[];
  predicateType: typeof VSA_PREDICATE_TYPE;
  predicate: {
    verifier: { id: string; version: Record<string, string> };
    timeVerified: string;
    /** the (first) run receipt verified */
    resourceUri: string;
    /** the bundle's wasm */
    policy: DigestRef;
    /** receipts, manifests, registry */
    inputAttestations: DigestRef[];
    verificationResult: "PASSED" | "FAILED";
    verifiedLevels: string[];
    /** gatehouse's extension (in-toto allows extension fields): what else the verdict rests on */
    gatehouse: { summaryVersion: typeof SUMMARY_SCHEMA; schemas: NamedRef[]; findings: SummaryFinding[] };
  };
}

/** Codes `check-summary` raises. Each denies; none needs the policy rules to run. */
export const SUMMARY_CODES = {
  "summary/unsigned": "the summary is not a DSSE envelope (a bare statement or a verification-summary.v1 document) or its envelope carries no signature",
  "summary/bad-signature": "no signature of the envelope verifies with the key given (--key) over PAE(payloadType, payload): forged, altered after signing, or signed with another key",
  "summary/wrong-payload-type": "the envelope is signed but its payloadType is not application/vnd.in-toto+json",
  "summary/invalid": "the summary cannot be read or parsed, its envelope fails dsse-envelope.v1 (bad base64 included), its statement fails verification-summary.v2, or it is PASSED without any subject or input attestation",
  "summary/result-failed": "the summary records verificationResult FAILED (or no verified level)",
  "summary/policy-mismatch": "the policy the summary records is not the bundle check-summary trusts: the installed, pinned bundle, or the one --policy names",
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

export interface StatementSources extends SummarySources {
  /** the receipt the summary is about (resourceUri) */
  resourceFile: string;
}

/** Builds the statement for a summary file at `summaryFile`; every uri is relative to its directory. */
export function buildStatement(summaryFile: string, sources: StatementSources): SummaryStatement {
  const base = dirname(resolve(summaryFile));
  const uri = (file: string) => toPosix(relative(base, file));
  const passed = sources.verdict.decision === "allow";
  return {
    _type: STATEMENT_TYPE,
    subject: sources.subjects.map((s) => ({ name: s.name, uri: uri(s.file), digest: { sha256: s.sha256 } })),
    predicateType: VSA_PREDICATE_TYPE,
    predicate: {
      verifier: { id: VERIFIER_ID, version: { gatehouse: sources.version, ...(sources.opaVersion ? { opa: sources.opaVersion } : {}) } },
      timeVerified: new Date(Number(sources.nowNs / 1_000_000n)).toISOString(),
      resourceUri: uri(sources.resourceFile),
      policy: { uri: uri(sources.policyFile), digest: { sha256: sources.policySha256 } },
      inputAttestations: sources.files
        .map((f) => ({ uri: uri(f.file), digest: { sha256: f.sha256 } }))
        .sort((a, b) => (a.uri < b.uri ? -1 : a.uri > b.uri ? 1 : 0)),
      verificationResult: passed ? "PASSED" : "FAILED",
      verifiedLevels: passed ? [PROMOTION_LEVEL] : [],
      gatehouse: {
        summaryVersion: SUMMARY_SCHEMA,
        schemas: PROMOTION_SCHEMAS.map((name) => {
          const file = resolve(sources.schemasDir, `${name}.schema.json`);
          return { name, uri: uri(file), digest: { sha256: sha256(readFileSync(file)) } };
        }),
        findings: recordedFindings(sources.verdict),
      },
    },
  };
}

/**
 * The unsigned verification-summary.v1 document of earlier versions. `promote verify` no longer
 * writes it and `check-summary` refuses it (summary/unsigned); it stays exported because removing
 * it is a BREAKING change to gatehouse's contracts, which takes an approved decision. Use
 * buildStatement and signStatement.
 */
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
    findings: recordedFindings(sources.verdict),
  };
}

/** The signed envelope of a statement, as written to the summary file. */
export function signStatement(statement: SummaryStatement, key: KeyObject): DsseEnvelope {
  return signEnvelope(IN_TOTO_PAYLOAD_TYPE, Buffer.from(JSON.stringify(statement), "utf8"), key, keyId(key));
}

export interface SummaryTrust {
  /** the public key the envelope must be signed with */
  key: KeyObject;
  /** sha256 of the wasm the checker trusts (the pinned bundle's, or --policy's) */
  policySha256: string;
}

/**
 * Checks a summary: the signature (with the key given; none given denies) before anything in the payload is read,
 * then the statement's shape, its result, its policy against the trusted bundle, and every digest
 * it records (schemas, input attestations, subjects) against the files on disk. Returns denying
 * findings; none means a later stage may trust the summary without re-running the rules.
 */
export async function checkSummary(summaryFile: string, schemas: SchemaRegistry, trust?: SummaryTrust): Promise<{ findings: Finding[]; record?: InputRecord }> {
  const display = displayPath(summaryFile);
  const finding = (code: SummaryCode, message: string, pointer?: string): Finding => ({
    code,
    severity: "error",
    message,
    source: "gate",
    input: display,
    ...(pointer !== undefined ? { location: { pointer } } : {}),
  });
  let raw: Buffer;
  try {
    raw = readUntrustedFile(summaryFile, { maxBytes: DEFAULT_MAX_INPUT_BYTES });
  } catch (error) {
    if (error instanceof UntrustedFileError && error.problem === "too-large") return { findings: [finding("summary/invalid", `the summary is over ${DEFAULT_MAX_INPUT_BYTES} bytes`)] };
    return { findings: [finding("summary/invalid", `cannot read: ${(error as NodeJS.ErrnoException).code ?? (error as Error).message}`)] };
  }
  const record: InputRecord = { path: display, sha256: sha256(raw), bytes: raw.byteLength, rulesEvaluated: 0 };
  const refuse = (code: SummaryCode, message: string, pointer?: string) => ({ findings: [finding(code, message, pointer)], record });
  // Without a key and a trusted policy nothing in a summary can be verified, so nothing passes.
  if (!trust) return refuse("summary/bad-signature", "no public key was given to verify the summary's signature with");
  if (raw.byteLength > DEFAULT_MAX_INPUT_BYTES) return refuse("summary/invalid", `the summary is over ${DEFAULT_MAX_INPUT_BYTES} bytes`);

  // 1. The envelope, and its signature: nothing of the payload is trusted before it verifies.
  let document: unknown;
  try {
    document = parseDocument(decodeText(raw), "json");
  } catch (error) {
    if (!(error instanceof InputParseError)) throw error;
    return refuse("summary/invalid", error.message);
  }
  if (isObject(document) && ("summaryVersion" in document || "_type" in document || "predicate" in document)) {
    return refuse("summary/unsigned", "the summary is a bare statement, not a signed DSSE envelope: sign it with `promote verify --sign-key`");
  }
  if (isObject(document) && Array.isArray(document.signatures) && document.signatures.length === 0) {
    return refuse("summary/unsigned", "the envelope carries no signature", "/signatures");
  }
  const envelopeProblems = schemas.validate(ENVELOPE_SCHEMA, document, display);
  if (envelopeProblems.length > 0) return { findings: envelopeProblems.map((p) => finding("summary/invalid", p.message, p.location?.pointer)), record };
  const envelope = document as DsseEnvelope;
  const body = decodeBase64(envelope.payload);
  if (!body) return refuse("summary/invalid", "the envelope's payload is not base64", "/payload");
  if (!verifyEnvelope(envelope, body, trust.key)) {
    return refuse("summary/bad-signature", "no signature verifies with the key given: the summary was forged, changed after signing, or signed with another key", "/signatures");
  }
  if (envelope.payloadType !== IN_TOTO_PAYLOAD_TYPE) {
    return refuse("summary/wrong-payload-type", `payloadType is ${JSON.stringify(envelope.payloadType)}, not ${IN_TOTO_PAYLOAD_TYPE}`, "/payloadType");
  }

  // 2. The signed statement.
  let payload: unknown;
  try {
    payload = parseDocument(decodeText(body), "json");
  } catch (error) {
    if (!(error instanceof InputParseError)) throw error;
    return refuse("summary/invalid", `the signed payload: ${error.message}`, "/payload");
  }
  const problems = schemas.validate(SUMMARY_SCHEMA, payload, `${display}#payload`);
  if (problems.length > 0) return { findings: problems.map((p) => finding("summary/invalid", `the signed statement: ${p.message}`, `/payload${p.location?.pointer ?? ""}`)), record };
  const statement = payload as SummaryStatement;
  const predicate = statement.predicate;
  const base = dirname(resolve(summaryFile));
  const findings: Finding[] = [];

  if (predicate.verificationResult !== "PASSED" || !predicate.verifiedLevels.includes(PROMOTION_LEVEL)) {
    findings.push(finding("summary/result-failed", `the summary records ${predicate.verificationResult} with levels [${predicate.verifiedLevels.join(", ")}]`, "/payload/predicate/verificationResult"));
  }
  // A PASSED summary that vouches for nothing (no artifact, no receipt) would pass vacuously.
  if (predicate.verificationResult === "PASSED" && (statement.subject.length === 0 || predicate.inputAttestations.length === 0)) {
    findings.push(finding("summary/invalid", "a PASSED summary must name at least one subject and one input attestation", statement.subject.length === 0 ? "/payload/subject" : "/payload/predicate/inputAttestations"));
  }
  // The policy that judged must be the one this checker trusts, not merely one still on disk.
  if (predicate.policy.digest.sha256 !== trust.policySha256) {
    findings.push(finding("summary/policy-mismatch", `${predicate.policy.uri}: the summary was made with the bundle whose wasm has sha256 ${predicate.policy.digest.sha256}, not the trusted ${trust.policySha256}`, "/payload/predicate/policy/digest/sha256"));
  }
  type Check = { code: SummaryCode; ref: DigestRef; pointer: string };
  const checks: Check[] = [
    ...predicate.gatehouse.schemas.map((ref, i) => ({ code: "summary/schema-mismatch" as const, ref, pointer: `/payload/predicate/gatehouse/schemas/${i}` })),
    ...predicate.inputAttestations.map((ref, i) => ({ code: "summary/input-mismatch" as const, ref, pointer: `/payload/predicate/inputAttestations/${i}` })),
    ...statement.subject.map((ref, i) => ({ code: "summary/subject-mismatch" as const, ref, pointer: `/payload/subject/${i}` })),
  ];
  // The sizes the attested receipts declare for their outputs (by sha256): a subject far larger
  // than that is not hashed to the end (a sparse terabyte in an output's place).
  const declaredBytes = declaredOutputSizes(predicate.inputAttestations, base);
  const results = await mapLimited(checks, HASH_CONCURRENCY, async (check) => {
    const file = isAbsolute(check.ref.uri) ? check.ref.uri : resolve(base, check.ref.uri);
    const bytes = check.code === "summary/subject-mismatch" ? declaredBytes.get(check.ref.digest.sha256) : undefined;
    try {
      const actual = await hashFile(file, HASH_CHUNK_BYTES, bytes !== undefined ? bytes + HASH_SLACK_BYTES : undefined);
      if (actual.sha256 !== check.ref.digest.sha256) {
        return finding(check.code, `${check.ref.uri}: sha256 is ${actual.sha256}, the summary records ${check.ref.digest.sha256}`, `${check.pointer}/digest/sha256`);
      }
      return undefined;
    } catch (error) {
      if (error instanceof SizeMismatchError) return finding(check.code, `${check.ref.uri}: ${error.bytes} bytes, the attested receipt declares ${bytes}`, `${check.pointer}/digest/sha256`);
      return finding(check.code, `${check.ref.uri}: cannot be read (${(error as NodeJS.ErrnoException).code ?? (error as Error).message})`, `${check.pointer}/uri`);
    }
  });
  for (const result of results) if (result) findings.push(result);
  // The signature, the policy, one check per digest and the result: what "rules evaluated" means for a summary.
  record.rulesEvaluated = checks.length + 3;
  return { findings: findings.filter(isDenying), record };
}

/**
 * sha256 -> bytes of the outputs the attested receipts declare: each input attestation that is
 * still the file attested (same sha256) and reads as a receipt with outputs. Anything else is
 * skipped here (its own check reports it).
 */
function declaredOutputSizes(attestations: DigestRef[], base: string): Map<string, number> {
  const sizes = new Map<string, number>();
  for (const ref of attestations) {
    const file = isAbsolute(ref.uri) ? ref.uri : resolve(base, ref.uri);
    try {
      const raw = readUntrustedFile(file, { maxBytes: DEFAULT_MAX_INPUT_BYTES });
      if (sha256(raw) !== ref.digest.sha256) continue;
      const document = parseDocument(decodeText(raw), "json") as { outputs?: unknown };
      if (!Array.isArray(document?.outputs)) continue;
      for (const output of document.outputs as { digest?: { sha256?: unknown }; bytes?: unknown }[]) {
        const digest = output?.digest?.sha256;
        if (typeof digest === "string" && typeof output.bytes === "number" && Number.isSafeInteger(output.bytes) && output.bytes >= 0) {
          sizes.set(digest, Math.max(sizes.get(digest) ?? 0, output.bytes));
        }
      }
    } catch {
      // unreadable or not a receipt: its own digest check reports it
    }
  }
  return sizes;
}

/** The findings a summary records (both formats): everything above info, with where it points. */
function recordedFindings(verdict: Verdict) {
  return verdict.findings
    .filter((f) => f.severity !== "info")
    .map((f) => ({
      code: f.code,
      severity: f.severity,
      message: f.message,
      ...(f.input !== undefined ? { input: f.input } : {}),
      ...(f.location?.pointer !== undefined ? { pointer: f.location.pointer } : {}),
    }));
}

function isObject(value: unknown): value is Record<string, unknown> {
  return typeof value === "object" && value !== null && !Array.isArray(value);
}

function toPosix(path: string): string {
  return sep === "/" ? path : path.split(sep).join("/");
}
