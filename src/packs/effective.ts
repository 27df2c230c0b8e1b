// The effective policy: the pack named in gatehouse.config (`pack.use: key@version`), then the
// config's overrides, then the optional repo-local .gatehouse/policy.yaml|.json, in that order.
// Its hash is the sha256 of its RFC 8785 canonical JSON, so key order and whitespace of any
// layer never change it and any semantic change does.
//
// Locks bind both override layers. The config is trusted: a violation there is a ConfigError.
// The repo-local file is untrusted input: it may only tighten (raise severities, lock, enable,
// add requirements, switch block mode or constraints on), never loosen, unless the config's
// `pack.allowLocalLoosening` names that key. A violation becomes a denying finding naming the
// file and the key, and the file is ignored as a whole (nothing of a rejected layer is applied).

import { existsSync } from "node:fs";
import { join } from "node:path";
import canonicalizeModule from "canonicalize";
import { sha256 } from "../core/digest.js";
import { ConfigError } from "../core/errors.js";
import type { Finding } from "../core/findings.js";
import { displayPath } from "../core/paths.js";
import type { PolicyRecord } from "../core/verdict.js";
import type { GateConfig } from "../gate/config.js";
import type { SchemaRegistry } from "../schemas/registry.js";
import { packFinding, type PackIntegrityCode } from "./core-codes.js";
import { isLockedCode, lockReason } from "./locks.js";
import { loadPack, MAX_REPO_FILE_BYTES, packsDir, readSmallDocument } from "./load.js";
import { settingFor } from "./rules.js";
import {
  SEVERITY_ORDER,
  type Constraints,
  type EffectivePolicy,
  type HeadingRequirement,
  type PolicyOverride,
  type PolicyPack,
  type RuleSetting,
} from "./types.js";

// canonicalize is CommonJS; under NodeNext its default export may arrive wrapped.
type Canonicalize = (input: unknown) => string | undefined;
const canonicalize: Canonicalize =
  (canonicalizeModule as unknown as { default?: Canonicalize }).default ?? (canonicalizeModule as unknown as Canonicalize);

export const DEFAULT_PACK = "default@1.0";
export const REPO_LOCAL_FILES = [".gatehouse/policy.yaml", ".gatehouse/policy.yml", ".gatehouse/policy.json"];

export interface LayerRecord {
  source: "pack" | "config" | "repo-local";
  file: string;
  /** false when the layer was rejected and not applied (repo-local only) */
  applied: boolean;
}

export interface EffectiveResult {
  policy: EffectivePolicy;
  hash: string;
  record: PolicyRecord;
  layers: LayerRecord[];
  /** denying findings about a rejected repo-local override file */
  findings: Finding[];
}

export interface EffectiveOptions {
  root: string;
  config: GateConfig;
  /** the config file, named in errors */
  configFile?: string;
  schemas: SchemaRegistry;
  packsDir?: string;
}

interface Violation {
  code: PackIntegrityCode;
  message: string;
  /** the override key at fault: `rules.<code>`, `enforcement.mode`, `constraints.<flag>` */
  key?: string;
}

/**
 * Why an override layer may not make a change, as data: `locked` (no layer may: a code locked in
 * every pack, a rule or block mode the pack locks; `text` says which) or `loosens` (only the
 * untrusted layers are refused it: the repo-local file, a project token on the policy service;
 * `change` is what it loosens, e.g. `error → warning`, `block → warn`, `on → off`).
 */
export type LayerReason =
  | { kind: "locked"; text: string }
  | { kind: "loosens"; subject: "rule" | "mode" | "constraint"; change: string };

/**
 * One violation of an override layer: the key at fault (`field`: `rules.<code>`,
 * `enforcement.mode`, `constraints.<flag>`) and why. `message` is the wording for the layer the
 * change came from (layerMessage); other callers word it from `field` and `reason` themselves
 * (the policy service says it of a project token, src/service/projects/service.ts).
 */
export interface LayerViolation {
  code: PackIntegrityCode;
  field: string;
  reason: LayerReason;
  message: string;
}

/** The name gatehouse.config's pack.allowLocalLoosening would need for this key (a rule's code). */
function loosenableName(field: string): string {
  return field.startsWith("rules.") ? field.slice("rules.".length) : field;
}

