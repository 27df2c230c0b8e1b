// A package's public entry modules, from its package.json: every subpath of `exports` (the target
// an importing TypeScript consumer resolves: conditions in their order, `types`, `import`, `node`,
// `default` matching; `require` only when nothing else does), else `types`/`typings`, else
// `main`/`module`. A built target (dist/index.js, dist/index.d.ts) maps back to its source when the
// source is there (src/index.ts), else to the declaration file the package ships, else to the
// JavaScript itself. Each entry is keyed by its public path, the specifier callers import
// (`nanoid`, `nanoid/async`), not by its file: a version that moves `index.d.ts` to
// `source/index.d.ts` keeps its keys, and a subpath that goes away takes its symbols with it.

import { existsSync, statSync } from "node:fs";
import { join, posix, resolve } from "node:path";
import fg from "fast-glob";
import ts from "typescript";
import { ConfigError } from "../../core/errors.js";
import { readUntrustedText, UntrustedFileError } from "../../core/read.js";
import { isTestFile } from "../files.js";

export interface EntryPoints {
  /** entry modules, relative to the package root, sorted */
  entries: string[];
  /** entry module → the public paths it is imported by (`name` for ".", `name/sub` for "./sub"), sorted */
  keys?: Map<string, string[]>;
  /** package.json targets that resolve to no file */
  unresolved: string[];
  /** package.json `name` */
  name?: string;
}

const MAX_PACKAGE_JSON_BYTES = 4 * 1024 * 1024;
const BUILD_DIRS = /^(?:dist|lib|build|out|esm|cjs|es|module|types|typings)(?:\/(?:esm|cjs|es|mjs|types|src))*\//;
const SOURCE_EXTENSIONS = [".ts", ".tsx", ".mts", ".cts"];
const DECLARATION_EXTENSIONS = [".d.ts", ".d.mts", ".d.cts"];

/** undefined: no package.json, or one that names no entry point. */
export function packageEntryPoints(root: string): EntryPoints | undefined {
  const file = join(root, "package.json");
  // Through the one reader: a FIFO, a device or a link out of the repository at package.json is
  // refused naming it (read directly, a FIFO hung the contracts collector).
  let text: string;
  try {
    text = readUntrustedText(file, { maxBytes: MAX_PACKAGE_JSON_BYTES, root });
  } catch (error) {
    if (error instanceof UntrustedFileError) {
      if (error.code === "ENOENT") return undefined;
      throw new ConfigError(`cannot read package.json: ${error.reason}`, file);
    }
    throw error;
  }
  let pkg: Record<string, unknown>;
  try {
    pkg = JSON.parse(text) as Record<string, unknown>;
  } catch {
    // Not JSON: no entry point is known, so every module's exports count (more API, not less).
    return undefined;
  }
  if (pkg === null || typeof pkg !== "object" || Array.isArray(pkg)) return undefined;
  // subpath → target
  const targets = new Map<string, string>();
  if (pkg.exports !== undefined && pkg.exports !== null) {
    const { exact, patterns, blocked } = exportTargets(pkg.exports);
    for (const [subpath, target] of exact) targets.set(subpath, target);
    for (const [subpath, target] of expandPatterns(root, patterns, blocked)) if (!targets.has(subpath)) targets.set(subpath, target);
  } else {
    const types = typeof pkg.types === "string" ? pkg.types : typeof pkg.typings === "string" ? pkg.typings : undefined;
    const main = ["main", "module"].map((key) => pkg[key]).find((v): v is string => typeof v === "string");
    // Without `types`, TypeScript reads index.d.ts at the package root, else beside `main`.
    let target = types ?? (existsSync(join(root, "index.d.ts")) ? "index.d.ts" : main);
    // `typesVersions` redirects the types a consumer's compiler reads (TypeScript ignores it
    // when `exports` is there): judging the unredirected file judged declarations no one reads.
    if (pkg.typesVersions !== undefined) target = typesVersionsTarget(root, pkg.typesVersions, target ?? "index") ?? target;
    if (target) targets.set(".", target);
  }
  if (targets.size === 0) return undefined;
  const name = typeof pkg.name === "string" && pkg.name ? pkg.name : undefined;
  const keys = new Map<string, string[]>();
  const unresolved: string[] = [];
  const outputs = new BuildOutputs(root);
  for (const [subpath, target] of [...targets].sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0))) {
    const found = entryFile(root, target, outputs);
    if (!found) {
      unresolved.push(target);
      continue;
    }
    const key = name ? `${name}${subpath.slice(1)}` : subpath;
    keys.set(found, [...(keys.get(found) ?? []), key].sort());
  }
  return { entries: [...keys.keys()].sort(), keys, unresolved: [...new Set(unresolved)].sort(), ...(name ? { name } : {}) };
}

