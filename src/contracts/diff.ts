// Diff two contract sets and classify every change with one stable code and one severity.
// TypeScript type positions follow semver-ts: parameters are contravariant (widening is safe,
// narrowing breaks), returns and readable values covariant (narrowing is only risky, widening
// breaks), writable properties both. Text is the first pass: equal text is no change. Where types
// differ textually, the TypeScript checker decides (ts/judge.ts: old and new declarations in one
// Program, assignability in the direction that matters); where it cannot (a declaration the
// compiler rejects), syntax decides: union members only (a strict superset of the old members is
// wider, a strict subset narrower, a missing annotation is `any`), any other difference "changed".
// Python parameter kinds follow griffe: positional-only or keyword-only may relax to
// positional-or-keyword; every other kind change, a moved positional parameter, an added required
// or removed parameter breaks callers.

import { createHash } from "node:crypto";
import canonicalizeModule from "canonicalize";
import type { ChangeSeverity, Contract, ContractParam, ContractSignature } from "./model.js";
import { CALLABLE_KINDS, contractId } from "./model.js";
import { PYTHON_ALSO_AT, PYTHON_DYNAMIC, PYTHON_OVERRIDES, PYTHON_UNLISTED } from "./py/exports.js";
import { namesSubclass, PYTHON_TYPE_REFS, type TypeRef } from "./py/type-refs.js";
import { parentOf } from "./ts/declarations.js";
import { createJudge, type Judge } from "./ts/judge.js";
import { type TypeRelation, typeRelation } from "./type-relation.js";

export { type TypeRelation, typeRelation, unionMembers } from "./type-relation.js";

export const CHANGE_CODES = {
  "contracts/symbol-removed": { severity: "BREAKING", summary: "an exported symbol was removed" },
  "contracts/stable-removed": { severity: "BREAKING", summary: "a @stable contract was removed without being deprecated first" },
  "contracts/deprecated-removed": { severity: "BREAKING", summary: "a @deprecated contract was removed (its replacement must be named)" },
  "contracts/symbol-renamed": { severity: "BREAKING", summary: "an export was removed and another with the same signature added: a rename" },
  "contracts/kind-changed": { severity: "BREAKING", summary: "the symbol changed kind (function, class, method)" },
  "contracts/param-required-added": { severity: "BREAKING", summary: "a required parameter was added" },
  "contracts/param-removed": { severity: "BREAKING", summary: "a parameter (required or optional) was removed" },
  "contracts/param-became-required": { severity: "BREAKING", summary: "an optional parameter became required" },
  "contracts/param-became-optional": { severity: "BREAKING", summary: "a required parameter became optional" },
  "contracts/param-kind-changed": { severity: "BREAKING", summary: "a Python parameter kind changed in a way that breaks callers" },
  "contracts/param-moved": { severity: "BREAKING", summary: "a positional parameter moved" },
  "contracts/param-type-narrowed": { severity: "BREAKING", summary: "a parameter type was narrowed" },
  "contracts/param-type-changed": { severity: "BREAKING", summary: "a parameter type changed" },
  "contracts/return-type-widened": { severity: "BREAKING", summary: "a return type was widened" },
  "contracts/return-type-changed": { severity: "BREAKING", summary: "a return type changed" },
  "contracts/overload-removed": { severity: "BREAKING", summary: "an overload signature was removed" },
  "contracts/side-effect-added": { severity: "BREAKING", summary: "a side effect was added" },
  "contracts/side-effect-removed": { severity: "BREAKING", summary: "a side effect was removed" },
  "contracts/default-changed": { severity: "RISKY", summary: "a parameter default value changed" },
  "contracts/errors-changed": { severity: "RISKY", summary: "the declared errors (@throws) changed" },
  "contracts/return-type-narrowed": { severity: "RISKY", summary: "a return type was narrowed" },
  "contracts/side-effect-changed": { severity: "RISKY", summary: "a side effect's qualifiers changed (same kind)" },
  "contracts/stability-downgraded": { severity: "RISKY", summary: "stability went down (stable to experimental, anything to deprecated)" },
  "contracts/annotation-changed": { severity: "RISKY", summary: "a Python type annotation changed (not enforced at run time)" },
  "contracts/type-widened": { severity: "BREAKING", summary: "the type of a property or const was widened: readers get values they did not handle" },
  "contracts/type-changed": { severity: "BREAKING", summary: "the type of a property, const or type alias changed to an unrelated type, or a writable property's type was narrowed (writers break)" },
  "contracts/property-became-optional": { severity: "BREAKING", summary: "a property or method became optional: readers get undefined" },
  "contracts/readonly-added": { severity: "BREAKING", summary: "a property became read-only (readonly, or its setter removed): writers break" },
  "contracts/static-changed": { severity: "BREAKING", summary: "a class member moved between static and instance" },
  "contracts/type-param-added": { severity: "BREAKING", summary: "a type parameter without a default was added to a type: references without type arguments break" },
  "contracts/type-param-removed": { severity: "BREAKING", summary: "a type parameter was removed: references with type arguments break" },
  "contracts/type-param-default-changed": { severity: "BREAKING", summary: "a type parameter's default changed or was removed: references that rely on it get another type" },
  "contracts/type-param-constraint-narrowed": { severity: "BREAKING", summary: "a type parameter's constraint was narrowed or changed: some type arguments no longer satisfy it" },
  "contracts/type-narrowed": { severity: "RISKY", summary: "the type of a read-only property or const was narrowed" },
  "contracts/alias-changed": { severity: "RISKY", summary: "a type alias now names a wider or narrower type: safe where callers pass it, breaking where they receive it" },
  "contracts/property-became-required": { severity: "RISKY", summary: "an optional property became required: code that builds the object must set it" },
  "contracts/property-required-added": { severity: "RISKY", summary: "an interface gained a required member: code that builds the object breaks, readers do not" },
  "contracts/enum-value-changed": { severity: "RISKY", summary: "an enum member's value changed: stored or serialised values mean something else" },
  "contracts/symbol-added": { severity: "SAFE", summary: "a new export" },
  "contracts/type-param-optional-added": { severity: "SAFE", summary: "a type parameter with a default was added to a type" },
  "contracts/param-optional-added": { severity: "SAFE", summary: "an optional parameter was added" },
  "contracts/overload-added": { severity: "SAFE", summary: "an overload signature was added" },
  "contracts/stability-upgraded": { severity: "SAFE", summary: "stability went up (e.g. experimental to stable)" },
} as const satisfies Record<string, { severity: ChangeSeverity; summary: string }>;

export type ChangeCode = keyof typeof CHANGE_CODES;

export interface ContractChange {
  code: ChangeCode;
  severity: ChangeSeverity;
  /** `module#name` of the contract (the old one for removals and renames) */
  id: string;
  symbol: { name: string; module: string };
  language: Contract["language"];
  message: string;
  /** the parameter concerned, when there is one */
  param?: string;
  before?: string;
  after?: string;
  /** renames: the new id */
  renamedTo?: string;
  /** deprecated removals: the replacement the contract named */
  replacement?: string;
  /**
   * What a decision binds to: a hash of the code, the symbol, the parameter and the old and new
   * contracts (curated fields aside). Another change of the same symbol has another fingerprint.
   */
  fingerprint: string;
}

export interface DiffOptions {
  /** let the TypeScript checker decide textual type differences (default true) */
  checker?: boolean;
  /** the old and the new source roots (absolute) when both are on disk: the checker reads them (ts/source-judge.ts) */
  sources?: { old: string; new: string };
}

