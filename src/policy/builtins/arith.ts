// Arithmetic as OPA 1.22's topdown computes it (v1/topdown/arithmetic.go), on the numbers' exact text.
//
// Why: OPA's wasm runtime computes plus, minus, mul, div, rem, abs, round, ceil and floor in
// libmpdec decimals (18 significant digits for a quotient, exact otherwise), where topdown
// computes anything that is not an integer in Go's math/big.Float at 64 bits of mantissa and
// prints it with Text('g', -1). The values differ, not only their text: `1 / 3 * 3 == 1` is true
// under `opa eval` and conftest and was false here, `1 / 3 > 0.333333333333333333` the opposite,
// `2^62 * 2 / 2` came out 4.61168601842738790e+18 (not 2^62), `floor(x) == x` held for an
// integer past 2^64 that topdown rounds, and `99999999999999999999.5 + 0` is 1e20 in topdown: a
// rule deciding on such a value decided otherwise than conftest (a deny that conftest raises
// could pass).
//
// How: the runtime's calls of these natives are redirected to the host (native-guards.ts), which
// answers as topdown does: int32 operands by int64 arithmetic (its `small` path), integers
// exactly (its `exact` path: plus, minus, mul, rem), anything else by an emulation of
// big.Float (below: Go's SetString, correctly rounded Add/Sub/Mul/Quo at the operands'
// precision, and Text's shortest decimal). Operands that are not numbers go to the native (its
// errors and minus's set difference unchanged). test/adversarial/issue-14-twelfthpass-runtime
// compares with `opa eval`.

import { BuiltinError, OperandError } from "./errors.js";
import { exactJson } from "./exact.js";
import { RegoNumber } from "./values.js";

/** A finite big.Float: (-1)^neg * mant * 2^exp, at `prec` bits (mant 0n: a zero with a sign). */
interface BigFloat {
  neg: boolean;
  mant: bigint;
  exp: number;
  prec: number;
}

/** Past this decimal exponent the exact forms would grow without bound: refused (fail closed). */
const MAX_DECIMAL_EXPONENT = 100_000;

const HEX_DIGIT_BITS = [0, 1, 2, 2, 3, 3, 3, 3, 4, 4, 4, 4, 4, 4, 4, 4];

function bitLength(n: bigint): number {
  if (n === 0n) return 0;
  if (n < 0x20000000000000n) {
    // below 2^53 the double is exact: the bit length of its high and low 32-bit halves
    const x = Number(n);
    const high = Math.floor(x / 4294967296);
    return high > 0 ? 64 - Math.clz32(high) : 32 - Math.clz32(x);
  }
  const hex = n.toString(16);
  return (hex.length - 1) * 4 + HEX_DIGIT_BITS[parseInt(hex[0]!, 16)]!;
}

const POW5 = new Map<number, bigint>();

/** 5^n, cached for the exponents arithmetic meets (bounded). */
function pow5Exact(n: number): bigint {
  let p = POW5.get(n);
  if (p === undefined) {
    p = 5n ** BigInt(n);
    if (POW5.size < 4096) POW5.set(n, p);
  }
  return p;
}

/** n / d (both > 0) rounded to prec bits, ties to even (big.Float's ToNearestEven). */
function roundRational(neg: boolean, n: bigint, d: bigint, prec: number): BigFloat {
  let exp = bitLength(n) - bitLength(d) - prec;
  for (;;) {
    const [num, den] = exp >= 0 ? [n, d << BigInt(exp)] : [n << BigInt(-exp), d];
    let q = num / den;
    const bits = bitLength(q);
    if (bits > prec) {
      exp += bits - prec;
      continue;
    }
    if (bits < prec) {
      exp -= prec - bits;
      continue;
    }
    const r2 = (num - q * den) * 2n;
    if (r2 > den || (r2 === den && (q & 1n) === 1n)) q += 1n;
    if (bitLength(q) > prec) {
      q >>= 1n;
      exp += 1;
    }
    return { neg, mant: q, exp, prec };
  }
}

/** An exact dyadic value m * 2^e rounded to prec bits. */
function roundDyadic(neg: boolean, m: bigint, e: number, prec: number): BigFloat {
  if (m === 0n) return { neg, mant: 0n, exp: 0, prec };
  const bits = bitLength(m);
  if (bits <= prec) return { neg, mant: m, exp: e, prec };
  const r = roundRational(neg, m, 1n, prec);
  return { ...r, exp: r.exp + e };
}

