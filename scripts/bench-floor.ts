// The floor under `gatehouse check` in `npm run bench`: what a Node process costs that does only
// part of the work, run on the same files as the two tools. It is not a mode of gatehouse: none
// of gatehouse's code is loaded, so the figures say what any Node 20 tool pays, whatever it does.
//
//   node dist/scripts/bench-floor.js read DIR           start Node, list DIR, read every file
//   node dist/scripts/bench-floor.js sdk DIR BUNDLE     the same, and evaluate each file with
//                                                       OPA's own JavaScript SDK (@open-policy-agent/opa-wasm)
//
// `sdk` evaluates the bundle's wasm the cheapest way the SDK allows: the input handed over as the
// file's bytes (no JSON.parse), one evaluation per file when the bundle has an aggregate
// entrypoint for the package, and no schema, duplicate-key, size or UTF-8 check, no digest and
// no report. It prints the number of files with deny and with warn results, which the bench
// compares with conftest's, so the floor evaluates the same policy, not nothing.

import { readdirSync, readFileSync } from "node:fs";
import { createRequire } from "node:module";
import { join } from "node:path";

// The SDK is CommonJS, and Node cannot see its named exports from an ES module import.
const { loadPolicySync } = createRequire(import.meta.url)("@open-policy-agent/opa-wasm") as typeof import("@open-policy-agent/opa-wasm");

interface FloorManifest {
  entrypoints: { path: string; package: string; rule: string; role: string }[];
  aggregates?: Record<string, { path: string; rules: string[] }>;
}

function usage(): never {
  throw new Error("usage: bench-floor read DIR | bench-floor sdk DIR BUNDLE_DIR");
}

function main(argv: string[]): void {
  const [mode, dir, bundleDir] = argv;
  if (!dir || (mode !== "read" && mode !== "sdk") || (mode === "sdk" && !bundleDir)) usage();
  const files = readdirSync(dir).sort();
  if (mode === "read") {
    let bytes = 0;
    for (const name of files) bytes += readFileSync(join(dir, name)).byteLength;
    process.stdout.write(`${JSON.stringify({ files: files.length, bytes })}\n`);
    return;
  }
  const manifest = JSON.parse(readFileSync(join(bundleDir!, "manifest.json"), "utf8")) as FloorManifest;
  const policy = loadPolicySync(readFileSync(join(bundleDir!, "policy.wasm")));
  const aggregate = manifest.aggregates?.["main"];
  const rules = manifest.entrypoints.filter((e) => e.package === "main" && (e.role === "deny" || e.role === "warn"));
  let failing = 0;
  let warned = 0;
  for (const name of files) {
    const bytes = readFileSync(join(dir, name));
    const input = bytes.buffer.slice(bytes.byteOffset, bytes.byteOffset + bytes.byteLength);
    // Results by role: an aggregate holds [value] or [] per rule; a rule's own entrypoint holds
    // its value in the result set.
    const values = new Map<string, unknown[]>();
    if (aggregate) {
      const result = (policy.evaluate(input, aggregate.path) as { result: Record<string, unknown[]> }[])[0]?.result ?? {};
      for (const e of rules) values.set(e.role, [...(values.get(e.role) ?? []), ...(result[e.rule] ?? [])]);
    } else {
      for (const e of rules) {
        const result = (policy.evaluate(input, e.path) as { result: unknown }[]).map((r) => r.result);
        values.set(e.role, [...(values.get(e.role) ?? []), ...result]);
      }
    }
    const fired = (role: string) => (values.get(role) ?? []).some((v) => Array.isArray(v) && v.length > 0);
    if (fired("deny")) failing++;
    if (fired("warn")) warned++;
  }
  process.stdout.write(`${JSON.stringify({ files: files.length, failing, warned })}\n`);
}

try {
  main(process.argv.slice(2));
} catch (error) {
  // A usage error or an unreadable file: the message names it; the bench reports the exit code.
  console.error(`bench-floor: ${(error as Error).message}`);
  process.exitCode = 2;
}
