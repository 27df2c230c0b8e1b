// The YAML parser: js-yaml with YAML 1.2's core schema (1.1's when the stream declares %YAML 1.1).
// Hardening: duplicate keys are an error (js-yaml's default), unknown `!!` tags are an error,
// aliases are capped (100 per document, counted where they end up, so an alias bomb is
// refused before anything is expanded), nesting is capped by js-yaml (100 levels). A stream of
// several documents (`---`) yields a list of them.

import { createRequire } from "node:module";
import type { Schema } from "js-yaml";
import { InputParseError, NotADocumentError, type Parser } from "./types.js";

// js-yaml is loaded on the first YAML document: JSON-only runs (and every worker thread that only
// sees JSON) skip its import cost. It replaced the `yaml` package here for speed: ~60-80 us per
// 2 KB manifest instead of ~580 us, with the same values for every plain scalar of YAML 1.2's
// core schema (test/parse.test.ts compares the two).
const require = createRequire(import.meta.url);
type JsYaml = typeof import("js-yaml");
let loaded: { jsYaml: JsYaml; core: Schema; yaml11: Schema } | undefined;
function loadYaml(): NonNullable<typeof loaded> {
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

/**
 * Aliases allowed per YAML document, counted where they end up: an alias inside an aliased
 * collection counts once per copy. Far above real configs, far below an alias bomb.
 */
export const MAX_YAML_ALIASES = 100;

export const yamlParser: Parser = {
  parse(text) {
    const documents = parseYamlStream(text);
    return { value: documents.length === 1 ? documents[0] : documents, documents };
  },
};

/** The documents of a YAML stream (at least one). */
export function parseYamlStream(text: string): unknown[] {
  const parser = loadYaml();
  // The core schema is YAML 1.2's; a stream that declares %YAML 1.1 gets 1.1's (yes/no booleans,
  // timestamps, merge keys), as it asks.
  const schema = /^%YAML[ \t]+1\.1\b/m.test(text) ? parser.yaml11 : parser.core;
  let values: unknown[];
  try {
    values = parser.jsYaml.loadAll(text, { schema, maxAliases: MAX_YAML_ALIASES });
  } catch (error) {
    throw new InputParseError(`invalid YAML: ${firstLine(error)}`);
  }
  // An empty (or comment-only) stream holds no document: conftest evaluates it as null, a value no
  // policy is written for, so it is refused as `---` (one null document) is.
  if (values.length === 0) throw new NotADocumentError("the file holds no YAML document (empty, or only comments), not a mapping or a list");
  // An alias makes the parsed value share the aliased collection, not copy it: nothing grows
  // until the document is serialised for the policy. Count the copies that would make (only a
  // text with a "*" can hold an alias).
  if (text.includes("*")) for (const value of values) assertAliasesBounded(value);
  return values;
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

