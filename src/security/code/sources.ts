// The modules the security checks read: the changed ones, and the relative modules they import
// (for the tags of a function called across a module boundary). Every file is read through the
// one untrusted reader, inside the repository root; a module that cannot be read is left out
// of name resolution (a changed one is reported by the collector as unscanned).

import { statSync } from "node:fs";
import { join } from "node:path";
import { readUntrustedFile } from "../../core/read.js";
import { resolveSpecifier } from "../../contracts/ts/index.js";
import { parseModule, type FunctionInfo, type ModuleInfo } from "./module.js";

export const CODE_EXTENSIONS = /\.(?:[mc]?[jt]s|[jt]sx)$/;

/**
 * A source file's text as its compiler reads it (TypeScript's reader: a UTF-16 byte-order mark
 * either way, a UTF-8 one, else UTF-8 with U+FFFD for bad bytes, as Node reads a module too).
 * Not "not UTF-8, so skip it": a stray byte or a NUL in a comment still compiles and runs, and a
 * module the checks skipped for it would pass them unread.
 */
export function sourceText(bytes: Buffer): string {
  if (bytes.length >= 2 && bytes[0] === 0xfe && bytes[1] === 0xff) return Buffer.from(bytes.subarray(2, bytes.length - (bytes.length % 2))).swap16().toString("utf16le");
  if (bytes.length >= 2 && bytes[0] === 0xff && bytes[1] === 0xfe) return bytes.toString("utf16le", 2);
  if (bytes.length >= 3 && bytes[0] === 0xef && bytes[1] === 0xbb && bytes[2] === 0xbf) return bytes.toString("utf8", 3);
  return bytes.toString("utf8");
}

export class Sources {
  private readonly modules = new Map<string, ModuleInfo | null>();

  constructor(
    private readonly root: string,
    private readonly maxBytes: number,
  ) {}

  /** The module at a repository path; undefined when it is not a readable source file. */
  load(file: string): ModuleInfo | undefined {
    const known = this.modules.get(file);
    if (known !== undefined) return known ?? undefined;
    this.modules.set(file, null);
    if (!CODE_EXTENSIONS.test(file) || file.endsWith(".d.ts")) return undefined;
    let text: string;
    try {
      text = sourceText(readUntrustedFile(join(this.root, file), { maxBytes: this.maxBytes, root: this.root }));
    } catch {
      return undefined;
    }
    const info = parseModule(file, text, (specifier) => resolveSpecifier(file, specifier, (f) => this.isFile(f)));
    this.modules.set(file, info);
    return info;
  }

  /** Parses text already read (a changed file the collector read for its secrets). */
  add(file: string, text: string): ModuleInfo {
    const info = parseModule(file, text, (specifier) => resolveSpecifier(file, specifier, (f) => this.isFile(f)));
    this.modules.set(file, info);
    return info;
  }

  /** The function a bare name calls in `module`: declared at its top, or imported from a relative module. */
  callee(module: ModuleInfo, name: string): FunctionInfo | undefined {
    const local = module.functions.get(name);
    if (local) return local;
    const imported = module.imports.get(name);
    if (!imported?.module || imported.name === "*") return undefined;
    const target = this.load(imported.module);
    const fn = target?.functions.get(imported.name);
    return fn && fn.exported ? fn : undefined;
  }

  private isFile(file: string): boolean {
    try {
      return statSync(join(this.root, file)).isFile();
    } catch {
      return false;
    }
  }
}
