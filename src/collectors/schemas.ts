// Collector `schemas`: each gatehouse JSON Schema file, with what the policy needs to judge it
// (its file name, parsed body and how many valid/invalid fixtures exercise it).

import { existsSync, readdirSync } from "node:fs";
import { join } from "node:path";
import { displayPath } from "../core/paths.js";
import { SCHEMA_FILE } from "../schemas/registry.js";
import { countFixtures } from "../fixtures/suite.js";
import type { Collector } from "./types.js";
import { readUntrustedText, UntrustedFileError } from "../core/read.js";
import { DEFAULT_MAX_INPUT_BYTES } from "../inputs/parse.js";
import { parseJson } from "../inputs/parsers/json.js";
import { InputParseError } from "../inputs/parsers/types.js";

export const schemasCollector: Collector = {
  description: "JSON Schema files under schemas/, with their fixture counts",
  profile: "self",
  async collect({ root, options }) {
    const dir = join(root, String(options.dir ?? "schemas"));
    const fixturesDir = join(root, String(options.fixtures ?? "fixtures"));
    if (!existsSync(dir)) return { inputs: [], findings: [] };
    const counts = countFixtures(fixturesDir);
    const inputs = [];
    const findings = [];
    for (const file of readdirSync(dir).filter((f) => f.endsWith(".json")).sort()) {
      const path = join(dir, file);
      const match = SCHEMA_FILE.exec(file);
      let schema: unknown;
      try {
        schema = parseJson(readUntrustedText(path, { maxBytes: DEFAULT_MAX_INPUT_BYTES }));
      } catch (error) {
        if (error instanceof UntrustedFileError) {
          findings.push({ code: error.problem === "too-large" ? "input/too-large" : "input/unreadable", severity: "error" as const, message: `cannot read schema: ${error.reason}`, source: "gate" as const, input: displayPath(path) });
          continue;
        }
        if (!(error instanceof InputParseError)) throw error;
        findings.push({ code: "input/unparsable", severity: "error" as const, message: error.message, source: "gate" as const, input: displayPath(path) });
        continue;
      }
      const name = match ? `${match[1]}.v${match[2]}` : file;
      inputs.push({
        display: displayPath(path),
        kind: "json-schema",
        document: {
          file,
          name,
          versioned: match !== null,
          schema,
          fixtures: counts.get(name) ?? { valid: 0, invalid: 0 },
        },
      });
    }
    return { inputs, findings };
  },
};
