// SARIF 2.1.0 (OASIS): one run, one rule (reportingDescriptor) per finding code, one result per
// finding. Gate codes are described from GATE_CODES, policy codes from the bundle's package
// METADATA (Verdict.rules). A tool error is a run whose invocation failed, with a notification.

import { createHash } from "node:crypto";
import { GATE_CODES, isGateCode } from "../core/codes.js";
import { cmp, compareFindings, findingFile, type Finding, type Severity } from "../core/findings.js";
import { segmentName } from "../core/json-pointer.js";
import { exitCodeFor, EXIT_ERROR, type Verdict } from "../core/verdict.js";
import { PACK_CODES, type PackCode } from "../packs/core-codes.js";
import type * as Sarif from "sarif";
import type { Outcome, ReportContext, Reporter } from "./types.js";

export const SARIF_SCHEMA_URI = "https://docs.oasis-open.org/sarif/sarif/v2.1.0/errata01/os/schemas/sarif-schema-2.1.0.json";
export const INFORMATION_URI = "https://gatehouse.dev";

export function sarifLevel(severity: Severity): Sarif.Result.level {
  switch (severity) {
    case "block":
    case "error":
      return "error";
    case "warning":
      return "warning";
    case "info":
      return "note";
  }
}

/**
 * A path as a SARIF artifact URI (a URI reference): forward slashes, each segment
 * percent-encoded, absolute paths as file:// URIs.
 */
export function artifactUri(path: string): string {
  // Display paths already use forward slashes; a backslash is part of a POSIX file name.
  const drive = /^[A-Za-z]:\//.test(path);
  const encoded = path
    .split("/")
    .map((segment, i) => (drive && i === 0 ? segment : encodeURIComponent(segment)))
    .join("/");
  if (drive) return `file:///${encoded}`;
  return path.startsWith("/") ? `file://${encoded}` : encoded;
}

/** `gate/no-policies` → `GateNoPolicies`: SARIF recommends an identifier-like rule name. */
function ruleName(code: string): string {
  return code
    .split(/[^A-Za-z0-9]+/)
    .filter(Boolean)
    .map((word) => word[0]!.toUpperCase() + word.slice(1))
    .join("");
}

function ruleDescriptor(code: string, verdict: Verdict, findings: Finding[]): Sarif.ReportingDescriptor {
  const severity = findings.find((f) => f.code === code)!.severity;
  if (isGateCode(code)) {
    const info = GATE_CODES[code];
    return {
      id: code,
      name: ruleName(code),
      shortDescription: { text: info.title },
      fullDescription: { text: info.docs },
      help: { text: info.docs },
      defaultConfiguration: { level: sarifLevel(info.severity) },
      properties: { source: "gate" },
    };
  }
  if (Object.hasOwn(PACK_CODES, code)) {
    const info = PACK_CODES[code as PackCode];
    return {
      id: code,
      name: ruleName(code),
      shortDescription: { text: info.title },
      fullDescription: { text: info.docs },
      help: { text: `${info.docs}\n\nRaised by the policy pack ${verdict.policy ? `${verdict.policy.pack}@${verdict.policy.version}` : "stage"} (docs/policy-packs.md).` },
      defaultConfiguration: { level: sarifLevel(info.severity) },
      properties: { source: "pack", integrity: info.integrity },
    };
  }
  const declared = verdict.rules?.[code];
  if (declared) {
    const description = declared.description ?? declared.title;
    return {
      id: code,
      name: ruleName(code),
      shortDescription: { text: declared.title },
      fullDescription: { text: description },
      help: { text: `${description}\n\nDeclared by Rego package ${declared.package}.` },
      defaultConfiguration: { level: sarifLevel(declared.severity ?? severity) },
      properties: { source: "policy", package: declared.package },
    };
  }
  const source = findings.find((f) => f.code === code)!.source;
  const undeclared = `Finding code ${code}, raised by the ${source} stage; no package METADATA in the bundle declares it.`;
  return {
    id: code,
    name: ruleName(code),
    shortDescription: { text: code },
    fullDescription: { text: undeclared },
    help: { text: undeclared },
    defaultConfiguration: { level: sarifLevel(severity) },
    properties: { source },
  };
}

/** Logical location for a JSON pointer: the pointer is the fully qualified name. */
function logicalLocation(pointer: string): Sarif.LogicalLocation {
  if (pointer === "") return { fullyQualifiedName: "", kind: "object" };
  const last = segmentName(pointer.slice(pointer.lastIndexOf("/") + 1));
  return { name: last, fullyQualifiedName: pointer, kind: /^(0|[1-9][0-9]*)$/.test(last) ? "element" : "property" };
}

function location(finding: Finding, artifactIndex: Map<string, number>): Sarif.Location | undefined {
  const file = findingFile(finding);
  const pointer = finding.location?.pointer;
  if (file === undefined && pointer === undefined) return undefined;
  const result: Sarif.Location = {};
  if (file !== undefined) {
    const index = artifactIndex.get(file);
    const line = finding.location?.line;
    const column = finding.location?.column;
    result.physicalLocation = {
      artifactLocation: { uri: artifactUri(file), ...(index !== undefined ? { index } : {}) },
      ...(line !== undefined ? { region: { startLine: line, ...(column !== undefined ? { startColumn: column } : {}) } } : {}),
    };
  }
  if (pointer !== undefined) result.logicalLocations = [logicalLocation(pointer)];
  return result;
}

