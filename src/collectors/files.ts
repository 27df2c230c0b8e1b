// Collector `files`: the user's own files (deploy/**/*.yaml, config/*.json ...) for the user's own
// policies. Each entry of its config list names globs, relative to the project root, and the Rego
// namespace whose packages judge the files; an optional gatehouse kind names a schema each file
// must pass first. Parsing, size limits and fail-closed rules are the gate's, as for `check`.
// An entry that matches nothing denies: a glob with a typo would otherwise check nothing.

import { join } from "node:path";
import { ConfigError } from "../core/errors.js";
import type { Finding } from "../core/findings.js";
import { displayPath } from "../core/paths.js";
import type { InputJob } from "../gate/evaluate-input.js";
import { isKind, KINDS } from "../schemas/kinds.js";
import type { Collector } from "./types.js";
import { boundedGlobFs } from "../core/walk.js";

export interface FilesEntry {
  glob?: string;
  globs?: string[];
  exclude?: string[];
  namespace: string;
  kind?: string;
}

/** The entries of `collectors.files` (gate.ts hands a list over as `{ entries }`). */
export function filesEntries(options: Record<string, unknown>): FilesEntry[] {
  return (options.entries as FilesEntry[] | undefined) ?? [];
}

export function entryGlobs(entry: FilesEntry): string[] {
  return [...(entry.glob !== undefined ? [entry.glob] : []), ...(entry.globs ?? [])];
}

export const filesCollector: Collector = {
  description: "the project's own files matched by globs, judged by the project's own policies (config `policies`)",
  async collect({ root, options }) {
    const { default: fg } = await import("fast-glob");
    const inputs: InputJob[] = [];
    const findings: Finding[] = [];
    const seen = new Set<string>();
    for (const [index, entry] of filesEntries(options).entries()) {
      const globs = entryGlobs(entry);
      if (globs.length === 0) throw new ConfigError(`collectors.files[${index}] needs glob or globs`);
      if (entry.kind !== undefined && !isKind(entry.kind)) {
        throw new ConfigError(`collectors.files[${index}].kind ${JSON.stringify(entry.kind)} is not an input kind; known: ${Object.keys(KINDS).sort().join(", ")}`);
      }
      const files = (await fg(globs, { cwd: root, fs: boundedGlobFs(root), onlyFiles: true, dot: false, ignore: ["**/node_modules/**", "**/.git/**", ...(entry.exclude ?? [])] })).sort();
      if (files.length === 0) {
        findings.push({
          code: "gate/no-inputs",
          severity: "error",
          message: `collectors.files[${index}] (${globs.join(", ")}) matched no file under ${displayPath(root)}: fix the globs or remove the entry`,
          source: "gate",
        });
        continue;
      }
      for (const file of files) {
        // A file two entries match is judged by both namespaces, once.
        const key = `${file}\u0000${entry.namespace}\u0000${entry.kind ?? ""}`;
        if (seen.has(key)) continue;
        seen.add(key);
        const abs = join(root, file);
        inputs.push({ display: displayPath(abs), file: abs, root, namespaces: [entry.namespace], ...(entry.kind !== undefined ? { kind: entry.kind } : {}) });
      }
    }
    return { inputs, findings };
  },
};