/** An importing TypeScript consumer's conditions; `require` is tried when none of them matches. */
const IMPORT_CONDITIONS = new Set(["types", "import", "node", "default"]);
const REQUIRE_CONDITIONS = new Set(["types", "require", "node", "default"]);

/**
 * Per subpath of an `exports` field, the one target a consumer resolves: exact subpaths, and
 * subpath patterns (`"./*": "./dist/*.js"`), which make every module they match public. `blocked`:
 * the subpaths and patterns whose target is null (`"./internal/*": null`), which Node refuses.
 */
function exportTargets(exports: unknown): { exact: [string, string][]; patterns: [string, string][]; blocked: string[] } {
  const subpaths = isSubpathMap(exports) ? Object.entries(exports as Record<string, unknown>) : [[".", exports] as [string, unknown]];
  const exact: [string, string][] = [];
  const patterns: [string, string][] = [];
  const blocked: string[] = [];
  for (const [subpath, value] of subpaths) {
    // The manifest itself is not a module.
    if (subpath === "./package.json") continue;
    if (value === null) {
      blocked.push(subpath);
      continue;
    }
    const target = resolveConditions(value, IMPORT_CONDITIONS) ?? resolveConditions(value, REQUIRE_CONDITIONS);
    if (!target || !/\.(?:[mc]?[jt]sx?|d\.[mc]?ts)$/.test(target)) continue;
    if (subpath.includes("*")) {
      if (subpath.split("*").length === 2 && target.split("*").length >= 2) patterns.push([subpath, target]);
    } else if (!target.includes("*")) {
      exact.push([subpath, target]);
    }
  }
  return { exact, patterns, blocked };
}

/** More pattern matches than a hand-written package has: the expansion stops there. */
const MAX_PATTERN_MATCHES = 10_000;

/**
 * The subpaths a pattern of `exports` makes public, each with its target: every module on disk its
 * target matches (the built file, or the source it maps back to: `./dist/*.js` matches
 * dist/utils.js and src/utils.ts), so that a module reachable as `pkg/utils` is API like an
 * exact subpath's (skipped, a breaking change to it read as no change). Node's precedence: the
 * pattern with the longest prefix wins, and a null subpath or pattern blocks what it matches.
 */
function expandPatterns(root: string, patterns: [string, string][], blocked: string[]): [string, string][] {
  if (patterns.length === 0) return [];
  const matchOf = (pattern: string, subpath: string): boolean => {
    if (!pattern.includes("*")) return pattern === subpath;
    const [prefix, suffix] = pattern.split("*") as [string, string];
    return subpath.length >= prefix.length + suffix.length && subpath.startsWith(prefix) && subpath.endsWith(suffix);
  };
  const prefixLength = (pattern: string) => pattern.indexOf("*");
  const out = new Map<string, { target: string; prefix: number }>();
  for (const [subpath, target] of patterns) {
    // Node requires a target inside the package ("./…"): anything else (an absolute path, a
    // parent directory) is refused by Node, and walking it would read outside the repository.
    if (!target.startsWith("./")) continue;
    const [prefix, ...rest] = target.slice(2).split("*");
    const suffix = rest.join("*");
    if (prefix === undefined || rest.length !== 1 || prefix.startsWith("/") || posix.normalize(prefix || ".").split("/").includes("..")) continue;
    const suffixStem = suffix.replace(/\.d\.[mc]?ts$/, "").replace(/\.[mc]?[jt]sx?$/, "");
    const mapped = prefix.replace(BUILD_DIRS, "");
    // The built directory, and the sources it maps back to (not the whole root for `dist/*`).
    const bases = [...new Set([prefix, ...(mapped !== prefix ? [`src/${mapped}`, ...(mapped ? [mapped] : [])] : [])])];
    const middles = new Set<string>();
    for (const base of bases) {
      const dir = base.slice(0, base.lastIndexOf("/") + 1);
      const found = fg.sync(`${dir ? fg.escapePath(dir) : ""}**/*.{ts,tsx,mts,cts,js,jsx,mjs,cjs}`, { cwd: root, ignore: ["**/node_modules/**"], onlyFiles: true, dot: false, followSymbolicLinks: false });
      for (const file of found) {
        if (!file.startsWith(base) || isTestFile(file)) continue;
        const stem = file.replace(/\.d\.[mc]?ts$/, "").replace(/\.[mc]?[jt]sx?$/, "");
        if (!stem.endsWith(suffixStem) || stem.length - suffixStem.length <= base.length) continue;
        middles.add(stem.slice(base.length, stem.length - suffixStem.length));
        if (middles.size > MAX_PATTERN_MATCHES) break;
      }
    }
    for (const middle of middles) {
      const key = subpath.replace("*", middle);
      if (blocked.some((b) => matchOf(b, key))) continue;
      const previous = out.get(key);
      if (previous && previous.prefix >= prefixLength(subpath)) continue;
      const resolved = `./${prefix}${middle}${suffix}`;
      // Only what resolves to a module: a pattern names no file it must have.
      if (sourceOf(root, resolved)) out.set(key, { target: resolved, prefix: prefixLength(subpath) });
    }
  }
  return [...out].map(([key, { target }]) => [key, target] as [string, string]);
}

