// Findings as the run and step pages show them: grouped by step (the input) and code, each with
// its severity, message, location and suggested fix; suppressed findings apart, with the waiver
// or exception that suppressed them.

import { api, seg } from "./api.js";
import { badge, h, href, type Child } from "./dom.js";
import type { Finding, Severity, Step, StoredFinding } from "./types.js";

const SEVERITY_RANK: Record<Severity, number> = { block: 0, error: 1, warning: 2, info: 3 };
/** The pack's requirement codes: what the step page highlights as missing. */
export const REQUIREMENT_CODES = new Set(["pack/required-file-missing", "pack/required-heading-missing", "pack/required-document-missing"]);

export async function allFindings(scope: "runs" | "steps", id: string): Promise<StoredFinding[]> {
  const findings: StoredFinding[] = [];
  for (let after = 0; ; ) {
    const query = `after=${after}&limit=1000`;
    const page = scope === "runs" ? await api("run-findings.v1", "GET", `/runs/${seg(id)}/policy/findings?${query}`) : await api("step-findings.v1", "GET", `/steps/${seg(id)}/policy/findings?${query}`);
    findings.push(...page.findings);
    if (page.next === null) return findings;
    after = page.next;
  }
}

export function location(finding: Finding): string | null {
  const l = finding.location;
  if (!l) return null;
  const file = l.file ?? finding.input ?? "";
  const position = l.line !== undefined ? `:${l.line}${l.column !== undefined ? `:${l.column}` : ""}` : "";
  const pointer = l.pointer ? ` ${l.pointer}` : "";
  return `${file}${position}${pointer}`.trim() || null;
}

function findingItem(stored: StoredFinding): HTMLElement {
  const f = stored.finding;
  const where = location(f);
  return h(
    "li",
    { class: `finding severity-${f.severity}` },
    h("div", { class: "finding-head" }, badge(f.severity), h("span", { class: "message" }, f.message)),
    where || f.rule
      ? h("div", { class: "finding-meta muted" }, where ? ["at ", h("span", { class: "mono" }, where)] : null, f.rule ? [where ? " · " : "", "rule ", h("span", { class: "mono" }, f.rule)] : null)
      : null,
    f.suggestedFix ? h("div", { class: "fix" }, h("strong", null, "Suggested fix: "), h("span", null, f.suggestedFix)) : null,
    f.suppressed
      ? h(
          "div",
          { class: "waiver" },
          h("strong", null, f.suppressed.kind === "waiver" ? "Waived: " : "Exception: "),
          f.suppressed.justification,
          f.suppressed.owner ? [" · owner ", h("span", { class: "mono" }, f.suppressed.owner)] : null,
          f.suppressed.expires ? [" · expires ", h("span", { class: "mono" }, f.suppressed.expires)] : null,
        )
      : null,
  );
}

/** Findings of one step, grouped by code (worst severity first). */
export function byCode(findings: readonly StoredFinding[], headingLevel: "h3" | "h4"): HTMLElement {
  // Appended in place and ranked by a loop: a copy per finding was quadratic, and Math.min over a
  // spread of a long list throws past the engine's argument limit.
  const groups = new Map<string, StoredFinding[]>();
  for (const f of findings) {
    const list = groups.get(f.code);
    if (list) list.push(f);
    else groups.set(f.code, [f]);
  }
  const worst = new Map<string, number>();
  for (const [code, list] of groups) worst.set(code, list.reduce((rank, f) => Math.min(rank, SEVERITY_RANK[f.finding.severity] ?? 9), 9));
  const ordered = [...groups.entries()].sort(([a], [b]) => worst.get(a)! - worst.get(b)! || (a < b ? -1 : a > b ? 1 : 0));
  return h(
    "div",
    { class: "code-groups" },
    ordered.map(([code, list]) =>
      h(
        "section",
        { class: "code-group", "data-code": code },
        h(headingLevel, null, h("span", { class: "mono" }, code), h("span", { class: "muted" }, ` · ${list.length} ${list.length === 1 ? "finding" : "findings"}`)),
        h("ul", { class: "findings" }, list.map(findingItem)),
      ),
    ),
  );
}

/**
 * The findings of each step, by step id, in one pass: a filter over every finding for each step
 * was steps × findings, a tab frozen for a minute on a large run (30,000 of each).
 */
export function findingsByStep(findings: readonly StoredFinding[]): Map<string, StoredFinding[]> {
  const grouped = new Map<string, StoredFinding[]>();
  for (const finding of findings) {
    const list = grouped.get(finding.stepId);
    if (list) list.push(finding);
    else grouped.set(finding.stepId, [finding]);
  }
  return grouped;
}

/** Every finding of a run grouped by step, then by code; suppressed findings in their own section. */
export function byStep(steps: readonly Step[], findings: readonly StoredFinding[]): Child {
  const active = findings.filter((f) => !f.finding.suppressed);
  const suppressed = findings.filter((f) => f.finding.suppressed);
  const activeByStep = findingsByStep(active);
  const stepSections = steps
    .map((step) => ({ step, list: activeByStep.get(step.id) ?? [] }))
    .filter(({ list }) => list.length > 0)
    .map(({ step, list }) =>
      h(
        "section",
        { class: "step-group card", "data-step": step.path },
        h("h3", null, h("a", { href: href("steps", step.id) }, step.path), step.kind ? h("span", { class: "muted" }, ` · ${step.kind}`) : null, h("span", { class: "muted" }, ` · ${list.length} ${list.length === 1 ? "finding" : "findings"}`)),
        byCode(list, "h4"),
      ),
    );
  return [
    h("section", { "aria-labelledby": "findings-title", id: "findings" }, h("h2", { id: "findings-title" }, `Findings (${active.length})`), stepSections.length > 0 ? stepSections : h("p", { class: "muted" }, "No findings.")),
    h(
      "section",
      { "aria-labelledby": "suppressed-title", id: "suppressed" },
      h("h2", { id: "suppressed-title" }, `Suppressed findings (${suppressed.length})`),
      suppressed.length > 0 ? h("ul", { class: "findings" }, suppressed.map(findingItem)) : h("p", { class: "muted" }, "None: no waiver or exception applied."),
    ),
  ];
}
