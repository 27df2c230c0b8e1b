// One run: the server's decision and its reasons, the policy it was judged by, its findings by
// step and code, the suppressed ones with their waivers, and the clarifications that applied.

import { api, seg } from "../api.js";
import { badge, formatTime, h, href, replace } from "../dom.js";
import { allFindings, byStep, findingsByStep } from "../findings.js";
import { breadcrumb, facts, pageTitle } from "../layout.js";
import type { StoredFinding } from "../types.js";

function countsText(findings: readonly StoredFinding[]): string {
  const active = findings.filter((f) => !f.finding.suppressed);
  const parts = (["block", "error", "warning", "info"] as const).map((s) => [s, active.filter((f) => f.finding.severity === s).length] as const).filter(([, n]) => n > 0).map(([s, n]) => `${n} ${s}`);
  const suppressed = findings.length - active.length;
  return [parts.join(", ") || "none", suppressed > 0 ? `${suppressed} suppressed` : ""].filter(Boolean).join("; ");
}

export async function runPage(main: HTMLElement, [id]: string[], isCurrent: () => boolean): Promise<string> {
  const runId = id!;
  const [run, findings, questions] = await Promise.all([
    api("stored-run.v1", "GET", `/runs/${seg(runId)}`),
    allFindings("runs", runId),
    api("console-run-clarifications.v1", "GET", `/console/api/runs/${seg(runId)}/clarifications`),
  ]);
  if (!isCurrent()) return "Run";
  const perStep = findingsByStep(findings);
  replace(
    main,
    breadcrumb(["Projects", "#/projects"], [run.projectId, href("projects", run.projectId, "runs")], [`Run ${runId.slice(0, 8)}`]),
    pageTitle("Run ", h("span", { class: "mono" }, runId.slice(0, 8)), " ", badge(run.decision, run.decision === "allow" ? "allowed" : "denied")),
    h(
      "div",
      { class: "columns" },
      h(
        "section",
        { class: "card main-column", "aria-labelledby": "verdict-title", id: "verdict" },
        h("h2", { id: "verdict-title" }, "Verdict"),
        facts([
          ["Decision", badge(run.decision)],
          ["Report's verdict", run.reportedVerdict],
          ["Pack", h("span", { class: "mono", id: "run-pack" }, run.pack ? `${run.pack}@${run.version ?? "?"}` : "none recorded")],
          ["Effective hash", h("code", { id: "run-hash" }, run.effectiveHash ?? "none recorded")],
          ["Findings", h("span", { id: "run-counts" }, countsText(findings))],
          ["Mode", run.mode ?? "—"],
          ["Commit", h("span", { class: "mono" }, run.commit ?? "—")],
          ["Ref", h("span", { class: "mono" }, run.ref ?? "—")],
          ["Uploaded", [formatTime(run.createdAt), " by ", h("span", { class: "mono" }, run.uploadedBy)]],
        ]),
        run.reasons.length > 0 ? [h("h3", null, "Why it was denied"), h("ul", { class: "reasons" }, run.reasons.map((r) => h("li", null, r)))] : null,
      ),
      h(
        "section",
        { class: "card side-column", "aria-labelledby": "applied-title", id: "applied-clarifications" },
        h("h2", { id: "applied-title" }, "Clarifications that applied"),
        questions.questions.length === 0
          ? h("p", { class: "muted" }, questions.source === "none" ? "The run records no pack, so no questions are known." : "The pack asks no questions.")
          : h(
              "ul",
              { class: "applied" },
              questions.questions.map((q) =>
                h(
                  "li",
                  null,
                  h("div", null, h("span", { class: "mono" }, q.key), q.blocking ? [" ", badge("deny", "blocking")] : null),
                  h("div", { class: "muted" }, q.question),
                  q.answer ? h("div", null, "Answer in force: ", h("strong", null, q.answer.value), h("span", { class: "muted" }, ` (${q.answer.answeredBy}, ${formatTime(q.answer.answeredAt)})`)) : h("div", null, badge("warning", "unanswered"), " when the run was uploaded"),
                  q.reportedOpen ? h("div", { class: "muted" }, "The run reported it open.") : null,
                ),
              ),
            ),
      ),
    ),
    h("section", { "aria-labelledby": "steps-title" }, h("h2", { id: "steps-title" }, `Steps (${run.steps.length})`), h("ul", { class: "steps" }, run.steps.map((s) => h("li", null, h("a", { href: href("steps", s.id) }, s.path), s.kind ? h("span", { class: "muted" }, ` · ${s.kind}`) : null, h("span", { class: "muted" }, ` · ${perStep.get(s.id)?.length ?? 0} findings`))))),
    byStep(run.steps, findings),
  );
  return `Run ${runId.slice(0, 8)}`;
}