function isSubpathMap(value: unknown): boolean {
  return typeof value === "object" && value !== null && !Array.isArray(value) && Object.keys(value).some((k) => k.startsWith("."));
}

/** Node's resolution of a conditional target: the first matching condition, in the object's order, that resolves. */
function resolveConditions(value: unknown, conditions: ReadonlySet<string>): string | undefined {
  if (typeof value === "string") return value;
  if (Array.isArray(value)) {
    for (const v of value) {
      const found = resolveConditions(v, conditions);
      if (found) return found;
    }
    return undefined;
  }
  if (typeof value !== "object" || value === null) return undefined;
  for (const [condition, v] of Object.entries(value)) {
    if (!conditions.has(condition)) continue;
    const found = resolveConditions(v, conditions);
    if (found) return found;
  }
  return undefined;
}

/**
 * The module to read for a package.json target (relative to the root), or undefined. A declaration
 * file the package names outside its build directories (`"types": "index.d.ts"` beside index.ts,
 * root index.d.ts beside index.js) is what a consumer's compiler reads, so it is the entry unless
 * the project's own tsconfig emits it from the source (then it is that source's build output):
 * read the source instead and a hand-written declaration's removed or changed member went unseen.
 */
export function sourceOf(root: string, target: string): string | undefined {
  return entryFile(root, target, new BuildOutputs(root));
}

/** sourceOf with the project's build outputs read once for all of a package's targets. */
function entryFile(root: string, target: string, outputs: BuildOutputs): string | undefined {
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
  const isFile = (c: string) => statSync(join(root, c), { throwIfNoEntry: false })?.isFile() ?? false;
  const found = candidates.find(isFile);
  const declared = DECLARATION.test(path) && rest === stem && found !== path && found !== undefined && !DECLARATION.test(found) && isFile(path);
  return declared && !outputs.emits(found, path) ? path : found;
}

const DECLARATION = /\.d\.[mc]?ts$/;
const MAX_TSCONFIG_BYTES = 1024 * 1024;

/**
 * What the project's TypeScript builds emit: the tsconfig*.json files at the package root, parsed
 * by the compiler (`extends`, `include`, `outDir`, `rootDir`, `declarationDir`), read through the
 * one reader for untrusted files and only when asked. A tsconfig that cannot be read or parsed
 * emits nothing, so the declaration file stays the entry (the API consumers read).
 */
class BuildOutputs {
  private configs: ts.ParsedCommandLine[] | undefined;
  constructor(private readonly root: string) {}

  /** Does a build of the project write `declaration` (relative) from `source` (relative)? */
  emits(source: string, declaration: string): boolean {
    const input = resolve(this.root, source);
    const wanted = resolve(this.root, declaration);
    const ignoreCase = !ts.sys.useCaseSensitiveFileNames;
    const same = (a: string, b: string) => (ignoreCase ? a.toLowerCase() === b.toLowerCase() : a === b);
    for (const config of this.load()) {
      if (!config.fileNames.some((f) => same(resolve(f), input))) continue;
      if (ts.getOutputFileNames(config, input, ignoreCase).some((o) => same(resolve(o), wanted))) return true;
    }
    return false;
  }