/** A violation in the words of gatehouse.config and the repo-local file (the file names the config's escape hatch). */
function layerMessage(field: string, reason: LayerReason): string {
  if (reason.kind === "locked") return reason.text;
  const hint = `; gatehouse.config pack.allowLocalLoosening does not name ${loosenableName(field)}`;
  switch (reason.subject) {
    case "rule":
      return `${field}: the repo-local override may only tighten, and this loosens the rule (${reason.change})${hint}`;
    case "mode":
      return `${field}: the repo-local override may only tighten, and ${reason.change} loosens it${hint}`;
    case "constraint":
      return `${field}: the constraint is on and the repo-local override may only switch constraints on${hint}`;
  }
}

function violation(code: PackIntegrityCode, field: string, reason: LayerReason): LayerViolation {
  return { code, field, reason, message: layerMessage(field, reason) };
}

/** What gatehouse.config's `pack:` section may hold. */
interface PackSection {
  use: string;
  overrides?: PolicyOverride;
  /** loosenings the repo-local file may make: a rule code (or `area/*`), `enforcement.mode`, `constraints.<flag>` */
  allowLocalLoosening?: string[];
}

export function resolveEffectivePolicy(options: EffectiveOptions): EffectiveResult {
  const section = options.config.pack as PackSection | undefined;
  const ref = section?.use ?? DEFAULT_PACK;
  const { pack, file: packFile } = loadPack(ref, options.schemas, options.packsDir ?? packsDir());
  let policy = fromPack(pack);
  const layers: LayerRecord[] = [{ source: "pack", file: displayPath(packFile), applied: true }];

  if (section?.overrides) {
    const configName = options.configFile ?? "gatehouse.config";
    const result = applyLayer(policy, section.overrides, "config");
    if (result.violations.length > 0) {
      throw new ConfigError(`pack.overrides: ${result.violations.map((v) => v.message).join("; ")}`, configName);
    }
    policy = result.policy;
    layers.push({ source: "config", file: displayPath(configName), applied: true });
  }
  const allowed = allowedLoosenings(section?.allowLocalLoosening ?? [], policy, options.configFile ?? "gatehouse.config");

  const findings: Finding[] = [];
  const present = REPO_LOCAL_FILES.map((f) => join(options.root, f)).filter((f) => existsSync(f));
  if (present.length > 1) {
    for (const file of present) {
      findings.push(overrideFinding("pack/override-invalid", `only one repo-local override file may exist, found ${present.map((f) => displayPath(f)).join(" and ")}`, file));
    }
  } else if (present.length === 1) {
    const file = present[0]!;
    const violations = repoLocalViolations(file, options.root, options.schemas, policy, allowed);
    if (violations.problems.length > 0) {
      findings.push(...violations.problems.map((v) => overrideFinding(v.code, v.message, file, v.key)));
      layers.push({ source: "repo-local", file: displayPath(file), applied: false });
    } else {
      policy = violations.policy;
      layers.push({ source: "repo-local", file: displayPath(file), applied: true });
    }
  }

  const hash = effectiveHash(policy);
  return {
    policy,
    hash,
    record: { pack: policy.pack.key, version: policy.pack.version, effectiveHash: hash, mode: policy.enforcement.mode },
    layers,
    findings,
  };
}

/**
 * The config's named loosenings. Naming a locked code, a rule the pack locks or a locked mode is
 * a ConfigError: the config cannot hand the repo-local file a key the config itself cannot loosen.
 */
function allowedLoosenings(keys: readonly string[], policy: EffectivePolicy, configName: string): ReadonlySet<string> {
  const problems: string[] = [];
  for (const key of keys) {
    if (key === "enforcement.mode") {
      if (policy.enforcement.locked) problems.push(`enforcement.mode is locked by ${policy.pack.key}@${policy.pack.version}`);
    } else if (!key.startsWith("constraints.")) {
      if (isLockedCode(key)) problems.push(`${key} is locked in every pack (${lockReason(key)})`);
      else if (settingFor(policy.rules, key)?.locked) problems.push(`${key} is locked by ${policy.pack.key}@${policy.pack.version}`);
    }
  }
  if (problems.length > 0) throw new ConfigError(`pack.allowLocalLoosening: ${problems.join("; ")}`, configName);
  return new Set(keys);
}

