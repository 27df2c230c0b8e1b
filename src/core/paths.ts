// Paths of the installed package (schemas/, policy/, bundle/ ship with it).

import { existsSync } from "node:fs";
import { dirname, join, relative, sep } from "node:path";
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
