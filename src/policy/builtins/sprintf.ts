// Go-compatible `sprintf` for OPA policies. OPA's sprintf hands Go's fmt.Sprintf three kinds of
// operand: integers (int64, or *big.Int beyond it), float64 (numbers with a fraction or
// exponent) and strings; every other value (booleans, null, arrays, objects, sets) is passed as
// its Rego text, a string. This module reproduces fmt's verb, flag, width, precision, argument
// index and error (%!v(MISSING), %!(EXTRA ...), %!d(string=x)) handling for those three kinds.
//
// Numbers arrive as their runtime text (RegoNumber, runtime.ts reads sprintf's arguments with
// readExact), so 1e2 is a float, 100 an integer and 2147483647 * 2147483647 exact; sets arrive
// sorted and marked (values.ts) and print as OPA prints them. Only when the arguments come as
// JSON (the SDK's own host calls, or the bridge's dump fallback) are numbers doubles, and then a
// float written without a fraction (1.0) is taken as an integer and integers beyond 2^53 print as
// the nearest double's JSON text. Valid Go formats this module does not
// reproduce (%b/%x of a float, %#v of a float, # with a float verb) throw, so the evaluation
// fails closed instead of printing the wrong text.

import { isSet, RegoNumber, RegoObject } from "./values.js";

type GoValue = { kind: "int"; value: bigint } | { kind: "float"; value: number } | { kind: "string"; value: string };

interface Fmt {
  minus: boolean;
  plus: boolean;
  sharp: boolean;
  space: boolean;
  zero: boolean;
  plusV: boolean;
  sharpV: boolean;
  wid: number;
  widPresent: boolean;
  prec: number;
  precPresent: boolean;
}

const INT64_MIN = -(2n ** 63n);
const INT64_MAX = 2n ** 63n - 1n;
const TOO_LARGE = 1_000_000; // fmt's tooLarge: widths and precisions beyond this are refused

function clearFlags(): Fmt {
  return { minus: false, plus: false, sharp: false, space: false, zero: false, plusV: false, sharpV: false, wid: 0, widPresent: false, prec: 0, precPresent: false };
}

/** The Go value OPA passes to fmt for one element of sprintf's argument array. */
export function toGoValue(value: unknown): GoValue {
  if (value instanceof RegoNumber) return exactGoValue(value.text);
  if (typeof value === "number") {
    // OPA decides by the number's text: a fraction or exponent makes a float. The text is gone;
    // JavaScript's JSON text for the decoded double stands in for it.
    const text = numberText(value);
    return /[.eE]/.test(text) ? { kind: "float", value } : { kind: "int", value: BigInt(text) };
  }
  if (typeof value === "string") return { kind: "string", value };
  return { kind: "string", value: regoString(value) };
}

/**
 * topdown's builtinSprintf, from the number's text: a fraction or exponent makes a float64 (the
 * text itself when it overflows a double), else an int64, else a *big.Int.
 */
function exactGoValue(text: string): GoValue {
  if (/[.eE]/.test(text)) {
    const value = Number(text);
    return Number.isFinite(value) ? { kind: "float", value } : { kind: "string", value: text };
  }
  if (/^[-+]?\d+$/.test(text)) return { kind: "int", value: BigInt(text) };
  return { kind: "string", value: text };
}

function typeName(v: GoValue): string {
  if (v.kind === "int") return v.value < INT64_MIN || v.value > INT64_MAX ? "*big.Int" : "int64";
  return v.kind === "float" ? "float64" : "string";
}

class Printer {
  out = "";
  f: Fmt = clearFlags();

  pad(s: string): void {
    if (!this.f.widPresent || this.f.wid === 0) {
      this.out += s;
      return;
    }
    const width = this.f.wid - [...s].length;
    if (width <= 0) this.out += s;
    else if (this.f.minus) this.out += s + " ".repeat(width);
    else this.out += (this.f.zero ? "0" : " ").repeat(width) + s;
  }

