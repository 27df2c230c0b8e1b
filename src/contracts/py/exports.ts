// What is public in a Python tree, and under which path. A module's public names are its `__all__`
// when it declares one, else its names without a leading underscore: for a package `__init__.py`
// that includes what it imports from the tree (`from .core import Command`), for any other module
// only what it defines. A definition re-exported publicly appears once, under the shallowest
// public module that exports it (`pkg/__init__.py` before `pkg/core.py`), so a package that
// re-exports its submodules does not double every change. Private modules (`_compat.py`,
// `_impl/…`) are never a public path, but what a public module re-exports from them is API.

import { posix } from "node:path";
import type { Contract } from "../model.js";
import { DECLARED_LINE } from "../model.js";
import { annotationNames, PYTHON_TYPE_REFS, type TypeRef } from "./type-refs.js";

/** `from <level dots><dotted> import <names>` as written; absolute imports have level 0. */
export interface RawImport {
  level: number;
  dotted: string;
  /** imported name → local name; undefined for `import *` */
  names?: { imported: string; local: string }[];
}

export interface PythonModule {
  /** the file, relative to the root: `pkg/core.py` */
  file: string;
  /** contracts of every top-level definition (private names too: a re-export can make them public) */
  defined: Contract[];
  imports: RawImport[];
  /** module-level `Alias = Name` where Name is not defined here (it may be an imported name) */
  aliases: Map<string, string>;
  /** each class's bases as written */
  classBases: Map<string, string[]>;
  /** names served by `__getattr__` whose branch returns a plain name, with the import that binds it there */
  dynamicTargets: Map<string, DynamicTarget>;
  dunderAll?: Set<string>;
  /** `__all__` is also built in ways not read (a computed item, `.remove`, a loop): its names and every public name count */
  dunderAllOpen?: true;
  /** names defined here before a `from x import *` that may rebind them: the star's name wins when it has one */
  starShadowed?: Set<string>;
}

/** What a `__getattr__` branch returns: a name of the module, or one it imports in the branch. */
export interface DynamicTarget {
  name: string;
  from?: RawImport;
}

/**
 * The other paths (`module#name`) a Python contract can still be imported from: its defining
 * module when a package re-exports it, a module that binds it without listing it in `__all__`.
 * Kept beside the contract, not in it (a registry does not record it): a definition newly
 * re-exported by its package, or left out of a new `__all__`, is still importable from there.
 */
export const PYTHON_ALSO_AT = new WeakMap<Contract, string[]>();

/**
 * Placeholders for names a module still serves through a module-level `__getattr__` (deprecated
 * aliases: `if name == "BaseCommand": warnings.warn(...)`): importable, so not removed.
 */
export const PYTHON_DYNAMIC = new WeakSet<Contract>();

/**
 * Methods that call the method they override (`return super().updatepos(i, j)`): removing one
 * leaves the base class's method, so callers still find it.
 */
export const PYTHON_OVERRIDES = new WeakSet<Contract>();

/**
 * Per extraction (keyed by its contract list): the paths (`module#name`) of definitions a public
 * module still binds but its `__all__` leaves out, public nowhere else. Importable by name as
 * before; only `from m import *` loses them.
 */
export const PYTHON_UNLISTED = new WeakMap<readonly Contract[], Set<string>>();

/** `_compat.py`, `_impl/x.py`: private modules are not a public path (`__init__.py` and `__main__.py` are). */
export function isPrivateModule(file: string): boolean {
  return file.split("/").some((part) => part.startsWith("_") && !/^__\w+__(\.py)?$/.test(part));
}

const topName = (contract: Contract) => contract.symbol.name.split(".")[0]!;
const isInit = (file: string) => posix.basename(file) === "__init__.py";

interface Resolved {
  module: string;
  name: string;
}

