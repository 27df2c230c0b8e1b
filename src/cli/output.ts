// Writing reports: every `--format` target rendered from the same outcome. Files are written
// atomically (temp file + rename), so a failed run never leaves half a report behind.

import { mkdirSync, renameSync, writeFileSync, appendFileSync } from "node:fs";
import { dirname } from "node:path";
import { REPORTERS, type FormatTarget } from "../reporters/index.js";
import type { Outcome, ReportContext } from "../reporters/types.js";
import { VERSION } from "./version.js";

export function reportContext(stream: NodeJS.WriteStream = process.stdout, env: NodeJS.ProcessEnv = process.env): ReportContext {
  const color = Boolean(stream.isTTY) && !("NO_COLOR" in env && env.NO_COLOR !== "") && env.TERM !== "dumb";
  return { toolName: "gatehouse", toolVersion: VERSION, color, env };
}

export function writeAtomic(file: string, content: string): void {
  mkdirSync(dirname(file), { recursive: true });
  const tmp = `${file}.tmp-${process.pid}`;
  writeFileSync(tmp, content);
  renameSync(tmp, file);
}

export function emit(outcome: Outcome, targets: FormatTarget[]): void {
  for (const target of targets) {
    const reporter = REPORTERS[target.format];
    const context = reportContext(target.file ? ({ isTTY: false } as NodeJS.WriteStream) : process.stdout);
    const text = reporter.render(outcome, context);
    if (target.file) writeAtomic(target.file, text);
    else process.stdout.write(text);
    for (const side of reporter.sideOutputs?.(outcome, context) ?? []) {
      if (side.append) appendFileSync(side.path, side.content);
      else writeAtomic(side.path, side.content);
    }
  }
}
