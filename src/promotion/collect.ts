// Builds the promotion input for each run receipt: the receipt, plus the facts only the disk can
// tell (each output's actual sha256 and size, whether its path escapes the receipt's directory,
// the manifest it links to by digest, the watcher registry and the provider's entry). Policies in
// policy/promotion/ compare declared with actual; they never touch the disk themselves.

import { lstatSync, readdirSync, realpathSync, statSync } from "node:fs";
import { lstat, realpath } from "node:fs/promises";
import { dirname, isAbsolute, join, posix, relative, resolve, sep } from "node:path";
import fg from "fast-glob";
import picomatch from "picomatch";
import { sha256 } from "../core/digest.js";
import type { Finding } from "../core/findings.js";
import { displayPath } from "../core/paths.js";
import { readUntrustedFile, UntrustedFileError } from "../core/read.js";
import { boundedGlobFs } from "../core/walk.js";
import type { InputJob } from "../gate/evaluate-input.js";
import { DEFAULT_MAX_INPUT_BYTES, InputParseError, parseDocument, decodeText } from "../inputs/parse.js";
import type { SchemaRegistry } from "../schemas/registry.js";
import { HASH_CHUNK_BYTES, HASH_CONCURRENCY, HASH_SLACK_BYTES, hashFile, mapLimited, NotAFileError, SizeMismatchError } from "./hash.js";

export interface PromotionSettings {
  /** globs (relative to the root) that find run receipts */
  receipts: string[];
  /** globs (relative to the root) that find run manifests; each receipt's own directory is searched too */
  manifests: string[];
  /** the watcher registry file, relative to the root */
  registry?: string;
  requiredChecks: string[];
  maxClockSkewSeconds: number;
}

export const DEFAULT_PROMOTION_SETTINGS: PromotionSettings = {
  receipts: ["**/*.receipt.json"],
  manifests: ["**/*.manifest.json"],
  requiredChecks: [],
  maxClockSkewSeconds: 300,
};

const IGNORE = ["**/node_modules/**", "**/.git/**"];

/** Reads the `promotion` config section (already schema-validated) over the defaults. */
export function promotionSettings(section: unknown): PromotionSettings {
  const given = (section ?? {}) as Partial<PromotionSettings>;
  return {
    receipts: given.receipts ?? DEFAULT_PROMOTION_SETTINGS.receipts,
    manifests: given.manifests ?? DEFAULT_PROMOTION_SETTINGS.manifests,
    ...(given.registry !== undefined ? { registry: given.registry } : {}),
    requiredChecks: given.requiredChecks ?? DEFAULT_PROMOTION_SETTINGS.requiredChecks,
    maxClockSkewSeconds: given.maxClockSkewSeconds ?? DEFAULT_PROMOTION_SETTINGS.maxClockSkewSeconds,
  };
}

/** A file the verdict depended on, for the verification summary. */
export interface FileFact {
  role: "receipt" | "manifest" | "registry";
  file: string;
  sha256: string;
}

/** An output verified on disk (status ok), for the verification summary's subject. */
export interface SubjectFact {
  name: string;
  file: string;
  sha256: string;
  bytes: number;
}

export interface PromotionCollection {
  inputs: InputJob[];
  findings: Finding[];
  files: FileFact[];
  subjects: SubjectFact[];
}

interface RegistryFacts {
  status: "ok" | "missing" | "invalid";
  path?: string;
  sha256?: string;
  problems: string[];
  providers: Map<string, { allowedOutputs: string[]; notBefore?: string; expires: string }>;
}

interface ManifestEntry {
  file: string;
  sha256: string;
  document?: unknown;
  parseError?: string;
}

export interface ClosedWorldOptions {
  /** closed world for every receipt, not only those that declare closedOutputs */
  closed?: boolean;
  /** files (absolute) a closed output directory may hold besides the outputs, e.g. the summary being written */
  ignoreFiles?: string[];
}

/** Where a promotion input's own file sits in the document policies see: reports point into the receipt, not the envelope. */
export const RECEIPT_VIEW = { pointer: "/receipt/document", schema: "run-receipt.v1" } as const;

