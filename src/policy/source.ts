// Resolving `--policy`: a built bundle loads directly (Node only); Rego (a directory, a .rego
// file, or several of them, as conftest's repeated --policy) is compiled with the Rego toolchain
// (src/toolchain) and cached by content hash, so the second run is instant. The key names the
// compiler (its OPA version), not the driver: the wasm and the native opa of one version give
// byte-identical bundles (test/toolchain.test.ts), so they share cached builds; another OPA
// version, other sources or other compile options never reuse them.

import { existsSync, statSync } from "node:fs";
import { basename, dirname, join, relative, resolve, sep } from "node:path";
import { cacheDir } from "../core/cache-dir.js";
import { ConfigError, FailClosed } from "../core/errors.js";
import { sha256 } from "../core/digest.js";
import { commonDirectory, undecodableNameHint } from "../core/paths.js";
import { buildBundle, hashSources, regoSources, type CompileOptions, type PolicySet } from "./build.js";
import { isBundleDir, loadBundle, type LoadedBundle } from "./bundle.js";
import { toolchain } from "../toolchain/index.js";

export { cacheDir };

/**
 * The bundle for `path`: a bundle directory, or Rego to compile (a directory, a .rego file, or
 * several of them). `options` are the compile options (conftest's by default: no strict checks).
 */
export async function resolvePolicy(path: string | readonly string[], options: CompileOptions = {}): Promise<LoadedBundle> {
  const paths = typeof path === "string" ? [path] : [...path];
  if (paths.length === 0) throw new ConfigError("no policy path given");
  // A path that is not there is a setup error (exit 2); an empty policy directory denies.
  for (const p of paths) if (!existsSync(resolve(p))) throw new ConfigError(`policy path does not exist${undecodableNameHint(p)}`, p);
  if (paths.length === 1 && isBundleDir(resolve(paths[0]!))) return loadBundle(resolve(paths[0]!));
  for (const p of paths) {
    const abs = resolve(p);
    if (isBundleDir(abs)) throw new ConfigError("a built bundle cannot be combined with other --policy paths", p);
    if (!statSync(abs).isDirectory() && !abs.endsWith(".rego")) throw new ConfigError("policy path is neither a bundle, a directory of .rego files nor a .rego file", p);
  }
  const set = policySet(paths);
  const shown = paths.length === 1 ? paths[0]! : set.root;
  const files = await regoSources(set.root, set.paths);
  if (files.length === 0) throw new FailClosed("gate/no-policies", `no .rego policies found`, shown);
  const sources = await hashSources(set.root, files);
  const compiler = `opa ${await (await toolchain()).opaVersion()}`;
  const key = sha256(JSON.stringify({ compiler, root: set.root, paths: set.paths ?? null, sources, options: compileKey(options), layout: 6 }));
  const dir = join(cacheDir(), "bundles", key);
  if (!isBundleDir(dir)) await buildBundle(set, dir, options, "keep-existing");
  return loadBundle(dir);
}

/** One directory as it is (the common case, unchanged); anything else as paths in their common directory. */
function policySet(paths: readonly string[]): PolicySet {
  const absolute = paths.map((p) => resolve(p));
  if (absolute.length === 1 && statSync(absolute[0]!).isDirectory()) return { root: absolute[0]! };
  if (absolute.length === 1) return { root: dirname(absolute[0]!), paths: [basename(absolute[0]!)] };
  const root = commonDirectory(absolute.map((p) => (statSync(p).isDirectory() ? p : dirname(p))))!;
  return { root, paths: absolute.map((p) => relative(root, p).split(sep).join("/") || ".") };
}

function compileKey(options: CompileOptions): unknown {
  return {
    strict: options.strict === true,
    checkTests: options.checkTests === true,
    regoVersion: options.regoVersion ?? "v1",
    capabilities: options.capabilities === undefined ? null : sha256(JSON.stringify(options.capabilities)),
  };
}
