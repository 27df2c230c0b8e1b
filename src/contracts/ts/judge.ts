// The checker decides whenever types differ textually. Old and new contracts of the changed
// symbols are rebuilt as declarations (declarations.ts), side by side in one in-memory Program,
// and each question is put to the checker with public API only:
//   call:  an old caller, `f(...args)` with `args: Parameters<typeof old.f>`, is resolved against
//          the old and the new signature (generics inferred the way a caller's would be); the
//          parameter types are related in the argument direction (new must accept every old
//          argument) and the return types in the reader direction (every new value an old one);
//   value: a property, const or alias type, old vs new, as readers see it;
//   type parameter bounds: constraint and default types, old vs new.
// `any` relates only to itself where it would make the answer vacuous (an old `any` argument means
// callers pass anything; an old `any` result means callers use it as anything).
// Names the declarations cannot resolve (another module's types, packages, DOM or Node globals)
// come from the same side's other modules when one declares them, else become opaque placeholders
// shared by both sides: the same external name is the same type on both sides. Whatever the
// compiler still rejects leaves that question unanswered, and the syntax verdict stands.

import ts from "typescript";
import { CALLABLE_KINDS, contractId, type Contract, type TypeParam } from "../model.js";
import { localName, parentOf, renderModule, type RenderedModule } from "./declarations.js";
import { typeRelation } from "../type-relation.js";
import { virtualProgram } from "./program.js";
import { buildSourceJudge } from "./source-judge.js";

export type Relation = "same" | "widened" | "narrowed" | "changed";

export interface CallVerdict {
  /** by position, for the positions both signatures have */
  params: (Relation | undefined)[];
  returns?: Relation | undefined;
}

export interface Judge {
  call(old: Contract): CallVerdict | undefined;
  /** values; overloaded callables as a whole (every old use of the callable, new against old); property ↔ method */
  value(old: Contract): Relation | undefined;
  typeParam(old: Contract, index: number, part: "constraint" | "default"): Relation | undefined;
  /** a member gone from its parent's own members that the new parent still has (inherited through `extends`): its type, old vs new */
  inherited?(old: Contract): Relation | undefined;
  /** a changed value or type: what else the checker found (members readers lose, whether writers still fit) */
  detail?(old: Contract): ValueDetail | undefined;
  /** an overloaded callable: per old overload, whether the new callable still takes its old arguments and returns what old callers read (undefined: unanswered) */
  overloads?(old: Contract): OverloadVerdict[] | undefined;
}

export interface OverloadVerdict {
  /** the new callable takes the overload's old arguments (their types as the old version declared them) */
  takes: boolean;
  /** and what it returns for them is what that old overload returned, or narrower (undefined: unanswered) */
  returns: boolean | undefined;
}

export interface ValueDetail {
  /** members the old type had that the new one lacks (what readers lose), sorted */
  missingMembers?: string[];
  /** every old value is still a new value: writers of a property are not broken */
  acceptsOldValues?: boolean;
}

type Rule = "argument" | "reader";

export interface Question {
  id: string;
  module: string;
  old: Contract;
  fresh: Contract;
  kind: "call" | "value";
  /** 0-based lines (in the new module file) whose errors make the question unanswerable */
  declLines: number[];
  /** call: the lines of the old and the new probe call */
  probeLines: number[];
  /** an overloaded callable: per old overload, the line calling the new callable with that overload's old arguments */
  overloadLines?: number[];
  /** the line declaring the old callable (its overloads' return types) */
  oldCalleeLine?: number;
}

const RESERVED_LINES = 2; // imports of other modules; the two sides as namespaces
const PLACEHOLDER_FILE = "/gatehouse/placeholders.ts";
const UNRESOLVED = new Set([2304, 2552, 2503, 2583, 2582]);

export const NO_JUDGE: Judge = { call: () => undefined, value: () => undefined, typeParam: () => undefined, inherited: () => undefined, detail: () => undefined, overloads: () => undefined };

export interface JudgeOptions {
  /**
   * The old and the new source trees (absolute roots) when both are on disk (`--against`, the
   * corpus): the checker then reads the real declarations (inherited members, unexported helper
   * types) before the declarations rebuilt from the records.
   */
  sources?: { old: string; new: string };
}

/** A judge for the TS/JS contracts present on both sides whose types differ textually. */
export function createJudge(before: Contract[], after: Contract[], options: JudgeOptions = {}): Judge {
  const newById = new Map(after.map((c) => [contractId(c), c]));
  const pairs: [Contract, Contract][] = [];
  for (const old of before) {
    const fresh = newById.get(contractId(old));
    if (fresh && old.language !== "python" && fresh.language !== "python" && textuallyDiffers(old, fresh)) pairs.push([old, fresh]);
  }
  const orphans = orphanMembers(before, newById);
  if (pairs.length === 0 && orphans.length === 0) return NO_JUDGE;
  let rebuilt: Judge | undefined;
  // Built on first use: the real sources usually answer everything.
  const fallback = () => {
    if (!rebuilt) {
      try {
        rebuilt = pairs.length > 0 ? buildJudge(before, after, pairs) : NO_JUDGE;
      } catch {
        // A Program the compiler cannot build answers nothing: the syntax verdicts stand.
        rebuilt = NO_JUDGE;
      }
    }
    return rebuilt;
  };
  let real: Judge = NO_JUDGE;
  if (options.sources) {
    try {
      real = buildSourceJudge(before, after, pairs, orphans, options.sources);
    } catch {
      // The real trees could not be read as one Program: the rebuilt declarations decide.
      real = NO_JUDGE;
    }
  }
  return {
    call: (old) => real.call(old) ?? fallback().call(old),
    value: (old) => real.value(old) ?? fallback().value(old),
    typeParam: (old, i, part) => real.typeParam(old, i, part) ?? fallback().typeParam(old, i, part),
    inherited: (old) => real.inherited?.(old),
    // The detail belongs to whichever judge gave the value's answer.
    detail: (old) => (real.value(old) !== undefined ? real.detail?.(old) : fallback().detail?.(old)),
    overloads: (old) => real.overloads?.(old) ?? fallback().overloads?.(old),
  };
}

/** Old members (properties, methods) without a new contract whose parent class or interface is still there. */
function orphanMembers(before: Contract[], newById: Map<string, Contract>): Contract[] {
  return before.filter((c) => {
    if ((c.kind !== "property" && c.kind !== "method") || newById.has(contractId(c)) || c.language === "python") return false;
    const parent = parentOf(c.symbol.name);
    const kind = parent !== undefined ? newById.get(`${c.symbol.module}#${parent}`)?.kind : undefined;
    return kind === "interface" || kind === "class";
  });
}

