// The WebAssembly policy runtime, on top of @open-policy-agent/opa-wasm.
// The module is compiled once (WebAssembly.Module, shareable with worker threads); each
// PolicyInstance is reused across evaluations. Builtins are audited at load.

import { createRequire } from "node:module";
import type { LoadedPolicy } from "@open-policy-agent/opa-wasm";
import { FailClosed } from "../core/errors.js";
import { nativeGuardById } from "./builtins/native-guards.js";
import { createBuiltins, EXACT_NUMBER_BUILTINS, perEvaluationClock, SDK_BUILTINS, type BuiltinFn, type Clock, type EvaluationClock } from "./builtins/index.js";
import { HostBridge } from "./host-bridge.js";
import { enableWasmInlining } from "../core/v8-flags.js";
import { parseModule, rebuildModule, setLookupEdits, type ParsedModule, type PatchResult } from "./runtime-patch.js";
import { clearSortedIteration, initSortedIteration, sortedIterationEdits, type SortedIterationEdits } from "./sorted-iteration.js";
import { nativeCheckEdits, redirectCalls, type CallEdit, type NativeCheckEdits } from "./strict-natives.js";
import { baseDataKeyEdits, type BaseDataKeyEdits } from "./base-data-keys.js";

// The SDK consults its own builtin table before the custom one, and its `sprintf` is not
// Go-compatible. Remove it from the SDK's table (a shared CommonJS module object) so that
// gatehouse's Go-compatible implementation is the one called. test/builtins.test.ts guards this.
// The SDK (which pulls in yaml and sprintf-js) is loaded on the first instantiation, so the CLI's
// main thread, which only audits and hands the module to workers, never pays for it.
// The synchronous loader: the async one tests `instanceof Response`, and touching the global
// Response makes Node load its fetch implementation (~15 ms per worker thread) for nothing.
type Sdk = typeof import("@open-policy-agent/opa-wasm");
interface SdkParts {
  loadPolicySync: Sdk["loadPolicySync"];
  LoadedPolicy: new (instance: WebAssembly.Instance, memory: WebAssembly.Memory, minorVersion: number) => LoadedPolicy;
  /** The SDK's own builtins (json.is_valid, regex.split, yaml.*), which it consults first. */
  builtins: Record<string, BuiltinFn>;
}
let sdkParts: SdkParts | undefined;
function sdk(): SdkParts {
  if (!sdkParts) {
    const require = createRequire(import.meta.url);
    const sdkRequire = createRequire(require.resolve("@open-policy-agent/opa-wasm"));
    deferSdkYamlBuiltins(require, sdkRequire);
    const sdkBuiltinTable = sdkRequire("./builtins/index.js") as Record<string, BuiltinFn>;
    // Only the SDK builtins gatehouse relies on (SDK_BUILTINS) stay in its table; the others
    // (sprintf, regex.split) are not Go-compatible and gatehouse's own are used instead. The
    // table is the SDK's own module object, so its loader no longer sees them either.
    for (const name of Object.keys(sdkBuiltinTable)) if (!SDK_BUILTINS.includes(name)) delete sdkBuiltinTable[name];
    const exports = require("@open-policy-agent/opa-wasm") as SdkParts;
    sdkParts = { loadPolicySync: exports.loadPolicySync, LoadedPolicy: exports.LoadedPolicy, builtins: sdkBuiltinTable };
  }
  return sdkParts;
}

/**
 * The SDK's yaml.* builtins module loads its own copy of the `yaml` package (tens of ms, in every
 * thread that instantiates a policy) though few policies call them. Until one is called, a
 * stand-in with the same three functions sits in the require cache; the first call loads the
 * real module and delegates to it.
 */
function deferSdkYamlBuiltins(require: NodeJS.Require, sdkRequire: NodeJS.Require): void {
  const file = sdkRequire.resolve("./builtins/yaml.js");
  if (require.cache[file]) return;
  let real: Record<string, (...args: unknown[]) => unknown> | undefined;
  const load = (): Record<string, (...args: unknown[]) => unknown> => {
    if (!real) {
      delete require.cache[file];
      real = sdkRequire(file) as Record<string, (...args: unknown[]) => unknown>;
    }
    return real;
  };
  const NodeModule = require("node:module") as new (id: string) => NodeJS.Module;
  const standIn = new NodeModule(file);
  standIn.filename = file;
  standIn.loaded = true;
  standIn.exports = Object.fromEntries(
    SDK_YAML_BUILTINS.map((name) => [name, (...args: unknown[]) => load()[name]!(...args)]),
  );
  require.cache[file] = standIn;
}
const SDK_YAML_BUILTINS = ["yaml.is_valid", "yaml.marshal", "yaml.unmarshal"];

