// How many files fail and warn in a run's output, counted the same way for gatehouse's JSON report
// and conftest's JSON output: the bench (and its tests) check that the tools agree on these.

import { isDenying, type Finding } from "../src/core/findings.js";
import type { Verdict } from "../src/core/verdict.js";

/** Files with at least one denying finding in a gatehouse JSON report. */
export function gatehouseFailing(report: string): { failing: number; warned: number; inputs: number } {
  const verdict = JSON.parse(report) as Verdict;
  const failing = new Set<string>();
  const warned = new Set<string>();
  for (const finding of verdict.findings as Finding[]) {
    if (!finding.input) continue;
    if (isDenying(finding)) failing.add(finding.input);
    else if (finding.severity === "warning") warned.add(finding.input);
  }
  return { failing: failing.size, warned: warned.size, inputs: verdict.inputs.length };
}

/** Files with at least one failure in conftest's JSON output. */
export function conftestFailing(output: string): { failing: number; warned: number; inputs: number } {
  const results = JSON.parse(output) as { filename: string; failures?: unknown[]; warnings?: unknown[] }[];
  const failing = new Set<string>();
  const warned = new Set<string>();
  for (const r of results) {
    if ((r.failures ?? []).length > 0) failing.add(r.filename);
    if ((r.warnings ?? []).length > 0) warned.add(r.filename);
  }
  return { failing: failing.size, warned: warned.size, inputs: new Set(results.map((r) => r.filename)).size };
}
