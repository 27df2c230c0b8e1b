// Collector `security`: the security review of a change (docs/security.md). It reads the files
// the change touched from git, as `ops check` does, and hands the facts of the checks the
// effective policy pack turns on to policy/security/ as one `security-change` input. A check is
// on when the pack (or the config's overrides) sets its code or `security/*` without
// `enabled: false`: the rules are opt-in per pack. Outside `gatehouse gate` (no pack) all are on.

import { ConfigError } from "../core/errors.js";
import { settingFor } from "../packs/rules.js";
import type { EffectivePolicy } from "../packs/types.js";
import {
  buildSecurityDocument,
  DEFAULT_CODE_EXCLUDE,
  DEFAULT_EXTERNAL_EFFECTS,
  DEFAULT_GATES,
  DEFAULT_MAX_FILE_BYTES,
  SECURITY_CHECKS,
  type SecurityCheck,
  type SecuritySettings,
} from "../security/document.js";
import type { Collector } from "./types.js";

/** The checks the effective policy turns on. */
export function enabledChecks(policy: EffectivePolicy | undefined): Record<SecurityCheck, boolean> {
  const on = (check: SecurityCheck) => {
    if (!policy) return true;
    const setting = settingFor(policy.rules, SECURITY_CHECKS[check].code);
    return setting !== undefined && setting.enabled !== false;
  };
  return { secrets: on("secrets"), sideEffects: on("sideEffects"), untrusted: on("untrusted"), tenant: on("tenant") };
}

export function securitySettings(options: Record<string, unknown>, config: Record<string, unknown> | undefined, env: NodeJS.ProcessEnv, policy: EffectivePolicy | undefined): SecuritySettings {
  const list = (key: string): string[] | undefined => {
    const value = options[key];
    if (value === undefined) return undefined;
    if (!Array.isArray(value) || value.some((v) => typeof v !== "string")) throw new ConfigError(`collectors.security.${key} must be a list of strings`);
    return value as string[];
  };
  // The contracts invariant's data-access modules and tenant parameters are the defaults.
  const contracts = (config?.contracts ?? {}) as { invariants?: { dataAccessModules?: string[]; tenantParams?: string[] } };
  const base = typeof options.base === "string" ? options.base : env.GATEHOUSE_SECURITY_BASE || (env.GITHUB_BASE_REF ? `origin/${env.GITHUB_BASE_REF}` : undefined);
  return {
    ...(base ? { base } : {}),
    checks: enabledChecks(policy),
    exclude: list("exclude") ?? [],
    codeExclude: list("codeExclude") ?? DEFAULT_CODE_EXCLUDE,
    untrustedModules: list("untrustedModules") ?? [],
    dataAccessModules: list("dataAccessModules") ?? contracts.invariants?.dataAccessModules ?? [],
    tenantParams: list("tenantParams") ?? contracts.invariants?.tenantParams ?? ["workspaceId"],
    externalEffects: list("externalEffects") ?? DEFAULT_EXTERNAL_EFFECTS,
    gates: list("gates") ?? DEFAULT_GATES,
    maxFileBytes: typeof options.maxFileBytes === "number" ? options.maxFileBytes : DEFAULT_MAX_FILE_BYTES,
  };
}

export const securityCollector: Collector = {
  description: "the security review of a change: secrets in changed lines, ungated side effects, untrusted content reaching models and tools, cross-tenant data access",
  async collect({ root, options, config, env, policy }) {
    const settings = securitySettings(options, config, env, policy);
    const document = await buildSecurityDocument(root, settings);
    return { inputs: [{ display: `security change (base ${document.base})`, kind: "security-change", document }], findings: [] };
  },
};
