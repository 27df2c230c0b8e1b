// What the class names in a Python contract's annotations stand for, resolved in the module that
// declares it: a respelled import (`Response` → `SansIOResponse`, both `sansio.response.Response`),
// a renamed class whose old name is still served by `__getattr__` (`OptionParser` →
// `_OptionParser`), a subclass in place of its base (`WSGIResponse` for `sansio.Response`). Kept
// beside the contract, not in it (a registry does not record it): when both sides were extracted
// from source, diff.ts compares annotations by what they name, not by how they spell it.

import type { Contract } from "../model.js";

export interface TypeRef {
  /** the definition (`module#name`) and every path it is importable as, deprecated aliases included */
  ids: string[];
  /** the same for each class it derives from within the tree, transitively */
  ancestors: string[];
}

export const PYTHON_TYPE_REFS = new WeakMap<Contract, Map<string, TypeRef>>();

/** The plain names (`Response`, `_OptionParser`) a contract's annotations use. */
export function annotationNames(contract: Contract): string[] {
  const texts = [contract.type ?? "", contract.returns.type ?? "", ...contract.params.map((p) => p.type ?? "")];
  const names = new Set<string>();
  for (const text of texts) for (const m of text.replace(/["']/g, "").matchAll(/(?<![\w.])[A-Za-z_]\w*(?![\w.])/g)) names.add(m[0]);
  return [...names];
}

/** Is the class `x` names the class `y` names, or a subclass of it (both as their trees define them)? */
export function namesSubclass(x: TypeRef, y: TypeRef): boolean {
  const target = new Set(y.ids);
  return x.ids.some((id) => target.has(id)) || x.ancestors.some((id) => target.has(id));
}
