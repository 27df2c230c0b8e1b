// Syntax mode, the fast path: each file parsed on its own (ts.createSourceFile, no Program), its
// export table read (exports.ts) and its exported declarations turned into contracts right away
// (collect.ts), so the AST can be dropped: holding every AST of a large code base until the end
// costs more in GC than the parse. Relative re-exports are resolved here, across files; packages
// (non-relative specifiers) are not followed.
// With entry modules, only what they reach is read (also outside the globbed files: a package's
// `.d.ts` under dist/), and each public symbol appears once per entry, under the entry's path.

import { statSync } from "node:fs";
import { join, posix } from "node:path";
import ts from "typescript";
import { type Contract, type ContractLanguage, DECLARED_LINE, type ModuleText } from "../model.js";
import { contractsOf, renamed, type CollectContext } from "./collect.js";
import { readModuleBlocks, readStatements, type ExportTable, type ExportTarget } from "./exports.js";
import { isJsFile, withPrintCache } from "./signature.js";
import { readSourceFile } from "../files.js";
import { blankFunctionBodies, blankedParseHolds } from "./blank-bodies.js";
import { REACHES, REACHES_IMPORTED, referencedNames, type ReachedGroup } from "./reached.js";

export const TS_EXTENSIONS = [".ts", ".tsx", ".mts", ".cts", ".js", ".jsx", ".mjs", ".cjs"];
const DECLARATION_EXTENSIONS = [".d.ts", ".d.mts", ".d.cts"];

export interface SyntaxOptions {
  /** the checker, for inferred types (`--types`) */
  checker?: ts.TypeChecker;
  /** the Program's source files (`--types`); otherwise files are parsed here */
  sourceOf?: (file: string) => ts.SourceFile | undefined;
  /** public entry modules (relative paths); default: every module no other module re-exports */
  entries?: string[];
  /** entry module → its public paths (package.json): the contracts' module instead of the file */
  entryKeys?: Map<string, string[]>;
  /** the package's name (package.json): an entry script's `declare module "name"` blocks are its API */
  packageName?: string;
}

interface Resolver {
  load: (file: string) => ModuleInfo | undefined;
  lines: Map<Contract, number>;
  /** a published template's name relative to its export (publishing renames the template in place) */
  published: Map<Contract, string>;
}

const relativeName = (c: Contract, r: Resolver) => r.published.get(c) ?? c.symbol.name;

interface ModuleInfo {
  /** the file, or `file#specifier` for a `declare module "specifier"` block of an entry script */
  file: string;
  /** the file a block's declarations are in (lines point there) */
  sourceFile?: string;
  /** an entry script's blocks: public path → the block's module */
  blocks?: Map<string, string>;
  table: ExportTable;
  /** contracts of the exported locals, named relative to the export */
  templates: Map<string, Contract[]>;
  /** every contract declared in this module (lines point here) */
  own: Set<Contract>;
  text: ModuleText;
}

/** A file (a directory named like a module, `./locale`, is not one). */
export function isFile(path: string): boolean {
  return statSync(path, { throwIfNoEntry: false })?.isFile() ?? false;
}

export function scriptKind(file: string): ts.ScriptKind {
  if (file.endsWith(".tsx")) return ts.ScriptKind.TSX;
  if (file.endsWith(".jsx")) return ts.ScriptKind.JSX;
  if (/\.[mc]?js$/.test(file)) return ts.ScriptKind.JS;
  return ts.ScriptKind.TS;
}

export function languageOf(file: string): ContractLanguage {
  return isJsFile(file) ? "javascript" : "typescript";
}

export function parse(root: string, file: string, text = readSourceFile(root, file)): ts.SourceFile {
  // TS files: no JSDoc parse and no parent pointers (2-3x faster); doc tags are read from the
  // leading comment text. JS files need both for JSDoc parameter and return types.
  const isJs = isJsFile(file);
  const options = { languageVersion: ts.ScriptTarget.Latest, jsDocParsingMode: isJs ? ts.JSDocParsingMode.ParseAll : ts.JSDocParsingMode.ParseNone };
  return ts.createSourceFile(file, text, options, isJs, scriptKind(file));
}

