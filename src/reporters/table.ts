// A box-drawn table, conftest's `-o table` (its tablewriter layout, byte for byte): a header of
// RESULT, FILE, NAMESPACE, MESSAGE centred in upper case, then one row per success, exception,
// warning, skip and failure of each input and namespace, cells padded by one space and
// left-aligned. An empty run prints nothing, as conftest does.

import { conftestResults, type ConftestResult } from "./conftest.js";
import { safeText } from "./text.js";
import type { Outcome, Reporter } from "./types.js";

const HEADER = ["RESULT", "FILE", "NAMESPACE", "MESSAGE"];

/** Width as a terminal shows it: one column per code point (wide East Asian characters aside). */
const width = (text: string): number => [...text].length;

export function renderTable(results: readonly ConftestResult[]): string {
  const rows: string[][] = [];
  for (const r of results) {
    const row = (result: string, message: string) => rows.push([result, r.file, r.namespace, message].map((cell) => safeText(cell)));
    for (let i = 0; i < r.successes; i++) row("success", "SUCCESS");
    for (const m of r.exceptions) row("exception", m);
    for (const m of r.warnings) row("warning", m);
    for (const m of r.skipped) row("skipped", m);
    for (const m of r.failures) row("failure", m);
  }
  if (rows.length === 0) return "";
  const widths = HEADER.map((h, c) => Math.max(width(h), ...rows.map((row) => width(row[c]!))));
  const rule = (left: string, middle: string, right: string) => `${left}${widths.map((w) => "─".repeat(w + 2)).join(middle)}${right}`;
  const centred = (text: string, w: number) => {
    const space = w - width(text);
    return `${" ".repeat(Math.floor(space / 2))}${text}${" ".repeat(Math.ceil(space / 2))}`;
  };
  const line = (cells: string[]) => `│${cells.map((cell) => ` ${cell} `).join("│")}│`;
  const lines = [
    rule("┌", "┬", "┐"),
    line(HEADER.map((h, c) => centred(h, widths[c]!))),
    rule("├", "┼", "┤"),
    ...rows.map((row) => line(row.map((cell, c) => cell + " ".repeat(widths[c]! - width(cell))))),
    rule("└", "┴", "┘"),
  ];
  return `${lines.join("\n")}\n`;
}

export const tableReporter: Reporter = {
  description: "a box-drawn table, as conftest's -o table: one row per success, exception, warning and failure",
  render(outcome: Outcome): string {
    if (outcome.error) return `ERROR ${outcome.error.type}: ${safeText(outcome.error.message)}\n`;
    return renderTable(conftestResults(outcome.verdict));
  },
};
