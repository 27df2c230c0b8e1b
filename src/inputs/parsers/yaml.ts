// The YAML parser: js-yaml with YAML 1.2's core schema (1.1's when the stream declares %YAML 1.1),
// merge keys (`<<: *defaults`) merged as every YAML 1.1 reader (conftest, Kubernetes, GitLab,
// compose) merges them. A plain value that YAML 1.1 readers read otherwise (`yes`, `on`, `0644`,
// `1_000`) is refused in an input file a policy judges (`refuseAmbiguousScalars`): the policy
// would judge another value than the consumer applies. gatehouse's own files (config, packs,
// declarations) have no other reader, so they are read as YAML 1.2 and checked by their schemas.
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
type YamlEvent = ReturnType<JsYaml["parseEvents"]>[number];
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
  // Timestamps stay the text they are, as conftest leaves them (a Date reached policies as {}).
  const yaml11 = new jsYaml.Schema(jsYaml.YAML11_SCHEMA.tags.filter((tag) => tag !== jsYaml.timestampTag)).withTags(...localTags);
  // YAML 1.1's merge key is no part of 1.2's core schema, but the files this reads are written
  // for readers that merge it: left as a "<<" key, the merged settings were invisible to policies.
  loaded = { jsYaml, core: jsYaml.CORE_SCHEMA.withTags(...localTags, jsYaml.mergeTag), yaml11 };
  return loaded;
}

/**
 * Aliases allowed per YAML document, counted where they end up: an alias inside an aliased
 * collection counts once per copy. Far above real configs, far below an alias bomb.
 */
export const MAX_YAML_ALIASES = 100;

export const yamlParser: Parser = {
  parse(text) {
    const documents = parseYamlStream(text, { refuseAmbiguous: true });
    return { value: documents.length === 1 ? documents[0] : documents, documents };
  },
};

/**
 * The other reader of a file whose values gatehouse must read as it does: conftest's input parser
 * (go-yaml v2, YAML 1.1: what Kubernetes applies) or OPA's data loader (go-yaml v3, which conftest
 * reads `--data` with: `0777` is 511 and `1_000` 1000 there, `yes` and `on` strings).
 */
export type GoYamlReader = "conftest-input" | "opa-data";

export interface YamlStreamOptions {
  /** Refuse values that this reader reads otherwise (files judged for, or loaded like, another reader). */
  refuseAmbiguous?: boolean | GoYamlReader;
}

/** The documents of a YAML stream (at least one). */
export function parseYamlStream(text: string, options: YamlStreamOptions = {}): unknown[] {
  const parser = loadYaml();
  // The core schema is YAML 1.2's; a stream that declares %YAML 1.1 gets 1.1's (yes/no booleans,
  // timestamps, merge keys), as it asks.
  const schema = /^%YAML[ \t]+1\.1\b/m.test(text) ? parser.yaml11 : parser.core;
  let values: unknown[];
  try {
    const events = parser.jsYaml.parseEvents(text, {});
    if (options.refuseAmbiguous) refuseAmbiguousScalars(parser.jsYaml, schema, text, events, options.refuseAmbiguous === true ? "conftest-input" : options.refuseAmbiguous);
    values = parser.jsYaml.constructFromEvents(events, { schema, maxAliases: MAX_YAML_ALIASES, source: text });
  } catch (error) {
    if (error instanceof InputParseError) throw error;
    throw new InputParseError(`invalid YAML: ${firstLine(error)}`);
  }
  // An empty (or comment-only) stream holds no document: conftest evaluates it as null, a value no
  // policy is written for, so it is refused as `---` (one null document) is.
  if (values.length === 0) throw new NotADocumentError("the file holds no YAML document (empty, or only comments), not a mapping or a list");
  // An alias makes the parsed value share the aliased collection, not copy it: nothing grows
  // until the document is serialised for the policy. Count the copies that would make (only a
  // text with a "*" can hold an alias).
  if (text.includes("*")) for (const value of values) assertAliasesBounded(value);
  // .inf and .nan (any case, a sign, a !!float tag) are numbers YAML has and JSON has not: the
  // policy would see null (`replicas: .inf` passed `replicas > 10`), and conftest refuses them.
  if (/\.(?:inf|nan)\b/i.test(text)) for (const value of values) assertFiniteNumbers(value);
  return values;
}

