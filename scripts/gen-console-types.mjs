// `npm run compile`, first step (before tsc, hence plain JavaScript): the console's API types,
// generated from schemas/api/*.schema.json into console/src/generated/api-types.ts (not committed),
// so the console cannot read a field the API's schemas do not declare. Where a schema carries a
// whole gatehouse document as an opaque object (an effective policy, a pack, a finding), the
// DOCUMENTS table names the source type the service builds it from; a pointer that no longer
// names an opaque object fails the build. Only the JSON Schema the API's schemas use is handled:
// anything else fails the build rather than widening to `unknown`.
//
//   node scripts/gen-console-types.mjs [--check]   (--check: exit 1 if the file is not up to date)

import { mkdirSync, readdirSync, readFileSync, renameSync, writeFileSync } from "node:fs";
import { dirname, join } from "node:path";
import { fileURLToPath } from "node:url";

const ROOT = join(dirname(fileURLToPath(import.meta.url)), "..");
const SCHEMAS = join(ROOT, "schemas", "api");
export const OUTPUT = join(ROOT, "console", "src", "generated", "api-types.ts");

/** schema#pointer of an opaque object -> the type (exported by src/) the service fills it with */
const DOCUMENTS = {
  "effective-policy.v1#/properties/policy": "EffectivePolicy",
  "effective-policy.v1#/properties/overrides": "PolicyOverride",
  "effective-policy.v1#/properties/document": "PolicyPack",
  "console-preview.v1#/properties/policy": "EffectivePolicy",
  "pack.v1#/properties/versions/items/properties/document": "PolicyPack",
  "project.v1#/properties/overrides": "PolicyOverride",
  "stored-run.v1#/properties/policySnapshot": "EffectivePolicy",
  "run-findings.v1#/$defs/storedFinding/properties/finding": "Finding",
  "step-findings.v1#/$defs/storedFinding/properties/finding": "Finding",
};
const IMPORTS = [
  'import type { Finding } from "../../../src/core/findings.js";',
  'import type { EffectivePolicy, PolicyOverride, PolicyPack } from "../../../src/packs/types.js";',
];
/** keywords that only constrain values, not their type */
const VALUE_KEYWORDS = new Set(["$schema", "$id", "$comment", "title", "description", "minimum", "maximum", "minLength", "maxLength", "pattern", "minItems", "maxItems", "uniqueItems", "format", "default", "examples"]);
const SHAPE_KEYWORDS = new Set(["type", "enum", "const", "anyOf", "oneOf", "$ref", "$defs", "properties", "required", "additionalProperties", "items"]);

const pascal = (name) => name.replace(/(^|[-_.])([a-z0-9])/g, (_, __, c) => c.toUpperCase());
const typeName = (schemaName) => pascal(schemaName);
const propertyKey = (key) => (/^[A-Za-z_$][A-Za-z0-9_$]*$/.test(key) ? key : JSON.stringify(key));
const comment = (text, indent) => (text ? `${indent}/** ${String(text).replace(/\*\//g, "*\\/")} */\n` : "");

function fail(where, message) {
  throw new Error(`gen-console-types: ${where}: ${message}`);
}

function isOpaqueObject(schema) {
  const types = Array.isArray(schema.type) ? schema.type : [schema.type];
  return types.includes("object") && types.every((t) => t === "object" || t === "null") && !schema.properties && schema.additionalProperties === undefined;
}

/** The TypeScript type of one schema node; `at` is its JSON pointer (for DOCUMENTS and errors). */
function emit(node, ctx, at, indent) {
  const where = `${ctx.name}#${at}`;
  if (node === true || (typeof node === "object" && Object.keys(node).every((k) => VALUE_KEYWORDS.has(k)))) return "unknown";
  if (typeof node !== "object" || node === null) fail(where, "a schema must be an object");
  for (const key of Object.keys(node)) if (!VALUE_KEYWORDS.has(key) && !SHAPE_KEYWORDS.has(key)) fail(where, `unsupported keyword ${key}`);
  const document = DOCUMENTS[where];
  if (document) {
    if (!isOpaqueObject(node)) fail(where, `DOCUMENTS names ${document} for a node that is not an opaque object`);
    ctx.documentsUsed.add(where);
    return (Array.isArray(node.type) && node.type.includes("null")) ? `${document} | null` : document;
  }
  if (node.$ref !== undefined) {
    const match = /^#\/\$defs\/([A-Za-z0-9_-]+)$/.exec(node.$ref);
    if (!match || !ctx.defs[match[1]]) fail(where, `unsupported $ref ${node.$ref}`);
    return `${ctx.root}${pascal(match[1])}`;
  }
  if (node.const !== undefined) return JSON.stringify(node.const);
  if (node.enum !== undefined) return node.enum.map((v) => JSON.stringify(v)).join(" | ");
  for (const key of ["anyOf", "oneOf"]) {
    if (node[key] !== undefined) return node[key].map((part, i) => wrap(emit(part, ctx, `${at}/${key}/${i}`, indent))).join(" | ");
  }
  if (node.type === undefined) fail(where, "no type, enum, const, anyOf, oneOf or $ref");
  const types = Array.isArray(node.type) ? node.type : [node.type];
  return types.map((t) => wrap(emitType(t, node, ctx, at, indent))).join(" | ");
}