  writePadding(n: number): void {
    if (n > 0) this.out += (this.f.zero ? "0" : " ").repeat(n);
  }

  /** fmt's %!verb(type=value); the value is printed with %v under the same width and flags. */
  badVerb(verb: string, arg: GoValue): void {
    if (typeName(arg) === "*big.Int") {
      // big.Int formats itself and words the error its own way.
      this.out += `%!${verb}(big.Int=${arg.value})`;
      return;
    }
    this.out += `%!${verb}(${typeName(arg)}=`;
    this.printArg(arg, "v");
    this.out += ")";
  }

  printArg(arg: GoValue, verb: string): void {
    if (verb === "T") {
      this.fmtS(typeName(arg));
      return;
    }
    switch (arg.kind) {
      case "int":
        return this.printInt(arg, verb);
      case "float":
        return this.printFloat(arg, verb);
      case "string":
        return this.printString(arg, verb);
    }
  }

  printInt(arg: { kind: "int"; value: bigint }, verb: string): void {
    // A *big.Int formats itself: %s is decimal too, and c q U are bad verbs.
    const big = typeName(arg) === "*big.Int";
    if (big && verb === "s") verb = "d";
    if (big && "cqU".includes(verb)) return this.badVerb(verb, arg);
    if (big && "bdoOvxX".includes(verb)) return this.fmtBigInt(arg.value, verb);
    switch (verb) {
      case "v":
      case "d":
        return this.fmtInteger(arg.value, 10, verb, "0123456789abcdef");
      case "b":
        return this.fmtInteger(arg.value, 2, verb, "0123456789abcdef");
      case "o":
      case "O":
        return this.fmtInteger(arg.value, 8, verb, "0123456789abcdef");
      case "x":
        return this.fmtInteger(arg.value, 16, verb, "0123456789abcdef");
      case "X":
        return this.fmtInteger(arg.value, 16, verb, "0123456789ABCDEF");
      case "c":
        return this.pad(runeOf(arg.value));
      case "q":
        return this.pad(goQuote(runeOf(arg.value), this.f.plus, "'"));
      case "U":
        return this.fmtUnicode(arg.value);
      default:
        return this.badVerb(verb, arg);
    }
  }

  /** big.Int's Format: like fmtInteger, but # with %o always adds "0" and %O only "0o". */
  fmtBigInt(value: bigint, verb: string): void {
    const f = this.f;
    const base = verb === "b" ? 2 : verb === "o" || verb === "O" ? 8 : verb === "x" || verb === "X" ? 16 : 10;
    const sign = value < 0n ? "-" : f.plus || f.plusV ? "+" : f.space ? " " : "";
    let prefix = "";
    if (f.sharp || f.sharpV) prefix = { b: "0b", o: "0", x: "0x", X: "0X" }[verb] ?? "";
    if (verb === "O") prefix = "0o";
    let digits = (value < 0n ? -value : value).toString(base);
    if (verb === "X") digits = digits.toUpperCase();
    let zeros = 0;
    if (f.precPresent) {
      if (digits.length < f.prec) zeros = f.prec - digits.length;
      else if (digits === "0" && f.prec === 0) return;
    }
    const length = sign.length + prefix.length + zeros + digits.length;
    let left = 0;
    let right = 0;
    if (f.widPresent && length < f.wid) {
      const d = f.wid - length;
      if (f.minus) right = d;
      else if (f.zero && !f.precPresent) zeros = d;
      else left = d;
    }
    this.out += " ".repeat(left) + sign + prefix + "0".repeat(zeros) + digits + " ".repeat(right);
  }

