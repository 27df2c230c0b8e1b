// The entrypoints a bundle is evaluated with come from its wasm module (OPA's `entrypoints()`
// export, name -> id), never from its manifest: a rule compiled into the wasm is evaluated even
// when the manifest omits it. The manifest's list is only a cross-check, and any disagreement
// (an entrypoint missing, extra, or of another package or role) is `bundle/tampered`.

import { FailClosed } from "../core/errors.js";
import { AGGREGATE_PACKAGE, classifyRule, type AggregateInfo, type BundleManifest, type EntrypointInfo } from "./manifest.js";

export interface WasmEntrypoints {
  /** every rule entrypoint of the wasm, sorted by path */
  entrypoints: EntrypointInfo[];
  /**
   * The aggregate entrypoint of each package with two or more rules, as `gatehouse build`
   * generates them (manifest.ts), when the wasm has exactly those; undefined when it has none.
   */
  aggregates: Record<string, AggregateInfo> | undefined;
  /** wasm entrypoints gatehouse does not know how to evaluate (nothing `gatehouse build` makes) */
  problems: string[];
}

const AGGREGATE_PREFIX = `${AGGREGATE_PACKAGE}/`;

/** Reads the rule and aggregate entrypoints out of the wasm's own entrypoint names. */
export function entrypointsFromWasm(names: readonly string[]): WasmEntrypoints {
  const entrypoints: EntrypointInfo[] = [];
  const aggregatePaths = new Set<string>();
  const problems: string[] = [];
  for (const path of names) {
    if (path.startsWith(AGGREGATE_PREFIX)) {
      aggregatePaths.add(path);
      continue;
    }
    const cut = path.lastIndexOf("/");
    const rule = path.slice(cut + 1);
    const role = cut > 0 ? classifyRule(rule) : undefined;
    // OPA's wasm build lists, besides the entrypoints asked for, every rule that refers to one
    // (`test_x if { deny["x"] with input as ... }`, `any_denied if { count(deny) > 0 }`). Such a
    // rule is no deny, violation, warn or exception rule, which is all that conftest (and so
    // gatehouse) evaluates: it is left unevaluated, as conftest leaves it, not a tampered bundle.
    if (!role) continue;
    entrypoints.push({ path, package: path.slice(0, cut).replaceAll("/", "."), rule, role });
  }
  entrypoints.sort((a, b) => (a.path < b.path ? -1 : a.path > b.path ? 1 : 0));

  // The aggregates build would generate for these rules: p0, p1, ... in package order.
  const byPackage = new Map<string, string[]>();
  for (const e of entrypoints) byPackage.set(e.package, [...(byPackage.get(e.package) ?? []), e.rule]);
  const expected: Record<string, AggregateInfo> = {};
  [...byPackage]
    .filter(([, rules]) => rules.length > 1)
    .sort(([a], [b]) => (a < b ? -1 : 1))
    .forEach(([pkg, rules], index) => (expected[pkg] = { path: `${AGGREGATE_PREFIX}p${index}`, rules: [...rules].sort() }));
  // OPA also lists each rule of an aggregate (`p0/deny`, ...) as an entrypoint of its own.
  const expectedPaths = new Set(Object.values(expected).flatMap((a) => [a.path, ...a.rules.map((rule) => `${a.path}/${rule}`)]));
  let aggregates: Record<string, AggregateInfo> | undefined;
  if (aggregatePaths.size > 0) {
    const same = aggregatePaths.size === expectedPaths.size && [...aggregatePaths].every((p) => expectedPaths.has(p));
    if (same) aggregates = expected;
    else problems.push(`the wasm's aggregate entrypoints (${[...aggregatePaths].sort().join(", ")}) are not those of its rules (${[...expectedPaths].sort().join(", ") || "none"})`);
  }
  return { entrypoints, aggregates, problems };
}

/** Where the manifest disagrees with its wasm: entrypoints, aggregates, packages. */
export function manifestDisagreement(manifest: BundleManifest, wasm: WasmEntrypoints): string[] {
  const problems = [...wasm.problems];
  const inWasm = new Map(wasm.entrypoints.map((e) => [e.path, e]));
  const listed = new Map<string, EntrypointInfo>();
  for (const entry of manifest.entrypoints) {
    const path = typeof entry?.path === "string" ? entry.path : JSON.stringify(entry);
    if (listed.has(path)) problems.push(`the manifest lists entrypoint ${path} twice`);
    listed.set(path, entry);
    const actual = inWasm.get(path);
    if (!actual) problems.push(`the manifest lists entrypoint ${path}, which the wasm does not have`);
    else if (entry.package !== actual.package || entry.rule !== actual.rule || entry.role !== actual.role) {
      problems.push(`the manifest describes entrypoint ${path} as ${entry.role} rule ${entry.rule} of ${entry.package}, the wasm as ${actual.role} rule ${actual.rule} of ${actual.package}`);
    }
  }
  for (const path of inWasm.keys()) if (!listed.has(path)) problems.push(`the wasm has entrypoint ${path}, which the manifest does not list`);
  const packages = manifest.packages && typeof manifest.packages === "object" ? manifest.packages : {};
  for (const pkg of new Set(wasm.entrypoints.map((e) => e.package))) {
    if (!Object.hasOwn(packages, pkg)) problems.push(`the manifest has no package entry for ${pkg}, whose rules the wasm holds`);
  }
  if (!sameAggregates(manifest.aggregates, wasm.aggregates)) problems.push("the manifest's aggregates are not the wasm's aggregate entrypoints");
  return problems;
}

function sameAggregates(a: Record<string, AggregateInfo> | undefined, b: Record<string, AggregateInfo> | undefined): boolean {
  if (a === undefined || b === undefined) return a === b;
  const keys = Object.keys(a);
  return (
    keys.length === Object.keys(b).length &&
    keys.every((pkg) => {
      const x = a[pkg];
      const y = Object.hasOwn(b, pkg) ? b[pkg] : undefined;
      return !!x && !!y && x.path === y.path && Array.isArray(x.rules) && x.rules.length === y.rules.length && x.rules.every((r, i) => r === y.rules[i]);
    })
  );
}

/** The wasm's entrypoints, refusing a bundle whose manifest says otherwise. */
export function verifiedEntrypoints(manifest: BundleManifest, wasmNames: readonly string[], file?: string): WasmEntrypoints {
  const wasm = entrypointsFromWasm(wasmNames);
  const problems = manifestDisagreement(manifest, wasm);
  if (problems.length > 0) {
    throw new FailClosed("bundle/tampered", `the bundle's manifest and wasm disagree: ${problems.sort().join("; ")}`, file);
  }
  if (wasm.entrypoints.length === 0) throw new FailClosed("gate/no-policies", "the bundle's wasm has no deny, violation, warn or exception rule", file);
  return wasm;
}