export interface RuntimeOptions {
  clock: Clock;
  /** Extra builtins (tests use this to prove the audit). */
  extraBuiltins?: Record<string, BuiltinFn>;
  /**
   * "sdk": instantiate with the SDK's loader, whose builtin calls go through JSON text (the
   * reference the tests hold gatehouse's own host calls to).
   */
  hostCalls?: "gatehouse" | "sdk";
  /**
   * Accept a module as `opa build` made it, not compiled by compilePolicy (for comparisons in
   * tests and benchmarks): its sets and objects iterate in bucket order and its natives are not
   * strict. Anything else refuses such a module.
   */
  asBuilt?: boolean;
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

/** The OPA wasm ABI 1.x exports that evaluation calls directly. */
interface OpaExports {
  opa_heap_ptr_get(): number;
  opa_heap_ptr_set(addr: number): void;
  opa_malloc(bytes: number): number;
  opa_json_parse(addr: number, length: number): number;
  opa_json_dump(valueAddr: number): number;
  opa_value_parse(addr: number, length: number): number;
  opa_eval_ctx_new(): number;
  opa_eval_ctx_set_input(ctx: number, valueAddr: number): void;
  opa_eval_ctx_set_data(ctx: number, valueAddr: number): void;
  opa_eval_ctx_set_entrypoint(ctx: number, entrypoint: number): void;
  opa_eval_ctx_get_result(ctx: number): number;
  eval(ctx: number): number;
}

/** The fields of the SDK's LoadedPolicy (opa-wasm 1.10) that hold the instance's state. */
interface LoadedPolicyState {
  minorVersion: number;
  wasmInstance: WebAssembly.Instance;
  mem: WebAssembly.Memory;
  dataAddr: number;
  baseHeapPtr: number;
  dataHeapPtr: number;
  entrypoints: Record<string, number>;
  setData(data: object): void;
}

/**
 * An instance's state as the SDK's LoadedPolicy keeps it, made the way its constructor and
 * setData make it (an empty data document, the heap after it, the entrypoints table), without
 * loading the SDK: requiring it (and sprintf-js) cost ~15 ms in every run and worker thread.
 * The field names are the SDK's, so its own evaluate can still run on this state
 * (PolicyInstance.evaluateWithSdk).
 */
class OpaPolicyState implements LoadedPolicyState {
  readonly wasmInstance: WebAssembly.Instance;
  readonly mem: WebAssembly.Memory;
  readonly minorVersion: number;
  readonly #exports: OpaExports;
  dataAddr: number;
  readonly baseHeapPtr: number;
  dataHeapPtr: number;
  readonly entrypoints: Record<string, number>;