  private load(): ts.ParsedCommandLine[] {
    if (this.configs) return this.configs;
    const root = this.root;
    const host: ts.ParseConfigFileHost = {
      useCaseSensitiveFileNames: ts.sys.useCaseSensitiveFileNames,
      getCurrentDirectory: () => root,
      fileExists: (f) => statSync(f, { throwIfNoEntry: false })?.isFile() ?? false,
      readFile: (f) => {
        try {
          return readUntrustedText(f, { maxBytes: MAX_TSCONFIG_BYTES, root });
        } catch (error) {
          if (error instanceof UntrustedFileError) return undefined;
          throw error;
        }
      },
      readDirectory: (dir, extensions, excludes, includes, depth) => ts.sys.readDirectory(dir, extensions, excludes, includes, depth),
      onUnRecoverableConfigFileDiagnostic: () => undefined,
    };
    const files = fg.sync("tsconfig*.json", { cwd: root, onlyFiles: true, dot: false, followSymbolicLinks: false }).sort();
    this.configs = files.flatMap((file) => {
      const parsed = ts.getParsedCommandLineOfConfigFile(join(root, file), undefined, host);
      return parsed && !parsed.options.noEmit ? [parsed] : [];
    });
    return this.configs;
  }
}

/**
 * The file `typesVersions` maps the package's types entry to for the pinned TypeScript, as its
 * resolver does: the first key (in order) whose version range holds this TypeScript version; in
 * its paths, the exact pattern, else the `*` pattern with the longest prefix; its substitutions in
 * order, the first that names a module. undefined: no mapping applies (the entry stands).
 */
