// Python extraction through the tree-sitter Python grammar (web-tree-sitter + the .wasm that the
// tree-sitter-python package ships): no Python interpreter needed. Module-level `def`/`async def`,
// classes and their public methods; `__all__` when the module declares it, otherwise names without
// a leading underscore. Parameter kinds follow Python's model (positional-only `/`, keyword-only
// after `*` or `*args`, var-positional, var-keyword).

import type { Node, Parser } from "web-tree-sitter";
import { treeSitterParser } from "../core/tree-sitter.js";
import { parseDocstringTags } from "./doctags.js";
import { DECLARED_LINE, type Contract, type ContractParam, type ParamKind } from "./model.js";
import { readSourceFile } from "./files.js";

let parserPromise: Promise<Parser> | undefined;

/** One parser per process: loading the grammar wasm is the expensive part. */
export function pythonParser(): Promise<Parser> {
  parserPromise ??= treeSitterParser("tree-sitter-python/tree-sitter-python.wasm");
  return parserPromise;
}

/** `_compat.py`, `_impl/x.py`: private modules are not API (`__init__.py` and `__main__.py` are). */
export function isPrivateModule(file: string): boolean {
  return file.split("/").some((part) => part.startsWith("_") && !/^__\w+__(\.py)?$/.test(part));
}

export async function extractPython(root: string, files: string[]): Promise<Contract[]> {
  const parser = await pythonParser();
  const contracts: Contract[] = [];
  for (const file of files.filter((f) => !isPrivateModule(f))) contracts.push(...extractPythonSource(parser, file, readSourceFile(root, file)));
  return contracts;
}

export function extractPythonSource(parser: Parser, module: string, text: string): Contract[] {
  const tree = parser.parse(text);
  if (!tree) throw new Error(`${module}: tree-sitter could not parse the file`);
  try {
    const top = tree.rootNode.namedChildren.filter((n): n is Node => n !== null);
    const dunderAll = readDunderAll(top);
    const isPublic = (name: string) => (dunderAll ? dunderAll.has(name) : !name.startsWith("_"));
    const overload = overloadNames(top);
    const contracts: Contract[] = [];
    for (const statement of top) {
      const { definition, decorators } = unwrapDecorated(statement);
      if (!definition || isOverloadStub(decorators, overload)) continue;
      const name = definition.childForFieldName("name")?.text;
      if (!name || !isPublic(name)) continue;
      if (definition.type === "function_definition") {
        contracts.push(functionContract(module, name, "function", definition, decorators, false));
      } else if (definition.type === "class_definition") {
        contracts.push(...classContracts(module, name, definition, overload));
      }
    }
    return contracts;
  } finally {
    tree.delete();
  }
}

function unwrapDecorated(node: Node): { definition?: Node; decorators: string[] } {
  if (node.type === "function_definition" || node.type === "class_definition") return { definition: node, decorators: [] };
  if (node.type !== "decorated_definition") return { decorators: [] };
  const definition = node.childForFieldName("definition") ?? undefined;
  const decorators = node.namedChildren.filter((c): c is Node => c?.type === "decorator").map((d) => d.text.replace(/^@\s*/, ""));
  return definition ? { definition, decorators } : { decorators };
}

/** `__all__ = [...]` / `(...)` of string literals; undefined when the module has none. */
function readDunderAll(top: Node[]): Set<string> | undefined {
  let names: Set<string> | undefined;
  for (const statement of top) {
    if (statement.type !== "expression_statement") continue;
    const assignment = statement.namedChild(0);
    if (!assignment || (assignment.type !== "assignment" && assignment.type !== "augmented_assignment")) continue;
    if (assignment.childForFieldName("left")?.text !== "__all__") continue;
    const right = assignment.childForFieldName("right");
    if (!right || (right.type !== "list" && right.type !== "tuple")) continue;
    names ??= new Set();
    if (assignment.type === "assignment") names.clear();
    for (const item of right.namedChildren) {
      if (item?.type === "string") names.add(stringValue(item));
    }
  }
  return names;
}

