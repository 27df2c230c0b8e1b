// uuid.parse and uuid.rfc4122 as topdown computes them (v1/topdown/uuid.go, internal/uuid): the
// forms github.com/google/uuid's Parse accepts (36 characters; 38, whose first and last
// characters it does not check; "urn:uuid:" in any case; 32 hex digits), the fields OPA reports
// per version, and version 4 UUIDs from node:crypto, the same one for the same key within an
// evaluation, as topdown caches them per query.

import { randomBytes } from "node:crypto";
import { stringOperand } from "./errors.js";
import { exactJson } from "./exact.js";

/** 100-nanosecond intervals between the Gregorian reform (1582-10-15) and the Unix epoch. */
const G1582_NS100 = 122192928000000000n;

function hexByte(bytes: Buffer, at: number): number | undefined {
  const text = bytes.subarray(at, at + 2).toString("latin1");
  return /^[0-9a-fA-F]{2}$/.test(text) ? parseInt(text, 16) : undefined;
}

function parseUuid(text: string): Buffer | undefined {
  let s = Buffer.from(text, "utf8");
  const uuid = Buffer.alloc(16);
  switch (s.length) {
    case 36:
      break;
    case 45:
      if (s.subarray(0, 9).toString("latin1").toLowerCase() !== "urn:uuid:") return undefined;
      s = s.subarray(9);
      break;
    case 38:
      s = s.subarray(1);
      break;
    case 32:
      for (let i = 0; i < 16; i++) {
        const v = hexByte(s, i * 2);
        if (v === undefined) return undefined;
        uuid[i] = v;
      }
      return uuid;
    default:
      return undefined;
  }
  if (s[8] !== 0x2d || s[13] !== 0x2d || s[18] !== 0x2d || s[23] !== 0x2d) return undefined;
  for (const [i, x] of [0, 2, 4, 6, 9, 11, 14, 16, 19, 21, 24, 26, 28, 30, 32, 34].entries()) {
    const v = hexByte(s, x);
    if (v === undefined) return undefined;
    uuid[i] = v;
  }
  return uuid;
}

function variant(u: Buffer): string {
  if ((u[8]! & 0xc0) === 0x80) return "RFC4122";
  if ((u[8]! & 0xe0) === 0xc0) return "Microsoft";
  if ((u[8]! & 0xe0) === 0xe0) return "Future";
  return "Reserved";
}

function macVariables(b: number): string {
  if ((b & 0b11) === 0b11) return "local:multicast";
  if ((b & 0b01) === 0b01) return "global:multicast";
  if ((b & 0b10) === 0b10) return "local:unicast";
  return "global:unicast";
}

const DOMAINS = ["Person", "Group", "Org"];

/** The parsed fields as JSON text (exactJson): the time in nanoseconds is past 2^53. */
function uuidParse(value: unknown): ArrayBuffer | undefined {
  const u = parseUuid(stringOperand(value, 1));
  // topdown: an unparsable UUID makes the call undefined, not an error.
  if (!u) return undefined;
  const version = u[6]! >> 4;
  const out: Record<string, unknown> = { version, variant: variant(u) };
  if (version === 1 || version === 2) {
    const time = BigInt(u.readUInt32BE(0)) | (BigInt(u.readUInt16BE(4)) << 32n) | (BigInt(u.readUInt16BE(6) & 0xfff) << 48n);
    const sec = time - G1582_NS100;
    // int64 arithmetic, as OPA's nanoUnix does it (uuid.Time.UnixTime, then sec * 1e9 + nsec):
    // a time before 1677 or after 2262 wraps around, as it does under opa eval and conftest.
    const ns = BigInt.asIntN(64, BigInt.asIntN(64, (sec / 10000000n) * 1000000000n) + (sec % 10000000n) * 100n);
    out.time = `\u0000int:${ns}`;
    out.nodeid = [...u.subarray(10, 16)].map((b) => b.toString(16).padStart(2, "0")).join("-");
    out.macvariables = macVariables(u[10]!);
    out.clocksequence = u.readUInt16BE(8) & 0x3fff;
    if (version === 2) {
      out.id = u.readUInt32BE(0);
      out.domain = DOMAINS[u[9]!] ?? `Domain${u[9]}`;
    }
  }
  return exactJson(JSON.stringify(out).replace(/"\\u0000int:(-?\d+)"/, "$1"));
}

function newUuid(): string {
  const b = randomBytes(16);
  b[8] = (b[8]! & ~0xc0) | 0x80;
  b[6] = (b[6]! & ~0xf0) | 0x40;
  const h = b.toString("hex");
  return `${h.slice(0, 8)}-${h.slice(8, 12)}-${h.slice(12, 16)}-${h.slice(16, 20)}-${h.slice(20)}`;
}

/** uuid.* for one builtin table; `evaluation` tells evaluations apart (a new one empties the cache). */
export function uuidBuiltins(evaluation: () => number) {
  const cache = new Map<string, string>();
  let cachedFor = -1;
  return {
    "uuid.parse": uuidParse,
    "uuid.rfc4122": (key: unknown): string => {
      const now = evaluation();
      if (now !== cachedFor) {
        cache.clear();
        cachedFor = now;
      }
      const id = JSON.stringify(key);
      let value = cache.get(id);
      if (value === undefined) {
        value = newUuid();
        cache.set(id, value);
      }
      return value;
    },
  } satisfies Record<string, (...args: never[]) => unknown>;
}