export function diffContracts(before: Contract[], after: Contract[], options: DiffOptions = {}): ContractChange[] {
  const judge = options.checker === false ? undefined : createJudge(before, after, options.sources ? { sources: options.sources } : {});
  const oldById = new Map(before.map((c) => [contractId(c), c]));
  const newById = new Map(after.map((c) => [contractId(c), c]));
  const changes: ContractChange[] = [];
  // A member gone from its parent's own members but still the parent's through `extends` is not
  // removed: its type decides.
  const inherited = new Set<string>();
  for (const c of before) {
    const relation = newById.has(contractId(c)) ? undefined : judge?.inherited?.(c);
    if (relation === undefined) continue;
    inherited.add(contractId(c));
    changes.push(...inheritedChange(c, relation));
  }
  // A declaration recorded only because a public signature reached it (`unexported`) is no API
  // of its own: it appearing or ceasing to be reached is the change to the signature that names
  // it, judged there; what changes inside it while reached is judged like an exported type's.
  const reachedRoot = (c: Contract, byId: Map<string, Contract>): boolean => byId.get(rootId(c, byId))?.unexported === true;
  const added = after.filter((c) => !oldById.has(contractId(c)) && !(reachedRoot(c, newById) && !oldById.has(rootId(c, newById))));
  // Python: a definition now listed under another path (its package re-exports it, a new
  // `__all__` leaves it out) but still bound at the old one is importable as before: no removal.
  const stillBound = new Set(after.filter((c) => c.language === "python").flatMap((c) => (PYTHON_ALSO_AT.get(c) ?? []).map((at) => `${at}\0${signatureKey(c, false)}`)));
  // Python: a definition a new `__all__` leaves out (public nowhere else) is still importable by
  // name: RISKY, reported once for the top-level name, as only `import *` loses it.
  const unlisted = PYTHON_UNLISTED.get(after);
  const topLevelId = (c: Contract) => `${c.symbol.module}#${c.symbol.name.split(".")[0]}`;
  const nowUnlisted = (c: Contract) => c.language === "python" && unlisted !== undefined && unlisted.has(topLevelId(c));
  // Python: an override that called the method it overrides (`super().updatepos(i, j)`), removed
  // from a class that remains, leaves the base class's method: callers still find it.
  const baseMethodLeft = (c: Contract) => c.kind === "method" && PYTHON_OVERRIDES.has(c) && newById.get(`${c.symbol.module}#${parentOf(c.symbol.name)}`)?.kind === "class";
  const removed = before.filter((c) => !newById.has(contractId(c)) && !(reachedRoot(c, oldById) && !newById.has(rootId(c, oldById))) && !inherited.has(contractId(c)) && !stillBound.has(`${contractId(c)}\0${signatureKey(c, false)}`) && !nowUnlisted(c) && !baseMethodLeft(c));
  for (const c of before) {
    if (newById.has(contractId(c)) || !nowUnlisted(c) || topLevelId(c) !== contractId(c)) continue;
    changes.push(change("contracts/stability-downgraded", c, `${contractId(c)}: no longer public (the module's new __all__ leaves it out), still importable by name`, { before: c.stability?.level ?? "unspecified", after: "unlisted" }));
  }

  // A removal and an addition with the same signature, unique on both sides, is one rename.
  // Python: the members of a class now served by `__getattr__` are not renamed (nor reported).
  const dynamicNow = new Set(after.filter((c) => PYTHON_DYNAMIC.has(c)).map(contractId));
  const underDynamic = (c: Contract) => c.language === "python" && [...dynamicNow].some((id) => contractId(c).startsWith(`${id}.`));
  const addedByKey = groupBy(added, signatureKey);
  const removedByKey = groupBy(removed, signatureKey);
  const renamed = new Set<Contract>();
  for (const old of removed) {
    if (underDynamic(old)) continue;
    const key = signatureKey(old);
    const candidates = addedByKey.get(key) ?? [];
    if (candidates.length !== 1 || removedByKey.get(key)!.length !== 1) continue;
    const replacement = candidates[0]!;
    renamed.add(old).add(replacement);
    changes.push(change("contracts/symbol-renamed", old, `${contractId(old)} was renamed to ${contractId(replacement)}`, { renamedTo: contractId(replacement) }));
  }

  // A function that moved to another module under the same name (unique both ways) is a rename
  // of its module path: one change, not a removal plus an addition.
  const movedKey = (c: Contract) => `${c.symbol.name}\0${signatureKey(c, false)}`;
  const addedByMove = groupBy(added.filter((c) => !renamed.has(c)), movedKey);
  const removedByMove = groupBy(removed.filter((c) => !renamed.has(c)), movedKey);
  for (const old of removed) {
    if (renamed.has(old) || old.kind === "method") continue;
    const key = movedKey(old);
    const candidates = addedByMove.get(key) ?? [];
    if (candidates.length !== 1 || removedByMove.get(key)!.length !== 1) continue;
    const replacement = candidates[0]!;
    renamed.add(old).add(replacement);
    changes.push(change("contracts/symbol-renamed", old, `${contractId(old)} moved to ${contractId(replacement)}`, { renamedTo: contractId(replacement) }));
  }

  // A removed class, interface, enum or namespace reports once, not once per member; so does a
  // symbol whose kind changed (its members are another kind's).
  const removedParents = new Set(removed.filter((c) => !renamed.has(c)).map(contractId));
  const kindChanged = new Set(before.filter((c) => newById.has(contractId(c)) && newById.get(contractId(c))!.kind !== c.kind).map(contractId));
  const underRemoved = (c: Contract, parents: Set<string>) => {
    for (let name = parentOf(c.symbol.name); name !== undefined; name = parentOf(name)) if (parents.has(`${c.symbol.module}#${name}`)) return true;
    return false;
  };
  const oldParents = new Set(before.map(contractId));
  for (const old of removed) {
    if (renamed.has(old)) continue;
    if (underRemoved(old, removedParents) || underRemoved(old, kindChanged)) continue;
    const id = contractId(old);
    if (old.stability?.level === "deprecated") {
      changes.push(change("contracts/deprecated-removed", old, `deprecated ${id} was removed${old.stability.replacement ? ` (replacement: ${old.stability.replacement})` : " without naming a replacement"}`, old.stability.replacement ? { replacement: old.stability.replacement } : {}));
    } else if (old.stability?.level === "stable") {
      changes.push(change("contracts/stable-removed", old, `stable ${id} was removed without being deprecated first`));
    } else {
      changes.push(change("contracts/symbol-removed", old, `${id} was removed`));
    }
  }
  for (const fresh of added) {
    if (renamed.has(fresh) || underRemoved(fresh, kindChanged)) continue;
    const parent = parentOf(fresh.symbol.name);
    const parentContract = parent !== undefined ? newById.get(`${fresh.symbol.module}#${parent}`) : undefined;
    // An interface gaining a required member breaks whoever builds the object (not a new parent).
    const isRequiredMember = (fresh.kind === "property" || fresh.kind === "method") && !fresh.optional && !fresh.symbol.name.endsWith(".()") && !/\.\[.*\]$/.test(fresh.symbol.name);
    // So does an abstract member added to a class: every subclass must implement it.
    if ((parentContract?.kind === "interface" || (parentContract?.kind === "class" && fresh.abstract)) && oldParents.has(contractId(parentContract)) && isRequiredMember) {
      changes.push(change("contracts/property-required-added", fresh, `${contractId(parentContract)} gained the required member ${fresh.symbol.name.slice(parent!.length + 1)}`));
    } else {
      changes.push(change("contracts/symbol-added", fresh, `${contractId(fresh)} was added`));
    }
  }
  for (const old of before) {
    const fresh = newById.get(contractId(old));
    if (!fresh) continue;
    // An export that is now only reached (its `export` dropped): callers that named it break.
    if (!old.unexported && fresh.unexported && rootId(fresh, newById) === contractId(fresh)) changes.push(change("contracts/symbol-removed", old, `${contractId(old)} is no longer exported (a public signature still reaches it)`));
    changes.push(...compareContract(old, fresh, judge));
  }
  for (const c of changes) c.fingerprint = fingerprintOf(c, oldById.get(c.id), newById.get(c.renamedTo ?? c.id));
  return changes.sort(compareChanges);
}

