// V8's optimising wasm compiler inlines small wasm functions into their callers from V8 12
// (Node 22) on; on Node 20 (V8 11.3) the same inlining sits behind a flag. OPA's runtime calls
// many small functions per value (a hash, a type switch, a compare, malloc), so with inlining one
// warm evaluation is ~10% cheaper; but optimising with inlining also costs more compile time,
// which a CLI run does not earn back (measured slower at 1,000 and at 10,000 inputs, where each
// worker optimises the code cold). So it is turned on only for a policy a library caller
// compiles and keeps (compilePolicy in src/policy/runtime.ts), never for a CLI run. V8's flags
// are the process's, so once on it stays on. V8 refuses a code cache made under other flags, so
// src/core/code-cache.ts names its files after the flags set here (v8FlagsTag).
// With inlining on, V8 11.3 inlines functions of up to 500 bytes of wasm; OPA's runtime has hot
// callees just above that, and allowing 1,000 bytes made the bench policy's evaluation ~6% cheaper
// again (measured 18.1-19.2 us against 19.5-20.6 us, interleaved runs; 750, 1,500 and 2,000 were
// no better than 1,000).
// GATEHOUSE_WASM_INLINING=off leaves V8's flags alone; =on turns inlining on for CLI runs too.

/** node:v8, loaded only when a flag is set (~1 ms at every start otherwise). */
const setFlagsFromString = (flag: string): void => process.getBuiltinModule("node:v8").setFlagsFromString(flag);

/** V8 versions whose wasm inlining is off by default (Node 20 and 21). */
const FLAGGED_V8 = /^11\./;

/** Largest wasm function (in bytes) V8 may inline once inlining is on. */
const INLINING_MAX_SIZE = 1000;
const INLINING_FLAGS = ["--experimental-wasm-inlining", "--wasm-inlining", `--wasm-inlining-max-size=${INLINING_MAX_SIZE}`];

let inlining = false;

/** What the engine does about wasm inlining, for `--version`. */
export function wasmInliningState(env: NodeJS.ProcessEnv = process.env, v8Version: string = process.versions.v8): string {
  if (env.GATEHOUSE_WASM_INLINING === "off") return "V8's defaults (GATEHOUSE_WASM_INLINING=off)";
  if (!FLAGGED_V8.test(v8Version)) return `V8's defaults (V8 ${v8Version} inlines wasm)`;
  if (env.GATEHOUSE_WASM_INLINING === "on") return `wasm inlining on for every run (GATEHOUSE_WASM_INLINING=on; V8 ${v8Version})`;
  return `wasm inlining on for policies library callers keep, V8's defaults for CLI runs (V8 ${v8Version} has it behind a flag)`;
}

/**
 * Turns V8's wasm inlining on, where it is behind a flag, when `lasting` says the compiled policy
 * is kept (evaluated long enough to earn the compile time back). Returns whether it is on.
 */
export function enableWasmInlining(lasting: boolean, env: NodeJS.ProcessEnv = process.env, v8Version: string = process.versions.v8): boolean {
  if (inlining) return true;
  if (env.GATEHOUSE_WASM_INLINING === "off" || !FLAGGED_V8.test(v8Version)) return false;
  if (!lasting && env.GATEHOUSE_WASM_INLINING !== "on") return false;
  for (const flag of INLINING_FLAGS) setFlagsFromString(flag);
  inlining = true;
  return true;
}

// The wasm toolchain (src/toolchain/wasi.ts) runs a 42 MB Go module under node:wasi. node:wasi's
// syscalls are V8 fast API calls from optimised code, and one of them can start a garbage
// collection inside the fast call (nodejs/node#46777, still open): Node 20 crashed with SIGSEGV
// on the second request of a process that had allocated a little before (every time, here).
// With fast API calls off, no crash in any sequence tried. Set once, before the module is
// compiled; other code in the process only loses fast calls, which it does not depend on.
// (Compiling the module eagerly, --no-wasm-lazy-compilation, was measured too: the same CPU time
// per build, spent up front, so V8's default stays.)
const WASI_TOOLCHAIN_FLAGS = ["--no-turbo-fast-api-calls"];
let wasiToolchain = false;

/** Sets the flags the wasm toolchain needs (above); call before compiling its module. */
export function prepareForWasiToolchain(): void {
  if (wasiToolchain) return;
  for (const flag of WASI_TOOLCHAIN_FLAGS) setFlagsFromString(flag);
  wasiToolchain = true;
}

/** The V8 flags this module has set, as a file-name part ("" for none). */
export function v8FlagsTag(): string {
  return (inlining ? `-wasm-inlining-${INLINING_MAX_SIZE}` : "") + (wasiToolchain ? "-wasi-toolchain" : "");
}

// The builtins module (src/toolchain/builtins-reactor.ts) is 40 MB of Go. Its _initialize runs
// enough of it to make V8's dynamic tiering queue TurboFan compiles of large Go functions in the
// background, and Node waits for those jobs before the process exits: a CLI run calling
// regex.globs_match once printed its verdict at 1.6 s and exited at 4.6 s (measured; V8 11.3).
// Compiled and initialised with Liftoff only, the module loads in ~0.45 s instead of ~1.3 s and
// the process exits with its verdict. The flag is turned back off right after, so code compiled
// later (the policy's own tier-up) is not held to Liftoff.
/** Runs `fn` (the builtins module's compile and _initialize) with V8's --liftoff-only set. */
export function withLiftoffOnly<T>(fn: () => T): T {
  if (liftoffOnlyDepth++ === 0) setFlagsFromString("--liftoff-only");
  try {
    return fn();
  } finally {
    if (--liftoffOnlyDepth === 0) setFlagsFromString("--no-liftoff-only");
  }
}
let liftoffOnlyDepth = 0;

