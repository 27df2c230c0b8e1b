// Rego values on the JavaScript side, where JSON alone loses what OPA keeps:
// - a number's text (OPA's ast.Number is its source text: 1e2 is a float and 100 an integer to
//   sprintf, and 2147483647 * 2147483647 is exact): builtins that declare `exactNumbers` receive
//   every number as a RegoNumber holding the runtime's text;
// - which arrays were sets: the host bridge reads a set as an array in OPA's sorted order and
//   marks it, so sprintf prints `{"a", "b"}` and results list set members as `opa eval` does.

/** A number as the runtime holds it: its text (for builtins that declare `exactNumbers`). */
export class RegoNumber {
  constructor(readonly text: string) {}
  /** The nearest double (Infinity past the double range). */
  get value(): number {
    return Number(this.text);
  }
  toJSON(): number {
    return this.value;
  }
}

/**
 * An object with a key that is not a string (`{1: "a"}`, `{[1]: true}`), read for a builtin that
 * only renders it (sprintf): its entries in OPA's key order (ast.Compare), each key as the value it
 * is. A plain JavaScript object would turn the key into its text, and sprintf would print
 * `{"1": "a"}` where topdown prints `{1: "a"}`.
 */
export class RegoObject {
  constructor(readonly entries: readonly (readonly [unknown, unknown])[]) {}
}

const SETS = new WeakSet<unknown[]>();

/** Marks an array as the JavaScript form of a Rego set. */
export function markSet<T extends unknown[]>(array: T): T {
  SETS.add(array);
  return array;
}

/** Whether the array was read from a Rego set. */
export function isSet(value: unknown): value is unknown[] {
  return Array.isArray(value) && SETS.has(value);
}

/** The number a builtin operand holds, whether a double or a RegoNumber. */
export function numberValue(value: unknown): number | undefined {
  if (typeof value === "number") return value;
  if (value instanceof RegoNumber) return value.value;
  return undefined;
}

// OPA's ast.Compare: null < boolean < number < string < array < object < set; strings by their
// UTF-8 bytes (code points), arrays and sets element by element then by length, objects by their
// sorted keys and then values.
function rank(value: unknown): number {
  if (value === null) return 0;
  switch (typeof value) {
    case "boolean":
      return 1;
    case "number":
      return 2;
    case "string":
      return 3;
    default:
      if (value instanceof RegoNumber) return 2;
      if (Array.isArray(value)) return SETS.has(value) ? 6 : 4;
      return 5;
  }
}

/** Code point order (Go's byte order of UTF-8): a surrogate half sorts after every BMP unit. */
export function compareStrings(a: string, b: string): number {
  if (a === b) return 0;
  const n = Math.min(a.length, b.length);
  for (let i = 0; i < n; i++) {
    const x = a.charCodeAt(i);
    const y = b.charCodeAt(i);
    if (x === y) continue;
    const xs = x >= 0xd800 && x <= 0xdfff;
    const ys = y >= 0xd800 && y <= 0xdfff;
    if (xs !== ys) return xs ? 1 : -1;
    return x < y ? -1 : 1;
  }
  return a.length < b.length ? -1 : a.length > b.length ? 1 : 0;
}

const INTEGER = /^-?\d+$/;

/** A decimal text as sign, significant digits (no leading or trailing zeros) and the exponent of its first digit. */
function decimalParts(text: string): { negative: boolean; digits: string; magnitude: number } | undefined {
  const match = DECIMAL.exec(text);
  if (!match) return undefined;
  const [, sign, whole, fraction = "", exponent = "0"] = match;
  const all = whole! + fraction;
  const leading = all.length - all.replace(/^0+/, "").length;
  const digits = all.slice(leading).replace(/0+$/, "");
  const shift = Number(exponent);
  if (!Number.isSafeInteger(shift)) return undefined;
  return { negative: sign === "-" && digits !== "", digits, magnitude: whole!.length - leading + shift };
}

