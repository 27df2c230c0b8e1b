// A one-pass check of JSON bytes for the common case of a policy input: one object, valid JSON,
// no object repeating a key. `check` on a .json file needs nothing more: the policy parses the
// bytes itself inside the wasm, so building the JavaScript value (JSON.parse) and counting its
// keys (parse.ts) would be work thrown away. Anything this scan is not sure of (another top-level
// value, a key with an escape, two keys of one object with the same hash, invalid JSON) answers
// false, and the caller takes the full path (parseDocument), which produces the exact error
// messages; so the scan can only make a valid input cheaper, never change what any input is found
// to be. Checked against JSON.parse on generated and mutated documents in test/parse.test.ts.

const QUOTE = 0x22;
const BACKSLASH = 0x5c;
const OPEN_OBJECT = 0x7b;
const CLOSE_OBJECT = 0x7d;
const OPEN_ARRAY = 0x5b;
const CLOSE_ARRAY = 0x5d;
const COMMA = 0x2c;
const COLON = 0x3a;
const MINUS = 0x2d;
const FNV_OFFSET = 0x811c9dc5 | 0; // as an int32, like every hash Math.imul returns (keyHashes holds int32s)
const FNV_PRIME = 0x01000193;

// What may come next.
const VALUE = 0; // a value
const VALUE_OR_CLOSE = 1; // a value or "]", just after "["
const KEY = 2; // a key, after ","
const KEY_OR_CLOSE = 3; // a key or "}", just after "{"
const AFTER_KEY = 4; // ":"
const AFTER_VALUE = 5; // "," or the close of the container

/** Bytes that may follow a backslash in a JSON string, besides "u". */
const SIMPLE_ESCAPES = new Uint8Array(256);
for (const c of [QUOTE, BACKSLASH, 0x2f, 0x62, 0x66, 0x6e, 0x72, 0x74]) SIMPLE_ESCAPES[c] = 1;
const HEX = new Uint8Array(256);
for (const c of "0123456789abcdefABCDEF") HEX[c.charCodeAt(0)] = 1;

/**
 * Keys an object may have before the scan keeps a Set of their hashes: up to this many, a new
 * key is compared with the earlier ones in a row (no allocation: a Set per object was a quarter
 * of everything `check` allocated per input); past it, lookups stay O(1), so an object with a
 * million keys is not a quadratic scan.
 */
const KEYS_COMPARED_IN_A_ROW = 16;

// Reused from call to call (the scan is synchronous and never re-entered).
/** Per open container, outermost first: where its key hashes start in `keyHashes`; -1 for an array. */
const openContainers: number[] = [];
/** Per open container (by depth): its keys' hashes as a Set, once it has more than the limit. */
const keySets: (Set<number> | undefined)[] = [];
/** The key hashes of the open objects, innermost object's last; `keyCount` of them in use. */
let keyHashes = new Int32Array(256);
let keyCount = 0;

/**
 * True when `bytes` (already known to be valid UTF-8) is exactly one JSON object, optionally
 * surrounded by JSON whitespace, in which no object repeats a key and no key has an escape.
 * False means "not shown": invalid, a duplicate, or just not the simple case.
 */
