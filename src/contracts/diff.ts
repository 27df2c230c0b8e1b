// Diff two contract sets and classify every change with one stable code and one severity.
// TypeScript type positions follow semver-ts: parameters are contravariant (widening is safe,
// narrowing breaks), returns covariant (narrowing is only risky, widening breaks). Without a
// checker the only provable relation is on union members: a strict superset of the old members is
// wider, a strict subset narrower, a missing annotation is `any`; any other textual difference is
// "changed" and breaks. Python parameter kinds follow griffe: positional-only or keyword-only may
// relax to positional-or-keyword; every other kind change, a moved positional parameter, an added
// required or removed parameter breaks callers.

import type { ChangeSeverity, Contract, ContractParam, ContractSignature } from "./model.js";
import { contractId } from "./model.js";

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
  "contracts/symbol-added": { severity: "SAFE", summary: "a new export" },
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
}

export function diffContracts(before: Contract[], after: Contract[]): ContractChange[] {
  const oldById = new Map(before.map((c) => [contractId(c), c]));
  const newById = new Map(after.map((c) => [contractId(c), c]));
  const changes: ContractChange[] = [];
  const removed = before.filter((c) => !newById.has(contractId(c)));
  const added = after.filter((c) => !oldById.has(contractId(c)));

  // A removal and an addition with the same signature, unique on both sides, is one rename.
  const addedByKey = groupBy(added, signatureKey);
  const removedByKey = groupBy(removed, signatureKey);
  const renamed = new Set<Contract>();
  for (const old of removed) {
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

  const removedClasses = new Set(removed.filter((c) => c.kind === "class" && !renamed.has(c)).map(contractId));
  for (const old of removed) {
    if (renamed.has(old)) continue;
    // A removed class reports once, not once per method.
    if (old.kind === "method" && removedClasses.has(`${old.symbol.module}#${old.symbol.name.split(".")[0]}`)) continue;
    const id = contractId(old);
    if (old.stability?.level === "deprecated") {
      changes.push(change("contracts/deprecated-removed", old, `deprecated ${id} was removed${old.stability.replacement ? ` (replacement: ${old.stability.replacement})` : " without naming a replacement"}`, old.stability.replacement ? { replacement: old.stability.replacement } : {}));
    } else if (old.stability?.level === "stable") {
      changes.push(change("contracts/stable-removed", old, `stable ${id} was removed without being deprecated first`));
    } else {
      changes.push(change("contracts/symbol-removed", old, `${id} was removed`));
    }
  }
  for (const fresh of added) if (!renamed.has(fresh)) changes.push(change("contracts/symbol-added", fresh, `${contractId(fresh)} was added`));
  for (const old of before) {
    const fresh = newById.get(contractId(old));
    if (fresh) changes.push(...compareContract(old, fresh));
  }
  return changes.sort(compareChanges);
}

export function compareChanges(a: ContractChange, b: ContractChange): number {
  return cmp(a.id, b.id) || cmp(a.code, b.code) || cmp(a.param ?? "", b.param ?? "") || cmp(a.message, b.message);
}

function cmp(a: string, b: string): number {
  return a < b ? -1 : a > b ? 1 : 0;
}

function change(code: ChangeCode, contract: Contract, message: string, extra: Partial<ContractChange> = {}): ContractChange {
  return { code, severity: CHANGE_CODES[code].severity, id: contractId(contract), symbol: contract.symbol, language: contract.language, message, ...extra };
}

function groupBy<T>(items: T[], key: (item: T) => string): Map<string, T[]> {
  const map = new Map<string, T[]>();
  for (const item of items) map.set(key(item), [...(map.get(key(item)) ?? []), item]);
  return map;
}

function signatureKey(c: Contract, withModule = true): string {
  const sig = (s: ContractSignature) => ({ params: s.params.map((p) => [p.name, p.type ?? "", p.required, p.default ?? "", p.kind ?? "", p.rest ?? false]), returns: s.returns.type ?? "" });
  return JSON.stringify([c.language, c.kind, withModule ? c.symbol.module : "", sig(c), (c.overloads ?? []).map(sig)]);
}

function compareContract(old: Contract, fresh: Contract): ContractChange[] {
  const id = contractId(old);
  if (old.kind !== fresh.kind) return [change("contracts/kind-changed", old, `${id} changed from ${old.kind} to ${fresh.kind}`, { before: old.kind, after: fresh.kind })];
  const out: ContractChange[] = [];
  const oldSigs = old.overloads ?? [old];
  const newSigs = fresh.overloads ?? [fresh];
  if (oldSigs.length > 1 || newSigs.length > 1) {
    const key = (s: ContractSignature) => JSON.stringify([s.params.map((p) => [p.type ?? "", p.required, p.rest ?? false]), s.returns.type ?? ""]);
    const newKeys = new Set(newSigs.map(key));
    const oldKeys = new Set(oldSigs.map(key));
    for (const s of oldSigs) if (!newKeys.has(key(s))) out.push(change("contracts/overload-removed", old, `${id}: overload (${renderParams(s.params)}) was removed`, { before: renderParams(s.params) }));
    for (const s of newSigs) if (!oldKeys.has(key(s))) out.push(change("contracts/overload-added", old, `${id}: overload (${renderParams(s.params)}) was added`, { after: renderParams(s.params) }));
  } else if (old.language === "python") {
    out.push(...comparePythonParams(old, fresh));
    out.push(...comparePythonReturns(old, fresh));
  } else {
    out.push(...compareTsParams(old, fresh));
    out.push(...compareTsReturns(old, fresh));
  }
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

function compareTsParams(old: Contract, fresh: Contract): ContractChange[] {
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
        const relation = typeRelation(a.type, b.type);
        const detail = { param: b.name, before: a.type ?? "any", after: b.type ?? "any" };
        if (relation === "narrowed") out.push(change("contracts/param-type-narrowed", old, `${id}: parameter ${b.name} narrowed from ${detail.before} to ${detail.after}`, detail));
        if (relation === "changed") out.push(change("contracts/param-type-changed", old, `${id}: parameter ${b.name} changed from ${detail.before} to ${detail.after}`, detail));
      }
      if (!a.required && !b.required && a.default !== undefined && b.default !== undefined && a.default !== b.default) {
        out.push(change("contracts/default-changed", old, `${id}: default of ${b.name} changed from ${a.default} to ${b.default}`, { param: b.name, before: a.default, after: b.default }));
      }
    }
  }
  return out;
}