/** Refuses a document holding an infinite or NaN number, naming where (a JSON pointer). */
function assertFiniteNumbers(root: unknown): void {
  const stack: [unknown, string][] = [[root, ""]];
  const seen = new Set<object>();
  while (stack.length > 0) {
    const [value, at] = stack.pop()!;
    if (typeof value === "number") {
      if (!Number.isFinite(value)) throw new InputParseError(`invalid YAML: the value at ${at === "" ? "the root" : at} is ${value}, a number JSON cannot hold (the policy would see null; conftest refuses it): quote it if it is text`);
      continue;
    }
    if (typeof value !== "object" || value === null || seen.has(value)) continue;
    seen.add(value);
    for (const [key, child] of Object.entries(value)) stack.push([child, `${at}/${key.replaceAll("~", "~0").replaceAll("/", "~1")}`]);
  }
}

/**
 * Refuses a value that the schema in use reads otherwise than the file's other reader (`reader`):
 * for an input, YAML 1.1 as conftest reads it (sigs.k8s.io/yaml, go-yaml v2: what Kubernetes
 * applies): `privileged: yes` is the string "yes" under 1.2 and true for the cluster,
 * `defaultMode: 0777` 777 and 511; for a --data file, go-yaml v3 as OPA's loader reads it
 * (`0777` 511, `1_000` 1000). The author must say which they mean (quote it, or write true,
 * 0o777). A scalar with a core tag (`!!int 0777`, `!!int "0777"`) is compared too: the Go readers
 * resolve its text as a plain value of that type (511) where js-yaml reads 777. Keys of an input
 * are read as the schema reads them (a workflow's `on:` stays "on", as GitHub reads it); keys of
 * data are compared as OPA writes them (`0777:` is "511"). A merge key after other keys of its
 * mapping is refused too: go-yaml lets it override the keys before it, the merge spec (and
 * js-yaml) does not.
 */