export function isPlainJsonObject(bytes: Uint8Array): boolean {
  const n = bytes.length;
  let i = 0;
  while (i < n && isSpace(bytes[i]!)) i++;
  if (i >= n || bytes[i] !== OPEN_OBJECT) return false;
  // UTF-8 is one-to-one, so equal keys have equal bytes and equal hashes.
  const stack = openContainers;
  stack.length = 0;
  keySets.length = 0;
  keyCount = 0;
  if (keyHashes.length > 4096) keyHashes = new Int32Array(256); // not kept large after a big input
  let state = VALUE;
  while (i < n) {
    const c = bytes[i]!;
    if (c === 0x20 || c === 0x0a || c === 0x0d || c === 0x09) {
      i++;
      continue;
    }
    if (c === QUOTE) {
      if (state !== VALUE && state !== VALUE_OR_CLOSE && state !== KEY && state !== KEY_OR_CLOSE) return false;
      const isKey = state === KEY || state === KEY_OR_CLOSE;
      let hash = FNV_OFFSET;
      let j = i + 1;
      for (;;) {
        if (j >= n) return false;
        const d = bytes[j]!;
        if (d === QUOTE) break;
        if (d < 0x20) return false;
        if (d === BACKSLASH) {
          // A key with an escape could equal another spelled differently: the full path decides.
          if (isKey) return false;
          const e = bytes[j + 1] ?? 0;
          if (e === 0x75 /* u */) {
            if (j + 5 >= n || !HEX[bytes[j + 2]!] || !HEX[bytes[j + 3]!] || !HEX[bytes[j + 4]!] || !HEX[bytes[j + 5]!]) return false;
            j += 6;
          } else if (SIMPLE_ESCAPES[e]) {
            j += 2;
          } else {
            return false;
          }
          continue;
        }
        if (isKey) hash = Math.imul(hash ^ d, FNV_PRIME);
        j++;
      }
      i = j + 1;
      if (isKey) {
        if (!addKey(stack.length - 1, stack[stack.length - 1]!, hash)) return false;
        state = AFTER_KEY;
      } else {
        state = AFTER_VALUE;
      }
      continue;
    }
    switch (state) {
      case AFTER_KEY:
        if (c !== COLON) return false;
        i++;
        state = VALUE;
        continue;
      case AFTER_VALUE: {
        if (stack.length === 0) return false; // content after the top-level value
        const top = stack[stack.length - 1]!;
        if (c === COMMA) state = top < 0 ? VALUE : KEY;
        else if (c === CLOSE_OBJECT && top >= 0) closeObject();
        else if (c === CLOSE_ARRAY && top < 0) stack.pop();
        else return false;
        i++;
        continue;
      }
      case KEY:
        return false; // not a quote
      case KEY_OR_CLOSE:
        if (c !== CLOSE_OBJECT) return false;
        closeObject();
        i++;
        state = AFTER_VALUE;
        continue;
    }
    // VALUE or VALUE_OR_CLOSE, and not a string.
    if (c === OPEN_OBJECT) {
      stack.push(keyCount);
      state = KEY_OR_CLOSE;
      i++;
    } else if (c === OPEN_ARRAY) {
      stack.push(-1);
      state = VALUE_OR_CLOSE;
      i++;
    } else if (c === CLOSE_ARRAY && state === VALUE_OR_CLOSE) {
      stack.pop();
      state = AFTER_VALUE;
      i++;
    } else {
      const end = c === MINUS || (c >= 0x30 && c <= 0x39) ? skipNumber(bytes, i) : skipLiteral(bytes, i, c);
      if (end < 0) return false;
      i = end;
      state = AFTER_VALUE;
    }
  }
  return state === AFTER_VALUE && stack.length === 0;
}

/**
 * Records a key hash of the innermost open object (at `depth`, its hashes from `start`); false if
 * the object already has a key with that hash.
 */
function addKey(depth: number, start: number, hash: number): boolean {
  const set = keySets[depth];
  if (set !== undefined) {
    if (set.has(hash)) return false;
    set.add(hash);
    return true;
  }
  for (let k = start; k < keyCount; k++) if (keyHashes[k] === hash) return false;
  if (keyCount - start >= KEYS_COMPARED_IN_A_ROW) {
    const many = new Set(keyHashes.subarray(start, keyCount));
    many.add(hash);
    keySets[depth] = many;
    return true;
  }
  if (keyCount === keyHashes.length) {
    const grown = new Int32Array(keyHashes.length * 2);
    grown.set(keyHashes);
    keyHashes = grown;
  }
  keyHashes[keyCount++] = hash;
  return true;
}

/** Closes the innermost open object: its key hashes are forgotten. */
function closeObject(): void {
  const depth = openContainers.length - 1;
  keyCount = openContainers[depth]!;
  keySets[depth] = undefined;
  openContainers.pop();
}

function isSpace(c: number): boolean {
  return c === 0x20 || c === 0x0a || c === 0x0d || c === 0x09;
}

function isDigit(c: number | undefined): boolean {
  return c !== undefined && c >= 0x30 && c <= 0x39;
}

/**
 * -?(0|[1-9][0-9]*)(\.[0-9]+)? from `at`, of at most 15 digits: the index after it, or -1. A
 * longer number or one with an exponent is not shown here: whether a double keeps its value is
 * the full parse's question (json.ts, assertNumbersHeldAlike).
 */
function skipNumber(bytes: Uint8Array, at: number): number {
  let j = at;
  if (bytes[j] === MINUS) j++;
  const start = j;
  if (bytes[j] === 0x30) j++;
  else if (isDigit(bytes[j])) while (isDigit(bytes[j])) j++;
  else return -1;
  let digits = j - start;
  if (bytes[j] === 0x2e /* . */) {
    j++;
    if (!isDigit(bytes[j])) return -1;
    const fraction = j;
    while (isDigit(bytes[j])) j++;
    digits += j - fraction;
  }
  if (digits > 15 || bytes[j] === 0x65 || bytes[j] === 0x45 /* e E */) return -1;
  return j;
}

const LITERALS: Record<number, readonly number[]> = {
  0x74: [0x74, 0x72, 0x75, 0x65], // true
  0x66: [0x66, 0x61, 0x6c, 0x73, 0x65], // false
  0x6e: [0x6e, 0x75, 0x6c, 0x6c], // null
};

function skipLiteral(bytes: Uint8Array, at: number, first: number): number {
  const word = LITERALS[first];
  if (!word) return -1;
  for (let k = 0; k < word.length; k++) if (bytes[at + k] !== word[k]) return -1;
  return at + word.length;
}
