// OPA's time builtins over nanosecond timestamps, in UTC, with Go's semantics (time.Parse with
// the RFC3339 layout, time.Date normalisation for time.add_date) and OPA's error messages.
// Timestamps are BigInt nanoseconds internally; results leave as exact integer JSON text
// (see nsResult in index.ts).

import { BuiltinError, operandTypeError } from "./errors.js";
import { formatFloat, goQuote } from "./sprintf.js";

const NS_PER_SECOND = 1_000_000_000n;
const SECONDS_PER_DAY = 86_400n;
// time.Unix(0, math.MinInt64) and time.Unix(0, math.MaxInt64): the range a ns timestamp covers.
const MIN_NS = -(2n ** 63n);
const MAX_NS = 2n ** 63n - 1n;

const RFC3339 = "2006-01-02T15:04:05Z07:00";
const WEEKDAYS = ["Sunday", "Monday", "Tuesday", "Wednesday", "Thursday", "Friday", "Saturday"];

/** A civil UTC date-time (Go's t.Date() and t.Clock() plus the nanosecond). */
interface Civil {
  year: number;
  month: number;
  day: number;
  hour: number;
  minute: number;
  second: number;
  nanosecond: number;
}

/** Days since 1970-01-01 of a proleptic Gregorian date whose month is already in 1..12. */
function daysFromCivil(year: number, month: number, day: number): number {
  const y = month <= 2 ? year - 1 : year;
  const era = Math.floor(y / 400);
  const yoe = y - era * 400;
  const mp = (month + 9) % 12;
  const doy = Math.floor((153 * mp + 2) / 5) + day - 1;
  const doe = yoe * 365 + Math.floor(yoe / 4) - Math.floor(yoe / 100) + doy;
  return era * 146097 + doe - 719468;
}

function civilFromDays(days: number): { year: number; month: number; day: number } {
  const z = days + 719468;
  const era = Math.floor(z / 146097);
  const doe = z - era * 146097;
  const yoe = Math.floor((doe - Math.floor(doe / 1460) + Math.floor(doe / 36524) - Math.floor(doe / 146096)) / 365);
  const doy = doe - (365 * yoe + Math.floor(yoe / 4) - Math.floor(yoe / 100));
  const mp = Math.floor((5 * doy + 2) / 153);
  const day = doy - Math.floor((153 * mp + 2) / 5) + 1;
  const month = mp < 10 ? mp + 3 : mp - 9;
  return { year: yoe + era * 400 + (month <= 2 ? 1 : 0), month, day };
}

function floorDiv(a: bigint, b: bigint): bigint {
  const q = a / b;
  return a % b !== 0n && a < 0n !== b < 0n ? q - 1n : q;
}

function toCivil(ns: bigint): Civil {
  const seconds = floorDiv(ns, NS_PER_SECOND);
  const days = floorDiv(seconds, SECONDS_PER_DAY);
  const secondOfDay = Number(seconds - days * SECONDS_PER_DAY);
  return {
    ...civilFromDays(Number(days)),
    hour: Math.floor(secondOfDay / 3600),
    minute: Math.floor(secondOfDay / 60) % 60,
    second: secondOfDay % 60,
    nanosecond: Number(ns - seconds * NS_PER_SECOND),
  };
}

/** Go's time.Date in UTC: every field may overflow and is carried into the next larger one. */
function fromCivil(c: Civil): bigint {
  const monthIndex = c.month - 1;
  const year = c.year + Math.floor(monthIndex / 12);
  const month = (((monthIndex % 12) + 12) % 12) + 1;
  const days = BigInt(daysFromCivil(year, month, 1)) + BigInt(c.day - 1);
  const seconds = days * SECONDS_PER_DAY + BigInt(c.hour) * 3600n + BigInt(c.minute) * 60n + BigInt(c.second);
  return seconds * NS_PER_SECOND + BigInt(c.nanosecond);
}