  constructor(instance: WebAssembly.Instance, memory: WebAssembly.Memory, minorVersion: number, bridge: HostBridge, asBuilt = false) {
    this.wasmInstance = instance;
    this.mem = memory;
    this.minorVersion = minorVersion;
    this.#exports = instance.exports as unknown as OpaExports;
    // Below the heap address evaluations rewind to, so that it outlives every evaluation.
    if (!initSortedIteration(instance.exports, memory) && !asBuilt) {
      throw new FailClosed("policy/missing-builtin", "the policy's wasm was not prepared for evaluation (compilePolicy): its sets and objects would iterate in another order than topdown's");
    }
    this.dataAddr = this.#loadJson({});
    this.baseHeapPtr = this.#exports.opa_heap_ptr_get();
    this.dataHeapPtr = this.baseHeapPtr;
    this.entrypoints = bridge.readThroughDump((this.#exports as unknown as { entrypoints(): number }).entrypoints()) as Record<string, number>;
  }

  setData(data: object): void {
    this.#exports.opa_heap_ptr_set(this.baseHeapPtr);
    clearSortedIteration(this.wasmInstance.exports, this.mem);
    this.dataAddr = this.#loadJson(data);
    this.dataHeapPtr = this.#exports.opa_heap_ptr_get();
  }

  /**
   * A value as the SDK's _loadJSON loads it: its JSON text parsed by the runtime; undefined is 0.
   * An ArrayBuffer or Uint8Array is JSON text already (the SDK takes it as is; stringifying it
   * would load `{}`, and every data reference would be undefined).
   */
  #loadJson(value: unknown): number {
    if (value === undefined) return 0;
    const bytes = value instanceof ArrayBuffer ? new Uint8Array(value) : value instanceof Uint8Array ? value : new TextEncoder().encode(JSON.stringify(value));
    const raw = this.#exports.opa_malloc(bytes.byteLength);
    new Uint8Array(this.mem.buffer).set(bytes, raw);
    const addr = this.#exports.opa_json_parse(raw, bytes.byteLength);
    if (addr === 0) throw "failed to parse json value";
    return addr;
  }
}

/**
 * One instantiated policy, reused across evaluations. The SDK's evaluate copies and parses the
 * input inside the wasm once per entrypoint; a gate evaluates several entrypoints per input, so
 * this evaluates through the ABI's evaluation-context calls instead: the input is parsed once
 * (kept until a different input buffer comes), and each evaluation rewinds the wasm heap to just
 * after it. test/evaluation-paths.test.ts checks the results against the SDK's evaluate.
 */
export class PolicyInstance {
  readonly #state: LoadedPolicyState;
  readonly #exports: OpaExports;
  readonly #bridge: HostBridge;
  readonly #clock: EvaluationClock | undefined;
  readonly #encoder = new TextEncoder();
  /** the input currently parsed in wasm memory: its buffer, value address, heap end, data heap */
  #loaded: { input: ArrayBuffer | Uint8Array; addr: number; heapEnd: number; dataHeapPtr: number } | undefined;

  /** `policy`: the SDK's LoadedPolicy, or gatehouse's own state of the same shape (OpaPolicyState). */
  constructor(policy: LoadedPolicy | LoadedPolicyState, bridge?: HostBridge, clock?: EvaluationClock) {
    this.#clock = clock;
    this.#state = policy as unknown as LoadedPolicyState;
    this.#exports = this.#state.wasmInstance.exports as unknown as OpaExports;
    // An SDK-loaded instance reads its results through the dump, as the SDK does.
    this.#bridge = bridge ?? new HostBridge(this.#state.mem, this.#exports);
  }

  /** Whether builtin arguments and results are read straight from OPA's value structs (host-bridge.ts). */
  get directReads(): boolean {
    return this.#bridge.directReads;
  }

