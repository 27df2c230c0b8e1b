// Collector `policy-tree`: the layout of a Regal-style policy directory (one folder per rule,
// its _test.rego beside it, # METADATA on every package), read as files, no opa needed.

import { existsSync } from "node:fs";
import { dirname, join } from "node:path";
import { displayPath } from "../core/paths.js";
import type { Collector } from "./types.js";
import { readUntrustedText } from "../core/read.js";
import { DEFAULT_MAX_INPUT_BYTES } from "../inputs/parse.js";
import { boundedGlobFs } from "../core/walk.js";

export const policyTreeCollector: Collector = {
  description: "the policy directory's layout: rule folders, tests and package metadata",
  profile: "self",
  async collect({ root, options }) {
    const dir = join(root, String(options.dir ?? "policy"));
    if (!existsSync(dir)) return { inputs: [], findings: [] };
    const { default: fg } = await import("fast-glob");
    const files = (await fg("**/*.rego", { cwd: dir, fs: boundedGlobFs(dir) })).sort();
    const folders = new Map<string, { sources: string[]; tests: string[] }>();
    const modules = [];
    for (const file of files) {
      const folder = dirname(file);
      const entry = folders.get(folder) ?? { sources: [], tests: [] };
      (file.endsWith("_test.rego") ? entry.tests : entry.sources).push(file);
      folders.set(folder, entry);
      const text = readUntrustedText(join(dir, file), { maxBytes: DEFAULT_MAX_INPUT_BYTES });
      const pkgLine = /^package\s+([\w.]+)/m.exec(text);
      const beforePackage = pkgLine ? text.slice(0, pkgLine.index) : text;
      modules.push({
        file,
        test: file.endsWith("_test.rego"),
        package: pkgLine?.[1] ?? "",
        metadata: /^# METADATA\s*$/m.test(beforePackage),
        title: /^#\s+title:\s*\S/m.test(beforePackage),
      });
    }
    const rules = [...folders.entries()].map(([folder, entry]) => ({ folder, ...entry }));
    return {
      inputs: [{ display: displayPath(dir), kind: "policy-tree", document: { root: displayPath(dir), modules, folders: rules } }],
      findings: [],
    };
  },
};
