// Host answers for OPA wasm natives that disagree with topdown on some operands.
//
// Why: the C runtime's own JSON and base64 readers are lenient where Go's are strict (`[1 2]`,
// `[1,]`, `00`, `1 2`, `"aGk"`, `"aGk=x"`), so `json.is_valid` and `base64.is_valid` said true
// where `opa eval` and conftest say false, and `json.unmarshal`, `base64.decode` and
// `base64url.decode` returned a value where topdown errs: a deny rule guarding a malformed value
// did not fire (fail-open). `indexof(s, "")` answered 0 where topdown errs, and
// `replace(s, "", x)` looped until the evaluation's timeout (now answered on the host, as Go does). `net.cidr_contains` and
// `net.cidr_intersects` did not see an IPv4-mapped IPv6 address (`::ffff:10.1.2.3`) as the IPv4
// address Go sees, so a deny on an address inside a blocked range did not fire. The runtime's
// `ceil` and `floor` of a number between -1 and 0 are 1 and 0 in OPA 1.22's topdown (it
// truncates, then steps by the truncated value's sign, which is 0 there), where the C runtime
// answers 0 and -1: gatehouse answers as OPA does, so that a rule decides as it does under
// `opa eval` and conftest (a rule `ceil(x) > 0` denies there). The runtime's
// regular expressions are C++ RE2's, which reads `\C` (any byte) where Go's regexp refuses it:
// `regex.match` matched and `regex.is_valid` said true where topdown errs or says false. `concat` of a
// set joined its members in the order of the set's hash buckets, where topdown joins them sorted.
//
// How: strict-natives.ts redirects the policy's calls of these natives to the host under reserved
// builtin ids (NATIVE_GUARD_ID_BASE + index). A "guard" checks the operands as topdown does and
// throws topdown's error (the evaluation fails closed, policy/eval-error), otherwise the native
// runs unchanged (its exact numbers and byte strings are kept); a "host" answer replaces the
// native's result.

import { BuiltinError, OperandError, operandTypeError, stringOperand, valueName } from "./errors.js";
import { isSet } from "./values.js";
import { named, type BuiltinFn } from "./index.js";
import { cidrContains, cidrIntersects } from "./net.js";
import { globSyntaxError } from "./glob-syntax.js";
import { goJson } from "./json-marshal.js";
import { topdownBuiltin } from "./topdown.js";
import { aggregateArith, binaryArith, formatInt, unaryArith } from "./arith.js";

/**
 * guard: checked on the host, then the native; host: answered on the host; host-for-sets:
 * answered on the host when operand `setOperand` is a set, else the native; host-when-contains:
 * asked of the host when a string operand holds a text (`hostWhenContains`), which answers or
 * defers (undefined) to the native; host-or-native: asked of the host, which answers or defers;
 * host-unless-ints: the native when every operand is a number the runtime holds as an int64
 * (checked in the wasm, no host call), else host-or-native; host-on-null: the native, and where it
 * gives NULL (operands it refuses) the host's answer or error
 */
export type GuardMode = "guard" | "host" | "host-for-sets" | "host-when-contains" | "host-or-native" | "host-unless-ints" | "host-on-null";

export interface NativeGuard {
  /** the runtime function's name in the wasm (OPA's builtin -> function table) */
  native: string;
  /** the Rego name, as errors name it */
  builtin: string;
  mode: GuardMode;
  /** guard: returns normally (any value) or throws topdown's error; host: the builtin's result */
  fn: BuiltinFn;
  /** host-for-sets: the operand (0-based) whose being a set sends the call to the host */
  setOperand?: number;
  /** host-when-contains: the string operand (0-based) and the text whose presence sends the call to the host */
  hostWhenContains?: { operand: number; text: string };
  /** whether fn gets numbers as RegoNumber (their exact text, values.ts) rather than doubles */
  exactNumbers?: boolean;
  /** whether an object key that is not a string may reach fn as its JSON text (json.marshal's answer) */
  keysAsText?: boolean;
}

/** Go's encoding/json scanner refuses documents nested deeper than this (maxNestingDepth). */
const GO_JSON_MAX_DEPTH = 10_000;

