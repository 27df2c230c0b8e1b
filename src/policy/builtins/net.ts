// net.cidr_contains_matches, net.cidr_expand, net.cidr_merge and net.cidr_is_valid as topdown computes them
// (v1/topdown/cidr.go, internal/cidr/merge), on Go's net package semantics: addresses are Go's
// byte slices (4 bytes for an IPv4 network, 16 for an address or an IPv6 network, IPv4 mapped as
// ::ffff:a.b.c.d), netip's strict parsing (no leading zeros, no zones), IPNet.Contains and
// IPNet.String as Go has them, quirks included (a plain IPv4 address given to cidr_merge gets
// its class's default mask and keeps its host bits when printed, as OPA prints it).
// net.cidr_contains and cidr_intersects are native to OPA's wasm runtime.

import { BuiltinError, OperandError, stringOperand, valueName } from "./errors.js";
import { isSet, markSet } from "./values.js";

type Bytes = Uint8Array;

interface IPNet {
  ip: Bytes;
  mask: Bytes;
}

const V4_IN_V6 = [0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0xff, 0xff];

function parseIPv4(s: string): Bytes | undefined {
  const fields = s.split(".");
  if (fields.length !== 4) return undefined;
  const out = new Uint8Array(4);
  for (const [i, f] of fields.entries()) {
    if (!/^\d{1,3}$/.test(f) || (f.length > 1 && f[0] === "0")) return undefined;
    const n = Number(f);
    if (n > 255) return undefined;
    out[i] = n;
  }
  return out;
}

/** netip's parseIPv6 (no zone): hex groups, one `::`, an IPv4 tail. */
function parseIPv6(s: string): Bytes | undefined {
  const out = new Uint8Array(16);
  let ellipsis = -1;
  let i = 0;
  let rest = s;
  if (rest.startsWith("::")) {
    ellipsis = 0;
    rest = rest.slice(2);
    if (rest === "") return out;
  }
  while (i < 16) {
    const m = /^[0-9a-fA-F]{1,4}/.exec(rest);
    if (!m) return undefined;
    if (rest.length > m[0].length && rest[m[0].length] === ".") {
      if (ellipsis < 0 && i !== 12) return undefined;
      if (i + 4 > 16) return undefined;
      const v4 = parseIPv4(rest);
      if (!v4) return undefined;
      out.set(v4, i);
      i += 4;
      rest = "";
      break;
    }
    if (/^[0-9a-fA-F]{5}/.test(rest)) return undefined;
    const v = parseInt(m[0], 16);
    out[i] = v >> 8;
    out[i + 1] = v & 0xff;
    i += 2;
    rest = rest.slice(m[0].length);
    if (rest === "") break;
    if (rest[0] !== ":") return undefined;
    if (rest.length === 1) return undefined;
    rest = rest.slice(1);
    if (rest[0] === ":") {
      if (ellipsis >= 0) return undefined;
      ellipsis = i;
      rest = rest.slice(1);
      if (rest === "") break;
    }
  }
  if (rest !== "") return undefined;
  if (i < 16) {
    if (ellipsis < 0) return undefined;
    const n = 16 - i;
    out.copyWithin(ellipsis + n, ellipsis, i);
    out.fill(0, ellipsis, ellipsis + n);
  } else if (ellipsis >= 0) return undefined;
  return out;
}

/** netip.ParseAddr without zones: the 16-byte form, and whether it was IPv4. */
function parseAddr(s: string): { ip16: Bytes; v4: boolean } | undefined {
  if (s.includes("%")) return undefined;
  if (s.includes(".") && !s.includes(":")) {
    const v4 = parseIPv4(s);
    return v4 ? { ip16: new Uint8Array([...V4_IN_V6, ...v4]), v4: true } : undefined;
  }
  const v6 = parseIPv6(s);
  return v6 ? { ip16: v6, v4: false } : undefined;
}

/** net.ParseIP: 16 bytes, or undefined. */
export function parseIP(s: string): Bytes | undefined {
  return parseAddr(s)?.ip16;
}

function cidrMask(ones: number, bits: number): Bytes {
  const out = new Uint8Array(bits / 8);
  for (let i = 0; i < ones; i++) out[i >> 3]! |= 0x80 >> (i & 7);
  return out;
}

function to4(ip: Bytes): Bytes | undefined {
  if (ip.length === 4) return ip;
  if (ip.length === 16 && V4_IN_V6.every((b, i) => ip[i] === b)) return ip.subarray(12);
  return undefined;
}