/** The id of a contract's outermost recorded parent (itself when it has none). */
function rootId(c: Contract, byId: Map<string, Contract>): string {
  let root = contractId(c);
  for (let name = parentOf(c.symbol.name); name !== undefined; name = parentOf(name)) if (byId.has(`${c.symbol.module}#${name}`)) root = `${c.symbol.module}#${name}`;
  return root;
}

/** A member that moved to a base type: no change when its type is the same, else as a value would be. */
function inheritedChange(old: Contract, relation: TypeRelation): ContractChange[] {
  const id = contractId(old);
  if (relation === "same") return [];
  const detail = { before: old.type ?? "", after: "(inherited)" };
  if (relation === "narrowed" && old.readonly) return [change("contracts/type-narrowed", old, `${id}: now inherited, its type narrowed`, detail)];
  if (relation === "widened") return [change("contracts/type-widened", old, `${id}: now inherited, its type widened`, detail)];
  return [change("contracts/type-changed", old, `${id}: now inherited, its type ${relation === "narrowed" ? "narrowed, so writers of old values break" : "changed"}`, detail)];
}

// canonicalize ships CommonJS whose default export is the function itself.
type Canonicalize = (value: unknown) => string | undefined;
const canonicalize: Canonicalize = (canonicalizeModule as unknown as { default?: Canonicalize }).default ?? (canonicalizeModule as unknown as Canonicalize);

/** The contract as a decision sees it: without what people curate (consumers, tests, since). */
function decided(contract: Contract | undefined): unknown {
  if (!contract) return null;
  const { consumers: _consumers, tests: _tests, since: _since, ...rest } = contract;
  return rest;
}

export function fingerprintOf(change: Pick<ContractChange, "code" | "id" | "param">, before: Contract | undefined, after: Contract | undefined): string {
  const text = canonicalize([change.code, change.id, change.param ?? "", decided(before), decided(after)]) ?? "";
  return createHash("sha256").update(text).digest("hex").slice(0, 16);
}

export function compareChanges(a: ContractChange, b: ContractChange): number {
  return cmp(a.id, b.id) || cmp(a.code, b.code) || cmp(a.param ?? "", b.param ?? "") || cmp(a.message, b.message);
}

function cmp(a: string, b: string): number {
  return a < b ? -1 : a > b ? 1 : 0;
}

function change(code: ChangeCode, contract: Contract, message: string, extra: Partial<ContractChange> = {}): ContractChange {
  // The fingerprint is set once every change is known (diffContracts).
  return { code, severity: CHANGE_CODES[code].severity, id: contractId(contract), symbol: contract.symbol, language: contract.language, message, fingerprint: "", ...extra };
}

function groupBy<T>(items: T[], key: (item: T) => string): Map<string, T[]> {
  const map = new Map<string, T[]>();
  for (const item of items) map.set(key(item), [...(map.get(key(item)) ?? []), item]);
  return map;
}

function signatureKey(c: Contract, withModule = true): string {
  const sig = (s: ContractSignature) => ({ params: s.params.map((p) => [p.name, p.type ?? "", p.required, p.default ?? "", p.kind ?? "", p.rest ?? false]), returns: s.returns.type ?? "" });
  const shape = [c.type ?? "", c.optional ?? false, c.readonly ?? false, c.static ?? false, JSON.stringify(c.typeParams ?? [])];
  return JSON.stringify([c.language, c.kind, withModule ? c.symbol.module : "", sig(c), (c.overloads ?? []).map(sig), shape]);
}

const TYPE_KINDS = new Set(["interface", "type"]);
const MEMBER_KINDS = new Set(["property", "method"]);

function compareContract(old: Contract, fresh: Contract, judge: Judge | undefined): ContractChange[] {
  const id = contractId(old);
  // A name a Python module still serves through `__getattr__` (a deprecated alias) is importable.
  if (PYTHON_DYNAMIC.has(fresh)) return old.stability?.level === "deprecated" ? [] : [change("contracts/stability-downgraded", old, `${id}: now a deprecated name served by the module's __getattr__`, { before: old.stability?.level ?? "unspecified", after: "deprecated" })];
  if (old.kind !== fresh.kind) {
    // `interface X {…}` rewritten as `type X = {…}` is no change when the checker finds the same type.
    if (TYPE_KINDS.has(old.kind) && TYPE_KINDS.has(fresh.kind) && judge?.value(old) === "same") return [];
    // An unexported type a signature reaches cannot be named by callers: an alias rewritten as an
    // interface (or back) is judged where it is used, by the positions that name it.
    if (old.unexported && fresh.unexported && TYPE_KINDS.has(old.kind) && TYPE_KINDS.has(fresh.kind)) return [];
    // A function-typed property rewritten as a method (or back) of the same type is no change.
    if (MEMBER_KINDS.has(old.kind) && MEMBER_KINDS.has(fresh.kind) && judge?.value(old) === "same") return compareMemberFlags(old, fresh);
    // A function-typed property rewritten as overloaded methods that still serve every old call
    // (axios `getAccept: AxiosHeaderGetter` → `getAccept(parser?: RegExp)` + `getAccept(matcher?)`):
    // readers lose nothing; a method's parameters are bivariant, so the compiler takes old writers too.
    if (old.kind === "property" && fresh.kind === "method" && judge?.value(old) === "narrowed") {
      return [...compareMemberFlags(old, fresh), change("contracts/type-narrowed", old, `${id}: now a method whose type is narrower than the old property's`, { before: old.type ?? "", after: "(method)" })];
    }
    return [change("contracts/kind-changed", old, `${id} changed from ${old.kind} to ${fresh.kind}`, { before: old.kind, after: fresh.kind })];
  }
  const out: ContractChange[] = [];
  // `export type { X }` of a value: `new X()`, `X()` and reads of X no longer compile.
  if (old.kind === "enum" && !old.constEnum && fresh.constEnum) out.push(change("contracts/kind-changed", old, `${id} became a const enum: it has no object at run time, so uses of ${old.symbol.name} itself (Object.values, passing it, ${old.symbol.name}[0]) no longer compile`, { before: "enum", after: "const enum" }));
  if (!old.typeOnly && fresh.typeOnly) out.push(change("contracts/kind-changed", old, `${id} is now exported as a type only (export type / import type): callers can no longer call, construct or read it`, { before: old.kind, after: `type-only ${fresh.kind}` }));
  const oldSigs = old.overloads ?? [old];
  const newSigs = fresh.overloads ?? [fresh];
  if (old.language !== "python") out.push(...compareTypeParams(old, fresh, judge));
  if (!CALLABLE_KINDS.has(old.kind)) {
    out.push(...(old.language === "python" ? comparePythonValue(old, fresh) : compareTsValue(old, fresh, judge)));
  } else if (oldSigs.length > 1 || newSigs.length > 1) {
    const key = (s: ContractSignature) => JSON.stringify([s.params.map((p) => [p.type ?? "", p.required, p.rest ?? false]), s.returns.type ?? "", s.thisType ?? ""]);
    const newKeys = new Set(newSigs.map(key));
    const oldKeys = new Set(oldSigs.map(key));
    // The checker: the new callable used wherever the old one was (every old overload has a new
    // one that accepts its calls and returns what it returned) removes no overload.
    const relation = judge?.value(old);
    const covered = relation === "same" || relation === "narrowed";
    // Per old overload, whether the new callable still takes its old arguments: the one that lost
    // calls is named, though its text may be unchanged (execa 8.0.1: `options?: Options`, whose
    // `encoding` no longer takes "latin1"); one whose text is gone is removed unless the new
    // callable takes its calls and returns what that overload returned (execa's `Options<null>` →
    // `Options<BufferEncodingOption>`; commander's `executableDir(): string` → `string | null` is removed).
    const served = old.overloads?.length ? judge?.overloads?.(old) : undefined;
    const removed = (s: ContractSignature, k: number) => {
      const verdict = served?.length === oldSigs.length ? served[k] : undefined;
      if (!verdict) return !newKeys.has(key(s));
      return !verdict.takes || (!newKeys.has(key(s)) && verdict.returns !== true);
    };
    for (const [k, s] of oldSigs.entries()) if (removed(s, k) && !covered) out.push(change("contracts/overload-removed", old, `${id}: overload (${renderParams(s.params)}) was removed`, { before: renderParams(s.params) }));
    for (const s of newSigs) if (!oldKeys.has(key(s))) out.push(change("contracts/overload-added", old, `${id}: overload (${renderParams(s.params)}) was added`, { after: renderParams(s.params) }));
  } else if (old.language === "python") {
    // `C.m(x)` on the class breaks when m is no longer a static or class method; the other way,
    // an instance's calls still work.
    if (old.kind === "method" && !old.abstract && fresh.abstract) out.push(change("contracts/property-required-added", old, `${id} became abstract: every subclass must implement it`));
    if (old.kind === "class" && !old.readonly && fresh.readonly) out.push(change("contracts/readonly-added", old, `${id} became frozen: assigning a field of an instance raises`));
    if (old.kind === "method" && old.static && !fresh.static) out.push(change("contracts/static-changed", old, `${id} is no longer a static or class method: calls on the class (${old.symbol.name}(…)) break`));
    out.push(...comparePythonParams(old, fresh));
    out.push(...comparePythonReturns(old, fresh));
    out.push(...compareAsync(old, fresh));
  } else {
    const verdict = judge?.call(old);
    out.push(...compareThis(old, fresh));
    out.push(...compareTsParams(old, fresh, verdict?.params));
    out.push(...compareTsReturns(old, fresh, verdict?.returns));
    out.push(...compareMemberFlags(old, fresh));
    out.push(...compareAsync(old, fresh));
  }
  out.push(...compareGenerator(old, fresh));
  out.push(...compareConstruct(old, fresh));
  out.push(...compareSideEffects(old, fresh));
  if (JSON.stringify(old.errors) !== JSON.stringify(fresh.errors)) {
    out.push(change("contracts/errors-changed", old, `${id}: declared errors changed from [${old.errors.join(", ")}] to [${fresh.errors.join(", ")}]`, { before: old.errors.join(", "), after: fresh.errors.join(", ") }));
  }
  const before = stabilityRank(old.stability?.level);
  const after = stabilityRank(fresh.stability?.level);
  const levels = { before: old.stability?.level ?? "unspecified", after: fresh.stability?.level ?? "unspecified" };
  if (after < before) out.push(change("contracts/stability-downgraded", old, `${id}: stability went from ${levels.before} to ${levels.after}`, levels));
  if (after > before) out.push(change("contracts/stability-upgraded", old, `${id}: stability went from ${levels.before} to ${levels.after}`, levels));
  return out;
}

