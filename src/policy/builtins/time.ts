// OPA's time builtins over nanosecond timestamps, in UTC, with Go's semantics (time.Parse with
// the RFC3339 layout, time.Date normalisation for time.add_date) and OPA's error messages.
// Timestamps are BigInt nanoseconds internally; results leave as exact integer JSON text
// (see nsResult in index.ts).

import { BuiltinError, OperandError, operandTypeError, TopdownOnly } from "./errors.js";
import { formatFloat, goQuote } from "./sprintf.js";
import { RegoNumber } from "./values.js";

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

// --- Go time.Parse helpers (time.parse_ns, time.parse_rfc3339_ns) ------------------------------

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

/** time.parse_rfc3339_ns: Go's time.Parse(time.RFC3339, value), i.e. time.parse_ns with that layout. */
export function parseRfc3339Ns(value: string): bigint {
  return parseNs(RFC3339, value);
}

// --- builtins taking a timestamp (OPA's tzTime) -----------------------------------------------

const INTEGER_TEXT = /^-?\d+$/;
const TIME_OPERAND = "either number (ns) or [number (ns), string (tz)]";

/**
 * A timestamp operand: ns, or [ns, tz] / [ns, tz, layout]. Only UTC ("" or "UTC") is computed
 * here: other zones need a tz database with Go's rules, so topdown answers them (TopdownOnly),
 * or without the builtins module they are refused (fail closed), never answered in the wrong zone.
 */
function timestampOperand(arg: unknown): bigint {
  // The builtins that topdown may answer (topdown.ts) get their numbers as RegoNumbers: an
  // integer's text is the timestamp exactly.
  const given = Array.isArray(arg) ? arg[0] : arg;
  const exact = given instanceof RegoNumber && INTEGER_TEXT.test(given.text) ? BigInt(given.text) : undefined;
  if (given instanceof RegoNumber) arg = Array.isArray(arg) ? [given.value, ...arg.slice(1)] : given.value;
  let ns: unknown = arg;
  if (Array.isArray(arg)) {
    if (arg.length === 0) throw new OperandError(operandTypeError(1, arg, TIME_OPERAND));
    ns = arg[0];
    if (typeof ns !== "number") throw new OperandError(operandTypeError(1, ns, "number"));
    if (arg.length > 1) {
      const tz = arg[1];
      if (typeof tz !== "string") throw new OperandError(operandTypeError(1, tz, "string"));
      if (tz !== "" && tz !== "UTC") {
        // topdown answers other zones (builtins/topdown.ts), except "Local": the machine's zone
        // under `opa eval`, UTC inside the builtins module.
        const message = `time zone ${JSON.stringify(tz)} is not supported by gatehouse's wasm runtime (only UTC)`;
        throw tz === "Local" ? new BuiltinError(message) : new TopdownOnly(message);
      }
    }
  } else if (typeof arg !== "number") {
    throw new OperandError(operandTypeError(1, arg, TIME_OPERAND));
  }
  const n = ns as number;
  if (exact !== undefined) {
    if (exact < MIN_NS || exact > MAX_NS) throw new BuiltinError("timestamp too big");
    return exact;
  }
  if (!Number.isInteger(n) || BigInt(n) < MIN_NS || BigInt(n) > MAX_NS) throw new BuiltinError("timestamp too big");
  // The SDK parsed the wasm's number text into a double. The shortest decimal that rounds to that
  // double is the text itself whenever the text had at most ~16 significant digits (any
  // millisecond or microsecond timestamp, time.now_ns included), where BigInt(n) would be up to
  // 128 ns off; timestamps with more digits stay within the double's rounding, as before.
  return BigInt(String(n));
}

function intOperand(arg: unknown, position: number): number {
  if (typeof arg !== "number") throw new OperandError(operandTypeError(position, arg, "number"));
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
    if (typeof arg[2] !== "string") throw new OperandError(operandTypeError(1, arg[2], "string"));
    layout = arg[2];
  }
  if (layout === "") layout = NAMED_LAYOUTS.RFC3339Nano!;
  else if (Object.hasOwn(NAMED_LAYOUTS, layout)) layout = NAMED_LAYOUTS[layout]!;
  return formatLayout(ns, layout);
}

// --- time.parse_ns: Go's time.Parse(layout, value), with Local = UTC ------------------------------

const SHORT_DAYS = WEEKDAYS.map((d) => d.slice(0, 3));
const SHORT_MONTHS = MONTHS.map((m) => m.slice(0, 3));

