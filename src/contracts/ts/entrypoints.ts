// A package's public entry modules, from its package.json: every subpath of `exports` (each
// condition's target; `types` first), else `types`/`typings`, else `main`/`module`. A built target
// (dist/index.js, dist/index.d.ts) maps back to its source when the source is there
// (src/index.ts), else to the declaration file the package ships, else to the JavaScript itself.

import { existsSync, readFileSync, statSync } from "node:fs";
import { join, posix } from "node:path";

export interface EntryPoints {
  /** entry modules, relative to the package root, sorted */
  entries: string[];
  /** package.json targets that resolve to no file */
  unresolved: string[];
}

const BUILD_DIRS = /^(?:dist|lib|build|out|esm|cjs|es|module|types|typings)(?:\/(?:esm|cjs|es|mjs|types|src))*\//;
const SOURCE_EXTENSIONS = [".ts", ".tsx", ".mts", ".cts"];
const DECLARATION_EXTENSIONS = [".d.ts", ".d.mts", ".d.cts"];

/** undefined: no package.json, or one that names no entry point. */
export function packageEntryPoints(root: string): EntryPoints | undefined {
  const file = join(root, "package.json");
  if (!existsSync(file)) return undefined;
  let pkg: Record<string, unknown>;
  try {
    pkg = JSON.parse(readFileSync(file, "utf8")) as Record<string, unknown>;
  } catch {
    return undefined;
  }
  const targets = new Set<string>();
  if (pkg.exports !== undefined && pkg.exports !== null) {
    for (const t of exportTargets(pkg.exports)) targets.add(t);
  } else {
    const types = typeof pkg.types === "string" ? pkg.types : typeof pkg.typings === "string" ? pkg.typings : undefined;
    // Without `types`, TypeScript reads index.d.ts at the package root, else beside `main`.
    if (types) targets.add(types);
    else if (existsSync(join(root, "index.d.ts"))) targets.add("index.d.ts");
    else for (const key of ["main", "module"]) if (typeof pkg[key] === "string") targets.add(pkg[key] as string);
  }
  if (targets.size === 0) return undefined;
  const entries = new Set<string>();
  const unresolved: string[] = [];
  for (const target of [...targets].sort()) {
    const found = sourceOf(root, target);
    if (found) entries.add(found);
    else unresolved.push(target);
  }
  return { entries: [...entries].sort(), unresolved };
}

/** The targets of an `exports` field: per subpath, the `types` targets if any, else every condition's. */
function exportTargets(exports: unknown): string[] {
  const subpaths = isSubpathMap(exports) ? Object.entries(exports as Record<string, unknown>) : [[".", exports] as [string, unknown]];
  const out: string[] = [];
  for (const [subpath, value] of subpaths) {
    // Patterns (`./*`) and the manifest itself are not modules of their own.
    if (subpath.includes("*") || subpath === "./package.json") continue;
    const typed = leaves(value, true);
    out.push(...(typed.length > 0 ? typed : leaves(value, false)));
  }
  return out.filter((t) => !t.includes("*") && /\.(?:[mc]?[jt]sx?|d\.[mc]?ts)$/.test(t));
}

function isSubpathMap(value: unknown): boolean {
  return typeof value === "object" && value !== null && !Array.isArray(value) && Object.keys(value).some((k) => k.startsWith("."));
}

/** String targets under conditions; `typesOnly`: only those reached through a `types` condition. */
function leaves(value: unknown, typesOnly: boolean, underTypes = false): string[] {
  if (typeof value === "string") return !typesOnly || underTypes ? [value] : [];
  if (Array.isArray(value)) return value.flatMap((v) => leaves(v, typesOnly, underTypes));
  if (typeof value !== "object" || value === null) return [];
  return Object.entries(value).flatMap(([condition, v]) => leaves(v, typesOnly, underTypes || condition === "types"));
}

/** The module to read for a package.json target (relative to the root), or undefined. */
export function sourceOf(root: string, target: string): string | undefined {
  const path = posix.normalize(target.replace(/^\.\//, ""));
  if (path.startsWith("..")) return undefined;
  const stem = path.replace(/\.d\.[mc]?ts$/, "").replace(/\.[mc]?[jt]sx?$/, "");
  const rest = stem.replace(BUILD_DIRS, "");
  const candidates = [
    ...(rest !== stem ? [...SOURCE_EXTENSIONS.map((e) => `src/${rest}${e}`), ...SOURCE_EXTENSIONS.map((e) => `${rest}${e}`)] : []),
    ...SOURCE_EXTENSIONS.map((e) => `${stem}${e}`).filter((c) => !c.endsWith(".d.ts")),
    ...DECLARATION_EXTENSIONS.map((e) => `${stem}${e}`),
    path,
    // `"main": "source"`: a directory's index, typed first.
    ...[...SOURCE_EXTENSIONS, ...DECLARATION_EXTENSIONS, ".js", ".mjs", ".cjs"].map((e) => `${path}/index${e}`),
  ];
  return candidates.find((c) => statSync(join(root, c), { throwIfNoEntry: false })?.isFile() ?? false);
}