function tpText(c: Pick<Contract, "typeParams">): string {
  return JSON.stringify(c.typeParams ?? []);
}

function textuallyDiffers(old: Contract, fresh: Contract): boolean {
  if (tpText(old) !== tpText(fresh)) return true;
  if (CALLABLE_KINDS.has(old.kind) && CALLABLE_KINDS.has(fresh.kind)) {
    const n = Math.min(old.params.length, fresh.params.length);
    for (let i = 0; i < n; i++) if ((old.params[i]!.type ?? "") !== (fresh.params[i]!.type ?? "")) return true;
    if (JSON.stringify(old.overloads ?? []) !== JSON.stringify(fresh.overloads ?? [])) return true;
    return (old.returns.type ?? old.returns.inferred ?? "") !== (fresh.returns.type ?? fresh.returns.inferred ?? "");
  }
  return old.kind !== fresh.kind || (old.type ?? "") !== (fresh.type ?? "");
}

function buildJudge(before: Contract[], after: Contract[], pairs: [Contract, Contract][]): Judge {
  const modules = [...new Set([...before, ...after].map((c) => c.symbol.module))].sort();
  const index = new Map(modules.map((m, i) => [m, i]));
  const bySide = (contracts: Contract[]) => {
    const map = new Map<string, Contract[]>();
    for (const c of contracts) map.set(c.symbol.module, [...(map.get(c.symbol.module) ?? []), c]);
    return map;
  };
  const sides = { old: bySide(before), new: bySide(after) };
  const rendered = { old: new Map<string, RenderedModule>(), new: new Map<string, RenderedModule>() };
  for (const side of ["old", "new"] as const) for (const [m, list] of sides[side]) rendered[side].set(m, renderModule(list));
  const pathOf = (side: "old" | "new", module: string) => `/gatehouse/${side}/m${index.get(module)}.ts`;

  // Questions live at the end of the new module file, in its scope.
  const questions: Question[] = [];
  const questionText = new Map<string, string>();
  const questionModules = [...new Set(pairs.map(([, fresh]) => fresh.symbol.module))].sort();
  const respelled = new Map<string, [number, number]>();
  const respelledAliases = new Map<string, string[]>();
  const oldAliasLines = new Map<string, [number, number]>();
  for (const module of questionModules) {
    const base = rendered.new.get(module)!;
    const first = base.lines.length + RESERVED_LINES;
    const text = writeQuestions(module, pairs, sides, first, questions, (t) => t, (t) => prefixNames(t, topLevelNames(sides.old.get(module) ?? []), "__gatehouse_old."));
    questionText.set(module, text + writeRespellings(module, pairs, sides, first + text.split("\n").length - 1, respelled, (t) => t, respelledAliases, oldAliasLines));
  }

  // Imports and placeholders for the names the declarations cannot resolve, in up to three passes.
  const imports = { old: new Map<string, Map<string, string>>(), new: new Map<string, Map<string, string>>() };
  const placeholders = new Map<string, { arity: number; members: Map<string, number> }>();
  const relevant = new Set<string>();
  for (const module of questionModules) {
    relevant.add(`old\0${module}`);
    relevant.add(`new\0${module}`);
  }
  const fileText = (side: "old" | "new", module: string) => {
    const r = rendered[side].get(module);
    const own = imports[side].get(module) ?? new Map<string, string>();
    const importLine = [...own].map(([name, from]) => `import { ${name} } from "${pathOf(side, from).replace(/\.ts$/, "")}";`).join(" ");
    const sidesLine = side === "new" && sides.old.has(module) ? `import * as __gatehouse_old from "${pathOf("old", module).replace(/\.ts$/, "")}"; import * as __gatehouse_new from "${pathOf("new", module).replace(/\.ts$/, "")}";` : "";
    return `${importLine}\n${sidesLine}\n${r?.text ?? ""}${side === "new" ? (questionText.get(module) ?? "") : ""}export {};\n`;
  };
  const build = (previous?: ts.Program) => {
    const files = new Map<string, string>();
    files.set(PLACEHOLDER_FILE, placeholderText(placeholders));
    for (const side of ["old", "new"] as const) for (const module of rendered[side].keys()) files.set(pathOf(side, module), fileText(side, module));
    const roots = [PLACEHOLDER_FILE, ...[...relevant].map((k) => pathOf(k.split("\0")[0] as "old" | "new", k.split("\0")[1]!))];
    return virtualProgram(files, roots, previous);
  };
  let program = build();
  for (let pass = 0; pass < 3; pass++) {
    let added = false;
    for (const key of [...relevant]) {
      const [side, module] = key.split("\0") as ["old" | "new", string];
      const source = program.getSourceFile(pathOf(side, module));
      if (!source) continue;
      for (const d of program.getSemanticDiagnostics(source)) {
        if (!UNRESOLVED.has(d.code) || d.start === undefined) continue;
        const name = qualifiedNameAt(source.text, d.start);
        if (!name) continue;
        const [head] = name.path;
        const supplier = [...rendered[side]].filter(([m, r]) => m !== module && r.names.has(head!)).map(([m]) => m);
        if (name.path.length === 1 && supplier.length === 1 && d.code !== 2503) {
          const own = imports[side].get(module) ?? new Map<string, string>();
          if (!own.has(head!)) {
            own.set(head!, supplier[0]!);
            imports[side].set(module, own);
            relevant.add(`${side}\0${supplier[0]}`);
            added = true;
          }
        } else if (addPlaceholder(placeholders, name.path, name.arity)) {
          added = true;
        }
      }
    }
    if (!added) break;
    program = build(program);
  }

  const checker = program.getTypeChecker();
  const broken = { old: new Set<string>(), new: new Set<string>() };
  const questionErrors = new Set<number>();
  for (const module of questionModules) {
    for (const side of ["old", "new"] as const) {
      const source = program.getSourceFile(pathOf(side, module));
      const r = rendered[side].get(module);
      if (!source || !r) continue;
      for (const d of [...program.getSyntacticDiagnostics(source), ...program.getSemanticDiagnostics(source)]) {
        if (d.start === undefined) continue;
        const line = source.getLineAndCharacterOfPosition(d.start).line;
        const owner = r.lines[line - RESERVED_LINES];
        if (owner !== undefined) broken[side].add(`${module}#${owner}`);
        else if (side === "new") questionErrors.add(line);
      }
    }
  }
  const isBroken = (side: "old" | "new", c: Contract) => {
    for (let name: string | undefined = c.symbol.name; name !== undefined; name = parentOf(name)) if (broken[side].has(`${c.symbol.module}#${name}`)) return true;
    return false;
  };

  const calls = new Map<string, CallVerdict>();
  const values = new Map<string, Relation>();
  const details = new Map<string, ValueDetail>();
  const servedOverloads = new Map<string, OverloadVerdict[]>();
  for (const q of questions) {
    if (isBroken("old", q.old) || isBroken("new", q.fresh) || q.declLines.some((l) => questionErrors.has(l))) continue;
    answerQuestion(q, program.getSourceFile(pathOf("new", q.module))!, checker, calls, values, details);
    const served = answerOverloads(q, program.getSourceFile(pathOf("new", q.module))!, checker, (l) => !questionErrors.has(l));
    if (served) servedOverloads.set(q.id, served);
  }

  // Positions whose old text reads as the same type in the new module's scope did not change.
  const positions = new Map<string, Relation>();
  const aliasRelation = (module: string, name: string) => {
    const pair = pairs.find(([o, f]) => f.symbol.module === module && f.kind === "type" && o.kind === "type" && localName(f.symbol.name) === name);
    if (!pair) return undefined;
    // Its own respelled answer (its old text read in the new scope) over the cross-version one;
    // unanswered, the syntax verdict stands for the alias, which counts here only where it says
    // "changed" (the alias's own finding is then BREAKING: zod 3.23's `objectUtil.addQuestionMarks`).
    const answer = positions.get(`${contractId(pair[0])}\0value`) ?? values.get(contractId(pair[0]));
    return answer ?? (typeRelation(pair[0].type, pair[1].type) === "changed" ? "changed" : undefined);
  };
  const positionDetails = new Map<string, ValueDetail>();
  // Positions naming no changed alias first: the aliases' own answers are among them.
  const ordered = [...respelled].sort(([a], [b]) => Number(respelledAliases.has(a)) - Number(respelledAliases.has(b)));
  for (const [key, lines] of ordered) {
    const [id] = key.split("\0") as [string];
    const fresh = after.find((c) => contractId(c) === id);
    if (!fresh || isBroken("new", fresh) || lines.some((l) => questionErrors.has(l))) continue;
    const source = program.getSourceFile(pathOf("new", fresh.symbol.module));
    if (!source) continue;
    const named = respelledAliases.get(key);
    const ownAnswers = (named ?? []).map((name) => aliasRelation(fresh.symbol.module, name));
    // A changed alias read as the new one on both sides is sound only where the checker found the
    // old and the new alias the same type (zod `RawCreateParams` gained an optional member). One
    // whose own change is BREAKING (old and new unrelated) already stops every caller it breaks:
    // the position is judged by its own change, both sides reading the old alias (zod 3.23's
    // `ZodObject.augment` names `objectUtil.extendShape` where 3.22 spelled the old body out). An
    // alias that only widened or narrowed is RISKY on its own: the cross-version question decides.
    const byOwnChange = named !== undefined && !ownAnswers.every((r) => r === "same");
    if (byOwnChange && !ownAnswers.every((r) => r === "same" || r === "changed")) continue;
    const read = byOwnChange ? oldAliasLines.get(key) : lines;
    if (!read || (byOwnChange && read.some((l) => questionErrors.has(l)))) continue;
    const [o, n] = read.map((l) => aliasTypeAt(source, l, checker));
    if (!o || !n) continue;
    // Assignability lets an index signature stand for a member the old type declared: where readers
    // lose a member, the cross-version answer stands (as in the source judge).
    if (byOwnChange && !/\0p\d+$/.test(key) && missingMembers(checker, o, n).length > 0) continue;
    const bound = /\0tp\d+([cd])$/.exec(key);
    if (bound) {
      // A constraint takes every old argument or not; a default is what callers get without saying: only the same type is no change.
      const asArgument = relate(checker, o, n, "argument");
      positions.set(key, bound[1] === "c" ? asArgument : asArgument === "same" && relate(checker, o, n, "reader") === "same" ? "same" : "changed");
      continue;
    }
    const relation = relate(checker, o, n, /\0p\d+$/.test(key) ? "argument" : "reader");
    positions.set(key, relation);
    if (key.endsWith("\0value")) positionDetails.set(id, relation === "same" ? {} : valueDetail(checker, o, n));
  }
  applyRespellings(pairs, positions, positionDetails, calls, values, details);

  const typeParamNode = (side: "old" | "new", c: Contract, i: number) => {
    if (isBroken(side, c)) return undefined;
    const r = rendered[side].get(c.symbol.module);
    const line = r?.headers.get(c.symbol.name);
    const source = program.getSourceFile(pathOf(side, c.symbol.module));
    if (line === undefined || !source) return undefined;
    return declarationAt(source, line + RESERVED_LINES)?.typeParameters?.[i];
  };
  const newOf = (old: Contract) => newById(after, old);
  return {
    inherited: () => undefined,
    detail: (old) => details.get(contractId(old)),
    overloads: (old) => servedOverloads.get(contractId(old)),
    call: (old) => calls.get(contractId(old)),
    value: (old) => values.get(contractId(old)),
    typeParam: (old, i, part) => {
      const respelledBound = positions.get(`${contractId(old)}\0tp${i}${part === "constraint" ? "c" : "d"}`);
      if (respelledBound) return respelledBound;
      const fresh = newOf(old);
      if (!fresh) return undefined;
      const a = typeParamNode("old", old, i)?.[part];
      const b = typeParamNode("new", fresh, i)?.[part];
      if (!a || !b) return undefined;
      const ta = checker.getTypeFromTypeNode(a);
      const tb = checker.getTypeFromTypeNode(b);
      if (part === "constraint") return relate(checker, ta, tb, "argument");
      // A default is what callers get without saying: only the same type (any ≠ unknown) is no change.
      const asArgument = relate(checker, ta, tb, "argument");
      const asReader = relate(checker, ta, tb, "reader");
      return asArgument === "same" && asReader === "same" ? "same" : "changed";
    },
  };
}