/** big.Float's pow5 at precision prec (its caller passes z.prec + 64): exact up to 5^27, then rounded products. */
function pow5(n: number, prec: number): BigFloat {
  if (n <= 27) return { neg: false, mant: pow5Exact(n), exp: 0, prec };
  let z: BigFloat = { neg: false, mant: pow5Exact(27), exp: 0, prec };
  let f: BigFloat = { neg: false, mant: 5n, exp: 0, prec: prec + 64 };
  let rest = n - 27;
  while (rest > 0) {
    if (rest & 1) z = mul(z, f, z.prec);
    f = mul(f, f, f.prec);
    rest = Math.floor(rest / 2);
  }
  return z;
}

const DECIMAL = /^([+-]?)(\d*)(?:\.(\d*))?(?:[eE]([+-]?\d+))?$/;

/** big.Float.SetString at 64 bits (NumberToFloat): the mantissa's digits exact, 5^k applied with rounding. */
function parseFloat64(text: string): BigFloat {
  const m = DECIMAL.exec(text);
  if (!m || (m[2] === "" && (m[3] ?? "") === "")) throw new BuiltinError(`illegal number ${JSON.stringify(text)}`);
  const neg = m[1] === "-";
  const fraction = m[3] ?? "";
  const mantissa = BigInt(m[2]! + fraction || "0");
  const exponent = Number(m[4] ?? "0");
  const exp5 = exponent - fraction.length;
  if (!Number.isSafeInteger(exponent) || Math.abs(exp5) > MAX_DECIMAL_EXPONENT) throw new BuiltinError(`number ${JSON.stringify(text)} is out of range`);
  const prec = 64;
  if (mantissa === 0n) return { neg, mant: 0n, exp: 0, prec };
  if (exp5 === 0) return roundDyadic(neg, mantissa, 0, prec);
  const p = pow5(Math.abs(exp5), prec + 64);
  if (exp5 > 0) return roundDyadic(neg, mantissa * p.mant, p.exp + exp5, prec);
  // mantissa * 2^exp5 / (p.mant * 2^p.exp)
  const e = exp5 - p.exp;
  const r = roundRational(neg, mantissa, p.mant, prec);
  return { ...r, exp: r.exp + e };
}

function add(x: BigFloat, y: BigFloat, prec: number): BigFloat {
  if (x.mant === 0n && y.mant === 0n) return { neg: x.neg && y.neg, mant: 0n, exp: 0, prec };
  if (x.mant === 0n) return roundDyadic(y.neg, y.mant, y.exp, prec);
  if (y.mant === 0n) return roundDyadic(x.neg, x.mant, x.exp, prec);
  const e = Math.min(x.exp, y.exp);
  const a = (x.neg ? -x.mant : x.mant) << BigInt(x.exp - e);
  const b = (y.neg ? -y.mant : y.mant) << BigInt(y.exp - e);
  const s = a + b;
  if (s === 0n) return { neg: false, mant: 0n, exp: 0, prec };
  return roundDyadic(s < 0n, s < 0n ? -s : s, e, prec);
}

function negate(x: BigFloat): BigFloat {
  return { ...x, neg: !x.neg };
}

function mul(x: BigFloat, y: BigFloat, prec: number): BigFloat {
  const neg = x.neg !== y.neg;
  if (x.mant === 0n || y.mant === 0n) return { neg, mant: 0n, exp: 0, prec };
  return roundDyadic(neg, x.mant * y.mant, x.exp + y.exp, prec);
}

function quo(x: BigFloat, y: BigFloat, prec: number): BigFloat {
  const neg = x.neg !== y.neg;
  if (x.mant === 0n) return { neg, mant: 0n, exp: 0, prec };
  const r = roundRational(neg, x.mant, y.mant, prec);
  return { ...r, exp: r.exp + x.exp - y.exp };
}

/** big.Float.Int: the integer part, truncated toward zero. */
function truncate(x: BigFloat): bigint {
  if (x.mant === 0n) return 0n;
  const magnitude = x.exp >= 0 ? x.mant << BigInt(x.exp) : x.mant >> BigInt(-x.exp);
  return x.neg ? -magnitude : magnitude;
}

/** new(big.Float).SetInt(i): exact, at max(bit length, 64). */
function fromInt(i: bigint): BigFloat {
  const magnitude = i < 0n ? -i : i;
  return { neg: i < 0n, mant: magnitude, exp: 0, prec: Math.max(bitLength(magnitude), 64) };
}