/**
 * parse, with a `.ts` source's function bodies blanked when the parse shows that changes nothing
 * the contracts read (blank-bodies.ts): the bodies are most of the cost of parsing a source.
 */
function parseSkippingBodies(root: string, file: string, text: string): ts.SourceFile {
  if (scriptKind(file) === ts.ScriptKind.TS && !DECLARATION_FILE.test(file)) {
    const blanked = blankFunctionBodies(text);
    if (blanked) {
      const source = parse(root, file, blanked.text);
      if (blankedParseHolds(source, blanked.bodies)) return source;
    }
  }
  return parse(root, file, text);
}

/**
 * Whether a declaration file's text may be a module or declare one: an `import` or `export`
 * keyword, or `module` before a string (`declare module "x"`), outside comments and strings. A
 * declaration file with none of them is a script of globals (lib.dom.d.ts and friends): it has no
 * API of its own and need not be parsed. Any doubt (a backslash outside a string, which may
 * start a unicode escape spelling a keyword; a `/` that starts no comment; an unterminated
 * string) answers true, and the file is parsed.
 */
export function mayBeModule(text: string): boolean {
  const length = text.length;
  // Open template substitutions (`${ ... }` in a template literal type): unclosed braces in each.
  const substitutions: number[] = [];
  let i = 0;
  while (i < length) {
    const ch = text.charCodeAt(i);
    if (ch === 47 /* / */) {
      const next = text.charCodeAt(i + 1);
      if (next === 47) {
        // A line comment ends at any line terminator, as the scanner's does.
        i += 2;
        while (i < length && !isLineBreak(text.charCodeAt(i))) i++;
      } else if (next === 42 /* * */) {
        const end = text.indexOf("*/", i + 2);
        if (end < 0) return false;
        i = end + 2;
      } else {
        return true;
      }
    } else if (ch === 34 /* " */ || ch === 39 /* ' */) {
      i++;
      for (; ; i++) {
        const c = text.charCodeAt(i);
        // An unterminated string ends at the line break: what follows is code again.
        if (i >= length || isLineBreak(c)) return true;
        if (c === ch) break;
        if (c === 92 /* \ */) i++;
      }
      i++;
    } else if (ch === 96 /* ` */ || (ch === 125 /* } */ && substitutions.length > 0 && substitutions[substitutions.length - 1] === 0)) {
      // A template literal's text, from its start or from the end of a substitution.
      if (ch === 125) substitutions.pop();
      i++;
      for (; i < length; i++) {
        const c = text.charCodeAt(i);
        if (c === 96) break;
        if (c === 92) i++;
        else if (c === 36 /* $ */ && text.charCodeAt(i + 1) === 123 /* { */) {
          substitutions.push(0);
          i++;
          break;
        }
      }
      i++;
    } else if (ch === 123 /* { */ || ch === 125) {
      if (substitutions.length > 0) substitutions[substitutions.length - 1]! += ch === 123 ? 1 : -1;
      i++;
    } else if (ch === 92 /* \ */) {
      return true;
    } else if (isIdentifierPart(ch)) {
      // A word: import, export, or `module` before a string or a comment. A non-ASCII character
      // ends a word (it may be a space): a keyword beside a non-ASCII letter is a false alarm.
      const start = i;
      while (i < length && isIdentifierPart(text.charCodeAt(i))) i++;
      const word = text.slice(start, i);
      if (word === "import" || word === "export") return true;
      // The scanner ends a number where a word follows it (`1export` is `1` and `export`).
      if (ch >= 48 && ch <= 57 && /import|export|module/.test(word)) return true;
      if (word === "module") {
        let j = i;
        while (j < length && isWhitespace(text.charCodeAt(j))) j++;
        const next = text.charCodeAt(j);
        if (next === 34 || next === 39 || next === 47 || next === 96) return true;
      }
    } else {
      i++;
    }
  }
  return false;
}

