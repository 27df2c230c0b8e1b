// Applying the effective policy to the findings of a run, in this order:
//   1. per-rule settings (exact code, else `area/*`): `enabled: false` drops the finding,
//      `severity` replaces it (the original is kept in metadata.originalSeverity);
//   2. warn mode: error and block findings become warnings (original kept), so nothing denies;
//   3. waivers: a matching unexpired waiver suppresses the finding (still reported).
// Locked codes (src/packs/locks.ts: the gate's fail-closed codes, the pack integrity codes and the
// never-break invariants) pass through untouched: no pack, mode or waiver loosens them.

import { DENYING_SEVERITIES, type Finding, type Severity } from "../core/findings.js";
import { isLockedCode } from "./locks.js";
import { settingFor } from "./rules.js";
import type { EffectivePolicy } from "./types.js";
import { waiverMatches, type ActiveWaiver } from "./waivers.js";

export interface ApplyContext {
  root: string;
  policy: EffectivePolicy;
  waivers: readonly ActiveWaiver[];
  /** filled with the index of every waiver that suppressed a finding */
  matched?: Set<number>;
}

function withSeverity(finding: Finding, severity: Severity, reason: string): Finding {
  if (finding.severity === severity) return finding;
  const metadata = { ...(finding.metadata ?? {}) };
  if (metadata.originalSeverity === undefined) metadata.originalSeverity = finding.severity;
  metadata.severityBy = reason;
  return { ...finding, severity, metadata };
}

export function applyPack(findings: readonly Finding[], context: ApplyContext): Finding[] {
  const { policy } = context;
  const packName = `${policy.pack.key}@${policy.pack.version}`;
  const out: Finding[] = [];
  for (const original of findings) {
    if (isLockedCode(original.code)) {
      out.push(original);
      continue;
    }
    let finding = original;
    const setting = settingFor(policy.rules, finding.code);
    if (setting?.enabled === false) continue;
    if (setting?.severity !== undefined) finding = withSeverity(finding, setting.severity, `rule setting in ${packName} effective policy`);
    if (policy.enforcement.mode === "warn" && DENYING_SEVERITIES.has(finding.severity)) {
      finding = withSeverity(finding, "warning", `warn mode of ${packName}`);
    }
    if (!finding.suppressed) {
      const waiver = context.waivers.find((w) => waiverMatches(w, finding, context.root));
      if (waiver) {
        context.matched?.add(waiver.index);
        finding = {
          ...finding,
          suppressed: { kind: "waiver", justification: waiver.reason, owner: waiver.owner, expires: waiver.expires },
          metadata: { ...(finding.metadata ?? {}), waiver: `waivers[${waiver.index}]` },
        };
      }
    }
    out.push(finding);
  }
  return out;
}