/** Go's json.Valid: RFC 8259 text (JSON.parse agrees on the grammar) nested at most 10,000 deep. */
function goJsonValid(text: string): boolean {
  try {
    JSON.parse(text);
  } catch {
    return false;
  }
  return jsonDepth(text) <= GO_JSON_MAX_DEPTH;
}

/** The deepest nesting of arrays and objects in JSON text already known to parse. */
function jsonDepth(text: string): number {
  let depth = 0;
  let deepest = 0;
  let inString = false;
  for (let i = 0; i < text.length; i++) {
    const ch = text.charCodeAt(i);
    if (inString) {
      if (ch === 0x5c) i++;
      else if (ch === 0x22) inString = false;
    } else if (ch === 0x22) inString = true;
    else if (ch === 0x5b || ch === 0x7b) deepest = Math.max(deepest, ++depth);
    else if (ch === 0x5d || ch === 0x7d) depth--;
  }
  return deepest;
}

const STD_BASE64 = /^(?:[A-Za-z0-9+/]{4})*(?:[A-Za-z0-9+/]{2}==|[A-Za-z0-9+/]{3}=)?$/;
const URL_BASE64 = /^(?:[A-Za-z0-9_-]{4})*(?:[A-Za-z0-9_-]{2}==|[A-Za-z0-9_-]{3}=)?$/;

/**
 * Whether Go's base64.StdEncoding / URLEncoding (padded, not Strict) decodes the text: it skips
 * CR and LF anywhere, then needs whole quanta with padding only at the end.
 */
function goBase64Decodes(text: string, alphabet: RegExp): boolean {
  return alphabet.test(text.replace(/[\r\n]/g, ""));
}

function jsonUnmarshalGuard(value: unknown): true {
  const text = stringOperand(value, 1);
  if (!goJsonValid(text)) throw new BuiltinError("invalid JSON (as Go's encoding/json reads it)");
  return true;
}

function base64DecodeGuard(value: unknown): true {
  if (!goBase64Decodes(stringOperand(value, 1), STD_BASE64)) throw new BuiltinError("illegal base64 data");
  return true;
}

/** topdown's base64url.decode pads unpadded text by its length (RFC 7515 appendix C) first. */
function base64UrlDecodeGuard(value: unknown): true {
  let text = stringOperand(value, 1);
  if (!text.endsWith("=")) {
    const rest = text.length % 4;
    if (rest === 1) throw new BuiltinError(`illegal base64url string: ${text}`);
    text += rest === 2 ? "==" : rest === 3 ? "=" : "";
  }
  if (!goBase64Decodes(text, URL_BASE64)) throw new BuiltinError("illegal base64 data");
  return true;
}

function indexofGuard(base: unknown, search: unknown): true {
  stringOperand(base, 1);
  if (stringOperand(search, 2) === "") throw new BuiltinError("empty search character");
  return true;
}

/**
 * The runtime loops forever on an empty old string: that call is answered here as topdown
 * answers it (a strings.Replacer, which inserts the replacement before every byte and at the end:
 * `replace("abc", "", "-")` is "-a-b-c-"); any other is the native's. Between the bytes of a
 * multi-byte character the result is no longer UTF-8, which a JavaScript string cannot hold: that
 * call errs (fail closed) rather than answer otherwise than opa eval.
 */
function replaceEmptyOld(text: unknown, old: unknown, replacement: unknown): string | undefined {
  const subject = stringOperand(text, 1);
  const search = stringOperand(old, 2);
  const inserted = stringOperand(replacement, 3);
  if (search !== "") return undefined;
  // eslint-disable-next-line no-control-regex
  if (!/^[\x00-\x7f]*$/.test(subject)) {
    throw new BuiltinError("an empty old string splits the UTF-8 bytes of a non-ASCII string, which gatehouse cannot represent");
  }
  let out = inserted;
  for (let i = 0; i < subject.length; i++) out += subject[i]! + inserted;
  return out;
}

/** Patterns already checked (valid or not), as topdown caches its compiled globs. */
const globChecked = new Map<string, string | undefined>();
const GLOB_CHECKED_MAX = 1000;

