// The bundle manifest: what was compiled, by which OPA, from which exact sources.

export type RuleRole = "deny" | "warn" | "exception";

export interface EntrypointInfo {
  /** wasm entrypoint, e.g. `main/deny` or `gatehouse/promotion/digest/deny` */
  path: string;
  package: string;
  rule: string;
  role: RuleRole;
}

export interface PackageInfo {
  title?: string;
  description?: string;
  custom?: Record<string, unknown>;
}

export interface BundleManifest {
  manifestVersion: 1;
  opaVersion: string;
  wasm: { file: string; sha256: string; bytes: number };
  /** The Rego sources' directory, relative to the bundle directory. */
  sourceRoot: string;
  /** sha256 of every non-test Rego source, keyed by path relative to sourceRoot. */
  sources: Record<string, string>;
  /** The files and directories under sourceRoot that were built, when not all of it (several --policy). */
  sourcePaths?: string[];
  entrypoints: EntrypointInfo[];
  packages: Record<string, PackageInfo>;
  /** Builtins the wasm imports from its host. */
  builtins: string[];
  /**
   * Per package with two or more entrypoints, one generated entrypoint that evaluates them all
   * at once (see aggregateModule). Absent in bundles built before it existed: those evaluate
   * entrypoint by entrypoint.
   */
  aggregates?: Record<string, AggregateInfo>;
  /**
   * How many rules (bodies) define each entrypoint, by entrypoint path, where more than one does
   * (`deny contains msg if` written three times is three). Only conftest's success counts read
   * it (the tap and table reports); absent: one each.
   */
  definitions?: Record<string, number>;
  /**
   * The data paths the rules define (package path and head, up to the first non-string key),
   * sorted, each with the rule that first defines it (`file:row`, file relative to sourceRoot):
   * base data given with `check --data` must not hold a value at one of them, as OPA's compiler
   * refuses (ast.CheckPathConflicts). Absent in bundles built before it existed: those cannot be
   * evaluated with base data.
   */
  documents?: RuleDocumentInfo[];
}

export interface RuleDocumentInfo {
  path: string[];
  at: string;
}

/** One evaluation for all of a package's entrypoints: its wasm entrypoint and the rules it holds. */
export interface AggregateInfo {
  path: string;
  /** rule names, sorted: exactly the package's entrypoints */
  rules: string[];
}

/** The package the generated aggregate rules live in; a policy may not use it. */
export const AGGREGATE_PACKAGE = "gatehouse_aggregate";

/**
 * The generated Rego module with one aggregate rule per package (`p0`, `p1`, ... in package
 * order). Each key holds `[value]` when the rule is defined and `[]` when it is not, so every
 * rule's key is always present: a result missing a key did not come from this module and is
 * not trusted (evaluate-input.ts then evaluates rule by rule). Why: evaluating `deny` and
 * `warn` separately computes every helper they share (a set of containers, say) twice and parses
 * nothing less; one evaluation computes them once.
 */
export function aggregateModule(packages: readonly { package: string; rules: readonly string[] }[]): {
  source: string;
  aggregates: Record<string, AggregateInfo>;
} {
  const lines = [`package ${AGGREGATE_PACKAGE}`, ""];
  const aggregates: Record<string, AggregateInfo> = {};
  packages.forEach((pkg, index) => {
    const name = `p${index}`;
    const rules = [...pkg.rules].sort();
    const ref = pkg.package
      .split(".")
      .map((segment) => `[${JSON.stringify(segment)}]`)
      .join("");
    for (const rule of rules) lines.push(`${name}[${JSON.stringify(rule)}] := [x | x := data${ref}[${JSON.stringify(rule)}]]`);
    lines.push("");
    aggregates[pkg.package] = { path: `${AGGREGATE_PACKAGE}/${name}`, rules };
  });
  return { source: lines.join("\n"), aggregates };
}

/**
 * conftest's rule conventions: `deny`, `violation`, `warn`, their `_suffix` variants, and
 * `exception`. Anything else in a package is a helper and is never an entrypoint.
 */
export function classifyRule(rule: string): RuleRole | undefined {
  if (rule === "exception") return "exception";
  if (/^(deny|violation)(_[A-Za-z0-9_]+)?$/.test(rule)) return "deny";
  if (/^warn(_[A-Za-z0-9_]+)?$/.test(rule)) return "warn";
  return undefined;
}

/**
 * conftest's exception name of a rule (policy/engine.go, removeRulePrefix): `deny`, `violation`
 * and `warn` are ``; otherwise the prefixes `violation_`, `deny_` and `warn_` are removed in that
 * order, each at most once, so `deny_warn_x` is `x` and `violation_deny_x` is `x`. Cutting at the
 * first `_` instead made `exception contains ["warn_x"]` suppress deny_warn_x, which conftest
 * still reports.
 */
export function exceptionName(rule: string): string {
  if (rule === "deny" || rule === "violation" || rule === "warn") return "";
  let name = rule;
  for (const prefix of ["violation_", "deny_", "warn_"]) if (name.startsWith(prefix)) name = name.slice(prefix.length);
  return name;
}
