// `gatehouse build`: Rego sources → `opa check --strict` → `opa build -t wasm` → a bundle
// directory holding policy.wasm and manifest.json (OPA version, entrypoints, package metadata,
// sha256 of every Rego source and of the wasm). Entrypoints are discovered from the parsed
// packages (every deny/violation/warn/exception rule), never from a hand-kept list.

import { cp, mkdtemp, mkdir, readFile, rm, writeFile, rename } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join, relative, resolve, sep } from "node:path";
import { gunzipSync } from "node:zlib";
import { ConfigError, FailClosed, ToolchainError } from "../core/errors.js";
import { sha256 } from "../core/digest.js";
import { readUntrustedFile } from "../core/read.js";
import { removeStaleTemps } from "../core/temp-files.js";
import { findFiles } from "../core/walk.js";
import { opaVersion, runTool } from "./toolchain.js";
import { verifiedEntrypoints } from "./entrypoints.js";
import { wasmTables } from "./wasm-tables.js";
import {
  AGGREGATE_PACKAGE,
  aggregateModule,
  classifyRule,
  type AggregateInfo,
  type BundleManifest,
  type EntrypointInfo,
  type PackageInfo,
} from "./manifest.js";

export const WASM_FILE = "policy.wasm";
export const MANIFEST_FILE = "manifest.json";
/** The generated aggregate module's file name, as compiled into the wasm. */
const GENERATED_FILE = "gatehouse_aggregate.rego";

/** Rego sources of a policy directory: every .rego except tests, sorted. */
export async function regoSources(policyDir: string): Promise<string[]> {
  return findFiles(policyDir, { extensions: [".rego"], exclude: ["_test.rego"] });
}

export async function hashSources(policyDir: string, files: string[]): Promise<Record<string, string>> {
  const out: Record<string, string> = {};
  // Policy sources are repository content (a bundle's sourceRoot may be any directory).
  for (const file of files) out[file] = sha256(readUntrustedFile(join(policyDir, file), { maxBytes: 16 * 1024 * 1024 }));
  return out;
}

interface ParsedModule {
  package: string;
  rules: string[];
}

/** Package path and rule names of one module, from `opa parse` (the AST, not a regex). */
async function parseModule(policyDir: string, file: string): Promise<ParsedModule> {
  const ast = JSON.parse(await runTool("opa", ["parse", "--format", "json", join(policyDir, file)])) as {
    package: { path: { value: string }[] };
    rules?: { head: { name?: string; ref?: { type: string; value: string }[] } }[];
  };
  const pkg = ast.package.path
    .slice(1)
    .map((term) => term.value)
    .join(".");
  const rules = new Set<string>();
  for (const rule of ast.rules ?? []) {
    const head = rule.head.ref?.[0]?.value ?? rule.head.name;
    if (head) rules.add(head);
  }
  return { package: pkg, rules: [...rules] };
}

interface InspectAnnotation {
  annotations: { scope: string; title?: string; description?: string; custom?: Record<string, unknown> };
  path: { value: string }[];
}

async function packageAnnotations(policyDir: string): Promise<Map<string, PackageInfo>> {
  const out = new Map<string, PackageInfo>();
  const raw = JSON.parse(await runTool("opa", ["inspect", "-a", "--format", "json", policyDir])) as {
    annotations?: InspectAnnotation[];
  };
  for (const entry of raw.annotations ?? []) {
    if (entry.annotations.scope !== "package" && entry.annotations.scope !== "subpackages") continue;
    const pkg = entry.path
      .slice(1)
      .map((t) => t.value)
      .join(".");
    out.set(pkg, {
      ...(entry.annotations.title ? { title: entry.annotations.title } : {}),
      ...(entry.annotations.description ? { description: entry.annotations.description } : {}),
      ...(entry.annotations.custom ? { custom: entry.annotations.custom } : {}),
    });
  }
  return out;
}

export interface BuildResult {
  manifest: BundleManifest;
  outDir: string;
}

