// Collector `fixtures`: every fixture regression file, so the gate checks the suites themselves.

import { existsSync, readdirSync, statSync } from "node:fs";
import { join } from "node:path";
import type { Finding } from "../core/findings.js";
import { displayPath } from "../core/paths.js";
import { isKind } from "../schemas/kinds.js";
import type { Collector } from "./types.js";
import type { InputJob } from "../gate/evaluate-input.js";
import { readUntrustedText, UntrustedFileError } from "../core/read.js";
import { isTempFileName } from "../core/temp-files.js";
import { DEFAULT_MAX_INPUT_BYTES } from "../inputs/parse.js";
import { parseJson } from "../inputs/parsers/json.js";
import { InputParseError } from "../inputs/parsers/types.js";

export const fixturesCollector: Collector = {
  description: "fixture regression files under fixtures/<kind or schema>/",
  profile: "self",
  async collect({ root, options }) {
    const dir = join(root, String(options.dir ?? "fixtures"));
    const schemasDir = join(root, String(options.schemas ?? "schemas"));
    const inputs: InputJob[] = [];
    const findings: Finding[] = [];
    if (!existsSync(dir)) return { inputs, findings };
    const schemaNames = existsSync(schemasDir)
      ? readdirSync(schemasDir).filter((f) => f.endsWith(".schema.json")).map((f) => f.replace(/\.schema\.json$/, ""))
      : [];
    for (const target of readdirSync(dir).sort()) {
      const targetDir = join(dir, target);
      if (!statSync(targetDir).isDirectory()) continue;
      for (const name of readdirSync(targetDir).sort()) {
        if (isTempFileName(name)) continue; // an interrupted write's temp file, not a suite
        const path = join(targetDir, name);
        let suite: unknown;
        try {
          suite = parseJson(readUntrustedText(path, { maxBytes: DEFAULT_MAX_INPUT_BYTES }));
        } catch (error) {
          if (error instanceof UntrustedFileError) {
            findings.push({ code: error.problem === "too-large" ? "input/too-large" : "input/unreadable", severity: "error", message: `cannot read fixture suite: ${error.reason}`, source: "gate", input: displayPath(path) });
            continue;
          }
          if (!(error instanceof InputParseError)) throw error;
          findings.push({ code: "input/unparsable", severity: "error", message: error.message, source: "gate", input: displayPath(path) });
          continue;
        }
        inputs.push({
          display: displayPath(path),
          kind: "fixture-suite",
          document: { target, file: name, targetKnown: isKind(target) || schemaNames.includes(target), suite },
        });
      }
    }
    return { inputs, findings };
  },
};
