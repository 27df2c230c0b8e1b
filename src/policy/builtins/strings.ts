// String builtins that OPA's wasm runtime imports from the host, written to topdown's semantics
// (Go strings on UTF-8; positions in code points) and checked against `opa eval` in
// test/builtins.test.ts. Sets arrive from the SDK as arrays.

import { BuiltinError, stringOperand, valueName } from "./errors.js";

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

export const STRING_BUILTINS = {
  "strings.count": count,
  indexof_n: indexOfN,
  "strings.any_prefix_match": anyAffixMatch(false),
  "strings.any_suffix_match": anyAffixMatch(true),
} satisfies Record<string, (...args: never[]) => unknown>;