function isInt(x: BigFloat): boolean {
  if (x.mant === 0n || x.exp >= 0) return true;
  return (x.mant & ((1n << BigInt(-x.exp)) - 1n)) === 0n;
}

/** big.Float.Cmp, exact. */
function compare(x: BigFloat, y: BigFloat): number {
  const e = Math.min(x.exp, y.exp);
  const a = (x.neg ? -x.mant : x.mant) << BigInt(x.exp - e);
  const b = (y.neg ? -y.mant : y.mant) << BigInt(y.exp - e);
  return a === b ? 0 : a < b ? -1 : 1;
}

/** The exact decimal of m * 2^e (m >= 0): digits without trailing zeros, and the point's place (0.digits * 10^exp). */
interface Decimal {
  mant: string;
  exp: number;
}

function decimalOf(m: bigint, e: number): Decimal {
  if (m === 0n) return { mant: "", exp: 0 };
  let digits: string;
  let pointShift: number;
  if (e >= 0) {
    digits = (m << BigInt(e)).toString();
    pointShift = 0;
  } else {
    digits = (m * pow5Exact(-e)).toString();
    pointShift = -e;
  }
  const exp = digits.length - pointShift;
  return { mant: digits.replace(/0+$/, ""), exp };
}

function at(d: Decimal, i: number): string {
  return i >= 0 && i < d.mant.length ? d.mant[i]! : "0";
}

function trim(d: Decimal): void {
  d.mant = d.mant.replace(/0+$/, "");
  if (d.mant === "") d.exp = 0;
}

function roundUp(d: Decimal, n: number): void {
  if (n < 0 || n >= d.mant.length) return;
  while (n > 0 && d.mant[n - 1]! >= "9") n--;
  if (n === 0) {
    d.mant = "1";
    d.exp++;
    return;
  }
  d.mant = d.mant.slice(0, n - 1) + String.fromCharCode(d.mant.charCodeAt(n - 1) + 1);
}

function roundDown(d: Decimal, n: number): void {
  if (n < 0 || n >= d.mant.length) return;
  d.mant = d.mant.slice(0, n);
  trim(d);
}

function roundDecimal(d: Decimal, n: number): void {
  if (n < 0 || n >= d.mant.length) return;
  const up = d.mant[n] === "5" && n + 1 === d.mant.length ? n > 0 && (d.mant.charCodeAt(n - 1) - 48) % 2 !== 0 : d.mant[n]! >= "5";
  if (up) roundUp(d, n);
  else roundDown(d, n);
}

/** math/big's roundShortest: the shortest decimal that reads back as x at x's precision. */
function roundShortest(d: Decimal, x: BigFloat): void {
  if (d.mant === "") return;
  let mant = x.mant;
  let exp = x.exp;
  const s = bitLength(mant) - (x.prec + 1);
  if (s < 0) mant <<= BigInt(-s);
  else if (s > 0) mant >>= BigInt(s);
  exp += s;
  const lower = decimalOf(mant - 1n, exp);
  const upper = decimalOf(mant + 1n, exp);
  const inclusive = (mant & 2n) === 0n;
  for (let i = 0; i < d.mant.length; i++) {
    const m = d.mant[i]!;
    const l = at(lower, i);
    const u = at(upper, i);
    const okdown = l !== m || (inclusive && i + 1 === lower.mant.length);
    const okup = m !== u && (inclusive || m.charCodeAt(0) + 1 < u.charCodeAt(0) || i + 1 < upper.mant.length);
    if (okdown && okup) return roundDecimal(d, i + 1);
    if (okdown) return roundDown(d, i + 1);
    if (okup) return roundUp(d, i + 1);
  }
}

function fmtE(prec: number, d: Decimal): string {
  let out = d.mant === "" ? "0" : d.mant[0]!;
  if (prec > 0) {
    out += ".";
    const m = Math.min(d.mant.length, prec + 1);
    out += d.mant.slice(1, m);
    for (let i = Math.max(m, 1); i <= prec; i++) out += "0";
  }
  const exp = d.mant === "" ? 0 : d.exp - 1;
  const magnitude = Math.abs(exp);
  return `${out}e${exp < 0 ? "-" : "+"}${magnitude < 10 ? "0" : ""}${magnitude}`;
}

function fmtF(prec: number, d: Decimal): string {
  let out: string;
  if (d.exp > 0) {
    const m = Math.min(d.mant.length, d.exp);
    out = d.mant.slice(0, m) + "0".repeat(d.exp - m);
  } else out = "0";
  if (prec > 0) {
    out += ".";
    for (let i = 0; i < prec; i++) out += at(d, d.exp + i);
  }
  return out;
}

