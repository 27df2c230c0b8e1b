// Programs: the `--types` Program over the extracted files (inferred types), and the in-memory
// Programs the judge builds from reconstructed declarations (judge.ts). Lib files are parsed once
// per process and shared by every Program.

import { dirname, join } from "node:path";
import ts from "typescript";

export const TYPES_OPTIONS: ts.CompilerOptions = {
  allowJs: true,
  checkJs: false,
  noEmit: true,
  skipLibCheck: true,
  target: ts.ScriptTarget.ES2022,
  module: ts.ModuleKind.NodeNext,
  moduleResolution: ts.ModuleResolutionKind.NodeNext,
  strict: true,
};

/** One Program over the extracted files, for the checker's inferred types (`--types`). */
export function typesProgram(root: string, files: string[]): { checker: ts.TypeChecker; sourceOf: (file: string) => ts.SourceFile | undefined } {
  const program = ts.createProgram(
    files.map((f) => join(root, f)),
    TYPES_OPTIONS,
  );
  return { checker: program.getTypeChecker(), sourceOf: (file) => program.getSourceFile(join(root, file)) };
}

export const JUDGE_OPTIONS: ts.CompilerOptions = {
  strict: true,
  noEmit: true,
  target: ts.ScriptTarget.ES2022,
  module: ts.ModuleKind.ESNext,
  moduleResolution: ts.ModuleResolutionKind.Bundler,
  lib: ["lib.es2023.d.ts", "lib.dom.d.ts"],
  types: [],
  skipLibCheck: true,
  noLib: false,
};

const libCache = new Map<string, ts.SourceFile | undefined>();

/**
 * A Program over in-memory files (absolute virtual paths under /gatehouse/) from `roots`, plus the
 * compiler's lib files and whatever real files they import (the source judge's package trees).
 */
export function virtualProgram(files: Map<string, string>, roots: string[], oldProgram?: ts.Program, options: ts.CompilerOptions = JUDGE_OPTIONS, transform?: (file: string, text: string) => string | undefined): ts.Program {
  const host = ts.createCompilerHost(options);
  const libDir = dirname(ts.getDefaultLibFilePath(options));
  const { fileExists, readFile, getSourceFile } = host;
  host.fileExists = (f) => files.has(f) || (!f.startsWith("/gatehouse/") && fileExists(f));
  host.readFile = (f) => files.get(f) ?? (f.startsWith("/gatehouse/") ? undefined : readFile(f));
  host.directoryExists = (d) => d === "/gatehouse" || d.startsWith("/gatehouse/") || ts.sys.directoryExists(d);
  host.getSourceFile = (f, version, onError, shouldCreate) => {
    const text = files.get(f);
    if (text !== undefined) return ts.createSourceFile(f, text, version, false, ts.ScriptKind.TS);
    // Only the compiler's own lib files are shared: real files may change between two diffs.
    if (!f.startsWith(libDir)) {
      const real = transform ? readFile(f) : undefined;
      const changed = real !== undefined ? transform!(f, real) : undefined;
      return changed !== undefined ? ts.createSourceFile(f, changed, version, false) : getSourceFile(f, version, onError, shouldCreate);
    }
    if (!libCache.has(f)) libCache.set(f, getSourceFile(f, version, onError, shouldCreate));
    return libCache.get(f);
  };
  return ts.createProgram(roots, options, host, oldProgram);
}