  /** fmt.fmtUnicode: U+0041, with # also the character when printable. */
  fmtUnicode(value: bigint): void {
    const f = this.f;
    const hex = (value < 0n ? value + 2n ** 64n : value).toString(16).toUpperCase();
    let body = "U+" + hex.padStart(f.precPresent && f.prec > 4 ? f.prec : 4, "0");
    if (f.sharp && value >= 0n && value <= 0x10ffffn) {
      const ch = runeOf(value);
      if (PRINTABLE.test(ch)) body += ` '${ch}'`;
    }
    const oldZero = f.zero;
    f.zero = false;
    this.pad(body);
    f.zero = oldZero;
  }

  /** fmt.fmtInteger: precision is a minimum digit count; zero flag pads after the sign. */
  fmtInteger(value: bigint, base: number, verb: string, digits: string): void {
    const negative = value < 0n;
    let u = negative ? -value : value;
    const f = this.f;
    let prec = 0;
    if (f.precPresent) {
      prec = f.prec;
      if (prec === 0 && u === 0n) {
        const oldZero = f.zero;
        f.zero = false;
        this.writePadding(f.wid);
        f.zero = oldZero;
        return;
      }
    } else if (f.zero && !f.minus && f.widPresent) {
      prec = f.wid;
      if (negative || f.plus || f.space) prec--;
    }
    let body = "";
    const b = BigInt(base);
    do {
      body = digits[Number(u % b)]! + body;
      u /= b;
    } while (u > 0n);
    if (body.length < prec) body = "0".repeat(prec - body.length) + body;
    if (f.sharp) {
      if (base === 2) body = "0b" + body;
      else if (base === 8 && body[0] !== "0") body = "0" + body;
      else if (base === 16) body = (digits === "0123456789abcdef" ? "0x" : "0X") + body;
    }
    if (verb === "O") body = "0o" + body;
    if (negative) body = "-" + body;
    else if (f.plus) body = "+" + body;
    else if (f.space) body = " " + body;
    const oldZero = f.zero;
    f.zero = false;
    this.pad(body);
    f.zero = oldZero;
  }

  printFloat(arg: { kind: "float"; value: number }, verb: string): void {
    switch (verb) {
      case "v":
        return this.fmtFloat(arg.value, "g", -1);
      case "g":
      case "G":
        return this.fmtFloat(arg.value, verb, -1);
      case "f":
      case "F":
      case "e":
      case "E":
        return this.fmtFloat(arg.value, verb, 6);
      case "b":
      case "x":
      case "X":
        return this.fmtFloat(arg.value, verb, -1);
      default:
        return this.badVerb(verb, arg);
    }
  }

  /** fmt.fmtFloat over strconv's formatting: sign handling, then padding. */
  fmtFloat(value: number, verb: string, defaultPrec: number): void {
    const f = this.f;
    const prec = f.precPresent ? f.prec : defaultPrec;
    let num = formatFloat(Math.abs(value), verb, prec);
    num = (value < 0 || Object.is(value, -0) ? "-" : "+") + num;
    if (f.space && num[0] === "+" && !f.plus) num = " " + num.slice(1);
    if (f.sharp && verb !== "b") num = alternateFloat(num, verb, prec);
    if (f.plus || num[0] !== "+") {
      if (f.zero && !f.minus && f.widPresent && f.wid > num.length) {
        this.out += num[0];
        this.writePadding(f.wid - num.length);
        this.out += num.slice(1);
        return;
      }
      this.pad(num);
      return;
    }
    this.pad(num.slice(1));
  }

  printString(arg: { kind: "string"; value: string }, verb: string): void {
    switch (verb) {
      case "v":
        if (this.f.sharpV) return this.fmtQ(arg.value);
        return this.fmtS(arg.value);
      case "s":
        return this.fmtS(arg.value);
      case "x":
        return this.fmtSx(arg.value, "0123456789abcdef");
      case "X":
        return this.fmtSx(arg.value, "0123456789ABCDEF");
      case "q":
        return this.fmtQ(arg.value);
      default:
        return this.badVerb(verb, arg);
    }
  }