/**
 * Collects the promotion inputs, one per receipt. `receiptFiles` (absolute) overrides the receipt
 * globs; `registryFile` (absolute) overrides settings.registry.
 */
export async function collectPromotion(
  root: string,
  settings: PromotionSettings,
  schemas: SchemaRegistry,
  explicit: { receiptFiles?: string[]; registryFile?: string } = {},
  closedWorld: ClosedWorldOptions = {},
): Promise<PromotionCollection> {
  const findings: Finding[] = [];
  const files: FileFact[] = [];
  const subjects: SubjectFact[] = [];
  const inputs: InputJob[] = [];

  const receiptFiles = explicit.receiptFiles
    ? [...new Set(explicit.receiptFiles.map((f) => resolve(root, f)))].sort()
    : (await fg(settings.receipts, { cwd: root, fs: boundedGlobFs(root), absolute: true, ignore: IGNORE, onlyFiles: true, dot: false })).sort();

  const registryFile = explicit.registryFile ?? (settings.registry !== undefined ? resolve(root, settings.registry) : undefined);
  // The repository's own files (globbed receipts and manifests) are read inside its root: a
  // committed `x.receipt.json -> /proc/self/environ` or `-> ~/.npmrc` is not the repository's,
  // and its parse error would print the first bytes of it into the report. Files named on the
  // command line or in the config (the registry: a central one may live outside) are read where they are.
  const registry = readRegistry(registryFile, schemas);
  const receiptRoot = explicit.receiptFiles ? undefined : root;
  if (registry.path && registry.sha256) files.push({ role: "registry", file: registry.path, sha256: registry.sha256 });

  const manifests = await findManifests(root, settings, receiptFiles);
  const linkedManifests = new Set<string>();

  for (const receiptFile of receiptFiles) {
    const display = displayPath(receiptFile);
    let raw: Buffer;
    try {
      raw = readUntrustedFile(receiptFile, { maxBytes: DEFAULT_MAX_INPUT_BYTES, ...(receiptRoot !== undefined ? { root: receiptRoot } : {}) });
    } catch (error) {
      if (error instanceof UntrustedFileError && error.problem === "too-large") {
        findings.push({ code: "input/too-large", severity: "error", message: `receipt is ${error.reason}`, source: "gate", input: display });
        continue;
      }
      findings.push({ code: "input/unreadable", severity: "error", message: `cannot read receipt: ${(error as NodeJS.ErrnoException).code ?? (error as Error).message}`, source: "gate", input: display });
      continue;
    }
    let receipt: unknown;
    try {
      receipt = parseDocument(decodeText(raw), "json");
    } catch (error) {
      if (!(error instanceof InputParseError)) throw error;
      findings.push({ code: "input/unparsable", severity: "error", message: error.message, source: "gate", input: display });
      continue;
    }
    const receiptSha = sha256(raw);
    files.push({ role: "receipt", file: receiptFile, sha256: receiptSha });
    const settingsDoc = { requiredChecks: settings.requiredChecks, maxClockSkewSeconds: settings.maxClockSkewSeconds };
    const registryDoc = { status: registry.status, ...(registry.path ? { path: displayPath(registry.path) } : {}), ...(registry.sha256 ? { sha256: registry.sha256 } : {}), problems: registry.problems };
    // One envelope for every promotion-input this receipt yields; only the facts differ.
    const promotionInput = (facts: { manifest: unknown; provider: unknown; outputs: unknown[]; closedWorld?: unknown }): InputJob => ({
      display,
      kind: "promotion-input",
      embedded: RECEIPT_VIEW,
      document: {
        inputVersion: "promotion-input.v1",
        receipt: { path: display, sha256: receiptSha, document: receipt },
        manifest: facts.manifest,
        registry: registryDoc,
        provider: facts.provider,
        outputs: facts.outputs,
        ...(facts.closedWorld !== undefined ? { closedWorld: facts.closedWorld } : {}),
        settings: settingsDoc,
      },
    });

    if (schemas.validate("run-receipt.v1", receipt, display).length > 0) {
      // The kind's schema embeds run-receipt.v1, so evaluation reports each problem, against
      // the receipt's own pointer (pointerBase); the facts below would be meaningless for a
      // malformed receipt.
      inputs.push(promotionInput({ manifest: { status: "missing", declaredSha256: "0".repeat(64), problems: [] }, provider: { id: "", listed: false }, outputs: [] }));
      continue;
    }
    const doc = receipt as Receipt;
    const receiptDir = dirname(receiptFile);

    const manifest = await linkManifest(doc, receiptDir, manifests, schemas);
    if (manifest.status !== "missing" && manifest.file && manifest.actualSha256) {
      if (!linkedManifests.has(manifest.file)) files.push({ role: "manifest", file: manifest.file, sha256: manifest.actualSha256 });
      linkedManifests.add(manifest.file);
    }

    const entry = registry.status === "ok" ? registry.providers.get(doc.provider.id) : undefined;
    const allowed = entry ? entry.allowedOutputs.map((glob) => picomatch(glob, { dot: true })) : [];

    const outputs = await mapLimited(doc.outputs, HASH_CONCURRENCY, async (output, index) => {
      const declared = { sha256: output.digest.sha256, bytes: output.bytes };
      if (output.path === undefined) return { index, declared, actual: { status: "no-path" as const } };
      const located = await locate(receiptDir, output.path);
      const relPath = toPosix(output.path);
      // Both the name the receipt gives and the file it resolves to must be allowed: a link named
      // outputs/a.csv that points at private/keys.txt is the provider producing private/keys.txt.
      const named = toPosix(relative(receiptDir, resolve(receiptDir, output.path)));
      const target = located.status === "found" || located.status === "hard-linked" ? located.target : undefined;
      const fact = {
        index,
        path: relPath,
        ...(target !== undefined && target !== named ? { target } : {}),
        declared,
        allowedByProvider: [named, ...(target !== undefined ? [target] : [])].every((candidate) => allowed.some((match) => match(candidate))),
      };
      if (located.status !== "found") return { ...fact, actual: { status: located.status, detail: located.detail } };
      try {
        const digest = await hashFile(located.real, HASH_CHUNK_BYTES, declared.bytes + HASH_SLACK_BYTES);
        subjects.push({ name: output.name ?? relPath, file: resolve(receiptDir, output.path), sha256: digest.sha256, bytes: digest.bytes });
        return { ...fact, actual: { status: "ok" as const, sha256: digest.sha256, bytes: digest.bytes } };
      } catch (error) {
        if (error instanceof NotAFileError) return { ...fact, actual: { status: "not-a-file" as const, detail: "not a regular file" } };
        // Not hashed: far larger than declared, it cannot be the declared content (promotion/size-mismatch denies).
        if (error instanceof SizeMismatchError) return { ...fact, actual: { status: "ok" as const, bytes: error.bytes, detail: `not hashed: more than ${HASH_SLACK_BYTES} bytes over the declared size` } };
        return { ...fact, actual: { status: "unreadable" as const, detail: (error as NodeJS.ErrnoException).code ?? (error as Error).message } };
      }
    });

    const closedDirectory = doc.closedOutputs?.directory ?? (closedWorld.closed ? commonDirectory(doc.outputs) : undefined);
    const closedFacts =
      closedDirectory === undefined
        ? undefined
        : undeclaredOutputs(receiptDir, closedDirectory, doc.outputs, new Set([receiptFile, manifest.file, registry.path, ...(closedWorld.ignoreFiles ?? [])].filter((f): f is string => f !== undefined).map((f) => resolve(f))));

    inputs.push(
      promotionInput({
        ...(closedFacts ? { closedWorld: { ...closedFacts, source: doc.closedOutputs ? "receipt" : "verify" } } : {}),
        manifest: {
          status: manifest.status,
          ...(manifest.file ? { path: displayPath(manifest.file) } : {}),
          declaredSha256: doc.manifest.digest.sha256,
          ...(manifest.actualSha256 ? { actualSha256: manifest.actualSha256 } : {}),
          ...(manifest.runId !== undefined ? { runId: manifest.runId } : {}),
          problems: manifest.problems,
        },
        provider: {
          id: doc.provider.id,
          listed: entry !== undefined,
          ...(entry?.notBefore ? { notBefore: entry.notBefore } : {}),
          ...(entry ? { expires: entry.expires } : {}),
        },
        outputs,
      }),
    );
  }
  subjects.sort((a, b) => (a.file < b.file ? -1 : a.file > b.file ? 1 : 0));
  return { inputs, findings, files, subjects };
}