function stringValue(node: Node): string {
  return node.namedChildren
    .filter((c): c is Node => c?.type === "string_content")
    .map((c) => c.text)
    .join("");
}

function docstring(body: Node | null): string {
  const first = body?.namedChild(0);
  if (first?.type !== "expression_statement") return "";
  const value = first.namedChild(0);
  return value?.type === "string" ? stringValue(value) : "";
}

/**
 * How this module spells `typing.overload`: `overload`, `typing.overload`, and any alias
 * (`import typing as t` gives `t.overload`, `from typing import overload as ov` gives `ov`).
 */
function overloadNames(top: Node[]): Set<string> {
  const names = new Set(["overload", "typing.overload", "typing_extensions.overload"]);
  for (const statement of top) {
    if (statement.type === "import_statement") {
      for (const alias of statement.namedChildren) {
        if (alias?.type !== "aliased_import") continue;
        const module = alias.childForFieldName("name")?.text;
        const as = alias.childForFieldName("alias")?.text;
        if (as && (module === "typing" || module === "typing_extensions")) names.add(`${as}.overload`);
      }
    } else if (statement.type === "import_from_statement") {
      const module = statement.childForFieldName("module_name")?.text;
      if (module !== "typing" && module !== "typing_extensions") continue;
      for (const alias of statement.namedChildren) {
        if (alias?.type === "aliased_import" && alias.childForFieldName("name")?.text === "overload") {
          const as = alias.childForFieldName("alias")?.text;
          if (as) names.add(as);
        }
      }
    }
  }
  return names;
}

