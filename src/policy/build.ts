// `gatehouse build`: Rego sources → check (as `opa check --strict`) → build (as `opa build -t
// wasm`), through the Rego toolchain (src/toolchain: the wasm module or the opa binary) → a bundle
// directory holding policy.wasm and manifest.json (OPA version, entrypoints, package metadata,
// sha256 of every Rego source and of the wasm). Entrypoints are discovered from the parsed
// packages (every deny/violation/warn/exception rule), never from a hand-kept list.

import { existsSync, lstatSync, readdirSync, statSync } from "node:fs";
import { cp, mkdtemp, mkdir, rm, writeFile, rename } from "node:fs/promises";
import { tmpdir } from "node:os";
import { dirname, join, posix, relative, resolve, sep } from "node:path";
import { ConfigError, FailClosed, ToolchainError } from "../core/errors.js";
import { sha256 } from "../core/digest.js";
import { readUntrustedFile, UntrustedFileError } from "../core/read.js";
import { removeStaleTemps } from "../core/temp-files.js";
import { findFiles } from "../core/walk.js";
import { expectOk, inputToolchain, toolchain, type Toolchain, type Workspace } from "../toolchain/index.js";
import type { BuildArgs, RegoVersion, RuleDocument } from "../toolchain/protocol.js";
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
  type RuleDocumentInfo,
} from "./manifest.js";

export const WASM_FILE = "policy.wasm";
export const MANIFEST_FILE = "manifest.json";
/** The generated aggregate module's file name, as compiled into the wasm. */
const GENERATED_FILE = "gatehouse_aggregate.rego";

/**
 * What to compile: the Rego under `root`, or only the files and directories `paths` name in it
 * (relative, `/`-separated: several `--policy`, or `--policy file.rego`).
 */
export interface PolicySet {
  root: string;
  paths?: string[];
}

/** How to check and compile (conftest's compiler options). */
export interface CompileOptions {
  /** OPA's strict checks (`--strict`): off by default, as in conftest. */
  strict?: boolean;
  /** Also check the _test.rego files (gatehouse's own policy tree, whose tests must compile strictly). */
  checkTests?: boolean;
  regoVersion?: RegoVersion;
  /** A capabilities document (`--capabilities FILE`, parsed). */
  capabilities?: unknown;
}

/** `gatehouse build`'s checks: `opa check --strict` over the whole tree, tests included. */
export const REPOSITORY_BUILD: CompileOptions = { strict: true, checkTests: true };

/**
 * Rego sources of a policy directory (or of the paths named in it): every .rego except tests, sorted.
 * Dot directories and node_modules included: the build hands the directory to OPA's loader, which
 * compiles every .rego under it, so a source this list left out was compiled (its deny evaluated)
 * but not hashed, and the compile cache kept the old bundle when it changed (a deny rule added in
 * policy/.x/ was never evaluated; a FIFO there hung the build).
 */
export async function regoSources(policyDir: string, paths?: readonly string[]): Promise<string[]> {
  return listRego(policyDir, paths, (dir) => findFiles(dir, { extensions: [".rego"], exclude: ["_test.rego"], everything: true }), (path) => path.endsWith(".rego") && !path.endsWith("_test.rego"));
}

/** The `*_test.rego` files of a policy directory (or of the paths named in it), sorted: not built, but read (see build). */
export async function regoTestSources(policyDir: string, paths?: readonly string[]): Promise<string[]> {
  return listRego(policyDir, paths, (dir) => findFiles(dir, { extensions: ["_test.rego"], everything: true }), (path) => path.endsWith("_test.rego"));
}

async function listRego(policyDir: string, paths: readonly string[] | undefined, walk: (dir: string) => string[], named: (path: string) => boolean): Promise<string[]> {
  if (paths === undefined) return walk(policyDir);
  const out = new Set<string>();
  for (const path of paths) {
    const full = join(policyDir, path);
    let isDirectory = false;
    try {
      isDirectory = statSync(full).isDirectory();
    } catch {
      // a missing path has no sources (resolvePolicy refuses it before building)
    }
    if (!isDirectory) {
      if (named(path)) out.add(posix.normalize(path));
      continue;
    }
    for (const file of walk(full)) out.add(posix.normalize(path === "." ? file : `${path}/${file}`));
  }
  return [...out].sort();
}