export const MARKERS = Array.from({ length: 8 }, (_, i) => `interface __GatehouseMarker${i} { readonly __gatehouse_marker: ${i} }\n`).join("");

/**
 * The questions about one module's changed contracts, as statements that start on `firstLine`
 * (0-based) of a file where `__gatehouse_old` and `__gatehouse_new` are the two sides of the
 * module. `qualify` makes a type parameter's constraint text resolve there.
 */
export function writeQuestions(module: string, pairs: [Contract, Contract][], sides: { old: Map<string, Contract[]>; new: Map<string, Contract[]> }, firstLine: number, questions: Question[], qualify: (type: string) => string, qualifyOld?: (type: string) => string): string {
  let line = firstLine + 8;
  let text = MARKERS;
  for (const [old, fresh] of pairs.filter(([, f]) => f.symbol.module === module)) {
    const q = questions.length;
    const oldSide = sides.old.get(module) ?? [];
    const newSide = sides.new.get(module) ?? [];
    const oldNames = new Map(oldSide.map((x) => [x.symbol.name, x]));
    const oldRef = reference("__gatehouse_old", old, oldSide, oldNames, qualify);
    const newRef = reference("__gatehouse_new", fresh, newSide, oldNames, qualify);
    if (!oldRef || !newRef) continue;
    const question: Question = { id: contractId(old), module, old, fresh, kind: "value", declLines: [], probeLines: [] };
    const bothCallable = CALLABLE_KINDS.has(old.kind) && CALLABLE_KINDS.has(fresh.kind);
    const overloaded = Boolean(old.overloads?.length || fresh.overloads?.length);
    const memberKindChanged = old.kind !== fresh.kind && MEMBER_KINDS.has(old.kind) && MEMBER_KINDS.has(fresh.kind);
    if (bothCallable && !overloaded && oldRef.callee && newRef.callee) {
      question.kind = "call";
      const isNew = old.kind === "class" || oldRef.construct;
      const params = isNew ? "ConstructorParameters" : "Parameters";
      const call = (callee: string) => (isNew ? `new ${callee}(...__q${q}_args);` : `${callee}(...__q${q}_args);`);
      text += `declare const __q${q}_args: ${params}<${oldRef.callee}>;\ndeclare const __q${q}_old: ${oldRef.callee};\ndeclare const __q${q}_new: ${newRef.callee};\n${call(`__q${q}_old`)}\n${call(`__q${q}_new`)}\n`;
      question.declLines = [line, line + 1, line + 2];
      question.probeLines = [line + 3, line + 4];
      line += 5;
    } else if (((!CALLABLE_KINDS.has(old.kind) && !CALLABLE_KINDS.has(fresh.kind)) || (bothCallable && overloaded) || memberKindChanged) && oldRef.value && newRef.value) {
      // Overloads and property ↔ method: the whole member or function type, as its users see it.
      const strip = (t: string) => (old.optional || fresh.optional ? `Exclude<${t}, undefined>` : t);
      text += `type __q${q}_o = ${strip(oldRef.value)};\ntype __q${q}_n = ${strip(newRef.value)};\n`;
      question.declLines = [line, line + 1];
      line += 2;
      // Which old overloads the new callable no longer takes: each old overload's arguments (its
      // types as the old version declares them) passed to the new callable, one line each.
      if (bothCallable && overloaded && qualifyOld && newRef.callee && old.overloads?.length) {
        const isNew = old.kind === "class" || newRef.construct;
        text += `declare const __q${q}_callee: ${newRef.callee};\ndeclare const __q${q}_before: ${oldRef.callee};\n`;
        question.declLines.push(line, line + 1);
        question.oldCalleeLine = line + 1;
        line += 2;
        question.overloadLines = [];
        old.overloads.forEach((s, k) => {
          const typeParams = s.typeParams?.length ? `<${s.typeParams.map((p) => `${p.name}${p.constraint ? ` extends ${qualifyOld(p.constraint)}` : ""}`).join(", ")}>` : "";
          const params = s.params.map((p) => `${p.rest ? "..." : ""}${p.name}${p.required || p.rest ? "" : "?"}: ${p.type === undefined ? "any" : qualifyOld(p.type)}`).join(", ");
          const args = `Parameters<${typeParams}(${params}) => void>`;
          text += `declare const __q${q}_k${k}: ${args};\n${isNew ? "new " : ""}__q${q}_callee(...__q${q}_k${k});\n`;
          question.overloadLines!.push(line + 1);
          line += 2;
        });
      }
    } else if (tpText(old) === tpText(fresh)) {
      continue;
    }
    questions.push(question);
  }
  return text;
}

