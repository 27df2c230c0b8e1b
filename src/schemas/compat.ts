// Backward compatibility of two JSON Schemas: is every document the OLD schema accepts still
// accepted by the NEW one? A structural comparison (not a proof): it walks both schemas side by
// side and reports each change as breaking (NEW may reject old documents) or compatible.
// Unknown or undecidable changes (a pattern or $ref edited) count as breaking: fail closed.

import { pointerSegment } from "../core/json-pointer.js";

/** Every change `schemas compat` reports. Whether a change breaks can depend on where it sits
 * (a property added to an open object breaks, to a closed one it does not): see `breaking`. */
export const COMPAT_CODES = {
  "compat/additional-properties-closed": "additionalProperties closed: documents with extra properties are now rejected",
  "compat/additional-properties-constrained": "additionalProperties now constrained by a schema",
  "compat/additional-properties-opened": "additionalProperties opened: extra properties are now accepted",
  "compat/bound-loosened": "a minimum/maximum/length/items bound was loosened or removed",
  "compat/bound-tightened": "a minimum/maximum/length/items bound was tightened or added",
  "compat/branch-changed": "an anyOf/oneOf/allOf branch was added or removed",
  "compat/const-changed": "a const was added or changed",
  "compat/const-removed": "a const was removed",
  "compat/definition-removed": "a $defs/definitions entry was removed",
  "compat/dependency-added": "a dependentRequired/dependentSchemas/dependencies entry was added or now requires more",
  "compat/dependency-removed": "a dependentRequired/dependentSchemas/dependencies entry was removed or requires less",
  "compat/enum-added": "an enum now restricts the values",
  "compat/enum-removed": "an enum restriction was removed",
  "compat/enum-value-added": "an enum value was added",
  "compat/enum-value-removed": "an enum value was removed",
  "compat/format-changed": "a format (or content media type/encoding) was added or changed",
  "compat/format-removed": "a format (or content media type/encoding) was removed",
  "compat/keyword-changed": "a keyword schemas compat does not compare was added, removed or changed (undecidable, so breaking)",
  "compat/newly-required": "a property became required",
  "compat/no-longer-required": "a property is no longer required",
  "compat/pattern-changed": "a pattern was added or changed (undecidable, so breaking)",
  "compat/pattern-property-added": "a patternProperties entry was added (which names it matches is undecidable, so breaking)",
  "compat/pattern-removed": "a pattern was removed",
  "compat/property-added": "a property was added (breaking when the object was open)",
  "compat/property-removed": "a property was removed",
  "compat/ref-changed": "a $ref was added or points elsewhere (undecidable, so breaking)",
  "compat/ref-removed": "a $ref was removed",
  "compat/schema-closed": "the schema became false: it rejects everything",
  "compat/schema-constrained": "an unconstrained schema (true) gained constraints",
  "compat/schema-opened": "a schema that accepted nothing now accepts documents",
  "compat/subschema-added": "a subschema (items, contains, not, if/then/else...) was added",
  "compat/subschema-removed": "a subschema was removed (breaking for `not`)",
  "compat/type-narrowed": "a type was removed or a type restriction added",
  "compat/type-widened": "a type was added or the type restriction removed",
  "compat/unique-items-added": "uniqueItems was turned on",
} as const satisfies Record<`compat/${string}`, string>;

export type CompatCode = keyof typeof COMPAT_CODES;

export interface CompatChange {
  code: CompatCode;
  breaking: boolean;
  /** JSON pointer into the schemas */
  pointer: string;
  message: string;
}

type Schema = Record<string, unknown> | boolean;

const LOWER_BOUNDS = ["minimum", "exclusiveMinimum", "minLength", "minItems", "minProperties", "minContains"];
const UPPER_BOUNDS = ["maximum", "exclusiveMaximum", "maxLength", "maxItems", "maxProperties", "maxContains", "multipleOf"];
const SUBSCHEMA_MAPS = ["properties", "$defs", "definitions", "patternProperties"];
const SUBSCHEMAS = ["items", "additionalItems", "contains", "propertyNames", "not", "if", "then", "else", "unevaluatedItems"];
/** Keywords that do not change what a schema accepts. */
const ANNOTATIONS = ["title", "description", "default", "examples", "deprecated", "readOnly", "writeOnly", "$comment", "$id"];
/**
 * Every keyword `walk` compares, plus the annotations. A change to any other keyword (one this
 * comparison does not know, `$dynamicRef`, `contentSchema`, a draft-07 tuple `items` entry, a
 * vocabulary's own) is breaking: what it does to the accepted documents is not known here.
 */
