// Comparing a value read by the host bridge (sets sorted in OPA's order and marked, see
// src/policy/builtins/values.ts) with the same value read through the runtime's JSON dump (sets as
// arrays in the runtime's hash order): the dump's arrays at the places where the bridge found a
// set are put in OPA's order, and nothing else changes.

import { compareValues, isSet, markSet } from "../../src/policy/builtins/values.js";

export function setsSortedLike(reference: unknown, ours: unknown): unknown {
  if (Array.isArray(reference) && Array.isArray(ours)) {
    if (isSet(ours)) {
      // Members are compared once their own nested sets are in order: pair each dump member
      // with the bridge's member it equals once sorted, by trying the bridge's members in turn.
      const remaining = [...ours];
      const members = reference.map((member) => {
        for (const [k, candidate] of remaining.entries()) {
          const normalized = setsSortedLike(member, candidate);
          if (compareValues(normalized, candidate) === 0) {
            remaining.splice(k, 1);
            return candidate;
          }
        }
        return member;
      });
      return markSet(members.sort(compareValues));
    }
    return reference.map((member, k) => setsSortedLike(member, ours[k]));
  }
  if (reference && ours && typeof reference === "object" && typeof ours === "object" && !Array.isArray(reference)) {
    const out: Record<string, unknown> = {};
    for (const [key, value] of Object.entries(reference)) {
      const ourValue = (ours as Record<string, unknown>)[key];
      if (key === "__proto__") Object.defineProperty(out, key, { value: setsSortedLike(value, ourValue), writable: true, enumerable: true, configurable: true });
      else out[key] = setsSortedLike(value, ourValue);
    }
    return out;
  }
  return reference;
}
