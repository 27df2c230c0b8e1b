// units.parse_bytes and units.parse, written to topdown's semantics and checked against
// `opa eval` in test/builtins.test.ts. Both split the text into a number and a unit the way
// topdown does; parse_bytes multiplies in Go's big.Float at 64 bits of mantissa and truncates
// (so "1.1KB" is whatever that arithmetic gives, exactly), parse multiplies exactly (big.Rat)
// and answers an integer, or a decimal with ten places. Results go back as exact JSON text.

import { BuiltinError, OperandError, operandTypeError } from "./errors.js";
import { exactJson } from "./exact.js";

const BINARY: Record<string, bigint> = { "": 1n, ki: 1n << 10n, mi: 1n << 20n, gi: 1n << 30n, ti: 1n << 40n, pi: 1n << 50n, ei: 1n << 60n };
const DECIMAL: Record<string, bigint> = { k: 10n ** 3n, m: 10n ** 6n, g: 10n ** 9n, t: 10n ** 12n, p: 10n ** 15n, e: 10n ** 18n };
const MAX_EXPONENT_DIGITS = 6;
/** units.parse_bytes' units, lowercased: k and kb are 1000, ki and kib 1024, and so on. */
const BYTE_UNITS: Record<string, bigint> = { "": 1n };
for (const [unit, factor] of Object.entries(DECIMAL)) BYTE_UNITS[unit] = BYTE_UNITS[`${unit}b`] = factor;
for (const [unit, factor] of Object.entries(BINARY)) if (unit !== "") BYTE_UNITS[unit] = BYTE_UNITS[`${unit}b`] = factor;

function isDigit(c: string | undefined): boolean {
  return c !== undefined && c >= "0" && c <= "9";
}

/** topdown's extractNumAndUnit: the number is the leading run of digits, '.', signs and exponents. */
function splitNumberAndUnit(s: string, tooLarge: () => never): { num: string; unit: string } {
  for (let i = 0; i < s.length; i++) {
    const c = s[i]!;
    if (!(isDigit(c) || c === ".") && c !== "e" && c !== "E" && c !== "+" && c !== "-") {
      return i === 0 ? { num: "", unit: s } : { num: s.slice(0, i), unit: s.slice(i) };
    }
    if (c === "e" || c === "E") {
      const next = s[i + 1];
      if (i === s.length - 1 || (!isDigit(next) && next !== "+" && next !== "-")) {
        return i === 0 ? { num: "", unit: s } : { num: s.slice(0, i), unit: s.slice(i) };
      }
      if (next === "+" || next === "-") i++;
      let end = i + 1;
      while (end < s.length && isDigit(s[end])) end++;
      if (end - (i + 1) > MAX_EXPONENT_DIGITS) tooLarge();
    }
  }
  return { num: s, unit: "" };
}

/** A decimal number as Go's big.Float/big.Rat SetString reads it (no base prefixes can occur here). */
interface Decimal {
  negative: boolean;
  /** value = digits * 10^exponent */
  digits: bigint;
  exponent: number;
}

function parseDecimal(text: string): Decimal | undefined {
  const m = /^([+-]?)(\d*)(?:\.(\d*))?(?:[eE]([+-]?\d+))?$/.exec(text);
  if (!m) return undefined;
  const [, sign, whole = "", fraction = "", exp] = m;
  if (whole === "" && fraction === "") return undefined;
  return { negative: sign === "-", digits: BigInt(whole + fraction || "0"), exponent: (exp === undefined ? 0 : Number(exp)) - fraction.length };
}

function bitLength(n: bigint): number {
  return n === 0n ? 0 : n.toString(2).length;
}

/** Rounds num/den (positive) to a 64-bit mantissa, half to even: value = mantissa * 2^exp. */
function toFloat64Mantissa(num: bigint, den: bigint): { mantissa: bigint; exp: number } {
  let exp = bitLength(num) - bitLength(den) - 64;
  for (;;) {
    const scaledNum = exp < 0 ? num << BigInt(-exp) : num;
    const scaledDen = exp > 0 ? den << BigInt(exp) : den;
    const q = scaledNum / scaledDen;
    if (q < 1n << 63n) {
      exp--;
      continue;
    }
    if (q >= 1n << 64n) {
      exp++;
      continue;
    }
    const r = scaledNum - q * scaledDen;
    let mantissa = q;
    if (2n * r > scaledDen || (2n * r === scaledDen && (q & 1n) === 1n)) mantissa++;
    if (mantissa === 1n << 64n) return { mantissa: 1n << 63n, exp: exp + 1 };
    return { mantissa, exp };
  }
}

/** Rounds an integer to 64 significant bits, half to even: value = mantissa * 2^exp. */
function roundTo64Bits(n: bigint): { mantissa: bigint; exp: number } {
  const extra = bitLength(n) - 64;
  if (extra <= 0) return { mantissa: n, exp: 0 };
  const shift = BigInt(extra);
  let mantissa = n >> shift;
  const rest = n - (mantissa << shift);
  const half = 1n << (shift - 1n);
  if (rest > half || (rest === half && (mantissa & 1n) === 1n)) mantissa++;
  if (mantissa === 1n << 64n) return { mantissa: 1n << 63n, exp: extra + 1 };
  return { mantissa, exp: extra };
}

/** topdown words these errors with the builtin's name, and its caller adds the name again. */
function bytesError(message: string): BuiltinError {
  return new BuiltinError(`units.parse_bytes: ${message}`);
}

