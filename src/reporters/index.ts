// The reporter registry: one file per reporter, registered here. An unknown format name is a
// usage error listing the known ones, never a silent fallback.

import { UsageError } from "../core/errors.js";
import { githubReporter } from "./github.js";
import { jsonReporter } from "./json.js";
import { junitReporter } from "./junit.js";
import { sarifReporter } from "./sarif.js";
import { tableReporter } from "./table.js";
import { tapReporter } from "./tap.js";
import { textReporter } from "./text.js";
import type { Reporter } from "./types.js";

export type FormatName = "text" | "json" | "sarif" | "junit" | "github" | "tap" | "table";

export const REPORTERS: Record<FormatName, Reporter> = {
  text: textReporter,
  json: jsonReporter,
  sarif: sarifReporter,
  junit: junitReporter,
  github: githubReporter,
  tap: tapReporter,
  table: tableReporter,
};

export const FORMAT_NAMES = Object.keys(REPORTERS).sort() as FormatName[];

export interface FormatTarget {
  format: FormatName;
  /** file to write; undefined means stdout */
  file?: string;
}

/** Parses `--format NAME` / `--format NAME=FILE` values. At most one target may be stdout. */
export function parseFormats(values: readonly string[], fallback: FormatName = "text"): FormatTarget[] {
  if (values.length === 0) return [{ format: fallback }];
  const targets = values.map((value) => {
    const eq = value.indexOf("=");
    const given = eq === -1 ? value : value.slice(0, eq);
    // conftest's name for its text output (`-o stdout`).
    const name = given === "stdout" ? "text" : given;
    const file = eq === -1 ? undefined : value.slice(eq + 1);
    if (!Object.hasOwn(REPORTERS, name)) {
      throw new UsageError(`unknown format ${JSON.stringify(name)}; known formats: ${FORMAT_NAMES.join(", ")}`);
    }
    if (file === "") throw new UsageError(`--format ${name}= needs a file name after '='`);
    return file === undefined ? { format: name as FormatName } : { format: name as FormatName, file };
  });
  if (targets.filter((t) => t.file === undefined).length > 1) {
    throw new UsageError("only one --format may write to stdout; give the others a file (--format sarif=out.sarif)");
  }
  return targets;
}
