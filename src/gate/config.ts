// gatehouse.config.yaml (or .yml / .json), validated against schemas/gatehouse-config.v1.schema.json.
// Found by walking up from the working directory to the repository root (the directory holding
// .git); every path in it is relative to the directory it is in, which is the project root.

import { existsSync, statSync } from "node:fs";
import { basename, dirname, join, resolve } from "node:path";
import { ConfigError, UsageError } from "../core/errors.js";
import { readUntrustedText, UntrustedFileError } from "../core/read.js";
import { InputParseError, parseDocument } from "../inputs/parse.js";
import type { SchemaRegistry } from "../schemas/registry.js";

export const CONFIG_FILES = ["gatehouse.config.yaml", "gatehouse.config.yml", "gatehouse.config.json"];
const MAX_CONFIG_BYTES = 1024 * 1024;

/** `self`: gatehouse's own layout rules (schema naming, fixture counts, policy METADATA and tests), for gatehouse's repository. */
export type Profile = "self";

/** A directory of the user's Rego (or a built bundle) and the namespaces its packages are under. */
export interface PolicySource {
  path: string;
  namespaces: string[];
}

export interface GateConfig {
  version: 1;
  profile?: Profile;
  /** bundle directory or Rego directory, relative to the root; replaces the packaged bundle (gatehouse's own repository builds it) */
  policy?: string;
  /** the user's own policies, evaluated beside the packaged bundle */
  policies?: PolicySource[];
  maxInputBytes?: number;
  timeoutMs?: number;
  /** collector name → its options (a list for `files`); `false` disables a default collector */
  collectors: Record<string, Record<string, unknown> | unknown[] | false>;
  [section: string]: unknown;
}

/** A config with no `collectors` section runs these; the `self` profile's are gatehouse's layout collectors. */
export const DEFAULT_COLLECTORS: Record<"user" | Profile, GateConfig["collectors"]> = {
  user: {},
  self: { schemas: {}, fixtures: {}, "policy-tree": {} },
};

export interface LoadedConfig {
  config: GateConfig;
  /** the file it came from, or undefined for the defaults */
  file?: string;
}

/**
 * The config file in `dir`, if there is one. Two (gatehouse.config.yaml beside the .yml the
 * project reviews) are refused: the one found first would silently replace the other, so a new
 * file in a change could take over the policy while the reviewed one still reads as in force.
 */
export function configFileIn(dir: string): string | undefined {
  const found = CONFIG_FILES.map((f) => join(dir, f)).filter((f) => existsSync(f));
  if (found.length > 1) throw new ConfigError(`${found.map((f) => basename(f)).join(" and ")} are both here: keep one config file (the first would silently replace the other)`, dir);
  return found[0];
}

/**
 * The project root a command works in. `--root` names it; else the directory of `--config`;
 * else the nearest directory from `cwd` up to the repository root (the first holding `.git`)
 * that has a config file; else that repository root, else `cwd`. So `contracts accept` run from
 * `src/` writes the registry the config names at the root, not under `src/`.
 */
export function projectRoot(rootArg?: string, configArg?: string, cwd: string = process.cwd()): string {
  if (rootArg !== undefined) {
    // Every command's --root: a typo must not run against an empty project (clarify, policy
    // effective allowed with the pack's defaults) nor crash on a file (ENOTDIR).
    const root = resolve(cwd, rootArg);
    let isDirectory = false;
    try {
      isDirectory = statSync(root).isDirectory();
    } catch {
      throw new UsageError(`${rootArg}: --root does not exist`);
    }
    if (!isDirectory) throw new UsageError(`${rootArg}: --root is not a directory`);
    return root;
  }
  if (configArg !== undefined) return dirname(resolve(cwd, configArg));
  let repository: string | undefined;
  for (let dir = resolve(cwd); ; dir = dirname(dir)) {
    const found = configFileIn(dir);
    if (found) {
      refuseSharedDirectory(dir, found);
      return dir;
    }
    if (existsSync(join(dir, ".git"))) {
      repository = dir;
      break;
    }
    if (dirname(dir) === dir) break;
  }
  return repository ?? resolve(cwd);
}

/**
 * A config found by walking up must not come from a directory anyone may write to (/tmp,
 * /var/tmp, /dev/shm): outside a repository the walk reaches them, and a config planted there
 * by another user would choose the policy of every run below it. `--config` or `--root` names
 * such a file on purpose.
 */
function refuseSharedDirectory(dir: string, file: string): void {
  // Windows reports no POSIX permission bits (every directory reads as writable by all).
  if (process.platform === "win32") return;
  let mode: number;
  try {
    mode = statSync(dir).mode;
  } catch {
    return; // the walk just listed it; loadConfig reports a config that cannot be read
  }
  if ((mode & 0o002) !== 0) {
    throw new ConfigError(`found by walking up from the working directory in ${dir}, which anyone may write to, so it may not be this project's: pass --config (or --root) to use it, or run \`gatehouse init\` in the project`, file);
  }
}

export function loadConfig(root: string, schemas: SchemaRegistry, explicit?: string): LoadedConfig {
  const file = explicit ?? configFileIn(root);
  if (!file || !existsSync(file)) {
    if (explicit) throw new ConfigError("config file does not exist", explicit);
    return { config: { version: 1, collectors: structuredClone(DEFAULT_COLLECTORS.user) } };
  }
  if (statSync(file).isDirectory()) throw new ConfigError("config is not a file", file);
  let raw: unknown;
  try {
    raw = parseDocument(readUntrustedText(file, { maxBytes: MAX_CONFIG_BYTES }), file.endsWith(".json") ? "json" : "yaml");
  } catch (error) {
    if (error instanceof UntrustedFileError) throw new ConfigError(error.problem === "too-large" ? `config is over ${MAX_CONFIG_BYTES} bytes` : `cannot read config: ${error.reason}`, file);
    if (error instanceof InputParseError) throw new ConfigError(error.message, file);
    throw error;
  }
  const problems = schemas.validate("gatehouse-config.v1", raw, file);
  if (problems.length > 0) throw new ConfigError(`invalid config: ${problems.map((p) => p.message).join("; ")}`, file);
  const config = raw as GateConfig;
  config.collectors ??= structuredClone(DEFAULT_COLLECTORS[config.profile ?? "user"]);
  return { config, file };
}