function compareTsReturns(old: Contract, fresh: Contract): ContractChange[] {
  const a = old.returns.type ?? old.returns.inferred;
  const b = fresh.returns.type ?? fresh.returns.inferred;
  // Without a declared (or inferred) type on both sides there is nothing to compare.
  if (a === undefined || b === undefined) return [];
  const id = contractId(old);
  const detail = { before: a, after: b };
  switch (typeRelation(a, b)) {
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

export type TypeRelation = "same" | "widened" | "narrowed" | "changed";

/** How `after` relates to `before` as a set of values, as far as syntax can prove it. */
export function typeRelation(before: string | undefined, after: string | undefined): TypeRelation {
  const a = before ?? "any";
  const b = after ?? "any";
  if (a === b) return "same";
  const top = new Set(["any", "unknown"]);
  if (top.has(b) && !top.has(a)) return "widened";
  if (top.has(a) && !top.has(b)) return "narrowed";
  const oldMembers = new Set(unionMembers(a));
  const newMembers = new Set(unionMembers(b));
  const oldInNew = [...oldMembers].every((m) => newMembers.has(m));
  const newInOld = [...newMembers].every((m) => oldMembers.has(m));
  if (oldInNew && newInOld) return "same";
  if (oldInNew) return "widened";
  if (newInOld) return "narrowed";
  return "changed";
}

/** Top-level `|` members of a printed type (brackets, braces, generics and strings nest). */
export function unionMembers(type: string): string[] {
  const members: string[] = [];
  let depth = 0;
  let quote = "";
  let start = 0;
  for (let i = 0; i < type.length; i++) {
    const ch = type[i]!;
    if (quote) {
      if (ch === "\\") i++;
      else if (ch === quote) quote = "";
      continue;
    }
    if (ch === '"' || ch === "'" || ch === "`") quote = ch;
    else if ("([{<".includes(ch)) depth++;
    else if (")]}>".includes(ch) && !(ch === ">" && type[i - 1] === "=")) depth--;
    else if (ch === "|" && depth === 0) {
      members.push(type.slice(start, i).trim());
      start = i + 1;
    }
  }
  members.push(type.slice(start).trim());
  return members.filter(Boolean);
}

const POSITIONAL = new Set(["positional-only", "positional-or-keyword"]);

function comparePythonParams(old: Contract, fresh: Contract): ContractChange[] {
  const id = contractId(old);
  const out: ContractChange[] = [];
  const newByName = new Map(fresh.params.map((p) => [p.name, p]));
  const oldByName = new Map(old.params.map((p) => [p.name, p]));
  const oldPositional = old.params.filter((p) => POSITIONAL.has(p.kind ?? "")).map((p) => p.name);
  const newPositional = fresh.params.filter((p) => POSITIONAL.has(p.kind ?? "")).map((p) => p.name);
  for (const a of old.params) {
    const b = newByName.get(a.name);
    if (!b) {
      out.push(change("contracts/param-removed", old, `${id}: parameter ${a.name} was removed`, { param: a.name }));
      continue;
    }
    if (a.kind !== b.kind && !relaxedKind(a.kind, b.kind)) {
      out.push(change("contracts/param-kind-changed", old, `${id}: parameter ${a.name} changed from ${a.kind} to ${b.kind}`, { param: a.name, before: a.kind ?? "", after: b.kind ?? "" }));
    } else if (POSITIONAL.has(a.kind ?? "") && POSITIONAL.has(b.kind ?? "") && oldPositional.indexOf(a.name) !== newPositional.indexOf(a.name)) {
      out.push(change("contracts/param-moved", old, `${id}: positional parameter ${a.name} moved from position ${oldPositional.indexOf(a.name)} to ${newPositional.indexOf(a.name)}`, { param: a.name }));
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
    if (oldByName.has(b.name)) continue;
    const code = b.required ? "contracts/param-required-added" : "contracts/param-optional-added";
    out.push(change(code, old, `${id}: ${b.required ? "required" : "optional"} parameter ${b.name} was added`, { param: b.name }));
  }
  return out;
}

/** griffe: positional-only or keyword-only may become positional-or-keyword without breaking callers. */
function relaxedKind(before: string | undefined, after: string | undefined): boolean {
  return after === "positional-or-keyword" && (before === "positional-only" || before === "keyword-only");
}

function comparePythonReturns(old: Contract, fresh: Contract): ContractChange[] {
  const a = old.returns.type ?? "";
  const b = fresh.returns.type ?? "";
  if (a === b) return [];
  return [change("contracts/annotation-changed", old, `${contractId(old)}: return annotation changed from ${a || "(none)"} to ${b || "(none)"}`, { param: "return", before: a, after: b })];
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
