// The shapes the console reads: the API's answers are generated from schemas/api/ at compile
// (console/src/generated/api-types.ts, scripts/gen-console-types.mjs), and the documents inside
// them (effective policy, pack, overrides, finding) are the service's own source types. Nothing
// here restates a field: the names below only pick parts of those types.

import type { ApiSchemas } from "./generated/api-types.js";
import type { Constraints, EnforcementMode, PolicyOverride, PolicyPack } from "../../src/packs/types.js";

export type { Finding, Severity } from "../../src/core/findings.js";
export type { Clarification, EffectivePolicy, HeadingRequirement, RuleSetting } from "../../src/packs/types.js";

export type Mode = EnforcementMode;
export type Overrides = PolicyOverride;
export type PackDocument = PolicyPack;
export type ConstraintFlag = keyof Constraints;
/** Every constraint flag, in the order the settings page shows them (a missing one does not compile). */
const CONSTRAINTS: Record<ConstraintFlag, true> = { forbid_stub_execution: true, require_ci_green: true, require_code_review: true };
export const CONSTRAINT_FLAGS = Object.keys(CONSTRAINTS) as readonly ConstraintFlag[];

export type PackSummary = ApiSchemas["pack-list.v1"]["packs"][number];
export type PackDetails = ApiSchemas["pack.v1"];
export type PackStatus = PackDetails["versions"][number]["status"];

export type ProjectOverview = ApiSchemas["console-projects.v1"]["projects"][number];
export type ProjectPolicy = ApiSchemas["project.v1"];
export type Effective = ApiSchemas["effective-policy.v1"];
export type Preview = ApiSchemas["console-preview.v1"];
export type AuditEvent = ApiSchemas["console-history.v1"]["events"][number];

export type RunSummary = ApiSchemas["console-runs.v1"]["runs"][number];
export type Counts = RunSummary["counts"];
export type Run = ApiSchemas["stored-run.v1"];
export type Step = Run["steps"][number];
export type FindingPage = ApiSchemas["run-findings.v1"] | ApiSchemas["step-findings.v1"];
export type StoredFinding = FindingPage["findings"][number];

export type Questions = ApiSchemas["project-clarifications.v1"];
export type Question = Questions["questions"][number];
export type RunQuestions = ApiSchemas["console-run-clarifications.v1"];