function repoLocalViolations(file: string, root: string, schemas: SchemaRegistry, policy: EffectivePolicy, allowed: ReadonlySet<string>): { policy: EffectivePolicy; problems: Violation[] } {
  const read = readSmallDocument(file, MAX_REPO_FILE_BYTES, root);
  if (!read.ok) return { policy, problems: [{ code: "pack/override-invalid", message: `repo-local override ${read.problem}` }] };
  const schemaProblems = schemas.validate("policy-override.v1", read.value, displayPath(file));
  if (schemaProblems.length > 0) {
    return { policy, problems: schemaProblems.map((p) => ({ code: "pack/override-invalid" as const, message: `repo-local override is invalid: ${p.message}` })) };
  }
  const { version: _version, ...layer } = read.value as PolicyOverride & { version: 1 };
  const result = applyLayer(policy, layer, "repo-local", allowed);
  return { policy: result.violations.length > 0 ? policy : result.policy, problems: result.violations.map((v) => ({ code: v.code, message: v.message, key: v.field })) };
}

function overrideFinding(code: PackIntegrityCode, message: string, file: string, key?: string): Finding {
  const shown = displayPath(file);
  return packFinding(code, `${shown}: ${message}; the file was not applied`, {
    input: shown,
    location: { file: shown },
    scope: "project",
    ...(key !== undefined ? { metadata: { key } } : {}),
    suggestedFix: "the repo-local override may only tighten: remove the loosening, make it in gatehouse.config's pack.overrides, or name the key in pack.allowLocalLoosening; to change a locked setting choose another pack",
  });
}

/** The pack as an effective policy, normalized. */
export function fromPack(pack: PolicyPack): EffectivePolicy {
  return normalize({
    pack: { key: pack.meta.key, version: pack.meta.version },
    defaults: structuredClone(pack.defaults),
    requirements: { files: [...(pack.requirements.files ?? [])], headings: structuredClone(pack.requirements.headings ?? []) },
    rules: structuredClone(pack.rules),
    enforcement: { mode: pack.enforcement.mode, locked: pack.enforcement.locked === true },
    clarifications: structuredClone(pack.clarifications),
    constraints: {
      forbid_stub_execution: pack.constraints.forbid_stub_execution === true,
      require_ci_green: pack.constraints.require_ci_green === true,
      require_code_review: pack.constraints.require_code_review === true,
    },
  });
}

/**
 * Applies one override layer. Returns the new policy and every violation: a locked code or a
 * locked rule loosened, block mode switched off under a locked enforcement, and for the untrusted
 * repo-local layer any loosening at all (a lower severity, a disabled rule, warn mode, a
 * constraint switched off) that `allowed` (the config's pack.allowLocalLoosening) does not name.
 */
