// What the service can hash and store as it is. PostgreSQL's text and jsonb refuse U+0000 and
// lone UTF-16 surrogates, JSON has no Infinity, and hashing, validating and storing recurse over a
// document: a value holding any of these is refused at the door (a request body, app.ts) or, when
// the service itself made it (a policy's result, a decision log), stored in a form that can be.

import { pointerSegment } from "../core/json-pointer.js";

/** Deeper bodies are refused: hashing, validating and storing a document recurse over it. */
export const MAX_BODY_DEPTH = 128;

/**
 * A UTF-16 surrogate not in a pair (JSON's `"\ud800"` escape parses to one): no character, so
 * it has no UTF-8 form to hash (Buffer.from writes U+FFFD in its place), PostgreSQL's jsonb
 * refuses it (a 500), and a policy's input refuses it (an evaluation error). With the u flag the
 * class matches only an unpaired surrogate; a pair is one code point.
 */
const LONE_SURROGATE = /[\uD800-\uDFFF]/u;

/**
 * What a value holds that the service cannot hash or store faithfully: nesting deeper than
 * MAX_BODY_DEPTH (a recursion overflow, a 500), a number JSON cannot write back (1e400 parses
 * to Infinity), U+0000 in a string or key (PostgreSQL's text and jsonb refuse it), or a lone
 * surrogate in a string or key (LONE_SURROGATE). Walked with an explicit stack, so the check
 * itself cannot overflow.
 */
export function unstorableValue(root: unknown): string | undefined {
  const pending: { value: unknown; pointer: string; depth: number }[] = [{ value: root, pointer: "", depth: 0 }];
  while (pending.length > 0) {
    const { value, pointer, depth } = pending.pop()!;
    if (typeof value === "number" && !Number.isFinite(value)) return `${pointer || "/"} is a number out of range (${value})`;
    if (typeof value === "string" && value.includes("\u0000")) return `${pointer || "/"} contains U+0000`;
    if (typeof value === "string" && LONE_SURROGATE.test(value)) return `${pointer || "/"} contains a lone UTF-16 surrogate (${surrogateOf(value)}), which is no character`;
    if (value === null || typeof value !== "object") continue;
    if (depth >= MAX_BODY_DEPTH) return `${pointer || "/"} is nested deeper than ${MAX_BODY_DEPTH} levels`;
    for (const [key, child] of Object.entries(value)) {
      if (key.includes("\u0000")) return `${pointer || "/"} has a key containing U+0000`;
      if (LONE_SURROGATE.test(key)) return `${pointer || "/"} has a key containing a lone UTF-16 surrogate (${surrogateOf(key)}), which is no character`;
      pending.push({ value: child, pointer: `${pointer}/${pointerSegment(key)}`, depth: depth + 1 });
    }
  }
  return undefined;
}

/** The first lone surrogate of `text`, as its escape (`\ud800`). */
function surrogateOf(text: string): string {
  return `\\u${LONE_SURROGATE.exec(text)![0].charCodeAt(0).toString(16)}`;
}
