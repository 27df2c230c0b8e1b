// OPA's semver.is_valid / semver.compare. OPA's parser (internal/semver) is semver 2.0.0 with
// one leniency, kept here so results match: a leading "v" is ignored. Build metadata is
// validated but ignored for precedence; prerelease identifiers compare numerically when both
// are numeric, numeric < alphanumeric, otherwise bytewise; a shorter prefix-equal list is lower.

import { BuiltinError, OperandError, operandTypeError } from "./errors.js";
import { goQuote } from "./sprintf.js";

interface Version {
  major: bigint;
  minor: bigint;
  patch: bigint;
  prerelease: string;
}

const IDENTIFIERS = /^[0-9A-Za-z-]+(\.[0-9A-Za-z-]+)*$/;
const NUMERIC = /^[0-9]+$/;
const INT64_MAX = 2n ** 63n - 1n;

function cut(s: string, separator: string): [string, string, boolean] {
  const i = s.indexOf(separator);
  return i < 0 ? [s, "", false] : [s.slice(0, i), s.slice(i + 1), true];
}

function numericPart(s: string): bigint | undefined {
  if (!NUMERIC.test(s) || (s.length > 1 && s[0] === "0")) return undefined;
  const n = BigInt(s);
  return n > INT64_MAX ? undefined : n;
}

export function parseSemver(text: string): Version | undefined {
  let rest = text.startsWith("v") ? text.slice(1) : text;
  let metadata: string;
  let found: boolean;
  [rest, metadata, found] = cut(rest, "+");
  if (found && !IDENTIFIERS.test(metadata)) return undefined;
  let prerelease: string;
  [rest, prerelease, found] = cut(rest, "-");
  if (found) {
    if (!IDENTIFIERS.test(prerelease)) return undefined;
    // Numeric prerelease identifiers must not have leading zeros.
    if (prerelease.split(".").some((id) => id.length > 1 && id[0] === "0" && NUMERIC.test(id))) return undefined;
  }
  const parts = rest.split(".");
  if (parts.length !== 3) return undefined;
  const [major, minor, patch] = parts.map(numericPart);
  if (major === undefined || minor === undefined || patch === undefined) return undefined;
  return { major, minor, patch, prerelease };
}

function compareIdentifiers(a: string, b: string): number {
  const aNumeric = NUMERIC.test(a);
  const bNumeric = NUMERIC.test(b);
  if (aNumeric && bNumeric) {
    const x = BigInt(a);
    const y = BigInt(b);
    return x === y ? 0 : x < y ? -1 : 1;
  }
  if (aNumeric !== bNumeric) return aNumeric ? -1 : 1;
  return a === b ? 0 : a < b ? -1 : 1;
}

export function compareVersions(a: Version, b: Version): number {
  for (const key of ["major", "minor", "patch"] as const) {
    if (a[key] !== b[key]) return a[key] < b[key] ? -1 : 1;
  }
  if (a.prerelease === b.prerelease) return 0;
  // A release ranks above any of its prereleases.
  if (a.prerelease === "") return 1;
  if (b.prerelease === "") return -1;
  const x = a.prerelease.split(".");
  const y = b.prerelease.split(".");
  for (let i = 0; i < Math.min(x.length, y.length); i++) {
    const c = compareIdentifiers(x[i]!, y[i]!);
    if (c !== 0) return c;
  }
  return x.length === y.length ? 0 : x.length < y.length ? -1 : 1;
}

export function semverIsValid(value: unknown): boolean {
  return typeof value === "string" && parseSemver(value) !== undefined;
}

export function semverCompare(a: unknown, b: unknown): number {
  if (typeof a !== "string") throw new OperandError(operandTypeError(1, a, "string"));
  if (typeof b !== "string") throw new OperandError(operandTypeError(2, b, "string"));
  const x = parseSemver(a);
  if (!x) throw new BuiltinError(`operand 1: string ${goQuote(a)} is not a valid SemVer`);
  const y = parseSemver(b);
  if (!y) throw new BuiltinError(`operand 2: string ${goQuote(b)} is not a valid SemVer`);
  return compareVersions(x, y);
}
