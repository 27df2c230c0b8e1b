// Input kinds: every kind names its versioned schema and the Rego namespace that governs it.
// Typed Record<Kind, ...> so a kind cannot exist without both.

export type Kind =
  | "json-schema"
  | "fixture-suite"
  | "policy-tree"
  | "ops-change"
  | "ops-execution"
  | "ops-approval"
  | "promotion-input"
  | "contract-diff"
  | "security-change";

export interface KindInfo {
  /** schema name under schemas/, e.g. `run-receipt.v1` */
  schema: string;
  /** Rego package prefix; every package at or below it is evaluated for inputs of this kind. */
  namespace: string;
  description: string;
}

export const KINDS: Record<Kind, KindInfo> = {
  "json-schema": {
    schema: "schema-document.v1",
    namespace: "gatehouse.schemas",
    description: "A gatehouse JSON Schema file with its fixture counts (self-gating).",
  },
  "fixture-suite": {
    schema: "fixture-suite.v1",
    namespace: "gatehouse.fixtures",
    description: "A fixture regression file: cases of data with the expected verdict and codes.",
  },
  "policy-tree": {
    schema: "policy-tree.v1",
    namespace: "gatehouse.policy_tree",
    description: "The layout of a policy directory: one folder per rule, tests and metadata beside it.",
  },
  "ops-change": {
    schema: "ops-change.v1",
    namespace: "gatehouse.ops.change",
    description: "A declared operation and the files it changed (git), with secret-looking files flagged.",
  },
  "ops-execution": {
    schema: "ops-execution.v1",
    namespace: "gatehouse.ops.execution",
    description: "A declared operation, its execution log with per-command facts, and its final report's headings.",
  },
  "ops-approval": {
    schema: "ops-approval.v1",
    namespace: "gatehouse.ops.approval",
    description: "A ledger entry about to be appended and the project's approval settings (risk matrix).",
  },
  "promotion-input": {
    schema: "promotion-input.v1",
    namespace: "gatehouse.promotion",
    description: "A run receipt with the facts established on disk (actual digests, manifest link, watcher registry) for the promotion gate.",
  },
  "contract-diff": {
    schema: "contract-diff.v2",
    namespace: "gatehouse.contracts",
    description: "Classified contract changes against the registry, with decisions, declared impact and call sites.",
  },
  "security-change": {
    schema: "security-change.v1",
    namespace: "gatehouse.security",
    description: "The files a change touched (git), with secrets on changed lines, declared side effects, untrusted-content flows and tenant arguments of data-access calls.",
  },
};

export function isKind(name: string): name is Kind {
  return Object.hasOwn(KINDS, name);
}

/** True when `pkg` is `namespace` or inside it (`a.b` is inside `a`). */
export function inNamespace(pkg: string, namespace: string): boolean {
  return pkg === namespace || pkg.startsWith(`${namespace}.`);
}