/** A stable identity for a finding across runs, so code-scanning can track it. */
function fingerprint(finding: Finding): string {
  const key = [finding.code, findingFile(finding) ?? "", finding.location?.pointer ?? "", finding.message].join("\u0000");
  return createHash("sha256").update(key).digest("hex");
}

function result(finding: Finding, ruleIndex: number, artifactIndex: Map<string, number>): Sarif.Result {
  const where = location(finding, artifactIndex);
  const properties: Record<string, unknown> = {
    severity: finding.severity,
    source: finding.source,
    ...(finding.rule !== undefined ? { rule: finding.rule } : {}),
    ...(finding.location?.pointer !== undefined ? { jsonPointer: finding.location.pointer } : {}),
    ...(finding.scope !== undefined ? { scope: finding.scope } : {}),
    ...(finding.suggestedFix !== undefined ? { suggestedFix: finding.suggestedFix } : {}),
    ...(finding.metadata !== undefined ? { metadata: finding.metadata } : {}),
  };
  const suppression = finding.suppressed;
  return {
    ruleId: finding.code,
    ruleIndex,
    level: sarifLevel(finding.severity),
    message: { text: finding.suggestedFix ? `${finding.message} (fix: ${finding.suggestedFix})` : finding.message },
    ...(where ? { locations: [where] } : {}),
    partialFingerprints: { "gatehouseFinding/v1": fingerprint(finding) },
    ...(suppression
      ? {
          suppressions: [
            {
              // A waiver lives outside the analysed input; a conftest exception is written in the policy source.
              kind: suppression.kind === "waiver" ? "external" : "inSource",
              status: "accepted",
              justification: suppression.justification,
              ...(suppression.owner !== undefined || suppression.expires !== undefined
                ? {
                    properties: {
                      ...(suppression.owner !== undefined ? { owner: suppression.owner } : {}),
                      ...(suppression.expires !== undefined ? { expires: suppression.expires } : {}),
                    },
                  }
                : {}),
            },
          ],
        }
      : {}),
    properties,
  };
}

function driver(context: ReportContext, rules?: Sarif.ReportingDescriptor[]): Sarif.ToolComponent {
  return {
    name: context.toolName,
    version: context.toolVersion,
    semanticVersion: context.toolVersion,
    informationUri: INFORMATION_URI,
    ...(rules ? { rules } : {}),
  };
}

/** `category/` (no run id) unless CI names the run. */
function automationDetails(context: ReportContext): Sarif.RunAutomationDetails {
  const runId = context.env.GITHUB_RUN_ID;
  return { id: `${context.toolName}/${runId ? `${runId}-${context.env.GITHUB_RUN_ATTEMPT ?? "1"}` : ""}` };
}

export function sarifLog(outcome: Outcome, context: ReportContext): Sarif.Log {
  const envelope = (run: Sarif.Run): Sarif.Log => ({ $schema: SARIF_SCHEMA_URI, version: "2.1.0", runs: [run] });
  if (outcome.error) {
    return envelope({
      tool: { driver: driver(context) },
      automationDetails: automationDetails(context),
      invocations: [
        {
          executionSuccessful: false,
          exitCode: EXIT_ERROR,
          toolExecutionNotifications: [
            { level: "error", message: { text: outcome.error.message }, descriptor: { id: outcome.error.type } },
          ],
        },
      ],
      properties: { verdict: "error", errorType: outcome.error.type },
    });
  }
  const { verdict } = outcome;
  const findings = [...verdict.findings].sort(compareFindings);
  const codes = [...new Set(findings.map((f) => f.code))].sort(cmp);
  const ruleIndex = new Map(codes.map((code, index) => [code, index]));
  const inputs = [...verdict.inputs].sort((a, b) => cmp(a.path, b.path));
  const artifactIndex = new Map(inputs.map((input, index) => [input.path, index]));
  return envelope({
    tool: { driver: driver(context, codes.map((code) => ruleDescriptor(code, verdict, findings))) },
    automationDetails: automationDetails(context),
    invocations: [{ executionSuccessful: true, exitCode: exitCodeFor(verdict) }],
    artifacts: inputs.map((input) => ({
      location: { uri: artifactUri(input.path) },
      ...(input.sha256 ? { hashes: { "sha-256": input.sha256 } } : {}),
      length: input.bytes,
      properties: { ...(input.kind !== undefined ? { kind: input.kind } : {}), rulesEvaluated: input.rulesEvaluated },
    })),
    results: findings.map((f) => result(f, ruleIndex.get(f.code)!, artifactIndex)),
    properties: {
      verdict: verdict.decision,
      ...(verdict.bundle
        ? { bundle: { path: verdict.bundle.path, sha256: verdict.bundle.sha256, opaVersion: verdict.bundle.opaVersion } }
        : {}),
      ...(verdict.policy ? { policy: verdict.policy } : {}),
      durations: verdict.durations,
    },
  });
}

export const sarifReporter: Reporter = {
  description: "SARIF 2.1.0 log for code scanning (one rule per finding code)",
  render: (outcome, context) => JSON.stringify(sarifLog(outcome, context), null, 2) + "\n",
};
