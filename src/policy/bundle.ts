// Loading a bundle: verify before trusting.
// - The shipped bundle (the installed package's bundle/, however it is reached) must have the
//   digests pinned into the program when it was built (pinned-bundle.ts): otherwise it is not the
//   bundle that was released, and it is refused (bundle/untrusted). Any other bundle or Rego
//   directory is one the user chose (`--policy`, or `policy:` in the config), and is checked for
//   consistency only: nothing vouches for who built it.
// - The wasm must match its manifest's digest, and the manifest must be well formed: recorded
//   sources (a bundle with rules but no sources was not made by `gatehouse build`), entrypoints,
//   packages (bundle/tampered). The entrypoints evaluated are read from the wasm itself when it
//   is compiled (compileBundle), the manifest's list being only a cross-check (entrypoints.ts).
// - verifySources then proves one thing: the Rego tree at sourceRoot is byte for byte the tree
//   the manifest says the wasm was built from (bundle/stale otherwise). It cannot prove that the
//   wasm was built from it, only a rebuild could; for the shipped bundle the pin covers the
//   manifest, so its claim is the release's.

import { existsSync, realpathSync, statSync } from "node:fs";
import { isAbsolute, join, resolve } from "node:path";
import { FailClosed } from "../core/errors.js";
import { sha256 } from "../core/digest.js";
import { packagePath } from "../core/paths.js";
import { readUntrustedFile } from "../core/read.js";
import { MANIFEST_FILE, hashSources, regoSources } from "./build.js";
import { verifiedEntrypoints } from "./entrypoints.js";
import type { AggregateInfo, BundleManifest, EntrypointInfo } from "./manifest.js";
import { PINNED_BUNDLE, type BundlePin } from "./pinned-bundle.js";
import { compilePolicy } from "./runtime.js";
import { wasmTables } from "./wasm-tables.js";

export interface LoadedBundle {
  dir: string;
  manifest: BundleManifest;
  wasm: Buffer;
  /** sha256 of the wasm (verified equal to the manifest's). */
  sha256: string;
  /** sha256 of manifest.json's bytes */
  manifestSha256: string;
  /** true for the installed program's own bundle, verified against the pinned digests */
  pinned: boolean;
}

/** A bundle compiled for evaluation, with the entrypoints its wasm holds. */
export interface CompiledBundle {
  module: WebAssembly.Module;
  entrypoints: EntrypointInfo[];
  aggregates: Record<string, AggregateInfo> | undefined;
}

export function isBundleDir(path: string): boolean {
  return existsSync(join(path, MANIFEST_FILE));
}

/** A bundle is repository content: read through the untrusted-file reader, with caps far above real bundles. */
const MAX_MANIFEST_BYTES = 16 * 1024 * 1024;
const MAX_WASM_BYTES = 256 * 1024 * 1024;

/** Whether `dir` is the installed package's own bundle directory (symlinks resolved). */
export function isShippedBundle(dir: string): boolean {
  try {
    return realpathSync(dir) === realpathSync(packagePath("bundle"));
  } catch {
    return false;
  }
}

const SHA256 = /^[0-9a-f]{64}$/;

/** `verifySources: false` skips only the source check (no gatehouse command does); the pin and the manifest are always checked. */
export async function loadBundle(dir: string, options: { verifySources?: boolean } = {}): Promise<LoadedBundle> {
  const manifestPath = join(dir, MANIFEST_FILE);
  const shipped = isShippedBundle(dir);
  const pin: BundlePin | undefined = PINNED_BUNDLE;
  let raw: Buffer;
  try {
    raw = readUntrustedFile(manifestPath, { maxBytes: MAX_MANIFEST_BYTES });
  } catch (error) {
    throw new FailClosed(shipped ? "bundle/untrusted" : "bundle/tampered", `cannot read bundle manifest: ${(error as Error).message}`, manifestPath);
  }
  const manifestSha256 = sha256(raw);
  if (shipped) {
    if (!pin) throw new FailClosed("bundle/untrusted", "this gatehouse was built without a pinned bundle digest (build it with `npm run compile`), so its bundle cannot be trusted", manifestPath);
    if (manifestSha256 !== pin.manifestSha256) {
      throw new FailClosed("bundle/untrusted", `the shipped bundle's manifest has sha256 ${manifestSha256}, not the ${pin.manifestSha256} pinned when gatehouse was installed: it is not the released bundle (pass your own with --policy)`, manifestPath);
    }
  }
  let manifest: BundleManifest;
  try {
    manifest = JSON.parse(raw.toString("utf8")) as BundleManifest;
  } catch (error) {
    throw new FailClosed("bundle/tampered", `cannot read bundle manifest: ${(error as Error).message}`, manifestPath);
  }
  const malformed = manifestProblem(manifest);
  if (malformed) throw new FailClosed("bundle/tampered", `bundle manifest is malformed: ${malformed}`, manifestPath);
  const wasmPath = join(dir, manifest.wasm.file);
  let wasm: Buffer;
  try {
    wasm = readUntrustedFile(wasmPath, { maxBytes: MAX_WASM_BYTES });
  } catch (error) {
    throw new FailClosed("bundle/tampered", `cannot read bundle wasm: ${(error as Error).message}`, wasmPath);
  }
  const digest = sha256(wasm);
  if (digest !== manifest.wasm.sha256) {
    throw new FailClosed("bundle/tampered", `wasm sha256 ${digest} does not match the manifest's ${manifest.wasm.sha256}`, wasmPath);
  }
  if (shipped && digest !== pin!.wasmSha256) {
    throw new FailClosed("bundle/untrusted", `the shipped bundle's wasm has sha256 ${digest}, not the ${pin!.wasmSha256} pinned when gatehouse was installed`, wasmPath);
  }
  if (options.verifySources !== false) await verifySources(dir, manifest);
  return { dir, manifest, wasm, sha256: digest, manifestSha256, pinned: shipped };
}

