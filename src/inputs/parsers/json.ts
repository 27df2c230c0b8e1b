// The JSON parser: the native JSON.parse plus a duplicate-key check (JSON.parse silently keeps the
// last of two equal keys; a gate must not guess which one the author meant). Exactly one JSON
// value, nothing after it. The gate's hot path for plain objects is src/inputs/json-scan.ts,
// which validates the bytes without building a value and agrees with this parser.

import { jsonSyntaxMessage } from "../json-syntax.js";
import { InputParseError, type Parser } from "./types.js";

export const jsonParser: Parser = {
  parse(text) {
    const value = parseJson(text);
    assertNumbersHeldAlike(text);
    return { value, documents: [value] };
  },
};

/**
 * Refuses valid JSON text holding a number whose value a double does not keep (more digits than
 * a double holds: 9007199254740993, 0.10000000000000000001; or past its range: 1e400). Readers
 * disagree on such a number: conftest's JSON parser reads a float64 (9007199254740992), the
 * policy wasm reads a .json input's text exactly, and OPA's data loader keeps a --data file's
 * exactly where gatehouse holds a double; so `n < 9007199254740993` denied under conftest and
 * passed here. A number of 15 significant digits or fewer without an exponent is always kept.
 */
export function assertNumbersHeldAlike(text: string): void {
  const tokens = /"(?:[^"\\]|\\.)*"|-?[0-9][0-9.eE+-]*/g;
  for (let match = tokens.exec(text); match !== null; match = tokens.exec(text)) {
    const token = match[0];
    if (token.startsWith('"')) continue;
    if (!/[eE]/.test(token) && token.replace(/[-.]/g, "").replace(/^0+/, "").length <= 15) continue;
    const held = Number(token);
    if (Number.isFinite(held) && decimalValue(token) === decimalValue(String(held))) continue;
    throw new InputParseError(
      `invalid JSON: the number ${token.length > 40 ? `${token.slice(0, 40)}...` : token} is ${String(held)} as a double, not the value written (conftest reads a JSON input's numbers as float64s, OPA's loader a --data file's exactly): readers would judge different numbers; write fewer digits, or a string`,
    );
  }
}

/** A decimal literal's value in one canonical text (0.DIGITSeEXP, no leading or trailing zeros). */
function decimalValue(literal: string): string {
  const negative = literal.startsWith("-");
  const [mantissa = "", exponent = "0"] = literal.replace(/^[-+]/, "").split(/[eE]/);
  const [whole = "", fraction = ""] = mantissa.split(".");
  let digits = whole + fraction;
  let scale = BigInt(exponent) + BigInt(whole.length);
  const leading = digits.length - digits.replace(/^0+/, "").length;
  digits = digits.slice(leading).replace(/0+$/, "");
  scale -= BigInt(leading);
  if (digits === "") return "0";
  return `${negative ? "-" : ""}0.${digits}e${scale}`;
}

/** Parses JSON text, refusing duplicate keys. */
export function parseJson(text: string): unknown {
  let value: unknown;
  try {
    value = JSON.parse(text);
  } catch {
    // By line and column: V8's message quotes the text (json-syntax.ts)
    throw new InputParseError(jsonSyntaxMessage(text));
  }
  assertUniqueKeys(text, value);
  return value;
}

/** Refuses JSON text, already parsed to `value`, in which an object repeats a key. */
export function assertUniqueKeys(text: string, value: unknown): void {
  // JSON.parse keeps one property per distinct key, so the parsed value has as many keys as
  // the text has key tokens exactly when no object repeats a key. Counting is cheap; the
  // precise scan (which names the key) runs only when the counts differ.
  if (countJsonKeyTokens(text) !== countKeys(value)) assertNoDuplicateJsonKeys(text);
}

/** Number of object keys in already-validated JSON text. */
export function countJsonKeyTokens(text: string): number {
  // Whether the next string is a key, per open container (false for arrays).
  const keyed: boolean[] = [];
  let expectKey = false;
  let count = 0;
  const n = text.length;
  for (let i = 0; i < n; i++) {
    const c = text.charCodeAt(i);
    if (c === 0x22 /* " */) {
      // Jump to the closing quote: the next quote not preceded by an odd run of backslashes.
      let close = text.indexOf('"', i + 1);
      for (;;) {
        let slashes = 0;
        while (text.charCodeAt(close - 1 - slashes) === 0x5c) slashes++;
        if (slashes % 2 === 0 || close === -1) break;
        close = text.indexOf('"', close + 1);
      }
      i = close === -1 ? n : close;
      if (expectKey) {
        count++;
        expectKey = false;
      }
    } else if (c === 0x7b /* { */) {
      keyed.push(true);
      expectKey = true;
    } else if (c === 0x5b /* [ */) {
      keyed.push(false);
    } else if (c === 0x7d /* } */ || c === 0x5d /* ] */) {
      keyed.pop();
      expectKey = false;
    } else if (c === 0x2c /* , */) {
      expectKey = keyed[keyed.length - 1] === true;
    }
  }
  return count;
}

/** Number of own keys of every object in a parsed JSON value (iterative: any depth). */
export function countKeys(value: unknown): number {
  let count = 0;
  const pending: unknown[] = [value];
  while (pending.length > 0) {
    const item = pending.pop();
    if (typeof item !== "object" || item === null) continue;
    if (Array.isArray(item)) {
      for (const element of item) if (typeof element === "object" && element !== null) pending.push(element);
      continue;
    }
    for (const key in item) {
      count++;
      const child = (item as Record<string, unknown>)[key];
      if (typeof child === "object" && child !== null) pending.push(child);
    }
  }
  return count;
}

/**
 * Scans already-validated JSON text for an object that repeats a key. Runs in one pass over the
 * text; keys with escapes are decoded so `"a"` and `"\u0061"` count as the same key.
 */
export function assertNoDuplicateJsonKeys(text: string): void {
  // One key set per open container; `null` marks an array.
  const stack: (Set<string> | null)[] = [];
  let expectKey = false;
  const n = text.length;
  for (let i = 0; i < n; i++) {
    const c = text.charCodeAt(i);
    if (c === 0x22 /* " */) {
      const start = i;
      let escaped = false;
      for (i++; i < n; i++) {
        const d = text.charCodeAt(i);
        if (d === 0x5c /* \ */) {
          escaped = true;
          i++;
        } else if (d === 0x22) break;
      }
      const top = stack[stack.length - 1];
      if (expectKey && top) {
        const raw = text.slice(start, i + 1);
        const key = escaped ? (JSON.parse(raw) as string) : raw.slice(1, -1);
        if (top.has(key)) throw new InputParseError(`duplicate key ${JSON.stringify(key)}`);
        top.add(key);
        expectKey = false;
      }
    } else if (c === 0x7b /* { */) {
      stack.push(new Set());
      expectKey = true;
    } else if (c === 0x5b /* [ */) {
      stack.push(null);
    } else if (c === 0x7d /* } */ || c === 0x5d /* ] */) {
      stack.pop();
      expectKey = false;
    } else if (c === 0x2c /* , */) {
      expectKey = stack[stack.length - 1] != null;
    }
  }
}