function newById(after: Contract[], old: Contract): Contract | undefined {
  const id = contractId(old);
  return after.find((c) => contractId(c) === id);
}

const MEMBER_KINDS: ReadonlySet<string> = new Set(["method", "property"]);

/**
 * Type aliases of a module whose text (or type parameters) changed, or that are new, by the path
 * a type text names them with (`Alias`, `objectUtil.extendShape` in a namespace).
 */
export function changedAliases(module: string, sides: { old: Map<string, Contract[]>; new: Map<string, Contract[]> }): Set<string> {
  const oldByName = new Map((sides.old.get(module) ?? []).map((c) => [c.symbol.name, c]));
  const newByName = new Map((sides.new.get(module) ?? []).map((c) => [c.symbol.name, c]));
  // Only aliases a dotted path reaches: top-level ones and those of (nested) namespaces.
  const reachable = (name: string) => {
    for (let parent = parentOf(name); parent !== undefined; parent = parentOf(parent)) if (newByName.get(parent)?.kind !== "namespace") return false;
    return true;
  };
  return new Set(
    (sides.new.get(module) ?? [])
      .filter((c) => c.kind === "type" && reachable(c.symbol.name))
      .filter((c) => {
        const o = oldByName.get(c.symbol.name);
        return !o || o.type !== c.type || JSON.stringify(o.typeParams ?? []) !== JSON.stringify(c.typeParams ?? []);
      })
      .map((c) => localName(c.symbol.name)),
  );
}

/**
 * The old type text of each changed position read in the new version's scope, beside the new
 * text (`type __rN_o = …; type __rN_n = …;`, from `firstLine`): when the two are the same type the
 * position did not change; a change of a type it names is that type's own change (reported on its
 * members), not one of every position that names it. A position that names a changed type alias
 * is left to the cross-version question (the alias itself is only RISKY). `inScope` makes a text
 * resolve where the lines are written.
 */