function checkRange(ns: bigint): bigint {
  if (ns < MIN_NS || ns > MAX_NS) throw new BuiltinError("time outside of valid range");
  return ns;
}

// --- time.parse_rfc3339_ns: Go's time.Parse(time.RFC3339, value) -------------------------------

/** Go's time-package quote: bytes outside printable ASCII as \x escapes. */
function timeQuote(bytes: string): string {
  let out = '"';
  for (let i = 0; i < bytes.length; i++) {
    const c = bytes.charCodeAt(i);
    if (c < 0x20 || c >= 0x80) out += `\\x${c.toString(16).padStart(2, "0")}`;
    else out += (c === 0x22 || c === 0x5c ? "\\" : "") + bytes[i];
  }
  return out + '"';
}

class ParseFailure extends Error {}

function isDigitAt(s: string, i: number): boolean {
  return i < s.length && s.charCodeAt(i) >= 0x30 && s.charCodeAt(i) <= 0x39;
}

/** Go's getnum: one or two digits (exactly two when fixed). */
function getnum(s: string, fixed: boolean): [number, string] {
  if (!isDigitAt(s, 0)) throw new ParseFailure();
  if (!isDigitAt(s, 1)) {
    if (fixed) throw new ParseFailure();
    return [Number(s[0]), s.slice(1)];
  }
  return [Number(s.slice(0, 2)), s.slice(2)];
}

function tryGetnum(s: string): number | undefined {
  return isDigitAt(s, 0) && isDigitAt(s, 1) ? Number(s.slice(0, 2)) : undefined;
}

function daysIn(month: number, year: number): number {
  if (month === 2) return (year % 4 === 0 && (year % 100 !== 0 || year % 400 === 0)) ? 29 : 28;
  return [31, 28, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31][month - 1]!;
}

/** The layout RFC3339 as Go's parser walks it: a literal prefix, then a std element. */
const RFC3339_STEPS: readonly [prefix: string, std: string][] = [
  ["", "2006"], ["-", "01"], ["-", "02"], ["T", "15"], [":", "04"], [":", "05"], ["", "Z07:00"],
];