  truncate(s: string): string {
    if (!this.f.precPresent) return s;
    const runes = [...s];
    return runes.length > this.f.prec ? runes.slice(0, this.f.prec).join("") : s;
  }

  fmtS(s: string): void {
    this.pad(this.truncate(s));
  }

  /** fmt.fmtSbx: hex of the UTF-8 bytes; precision limits the bytes; space separates them. */
  fmtSx(s: string, digits: string): void {
    const f = this.f;
    let bytes = Buffer.from(s, "utf8");
    if (f.precPresent && f.prec < bytes.length) bytes = bytes.subarray(0, f.prec);
    const prefix = digits === "0123456789abcdef" ? "0x" : "0X";
    let body = "";
    bytes.forEach((byte, i) => {
      if (f.space && i > 0) body += " ";
      if (f.sharp && (f.space || i === 0)) body += prefix;
      body += digits[byte >> 4]! + digits[byte & 15]!;
    });
    if (bytes.length === 0) {
      this.writePadding(f.widPresent ? f.wid : 0);
      return;
    }
    const width = body.length;
    if (f.widPresent && f.wid > width && !f.minus) this.writePadding(f.wid - width);
    this.out += body;
    if (f.widPresent && f.wid > width && f.minus) this.writePadding(f.wid - width);
  }

  fmtQ(s: string): void {
    const t = this.truncate(s);
    if (this.f.sharp && canBackquote(t)) this.pad("`" + t + "`");
    else this.pad(goQuote(t, this.f.plus));
  }
}

