// Builtins gatehouse implements for policies compiled to wasm. OPA's wasm runtime implements
// most builtins natively; the ones it does not are imported from the host. The SDK provides a
// few (SDK_BUILTINS); everything governance policies need beyond that is implemented here.
// A few are answered by OPA's own topdown in a Go WASI module (topdown.ts: crypto.x509.*,
// json.match_schema, regex.globs_match ..., and the calls the TypeScript ones refuse, TopdownOnly).
// The load-time audit (src/policy/runtime.ts) refuses a module that imports anything else.
//
// Errors: where OPA's builtin errors, ours throw (message `<name>: <OPA's message>`), and the
// evaluation fails closed (policy/eval-error). That is `opa eval --strict-builtin-errors`;
// without that flag topdown makes the call undefined instead, which could let a deny rule pass.
//
// Precision: the SDK hands builtins JSON-decoded arguments, so numbers beyond 2^53 arrive
// rounded to the nearest double, except for EXACT_NUMBER_BUILTINS (their text, RegoNumber);
// time.add_date recovers timestamps of up to ~16 significant digits exactly from the double
// (time.ts, timestampOperand).
// Results are exact: nanosecond results are returned as an ArrayBuffer of the integer's JSON
// text, which the SDK passes to the wasm module unparsed.

import { createHash } from "node:crypto";
import { BuiltinError, OperandError, operandTypeError, stringOperand } from "./errors.js";
import { ENCODING_BUILTINS } from "./encoding.js";
import { exactJson } from "./exact.js";
import { NUMBER_BUILTINS } from "./numbers.js";
import { semverCompare, semverIsValid } from "./semver.js";
import { STRING_BUILTINS } from "./strings.js";
import { UNIT_BUILTINS } from "./units.js";
import { goSprintf } from "./sprintf.js";
import { REGEX_BUILTINS } from "./regex.js";
import { OBJECT_BUILTINS } from "./object.js";
import { GRAPHQL_BUILTINS } from "./graphql.js";
import { jwtBuiltins } from "./jwt.js";
import { NET_BUILTINS } from "./net.js";
import { JSON_PATCH_BUILTINS } from "./json-patch.js";
import { JSON_MARSHAL_BUILTINS } from "./json-marshal.js";
import { URI_BUILTINS } from "./uri.js";
import { uuidBuiltins } from "./uuid.js";
import { randomBuiltins } from "./random.js";
import { GRAPH_BUILTINS } from "./graph.js";
import { AWS_BUILTINS } from "./aws.js";
import { TEMPLATE_BUILTINS } from "./template.js";
import { YAML_BUILTINS } from "./yaml.js";
import { TOPDOWN_BUILTIN_NAMES, TOPDOWN_FALLBACK_NAMES, topdownBuiltins, withTopdownFallback } from "./topdown.js";
import { addDate, clock as timeClock, date, diff, format as timeFormat, parseDurationNs, parseNs, parseRfc3339Ns, weekday } from "./time.js";

/** Time source for `time.now_ns`, injectable so a run is reproducible (`--now`, GATEHOUSE_NOW). */
export interface Clock {
  nowNs(): bigint;
}

export const systemClock: Clock = {
  nowNs: () => BigInt(Date.now()) * 1_000_000n,
};

/** A clock stopped at an RFC 3339 time, parsed exactly as `time.parse_rfc3339_ns` parses it. */
export function fixedClock(rfc3339: string): Clock {
  let ns: bigint;
  try {
    ns = parseRfc3339Ns(rfc3339);
  } catch (error) {
    throw new Error(`not an RFC 3339 timestamp: ${(error as Error).message}`);
  }
  return { nowNs: () => ns };
}

export function fixedNsClock(ns: bigint): Clock {
  return { nowNs: () => ns };
}

/** A clock read once per evaluation, as topdown reads time.now_ns once per query. */
export interface EvaluationClock extends Clock {
  /** Called as an evaluation starts: the next reading asks the underlying clock again. */
  startEvaluation(): void;
  /** Which evaluation this is (per-query caches, such as uuid.rfc4122's, start empty in each). */
  evaluation?(): number;
}

export function perEvaluationClock(clock: Clock): EvaluationClock {
  let now: bigint | undefined;
  let count = 0;
  return {
    nowNs: () => (now ??= clock.nowNs()),
    startEvaluation: () => {
      now = undefined;
      count++;
    },
    evaluation: () => count,
  };
}

/**
 * Builtins that receive every number as a RegoNumber holding the runtime's text (values.ts):
 * sprintf formats 1e2 as a float and 100 as an integer, and integers past 2^53 exactly, as OPA does;
 * object.subset and json.patch compare (and json.patch returns) numbers exactly, and
 * numbers.range_step counts from them (as doubles, object.subset({"a": 9007199254740993},
 * {"a": 9007199254740992}) was true where topdown says false).
 */