export function parseRfc3339Ns(value: string): bigint {
  // Go strings are bytes: work on the UTF-8 bytes, one JS char per byte.
  const original = Buffer.from(value, "utf8").toString("latin1");
  const fail = (message: string): never => {
    throw new BuiltinError(`parsing time ${timeQuote(original)}${message}`);
  };
  const cannotParse = (valueElem: string, layoutElem: string): never =>
    fail(` as ${timeQuote(RFC3339)}: cannot parse ${timeQuote(valueElem)} as ${timeQuote(layoutElem)}`);

  let rest = original;
  const c: Civil = { year: 0, month: 1, day: 1, hour: 0, minute: 0, second: 0, nanosecond: 0 };
  let offsetSeconds = 0;
  for (const [prefix, std] of RFC3339_STEPS) {
    for (let i = 0; i < prefix.length; i++) {
      if (rest[0] !== prefix[i]) cannotParse(rest, prefix);
      rest = rest.slice(1);
    }
    const hold = rest;
    let rangeError = "";
    try {
      switch (std) {
        case "2006":
          if (!/^\d{4}$/.test(rest.slice(0, 4))) throw new ParseFailure();
          c.year = Number(rest.slice(0, 4));
          rest = rest.slice(4);
          break;
        case "01":
          [c.month, rest] = getnum(rest, true);
          if (c.month <= 0 || c.month > 12) rangeError = "month";
          break;
        case "02":
          [c.day, rest] = getnum(rest, true);
          break;
        case "15":
          [c.hour, rest] = getnum(rest, false);
          if (c.hour >= 24) rangeError = "hour";
          break;
        case "04":
          [c.minute, rest] = getnum(rest, true);
          if (c.minute >= 60) rangeError = "minute";
          break;
        case "05":
          [c.second, rest] = getnum(rest, true);
          if (c.second >= 60) {
            rangeError = "second";
            break;
          }
          // A fractional second the layout does not mention: '.' or ',' then digits; Go keeps
          // the first nine digits and ignores the rest.
          if (rest.length >= 2 && (rest[0] === "." || rest[0] === ",") && isDigitAt(rest, 1)) {
            let n = 2;
            while (isDigitAt(rest, n)) n++;
            c.nanosecond = Number(rest.slice(1, Math.min(n, 10)).padEnd(9, "0"));
            rest = rest.slice(n);
          }
          break;
        case "Z07:00": {
          if (rest[0] === "Z") {
            rest = rest.slice(1);
            break;
          }
          if (rest.length < 6 || rest[3] !== ":") throw new ParseFailure();
          // As in Go, a range error outranks a malformed offset, so parse without throwing.
          const hours = tryGetnum(rest.slice(1, 3));
          const minutes = hours === undefined ? undefined : tryGetnum(rest.slice(4, 6));
          if ((hours ?? 0) > 24) rangeError = "time zone offset hour";
          if ((minutes ?? 0) > 60) rangeError = "time zone offset minute";
          const sign = rest[0];
          if (!rangeError && (hours === undefined || minutes === undefined || (sign !== "+" && sign !== "-"))) throw new ParseFailure();
          offsetSeconds = (sign === "-" ? -1 : 1) * ((hours ?? 0) * 3600 + (minutes ?? 0) * 60);
          rest = rest.slice(6);
          break;
        }
      }
    } catch (error) {
      if (!(error instanceof ParseFailure)) throw error;
      cannotParse(hold, std);
    }
    if (rangeError) fail(`: ${rangeError} out of range`);
  }
  if (rest.length > 0) fail(`: extra text: ${timeQuote(rest)}`);
  if (c.day < 1 || c.day > daysIn(c.month, c.year)) fail(": day out of range");
  return checkRange(fromCivil(c) - BigInt(offsetSeconds) * NS_PER_SECOND);
}

// --- builtins taking a timestamp (OPA's tzTime) -----------------------------------------------

const TIME_OPERAND = "either number (ns) or [number (ns), string (tz)]";

/**
 * A timestamp operand: ns, or [ns, tz] / [ns, tz, layout]. Only UTC ("" or "UTC") is supported:
 * other zones need a tz database with Go's rules, so they are refused (fail closed) rather than
 * answered in the wrong zone.
 */
function timestampOperand(arg: unknown): bigint {
  let ns: unknown = arg;
  if (Array.isArray(arg)) {
    if (arg.length === 0) throw new BuiltinError(operandTypeError(1, arg, TIME_OPERAND));
    ns = arg[0];
    if (typeof ns !== "number") throw new BuiltinError(operandTypeError(1, ns, "number"));
    if (arg.length > 1) {
      const tz = arg[1];
      if (typeof tz !== "string") throw new BuiltinError(operandTypeError(1, tz, "string"));
      if (tz !== "" && tz !== "UTC") {
        throw new BuiltinError(`time zone ${JSON.stringify(tz)} is not supported by gatehouse's wasm runtime (only UTC)`);
      }
    }
  } else if (typeof arg !== "number") {
    throw new BuiltinError(operandTypeError(1, arg, TIME_OPERAND));
  }
  const n = ns as number;
  if (!Number.isInteger(n) || BigInt(n) < MIN_NS || BigInt(n) > MAX_NS) throw new BuiltinError("timestamp too big");
  // The SDK parsed the wasm's number text into a double. The shortest decimal that rounds to that
  // double is the text itself whenever the text had at most ~16 significant digits (any
  // millisecond or microsecond timestamp, time.now_ns included), where BigInt(n) would be up to
  // 128 ns off; timestamps with more digits stay within the double's rounding, as before.
  return BigInt(String(n));
}