const isLineBreak = (c: number) => c === 10 || c === 13 || c === 0x2028 || c === 0x2029;
const isWhitespace = (c: number) => c === 32 || c === 9 || c === 11 || c === 12 || c === 0xa0 || c === 0xfeff || isLineBreak(c) || (c > 127 && /\s/.test(String.fromCharCode(c)));
/** ASCII identifier characters (NaN, past the end, is none). */
const isIdentifierPart = (c: number) => (c >= 97 && c <= 122) || (c >= 65 && c <= 90) || (c >= 48 && c <= 57) || c === 95 || c === 36;

const DECLARATION_FILE = /\.d\.[mc]?ts$/;

/** Resolve a relative module specifier: `./x.js` may be `./x.ts` or `./x.d.ts`, `./dir` may be `./dir/index.ts`. */
export function resolveSpecifier(fromFile: string, specifier: string, exists: (file: string) => boolean): string | undefined {
  if (!specifier.startsWith(".")) return undefined;
  const base = posix.normalize(posix.join(posix.dirname(fromFile), specifier));
  if (base.startsWith("..")) return undefined;
  const stem = base.replace(/\.(m|c)?(j|t)sx?$/, "");
  // Types before JavaScript: `./x.js` next to `x.d.ts` (a package's build) is read as `x.d.ts`.
  // (In this order, without building the list: every import of every file comes through here.)
  const found = (candidate: string) => !candidate.endsWith("/") && exists(candidate);
  for (const e of TYPED_EXTENSIONS) if (found(stem + e)) return stem + e;
  if (found(base)) return base;
  for (const e of JS_EXTENSIONS) if (found(stem + e)) return stem + e;
  for (const e of TYPED_EXTENSIONS) if (found(`${base}/index${e}`)) return `${base}/index${e}`;
  for (const e of JS_EXTENSIONS) if (found(`${base}/index${e}`)) return `${base}/index${e}`;
  return undefined;
}

const TYPED_EXTENSIONS = [".ts", ".tsx", ".mts", ".cts", ...DECLARATION_EXTENSIONS];
const JS_EXTENSIONS = [".js", ".jsx", ".mjs", ".cjs"];

export function extractSyntax(root: string, files: string[], options: SyntaxOptions = {}): Contract[] {
  return withPrintCache(() => extractModules(root, files, options));
}