/** Compiles `policyDir` into `outDir`. Writes atomically: a failed build leaves outDir as it was. */
export async function buildBundle(policyDir: string, outDir: string): Promise<BuildResult> {
  const absPolicy = resolve(policyDir);
  const files = await regoSources(absPolicy);
  if (files.length === 0) throw new FailClosed("gate/no-policies", "no .rego files to build", policyDir);

  await runTool("opa", ["check", "--strict", absPolicy]);
  const [version, parsed, annotations] = await Promise.all([
    opaVersion(),
    Promise.all(files.map((f) => parseModule(absPolicy, f))),
    packageAnnotations(absPolicy),
  ]);

  const entrypoints: EntrypointInfo[] = [];
  const packages: Record<string, PackageInfo> = {};
  const seen = new Set<string>();
  for (const [index, mod] of parsed.entries()) {
    if (mod.package === AGGREGATE_PACKAGE || mod.package.startsWith(`${AGGREGATE_PACKAGE}.`)) {
      throw new ConfigError(`package ${mod.package}: the package ${AGGREGATE_PACKAGE} is reserved for the rules gatehouse build generates`, join(policyDir, files[index]!));
    }
    packages[mod.package] = annotations.get(mod.package) ?? packages[mod.package] ?? {};
    for (const rule of mod.rules) {
      const role = classifyRule(rule);
      const path = `${mod.package.replaceAll(".", "/")}/${rule}`;
      if (!role || seen.has(path)) continue;
      seen.add(path);
      entrypoints.push({ path, package: mod.package, rule, role });
    }
  }
  entrypoints.sort((a, b) => (a.path < b.path ? -1 : 1));
  if (entrypoints.length === 0) {
    throw new FailClosed("gate/no-policies", "no deny, violation, warn or exception rules found", policyDir);
  }

  // Packages with several entrypoints also get one aggregate entrypoint (manifest.ts).
  const byPackage = new Map<string, string[]>();
  for (const e of entrypoints) {
    const rules = byPackage.get(e.package) ?? [];
    rules.push(e.rule);
    byPackage.set(e.package, rules);
  }
  const grouped = [...byPackage]
    .filter(([, rules]) => rules.length > 1)
    .sort(([a], [b]) => (a < b ? -1 : 1))
    .map(([pkg, rules]) => ({ package: pkg, rules }));
  const generated = grouped.length > 0 ? aggregateModule(grouped) : undefined;

  const work = await mkdtemp(join(tmpdir(), "gatehouse-build-"));
  try {
    const tarball = join(work, "bundle.tar.gz");
    const args = ["build", "-t", "wasm", "--ignore", "*_test.rego", "-o", tarball];
    for (const e of entrypoints) args.push("-e", e.path);
    // Build from inside the policy directory so the file names compiled into the wasm (used in
    // error locations) are relative: the same sources give the same bytes wherever they sit.
    let cwd = absPolicy;
    args.push(".");
    if (generated) {
      // The generated module must not be written into the user's directory, and its path is
      // compiled into the wasm too: so build from a copy, with the module beside it at a fixed
      // relative path.
      cwd = join(work, "policy");
      await cp(absPolicy, cwd, { recursive: true });
      await writeFile(join(work, GENERATED_FILE), generated.source);
      for (const aggregate of Object.values(generated.aggregates)) args.push("-e", aggregate.path);
      args.push(`../${GENERATED_FILE}`);
    }
    await runTool("opa", args, { cwd });
    const wasm = extractFromTarGz(await readFile(tarball), "/policy.wasm");
    const wasmModule = await WebAssembly.compile(new Uint8Array(wasm));
    const builtins = wasmBuiltinNames(wasmModule, wasm);

    const manifest: BundleManifest = {
      manifestVersion: 1,
      opaVersion: version,
      wasm: { file: WASM_FILE, sha256: sha256(wasm), bytes: wasm.byteLength },
      sourceRoot: relative(resolve(outDir), absPolicy).split(sep).join("/") || ".",
      sources: await hashSources(absPolicy, files),
      entrypoints,
      packages: Object.fromEntries(Object.entries(packages).sort(([a], [b]) => (a < b ? -1 : 1))),
      builtins,
      ...(generated ? { aggregates: generated.aggregates satisfies Record<string, AggregateInfo> } : {}),
    };

    // What gatehouse evaluates is the wasm's own entrypoint list: the manifest must describe it.
    verifiedEntrypoints(manifest, wasmTables(wasmModule).entrypoints);

    // Stage next to the destination, then swap, so readers never see half a bundle.
    const staging = `${resolve(outDir)}.tmp-${process.pid}`;
    removeStaleTemps(resolve(outDir)); // staging left by a build that was killed
    await rm(staging, { recursive: true, force: true });
    await mkdir(staging, { recursive: true });
    await writeFile(join(staging, WASM_FILE), wasm);
    await writeFile(join(staging, MANIFEST_FILE), JSON.stringify(manifest, null, 2) + "\n");
    await rm(outDir, { recursive: true, force: true });
    await rename(staging, outDir);
    return { manifest, outDir };
  } finally {
    await rm(work, { recursive: true, force: true });
  }
}

/** Reads one member of a gzip'd tar (ustar) archive. */
export function extractFromTarGz(gz: Uint8Array, member: string): Buffer {
  const tar = gunzipSync(gz);
  const want = member.replace(/^\//, "");
  for (let off = 0; off + 512 <= tar.length; ) {
    const header = tar.subarray(off, off + 512);
    if (header.every((b) => b === 0)) break;
    const name = cString(header.subarray(0, 100));
    const prefix = cString(header.subarray(345, 500));
    const full = (prefix ? `${prefix}/${name}` : name).replace(/^\//, "");
    const size = parseInt(cString(header.subarray(124, 136)).trim() || "0", 8);
    const body = off + 512;
    if (full === want) return Buffer.from(tar.subarray(body, body + size));
    off = body + Math.ceil(size / 512) * 512;
  }
  throw new ToolchainError(`opa build output has no ${member}`);
}

function cString(bytes: Uint8Array): string {
  const end = bytes.indexOf(0);
  return Buffer.from(end === -1 ? bytes : bytes.subarray(0, end)).toString("utf8");
}

/** Names of the builtins a compiled policy imports from its host (read by instantiating it once). */
export function wasmBuiltinNames(module: WebAssembly.Module, _wasm?: Uint8Array): string[] {
  return wasmTables(module).builtins;
}