interface Receipt {
  runId: string;
  manifest: { path?: string; digest: { sha256: string } };
  provider: { id: string };
  outputs: { name?: string; path?: string; digest: { sha256: string }; bytes: number }[];
  closedOutputs?: { directory: string };
}

/** The deepest directory holding every declared output path (relative to the receipt; "." at worst). */
function commonDirectory(outputs: Receipt["outputs"]): string {
  const dirs = outputs.filter((o) => o.path !== undefined).map((o) => posix.dirname(toPosix(posix.normalize(toPosix(o.path!)))).split("/"));
  if (dirs.length === 0) return ".";
  let common = dirs[0]!;
  for (const dir of dirs.slice(1)) {
    let n = 0;
    while (n < common.length && n < dir.length && common[n] === dir[n]) n++;
    common = common.slice(0, n);
  }
  const joined = common.join("/");
  return joined === "" || joined.startsWith("..") ? "." : joined;
}

interface ClosedWorldFacts {
  directory: string;
  undeclared: { path: string; file: string }[];
  problem?: string;
}

/**
 * Closed world: every entry under the directory that is not a directory (a file, a link, a
 * device) must be a declared output. Links are listed, not followed, so an undeclared link
 * is caught as well. The receipt, its manifest, the registry and the files the caller names
 * are not outputs and may sit there.
 */
