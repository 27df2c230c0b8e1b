// Which files are contract sources: fast-glob over the include patterns, minus .gitignore'd paths,
// tests, build output, node_modules and virtualenvs (none of those are public API).

import { existsSync } from "node:fs";
import { join } from "node:path";
import { ConfigError } from "../core/errors.js";
import { readUntrustedText, UntrustedFileError } from "../core/read.js";
import fg from "fast-glob";
import ignore from "ignore";
import picomatch from "picomatch";

export const DEFAULT_INCLUDE = ["**/*.{ts,tsx,mts,cts,js,jsx,mjs,cjs,py}"];

export const NEVER_CONTRACTS = [
  "**/node_modules/**",
  "**/.git/**",
  "**/dist/**",
  "**/build/**",
  "**/out/**",
  "**/coverage/**",
  "**/.venv/**",
  "**/venv/**",
  "**/env/**",
  "**/site-packages/**",
  "**/__pycache__/**",
  "**/.tox/**",
  "**/test/**",
  "**/tests/**",
  "**/__tests__/**",
  "**/*.test.*",
  "**/*.spec.*",
  "**/test_*.py",
  "**/*_test.py",
  "**/conftest.py",
];

const TEST_PATTERNS = NEVER_CONTRACTS.filter((p) => /test|spec|conftest/.test(p));

/** Where callers live: tests count as consumers, build output and dependencies do not. */
const NEVER_CONSUMERS = NEVER_CONTRACTS.filter((p) => !TEST_PATTERNS.includes(p));

const testMatcher = picomatch(TEST_PATTERNS, { dot: true });

/** A test file by the same conventions that keep tests out of the contracts (test/, *.test.*, test_*.py ...). */
export function isTestFile(path: string): boolean {
  return testMatcher(path);
}

/** Every source file that may call a contract (for consumer impact), sorted. */
export async function consumerFiles(root: string): Promise<string[]> {
  const files = await fg(DEFAULT_INCLUDE, { cwd: root, ignore: NEVER_CONSUMERS, onlyFiles: true, followSymbolicLinks: false });
  const gitignore = loadGitignore(root);
  return files.filter((f) => !gitignore.ignores(f)).sort();
}

export interface FileSelection {
  include?: string[];
  exclude?: string[];
}

/** Sorted posix paths relative to `root`. */
export async function contractFiles(root: string, selection: FileSelection = {}): Promise<string[]> {
  const files = await fg(selection.include?.length ? selection.include : DEFAULT_INCLUDE, {
    cwd: root,
    ignore: [...NEVER_CONTRACTS, ...(selection.exclude ?? [])],
    onlyFiles: true,
    dot: false,
    followSymbolicLinks: false,
  });
  const gitignore = loadGitignore(root);
  return preferDeclarations(files.filter((f) => !gitignore.ignores(f))).sort();
}

/**
 * One module per stem: `x.ts` over a generated `x.d.ts` beside it, and `x.d.ts` over the `x.js` it
 * types (a package's shipped declarations are its API).
 */
export function preferDeclarations(files: string[]): string[] {
  const set = new Set(files);
  const stemOf = (f: string) => f.replace(/\.d\.([mc]?)ts$/, ".$1ts").replace(/\.[mc]?[jt]sx?$/, "");
  const declarations = new Set(files.filter((f) => /\.d\.[mc]?ts$/.test(f)).map(stemOf));
  const sources = new Set(files.filter((f) => /\.[mc]?tsx?$/.test(f) && !/\.d\.[mc]?ts$/.test(f)).map(stemOf));
  return [...set].filter((f) => {
    if (/\.d\.[mc]?ts$/.test(f)) return !sources.has(stemOf(f));
    if (/\.[mc]?jsx?$/.test(f)) return !declarations.has(stemOf(f)) && !sources.has(stemOf(f));
    return true;
  });
}

function loadGitignore(root: string) {
  const matcher = ignore();
  const file = join(root, ".gitignore");
  if (existsSync(file)) matcher.add(readUntrustedText(file, { maxBytes: 1024 * 1024 }));
  return matcher;
}

/** Source files bigger than this are not hand-written API. */
const MAX_SOURCE_BYTES = 16 * 1024 * 1024;

/** A source file of the repository (relative to `root`), through the untrusted-file reader. */
export function readSourceFile(root: string, file: string): string {
  try {
    return readUntrustedText(join(root, file), { maxBytes: MAX_SOURCE_BYTES });
  } catch (error) {
    if (error instanceof UntrustedFileError) throw new ConfigError(`cannot read source file: ${error.reason}`, file);
    throw error;
  }
}
