// The pack stage of `gatehouse gate`: after evaluation, add the pack's own findings
// (a rejected repo-local override, requirement checks, clarifications, waiver problems), apply
// the effective policy to every finding and decide again.

import type { Finding } from "../core/findings.js";
import { decide, type Verdict } from "../core/verdict.js";
import type { SchemaRegistry } from "../schemas/registry.js";
import { applyPack } from "./apply.js";
import { clarificationFindings } from "./clarifications.js";
import type { EffectiveResult } from "./effective.js";
import { checkRequirements } from "./requirements.js";
import { loadWaivers } from "./waivers.js";

export interface EnforceContext {
  root: string;
  effective: EffectiveResult;
  schemas: SchemaRegistry;
  /** names of the collectors this run enabled */
  enabledCollectors: readonly string[];
  /** collectors this project cannot enable (gatehouse's own layout checks outside profile self): a pack requiring one is not held to it */
  unavailableCollectors?: readonly string[];
  nowMs: number;
}

/** The pack's own findings plus the run's, with the effective policy applied. */
export function packFindings(findings: readonly Finding[], context: EnforceContext): Finding[] {
  const { policy } = context.effective;
  const waivers = loadWaivers(context.root, context.schemas, policy, context.nowMs);
  const all = [
    ...findings,
    ...context.effective.findings,
    ...checkRequirements(context.root, policy, context.enabledCollectors, context.unavailableCollectors),
    ...clarificationFindings(context.root, context.schemas, policy),
    ...waivers.findings,
  ];
  return applyPack(all, { root: context.root, policy, waivers: waivers.active });
}

export function enforcePack(verdict: Verdict, context: EnforceContext): Verdict {
  const { decision: _decision, findings, inputs, ...rest } = verdict;
  return decide(packFindings(findings, context), inputs, { ...rest, policy: context.effective.record });
}