/** big.Float.Text(format, -1). */
function text(x: BigFloat, format: "f" | "g"): string {
  const sign = x.neg ? "-" : "";
  const d = decimalOf(x.mant, x.exp);
  roundShortest(d, x);
  if (format === "f") return sign + fmtF(Math.max(d.mant.length - d.exp, 0), d);
  let prec = d.mant.length;
  const exp = d.exp - 1;
  if (exp < -4 || exp >= 6) return sign + fmtE(prec - 1, d);
  if (prec > d.exp) prec = d.mant.length;
  return sign + fmtF(Math.max(prec - d.exp, 0), d);
}

/** builtins.FloatToNumber. */
function floatToNumber(x: BigFloat): string {
  return text(x, isInt(x) ? "f" : "g");
}

const INTEGER = /^[+-]?\d+$/;
const INT32_MIN = -(2n ** 31n);
const INT32_MAX = 2n ** 31n - 1n;

/** ast.Number.Int64 within int32 (smallInt). */
function smallInt(n: string): bigint | undefined {
  if (!INTEGER.test(n)) return undefined;
  const i = BigInt(n);
  return i >= INT32_MIN && i <= INT32_MAX ? i : undefined;
}

/** builtins.NumberToInt: an integer literal, or a decimal or exponent form that is an integer (big.Rat). */
function numberToInt(n: string): bigint | undefined {
  if (INTEGER.test(n)) return BigInt(n);
  const m = DECIMAL.exec(n);
  if (!m || (m[2] === "" && (m[3] ?? "") === "")) return undefined;
  const fraction = m[3] ?? "";
  const exponent = Number(m[4] ?? "0");
  const exp10 = exponent - fraction.length;
  if (!Number.isSafeInteger(exponent) || Math.abs(exp10) > MAX_DECIMAL_EXPONENT) throw new BuiltinError(`number ${JSON.stringify(n)} is out of range`);
  let value = BigInt(m[2]! + fraction || "0");
  if (exp10 >= 0) value *= 10n ** BigInt(exp10);
  else {
    const divisor = 10n ** BigInt(-exp10);
    if (value % divisor !== 0n) return undefined;
    value /= divisor;
  }
  return m[1] === "-" ? -value : value;
}

/** A number operand's text, or undefined for an operand that is not a number (left to the native). */
function numberText(value: unknown): string | undefined {
  if (value instanceof RegoNumber) return value.text;
  if (typeof value === "number") return Number.isFinite(value) ? JSON.stringify(value) : undefined;
  return undefined;
}

function result(n: string): ArrayBuffer {
  return exactJson(n);
}

type Binary = "plus" | "minus" | "mul" | "div" | "rem";

/** topdown's arithOp.eval on two number texts: the result's text. */
function binaryText(op: Binary, a: string, b: string): string {
  const x = smallInt(a);
  const y = smallInt(b);
  if (x !== undefined && y !== undefined) {
    switch (op) {
      case "plus":
        return String(x + y);
      case "minus":
        return String(x - y);
      case "mul":
        return String(x * y);
      case "div":
        if (y === 0n) throw new BuiltinError("divide by zero");
        if (x !== 0n && x % y === 0n) return String(x / y);
        break;
      case "rem":
        if (y === 0n) throw new BuiltinError("modulo by zero");
        return String(x % y);
    }
  }
  if (op !== "div") {
    const i = numberToInt(a);
    const j = i === undefined ? undefined : numberToInt(b);
    if (i !== undefined && j !== undefined) {
      switch (op) {
        case "plus":
          return String(i + j);
        case "minus":
          return String(i - j);
        case "mul":
          return String(i * j);
        case "rem":
          if (j === 0n) throw new BuiltinError("modulo by zero");
          return String(i % j);
      }
    }
    if (op === "rem") throw new BuiltinError("modulo on floating-point number");
  }
  const f = parseFloat64(a);
  const g = parseFloat64(b);
  const prec = Math.max(f.prec, g.prec);
  switch (op) {
    case "plus":
      return floatToNumber(add(f, g, prec));
    case "minus":
      return floatToNumber(add(f, negate(g), prec));
    case "mul":
      return floatToNumber(mul(f, g, prec));
    default:
      // A zero divisor of any form (0.0, 0e5).
      if (g.mant === 0n) throw new BuiltinError("divide by zero");
      return floatToNumber(quo(f, g, prec));
  }
}