export function applyLayer(
  base: EffectivePolicy,
  layer: PolicyOverride,
  source: "config" | "repo-local",
  allowed: ReadonlySet<string> = new Set(),
): { policy: EffectivePolicy; violations: LayerViolation[] } {
  const policy = structuredClone(base);
  const violations: LayerViolation[] = [];
  for (const [code, setting] of Object.entries(layer.rules ?? {}).sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0))) {
    const key = `rules.${code}`;
    const current = settingFor(base.rules, code);
    const loosening = loosens(current, setting);
    if (isLockedCode(code) && (setting.enabled === false || setting.locked === false || (setting.severity !== undefined && SEVERITY_ORDER[setting.severity] < SEVERITY_ORDER.error))) {
      violations.push(violation("pack/override-loosens", key, { kind: "locked", text: `rule ${code} is locked in every pack (${lockReason(code)}) and cannot be lowered, disabled or unlocked` }));
      continue;
    }
    if (current?.locked && loosening) {
      violations.push(violation("pack/override-loosens", key, { kind: "locked", text: `rule ${code} is locked by ${base.pack.key}@${base.pack.version} and cannot be loosened (${loosening})` }));
      continue;
    }
    // Without a setting below it a rule keeps its own severity, unknown here: only `block` is surely not lower.
    const localLoosening = source === "repo-local" ? loosens(current ?? {}, setting) : undefined;
    if (localLoosening && !allowed.has(code)) {
      violations.push(violation("pack/override-loosens", key, { kind: "loosens", subject: "rule", change: localLoosening }));
      continue;
    }
    const merged: RuleSetting = {
      ...(setting.severity ?? current?.severity ? { severity: (setting.severity ?? current?.severity)! } : {}),
      ...((setting.enabled ?? current?.enabled) === false ? { enabled: false } : {}),
      ...(current?.locked || setting.locked ? { locked: true } : {}),
    };
    policy.rules[code] = merged;
  }
  const mode = layer.enforcement?.mode;
  if (mode !== undefined && mode !== base.enforcement.mode) {
    if (mode === "warn" && base.enforcement.locked) {
      violations.push(violation("pack/override-mode-locked", "enforcement.mode", { kind: "locked", text: `${base.pack.key}@${base.pack.version} locks block mode; enforcement.mode cannot be switched to warn` }));
    } else if (mode === "warn" && source === "repo-local" && !allowed.has("enforcement.mode")) {
      violations.push(violation("pack/override-loosens", "enforcement.mode", { kind: "loosens", subject: "mode", change: "block → warn" }));
    } else policy.enforcement.mode = mode;
  }
  policy.requirements.files.push(...(layer.requirements?.files ?? []));
  policy.requirements.headings.push(...structuredClone(layer.requirements?.headings ?? []));
  for (const [flag, value] of Object.entries(layer.constraints ?? {}) as [keyof Constraints, boolean][]) {
    if (source === "repo-local" && value === false && base.constraints[flag] && !allowed.has(`constraints.${flag}`)) {
      violations.push(violation("pack/override-loosens", `constraints.${flag}`, { kind: "loosens", subject: "constraint", change: "on → off" }));
      continue;
    }
    policy.constraints[flag] = value;
  }
  return { policy: normalize(policy), violations };
}

/** Why `next` loosens `current`, or undefined when it does not. */
function loosens(current: RuleSetting | undefined, next: RuleSetting): string | undefined {
  if (!current) return undefined;
  if (next.locked === false && current.locked) return "unlocking";
  if (next.enabled === false && current.enabled !== false) return "disabling";
  if (next.severity !== undefined) {
    // A locked rule without a severity keeps the rule's own one: only `block` is surely not lower.
    const floor = current.severity ?? "block";
    if (SEVERITY_ORDER[next.severity] < SEVERITY_ORDER[floor]) return `${floor} → ${next.severity}`;
  }
  return undefined;
}

/** Canonical form: sorted, de-duplicated lists; default-valued flags dropped. */
function normalize(policy: EffectivePolicy): EffectivePolicy {
  const rules: Record<string, RuleSetting> = {};
  for (const [code, s] of Object.entries(policy.rules)) {
    rules[code] = {
      ...(s.severity !== undefined ? { severity: s.severity } : {}),
      ...(s.enabled === false ? { enabled: false } : {}),
      ...(s.locked === true ? { locked: true } : {}),
    };
  }
  const headings = new Map<string, HeadingRequirement>();
  for (const h of policy.requirements.headings) {
    const entry: HeadingRequirement = {
      glob: h.glob,
      headings: [...new Set(h.headings.map((x) => x.trim()))].sort(),
      ...(h.require_match === true ? { require_match: true } : {}),
    };
    headings.set(canonical(entry), entry);
  }
  return {
    pack: policy.pack,
    defaults: {
      required_checks: [...new Set(policy.defaults.required_checks)].sort(),
      ...(policy.defaults.waiver_max_days !== undefined ? { waiver_max_days: policy.defaults.waiver_max_days } : {}),
    },
    requirements: {
      files: [...new Set(policy.requirements.files)].sort(),
      headings: [...headings.entries()].sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0)).map(([, h]) => h),
    },
    rules,
    enforcement: policy.enforcement,
    clarifications: [...policy.clarifications].sort((a, b) => (a.key < b.key ? -1 : a.key > b.key ? 1 : 0)),
    constraints: policy.constraints,
  };
}

export function canonical(value: unknown): string {
  const text = canonicalize(value);
  if (text === undefined) throw new Error("value has no canonical JSON form");
  return text;
}

/** sha256 of the RFC 8785 canonical JSON of the policy. */
export function effectiveHash(policy: EffectivePolicy): string {
  return sha256(canonical(policy));
}
