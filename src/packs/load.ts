// Reading pack and override documents: size-capped, parsed with the gate's safe parser (no
// duplicate keys, no alias bombs), then validated against their schemas.

import { existsSync, readdirSync } from "node:fs";
import { join } from "node:path";
import { ConfigError } from "../core/errors.js";
import { packagePath } from "../core/paths.js";
import { readUntrustedText, UntrustedFileError } from "../core/read.js";
import { formatForPath, InputParseError, parseDocument } from "../inputs/parse.js";
import type { SchemaRegistry } from "../schemas/registry.js";
import { isLockedCode, lockReason } from "./locks.js";
import { SEVERITY_ORDER, type PolicyPack, type RuleSetting } from "./types.js";

/** Cap for the repo-local files (.gatehouse/policy, waivers, clarifications): untrusted input. */
export const MAX_REPO_FILE_BYTES = 64 * 1024;
const MAX_PACK_BYTES = 256 * 1024;
const PACK_FILE = /^([a-z][a-z0-9-]*)@([0-9]+\.[0-9]+)\.yaml$/;

export function packsDir(): string {
  return packagePath("packs");
}

/** Every shipped pack as `key@version`, sorted. */
export function availablePacks(dir: string = packsDir()): string[] {
  if (!existsSync(dir)) return [];
  return readdirSync(dir)
    .map((f) => PACK_FILE.exec(f))
    .filter((m): m is RegExpExecArray => m !== null)
    .map((m) => `${m[1]}@${m[2]}`)
    .sort();
}

/** Outcome of reading a document: its value, or why it could not be used. */
export type ReadResult = { ok: true; value: unknown } | { ok: false; problem: string };

/**
 * Reads and parses a small document through the untrusted-file reader (src/core/read.ts: a
 * regular file, links followed, at most `maxBytes` read). A repository's own file (`root`
 * given) is read only inside the root: a committed link to `../.git/config` is inside it, but one
 * to `/proc/self/environ` or a CI runner's `~/.npmrc` is not the repository's to judge.
 */
export function readSmallDocument(file: string, maxBytes: number, root?: string): ReadResult {
  let text: string;
  try {
    text = readUntrustedText(file, { maxBytes, ...(root !== undefined ? { root } : {}) });
  } catch (error) {
    if (!(error instanceof UntrustedFileError)) throw error;
    return { ok: false, problem: error.problem === "too-large" ? `is ${error.reason}` : `cannot read: ${error.reason}` };
  }
  try {
    return { ok: true, value: parseDocument(text, formatForPath(file) ?? "yaml") };
  } catch (error) {
    if (error instanceof InputParseError) return { ok: false, problem: error.message };
    return { ok: false, problem: `cannot read: ${(error as Error).message}` };
  }
}

/** Loads `key@version` from the packs directory; any problem is a ConfigError naming the file. */
export function loadPack(ref: string, schemas: SchemaRegistry, dir: string = packsDir()): { pack: PolicyPack; file: string } {
  const available = availablePacks(dir);
  if (!available.includes(ref)) {
    throw new ConfigError(`unknown policy pack ${JSON.stringify(ref)}; available: ${available.join(", ") || "none"}`);
  }
  const file = join(dir, `${ref}.yaml`);
  const read = readSmallDocument(file, MAX_PACK_BYTES);
  if (!read.ok) throw new ConfigError(read.problem, file);
  const problems = schemas.validate("policy-pack.v1", read.value, file);
  if (problems.length > 0) throw new ConfigError(`invalid policy pack: ${problems.map((p) => p.message).join("; ")}`, file);
  const pack = read.value as PolicyPack;
  if (`${pack.meta.key}@${pack.meta.version}` !== ref) {
    throw new ConfigError(`meta says ${pack.meta.key}@${pack.meta.version}, the file name says ${ref}`, file);
  }
  const core = coreRuleProblems(pack.rules);
  if (core.length > 0) throw new ConfigError(core.join("; "), file);
  for (const c of pack.clarifications) {
    if (c.recommended !== undefined && !c.options.includes(c.recommended)) {
      throw new ConfigError(`clarification ${c.key}: recommended ${JSON.stringify(c.recommended)} is not one of its options`, file);
    }
  }
  return { pack, file };
}

/** A rule entry that would lower, disable or unlock a locked code (src/packs/locks.ts). */
export function coreRuleProblems(rules: Record<string, RuleSetting> | undefined): string[] {
  const problems: string[] = [];
  for (const [code, setting] of Object.entries(rules ?? {}).sort(([a], [b]) => (a < b ? -1 : 1))) {
    if (!isLockedCode(code)) continue;
    if (setting.enabled === false) problems.push(`${code} is locked in every pack (${lockReason(code)}) and cannot be disabled`);
    if (setting.locked === false) problems.push(`${code} is locked in every pack (${lockReason(code)}) and cannot be unlocked`);
    if (setting.severity !== undefined && SEVERITY_ORDER[setting.severity] < SEVERITY_ORDER.error) {
      problems.push(`${code} is locked in every pack (${lockReason(code)}) and cannot be lowered to ${setting.severity}`);
    }
  }
  return problems;
}