/** IP.Mask. */
function maskIP(ip: Bytes, mask: Bytes): Bytes | undefined {
  let m = mask;
  let x = ip;
  if (m.length === 16 && x.length === 4 && m.subarray(0, 12).every((b) => b === 0xff)) m = m.subarray(12);
  if (m.length === 4 && x.length === 16 && V4_IN_V6.every((b, i) => x[i] === b)) x = x.subarray(12);
  if (x.length !== m.length) return undefined;
  return x.map((b, i) => b & m[i]!);
}

/** net.ParseCIDR's network, or Go's error. */
export function parseCIDR(s: string): { ip: Bytes; net: IPNet } {
  const slash = s.indexOf("/");
  const fail = (): never => {
    throw new BuiltinError(`invalid CIDR address: ${s}`);
  };
  if (slash < 0) fail();
  const addr = parseAddr(s.slice(0, slash));
  const maskText = s.slice(slash + 1);
  if (!addr || !/^\d+$/.test(maskText) || maskText.length > 8) fail();
  const bits = addr!.v4 ? 32 : 128;
  const ones = Number(maskText);
  if (ones > bits) fail();
  const mask = cidrMask(ones, bits);
  return { ip: addr!.ip16, net: { ip: maskIP(addr!.ip16, mask)!, mask } };
}

function networkNumberAndMask(n: IPNet): { ip: Bytes; mask: Bytes } | undefined {
  let ip = to4(n.ip);
  if (!ip) {
    ip = n.ip;
    if (ip.length !== 16) return undefined;
  }
  let mask = n.mask;
  if (mask.length === 4) {
    if (ip.length !== 4) return undefined;
  } else if (mask.length === 16) {
    if (ip.length === 4) mask = mask.subarray(12);
  } else return undefined;
  return { ip, mask };
}

/** IPNet.Contains. */
function contains(n: IPNet, address: Bytes): boolean {
  const nm = networkNumberAndMask(n);
  if (!nm) return false;
  const ip = to4(address) ?? address;
  if (ip.length !== nm.ip.length) return false;
  return ip.every((b, i) => (nm.ip[i]! & nm.mask[i]!) === (b & nm.mask[i]!));
}

/** IPMask.Size: ones and bits, or [0, 0] for a non-canonical mask. */
function maskSize(mask: Bytes): [number, number] {
  let ones = 0;
  let seenZero = false;
  for (const b of mask) {
    for (let bit = 7; bit >= 0; bit--) {
      if (b & (1 << bit)) {
        if (seenZero) return [0, 0];
        ones++;
      } else seenZero = true;
    }
  }
  return [ones, mask.length * 8];
}

function toBig(bytes: Bytes): bigint {
  let n = 0n;
  for (const b of bytes) n = (n << 8n) | BigInt(b);
  return n;
}

function fromBig(n: bigint, length: number): Bytes {
  const out = new Uint8Array(length);
  let x = n;
  for (let i = length - 1; i >= 0; i--) {
    out[i] = Number(x & 0xffn);
    x >>= 8n;
  }
  return out;
}

/** IP.String. */
export function ipString(ip: Bytes): string {
  const v4 = to4(ip);
  if (v4) return [...v4].join(".");
  if (ip.length !== 16) return "?";
  const groups: number[] = [];
  for (let i = 0; i < 16; i += 2) groups.push((ip[i]! << 8) | ip[i + 1]!);
  // RFC 5952: the longest run of two or more zero groups (the first of equal runs) is "::".
  let bestStart = -1;
  let bestLen = 0;
  for (let i = 0; i < 8; ) {
    if (groups[i] !== 0) {
      i++;
      continue;
    }
    let j = i;
    while (j < 8 && groups[j] === 0) j++;
    if (j - i > bestLen && j - i >= 2) {
      bestStart = i;
      bestLen = j - i;
    }
    i = j;
  }
  if (bestStart < 0) return groups.map((g) => g.toString(16)).join(":");
  const head = groups.slice(0, bestStart).map((g) => g.toString(16)).join(":");
  const tail = groups.slice(bestStart + bestLen).map((g) => g.toString(16)).join(":");
  return `${head}::${tail}`;
}

/** IPNet.String. */
function netString(n: IPNet): string {
  const nm = networkNumberAndMask(n);
  if (!nm) return "<nil>";
  const [ones] = maskSize(nm.mask);
  return `${ipString(nm.ip)}/${ones}`;
}