function stabilityRank(level: string | undefined): number {
  return level === "stable" ? 2 : level === "deprecated" ? 0 : 1;
}

function renderParams(params: ContractParam[]): string {
  return params.map((p) => `${p.rest ? "..." : ""}${p.name}${p.required ? "" : "?"}${p.type ? `: ${p.type}` : ""}`).join(", ");
}

function compareTsParams(old: Contract, fresh: Contract, judged: (TypeRelation | undefined)[] | undefined): ContractChange[] {
  const id = contractId(old);
  const out: ContractChange[] = [];
  // Callers pass TS arguments by position: compare position by position, names do not matter.
  const count = Math.max(old.params.length, fresh.params.length);
  for (let i = 0; i < count; i++) {
    const a = old.params[i];
    const b = fresh.params[i];
    if (a && !b) {
      out.push(change("contracts/param-removed", old, `${id}: parameter ${a.name} was removed`, { param: a.name }));
    } else if (!a && b) {
      const code = b.required ? "contracts/param-required-added" : "contracts/param-optional-added";
      out.push(change(code, old, `${id}: ${b.required ? "required" : "optional"} parameter ${b.name} was added`, { param: b.name }));
    } else if (a && b) {
      if (a.required && !b.required) out.push(change("contracts/param-became-optional", old, `${id}: parameter ${b.name} became optional`, { param: b.name }));
      if (!a.required && b.required) out.push(change("contracts/param-became-required", old, `${id}: parameter ${b.name} became required`, { param: b.name }));
      if (Boolean(a.rest) !== Boolean(b.rest)) {
        out.push(change("contracts/param-type-changed", old, `${id}: parameter ${b.name} ${b.rest ? "became" : "is no longer"} a rest parameter`, { param: b.name }));
      } else {
        // Equal text is the same type; otherwise the checker's answer, else the syntax one. Type
        // parameter changes can change a parameter's meaning without changing its text.
        const textSame = (a.type ?? "any") === (b.type ?? "any") && JSON.stringify(old.typeParams ?? []) === JSON.stringify(fresh.typeParams ?? []);
        const relation = textSame ? "same" : (judged?.[i] ?? typeRelation(a.type, b.type));
        const detail = { param: b.name, before: a.type ?? "any", after: b.type ?? "any" };
        if (relation === "narrowed") out.push(change("contracts/param-type-narrowed", old, `${id}: parameter ${b.name} narrowed from ${detail.before} to ${detail.after}`, detail));
        if (relation === "changed") out.push(change("contracts/param-type-changed", old, `${id}: parameter ${b.name} changed from ${detail.before} to ${detail.after}`, detail));
      }
      if (!a.required && !b.required && a.default !== undefined && b.default !== undefined && a.default !== b.default) {
        out.push(change("contracts/default-changed", old, `${id}: default of ${b.name} changed from ${a.default} to ${b.default}`, { param: b.name, before: a.default, after: b.default }));
      }
    }
  }
  // Positions decide what an argument means, and a name is what it means: a parameter whose name
  // is now at another position (`copy(src, dest)` → `copy(dest, src)`, an optional parameter
  // inserted before `b?`) takes the argument old callers pass for another. Compared by position
  // alone, a swap of two parameters of one type, or an insertion, read as no change or SAFE.
  // A rename at the same position is still no change; destructured parameters have no name.
  const named = (name: string) => /^[\p{L}_$][\p{L}\p{N}_$]*$/u.test(name);
  fresh.params.forEach((b, j) => {
    const i = old.params.findIndex((a) => a.name === b.name);
    if (i < 0 || i === j || !named(b.name)) return;
    out.push(change("contracts/param-moved", old, `${id}: positional parameter ${b.name} moved from position ${i} to ${j}`, { param: b.name }));
  });
  return out;
}