function isOverloadStub(decorators: string[], overload: Set<string>): boolean {
  // `@overload  # type: ignore`: the decorator text may carry a trailing comment.
  return decorators.some((d) => overload.has(d.replace(/\s*#.*$/, "").trim()));
}

function isPropertyDecorator(raw: string): boolean {
  // `@property  # type: ignore` is still a property.
  const decorator = raw.replace(/\s*#.*$/, "").trim();
  return decorator === "property" || decorator === "functools.cached_property" || decorator === "cached_property" || /\.(setter|getter|deleter)$/.test(decorator);
}

function classContracts(module: string, name: string, cls: Node, overload: Set<string>): Contract[] {
  const body = cls.childForFieldName("body");
  const classTags = parseDocstringTags(docstring(body));
  const methods: Contract[] = [];
  let init: Node | undefined;
  let initDecorators: string[] = [];
  for (const member of body?.namedChildren ?? []) {
    if (!member) continue;
    const { definition, decorators } = unwrapDecorated(member);
    // Properties are attributes, not callables; @overload stubs are not the implementation.
    if (definition?.type !== "function_definition" || isOverloadStub(decorators, overload) || decorators.some(isPropertyDecorator)) continue;
    const methodName = definition.childForFieldName("name")?.text ?? "";
    if (methodName === "__init__") {
      init = definition;
      initDecorators = decorators;
      continue;
    }
    if (methodName.startsWith("_")) continue;
    const isStatic = decorators.includes("staticmethod");
    const method = functionContract(module, `${name}.${methodName}`, "method", definition, decorators, !isStatic);
    if (!method.stability && classTags.stability) method.stability = classTags.stability;
    methods.push(method);
  }
  const classContract: Contract = init
    ? functionContract(module, name, "class", init, initDecorators, true)
    : { symbol: { name, module }, language: "python", kind: "class", params: [], returns: {}, sideEffects: [], errors: [], owners: [], consumers: [], tests: [] };
  classContract.returns = {};
  // The class docstring carries the class's tags; __init__'s own tags add to them.
  classContract.sideEffects = [...new Set([...classTags.sideEffects, ...classContract.sideEffects])].sort();
  classContract.errors = [...new Set([...classTags.errors, ...classContract.errors])].sort();
  classContract.owners = [...new Set([...classTags.owners, ...classContract.owners])].sort();
  if (classTags.stability) classContract.stability = classTags.stability;
  if (classTags.since) classContract.since = classTags.since;
  DECLARED_LINE.set(classContract, cls.startPosition.row + 1);
  return [classContract, ...methods.sort((a, b) => (a.symbol.name < b.symbol.name ? -1 : 1))];
}

function functionContract(module: string, name: string, kind: Contract["kind"], fn: Node, decorators: string[], dropFirst: boolean): Contract {
  const tags = parseDocstringTags(docstring(fn.childForFieldName("body")));
  let params = parameters(fn.childForFieldName("parameters"));
  // Bound methods: callers never pass self/cls (classmethods drop cls too).
  if (dropFirst && params.length > 0 && params[0]!.kind !== "var-positional" && params[0]!.kind !== "keyword-only") params = params.slice(1);
  const returnType = fn.childForFieldName("return_type");
  const contract: Contract = {
    symbol: { name, module },
    language: "python",
    kind,
    params,
    returns: returnType ? { type: normalise(returnType.text) } : {},
    sideEffects: tags.sideEffects,
    errors: tags.errors,
    owners: tags.owners,
    consumers: [],
    tests: [],
  };
  if (tags.evidence.length > 0) contract.returns.evidence = tags.evidence;
  if (fn.children.some((c) => c?.type === "async")) contract.async = true;
  if (tags.stability) contract.stability = tags.stability;
  else if (decorators.some((d) => /^(warnings\.|typing_extensions\.|typing\.)?deprecated\b/.test(d))) contract.stability = { level: "deprecated" };
  if (tags.since) contract.since = tags.since;
  DECLARED_LINE.set(contract, fn.startPosition.row + 1);
  return contract;
}

function parameters(list: Node | null): ContractParam[] {
  if (!list) return [];
  const params: ContractParam[] = [];
  let afterStar = false;
  for (const node of list.namedChildren) {
    if (!node) continue;
    if (node.type === "positional_separator") {
      // Everything before `/` is positional-only.
      for (const p of params) if (p.kind === "positional-or-keyword") p.kind = "positional-only";
      continue;
    }
    if (node.type === "keyword_separator") {
      afterStar = true;
      continue;
    }
    const param = parameter(node, afterStar);
    if (!param) continue;
    if (param.kind === "var-positional") afterStar = true;
    params.push(param);
  }
  return params;
}

function parameter(node: Node, afterStar: boolean): ContractParam | undefined {
  const plainKind: ParamKind = afterStar ? "keyword-only" : "positional-or-keyword";
  switch (node.type) {
    case "identifier":
      return { name: node.text, required: true, kind: plainKind };
    case "default_parameter":
    case "typed_default_parameter": {
      const param: ContractParam = { name: node.childForFieldName("name")?.text ?? "", required: false, kind: plainKind };
      const type = node.childForFieldName("type");
      if (type) param.type = normalise(type.text);
      const value = node.childForFieldName("value");
      if (value) param.default = normalise(value.text);
      return param;
    }
    case "typed_parameter": {
      const inner = node.namedChild(0);
      const type = node.childForFieldName("type");
      const base = inner ? parameter(inner, afterStar) : undefined;
      if (!base) return undefined;
      if (type) base.type = normalise(type.text);
      return base;
    }
    case "list_splat_pattern":
      return { name: node.namedChild(0)?.text ?? "", required: false, kind: "var-positional" };
    case "dictionary_splat_pattern":
      return { name: node.namedChild(0)?.text ?? "", required: false, kind: "var-keyword" };
    default:
      return undefined;
  }
}

/** Source text with whitespace runs collapsed and none around brackets/commas: reformatting is no change. */
function normalise(text: string): string {
  return text
    .replace(/\s+/g, " ")
    .replace(/\s*,\s*/g, ", ")
    .replace(/([[(])\s+/g, "$1")
    .replace(/\s+([\])])/g, "$1")
    .replace(/,\s*([)\]])/g, "$1")
    .replace(/\s*\|\s*/g, " | ")
    .trim();
}