function intOperand(arg: unknown, position: number): number {
  if (typeof arg !== "number") throw new BuiltinError(operandTypeError(position, arg, "number"));
  if (!Number.isInteger(arg)) throw new BuiltinError(`operand ${position} must be integer number but got floating-point number`);
  return arg;
}

export function addDate(ts: unknown, years: unknown, months: unknown, days: unknown): bigint {
  const c = toCivil(timestampOperand(ts));
  const y = intOperand(years, 2);
  const m = intOperand(months, 3);
  const d = intOperand(days, 4);
  return checkRange(fromCivil({ ...c, year: c.year + y, month: c.month + m, day: c.day + d }));
}

export function date(ts: unknown): [number, number, number] {
  const c = toCivil(timestampOperand(ts));
  return [c.year, c.month, c.day];
}

export function clock(ts: unknown): [number, number, number] {
  const c = toCivil(timestampOperand(ts));
  return [c.hour, c.minute, c.second];
}

export function weekday(ts: unknown): string {
  const ns = timestampOperand(ts);
  const days = Number(floorDiv(floorDiv(ns, NS_PER_SECOND), SECONDS_PER_DAY));
  return WEEKDAYS[(((days + 4) % 7) + 7) % 7]!; // 1970-01-01 was a Thursday
}

/** time.diff: [years, months, days, hours, minutes, seconds] between two instants, in UTC. */
export function diff(a: unknown, b: unknown): number[] {
  let first = timestampOperand(a);
  let second = timestampOperand(b);
  if (first > second) [first, second] = [second, first];
  const t1 = toCivil(first);
  const t2 = toCivil(second);
  let years = t2.year - t1.year;
  let months = t2.month - t1.month;
  let days = t2.day - t1.day;
  let hours = t2.hour - t1.hour;
  let minutes = t2.minute - t1.minute;
  let seconds = t2.second - t1.second;
  if (seconds < 0) {
    seconds += 60;
    minutes--;
  }
  if (minutes < 0) {
    minutes += 60;
    hours--;
  }
  if (hours < 0) {
    hours += 24;
    days--;
  }
  if (days < 0) {
    // Borrow the length of t1's month: day 32 of it normalises into the next month.
    days += daysIn(t1.month, t1.year);
    months--;
  }
  if (months < 0) {
    months += 12;
    years--;
  }
  return [years, months, days, hours, minutes, seconds];
}

// --- time.parse_duration_ns: Go's time.ParseDuration plus OPA's d, w and y units --------------

const UNIT_NS: Record<string, bigint> = {
  ns: 1n,
  us: 1_000n,
  "\u00c2\u00b5s": 1_000n, // "µs" (U+00B5) as UTF-8 bytes
  "\u00ce\u00bcs": 1_000n, // "μs" (U+03BC) as UTF-8 bytes
  ms: 1_000_000n,
  s: NS_PER_SECOND,
  m: 60n * NS_PER_SECOND,
  h: 3600n * NS_PER_SECOND,
};
const TWO_63 = 2n ** 63n;