export function writeRespellings(module: string, pairs: [Contract, Contract][], sides: { old: Map<string, Contract[]>; new: Map<string, Contract[]> }, firstLine: number, out: Map<string, [number, number]>, inScope: (type: string) => string, named: Map<string, string[]> = new Map(), oldAliasLines: Map<string, [number, number]> = new Map()): string {
  const aliases = changedAliases(module, sides);
  let text = "";
  let line = firstLine;
  for (const [old, fresh] of pairs.filter(([, f]) => f.symbol.module === module)) {
    const positions: [string, string | undefined, string | undefined][] = [];
    const callable = CALLABLE_KINDS.has(old.kind) && CALLABLE_KINDS.has(fresh.kind);
    // A type's type parameter bounds, read the same way (`T extends ZodTypeAny` → `T extends ZodType`,
    // where ZodTypeAny is ZodType<any, any, any> in the new version too): `tp0c`, `tp0d`.
    if (old.kind === "class" || old.kind === "interface" || old.kind === "type") {
      (old.typeParams ?? []).forEach((p, i) => {
        const q = fresh.typeParams?.[i];
        if (p.constraint !== undefined && q?.constraint !== undefined && p.constraint !== q.constraint) positions.push([`tp${i}c`, p.constraint, q.constraint]);
        if (p.default !== undefined && q?.default !== undefined && p.default !== q.default) positions.push([`tp${i}d`, p.default, q.default]);
      });
    }
    if (callable) {
      // Overloads are left to the whole-callable question.
      if (!old.overloads?.length && !fresh.overloads?.length) {
        // An optional parameter takes undefined whether its text says so or not.
        const optional = (t: string | undefined, required: boolean | undefined) => (t === undefined || required !== false ? t : `(${t}) | undefined`);
        old.params.forEach((p, i) => positions.push([`p${i}`, optional(p.type, p.required || fresh.params[i]?.required), optional(fresh.params[i]?.type, p.required || fresh.params[i]?.required)]));
        positions.push(["r", old.returns.type, fresh.returns.type]);
      }
    } else {
      positions.push(["value", old.type, fresh.type]);
    }
    const stand = standIns(old, fresh, { old: sides.old.get(module) ?? [], new: sides.new.get(module) ?? [] }, inScope);
    for (const [key, rawA, rawB] of positions) {
      const a = rawA === undefined ? undefined : substitute(rawA, stand.old);
      const b = rawB === undefined ? undefined : substitute(rawB, stand.new);
      if (a === undefined || b === undefined || rawA === rawB || namesAny(a, stand.own) || namesAny(b, stand.own)) continue;
      // A position naming a changed alias is written too, with the aliases it names: its answer
      // counts only where the checker found each of them the same type old and new; and again
      // with both sides reading the old aliases, judged so where their own change is BREAKING
      // (see buildJudge).
      const aliasesNamed = [...new Set([...pathsNamed(a, aliases), ...pathsNamed(b, aliases)])].sort();
      text += `type __r${line}_o = ${inScope(a)};\ntype __r${line}_n = ${inScope(b)};\n`;
      out.set(`${contractId(old)}\0${key}`, [line, line + 1]);
      line += 2;
      if (aliasesNamed.length > 0) {
        const oldAlias = new Map(aliasesNamed.map((path) => [path, `__gatehouse_old.${path}`]));
        text += `type __r${line}_o = ${inScope(substitutePaths(a, oldAlias))};\ntype __r${line}_n = ${inScope(substitutePaths(b, oldAlias))};\n`;
        named.set(`${contractId(old)}\0${key}`, aliasesNamed);
        oldAliasLines.set(`${contractId(old)}\0${key}`, [line, line + 1]);
        line += 2;
      }
    }
  }
  return text;
}

/** The respelled positions' answers, over the cross-version ones: values, and each call's parameters and return. */
export function applyRespellings(pairs: [Contract, Contract][], positions: Map<string, Relation>, positionDetails: Map<string, ValueDetail>, calls: Map<string, CallVerdict>, values: Map<string, Relation>, details: Map<string, ValueDetail> = new Map()): void {
  for (const [old, fresh] of pairs) {
    const id = contractId(old);
    const value = positions.get(`${id}\0value`);
    if (value) {
      values.set(id, value);
      details.set(id, positionDetails.get(id) ?? {});
    }
    if (!CALLABLE_KINDS.has(old.kind)) continue;
    const verdict = calls.get(id);
    if (verdict) {
      verdict.params = verdict.params.map((r, i) => positions.get(`${id}\0p${i}`) ?? r);
      verdict.returns = positions.get(`${id}\0r`) ?? verdict.returns;
    } else if (!old.overloads?.length && !fresh.overloads?.length && JSON.stringify(old.typeParams ?? []) === JSON.stringify(fresh.typeParams ?? [])) {
      // No call probe answered: the positions that could be read decide, the others stay with syntax.
      const params = old.params.map((p, i) => (p.type === fresh.params[i]?.type ? "same" : positions.get(`${id}\0p${i}`)));
      const returns = old.returns.type === fresh.returns.type ? "same" : positions.get(`${id}\0r`);
      if (params.every((r) => r !== undefined) && returns !== undefined) calls.set(id, { params, returns });
    }
  }
}

/** Each side's type parameters of a position, by name, as the stand-in both sides share; `own`: a callable's own ones left to the call probe. */
export interface StandIns {
  old: Map<string, string>;
  new: Map<string, string>;
  own: Set<string>;
}

/**
 * The type parameters in scope of a position, each side's by position as one opaque marker within
 * the old constraint (the same type on both sides, whatever each side calls it): those of a type
 * and of a member's parents; a callable's own ones too where both declare as many with the same
 * bounds (every call infers the same argument on both sides), else they are `own` and the call
 * probe decides. Shared by the record judge and the source judge; `inScope` makes a constraint
 * text resolve where the positions are written.
 */
export function standIns(old: Contract, fresh: Contract, sides: { old: Contract[]; new: Contract[] }, inScope: (type: string) => string): StandIns {
  const inScopeParams = (c: Contract, sameSide: Contract[]) => {
    const byName = new Map(sameSide.map((x) => [x.symbol.name, x]));
    const list: TypeParam[] = [];
    for (let name: string | undefined = c.symbol.name; name !== undefined; name = parentOf(name)) {
      const node = name === c.symbol.name ? c : byName.get(name);
      if (!node || (node === c && CALLABLE_KINDS.has(c.kind))) continue;
      list.push(...(node.typeParams ?? []));
    }
    return list;
  };
  const marker = (i: number, constraint: string | undefined) => (constraint ? `((${inScope(constraint)}) & __GatehouseMarker${i % 8})` : `__GatehouseMarker${i % 8}`);
  const out: StandIns = { old: new Map(), new: new Map(), own: new Set() };
  const oldParams = inScopeParams(old, sides.old);
  const newParams = inScopeParams(fresh, sides.new);
  // The nearest declaration wins a name (a member's own type parameter shadows its parent's).
  oldParams.forEach((p, i) => {
    if (!out.old.has(p.name)) out.old.set(p.name, marker(i, p.constraint));
    const q = newParams[i];
    if (q && !out.new.has(q.name)) out.new.set(q.name, marker(i, p.constraint));
  });
  if (!CALLABLE_KINDS.has(old.kind) || !CALLABLE_KINDS.has(fresh.kind)) return out;
  const a = old.typeParams ?? [];
  const b = fresh.typeParams ?? [];
  const first = oldParams.length;
  const own = { old: new Map(out.old), new: new Map(out.new) };
  a.forEach((p, j) => own.old.set(p.name, marker(first + j, p.constraint)));
  b.forEach((q, j) => own.new.set(q.name, marker(first + j, a[j]?.constraint)));
  // Alike: as many, each bound the same text once both sides' names read as the shared stand-ins.
  const bound = (text: string | undefined, names: Map<string, string>) => (text === undefined ? "" : substitute(text, names));
  const alike = a.length === b.length && a.every((p, j) => bound(p.constraint, own.old) === bound(b[j]!.constraint, own.new) && bound(p.default, own.old) === bound(b[j]!.default, own.new));
  if (alike) return { ...out, old: own.old, new: own.new };
  for (const p of [...a, ...b]) out.own.add(p.name);
  return out;
}

