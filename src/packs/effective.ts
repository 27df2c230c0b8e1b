// The effective policy: the pack named in gatehouse.config (`pack.use: key@version`), then the
// config's overrides, then the optional repo-local .gatehouse/policy.yaml|.json, in that order.
// Its hash is the sha256 of its RFC 8785 canonical JSON, so key order and whitespace of any
// layer never change it and any semantic change does.
//
// Locks bind both override layers. The config is trusted: a violation there is a ConfigError.
// The repo-local file is untrusted input: a violation becomes a denying finding naming the file,
// and the file is ignored as a whole (nothing of a rejected layer is applied).

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
import { isCoreCode, packFinding, type PackIntegrityCode } from "./core-codes.js";
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
}

export function resolveEffectivePolicy(options: EffectiveOptions): EffectiveResult {
  const section = options.config.pack as { use: string; overrides?: PolicyOverride } | undefined;
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

  const findings: Finding[] = [];
  const present = REPO_LOCAL_FILES.map((f) => join(options.root, f)).filter((f) => existsSync(f));
  if (present.length > 1) {
    for (const file of present) {
      findings.push(overrideFinding("pack/override-invalid", `only one repo-local override file may exist, found ${present.map((f) => displayPath(f)).join(" and ")}`, file));
    }
  } else if (present.length === 1) {
    const file = present[0]!;
    const violations = repoLocalViolations(file, options.schemas, policy);
    if (violations.problems.length > 0) {
      findings.push(...violations.problems.map((v) => overrideFinding(v.code, v.message, file)));
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

function repoLocalViolations(file: string, schemas: SchemaRegistry, policy: EffectivePolicy): { policy: EffectivePolicy; problems: Violation[] } {
  const read = readSmallDocument(file, MAX_REPO_FILE_BYTES);
  if (!read.ok) return { policy, problems: [{ code: "pack/override-invalid", message: `repo-local override ${read.problem}` }] };
  const schemaProblems = schemas.validate("policy-override.v1", read.value, displayPath(file));
  if (schemaProblems.length > 0) {
    return { policy, problems: schemaProblems.map((p) => ({ code: "pack/override-invalid" as const, message: `repo-local override is invalid: ${p.message}` })) };
  }
  const { version: _version, ...layer } = read.value as PolicyOverride & { version: 1 };
  const result = applyLayer(policy, layer, "repo-local");
  return { policy: result.violations.length > 0 ? policy : result.policy, problems: result.violations };
}

function overrideFinding(code: PackIntegrityCode, message: string, file: string): Finding {
  const shown = displayPath(file);
  return packFinding(code, `${shown}: ${message}; the file was not applied`, {
    input: shown,
    location: { file: shown },
    scope: "project",
    suggestedFix: "fix or remove the repo-local override; to change a locked setting choose another pack in gatehouse.config",
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
 * Applies one override layer. Returns the new policy and every violation: a locked rule
 * loosened, a core code lowered, block mode switched off under a locked enforcement, and (for the
 * untrusted repo-local layer) a constraint switched off.
 */
export function applyLayer(
  base: EffectivePolicy,
  layer: PolicyOverride,
  source: "config" | "repo-local",
): { policy: EffectivePolicy; violations: Violation[] } {
  const policy = structuredClone(base);
  const violations: Violation[] = [];
  for (const [code, setting] of Object.entries(layer.rules ?? {}).sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0))) {
    const current = settingFor(base.rules, code);
    const loosening = loosens(current, setting);
    if (isCoreCode(code) && (setting.enabled === false || (setting.severity !== undefined && SEVERITY_ORDER[setting.severity] < SEVERITY_ORDER.error))) {
      violations.push({ code: "pack/override-loosens", message: `rule ${code} is a core gate code and cannot be lowered or disabled` });
      continue;
    }
    if (current?.locked && loosening) {
      violations.push({ code: "pack/override-loosens", message: `rule ${code} is locked by ${base.pack.key}@${base.pack.version} and cannot be loosened (${loosening})` });
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
      violations.push({
        code: "pack/override-mode-locked",
        message: `${base.pack.key}@${base.pack.version} locks block mode; enforcement.mode cannot be switched to warn`,
      });
    } else policy.enforcement.mode = mode;
  }
  policy.requirements.files.push(...(layer.requirements?.files ?? []));
  policy.requirements.headings.push(...structuredClone(layer.requirements?.headings ?? []));
  for (const [flag, value] of Object.entries(layer.constraints ?? {}) as [keyof Constraints, boolean][]) {
    if (source === "repo-local" && value === false && base.constraints[flag]) {
      violations.push({ code: "pack/override-loosens", message: `constraint ${flag} is on; the repo-local override can only switch constraints on` });
      continue;
    }
    policy.constraints[flag] = value;
  }
  return { policy: normalize(policy), violations };
}

/** Why `next` loosens `current`, or undefined when it does not. */
function loosens(current: RuleSetting | undefined, next: RuleSetting): string | undefined {
  if (!current) return undefined;
  if (next.locked === false) return "unlocking";
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
