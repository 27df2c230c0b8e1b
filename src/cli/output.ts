// Writing reports: every `--format` target rendered from the same outcome. Files go through
// src/core/write.ts: a regular file (or nothing) is replaced atomically (temp file + rename), so a
// failed run never leaves half a report behind; a device or FIFO is written in place, a link refused.

import { resolve } from "node:path";
import { filesRead } from "../core/read.js";
import { appendOutputFile, refuseOutputOverInput, refuseSharedOutputs, writeOutputFile } from "../core/write.js";
import { REPORTERS, type FormatTarget } from "../reporters/index.js";
import type { Outcome, ReportContext } from "../reporters/types.js";
import { VERSION } from "./version.js";

export function reportContext(stream: NodeJS.WriteStream = process.stdout, env: NodeJS.ProcessEnv = process.env): ReportContext {
  const color = Boolean(stream.isTTY) && !("NO_COLOR" in env && env.NO_COLOR !== "") && env.TERM !== "dumb";
  return { toolName: "gatehouse", toolVersion: VERSION, color, env };
}

export function writeAtomic(file: string, content: string): void {
  writeOutputFile(file, content);
}

/** Files this run reads: no report (nor the error report of a refused one) is written over them. */
const protectedInputs = new Set<string>();

/** Registers files the run reads before they show up in a verdict (commands call it early). */
export function protectInputs(paths: Iterable<string>): void {
  for (const path of paths) protectedInputs.add(resolve(path));
}

export function emit(outcome: Outcome, targets: FormatTarget[]): void {
  // No report over a file the run read (--format json=run.receipt.json): checked for every
  // target before the first is written.
  if (outcome.verdict) protectInputs(outcome.verdict.inputs.map((input) => input.path));
  // And every file the run read on the way (a signing key, --data, the config, a registry).
  protectInputs(filesRead());
  for (const target of targets) if (target.file) refuseOutputOverInput(target.file, protectedInputs, `--format ${target.format}=FILE`);
  // Nor two reports in one file (the error report of a run refused for that, too).
  refuseSharedOutputs(targets.flatMap((t) => (t.file !== undefined ? [{ file: t.file, what: `--format ${t.format}=FILE` }] : [])));
  for (const target of targets) {
    const reporter = REPORTERS[target.format];
    const context = reportContext(target.file ? ({ isTTY: false } as NodeJS.WriteStream) : process.stdout);
    const text = reporter.render(outcome, context);
    if (target.file) writeAtomic(target.file, text);
    else process.stdout.write(text);
    for (const side of reporter.sideOutputs?.(outcome, context) ?? []) {
      if (side.append) appendOutputFile(side.path, side.content);
      else writeAtomic(side.path, side.content);
    }
  }
}
