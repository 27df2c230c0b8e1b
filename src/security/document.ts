// Builds the `security-change` input (schemas/security-change.v1.schema.json): the files a change
// touched, as `ops check` reads them from git (src/ops/changes.ts), with the facts each enabled
// check needs: secrets on changed lines, exported functions that declare side effects, flows of
// untrusted content into model prompts and tool calls, and the origin of the tenant argument of
// data-access calls. Policy (policy/security/) decides; nothing here allows or denies.
// Every file is read through src/core/read.ts, inside the repository root.

import { isUtf8 } from "node:buffer";
import { lstatSync } from "node:fs";
import { join } from "node:path";
import picomatch from "picomatch";
import { readUntrustedFile } from "../core/read.js";
import { changedFiles, changedLines, defaultBase, type ChangedFile } from "../ops/changes.js";
import { CODE_EXTENSIONS, sourceText, Sources } from "./code/sources.js";
import { tenantCalls, type TenantCall } from "./code/tenant.js";
import { untrustedFlows, type UntrustedFlow } from "./code/untrusted.js";
import { secretsInLines, type SecretFact } from "./secrets.js";

export type SecurityCheck = "secrets" | "sideEffects" | "untrusted" | "tenant";

/** The finding code of each check: a pack turns a check on by setting its code (or `security/*`). */
export const SECURITY_CHECKS: Record<SecurityCheck, { code: string; summary: string }> = {
  secrets: { code: "security/secret-in-change", summary: "secrets in the changed lines (secretlint's recommended rules)" },
  sideEffects: { code: "security/ungated-side-effect", summary: "exported functions declaring an external side effect without draft-only or approval-gated" },
  untrusted: { code: "security/untrusted-to-model", summary: "untrusted content reaching a @prompt or @tool function without a @sanitizer" },
  tenant: { code: "security/cross-tenant-call", summary: "data-access calls whose tenant comes from another parameter, a module constant or a literal" },
};

export interface SecuritySettings {
  base?: string;
  checks: Record<SecurityCheck, boolean>;
  exclude: string[];
  codeExclude: string[];
  untrustedModules: string[];
  dataAccessModules: string[];
  tenantParams: string[];
  externalEffects: string[];
  gates: string[];
  maxFileBytes: number;
}

export const DEFAULT_EXTERNAL_EFFECTS = ["external-send", "send", "publish", "execute", "write-outside-workspace"];
export const DEFAULT_GATES = ["approval-gated", "draft-only"];
/** Tests call data-access functions with made-up tenants and feed fixtures to prompts on purpose. */
export const DEFAULT_CODE_EXCLUDE = ["**/test/**", "**/tests/**", "**/__tests__/**", "**/*.test.*", "**/*.spec.*", "**/fixtures/**"];
export const DEFAULT_MAX_FILE_BYTES = 10 * 1024 * 1024;

export interface ChangedEntry {
  path: string;
  status: ChangedFile["status"];
  old_path?: string;
  /** how many lines the change added or rewrote ("all" lines of a new file count) */
  changedLines: number;
  /** scanned, or why not: `deleted`, `excluded`, `symlink`, `binary` are skipped; `unreadable` and `too-large` deny */
  scan: "scanned" | "deleted" | "excluded" | "symlink" | "binary" | "unreadable" | "too-large";
  reason?: string;
}

export interface SideEffectFact {
  file: string;
  line: number;
  function: string;
  effect: string;
}

export interface SecurityChangeDocument {
  base: string;
  checks: SecurityCheck[];
  settings: { externalEffects: string[]; gates: string[]; tenantParams: string[] };
  files: ChangedEntry[];
  secrets: SecretFact[];
  sideEffects: SideEffectFact[];
  flows: UntrustedFlow[];
  tenantCalls: TenantCall[];
}