/**
 * topdown's glob.match refuses what the runtime's C++ glob compiler accepts (glob-syntax.ts): a
 * pattern gobwas/glob v1.0.0 does not compile, and a delimiter that is not exactly one character.
 * Other operand errors are the native's (a NULL the strict-natives checker turns into an error).
 */
function globMatchGuard(pattern: unknown, delimiters: unknown, _match: unknown): true {
  if (typeof pattern !== "string" || (delimiters !== null && !Array.isArray(delimiters))) return true;
  if (Array.isArray(delimiters)) {
    for (const delimiter of delimiters) {
      if (typeof delimiter === "string" && Array.from(delimiter).length !== 1) {
        throw new OperandError(`operand 2 must be array of runes but got array containing string`);
      }
    }
  }
  let error = globChecked.get(pattern);
  if (!globChecked.has(pattern)) {
    error = globSyntaxError(pattern);
    if (globChecked.size >= GLOB_CHECKED_MAX) globChecked.clear();
    globChecked.set(pattern, error);
  }
  if (error !== undefined) throw new BuiltinError(`glob: syntax error: ${error}`);
  return true;
}

const DECIMAL = /^[+-]?(?:\d+\.?\d*|\.\d+)(?:[eE][+-]?\d+)?$/;

/**
 * topdown's to_number reads a string with strconv.ParseFloat first, which errs on a decimal
 * beyond the largest double (`1e400`: value out of range); the runtime kept the text as a number.
 * Rounding to the nearest double is the same in JavaScript, so the overflow is the same.
 */
function toNumberGuard(value: unknown): true {
  if (typeof value === "string" && DECIMAL.test(value) && !Number.isFinite(Number(value))) {
    throw new BuiltinError(`strconv.ParseFloat: parsing ${JSON.stringify(value)}: value out of range`);
  }
  return true;
}

/** Go's answers to regex.is_valid, by pattern (bounded as the glob cache is). */
const regexValid = new Map<string, unknown>();

/**
 * regex.is_valid as Go's regexp answers it, from topdown: the runtime's RE2 (C++) is older than
 * Go's and said false to `(?<name>...)`, to the scripts of Unicode 14 and later (`\p{Kawi}`), and
 * to programs over its size limit (`\pL{1000}`), and true to `\C`; a rule that matched only valid
 * patterns (`regex.is_valid(p); regex.match(p, x)`) then skipped them. Without the builtins
 * module there is no Go to ask: the call errs (fail closed) rather than answer as the C++ does.
 */
function regexIsValid(pattern: unknown): unknown {
  if (typeof pattern !== "string") return false;
  if (regexValid.has(pattern)) return regexValid.get(pattern);
  const topdown = (regexIsValidTopdown ??= topdownBuiltin("regex.is_valid") ?? null);
  if (topdown === null) throw new BuiltinError("Go's regexp syntax is answered by the builtins module, which is not installed");
  const answer = topdown(pattern);
  if (regexValid.size >= GLOB_CHECKED_MAX) regexValid.clear();
  regexValid.set(pattern, answer);
  return answer;
}
let regexIsValidTopdown: ((...args: unknown[]) => unknown) | null | undefined;

function jsonIsValid(value: unknown): boolean {
  return typeof value === "string" && goJsonValid(value);
}

function base64IsValid(value: unknown): boolean {
  if (typeof value !== "string") throw new OperandError(operandTypeError(1, value, "string"));
  return goBase64Decodes(value, STD_BASE64);
}

/** concat(delimiter, array or set of strings), a set's members in sorted order (as the bridge reads them). */
function concatStrings(delimiter: unknown, collection: unknown): string {
  const joiner = stringOperand(delimiter, 1);
  if (!Array.isArray(collection)) throw new OperandError(`operand 2 must be one of {set, array} but got ${valueName(collection)}`);
  const kind = isSet(collection) ? "set" : "array";
  for (const member of collection) {
    if (typeof member !== "string") throw new OperandError(`operand 2 must be ${kind} of strings but got ${kind} containing ${valueName(member)}`);
  }
  return collection.join(joiner);
}