/** Go's fmt.Sprintf(format, args...) with OPA's argument conversion. */
export function goSprintf(format: string, values: unknown[]): string {
  const args = values.map(toGoValue);
  const p = new Printer();
  const end = format.length;
  let argNum = 0;
  let reordered = false;
  let goodArgNum = true;

  // fmt.argNumber: an explicit [n] index before a width, precision or verb.
  const argNumber = (i: number): { i: number; found: boolean } => {
    if (i >= end || format[i] !== "[") return { i, found: false };
    reordered = true;
    const close = format.indexOf("]", i + 1);
    if (end - i < 3 || close < 0) {
      goodArgNum = false;
      return { i: i + 1, found: false };
    }
    const text = format.slice(i + 1, close);
    if (!/^\d+$/.test(text) || text.length > 7) {
      goodArgNum = false;
      return { i: close + 1, found: false };
    }
    const index = Number(text) - 1;
    if (index >= 0 && index < args.length) {
      argNum = index;
      return { i: close + 1, found: true };
    }
    goodArgNum = false;
    return { i: close + 1, found: true };
  };

  // fmt.intFromArg: a * width or precision taken from the arguments.
  const intFromArg = (): { num: number; ok: boolean } => {
    if (argNum >= args.length) return { num: 0, ok: false };
    const arg = args[argNum++]!;
    if (arg.kind !== "int" || arg.value < INT64_MIN || arg.value > INT64_MAX) return { num: 0, ok: false };
    const num = Number(arg.value);
    if (num > TOO_LARGE || num < -TOO_LARGE) return { num: 0, ok: false };
    return { num, ok: true };
  };

  const parseNum = (i: number): { num: number; isNum: boolean; i: number } => {
    let num = 0;
    let isNum = false;
    while (i < end && format[i]! >= "0" && format[i]! <= "9") {
      if (num > TOO_LARGE) return { num: 0, isNum: false, i: end };
      num = num * 10 + Number(format[i]);
      isNum = true;
      i++;
    }
    return { num, isNum, i };
  };

  let i = 0;
  while (i < end) {
    goodArgNum = true;
    const next = format.indexOf("%", i);
    if (next < 0) {
      p.out += format.slice(i);
      break;
    }
    p.out += format.slice(i, next);
    i = next + 1;
    p.f = clearFlags();
    const f = p.f;
    flags: for (; i < end; i++) {
      switch (format[i]) {
        case "#":
          f.sharp = true;
          break;
        case "0":
          f.zero = !f.minus;
          break;
        case "+":
          f.plus = true;
          break;
        case "-":
          f.minus = true;
          f.zero = false;
          break;
        case " ":
          f.space = true;
          break;
        default:
          break flags;
      }
    }

    let afterIndex: boolean;
    ({ i, found: afterIndex } = argNumber(i));

    if (i < end && format[i] === "*") {
      i++;
      const { num, ok } = intFromArg();
      f.wid = num;
      f.widPresent = ok;
      if (!ok) p.out += "%!(BADWIDTH)";
      if (f.wid < 0) {
        f.wid = -f.wid;
        f.minus = true;
        f.zero = false;
      }
      afterIndex = false;
    } else {
      const parsed = parseNum(i);
      f.wid = parsed.num;
      f.widPresent = parsed.isNum;
      i = parsed.i;
      if (afterIndex && f.widPresent) goodArgNum = false;
    }

    if (i + 1 < end && format[i] === ".") {
      i++;
      if (afterIndex) goodArgNum = false;
      ({ i, found: afterIndex } = argNumber(i));
      if (i < end && format[i] === "*") {
        i++;
        const { num, ok } = intFromArg();
        f.prec = num;
        f.precPresent = ok;
        if (f.prec < 0) {
          f.prec = 0;
          f.precPresent = false;
        }
        if (!f.precPresent) p.out += "%!(BADPREC)";
        afterIndex = false;
      } else {
        const parsed = parseNum(i);
        f.prec = parsed.num;
        f.precPresent = true;
        i = parsed.i;
      }
    }

    if (!afterIndex) ({ i, found: afterIndex } = argNumber(i));

    if (i >= end) {
      p.out += "%!(NOVERB)";
      break;
    }
    const verb = String.fromCodePoint(format.codePointAt(i)!);
    i += verb.length;

    if (verb === "%") {
      p.out += "%";
    } else if (!goodArgNum) {
      p.out += `%!${verb}(BADINDEX)`;
    } else if (argNum >= args.length) {
      p.out += `%!${verb}(MISSING)`;
    } else {
      if (verb === "v") {
        f.sharpV = f.sharp;
        f.sharp = false;
        f.plusV = f.plus;
        f.plus = false;
      }
      p.printArg(args[argNum]!, verb);
      argNum++;
    }
  }

  if (!reordered && argNum < args.length) {
    p.f = clearFlags();
    p.out += "%!(EXTRA ";
    args.slice(argNum).forEach((arg, index) => {
      if (index > 0) p.out += ", ";
      p.out += `${typeName(arg)}=`;
      p.printArg(arg, "v");
    });
    p.out += ")";
  }
  return p.out;
}

// --- strconv.FormatFloat ----------------------------------------------------------------------

/** A non-negative decimal d[0..] × 10^(dp - digits.length): digits without trailing zeros. */
interface Decimal {
  digits: string;
  dp: number;
}

/** The exact decimal value of a finite non-negative double. */
function exactDecimal(x: number): Decimal {
  if (x === 0) return { digits: "", dp: 0 };
  const view = new DataView(new ArrayBuffer(8));
  view.setFloat64(0, x);
  const bits = view.getBigUint64(0);
  const exponentBits = Number((bits >> 52n) & 0x7ffn);
  let mantissa = bits & ((1n << 52n) - 1n);
  let exponent: number;
  if (exponentBits === 0) exponent = -1074;
  else {
    mantissa |= 1n << 52n;
    exponent = exponentBits - 1075;
  }
  let digits: string;
  let dp: number;
  if (exponent >= 0) {
    digits = (mantissa << BigInt(exponent)).toString();
    dp = digits.length;
  } else {
    // m × 2^-k = m × 5^k / 10^k
    digits = (mantissa * 5n ** BigInt(-exponent)).toString();
    dp = digits.length + exponent;
  }
  return trim({ digits, dp });
}

