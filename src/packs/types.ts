// The policy-pack model: a pack file (packs/<key>@<version>.yaml, schema policy-pack.v1), the
// override layers on top of it, and the merged effective policy the gate enforces.

import type { FindingScope, Severity } from "../core/findings.js";

export type EnforcementMode = "warn" | "block";

export interface RuleSetting {
  severity?: Severity;
  /** false drops the rule's findings */
  enabled?: boolean;
  /** true: later layers may not loosen this rule */
  locked?: boolean;
}

export interface HeadingRequirement {
  glob: string;
  headings: string[];
  require_match?: boolean;
}

export interface Requirements {
  files?: string[];
  headings?: HeadingRequirement[];
}

export interface Constraints {
  forbid_stub_execution?: boolean;
  require_ci_green?: boolean;
  require_code_review?: boolean;
}

export interface Clarification {
  key: string;
  question: string;
  options: string[];
  recommended?: string;
  blocking: boolean;
  applies_to: FindingScope[];
}

export interface PolicyPack {
  meta: { key: string; name: string; version: string; description: string };
  defaults: { required_checks: string[]; waiver_max_days?: number };
  requirements: Requirements;
  rules: Record<string, RuleSetting>;
  enforcement: { mode: EnforcementMode; locked?: boolean };
  clarifications: Clarification[];
  constraints: Constraints;
}

/** An override layer: gatehouse.config `pack.overrides` or the repo-local .gatehouse/policy file. */
export interface PolicyOverride {
  rules?: Record<string, RuleSetting>;
  enforcement?: { mode?: EnforcementMode };
  requirements?: Requirements;
  constraints?: Constraints;
}

/** The merged policy. Everything in it is semantic: it is what the effective hash covers. */
export interface EffectivePolicy {
  pack: { key: string; version: string };
  defaults: { required_checks: string[]; waiver_max_days?: number };
  requirements: { files: string[]; headings: HeadingRequirement[] };
  rules: Record<string, RuleSetting>;
  enforcement: { mode: EnforcementMode; locked: boolean };
  clarifications: Clarification[];
  constraints: Required<Constraints>;
}

export const SEVERITY_ORDER: Record<Severity, number> = { info: 0, warning: 1, error: 2, block: 3 };
