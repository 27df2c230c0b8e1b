// gatehouse.config.yaml (or .yml / .json) at the repository root, validated against
// schemas/gatehouse-config.v1.schema.json. Absent file: the defaults below.

import { existsSync, readFileSync, statSync } from "node:fs";
import { join } from "node:path";
import { ConfigError } from "../core/errors.js";
import { InputParseError, parseDocument } from "../inputs/parse.js";
import type { SchemaRegistry } from "../schemas/registry.js";

export const CONFIG_FILES = ["gatehouse.config.yaml", "gatehouse.config.yml", "gatehouse.config.json"];
const MAX_CONFIG_BYTES = 1024 * 1024;

export interface GateConfig {
  version: 1;
  /** bundle directory or Rego directory, relative to the root; default: the packaged bundle */
  policy?: string;
  maxInputBytes?: number;
  timeoutMs?: number;
  /** collector name → its options; `false` disables a default collector */
  collectors: Record<string, Record<string, unknown> | false>;
  [section: string]: unknown;
}

export const DEFAULT_CONFIG: GateConfig = {
  version: 1,
  collectors: { schemas: {}, fixtures: {}, "policy-tree": {} },
};

export interface LoadedConfig {
  config: GateConfig;
  /** the file it came from, or undefined for the defaults */
  file?: string;
}

export function loadConfig(root: string, schemas: SchemaRegistry, explicit?: string): LoadedConfig {
  const candidates = explicit ? [explicit] : CONFIG_FILES.map((f) => join(root, f));
  const file = candidates.find((f) => existsSync(f));
  if (!file) {
    if (explicit) throw new ConfigError("config file does not exist", explicit);
    return { config: structuredClone(DEFAULT_CONFIG) };
  }
  const stat = statSync(file);
  if (!stat.isFile()) throw new ConfigError("config is not a file", file);
  if (stat.size > MAX_CONFIG_BYTES) throw new ConfigError(`config is over ${MAX_CONFIG_BYTES} bytes`, file);
  let raw: unknown;
  try {
    raw = parseDocument(readFileSync(file, "utf8"), file.endsWith(".json") ? "json" : "yaml");
  } catch (error) {
    if (error instanceof InputParseError) throw new ConfigError(error.message, file);
    throw error;
  }
  const problems = schemas.validate("gatehouse-config.v1", raw, file);
  if (problems.length > 0) throw new ConfigError(`invalid config: ${problems.map((p) => p.message).join("; ")}`, file);
  const config = raw as GateConfig;
  config.collectors ??= structuredClone(DEFAULT_CONFIG.collectors);
  return { config, file };
}