function unitsError(message: string): BuiltinError {
  return new BuiltinError(`units.parse: ${message}`);
}

function parseBytes(value: unknown): ArrayBuffer {
  if (typeof value !== "string") throw new OperandError(operandTypeError(1, value, "string"));
  const s = value.toLowerCase().replaceAll('"', "");
  if (s.includes(" ")) throw bytesError("spaces not allowed in resource strings");
  const { num, unit } = splitNumberAndUnit(s, () => {
    throw bytesError("exponent too large");
  });
  if (num === "") throw bytesError("no byte amount provided");
  const multiplier = Object.hasOwn(BYTE_UNITS, unit) ? BYTE_UNITS[unit] : undefined;
  if (multiplier === undefined) throw bytesError(`byte unit ${unit} not recognized`);
  const decimal = parseDecimal(num);
  if (!decimal) throw bytesError("could not parse byte amount to a number");
  if (decimal.digits === 0n) return exactJson("0");
  // big.Float: the amount rounded to 64 bits, times the unit, rounded to 64 bits, truncated.
  const num10 = decimal.exponent >= 0 ? decimal.digits * 10n ** BigInt(decimal.exponent) : decimal.digits;
  const den10 = decimal.exponent >= 0 ? 1n : 10n ** BigInt(-decimal.exponent);
  const amount = toFloat64Mantissa(num10, den10);
  const product = roundTo64Bits(amount.mantissa * multiplier);
  const exp = amount.exp + product.exp;
  const magnitude = exp >= 0 ? product.mantissa << BigInt(exp) : product.mantissa >> BigInt(-exp);
  return exactJson(decimal.negative && magnitude !== 0n ? `-${magnitude}` : `${magnitude}`);
}

/** The exact rational value of a double (big.Rat.SetFloat64). */
function exactDouble(x: number): { num: bigint; den: bigint } {
  const view = new DataView(new ArrayBuffer(8));
  view.setFloat64(0, x);
  const bits = view.getBigUint64(0);
  const exponent = Number((bits >> 52n) & 0x7ffn);
  const fraction = bits & ((1n << 52n) - 1n);
  const mantissa = exponent === 0 ? fraction : fraction | (1n << 52n);
  const power = (exponent === 0 ? 1 : exponent) - 1075;
  return power >= 0 ? { num: mantissa << BigInt(power), den: 1n } : { num: mantissa, den: 1n << BigInt(-power) };
}

const SI_UNITS: Record<string, { num: bigint; den: bigint }> = {
  "": { num: 1n, den: 1n },
  m: exactDouble(0.001),
  k: { num: 1000n, den: 1n },
  K: { num: 1000n, den: 1n },
  M: { num: 10n ** 6n, den: 1n },
  g: { num: 10n ** 9n, den: 1n },
  G: { num: 10n ** 9n, den: 1n },
  t: { num: 10n ** 12n, den: 1n },
  T: { num: 10n ** 12n, den: 1n },
  p: { num: 10n ** 15n, den: 1n },
  P: { num: 10n ** 15n, den: 1n },
  e: { num: 10n ** 18n, den: 1n },
  E: { num: 10n ** 18n, den: 1n },
};
for (const [unit, factor] of Object.entries(BINARY)) {
  if (unit === "") continue;
  SI_UNITS[unit] = { num: factor, den: 1n };
  SI_UNITS[unit[0]!.toUpperCase() + unit.slice(1)] = { num: factor, den: 1n };
}

function parseUnits(value: unknown): ArrayBuffer {
  if (typeof value !== "string") throw new OperandError(operandTypeError(1, value, "string"));
  const s = value.replaceAll('"', "");
  if (s.includes(" ")) throw unitsError("spaces not allowed in resource strings");
  const split = splitNumberAndUnit(s, () => {
    throw unitsError("exponent too large");
  });
  if (split.num === "") throw unitsError("no amount provided");
  // Only the letters after the first are lowercased, so that m (milli) and M (mega) differ.
  const unit = split.unit.length > 1 ? split.unit[0]! + split.unit.slice(1).toLowerCase() : split.unit;
  const factor = Object.hasOwn(SI_UNITS, unit) ? SI_UNITS[unit]! : undefined;
  if (!factor) throw unitsError(`unit ${unit} not recognized`);
  const decimal = parseDecimal(split.num);
  if (!decimal) throw unitsError("could not parse amount to a number");
  let num = decimal.digits * factor.num * (decimal.exponent > 0 ? 10n ** BigInt(decimal.exponent) : 1n);
  const den = factor.den * (decimal.exponent < 0 ? 10n ** BigInt(-decimal.exponent) : 1n);
  if (decimal.negative) num = -num;
  if (num % den === 0n) return exactJson(`${num / den}`);
  // big.Rat.FloatString(10): ten decimals, the last rounded to nearest, halves away from zero.
  const negative = num < 0n;
  if (negative) num = -num;
  const scale = 10n ** 10n;
  const scaled = num * scale;
  let q = scaled / den;
  if (2n * (scaled - q * den) >= den) q++;
  const whole = q / scale;
  const frac = (q % scale).toString().padStart(10, "0");
  return exactJson(`${negative ? "-" : ""}${whole}.${frac}`);
}

export const UNIT_BUILTINS = {
  "units.parse_bytes": parseBytes,
  "units.parse": parseUnits,
} satisfies Record<string, (...args: never[]) => unknown>;