function undeclaredOutputs(receiptDir: string, directory: string, outputs: Receipt["outputs"], ignore: ReadonlySet<string>): ClosedWorldFacts {
  const facts: ClosedWorldFacts = { directory: toPosix(directory), undeclared: [] };
  const abs = resolve(receiptDir, directory);
  if (isAbsolute(directory) || (abs !== receiptDir && !inside(receiptDir, abs))) return { ...facts, problem: "the closed output directory leaves the receipt's directory" };
  const declared = new Set(outputs.filter((o) => o.path !== undefined).map((o) => resolve(receiptDir, o.path!)));
  // A closed world is a claim about the outputs' directory: one that does not hold every
  // declared output (an empty directory beside them) would close nothing.
  const outside = [...declared].filter((file) => !inside(abs, file)).sort();
  if (outside.length > 0) return { ...facts, problem: `the closed output directory does not hold the declared output ${toPosix(relative(receiptDir, outside[0]!))}` };
  let entries: import("node:fs").Dirent[];
  try {
    // Listed where it really is: a directory linked out of the receipt's directory is not listed.
    let rootReal = receiptDir;
    try {
      rootReal = realpathSync(receiptDir);
    } catch {
      // the receipt was read from it: a failure here is reported by the listing below
    }
    const real = realpathSync(abs);
    if (real !== rootReal && !inside(rootReal, real)) return { ...facts, problem: "the closed output directory is a link out of the receipt's directory" };
    if (!statSync(abs).isDirectory()) return { ...facts, problem: "the closed output directory is not a directory" };
    entries = readdirSync(abs, { withFileTypes: true, recursive: true });
  } catch (error) {
    return { ...facts, problem: `the closed output directory cannot be listed: ${(error as NodeJS.ErrnoException).code ?? (error as Error).message}` };
  }
  for (const entry of entries) {
    if (entry.isDirectory()) continue;
    const file = join(entry.parentPath, entry.name);
    if (declared.has(file) || ignore.has(file)) continue;
    facts.undeclared.push({ path: toPosix(relative(receiptDir, file)), file: displayPath(file) });
  }
  facts.undeclared.sort((a, b) => (a.path < b.path ? -1 : a.path > b.path ? 1 : 0));
  return facts;
}

type Located =
  | { status: "found"; real: string; target: string }
  | { status: "hard-linked"; target: string; detail: string }
  | { status: "missing" | "escapes" | "unreadable"; detail: string };

type Resolved = { status: "inside"; real: string; target: string } | { status: "missing" | "escapes" | "unreadable"; detail: string };