/** Go's time.ParseDuration over a UTF-8 byte string (one JS char per byte). */
function goParseDuration(bytes: string): bigint {
  const invalid = (message = "invalid duration"): never => {
    throw new BuiltinError(`time: ${message} ${timeQuote(bytes)}`);
  };
  let s = bytes;
  let negative = false;
  if (s[0] === "-" || s[0] === "+") {
    negative = s[0] === "-";
    s = s.slice(1);
  }
  if (s === "0") return 0n;
  if (s === "") invalid();
  let total = 0n;
  while (s !== "") {
    if (!(s[0] === "." || isDigitAt(s, 0))) invalid();
    // Integer part: overflow past 2^63 is an error.
    let whole = 0n;
    let i = 0;
    for (; isDigitAt(s, i); i++) {
      if (whole > TWO_63 / 10n) invalid();
      whole = whole * 10n + BigInt(s.charCodeAt(i) - 48);
      if (whole > TWO_63) invalid();
    }
    const pre = i > 0;
    s = s.slice(i);
    // Fraction: digits past what fits are ignored.
    let fraction = 0n;
    let scale = 1;
    let post = false;
    if (s[0] === ".") {
      s = s.slice(1);
      let overflow = false;
      let j = 0;
      for (; isDigitAt(s, j); j++) {
        if (overflow) continue;
        if (fraction > (TWO_63 - 1n) / 10n) {
          overflow = true;
          continue;
        }
        const next = fraction * 10n + BigInt(s.charCodeAt(j) - 48);
        if (next > TWO_63) {
          overflow = true;
          continue;
        }
        fraction = next;
        scale *= 10;
      }
      post = j > 0;
      s = s.slice(j);
    }
    if (!pre && !post) invalid();
    let u = 0;
    while (u < s.length && s[u] !== "." && !isDigitAt(s, u)) u++;
    if (u === 0) invalid("missing unit in duration");
    const unitText = s.slice(0, u);
    s = s.slice(u);
    const unit = UNIT_NS[unitText];
    if (unit === undefined) return invalid(`unknown unit ${timeQuote(unitText)} in duration`);
    if (whole > TWO_63 / unit) invalid();
    let v = whole * unit;
    if (fraction > 0n) {
      // Go computes the fraction in float64, truncating.
      v += BigInt(Math.trunc(Number(fraction) * (Number(unit) / scale)));
      if (v > TWO_63) invalid();
    }
    total += v;
    if (total > TWO_63) invalid();
  }
  if (negative) return -total;
  if (total > TWO_63 - 1n) invalid();
  return total;
}

const EXTENDED_HOURS: Record<string, number> = { d: 24, w: 7 * 24, y: 365 * 24 };
// OPA's duration grammar: sign? (digits unit)+ with digits [0-9.]+ and unit ms|us|µs|ns|[a-z].
const EXTENDED_DURATION = /^([-+])?((?:[0-9.]+(?:ms|us|\u00b5s|ns|[a-z]))+)$/;
const EXTENDED_SEGMENT = /([0-9.]+)(ms|us|\u00b5s|ns|[a-z])/g;

/** OPA's time.parse_duration_ns: d, w and y segments are rewritten to hours, then Go parses. */
export function parseDurationNs(text: string): bigint {
  const invalid = (): never => {
    throw new BuiltinError(`time: invalid duration ${goQuote(text)}`);
  };
  if (text === "") invalid();
  if (!/[dwy]/.test(text)) return goParseDuration(Buffer.from(text, "utf8").toString("latin1"));
  const match = EXTENDED_DURATION.exec(text) ?? invalid();
  let rewritten = match[1] ?? "";
  for (const [, digits, unit] of match[2]!.matchAll(EXTENDED_SEGMENT)) {
    const hours = EXTENDED_HOURS[unit!];
    if (hours === undefined) {
      rewritten += digits! + unit!;
      continue;
    }
    // Go's strconv.ParseFloat of [0-9.]+: one optional point, at least one digit, in range.
    if (!/^(\d+\.?\d*|\.\d+)$/.test(digits!) || !Number.isFinite(Number(digits))) invalid();
    rewritten += formatFloat(Number(digits) * hours, "f", -1) + "h";
  }
  try {
    return goParseDuration(Buffer.from(rewritten, "utf8").toString("latin1"));
  } catch (error) {
    if (!(error instanceof BuiltinError)) throw error;
    // Go's message ends with the rewritten duration; name the original instead.
    throw new BuiltinError(`${error.message.slice(0, error.message.lastIndexOf(" "))} ${goQuote(text)}`);
  }
}

// --- time.format: Go's Time.Format over a layout, in UTC ----------------------------------------