function extractModules(root: string, files: string[], options: SyntaxOptions): Contract[] {
  const fileSet = new Set(files);
  // Any file a module re-exports from is read from disk, outside the globbed files too: from
  // entries, a package's .d.ts under dist/; without entries, a module under a directory the glob
  // leaves out (`env/`, `build/`, `test/`, contracts.exclude, .gitignore) that a public module
  // re-exports (`export * from "./env/config"`) is API all the same. Dropped as if it were a
  // package, its symbols were in no registry and a breaking change to them read as no change.
  // Only what a module reaches is read this way: such a file is never a public module of its own.
  const onDisk = new Map<string, boolean>();
  const exists = (f: string) => fileSet.has(f) || (onDisk.get(f) ?? (onDisk.set(f, !f.includes("node_modules/") && isFile(join(root, f))), onDisk.get(f)!));
  const modules = new Map<string, ModuleInfo | null>();
  const lines = new Map<Contract, number>();
  const published = new Map<Contract, string>();
  const resolver: Resolver = { load: (file) => load(file), lines, published };
  const load = (file: string): ModuleInfo | undefined => {
    const known = modules.get(file);
    if (known !== undefined) return known ?? undefined;
    modules.set(file, null); // cycles: a module being read has no exports yet
    if (!options.sourceOf && DECLARATION_FILE.test(file)) {
      const text = readSourceFile(root, file);
      if (!mayBeModule(text)) {
        const info: ModuleInfo = { file, table: { locals: new Map(), exports: new Map(), stars: [] }, templates: new Map(), own: new Set(), text: { text } };
        modules.set(file, info);
        return info;
      }
      return finish(file, parse(root, file, text));
    }
    const given = options.sourceOf?.(file);
    if (given) return finish(file, given);
    const text = readSourceFile(root, file);
    return finish(file, parseSkippingBodies(root, file, text), text);
  };
  const entrySet = new Set(options.entries ?? []);
  const finish = (file: string, source: ts.SourceFile, text = source.text): ModuleInfo => {
    // A TypeScript file without imports or exports is a script: its declarations are globals, not
    // a module's API (lib.dom.d.ts and friends). JavaScript may still assign module.exports.
    const isScript = !isJsFile(file) && !ts.isExternalModule(source);
    const table = isScript ? { locals: new Map(), exports: new Map(), stars: [] } : readStatements(source.statements, source, (s) => resolveSpecifier(file, s, exists));
    const info = collectTemplates({ file, table, templates: new Map(), own: new Set(), text: { text } }, source);
    // A package's entry script that declares its API in `declare module "pkg"` / `"pkg/sub"` blocks
    // (date-fns 2's typings.d.ts): each block is a module of its own, keyed by its specifier. Blocks
    // in a module, or naming another package, augment other modules and are not this API.
    if (isScript && options.packageName && entrySet.has(file)) {
      const blocks = packageBlocks(source, options.packageName);
      if (blocks.size > 0) {
        info.blocks = new Map([...blocks.keys()].map((specifier) => [specifier, `${file}#${specifier}`]));
        const resolveBlock = (specifier: string) => info.blocks!.get(specifier);
        // Every block's table first: a block's imports name the others.
        const tables = [...blocks].map(([specifier, declarations]) => [specifier, readModuleBlocks(declarations, source, resolveBlock)] as const);
        for (const [specifier, blockTable] of tables) {
          const id = info.blocks.get(specifier)!;
          modules.set(id, { file: id, sourceFile: file, table: blockTable, templates: new Map(), own: new Set(), text: info.text });
        }
        for (const [specifier] of tables) collectTemplates(modules.get(info.blocks.get(specifier)!)!, source);
      }
    }
    modules.set(file, info);
    return info;
  };
  /** Contracts of a module's exported locals, made while its AST is at hand. */
  const collectTemplates = (info: ModuleInfo, source: ts.SourceFile): ModuleInfo => {
    const table = info.table;
    const exportedLocals = new Set([...table.exports.values()].flatMap((t) => ("local" in t ? [t.local] : [])));
    const context: CollectContext = {
      source,
      language: languageOf(info.sourceFile ?? info.file),
      checker: options.checker,
      lines,
      unexportedLocal: (name) => (exportedLocals.has(name) ? undefined : table.locals.get(name)),
      resolveTable: (inner, name, fullName) => {
        const target = inner.exports.get(name);
        if (target && "local" in target) return contractsOf(inner.locals.get(target.local) ?? [], context, fullName);
        return target ? resolveTarget(target, resolver, new Set())?.map((c) => renamed(c, fullName + relativeName(c, resolver), lines)) : undefined;
      },
    };
    for (const target of table.exports.values()) {
      if (!("local" in target) || info.templates.has(target.local)) continue;
      const declarations = table.locals.get(target.local);
      if (!declarations) continue;
      const templates = contractsOf(declarations, context);
      info.templates.set(target.local, templates);
      for (const t of templates) info.own.add(t);
    }
    collectReached(info, exportedLocals, context);
    table.locals.clear();
    return info;
  };

  /**
   * The unexported locals each exported one reaches, transitively within the module, as contracts
   * (made here: the declarations are dropped with the AST). Set on the exported templates (REACHES).
   */
  const collectReached = (info: ModuleInfo, exportedLocals: Set<string>, context: CollectContext): void => {
    const locals = info.table.locals;
    const imports = info.table.imports;
    const direct = new Map<string, { locals: string[]; imported: string[] }>();
    const named = (local: string): { locals: string[]; imported: string[] } => {
      let names = direct.get(local);
      if (!names) {
        const found = new Set<string>();
        const imported = new Set<string>();
        for (const declaration of locals.get(local) ?? []) {
          for (const name of referencedNames(declaration)) {
            if (!exportedLocals.has(name) && locals.has(name)) found.add(name);
            else if (imports?.has(name)) imported.add(name);
          }
        }
        names = { locals: [...found].sort(), imported: [...imported].sort() };
        direct.set(local, names);
      }
      return names;
    };
    const unexportedNamed = (local: string) => named(local).locals;
    const groups = new Map<string, ReachedGroup>();
    const groupOf = (local: string): ReachedGroup => {
      let group = groups.get(local);
      if (!group) {
        group = { name: local, file: info.sourceFile ?? info.file, text: info.text, templates: contractsOf(locals.get(local)!, context) };
        groups.set(local, group);
      }
      return group;
    };
    for (const [local, templates] of info.templates) {
      const reached: string[] = [];
      const seen = new Set<string>([local]);
      for (let i = -1; i < reached.length; i++) {
        for (const name of unexportedNamed(i < 0 ? local : reached[i]!)) {
          if (seen.has(name)) continue;
          seen.add(name);
          reached.push(name);
        }
      }
      const imported = [...new Set([local, ...reached].flatMap((name) => named(name).imported))].sort().map((name) => imports!.get(name)!);
      if (imported.length > 0) for (const template of templates) REACHES_IMPORTED.set(template, imported);
      const reachedGroups = reached.sort().map(groupOf);
      // Reached locals' own imports are followed through the exported template's list above.
      if (reachedGroups.length > 0) for (const template of templates) REACHES.set(template, reachedGroups);
    }
  };

  let entries: string[];
  if (options.entries) {
    // Entries first, so that each module is read by what reaches it; an entry script's
    // `declare module` blocks stand in for it.
    entries = options.entries.filter(exists).flatMap((entry) => [...(load(entry)?.blocks?.values() ?? [entry])]);
  } else {
    for (const file of files) load(file);
    entries = publicByDefault(files, modules);
  }
  const contracts: Contract[] = [];
  const reaching: [(readonly [string, Contract[]])[], string[]][] = [];
  for (const file of entries) {
    const info = load(file);
    if (!info) continue;
    const modules = info.sourceFile ? [file.slice(info.sourceFile.length + 1)] : (options.entryKeys?.get(file) ?? [file]);
    const resolved = exportedNames(info, resolver, new Set()).map((name) => [name, resolveExport(info, name, resolver, new Set()) ?? []] as const);
    // `export * from "./x"` beside `export * as z from "./x"` (zod): z's members are the entry's
    // own exports again; each symbol is published once, under its direct name.
    const direct = new Set(resolved.flatMap(([, templates]) => templates).filter((c) => !NAMESPACE_MEMBER.has(c)));
    for (const [name, templates] of resolved) {
      const typeOnly = reachedAsTypeOnly(info, name, resolver, new Set());
      for (const template of templates) {
        const original = NAMESPACE_MEMBER.get(template);
        if (original && direct.has(original)) continue;
        for (const module of modules) {
          // A template is usually published once: then it becomes the contract, without a copy
          // (its name relative to the export is kept for a second entry that reaches it).
          const relative = published.get(template) ?? template.symbol.name;
          const symbol = { name: name + relative, module };
          // A value reached through `export type` / `import type` is a type to callers: no call, `new` or read.
          const asType = typeOnly && relative === "" && VALUE_KINDS.has(template.kind);
          const contract = asType ? { ...template, symbol, typeOnly: true } : published.has(template) ? { ...template, symbol } : Object.assign(template, { symbol });
          published.set(template, relative);
          // Lines point into the module that declares the symbol; a re-export has none of its own.
          const pos = lines.get(template);
          if (pos !== undefined && info.own.has(template)) DECLARED_LINE.setPosition(contract, info.text, pos, info.sourceFile ?? file);
          contracts.push(contract);
        }
      }
    }
    reaching.push([resolved, modules]);
  }
  // After every entry: a declaration another entry publishes is public, not reached. Without
  // entries every module is public, so an import names a declaration public where it is declared.
  const publishedAnywhere = new Set(reaching.flatMap(([resolved]) => resolved.flatMap(([, templates]) => templates)));
  for (const [resolved, modules] of reaching) contracts.push(...reachedContracts(resolved, modules, resolver, options.entries ? publishedAnywhere : undefined));
  return contracts;
}

