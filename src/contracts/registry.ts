// The registry file: load (schema-validated), write atomically, bump its version by impact, and
// merge the curated fields (consumers, tests, since) of the old registry into a new extraction.

import { existsSync } from "node:fs";
import { ConfigError } from "../core/errors.js";
import { readUntrustedText, UntrustedFileError } from "../core/read.js";
import { writeOutputFile } from "../core/write.js";
import type { SchemaRegistry } from "../schemas/registry.js";
import { compareContracts, CONTRACTS_VERSION, contractId, type Contract, type Impact, type Registry } from "./model.js";

export const DEFAULT_REGISTRY = "contracts/registry.json";
export const DEFAULT_DECISIONS = "contracts/decisions";
export const INITIAL_VERSION = "1.0.0";

export function parseRegistry(text: string, file: string, schemas: SchemaRegistry): Registry {
  let raw: unknown;
  try {
    raw = JSON.parse(text);
  } catch (error) {
    throw new ConfigError(`registry is not valid JSON: ${(error as Error).message}`, file);
  }
  const problems = schemas.validate("contract-registry.v1", raw, file);
  if (problems.length > 0) throw new ConfigError(`invalid contract registry: ${problems.slice(0, 5).map((p) => p.message).join("; ")}`, file);
  return raw as Registry;
}

/** The registry is repository content: read through the untrusted-file reader, capped. */
const MAX_REGISTRY_BYTES = 10 * 1024 * 1024;

/** `root`: the repository the registry belongs to; a link out of it is not its registry. */
export function loadRegistry(file: string, schemas: SchemaRegistry, root?: string): Registry | undefined {
  if (!existsSync(file)) return undefined;
  let text: string;
  try {
    text = readUntrustedText(file, { maxBytes: MAX_REGISTRY_BYTES, ...(root !== undefined ? { root } : {}) });
  } catch (error) {
    if (error instanceof UntrustedFileError) throw new ConfigError(`cannot read the contract registry: ${error.reason}`, file);
    throw error;
  }
  return parseRegistry(text, file, schemas);
}

/** Writes a JSON file through the output writer (atomic for regular files; src/core/write.ts). */
export function writeJsonAtomic(file: string, value: unknown): void {
  writeOutputFile(file, `${JSON.stringify(value, null, 2)}\n`);
}

/** Major for BREAKING, minor for RISKY, patch for SAFE, unchanged for NONE. */
export function bumpVersion(version: string, impact: Impact): string {
  const match = /^(\d+)\.(\d+)\.(\d+)/.exec(version);
  if (!match) throw new ConfigError(`registryVersion ${JSON.stringify(version)} is not semver`);
  const [major, minor, patch] = [Number(match[1]), Number(match[2]), Number(match[3])];
  switch (impact) {
    case "BREAKING":
      return `${major + 1}.0.0`;
    case "RISKY":
      return `${major}.${minor + 1}.0`;
    case "SAFE":
      return `${major}.${minor}.${patch + 1}`;
    default:
      return version;
  }
}

/**
 * The baseline contracts of a registry, read the way they were written: a registry from before
 * `contractsVersion` 2 recorded no type parameters of classes, no static and no optional flags,
 * so those fields are taken from the extraction rather than reported as changes.
 */
export function baselineContracts(registry: Registry, extracted: Contract[], entryKeys?: Map<string, string[]>): Contract[] {
  const keyed = entryKeys?.size ? publicPaths(registry.contracts, entryKeys) : registry.contracts;
  if (registry.contractsVersion === CONTRACTS_VERSION) return keyed;
  const byId = new Map(extracted.map((c) => [contractId(c), c]));
  return keyed.map((old) => {
    const fresh = byId.get(contractId(old));
    if (!fresh) return old;
    const upgraded: Contract = { ...old };
    for (const field of ["typeParams", "static", "optional", "readonly"] as const) {
      if (old[field] === undefined && fresh[field] !== undefined) (upgraded as unknown as Record<string, unknown>)[field] = fresh[field];
    }
    return upgraded;
  });
}

/**
 * A registry written before contracts of package.json entries were keyed by their public path
 * names the entry file (`dist/index.d.ts#f`): read it under the path the file is published as
 * (`pkg#f`), so the upgrade itself is no change.
 */
function publicPaths(contracts: Contract[], entryKeys: Map<string, string[]>): Contract[] {
  return contracts.flatMap((c) => {
    const keys = entryKeys.get(c.symbol.module);
    return keys ? keys.map((module) => ({ ...c, symbol: { ...c.symbol, module } })) : [c];
  });
}

/** The extraction, carrying over what people curate in the registry (consumers, tests, since). */
export function mergeCurated(extracted: Contract[], previous: Contract[] | undefined): Contract[] {
  const byId = new Map((previous ?? []).map((c) => [contractId(c), c]));
  return extracted
    .map((c) => {
      const old = byId.get(contractId(c));
      if (!old) return c;
      const merged: Contract = { ...c, consumers: union(old.consumers, c.consumers), tests: union(old.tests, c.tests) };
      const since = c.since ?? old.since;
      if (since) merged.since = since;
      return merged;
    })
    .sort(compareContracts);
}

export function union(a: string[], b: string[]): string[] {
  return [...new Set([...a, ...b])].sort();
}