/** The layout names OPA accepts in place of a layout (topdown's acceptedTimeFormats). */
const NAMED_LAYOUTS: Record<string, string> = {
  ANSIC: "Mon Jan _2 15:04:05 2006",
  UnixDate: "Mon Jan _2 15:04:05 MST 2006",
  RubyDate: "Mon Jan 02 15:04:05 -0700 2006",
  RFC822: "02 Jan 06 15:04 MST",
  RFC822Z: "02 Jan 06 15:04 -0700",
  RFC850: "Monday, 02-Jan-06 15:04:05 MST",
  RFC1123: "Mon, 02 Jan 2006 15:04:05 MST",
  RFC1123Z: "Mon, 02 Jan 2006 15:04:05 -0700",
  RFC3339,
  RFC3339Nano: "2006-01-02T15:04:05.999999999Z07:00",
};

const MONTHS = ["January", "February", "March", "April", "May", "June", "July", "August", "September", "October", "November", "December"];

/** A layout element (Go's std values), or a fractional-second element with its digits and separator. */
type LayoutElement = { kind: string } | { kind: "frac"; trim: boolean; digits: number; separator: string };

/** Go's nextStdChunk: the literal text before the next layout element, the element, and the rest. */
function nextElement(layout: string): { prefix: string; element?: LayoutElement; rest: string } {
  const at = (i: number, text: string): boolean => layout.startsWith(text, i);
  const lowerAfter = (i: number): boolean => i < layout.length && layout[i]! >= "a" && layout[i]! <= "z";
  for (let i = 0; i < layout.length; i++) {
    const cut = (kind: string, length: number) => ({ prefix: layout.slice(0, i), element: { kind }, rest: layout.slice(i + length) });
    switch (layout[i]) {
      case "J":
        if (at(i, "Jan")) {
          if (at(i, "January")) return cut("January", 7);
          if (!lowerAfter(i + 3)) return cut("Jan", 3);
        }
        break;
      case "M":
        if (at(i, "Mon")) {
          if (at(i, "Monday")) return cut("Monday", 6);
          if (!lowerAfter(i + 3)) return cut("Mon", 3);
        }
        if (at(i, "MST")) return cut("MST", 3);
        break;
      case "0": {
        const next = layout[i + 1];
        if (next !== undefined && next >= "1" && next <= "6") return cut(`0${next}`, 2);
        if (at(i, "002")) return cut("002", 3);
        break;
      }
      case "1":
        if (layout[i + 1] === "5") return cut("15", 2);
        return cut("1", 1);
      case "2":
        if (at(i, "2006")) return cut("2006", 4);
        return cut("2", 1);
      case "_":
        if (layout[i + 1] === "2") {
          // "_2006" is a literal underscore and the year.
          if (at(i + 1, "2006")) return { prefix: layout.slice(0, i + 1), element: { kind: "2006" }, rest: layout.slice(i + 5) };
          return cut("_2", 2);
        }
        if (at(i, "__2")) return cut("__2", 3);
        break;
      case "3":
      case "4":
      case "5":
        return cut(layout[i]!, 1);
      case "P":
        if (layout[i + 1] === "M") return cut("PM", 2);
        break;
      case "p":
        if (layout[i + 1] === "m") return cut("pm", 2);
        break;
      case "-":
        for (const zone of ["-070000", "-07:00:00", "-0700", "-07:00", "-07"]) if (at(i, zone)) return cut(zone, zone.length);
        break;
      case "Z":
        for (const zone of ["Z070000", "Z07:00:00", "Z0700", "Z07:00", "Z07"]) if (at(i, zone)) return cut(zone, zone.length);
        break;
      case ".":
      case ",": {
        const digit = layout[i + 1];
        if (digit === "0" || digit === "9") {
          let j = i + 1;
          while (j < layout.length && layout[j] === digit) j++;
          // Only a fractional second when the run of digits ends the number.
          if (!(j < layout.length && layout[j]! >= "0" && layout[j]! <= "9")) {
            return { prefix: layout.slice(0, i), element: { kind: "frac", trim: digit === "9", digits: j - (i + 1), separator: layout[i]! }, rest: layout.slice(j) };
          }
        }
        break;
      }
    }
  }
  return { prefix: layout, rest: "" };
}

