// What `gatehouse init` finds in a repository: TS/JS and Python sources with their package entry
// points (package.json, pyproject.toml), promotion receipts and manifests, an ops folder, Rego
// already there and files it could judge. Read-only; every list is sorted, so the config written
// from it is the same on every machine.

import { existsSync, statSync } from "node:fs";
import { join, posix } from "node:path";
import fg from "fast-glob";
import { NEVER_CONTRACTS } from "../contracts/files.js";
import { ConfigError } from "../core/errors.js";
import { readUntrustedText, UntrustedFileError } from "../core/read.js";
import { boundedGlobFs } from "../core/walk.js";

export interface Detected {
  /** TS/JS sources: the include globs and the entry modules that package.json points at */
  typescript?: { include: string[]; entries: string[]; language: "TypeScript" | "JavaScript" };
  /** Python sources: include globs and the packages pyproject.toml (or the layout) names */
  python?: { include: string[]; packages: string[] };
  /** whether package.json exists (the CI workflow installs with npm when it does) */
  packageJson: boolean;
  /** package-lock.json beside it: `npm ci` rather than `npm install` */
  lockfile: boolean;
  promotion?: { receipts: string[]; manifests: string[]; registry?: string };
  ops?: { dir: string; ledgerDir: string };
  /** directories holding .rego, with the top-level namespaces of their packages */
  rego: { dir: string; namespaces: string[] }[];
  /** folders of YAML/JSON the project's own Rego could judge (deploy/, k8s/ ...) */
  configFolders: string[];
}

const IGNORED = ["**/node_modules/**", "**/.git/**", "**/dist/**", "**/build/**", "**/.venv/**", "**/venv/**"];
const TS_EXT = /\.(ts|tsx|mts|cts)$/;
const JS_EXT = /\.(js|jsx|mjs|cjs)$/;
/** package.json, tsconfig.json, pyproject.toml and .rego files are read to this size at most. */
const MAX_DETECT_FILE_BYTES = 4 * 1024 * 1024;
const CONFIG_FOLDERS = ["deploy", "deployment", "k8s", "kubernetes", "manifests", "helm", "config", "infra"];

export async function detect(root: string): Promise<Detected> {
  const sources = await fg(["**/*.{ts,tsx,mts,cts,js,jsx,mjs,cjs,py}"], { cwd: root, fs: boundedGlobFs(root), ignore: NEVER_CONTRACTS, onlyFiles: true, dot: false, followSymbolicLinks: false });
  sources.sort();
  const pkg = readJson(root, "package.json", "strict");
  const detected: Detected = {
    packageJson: pkg !== undefined,
    lockfile: existsSync(join(root, "package-lock.json")),
    rego: [],
    configFolders: [],
  };

  const ts = sources.filter((f) => TS_EXT.test(f));
  const js = sources.filter((f) => JS_EXT.test(f) && !/(^|\/)[^/]*\.config\.[cm]?js$/.test(f));
  const scripts = ts.length > 0 ? ts : js;
  if (scripts.length > 0) {
    const language = ts.length > 0 ? "TypeScript" : "JavaScript";
    const ext = ts.length > 0 ? "{ts,tsx,mts,cts}" : "{js,jsx,mjs,cjs}";
    detected.typescript = { include: folderGlobs(scripts, ext), entries: entryModules(root, pkg, new Set(scripts)), language };
  }

  const py = sources.filter((f) => f.endsWith(".py") && !/(^|\/)(setup|noxfile|manage)\.py$/.test(f));
  if (py.length > 0) {
    const packages = pythonPackages(root, new Set(py));
    const include = packages.length > 0 ? packages.map((dir) => `${dir}/**/*.py`) : folderGlobs(py, "py");
    detected.python = { include, packages };
  }

  const receipts = await fg(["**/*.receipt.json"], { cwd: root, fs: boundedGlobFs(root), ignore: IGNORED, onlyFiles: true });
  if (receipts.length > 0) {
    const manifests = await fg(["**/*.manifest.json"], { cwd: root, fs: boundedGlobFs(root), ignore: IGNORED, onlyFiles: true });
    const registries = (await fg(["**/watcher-registry.json"], { cwd: root, fs: boundedGlobFs(root), ignore: IGNORED, onlyFiles: true })).sort();
    detected.promotion = {
      receipts: dirGlobs(receipts, "*.receipt.json"),
      manifests: dirGlobs(manifests, "*.manifest.json"),
      ...(registries.length > 0 ? { registry: registries[0]! } : {}),
    };
  }

  if (isDir(join(root, "ops"))) detected.ops = { dir: "ops", ledgerDir: "ops/ledger" };

  const rego = (await fg(["**/*.rego"], { cwd: root, fs: boundedGlobFs(root), ignore: IGNORED, onlyFiles: true })).sort();
  const byDir = new Map<string, Set<string>>();
  for (const file of rego) {
    const dir = file.includes("/") ? file.slice(0, file.indexOf("/")) : ".";
    const namespaces = byDir.get(dir) ?? new Set<string>();
    if (!file.endsWith("_test.rego")) {
      const pkgLine = /^package\s+([A-Za-z_][\w.]*)/m.exec(readRepoText(root, file) ?? "");
      if (pkgLine) namespaces.add(pkgLine[1]!.split(".")[0]!);
    }
    byDir.set(dir, namespaces);
  }
  for (const [dir, namespaces] of [...byDir.entries()].sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0))) {
    // gatehouse's own namespaces are the packaged bundle's (a copy of gatehouse's policy/ is not the project's).
    const own = [...namespaces].filter((ns) => ns !== "gatehouse" && ns !== "gatehouse_aggregate").sort();
    if (own.length > 0) detected.rego.push({ dir, namespaces: own });
  }
  for (const folder of CONFIG_FOLDERS) {
    if (!isDir(join(root, folder))) continue;
    const files = await fg(["**/*.{yaml,yml,json}"], { cwd: join(root, folder), fs: boundedGlobFs(join(root, folder)), ignore: IGNORED, onlyFiles: true });
    if (files.length > 0) detected.configFolders.push(folder);
  }
  return detected;
}

