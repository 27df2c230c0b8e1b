// Resolving `--policy`: a built bundle loads directly (Node only); Rego (a directory, a .rego
// file, or several of them, as conftest's repeated --policy) is compiled with the Rego toolchain
// (src/toolchain) and cached by content hash, so the second run is instant. The key names the
// compiler (its OPA version), not the driver: the wasm and the native opa of one version give
// byte-identical bundles (test/toolchain.test.ts), so they share cached builds; another OPA
// version, other sources or other compile options never reuse them.

import { createHmac, randomBytes } from "node:crypto";
import { existsSync, lstatSync, mkdirSync, readFileSync, renameSync, rmSync, statSync, writeFileSync } from "node:fs";
import { mkdtemp, rm } from "node:fs/promises";
import { homedir, tmpdir } from "node:os";
import { basename, dirname, join, relative, resolve, sep } from "node:path";
import { cacheDir } from "../core/cache-dir.js";
import { ConfigError, FailClosed } from "../core/errors.js";
import { sha256 } from "../core/digest.js";
import { commonDirectory, undecodableNameHint } from "../core/paths.js";
import { buildBundle, hashSources, regoSources, regoTestSources, type CompileOptions, type PolicySet } from "./build.js";
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
  // Test files are not built, but the build reads them (a deny rule in one is refused), so they key the cache too.
  const tests = await hashSources(set.root, await regoTestSources(set.root, set.paths));
  const compiler = `opa ${await (await toolchain()).opaVersion()}`;
  const key = sha256(JSON.stringify({ compiler, root: set.root, paths: set.paths ?? null, sources, tests, options: compileKey(options), layout: 6 }));
  const secret = cacheSecret();
  const dir = join(cacheDir(), "bundles", key);
  const seal = join(dir, SEAL_FILE);
  let cached: LoadedBundle | undefined;
  if (secret) {
    const built = !isBundleDir(dir);
    if (built) await buildBundle(set, dir, options, "keep-existing");
    cached = await loadBundle(dir).catch(() => undefined);
    if (cached && readSeal(seal) === sealOf(secret, key, cached)) return cached;
    // The bundle this run placed (or one a concurrent run placed, the same bytes): sealed now.
    if (cached && built && !existsSync(seal)) {
      writeSeal(seal, sealOf(secret, key, cached));
      return cached;
    }
  }
  // No key to seal with, or an entry this user's gatehouse did not seal (placed by something
  // else, changed since, or cached before seals): compiled afresh. The entry is sealed only when
  // it is what the sources compile to (the same wasm and manifest); otherwise it is not used.
  const scratch = await mkdtemp(join(tmpdir(), "gatehouse-policy-"));
  try {
    await buildBundle(set, join(scratch, "bundle"), options, "replace");
    const fresh = await loadBundle(join(scratch, "bundle"));
    if (secret && cached && cached.sha256 === fresh.sha256 && sameBuild(cached, fresh)) {
      writeSeal(seal, sealOf(secret, key, cached));
      return cached;
    }
    return fresh;
  } finally {
    await rm(scratch, { recursive: true, force: true });
  }
}

/** Two builds of one policy: the same manifest but for sourceRoot (relative to where each was placed). */
function sameBuild(a: LoadedBundle, b: LoadedBundle): boolean {
  return JSON.stringify({ ...a.manifest, sourceRoot: null }) === JSON.stringify({ ...b.manifest, sourceRoot: null });
}

/**
 * The compile cache is a directory anyone who can write it could fill (a CI cache restored from
 * another job, a cache directory inside the repository under review): a bundle there whose
 * manifest names these sources would be evaluated as if compiled from them, and the sources
 * check cannot tell (it proves what the manifest says the wasm was built from, not what the wasm
 * is). So each entry gatehouse places is sealed: an HMAC-SHA256, under a key of this user's kept
 * outside the cache ($XDG_CONFIG_HOME/gatehouse/bundle-cache.key, mode 0600), of the cache key
 * and the digests of the manifest and wasm as loaded. An entry without a valid seal is not used.
 */
const SEAL_FILE = "gatehouse-seal";
const SECRET_BYTES = 32;

function cacheSecret(env: NodeJS.ProcessEnv = process.env): Buffer | undefined {
  const file = join(env.XDG_CONFIG_HOME || join(homedir(), ".config"), "gatehouse", "bundle-cache.key");
  try {
    mkdirSync(dirname(file), { recursive: true, mode: 0o700 });
    try {
      writeFileSync(file, randomBytes(SECRET_BYTES), { flag: "wx", mode: 0o600 });
    } catch (error) {
      if ((error as NodeJS.ErrnoException).code !== "EEXIST") throw error;
    }
    const stat = lstatSync(file);
    // A key others could read or replace seals nothing.
    if (!stat.isFile() || (stat.mode & 0o077) !== 0 || stat.size !== SECRET_BYTES) return undefined;
    const secret = readFileSync(file);
    return secret.length === SECRET_BYTES ? secret : undefined;
  } catch {
    return undefined;
  }
}

function sealOf(secret: Buffer, key: string, bundle: LoadedBundle): string {
  return createHmac("sha256", secret).update(`gatehouse bundle cache\n${key}\n${bundle.manifestSha256}\n${bundle.sha256}`).digest("hex");
}

function readSeal(file: string): string | undefined {
  try {
    return lstatSync(file).isFile() ? readFileSync(file, "utf8").trim() : undefined;
  } catch {
    return undefined;
  }
}

function writeSeal(file: string, seal: string): void {
  const temp = `${file}.tmp-${process.pid}`;
  try {
    writeFileSync(temp, `${seal}\n`, { flag: "wx" });
    renameSync(temp, file);
  } catch {
    rmSync(temp, { force: true });
  }
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