export const EXACT_NUMBER_BUILTINS: ReadonlySet<string> = new Set(["sprintf", "object.subset", "json.patch", "numbers.range_step", "json.marshal_with_options", "io.jwt.encode_sign", "providers.aws.sign_req", "strings.render_template", ...TOPDOWN_BUILTIN_NAMES, ...TOPDOWN_FALLBACK_NAMES]);

export type BuiltinFn = (...args: any[]) => unknown;

/** Builtins that @open-policy-agent/opa-wasm itself provides (it consults them first). */
export const SDK_BUILTINS: readonly string[] = ["json.is_valid"];

/** An exact integer result: the SDK loads an ArrayBuffer into the module as raw JSON text. */
export function nsResult(ns: bigint): ArrayBuffer {
  return exactJson(ns.toString());
}

/** Prefixes a builtin's errors with its name, as topdown does. */
export function named(name: string, fn: BuiltinFn): BuiltinFn {
  return (...args: unknown[]) => {
    try {
      return fn(...args);
    } catch (error) {
      if (error instanceof BuiltinError) throw error.withMessage(`${name}: ${error.message}`);
      throw error;
    }
  };
}

export function createBuiltins(clock: Clock): Record<string, BuiltinFn> {
  // Per-query caches (uuid.rfc4122, rand.intn) start empty in each evaluation.
  const evaluation = (): number => (clock as Partial<EvaluationClock>).evaluation?.() ?? 0;
  const builtins: Record<string, BuiltinFn> = {
    "time.now_ns": () => nsResult(clock.nowNs()),
    "time.parse_rfc3339_ns": (value: unknown) => nsResult(parseRfc3339Ns(stringOperand(value, 1))),
    "time.add_date": (ns: unknown, years: unknown, months: unknown, days: unknown) => nsResult(addDate(ns, years, months, days)),
    "time.parse_duration_ns": (value: unknown) => nsResult(parseDurationNs(stringOperand(value, 1))),
    "time.date": date,
    "time.clock": timeClock,
    "time.weekday": weekday,
    "time.diff": diff,
    "time.format": timeFormat,
    "time.parse_ns": (layout: unknown, value: unknown) => nsResult(parseNs(layout, value)),
    "semver.is_valid": semverIsValid,
    "semver.compare": semverCompare,
    "crypto.sha256": (value: unknown) => createHash("sha256").update(stringOperand(value, 1), "utf8").digest("hex"),
    sprintf: (format: unknown, args: unknown) => {
      const text = stringOperand(format, 1);
      if (!Array.isArray(args)) throw new OperandError(operandTypeError(2, args, "array"));
      return goSprintf(text, args);
    },
    ...(REGEX_BUILTINS as Record<string, BuiltinFn>),
    ...(OBJECT_BUILTINS as Record<string, BuiltinFn>),
    ...(YAML_BUILTINS as Record<string, BuiltinFn>),
    ...(ENCODING_BUILTINS as Record<string, BuiltinFn>),
    ...(STRING_BUILTINS as Record<string, BuiltinFn>),
    ...(UNIT_BUILTINS as Record<string, BuiltinFn>),
    ...(NUMBER_BUILTINS as Record<string, BuiltinFn>),
    ...(GRAPHQL_BUILTINS as Record<string, BuiltinFn>),
    ...(NET_BUILTINS as Record<string, BuiltinFn>),
    ...(JSON_PATCH_BUILTINS as Record<string, BuiltinFn>),
    ...(JSON_MARSHAL_BUILTINS as Record<string, BuiltinFn>),
    ...(URI_BUILTINS as Record<string, BuiltinFn>),
    ...(uuidBuiltins(evaluation) as Record<string, BuiltinFn>),
    ...(randomBuiltins(evaluation) as Record<string, BuiltinFn>),
    ...(GRAPH_BUILTINS as Record<string, BuiltinFn>),
    ...(AWS_BUILTINS as Record<string, BuiltinFn>),
    ...(TEMPLATE_BUILTINS as Record<string, BuiltinFn>),
    ...(jwtBuiltins(() => clock.nowNs()) as Record<string, BuiltinFn>),
  };
  const table = Object.fromEntries(Object.entries(builtins).map(([name, fn]) => [name, named(name, fn)]));
  for (const name of TOPDOWN_FALLBACK_NAMES) table[name] = withTopdownFallback(name, table[name]!);
  return {
    ...table,
    // topdown's errors already carry the builtin's name.
    ...(topdownBuiltins() as Record<string, BuiltinFn>),
  };
}
