// Writing run manifests and run receipts from what is on disk (`gatehouse promote manifest create`,
// `gatehouse promote receipt create`), so a pipeline emits them with one command instead of
// hand-computing digests and sizes. Both documents are checked against their schemas before
// anything is written; the caller writes them atomically.

import { lstatSync, readdirSync, realpathSync, type Dirent, type Stats } from "node:fs";
import { arch, platform } from "node:os";
import { dirname, extname, isAbsolute, join, relative, sep } from "node:path";
import picomatch from "picomatch";
import { sha256 } from "../core/digest.js";
import { UsageError } from "../core/errors.js";
import { displayPath } from "../core/paths.js";
import { readUntrustedFile } from "../core/read.js";
import { isTempFileName } from "../core/temp-files.js";
import { decodeText, DEFAULT_MAX_INPUT_BYTES, InputParseError, parseDocument } from "../inputs/parse.js";
import type { SchemaRegistry } from "../schemas/registry.js";
import { HASH_CONCURRENCY, hashFile, mapLimited, NotAFileError } from "./hash.js";

/** Media types by file extension; anything else is application/octet-stream. */
export const MEDIA_TYPES: Readonly<Record<string, string>> = {
  ".csv": "text/csv",
  ".tsv": "text/tab-separated-values",
  ".txt": "text/plain",
  ".log": "text/plain",
  ".md": "text/markdown",
  ".html": "text/html",
  ".json": "application/json",
  ".jsonl": "application/jsonl",
  ".ndjson": "application/x-ndjson",
  ".yaml": "application/yaml",
  ".yml": "application/yaml",
  ".xml": "application/xml",
  ".parquet": "application/vnd.apache.parquet",
  ".pdf": "application/pdf",
  ".zip": "application/zip",
  ".gz": "application/gzip",
  ".tar": "application/x-tar",
  ".png": "image/png",
  ".jpg": "image/jpeg",
  ".jpeg": "image/jpeg",
  ".svg": "image/svg+xml",
  ".onnx": "application/onnx",
};

export function mediaTypeFor(path: string): string {
  return MEDIA_TYPES[extname(path).toLowerCase()] ?? "application/octet-stream";
}

export const SENSITIVITY_LABELS = ["public", "internal", "confidential", "restricted"] as const;
export type SensitivityLabel = (typeof SENSITIVITY_LABELS)[number];

export interface ManifestOptions {
  runId: string;
  pipeline: { name: string; version: string; source?: string };
  parameters: Record<string, string | number | boolean>;
  runtime: { name: string; version: string };
  image?: string;
  seed?: number;
  createdAt: string;
}

/** A run-manifest.v1 document; the environment's os and arch are this machine's. */
export function buildManifest(options: ManifestOptions, schemas: SchemaRegistry): object {
  const manifest = {
    manifestVersion: "run-manifest.v1",
    runId: options.runId,
    pipeline: { name: options.pipeline.name, version: options.pipeline.version, ...(options.pipeline.source ? { source: { uri: options.pipeline.source } } : {}) },
    externalParameters: options.parameters,
    environment: {
      os: platform(),
      arch: ARCH_NAMES[arch()] ?? arch(),
      runtime: options.runtime,
      ...(options.image ? { image: { uri: options.image } } : {}),
      ...(options.seed !== undefined ? { seed: options.seed } : {}),
    },
    createdAt: options.createdAt,
  };
  assertValid(schemas, "run-manifest.v1", manifest, "manifest");
  return manifest;
}

/** The names run manifests conventionally use (uname -m), not Node's. */
const ARCH_NAMES: Record<string, string> = { x64: "x86_64", arm64: "aarch64", ia32: "i686" };

