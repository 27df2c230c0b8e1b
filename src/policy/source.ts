// Resolving `--policy`: a built bundle loads directly (Node only); a directory of .rego is
// compiled with the Rego toolchain (src/toolchain) and cached by content hash, so the second run
// is instant. The key names the compiler (its OPA version), not the driver: the wasm and the
// native opa of one version give byte-identical bundles (test/toolchain.test.ts), so they share
// cached builds; another OPA version never reuses them.

import { existsSync, statSync } from "node:fs";
import { join, resolve } from "node:path";
import { cacheDir } from "../core/cache-dir.js";
import { ConfigError, FailClosed } from "../core/errors.js";
import { sha256 } from "../core/digest.js";
import { buildBundle, hashSources, regoSources } from "./build.js";
import { isBundleDir, loadBundle, type LoadedBundle } from "./bundle.js";
import { toolchain } from "../toolchain/index.js";

export { cacheDir };

export async function resolvePolicy(path: string): Promise<LoadedBundle> {
  const abs = resolve(path);
  // A path that is not there is a setup error (exit 2); an empty policy directory denies.
  if (!existsSync(abs)) throw new ConfigError("policy path does not exist", path);
  if (isBundleDir(abs)) return loadBundle(abs);
  if (!statSync(abs).isDirectory()) throw new ConfigError("policy path is neither a bundle nor a directory of .rego files", path);
  const files = await regoSources(abs);
  if (files.length === 0) throw new FailClosed("gate/no-policies", `no .rego policies found`, path);
  const sources = await hashSources(abs, files);
  const compiler = `opa ${await (await toolchain()).opaVersion()}`;
  const key = sha256(JSON.stringify({ compiler, root: abs, sources, layout: 3 }));
  const dir = join(cacheDir(), "bundles", key);
  if (!isBundleDir(dir)) await buildBundle(abs, dir);
  return loadBundle(dir);
}
