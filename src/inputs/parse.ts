// Parsing of input documents (JSON and YAML) with the fail-closed checks a gate needs:
// a size cap, duplicate keys rejected in both formats, YAML alias bombs refused.

import { parseAllDocuments } from "yaml";

export const DEFAULT_MAX_INPUT_BYTES = 10 * 1024 * 1024;
/** Aliases allowed per YAML document; far above real configs, far below an alias bomb. */
export const MAX_YAML_ALIASES = 100;

export type InputFormat = "json" | "yaml";

export class InputParseError extends Error {
  override name = "InputParseError";
}

export function formatForPath(path: string): InputFormat | undefined {
  const lower = path.toLowerCase();
  if (lower.endsWith(".json") || lower.endsWith(".sarif")) return "json";
  if (lower.endsWith(".yaml") || lower.endsWith(".yml")) return "yaml";
  return undefined;
}

/**
 * Parses a document. JSON goes through the native parser plus a duplicate-key scan (the native
 * parser silently keeps the last duplicate); anything that is not JSON is parsed as YAML.
 * A YAML stream with several documents yields an array of them.
 */
export function parseDocument(text: string, format?: InputFormat): unknown {
  const trimmed = text.trimStart();
  const looksJson = trimmed.startsWith("{") || trimmed.startsWith("[");
  if (format === "json" || (format === undefined && looksJson)) {
    let value: unknown;
    try {
      value = JSON.parse(text);
    } catch (error) {
      if (format === "json") throw new InputParseError(`invalid JSON: ${(error as Error).message}`);
      return parseYaml(text);
    }
    assertNoDuplicateJsonKeys(text);
    return value;
  }
  return parseYaml(text);
}

function parseYaml(text: string): unknown {
  const docs = parseAllDocuments(text, { uniqueKeys: true, prettyErrors: true, strict: true });
  // parseAllDocuments returns an EmptyStream (not an array) for an empty input.
  if (!Array.isArray(docs)) throw new InputParseError("empty document");
  const values: unknown[] = [];
  for (const doc of docs) {
    const problem = doc.errors[0];
    if (problem) throw new InputParseError(`invalid YAML: ${problem.message.split("\n")[0]!.replace(/:$/, "")}`);
    try {
      values.push(doc.toJS({ maxAliasCount: MAX_YAML_ALIASES }));
    } catch (error) {
      throw new InputParseError(`invalid YAML: ${(error as Error).message}`);
    }
  }
  if (values.length === 0) throw new InputParseError("empty document");
  return values.length === 1 ? values[0] : values;
}

/**
 * Scans already-validated JSON text for an object that repeats a key. Runs in one pass over the
 * text; keys with escapes are decoded so `"a"` and `"\u0061"` count as the same key.
 */
export function assertNoDuplicateJsonKeys(text: string): void {
  // One key set per open container; `null` marks an array.
  const stack: (Set<string> | null)[] = [];
  let expectKey = false;
  const n = text.length;
  for (let i = 0; i < n; i++) {
    const c = text.charCodeAt(i);
    if (c === 0x22 /* " */) {
      const start = i;
      let escaped = false;
      for (i++; i < n; i++) {
        const d = text.charCodeAt(i);
        if (d === 0x5c /* \ */) {
          escaped = true;
          i++;
        } else if (d === 0x22) break;
      }
      const top = stack[stack.length - 1];
      if (expectKey && top) {
        const raw = text.slice(start, i + 1);
        const key = escaped ? (JSON.parse(raw) as string) : raw.slice(1, -1);
        if (top.has(key)) throw new InputParseError(`duplicate key ${JSON.stringify(key)}`);
        top.add(key);
        expectKey = false;
      }
    } else if (c === 0x7b /* { */) {
      stack.push(new Set());
      expectKey = true;
    } else if (c === 0x5b /* [ */) {
      stack.push(null);
    } else if (c === 0x7d /* } */ || c === 0x5d /* ] */) {
      stack.pop();
      expectKey = false;
    } else if (c === 0x2c /* , */) {
      expectKey = stack[stack.length - 1] != null;
    }
  }
}