export function publicContracts(modules: PythonModule[]): Contract[] {
  const byFile = new Map(modules.map((m) => [m.file, m]));
  const definedNames = new Map(modules.map((m) => [m.file, new Map<string, Contract[]>()]));
  for (const m of modules) {
    const names = definedNames.get(m.file)!;
    for (const c of m.defined) names.set(topName(c), [...(names.get(topName(c)) ?? []), c]);
  }

  const moduleFile = (target: string): string | undefined => {
    const clean = posix.normalize(target).replace(/^\.\//, "");
    if (byFile.has(`${clean}.py`)) return `${clean}.py`;
    if (byFile.has(`${clean}/__init__.py`)) return `${clean}/__init__.py`;
    return undefined;
  };
  /** The module file an import names, within the tree (absolute imports are tried from the root). */
  const importTarget = (from: string, raw: RawImport): string | undefined => {
    const path = raw.dotted.replace(/\./g, "/");
    if (raw.level === 0) return moduleFile(path);
    let base = posix.dirname(from);
    for (let i = 1; i < raw.level; i++) base = posix.dirname(base);
    return path ? moduleFile(posix.join(base, path)) : moduleFile(base === "." ? "__init__" : base);
  };

  // Each module's bindings from the tree: local name → (module, name), and star sources.
  const bindings = new Map<string, Map<string, Resolved>>();
  const stars = new Map<string, string[]>();
  for (const m of modules) {
    const bound = new Map<string, Resolved>();
    const starred: string[] = [];
    for (const raw of m.imports) {
      const target = importTarget(m.file, raw);
      if (!raw.names) {
        if (target) starred.push(target);
        continue;
      }
      for (const { imported, local } of raw.names) {
        // `from . import sub` binds a submodule, not a contract.
        const submodule = raw.dotted === "" && raw.level > 0 ? moduleFile(posix.join(posix.dirname(m.file), "../".repeat(raw.level - 1), imported)) : undefined;
        if (submodule) continue;
        if (target) bound.set(local, { module: target, name: imported });
      }
    }
    for (const [alias, name] of m.aliases) {
      const source = bound.get(name);
      if (source) bound.set(alias, source);
    }
    bindings.set(m.file, bound);
    stars.set(m.file, starred);
  }

  /** What `from m import *` binds: `__all__`, else every public name of its namespace. */
  const starNames = (file: string, seen: Set<string>): Set<string> => {
    const m = byFile.get(file)!;
    if (m.dunderAll && !m.dunderAllOpen) return m.dunderAll;
    if (seen.has(file)) return new Set();
    seen.add(file);
    const names = new Set<string>([...definedNames.get(file)!.keys(), ...bindings.get(file)!.keys()]);
    for (const s of stars.get(file)!) for (const n of starNames(s, seen)) names.add(n);
    return new Set([...[...names].filter((n) => !n.startsWith("_")), ...(m.dunderAll ?? [])]);
  };

  const resolve = (file: string, name: string, depth = 0): Resolved | undefined => {
    if (depth > 32) return undefined;
    if (definedNames.get(file)!.has(name)) {
      // `def f` and then `from ._impl import *`: the star import rebinds f when _impl has one.
      if (byFile.get(file)!.starShadowed?.has(name)) for (const s of stars.get(file)!) if (starNames(s, new Set()).has(name)) return resolve(s, name, depth + 1);
      return { module: file, name };
    }
    const bound = bindings.get(file)!.get(name);
    if (bound) return resolve(bound.module, bound.name, depth + 1);
    for (const s of stars.get(file)!) if (starNames(s, new Set()).has(name)) return resolve(s, name, depth + 1);
    return undefined;
  };

  const publicNames = (m: PythonModule): string[] => {
    if (m.dunderAll && !m.dunderAllOpen) return [...m.dunderAll];
    const names = new Set(definedNames.get(m.file)!.keys());
    if (isInit(m.file)) {
      for (const n of bindings.get(m.file)!.keys()) names.add(n);
      for (const s of stars.get(m.file)!) for (const n of starNames(s, new Set())) names.add(n);
    }
    return [...new Set([...[...names].filter((n) => !n.startsWith("_")), ...(m.dunderAll ?? [])])];
  };

  // Every public path of each definition under each name; the shallowest wins (the defining
  // module on a tie).
  const depth = (file: string) => file.split("/").length - (isInit(file) ? 1 : 0);
  const best = new Map<string, { module: string; name: string; source: Resolved }>();
  for (const m of modules) {
    if (isPrivateModule(m.file)) continue;
    for (const name of publicNames(m)) {
      const source = resolve(m.file, name);
      if (!source) continue;
      // One path per definition and public name: an alias (`BaseCommand = Command`) is a name of its own.
      const key = `${source.module}#${source.name}\0${name}`;
      const current = best.get(key);
      const candidate = { module: m.file, name, source };
      const rank = (c: { module: string; name: string }) => [depth(c.module), c.module === source.module && c.name === source.name ? 0 : 1, c.module, c.name] as const;
      if (!current || compareRank(rank(candidate), rank(current)) < 0) best.set(key, candidate);
    }
  }

  // Every path a definition is bound at, public or not (`from pkg import Name` works either way).
  const boundAt = new Map<string, string[]>();
  for (const m of modules) {
    if (isPrivateModule(m.file)) continue;
    for (const name of new Set([...definedNames.get(m.file)!.keys(), ...bindings.get(m.file)!.keys()])) {
      if (name.startsWith("_")) continue;
      const source = resolve(m.file, name);
      if (!source) continue;
      const key = `${source.module}#${source.name}`;
      boundAt.set(key, [...(boundAt.get(key) ?? []), `${m.file}#${name}`]);
    }
  }

  // The paths each definition is importable as (public ones, and names `__getattr__` serves for
  // it), and its bases: what an annotation naming it stands for (py/type-refs.ts).
  const knownAs = new Map<string, string[]>();
  const addName = (definition: Resolved, at: string) => {
    const key = `${definition.module}#${definition.name}`;
    knownAs.set(key, [...(knownAs.get(key) ?? []), at]);
  };
  for (const { module, name, source } of best.values()) addName(source, `${module}#${name}`);
  for (const m of modules) {
    for (const [name, target] of m.dynamicTargets) {
      const from = target.from ? importTarget(m.file, target.from) : m.file;
      const imported = target.from?.names?.find((n) => n.local === target.name)?.imported ?? target.name;
      const definition = from ? resolve(from, imported) : undefined;
      if (definition) addName(definition, `${m.file}#${name}`);
    }
  }
  const refs = new Map<string, TypeRef>();
  const refOf = (definition: Resolved, visiting = new Set<string>()): TypeRef => {
    const key = `${definition.module}#${definition.name}`;
    const known = refs.get(key);
    if (known) return known;
    const ref: TypeRef = { ids: [key, ...(knownAs.get(key) ?? [])], ancestors: [] };
    if (visiting.has(key)) return ref;
    visiting.add(key);
    for (const base of byFile.get(definition.module)!.classBases.get(definition.name) ?? []) {
      const resolved = /^[A-Za-z_]\w*$/.test(base) ? resolve(definition.module, base) : undefined;
      if (!resolved) continue;
      const parent = refOf(resolved, visiting);
      ref.ancestors.push(...parent.ids, ...parent.ancestors);
    }
    refs.set(key, ref);
    return ref;
  };
  // Many contracts of a module name the same classes: resolve each (module, name) once.
  const resolvedRefs = new Map<string, TypeRef | undefined>();
  const refIn = (file: string, n: string): TypeRef | undefined => {
    const key = `${file}\0${n}`;
    if (!resolvedRefs.has(key)) {
      const definition = resolve(file, n);
      const ref = definition ? refOf(definition) : undefined;
      // Where else it is bound (a class moved, its old module importing it), except the declaring
      // module's own import, which binds the name whatever it names.
      const bound = definition ? (boundAt.get(`${definition.module}#${definition.name}`) ?? []).filter((at) => !at.startsWith(`${file}#`)) : [];
      resolvedRefs.set(key, ref && { ...ref, ids: [...new Set([...ref.ids, ...bound])] });
    }
    return resolvedRefs.get(key);
  };
  const withTypeRefs = (contract: Contract, file: string) => {
    const named = new Map<string, TypeRef>();
    for (const n of annotationNames(contract)) {
      const ref = refIn(file, n);
      if (ref) named.set(n, ref);
    }
    if (named.size > 0) PYTHON_TYPE_REFS.set(contract, named);
  };

  const publicDefinitions = new Set([...best.values()].map(({ source }) => `${source.module}#${source.name}`));
  const unlisted = new Set<string>();
  for (const m of modules) {
    if (!m.dunderAll || m.dunderAllOpen || isPrivateModule(m.file)) continue;
    for (const name of definedNames.get(m.file)!.keys()) {
      if (!name.startsWith("_") && !m.dunderAll.has(name) && !publicDefinitions.has(`${m.file}#${name}`)) unlisted.add(`${m.file}#${name}`);
    }
  }

  const out: Contract[] = [];
  for (const { module, name, source } of best.values()) {
    const elsewhere = (boundAt.get(`${source.module}#${source.name}`) ?? []).filter((at) => at !== `${module}#${name}`);
    for (const original of definedNames.get(source.module)!.get(source.name)!) {
      const suffix = original.symbol.name.slice(source.name.length);
      if (module === source.module && name === source.name) {
        if (elsewhere.length > 0) PYTHON_ALSO_AT.set(original, elsewhere.map((at) => at + suffix));
        withTypeRefs(original, source.module);
        DEFINED_IN.set(original, source.module);
        out.push(original);
        continue;
      }
      const copy: Contract = { ...original, symbol: { module, name: name + suffix } };
      if (elsewhere.length > 0) PYTHON_ALSO_AT.set(copy, elsewhere.map((at) => at + suffix));
      if (PYTHON_DYNAMIC.has(original)) PYTHON_DYNAMIC.add(copy);
      if (PYTHON_OVERRIDES.has(original)) PYTHON_OVERRIDES.add(copy);
      withTypeRefs(copy, source.module);
      DEFINED_IN.set(copy, source.module);
      const line = DECLARED_LINE.get(original);
      if (line !== undefined && module === source.module) DECLARED_LINE.set(copy, line);
      out.push(copy);
    }
  }
  out.push(...reachedPrivate(out, (file, n) => resolve(file, n), definedNames, publicDefinitions, withTypeRefs));
  if (unlisted.size > 0) PYTHON_UNLISTED.set(out, unlisted);
  return out;
}

/** The module a public contract's annotations are read in: where it is defined. */
const DEFINED_IN = new WeakMap<Contract, string>();

/**
 * Definitions no public path names that a public annotation reaches (`def connect(o: _Options)`
 * with `class _Options(TypedDict)`; griffe and API Extractor count them as API), transitively, as
 * contracts of each public module that reaches them, marked `unexported`: under their own name, or
 * `name@module` when the module already has a contract of that name.
 */
function reachedPrivate(published: Contract[], resolve: (file: string, name: string) => Resolved | undefined, definedNames: Map<string, Map<string, Contract[]>>, publicDefinitions: Set<string>, withTypeRefs: (contract: Contract, file: string) => void): Contract[] {
  const out: Contract[] = [];
  const byModule = new Map<string, Contract[]>();
  for (const c of published) byModule.set(c.symbol.module, [...(byModule.get(c.symbol.module) ?? []), c]);
  for (const [module, contracts] of [...byModule].sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0))) {
    const taken = new Set(contracts.map(topName));
    const reached = new Map<string, Resolved>();
    const queue = contracts.map((c) => ({ contract: c, file: DEFINED_IN.get(c) ?? c.symbol.module }));
    for (let i = 0; i < queue.length; i++) {
      const { contract, file } = queue[i]!;
      for (const n of annotationNames(contract).sort()) {
        const definition = resolve(file, n);
        if (!definition) continue;
        const key = `${definition.module}#${definition.name}`;
        if (publicDefinitions.has(key) || reached.has(key)) continue;
        const originals = definedNames.get(definition.module)?.get(definition.name);
        if (!originals) continue;
        reached.set(key, definition);
        for (const original of originals) queue.push({ contract: original, file: definition.module });
      }
    }
    for (const [, definition] of [...reached].sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0))) {
      const name = taken.has(definition.name) ? `${definition.name}@${definition.module.replace(/\.py$/, "").replace(/\./g, "_")}` : definition.name;
      taken.add(name);
      for (const original of definedNames.get(definition.module)!.get(definition.name)!) {
        const copy: Contract = { ...original, symbol: { module, name: name + original.symbol.name.slice(definition.name.length) }, unexported: true };
        DEFINED_IN.set(copy, definition.module);
        withTypeRefs(copy, definition.module);
        const line = DECLARED_LINE.get(original);
        if (line !== undefined && module === definition.module) DECLARED_LINE.set(copy, line);
        out.push(copy);
      }
    }
  }
  return out;
}

function compareRank(a: readonly (string | number)[], b: readonly (string | number)[]): number {
  for (let i = 0; i < a.length; i++) if (a[i] !== b[i]) return a[i]! < b[i]! ? -1 : 1;
  return 0;
}