function lastIP(n: IPNet): Bytes {
  const [ones, bits] = maskSize(n.mask);
  if (ones === 0 && bits === 0) throw new BuiltinError("CIDR mask is in non-standard format");
  if (ones === bits) return n.ip;
  const host = (1n << BigInt(bits - ones)) - 1n;
  return fromBig(toBig(n.ip) | host, bits / 8);
}

const isPlainIPv6Net = (n: IPNet): boolean => n.ip.length === 16 && n.mask.length === 16 && !to4(n.ip);

/** topdown's builtinNetCIDRContains (answered on the host: native-guards.ts). */
export function cidrContains(a: string, b: string): boolean {
  const netA = parseCIDR(a).net;
  const ip = parseIP(b);
  if (ip) return contains(netA, ip);
  let netB: IPNet;
  try {
    netB = parseCIDR(b).net;
  } catch {
    throw new BuiltinError(`not a valid textual representation of an IP address or CIDR: ${b}`);
  }
  if (isPlainIPv6Net(netA) && isPlainIPv6Net(netB)) {
    const [aOnes] = maskSize(netA.mask);
    const [bOnes] = maskSize(netB.mask);
    const masked = maskIP(netB.ip, netA.mask);
    return aOnes <= bOnes && !!masked && masked.every((x, i) => x === netA.ip[i]);
  }
  if (!contains(netA, netB.ip)) return false;
  return contains(netA, lastIP(netB));
}

/** topdown's builtinNetCIDRIntersects: either network holds the other's first address. */
export function cidrIntersects(a: string, b: string): boolean {
  const netA = parseCIDR(a).net;
  const netB = parseCIDR(b).net;
  return contains(netA, netB.ip) || contains(netB, netA.ip);
}

const MATCH_ELEMENT = "element must be string or non-empty array";

function matchTerm(value: unknown, operand: number): unknown {
  if (typeof value === "string") return value;
  if (Array.isArray(value) && !isSet(value) && value.length > 0) return value[0];
  throw new BuiltinError(`operand ${operand}: ${MATCH_ELEMENT}`);
}

/** Each (cidr, key) of a cidr_contains_matches operand, in topdown's order. */
function matchOperand(value: unknown, operand: number): [unknown, unknown][] {
  if (typeof value === "string") return [[value, value]];
  if (Array.isArray(value)) return value.map((v, i) => [matchTerm(v, operand), isSet(value) ? v : i]);
  if (value !== null && typeof value === "object") {
    return Object.keys(value)
      .sort()
      .map((k) => [matchTerm((value as Record<string, unknown>)[k], operand), k]);
  }
  return [];
}

function cidrContainsMatches(a: unknown, b: unknown): unknown[] {
  const out: unknown[] = [];
  const seen = new Set<string>();
  for (const [cidr1, key1] of matchOperand(a, 1)) {
    for (const [cidr2, key2] of matchOperand(b, 2)) {
      // topdown calls net.cidr_contains on the two terms, with its operand checks.
      if (typeof cidr1 !== "string") throw new OperandError(`operand 1 must be string but got ${valueName(cidr1)}`);
      if (typeof cidr2 !== "string") throw new OperandError(`operand 1 must be string but got ${valueName(cidr2)}`);
      if (!cidrContains(cidr1, cidr2)) continue;
      const pair = [key1, key2];
      const id = JSON.stringify(pair);
      if (seen.has(id)) continue;
      seen.add(id);
      out.push(pair);
    }
  }
  return markSet(out);
}

/** Addresses cidr_expand lists at most: beyond, the evaluation fails closed instead of running out of memory. */
const MAX_EXPANDED = 1 << 20;

function cidrExpand(value: unknown): unknown[] {
  const { ip, net } = parseCIDR(stringOperand(value, 1));
  const first = maskIP(ip, net.mask)!;
  const [ones, bits] = maskSize(net.mask);
  if (bits - ones > 20) throw new BuiltinError(`gatehouse expands at most ${MAX_EXPANDED} addresses`);
  const start = toBig(first);
  const count = 1n << BigInt(bits - ones);
  const out: string[] = [];
  for (let i = 0n; i < count; i++) out.push(ipString(fromBig(start + i, first.length)));
  return markSet(out);
}