export async function hashSources(policyDir: string, files: string[]): Promise<Record<string, string>> {
  const out: Record<string, string> = {};
  // Policy sources are repository content (a bundle's sourceRoot may be any directory).
  for (const file of files) {
    try {
      out[file] = sha256(readUntrustedFile(join(policyDir, file), { maxBytes: 16 * 1024 * 1024 }));
    } catch (error) {
      // A source that is a FIFO, a device or a dangling link is refused, never dropped from the policy.
      if (!(error instanceof UntrustedFileError)) throw error;
      throw new ConfigError(`cannot read the policy source: ${error.reason}`, join(policyDir, file));
    }
  }
  return out;
}

/** Package path (dotted, without `data`) and rule names of each module, from the AST (never a regex). */
async function parseModules(tools: Toolchain, policyDir: string, files: string[], regoVersion: RegoVersion | undefined): Promise<{ package: string; rules: string[]; definitions: number[]; documents: RuleDocument[] }[]> {
  const args = { paths: files, ...(regoVersion ? { regoVersion } : {}) };
  let modules;
  try {
    ({ modules } = await expectOk(tools, "parse", args, { root: policyDir }, policyDir));
  } catch (error) {
    // `opa parse --format json` (the native toolchain) cannot write every AST it parses: a number
    // literal such as `.0` fails with "json: invalid number literal". The wasm toolchain's parse
    // summarises the AST without writing it, so it answers when it is installed.
    if (!(error instanceof ToolchainError) || !error.message.includes("MarshalJSON")) throw error;
    const fallback = await inputToolchain();
    if (fallback === tools) throw error;
    ({ modules } = await expectOk(fallback, "parse", args, { root: policyDir }, policyDir));
  }
  return modules.map((m) => ({ package: m.package.join("."), rules: m.rules, definitions: m.definitions, documents: m.documents }));
}

/** Each data path once (the first file and row that define it), sorted by path. */
function ruleDocuments(parsed: { documents: RuleDocument[] }[], files: readonly string[], generated: readonly RuleDocumentInfo[]): RuleDocumentInfo[] {
  const byPath = new Map<string, RuleDocumentInfo>();
  const add = (doc: RuleDocumentInfo): void => {
    const key = JSON.stringify(doc.path);
    if (!byPath.has(key)) byPath.set(key, doc);
  };
  parsed.forEach((mod, index) => mod.documents.forEach((d) => add({ path: d.path, at: `${files[index]!}:${d.row}` })));
  for (const doc of generated) add(doc);
  return [...byPath].sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0)).map(([, doc]) => doc);
}

async function packageAnnotations(tools: Toolchain, policyDir: string, paths: readonly string[], regoVersion: RegoVersion | undefined): Promise<Map<string, PackageInfo>> {
  const out = new Map<string, PackageInfo>();
  const answers = await Promise.all(paths.map((path) => expectOk(tools, "inspect", { path, ...(regoVersion ? { regoVersion } : {}) }, { root: policyDir }, policyDir)));
  for (const entry of answers.flatMap((answer) => answer.annotations)) {
    if (entry.scope !== "package" && entry.scope !== "subpackages") continue;
    out.set(entry.path.join("."), {
      ...(entry.title ? { title: entry.title } : {}),
      ...(entry.description ? { description: entry.description } : {}),
      ...(entry.custom ? { custom: entry.custom } : {}),
    });
  }
  return out;
}

export interface BuildResult {
  manifest: BundleManifest;
  outDir: string;
}

/**
 * Compiles `policy` (a directory, or a PolicySet) into `outDir`. Writes atomically: a failed build
 * leaves outDir as it was. The default options are `gatehouse build`'s (REPOSITORY_BUILD).
 */
/**
 * `replace`: the output is replaced by the new bundle (`gatehouse build --out`). `keep-existing`:
 * the output is content-addressed (the compile cache, keyed by the sources and options), so a
 * complete bundle already there is the same bundle and is kept: a run reading it while another
 * run builds the same key never sees it removed.
 */
export type BundlePlacement = "replace" | "keep-existing";

export function buildBundle(policy: string | PolicySet, outDir: string, options: CompileOptions = REPOSITORY_BUILD, placement: BundlePlacement = "replace"): Promise<BuildResult> {
  if (placement === "replace") return build(policy, outDir, options, placement);
  // One build per cache key at a time in this process (they would share one staging directory).
  const key = resolve(outDir);
  const running = cacheBuilds.get(key);
  if (running) return running;
  const started = build(policy, outDir, options, placement).finally(() => cacheBuilds.delete(key));
  cacheBuilds.set(key, started);
  return started;
}

const cacheBuilds = new Map<string, Promise<BuildResult>>();

