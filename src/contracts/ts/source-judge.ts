// The judge over the real source trees, when both sides are on disk (`contracts diff --against`,
// the release corpus): the questions of judge.ts are asked in one Program that imports the old and
// the new entry module themselves, so the checker sees what the records leave out (members
// inherited through `extends`, unexported helper types, conditional and mapped types as declared).
// Fail-closed: a side whose files name types or modules the Program cannot resolve (an `any` in
// disguise) answers nothing, and the rebuilt declarations decide as before.

import { posix } from "node:path";
import ts from "typescript";
import { CALLABLE_KINDS, contractId, type Contract } from "../model.js";
import { callableType, localName, parentOf } from "./declarations.js";
import { packageEntryPoints } from "./entrypoints.js";
import { aliasTypeAt, answerOverloads, answerQuestion, applyRespellings, type CallVerdict, type Judge, MARKERS, missingMembers, namesAny, NO_JUDGE, type OverloadVerdict, prefixNames, type Question, reference, relate, type Relation, standIns, substitute, topLevelNames, valueDetail, type ValueDetail, writeQuestions } from "./judge.js";
import { JUDGE_OPTIONS, virtualProgram } from "./program.js";

const SOURCE_OPTIONS: ts.CompilerOptions = { ...JUDGE_OPTIONS, allowJs: true, checkJs: false, esModuleInterop: true, skipLibCheck: false, maxNodeModuleJsDepth: 0 };

/** Diagnostics that mean a name or module resolved to nothing (its type is `any`). */
const UNRESOLVED = new Set([2304, 2305, 2307, 2503, 2552, 2580, 2591, 2592, 2694, 2724, 1192]);
const PLACEHOLDERS = "/gatehouse/q/placeholders.d.ts";

interface Placeholders {
  globals: Set<string>;
  namespaces: Map<string, Set<string>>;
  /** module name → exported names ("default" included) */
  modules: Map<string, Set<string>>;
}

