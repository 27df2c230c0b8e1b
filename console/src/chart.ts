// Findings per run over time, by severity: a stacked bar per run, drawn as SVG elements (no chart
// library). Each bar has a <title> for pointer users and the same numbers are in a table beside
// the chart for everyone else. Colours come from the stylesheet (classes), and the legend names
// each severity, so no series is told apart by colour alone.

import { h, svg } from "./dom.js";
import type { RunSummary } from "./types.js";

export const CHART_SEVERITIES = ["block", "error", "warning", "info"] as const;

const WIDTH = 720;
const HEIGHT = 240;
const MARGIN = { top: 12, right: 12, bottom: 36, left: 40 };

/** A round upper bound for the axis and its ticks. */
function scaleMax(max: number): { top: number; ticks: number[] } {
  if (max <= 0) return { top: 1, ticks: [0, 1] };
  const magnitude = 10 ** Math.floor(Math.log10(max));
  const step = [1, 2, 5, 10].map((m) => m * magnitude).find((s) => max / s <= 5) ?? magnitude * 10;
  const top = Math.ceil(max / step) * step;
  const ticks: number[] = [];
  for (let t = 0; t <= top; t += step) ticks.push(t);
  return { top, ticks };
}

export function findingsChart(runs: readonly RunSummary[], label: (run: RunSummary, index: number) => string): SVGSVGElement {
  const plotWidth = WIDTH - MARGIN.left - MARGIN.right;
  const plotHeight = HEIGHT - MARGIN.top - MARGIN.bottom;
  const totals = runs.map((r) => CHART_SEVERITIES.reduce((sum, s) => sum + r.counts[s], 0));
  const { top, ticks } = scaleMax(Math.max(0, ...totals));
  const y = (value: number) => MARGIN.top + plotHeight - (value / top) * plotHeight;
  const slot = plotWidth / Math.max(runs.length, 1);
  const barWidth = Math.max(2, Math.min(40, slot * 0.7));
  const labelEvery = Math.ceil(runs.length / 12);

  const grid = ticks.map((t) => [
    svg("line", { x1: MARGIN.left, x2: WIDTH - MARGIN.right, y1: y(t), y2: y(t), class: "grid" }),
    svg("text", { x: MARGIN.left - 6, y: y(t) + 4, class: "tick", "text-anchor": "end" }, String(t)),
  ]);
  const bars = runs.map((run, i) => {
    const x = MARGIN.left + i * slot + (slot - barWidth) / 2;
    let base = 0;
    const segments = [...CHART_SEVERITIES].reverse().flatMap((severity) => {
      const count = run.counts[severity];
      if (count === 0) return [];
      const rect = svg("rect", { x, width: barWidth, y: y(base + count), height: y(base) - y(base + count), class: `bar bar-${severity}` });
      base += count;
      return [rect];
    });
    const summary = CHART_SEVERITIES.map((s) => `${run.counts[s]} ${s}`).join(", ");
    return svg(
      "g",
      { class: "run-bar", "data-run": run.id },
      svg("title", null, `${label(run, i)} (${run.decision}): ${summary}`),
      // A full-height transparent target, so a run with no findings still has a tooltip.
      svg("rect", { x: MARGIN.left + i * slot, width: slot, y: MARGIN.top, height: plotHeight, class: "hit" }),
      segments,
      i % labelEvery === 0 ? svg("text", { x: x + barWidth / 2, y: HEIGHT - MARGIN.bottom + 16, class: "tick", "text-anchor": "middle" }, label(run, i)) : null,
    );
  });
  return svg(
    "svg",
    { viewBox: `0 0 ${WIDTH} ${HEIGHT}`, class: "chart", role: "img", "aria-labelledby": "chart-title chart-desc", id: "findings-chart" },
    svg("title", { id: "chart-title" }, "Findings per run, by severity"),
    svg("desc", { id: "chart-desc" }, `${runs.length} runs, oldest on the left; the table below lists the same numbers.`),
    grid,
    svg("line", { x1: MARGIN.left, x2: WIDTH - MARGIN.right, y1: y(0), y2: y(0), class: "axis" }),
    bars,
    svg("text", { x: MARGIN.left, y: HEIGHT - 4, class: "axis-label" }, "runs, oldest first →"),
  );
}

export function chartLegend(): HTMLElement {
  return h(
    "ul",
    { class: "legend", "aria-label": "Severities" },
    CHART_SEVERITIES.map((s) => h("li", null, h("span", { class: `swatch swatch-${s}`, "aria-hidden": "true" }), s)),
  );
}