const COMPARED = new Set([
  "type", "enum", "const", ...LOWER_BOUNDS, ...UPPER_BOUNDS, "pattern", "format", "contentMediaType", "contentEncoding",
  "uniqueItems", "$ref", "required", "properties", "additionalProperties", "unevaluatedProperties", ...SUBSCHEMA_MAPS,
  ...SUBSCHEMAS, "prefixItems", "anyOf", "oneOf", "allOf", "dependentRequired", "dependentSchemas", "dependencies", ...ANNOTATIONS,
]);

export function compareSchemas(oldSchema: unknown, newSchema: unknown): CompatChange[] {
  const changes: CompatChange[] = [];
  walk(oldSchema as Schema, newSchema as Schema, "", changes);
  return changes.sort((a, b) => (a.pointer < b.pointer ? -1 : a.pointer > b.pointer ? 1 : a.code < b.code ? -1 : a.code > b.code ? 1 : 0));
}

/**
 * The JSON pointer of the first place in `schema` where a schema must stand and something else
 * does (the document itself, a `properties` value, an `anyOf` that is not a list...), or
 * undefined. compareSchemas assumes a well-formed schema; the command refuses one that is not.
 */
export function malformedSchemaAt(schema: unknown, at = ""): string | undefined {
  const isSchema = (v: unknown) => typeof v === "boolean" || (v !== null && typeof v === "object" && !Array.isArray(v));
  if (!isSchema(schema)) return at || "/";
  if (typeof schema === "boolean") return undefined;
  const s = schema as Record<string, unknown>;
  const within = (value: unknown, pointer: string) => malformedSchemaAt(value, pointer);
  for (const key of [...SUBSCHEMA_MAPS, "dependentSchemas"]) {
    if (s[key] === undefined) continue;
    if (!isSchema(s[key]) || typeof s[key] === "boolean") return `${at}/${key}`;
    for (const [name, value] of Object.entries(s[key] as Record<string, unknown>)) {
      const found = within(value, `${at}/${key}/${pointerSegment(name)}`);
      if (found) return found;
    }
  }
  for (const key of [...SUBSCHEMAS, "additionalProperties", "unevaluatedProperties"]) {
    const value = s[key];
    if (value === undefined) continue;
    // draft 7's tuple form of items
    if (key === "items" && Array.isArray(value)) {
      for (const [i, item] of value.entries()) {
        const found = within(item, `${at}/items/${i}`);
        if (found) return found;
      }
      continue;
    }
    const found = within(value, `${at}/${key}`);
    if (found) return found;
  }
  for (const key of ["prefixItems", "anyOf", "oneOf", "allOf"]) {
    const value = s[key];
    if (value === undefined) continue;
    if (!Array.isArray(value)) return `${at}/${key}`;
    for (const [i, item] of value.entries()) {
      const found = within(item, `${at}/${key}/${i}`);
      if (found) return found;
    }
  }
  return undefined;
}

export function isBackwardCompatible(changes: readonly CompatChange[]): boolean {
  return !changes.some((c) => c.breaking);
}