/** Whether a pattern holds the escape \C (a backslash not itself escaped, then C), which Go's regexp refuses. */
function hasAnyByteEscape(pattern: string): boolean {
  for (let i = 0; i < pattern.length - 1; i++) {
    if (pattern[i] !== "\\") continue;
    if (pattern[i + 1] === "C") return true;
    if (pattern[i + 1] === "Q") {
      // \Q...\E quotes everything up to \E (or the end) literally
      const end = pattern.indexOf("\\E", i + 2);
      if (end < 0) return false;
      i = end + 1;
      continue;
    }
    i++; // the escaped character
  }
  return false;
}

const ANY_BYTE_ERROR = "error parsing regexp: invalid escape sequence: `\\C`";

/** regex.match and regex.find_all_string_submatch_n: Go's error for \C, else the native. */
function anyByteEscapeGuard(pattern: unknown): undefined {
  if (typeof pattern === "string" && hasAnyByteEscape(pattern)) throw new BuiltinError(ANY_BYTE_ERROR);
  return undefined;
}


/** The runtime functions of the builtins answered by topdown where the native refuses (OPA's builtin -> function table). */
const NATIVE_OF = {
  "array.slice": "opa_array_slice",
  substring: "opa_strings_substring",
  "bits.or": "opa_bits_or",
  "bits.and": "opa_bits_and",
  "bits.negate": "opa_bits_negate",
  "bits.xor": "opa_bits_xor",
  "bits.lsh": "opa_bits_shiftleft",
  "bits.rsh": "opa_bits_shiftright",
} as const;

/**
 * topdown's answer for the operands the native refused. Without the builtins module there is no
 * Go to ask: the call errs as before (fail closed), naming why.
 */
function topdownOnNull(builtin: keyof typeof NATIVE_OF): BuiltinFn {
  let topdown: ((...args: unknown[]) => unknown) | null | undefined;
  return (...args: unknown[]) => {
    topdown ??= topdownBuiltin(builtin) ?? null;
    if (topdown === null) throw new OperandError(`${builtin}: invalid operands (the builtins module that answers these as topdown does is not installed)`);
    return topdown(...args);
  };
}

/** Reserved builtin ids, far above any module's own table (its ids count from 0). */
export const NATIVE_GUARD_ID_BASE = 0x10000000;

function nativeGuard(
  native: string,
  builtin: string,
  mode: GuardMode,
  fn: BuiltinFn,
  options: { setOperand?: number; exactNumbers?: boolean; keysAsText?: boolean } = {},
): NativeGuard {
  return { native, builtin, mode, fn: named(builtin, fn), exactNumbers: options.exactNumbers ?? false, keysAsText: options.keysAsText ?? false, ...(options.setOperand === undefined ? {} : { setOperand: options.setOperand }) };
}

/** Asked of the host only when the pattern (operand 0) holds a backslash and a C. */
function anyByteGuard(native: string, builtin: string, fn: BuiltinFn): NativeGuard {
  return { native, builtin, mode: "host-when-contains", fn: named(builtin, fn), hostWhenContains: { operand: 0, text: "\\C" } };
}

/**
 * json.marshal as Go's encoding/json writes it (json-marshal.ts): the runtime's C writer left `<`,
 * `>`, `&`, U+2028 and U+2029 unescaped, so a rule comparing or searching the text
 * (`contains(json.marshal(x), "\\u003c")`, an equality with a known document) answered
 * otherwise than opa eval; object keys sorted as Go sorts them; numbers as their exact text.
 */
function jsonMarshal(value: unknown): string {
  return goJson(value);
}