/**
 * The declarations an entry's exports reach that no entry publishes, as contracts of the entry,
 * marked `unexported`: unexported locals of the declaring modules, and (`published`: the
 * package's entries) other modules' exports they import, transitively. Under their own name (so
 * that exporting one later is no change, and the judge's rebuilt declarations resolve the
 * signatures that name it), or, when that name is taken by an export or another reached
 * declaration, `name@module` (path without extension).
 */
function reachedContracts(resolved: readonly (readonly [string, Contract[]])[], modules: string[], r: Resolver, published: Set<Contract> | undefined): Contract[] {
  const groups = new Map<Contract, ReachedGroup>();
  const queue: Contract[] = resolved.flatMap(([, templates]) => templates);
  const visited = new Set<Contract>();
  for (let i = 0; i < queue.length; i++) {
    const template = queue[i]!;
    if (visited.has(template)) continue;
    visited.add(template);
    const found = [...(REACHES.get(template) ?? [])];
    for (const target of published ? (REACHES_IMPORTED.get(template) ?? []) : []) {
      const from = r.load(target.from);
      const templates = from && target.name !== "default" ? resolveExport(from, target.name, r, new Set()) : undefined;
      if (!templates || templates.length === 0 || published!.has(templates[0]!)) continue;
      if (groups.has(templates[0]!)) continue;
      // Named relative to the declaration, as a local group's are; the copies reach what their originals do.
      const relative = templates.map((c) => {
        const copy = { ...c, symbol: { ...c.symbol, name: relativeName(c, r) } };
        const reaches = REACHES.get(c);
        if (reaches) REACHES.set(copy, reaches);
        const imported = REACHES_IMPORTED.get(c);
        if (imported) REACHES_IMPORTED.set(copy, imported);
        return copy;
      });
      const group: ReachedGroup = { name: target.name, file: target.from, templates: relative };
      groups.set(templates[0]!, group);
      queue.push(...relative);
    }
    for (const group of found) {
      if (groups.has(group.templates[0]!)) continue;
      groups.set(group.templates[0]!, group);
      queue.push(...group.templates);
    }
  }
  if (groups.size === 0) return [];
  const taken = new Set(resolved.map(([name]) => name));
  const sorted = [...groups.values()].sort((a, b) => (a.name !== b.name ? (a.name < b.name ? -1 : 1) : a.file < b.file ? -1 : a.file > b.file ? 1 : 0));
  const out: Contract[] = [];
  for (const group of sorted) {
    let name = group.name;
    if (taken.has(name)) name = `${group.name}@${group.file.replace(/\.[^/.]*$/, "").replace(/\./g, "_")}`;
    taken.add(name);
    for (const template of group.templates) {
      for (const module of modules) {
        const contract: Contract = { ...template, symbol: { name: name + template.symbol.name, module }, unexported: true };
        const pos = r.lines.get(template);
        if (pos !== undefined && group.text) DECLARED_LINE.setPosition(contract, group.text, pos, group.file);
        out.push(contract);
      }
    }
  }
  return out;
}

