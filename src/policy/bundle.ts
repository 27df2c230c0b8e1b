// Loading a bundle: verify before trusting. The wasm must match its manifest digest and every
// Rego source must match the digest recorded at build time; otherwise the bundle is refused.

import { existsSync, statSync } from "node:fs";
import { isAbsolute, join, resolve } from "node:path";
import { FailClosed } from "../core/errors.js";
import { sha256 } from "../core/digest.js";
import { readUntrustedFile } from "../core/read.js";
import { MANIFEST_FILE, hashSources, regoSources } from "./build.js";
import type { BundleManifest } from "./manifest.js";

export interface LoadedBundle {
  dir: string;
  manifest: BundleManifest;
  wasm: Buffer;
  /** sha256 of the wasm (verified equal to the manifest's). */
  sha256: string;
}

export function isBundleDir(path: string): boolean {
  return existsSync(join(path, MANIFEST_FILE));
}

/** A bundle is repository content: read through the untrusted-file reader, with caps far above real bundles. */
const MAX_MANIFEST_BYTES = 16 * 1024 * 1024;
const MAX_WASM_BYTES = 256 * 1024 * 1024;

export async function loadBundle(dir: string, options: { verifySources?: boolean } = {}): Promise<LoadedBundle> {
  const manifestPath = join(dir, MANIFEST_FILE);
  let manifest: BundleManifest;
  try {
    manifest = JSON.parse(readUntrustedFile(manifestPath, { maxBytes: MAX_MANIFEST_BYTES }).toString("utf8")) as BundleManifest;
  } catch (error) {
    throw new FailClosed("bundle/tampered", `cannot read bundle manifest: ${(error as Error).message}`, manifestPath);
  }
  if (manifest?.manifestVersion !== 1 || typeof manifest.wasm?.sha256 !== "string" || !Array.isArray(manifest.entrypoints)) {
    throw new FailClosed("bundle/tampered", "bundle manifest is malformed (expected manifestVersion 1 with wasm and entrypoints)", manifestPath);
  }
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
  if (options.verifySources !== false) await verifySources(dir, manifest);
  return { dir, manifest, wasm, sha256: digest };
}

/** Compares the Rego sources on disk with the digests recorded at build time. */
export async function verifySources(dir: string, manifest: BundleManifest): Promise<void> {
  const root = isAbsolute(manifest.sourceRoot) ? manifest.sourceRoot : resolve(dir, manifest.sourceRoot);
  if (!existsSync(root) || !statSync(root).isDirectory()) {
    throw new FailClosed("bundle/stale", `the bundle's Rego sources (${root}) are missing, so it cannot be verified`, join(dir, MANIFEST_FILE));
  }
  const actual = await hashSources(root, await regoSources(root));
  const problems: string[] = [];
  for (const [file, want] of Object.entries(manifest.sources)) {
    if (!(file in actual)) problems.push(`${file} was removed`);
    else if (actual[file] !== want) problems.push(`${file} changed`);
  }
  for (const file of Object.keys(actual)) if (!(file in manifest.sources)) problems.push(`${file} was added`);
  if (problems.length > 0) {
    throw new FailClosed(
      "bundle/stale",
      `bundle is stale, rebuild it with \`gatehouse build\`: ${problems.sort().join("; ")}`,
      join(dir, MANIFEST_FILE),
    );
  }
}