function trim(d: Decimal): Decimal {
  const digits = d.digits.replace(/0+$/, "");
  const lead = digits.length - digits.replace(/^0+/, "").length;
  return digits.length === lead ? { digits: "", dp: 0 } : { digits: digits.slice(lead), dp: d.dp - lead };
}

/** strconv's decimal.Round to nd digits: half to even on the exact value. */
function roundDecimal(d: Decimal, nd: number): Decimal {
  if (nd < 0 || nd >= d.digits.length) return nd < 0 ? { digits: "", dp: 0 } : d;
  const next = d.digits[nd]!;
  let up: boolean;
  if (next === "5" && nd + 1 === d.digits.length) up = nd > 0 && Number(d.digits[nd - 1]) % 2 === 1;
  else up = next >= "5";
  if (!up) return trim({ digits: d.digits.slice(0, nd), dp: d.dp });
  let i = nd - 1;
  while (i >= 0 && d.digits[i] === "9") i--;
  if (i < 0) return { digits: "1", dp: d.dp + 1 };
  return trim({ digits: d.digits.slice(0, i) + String(Number(d.digits[i]) + 1), dp: d.dp });
}

/** The shortest decimal that reads back as x (JavaScript and Go agree on it). */
function shortestDecimal(x: number): Decimal {
  if (x === 0) return { digits: "", dp: 0 };
  const [mantissa, exponent] = x.toExponential().split("e") as [string, string];
  return trim({ digits: mantissa.replace(".", ""), dp: Number(exponent) + 1 });
}

function fmtE(d: Decimal, prec: number, e: string): string {
  let out = d.digits.length === 0 ? "0" : d.digits[0]!;
  if (prec > 0) {
    out += ".";
    const m = Math.min(d.digits.length, prec + 1);
    let i = 1;
    if (i < m) {
      out += d.digits.slice(i, m);
      i = m;
    }
    out += "0".repeat(Math.max(0, prec + 1 - i));
  }
  const exp = d.digits.length === 0 ? 0 : d.dp - 1;
  const abs = Math.abs(exp);
  return `${out}${e}${exp < 0 ? "-" : "+"}${abs < 10 ? "0" : ""}${abs}`;
}

function fmtF(d: Decimal, prec: number): string {
  let out = d.dp > 0 ? d.digits.slice(0, d.dp).padEnd(d.dp, "0") : "0";
  if (prec > 0) {
    out += ".";
    for (let i = 1; i <= prec; i++) {
      const j = d.dp + i - 1;
      out += j >= 0 && j < d.digits.length ? d.digits[j] : "0";
    }
  }
  return out;
}

/** strconv.FormatFloat(x, verb, prec, 64) for x >= 0 and verbs e E f F g G. */
export function formatFloat(x: number, verb: string, prec: number): string {
  if (verb === "b") return binaryExponentFloat(x);
  if (verb === "x" || verb === "X") return hexFloat(x, prec, verb);
  const shortest = prec < 0;
  let d: Decimal;
  if (shortest) {
    d = shortestDecimal(x);
    if (verb === "e" || verb === "E") prec = Math.max(d.digits.length - 1, 0);
    else if (verb === "f" || verb === "F") prec = Math.max(d.digits.length - d.dp, 0);
    else prec = d.digits.length;
  } else {
    const exact = exactDecimal(x);
    if (verb === "e" || verb === "E") d = roundDecimal(exact, prec + 1);
    else if (verb === "f" || verb === "F") d = roundDecimal(exact, exact.dp + prec);
    else {
      if (prec === 0) prec = 1;
      d = roundDecimal(exact, prec);
    }
  }
  switch (verb) {
    case "e":
    case "E":
      return fmtE(d, prec, verb);
    case "f":
    case "F":
      return fmtF(d, prec);
    default: {
      let eprec = prec;
      if (eprec > d.digits.length && d.digits.length >= d.dp) eprec = d.digits.length;
      if (shortest) eprec = 6;
      const exp = d.dp - 1;
      if (exp < -4 || exp >= eprec) {
        if (prec > d.digits.length) prec = d.digits.length;
        return fmtE(d, prec - 1, verb === "G" ? "E" : "e");
      }
      if (prec > d.dp) prec = d.digits.length;
      return fmtF(d, Math.max(prec - d.dp, 0));
    }
  }
}