function compareTsReturns(old: Contract, fresh: Contract, judged: TypeRelation | undefined): ContractChange[] {
  const a = old.returns.type ?? old.returns.inferred;
  const b = fresh.returns.type ?? fresh.returns.inferred;
  const id = contractId(old);
  // A return type declared before and not now is whatever the body returns, which syntax mode
  // does not read (`f(): string` → `f() { return a.length }` read as no change): fail closed.
  if (a !== undefined && b === undefined) return [change("contracts/return-type-changed", old, `${id}: return type ${a} is no longer declared, so callers get whatever the body returns (declare it, or extract with --types)`, { before: a, after: "(undeclared)" })];
  // Without a declared (or inferred) type on the old side there is nothing to compare.
  if (a === undefined || b === undefined) return [];
  const detail = { before: a, after: b };
  const textSame = a === b && JSON.stringify(old.typeParams ?? []) === JSON.stringify(fresh.typeParams ?? []);
  const predicate = textSame ? undefined : predicateRelation(a, b);
  switch (textSame ? "same" : (predicate ?? judged ?? typeRelation(a, b))) {
    case "widened":
      return [change("contracts/return-type-widened", old, `${id}: return type widened from ${a} to ${b}`, detail)];
    case "narrowed":
      return [change("contracts/return-type-narrowed", old, `${id}: return type narrowed from ${a} to ${b}`, detail)];
    case "changed":
      return [change("contracts/return-type-changed", old, `${id}: return type changed from ${a} to ${b}`, detail)];
    default:
      return [];
  }
}

/**
 * A callable that became async or stopped being async, where no declared return type says what it
 * returns: callers get a promise (a coroutine) where they had the value, or the value where they
 * awaited. Python: `async def` to `def` (or back), unless the plain side is annotated as returning
 * an awaitable; TypeScript: unless both sides have a return type (declared, or inferred with
 * --types), which is compared as a type already (`async` alone does not change it).
 */
function compareAsync(old: Contract, fresh: Contract): ContractChange[] {
  if (Boolean(old.async) === Boolean(fresh.async)) return [];
  const plain = old.async ? fresh : old;
  if (old.language === "python") {
    if (/\b(?:Awaitable|Coroutine|Future|Task)\b/.test(plain.returns.type ?? "")) return [];
  } else if ((old.returns.type ?? old.returns.inferred) !== undefined && (fresh.returns.type ?? fresh.returns.inferred) !== undefined) {
    // Both sides say what they return (declared, or the checker's with --types): compared as types.
    return [];
  }
  const before = old.async ? "async" : "not async";
  const after = fresh.async ? "async" : "not async";
  return [change("contracts/return-type-changed", old, `${contractId(old)}: return type changed: was ${before}, is ${after} (callers ${fresh.async ? "get a promise or coroutine where they had the value" : "get the value where they awaited"})`, { before, after })];
}

/**
 * A callable that became a generator or stopped being one (`function*`, a Python `def` that
 * yields), where the two sides do not both declare what they return: callers get an iterator
 * where they had the value, or the value where they iterated. A body rewritten with `yield` used
 * to be no change when nothing was annotated.
 */
function compareGenerator(old: Contract, fresh: Contract): ContractChange[] {
  if (Boolean(old.generator) === Boolean(fresh.generator)) return [];
  if ((old.returns.type ?? old.returns.inferred) !== undefined && (fresh.returns.type ?? fresh.returns.inferred) !== undefined) return [];
  const before = old.generator ? "a generator" : "not a generator";
  const after = fresh.generator ? "a generator" : "not a generator";
  return [change("contracts/return-type-changed", old, `${contractId(old)}: return type changed: was ${before}, is ${after} (callers ${fresh.generator ? "get an iterator where they had the value" : "get the value where they iterated"})`, { before, after })];
}

const CONSTRUCT_RANK = { abstract: 1, protected: 1, private: 2 } as const;

/**
 * A class callers could construct that they no longer can (`new A()` breaks): it became abstract,
 * or its constructor protected or private (private also stops subclasses). The constructor's
 * parameters were compared alone, so `private constructor` read as no change.
 */
function compareConstruct(old: Contract, fresh: Contract): ContractChange[] {
  if (old.kind !== "class" || fresh.kind !== "class") return [];
  const before = old.construct ? CONSTRUCT_RANK[old.construct] : 0;
  const after = fresh.construct ? CONSTRUCT_RANK[fresh.construct] : 0;
  if (after <= before) return [];
  const said = (c: Contract) => (c.construct === undefined ? "a class callers construct" : c.construct === "abstract" ? "an abstract class" : `a class with a ${c.construct} constructor`);
  return [change("contracts/kind-changed", old, `${contractId(old)} changed from ${said(old)} to ${said(fresh)}: \`new ${old.symbol.name}(…)\` no longer compiles`, { before: old.construct ?? "constructible", after: fresh.construct! })];
}

/** `x is T`, `asserts x`, `asserts x is T`: a return type that narrows an argument for the caller. */
function predicateOf(type: string): { asserts: boolean; param: string; type?: string } | undefined {
  const asserts = /^asserts\s+(this|[A-Za-z_$][\w$]*)(?:\s+is\s+([\s\S]+))?$/.exec(type.trim());
  if (asserts) return { asserts: true, param: asserts[1]!, ...(asserts[2] !== undefined ? { type: asserts[2].trim() } : {}) };
  const guard = /^(this|[A-Za-z_$][\w$]*)\s+is\s+([\s\S]+)$/.exec(type.trim());
  return guard ? { asserts: false, param: guard[1]!, type: guard[2]!.trim() } : undefined;
}

/**
 * A type predicate's change, which the checker reads as a change of `boolean` (or `void`) to
 * itself: a guard or assertion removed (`a is string` to `boolean`, `asserts a is string` to
 * `void`), or naming another parameter or type, breaks callers that relied on the narrowing.
 * Undefined when neither side is a predicate (the usual comparison applies); adding one is a
 * narrowing.
 */
function predicateRelation(a: string, b: string): TypeRelation | undefined {
  const before = predicateOf(a);
  const after = predicateOf(b);
  if (!before && !after) return undefined;
  if (!before) return "narrowed";
  if (!after || before.asserts !== after.asserts || before.param !== after.param) return "changed";
  if (before.type === after.type) return "same";
  if (before.type === undefined || after.type === undefined) return "changed";
  return typeRelation(before.type, after.type) === "same" ? "same" : "changed";
}

/**
 * The `this` a call must supply (`function f(this: Window, …)`): the compiler holds every call
 * to it, and a detached `f(…)` supplies void, so declaring one, or another one, breaks calls
 * that compiled (it is no argument, so the parameters alone read as no change). Dropping it, or
 * one of `any`/`unknown`, takes every old call.
 */
function compareThis(old: Contract, fresh: Contract): ContractChange[] {
  const before = old.thisType;
  const after = fresh.thisType;
  if (after === undefined || after === before || after === "any" || after === "unknown") return [];
  const id = contractId(old);
  return [change("contracts/param-type-changed", old, before === undefined ? `${id} now declares this: ${after}: calls that do not supply such a this (a detached call) no longer compile` : `${id}: this changed from ${before} to ${after}`, { param: "this", before: before ?? "(none)", after })];
}

/** Optional, readonly and static flags of a property or method. */
function compareMemberFlags(old: Contract, fresh: Contract): ContractChange[] {
  const id = contractId(old);
  const out: ContractChange[] = [];
  if (!old.optional && fresh.optional) out.push(change("contracts/property-became-optional", old, `${id} became optional: readers may get undefined`));
  if (old.optional && !fresh.optional && old.kind === "property") out.push(change("contracts/property-became-required", old, `${id} became required: code that builds the object must set it`));
  if (old.kind === "property" && !old.readonly && fresh.readonly) out.push(change("contracts/readonly-added", old, `${id} became read-only`));
  if (Boolean(old.static) !== Boolean(fresh.static)) out.push(change("contracts/static-changed", old, `${id} ${fresh.static ? "became static" : "is no longer static"}`));
  // An abstract member is one every subclass must now implement: code that builds the object breaks.
  if (!old.abstract && fresh.abstract) out.push(change("contracts/property-required-added", old, `${id} became abstract: every subclass must implement it`));
  return out;
}

/** Properties, consts, type aliases and enum members: their type (or value) as readers see it. */
/**
 * The type a property's setter takes, where it is not its getter's (`get x(): string`, `set
 * x(v: "a" | "b")`): narrowed or changed, old writers break. Only the getter's type was recorded,
 * so a narrowed setter read as no change.
 */
