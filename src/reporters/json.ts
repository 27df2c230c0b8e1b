// The gate report: validates against schemas/gate-report.v1.schema.json.

import { cmp, compareFindings } from "../core/findings.js";
import type { Outcome, ReportContext, Reporter } from "./types.js";

export const REPORT_VERSION = "gate-report.v1";

export function gateReport(outcome: Outcome, context: ReportContext): Record<string, unknown> {
  const tool = { name: context.toolName, version: context.toolVersion };
  if (outcome.error) return { reportVersion: REPORT_VERSION, tool, verdict: "error", error: outcome.error, findings: [], inputs: [] };
  const { verdict } = outcome;
  return {
    reportVersion: REPORT_VERSION,
    tool,
    verdict: verdict.decision,
    ...(verdict.bundle ? { bundle: verdict.bundle } : {}),
    ...(verdict.policies ? { policies: verdict.policies } : {}),
    ...(verdict.policy ? { policy: verdict.policy } : {}),
    // decide() already sorts; sorting again keeps the report deterministic for any Verdict.
    findings: [...verdict.findings].sort(compareFindings),
    inputs: [...verdict.inputs].sort((a, b) => cmp(a.path, b.path)),
    durations: verdict.durations,
  };
}

export const jsonReporter: Reporter = {
  description: "machine-readable gate report (schemas/gate-report.v1.schema.json)",
  render: (outcome, context) => JSON.stringify(gateReport(outcome, context), null, 2) + "\n",
};
