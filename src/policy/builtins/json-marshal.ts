// Go's encoding/json output for a Rego value, as topdown's json.marshal_with_options (and
// io.jwt.encode_sign's headers and payload) write it: object keys sorted by their UTF-8 bytes,
// sets as arrays in OPA's order, numbers as their text, `<`, `>`, `&`, U+2028 and U+2029
// escaped, and json.MarshalIndent's layout.

import { BuiltinError, OperandError, valueName } from "./errors.js";
import { compareStrings, RegoNumber } from "./values.js";

/** JSON's number grammar (RFC 8259), which encoding/json checks a json.Number against. */
const JSON_NUMBER = /^-?(?:0|[1-9]\d*)(?:\.\d+)?(?:[eE][+-]?\d+)?$/;

export function goJsonString(s: string): string {
  return JSON.stringify(s).replace(/[<>&\u2028\u2029]/g, (c) => `\\u${c.charCodeAt(0).toString(16).padStart(4, "0")}`);
}

/** json.Marshal (indent undefined) or json.MarshalIndent(value, prefix, indent). */
export function goJson(value: unknown, indent?: { prefix: string; indent: string }, depth = 0): string {
  const newline = (d: number): string => (indent ? `\n${indent.prefix}${indent.indent.repeat(d)}` : "");
  if (value instanceof RegoNumber) {
    // A number whose text JSON has no grammar for (to_number("0001"), ".5", "5." keep their text):
    // Go's encoding/json refuses to write json.Number("0001"), so topdown's json.marshal errs.
    if (!JSON_NUMBER.test(value.text)) throw new BuiltinError(`json: invalid number literal ${JSON.stringify(value.text)}`);
    return value.text;
  }
  if (Array.isArray(value)) {
    if (value.length === 0) return "[]";
    return `[${value.map((v) => newline(depth + 1) + goJson(v, indent, depth + 1)).join(",")}${newline(depth)}]`;
  }
  if (value !== null && typeof value === "object") {
    const keys = Object.keys(value).sort(compareStrings);
    if (keys.length === 0) return "{}";
    const sep = indent ? ": " : ":";
    return `{${keys.map((k) => `${newline(depth + 1)}${goJsonString(k)}${sep}${goJson((value as Record<string, unknown>)[k], indent, depth + 1)}`).join(",")}${newline(depth)}}`;
  }
  if (typeof value === "string") return goJsonString(value);
  if (typeof value === "number") {
    if (!Number.isFinite(value)) throw new BuiltinError(`json: unsupported value: ${value}`);
    return JSON.stringify(value);
  }
  return JSON.stringify(value);
}

/** json.marshal_with_options: `prefix` and `indent` imply pretty printing unless `pretty` says otherwise. */
function marshalWithOptions(value: unknown, options: unknown): string {
  if (options === null || typeof options !== "object" || Array.isArray(options) || options instanceof RegoNumber) {
    throw new OperandError(`operand 2 must be object but got ${valueName(options)}`);
  }
  let prefix = "";
  let indentWith = "\t";
  let implicit = false;
  let explicit: boolean | undefined;
  for (const [key, v] of Object.entries(options)) {
    switch (key) {
      case "prefix":
      case "indent":
        if (typeof v !== "string") throw new OperandError(`operand 2 key ${key} failed cast to string: operand ${Object.keys(options).sort(compareStrings).indexOf(key)} must be string but got ${valueName(v)}`);
        if (key === "prefix") prefix = v;
        else indentWith = v;
        implicit = true;
        break;
      case "pretty":
        if (typeof v !== "boolean") throw new OperandError(`operand 2 key ${key} failed cast to bool`);
        explicit = v;
        break;
      default:
        throw new OperandError(`operand 2 object contained unknown key ${key}`);
    }
  }
  // topdown adds the prefix json.MarshalIndent leaves off the first line.
  if (explicit ?? implicit) return prefix + goJson(value, { prefix, indent: indentWith });
  return goJson(value);
}

export const JSON_MARSHAL_BUILTINS = {
  "json.marshal_with_options": marshalWithOptions,
} satisfies Record<string, (...args: never[]) => unknown>;