function compareWriteType(old: Contract, fresh: Contract): ContractChange[] {
  if (old.writeType === undefined && fresh.writeType === undefined) return [];
  if (old.readonly || fresh.readonly) return [];
  const a = old.writeType ?? old.type;
  const b = fresh.writeType ?? fresh.type;
  if (a === undefined || b === undefined || a === b) return [];
  const relation = typeRelation(a, b);
  if (relation === "same" || relation === "widened") return [];
  return [change("contracts/type-changed", old, `${contractId(old)}: the type its setter takes ${relation === "narrowed" ? "narrowed" : "changed"} from ${a} to ${b}, so writers of old values break`, { before: a, after: b })];
}

function compareTsValue(old: Contract, fresh: Contract, judge: Judge | undefined): ContractChange[] {
  const id = contractId(old);
  const out: ContractChange[] = [];
  if (old.kind === "property") out.push(...compareMemberFlags(old, fresh));
  if (old.kind === "property") out.push(...compareWriteType(old, fresh));
  if (old.kind === "enum-member") {
    if (old.type !== undefined && fresh.type !== undefined && old.type !== fresh.type) out.push(change("contracts/enum-value-changed", old, `${id}: value changed from ${old.type} to ${fresh.type}`, { before: old.type, after: fresh.type }));
    return out;
  }
  if (old.kind !== "property" && old.kind !== "const" && old.kind !== "type") return out;
  const a = old.type;
  const b = fresh.type;
  // A type known before and not now (an annotation dropped, a literal replaced by a call): readers
  // and writers are held to a type nobody can read here, so it counts as changed (fail-closed).
  if (a !== undefined && b === undefined && old.kind !== "type") {
    out.push(change("contracts/type-changed", old, `${id}: type ${a} is no longer declared, so it is whatever the value is (declare it, or extract with --types)`, { before: a, after: "(undeclared)" }));
    return out;
  }
  if (a === undefined || b === undefined) return out;
  const textSame = a === b && JSON.stringify(old.typeParams ?? []) === JSON.stringify(fresh.typeParams ?? []);
  if (textSame) return out;
  const relation = judge?.value(old) ?? typeRelation(a, b);
  const detail = { before: a, after: b };
  if (relation === "same") return out;
  if (old.kind === "type") {
    const lost = judge?.detail?.(old)?.missingMembers;
    if (relation === "changed") out.push(change("contracts/type-changed", old, `${id}: type changed from ${a} to ${b}${lost?.length ? `; members removed: ${lost.join(", ")}` : ""}`, detail));
    else out.push(change("contracts/alias-changed", old, `${id}: now names a ${relation === "widened" ? "wider" : "narrower"} type (${a} to ${b})`, detail));
    return out;
  }
  const writable = old.kind === "property" && !old.readonly && !fresh.readonly;
  // What readers lose, named: `chalk.keyword` gone from the default export's type.
  const found = judge?.detail?.(old);
  const lost = found?.missingMembers;
  if (lost?.length && relation !== "narrowed") {
    out.push(change(relation === "widened" ? "contracts/type-widened" : "contracts/type-changed", old, `${id}: type ${relation} from ${a} to ${b}; members removed: ${lost.join(", ")}`, detail));
    return out;
  }
  if (relation === "widened") out.push(change("contracts/type-widened", old, `${id}: type widened from ${a} to ${b}`, detail));
  // A writable property narrowed to a type that still takes every old value (a new `any`) breaks no writer.
  else if (relation === "narrowed" && (!writable || found?.acceptsOldValues === true)) out.push(change("contracts/type-narrowed", old, `${id}: type narrowed from ${a} to ${b}`, detail));
  else if (relation === "narrowed") out.push(change("contracts/type-changed", old, `${id}: type narrowed from ${a} to ${b}, so writers of old values break`, detail));
  else out.push(change("contracts/type-changed", old, `${id}: type changed from ${a} to ${b}`, detail));
  return out;
}

/**
 * Type parameters of classes, interfaces and type aliases: references name them (`Box<T>`), so
 * arity, defaults and constraints are part of the contract. A callable's type parameters are
 * inferred at each call: the call check decides those.
 */
function compareTypeParams(old: Contract, fresh: Contract, judge: Judge | undefined): ContractChange[] {
  if (old.kind !== "class" && old.kind !== "interface" && old.kind !== "type") return [];
  const id = contractId(old);
  const a = old.typeParams ?? [];
  const b = fresh.typeParams ?? [];
  const out: ContractChange[] = [];
  for (let i = 0; i < Math.max(a.length, b.length); i++) {
    const p = a[i];
    const q = b[i];
    if (p && !q) {
      out.push(change("contracts/type-param-removed", old, `${id}: type parameter ${p.name} was removed`, { param: p.name }));
    } else if (!p && q) {
      const code = q.default !== undefined ? "contracts/type-param-optional-added" : "contracts/type-param-added";
      out.push(change(code, old, `${id}: type parameter ${q.name}${q.default !== undefined ? ` = ${q.default}` : ""} was added`, { param: q.name }));
    } else if (p && q) {
      if (p.default !== undefined && (q.default === undefined || (p.default !== q.default && judge?.typeParam(old, i, "default") !== "same"))) {
        out.push(change("contracts/type-param-default-changed", old, `${id}: default of type parameter ${q.name} ${q.default === undefined ? "was removed" : `changed from ${p.default} to ${q.default}`}`, { param: q.name, before: p.default, after: q.default ?? "" }));
      }
      const pc = p.constraint ?? "unknown";
      const qc = q.constraint ?? "unknown";
      if (pc !== qc) {
        const relation = (p.constraint && q.constraint ? judge?.typeParam(old, i, "constraint") : undefined) ?? typeRelation(pc, qc);
        if (relation === "narrowed" || relation === "changed") out.push(change("contracts/type-param-constraint-narrowed", old, `${id}: constraint of type parameter ${q.name} ${relation} from ${pc} to ${qc}`, { param: q.name, before: pc, after: qc }));
      }
    }
  }
  return out;
}

const POSITIONAL = new Set(["positional-only", "positional-or-keyword"]);

const VARIADIC = new Set(["var-positional", "var-keyword"]);

