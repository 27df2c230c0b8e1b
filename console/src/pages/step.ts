// One step (one input of a run): its findings by code, and the pack's missing requirements
// (files, headings, documents) first, each with its suggested fix.

import { api, seg } from "../api.js";
import { badge, h, href, replace } from "../dom.js";
import { allFindings, byCode, location, REQUIREMENT_CODES } from "../findings.js";
import { breadcrumb, facts, pageTitle } from "../layout.js";

export async function stepPage(main: HTMLElement, [id]: string[], isCurrent: () => boolean): Promise<string> {
  const stepId = id!;
  const { step } = await api("step-findings.v1", "GET", `/steps/${seg(stepId)}/policy/findings?limit=1`);
  const findings = await allFindings("steps", stepId);
  if (!isCurrent()) return "Step";
  const missing = findings.filter((f) => REQUIREMENT_CODES.has(f.code) && !f.finding.suppressed);
  const others = findings.filter((f) => !missing.includes(f));
  replace(
    main,
    breadcrumb(["Projects", "#/projects"], [step.projectId, href("projects", step.projectId, "runs")], [`Run ${step.runId.slice(0, 8)}`, href("runs", step.runId)], [step.path]),
    pageTitle("Step ", h("span", { class: "mono" }, step.path)),
    facts([
      ["Kind", step.kind ?? "—"],
      ["sha256", h("code", null, step.sha256 ?? "—")],
      ["Bytes", step.bytes === null ? "—" : String(step.bytes)],
      ["Rules evaluated", step.rulesEvaluated === null ? "—" : String(step.rulesEvaluated)],
    ]),
    missing.length > 0
      ? h(
          "section",
          { class: "notice notice-missing", "aria-labelledby": "missing-title", id: "missing" },
          h("h2", { id: "missing-title" }, `Missing requirements (${missing.length})`),
          h(
            "ul",
            { class: "missing-list" },
            missing.map((m) =>
              h(
                "li",
                null,
                h("div", null, badge(m.finding.severity), " ", h("span", { class: "mono" }, m.code)),
                h("div", { class: "message" }, m.finding.message),
                location(m.finding) ? h("div", { class: "muted mono" }, location(m.finding)) : null,
                m.finding.suggestedFix ? h("div", { class: "fix" }, h("strong", null, "Suggested fix: "), m.finding.suggestedFix) : null,
              ),
            ),
          ),
        )
      : null,
    h("section", { "aria-labelledby": "step-findings-title" }, h("h2", { id: "step-findings-title" }, `Findings (${others.length})`), others.length > 0 ? byCode(others, "h3") : h("p", { class: "muted" }, "No other findings.")),
  );
  return `Step ${step.path}`;
}
