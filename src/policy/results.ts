// Turning rule results into findings, conftest-compatible: deny/violation/warn rules are sets of
// strings or of objects with a string `msg`; other keys (code, severity, metadata, location...)
// carry into the finding. Anything else is an unusable result and denies.

import type { Finding, FindingLocation, Severity } from "../core/findings.js";
import type { EntrypointInfo } from "./manifest.js";

const SEVERITIES: ReadonlySet<string> = new Set(["info", "warning", "error", "block"]);
const RESERVED = new Set(["msg", "code", "severity", "location", "scope", "suggested_fix", "suggestedFix", "metadata"]);

export interface RuleOutcome {
  findings: Finding[];
  /** exception names (conftest) when the rule is an `exception` rule */
  exceptions?: string[];
}

export function interpretResult(entry: EntrypointInfo, value: unknown, input: string): RuleOutcome {
  const rule = `data.${entry.package}.${entry.rule}`;
  const problem = (code: "policy/bad-result" | "policy/finding-without-msg", message: string): RuleOutcome => ({
    findings: [{ code, severity: "error", message: `${rule}: ${message}`, source: "gate", input, rule }],
  });

  if (!Array.isArray(value)) {
    const shape = typeof value === "boolean" ? "a bare boolean" : typeof value === "string" ? "a string" : `a ${typeof value}`;
    return problem("policy/bad-result", `expected a set of messages, got ${shape} (${JSON.stringify(value)})`);
  }

  if (entry.role === "exception") {
    // conftest: `exception contains rules if { rules := ["foo"] }` → a set of arrays of names,
    // queried as `exception[_][_]`. A bare name (`exception contains "foo"`, `exception := ["foo"]`)
    // is no list of names: conftest's query errors there, so it must not except anything here.
    const names: string[] = [];
    for (const element of value) {
      if (!Array.isArray(element)) return problem("policy/bad-result", `exception must be a set of lists of rule names (exception contains ["foo"]), got ${JSON.stringify(element)}`);
      for (const name of element) {
        if (typeof name !== "string") return problem("policy/bad-result", `exception names must be strings, got ${JSON.stringify(name)}`);
        names.push(name);
      }
    }
    return { findings: [], exceptions: names };
  }

  const defaultSeverity: Severity = entry.role === "warn" ? "warning" : "error";
  const findings: Finding[] = [];
  for (const element of value) {
    if (typeof element === "string") {
      findings.push({ code: defaultCode(entry), severity: defaultSeverity, message: element, source: "policy", input, rule });
      continue;
    }
    if (element === null || typeof element !== "object" || Array.isArray(element)) {
      return problem("policy/bad-result", `expected strings or objects with msg, got ${JSON.stringify(element)}`);
    }
    const obj = element as Record<string, unknown>;
    if (typeof obj.msg !== "string") {
      return problem("policy/finding-without-msg", `finding object has no string msg: ${JSON.stringify(obj)}`);
    }
    let severity: Severity = defaultSeverity;
    if (obj.severity !== undefined) {
      if (typeof obj.severity !== "string" || !SEVERITIES.has(obj.severity)) {
        return problem("policy/bad-result", `severity must be one of info, warning, error, block, got ${JSON.stringify(obj.severity)}`);
      }
      severity = obj.severity as Severity;
      // A warn rule cannot escalate itself into a deny: its findings stay non-denying.
      if (entry.role === "warn" && (severity === "error" || severity === "block")) severity = "warning";
    }
    const finding: Finding = {
      code: typeof obj.code === "string" && obj.code !== "" ? obj.code : defaultCode(entry),
      severity,
      message: obj.msg,
      source: "policy",
      input,
      rule,
    };
    const location = toLocation(obj.location);
    if (location) finding.location = location;
    if (typeof obj.scope === "string" && ["project", "artifact", "change", "operation"].includes(obj.scope)) {
      finding.scope = obj.scope as Finding["scope"];
    }
    const fix = obj.suggested_fix ?? obj.suggestedFix;
    if (typeof fix === "string") finding.suggestedFix = fix;
    const metadata: Record<string, unknown> = {};
    if (obj.metadata && typeof obj.metadata === "object" && !Array.isArray(obj.metadata)) Object.assign(metadata, obj.metadata);
    for (const [key, v] of Object.entries(obj)) if (!RESERVED.has(key)) metadata[key] = v;
    if (Object.keys(metadata).length > 0) finding.metadata = metadata;
    findings.push(finding);
  }
  return { findings };
}

/** Code for findings that carry none (plain conftest messages): the rule's path. */
function defaultCode(entry: EntrypointInfo): string {
  return `${entry.package}.${entry.rule}`;
}

function toLocation(raw: unknown): FindingLocation | undefined {
  if (!raw || typeof raw !== "object") return undefined;
  const r = raw as Record<string, unknown>;
  const loc: FindingLocation = {};
  if (typeof r.file === "string") loc.file = r.file;
  if (typeof r.pointer === "string") loc.pointer = r.pointer;
  if (typeof r.line === "number") loc.line = r.line;
  if (typeof r.column === "number") loc.column = r.column;
  return Object.keys(loc).length > 0 ? loc : undefined;
}