function comparePythonParams(old: Contract, fresh: Contract): ContractChange[] {
  const id = contractId(old);
  const out: ContractChange[] = [];
  // `*args` and `**kwargs` are matched by kind, the rest by name, and a positional-only parameter
  // left over by its position among the positional-only ones: nobody passes those by name, so
  // renaming one is no change.
  const match = new Map<ContractParam, ContractParam>();
  const key = (p: ContractParam) => (VARIADIC.has(p.kind ?? "") ? `*${p.kind}` : p.name);
  const newByKey = new Map(fresh.params.map((p) => [key(p), p]));
  for (const a of old.params) {
    const b = newByKey.get(key(a));
    if (b) match.set(a, b);
  }
  const matched = new Set(match.values());
  const oldOnly = old.params.filter((p) => p.kind === "positional-only");
  const newOnly = fresh.params.filter((p) => p.kind === "positional-only");
  oldOnly.forEach((a, i) => {
    const b = newOnly[i];
    if (!match.has(a) && b && !matched.has(b)) {
      match.set(a, b);
      matched.add(b);
    }
  });
  const newPositional = fresh.params.filter((p) => POSITIONAL.has(p.kind ?? ""));
  // Old positions counted without the removed parameters: a removal already breaks every caller
  // that passed the ones after it by position (one finding, not one per shifted parameter), while
  // an insertion shifts the old arguments that follow it (a move).
  const oldPositional = old.params.filter((p) => POSITIONAL.has(p.kind ?? "") && newPositional.includes(match.get(p)!));
  for (const a of old.params) {
    const b = match.get(a);
    if (!b) {
      out.push(change("contracts/param-removed", old, `${id}: parameter ${a.name} was removed`, { param: a.name }));
      continue;
    }
    if (a.kind !== b.kind && !relaxedKind(a.kind, b.kind)) {
      out.push(change("contracts/param-kind-changed", old, `${id}: parameter ${a.name} changed from ${a.kind} to ${b.kind}`, { param: a.name, before: a.kind ?? "", after: b.kind ?? "" }));
    } else if (POSITIONAL.has(a.kind ?? "") && POSITIONAL.has(b.kind ?? "") && oldPositional.indexOf(a) !== newPositional.indexOf(b)) {
      out.push(change("contracts/param-moved", old, `${id}: positional parameter ${a.name} moved from position ${oldPositional.indexOf(a)} to ${newPositional.indexOf(b)}`, { param: a.name }));
    }
    const variadic = a.kind === "var-positional" || a.kind === "var-keyword";
    if (!variadic && a.required && !b.required) out.push(change("contracts/param-became-optional", old, `${id}: parameter ${a.name} became optional`, { param: a.name }));
    if (!variadic && !a.required && b.required) out.push(change("contracts/param-became-required", old, `${id}: parameter ${a.name} became required`, { param: a.name }));
    if (a.default !== undefined && b.default !== undefined && a.default !== b.default) {
      out.push(change("contracts/default-changed", old, `${id}: default of ${a.name} changed from ${a.default} to ${b.default}`, { param: a.name, before: a.default, after: b.default }));
    }
    if ((a.type ?? "") !== (b.type ?? "")) {
      out.push(change("contracts/annotation-changed", old, `${id}: annotation of ${a.name} changed from ${a.type ?? "(none)"} to ${b.type ?? "(none)"}`, { param: a.name, before: a.type ?? "", after: b.type ?? "" }));
    }
  }
  for (const b of fresh.params) {
    if (matched.has(b)) continue;
    const code = b.required ? "contracts/param-required-added" : "contracts/param-optional-added";
    out.push(change(code, old, `${id}: ${b.required ? "required" : "optional"} parameter ${b.name} was added`, { param: b.name }));
  }
  return out;
}

/** griffe: positional-only or keyword-only may become positional-or-keyword without breaking callers. */
function relaxedKind(before: string | undefined, after: string | undefined): boolean {
  return after === "positional-or-keyword" && (before === "positional-only" || before === "keyword-only");
}

/**
 * A changed return annotation breaks every caller that uses the result, unless the new type is the
 * same type respelled (`Optional[str]` ≡ `str | None`, `List[int]` ≡ `list[int]`, `"Env"` ≡ `Env`,
 * `IO` ≡ `IO[Any]`, `Self` ≡ the enclosing class) or a subtype of the old one (RISKY, as a
 * narrowed TS return is: a strict subset of its union members, a typing ABC's subtype such as
 * `AsyncGenerator` for `AsyncIterator`, `int` for `float`, a parametrised generic for its bare
 * form, anything for `Any`). Two changes are only `annotation-changed` (RISKY): one that involves
 * a type variable of the callable (a generic relation only a type checker decides, e.g. `F` to
 * `Callable[P, R]` in a decorator), and one from a `None` result (no caller used it). Adding or
 * removing the annotation changes no caller's type check (an unannotated result is `Any`).
 */
function comparePythonReturns(old: Contract, fresh: Contract): ContractChange[] {
  const a = old.returns.type ?? "";
  const b = fresh.returns.type ?? "";
  const refs = typeRefs(old, fresh);
  // The same spelling may name another class now (`Response` imported from another module).
  const renamed = refs !== undefined && namesOtherClass(refs);
  if (a === b && !renamed) return [];
  const id = contractId(old);
  const detail = { param: "return", before: a, after: b };
  const annotation = (why: string) => [change("contracts/annotation-changed", old, `${id}: return annotation changed from ${a || "(none)"} to ${b || "(none)"}${why}`, detail)];
  if (!a || !b) return annotation("");
  const owner = old.kind === "method" ? parentOf(old.symbol.name)?.split(".").pop() : undefined;
  const oldMembers = pythonUnion(a, owner);
  const newMembers = pythonUnion(b, owner);
  if (JSON.stringify(oldMembers) === JSON.stringify(newMembers) && !renamed) return [];
  // `AnyStr` is typing's own type variable.
  const variables = [...(old.typeParams ?? []), ...(fresh.typeParams ?? [])].map((v) => v.name).concat("AnyStr");
  const unqualified = `${a} ${b}`.replace(/\b(?:typing|typing_extensions|t|te)\.(?=AnyStr\b)/g, "");
  if (variables.some((v) => new RegExp(`(^|[^\\w.])${v}([^\\w]|$)`).test(unqualified))) return annotation(" (a type variable: generic, decided by a type checker)");
  if (oldMembers.length === 1 && oldMembers[0] === "None") return annotation(" (the old result was None: no caller used it)");
  switch (pythonTypeRelation(oldMembers, newMembers, refs)) {
    case "same":
      return [];
    case "narrowed":
      return [change("contracts/return-type-narrowed", old, `${id}: return type narrowed from ${a} to ${b}`, detail)];
    case "widened":
      return [change("contracts/return-type-widened", old, `${id}: return type widened from ${a} to ${b}`, detail)];
    default:
      return [change("contracts/return-type-changed", old, `${id}: return type changed from ${a} to ${b}`, detail)];
  }
}

/**
 * Python properties, annotated attributes and enum members. Annotations are not enforced at run
 * time, so a changed one is `annotation-changed` (RISKY) unless it is the same type respelled; an
 * attribute that became read-only (a property that lost its setter, `Final`) or moved between
 * class and instance (`ClassVar`) breaks code that uses it the old way.
 */
function comparePythonValue(old: Contract, fresh: Contract): ContractChange[] {
  const id = contractId(old);
  if (old.kind === "enum-member") {
    return old.type !== undefined && fresh.type !== undefined && old.type !== fresh.type ? [change("contracts/enum-value-changed", old, `${id}: value changed from ${old.type} to ${fresh.type}`, { before: old.type, after: fresh.type })] : [];
  }
  const out: ContractChange[] = [];
  if (!old.readonly && fresh.readonly) out.push(change("contracts/readonly-added", old, `${id} became read-only`));
  if (Boolean(old.static) !== Boolean(fresh.static)) out.push(change("contracts/static-changed", old, `${id} ${fresh.static ? "became a class attribute (ClassVar)" : "is no longer a class attribute"}`));
  const a = old.type ?? "";
  const b = fresh.type ?? "";
  const owner = old.kind === "property" ? parentOf(old.symbol.name)?.split(".").pop() : undefined;
  const refs = typeRefs(old, fresh);
  const same = a !== "" && b !== "" && (refs !== undefined ? pythonTypeRelation(pythonUnion(a, owner), pythonUnion(b, owner), refs) === "same" : JSON.stringify(pythonUnion(a, owner)) === JSON.stringify(pythonUnion(b, owner)));
  if ((a !== b || (refs !== undefined && namesOtherClass(refs))) && !same) out.push(change("contracts/annotation-changed", old, `${id}: annotation changed from ${a || "(none)"} to ${b || "(none)"}`, { before: a, after: b }));
  return out;
}

const PEP585: Record<string, string> = { List: "list", Dict: "dict", Tuple: "tuple", Set: "set", FrozenSet: "frozenset", Type: "type", DefaultDict: "collections.defaultdict", Deque: "collections.deque" };