/** Go's atoi: an optional sign, then digits only. */
function goAtoi(s: string): number | undefined {
  const m = /^([+-]?)(\d+)$/.exec(s);
  if (!m) return undefined;
  const n = Number(m[2]);
  return m[1] === "-" ? -n : n;
}

/** Go's lookup: the first name that prefixes the value, ignoring ASCII case. */
function lookupName(names: readonly string[], value: string): [number, string] {
  for (let i = 0; i < names.length; i++) {
    const name = names[i]!;
    if (value.length >= name.length && value.slice(0, name.length).toLowerCase() === name.toLowerCase() && /^[\x00-\x7f]*$/.test(value.slice(0, name.length))) {
      return [i, value.slice(name.length)];
    }
  }
  throw new ParseFailure();
}

/** Go's getnum3: one to three digits (exactly three when fixed). */
function getnum3(s: string, fixed: boolean): [number, string] {
  let i = 0;
  while (i < 3 && isDigitAt(s, i)) i++;
  if (i === 0 || (fixed && i !== 3)) throw new ParseFailure();
  return [Number(s.slice(0, i)), s.slice(i)];
}

/** Go's parseNanoseconds: '.' or ',' then digits (at most nine kept), scaled to nanoseconds. */
function parseNanos(value: string, nbytes: number): { ns: number; range: string } {
  if (value[0] !== "." && value[0] !== ",") throw new ParseFailure();
  const n = Math.min(nbytes, 10);
  const ns = goAtoi(value.slice(1, n));
  if (ns === undefined) throw new ParseFailure();
  if (ns < 0) return { ns: 0, range: "fractional second" };
  return { ns: ns * 10 ** (10 - n), range: "" };
}

/** Go's parseTimeZone: how long the zone abbreviation at the start of value is, or 0. */
function zoneNameLength(value: string): number {
  if (value.length < 3) return 0;
  if (value.startsWith("ChST") || value.startsWith("MeST")) return 4;
  if (value.startsWith("GMT")) return 3 + signedOffsetLength(value.slice(3));
  if (value[0] === "+" || value[0] === "-") return signedOffsetLength(value);
  let upper = 0;
  while (upper < 6 && upper < value.length && value[upper]! >= "A" && value[upper]! <= "Z") upper++;
  if (upper === 5 && value[4] === "T") return 5;
  if (upper === 4 && (value[3] === "T" || value.startsWith("WITA"))) return 4;
  return upper === 3 ? 3 : 0;
}

/** Go's parseSignedOffset: "+N" / "-N" with N in 0..23 (as digits); its length, or 0. */
function signedOffsetLength(value: string): number {
  if (value[0] !== "+" && value[0] !== "-") return 0;
  const digits = /^\d*/.exec(value.slice(1))![0];
  if (digits === "" || Number(digits) > 23) return 0;
  return 1 + digits.length;
}

/** Go's skip: the layout's literal prefix, any run of spaces matching any run of spaces. On a
 * mismatch, what is left of the value at that point (Go's error message quotes it). */
function skipPrefix(value: string, prefix: string): { value: string; ok: boolean } {
  while (prefix.length > 0) {
    if (prefix[0] === " ") {
      if (value.length > 0 && value[0] !== " ") return { value, ok: false };
      prefix = prefix.replace(/^ +/, "");
      value = value.replace(/^ +/, "");
      continue;
    }
    if (value.length === 0 || value[0] !== prefix[0]) return { value, ok: false };
    prefix = prefix.slice(1);
    value = value.slice(1);
  }
  return { value, ok: true };
}

/**
 * time.parse_ns. Zone abbreviations other than UTC are read as Go reads them when the local
 * zone is UTC: zero offset (GMT+N included: Go records the zone but not the shift).
 */
