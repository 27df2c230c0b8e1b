// `object.subset` as topdown computes it (v1/topdown/subset.go): objects key by key (recursing
// into object, set and array values), sets by membership, arrays as a contiguous run (topdown's
// scan, restarting one element on after a mismatch), and an array against a set by membership,
// where topdown answers false for an empty array whatever the set.

import { OperandError } from "./errors.js";
import { compareValues, isSet, RegoNumber } from "./values.js";

type Kind = "object" | "set" | "array" | "other";

function kind(value: unknown): Kind {
  if (isSet(value)) return "set";
  if (Array.isArray(value)) return "array";
  if (value !== null && typeof value === "object" && !(value instanceof RegoNumber)) return "object";
  return "other";
}

const equal = (a: unknown, b: unknown): boolean => compareValues(a, b) === 0;

function objectSubset(sup: Record<string, unknown>, sub: Record<string, unknown>): boolean {
  for (const key of Object.keys(sub)) {
    if (!Object.prototype.hasOwnProperty.call(sup, key)) return false;
    const a = sup[key];
    const b = sub[key];
    if (equal(a, b)) continue;
    const ka = kind(a);
    if (ka !== kind(b) || ka === "other") return false;
    if (ka === "object" && !objectSubset(a as Record<string, unknown>, b as Record<string, unknown>)) return false;
    if (ka === "set" && !setSubset(a as unknown[], b as unknown[])) return false;
    if (ka === "array" && !arraySubset(a as unknown[], b as unknown[])) return false;
  }
  return true;
}

const setSubset = (sup: unknown[], sub: unknown[]): boolean => sub.every((member) => sup.some((x) => equal(x, member)));

function arraySubset(sup: unknown[], sub: unknown[]): boolean {
  if (sub.length > sup.length) return false;
  if (equal(sup, sub)) return true;
  let supCursor = 0;
  let subCursor = 0;
  for (;;) {
    if (subCursor === sub.length) return true;
    if (supCursor + subCursor === sup.length) return false;
    if (equal(sup[supCursor + subCursor], sub[subCursor])) subCursor++;
    else {
      supCursor++;
      subCursor = 0;
    }
  }
}

/** topdown's arraySetSubset: stops at the first array element once every member was seen. */
function arraySetSubset(sup: unknown[], sub: unknown[]): boolean {
  let unmatched = sub.length;
  return sup.some((x) => {
    if (sub.some((member) => equal(member, x))) unmatched--;
    return unmatched === 0;
  });
}

function subset(sup: unknown, sub: unknown): boolean {
  const ka = kind(sup);
  const kb = kind(sub);
  if (ka === "object" && kb === "object") return objectSubset(sup as Record<string, unknown>, sub as Record<string, unknown>);
  if (ka === "set" && kb === "set") return setSubset(sup as unknown[], sub as unknown[]);
  if (ka === "array" && kb === "array") return arraySubset(sup as unknown[], sub as unknown[]);
  if (ka === "array" && kb === "set") return arraySetSubset(sup as unknown[], sub as unknown[]);
  throw new OperandError("both arguments object.subset must be of the same type or array and set");
}

export const OBJECT_BUILTINS = {
  "object.subset": subset,
};