/** An entry script's top-level `declare module` blocks naming the package or a subpath of it, by name. */
function packageBlocks(source: ts.SourceFile, packageName: string): Map<string, ts.ModuleDeclaration[]> {
  const blocks = new Map<string, ts.ModuleDeclaration[]>();
  for (const statement of source.statements) {
    if (!ts.isModuleDeclaration(statement) || !ts.isStringLiteral(statement.name)) continue;
    const specifier = statement.name.text;
    if (specifier !== packageName && !specifier.startsWith(`${packageName}/`)) continue;
    blocks.set(specifier, [...(blocks.get(specifier) ?? []), statement]);
  }
  return new Map([...blocks].sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0)));
}

/** Files that are not the target of another module's re-export, and not examples or scripts. */
function publicByDefault(files: string[], modules: Map<string, ModuleInfo | null>): string[] {
  const reexported = new Set<string>();
  for (const info of modules.values()) {
    if (!info) continue;
    for (const star of info.table.stars) if (star !== info.file) reexported.add(star);
    for (const target of info.table.exports.values()) {
      if ("from" in target && target.from !== info.file) reexported.add(target.from);
      if ("namespaceOf" in target && target.namespaceOf !== info.file) reexported.add(target.namespaceOf);
    }
  }
  // A cycle of barrels re-exporting each other: keep them rather than lose the API.
  const roots = files.filter((f) => !reexported.has(f) && !NOT_API.test(f));
  return roots.length > 0 || files.length === 0 ? roots : files.filter((f) => !NOT_API.test(f));
}