// ---------------------------------------------------------------------------------------------
// net.cidr_merge: internal/cidr/merge's ranges, 16-byte (IPv4 mapped) addresses as integers

const MAPPED_BASE = 0xffffn << 32n;

interface Range {
  first: bigint;
  last: bigint;
  network?: IPNet;
}

/** GetAddressRange: the first and last address as 16-byte integers. */
function addressRange(n: IPNet): [bigint, bigint] {
  const masked = maskIP(n.ip, n.mask);
  let first = masked ? toBig(masked) : 0n;
  const length = masked?.length ?? 16;
  if (length === 4) first |= MAPPED_BASE;
  let last = first;
  for (let i = 0; i < n.mask.length; i++) {
    const inverted = ~n.mask[n.mask.length - i - 1]! & 0xff;
    last |= BigInt(inverted) << BigInt(8 * i);
  }
  return [first, last];
}

function previousIP(x: bigint): bigint {
  if (x === 0n || x === MAPPED_BASE) return x;
  return x - 1n;
}

function generateIPNet(value: unknown): IPNet {
  if (typeof value !== "string") throw new BuiltinError("element must be string");
  const ip = parseIP(value);
  if (!ip) return parseCIDR(value).net;
  const v4 = to4(ip);
  if (!v4) throw new BuiltinError("IPv6 invalid: needs prefix length");
  // IP.DefaultMask: the address's class, A, B or C.
  const ones = v4[0]! < 0x80 ? 8 : v4[0]! < 0xc0 ? 16 : 24;
  return { ip, mask: cidrMask(ones, 32) };
}

/** The fewest CIDRs covering first..last, printed as IPNet.String prints them. */
function rangeToCidrs(first: bigint, last: bigint): string[] {
  const out: string[] = [];
  let start = first;
  while (start <= last) {
    let size = 0;
    while (size < 128 && (start & ((1n << BigInt(size + 1)) - 1n)) === 0n && start + (1n << BigInt(size + 1)) - 1n <= last) size++;
    out.push(cidrString(start, 128 - size));
    start += 1n << BigInt(size);
  }
  return out;
}

function cidrString(start: bigint, prefix: number): string {
  const ip = fromBig(start, 16);
  if (prefix >= 96 && to4(ip)) return `${ipString(ip)}/${prefix - 96}`;
  return `${ipString(ip)}/${prefix}`;
}

function cidrMerge(value: unknown): unknown[] {
  if (!Array.isArray(value)) throw new BuiltinError("operand must be an array");
  const ranges: Range[] = value.map((v) => {
    const network = generateIPNet(v);
    // OPA 1.22.0 panics merging an IPv6-form network whose address is IPv4-mapped (its range
    // helper appends the mapped prefix to 16 bytes): refused, as there is no answer to match.
    if (value.length > 1 && network.ip.length === 16 && network.mask.length === 16 && to4(network.ip)) {
      throw new BuiltinError(`gatehouse refuses the IPv4-mapped IPv6 network ${String(v)} in net.cidr_merge (OPA panics on it)`);
    }
    const [first, last] = addressRange(network);
    return { first, last, network };
  });
  ranges.sort((a, b) => (a.last !== b.last ? (a.last < b.last ? -1 : 1) : a.first < b.first ? -1 : a.first > b.first ? 1 : 0));
  for (let i = ranges.length - 1; i > 0; i--) {
    const current = ranges[i]!;
    const previous = ranges[i - 1]!;
    if (previousIP(current.first) <= previous.last) {
      ranges[i - 1] = { first: previous.first < current.first ? previous.first : current.first, last: current.last };
      ranges.splice(i, 1);
    }
  }
  const out = new Set<string>();
  for (const r of ranges) {
    if (r.network) out.add(netString(r.network));
    else for (const c of rangeToCidrs(r.first, r.last)) out.add(c);
  }
  return markSet([...out]);
}

/** net.cidr_is_valid: whether net.ParseCIDR accepts it (false for a non-string). */
function cidrIsValid(value: unknown): boolean {
  if (typeof value !== "string") return false;
  try {
    parseCIDR(value);
    return true;
  } catch {
    return false;
  }
}

export const NET_BUILTINS = {
  "net.cidr_is_valid": cidrIsValid,
  "net.cidr_contains_matches": cidrContainsMatches,
  "net.cidr_expand": cidrExpand,
  "net.cidr_merge": cidrMerge,
} satisfies Record<string, (...args: never[]) => unknown>;