  /** The wasm's own entrypoint names (its `entrypoints()` table, as the SDK loaded it). */
  entrypointNames(): string[] {
    return Object.keys(this.#state.entrypoints).sort();
  }

  /** Whether the wasm has this entrypoint. */
  hasEntrypoint(entrypoint: string): boolean {
    return Object.prototype.hasOwnProperty.call(this.#state.entrypoints, entrypoint);
  }

  setData(data: unknown): void {
    this.#loaded = undefined;
    this.#state.setData(data as object);
  }

  /**
   * The SDK's own evaluate, one entrypoint at a time: the reference the fast path is tested
   * against (on an instance made with `hostCalls: "sdk"`, the SDK's builtin calls too).
   */
  evaluateWithSdk(input: ArrayBuffer, entrypoint: string): unknown {
    this.#loaded = undefined;
    this.#clock?.startEvaluation();
    // The SDK's evaluate reads only the state's fields, which OpaPolicyState has too; it rewinds
    // the heap first, so the sorted-iteration table is emptied before.
    clearSortedIteration(this.#state.wasmInstance.exports, this.#state.mem);
    try {
      return (sdk().LoadedPolicy.prototype as LoadedPolicy).evaluate.call(this.#state, input, entrypoint);
    } catch (error) {
      // The SDK throws plain objects ({ message }), e.g. for an id outside the wasm's builtin
      // table (the natives the host answers, on an instance made with hostCalls: "sdk").
      if (error instanceof Error) throw error;
      throw new PolicyEvalError(entrypoint, error);
    }
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

  /**
   * Evaluates one entrypoint. Returns the result value, or `undefined` when the rule is undefined.
   * `input` is the input's UTF-8 JSON: an ArrayBuffer, or a view of one (no copy needed; an
   * ArrayBuffer costs about a microsecond to allocate). The input is parsed again whenever another
   * buffer or view object comes; the bytes must not change between calls that pass the same one.
   * `null`: no input document at all (`input` is undefined, as for `opa eval` without one).
   */
  evaluate(input: ArrayBuffer | Uint8Array | null, entrypoint: string): { defined: boolean; value: unknown } {
    let resultSet: unknown;
    this.#clock?.startEvaluation();
    try {
      resultSet = this.#evaluate(input, entrypoint);
    } catch (error) {
      // Aborts and builtins throw strings and plain objects as well as Errors; normalise. The
      // wasm heap may hold anything now: parse the input again next time.
      this.#loaded = undefined;
      throw new PolicyEvalError(entrypoint, error);
    }
    if (!Array.isArray(resultSet) || resultSet.length === 0) return { defined: false, value: undefined };
    return { defined: true, value: (resultSet[0] as { result: unknown }).result };
  }

  #evaluate(input: ArrayBuffer | Uint8Array | null, entrypoint: string): unknown {
    const state = this.#state;
    const wasm = this.#exports;
    if (!Object.prototype.hasOwnProperty.call(state.entrypoints, entrypoint)) {
      throw new Error(`entrypoint ${entrypoint} is not valid in this instance`);
    }
    if (input === null) return this.#evaluateWithoutInput(state.entrypoints[entrypoint]!);
    let loaded = this.#loaded;
    if (!loaded || loaded.input !== input || loaded.dataHeapPtr !== state.dataHeapPtr) {
      this.#loaded = undefined;
      this.#rewind(state.dataHeapPtr);
      const bytes = input instanceof Uint8Array ? input : new Uint8Array(input);
      const raw = wasm.opa_malloc(bytes.byteLength); // grows the memory when needed
      new Uint8Array(state.mem.buffer).set(bytes, raw);
      const addr = wasm.opa_json_parse(raw, bytes.byteLength);
      if (addr === 0) throw new Error("the input is not valid JSON");
      loaded = { input, addr, heapEnd: wasm.opa_heap_ptr_get(), dataHeapPtr: state.dataHeapPtr };
      this.#loaded = loaded;
    }
    // Everything an earlier evaluation allocated past the input is garbage by now.
    this.#rewind(loaded.heapEnd);
    const ctx = wasm.opa_eval_ctx_new();
    wasm.opa_eval_ctx_set_input(ctx, loaded.addr);
    wasm.opa_eval_ctx_set_data(ctx, state.dataAddr);
    wasm.opa_eval_ctx_set_entrypoint(ctx, state.entrypoints[entrypoint]!);
    wasm.eval(ctx);
    return this.#bridge.read(wasm.opa_eval_ctx_get_result(ctx));
  }

  /** Rewinds the wasm heap; the sorted-iteration table's arrays go with it, so it is emptied. */
  #rewind(heapPtr: number): void {
    this.#exports.opa_heap_ptr_set(heapPtr);
    clearSortedIteration(this.#state.wasmInstance.exports, this.#state.mem);
  }

  #evaluateWithoutInput(entrypoint: number): unknown {
    const wasm = this.#exports;
    this.#loaded = undefined;
    this.#rewind(this.#state.dataHeapPtr);
    const ctx = wasm.opa_eval_ctx_new();
    wasm.opa_eval_ctx_set_data(ctx, this.#state.dataAddr);
    wasm.opa_eval_ctx_set_entrypoint(ctx, entrypoint);
    wasm.eval(ctx);
    return this.#bridge.read(wasm.opa_eval_ctx_get_result(ctx));
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

/**
 * The wasm a bundle is evaluated with: its own bytes, with the policy's calls of the runtime's
 * native builtins checked for errors (strict-natives.ts: always, as that is the semantics), and the
 * set-lookup fast path applied to OPA's runtime library when the runtime is one it was written for
 * (runtime-patch.ts). GATEHOUSE_RUNTIME_PATCHES=off leaves out the fast path only.
 * A module whose native calls cannot be checked is refused: evaluated as built, a native's error
 * would read as undefined and a deny rule would not fire.
 */
export function evaluationWasm(wasm: Uint8Array, env: NodeJS.ProcessEnv = process.env): PatchResult {
  // One parse and one rebuild for all rewrites: strict natives and base data keys redirect
  // disjoint calls in the policy's code (checked natives; opa_value_get), the fast path replaces
  // two functions of the runtime library, and the appended functions follow one another.
  let module: ParsedModule;
  let strict: NativeCheckEdits;
  let keys: BaseDataKeyEdits;
  try {
    module = parseModule(wasm);
    strict = nativeCheckEdits(wasm, module);
  } catch (error) {
    throw new FailClosed("policy/missing-builtin", `the policy's wasm cannot be evaluated with strict builtin errors (${(error as Error).message})`);
  }
  try {
    keys = baseDataKeyEdits(wasm, module, module.importedFunctions + module.bodies.length + strict.appended.length, strict.checkerOf);
  } catch (error) {
    throw new FailClosed("policy/missing-builtin", `the policy's wasm cannot be evaluated with topdown's lookups in base data (${(error as Error).message})`);
  }
  let sorted: SortedIterationEdits;
  try {
    sorted = sortedIterationEdits(wasm, module, module.importedFunctions + module.bodies.length + strict.appended.length + keys.appended.length, module.importedGlobals + module.definedGlobals);
  } catch (error) {
    throw new FailClosed("policy/missing-builtin", `the policy's wasm cannot be evaluated with topdown's sorted iteration of sets and objects (${(error as Error).message})`);
  }
  const fast = env.GATEHOUSE_RUNTIME_PATCHES === "off" ? { skipped: "GATEHOUSE_RUNTIME_PATCHES=off" } : setLookupEdits(wasm, module);
  const calls = new Map<number, CallEdit[]>();
  for (const [index, edits] of strict.calls) calls.set(index, edits.map((edit) => ({ ...edit, callee: keys.retarget.get(edit.callee) ?? edit.callee })));
  for (const [index, edits] of keys.calls) calls.set(index, [...(calls.get(index) ?? []), ...edits]);
  for (const [index, edits] of sorted.calls) calls.set(index, [...(calls.get(index) ?? []), ...edits]);
  const replacements = redirectCalls(wasm, module, calls);
  if (!("skipped" in fast)) for (const [index, body] of fast.replacements) replacements.set(index, body);
  const appended = [...strict.appended, ...keys.appended, ...sorted.appended];
  const patched = "skipped" in fast ? [] : fast.patched;
  const rebuilt = rebuildModule(wasm, module, replacements, appended, sorted.globals);
  return { wasm: rebuilt, patched, ...("skipped" in fast ? { skipped: fast.skipped } : {}), checkedNatives: strict.checked, sortedIteration: true, baseDataLookups: keys.callSites, valueLookups: keys.valueSites };
}

/** Compiles a bundle's wasm for evaluation (see evaluationWasm). */
/**
 * Compiles a bundle's wasm for evaluation. `use`: "kept" (the default) for a caller that keeps the
 * module and evaluates with it for long, which turns on V8's wasm inlining where it is behind a
 * flag; "run" for one CLI run, whose cold start that would slow (src/core/v8-flags.ts).
 */
export function compilePolicy(wasm: Uint8Array, use: "kept" | "run" = "kept"): Promise<WebAssembly.Module> {
  enableWasmInlining(use === "kept");
  return WebAssembly.compile(evaluationWasm(wasm).wasm);
}

/** Instantiates a compiled module after auditing its builtins. */
export async function instantiate(
  module: WebAssembly.Module,
  requiredBuiltins: readonly string[],
  options: RuntimeOptions,
): Promise<PolicyInstance> {
  // time.now_ns is read once per evaluation (each entrypoint evaluated is one query).
  const clock = perEvaluationClock(options.clock);
  const builtins = { ...createBuiltins(clock), ...options.extraBuiltins };
  auditBuiltins(requiredBuiltins, builtins);
  if (options.hostCalls === "sdk") return new PolicyInstance(sdk().loadPolicySync(module, undefined, builtins), undefined, clock);
  return loadPolicy(module, builtins, clock, options.asBuilt === true);
}

/**
 * Instantiates the module with gatehouse's own imports (builtin calls through HostBridge instead
 * of the SDK's JSON round trip); OpaPolicyState then loads the data and entrypoints as the SDK's
 * LoadedPolicy does. Builtins are looked up as the SDK does: its own table first, then ours.
 */
function loadPolicy(module: WebAssembly.Module, builtins: Record<string, BuiltinFn>, clock: EvaluationClock, asBuilt: boolean): PolicyInstance {
  const memory = new WebAssembly.Memory({ initial: 5 });
  let bridge: HostBridge | undefined;
  const byId: (BuiltinFn | undefined)[] = [];
  const exactById: boolean[] = [];
  const namesById: string[] = [];
  const keysAsTextById: boolean[] = [];
  const call = (id: number, args: number[]): number => {
    // Every id of the module's builtin table has an implementation (audited below, at load).
    // Reserved ids are the natives the host checks or answers (strict-natives.ts, native-guards.ts).
    const guard = byId[id] === undefined ? nativeGuardById(id) : undefined;
    const impl = byId[id] ?? guard?.fn;
    if (!impl) throw new FailClosed("policy/missing-builtin", `the policy called builtin #${id}, which is not in its own builtin table`);
    const values = new Array<unknown>(args.length);
    const exact = exactById[id] || guard?.exactNumbers === true;
    if (guard?.keysAsText || keysAsTextById[id]) {
      // json.marshal writes a key that is not a string as its JSON text, as the dump does;
      // sprintf only renders it, with the key's own type (readForText): `{1: 2}`, as topdown.
      const typed = keysAsTextById[id] === true;
      for (let i = 0; i < args.length; i++) values[i] = typed ? bridge!.readForText(args[i]!, exact) : exact ? bridge!.readExact(args[i]!) : bridge!.read(args[i]!);
    } else {
      // A key that is not a string would reach the builtin as its text: refused (readArgument).
      const name = guard?.builtin ?? namesById[id] ?? `#${id}`;
      for (let i = 0; i < args.length; i++) values[i] = bridge!.readArgument(args[i]!, exact, name);
    }
    return bridge!.load(impl(...values));
  };
  const env = {
    memory,
    opa_abort(addr: number): never {
      throw bridge ? bridge.cString(addr) : "opa_abort";
    },
    opa_println(addr: number): void {
      console.log(bridge ? bridge.cString(addr) : "");
    },
    opa_builtin0: (id: number, _ctx: number) => call(id, []),
    opa_builtin1: (id: number, _ctx: number, a: number) => call(id, [a]),
    opa_builtin2: (id: number, _ctx: number, a: number, b: number) => call(id, [a, b]),
    opa_builtin3: (id: number, _ctx: number, a: number, b: number, c: number) => call(id, [a, b, c]),
    opa_builtin4: (id: number, _ctx: number, a: number, b: number, c: number, d: number) => call(id, [a, b, c, d]),
  };
  const instance = new WebAssembly.Instance(module, { env });
  const abi = globalValue(instance.exports["opa_wasm_abi_version"]);
  if (abi !== 1) throw new Error(`unsupported OPA wasm ABI version ${abi ?? "(none)"}`);
  const exports = instance.exports as unknown as OpaExports & { builtins(): number };
  bridge = new HostBridge(memory, exports);
  const ids = bridge.readThroughDump(exports.builtins()) as Record<string, number>;
  // The module's own table, audited as the manifest's list was: a bundle whose manifest
  // understates what the wasm imports is refused here, naming the builtin.
  auditBuiltins(Object.keys(ids), builtins);
  for (const [name, id] of Object.entries(ids)) {
    // The SDK's table holds only SDK_BUILTINS (sdk()): loaded when the module uses one of them.
    byId[id] = (SDK_BUILTINS.includes(name) ? sdk().builtins[name] : undefined) ?? builtins[name];
    exactById[id] = EXACT_NUMBER_BUILTINS.has(name);
    namesById[id] = name;
    keysAsTextById[id] = name === "sprintf";
  }
  const policy = new OpaPolicyState(instance, memory, globalValue(instance.exports["opa_wasm_abi_minor_version"]) ?? 0, bridge, asBuilt);
  // The probe values are allocated past the data: the first evaluation rewinds over them.
  bridge.verifyDirectReads();
  return new PolicyInstance(policy, bridge, clock);
}

function globalValue(exported: unknown): number | undefined {
  if (typeof exported === "number") return exported;
  if (exported instanceof WebAssembly.Global) return Number(exported.value);
  return undefined;
}