function refuseAmbiguousScalars(jsYaml: JsYaml, schema: Schema, text: string, events: YamlEvent[], reader: GoYamlReader): void {
  const { EVENT_ID, SCALAR_STYLE } = jsYaml;
  const version = reader === "opa-data" ? "v3" : "v2";
  const peer = reader === "opa-data" ? "YAML as OPA's data loader (go-yaml v3) reads it, as conftest loads --data" : "YAML 1.1 as conftest and Kubernetes read it";
  const ours = schema === loaded?.yaml11 ? "YAML 1.1 (js-yaml)" : "YAML 1.2";
  // One frame per open collection: how many nodes it holds so far (a mapping alternates key, value).
  const frames: { mapping: boolean; nodes: number }[] = [];
  let handles = new Map<string, string>();
  for (const event of events) {
    if (event.type === EVENT_ID.POP) {
      frames.pop();
      continue;
    }
    if (event.type === EVENT_ID.DOCUMENT) {
      frames.push({ mapping: false, nodes: 0 });
      handles = new Map(event.directives.flatMap((d) => (d.kind === "tag" ? [[d.handle, d.prefix] as [string, string]] : [])));
      continue;
    }
    const parent = frames[frames.length - 1];
    const isKey = parent !== undefined && parent.mapping && parent.nodes % 2 === 0;
    const index = parent === undefined ? 0 : parent.nodes;
    if (parent !== undefined) parent.nodes++;
    if (event.type === EVENT_ID.MAPPING || event.type === EVENT_ID.SEQUENCE) {
      frames.push({ mapping: event.type === EVENT_ID.MAPPING, nodes: 0 });
      continue;
    }
    if (event.type !== EVENT_ID.SCALAR) continue;
    const at = () => `line ${lineOf(text, event.valueStart)}`;
    if (event.tagStart !== -1) {
      const type = coreScalarType(text.slice(event.tagStart, event.tagEnd), handles);
      if (type === undefined) continue;
      const source = jsYaml.getScalarValue(text, event);
      const read = explicitValue(jsYaml, schema, type, source);
      // js-yaml refuses what it cannot resolve as the tag: the whole file is refused then.
      if (read === jsYaml.NOT_RESOLVED) continue;
      const go = goYamlPlain(source, version);
      const goValue = go.tag === type || (type === "float" && go.tag === "int") ? go.value : undefined;
      if (goValue !== undefined && sameValue(read, goValue)) continue;
      const theirs = goValue === undefined ? `not a ${type} (it refuses it)` : show(goValue);
      throw new InputParseError(`invalid YAML: ${at()}: the value !!${type} ${safeSource(source)} is ${show(read)} in ${ours}, as gatehouse reads it, but ${theirs} in ${peer}: write it so that both agree`);
    }
    if (event.style !== SCALAR_STYLE.PLAIN) continue;
    const raw = text.slice(event.valueStart, event.valueEnd);
    if (isKey) {
      if (raw === "<<" && index > 0) {
        throw new InputParseError(`invalid YAML: ${at()}: the merge key << follows other keys of its mapping, which YAML 1.1 readers (conftest, Kubernetes) let it override and the merge spec does not: put << first`);
      }
      if (reader !== "opa-data" || raw.length > 64 || !/^[-+.0-9~yYnNoOtTfF]/.test(raw)) continue;
      const ourKey = String(resolvePlain(jsYaml, schema, raw));
      const theirKey = goYamlV3KeyText(goYamlPlain(raw, "v3"));
      if (ourKey === theirKey) continue;
      throw new InputParseError(
        `invalid YAML: ${at()}: the key ${raw} is ${JSON.stringify(ourKey)} in ${ours}, as gatehouse reads it, but ${theirKey === undefined ? "no key OPA can write" : JSON.stringify(theirKey)} in ${peer}: quote it`,
      );
    }
    if (raw.length > 64 || !/^[-+.0-9~yYnNoO]/.test(raw)) continue;
    const read = resolvePlain(jsYaml, schema, raw);
    const go = goYamlPlain(raw, version);
    if (sameValue(read, go.value)) {
      // go-yaml keeps an integer exactly, js-yaml as a double: 9007199254740993 is ...992 here.
      if (go.exact === undefined || typeof read !== "number" || Number.isSafeInteger(read) || BigInt(read) === go.exact) continue;
      throw new InputParseError(`invalid YAML: ${at()}: the integer ${raw} is ${go.exact} in ${peer}, but ${read} as gatehouse holds it (a double): readers would judge different numbers; write fewer digits, or quote it`);
    }
    throw new InputParseError(`invalid YAML: ${at()}: the plain value ${raw} is ${show(read)} in ${ours}, as gatehouse reads it, but ${show(go.value)} in ${peer}: quote it, or write it so that both agree`);
  }
}

type CoreScalarType = "null" | "bool" | "int" | "float";

/** The core scalar type a tag names (`!!int`, `!<tag:yaml.org,2002:int>`, a %TAG handle), if any. */
function coreScalarType(tag: string, handles: ReadonlyMap<string, string>): CoreScalarType | undefined {
  let full: string;
  if (tag.startsWith("!<")) full = tag.slice(2, -1);
  else {
    const handle = /^!(?:[0-9A-Za-z-]*!)?/.exec(tag)![0];
    full = (handles.get(handle) ?? (handle === "!!" ? "tag:yaml.org,2002:" : handle)) + tag.slice(handle.length);
  }
  // A percent-encoded suffix could spell a core tag too: compare it decoded.
  try {
    full = decodeURIComponent(full);
  } catch {
    return undefined;
  }
  const name = full.startsWith("tag:yaml.org,2002:") ? full.slice("tag:yaml.org,2002:".length) : undefined;
  return name === "null" || name === "bool" || name === "int" || name === "float" ? name : undefined;
}

