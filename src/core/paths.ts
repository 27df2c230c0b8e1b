// Paths of the installed package (schemas/, policy/, bundle/ ship with it).

import { existsSync } from "node:fs";
import { dirname, isAbsolute, join, relative, resolve, sep } from "node:path";
import { fileURLToPath } from "node:url";

// The nearest directory above this file with a package.json: this file runs from
// dist/src/core/ (tsc output) and from a chunk in dist/cli/ (the bundled CLI).
const ROOT = findPackageRoot(dirname(fileURLToPath(import.meta.url)));

function findPackageRoot(start: string): string {
  for (let dir = start; ; dir = dirname(dir)) {
    if (existsSync(join(dir, "package.json"))) return dir;
    if (dirname(dir) === dir) throw new Error(`gatehouse: no package.json above ${start}`);
  }
}

export function packageRoot(): string {
  return ROOT;
}

export function packagePath(...parts: string[]): string {
  return join(ROOT, ...parts);
}

/** A stable, forward-slash display path relative to `base` (the working directory). */
export function displayPath(file: string, base: string = process.cwd()): string {
  const rel = relative(base, file);
  const shown = rel === "" ? "." : rel.startsWith("..") ? file : rel;
  return sep === "/" ? shown : shown.split(sep).join("/");
}

/** The deepest directory containing every absolute path given (undefined for none). */
export function commonDirectory(paths: readonly string[]): string | undefined {
  if (paths.length === 0) return undefined;
  let common = paths[0]!.split(sep);
  for (const path of paths.slice(1)) {
    const parts = path.split(sep);
    let i = 0;
    while (i < common.length && i < parts.length && common[i] === parts[i]) i++;
    common = common.slice(0, i);
  }
  const joined = common.join(sep);
  return joined === "" ? sep : isAbsolute(joined) ? joined : resolve(joined);
}

/**
 * Why a path named on the command line may not be found although it is there: Node reads the
 * arguments as UTF-8 and puts U+FFFD for bytes that are not, so a file whose name is not UTF-8
 * cannot be named. "" when the path holds no U+FFFD.
 */
export function undecodableNameHint(path: string): string {
  return path.includes("\uFFFD")
    ? " (the name holds U+FFFD, which the command line shows for bytes that are not UTF-8: a file whose name is not valid UTF-8 cannot be named to gatehouse; rename it)"
    : "";
}
