// Builtins gatehouse implements for policies compiled to wasm. OPA's wasm runtime implements
// most builtins natively; the ones it does not are imported from the host. The SDK provides a
// few (SDK_BUILTINS); everything governance policies need beyond that is implemented here.
// The load-time audit (src/policy/runtime.ts) refuses a module that imports anything else.

import { createHash } from "node:crypto";
import { goSprintf } from "./sprintf.js";

/** Time source for `time.now_ns`, injectable so a run is reproducible (`--now`, GATEHOUSE_NOW). */
export interface Clock {
  nowNs(): bigint;
}

export const systemClock: Clock = {
  nowNs: () => BigInt(Date.now()) * 1_000_000n,
};

export function fixedClock(rfc3339: string): Clock {
  const ms = Date.parse(rfc3339);
  if (Number.isNaN(ms)) throw new Error(`not an RFC 3339 timestamp: ${rfc3339}`);
  const ns = BigInt(ms) * 1_000_000n;
  return { nowNs: () => ns };
}

export type BuiltinFn = (...args: any[]) => unknown;

/** Builtins that @open-policy-agent/opa-wasm itself provides (it consults them first). */
export const SDK_BUILTINS: readonly string[] = ["json.is_valid", "regex.split", "yaml.is_valid", "yaml.marshal", "yaml.unmarshal"];

export function createBuiltins(clock: Clock): Record<string, BuiltinFn> {
  // Numbers cross the wasm boundary as JSON; nanosecond timestamps exceed 2^53 but OPA's own
  // JSON encodes them as integers, so a Number keeps the value exact to the microsecond.
  return {
    "time.now_ns": () => Number(clock.nowNs()),
    "crypto.sha256": (s: string) => createHash("sha256").update(String(s)).digest("hex"),
    sprintf: (format: string, args: unknown[]) => goSprintf(format, args),
  };
}

export function fixedNsClock(ns: bigint): Clock {
  return { nowNs: () => ns };
}