/** What `schema` makes of a scalar tagged with a core type, or NOT_RESOLVED. */
function explicitValue(jsYaml: JsYaml, schema: Schema, type: CoreScalarType, source: string): unknown {
  const tag = (schema as unknown as { tags: { tagName: string; nodeKind: string; resolve(source: string, explicit: boolean): unknown }[] }).tags.find(
    (t) => t.nodeKind === "scalar" && t.tagName === `tag:yaml.org,2002:${type}`,
  );
  return tag === undefined ? jsYaml.NOT_RESOLVED : tag.resolve(source, true);
}

/** A scalar's text for a message: short, one line. */
function safeSource(source: string): string {
  return JSON.stringify(source.length > 64 ? `${source.slice(0, 64)}...` : source);
}

/** What `schema` makes of a plain scalar: its implicit tags in order, a string when none claims it. */
function resolvePlain(jsYaml: JsYaml, schema: Schema, raw: string): unknown {
  for (const tag of schema.implicitScalarTags) {
    const value = tag.resolve(raw, false, "");
    if (value !== jsYaml.NOT_RESOLVED) return value;
  }
  return raw;
}

// go-yaml v2 resolves YAML 1.1's booleans; v3 only YAML 1.2's (into an interface{}).
const GO_YAML_V2_BOOLEANS = new Map<string, boolean>([
  ...["y", "Y", "yes", "Yes", "YES", "on", "On", "ON", "true", "True", "TRUE"].map((s): [string, boolean] => [s, true]),
  ...["n", "N", "no", "No", "NO", "off", "Off", "OFF", "false", "False", "FALSE"].map((s): [string, boolean] => [s, false]),
]);
const GO_YAML_V3_BOOLEANS = new Map<string, boolean>([
  ...["true", "True", "TRUE"].map((s): [string, boolean] => [s, true]),
  ...["false", "False", "FALSE"].map((s): [string, boolean] => [s, false]),
]);
const GO_YAML_SPECIALS = new Map<string, number>([
  ...[".inf", ".Inf", ".INF", "+.inf", "+.Inf", "+.INF"].map((s): [string, number] => [s, Infinity]),
  ...["-.inf", "-.Inf", "-.INF"].map((s): [string, number] => [s, -Infinity]),
  ...[".nan", ".NaN", ".NAN"].map((s): [string, number] => [s, NaN]),
]);
// Go's strconv.ParseInt(s, 0, 64) and ParseFloat(s, 64) syntax, after go-yaml drops every "_".
const GO_INT = /^[-+]?(?:0[xX][0-9a-fA-F]+|0[oO][0-7]+|0[bB][01]+|0[0-7]*|[1-9][0-9]*)$/;
const GO_FLOAT = /^[-+]?(?:(?:[0-9]+\.?[0-9]*|\.[0-9]+)(?:[eE][-+]?[0-9]+)?|0[xX](?:[0-9a-fA-F]+\.?[0-9a-fA-F]*|\.[0-9a-fA-F]+)[pP][-+]?[0-9]+|inf|infinity|nan)$/i;
// go-yaml v3 reads a float after a digit or sign only in YAML's own syntax (resolve.go's yamlStyleFloat).
const GO_YAML_V3_FLOAT = /^[-+]?(?:\.[0-9]+|[0-9]+(?:\.[0-9]*)?)(?:[eE][-+]?[0-9]+)?$/;
// go-yaml's timestamps (2006-1-2, with an optional time): left as their text (OPA re-tags them !!str).
const GO_TIMESTAMP = /^[0-9]{4}-[0-9]{1,2}-[0-9]{1,2}(?:(?:[Tt]|[ \t]+)[0-9]{1,2}:[0-9]{1,2}:[0-9]{1,2}(?:\.[0-9]*)?(?:[ \t]*(?:Z|[-+][0-9]{1,2}(?::[0-9]{2})?))?)?$/;

interface GoScalar {
  tag: "null" | "bool" | "int" | "float" | "str";
  value: unknown;
  /** an int's exact value: go-yaml keeps an int64 (or uint64) exactly, js-yaml a double */
  exact?: bigint;
}

/**
 * A plain scalar as go-yaml resolves it (resolve.go): v2 is the YAML conftest and Kubernetes read,
 * v3 the one OPA's data loader reads. Also what a scalar tagged `!!int` or `!!float` becomes: both
 * resolve its text so and refuse it when the type differs (an int may stand for a float).
 */
