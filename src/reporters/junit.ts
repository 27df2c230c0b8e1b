// JUnit XML for CI test tabs: one <testsuite> per input, one <testcase> per finding. Denying
// findings fail, suppressed ones are skipped, warnings and notes pass with their message in
// <system-out>, an input without findings is one passing testcase. Run-level findings (no
// input) go in a suite named after the tool. A tool error is one <error>.

import { cmp, compareFindings, isDenying, type Finding } from "../core/findings.js";
import type { Outcome, ReportContext, Reporter } from "./types.js";

// Characters XML 1.0 cannot carry at all, not even as character references.
const FORBIDDEN = /[\u0000-\u0008\u000B\u000C\u000E-\u001F\uFFFE\uFFFF]|[\uD800-\uDBFF](?![\uDC00-\uDFFF])|(?<![\uD800-\uDBFF])[\uDC00-\uDFFF]/g;

/** Forbidden characters become a visible `\uXXXX` so the message still says what was there. */
function scrub(text: string): string {
  return text.replace(FORBIDDEN, (ch) => `\\u${ch.charCodeAt(0).toString(16).toUpperCase().padStart(4, "0")}`);
}

export function xmlText(text: string): string {
  return scrub(text).replace(/&/g, "&amp;").replace(/</g, "&lt;").replace(/>/g, "&gt;");
}

