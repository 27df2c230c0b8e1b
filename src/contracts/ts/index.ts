// TypeScript/JavaScript extraction with the TypeScript compiler API (typescript@6: the classic JS
// API; typescript@7 is the native compiler whose API is not stable yet), by stage:
//   entrypoints.ts  package.json exports/types/main → entry modules
//   exports.ts      a module's export table (ES modules, .d.ts, CommonJS)
//   collect.ts      declarations → contracts (every public symbol kind and member)
//   signature.ts    parameters, returns, type parameters as normalised text
//   syntax.ts       the fast path: one file at a time, re-exports resolved across files
//   program.ts      the `--types` Program and the judge's in-memory Programs
//   declarations.ts + judge.ts: contracts back to declarations, compared by the checker (diff time)

import type { Contract } from "../model.js";
import { typesProgram } from "./program.js";
import { extractSyntax } from "./syntax.js";

export { languageOf, resolveSpecifier, scriptKind, TS_EXTENSIONS } from "./syntax.js";

export interface TsExtractOptions {
  /** use a Program and its checker for inferred types */
  types?: boolean;
  /** only these modules (relative paths) are public entry points */
  entries?: string[];
  /** entry module → its public paths (package.json `exports` subpaths): the contracts' module */
  entryKeys?: Map<string, string[]>;
  /** the package's name: an entry script's `declare module "name"` blocks are its API */
  packageName?: string;
}

export function extractTypeScript(root: string, files: string[], options: TsExtractOptions = {}): Contract[] {
  const entries = { ...(options.entries ? { entries: options.entries } : {}), ...(options.entryKeys ? { entryKeys: options.entryKeys } : {}), ...(options.packageName ? { packageName: options.packageName } : {}) };
  if (!options.types) return extractSyntax(root, files, entries);
  const program = typesProgram(root, [...new Set([...files, ...(options.entries ?? [])])]);
  return extractSyntax(root, files, { ...entries, checker: program.checker, sourceOf: program.sourceOf });
}
