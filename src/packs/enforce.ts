// The pack stage of `gatehouse gate`: after evaluation, add the pack's own findings
// (a rejected repo-local override, requirement checks, clarifications, waiver problems), apply
// the effective policy to every finding and decide again.

import { join } from "node:path";
import type { Finding } from "../core/findings.js";
import { displayPath } from "../core/paths.js";
import { decide, type Verdict } from "../core/verdict.js";
import type { SchemaRegistry } from "../schemas/registry.js";
import { applyPack } from "./apply.js";
import { clarificationFindings } from "./clarifications.js";
import type { EffectiveResult } from "./effective.js";
import { checkRequirements } from "./requirements.js";
import { packFinding } from "./core-codes.js";
import { describeWaiver, loadWaivers, WAIVERS_FILE } from "./waivers.js";

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
  const matched = new Set<number>();
  const applied = applyPack(all, { root: context.root, policy, waivers: waivers.active, matched });
  // A waiver that suppressed nothing is a typo in its target or a fixed finding: say which.
  const shown = displayPath(join(context.root, WAIVERS_FILE));
  const unmatched = waivers.active
    .filter((waiver) => !matched.has(waiver.index))
    .map((waiver) =>
      packFinding("pack/waiver-unmatched", `${shown}: ${describeWaiver(waiver, waiver.index)} matches no finding in this run`, {
        input: shown,
        location: { file: shown, pointer: `/waivers/${waiver.index}` },
        scope: "project",
        metadata: { waiver: waiver.code, target: waiver.target, owner: waiver.owner },
        suggestedFix: "target the file the report shows for the finding (file, symbol or artifact), or delete the waiver if the finding is fixed",
      }),
    );
  return [...applied, ...applyPack(unmatched, { root: context.root, policy, waivers: [] })];
}

export function enforcePack(verdict: Verdict, context: EnforceContext): Verdict {
  const { decision: _decision, findings, inputs, ...rest } = verdict;
  return decide(packFindings(findings, context), inputs, { ...rest, policy: context.effective.record });
}