export interface ReceiptOptions {
  /** absolute: the directory whose every file is an output */
  outputDir: string;
  /** absolute: where the receipt will be written; output paths are relative to its directory */
  receiptFile: string;
  /** absolute: the run manifest the receipt links to */
  manifestFile: string;
  provider: { id: string; version?: string };
  startedAt?: string;
  finishedAt: string;
  /** `[glob, label]` pairs, first match wins (globs relative to the output directory), then the default */
  sensitivity: { rules: [string, SensitivityLabel][]; fallback: SensitivityLabel };
  provenance: { source?: string; licence?: string; attribution?: string };
  checks: { name: string; status: "PASSED" | "WARNED" | "FAILED"; evidence: string }[];
  closed: boolean;
  onProgress?: (done: number, total: number) => void;
}

/** A run-receipt.v1 document for every file under the output directory, hashed on disk. */
export async function buildReceipt(options: ReceiptOptions, schemas: SchemaRegistry): Promise<object> {
  const receiptDir = dirname(options.receiptFile);
  if (options.outputDir !== receiptDir && !isInside(receiptDir, options.outputDir)) {
    throw new UsageError(`${displayPath(options.outputDir)}: write the receipt in the output directory or above it (outputs are verified relative to the receipt's directory, ${displayPath(receiptDir)})`);
  }
  const manifest = readManifest(options.manifestFile, schemas);
  // The receipt skips its own path when listing the outputs (a receipt kept in the output
  // directory is regenerated with --force), so a --force over an output would silently drop
  // that output and replace it with the receipt: only an earlier run receipt may be replaced there.
  if (isInside(options.outputDir, options.receiptFile) && lstatOrUndefined(options.receiptFile) !== undefined && !isRunReceipt(options.receiptFile)) {
    throw new UsageError(`${displayPath(options.receiptFile)}: a file of the output directory that is not a run receipt; writing the receipt there would replace an output (choose another --out)`);
  }
  const skip = new Set([options.receiptFile, options.manifestFile]);
  // Nor a temp file an interrupted write of this receipt left beside it (`<out>.tmp-PID`): the
  // write below removes it, and a receipt declaring it would then name an output that is gone.
  const ownTemp = (file: string) => file.startsWith(`${options.receiptFile}.tmp-`) && isTempFileName(file);
  const files = listFiles(options.outputDir).filter((file) => !skip.has(file) && !ownTemp(file));
  if (files.length === 0) throw new UsageError(`${displayPath(options.outputDir)}: no files to declare as outputs`);
  const rules = options.sensitivity.rules.map(([glob, label]) => [picomatch(glob, { dot: true }), label] as const);
  let done = 0;
  const outputs = await mapLimited(files, HASH_CONCURRENCY, async (file) => {
    const real = realInside(receiptDir, file);
    let digest;
    try {
      digest = await hashFile(real);
    } catch (error) {
      if (error instanceof NotAFileError) throw new UsageError(`${displayPath(file)}: not a regular file; an output directory holds files only`);
      throw new UsageError(`${displayPath(file)}: cannot read output: ${(error as NodeJS.ErrnoException).code ?? (error as Error).message}`);
    }
    options.onProgress?.(++done, files.length);
    const name = posixPath(relative(options.outputDir, file));
    const label = rules.find(([match]) => match(name))?.[1] ?? options.sensitivity.fallback;
    return {
      name,
      path: posixPath(relative(receiptDir, file)),
      digest: { sha256: digest.sha256 },
      bytes: digest.bytes,
      mediaType: mediaTypeFor(file),
      sensitivity: { label },
    };
  });
  const provenance = {
    ...(options.provenance.source ? { source: { uri: options.provenance.source } } : {}),
    ...(options.provenance.licence ? { licence: options.provenance.licence } : {}),
    ...(options.provenance.attribution ? { attribution: options.provenance.attribution } : {}),
  };
  const receipt = {
    receiptVersion: "run-receipt.v1",
    runId: manifest.runId,
    manifest: { path: posixPath(relative(receiptDir, options.manifestFile)), digest: { sha256: manifest.sha256 } },
    provider: { id: options.provider.id, ...(options.provider.version ? { version: options.provider.version } : {}) },
    startedAt: options.startedAt ?? manifest.createdAt,
    finishedAt: options.finishedAt,
    inputs: [],
    outputs,
    checks: options.checks.map((check) => ({ name: check.name, status: check.status, evidence: { uri: check.evidence } })),
    ...(options.closed ? { closedOutputs: { directory: posixPath(relative(receiptDir, options.outputDir)) || "." } } : {}),
    ...(Object.keys(provenance).length > 0 ? { provenance } : {}),
  };
  assertValid(schemas, "run-receipt.v1", receipt, "receipt");
  return receipt;
}