/** A finite double's bits: the integer mantissa (implicit bit included) and its binary exponent, x = mant * 2^(exp - 52). */
function floatParts(x: number): { mant: bigint; exp: number } {
  const view = new DataView(new ArrayBuffer(8));
  view.setFloat64(0, x);
  const bits = view.getBigUint64(0);
  let exp = Number((bits >> 52n) & 0x7ffn);
  let mant = bits & ((1n << 52n) - 1n);
  if (exp === 0) exp++;
  else mant |= 1n << 52n;
  return { mant, exp: exp - 1023 };
}

/** strconv's 'b' format: the mantissa in decimal and a power of two, 6755399441055744p-52 for 1.5. */
function binaryExponentFloat(x: number): string {
  const { mant, exp } = floatParts(x);
  const e = exp - 52;
  return `${mant}p${e >= 0 ? "+" : ""}${e}`;
}

/**
 * strconv's 'x' format: 0x1.8p+00 for 1.5 (0x0p+00 for zero), the fraction in hex digits
 * (shortest, or `prec` digits rounded half to even), the exponent in at least two decimal digits.
 */
function hexFloat(x: number, prec: number, verb: string): string {
  let { mant, exp } = floatParts(x);
  if (mant === 0n) exp = 0;
  // The leading 1 (if any) at bit 60.
  mant <<= 8n;
  while (mant !== 0n && (mant & (1n << 60n)) === 0n) {
    mant <<= 1n;
    exp--;
  }
  if (prec >= 0 && prec < 15) {
    const shift = BigInt(prec * 4);
    const extra = (mant << shift) & ((1n << 60n) - 1n);
    mant >>= 60n - shift;
    if ((extra | (mant & 1n)) > 1n << 59n) mant++;
    mant <<= 60n - shift;
    if ((mant & (1n << 61n)) !== 0n) {
      mant >>= 1n;
      exp++;
    }
  }
  const digits = verb === "X" ? "0123456789ABCDEF" : "0123456789abcdef";
  let out = `0${verb}${(mant >> 60n) & 1n}`;
  mant = (mant << 4n) & ((1n << 64n) - 1n);
  if ((prec < 0 && mant !== 0n) || prec > 0) {
    out += ".";
    for (let i = 0; prec < 0 ? mant !== 0n : i < prec; i++) {
      out += digits[Number((mant >> 60n) & 15n)];
      mant = (mant << 4n) & ((1n << 64n) - 1n);
    }
  }
  const magnitude = Math.abs(exp);
  return `${out}${verb === "X" ? "P" : "p"}${exp < 0 ? "-" : "+"}${magnitude < 10 ? "0" : ""}${magnitude}`;
}

/**
 * fmt's # flag on a float (`num` signed, as fmtFloat holds it): always a decimal point, and for
 * %v/%g/%G/%x the trailing zeros kept up to the precision (6 when none is given).
 */
function alternateFloat(num: string, verb: string, prec: number): string {
  let digits = verb === "v" || verb === "g" || verb === "G" || verb === "x" ? (prec === -1 ? 6 : prec) : 0;
  let tail = "";
  let body = num;
  let hasPoint = false;
  let sawNonzero = false;
  for (let i = 1; i < body.length; i++) {
    const c = body[i]!;
    if (c === ".") {
      hasPoint = true;
      continue;
    }
    if (c === "p" || c === "P" || ((c === "e" || c === "E") && verb !== "x" && verb !== "X")) {
      tail = body.slice(i);
      body = body.slice(0, i);
      break;
    }
    if (c !== "0") sawNonzero = true;
    if (sawNonzero) digits--;
  }
  if (!hasPoint) {
    if (body.length === 2 && body[1] === "0") digits--;
    body += ".";
  }
  if (digits > 0) body += "0".repeat(digits);
  return body + tail;
}

