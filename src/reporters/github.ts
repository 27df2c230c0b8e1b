// GitHub Actions workflow commands: one `::error`/`::warning`/`::notice` line per finding, which
// GitHub turns into annotations on the file and line. With GITHUB_STEP_SUMMARY set, a Markdown
// summary (verdict, counts, findings) is appended to the job summary as a side output.

import { compareFindings, countFindings, findingFile, isDenying, type Finding } from "../core/findings.js";
import { verdictLine } from "../core/verdict.js";
import type { Outcome, ReportContext, Reporter } from "./types.js";

/**
 * Escaping for the message part of a workflow command: the runner's own escapes for `%`, CR and
 * LF (a raw line break would start a command of the input's choosing), and the other control
 * characters shown as `\uXXXX`, as the text report shows them, so that escape sequences in a
 * message cannot recolour or hide parts of the log.
 */
export function escapeData(text: string): string {
  return text
    .replace(/%/g, "%25")
    .replace(/\r/g, "%0D")
    .replace(/\n/g, "%0A")
    .replace(/[\u0000-\u0008\u000B\u000C\u000E-\u001F\u007F-\u009F]/g, (ch) => `\\u${ch.charCodeAt(0).toString(16).toUpperCase().padStart(4, "0")}`);
}

/** Escaping for property values (file=, title=): the data rules plus `:` and `,`. */
export function escapeProperty(text: string): string {
  return escapeData(text).replace(/:/g, "%3A").replace(/,/g, "%2C");
}

function command(name: "error" | "warning" | "notice", properties: Record<string, string | number | undefined>, message: string): string {
  const props = Object.entries(properties)
    .filter(([, value]) => value !== undefined)
    .map(([key, value]) => `${key}=${escapeProperty(String(value))}`)
    .join(",");
  return `::${name}${props ? ` ${props}` : ""}::${escapeData(message)}`;
}

function annotation(finding: Finding): string {
  const suppressed = finding.suppressed;
  const level = suppressed ? "notice" : isDenying(finding) ? "error" : finding.severity === "warning" ? "warning" : "notice";
  const file = findingFile(finding);
  const pointer = finding.location?.pointer;
  const parts = [finding.message];
  if (pointer !== undefined) parts.push(`(at ${pointer === "" ? "the document root" : pointer})`);
  if (finding.suggestedFix !== undefined) parts.push(`fix: ${finding.suggestedFix}`);
  if (suppressed) parts.push(`[${suppressed.kind === "waiver" ? "waived" : "exception"}: ${suppressed.justification}]`);
  const line = file !== undefined ? finding.location?.line : undefined;
  return command(
    level,
    {
      file,
      line,
      col: line !== undefined ? finding.location?.column : undefined,
      title: suppressed ? `${finding.code} (suppressed)` : finding.code,
    },
    parts.join(" "),
  );
}

export function workflowCommands(outcome: Outcome, context: ReportContext): string {
  if (outcome.error) return `${command("error", { title: `${context.toolName} ${outcome.error.type}` }, outcome.error.message)}\n`;
  const { verdict } = outcome;
  const findings = [...verdict.findings].sort(compareFindings);
  const lines = findings.map(annotation);
  lines.push(verdictLine(verdict, context.toolName));
  return lines.join("\n") + "\n";
}

/** A Markdown table cell: nothing in a message may open HTML, break the row or format text. */
export function markdownCell(text: string): string {
  return text
    .replace(/&/g, "&amp;")
    .replace(/</g, "&lt;")
    .replace(/>/g, "&gt;")
    .replace(/([\\`*_[\]|#~!])/g, "\\$1")
    .replace(/\r\n|\r|\n/g, "<br>")
    .replace(/[\u0000-\u0008\u000B-\u001F\u007F]/g, (ch) => `\\u${ch.charCodeAt(0).toString(16).toUpperCase().padStart(4, "0")}`);
}

function severityLabel(finding: Finding): string {
  if (finding.suppressed) return finding.suppressed.kind === "waiver" ? "waived" : "exception";
  return finding.severity;
}

export function stepSummary(outcome: Outcome, context: ReportContext): string {
  if (outcome.error) {
    return [
      `## ${context.toolName}: tool error`,
      "",
      `**${markdownCell(outcome.error.type)}**: ${markdownCell(outcome.error.message)}`,
      "",
    ].join("\n");
  }
  const { verdict } = outcome;
  const findings = [...verdict.findings].sort(compareFindings);
  const c = countFindings(findings);
  const rules = verdict.inputs.reduce((n, i) => n + i.rulesEvaluated, 0);
  const lines = [
    `## ${context.toolName}: ${verdict.decision === "allow" ? "allow" : "deny"}`,
    "",
    "| Inputs | Rule evaluations | Failures | Warnings | Notices | Suppressed |",
    "| ---: | ---: | ---: | ---: | ---: | ---: |",
    `| ${verdict.inputs.length} | ${rules} | ${c.failures} | ${c.warnings} | ${c.notices} | ${c.suppressed} |`,
    "",
  ];
  if (findings.length > 0) {
    lines.push("| Severity | Code | Location | Message |", "| --- | --- | --- | --- |");
    for (const f of findings) {
      const file = f.location?.file ?? f.input;
      const at = [
        file !== undefined ? `${file}${f.location?.line !== undefined ? `:${f.location.line}` : ""}` : "",
        f.location?.pointer !== undefined ? `#${f.location.pointer}` : "",
      ].join(" ").trim();
      const message = f.suppressed ? `${f.message} (${f.suppressed.justification})` : f.message;
      lines.push(`| ${severityLabel(f)} | ${markdownCell(f.code)} | ${markdownCell(at)} | ${markdownCell(message)} |`);
    }
    lines.push("");
  }
  return lines.join("\n");
}

export const githubReporter: Reporter = {
  description: "GitHub Actions annotations (::error etc.), plus a job summary when GITHUB_STEP_SUMMARY is set",
  render: workflowCommands,
  sideOutputs(outcome, context) {
    const path = context.env.GITHUB_STEP_SUMMARY;
    if (!path) return [];
    return [{ path, content: stepSummary(outcome, context), append: true }];
  },
};