/**
 * Resolves a path a receipt names against the receipt's directory and refuses to leave it:
 * lexically (`..`, absolute paths) and after following symlinks (realpath), so a link pointing
 * outside the root is caught as well. `target` is the resolved file relative to the root.
 */
async function resolveInside(receiptDir: string, path: string): Promise<Resolved> {
  if (isAbsolute(path) || /^[A-Za-z]:[\\/]/.test(path)) return { status: "escapes", detail: "absolute path" };
  const lexical = resolve(receiptDir, path);
  if (!inside(receiptDir, lexical)) return { status: "escapes", detail: "resolves outside the receipt's directory" };
  let rootReal: string;
  let real: string;
  try {
    rootReal = await realpath(receiptDir);
    real = await realpath(lexical);
  } catch (error) {
    const code = (error as NodeJS.ErrnoException).code;
    if (code === "ENOENT" || code === "ENOTDIR") {
      const dangling = isSymlink(lexical);
      return { status: "missing", detail: dangling ? "dangling symlink" : "no such file" };
    }
    return { status: "unreadable", detail: code ?? (error as Error).message };
  }
  if (!inside(rootReal, real)) return { status: "escapes", detail: "a symlink resolves outside the receipt's directory" };
  return { status: "inside", real, target: toPosix(relative(rootReal, real)) };
}

/**
 * An output's file. A regular file with more than one name (a hard link) is refused: its other
 * names cannot be found without searching the whole file system, so nothing shows they are
 * inside the receipt's directory, and the file may be one the run never owned.
 */
async function locate(receiptDir: string, path: string): Promise<Located> {
  const resolved = await resolveInside(receiptDir, path);
  if (resolved.status !== "inside") return resolved;
  try {
    const stat = await lstat(resolved.real);
    if (stat.isFile() && stat.nlink > 1) {
      return { status: "hard-linked", target: resolved.target, detail: `the file has ${stat.nlink} hard links, and the others may lie outside the receipt's directory` };
    }
  } catch (error) {
    return { status: "unreadable", detail: (error as NodeJS.ErrnoException).code ?? (error as Error).message };
  }
  return { status: "found", real: resolved.real, target: resolved.target };
}

function inside(root: string, path: string): boolean {
  const rel = relative(root, path);
  return rel !== "" && !rel.startsWith(`..${sep}`) && rel !== ".." && !isAbsolute(rel);
}

function isSymlink(path: string): boolean {
  try {
    return lstatSync(path).isSymbolicLink();
  } catch {
    return false;
  }
}

function toPosix(path: string): string {
  return sep === "/" ? path : path.split(sep).join("/");
}

function readRegistry(file: string | undefined, schemas: SchemaRegistry): RegistryFacts {
  const facts: RegistryFacts = { status: "missing", problems: [], providers: new Map() };
  if (file === undefined) {
    facts.problems.push("no watcher registry configured (promotion.registry or --registry)");
    return facts;
  }
  facts.path = file;
  let raw: Buffer;
  try {
    raw = readUntrustedFile(file, { maxBytes: DEFAULT_MAX_INPUT_BYTES });
  } catch (error) {
    facts.problems.push(`cannot read ${displayPath(file)}: ${(error as NodeJS.ErrnoException).code ?? (error as Error).message}`);
    return facts;
  }
  facts.sha256 = sha256(raw);
  facts.status = "invalid";
  let document: unknown;
  try {
    document = parseDocument(decodeText(raw), file.endsWith(".json") ? "json" : "yaml");
  } catch (error) {
    if (!(error instanceof InputParseError)) throw error;
    facts.problems.push(error.message);
    return facts;
  }
  const problems = schemas.validate("watcher-registry.v1", document, displayPath(file)).map((f) => f.message);
  if (problems.length > 0) {
    facts.problems.push(...problems);
    return facts;
  }
  const providers = (document as { providers: { id: string; allowedOutputs: string[]; notBefore?: string; expires: string }[] }).providers;
  for (const provider of providers) {
    if (facts.providers.has(provider.id)) facts.problems.push(`provider ${JSON.stringify(provider.id)} is listed twice`);
    facts.providers.set(provider.id, { allowedOutputs: provider.allowedOutputs, expires: provider.expires, ...(provider.notBefore ? { notBefore: provider.notBefore } : {}) });
  }
  if (facts.problems.length > 0) {
    facts.providers.clear();
    return facts;
  }
  facts.status = "ok";
  return facts;
}