function walk(oldAny: Schema | undefined, newAny: Schema | undefined, at: string, out: CompatChange[]): void {
  const add = (code: CompatCode, breaking: boolean, pointer: string, message: string): void => {
    out.push({ code, breaking, pointer, message });
  };
  if (oldAny === undefined || newAny === undefined) return;
  if (typeof oldAny === "boolean" || typeof newAny === "boolean") {
    const o = typeof oldAny === "boolean" ? oldAny : true;
    const n = typeof newAny === "boolean" ? newAny : true;
    if (o && !n) add("compat/schema-closed", true, at || "/", "the schema now rejects everything (false)");
    else if (typeof oldAny !== typeof newAny && typeof newAny !== "boolean") add("compat/schema-constrained", true, at || "/", "an unconstrained schema (true) now has constraints");
    else if (!o && n) add("compat/schema-opened", false, at || "/", "the schema accepted nothing and now accepts documents");
    return;
  }
  const oldS: Record<string, unknown> = oldAny;
  const newS: Record<string, unknown> = newAny;

  // type
  const oldTypes = typeSet(oldS.type);
  const newTypes = typeSet(newS.type);
  if (oldTypes === undefined && newTypes !== undefined) add("compat/type-narrowed", true, `${at}/type`, `a type is now required: ${[...newTypes].join(", ")}`);
  else if (oldTypes !== undefined && newTypes !== undefined) {
    const lost = [...oldTypes].filter((t) => !newTypes.has(t) && !(t === "integer" && newTypes.has("number")));
    const gained = [...newTypes].filter((t) => !oldTypes.has(t));
    if (lost.length > 0) add("compat/type-narrowed", true, `${at}/type`, `type no longer allows ${lost.join(", ")}`);
    else if (gained.length > 0) add("compat/type-widened", false, `${at}/type`, `type now also allows ${gained.join(", ")}`);
  } else if (oldTypes !== undefined && newTypes === undefined) add("compat/type-widened", false, `${at}/type`, "type restriction removed");

  // enum and const
  if (Array.isArray(newS.enum)) {
    if (!Array.isArray(oldS.enum)) add("compat/enum-added", true, `${at}/enum`, "an enum now restricts the values");
    else {
      const removed = (oldS.enum as unknown[]).filter((v) => !(newS.enum as unknown[]).some((w) => same(v, w)));
      const added = (newS.enum as unknown[]).filter((v) => !(oldS.enum as unknown[]).some((w) => same(v, w)));
      if (removed.length > 0) add("compat/enum-value-removed", true, `${at}/enum`, `enum values removed: ${removed.map((v) => JSON.stringify(v)).join(", ")}`);
      if (added.length > 0) add("compat/enum-value-added", false, `${at}/enum`, `enum values added: ${added.map((v) => JSON.stringify(v)).join(", ")}`);
    }
  } else if (Array.isArray(oldS.enum)) add("compat/enum-removed", false, `${at}/enum`, "the enum restriction was removed");
  if ("const" in newS) {
    if (!("const" in oldS)) add("compat/const-changed", true, `${at}/const`, `a const now fixes the value to ${JSON.stringify(newS.const)}`);
    else if (!same(oldS.const, newS.const)) add("compat/const-changed", true, `${at}/const`, `const changed from ${JSON.stringify(oldS.const)} to ${JSON.stringify(newS.const)}`);
  } else if ("const" in oldS) add("compat/const-removed", false, `${at}/const`, "the const restriction was removed");

  // bounds
  for (const key of LOWER_BOUNDS) bound(key, +1);
  for (const key of UPPER_BOUNDS) bound(key, -1);
  function bound(key: string, tighterSign: number): void {
    const o = oldS[key];
    const n = newS[key];
    const pointer = `${at}/${key}`;
    if (typeof n === "number" && typeof o !== "number") add("compat/bound-tightened", true, pointer, `${key} ${n} added`);
    else if (typeof n !== "number" && typeof o === "number") add("compat/bound-loosened", false, pointer, `${key} ${o} removed`);
    else if (typeof n === "number" && typeof o === "number" && n !== o) {
      // multipleOf: a new value that is a multiple of the old one accepts a subset.
      const tighter = key === "multipleOf" ? n % o === 0 || o % n !== 0 : (n - o) * tighterSign > 0;
      if (tighter) add("compat/bound-tightened", true, pointer, `${key} changed from ${o} to ${n}`);
      else add("compat/bound-loosened", false, pointer, `${key} changed from ${o} to ${n}`);
    }
  }

  // string shape
  for (const key of ["pattern", "format", "contentMediaType", "contentEncoding"]) {
    const o = oldS[key];
    const n = newS[key];
    if (n !== undefined && o === undefined) add(key === "pattern" ? "compat/pattern-changed" : "compat/format-changed", true, `${at}/${key}`, `${key} ${JSON.stringify(n)} added`);
    else if (n !== undefined && !same(o, n)) add(key === "pattern" ? "compat/pattern-changed" : "compat/format-changed", true, `${at}/${key}`, `${key} changed from ${JSON.stringify(o)} to ${JSON.stringify(n)}`);
    else if (n === undefined && o !== undefined) add(key === "pattern" ? "compat/pattern-removed" : "compat/format-removed", false, `${at}/${key}`, `${key} removed`);
  }
  if (newS.uniqueItems === true && oldS.uniqueItems !== true) add("compat/unique-items-added", true, `${at}/uniqueItems`, "items must now be unique");
  if (newS.$ref !== oldS.$ref) {
    if (newS.$ref !== undefined) add("compat/ref-changed", true, `${at}/$ref`, `$ref changed from ${JSON.stringify(oldS.$ref)} to ${JSON.stringify(newS.$ref)}`);
    else add("compat/ref-removed", false, `${at}/$ref`, `$ref ${JSON.stringify(oldS.$ref)} removed`);
  }

  // required
  const oldRequired = new Set(Array.isArray(oldS.required) ? (oldS.required as string[]) : []);
  const newRequired = new Set(Array.isArray(newS.required) ? (newS.required as string[]) : []);
  for (const name of [...newRequired].sort()) if (!oldRequired.has(name)) add("compat/newly-required", true, `${at}/required`, `property ${JSON.stringify(name)} is now required`);
  for (const name of [...oldRequired].sort()) if (!newRequired.has(name)) add("compat/no-longer-required", false, `${at}/required`, `property ${JSON.stringify(name)} is no longer required`);

  // properties: removed, added, changed
  const oldProps = objectOf(oldS.properties);
  const newProps = objectOf(newS.properties);
  for (const name of Object.keys(oldProps).sort()) {
    if (!(name in newProps)) add("compat/property-removed", true, `${at}/properties/${pointerSegment(name)}`, `property ${JSON.stringify(name)} was removed`);
  }
  for (const name of Object.keys(newProps).sort()) {
    if (!(name in oldProps)) {
      // Adding a property is compatible unless the object was open: then old documents may
      // already carry that name with a value the new definition rejects.
      const wasOpen = oldS.additionalProperties !== false && oldS.unevaluatedProperties !== false;
      add("compat/property-added", wasOpen, `${at}/properties/${pointerSegment(name)}`, `property ${JSON.stringify(name)} was added${wasOpen ? " to an open object: old documents may already use it differently" : ""}`);
    }
  }

  // additionalProperties / unevaluatedProperties
  for (const key of ["additionalProperties", "unevaluatedProperties"]) {
    const o = oldS[key];
    const n = newS[key];
    if (n === false && o !== false) add("compat/additional-properties-closed", true, `${at}/${key}`, `${key} is now false: unknown fields are rejected`);
    else if (o === false && n !== false) add("compat/additional-properties-opened", false, `${at}/${key}`, `${key} is no longer false`);
    else if (typeof o === "object" && typeof n === "object") walk(o as Schema, n as Schema, `${at}/${key}`, out);
    else if (typeof n === "object" && o === undefined) add("compat/additional-properties-constrained", true, `${at}/${key}`, `${key} now constrains unknown fields`);
  }

  // sub-schemas by name
  for (const key of SUBSCHEMA_MAPS) {
    const o = objectOf(oldS[key]);
    const n = objectOf(newS[key]);
    for (const name of Object.keys(n).sort()) {
      if (name in o) walk(o[name] as Schema, n[name] as Schema, `${at}/${key}/${pointerSegment(name)}`, out);
    }
    if (key !== "properties") {
      for (const name of Object.keys(o).sort()) {
        if (!(name in n)) add("compat/definition-removed", true, `${at}/${key}/${pointerSegment(name)}`, `${key} entry ${JSON.stringify(name)} was removed`);
      }
    }
    // A new pattern constrains the names it matches, declared properties and extra ones alike.
    if (key === "patternProperties") {
      for (const name of Object.keys(n).sort()) {
        if (!(name in o)) add("compat/pattern-property-added", true, `${at}/${key}/${pointerSegment(name)}`, `patternProperties ${JSON.stringify(name)} was added: properties it matches are now constrained`);
      }
    }
  }
  dependencies(oldS, newS, at, out);

  for (const key of [...new Set([...Object.keys(oldS), ...Object.keys(newS)])].sort()) {
    if (COMPARED.has(key) || same(oldS[key], newS[key])) continue;
    const what = !(key in oldS) ? "added" : !(key in newS) ? "removed" : "changed";
    add("compat/keyword-changed", true, `${at}/${pointerSegment(key)}`, `${key} ${what}: schemas compat does not compare it, so the change counts as breaking`);
  }
  for (const key of SUBSCHEMAS) {
    if (oldS[key] !== undefined && newS[key] !== undefined) walk(oldS[key] as Schema, newS[key] as Schema, `${at}/${key}`, out);
    else if (newS[key] !== undefined && key !== "else" && key !== "then") add("compat/subschema-added", true, `${at}/${key}`, `${key} added`);
    else if (oldS[key] !== undefined) add("compat/subschema-removed", key === "not", `${at}/${key}`, `${key} removed`);
  }
  if (Array.isArray(oldS.prefixItems) || Array.isArray(newS.prefixItems)) combinator("prefixItems", "any");
  combinator("anyOf", "any");
  combinator("oneOf", "any");
  combinator("allOf", "all");
  function combinator(key: string, mode: "any" | "all"): void {
    const o = Array.isArray(oldS[key]) ? (oldS[key] as Schema[]) : undefined;
    const n = Array.isArray(newS[key]) ? (newS[key] as Schema[]) : undefined;
    if (!o && !n) return;
    if (!o || !n) {
      add("compat/branch-changed", !o, `${at}/${key}`, `${key} ${o ? "removed" : "added"}`);
      return;
    }
    for (let i = 0; i < Math.min(o.length, n.length); i++) walk(o[i], n[i], `${at}/${key}/${i}`, out);
    if (n.length < o.length) add("compat/branch-changed", mode === "any", `${at}/${key}`, `${key} lost ${o.length - n.length} branch(es)`);
    if (n.length > o.length) add("compat/branch-changed", mode === "all", `${at}/${key}`, `${key} gained ${n.length - o.length} branch(es)`);
  }
}

