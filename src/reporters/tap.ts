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
      for (const message of messages) lines.push(`${status} ${counter++} ${safeText(file)} ${safeText(namespace)} ${safeText(message)}`);
    }
  }
  return `${lines.join("\n")}\n`;
}

export const tapReporter: Reporter = {
  description: "TAP, as conftest's -o tap: one line per failure, warning, exception and success",
  render(outcome: Outcome): string {
    // A tool error is a bail out, which TAP consumers stop on.
    if (outcome.error) return `Bail out! ${outcome.error.type}: ${safeText(outcome.error.message)}\n`;
    return renderTap(conftestResults(outcome.verdict));
  },
};