/** Example, script, benchmark and fixture code calls the API; it is not part of it. */
export const NOT_API = /(^|\/)(examples?|scripts?|bench(marks?)?|fixtures?|docs?)\//;

function exportedNames(info: ModuleInfo, r: Resolver, seen: Set<string>): string[] {
  if (seen.has(info.file)) return [];
  seen.add(info.file);
  const names = new Set(info.table.exports.keys());
  for (const star of info.table.stars) {
    const target = r.load(star);
    if (!target) continue;
    for (const name of exportedNames(target, r, seen)) if (name !== "default" && !names.has(name) && !ambiguousStarName(info, name, r)) names.add(name);
  }
  return [...names].sort();
}

const AMBIGUOUS = Symbol("ambiguous");

/**
 * A name two ES `export *` of the module bind to different declarations: the ES module leaves it
 * out (importing it is a SyntaxError, `import *` has no such key) and TypeScript refuses it
 * (TS2308). Taking the first star's was a fail-open: a second module gaining the name removed it
 * from the API while its contract read as unchanged.
 */
function ambiguousStarName(info: ModuleInfo, name: string, r: Resolver): boolean {
  if ((info.table.esStars?.size ?? 0) < 2 || info.table.exports.has(name)) return false;
  return bindingOf(info, name, r, new Set()) === AMBIGUOUS;
}

/** The declaration `name` resolves to from `info` (`file\0local`, `file\0*` for a namespace), as the ES spec's ResolveExport. */
function bindingOf(info: ModuleInfo, name: string, r: Resolver, seen: Set<string>): string | typeof AMBIGUOUS | undefined {
  const key = `${info.file}\0${name}`;
  if (seen.has(key)) return undefined;
  seen.add(key);
  const target = info.table.exports.get(name);
  if (target) {
    if ("local" in target) return `${info.file}\0${target.local}`;
    if ("namespaceOf" in target) return `${target.namespaceOf}\0*`;
    const from = r.load(target.from);
    return from ? bindingOf(from, target.name, r, seen) : undefined;
  }
  if (name === "default") return undefined;
  let found: string | undefined;
  for (const star of info.table.stars) {
    const from = r.load(star);
    const binding = from && bindingOf(from, name, r, seen);
    if (binding === AMBIGUOUS) return AMBIGUOUS;
    if (binding === undefined) continue;
    // CommonJS copies the first star's name and skips the rest.
    if (!info.table.esStars?.has(star)) return found ?? binding;
    if (found !== undefined && found !== binding) return AMBIGUOUS;
    found = binding;
  }
  return found;
}