export const NATIVE_GUARDS: readonly NativeGuard[] = [
  nativeGuard("opa_json_is_valid", "json.is_valid", "host", jsonIsValid),
  nativeGuard("opa_base64_is_valid", "base64.is_valid", "host", base64IsValid),
  // IPv4-mapped IPv6 addresses (::ffff:10.1.2.3) are the IPv4 address to Go's net package, not to the runtime's.
  nativeGuard("opa_cidr_contains", "net.cidr_contains", "host", (a: unknown, b: unknown) => cidrContains(stringOperand(a, 1), stringOperand(b, 2))),
  nativeGuard("opa_cidr_intersects", "net.cidr_intersects", "host", (a: unknown, b: unknown) => cidrIntersects(stringOperand(a, 1), stringOperand(b, 2))),
  // A set's members joined in sorted order, as topdown joins them (the native walks its buckets);
  // an array is joined by the native.
  nativeGuard("opa_strings_concat", "concat", "host-for-sets", concatStrings, { setOperand: 1 }),
  // Arithmetic as topdown computes it (arith.ts): int64 operands stay with the native (exact in
  // both); anything else is answered on the host (big.Float at 64 bits where topdown uses it).
  // ceil and floor of -1 < x < 0 are 1 and 0 there (topdown truncates, then steps by the sign of
  // the truncated value, which is 0).
  nativeGuard("opa_arith_plus", "plus", "host-unless-ints", binaryArith("plus"), { exactNumbers: true }),
  nativeGuard("opa_arith_minus", "minus", "host-unless-ints", binaryArith("minus"), { exactNumbers: true }),
  nativeGuard("opa_arith_multiply", "mul", "host-unless-ints", binaryArith("mul"), { exactNumbers: true }),
  nativeGuard("opa_arith_divide", "div", "host-or-native", binaryArith("div"), { exactNumbers: true }),
  nativeGuard("opa_arith_rem", "rem", "host-unless-ints", binaryArith("rem"), { exactNumbers: true }),
  nativeGuard("opa_arith_abs", "abs", "host-unless-ints", unaryArith("abs"), { exactNumbers: true }),
  nativeGuard("opa_arith_round", "round", "host-unless-ints", unaryArith("round"), { exactNumbers: true }),
  nativeGuard("opa_arith_ceil", "ceil", "host-unless-ints", unaryArith("ceil"), { exactNumbers: true }),
  nativeGuard("opa_arith_floor", "floor", "host-unless-ints", unaryArith("floor"), { exactNumbers: true }),
  nativeGuard("opa_agg_sum", "sum", "host-or-native", aggregateArith("sum"), { exactNumbers: true }),
  nativeGuard("opa_agg_product", "product", "host-or-native", aggregateArith("product"), { exactNumbers: true }),
  nativeGuard("opa_strings_format_int", "format_int", "host-or-native", formatInt, { exactNumbers: true }),
  anyByteGuard("opa_regex_match", "regex.match", anyByteEscapeGuard),
  anyByteGuard("opa_regex_find_all_string_submatch", "regex.find_all_string_submatch_n", anyByteEscapeGuard),
  nativeGuard("opa_json_unmarshal", "json.unmarshal", "guard", jsonUnmarshalGuard),
  nativeGuard("opa_base64_decode", "base64.decode", "guard", base64DecodeGuard),
  nativeGuard("opa_base64_url_decode", "base64url.decode", "guard", base64UrlDecodeGuard),
  nativeGuard("opa_strings_indexof", "indexof", "guard", indexofGuard),
  nativeGuard("opa_strings_replace", "replace", "host-or-native", replaceEmptyOld),
  nativeGuard("opa_glob_match", "glob.match", "guard", globMatchGuard),
  nativeGuard("opa_regex_is_valid", "regex.is_valid", "host", regexIsValid),
  nativeGuard("opa_to_number", "to_number", "guard", toNumberGuard),
  nativeGuard("opa_json_marshal", "json.marshal", "host", jsonMarshal, { exactNumbers: true, keysAsText: true }),
  // Index and bit operands: the C runtime refuses a number it holds as a float (`1.0`, `2.0` from
  // a division) where topdown takes any number that is an integer, so `array.slice(a, 1.0, 2)`
  // erred where opa eval answers. Where the native refuses, topdown answers or gives its error.
  ...(["array.slice", "substring", "bits.or", "bits.and", "bits.negate", "bits.xor", "bits.lsh", "bits.rsh"] as const).map((builtin) =>
    nativeGuard(NATIVE_OF[builtin], builtin, "host-on-null", topdownOnNull(builtin), { exactNumbers: true }),
  ),
];

/** The host function behind a reserved id, or undefined for an id that is not one. */
export function nativeGuardById(id: number): NativeGuard | undefined {
  return id >= NATIVE_GUARD_ID_BASE ? NATIVE_GUARDS[id - NATIVE_GUARD_ID_BASE] : undefined;
}