export async function buildSecurityDocument(root: string, settings: SecuritySettings): Promise<SecurityChangeDocument> {
  const base = settings.base ? { revision: settings.base, label: settings.base } : await defaultBase(root);
  const changes = await changedFiles(root, base.revision);
  const excluded = picomatch(settings.exclude.length > 0 ? settings.exclude : ["__none__"], { dot: true });
  const codeExcluded = picomatch(settings.codeExclude.length > 0 ? settings.codeExclude : ["__none__"], { dot: true });
  const untrustedModule = picomatch(settings.untrustedModules.length > 0 ? settings.untrustedModules : ["__none__"], { dot: true });
  const dataAccessModule = picomatch(settings.dataAccessModules.length > 0 ? settings.dataAccessModules : ["__none__"], { dot: true });
  const sources = new Sources(root, settings.maxFileBytes);
  const document: SecurityChangeDocument = {
    base: base.label,
    checks: (Object.keys(SECURITY_CHECKS) as SecurityCheck[]).filter((c) => settings.checks[c]),
    settings: { externalEffects: settings.externalEffects, gates: settings.gates, tenantParams: settings.tenantParams },
    files: [],
    secrets: [],
    sideEffects: [],
    flows: [],
    tenantCalls: [],
  };
  const codeChecks = settings.checks.sideEffects || settings.checks.untrusted || settings.checks.tenant;
  for (const change of changes) {
    const entry: ChangedEntry = { path: change.path, status: change.status, ...(change.old_path !== undefined ? { old_path: change.old_path } : {}), changedLines: 0, scan: "scanned" };
    document.files.push(entry);
    if (change.status === "deleted") {
      entry.scan = "deleted";
      continue;
    }
    if (excluded(change.path)) {
      entry.scan = "excluded";
      continue;
    }
    const file = join(root, change.path);
    try {
      if (lstatSync(file).isSymbolicLink()) {
        entry.scan = "symlink"; // git stores the link itself; its target is another file's business
        continue;
      }
    } catch {
      // gone between git and here: the read below reports it
    }
    const read = readChanged(file, root, settings.maxFileBytes, entry);
    if (read === undefined) continue;
    if (read.binary) {
      // Binary to a text reader, not to a secret scanner: a key with a NUL byte appended, or a
      // .env an editor saved as UTF-16, still holds the secret. Scanned whole (a binary diff names
      // no lines).
      entry.scan = "binary";
      if (settings.checks.secrets) document.secrets.push(...(await secretsInLines(change.path, binaryText(read.bytes), "all")));
    } else {
      const lines = await changedLines(root, base.revision, change);
      entry.changedLines = lines === "all" ? countLines(read.text) : lines.length;
      if (settings.checks.secrets) document.secrets.push(...(await secretsInLines(change.path, read.text, lines)));
    }
    if (!codeChecks || !CODE_EXTENSIONS.test(change.path) || change.path.endsWith(".d.ts") || codeExcluded(change.path)) continue;
    // A module is checked as its compiler reads it, binary or not: a byte that is not UTF-8 (or
    // a NUL) in a comment still compiles and runs.
    const module = sources.add(change.path, read.binary ? sourceText(read.bytes) : read.text);
    if (settings.checks.sideEffects) {
      for (const fn of [...module.functions.values(), ...module.methods]) {
        if (!fn.exported) continue;
        for (const effect of fn.sideEffects) document.sideEffects.push({ file: fn.file, line: fn.line, function: fn.name, effect });
      }
    }
    if (settings.checks.untrusted) document.flows.push(...untrustedFlows(module, sources, untrustedModule(change.path)));
    if (settings.checks.tenant) document.tenantCalls.push(...tenantCalls(module, sources, { tenantParams: settings.tenantParams, isDataAccessModule: (f) => dataAccessModule(f) }));
  }
  document.sideEffects.sort((a, b) => (a.file < b.file ? -1 : a.file > b.file ? 1 : a.line - b.line));
  return document;
}

/**
 * The changed file's bytes, and its text when it is UTF-8 text without a NUL (else binary: the
 * caller decodes it for the scanner or the compiler); undefined (and the entry says why) when
 * it cannot be read.
 */
function readChanged(file: string, root: string, maxBytes: number, entry: ChangedEntry): { text: string; binary: false } | { bytes: Buffer; binary: true } | undefined {
  let bytes: Buffer;
  try {
    bytes = readUntrustedFile(file, { maxBytes, root });
  } catch (error) {
    const e = error as { problem?: string; reason?: string; message: string };
    entry.scan = e.problem === "too-large" ? "too-large" : "unreadable";
    entry.reason = e.reason ?? e.message;
    return undefined;
  }
  if (bytes.includes(0) || !isUtf8(bytes)) return { bytes, binary: true };
  return { text: bytes.toString("utf8"), binary: false };
}

/**
 * What a secret scanner reads in bytes that are not UTF-8 text: UTF-16 (a byte-order mark, or a
 * NUL in every other byte of the start, as ASCII in UTF-16 is) decoded as such; anything else
 * byte for byte (latin1), NULs as line breaks, so ASCII tokens stay whole and in place.
 */
function binaryText(bytes: Buffer): string {
  const sample = bytes.subarray(0, 512);
  const nulsAt = (parity: number) => sample.filter((b, i) => i % 2 === parity && b === 0).length;
  const half = Math.floor(sample.length / 2);
  const bigEndian = (sample[0] === 0xfe && sample[1] === 0xff) || (half > 0 && nulsAt(0) >= half * 0.9);
  const littleEndian = (sample[0] === 0xff && sample[1] === 0xfe) || (half > 0 && nulsAt(1) >= half * 0.9);
  if (littleEndian || bigEndian) {
    const even = bytes.subarray(0, bytes.length - (bytes.length % 2));
    const le = bigEndian ? Buffer.from(even).swap16() : even;
    return le.toString("utf16le").replace(/^\uFEFF/, "");
  }
  return bytes.toString("latin1").replaceAll("\0", "\n");
}

function countLines(text: string): number {
  if (text === "") return 0;
  return text.split("\n").length - (text.endsWith("\n") ? 1 : 0);
}