/** A type text with the named type references replaced (type parameters by their opaque markers). */
export function substitute(type: string, replacements: Map<string, string>): string {
  if (replacements.size === 0) return type;
  const source = ts.createSourceFile("/q.ts", `type __q = ${type};`, ts.ScriptTarget.Latest, true);
  const edits: [number, number, string][] = [];
  const visit = (node: ts.Node): void => {
    if (ts.isTypeReferenceNode(node) && ts.isIdentifier(node.typeName) && !node.typeArguments && replacements.has(node.typeName.text)) {
      edits.push([node.getStart(source), node.end, replacements.get(node.typeName.text)!]);
      return;
    }
    ts.forEachChild(node, visit);
  };
  visit(source);
  let text = source.text;
  for (const [start, end, by] of edits.sort((x, y) => y[0] - x[0])) text = text.slice(0, start) + by + text.slice(end);
  return text.slice("type __q = ".length, -1);
}

/** The whole entity name a type reference, `typeof` query or heritage clause names (`objectUtil.extendShape`). */
function referencedPath(node: ts.Node): ts.EntityName | ts.Expression | undefined {
  if (ts.isTypeReferenceNode(node)) return node.typeName;
  if (ts.isTypeQueryNode(node)) return node.exprName;
  if (ts.isExpressionWithTypeArguments(node)) return node.expression;
  return undefined;
}

function dotted(name: ts.EntityName | ts.Expression): string | undefined {
  if (ts.isIdentifier(name)) return name.text;
  if (ts.isQualifiedName(name)) return ((left) => (left === undefined ? undefined : `${left}.${name.right.text}`))(dotted(name.left));
  if (ts.isPropertyAccessExpression(name) && ts.isIdentifier(name.name)) return ((left) => (left === undefined ? undefined : `${left}.${name.name.text}`))(dotted(name.expression));
  return undefined;
}

/** The paths of `paths` a type text references as a whole (`objectUtil.extendShape<A, B>`, `Alias`). */
function pathsNamed(type: string, paths: Set<string>): string[] {
  const found = new Set<string>();
  if (paths.size === 0) return [];
  const source = ts.createSourceFile("/q.ts", `type __q = ${type};`, ts.ScriptTarget.Latest, true);
  const visit = (node: ts.Node): void => {
    const name = referencedPath(node);
    const path = name && dotted(name);
    if (path !== undefined && paths.has(path)) found.add(path);
    ts.forEachChild(node, visit);
  };
  visit(source);
  return [...found];
}

/** A type text with each reference to one of the paths replaced by its replacement (type arguments kept). */
function substitutePaths(type: string, replacements: Map<string, string>): string {
  const source = ts.createSourceFile("/q.ts", `type __q = ${type};`, ts.ScriptTarget.Latest, true);
  const edits: [number, number, string][] = [];
  const visit = (node: ts.Node): void => {
    const name = referencedPath(node);
    const path = name && dotted(name);
    if (name && path !== undefined && replacements.has(path)) edits.push([name.getStart(source), name.end, replacements.get(path)!]);
    ts.forEachChild(node, visit);
  };
  visit(source);
  let text = source.text;
  for (const [start, end, by] of edits.sort((x, y) => y[0] - x[0])) text = text.slice(0, start) + by + text.slice(end);
  return text.slice("type __q = ".length, -1);
}

/** The top-level names a module's contracts are exported under (the ones `__gatehouse_old.X` reaches). */
export function topLevelNames(contracts: Contract[]): Set<string> {
  return new Set(contracts.filter((c) => parentOf(c.symbol.name) === undefined && c.symbol.name !== "default").map((c) => localName(c.symbol.name)));
}

/** A type text with the references whose first name is one of `names` read through `prefix` (`__gatehouse_old.`). */
export function prefixNames(type: string, names: Set<string>, prefix: string): string {
  if (names.size === 0) return type;
  const source = ts.createSourceFile("/q.ts", `type __q = ${type};`, ts.ScriptTarget.Latest, true);
  const starts: number[] = [];
  const bound = new Set<string>();
  const visit = (node: ts.Node): void => {
    if (ts.isTypeParameterDeclaration(node)) bound.add(node.name.text);
    let name = referencedPath(node);
    while (name && (ts.isQualifiedName(name) || ts.isPropertyAccessExpression(name))) name = ts.isQualifiedName(name) ? name.left : name.expression;
    if (name && ts.isIdentifier(name) && names.has(name.text) && !bound.has(name.text)) starts.push(name.getStart(source));
    ts.forEachChild(node, visit);
  };
  visit(source);
  let text = source.text;
  for (const at of starts.sort((a, b) => b - a)) text = `${text.slice(0, at)}${prefix}${text.slice(at)}`;
  return text.slice("type __q = ".length, -1);
}

/** Does a type text reference one of `names` (as the head of a type reference or `typeof`)? */
export function namesAny(type: string, names: Set<string>): boolean {
  if (names.size === 0) return false;
  const source = ts.createSourceFile("/q.ts", `type __q = ${type};`, ts.ScriptTarget.Latest, true);
  let found = false;
  const visit = (node: ts.Node): void => {
    if (found) return;
    let name: ts.EntityName | ts.Expression | undefined;
    if (ts.isTypeReferenceNode(node)) name = node.typeName;
    else if (ts.isTypeQueryNode(node)) name = node.exprName;
    else if (ts.isExpressionWithTypeArguments(node)) name = node.expression;
    while (name && (ts.isQualifiedName(name) || ts.isPropertyAccessExpression(name))) name = ts.isQualifiedName(name) ? name.left : name.expression;
    if (name && ts.isIdentifier(name) && names.has(name.text)) found = true;
    else ts.forEachChild(node, visit);
  };
  visit(source);
  return found;
}

