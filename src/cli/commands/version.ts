// `gatehouse version` / `--version`: gatehouse, OPA and bundle versions.

import { existsSync, readFileSync } from "node:fs";
import { packagePath } from "../../core/paths.js";
import { fixedNsClock } from "../../policy/builtins/index.js";
import { evaluationWasm, instantiate } from "../../policy/runtime.js";
import { wasmInliningState } from "../../core/v8-flags.js";
import { toolchainSummary } from "../../toolchain/index.js";
import type { BundleManifest } from "../../policy/manifest.js";
import { VERSION } from "../version.js";

export async function versionText(): Promise<string> {
  const lines = [`gatehouse ${VERSION}`];
  const manifestPath = packagePath("bundle", "manifest.json");
  if (existsSync(manifestPath)) {
    const manifest = JSON.parse(readFileSync(manifestPath, "utf8")) as BundleManifest;
    lines.push(`bundle    sha256:${manifest.wasm.sha256} (built by OPA ${manifest.opaVersion}, ${manifest.entrypoints.length} entrypoints)`);
    const runtime = evaluationWasm(readFileSync(packagePath("bundle", manifest.wasm.file)));
    lines.push(`runtime   ${runtime.skipped === undefined ? `set lookups by identity (${runtime.patched.join(", ")})` : `without the set-lookup fast path (${runtime.skipped})`}`);
    lines.push(`          native builtin errors raised (${runtime.checkedNatives?.length ?? 0} natives called by the policy, strict-natives.ts)`);
    if (runtime.sortedIteration) lines.push("          sets and objects iterated in sorted order, as topdown iterates them (sorted-iteration.ts)");
    // Whether this runtime's values are read from its structs (host-bridge.ts) or through its JSON dump.
    let values: string;
    try {
      const policy = await instantiate(await WebAssembly.compile(runtime.wasm), manifest.builtins, { clock: fixedNsClock(0n) });
      values = policy.directReads ? "builtin arguments and results read from OPA's value structs (verified at load)" : "builtin arguments and results through the runtime's JSON dump (direct reads not verified)";
    } catch (error) {
      values = `not instantiable: ${(error as Error).message}`;
    }
    lines.push(`          ${values}`);
    lines.push(`engine    ${wasmInliningState()}`);
  } else {
    lines.push("bundle    (none built)");
  }
  // Which Rego toolchain `build` and `check --policy DIR` would use (src/toolchain/index.ts).
  lines.push(`opa       ${await toolchainSummary()}`);
  return lines.join("\n") + "\n";
}

export const versionCommand = {
  command: "version",
  describe: "print gatehouse, OPA and bundle versions",
  handler: async () => {
    process.stdout.write(await versionText());
  },
};