/** Two number texts compared exactly, as topdown's ast.Compare does (big.Rat); undefined where one is not a decimal. */
function compareDecimalTexts(a: string, b: string): number | undefined {
  const x = decimalParts(a);
  const y = decimalParts(b);
  if (!x || !y) return undefined;
  const sign = (p: { negative: boolean; digits: string }): number => (p.digits === "" ? 0 : p.negative ? -1 : 1);
  const [sx, sy] = [sign(x), sign(y)];
  if (sx !== sy || sx === 0) return sx < sy ? -1 : sx > sy ? 1 : 0;
  let order = x.magnitude !== y.magnitude ? (x.magnitude < y.magnitude ? -1 : 1) : 0;
  if (order === 0) {
    const width = Math.max(x.digits.length, y.digits.length);
    const [dx, dy] = [x.digits.padEnd(width, "0"), y.digits.padEnd(width, "0")];
    order = dx < dy ? -1 : dx > dy ? 1 : 0;
  }
  return sx < 0 ? -order : order;
}

const DECIMAL = /^(-?)(\d+)(?:\.(\d*))?(?:[eE]([+-]?\d+))?$/;

function compareNumbers(a: number | RegoNumber, b: number | RegoNumber): number {
  if (a instanceof RegoNumber && b instanceof RegoNumber) {
    if (INTEGER.test(a.text) && INTEGER.test(b.text)) {
      const x = BigInt(a.text);
      const y = BigInt(b.text);
      return x < y ? -1 : x > y ? 1 : 0;
    }
    const exact = compareDecimalTexts(a.text, b.text);
    if (exact !== undefined) return exact;
  }
  const x = numberValue(a)!;
  const y = numberValue(b)!;
  return x < y ? -1 : x > y ? 1 : 0;
}

/** An object's entries in OPA's key order (a RegoObject holds them so already). */
function sortedEntries(value: object): readonly (readonly [unknown, unknown])[] {
  if (value instanceof RegoObject) return value.entries;
  const record = value as Record<string, unknown>;
  return Object.keys(record)
    .sort(compareStrings)
    .map((k) => [k, record[k]] as const);
}

export function compareValues(a: unknown, b: unknown): number {
  const ra = rank(a);
  const rb = rank(b);
  if (ra !== rb) return ra < rb ? -1 : 1;
  switch (ra) {
    case 0:
      return 0;
    case 1:
      return a === b ? 0 : a ? 1 : -1;
    case 2:
      return compareNumbers(a as number | RegoNumber, b as number | RegoNumber);
    case 3:
      return compareStrings(a as string, b as string);
    case 4:
    case 6: {
      const x = a as unknown[];
      const y = b as unknown[];
      const n = Math.min(x.length, y.length);
      for (let i = 0; i < n; i++) {
        const c = compareValues(x[i], y[i]);
        if (c !== 0) return c;
      }
      return x.length < y.length ? -1 : x.length > y.length ? 1 : 0;
    }
    default: {
      const x = sortedEntries(a as object);
      const y = sortedEntries(b as object);
      const n = Math.min(x.length, y.length);
      for (let i = 0; i < n; i++) {
        const c = compareValues(x[i]![0], y[i]![0]) || compareValues(x[i]![1], y[i]![1]);
        if (c !== 0) return c;
      }
      return x.length < y.length ? -1 : x.length > y.length ? 1 : 0;
    }
  }
}

/** Whether a builtin's result holds a set (marked by markSet) or a number's exact text, which JSON text of the value would lose. */
export function holdsSet(value: unknown): boolean {
  if (value instanceof RegoNumber) return true;
  if (Array.isArray(value)) return SETS.has(value) || value.some(holdsSet);
  if (value !== null && typeof value === "object") return Object.values(value).some(holdsSet);
  return false;
}

/** A value as Rego literal text (sets as `{a, b}`, `set()` when empty), for opa_value_parse. */
export function regoText(value: unknown): string {
  if (value instanceof RegoNumber) return value.text;
  if (Array.isArray(value)) {
    if (SETS.has(value)) return value.length === 0 ? "set()" : `{${value.map(regoText).join(", ")}}`;
    return `[${value.map(regoText).join(", ")}]`;
  }
  if (value !== null && typeof value === "object") {
    return `{${Object.entries(value).map(([k, v]) => `${JSON.stringify(k)}: ${regoText(v)}`).join(", ")}}`;
  }
  const text = JSON.stringify(value) as string | undefined;
  if (text === undefined) throw new Error(`a builtin returned a value Rego cannot hold (${typeof value})`);
  return text;
}