/**
 * How to name a contract inside the question scope: its callee type (callables) and its type as a
 * value (what its users hold: a function's or class's `typeof`, a member's type, an alias's type).
 * Members of generic parents are instantiated with the same opaque arguments on both sides (the
 * old parent's arity, each within its constraint).
 */
export function reference(side: string, c: Contract, sameSide: Contract[], oldNames: Map<string, Contract>, qualify: (type: string) => string = (t) => t): { callee?: string; value?: string; construct?: boolean } | undefined {
  const byName = new Map(sameSide.map((x) => [x.symbol.name, x]));
  const chain: Contract[] = [];
  for (let name: string | undefined = c.symbol.name; name !== undefined; name = parentOf(name)) {
    const node = byName.get(name);
    if (!node) return undefined;
    chain.unshift(node);
  }
  const args = (x: Contract) => {
    const typeParams = oldNames.get(x.symbol.name)?.typeParams ?? x.typeParams;
    return typeParams?.length ? `<${typeParams.map((p, i) => (p.constraint ? `(${qualify(p.constraint)}) & __GatehouseMarker${i % 8}` : `__GatehouseMarker${i % 8}`)).join(", ")}>` : "";
  };
  // value path (for typeof) and type path, built from the root down
  let valuePath = `${side}.${chain[0]!.symbol.name === "default" ? "default" : localName(chain[0]!.symbol.name)}`;
  let typePath = valuePath;
  let typeWithArgs = `${typePath}${args(chain[0]!)}`;
  let parent = chain[0]!;
  for (const node of chain.slice(1)) {
    const key = node.symbol.name.slice(parent.symbol.name.length + 1);
    const isMember = MEMBER_KINDS.has(node.kind);
    if (isMember && (parent.kind === "class" || parent.kind === "interface")) {
      const owner = node.static ? `(typeof ${valuePath})` : typeWithArgs;
      const index = /^\[(.*)\]$/.exec(key);
      if (key === "()" || key === "new()") return { callee: typeWithArgs, construct: key === "new()" };
      const member = index ? `${owner}[${index[1]}]` : `${owner}[${JSON.stringify(key)}]`;
      if (node.kind === "method") return { callee: `NonNullable<${member}>`, value: member };
      return { value: member };
    }
    valuePath = `${valuePath}.${key}`;
    typePath = `${typePath}.${key.replace(/:type$/, "")}`;
    typeWithArgs = `${typePath}${args(node)}`;
    parent = node;
  }
  const last = chain[chain.length - 1]!;
  switch (last.kind) {
    case "function":
      return { callee: `typeof ${valuePath}`, value: `typeof ${valuePath}` };
    case "class":
      return { callee: `typeof ${valuePath}`, value: `typeof ${valuePath}` };
    case "const":
      return { value: `typeof ${valuePath}` };
    case "type":
    case "interface":
      return { value: typeWithArgs };
    default:
      return undefined;
  }
}

/**
 * Answers one question from its probe lines in `source`: a call's parameters and return, or a
 * value's type; a probe the checker cannot resolve leaves the question unanswered.
 */
export function answerQuestion(q: Question, source: ts.SourceFile, checker: ts.TypeChecker, calls: Map<string, CallVerdict>, values: Map<string, Relation>, details: Map<string, ValueDetail> = new Map()): void {
  if (q.kind === "call") {
    const [oldSig, newSig] = q.probeLines.map((l) => resolvedAt(source, l, checker));
    if (!oldSig || !newSig) return;
    const n = Math.min(q.old.params.length, q.fresh.params.length, oldSig.parameters.length, newSig.parameters.length);
    const params: (Relation | undefined)[] = [];
    for (let i = 0; i < n; i++) params.push(relate(checker, checker.getTypeOfSymbol(oldSig.parameters[i]!), checker.getTypeOfSymbol(newSig.parameters[i]!), "argument"));
    calls.set(q.id, { params, returns: relate(checker, checker.getReturnTypeOfSignature(oldSig), checker.getReturnTypeOfSignature(newSig), "reader") });
  } else if (q.declLines.length === 2) {
    const [o, n] = q.declLines.map((l) => aliasTypeAt(source, l, checker));
    if (!o || !n) return;
    const relation = relate(checker, o, n, "reader");
    values.set(q.id, relation);
    if (relation !== "same") details.set(q.id, valueDetail(checker, o, n));
  }
}

/**
 * An overloaded callable's old overloads, each called with its old arguments on the new callable:
 * taken where the call compiles, and returning what that overload returned (or narrower) where the
 * signature the call resolves to does. `clean(line)`: no error on that line.
 */
export function answerOverloads(q: Question, source: ts.SourceFile, checker: ts.TypeChecker, clean: (line: number) => boolean): OverloadVerdict[] | undefined {
  if (!q.overloadLines || q.oldCalleeLine === undefined) return undefined;
  const statement = statementAt(source, q.oldCalleeLine);
  const declaration = statement && ts.isVariableStatement(statement) ? statement.declarationList.declarations[0] : undefined;
  const oldType = declaration ? checker.getTypeAtLocation(declaration.name) : undefined;
  const construct = q.old.kind === "class" || q.old.symbol.name.endsWith(".new()");
  const oldSignatures = oldType ? checker.getSignaturesOfType(oldType, construct ? ts.SignatureKind.Construct : ts.SignatureKind.Call) : [];
  return q.overloadLines.map((line, k) => {
    const takes = clean(line - 1) && clean(line);
    const resolved = takes ? resolvedAt(source, line, checker) : undefined;
    const before = oldSignatures.length === q.overloadLines!.length ? oldSignatures[k] : undefined;
    const relation = resolved && before ? relate(checker, checker.getReturnTypeOfSignature(before), checker.getReturnTypeOfSignature(resolved), "reader") : undefined;
    return { takes, returns: relation === undefined ? undefined : relation === "same" || relation === "narrowed" };
  });
}

/** The members readers lose, and whether writers of old values still fit (the argument rule: a new `any` accepts them). */
export function valueDetail(checker: ts.TypeChecker, old: ts.Type, fresh: ts.Type): ValueDetail {
  const lost = missingMembers(checker, old, fresh);
  return { ...(lost.length > 0 ? { missingMembers: lost } : {}), acceptsOldValues: assignable(checker, old, fresh, "argument") };
}

/**
 * Property names of `old` (as readers see it) that `fresh` lacks: `chalk.keyword` gone from the
 * default export's type. A name the new type still serves through an index signature whose values
 * old readers accept is not lost (axios `AxiosRequestHeaders.post` read through AxiosHeaders's
 * `[key: string]: any`).
 */
