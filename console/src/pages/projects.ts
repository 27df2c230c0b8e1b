// Projects: each project the token may see with its pack, enforcement mode, last run and the
// clarifications that still block it.

import { api } from "../api.js";
import { badge, formatTime, h, href, replace } from "../dom.js";
import { pageTitle } from "../layout.js";

export async function projectsPage(main: HTMLElement, _params: string[], isCurrent: () => boolean): Promise<string> {
  const { projects } = await api("console-projects.v1", "GET", "/console/api/projects");
  if (!isCurrent()) return "Projects";
  const rows = projects.map((p) =>
    h(
      "tr",
      null,
      h("th", { scope: "row" }, h("a", { href: href("projects", p.id, "settings") }, p.name), h("div", { class: "muted mono" }, p.id)),
      h(
        "td",
        null,
        h("span", { class: "mono" }, `${p.pack.key}@${p.pack.resolved ?? p.pack.version ?? "?"}`),
        p.pack.version === null ? h("div", { class: "muted" }, "latest active") : null,
        p.pack.status && p.pack.status !== "active" ? h("div", null, badge("warning", p.pack.status)) : null,
      ),
      h("td", null, p.mode ? badge(p.mode === "block" ? "mode-block" : "mode-warn", p.mode) : "—"),
      h(
        "td",
        null,
        p.lastRun
          ? [h("a", { href: href("runs", p.lastRun.id), "aria-label": `last run of ${p.name}: ${p.lastRun.decision}` }, badge(p.lastRun.decision)), h("div", { class: "muted" }, formatTime(p.lastRun.createdAt))]
          : h("span", { class: "muted" }, "no runs yet"),
      ),
      h(
        "td",
        null,
        p.blocking.length > 0
          ? h("a", { href: href("projects", p.id, "clarifications") }, badge("deny", `${p.blocking.length} blocking`), h("div", { class: "muted" }, p.blocking.join(", ")))
          : p.unanswered.length > 0
            ? h("a", { href: href("projects", p.id, "clarifications") }, `${p.unanswered.length} open, none blocking`)
            : h("span", { class: "muted" }, "none"),
      ),
      h("td", { class: "num" }, h("a", { href: href("projects", p.id, "runs") }, String(p.runs))),
    ),
  );
  const problems = projects.filter((p) => p.problem !== null);
  replace(
    main,
    pageTitle("Projects"),
    h("p", { class: "lede" }, `${projects.length} ${projects.length === 1 ? "project" : "projects"} this token may see.`),
    problems.length > 0 ? h("div", { class: "notice notice-error", role: "alert" }, problems.map((p) => h("p", null, h("strong", null, p.name), ": ", p.problem))) : null,
    projects.length === 0
      ? h("p", null, "No projects yet. Register one with POST /projects (admin token).")
      : h(
          "div",
          { class: "table-wrap" },
          h(
            "table",
            { class: "data" },
            h("caption", { class: "visually-hidden" }, "Projects with their pack, mode, last run and blocking clarifications"),
            h(
              "thead",
              null,
              h("tr", null, ["Project", "Pack", "Mode", "Last run", "Blocking clarifications", "Runs"].map((c) => h("th", { scope: "col" }, c))),
            ),
            h("tbody", null, rows),
          ),
        ),
  );
  return "Projects";
}
