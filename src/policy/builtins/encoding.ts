// Digest, HMAC and encoding builtins that OPA's wasm runtime imports from the host: written to
// topdown's semantics (Go's crypto, encoding/hex, encoding/base64 and net/url), checked against
// `opa eval` in test/builtins.test.ts. Strings are UTF-8 bytes, as in Go.

import { createHash, createHmac, timingSafeEqual } from "node:crypto";
import { BuiltinError, OperandError, operandTypeError, stringOperand } from "./errors.js";

function digest(algorithm: string): (value: unknown) => string {
  return (value) => createHash(algorithm).update(stringOperand(value, 1), "utf8").digest("hex");
}

function hmac(algorithm: string): (message: unknown, key: unknown) => string {
  return (message, key) => {
    const text = stringOperand(message, 1);
    return createHmac(algorithm, Buffer.from(stringOperand(key, 2), "utf8")).update(text, "utf8").digest("hex");
  };
}

/** Go's hex.DecodeString: strict, with its error messages. */
function hexDecode(value: unknown): string {
  const text = stringOperand(value, 1);
  const bytes = Buffer.from(text, "utf8");
  const out = Buffer.alloc(bytes.length >> 1);
  const nibble = (b: number): number => (b >= 0x30 && b <= 0x39 ? b - 0x30 : b >= 0x61 && b <= 0x66 ? b - 0x57 : b >= 0x41 && b <= 0x46 ? b - 0x37 : -1);
  let i = 0;
  for (; i + 1 < bytes.length; i += 2) {
    const hi = nibble(bytes[i]!);
    if (hi < 0) throw new BuiltinError(`encoding/hex: invalid byte: ${goRuneQuote(text, i, bytes)}`);
    const lo = nibble(bytes[i + 1]!);
    if (lo < 0) throw new BuiltinError(`encoding/hex: invalid byte: ${goRuneQuote(text, i + 1, bytes)}`);
    out[i >> 1] = (hi << 4) | lo;
  }
  if (bytes.length % 2 === 1) {
    // Go checks the odd trailing byte for validity before reporting the odd length.
    if (nibble(bytes[i]!) < 0) throw new BuiltinError(`encoding/hex: invalid byte: ${goRuneQuote(text, i, bytes)}`);
    throw new BuiltinError("encoding/hex: odd length hex string");
  }
  return out.toString("utf8");
}

/** Go's InvalidByteError text for the byte at `at`: %#U of the byte as a rune, e.g. U+0067 'g'. */
function goRuneQuote(_text: string, at: number, bytes: Buffer): string {
  const b = bytes[at]!;
  const hex = `U+${b.toString(16).toUpperCase().padStart(4, "0")}`;
  // %#U prints the character too when it is printable (Latin-1 here: the byte read as a rune).
  const printable = (b >= 0x20 && b < 0x7f) || b >= 0xa1;
  return printable && b !== 0xad ? `${hex} '${String.fromCharCode(b)}'` : hex;
}

function base64UrlNoPad(value: unknown): string {
  return Buffer.from(stringOperand(value, 1), "utf8").toString("base64url");
}

/** Go's url.QueryEscape: letters, digits and -_.~ stay; space becomes +; every other byte %XX. */
export function queryEscape(text: string): string {
  let out = "";
  for (const b of Buffer.from(text, "utf8")) {
    if ((b >= 0x61 && b <= 0x7a) || (b >= 0x41 && b <= 0x5a) || (b >= 0x30 && b <= 0x39) || b === 0x2d || b === 0x5f || b === 0x2e || b === 0x7e) {
      out += String.fromCharCode(b);
    } else if (b === 0x20) {
      out += "+";
    } else {
      out += `%${b.toString(16).toUpperCase().padStart(2, "0")}`;
    }
  }
  return out;
}

