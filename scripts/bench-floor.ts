// The floor under `gatehouse check` in `npm run bench`: what a Node process costs that does only
// part of the work, run on the same files as the two tools. It is not a mode of gatehouse: `read`
// and `sdk` load none of gatehouse's code, so they say what any Node 20 tool pays, whatever it
// does; `engine` loads gatehouse's evaluation engine alone.
//
//   node dist/scripts/bench-floor.js read DIR            start Node, list DIR, read every file
//   node dist/scripts/bench-floor.js sdk DIR BUNDLE      the same, and evaluate each file with
//                                                        OPA's own JavaScript SDK (@open-policy-agent/opa-wasm)
//   node dist/scripts/bench-floor.js engine DIR BUNDLE   the same with gatehouse's engine
//                                                        (src/policy/runtime.ts), compiled as a CLI run compiles
//
// `sdk` and `engine` evaluate the bundle's wasm the cheapest way they allow: the input handed
// over as the file's bytes (no JSON.parse), one evaluation per file when the bundle has an
// aggregate entrypoint for the package, and no bundle verification, no schema, duplicate-key,
// size or UTF-8 check, no digest and no report. They print the number of files with deny and
// with warn results, which the bench compares with conftest's, so the floor evaluates the same
// policy, not nothing.

import { readdirSync, readFileSync } from "node:fs";
import { createRequire } from "node:module";
import { join } from "node:path";

// The SDK is CommonJS, and Node cannot see its named exports from an ES module import.
const { loadPolicySync } = createRequire(import.meta.url)("@open-policy-agent/opa-wasm") as typeof import("@open-policy-agent/opa-wasm");

interface FloorManifest {
  builtins: string[];
  entrypoints: { path: string; package: string; rule: string; role: string }[];
  aggregates?: Record<string, { path: string; rules: string[] }>;
}

/** Evaluates one input (the file's bytes) at one entrypoint: the value of its result, if any. */
type Evaluate = (input: Uint8Array, entrypoint: string) => { defined: boolean; value: unknown };

function usage(): never {
  throw new Error("usage: bench-floor read DIR | bench-floor sdk DIR BUNDLE_DIR | bench-floor engine DIR BUNDLE_DIR");
}

/** OPA's SDK: the input as an ArrayBuffer of the file's bytes; a result set of at most one. */
function sdkEvaluator(wasm: Uint8Array): Evaluate {
  const policy = loadPolicySync(wasm);
  return (bytes, entrypoint) => {
    const input = bytes.buffer.slice(bytes.byteOffset, bytes.byteOffset + bytes.byteLength) as ArrayBuffer;
    const results = policy.evaluate(input, entrypoint) as { result: unknown }[];
    return results.length > 0 ? { defined: true, value: results[0]!.result } : { defined: false, value: undefined };
  };
}

/** gatehouse's engine alone, without the bundle verification or anything around it. */
async function engineEvaluator(wasm: Uint8Array, builtins: string[]): Promise<Evaluate> {
  const { compilePolicy, instantiate } = await import("../src/policy/runtime.js");
  const { systemClock } = await import("../src/policy/builtins/index.js");
  const policy = await instantiate(await compilePolicy(wasm, "run"), builtins, { clock: systemClock });
  return (bytes, entrypoint) => policy.evaluate(bytes, entrypoint);
}

async function main(argv: string[]): Promise<void> {
  const [mode, dir, bundleDir] = argv;
  if (!dir || (mode !== "read" && mode !== "sdk" && mode !== "engine") || (mode !== "read" && !bundleDir)) usage();
  const files = readdirSync(dir).sort();
  if (mode === "read") {
    let bytes = 0;
    for (const name of files) bytes += readFileSync(join(dir, name)).byteLength;
    process.stdout.write(`${JSON.stringify({ files: files.length, bytes })}\n`);
    return;
  }
  const manifest = JSON.parse(readFileSync(join(bundleDir!, "manifest.json"), "utf8")) as FloorManifest;
  const wasm = readFileSync(join(bundleDir!, "policy.wasm"));
  const evaluate = mode === "sdk" ? sdkEvaluator(wasm) : await engineEvaluator(wasm, manifest.builtins);
  const aggregate = manifest.aggregates?.["main"];
  const rules = manifest.entrypoints.filter((e) => e.package === "main" && (e.role === "deny" || e.role === "warn"));
  // A rule fired when its value is a non-empty set (array).
  const fired = (value: unknown) => Array.isArray(value) && value.length > 0;
  let failing = 0;
  let warned = 0;
  for (const name of files) {
    const input = readFileSync(join(dir, name));
    let deny = false;
    let warn = false;
    // An aggregate holds [value] or [] per rule; a rule's own entrypoint holds its value, if defined.
    const aggregated = aggregate ? ((evaluate(input, aggregate.path).value ?? {}) as Record<string, unknown[] | undefined>) : undefined;
    for (const e of rules) {
      const value = aggregated ? aggregated[e.rule]?.[0] : evaluate(input, e.path).value;
      if (!fired(value)) continue;
      if (e.role === "deny") deny = true;
      else warn = true;
    }
    if (deny) failing++;
    if (warn) warned++;
  }
  process.stdout.write(`${JSON.stringify({ files: files.length, failing, warned })}\n`);
}

try {
  await main(process.argv.slice(2));
} catch (error) {
  // A usage error or an unreadable file: the message names it; the bench reports the exit code.
  console.error(`bench-floor: ${(error as Error).message}`);
  process.exitCode = 2;
}