/** Typing ABCs and builtins a head is a subtype of (PEP 484's numeric tower included). */
const PYTHON_SUPERTYPES: Record<string, string[]> = {
  Generator: ["Iterator", "Iterable"],
  Iterator: ["Iterable"],
  AsyncGenerator: ["AsyncIterator", "AsyncIterable"],
  AsyncIterator: ["AsyncIterable"],
  list: ["MutableSequence", "Sequence", "Collection", "Iterable", "Reversible"],
  tuple: ["Sequence", "Collection", "Iterable"],
  dict: ["MutableMapping", "Mapping", "Collection", "Iterable"],
  set: ["MutableSet", "AbstractSet", "Collection", "Iterable"],
  frozenset: ["AbstractSet", "Collection", "Iterable"],
  MutableSequence: ["Sequence", "Collection", "Iterable"],
  MutableMapping: ["Mapping", "Collection", "Iterable"],
  Sequence: ["Collection", "Iterable", "Reversible"],
  Mapping: ["Collection", "Iterable"],
  Collection: ["Iterable"],
  bool: ["int", "float", "complex"],
  int: ["float", "complex"],
  float: ["complex"],
};

/** Is the canonical member `x` a subtype of `y`? */
function pythonSubtype(x: string, y: string): boolean {
  if (x === y || y === "object" || y === "Any") return true;
  const [xHead, xArgs] = genericParts(x);
  const [yHead, yArgs] = genericParts(y);
  const headOk = xHead === yHead || (PYTHON_SUPERTYPES[xHead] ?? []).includes(yHead);
  if (!headOk) return false;
  // A bare generic is its parametrised form with Any arguments; the first argument is the element type.
  return yArgs === undefined || (xArgs !== undefined && splitTopLevel(xArgs, ",")[0] === splitTopLevel(yArgs, ",")[0]);
}

function genericParts(member: string): [head: string, args: string | undefined] {
  const generic = /^([\w.]+)\[(.*)\]$/.exec(member);
  return generic ? [generic[1]!, generic[2]!] : [member, undefined];
}

/** What the class names of both sides' annotations stand for, when both were extracted from source. */
interface TypeRefs {
  old: Map<string, TypeRef>;
  fresh: Map<string, TypeRef>;
}

function typeRefs(old: Contract, fresh: Contract): TypeRefs | undefined {
  const a = PYTHON_TYPE_REFS.get(old);
  const b = PYTHON_TYPE_REFS.get(fresh);
  return a && b ? { old: a, fresh: b } : undefined;
}

/** Does a name both sides' annotations use stand for unrelated definitions on the two sides? */
function namesOtherClass(refs: TypeRefs): boolean {
  return [...refs.old].some(([name, was]) => {
    const now = refs.fresh.get(name);
    return now !== undefined && !namesSubclass(now, was) && !namesSubclass(was, now);
  });
}

/**
 * Is member `x` (named in `xRefs`' scope) the class member `y` names in `yRefs`' scope, or a
 * subclass of it: the same definition under another spelling, or one derived from it in the tree.
 */
function namedSubtype(x: string, xRefs: Map<string, TypeRef>, y: string, yRefs: Map<string, TypeRef>): boolean {
  const [xHead, xArgs] = genericParts(x);
  const [yHead, yArgs] = genericParts(y);
  const xRef = xRefs.get(xHead);
  const yRef = yRefs.get(yHead);
  return xRef !== undefined && yRef !== undefined && (yArgs === undefined || xArgs === yArgs) && namesSubclass(xRef, yRef);
}

/** How the new union relates to the old one, member by member. */
function pythonTypeRelation(oldMembers: string[], newMembers: string[], refs?: TypeRefs): TypeRelation {
  // A class name both sides resolve is judged by what it names, whatever its spelling.
  const isSub = (x: string, xRefs: Map<string, TypeRef> | undefined, y: string, yRefs: Map<string, TypeRef> | undefined) =>
    xRefs?.has(genericParts(x)[0]) && yRefs?.has(genericParts(y)[0]) ? namedSubtype(x, xRefs, y, yRefs) : pythonSubtype(x, y);
  const newIsSub = (m: string, o: string) => isSub(m, refs?.fresh, o, refs?.old);
  const oldIsSub = (o: string, m: string) => isSub(o, refs?.old, m, refs?.fresh);
  const newInOld = newMembers.every((m) => oldMembers.some((o) => newIsSub(m, o)));
  const oldInNew = oldMembers.every((o) => newMembers.some((m) => oldIsSub(o, m)));
  if (newInOld && oldInNew) return "same";
  // A new `Any` result is used as anything without a type error: no old use breaks.
  if (newInOld || newMembers.includes("Any")) return "narrowed";
  if (oldInNew) return "widened";
  return "changed";
}

/**
 * The members of a Python annotation as a union, each in one spelling (typing aliases, Optional,
 * Union, PEP 585 builtins, PEP 604 `|`, forward references unquoted, `Self` as the enclosing
 * class `owner`, generics whose arguments are all `Any` bare).
 */
export function pythonUnion(annotation: string, owner?: string): string[] {
  let text = annotation
    .replace(/\s+/g, "")
    .replace(/["']/g, "")
    .replace(/\b(?:typing|typing_extensions|t|te|collections\.abc|cabc|abc|contextlib)\.(?=[A-Z])/g, "")
    .replace(/\b(?:Abstract)?(Async)?ContextManager\b/g, "Abstract$1ContextManager");
  if (owner) text = text.replace(/\bSelf\b/g, owner);
  const out: string[] = [];
  for (const member of splitTopLevel(text, "|")) {
    const generic = /^([\w.]+)\[(.*)\]$/.exec(member);
    if (generic && (generic[1] === "Optional" || generic[1] === "Union")) {
      for (const arg of splitTopLevel(generic[2]!, ",")) out.push(...pythonUnion(arg, owner));
      if (generic[1] === "Optional") out.push("None");
    } else if (generic) {
      const head = PEP585[generic[1]!] ?? generic[1]!;
      const args = splitTopLevel(generic[2]!, ",").map((arg) => (arg === "..." ? arg : [...new Set(pythonUnion(arg, owner))].sort().join("|")));
      out.push(args.every((arg) => arg === "Any" || arg === "...") ? head : `${head}[${args.join(",")}]`);
    } else {
      out.push(member === "NoneType" ? "None" : (PEP585[member] ?? member));
    }
  }
  return [...new Set(out)].sort();
}

function splitTopLevel(text: string, separator: string): string[] {
  const parts: string[] = [];
  let depth = 0;
  let start = 0;
  for (let i = 0; i < text.length; i++) {
    const ch = text[i]!;
    if (ch === "[" || ch === "(") depth++;
    else if (ch === "]" || ch === ")") depth--;
    else if (ch === separator && depth === 0) {
      parts.push(text.slice(start, i));
      start = i + 1;
    }
  }
  parts.push(text.slice(start));
  return parts.filter(Boolean);
}

function compareSideEffects(old: Contract, fresh: Contract): ContractChange[] {
  const id = contractId(old);
  const byKind = (effects: string[]) => new Map(effects.map((e) => [e.split(" ")[0]!, e]));
  const a = byKind(old.sideEffects);
  const b = byKind(fresh.sideEffects);
  const out: ContractChange[] = [];
  for (const [kind, effect] of a) {
    const now = b.get(kind);
    if (now === undefined) out.push(change("contracts/side-effect-removed", old, `${id}: side effect ${effect} was removed`, { before: effect }));
    else if (now !== effect) out.push(change("contracts/side-effect-changed", old, `${id}: side effect changed from ${effect} to ${now}`, { before: effect, after: now }));
  }
  for (const [kind, effect] of b) if (!a.has(kind)) out.push(change("contracts/side-effect-added", old, `${id}: side effect ${effect} was added`, { after: effect }));
  return out;
}