export function parseNs(layoutArg: unknown, valueArg: unknown): bigint {
  if (typeof layoutArg !== "string") throw new OperandError(operandTypeError(1, layoutArg, "string"));
  if (typeof valueArg !== "string") throw new OperandError(operandTypeError(2, valueArg, "string"));
  const named = Object.hasOwn(NAMED_LAYOUTS, layoutArg) ? NAMED_LAYOUTS[layoutArg]! : layoutArg;
  // Go strings are bytes: one JS char per byte.
  const alayout = Buffer.from(named, "utf8").toString("latin1");
  const avalue = Buffer.from(valueArg, "utf8").toString("latin1");
  const fail = (message: string): never => {
    throw new BuiltinError(`parsing time ${timeQuote(avalue)}${message}`);
  };
  const cannotParse = (valueElem: string, layoutElem: string): never =>
    fail(` as ${timeQuote(alayout)}: cannot parse ${timeQuote(valueElem)} as ${timeQuote(layoutElem)}`);

  let layout = alayout;
  let value = avalue;
  let year = 0, month = -1, day = -1, yday = -1, hour = 0, minute = 0, second = 0, nsec = 0;
  let utc = false;
  let zoneOffset: number | undefined;
  let pm = false, am = false;
  for (;;) {
    const { prefix, element, rest } = nextElement(layout);
    const stdstr = layout.slice(prefix.length, layout.length - rest.length);
    const skipped = skipPrefix(value, prefix);
    value = skipped.value;
    if (!skipped.ok) cannotParse(value, prefix);
    if (!element) {
      if (value.length > 0) fail(`: extra text: ${timeQuote(value)}`);
      break;
    }
    layout = rest;
    const hold = value;
    let range = "";
    try {
      if ("digits" in element) {
        if (!element.trim) {
          const n = 1 + element.digits;
          if (value.length < n) throw new ParseFailure();
          ({ ns: nsec, range } = parseNanos(value, n));
          value = value.slice(n);
        } else if (value.length >= 2 && (value[0] === "." || value[0] === ",") && isDigitAt(value, 1)) {
          let i = 0;
          while (isDigitAt(value, i + 1)) i++;
          ({ ns: nsec, range } = parseNanos(value, 1 + i));
          value = value.slice(1 + i);
        }
      } else {
        const kind = element.kind;
        switch (kind) {
          case "06": {
            if (value.length < 2) throw new ParseFailure();
            const y = goAtoi(value.slice(0, 2));
            if (y === undefined) throw new ParseFailure();
            year = y >= 69 ? y + 1900 : y + 2000;
            value = value.slice(2);
            break;
          }
          case "2006": {
            if (value.length < 4 || !isDigitAt(value, 0)) throw new ParseFailure();
            const y = goAtoi(value.slice(0, 4));
            if (y === undefined) throw new ParseFailure();
            year = y;
            value = value.slice(4);
            break;
          }
          case "Jan":
            [month, value] = lookupName(SHORT_MONTHS, value);
            month++;
            break;
          case "January":
            [month, value] = lookupName(MONTHS, value);
            month++;
            break;
          case "1":
          case "01":
            [month, value] = getnum(value, kind === "01");
            if (month <= 0 || month > 12) range = "month";
            break;
          case "Mon":
            [, value] = lookupName(SHORT_DAYS, value);
            break;
          case "Monday":
            [, value] = lookupName(WEEKDAYS, value);
            break;
          case "2":
          case "_2":
          case "02":
            if (kind === "_2" && value[0] === " ") value = value.slice(1);
            [day, value] = getnum(value, kind === "02");
            break;
          case "__2":
          case "002":
            for (let i = 0; i < 2; i++) if (kind === "__2" && value[0] === " ") value = value.slice(1);
            [yday, value] = getnum3(value, kind === "002");
            break;
          case "15":
            [hour, value] = getnum(value, false);
            if (hour >= 24) range = "hour";
            break;
          case "3":
          case "03":
            [hour, value] = getnum(value, kind === "03");
            if (hour > 12) range = "hour";
            break;
          case "4":
          case "04":
            [minute, value] = getnum(value, kind === "04");
            if (minute >= 60) range = "minute";
            break;
          case "5":
          case "05": {
            [second, value] = getnum(value, kind === "05");
            if (second >= 60) {
              range = "second";
              break;
            }
            // A fractional second the layout does not have, unless the next element is one.
            if (value.length >= 2 && (value[0] === "." || value[0] === ",") && isDigitAt(value, 1)) {
              const next = nextElement(layout).element;
              if (next && "digits" in next) break;
              let n = 2;
              while (isDigitAt(value, n)) n++;
              ({ ns: nsec, range } = parseNanos(value, n));
              value = value.slice(n);
            }
            break;
          }
          case "PM":
          case "pm": {
            if (value.length < 2) throw new ParseFailure();
            const p = value.slice(0, 2);
            value = value.slice(2);
            if (p === (kind === "PM" ? "PM" : "pm")) pm = true;
            else if (p === (kind === "PM" ? "AM" : "am")) am = true;
            else throw new ParseFailure();
            break;
          }
          case "MST": {
            if (value.startsWith("UTC")) {
              utc = true;
              value = value.slice(3);
              break;
            }
            const n = zoneNameLength(value);
            if (n === 0) throw new ParseFailure();
            // With Local = UTC every other abbreviation is a zone of zero offset.
            value = value.slice(n);
            break;
          }
          default: {
            // Zone offsets: the ISO 8601 forms also take "Z".
            if (kind.startsWith("Z") && value[0] === "Z") {
              value = value.slice(1);
              utc = true;
              break;
            }
            const shape = kind.slice(1); // 070000, 07:00:00, 0700, 07:00, 07
            let sign: string, hh: string, mm: string, ss: string;
            if (shape === "07:00") {
              if (value.length < 6 || value[3] !== ":") throw new ParseFailure();
              [sign, hh, mm, ss] = [value[0]!, value.slice(1, 3), value.slice(4, 6), "00"];
              value = value.slice(6);
            } else if (shape === "07") {
              if (value.length < 3) throw new ParseFailure();
              [sign, hh, mm, ss] = [value[0]!, value.slice(1, 3), "00", "00"];
              value = value.slice(3);
            } else if (shape === "07:00:00") {
              if (value.length < 9 || value[3] !== ":" || value[6] !== ":") throw new ParseFailure();
              [sign, hh, mm, ss] = [value[0]!, value.slice(1, 3), value.slice(4, 6), value.slice(7, 9)];
              value = value.slice(9);
            } else if (shape === "070000") {
              if (value.length < 7) throw new ParseFailure();
              [sign, hh, mm, ss] = [value[0]!, value.slice(1, 3), value.slice(3, 5), value.slice(5, 7)];
              value = value.slice(7);
            } else {
              if (value.length < 5) throw new ParseFailure();
              [sign, hh, mm, ss] = [value[0]!, value.slice(1, 3), value.slice(3, 5), "00"];
              value = value.slice(5);
            }
            // Go reads all three, then checks ranges, then the sign; a range error wins.
            const h = tryGetnum(hh);
            const m = h === undefined ? undefined : tryGetnum(mm);
            const s = m === undefined ? undefined : tryGetnum(ss);
            if ((h ?? 0) > 24) range = "time zone offset hour";
            if ((m ?? 0) > 60) range = "time zone offset minute";
            if ((s ?? 0) > 60) range = "time zone offset second";
            const bad = h === undefined || m === undefined || s === undefined || (sign !== "+" && sign !== "-");
            zoneOffset = (sign === "-" ? -1 : 1) * (((h ?? 0) * 60 + (m ?? 0)) * 60 + (s ?? 0));
            if (bad && !range) throw new ParseFailure();
          }
        }
      }
    } catch (error) {
      if (!(error instanceof ParseFailure)) throw error;
      if (range) fail(`: ${range} out of range`);
      cannotParse(hold, stdstr);
    }
    if (range) fail(`: ${range} out of range`);
  }
  if (pm && hour < 12) hour += 12;
  else if (am && hour === 12) hour = 0;

  if (yday >= 0) {
    let d = 0;
    let m = 0;
    const leap = year % 4 === 0 && (year % 100 !== 0 || year % 400 === 0);
    if (leap) {
      if (yday === 31 + 29) {
        m = 2;
        d = 29;
      } else if (yday > 31 + 29) {
        yday--;
      }
    }
    if (yday < 1 || yday > 365) fail(": day-of-year out of range");
    if (m === 0) {
      const before = [0, 31, 59, 90, 120, 151, 181, 212, 243, 273, 304, 334, 365];
      m = Math.floor((yday - 1) / 31) + 1;
      if (before[m]! < yday) m++;
      d = yday - before[m - 1]!;
    }
    if (month >= 0 && month !== m) fail(": day-of-year does not match month");
    month = m;
    if (day >= 0 && day !== d) fail(": day-of-year does not match day");
    day = d;
  } else {
    if (month < 0) month = 1;
    if (day < 0) day = 1;
  }
  if (day < 1 || day > daysIn(month, year)) fail(": day out of range");
  const wall = fromCivil({ year, month, day, hour, minute, second, nanosecond: nsec });
  const offset = utc || zoneOffset === undefined ? 0 : zoneOffset;
  return checkRange(wall - BigInt(offset) * NS_PER_SECOND);
}
