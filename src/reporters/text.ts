// Human-readable report. Colour only when the context allows it (TTY and NO_COLOR unset).

import { compareFindings, countFindings, findingFile, type Finding } from "../core/findings.js";
import type { Outcome, ReportContext, Reporter } from "./types.js";

/**
 * Input-controlled text must not drive the terminal (escape sequences) or break the
 * one-line-per-finding layout: control characters are shown escaped.
 */
export function safeText(text: string, keepNewlines = false): string {
  const controls = keepNewlines ? /[\u0000-\u0008\u000B-\u001F\u007F-\u009F]/g : /[\u0000-\u0008\u000A-\u001F\u007F-\u009F]/g;
  return text.replace(controls, (ch) =>
    ch === "\n" ? "\\n" : ch === "\r" ? "\\r" : `\\u${ch.charCodeAt(0).toString(16).toUpperCase().padStart(4, "0")}`,
  );
}

const paint = (on: boolean, code: number) => (s: string) => (on ? `\u001b[${code}m${s}\u001b[0m` : s);

function label(finding: Finding): string {
  if (finding.suppressed) return finding.suppressed.kind === "waiver" ? "WAIVED" : "EXCEPTION";
  switch (finding.severity) {
    case "block":
      return "BLOCK";
    case "error":
      return "FAIL";
    case "warning":
      return "WARN";
    case "info":
      return "INFO";
  }
}

/**
 * Where a finding is, as a waiver's target.file names it (findingFile): with its JSON pointer
 * when the pointer is into that file, else with its line. Empty for run-level findings.
 */
function where(f: Finding): string {
  const file = findingFile(f);
  const pointerHere = f.location?.pointer && (f.location.file === undefined || f.location.file === f.input);
  const suffix = pointerHere ? `#${f.location!.pointer}` : file !== undefined && f.location?.line !== undefined ? `:${f.location.line}` : "";
  const text = `${file ?? ""}${suffix}`;
  return text ? `${safeText(text)} ` : "";
}

/** A finding located in another file than its input (a contract change in src/x.ts, found in the registry diff): the input and pointer. */
function inputElsewhere(f: Finding): string | undefined {
  if (f.location?.file === undefined || f.input === undefined || f.location.file === f.input) return undefined;
  return `in ${f.input}${f.location.pointer ? `#${f.location.pointer}` : ""}`;
}

export const textReporter: Reporter = {
  description: "human-readable lines, one per finding, then a summary",
  render(outcome: Outcome, context: ReportContext): string {
    const red = paint(context.color, 31);
    const yellow = paint(context.color, 33);
    const green = paint(context.color, 32);
    const dim = paint(context.color, 2);
    if (outcome.error) return `${red("ERROR")} ${outcome.error.type}: ${safeText(outcome.error.message, true)}\n`;
    const { verdict } = outcome;
    const lines: string[] = [];
    for (const f of [...verdict.findings].sort(compareFindings)) {
      const tag = label(f);
      const colored = tag === "FAIL" || tag === "BLOCK" ? red(tag) : tag === "WARN" ? yellow(tag) : dim(tag);
      const parts = [`${colored} ${where(f)}[${safeText(f.code)}] ${safeText(f.message)}`];
      const elsewhere = inputElsewhere(f);
      if (elsewhere) parts.push(dim(`  (${safeText(elsewhere)})`));
      if (f.suppressed) parts.push(dim(`  (${safeText(f.suppressed.justification)})`));
      lines.push(parts.join(""));
      if (f.suggestedFix) lines.push(dim(`  fix: ${safeText(f.suggestedFix)}`));
    }
    const { failures, warnings, suppressed } = countFindings(verdict.findings);
    const rules = verdict.inputs.reduce((n, i) => n + i.rulesEvaluated, 0);
    const summary =
      `${verdict.inputs.length} input${verdict.inputs.length === 1 ? "" : "s"}, ${rules} rule evaluations: ` +
      `${failures} failure${failures === 1 ? "" : "s"}, ${warnings} warning${warnings === 1 ? "" : "s"}, ${suppressed} suppressed`;
    if (lines.length > 0) lines.push("");
    lines.push(summary);
    if (verdict.policy) {
      const p = verdict.policy;
      lines.push(dim(`policy pack ${p.pack}@${p.version}, ${p.mode} mode, effective sha256 ${p.effectiveHash.slice(0, 12)}`));
    }
    lines.push(verdict.decision === "allow" ? green("ALLOW") : red("DENY"));
    return lines.join("\n") + "\n";
  },
};