/** Kinds with a value callers use (call, `new`, read): an `export type` of one takes that away. */
const VALUE_KINDS: ReadonlySet<Contract["kind"]> = new Set(["function", "class", "const", "enum", "namespace"]);

/**
 * Does the way `name` is exported from `info` pass through a type-only export or import
 * (`export type { X }`, `export { type X }`, `import type { X }` re-exported, `export type *`)?
 * Follows the route resolveExport takes.
 */
function reachedAsTypeOnly(info: ModuleInfo, name: string, r: Resolver, seen: Set<string>): boolean {
  const key = `${info.file}\0${name}`;
  if (seen.has(key)) return false;
  seen.add(key);
  const target = info.table.exports.get(name);
  if (target) {
    if (target.typeOnly) return true;
    if (!("from" in target)) return false;
    const from = r.load(target.from);
    return from ? reachedAsTypeOnly(from, target.name, r, seen) : false;
  }
  if (name === "default") return false;
  for (const star of info.table.stars) {
    const from = r.load(star);
    if (!from || !resolveExport(from, name, r, new Set())) continue;
    return info.table.typeStars?.has(star) === true || reachedAsTypeOnly(from, name, r, seen);
  }
  return false;
}

function resolveExport(info: ModuleInfo, name: string, r: Resolver, seen: Set<string>): Contract[] | undefined {
  const key = `${info.file}\0${name}`;
  if (seen.has(key)) return undefined;
  seen.add(key);
  const target = info.table.exports.get(name);
  if (target) {
    if ("local" in target) return info.templates.get(target.local);
    if ("namespaceOf" in target) return namespaceContracts(target.namespaceOf, r, seen);
    const from = r.load(target.from);
    return from ? resolveExport(from, target.name, r, seen) : undefined;
  }
  if (name === "default") return undefined;
  if (ambiguousStarName(info, name, r)) return undefined;
  for (const star of info.table.stars) {
    const from = r.load(star);
    const found = from && resolveExport(from, name, r, seen);
    if (found) return found;
  }
  return undefined;
}

/** `export * as ns from "./x"` / `import * as ns`: a namespace whose members are x's exports. */
function namespaceContracts(file: string, r: Resolver, seen: Set<string>): Contract[] | undefined {
  const info = r.load(file);
  if (!info) return undefined;
  const base: Contract = { symbol: { name: "", module: "" }, language: languageOf(info.sourceFile ?? file), kind: "namespace", params: [], returns: {}, sideEffects: [], errors: [], owners: [], consumers: [], tests: [] };
  const out = [base];
  for (const name of exportedNames(info, r, new Set())) {
    for (const c of resolveExport(info, name, r, new Set(seen)) ?? []) {
      const member = renamed(c, `.${name}${relativeName(c, r)}`, r.lines);
      NAMESPACE_MEMBER.set(member, NAMESPACE_MEMBER.get(c) ?? c);
      out.push(member);
    }
  }
  return out;
}

/** A namespace member's contract -> the module export it is a copy of. */
const NAMESPACE_MEMBER = new WeakMap<Contract, Contract>();

/** A re-export target: another module's export, or a whole module as a namespace. */
function resolveTarget(target: ExportTarget, r: Resolver, seen: Set<string>): Contract[] | undefined {
  if ("namespaceOf" in target) return namespaceContracts(target.namespaceOf, r, seen);
  if ("from" in target) {
    const from = r.load(target.from);
    return from ? resolveExport(from, target.name, r, seen) : undefined;
  }
  return undefined;
}
