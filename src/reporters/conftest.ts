// conftest's view of a run (its output.CheckResults): one result per input and namespace, with
// the successes, failures, warnings and exceptions conftest counts. The tap and table reports
// render it; `verify` builds it from test outcomes as conftest verify does.

import { cmp, compareFindings, isDenying, type Finding } from "../core/findings.js";
import type { Verdict } from "../core/verdict.js";

export interface ConftestResult {
  file: string;
  /** "" for a verify result (conftest gives tests none); "-" for gatehouse's own refusals. */
  namespace: string;
  successes: number;
  failures: string[];
  warnings: string[];
  exceptions: string[];
  skipped: string[];
}

/** The namespace of a policy finding's rule (`data.main.deny` -> `main`). */
function findingNamespace(f: Finding): string | undefined {
  if (f.source !== "policy" || f.rule === undefined || !f.rule.startsWith("data.")) return undefined;
  return f.rule.slice("data.".length, f.rule.lastIndexOf("."));
}

/**
 * Namespace by namespace (sorted), input by input (sorted), as conftest's runner loops. Messages
 * of one result are ordered by rule, then message (OPA's order within a rule's set). Findings no
 * tally holds (gatehouse's own refusals: an input it could not read, a policy error) follow under
 * the namespace "-", so these reports never show less than the verdict denies or warns on.
 */
export function conftestResults(verdict: Verdict): ConftestResult[] {
  const results: ConftestResult[] = [];
  const byRule = (a: Finding, b: Finding) => cmp(a.rule ?? "", b.rule ?? "") || cmp(a.message, b.message);
  const namespaces = [...new Set(verdict.inputs.flatMap((input) => (input.namespaces ?? []).map((n) => n.namespace)))].sort(cmp);
  const inputs = [...verdict.inputs].sort((a, b) => cmp(a.path, b.path));
  for (const namespace of namespaces) {
    for (const input of inputs) {
      const tally = input.namespaces?.find((n) => n.namespace === namespace);
      if (tally === undefined) continue;
      const mine = verdict.findings.filter((f) => f.input === input.path && f.suppressed === undefined && findingNamespace(f) === namespace).sort(byRule);
      results.push({
        file: input.path,
        namespace,
        successes: tally.successes,
        failures: mine.filter((f) => f.severity !== "warning" && f.severity !== "info").map((f) => f.message),
        warnings: mine.filter((f) => f.severity === "warning").map((f) => f.message),
        exceptions: [...tally.exceptions],
        skipped: [],
      });
    }
  }
  // Whatever no tally above holds: gatehouse's refusals, findings outside the evaluated namespaces.
  const placed = new Set(results.map((r) => `${r.file}\0${r.namespace}`));
  const rest = verdict.findings.filter((f) => {
    if (f.suppressed !== undefined || (!isDenying(f) && f.severity !== "warning")) return false;
    const namespace = findingNamespace(f);
    return namespace === undefined || !placed.has(`${f.input ?? ""}\0${namespace}`);
  }).sort(compareFindings);
  const shown = (f: Finding) => (f.source === "policy" ? f.message : `${f.code}: ${f.message}`);
  for (const file of [...new Set(rest.map((f) => f.input ?? ""))]) {
    const mine = rest.filter((f) => (f.input ?? "") === file);
    results.push({
      file: file === "" ? "-" : file,
      namespace: "-",
      successes: 0,
      failures: mine.filter((f) => isDenying(f)).map(shown),
      warnings: mine.filter((f) => !isDenying(f)).map(shown),
      exceptions: [],
      skipped: [],
    });
  }
  return results;
}