const wrap = (type) => (type.includes(" | ") && !type.startsWith("{") ? `(${type})` : type);

function emitType(type, node, ctx, at, indent) {
  switch (type) {
    case "string":
      return "string";
    case "integer":
    case "number":
      return "number";
    case "boolean":
      return "boolean";
    case "null":
      return "null";
    case "array":
      return node.items === undefined ? "unknown[]" : `${wrap(emit(node.items, ctx, `${at}/items`, indent))}[]`;
    case "object":
      return emitObject(node, ctx, at, indent);
    default:
      fail(`${ctx.name}#${at}`, `unsupported type ${type}`);
  }
}

function emitObject(node, ctx, at, indent) {
  const properties = node.properties ?? {};
  const required = new Set(node.required ?? []);
  for (const key of required) if (!(key in properties)) fail(`${ctx.name}#${at}`, `required ${key} is not a property`);
  const extra = node.additionalProperties;
  if (Object.keys(properties).length === 0) {
    return extra && extra !== true ? `Record<string, ${emit(extra, ctx, `${at}/additionalProperties`, indent)}>` : "Record<string, unknown>";
  }
  const inner = `${indent}  `;
  const lines = Object.entries(properties).map(
    ([key, value]) => `${comment(value.description, inner)}${inner}${propertyKey(key)}${required.has(key) ? "" : "?"}: ${emit(value, ctx, `${at}/properties/${key.replace(/~/g, "~0").replace(/\//g, "~1")}`, inner)};`,
  );
  if (extra && extra !== true) lines.push(`${inner}[key: string]: ${emit(extra, ctx, `${at}/additionalProperties`, inner)};`);
  return `{\n${lines.join("\n")}\n${indent}}`;
}

/** The module's text for the schemas in `dir` (schemas/api/ unless a test says otherwise). */
export function generate(dir = SCHEMAS) {
  const files = readdirSync(dir).filter((f) => f.endsWith(".schema.json")).sort();
  const documentsUsed = new Set();
  const out = [
    "// Generated by scripts/gen-console-types.mjs from schemas/api/*.schema.json at `npm run compile`.",
    "// Do not edit: change the schema (and the service's answer with it) instead.",
    "",
    ...IMPORTS,
    "",
  ];
  const names = [];
  for (const file of files) {
    const name = file.replace(/\.schema\.json$/, "");
    const schema = JSON.parse(readFileSync(join(dir, file), "utf8"));
    const root = typeName(name);
    const ctx = { name, root, defs: schema.$defs ?? {}, documentsUsed };
    for (const [def, value] of Object.entries(ctx.defs).sort(([a], [b]) => a.localeCompare(b))) {
      out.push(`${comment(value.description, "")}export type ${root}${pascal(def)} = ${emit(value, ctx, `/$defs/${def}`, "")};`, "");
    }
    out.push(`${comment(`${schema.title}. ${schema.description ?? ""}`.trim(), "")}export type ${root} = ${emit(schema, ctx, "", "")};`, "");
    names.push([name, root]);
  }
  for (const pointer of Object.keys(DOCUMENTS)) if (!documentsUsed.has(pointer)) fail(pointer, "DOCUMENTS names a pointer no schema has");
  out.push("/** Every schema of schemas/api/ by name, as the route table names them (`body`, `response`). */", "export interface ApiSchemas {", ...names.map(([name, root]) => `  ${JSON.stringify(name)}: ${root};`), "}", "");
  out.push("export type ApiSchemaName = keyof ApiSchemas;", "");
  return out.join("\n");
}

function main() {
  const code = generate();
  let existing;
  try {
    existing = readFileSync(OUTPUT, "utf8");
  } catch {
    existing = undefined;
  }
  if (process.argv.includes("--check")) {
    if (existing !== code) {
      console.error(`${OUTPUT} is not what schemas/api/ generates: run npm run compile`);
      process.exitCode = 1;
    }
    return;
  }
  if (existing === code) return; // unchanged: keep tsc's incremental build warm
  mkdirSync(dirname(OUTPUT), { recursive: true });
  writeFileSync(`${OUTPUT}.tmp`, code);
  renameSync(`${OUTPUT}.tmp`, OUTPUT);
}

if (process.argv[1] && fileURLToPath(import.meta.url) === process.argv[1]) main();