// --- Rego text and Go quoting -----------------------------------------------------------------

/** A value as OPA's ast Value.String() prints it (object keys sorted, strings quoted). */
export function regoString(value: unknown): string {
  if (value === null) return "null";
  if (typeof value === "string") return goQuote(value);
  if (typeof value === "number") return numberText(value);
  if (value instanceof RegoNumber) return value.text;
  if (typeof value === "boolean") return String(value);
  if (isSet(value)) return value.length === 0 ? "set()" : `{${value.map(regoString).join(", ")}}`;
  if (Array.isArray(value)) return `[${value.map(regoString).join(", ")}]`;
  if (value instanceof RegoObject) return `{${value.entries.map(([k, v]) => `${regoString(k)}: ${regoString(v)}`).join(", ")}}`;
  if (typeof value === "object") {
    const entries = Object.keys(value as object)
      .sort(compareBytes)
      .map((k) => `${goQuote(k)}: ${regoString((value as Record<string, unknown>)[k])}`);
    return `{${entries.join(", ")}}`;
  }
  return String(value);
}

/** OPA prints a number's source text; the JSON text JavaScript writes for it is the closest match. */
function numberText(n: number): string {
  return JSON.stringify(n);
}

function compareBytes(a: string, b: string): number {
  return Buffer.compare(Buffer.from(a, "utf8"), Buffer.from(b, "utf8"));
}

/** Go's rune conversion: an invalid code point becomes U+FFFD. */
function runeOf(n: bigint): string {
  const valid = n >= 0n && n <= 0x10ffffn && !(n >= 0xd800n && n <= 0xdfffn);
  return String.fromCodePoint(valid ? Number(n) : 0xfffd);
}

const PRINTABLE = /^[\p{L}\p{M}\p{N}\p{P}\p{S} ]$/u;

/**
 * Go's strconv.Quote (QuoteToASCII when ascii; QuoteRune's quoting with quote "'"): printable
 * runes kept, the rest escaped.
 */
export function goQuote(s: string, ascii = false, quote = '"'): string {
  let out = quote;
  for (const ch of s) {
    const cp = ch.codePointAt(0)!;
    if (ch === quote || ch === "\\") out += "\\" + ch;
    else if (cp < 0x80 ? cp >= 0x20 && cp !== 0x7f : !ascii && PRINTABLE.test(ch)) out += ch;
    else if (ch === "\u0007") out += "\\a";
    else if (ch === "\b") out += "\\b";
    else if (ch === "\f") out += "\\f";
    else if (ch === "\n") out += "\\n";
    else if (ch === "\r") out += "\\r";
    else if (ch === "\t") out += "\\t";
    else if (ch === "\v") out += "\\v";
    else if (cp < 0x20 || cp === 0x7f) out += `\\x${cp.toString(16).padStart(2, "0")}`;
    else if (cp >= 0xd800 && cp <= 0xdfff) out += "\\ufffd";
    else if (cp < 0x10000) out += `\\u${cp.toString(16).padStart(4, "0")}`;
    else out += `\\U${cp.toString(16).padStart(8, "0")}`;
  }
  return out + quote;
}

/** strconv.CanBackquote: no control characters other than tab, no backquote, no U+FEFF. */
function canBackquote(s: string): boolean {
  for (const ch of s) {
    const cp = ch.codePointAt(0)!;
    if (ch === "`" || cp === 0xfeff || cp === 0x7f || (cp < 0x20 && ch !== "\t")) return false;
  }
  return true;
}