/**
 * dependentRequired and dependentSchemas (and draft 7's dependencies, either form): an entry
 * added, or a name a present property now also requires, rejects old documents; an entry
 * removed accepts more. A dependent schema present in both is compared as a schema.
 */
function dependencies(oldS: Record<string, unknown>, newS: Record<string, unknown>, at: string, out: CompatChange[]): void {
  for (const key of ["dependentRequired", "dependentSchemas", "dependencies"]) {
    const o = objectOf(oldS[key]);
    const n = objectOf(newS[key]);
    for (const name of [...new Set([...Object.keys(o), ...Object.keys(n)])].sort()) {
      const pointer = `${at}/${key}/${pointerSegment(name)}`;
      const before = o[name];
      const after = n[name];
      if (after === undefined) {
        out.push({ code: "compat/dependency-removed", breaking: false, pointer, message: `${key} entry ${JSON.stringify(name)} was removed` });
      } else if (before === undefined) {
        out.push({ code: "compat/dependency-added", breaking: true, pointer, message: `${key} entry ${JSON.stringify(name)} was added: documents with ${JSON.stringify(name)} must now satisfy it` });
      } else if (Array.isArray(before) && Array.isArray(after)) {
        const more = after.filter((v) => !before.some((w) => same(v, w)));
        const less = before.filter((v) => !after.some((w) => same(v, w)));
        if (more.length > 0) out.push({ code: "compat/dependency-added", breaking: true, pointer, message: `${JSON.stringify(name)} now also requires ${more.map((v) => JSON.stringify(v)).join(", ")}` });
        if (less.length > 0) out.push({ code: "compat/dependency-removed", breaking: false, pointer, message: `${JSON.stringify(name)} no longer requires ${less.map((v) => JSON.stringify(v)).join(", ")}` });
      } else if (!Array.isArray(before) && !Array.isArray(after)) {
        walk(before as Schema, after as Schema, pointer, out);
      } else {
        out.push({ code: "compat/dependency-added", breaking: true, pointer, message: `${key} entry ${JSON.stringify(name)} changed between a list of names and a schema` });
      }
    }
  }
}

function typeSet(type: unknown): Set<string> | undefined {
  if (typeof type === "string") return new Set([type]);
  if (Array.isArray(type)) return new Set(type.filter((t): t is string => typeof t === "string"));
  return undefined;
}

function objectOf(value: unknown): Record<string, unknown> {
  return value && typeof value === "object" && !Array.isArray(value) ? (value as Record<string, unknown>) : {};
}

function same(a: unknown, b: unknown): boolean {
  return JSON.stringify(canonical(a)) === JSON.stringify(canonical(b));
}

function canonical(value: unknown): unknown {
  if (Array.isArray(value)) return value.map(canonical);
  if (value && typeof value === "object") {
    return Object.fromEntries(Object.keys(value).sort().map((k) => [k, canonical((value as Record<string, unknown>)[k])]));
  }
  return value;
}
