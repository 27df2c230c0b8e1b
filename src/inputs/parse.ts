// Parsing of input documents (JSON and YAML) with the fail-closed checks a gate needs:
// a size cap, duplicate keys rejected in both formats, YAML alias bombs refused.

import { createRequire } from "node:module";

// yaml is loaded on the first YAML document: JSON-only runs (and every worker thread that only
// sees JSON) skip its import cost.
const require = createRequire(import.meta.url);
let yamlModule: typeof import("yaml") | undefined;
function yaml(): typeof import("yaml") {
  return (yamlModule ??= require("yaml") as typeof import("yaml"));
}

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
    // JSON.parse keeps one property per distinct key, so the parsed value has as many keys as
    // the text has key tokens exactly when no object repeats a key. Counting is cheap; the
    // precise scan (which names the key) runs only when the counts differ.
    if (countJsonKeyTokens(text) !== countKeys(value)) assertNoDuplicateJsonKeys(text);
    return value;
  }
  return parseYaml(text);
}

function parseYaml(text: string): unknown {
  const docs = yaml().parseAllDocuments(text, { uniqueKeys: true, prettyErrors: true, strict: true });
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

/** Number of object keys in already-validated JSON text. */
export function countJsonKeyTokens(text: string): number {
  // Whether the next string is a key, per open container (false for arrays).
  const keyed: boolean[] = [];
  let expectKey = false;
  let count = 0;
  const n = text.length;
  for (let i = 0; i < n; i++) {
    const c = text.charCodeAt(i);
    if (c === 0x22 /* " */) {
      // Jump to the closing quote: the next quote not preceded by an odd run of backslashes.
      let close = text.indexOf('"', i + 1);
      for (;;) {
        let slashes = 0;
        while (text.charCodeAt(close - 1 - slashes) === 0x5c) slashes++;
        if (slashes % 2 === 0 || close === -1) break;
        close = text.indexOf('"', close + 1);
      }
      i = close === -1 ? n : close;
      if (expectKey) {
        count++;
        expectKey = false;
      }
    } else if (c === 0x7b /* { */) {
      keyed.push(true);
      expectKey = true;
    } else if (c === 0x5b /* [ */) {
      keyed.push(false);
    } else if (c === 0x7d /* } */ || c === 0x5d /* ] */) {
      keyed.pop();
      expectKey = false;
    } else if (c === 0x2c /* , */) {
      expectKey = keyed[keyed.length - 1] === true;
    }
  }
  return count;
}

/** Number of own keys of every object in a parsed JSON value (iterative: any depth). */
export function countKeys(value: unknown): number {
  let count = 0;
  const pending: unknown[] = [value];
  while (pending.length > 0) {
    const item = pending.pop();
    if (typeof item !== "object" || item === null) continue;
    if (Array.isArray(item)) {
      for (const element of item) if (typeof element === "object" && element !== null) pending.push(element);
      continue;
    }
    for (const key in item) {
      count++;
      const child = (item as Record<string, unknown>)[key];
      if (typeof child === "object" && child !== null) pending.push(child);
    }
  }
  return count;
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
