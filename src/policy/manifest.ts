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
  entrypoints: EntrypointInfo[];
  packages: Record<string, PackageInfo>;
  /** Builtins the wasm imports from its host. */
  builtins: string[];
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

/** conftest's exception name of a rule: `deny_foo` → `foo`, `deny` → `` */
export function exceptionName(rule: string): string {
  const idx = rule.indexOf("_");
  return idx === -1 ? "" : rule.slice(idx + 1);
}
