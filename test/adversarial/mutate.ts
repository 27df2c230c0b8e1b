// Seeded mutation of JSON documents and of their bytes, for the adversarial suite (issue 14).
// Every mutant is reproducible from (seed, index): a failure names both, and `mutantAt` rebuilds
// the exact mutant. Operators are the ones an attacker or a careless editor reaches for: values of
// the wrong type, blanks and invisible characters, look-alike letters, huge and negative numbers,
// paths that escape, keys added and removed, and at the byte level truncation, duplicate keys,
// byte-order marks, NUL and invalid UTF-8.

export type Json = null | boolean | number | string | Json[] | { [key: string]: Json };
type Path = (string | number)[];

/** mulberry32: small, fast, good enough to spread mutations; never used for anything secret. */
export function prng(seed: number): () => number {
  let state = seed >>> 0;
  return () => {
    state = (state + 0x6d2b79f5) >>> 0;
    let t = state;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

const pick = <T>(random: () => number, items: readonly T[]): T => items[Math.floor(random() * items.length)]!;

/** Every path in the document, the root included. */
export function paths(value: Json, prefix: Path = [], out: Path[] = []): Path[] {
  out.push(prefix);
  if (Array.isArray(value)) value.forEach((item, index) => paths(item, [...prefix, index], out));
  else if (value !== null && typeof value === "object") for (const key of Object.keys(value)) paths(value[key]!, [...prefix, key], out);
  return out;
}

function getAt(value: Json, path: Path): Json {
  let node: Json = value;
  for (const step of path) node = (node as Record<string | number, Json>)[step]!;
  return node;
}

/** A copy of `root` with the value at `path` replaced (`undefined` removes it). */
function setAt(root: Json, path: Path, replacement: Json | undefined): Json {
  if (path.length === 0) return replacement === undefined ? null : replacement;
  const copy = structuredClone(root);
  const parent = getAt(copy, path.slice(0, -1)) as Record<string | number, Json> | Json[];
  const last = path[path.length - 1]!;
  if (Array.isArray(parent)) {
    if (replacement === undefined) parent.splice(last as number, 1);
    else parent[last as number] = replacement;
  } else if (replacement === undefined) delete parent[last as string];
  else parent[last as string] = replacement;
  return copy;
}

// Look-alikes: Cyrillic letters that render as Latin ones, and invisible characters.
const CONFUSABLE: Record<string, string> = { a: "\u0430", e: "\u0435", o: "\u043e", p: "\u0440", c: "\u0441", x: "\u0445", i: "\u0456", s: "\u0455" };
const INVISIBLE = ["\u200b", "\u200d", "\ufeff", "\u00ad", "\u2060", "\u202e"];

function confusable(text: string, random: () => number): string {
  const positions = [...text].map((ch, i) => (CONFUSABLE[ch] ? i : -1)).filter((i) => i >= 0);
  if (positions.length === 0) return `${text}${pick(random, INVISIBLE)}`;
  const chars = [...text];
  const at = pick(random, positions);
  chars[at] = CONFUSABLE[chars[at]!]!;
  return chars.join("");
}

export interface ValueMutation {
  operator: string;
  path: string;
  document: Json;
}

/** The structural operators, each turning the value at a path into something else. */
const VALUE_OPERATORS: Record<string, (value: Json, random: () => number) => Json | undefined> = {
  remove: () => undefined,
  null: () => null,
  "empty-string": () => "",
  "blank-string": () => "   ",
  "zero-width": () => "\u200b",
  "invisible-suffix": (value, random) => (typeof value === "string" ? `${value}${pick(random, INVISIBLE)}` : "\u00ad"),
  "look-alike": (value, random) => (typeof value === "string" ? confusable(value, random) : confusable("alice", random)),
  "upper-case": (value) => (typeof value === "string" ? value.toUpperCase() : value),
  "padded": (value) => (typeof value === "string" ? ` ${value} ` : value),
  "long-string": () => "x".repeat(70_000),
  "path-escape": (_, random) => pick(random, ["../../etc/passwd", "/etc/shadow", "outputs/../../secret", "C:\\Windows\\win.ini", "outputs/./../x"]),
  "to-number": (value) => (typeof value === "string" ? Number.parseFloat(value) || 0 : 1),
  "to-string": (value) => JSON.stringify(value),
  "to-boolean": (value) => !value,
  "to-array": (value) => [value],
  "to-object": (value) => ({ value }),
  "negative": (value) => (typeof value === "number" ? -Math.abs(value) - 1 : -1),
  "huge": () => 1e308,
  "fraction": (value) => (typeof value === "number" ? value + 0.5 : 0.5),
  "unsafe-integer": () => 9007199254740993,
  "add-key": (value) => (value !== null && typeof value === "object" && !Array.isArray(value) ? { ...value, injected: "gatehouse-mutant" } : value),
  "add-proto-key": (value) => (value !== null && typeof value === "object" && !Array.isArray(value) ? { ...value, ["__proto__"]: { admin: true } } : value),
  "clear": (value) => (Array.isArray(value) ? [] : value !== null && typeof value === "object" ? {} : ""),
  "duplicate-item": (value) => (Array.isArray(value) && value.length > 0 ? [...value, structuredClone(value[0]!)] : value),
  "drop-first-item": (value) => (Array.isArray(value) ? value.slice(1) : value),
  "reverse": (value) => (Array.isArray(value) ? [...value].reverse() : typeof value === "string" ? [...value].reverse().join("") : value),
  "hex-flip": (value) => (typeof value === "string" && /^[0-9a-f]{8,}$/.test(value) ? (value[0] === "0" ? "1" : "0") + value.slice(1) : value),
  "far-future-date": (value) => (typeof value === "string" && /^\d{4}-\d\d-\d\d/.test(value) ? `2999${value.slice(4)}` : "2999-01-01T00:00:00Z"),
  "bad-date": (value) => (typeof value === "string" && /^\d{4}-\d\d-\d\d/.test(value) ? value.replace(/^(\d{4})-(\d\d)/, "$1-13") : "not a date"),
};
export const VALUE_OPERATOR_NAMES = Object.keys(VALUE_OPERATORS);

/** One structural mutant of `document`, chosen by `random`. */
export function mutateValue(document: Json, random: () => number): ValueMutation {
  const all = paths(document);
  const path = pick(random, all);
  const operator = pick(random, VALUE_OPERATOR_NAMES);
  const replacement = VALUE_OPERATORS[operator]!(getAt(document, path), random);
  return { operator, path: `/${path.join("/")}`, document: setAt(document, path, replacement) };
}

export interface ByteMutation {
  operator: string;
  bytes: Buffer;
}

/** Operators on a document's serialised bytes: what a parser must refuse or read as written. */
const BYTE_OPERATORS: Record<string, (text: string, random: () => number) => Buffer> = {
  truncate: (text, random) => Buffer.from(text.slice(0, Math.max(1, Math.floor(random() * (text.length - 1))))),
  "duplicate-first-key": (text) => {
    // `{"k": v, ...}` -> `{"k": "shadow", "k": v, ...}`: two values for one key.
    const match = /^\s*\{\s*("(?:[^"\\]|\\.)*")\s*:/.exec(text);
    return Buffer.from(match ? text.replace(/^\s*\{/, `{${match[1]}: "shadow", `) : `{"a": 1, "a": 2}`);
  },
  bom: (text) => Buffer.concat([Buffer.from([0xef, 0xbb, 0xbf]), Buffer.from(text)]),
  "utf16le": (text) => Buffer.concat([Buffer.from([0xff, 0xfe]), Buffer.from(text, "utf16le")]),
  nul: (text, random) => {
    const at = Math.floor(random() * text.length);
    return Buffer.concat([Buffer.from(text.slice(0, at)), Buffer.from([0]), Buffer.from(text.slice(at))]);
  },
  "invalid-utf8": (text, random) => {
    const bytes = Buffer.from(text);
    bytes[Math.floor(random() * bytes.length)] = 0xff;
    return bytes;
  },
  "bare-scalar": (_, random) => Buffer.from(pick(random, ['"just a string"', "42", "true", "null"])),
  "trailing-garbage": (text) => Buffer.from(`${text}\n}{`),
  "empty": () => Buffer.alloc(0),
  "deep-nesting": () => Buffer.from(`${"[".repeat(100_000)}${"]".repeat(100_000)}`),
};
export const BYTE_OPERATOR_NAMES = Object.keys(BYTE_OPERATORS);

export function mutateBytes(text: string, random: () => number): ByteMutation {
  const operator = pick(random, BYTE_OPERATOR_NAMES);
  return { operator, bytes: BYTE_OPERATORS[operator]!(text, random) };
}

/**
 * The strict reading a gate must agree with: valid UTF-8 without a byte-order mark, JSON, no
 * repeated key in any object. Written independently of src/inputs/ (the code under test).
 */
export function strictJson(bytes: Buffer): { ok: true; value: Json } | { ok: false; reason: string } {
  let text: string;
  try {
    text = new TextDecoder("utf-8", { fatal: true, ignoreBOM: true }).decode(bytes);
  } catch {
    return { ok: false, reason: "invalid UTF-8" };
  }
  if (text.startsWith("\ufeff")) return { ok: false, reason: "byte-order mark" };
  let value: Json;
  try {
    value = JSON.parse(text) as Json;
  } catch (error) {
    return { ok: false, reason: (error as Error).message };
  }
  if (hasRepeatedKey(text)) return { ok: false, reason: "repeated key" };
  return { ok: true, value };
}

/** A token walk over JSON text that reports an object holding one key twice. */
function hasRepeatedKey(text: string): boolean {
  const stack: (Set<string> | null)[] = [];
  let expectKey = false;
  for (let i = 0; i < text.length; i++) {
    const ch = text[i]!;
    if (ch === "{") {
      stack.push(new Set());
      expectKey = true;
    } else if (ch === "[") {
      stack.push(null);
      expectKey = false;
    } else if (ch === "}" || ch === "]") {
      stack.pop();
      expectKey = false;
    } else if (ch === ",") expectKey = stack[stack.length - 1] instanceof Set;
    else if (ch === '"') {
      let j = i + 1;
      while (text[j] !== '"') j += text[j] === "\\" ? 2 : 1;
      if (expectKey) {
        const key = JSON.parse(text.slice(i, j + 1)) as string;
        const keys = stack[stack.length - 1] as Set<string>;
        if (keys.has(key)) return true;
        keys.add(key);
        expectKey = false;
      }
      i = j;
    }
  }
  return false;
}