async function findManifests(root: string, settings: PromotionSettings, receiptFiles: string[]): Promise<Map<string, ManifestEntry>> {
  // Bounded, as every walk of repository content: committed links that lead to the same
  // directories again and again would hang the gate.
  // Each manifest with the root it was found under: the repository's, or the receipt's directory.
  const found = new Map<string, string>();
  for (const file of await fg(settings.manifests, { cwd: root, fs: boundedGlobFs(root), absolute: true, ignore: IGNORE, onlyFiles: true })) found.set(file, root);
  for (const dir of new Set(receiptFiles.map((f) => dirname(f)))) {
    for (const file of await fg("*.manifest.json", { cwd: dir, fs: boundedGlobFs(dir), absolute: true, onlyFiles: true })) if (!found.has(file)) found.set(file, dir);
  }
  const byDigest = new Map<string, ManifestEntry>();
  for (const [file, under] of [...found].sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0))) {
    const entry = readManifest(file, under);
    if (entry && !byDigest.has(entry.sha256)) byDigest.set(entry.sha256, entry);
  }
  return byDigest;
}

function readManifest(file: string, root: string): ManifestEntry | undefined {
  let raw: Buffer;
  try {
    raw = readUntrustedFile(file, { maxBytes: DEFAULT_MAX_INPUT_BYTES, root });
  } catch {
    return undefined;
  }
  const entry: ManifestEntry = { file, sha256: sha256(raw) };
  try {
    entry.document = parseDocument(decodeText(raw), "json");
  } catch (error) {
    if (!(error instanceof InputParseError)) throw error;
    entry.parseError = error.message;
  }
  return entry;
}

interface ManifestLink {
  status: "linked" | "missing" | "digest-mismatch" | "invalid" | "escapes";
  file?: string;
  actualSha256?: string;
  runId?: string;
  problems: string[];
}

/**
 * The receipt's path hint wins (a different digest there is a mismatch); otherwise link by digest.
 * A hint that leaves the receipt's directory (`..`, absolute, a symlink) is refused, not read.
 */
async function linkManifest(receipt: Receipt, receiptDir: string, byDigest: Map<string, ManifestEntry>, schemas: SchemaRegistry): Promise<ManifestLink> {
  const declared = receipt.manifest.digest.sha256;
  let entry: ManifestEntry | undefined;
  if (receipt.manifest.path !== undefined) {
    const hint = await resolveInside(receiptDir, receipt.manifest.path);
    if (hint.status === "escapes") return { status: "escapes", problems: [`the manifest path ${JSON.stringify(receipt.manifest.path)} ${hint.detail === "absolute path" ? "is absolute" : hint.detail}`] };
    const hinted = resolve(receiptDir, receipt.manifest.path);
    if (hint.status === "inside") {
      entry = readManifest(hinted, receiptDir);
      if (entry && entry.sha256 !== declared) {
        return { status: "digest-mismatch", file: hinted, actualSha256: entry.sha256, problems: [`${displayPath(hinted)} has sha256 ${entry.sha256}, the receipt declares ${declared}`] };
      }
    }
  }
  entry ??= byDigest.get(declared);
  if (!entry) return { status: "missing", problems: [`no manifest with sha256 ${declared} was found`] };
  const link: ManifestLink = { status: "linked", file: entry.file, actualSha256: entry.sha256, problems: [] };
  if (entry.parseError !== undefined) {
    link.status = "invalid";
    link.problems.push(entry.parseError);
    return link;
  }
  const problems = schemas.validate("run-manifest.v1", entry.document, displayPath(entry.file)).map((f) => f.message);
  if (problems.length > 0) {
    link.status = "invalid";
    link.problems.push(...problems);
    return link;
  }
  link.runId = (entry.document as { runId: string }).runId;
  if (link.runId !== receipt.runId) {
    link.status = "invalid";
    link.problems.push(`the manifest's runId ${JSON.stringify(link.runId)} differs from the receipt's ${JSON.stringify(receipt.runId)}`);
  }
  return link;
}