/** The placeholder an unresolved-name diagnostic asks for; false when it is nothing a placeholder can be. */
function addPlaceholder(p: Placeholders, source: ts.SourceFile, d: ts.Diagnostic): boolean {
  const text = source.text.slice(d.start!, d.start! + (d.length ?? 0));
  const add = <K>(map: Map<K, Set<string>>, key: K, name: string) => {
    const set = map.get(key) ?? new Set<string>();
    if (set.has(name) && map.has(key)) return false;
    map.set(key, set.add(name));
    return true;
  };
  // `import … from "node:stream"` without @types/node is 2591 on the quoted name.
  if (d.code === 2307 || /^["']/.test(text)) {
    const name = text.replace(/^["']|["']$/g, "");
    if (p.modules.has(name) || name.startsWith(".") || name.startsWith("/")) return false;
    p.modules.set(name, new Set());
    return true;
  }
  if (d.code === 2305 || d.code === 2724 || d.code === 1192) {
    const from = moduleSpecifierAt(source, d.start!);
    if (from === undefined || !p.modules.has(from)) return false;
    return add(p.modules, from, d.code === 1192 ? "default" : text);
  }
  if (!/^[A-Za-z_$][\w$]*$/.test(text)) return false;
  if (d.code === 2694) {
    const before = /([A-Za-z_$][\w$]*)\s*\.\s*$/.exec(source.text.slice(Math.max(0, d.start! - 200), d.start!));
    if (!before || !p.namespaces.has(before[1]!)) return false;
    return add(p.namespaces, before[1]!, text);
  }
  if (d.code === 2503) {
    if (p.namespaces.has(text)) return false;
    p.namespaces.set(text, new Set());
    return true;
  }
  if (p.globals.has(text)) return false;
  p.globals.add(text);
  return true;
}

function moduleSpecifierAt(source: ts.SourceFile, pos: number): string | undefined {
  const statement = source.statements.find((s) => s.getStart(source) <= pos && pos < s.end);
  const specifier = statement && (ts.isImportDeclaration(statement) || ts.isExportDeclaration(statement)) ? statement.moduleSpecifier : undefined;
  return specifier && ts.isStringLiteral(specifier) ? specifier.text : undefined;
}

/** Opaque, distinct types (any arity up to 8) and values of the same name. */
function placeholderText(p: Placeholders): string {
  const opaque = (name: string, full: string) => {
    const params = Array.from({ length: 8 }, (_, i) => `A${i} = unknown`).join(", ");
    const args = Array.from({ length: 8 }, (_, i) => `A${i}`).join(", ");
    return `export interface ${name}<${params}> { readonly ${JSON.stringify(`__gatehouse_opaque:${full}`)}: [${args}] } export const ${name}: ${name};`;
  };
  const sorted = (set: Iterable<string>) => [...set].sort();
  let text = "";
  for (const name of sorted(p.globals)) text += `${opaque(name, name).replace(/export /g, "declare ").replace("declare interface", "interface")}\n`;
  for (const ns of sorted(p.namespaces.keys())) text += `declare namespace ${ns} { ${sorted(p.namespaces.get(ns)!).map((n) => opaque(n, `${ns}.${n}`)).join(" ")} }\n`;
  for (const mod of sorted(p.modules.keys())) {
    const names = sorted(p.modules.get(mod)!);
    const members = names.filter((n) => n !== "default").map((n) => opaque(n, `${mod}.${n}`));
    if (names.includes("default")) members.push(`${opaque("__default", `${mod}.default`)} export default __default;`);
    text += `declare module ${JSON.stringify(mod)} { ${members.join(" ")} }\n`;
  }
  return text;
}

/** `dist/index.d.ts` → an import specifier of the module under `root` (absolute, extension the resolver maps back). */
function specifier(root: string, module: string): string {
  const path = posix.join(root, module);
  if (/\.d\.ts$/.test(path)) return path.replace(/\.d\.ts$/, "");
  if (/\.d\.mts$/.test(path)) return path.replace(/\.d\.mts$/, ".mjs");
  if (/\.d\.cts$/.test(path)) return path.replace(/\.d\.cts$/, ".cjs");
  return path.replace(/\.tsx?$/, ".js").replace(/\.mts$/, ".mjs").replace(/\.cts$/, ".cjs");
}

/** A contract module → the file of `root` to import: a public path's entry file, else the module itself. */
function entryFiles(root: string): (module: string) => string {
  const byKey = new Map<string, string>();
  for (const [file, keys] of packageEntryPoints(root)?.keys ?? []) for (const key of keys) byKey.set(key, file);
  return (module) => byKey.get(module) ?? module;
}

export function buildSourceJudge(before: Contract[], after: Contract[], pairs: [Contract, Contract][], orphans: Contract[], roots: { old: string; new: string }): Judge {
  const bySide = (contracts: Contract[]) => {
    const map = new Map<string, Contract[]>();
    for (const c of contracts) if (c.language !== "python") map.set(c.symbol.module, [...(map.get(c.symbol.module) ?? []), c]);
    return map;
  };
  const sides = { old: bySide(before), new: bySide(after) };
  const modules = [...new Set([...pairs.map(([, f]) => f.symbol.module), ...orphans.map((c) => c.symbol.module)])].filter((m) => sides.old.has(m) && sides.new.has(m)).sort();
  if (modules.length === 0) return NO_JUDGE;
  // Contracts of package.json entries are keyed by public path (`pkg/sub`): each side's own file.
  const entryFile = { old: entryFiles(roots.old), new: entryFiles(roots.new) };
  const files = new Map<string, string>();
  const questions: Question[] = [];
  const orphanQuestions = new Map<string, { file: string; lines: [number, number] }>();
  const orphanRespelled = new Map<string, { file: string; lines: [number, number] }>();
  const fileOf = new Map<string, string>();
  const pending: PendingPosition[] = [];
  modules.forEach((module, i) => {
    const file = `/gatehouse/q/m${i}.ts`;
    fileOf.set(module, file);
    const newNames = new Set((sides.new.get(module) ?? []).filter((c) => parentOf(c.symbol.name) === undefined && c.symbol.name !== "default").map((c) => localName(c.symbol.name)));
    let text = `import * as __gatehouse_old from ${JSON.stringify(specifier(roots.old, entryFile.old(module)))}; import * as __gatehouse_new from ${JSON.stringify(specifier(roots.new, entryFile.new(module)))};\n`;
    const oldTopNames = topLevelNames(sides.old.get(module) ?? []);
    text += writeQuestions(module, pairs, sides, 1, questions, (t) => qualify(t, newNames), (t) => prefixNames(t, oldTopNames, "__gatehouse_old."));
    let line = text.split("\n").length - 1;
    const oldSide = sides.old.get(module) ?? [];
    const oldNames = new Map(oldSide.map((x) => [x.symbol.name, x]));
    const inNew = (t: string) => qualify(t, newNames);
    const oldTop = new Map((sides.old.get(module) ?? []).filter((c) => parentOf(c.symbol.name) === undefined).map((c) => [c.symbol.name, c]));
    const changedAliases = new Set(
      (sides.new.get(module) ?? [])
        .filter((c) => c.kind === "type" && parentOf(c.symbol.name) === undefined)
        .filter((c) => { const o = oldTop.get(c.symbol.name); return !o || o.type !== c.type || JSON.stringify(o.typeParams ?? []) !== JSON.stringify(c.typeParams ?? []); })
        .map((c) => localName(c.symbol.name)),
    );
    // Of those, the ones the old version exported too: an alias new in this version has no change of its own.
    const revisedAliases = new Set([...changedAliases].filter((name) => oldTop.has(name) || oldTop.has(`${name}:type`)));
    const namesChangedAlias = (t: string) => namesIn(t, changedAliases).heads.length > 0;
    for (const orphan of orphans.filter((c) => c.symbol.module === module)) {
      const ref = reference("__gatehouse_old", orphan, oldSide, oldNames, (t) => qualify(t, newNames));
      if (!ref?.value) continue;
      const strip = (t: string) => (orphan.optional ? `Exclude<${t}, undefined>` : t);
      text += `type __o${line}_o = ${strip(ref.value)};\ntype __o${line}_n = ${strip(ref.value.split("__gatehouse_old.").join("__gatehouse_new."))};\n`;
      orphanQuestions.set(contractId(orphan), { file, lines: [line, line + 1] });
      line += 2;
      // Its old declared type read in the new scope, beside the inherited one: `hooks?: Hooks` moved
      // to a base is no change though Hooks itself changed (that is Hooks's own change).
      if (orphan.type !== undefined && !namesChangedAlias(orphan.type)) {
        text += `type __o${line}_r = ${strip(inNew(orphan.type))};\n`;
        orphanRespelled.set(contractId(orphan), { file, lines: [line, line - 1] });
        line += 1;
      }
    }
    // The old type text read in the new version's scope, beside the new text: written once the
    // trees are read (writeRespellings), where the names they use can be resolved.
    for (const [old, fresh] of pairs.filter(([, f]) => f.symbol.module === module)) {
      // Type parameters in scope read as the stand-ins both sides share (judge.ts): respelled with
      // renamed type parameters (`<T>` → `<U>`) is no change; a callable's own ones declared
      // differently stay with the call probe.
      const stand = standIns(old, fresh, { old: oldSide, new: sides.new.get(module) ?? [] }, (t) => t);
      const add = (key: string, rawA: string | undefined, rawB: string | undefined) => {
        if (rawA === undefined || rawB === undefined || rawA === rawB) return;
        const a = substitute(rawA, stand.old);
        const b = substitute(rawB, stand.new);
        // (The same text once the stand-ins are read is still written: a name it uses that the
        // module does not export may differ between the sides, and is compared as copied.)
        if (namesAny(a, stand.own) || namesAny(b, stand.own)) return;
        // The changed aliases the position names (read as the new alias on both sides, where that is allowed: see below).
        const aliases = [...new Set([...namesIn(a, revisedAliases).heads, ...namesIn(b, revisedAliases).heads].map((h) => h.name))].sort();
        pending.push({ module, key: `${contractId(old)}\0${key}`, old, fresh, texts: [a, b], revisedAliases, newNames, aliases });
      };
      if (CALLABLE_KINDS.has(old.kind) && CALLABLE_KINDS.has(fresh.kind)) {
        if (old.overloads?.length || fresh.overloads?.length) {
          // The whole overloaded callable, as its callers see it (a class's constructors are left to the cross-version question).
          if (old.kind !== "class" && fresh.kind !== "class" && !old.optional && !fresh.optional) add("value", callableType(old), callableType(fresh));
          continue;
        }
        old.params.forEach((p, i) => add(`p${i}`, p.type, fresh.params[i]?.type));
        add("r", old.returns.type, fresh.returns.type);
      } else {
        add("value", old.type, fresh.type);
      }
    }
    files.set(file, `${text}export {};\n`);
  });

  // Names and modules the trees import but nobody ships here (dependencies, @types/node) become
  // opaque placeholders shared by both sides, in up to three passes; what is still unresolved
  // after that makes the source judge answer nothing.
  const placeholders: Placeholders = { globals: new Set(), namespaces: new Map(), modules: new Map() };
  const treeFiles = (p: ts.Program) => p.getSourceFiles().filter((f) => f.fileName.startsWith(`${roots.old}/`) || f.fileName.startsWith(`${roots.new}/`));
  const underRoots = (f: string) => f.startsWith(`${roots.old}/`) || f.startsWith(`${roots.new}/`);
  const transform = (f: string, text: string) => (underRoots(f) ? withoutPrivateMembers(f, text) : undefined);
  let program = virtualProgram(files, [...files.keys()], undefined, SOURCE_OPTIONS, transform);
  let unresolved = 0;
  for (let pass = 0; pass < 4; pass++) {
    unresolved = 0;
    let added = false;
    for (const source of treeFiles(program)) {
      for (const d of program.getSemanticDiagnostics(source)) {
        if (!UNRESOLVED.has(d.code) || d.start === undefined) continue;
        unresolved++;
        if (addPlaceholder(placeholders, source, d)) added = true;
      }
    }
    if (!added || pass === 3) break;
    files.set(PLACEHOLDERS, placeholderText(placeholders));
    program = virtualProgram(files, [PLACEHOLDERS, ...[...files.keys()].filter((f) => f !== PLACEHOLDERS)], program, SOURCE_OPTIONS, transform);
  }
  if (unresolved > 0) return NO_JUDGE;
  // The respelled positions, written where the first Program resolved the names they use.
  const respelled = writeRespellings(pending, program, roots, fileOf, files);
  if (respelled.size > 0) program = virtualProgram(files, [...(files.has(PLACEHOLDERS) ? [PLACEHOLDERS] : []), ...[...files.keys()].filter((f) => f !== PLACEHOLDERS)], program, SOURCE_OPTIONS, transform);
  const checker = program.getTypeChecker();
  const errorLines = new Map<string, Set<number>>();
  for (const file of files.keys()) {
    const source = program.getSourceFile(file);
    if (!source) return NO_JUDGE;
    const lines = new Set<number>();
    for (const d of [...program.getSyntacticDiagnostics(source), ...program.getSemanticDiagnostics(source)]) if (d.start !== undefined) lines.add(source.getLineAndCharacterOfPosition(d.start).line);
    // The imports themselves failed: nothing in this file is answerable.
    if (lines.has(0)) lines.add(-1);
    errorLines.set(file, lines);
  }
  const answerable = (file: string, lines: number[]) => {
    const errors = errorLines.get(file)!;
    return !errors.has(-1) && !lines.some((l) => errors.has(l));
  };

  const calls = new Map<string, CallVerdict>();
  const values = new Map<string, Relation>();
  const details = new Map<string, ValueDetail>();
  const servedOverloads = new Map<string, OverloadVerdict[]>();
  for (const q of questions) {
    const file = fileOf.get(q.module)!;
    if (!answerable(file, q.declLines)) continue;
    answerQuestion(q, program.getSourceFile(file)!, checker, calls, values, details);
    const served = answerOverloads(q, program.getSourceFile(file)!, checker, (l) => answerable(file, [l]));
    if (served) servedOverloads.set(q.id, served);
  }
  // Each position's relation with the old text read in the new scope, where it could be read.
  const positions = new Map<string, Relation>();
  const positionDetails = new Map<string, ValueDetail>();
  // A changed alias is reported RISKY on its own when it only widened or narrowed (safe where
  // passed, breaking where received): a position that names one is judged across the versions.
  // One whose own change is BREAKING (the checker found the two unrelated) already stops every
  // caller it breaks, so a position naming it is judged by its own change, both sides reading the
  // new alias (axios `headers?: RawAxiosRequestHeaders` → `RawAxiosRequestHeaders | AxiosHeaders`).
  // These positions come second, once the aliases' own answers are known.
  const aliasRelation = (module: string, name: string) => {
    const pair = pairs.find(([o, f]) => f.symbol.module === module && f.kind === "type" && parentOf(f.symbol.name) === undefined && localName(f.symbol.name) === name && o.kind === "type");
    return pair ? values.get(contractId(pair[0])) : undefined;
  };
  const ordered = [...respelled].sort(([, a], [, b]) => Number(a.aliases.length > 0) - Number(b.aliases.length > 0));
  let applied = false;
  for (const [key, { file, lines, uses, aliases, module }] of ordered) {
    if (aliases.length > 0 && !applied) {
      applyRespellings(pairs, positions, positionDetails, calls, values, details);
      applied = true;
    }
    // As in the record judge: an alias the checker found the same type old and new is read as the
    // new one too; one that only widened or narrowed leaves the position to the cross-version question.
    if (aliases.some((name) => {
      const relation = aliasRelation(module, name);
      return relation !== "changed" && relation !== "same";
    })) continue;
    if (!answerable(file, [...lines, ...uses])) continue;
    const source = program.getSourceFile(file)!;
    const [o, n] = lines.map((l) => aliasTypeAt(source, l, checker));
    if (!o || !n) continue;
    const argument = /\0p\d+$/.test(key);
    // Assignability lets an index signature stand for a member the old type declared
    // (`common?: AxiosHeaders`): where readers lose a member, the cross-version answer stands.
    if (!argument && missingMembers(checker, o, n).length > 0) continue;
    const relation = relate(checker, o, n, argument ? "argument" : "reader");
    positions.set(key, relation);
    if (key.endsWith("\0value")) positionDetails.set(key.slice(0, -"\0value".length), relation === "same" ? {} : valueDetail(checker, o, n));
  }
  applyRespellings(pairs, positions, positionDetails, calls, values, details);
  const inherited = new Map<string, Relation>();
  for (const [id, { file, lines }] of orphanQuestions) {
    const respelled = orphanRespelled.get(id);
    if (respelled && answerable(file, respelled.lines)) {
      const source = program.getSourceFile(file)!;
      const [o, n] = respelled.lines.map((l) => aliasTypeAt(source, l, checker));
      if (o && n) {
        inherited.set(id, relate(checker, o, n, "reader"));
        continue;
      }
    }
    if (!answerable(file, lines)) continue;
    const source = program.getSourceFile(file)!;
    const [o, n] = lines.map((l) => aliasTypeAt(source, l, checker));
    if (o && n) inherited.set(id, relate(checker, o, n, "reader"));
  }

  // Type parameters: the declarations themselves, found through each side's module exports.
  const moduleSymbol = (side: "old" | "new", module: string) => {
    const source = program.getSourceFile(fileOf.get(module) ?? "");
    const statement = source?.statements[side === "old" ? 0 : 1];
    return statement && ts.isImportDeclaration(statement) ? checker.getSymbolAtLocation(statement.moduleSpecifier) : undefined;
  };
  const declarationOf = (side: "old" | "new", c: Contract) => {
    let symbol = moduleSymbol(side, c.symbol.module);
    const path: string[] = [];
    for (let name: string | undefined = c.symbol.name; name !== undefined; name = parentOf(name)) path.unshift(name.slice((parentOf(name)?.length ?? -1) + 1));
    for (const segment of path) {
      if (!symbol) return undefined;
      const name = segment.replace(/:type$/, "");
      symbol = checker.getExportsOfModule(symbol).find((s) => s.name === name);
      if (symbol && symbol.flags & ts.SymbolFlags.Alias) symbol = checker.getAliasedSymbol(symbol);
    }
    return symbol?.declarations?.find((d): d is ts.ClassDeclaration | ts.InterfaceDeclaration | ts.TypeAliasDeclaration => ts.isClassDeclaration(d) || ts.isInterfaceDeclaration(d) || ts.isTypeAliasDeclaration(d));
  };
  const newById = new Map(after.map((c) => [contractId(c), c]));
  return {
    call: (old) => calls.get(contractId(old)),
    value: (old) => values.get(contractId(old)),
    inherited: (old) => inherited.get(contractId(old)),
    detail: (old) => details.get(contractId(old)),
    overloads: (old) => servedOverloads.get(contractId(old)),
    typeParam: (old, i, part) => {
      const fresh = newById.get(contractId(old));
      if (!fresh || !modules.includes(old.symbol.module)) return undefined;
      const a = declarationOf("old", old)?.typeParameters?.[i]?.[part];
      const b = declarationOf("new", fresh)?.typeParameters?.[i]?.[part];
      if (!a || !b) return undefined;
      const ta = checker.getTypeFromTypeNode(a);
      const tb = checker.getTypeFromTypeNode(b);
      if (part === "constraint") return relate(checker, ta, tb, "argument");
      return relate(checker, ta, tb, "argument") === "same" && relate(checker, ta, tb, "reader") === "same" ? "same" : "changed";
    },
  };
}

interface PendingPosition {
  module: string;
  /** changed aliases (`revisedAliases`) the two texts name */
  aliases: string[];
  /** `id\0p0`, `id\0r`, `id\0value` */
  key: string;
  old: Contract;
  fresh: Contract;
  /** the old and the new type text of the position */
  texts: [string, string];
  /** top-level aliases of the module, exported by both versions, whose text changed */
  revisedAliases: Set<string>;
  /** top-level names of the new module (read as `__gatehouse_new.X`) */
  newNames: Set<string>;
}

interface Respelled {
  file: string;
  module: string;
  /** changed aliases the position reads as the new version's */
  aliases: string[];
  /** the lines of the old and the new alias */
  lines: [number, number];
  /** the lines of the local declarations the two read (an error there leaves the position unanswered) */
  uses: number[];
}

/** A local declaration of one side copied into a respelling file under its own name. */
interface LocalCopy {
  name: string;
  text: string;
  uses: Set<string>;
}

/**
 * Each position's old text read in the new version's scope, beside its new text, one file per
 * module (`/gatehouse/q/rN.ts`). A name the module exports is read as the new version's export
 * (its change is its own finding); a type the module uses without exporting it (axios's
 * `RawAxiosHeaders`) has no finding of its own, so each side's declaration is copied, with the
 * same rule applied to the names inside it, and the two are compared as part of the position.
 * What cannot be copied (an unexported class or namespace, a dependency's module type) leaves the
 * position to the cross-version question.
 */
function writeRespellings(pending: PendingPosition[], program: ts.Program, roots: { old: string; new: string }, fileOf: Map<string, string>, files: Map<string, string>): Map<string, Respelled> {
  const checker = program.getTypeChecker();
  const out = new Map<string, Respelled>();
  const underRoot = (side: "old" | "new", file: string) => file.startsWith(`${roots[side]}/`);
  const modules = [...new Set(pending.map((p) => p.module))].sort();
  for (const module of modules) {
    const questionFile = fileOf.get(module)!;
    const question = program.getSourceFile(questionFile);
    if (!question) continue;
    const moduleSymbol = (side: "old" | "new") => {
      const statement = question.statements[side === "old" ? 0 : 1];
      return statement && ts.isImportDeclaration(statement) ? checker.getSymbolAtLocation(statement.moduleSpecifier) : undefined;
    };
    const publicNames = { old: new Map<ts.Symbol, string>(), new: new Map<ts.Symbol, string>() };
    for (const side of ["old", "new"] as const) {
      const symbol = moduleSymbol(side);
      for (const e of symbol ? checker.getExportsOfModule(symbol) : []) {
        publicNames[side].set(e, e.name);
        if (e.flags & ts.SymbolFlags.Alias) publicNames[side].set(checker.getAliasedSymbol(e), e.name);
      }
    }
    const copies = { old: new Map<ts.Symbol, LocalCopy | null>(), new: new Map<ts.Symbol, LocalCopy | null>() };
    const order: LocalCopy[] = [];
    let counter = 0;
    const first = pending.find((p) => p.module === module)!;
    const { newNames, revisedAliases } = first;

    /** What a referenced symbol becomes in the respelling file: its text (null: as written), undefined: not portable. */
    const portable = (side: "old" | "new", symbol: ts.Symbol | undefined, uses: Set<string>, allowedAliases: readonly string[] = []): string | null | undefined => {
      if (!symbol) return null;
      const target = symbol.flags & ts.SymbolFlags.Alias ? checker.getAliasedSymbol(symbol) : symbol;
      if (target.flags & ts.SymbolFlags.TypeParameter) return null;
      const exported = publicNames[side].get(target) ?? publicNames[side].get(symbol);
      if (exported !== undefined && revisedAliases.has(exported)) return allowedAliases.includes(exported) ? `__gatehouse_new.${exported}` : undefined;
      // (A name the module exports without a contract, e.g. a declaration file's implicit exports, is copied like a local one.)
      if (exported !== undefined && newNames.has(exported)) return `__gatehouse_new.${exported}`;
      const declarations = target.declarations ?? [];
      if (declarations.length === 0) return null;
      // Globals (the compiler's lib, a global script, the placeholders) read the same in any file.
      if (declarations.every((d) => program.isSourceFileDefaultLibrary(d.getSourceFile()) || !ts.isExternalModule(d.getSourceFile()))) return null;
      if (!declarations.every((d) => (ts.isTypeAliasDeclaration(d) || ts.isInterfaceDeclaration(d)) && underRoot(side, d.getSourceFile().fileName))) return undefined;
      const copy = copyOf(side, target);
      if (!copy) return undefined;
      uses.add(copy.name);
      return copy.name;
    };
    const copyOf = (side: "old" | "new", target: ts.Symbol): LocalCopy | undefined => {
      const known = copies[side].get(target);
      if (known !== undefined) return known ?? undefined;
      const copy: LocalCopy = { name: `__gatehouse_${side}_local${counter++}`, text: "", uses: new Set() };
      copies[side].set(target, copy);
      const texts: string[] = [];
      for (const d of target.declarations as (ts.TypeAliasDeclaration | ts.InterfaceDeclaration)[]) {
        const source = d.getSourceFile();
        const keyword = ts.isInterfaceDeclaration(d) ? "interface" : "type";
        const text = rewriteReferences(d, source, (id) => portable(side, checker.getSymbolAtLocation(id), copy.uses), [[d.getStart(source), d.name.end, `${keyword} ${copy.name}`]]);
        if (text === undefined) {
          copies[side].set(target, null);
          return undefined;
        }
        texts.push(text);
      }
      copy.text = texts.join("\n");
      order.push(copy);
      return copy;
    };
    /** A record's type text, its names resolved where the contract is declared on that side. */
    const respell = (side: "old" | "new", c: Contract, text: string, uses: Set<string>, aliases: readonly string[]): string | undefined => {
      const location = scopeOf(checker, moduleSymbol(side), c) ?? moduleSymbol(side)?.valueDeclaration;
      if (!location) return undefined;
      const parsed = ts.createSourceFile("/q.ts", `type __q = ${text};`, ts.ScriptTarget.Latest, true);
      const bound = new Set<string>();
      const collect = (n: ts.Node): void => {
        if (ts.isTypeParameterDeclaration(n)) bound.add(n.name.text);
        ts.forEachChild(n, collect);
      };
      collect(parsed);
      const alias = parsed.statements[0] as ts.TypeAliasDeclaration;
      return rewriteReferences(alias.type, parsed, (id) => {
        if (bound.has(id.text)) return null;
        // By what the name means on that side (an old unexported alias the new version exports is
        // still the old alias); a name neither side resolves is read by name.
        const inValue = ts.isTypeQueryNode(id.parent) || ts.isPropertyAccessExpression(id.parent);
        const symbol = checker.resolveName(id.text, location, inValue ? ts.SymbolFlags.Value : ts.SymbolFlags.Type | ts.SymbolFlags.Namespace, false);
        if (!symbol) return newNames.has(id.text) ? `__gatehouse_new.${id.text}` : null;
        return portable(side, symbol, uses, aliases);
      });
    };

    const lines: string[] = [];
    const written: { key: string; line: number; uses: Set<string>; aliases: string[] }[] = [];
    for (const p of pending.filter((x) => x.module === module)) {
      const uses = new Set<string>();
      const a = respell("old", p.old, p.texts[0], uses, p.aliases);
      const b = a === undefined ? undefined : respell("new", p.fresh, p.texts[1], uses, p.aliases);
      if (a === undefined || b === undefined) continue;
      written.push({ key: p.key, line: lines.length, uses, aliases: p.aliases });
      lines.push(`type __r${lines.length}_o = ${a.replace(/\n/g, " ")};`, `type __r${lines.length + 1}_n = ${b.replace(/\n/g, " ")};`);
    }
    if (written.length === 0) continue;
    const file = questionFile.replace(/\/m(\d+)\.ts$/, "/r$1.ts");
    const header = `${question.text.split("\n")[0]}\n${MARKERS}`;
    // Each copy's lines (a copied declaration keeps its own line breaks: it may hold `//` comments).
    const copyLines = new Map<string, number[]>();
    let next = 1 + MARKERS.split("\n").length - 1;
    for (const c of order) {
      const count = c.text.split("\n").length;
      copyLines.set(c.name, Array.from({ length: count }, (_, i) => next + i));
      next += count;
    }
    const firstPosition = next;
    files.set(file, `${header}${order.map((c) => `${c.text}\n`).join("")}${lines.map((l) => `${l}\n`).join("")}export {};\n`);
    for (const w of written) {
      // Every local declaration the position reads, directly or through another.
      const closure = new Set<string>();
      const visit = (name: string) => {
        if (closure.has(name)) return;
        closure.add(name);
        for (const c of order) if (c.name === name) c.uses.forEach(visit);
      };
      w.uses.forEach(visit);
      // A copy that could not be written (a failed one met again through a cycle): unanswered.
      if ([...closure].some((n) => !copyLines.has(n))) continue;
      const uses = [...closure].flatMap((n) => copyLines.get(n)!);
      out.set(w.key, { file, module, aliases: w.aliases, lines: [firstPosition + w.line, firstPosition + w.line + 1], uses });
    }
  }
  return out;
}

/** The declaration a contract's texts were written in (its own, or its nearest declared parent's), found through the module's exports. */
function scopeOf(checker: ts.TypeChecker, moduleSymbol: ts.Symbol | undefined, c: Contract): ts.Node | undefined {
  const path: string[] = [];
  for (let name: string | undefined = c.symbol.name; name !== undefined; name = parentOf(name)) path.unshift(name.slice((parentOf(name)?.length ?? -1) + 1));
  let symbol = moduleSymbol;
  let found: ts.Node | undefined;
  for (const segment of path) {
    if (!symbol || !(symbol.flags & (ts.SymbolFlags.ValueModule | ts.SymbolFlags.NamespaceModule))) break;
    const name = segment.replace(/:type$/, "");
    symbol = checker.getExportsOfModule(symbol).find((s) => s.name === name);
    if (symbol && symbol.flags & ts.SymbolFlags.Alias) symbol = checker.getAliasedSymbol(symbol);
    found = symbol?.declarations?.[0] ?? found;
  }
  return found;
}

/**
 * A node's text with the first name of each type reference, `typeof` query and heritage clause
 * replaced as `replace` says (null: as written; undefined: the text cannot be rewritten), plus
 * `extra` edits. An `import("…")` type cannot move to another file: undefined.
 */
function rewriteReferences(node: ts.Node, source: ts.SourceFile, replace: (head: ts.Identifier) => string | null | undefined, extra: [number, number, string][] = []): string | undefined {
  const edits = [...extra];
  let portable = true;
  const visit = (n: ts.Node): void => {
    if (!portable) return;
    if (ts.isImportTypeNode(n)) {
      portable = false;
      return;
    }
    let name: ts.EntityName | ts.Expression | undefined;
    if (ts.isTypeReferenceNode(n)) name = n.typeName;
    else if (ts.isTypeQueryNode(n)) name = n.exprName;
    else if (ts.isExpressionWithTypeArguments(n)) name = n.expression;
    while (name && (ts.isQualifiedName(name) || ts.isPropertyAccessExpression(name))) name = ts.isQualifiedName(name) ? name.left : name.expression;
    if (name && ts.isIdentifier(name)) {
      const by = replace(name);
      if (by === undefined) {
        portable = false;
        return;
      }
      if (by !== null) edits.push([name.getStart(source), name.end, by]);
    }
    ts.forEachChild(n, visit);
  };
  visit(node);
  if (!portable) return undefined;
  const start = node.getStart(source);
  let text = source.text.slice(start, node.end);
  for (const [from, to, by] of edits.sort((x, y) => y[0] - x[0])) text = text.slice(0, from - start) + by + text.slice(to - start);
  return text;
}

/**
 * The file without its classes' private and protected members and with `unique symbol` as
 * `symbol` (blanked, so positions stay): both make a type nominal to its declaration, so the old
 * and the new version of one class would never relate, though no caller can tell them apart (the
 * records skip them too).
 */
function withoutPrivateMembers(file: string, input: string): string | undefined {
  // A `unique symbol` is another type in each version: keys declared with one are dropped alike.
  const text = input.replace(/\bunique symbol\b/g, "symbol       ");
  if (!/\b(private|protected)\b|#/.test(text)) return text === input ? undefined : text;
  const source = ts.createSourceFile(file, text, ts.ScriptTarget.Latest, true);
  const ranges: [number, number][] = [];
  const hidden = (node: ts.Node) => ts.canHaveModifiers(node) && (ts.getModifiers(node) ?? []).some((m) => m.kind === ts.SyntaxKind.PrivateKeyword || m.kind === ts.SyntaxKind.ProtectedKeyword);
  const visit = (node: ts.Node): void => {
    if (ts.isClassLike(node)) {
      for (const member of node.members) {
        if (hidden(member) || (member.name !== undefined && ts.isPrivateIdentifier(member.name))) ranges.push([member.getStart(source), member.end]);
        else if (ts.isConstructorDeclaration(member)) {
          // `constructor(private x: T)`: a parameter, no longer a private property.
          for (const param of member.parameters) for (const m of ts.getModifiers(param) ?? []) if (m.kind === ts.SyntaxKind.PrivateKeyword || m.kind === ts.SyntaxKind.ProtectedKeyword) ranges.push([m.getStart(source), m.end]);
        }
      }
    }
    ts.forEachChild(node, visit);
  };
  visit(source);
  if (ranges.length === 0) return text === input ? undefined : text;
  let out = text;
  for (const [start, end] of ranges.sort((a, b) => b[0] - a[0])) out = out.slice(0, start) + out.slice(start, end).replace(/[^\n]/g, " ") + out.slice(end);
  return out;
}

/** Names of the module in a type text, as the new side's exports. */
function qualify(type: string, names: Set<string>): string {
  const { source, heads } = namesIn(type, names);
  let text = source.text;
  for (const at of heads.map((h) => h.at).sort((a, b) => b - a)) text = `${text.slice(0, at)}__gatehouse_new.${text.slice(at)}`;
  return text.slice("type __q = ".length, -1);
}

/** The references in a type text whose first name is one of `names`, with their positions. */
function namesIn(type: string, names: Set<string>): { source: ts.SourceFile; heads: { name: string; at: number }[] } {
  const source = ts.createSourceFile("/q.ts", `type __q = ${type};`, ts.ScriptTarget.Latest, true);
  const heads: { name: string; at: number }[] = [];
  const visit = (node: ts.Node): void => {
    let name: ts.EntityName | ts.Expression | undefined;
    if (ts.isTypeReferenceNode(node)) name = node.typeName;
    else if (ts.isTypeQueryNode(node)) name = node.exprName;
    else if (ts.isExpressionWithTypeArguments(node)) name = node.expression;
    while (name && (ts.isQualifiedName(name) || ts.isPropertyAccessExpression(name))) name = ts.isQualifiedName(name) ? name.left : name.expression;
    if (name && ts.isIdentifier(name) && names.has(name.text)) heads.push({ name: name.text, at: name.getStart(source) });
    ts.forEachChild(node, visit);
  };
  visit(source);
  return { source, heads };
}