export function typesVersionsTarget(root: string, typesVersions: unknown, entry: string, version: string = ts.version): string | undefined {
  if (typesVersions === null || typeof typesVersions !== "object" || Array.isArray(typesVersions)) return undefined;
  const selected = Object.entries(typesVersions as Record<string, unknown>).find(([range]) => versionInRange(version, range));
  const paths = selected?.[1];
  if (paths === null || typeof paths !== "object" || Array.isArray(paths)) return undefined;
  const moduleName = posix.normalize(entry.replace(/^\.\//, ""));
  let best: { substitutions: unknown; star?: string } | undefined;
  let bestPrefix = -1;
  for (const [pattern, substitutions] of Object.entries(paths as Record<string, unknown>)) {
    if (pattern === moduleName) {
      best = { substitutions };
      break;
    }
    const star = pattern.indexOf("*");
    if (star < 0 || pattern.indexOf("*", star + 1) >= 0) continue;
    const prefix = pattern.slice(0, star);
    const suffix = pattern.slice(star + 1);
    if (moduleName.length < prefix.length + suffix.length || !moduleName.startsWith(prefix) || !moduleName.endsWith(suffix) || prefix.length <= bestPrefix) continue;
    best = { substitutions, star: moduleName.slice(prefix.length, moduleName.length - suffix.length) };
    bestPrefix = prefix.length;
  }
  if (!best || !Array.isArray(best.substitutions)) return undefined;
  for (const substitution of best.substitutions) {
    if (typeof substitution !== "string") continue;
    const path = best.star !== undefined ? substitution.replace("*", best.star) : substitution;
    const normalized = posix.normalize(path.replace(/^\.\//, ""));
    if (normalized.startsWith("..") || normalized.startsWith("/")) continue;
    // A mapped path without an extension is tried as TypeScript tries a module name.
    for (const candidate of [normalized, ...DECLARATION_EXTENSIONS.map((e) => `${normalized}${e}`), `${normalized}/index.d.ts`]) {
      if (/\.(?:d\.[mc]?ts|[mc]?[jt]sx?)$/.test(candidate) && sourceOf(root, candidate)) return candidate;
    }
  }
  return undefined;
}

/**
 * Whether `version` (x.y.z) is in a typesVersions range as TypeScript reads one: alternatives
 * joined by `||`, each comparators (`<`, `<=`, `>`, `>=`, `=`, `~`, `^`, partial versions, `x`,
 * `*`) or a hyphen range. A range TypeScript cannot parse matches nothing.
 */
export function versionInRange(version: string, range: string): boolean {
  const v = parseVersion(version);
  if (!v) return false;
  const alternatives = range.trim().split(/\s*\|\|\s*/);
  return alternatives.some((alternative) => {
    const bounds = rangeBounds(alternative);
    return bounds !== undefined && bounds.every(([op, bound]) => compareOp(compareVersions(v, bound), op));
  });
}

type Bound = [op: "<" | "<=" | ">" | ">=" | "=", version: [number, number, number]];

function rangeBounds(alternative: string): Bound[] | undefined {
  const hyphen = /^(\S+)\s+-\s+(\S+)$/.exec(alternative);
  if (hyphen) {
    const low = partial(hyphen[1]!);
    const high = partial(hyphen[2]!);
    if (!low || !high) return undefined;
    return [[">=", floor(low)], high.parts < 3 ? ["<", next(high)] : ["<=", floor(high)]];
  }
  const out: Bound[] = [];
  for (const comparator of alternative.split(/\s+/).filter(Boolean)) {
    const match = /^(<=|>=|<|>|=|~|\^)?\s*(.+)$/.exec(comparator);
    const p = match && partial(match[2]!);
    if (!match || !p) return undefined;
    const op = match[1] ?? "=";
    if (p.parts === 0) {
      if (op === "<" || op === ">") out.push(["<", [0, 0, 0]]);
      continue;
    }
    const low = floor(p);
    if (op === "~") out.push([">=", low], ["<", p.parts === 1 ? [low[0] + 1, 0, 0] : [low[0], low[1] + 1, 0]]);
    else if (op === "^") out.push([">=", low], ["<", low[0] > 0 || p.parts === 1 ? [low[0] + 1, 0, 0] : low[1] > 0 || p.parts === 2 ? [0, low[1] + 1, 0] : [0, 0, low[2] + 1]]);
    else if (op === "=") out.push(...(p.parts === 3 ? ([["=", low]] as Bound[]) : ([[">=", low], ["<", next(p)]] as Bound[])));
    else if (op === ">") out.push(p.parts === 3 ? [">", low] : [">=", next(p)]);
    else if (op === "<=") out.push(p.parts === 3 ? ["<=", low] : ["<", next(p)]);
    else out.push([op as ">=" | "<", low]);
  }
  return out;
}

/** A partial version (`4`, `4.2`, `4.2.1`, `4.x`, `*`): its numbers and how many are given. */
function partial(text: string): { numbers: number[]; parts: number } | undefined {
  if (text === "*" || text === "x" || text === "X") return { numbers: [], parts: 0 };
  const match = /^v?(\d+)(?:\.(\d+|[xX*]))?(?:\.(\d+|[xX*]))?(?:-[0-9A-Za-z.-]+)?(?:\+[0-9A-Za-z.-]+)?$/.exec(text);
  if (!match) return undefined;
  const numbers: number[] = [];
  for (const part of match.slice(1)) {
    if (part === undefined || /^[xX*]$/.test(part)) break;
    numbers.push(Number(part));
  }
  return { numbers, parts: numbers.length };
}

const floor = (p: { numbers: number[] }): [number, number, number] => [p.numbers[0] ?? 0, p.numbers[1] ?? 0, p.numbers[2] ?? 0];
const next = (p: { numbers: number[]; parts: number }): [number, number, number] => (p.parts === 1 ? [p.numbers[0]! + 1, 0, 0] : p.parts === 2 ? [p.numbers[0]!, p.numbers[1]! + 1, 0] : [p.numbers[0]!, p.numbers[1]!, p.numbers[2]! + 1]);

function parseVersion(version: string): [number, number, number] | undefined {
  const match = /^(\d+)\.(\d+)\.(\d+)/.exec(version);
  return match ? [Number(match[1]), Number(match[2]), Number(match[3])] : undefined;
}

function compareVersions(a: [number, number, number], b: [number, number, number]): number {
  for (let i = 0; i < 3; i++) if (a[i] !== b[i]) return a[i]! < b[i]! ? -1 : 1;
  return 0;
}

function compareOp(order: number, op: Bound[0]): boolean {
  return op === "<" ? order < 0 : op === "<=" ? order <= 0 : op === ">" ? order > 0 : op === ">=" ? order >= 0 : order === 0;
}