function pad(value: number, width: number): string {
  return String(value).padStart(width, "0");
}

/** Go's Time.Format for a UTC time. */
export function formatLayout(ns: bigint, layout: string): string {
  const c = toCivil(ns);
  const days = daysFromCivil(c.year, c.month, c.day);
  const yearDay = days - daysFromCivil(c.year, 1, 1) + 1;
  const weekdayName = WEEKDAYS[(((days + 4) % 7) + 7) % 7]!;
  let out = "";
  let rest = layout;
  while (rest !== "") {
    const { prefix, element, rest: after } = nextElement(rest);
    out += prefix;
    rest = after;
    if (!element) break;
    if (element.kind === "frac" && "digits" in element) {
      if (element.trim && (element.digits === 0 || c.nanosecond === 0)) continue;
      let digits = pad(c.nanosecond, 9);
      if (element.digits < 9) digits = digits.slice(0, element.digits);
      if (element.trim) digits = digits.replace(/0+$/, "");
      if (digits !== "" || !element.trim) out += element.separator + digits;
      continue;
    }
    const hour12 = c.hour % 12 === 0 ? 12 : c.hour % 12;
    switch (element.kind) {
      case "January": out += MONTHS[c.month - 1]; break;
      case "Jan": out += MONTHS[c.month - 1]!.slice(0, 3); break;
      case "Monday": out += weekdayName; break;
      case "Mon": out += weekdayName.slice(0, 3); break;
      case "MST": out += "UTC"; break;
      case "01": out += pad(c.month, 2); break;
      case "02": out += pad(c.day, 2); break;
      case "03": out += pad(hour12, 2); break;
      case "04": out += pad(c.minute, 2); break;
      case "05": out += pad(c.second, 2); break;
      case "06": out += pad(c.year % 100, 2); break;
      case "002": out += pad(yearDay, 3); break;
      case "__2": out += String(yearDay).padStart(3, " "); break;
      case "15": out += pad(c.hour, 2); break;
      case "1": out += String(c.month); break;
      case "2006": out += pad(c.year, 4); break;
      case "2": out += String(c.day); break;
      case "_2": out += String(c.day).padStart(2, " "); break;
      case "3": out += String(hour12); break;
      case "4": out += String(c.minute); break;
      case "5": out += String(c.second); break;
      case "PM": out += c.hour >= 12 ? "PM" : "AM"; break;
      case "pm": out += c.hour >= 12 ? "pm" : "am"; break;
      case "-070000": out += "+000000"; break;
      case "-07:00:00": out += "+00:00:00"; break;
      case "-0700": out += "+0000"; break;
      case "-07:00": out += "+00:00"; break;
      case "-07": out += "+00"; break;
      default: out += "Z"; // the ISO 8601 zones (Z0700 ...) print Z for UTC
    }
  }
  return out;
}

/** time.format: [ns, tz, layout] (tz "" or "UTC"), a layout name or a Go layout; RFC 3339 with nanoseconds by default. */
export function format(arg: unknown): string {
  const ns = timestampOperand(arg);
  let layout = "";
  if (Array.isArray(arg) && arg.length > 2) {
    if (typeof arg[2] !== "string") throw new BuiltinError(operandTypeError(1, arg[2], "string"));
    layout = arg[2];
  }
  if (layout === "") layout = NAMED_LAYOUTS.RFC3339Nano!;
  else if (Object.hasOwn(NAMED_LAYOUTS, layout)) layout = NAMED_LAYOUTS[layout]!;
  return formatLayout(ns, layout);
}
