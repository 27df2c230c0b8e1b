// Builtins answered by OPA's own topdown (src/toolchain/builtins-reactor.ts) rather than by a
// TypeScript port: their output is Go's (crypto.x509.* marshals Go's x509.Certificate, with every
// field Go has; json.match_schema words gojsonschema's errors; regex.globs_match intersects two
// glob automata; rego.parse_module prints OPA's AST), which a port would only approximate, and a
// near miss is a wrong value. docs/architecture.md ("Host builtins") gives the choice per family.
//
// Arguments go as Rego term text with their exact numbers and sets (the names are in
// EXACT_NUMBER_BUILTINS); results come back as JSON text loaded unparsed (exact.ts). None of
// these builtins returns a set (their declared result types in OPA's ast/builtins.go), so JSON
// holds every result. Errors are topdown's, message and code (operand errors: eval_type_error).

import { ToolchainError } from "../../core/errors.js";
import { builtinsReactor, builtinsReactorPresent, resetBuiltinsReactor } from "../../toolchain/builtins-reactor.js";
import { BuiltinError, OperandError, TopdownOnly } from "./errors.js";
import { exactJson } from "./exact.js";
import { markSet, isSet, RegoNumber, regoText } from "./values.js";

/** The builtins topdown answers, with the arity OPA declares (test/builtins.test.ts checks both). */
export const TOPDOWN_BUILTIN_ARITY = {
  "crypto.x509.parse_certificates": 1,
  "crypto.x509.parse_and_verify_certificates": 1,
  "crypto.x509.parse_and_verify_certificates_with_options": 2,
  "crypto.x509.parse_certificate_request": 1,
  "crypto.x509.parse_keypair": 2,
  "crypto.x509.parse_rsa_private_key": 1,
  "crypto.parse_private_keys": 1,
  "json.match_schema": 2,
  "json.verify_schema": 1,
  "regex.globs_match": 2,
  "regex.template_match": 4,
  "rego.parse_module": 2,
  // OPA's YAML reader (go-yaml v3 through internal/yaml, then JSON): 0777 is 511, 1_000 and 0b101
  // numbers, merge keys merged, !!binary decoded, .inf an error. The TypeScript port (yaml.ts,
  // YAML 1.2's core schema) read all of these otherwise; it answers only without the module.
  "yaml.unmarshal": 1,
  "yaml.is_valid": 1,
  // Go's YAML writer (go-yaml v3 through sigs.k8s.io/yaml): the SDK's JavaScript writer read
  // numbers as doubles (12345678901234567890 came out ...567000, so a round trip through
  // yaml.unmarshal no longer equalled the value), wrote floats, "yes" and block scalars otherwise.
  "yaml.marshal": 1,
} as const satisfies Record<string, number>;

export type TopdownBuiltinName = keyof typeof TOPDOWN_BUILTIN_ARITY;
export const TOPDOWN_BUILTIN_NAMES = Object.keys(TOPDOWN_BUILTIN_ARITY) as TopdownBuiltinName[];

type TopdownBuiltin = (...args: unknown[]) => ArrayBuffer | undefined;

/**
 * Builtins gatehouse implements in TypeScript except for some calls, which topdown answers: time
 * zones other than UTC (Go's rules over the tz database `opa eval` reads), GraphQL documents with comments
 * (gqlparser keeps them in the ASTs it returns, by rules of its own token handling) and regular
 * expressions with a repetition (Go's regexp: RE2's captures and empty iterations, linear time).
 */
export const TOPDOWN_FALLBACK = {
  // The TypeScript time builtins read a RegoNumber's integer text exactly (time.ts).
  "time.date": { exactNumbers: true },
  "time.clock": { exactNumbers: true },
  "time.weekday": { exactNumbers: true },
  "time.format": { exactNumbers: true },
  "time.diff": { exactNumbers: true },
  // Patterns with a repetition or RE2 syntax the translation to a JavaScript RegExp leaves out (regex.ts).
  "regex.split": { exactNumbers: false },
  "regex.find_n": { exactNumbers: false },
  "regex.replace": { exactNumbers: false },
  // text/template syntax the TypeScript port leaves out (printf, html, slice ...), and sets among the variables (template.ts).
  "strings.render_template": { exactNumbers: true },
  "graphql.parse": { exactNumbers: false },
  "graphql.parse_query": { exactNumbers: false },
  "graphql.parse_schema": { exactNumbers: false },
  "graphql.parse_and_verify": { exactNumbers: false },
} as const satisfies Record<string, { exactNumbers: boolean }>;
export const TOPDOWN_FALLBACK_NAMES = Object.keys(TOPDOWN_FALLBACK) as (keyof typeof TOPDOWN_FALLBACK)[];

function viaTopdown(name: string): TopdownBuiltin {
  return (...args: unknown[]) => {
    let answer;
    try {
      answer = builtinsReactor().call(name, args.map(regoText));
    } catch (error) {
      // The module died (a Go panic exits the instance): the next call loads a fresh one.
      resetBuiltinsReactor();
      if (error instanceof ToolchainError) throw error;
      throw new ToolchainError(`${name}: the builtins module failed (${(error as Error).message})`);
    }
    switch (answer.kind) {
      case "result":
        return exactJson(answer.json);
      case "undefined":
        return undefined;
      case "error":
        // topdown's message already starts with the builtin's name.
        throw answer.code === "eval_type_error" ? new OperandError(answer.message) : new BuiltinError(answer.message);
    }
  };
}

/** The same values with numbers as doubles (what the TypeScript builtins take), sets still marked. */
function plainNumbers(value: unknown): unknown {
  if (value instanceof RegoNumber) return value.value;
  if (Array.isArray(value)) {
    const copy = value.map(plainNumbers);
    return isSet(value) ? markSet(copy) : copy;
  }
  if (value !== null && typeof value === "object") {
    return Object.fromEntries(Object.entries(value).map(([key, item]) => [key, plainNumbers(item)]));
  }
  return value;
}

/**
 * `fn` (a TypeScript builtin, given doubles unless it reads RegoNumbers), with the calls it refuses (TopdownOnly) answered by
 * topdown from the exact arguments. The name is in EXACT_NUMBER_BUILTINS.
 */
export function withTopdownFallback(name: keyof typeof TOPDOWN_FALLBACK, fn: (...args: unknown[]) => unknown): (...args: unknown[]) => unknown {
  const typescript = TOPDOWN_FALLBACK[name].exactNumbers ? fn : (...args: unknown[]) => fn(...args.map(plainNumbers));
  present ??= builtinsReactorPresent();
  if (!present) return typescript;
  const topdown = viaTopdown(name);
  return (...args: unknown[]) => {
    try {
      return typescript(...args);
    } catch (error) {
      if (error instanceof TopdownOnly) return topdown(...args);
      throw error;
    }
  };
}

let present: boolean | undefined;

/**
 * One builtin answered by topdown (arguments as JavaScript values, sent as Rego term text), or
 * undefined when the builtins module is not installed.
 */
export function topdownBuiltin(name: string): TopdownBuiltin | undefined {
  present ??= builtinsReactorPresent();
  return present ? viaTopdown(name) : undefined;
}

/**
 * The table, or nothing when the builtins module is not installed: then these builtins stay
 * refused at load (policy/missing-builtin), as before there was a module.
 */
export function topdownBuiltins(): Partial<Record<TopdownBuiltinName, TopdownBuiltin>> {
  present ??= builtinsReactorPresent();
  if (!present) return {};
  return Object.fromEntries(TOPDOWN_BUILTIN_NAMES.map((name) => [name, viaTopdown(name)]));
}