/** Go's url.QueryUnescape: + is a space, %XX a byte; a bad escape is an error naming it. */
function queryUnescape(value: unknown): string {
  const text = stringOperand(value, 1);
  const bytes = Buffer.from(text, "utf8");
  const out: number[] = [];
  const isHex = (b: number | undefined): boolean => b !== undefined && ((b >= 0x30 && b <= 0x39) || (b >= 0x61 && b <= 0x66) || (b >= 0x41 && b <= 0x46));
  for (let i = 0; i < bytes.length; i++) {
    const b = bytes[i]!;
    if (b === 0x25 /* % */) {
      if (!isHex(bytes[i + 1]) || !isHex(bytes[i + 2])) {
        const bad = bytes.subarray(i, Math.min(i + 3, bytes.length)).toString("utf8");
        throw new BuiltinError(`invalid URL escape ${goQuote(bad)}`);
      }
      out.push(parseInt(String.fromCharCode(bytes[i + 1]!, bytes[i + 2]!), 16));
      i += 2;
    } else if (b === 0x2b /* + */) {
      out.push(0x20);
    } else {
      out.push(b);
    }
  }
  return Buffer.from(out).toString("utf8");
}

/** Go's url.ParseQuery: `&`-separated pairs, each unescaped; any bad pair is an error (topdown's). */
function queryDecodeObject(value: unknown): Record<string, string[]> {
  const out: Record<string, string[]> = Object.create(null) as Record<string, string[]>;
  let error: BuiltinError | undefined;
  for (const pair of stringOperand(value, 1).split("&")) {
    if (pair.includes(";")) {
      error ??= new BuiltinError("invalid semicolon separator in query");
      continue;
    }
    if (pair === "") continue;
    const eq = pair.indexOf("=");
    try {
      const key = queryUnescape(eq < 0 ? pair : pair.slice(0, eq));
      const v = queryUnescape(eq < 0 ? "" : pair.slice(eq + 1));
      (out[key] ??= []).push(v);
    } catch (e) {
      if (!(e instanceof BuiltinError)) throw e;
      error ??= e;
    }
  }
  if (error) throw error;
  return { ...out };
}

/** strconv.Quote for the short texts of error messages. */
function goQuote(text: string): string {
  return JSON.stringify(text).replace(/\\u00([0-9a-f]{2})/g, "\\x$1");
}

/** url.Values{...}.Encode(): keys sorted, each value in order, all query-escaped. */
function queryEncodeObject(value: unknown): string {
  if (typeof value !== "object" || value === null || Array.isArray(value)) {
    throw new OperandError(operandTypeError(1, value, "object"));
  }
  const pairs: string[] = [];
  const entries = Object.entries(value as Record<string, unknown>);
  for (const [, v] of entries) {
    const ok = typeof v === "string" || (Array.isArray(v) && v.every((x) => typeof x === "string"));
    if (!ok) throw new BuiltinError("operand 1 values must be string, array[string], or set[string]");
  }
  for (const [key, v] of entries.sort(([a], [b]) => (Buffer.compare(Buffer.from(a), Buffer.from(b))))) {
    for (const item of typeof v === "string" ? [v] : (v as string[])) pairs.push(`${queryEscape(key)}=${queryEscape(item)}`);
  }
  return pairs.join("&");
}

function hmacEqual(a: unknown, b: unknown): boolean {
  const x = Buffer.from(stringOperand(a, 1), "utf8");
  const y = Buffer.from(stringOperand(b, 2), "utf8");
  return x.length === y.length && timingSafeEqual(x, y);
}

export const ENCODING_BUILTINS = {
  "crypto.md5": digest("md5"),
  "crypto.sha1": digest("sha1"),
  "crypto.hmac.md5": hmac("md5"),
  "crypto.hmac.sha1": hmac("sha1"),
  "crypto.hmac.sha256": hmac("sha256"),
  "crypto.hmac.sha512": hmac("sha512"),
  "crypto.hmac.equal": hmacEqual,
  "hex.encode": (value: unknown) => Buffer.from(stringOperand(value, 1), "utf8").toString("hex"),
  "hex.decode": hexDecode,
  "base64url.encode_no_pad": base64UrlNoPad,
  "urlquery.encode": (value: unknown) => queryEscape(stringOperand(value, 1)),
  "urlquery.decode": queryUnescape,
  "urlquery.decode_object": queryDecodeObject,
  "urlquery.encode_object": queryEncodeObject,
} satisfies Record<string, (...args: never[]) => unknown>;
