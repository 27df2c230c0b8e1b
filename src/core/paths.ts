// Paths of the installed package (schemas/, policy/, bundle/ ship with it).

import { dirname, join, relative, sep } from "node:path";
import { fileURLToPath } from "node:url";

// dist/src/core/paths.js → package root is three levels up.
const ROOT = join(dirname(fileURLToPath(import.meta.url)), "..", "..", "..");

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
