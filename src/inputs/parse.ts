// Parsing of input documents (JSON and YAML) with the fail-closed checks a gate needs:
// a size cap, duplicate keys rejected in both formats, YAML alias bombs refused.

import { createRequire } from "node:module";
import type { Schema } from "js-yaml";

// js-yaml is loaded on the first YAML document: JSON-only runs (and every worker thread that only
// sees JSON) skip its import cost. It replaced the `yaml` package here for speed: ~60-80 us per
// 2 KB manifest instead of ~580 us, with the same values for every plain scalar of YAML 1.2's
// core schema (test/parse.test.ts compares the two).
const require = createRequire(import.meta.url);
type JsYaml = typeof import("js-yaml");
let loaded: { jsYaml: JsYaml; core: Schema; yaml11: Schema } | undefined;
function yamlParser(): NonNullable<typeof loaded> {
  if (loaded) return loaded;
  const jsYaml = require("js-yaml") as JsYaml;
  // Application tags (CloudFormation's !Ref, !Sub, !GetAtt...) are kept as the plain value they
  // tag, as before and as conftest does; an unknown !! tag is still an error.
  const localTags = [
    jsYaml.defineScalarTag("!", { matchByTagPrefix: true, resolve: (source) => source, identify: () => false }),
    jsYaml.defineSequenceTag("!", { ...jsYaml.seqTag, matchByTagPrefix: true, identify: () => false }),
    jsYaml.defineMappingTag("!", { ...jsYaml.mapTag, matchByTagPrefix: true, identify: () => false }),
  ];
  loaded = { jsYaml, core: jsYaml.CORE_SCHEMA.withTags(...localTags), yaml11: jsYaml.YAML11_SCHEMA.withTags(...localTags) };
  return loaded;
}

export const DEFAULT_MAX_INPUT_BYTES = 10 * 1024 * 1024;
/**
 * Aliases allowed per YAML document, counted where they end up: an alias inside an aliased
 * collection counts once per copy. Far above real configs, far below an alias bomb.
 */
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
  const parser = yamlParser();
  // The core schema is YAML 1.2's; a stream that declares %YAML 1.1 gets 1.1's (yes/no booleans,
  // timestamps, merge keys), as it asks.
  const schema = /^%YAML[ \t]+1\.1\b/m.test(text) ? parser.yaml11 : parser.core;
  let values: unknown[];
  try {
    values = parser.jsYaml.loadAll(text, { schema, maxAliases: MAX_YAML_ALIASES });
  } catch (error) {
    throw new InputParseError(`invalid YAML: ${firstLine(error)}`);
  }
  if (values.length === 0) throw new InputParseError("empty document");
  // An alias makes the parsed value share the aliased collection, not copy it: nothing grows
  // until the document is serialised for the policy. Count the copies that would make (only a
  // text with a "*" can hold an alias).
  if (text.includes("*")) for (const value of values) assertAliasesBounded(value);
  return values.length === 1 ? values[0] : values;
}

/** js-yaml's message, its first line, with its "(line:column)" spelled out. */
function firstLine(error: unknown): string {
  const line = (error instanceof Error ? error.message : String(error)).split("\n")[0]!.trim();
  return line.replace(/ \((\d+):(\d+)\)$/, " at line $1, column $2");
}

/**
 * Refuses a document whose aliases, written out, would be copied more than MAX_YAML_ALIASES
 * times. The parsed value is a graph in which an aliased collection is one object with several
 * parents: the first edge into it (in document order) is where it is defined, every other edge
 * is an alias, copied once per path from the root to that edge's parent. Counting paths in
 * topological order costs one visit per object, however large the expansion.
 */
function assertAliasesBounded(root: unknown): void {
  if (typeof root !== "object" || root === null) return;
  // Depth-first, children in order: `order` ends in post-order; an edge into an object already
  // seen is an alias, and an edge into an object still on the stack would be a cycle.
  const order: object[] = [];
  const childrenOf = new Map<object, object[]>();
  const aliasParents: object[] = [];
  const open = new Set<object>();
  const stack: { node: object; children: object[]; next: number }[] = [];
  const push = (node: object) => {
    open.add(node);
    const values = Array.isArray(node) ? node : Object.values(node);
    const children = values.filter((v): v is object => typeof v === "object" && v !== null);
    childrenOf.set(node, children);
    stack.push({ node, children, next: 0 });
  };
  push(root);
  while (stack.length > 0) {
    const frame = stack[stack.length - 1]!;
    if (frame.next === frame.children.length) {
      stack.pop();
      open.delete(frame.node);
      order.push(frame.node);
      continue;
    }
    const child = frame.children[frame.next++]!;
    if (open.has(child)) throw new InputParseError("invalid YAML: an alias refers to a collection that contains it");
    if (childrenOf.has(child)) aliasParents.push(frame.node);
    else push(child);
  }
  if (aliasParents.length === 0) return;
  // Paths from the root to each object, parents before children (reverse post-order).
  const paths = new Map<object, number>([[root, 1]]);
  for (let i = order.length - 1; i >= 0; i--) {
    const count = paths.get(order[i]!) ?? 0;
    for (const child of childrenOf.get(order[i]!)!) paths.set(child, Math.min(Number.MAX_SAFE_INTEGER, (paths.get(child) ?? 0) + count));
  }
  let copies = 0;
  for (const parent of aliasParents) {
    copies += paths.get(parent) ?? 0;
    if (copies > MAX_YAML_ALIASES) {
      throw new InputParseError(`invalid YAML: its aliases would be copied more than ${MAX_YAML_ALIASES} times (an alias bomb)`);
    }
  }
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
