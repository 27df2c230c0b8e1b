// String builtins that OPA's wasm runtime imports from the host, written to topdown's semantics
// (Go strings on UTF-8; positions in code points) and checked against `opa eval` in
// test/builtins.test.ts. Sets arrive from the SDK as arrays.

import { BuiltinError, intOperand, stringOperand, valueName } from "./errors.js";

/** Go's strings.Count: non-overlapping occurrences; an empty substring counts code points + 1. */
function count(value: unknown, search: unknown): number {
  const text = stringOperand(value, 1);
  const sub = stringOperand(search, 2);
  if (sub === "") return [...text].length + 1;
  let n = 0;
  for (let at = text.indexOf(sub); at !== -1; at = text.indexOf(sub, at + sub.length)) n++;
  return n;
}

/** indexof_n: every code-point index where `search` starts, overlaps included. */
function indexOfN(value: unknown, search: unknown): number[] {
  const base = [...stringOperand(value, 1)];
  const sub = [...stringOperand(search, 2)];
  if (sub.length === 0) throw new BuiltinError("empty search character");
  const found: number[] = [];
  for (let i = 0; i + sub.length <= base.length; i++) {
    let match = true;
    for (let k = 0; k < sub.length && match; k++) match = base[i + k] === sub[k];
    if (match) found.push(i);
  }
  return found;
}

/** A string or a collection of strings, with topdown's operand errors. */
function affixOperand(value: unknown, position: number): string[] {
  if (typeof value === "string") return [value];
  if (!Array.isArray(value)) {
    throw new BuiltinError(`operand ${position} must be one of {string, set, array} but got ${valueName(value)}`);
  }
  for (const item of value) {
    if (typeof item !== "string") throw new BuiltinError(`operand ${position} must be array of strings but got array containing ${valueName(item)}`);
  }
  return value as string[];
}

function anyAffixMatch(suffix: boolean): (search: unknown, base: unknown) => boolean {
  return (search, base) => {
    const strs = affixOperand(search, 1);
    const bases = affixOperand(base, 2);
    // Compare UTF-8 bytes, as Go does: code units would disagree on affixes that split a character.
    const match = (s: string, affix: string): boolean => {
      const a = Buffer.from(s, "utf8");
      const b = Buffer.from(affix, "utf8");
      if (b.length > a.length) return false;
      return suffix ? a.subarray(a.length - b.length).equals(b) : a.subarray(0, b.length).equals(b);
    };
    return strs.some((s) => bases.some((b) => match(s, b)));
  };
}

/** Go's strings.SplitN (limit < 0: no limit); an empty separator splits into code points. */
function goSplitN(text: string, sep: string, limit: number): string[] {
  if (limit === 0) return [];
  if (sep === "") {
    const points = [...text];
    if (limit < 0 || limit >= points.length) return points;
    return [...points.slice(0, limit - 1), points.slice(limit - 1).join("")];
  }
  const parts: string[] = [];
  let from = 0;
  while (limit < 0 || parts.length < limit - 1) {
    const at = text.indexOf(sep, from);
    if (at < 0) break;
    parts.push(text.slice(from, at));
    from = at + sep.length;
  }
  parts.push(text.slice(from));
  return parts;
}

/** strings.split_n: the first n parts (n >= 0) or the last -n parts (n < 0), the rest dropped. */
function splitN(value: unknown, delimiter: unknown, count: unknown): string[] {
  const text = stringOperand(value, 1);
  const sep = stringOperand(delimiter, 2);
  const n = intOperand(count, 3);
  if (n >= 0) return goSplitN(text, sep, n + 1).slice(0, n);
  const parts = goSplitN(text, sep, -1);
  return parts.slice(Math.max(parts.length + n, 0));
}

/** glob.quote_meta: gobwas/glob's QuoteMeta (a backslash before each of * ? \\ [ ] { }). */
function globQuoteMeta(value: unknown): string {
  return stringOperand(value, 1).replace(/[*?\\[\]{}]/g, (c) => `\\${c}`);
}

export const STRING_BUILTINS = {
  "glob.quote_meta": globQuoteMeta,
  "strings.split_n": splitN,
  "strings.count": count,
  indexof_n: indexOfN,
  "strings.any_prefix_match": anyAffixMatch(false),
  "strings.any_suffix_match": anyAffixMatch(true),
} satisfies Record<string, (...args: never[]) => unknown>;