/** One glob per top-level folder holding sources (`src/**\/*.ts`), `*.ts` for files at the root. */
function folderGlobs(files: readonly string[], ext: string): string[] {
  const tops = new Set(files.map((f) => (f.includes("/") ? f.slice(0, f.indexOf("/")) : "")));
  return [...tops].sort().map((top) => (top === "" ? `*.${ext}` : `${top}/**/*.${ext}`));
}

function dirGlobs(files: readonly string[], pattern: string): string[] {
  return [...new Set(files.map((f) => posix.join(posix.dirname(f), pattern)))].sort();
}

/**
 * The source modules package.json's `exports`, `main`, `module` and `types` point at. Build
 * output (dist/index.js) is mapped back to a source that exists (src/index.ts) through
 * tsconfig's outDir/rootDir, else by trying src/ with the same name.
 */
function entryModules(root: string, pkg: Record<string, unknown> | undefined, sources: ReadonlySet<string>): string[] {
  if (!pkg) return [];
  const targets: string[] = [];
  const collect = (value: unknown): void => {
    if (typeof value === "string") targets.push(value);
    else if (value && typeof value === "object") for (const key of Object.keys(value).sort()) collect((value as Record<string, unknown>)[key]);
  };
  collect(pkg.exports);
  for (const field of ["main", "module", "types", "typings"]) collect(pkg[field]);
  const tsconfig = readJson(root, "tsconfig.json", "lenient") as { compilerOptions?: { outDir?: string; rootDir?: string } } | undefined;
  const outDir = normalize(tsconfig?.compilerOptions?.outDir ?? "dist");
  const rootDir = normalize(tsconfig?.compilerOptions?.rootDir ?? "src");
  const found = new Set<string>();
  for (const target of targets) {
    const path = normalize(target);
    if (path.includes("*")) continue;
    const stem = path.replace(/\.d\.[cm]?ts$/, "").replace(/\.([cm]?js|[cm]?ts|tsx|jsx)$/, "");
    const stems = [stem];
    if (outDir !== "" && stem.startsWith(`${outDir}/`)) stems.push(`${rootDir === "" ? "" : `${rootDir}/`}${stem.slice(outDir.length + 1)}`);
    stems.push(`src/${posix.basename(stem)}`);
    const hit = stems.flatMap((s) => [".ts", ".tsx", ".mts", ".cts", ".js", ".mjs", ".cjs", ".jsx"].map((ext) => posix.normalize(`${s}${ext}`))).find((f) => sources.has(f));
    if (hit) found.add(hit);
  }
  return [...found].sort();
}

/** Python packages (folders with __init__.py) named by pyproject.toml, else every top-level one. */
function pythonPackages(root: string, sources: ReadonlySet<string>): string[] {
  const packageDirs = [...sources].filter((f) => f.endsWith("/__init__.py")).map((f) => posix.dirname(f));
  // Top-level packages only: a package inside another is covered by its parent's glob.
  const tops = packageDirs.filter((dir) => !packageDirs.some((other) => other !== dir && dir.startsWith(`${other}/`))).sort();
  const pyproject = readRepoText(root, "pyproject.toml") ?? "";
  const names = [...pyproject.matchAll(/^\s*name\s*=\s*["']([^"']+)["']/gm)].map((m) => m[1]!.replace(/[-.]/g, "_").toLowerCase());
  const named = tops.filter((dir) => names.includes(posix.basename(dir).toLowerCase()));
  return named.length > 0 ? named : tops;
}

function normalize(path: string): string {
  return posix.normalize(path.replace(/\\/g, "/")).replace(/^\.\//, "").replace(/\/$/, "").replace(/^\.$/, "");
}

/**
 * A repository file through the one reader (a regular file inside the root, capped), or
 * undefined when there is none; a FIFO, a device, a link out of the repository or an oversized
 * file is a ConfigError naming it, never a hang or a guess made without it.
 */
function readRepoText(root: string, file: string): string | undefined {
  try {
    return readUntrustedText(join(root, file), { maxBytes: MAX_DETECT_FILE_BYTES, root });
  } catch (error) {
    if (error instanceof UntrustedFileError) {
      if (error.code === "ENOENT") return undefined;
      throw new ConfigError(`cannot read: ${error.reason}`, join(root, file));
    }
    throw error;
  }
}

/**
 * A JSON object file of the repository. package.json is "strict" (npm refuses one that is not
 * JSON, so init must not guess without it); tsconfig.json is "lenient": it may hold comments,
 * and the defaults stand in when it does not parse as JSON.
 */
function readJson(root: string, file: string, mode: "strict" | "lenient"): Record<string, unknown> | undefined {
  const text = readRepoText(root, file);
  if (text === undefined) return undefined;
  let value: unknown;
  try {
    value = JSON.parse(text) as unknown;
  } catch (error) {
    if (mode === "lenient") return undefined;
    throw new ConfigError(`not valid JSON: ${(error as Error).message}`, join(root, file));
  }
  if (value && typeof value === "object" && !Array.isArray(value)) return value as Record<string, unknown>;
  if (mode === "lenient") return undefined;
  throw new ConfigError("not a JSON object", join(root, file));
}

function isDir(path: string): boolean {
  try {
    return statSync(path).isDirectory();
  } catch {
    return false;
  }
}
