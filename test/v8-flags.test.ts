// V8's wasm inlining (src/core/v8-flags.ts): on for policies a library caller keeps, off for CLI
// runs, never where GATEHOUSE_WASM_INLINING=off; the code cache is named after the flags; and the
// same policy gives the same results with and without it once the code is optimised.

import { test } from "uvu";
import * as assert from "uvu/assert";
import { execFileSync } from "node:child_process";
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { pathToFileURL } from "node:url";
import { packagePath } from "../src/core/paths.js";
import { buildBundle } from "../src/policy/build.js";
import { wasmInliningState } from "../src/core/v8-flags.js";
import { POLICY as BENCH_POLICY } from "../scripts/bench-inputs.js";

const work = mkdtempSync(join(tmpdir(), "gatehouse-v8-flags-"));
test.after(() => rmSync(work, { recursive: true, force: true }));

const url = (...parts: string[]) => JSON.stringify(pathToFileURL(packagePath("dist", ...parts)).href);

/** Runs an ES module script in a fresh process (V8 flags are per process) and parses its JSON output. */
function inChild(script: string, env: Record<string, string> = {}): unknown {
  const out = execFileSync(process.execPath, ["--input-type=module", "-e", script], {
    env: { ...process.env, GATEHOUSE_WASM_INLINING: "", ...env },
    encoding: "utf8",
  });
  return JSON.parse(out);
}

test("enableWasmInlining: only for a kept policy, only where V8 has it behind a flag, never when switched off", () => {
  const script =
    `const f = await import(${url("src", "core", "v8-flags.js")});\n` +
    `const out = [];\n` +
    `out.push(f.enableWasmInlining(true, { GATEHOUSE_WASM_INLINING: "off" }, "11.3.244.8"), f.v8FlagsTag());\n` +
    `out.push(f.enableWasmInlining(true, {}, "12.4.254.21"), f.v8FlagsTag());\n` +
    `out.push(f.enableWasmInlining(false, {}, "11.3.244.8"), f.v8FlagsTag());\n` +
    `out.push(f.enableWasmInlining(true, {}, "11.3.244.8"), f.v8FlagsTag());\n` +
    `out.push(f.enableWasmInlining(false, {}, "11.3.244.8"));\n` +
    `console.log(JSON.stringify(out));\n`;
  assert.equal(inChild(script), [false, "", false, "", false, "", true, "-wasm-inlining-1000", true]);
  const forced = `const f = await import(${url("src", "core", "v8-flags.js")});\nconsole.log(JSON.stringify([f.enableWasmInlining(false, { GATEHOUSE_WASM_INLINING: "on" }, "11.3.244.8"), f.v8FlagsTag()]));\n`;
  assert.equal(inChild(forced), [true, "-wasm-inlining-1000"]);
});

test("wasmInliningState says what applies", () => {
  assert.match(wasmInliningState({ GATEHOUSE_WASM_INLINING: "off" }, "11.3.244.8"), /GATEHOUSE_WASM_INLINING=off/);
  assert.match(wasmInliningState({}, "12.4.254.21"), /V8's defaults \(V8 12\.4/);
  assert.match(wasmInliningState({}, "11.3.244.8"), /library callers keep, V8's defaults for CLI runs/);
  assert.match(wasmInliningState({ GATEHOUSE_WASM_INLINING: "on" }, "11.3.244.8"), /for every run/);
});

test("the code cache's file name carries the flags, so a cache made under other flags is not looked for", () => {
  const script =
    `const f = await import(${url("src", "core", "v8-flags.js")});\n` +
    `const c = await import(${url("src", "core", "code-cache.js")});\n` +
    `const before = c.codeCacheFile("/x/node_modules/typescript/lib/typescript.js", "src", "/cache");\n` +
    `f.enableWasmInlining(true, {}, "11.3.244.8");\n` +
    `const after = c.codeCacheFile("/x/node_modules/typescript/lib/typescript.js", "src", "/cache");\n` +
    `console.log(JSON.stringify([before, after]));\n`;
  const [before, after] = inChild(script) as [string, string];
  assert.not.match(before, /wasm-inlining/);
  assert.match(after, /-wasm-inlining-1000\.v8cache$/);
  assert.is(after.replace("-wasm-inlining-1000", ""), before);
});

test("the bench policy gives the same results with and without wasm inlining, optimised", async () => {
  mkdirSync(join(work, "policy"));
  writeFileSync(join(work, "policy", "main.rego"), BENCH_POLICY);
  await buildBundle(join(work, "policy"), join(work, "bundle"));
  // 4,000 evaluations (past V8's tier-up), every result hashed; 300 distinct inputs.
  const script =
    `const { createHash } = await import("node:crypto");\n` +
    `const { loadBundle } = await import(${url("src", "policy", "bundle.js")});\n` +
    `const { compilePolicy, instantiate } = await import(${url("src", "policy", "runtime.js")});\n` +
    `const { fixedNsClock } = await import(${url("src", "policy", "builtins", "index.js")});\n` +
    `const { deployment } = await import(${url("scripts", "bench-inputs.js")});\n` +
    `const { v8FlagsTag } = await import(${url("src", "core", "v8-flags.js")});\n` +
    `const b = await loadBundle(${JSON.stringify(join(work, "bundle"))});\n` +
    `const p = await instantiate(await compilePolicy(b.wasm), b.manifest.builtins, { clock: fixedNsClock(0n) });\n` +
    `const inputs = Array.from({ length: 300 }, (_, i) => p.encodeInput(deployment(i)));\n` +
    `const hash = createHash("sha256"); let failing = 0;\n` +
    `for (let i = 0; i < 4000; i++) { const input = inputs[i % 300].slice(0);\n` +
    `  for (const e of ["main/deny", "main/warn", b.manifest.aggregates.main.path]) { const r = JSON.stringify(p.evaluate(input, e)); hash.update(r); if (e === "main/deny" && r.includes("container")) failing++; } }\n` +
    `console.log(JSON.stringify({ tag: v8FlagsTag(), digest: hash.digest("hex"), failing }));\n`;
  const on = inChild(script) as { tag: string; digest: string; failing: number };
  const off = inChild(script, { GATEHOUSE_WASM_INLINING: "off" }) as { tag: string; digest: string; failing: number };
  if (/^11\./.test(process.versions.v8)) assert.is(on.tag, "-wasm-inlining-1000");
  assert.is(off.tag, "");
  assert.ok(on.failing > 500, `inputs fail (${on.failing})`);
  assert.equal(on, { ...off, tag: on.tag });
});

test.run();
