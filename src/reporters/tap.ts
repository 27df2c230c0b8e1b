// TAP (Test Anything Protocol), conftest's `-o tap` line for line: one plan for the whole run,
// then per input and namespace its failures, warnings, exceptions, skips and successes, numbered
// across the run. An empty run prints nothing, as conftest does.

import { conftestResults, type ConftestResult } from "./conftest.js";
import { safeText } from "./text.js";
import type { Outcome, Reporter } from "./types.js";

export function renderTap(results: readonly ConftestResult[]): string {
  const total = results.reduce((n, r) => n + r.successes + r.failures.length + r.warnings.length + r.exceptions.length + r.skipped.length, 0);
  if (total === 0) return "";
  const lines = [`1..${total}`];
  let counter = 1;
  for (const result of results) {
    const file = result.file === "-" ? "-" : `- ${result.file}`;
    const namespace = result.namespace === "-" ? "-" : `- ${result.namespace} -`;
    const sections: [header: string, status: string, messages: readonly string[]][] = [
      ["", "not ok", result.failures],
      ["warnings", "not ok", result.warnings],
      ["exceptions", "ok", result.exceptions],
      ["skip", "ok", result.skipped],
      ["successes", "ok", Array.from({ length: result.successes }, () => "SUCCESS")],
    ];
    for (const [header, status, messages] of sections) {
      if (header !== "" && messages.length > 0) lines.push(`# ${header}`);
      for (const message of messages) lines.push(`${status} ${counter++} ${tapText(file)} ${tapText(namespace)} ${tapText(message)}`);
    }
  }
  return `${lines.join("\n")}\n`;
}

/**
 * A test point's description as TAP reads it: `#` starts a directive, so a deny message or file
 * name holding `# TODO` made the failure an expected one (prove, tap-parser: the run passes) and
 * `# SKIP` a skip. Escaped as TAP 13/14 says (`\#`, and `\\` for a backslash), then shown as
 * the text report shows it. Where neither occurs the line is conftest's, byte for byte.
 */
function tapText(text: string): string {
  return safeText(text.replace(/\\/g, "\\\\").replace(/#/g, "\\#"));
}

export const tapReporter: Reporter = {
  description: "TAP, as conftest's -o tap: one line per failure, warning, exception and success",
  render(outcome: Outcome): string {
    // A tool error is a bail out, which TAP consumers stop on.
    if (outcome.error) return `Bail out! ${outcome.error.type}: ${safeText(outcome.error.message)}\n`;
    return renderTap(conftestResults(outcome.verdict));
  },
};
