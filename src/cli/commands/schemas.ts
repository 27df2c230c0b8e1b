// `gatehouse schemas compat OLD NEW`: is NEW backward compatible with OLD (does it still accept
// every document OLD accepts)? Breaking changes deny (exit 1), compatible ones are listed as info.

import type { Argv } from "yargs";
import { sha256 } from "../../core/digest.js";
import { ConfigError } from "../../core/errors.js";
import type { Finding } from "../../core/findings.js";
import { displayPath } from "../../core/paths.js";
import { decide } from "../../core/verdict.js";
import { DEFAULT_MAX_INPUT_BYTES, InputParseError, parseDocument, decodeText } from "../../inputs/parse.js";
import { compareSchemas, malformedSchemaAt } from "../../schemas/compat.js";
import { report, selectFormats, type ReportArgs, commandGroup } from "../common.js";
import { readUntrustedFile } from "../../core/read.js";

interface CompatArgs extends Pick<ReportArgs, "format"> {
  old: string;
  new: string;
}

function readSchema(file: string): { schema: unknown; raw: Buffer } {
  let raw: Buffer;
  try {
    raw = readUntrustedFile(file, { maxBytes: DEFAULT_MAX_INPUT_BYTES });
  } catch (error) {
    throw new ConfigError(`cannot read schema: ${(error as NodeJS.ErrnoException).code ?? (error as Error).message}`, file);
  }
  let schema: unknown;
  try {
    schema = parseDocument(decodeText(raw), "json");
  } catch (error) {
    if (error instanceof InputParseError) throw new ConfigError(error.message, file);
    throw error;
  }
  const malformed = malformedSchemaAt(schema);
  if (malformed !== undefined) throw new ConfigError(`not a JSON Schema: at ${malformed} a schema must stand (an object or a boolean; anyOf, oneOf, allOf and prefixItems hold a list of schemas)`, file);
  return { schema, raw };
}

const compatCommand = {
  command: "compat <old> <new>",
  describe: "say whether schema NEW is backward compatible with schema OLD",
  builder: (y: Argv) =>
    y
      .positional("old", { type: "string", describe: "the published schema" })
      .positional("new", { type: "string", describe: "the changed schema" })
      // Not `array: true`: it would swallow OLD and NEW after `--format json`.
      .option("format", { alias: "o", type: "string", describe: "report format, or NAME=FILE (repeatable)" }),
  handler: (args: CompatArgs) => {
    const targets = selectFormats({ ...args, timeout: 1, maxInputBytes: 1 });
    const started = performance.now();
    const oldDoc = readSchema(args.old);
    const newDoc = readSchema(args.new);
    const input = displayPath(args.new);
    const findings: Finding[] = compareSchemas(oldDoc.schema, newDoc.schema).map((change) => ({
      code: change.code,
      severity: change.breaking ? "error" : "info",
      message: `${change.pointer}: ${change.message}${change.breaking ? ` (breaking against ${displayPath(args.old)})` : ""}`,
      source: "gate",
      input,
      location: { file: input, pointer: change.pointer },
    }));
    const verdict = decide(
      findings,
      [{ path: input, sha256: sha256(newDoc.raw), bytes: newDoc.raw.byteLength, rulesEvaluated: 1 }],
      { durations: { totalMs: Math.round((performance.now() - started) * 100) / 100, evaluateMs: 0 } },
    );
    report(verdict, targets);
  },
};

export const schemasCommand = commandGroup("schemas", "schema tools: backward compatibility between versions", [compatCommand]);