type Unary = "abs" | "round" | "ceil" | "floor";

const HALF: BigFloat = { neg: false, mant: 1n, exp: -1, prec: 53 };
const ONE: BigFloat = { neg: false, mant: 1n, exp: 0, prec: 53 };

/** topdown's arithUnary on a number text: the result's text. */
function unaryText(op: Unary, a: string): string {
  const x = smallInt(a);
  if (x !== undefined) return String(op === "abs" && x < 0n ? -x : x);
  const f = parseFloat64(a);
  switch (op) {
    case "abs":
      return floatToNumber({ ...f, neg: false });
    case "round": {
      const shifted = f.neg ? add(f, negate(HALF), Math.max(f.prec, HALF.prec)) : add(f, HALF, Math.max(f.prec, HALF.prec));
      return floatToNumber(fromInt(truncate(shifted)));
    }
    case "ceil": {
      const i = fromInt(truncate(f));
      if (i.neg || compare(f, i) === 0) return floatToNumber(i);
      return floatToNumber(add(i, ONE, Math.max(i.prec, ONE.prec)));
    }
    case "floor": {
      const i = fromInt(truncate(f));
      if (!i.neg || compare(f, i) === 0) return floatToNumber(i);
      return floatToNumber(add(i, negate(ONE), Math.max(i.prec, ONE.prec)));
    }
  }
}

/** A host answer for a binary native: topdown's result, or undefined (the native) for operands that are not both numbers. */
export function binaryArith(op: Binary) {
  return (a: unknown, b: unknown): ArrayBuffer | undefined => {
    const x = numberText(a);
    const y = numberText(b);
    // minus of two sets is the native's set difference; other operands err in the native.
    if (x === undefined || y === undefined) return undefined;
    return result(binaryText(op, x, y));
  };
}

/** A host answer for a unary native: topdown's result, or undefined (the native) for an operand that is not a number. */
export function unaryArith(op: Unary) {
  return (a: unknown): ArrayBuffer | undefined => {
    const x = numberText(a);
    return x === undefined ? undefined : result(unaryText(op, x));
  };
}

/**
 * topdown's sum and product of an array or set (aggregates.go): integers exactly; anything else
 * in big.Float, sum at 64 bits (its accumulator starts at precision 0), product at 53 (it starts
 * as big.NewFloat(1)), a set's members in sorted order (as the bridge reads them). Undefined (the
 * native, which errs) for an operand that is not a collection of numbers.
 */
export function aggregateArith(op: "sum" | "product") {
  return (collection: unknown): ArrayBuffer | undefined => {
    if (!Array.isArray(collection)) return undefined;
    const texts: string[] = [];
    for (const member of collection) {
      const t = numberText(member);
      if (t === undefined) return undefined;
      texts.push(t);
    }
    const ints: bigint[] = [];
    for (const t of texts) {
      const i = numberToInt(t);
      if (i === undefined) break;
      ints.push(i);
    }
    if (ints.length === texts.length) return result(String(ints.reduce((acc, i) => (op === "sum" ? acc + i : acc * i), op === "sum" ? 0n : 1n)));
    let acc: BigFloat = op === "sum" ? { neg: false, mant: 0n, exp: 0, prec: 64 } : { neg: false, mant: 1n, exp: 0, prec: 53 };
    for (const t of texts) {
      const x = parseFloat64(t);
      acc = op === "sum" ? add(acc, x, Math.max(acc.prec, x.prec)) : mul(acc, x, acc.prec);
    }
    return result(floatToNumber(acc));
  };
}

const FORMAT_RADIX: Record<string, number> = { "2": 2, "8": 8, "10": 10, "16": 16 };

/**
 * topdown's format_int (strings.go): the base exactly 2, 8, 10 or 16 (as its text), an integer
 * exactly, anything else truncated toward zero from big.Float at 64 bits. The runtime's native read
 * a fraction's digits wrongly (format_int(1e7 / 3, 2) was 833333 in binary) and refused a
 * fraction past 2^32 ("get uint failed"). Operands that are not numbers go to the native (its errors).
 */
export function formatInt(input: unknown, base: unknown): string | undefined {
  const n = numberText(input);
  const b = numberText(base);
  if (n === undefined || b === undefined) return undefined;
  const radix = FORMAT_RADIX[b];
  if (radix === undefined) throw new OperandError("operand 2 must be one of {2, 8, 10, 16}");
  const i = INTEGER.test(n) ? BigInt(n) : truncate(parseFloat64(n));
  return i.toString(radix);
}