function goYamlPlain(raw: string, version: "v2" | "v3"): GoScalar {
  if (raw === "" || raw === "~" || raw === "null" || raw === "Null" || raw === "NULL") return { tag: "null", value: null };
  const flag = (version === "v2" ? GO_YAML_V2_BOOLEANS : GO_YAML_V3_BOOLEANS).get(raw);
  if (flag !== undefined) return { tag: "bool", value: flag };
  const special = GO_YAML_SPECIALS.get(raw);
  if (special !== undefined) return { tag: "float", value: special };
  const text: GoScalar = { tag: "str", value: raw };
  // strconv.ParseFloat takes `_` between two digits (Go's literal syntax): `.5_0` is 0.5.
  if (raw.startsWith(".")) {
    const digits = /^(?:[^_]|(?<=[0-9])_(?=[0-9]))*$/.test(raw) ? raw.replaceAll("_", "") : undefined;
    return digits !== undefined && GO_FLOAT.test(digits) ? { tag: "float", value: goFloat(digits) } : text;
  }
  if (!/^[-+0-9]/.test(raw) || GO_TIMESTAMP.test(raw)) return text;
  const plain = raw.replaceAll("_", "");
  if (GO_INT.test(plain)) {
    const exact = goInteger(plain);
    if (exact !== undefined) return { tag: "int", value: Number(exact), exact };
  }
  if (version === "v3" ? GO_YAML_V3_FLOAT.test(plain) : GO_FLOAT.test(plain)) return { tag: "float", value: goFloat(plain) };
  return text;
}

/** The key OPA writes for a mapping key go-yaml v3 read (internal/yaml keyString); undefined where it refuses or formats as float32. */
function goYamlV3KeyText(key: GoScalar): string | undefined {
  if (key.tag === "str" || key.tag === "int") return String(key.value);
  if (key.tag === "bool") return key.value ? "true" : "false";
  return undefined;
}

/** ParseInt(s, 0, 64), else ParseUint(s, 0, 64): undefined past both (go-yaml then tries a float). */
function goInteger(text: string): bigint | undefined {
  const negative = text.startsWith("-");
  const digits = text.replace(/^[-+]/, "");
  const magnitude = /^0[0-7]+$/.test(digits) ? BigInt(`0o${digits.slice(1)}`) : BigInt(digits.replace(/^0([oObBxX])/, (_, p: string) => `0${p.toLowerCase()}`));
  const value = negative ? -magnitude : magnitude;
  if (value < -(2n ** 63n) || value >= 2n ** 64n) return undefined;
  return value;
}

function goFloat(text: string): number {
  const lower = text.toLowerCase().replace(/^\+/, "");
  if (/^-?inf(inity)?$/.test(lower)) return lower.startsWith("-") ? -Infinity : Infinity;
  if (/^-?nan$/.test(lower)) return NaN;
  if (/0x/.test(lower)) {
    const [, sign, mantissa, exponent] = /^(-?)0x([0-9a-f.]+)p([-+]?[0-9]+)$/.exec(lower)!;
    const [whole, fraction = ""] = mantissa!.split(".");
    const value = (Number.parseInt(whole || "0", 16) + (fraction ? Number.parseInt(fraction, 16) / 16 ** fraction.length : 0)) * 2 ** Number(exponent);
    return sign ? -value : value;
  }
  return Number(lower);
}

function sameValue(a: unknown, b: unknown): boolean {
  if (typeof a === "number" && typeof b === "number") return a === b || (Number.isNaN(a) && Number.isNaN(b));
  return a === b;
}

function show(value: unknown): string {
  if (typeof value === "string") return `the string ${JSON.stringify(value)}`;
  if (value instanceof Date) return `the timestamp ${value.toISOString()}`;
  return String(value);
}

function lineOf(text: string, offset: number): number {
  let line = 1;
  for (let i = text.indexOf("\n"); i !== -1 && i < offset; i = text.indexOf("\n", i + 1)) line++;
  return line;
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