async function build(policy: string | PolicySet, outDir: string, options: CompileOptions, placement: BundlePlacement): Promise<BuildResult> {
  const policyDir = typeof policy === "string" ? policy : policy.root;
  const selected = typeof policy === "string" ? undefined : policy.paths;
  const paths = selected ?? ["."];
  const absPolicy = resolve(policyDir);
  assertReplaceableBundleDir(outDir);
  const files = await regoSources(absPolicy, selected);
  if (files.length === 0) throw new FailClosed("gate/no-policies", "no .rego files to build", policyDir);
  const { regoVersion, capabilities } = options;
  const versioned = regoVersion ? { regoVersion } : {};
  const capable = capabilities !== undefined ? { capabilities } : {};

  const tools = await toolchain();
  // Paths relative to the policy directory: error locations (and, below, the file names compiled
  // into the wasm) do not depend on where the directory sits. Tests are not built, so they are
  // not checked either (conftest compiles them with its test helpers, which a build lacks),
  // except in gatehouse's own tree.
  await expectOk(
    tools,
    "check",
    { paths, strict: options.strict === true, ...(options.checkTests ? {} : { ignore: ["*_test.rego"] }), ...versioned, ...capable },
    { root: absPolicy },
    policyDir,
  );
  const tests = await regoTestSources(absPolicy, selected);
  const [version, parsed, annotations, parsedTests] = await Promise.all([
    tools.opaVersion(),
    parseModules(tools, absPolicy, files, regoVersion),
    packageAnnotations(tools, absPolicy, paths, regoVersion),
    tests.length > 0 ? parseModules(tools, absPolicy, tests, regoVersion) : Promise.resolve([]),
  ]);
  // conftest test loads *_test.rego files with the policy and evaluates their deny, violation and
  // warn rules like any other; a build leaves the test files out (their tests call conftest's
  // helpers), so such a rule would never deny here: refused, naming it (it allowed what conftest denies).
  for (const [index, mod] of parsedTests.entries()) {
    const rule = mod.rules.find((name) => classifyRule(name) !== undefined);
    if (rule === undefined) continue;
    throw new ConfigError(
      `${mod.package}.${rule} is defined in a test file: conftest test evaluates it, and gatehouse builds no *_test.rego file, so it would never be evaluated; define it in a policy file`,
      join(policyDir, tests[index]!),
    );
  }

  const entrypoints: EntrypointInfo[] = [];
  const packages: Record<string, PackageInfo> = {};
  const seen = new Set<string>();
  const definitions = new Map<string, number>();
  for (const [index, mod] of parsed.entries()) {
    if (mod.package === AGGREGATE_PACKAGE || mod.package.startsWith(`${AGGREGATE_PACKAGE}.`)) {
      throw new ConfigError(`package ${mod.package}: the package ${AGGREGATE_PACKAGE} is reserved for the rules gatehouse build generates`, join(policyDir, files[index]!));
    }
    packages[mod.package] = annotations.get(mod.package) ?? packages[mod.package] ?? {};
    for (const [ruleIndex, rule] of mod.rules.entries()) {
      const role = classifyRule(rule);
      const path = `${mod.package.replaceAll(".", "/")}/${rule}`;
      if (role) definitions.set(path, (definitions.get(path) ?? 0) + (mod.definitions[ruleIndex] ?? 1));
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
    const request: BuildArgs = { paths: [...paths], entrypoints: entrypoints.map((e) => e.path), ignore: ["*_test.rego"], ...versioned, ...capable };
    // Build from inside the policy directory so the file names compiled into the wasm (used in
    // error locations) are relative: the same sources give the same bytes wherever they sit.
    let at: Workspace = { root: absPolicy };
    if (generated) {
      // The generated module must not be written into the user's directory, and its path is
      // compiled into the wasm too: so build from a copy, with the module beside it at a fixed
      // relative path.
      at = { root: work, cwd: "policy" };
      if (selected === undefined) await cp(absPolicy, join(work, "policy"), { recursive: true });
      else {
        for (const path of paths) {
          await mkdir(dirname(join(work, "policy", path)), { recursive: true });
          await cp(join(absPolicy, path), join(work, "policy", path), { recursive: true });
        }
      }
      await writeFile(join(work, GENERATED_FILE), generated.source);
      for (const aggregate of Object.values(generated.aggregates)) request.entrypoints.push(aggregate.path);
      request.paths.push(`../${GENERATED_FILE}`);
    }
    const { bundle } = await expectOk(tools, "build", request, at, policyDir);
    const wasm = extractFromTarGz(Buffer.from(bundle, "base64"), "/policy.wasm");
    const wasmModule = await WebAssembly.compile(new Uint8Array(wasm));
    const builtins = wasmBuiltinNames(wasmModule, wasm);

    const several = [...definitions].filter(([, n]) => n > 1).sort(([a], [b]) => (a < b ? -1 : 1));
    const manifest: BundleManifest = {
      manifestVersion: 1,
      opaVersion: version,
      wasm: { file: WASM_FILE, sha256: sha256(wasm), bytes: wasm.byteLength },
      sourceRoot: relative(resolve(outDir), absPolicy).split(sep).join("/") || ".",
      sources: await hashSources(absPolicy, files),
      ...(selected !== undefined ? { sourcePaths: [...selected] } : {}),
      entrypoints,
      packages: Object.fromEntries(Object.entries(packages).sort(([a], [b]) => (a < b ? -1 : 1))),
      builtins,
      ...(generated ? { aggregates: generated.aggregates satisfies Record<string, AggregateInfo> } : {}),
      ...(several.length > 0 ? { definitions: Object.fromEntries(several) } : {}),
      documents: ruleDocuments(parsed, files, generated ? Object.values(generated.aggregates).map((a) => ({ path: a.path.split("/"), at: GENERATED_FILE })) : []),
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
    await (placement === "keep-existing" ? placeUnlessPresent(staging, outDir) : replaceDir(staging, outDir));
    return { manifest, outDir };
  } finally {
    await rm(work, { recursive: true, force: true });
  }
}

/** Reads one member of a gzip'd tar (ustar) archive. */
export function extractFromTarGz(gz: Uint8Array, member: string): Buffer {
  // node:zlib only where a bundle is built (~1 ms at every start otherwise).
  const tar = process.getBuiltinModule("node:zlib").gunzipSync(gz);
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

/**
 * Moves `staging` to `outDir`, replacing what is there. Two runs building the same cached bundle
 * at once race between the removal and the rename (ENOTEMPTY: the other run's bundle landed in
 * between); the removal and rename are retried, so the last complete bundle wins, never a mix.
 */
async function replaceDir(staging: string, outDir: string): Promise<void> {
  for (let attempt = 1; ; attempt++) {
    // Checked again before each removal: what landed there since the first check may not be a bundle.
    assertReplaceableBundleDir(outDir);
    await rm(outDir, { recursive: true, force: true });
    try {
      await rename(staging, outDir);
      return;
    } catch (error) {
      const code = (error as NodeJS.ErrnoException).code;
      if ((code !== "ENOTEMPTY" && code !== "EEXIST") || attempt >= 5) throw error;
    }
  }
}

/** A bundle directory lands whole (one rename), so both files there mean a complete bundle. */
function holdsBundle(dir: string): boolean {
  return existsSync(join(dir, MANIFEST_FILE)) && existsSync(join(dir, WASM_FILE));
}

/** Moves `staging` to `outDir` unless a complete bundle is there already (then staging is dropped). */
async function placeUnlessPresent(staging: string, outDir: string): Promise<void> {
  if (holdsBundle(outDir)) return void (await rm(staging, { recursive: true, force: true }));
  try {
    await rename(staging, outDir);
  } catch (error) {
    const code = (error as NodeJS.ErrnoException).code;
    // Another run's bundle landed in between: the same content, keep it.
    if ((code === "ENOTEMPTY" || code === "EEXIST") && holdsBundle(outDir)) return void (await rm(staging, { recursive: true, force: true }));
    if (code === "ENOTEMPTY" || code === "EEXIST") return replaceDir(staging, outDir);
    throw error;
  }
}

/** What a bundle directory holds; a directory with anything else is not one to replace. */
const BUNDLE_FILES = new Set([WASM_FILE, MANIFEST_FILE]);

/**
 * Refuses an output that is not absent, empty, or a bundle (policy.wasm and manifest.json only):
 * the build replaces the whole directory, so `--out src` or `--out policy` (the sources being
 * built) would delete a project's files. A link is judged by what it is, not by its target
 * (the swap replaces the link).
 */
function assertReplaceableBundleDir(outDir: string): void {
  let entries: string[];
  try {
    if (!lstatSync(outDir).isDirectory()) throw new ConfigError("the bundle output is not a directory; the build would replace it (give a new or bundle directory)", outDir);
    entries = readdirSync(outDir);
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === "ENOENT") return;
    throw error instanceof ConfigError ? error : new ConfigError(`cannot check the bundle output: ${(error as Error).message}`, outDir);
  }
  const others = entries.filter((name) => !BUNDLE_FILES.has(name)).sort();
  if (others.length > 0) {
    const shown = others.slice(0, 3).map((name) => JSON.stringify(name)).join(", ");
    throw new ConfigError(`the bundle output holds files that are not a bundle's (${shown}${others.length > 3 ? ", ..." : ""}); the build replaces the whole directory, so it would delete them: give a new or bundle directory`, outDir);
  }
}