/** Attribute values: quotes escaped, and whitespace as references so attribute normalisation keeps it. */
export function xmlAttr(text: string): string {
  return xmlText(text).replace(/"/g, "&quot;").replace(/'/g, "&apos;").replace(/\t/g, "&#9;").replace(/\n/g, "&#10;").replace(/\r/g, "&#13;");
}

function attrs(values: Record<string, string | number | undefined>): string {
  return Object.entries(values)
    .filter(([, value]) => value !== undefined)
    .map(([name, value]) => ` ${name}="${xmlAttr(String(value))}"`)
    .join("");
}

interface Case {
  name: string;
  body: string[];
  outcome: "pass" | "failure" | "skipped" | "error";
}

function where(finding: Finding): string {
  const loc = finding.location;
  const parts = [
    loc?.file !== undefined && loc.file !== finding.input ? loc.file : undefined,
    loc?.pointer !== undefined ? (loc.pointer === "" ? "(document)" : loc.pointer) : undefined,
    loc?.line !== undefined ? `line ${loc.line}${loc.column !== undefined ? `:${loc.column}` : ""}` : undefined,
  ].filter((p): p is string => p !== undefined);
  return parts.join(" ");
}

function details(finding: Finding): string {
  const lines = [`${finding.severity} ${finding.code}: ${finding.message}`];
  const at = where(finding);
  if (at) lines.push(`at: ${at}`);
  if (finding.rule !== undefined) lines.push(`rule: ${finding.rule}`);
  if (finding.suggestedFix !== undefined) lines.push(`fix: ${finding.suggestedFix}`);
  return lines.join("\n");
}

function findingCase(finding: Finding): Case {
  const at = where(finding);
  const name = at ? `${finding.code} ${at}` : finding.code;
  if (finding.suppressed) {
    const kind = finding.suppressed.kind === "waiver" ? "waived" : "exception";
    return {
      name,
      outcome: "skipped",
      body: [`<skipped${attrs({ message: `${kind}: ${finding.suppressed.justification}` })}/>`, `<system-out>${xmlText(details(finding))}</system-out>`],
    };
  }
  if (isDenying(finding)) {
    return {
      name,
      outcome: "failure",
      body: [`<failure${attrs({ type: finding.code, message: finding.message })}>${xmlText(details(finding))}</failure>`],
    };
  }
  return { name, outcome: "pass", body: [`<system-out>${xmlText(details(finding))}</system-out>`] };
}

function renderSuite(name: string, cases: Case[], properties: Record<string, string>, indent: string): { xml: string[]; counts: Counts } {
  const counts = count(cases);
  const xml = [`${indent}<testsuite${attrs({ name, tests: counts.tests, failures: counts.failures, errors: counts.errors, skipped: counts.skipped })}>`];
  const props = Object.entries(properties);
  if (props.length > 0) {
    xml.push(`${indent}  <properties>`);
    for (const [key, value] of props) xml.push(`${indent}    <property${attrs({ name: key, value })}/>`);
    xml.push(`${indent}  </properties>`);
  }
  const seen = new Map<string, number>();
  for (const c of cases) {
    // Test tabs merge testcases of the same name: number the repeats.
    const repeat = (seen.get(c.name) ?? 0) + 1;
    seen.set(c.name, repeat);
    const caseName = repeat === 1 ? c.name : `${c.name} (${repeat})`;
    const open = `${indent}  <testcase${attrs({ classname: name, name: caseName })}`;
    if (c.body.length === 0) {
      xml.push(`${open}/>`);
      continue;
    }
    xml.push(`${open}>`);
    for (const line of c.body) xml.push(`${indent}    ${line}`);
    xml.push(`${indent}  </testcase>`);
  }
  xml.push(`${indent}</testsuite>`);
  return { xml, counts };
}

interface Counts {
  tests: number;
  failures: number;
  errors: number;
  skipped: number;
}

function count(cases: Case[]): Counts {
  return {
    tests: cases.length,
    failures: cases.filter((c) => c.outcome === "failure").length,
    errors: cases.filter((c) => c.outcome === "error").length,
    skipped: cases.filter((c) => c.outcome === "skipped").length,
  };
}

function document(toolName: string, suites: { xml: string[]; counts: Counts }[], seconds?: number): string {
  const total = suites.reduce<Counts>(
    (sum, s) => ({
      tests: sum.tests + s.counts.tests,
      failures: sum.failures + s.counts.failures,
      errors: sum.errors + s.counts.errors,
      skipped: sum.skipped + s.counts.skipped,
    }),
    { tests: 0, failures: 0, errors: 0, skipped: 0 },
  );
  return [
    `<?xml version="1.0" encoding="UTF-8"?>`,
    // The common JUnit XSD (Ant's, as Jenkins reads it) allows no `skipped` on <testsuites>: each <testsuite> carries its own.
    `<testsuites${attrs({ name: toolName, tests: total.tests, failures: total.failures, errors: total.errors, time: seconds === undefined ? undefined : seconds.toFixed(3) })}>`,
    ...suites.flatMap((s) => s.xml),
    `</testsuites>`,
    "",
  ].join("\n");
}

export function junitXml(outcome: Outcome, context: ReportContext): string {
  if (outcome.error) {
    const suite = renderSuite(
      context.toolName,
      [{ name: `${context.toolName} run`, outcome: "error", body: [`<error${attrs({ type: outcome.error.type, message: outcome.error.message })}>${xmlText(outcome.error.message)}</error>`] }],
      {},
      "  ",
    );
    return document(context.toolName, [suite]);
  }
  const { verdict } = outcome;
  const byInput = new Map<string, Finding[]>();
  const runLevel: Finding[] = [];
  for (const finding of [...verdict.findings].sort(compareFindings)) {
    if (finding.input === undefined) runLevel.push(finding);
    else byInput.set(finding.input, [...(byInput.get(finding.input) ?? []), finding]);
  }
  const records = new Map(verdict.inputs.map((input) => [input.path, input]));
  const names = [...new Set([...records.keys(), ...byInput.keys()])].sort(cmp);
  const suites = [];
  if (runLevel.length > 0) suites.push(renderSuite(context.toolName, runLevel.map(findingCase), {}, "  "));
  for (const name of names) {
    const findings = byInput.get(name) ?? [];
    const record = records.get(name);
    const cases = findings.map(findingCase);
    if (cases.length === 0) {
      cases.push({ name: `no findings (${record?.rulesEvaluated ?? 0} rule evaluations)`, outcome: "pass", body: [] });
    }
    const properties: Record<string, string> = {};
    if (record?.kind !== undefined) properties.kind = record.kind;
    if (record?.sha256) properties.sha256 = record.sha256;
    if (record) properties.rulesEvaluated = String(record.rulesEvaluated);
    suites.push(renderSuite(name, cases, properties, "  "));
  }
  return document(context.toolName, suites, verdict.durations.totalMs / 1000);
}

export const junitReporter: Reporter = {
  description: "JUnit XML: a testsuite per input, a testcase per finding",
  render: junitXml,
};
