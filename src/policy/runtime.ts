// The WebAssembly policy runtime, on top of @open-policy-agent/opa-wasm.
// The module is compiled once (WebAssembly.Module, shareable with worker threads); each
// PolicyInstance is reused across evaluations. Builtins are audited at load.

import { createRequire } from "node:module";
import type { LoadedPolicy } from "@open-policy-agent/opa-wasm";
import { FailClosed } from "../core/errors.js";
import { createBuiltins, SDK_BUILTINS, type BuiltinFn, type Clock } from "./builtins/index.js";

// The SDK consults its own builtin table before the custom one, and its `sprintf` is not
// Go-compatible. Remove it from the SDK's table (a shared CommonJS module object) so that
// gatehouse's Go-compatible implementation is the one called. test/builtins.test.ts guards this.
// The SDK (which pulls in yaml and sprintf-js) is loaded on the first instantiation, so the CLI's
// main thread, which only audits and hands the module to workers, never pays for it.
// The synchronous loader: the async one tests `instanceof Response`, and touching the global
// Response makes Node load its fetch implementation (~15 ms per worker thread) for nothing.
type LoadPolicy = typeof import("@open-policy-agent/opa-wasm").loadPolicySync;
let sdkLoadPolicy: LoadPolicy | undefined;
function sdk(): LoadPolicy {
  if (!sdkLoadPolicy) {
    const require = createRequire(import.meta.url);
    const sdkRequire = createRequire(require.resolve("@open-policy-agent/opa-wasm"));
    const sdkBuiltinTable = sdkRequire("./builtins/index.js") as Record<string, unknown>;
    delete sdkBuiltinTable["sprintf"];
    sdkLoadPolicy = (require("@open-policy-agent/opa-wasm") as { loadPolicySync: LoadPolicy }).loadPolicySync;
  }
  return sdkLoadPolicy;
}

export interface RuntimeOptions {
  clock: Clock;
  /** Extra builtins (tests use this to prove the audit). */
  extraBuiltins?: Record<string, BuiltinFn>;
}

/** Refuses a module that imports a builtin nobody implements, naming it. */
export function auditBuiltins(required: readonly string[], provided: Record<string, BuiltinFn>): void {
  const missing = required.filter((name) => !SDK_BUILTINS.includes(name) && !(name in provided));
  if (missing.length > 0) {
    throw new FailClosed(
      "policy/missing-builtin",
      `the policy uses builtin${missing.length > 1 ? "s" : ""} ${missing.join(", ")} that the wasm runtime does not provide`,
    );
  }
}

export class PolicyInstance {
  readonly #policy: LoadedPolicy;
  readonly #encoder = new TextEncoder();

  constructor(policy: LoadedPolicy) {
    this.#policy = policy;
  }

  setData(data: unknown): void {
    this.#policy.setData(data as object);
  }

  /** Encodes an input once; the bytes can then be evaluated against many entrypoints. */
  encodeInput(input: unknown): ArrayBuffer {
    const bytes = this.#encoder.encode(JSON.stringify(input));
    return bytes.buffer.slice(bytes.byteOffset, bytes.byteOffset + bytes.byteLength) as ArrayBuffer;
  }

  /** Hands over bytes that are already one well-formed JSON value (UTF-8), without re-encoding. */
  encodedJson(bytes: Uint8Array): ArrayBuffer {
    return bytes.buffer.slice(bytes.byteOffset, bytes.byteOffset + bytes.byteLength) as ArrayBuffer;
  }

  /** Evaluates one entrypoint. Returns the result value, or `undefined` when the rule is undefined. */
  evaluate(input: ArrayBuffer, entrypoint: string): { defined: boolean; value: unknown } {
    let resultSet: unknown;
    try {
      resultSet = this.#policy.evaluate(input, entrypoint);
    } catch (error) {
      // The SDK throws strings and plain objects as well as Errors; normalise.
      throw new PolicyEvalError(entrypoint, error);
    }
    if (!Array.isArray(resultSet) || resultSet.length === 0) return { defined: false, value: undefined };
    return { defined: true, value: (resultSet[0] as { result: unknown }).result };
  }
}

export class PolicyEvalError extends Error {
  override name = "PolicyEvalError";
  constructor(
    readonly entrypoint: string,
    cause: unknown,
  ) {
    super(`${entrypoint}: ${describe(cause)}`);
  }
}

function describe(cause: unknown): string {
  if (cause instanceof Error) return cause.message;
  if (typeof cause === "string") return cause;
  if (cause && typeof cause === "object" && "message" in cause) return String((cause as { message: unknown }).message);
  return JSON.stringify(cause);
}

/** Instantiates a compiled module after auditing its builtins. */
export async function instantiate(
  module: WebAssembly.Module,
  requiredBuiltins: readonly string[],
  options: RuntimeOptions,
): Promise<PolicyInstance> {
  const builtins = { ...createBuiltins(options.clock), ...options.extraBuiltins };
  auditBuiltins(requiredBuiltins, builtins);
  const policy = sdk()(module, undefined, builtins);
  return new PolicyInstance(policy);
}