function readManifest(file: string, schemas: SchemaRegistry): { runId: string; createdAt: string; sha256: string } {
  let raw: Buffer;
  try {
    // Through the one reader: a manifest path that is a FIFO or /dev/zero is refused, not waited on or read forever.
    raw = readUntrustedFile(file, { maxBytes: DEFAULT_MAX_INPUT_BYTES });
  } catch (error) {
    throw new UsageError(`${displayPath(file)}: cannot read the manifest: ${(error as NodeJS.ErrnoException).code ?? (error as Error).message}`);
  }
  let document: unknown;
  try {
    document = parseDocument(decodeText(raw), "json");
  } catch (error) {
    if (error instanceof InputParseError) throw new UsageError(`${displayPath(file)}: the manifest is not JSON: ${error.message}`);
    throw error;
  }
  const problems = schemas.validate("run-manifest.v1", document, displayPath(file));
  if (problems.length > 0) throw new UsageError(`${displayPath(file)}: not a valid run manifest: ${problems.map((p) => p.message).join("; ")}`);
  const { runId, createdAt } = document as { runId: string; createdAt: string };
  return { runId, createdAt, sha256: sha256(raw) };
}

/** Every entry under `dir` that is not a directory (links included, not followed), sorted: what a closed world lists too. */
function listFiles(dir: string): string[] {
  let entries: Dirent[];
  try {
    entries = readdirSync(dir, { withFileTypes: true, recursive: true });
  } catch (error) {
    throw new UsageError(`${displayPath(dir)}: cannot list the output directory: ${(error as NodeJS.ErrnoException).code ?? (error as Error).message}`);
  }
  return entries
    .filter((entry) => !entry.isDirectory())
    .map((entry) => join(entry.parentPath, entry.name))
    .sort();
}

/** The file's real path, refused when a link takes it out of the receipt's directory (verify would deny path-escape). */
function realInside(receiptDir: string, file: string): string {
  let real: string;
  try {
    real = realpathSync(file);
  } catch {
    throw new UsageError(`${displayPath(file)}: a dangling link cannot be an output`);
  }
  if (!isInside(realpathSync(receiptDir), real)) throw new UsageError(`${displayPath(file)}: a link out of the receipt's directory cannot be an output`);
  return real;
}

function lstatOrUndefined(file: string): Stats | undefined {
  try {
    return lstatSync(file);
  } catch {
    return undefined;
  }
}

/** Whether a file is a run receipt (a JSON document with receiptVersion run-receipt.v1). */
function isRunReceipt(file: string): boolean {
  try {
    const document = parseDocument(decodeText(readUntrustedFile(file, { maxBytes: DEFAULT_MAX_INPUT_BYTES, noFollow: true })), "json") as { receiptVersion?: unknown } | null;
    return typeof document === "object" && document !== null && document.receiptVersion === "run-receipt.v1";
  } catch {
    return false;
  }
}

function isInside(root: string, path: string): boolean {
  const rel = relative(root, path);
  return rel !== "" && rel !== ".." && !rel.startsWith(`..${sep}`) && !isAbsolute(rel);
}

function posixPath(path: string): string {
  return sep === "/" ? path : path.split(sep).join("/");
}

function assertValid(schemas: SchemaRegistry, schema: string, document: unknown, what: string): void {
  const problems = schemas.validate(schema, document, what);
  if (problems.length > 0) throw new UsageError(`the ${what} would not be valid: ${problems.map((p) => p.message).join("; ")}`);
}