export function missingMembers(checker: ts.TypeChecker, old: ts.Type, fresh: ts.Type): string[] {
  const oldApparent = checker.getApparentType(old);
  const newApparent = checker.getApparentType(fresh);
  const names = (t: ts.Type) => new Set(checker.getPropertiesOfType(t).map((p) => p.name).filter((n) => !n.startsWith("__")));
  const now = names(newApparent);
  const servedByIndex = (name: string) => {
    const member = checker.getPropertyOfType(oldApparent, name);
    const numeric = /^\d+$/.test(name);
    const index = checker.getIndexInfosOfType(newApparent).find((i) => (i.keyType.flags & ts.TypeFlags.String) !== 0 || (numeric && (i.keyType.flags & ts.TypeFlags.Number) !== 0));
    return member !== undefined && index !== undefined && assignable(checker, index.type, checker.getTypeOfSymbol(member), "reader");
  };
  return [...names(oldApparent)].filter((n) => !now.has(n) && !servedByIndex(n)).sort();
}

export function relate(checker: ts.TypeChecker, old: ts.Type, fresh: ts.Type, rule: Rule): Relation {
  const accepts = assignable(checker, old, fresh, rule);
  const back = assignable(checker, fresh, old, rule);
  return accepts && back ? "same" : accepts ? "widened" : back ? "narrowed" : "changed";
}

function assignable(checker: ts.TypeChecker, source: ts.Type, target: ts.Type, rule: Rule): boolean {
  const isAny = (t: ts.Type) => (t.flags & ts.TypeFlags.Any) !== 0;
  if (rule === "argument") {
    if (isAny(target)) return true;
    if (isAny(source)) return (target.flags & ts.TypeFlags.Unknown) !== 0;
  } else {
    if (isAny(source)) return true;
    if (isAny(target)) return false;
  }
  return checker.isTypeAssignableTo(source, target);
}

function statementAt(source: ts.SourceFile, line: number): ts.Statement | undefined {
  return source.statements.find((s) => source.getLineAndCharacterOfPosition(s.getStart(source)).line === line);
}

export function resolvedAt(source: ts.SourceFile, line: number, checker: ts.TypeChecker): ts.Signature | undefined {
  const statement = statementAt(source, line);
  if (!statement || !ts.isExpressionStatement(statement)) return undefined;
  const e = statement.expression;
  if (!ts.isCallExpression(e) && !ts.isNewExpression(e)) return undefined;
  return checker.getResolvedSignature(e);
}

export function aliasTypeAt(source: ts.SourceFile, line: number, checker: ts.TypeChecker): ts.Type | undefined {
  const statement = statementAt(source, line);
  return statement && ts.isTypeAliasDeclaration(statement) ? checker.getTypeFromTypeNode(statement.type) : undefined;
}

/** The declaration with type parameters that starts on `line`. */
function declarationAt(source: ts.SourceFile, line: number): { typeParameters?: ts.NodeArray<ts.TypeParameterDeclaration> | undefined } | undefined {
  let found: { typeParameters?: ts.NodeArray<ts.TypeParameterDeclaration> } | undefined;
  const visit = (node: ts.Node): void => {
    if (found) return;
    if ("typeParameters" in node && source.getLineAndCharacterOfPosition(node.getStart(source)).line === line) {
      found = node as { typeParameters?: ts.NodeArray<ts.TypeParameterDeclaration> };
      return;
    }
    ts.forEachChild(node, visit);
  };
  visit(source);
  return found;
}

/** `React.ReactNode<…>` at a position: the dotted path and the number of type arguments. */
function qualifiedNameAt(text: string, start: number): { path: string[]; arity: number } | undefined {
  const match = /^[A-Za-z_$][\w$]*(?:\s*\.\s*[A-Za-z_$][\w$]*)*/.exec(text.slice(start, start + 400));
  if (!match) return undefined;
  const path = match[0].split(".").map((s) => s.trim());
  let i = start + match[0].length;
  while (text[i] === " ") i++;
  if (text[i] !== "<") return { path, arity: 0 };
  let depth = 0;
  let arity = 1;
  for (; i < text.length; i++) {
    const ch = text[i];
    if (ch === "<" || ch === "(" || ch === "[" || ch === "{") depth++;
    else if (ch === ">" || ch === ")" || ch === "]" || ch === "}") {
      depth--;
      if (depth === 0) break;
    } else if (ch === "," && depth === 1) arity++;
  }
  return { path, arity };
}

function addPlaceholder(placeholders: Map<string, { arity: number; members: Map<string, number> }>, path: string[], arity: number): boolean {
  const head = path[0]!;
  const entry = placeholders.get(head) ?? { arity: 0, members: new Map<string, number>() };
  const isNew = !placeholders.has(head);
  placeholders.set(head, entry);
  if (path.length === 1) {
    if (arity <= entry.arity && !isNew) return false;
    entry.arity = Math.max(entry.arity, arity);
    return true;
  }
  const member = path.slice(1).join(".");
  if ((entry.members.get(member) ?? -1) >= arity) return false;
  entry.members.set(member, arity);
  return true;
}

/** Opaque, distinct types for unresolved names (a global script, shared by both sides). */
function placeholderText(placeholders: Map<string, { arity: number; members: Map<string, number> }>): string {
  const opaque = (name: string, full: string, arity: number) => {
    const params = Array.from({ length: arity }, (_, i) => `A${i} = unknown`);
    const args = Array.from({ length: arity }, (_, i) => `A${i}`);
    return `interface ${name}${params.length ? `<${params.join(", ")}>` : ""} { readonly ${JSON.stringify(`__gatehouse_opaque:${full}`)}: [${args.join(", ")}] }`;
  };
  let text = "";
  for (const [name, entry] of [...placeholders].sort(([a], [b]) => (a < b ? -1 : 1))) {
    if (entry.members.size === 0 || entry.arity > 0) {
      text += `${opaque(name, name, entry.arity)}\ndeclare const ${name}: ${name};\n`;
    }
    if (entry.members.size > 0) {
      // Nested paths (`A.B.C`) become nested namespaces.
      const nested = new Map<string, string[]>();
      for (const [member, arity] of entry.members) {
        const parts = member.split(".");
        const ns = parts.slice(0, -1).join(".");
        nested.set(ns, [...(nested.get(ns) ?? []), opaque(parts[parts.length - 1]!, `${name}.${member}`, arity)]);
      }
      for (const [ns, decls] of nested) text += `declare namespace ${name}${ns ? `.${ns}` : ""} { ${decls.join(" ")} }\n`;
    }
  }
  return text;
}
