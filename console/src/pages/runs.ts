// A project's runs: the chart of findings per run by severity, and the runs as a table (which is
// also the chart's data in text).

import { api, seg } from "../api.js";
import { chartLegend, CHART_SEVERITIES, findingsChart } from "../chart.js";
import { badge, formatTime, h, href, replace, shortHash } from "../dom.js";
import { breadcrumb, pageTitle, projectNav } from "../layout.js";
import type { RunSummary } from "../types.js";

export async function runsPage(main: HTMLElement, [id]: string[], isCurrent: () => boolean): Promise<string> {
  const projectId = id!;
  const [policy, { runs, total }] = await Promise.all([
    api("project.v1", "GET", `/projects/${seg(projectId)}/policy`),
    api("console-runs.v1", "GET", `/console/api/projects/${seg(projectId)}/runs?limit=50`),
  ]);
  if (!isCurrent()) return "Runs";
  const first = total - runs.length + 1;
  const label = (_run: RunSummary, i: number) => `#${first + i}`;
  replace(
    main,
    breadcrumb(["Projects", "#/projects"], [policy.name, href("projects", projectId, "settings")], ["Runs"]),
    pageTitle(policy.name, h("span", { class: "muted mono title-id" }, ` ${projectId}`)),
    projectNav(projectId, "runs"),
    runs.length === 0
      ? h("p", null, "No runs yet. `gatehouse gate --server URL --project ID` uploads one.")
      : [
          h(
            "section",
            { class: "card", "aria-labelledby": "chart-heading" },
            h("h2", { id: "chart-heading" }, "Findings per run"),
            h("p", { class: "help" }, runs.length < total ? `The last ${runs.length} of ${total} runs.` : `All ${total} runs.`, " Suppressed findings are not counted."),
            chartLegend(),
            findingsChart(runs, label),
          ),
          h(
            "section",
            { "aria-labelledby": "runs-heading" },
            h("h2", { id: "runs-heading" }, "Runs"),
            h(
              "div",
              { class: "table-wrap" },
              h(
                "table",
                { class: "data", id: "runs-table" },
                h("caption", { class: "visually-hidden" }, "Runs, newest first, with findings by severity"),
                h("thead", null, h("tr", null, ["Run", "Uploaded", "Decision", "Pack", "Effective hash", "Commit", ...CHART_SEVERITIES, "suppressed"].map((c) => h("th", { scope: "col" }, c)))),
                h(
                  "tbody",
                  null,
                  runs
                    .map((run, i) =>
                      h(
                        "tr",
                        null,
                        h("th", { scope: "row" }, h("a", { href: href("runs", run.id) }, label(run, i))),
                        h("td", null, formatTime(run.createdAt)),
                        h("td", null, badge(run.decision)),
                        h("td", { class: "mono" }, run.pack ? `${run.pack}@${run.version ?? "?"}` : "—"),
                        h("td", { class: "mono" }, shortHash(run.effectiveHash)),
                        h("td", { class: "mono" }, run.commit ? run.commit.slice(0, 10) : "—"),
                        CHART_SEVERITIES.map((s) => h("td", { class: "num" }, String(run.counts[s]))),
                        h("td", { class: "num" }, String(run.counts.suppressed)),
                      ),
                    )
                    .reverse(),
                ),
              ),
            ),
          ),
        ],
  );
  return `${policy.name}: runs`;
}