/** What makes a parsed manifest unusable, or undefined. */
function manifestProblem(manifest: BundleManifest): string | undefined {
  if (typeof manifest !== "object" || manifest === null || manifest.manifestVersion !== 1) return "expected manifestVersion 1";
  const wasm = manifest.wasm as Partial<BundleManifest["wasm"]> | undefined;
  if (typeof wasm?.file !== "string" || wasm.file === "" || /[\\/]/.test(wasm.file) || typeof wasm.sha256 !== "string") return "no wasm file and sha256";
  if (!Array.isArray(manifest.entrypoints)) return "no entrypoints";
  if (typeof manifest.packages !== "object" || manifest.packages === null || Array.isArray(manifest.packages)) return "no packages";
  if (!Array.isArray(manifest.builtins) || !manifest.builtins.every((b) => typeof b === "string")) return "no builtins list";
  if (typeof manifest.sourceRoot !== "string" || manifest.sourceRoot === "") return "no sourceRoot";
  const documents = manifest.documents as unknown;
  if (documents !== undefined && (!Array.isArray(documents) || !documents.every((d) => typeof d === "object" && d !== null && Array.isArray(d.path) && d.path.every((k: unknown) => typeof k === "string") && typeof d.at === "string"))) {
    return "documents must be a list of {path, at}";
  }
  const sources = manifest.sources as unknown;
  if (typeof sources !== "object" || sources === null || Array.isArray(sources)) return "no sources";
  const files = Object.entries(sources as Record<string, unknown>);
  // `gatehouse build` refuses a directory without Rego: a bundle recording none did not come from it.
  if (files.length === 0) return "it records no Rego sources, so nothing says what its wasm was built from";
  const paths = manifest.sourcePaths as unknown;
  if (paths !== undefined && (!Array.isArray(paths) || paths.length === 0 || !paths.every((p) => typeof p === "string" && p !== "" && !p.startsWith("/") && !p.split("/").includes("..")))) {
    return "sourcePaths must be a list of relative paths inside sourceRoot";
  }
  for (const [file, digest] of files) {
    const parts = file.split("/");
    if (!file.endsWith(".rego") || file.endsWith("_test.rego") || isAbsolute(file) || parts.some((p) => p === "" || p === "." || p === "..") || file.includes("\\")) {
      return `source ${JSON.stringify(file)} is not a relative path to a non-test .rego file`;
    }
    if (typeof digest !== "string" || !SHA256.test(digest)) return `source ${file} has no sha256`;
  }
  return undefined;
}

/**
 * Compiles a loaded bundle for evaluation (compilePolicy) and reads the entrypoints from the
 * compiled wasm; a manifest that disagrees with them is refused (bundle/tampered).
 */
export async function compileBundle(bundle: LoadedBundle, use: "kept" | "run" = "kept"): Promise<CompiledBundle> {
  const module = await compilePolicy(bundle.wasm, use);
  let names: string[];
  try {
    names = wasmTables(module).entrypoints;
  } catch (error) {
    throw new FailClosed("bundle/tampered", `cannot read the wasm's entrypoint table: ${(error as Error).message}`, join(bundle.dir, bundle.manifest.wasm.file));
  }
  const { entrypoints, aggregates } = verifiedEntrypoints(bundle.manifest, names, join(bundle.dir, MANIFEST_FILE));
  return { module, entrypoints, aggregates };
}

/** Compares the Rego sources on disk with the digests recorded at build time. */
export async function verifySources(dir: string, manifest: BundleManifest): Promise<void> {
  const root = isAbsolute(manifest.sourceRoot) ? manifest.sourceRoot : resolve(dir, manifest.sourceRoot);
  if (!existsSync(root) || !statSync(root).isDirectory()) {
    throw new FailClosed("bundle/stale", `the bundle's Rego sources (${root}) are missing, so it cannot be verified`, join(dir, MANIFEST_FILE));
  }
  const actual = await hashSources(root, await regoSources(root, manifest.sourcePaths));
  const problems: string[] = [];
  for (const [file, want] of Object.entries(manifest.sources)) {
    if (!Object.hasOwn(actual, file)) problems.push(`${file} was removed`);
    else if (actual[file] !== want) problems.push(`${file} changed`);
  }
  for (const file of Object.keys(actual)) if (!Object.hasOwn(manifest.sources, file)) problems.push(`${file} was added`);
  if (problems.length > 0) {
    throw new FailClosed(
      "bundle/stale",
      `bundle is stale, rebuild it with \`gatehouse build\`: ${problems.sort().join("; ")}`,
      join(dir, MANIFEST_FILE),
    );
  }
}
