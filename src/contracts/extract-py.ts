// Python extraction through the tree-sitter Python grammar (web-tree-sitter + the .wasm that the
// tree-sitter-python package ships): no Python interpreter needed. Module-level `def`/`async def`,
// classes (`__init__` parameters, or the generated ones of dataclasses, attrs, NamedTuple and
// TypedDict: py/fields.ts), their public methods, properties and annotated attributes, enum
// members, annotated module attributes and module aliases. What is public, and under which path,
// is decided over the whole tree (py/exports.ts: `__all__`, `__init__` re-exports, private
// modules). Parameter kinds follow Python's model (positional-only `/`, keyword-only after `*` or
// `*args`, var-positional, var-keyword).

import type { Node, Parser } from "web-tree-sitter";
import { treeSitterParser } from "../core/tree-sitter.js";
import { parseDocstringTags } from "./doctags.js";
import { DECLARED_LINE, type Contract, type ContractParam, type ParamKind, type TypeParam } from "./model.js";
import { readSourceFile } from "./files.js";
import { isPrivateModule, publicContracts, PYTHON_DYNAMIC, PYTHON_OVERRIDES, type DynamicTarget, type PythonModule, type RawImport } from "./py/exports.js";
import { baseStyle, decoration, decoratorStyle, generatedParams, namedtupleParams, type Decoration, type FieldsStyle } from "./py/fields.js";
import { normalisePython as normalise } from "./py/text.js";

export { isPrivateModule };

let parserPromise: Promise<Parser> | undefined;

/** One parser per process: loading the grammar wasm is the expensive part. */
export function pythonParser(): Promise<Parser> {
  parserPromise ??= treeSitterParser("tree-sitter-python/tree-sitter-python.wasm");
  return parserPromise;
}

export async function extractPython(root: string, files: string[]): Promise<Contract[]> {
  const parser = await pythonParser();
  // Private modules are read too: a public module may re-export what they define.
  return publicContracts(files.map((file) => parsePythonModule(parser, file, readSourceFile(root, file))));
}

/** The public contracts of one module read on its own (no re-exports from other modules). */
export function extractPythonSource(parser: Parser, module: string, text: string): Contract[] {
  return publicContracts([parsePythonModule(parser, module, text)]);
}

/**
 * Module-level statements, including those under `if`/`try` (`if TYPE_CHECKING:`, `try: from
 * ._speedups import escape except ImportError: ...`): the first binding of a name wins.
 */
function moduleStatements(nodes: (Node | null)[]): Node[] {
  const out: Node[] = [];
  for (const node of nodes) {
    if (!node) continue;
    if (node.type === "if_statement" || node.type === "try_statement" || node.type === "else_clause" || node.type === "elif_clause" || node.type === "except_clause" || node.type === "finally_clause") {
      for (const child of node.namedChildren) {
        if (child?.type === "block") out.push(...moduleStatements(child.namedChildren));
        else if (child && /_clause$/.test(child.type)) out.push(...moduleStatements([child]));
      }
    } else {
      out.push(node);
    }
  }
  return out;
}

export function parsePythonModule(parser: Parser, module: string, text: string): PythonModule {
  const tree = parser.parse(text);
  if (!tree) throw new Error(`${module}: tree-sitter could not parse the file`);
  try {
    const top = moduleStatements(tree.rootNode.namedChildren);
    const overload = overloadNames(top);
    const defined: Contract[] = [];
    const seen = new Set<string>();
    const imports: RawImport[] = [];
    const imported = new Set<string>();
    const aliases = new Map<string, string>();
    const classParams = new Map<string, GeneratedInit>();
    const classBases = new Map<string, string[]>();
    const binding = lastBindings(tree.rootNode.namedChildren, top, overload);
    // A name's contract comes from the statement that binds it last (Python rebinds in order):
    // a later `def`, class or assignment replaces an earlier one, a later import, `del` or opaque
    // assignment leaves no definition of this module under the name.
    const define = (name: string, contracts: Contract[], statement: Node) => {
      if (binding.get(name) !== statement) return;
      if (seen.has(name)) return;
      seen.add(name);
      defined.push(...contracts);
    };
    const assignments: Node[] = [];
    for (const statement of top) {
      if (statement.type === "import_from_statement") {
        const raw = importOf(statement);
        if (raw) {
          imports.push(raw);
          for (const n of raw.names ?? []) imported.add(n.local);
        }
        continue;
      }
      if (statement.type === "import_statement") {
        for (const alias of statement.namedChildren) if (alias) imported.add((alias.type === "aliased_import" ? alias.childForFieldName("alias")?.text : alias.text.split(".")[0]) ?? "");
        continue;
      }
      if (statement.type === "expression_statement") {
        assignments.push(statement);
        continue;
      }
      const { definition, decorators } = unwrapDecorated(statement);
      if (!definition || isOverloadStub(decorators, overload)) continue;
      const name = definition.childForFieldName("name")?.text;
      if (!name) continue;
      if (definition.type === "function_definition") {
        define(name, [functionContract(module, name, "function", definition, decorators, false)], statement);
      } else if (definition.type === "class_definition") {
        if (binding.get(name) === statement && !seen.has(name)) classBases.set(name, baseNames(definition));
        define(name, classContracts(module, name, definition, overload, statement, classParams), statement);
      }
    }
    // Module attributes after the definitions: an alias (`Alias = Defined`) copies what it names.
    for (const statement of assignments) {
      const assignment = statement.namedChild(0);
      if (assignment?.type !== "assignment") continue;
      const left = assignment.childForFieldName("left");
      if (left?.type !== "identifier" || left.text === "__all__") continue;
      const name = left.text;
      const type = assignment.childForFieldName("type");
      const right = assignment.childForFieldName("right");
      const tuple = right?.type === "call" ? namedtupleParams(right) : undefined;
      if (tuple) {
        define(name, [withLine(plainContract(module, name, "class", tuple), statement)], statement);
      } else if (!type && right?.type === "lambda") {
        // `process = lambda x, y: …` is a public function: its parameters are its contract.
        define(name, [functionContract(module, name, "function", right, [], false)], statement);
      } else if (type) {
        const annotation = normalise(type.text);
        const contract = withLine(plainContract(module, name, "const", []), statement);
        contract.type = annotation.replace(/^(?:typing\.|t\.)?Final\[(.*)\]$/s, "$1");
        if (/^(?:typing\.|t\.)?Final/.test(annotation)) contract.readonly = true;
        define(name, [contract], statement);
      } else if (right?.type === "identifier" || right?.type === "attribute") {
        const target = right.text;
        if (seen.has(target)) {
          define(name, defined.filter((c) => c.symbol.name === target || c.symbol.name.startsWith(`${target}.`)).map((c) => ({ ...c, symbol: { module, name: name + c.symbol.name.slice(target.length) } })), statement);
        } else if (imported.has(target)) {
          if (binding.get(name) === statement) aliases.set(name, target);
        } else if (!imported.has(target.split(".")[0]!)) {
          define(name, [withLine(plainContract(module, name, "const", []), statement)], statement);
        }
      }
    }
    const dynamic = dynamicNames(top);
    for (const [name] of dynamic) {
      if (seen.has(name)) continue;
      const placeholder = plainContract(module, name, "const", []);
      placeholder.stability = { level: "deprecated" };
      PYTHON_DYNAMIC.add(placeholder);
      seen.add(name);
      defined.push(placeholder);
    }
    markTypeVariables(defined, assignments);
    inheritPrivateBases(defined, classBases, module);
    const dunderAll = readDunderAll(top);
    // A definition followed by an unconditional `from x import *` may be rebound by it (exports.ts decides).
    const roots = new Set(tree.rootNode.namedChildren.flatMap((n) => (n ? [n.id] : [])));
    const lastStar = top.findLastIndex((s) => roots.has(s.id) && s.type === "import_from_statement" && s.namedChildren.some((c) => c?.type === "wildcard_import"));
    const starShadowed = new Set<string>();
    top.forEach((s, i) => {
      if (i < lastStar) for (const [name, b] of binding) if (b !== REBOUND && b.id === s.id) starShadowed.add(name);
    });
    const dynamicTargets = new Map([...dynamic].filter((entry): entry is [string, DynamicTarget] => entry[1] !== undefined));
    return {
      file: module,
      defined,
      imports,
      aliases,
      classBases,
      dynamicTargets,
      ...(dunderAll ? { dunderAll: dunderAll.names, ...(dunderAll.open ? { dunderAllOpen: true } : {}) } : {}),
      ...(starShadowed.size > 0 ? { starShadowed } : {}),
    };
  } finally {
    tree.delete();
  }
}

/**
 * Names a module-level `def __getattr__(name)` answers (`if name == "X":`, `elif name in ("X",
 * "Y"):`), each with what its branch returns when that is a plain name (`if name ==
 * "OptionParser": from .parser import _OptionParser; ...; return _OptionParser`): the deprecated
 * name is that definition. Only a branch that ends by returning a value serves its names: one
 * that raises (`raise AttributeError(name)`), a comparison in a comment or string, or a
 * condition with more than the name's comparisons in it serves nothing, so a removal is not
 * disguised as a deprecation.
 */
const LITERALS = new Set(["none", "true", "false", "integer", "float", "string", "concatenated_string"]);

function dynamicNames(top: Node[]): Map<string, DynamicTarget | undefined> {
  const hook = top.find((s) => s.type === "function_definition" && s.childForFieldName("name")?.text === "__getattr__");
  const param = hook?.childForFieldName("parameters")?.namedChildren.find((p) => p?.type === "identifier" || p?.type === "typed_parameter");
  const name = param?.type === "typed_parameter" ? param.namedChild(0)?.text : param?.text;
  const body = hook?.childForFieldName("body");
  if (!name || !body) return new Map();
  const comparison = new RegExp(`\\b${name}\\s*(?:==\\s*["'](\\w+)["']|in\\s*[([{]([^)\\]}]*)[)\\]}])`, "g");
  const single = new RegExp(`^${name}\\s*==\\s*["'](\\w+)["']$`);
  const names = new Map<string, DynamicTarget | undefined>();
  const clauses = body.namedChildren.flatMap((statement) =>
    statement?.type === "if_statement" ? [statement, ...statement.childrenForFieldName("alternative").filter((c): c is Node => c?.type === "elif_clause")] : [],
  );
  for (const clause of clauses) {
    const condition = clause.childForFieldName("condition")?.text ?? "";
    const branch = clause.childForFieldName("consequence")?.namedChildren.filter((s): s is Node => s !== null && s.type !== "comment") ?? [];
    const last = branch.at(-1);
    const returned = last?.type === "return_statement" ? last.namedChild(0) : undefined;
    // `return None` (or another literal) serves no definition under the old name either.
    if (!returned || LITERALS.has(returned.type)) continue;
    // Nothing but the name's comparisons, joined by `or`.
    if (condition.replace(comparison, "").replace(/\bor\b|[()\s]/g, "") !== "") continue;
    const answered = [...condition.matchAll(comparison)].flatMap((m) => (m[1] ? [m[1]] : [...(m[2] ?? "").matchAll(/["'](\w+)["']/g)].map((s) => s[1]!)));
    for (const answer of answered) if (!names.has(answer)) names.set(answer, undefined);
    const only = single.exec(condition)?.[1];
    if (!only || returned.type !== "identifier") continue;
    const local = branch.map((s) => (s.type === "import_from_statement" ? importOf(s) : undefined)).find((raw) => raw?.names?.some((n) => n.local === returned.text));
    names.set(only, { name: returned.text, ...(local ? { from: local } : {}) });
  }
  return names;
}

/**
 * Members a class inherits from a private base class of its module (`class _Base:` …
 * `class Worker(_Base):`) are the public class's contracts, under its name, less those it defines
 * itself: the private base has no public path of its own, so a breaking change to `run` read as
 * no change to `Worker.run`. Bases are followed in definition order (a base comes first in
 * Python), so a chain of private bases is inherited whole; a public base records its own members.
 */
function inheritPrivateBases(defined: Contract[], classBases: Map<string, string[]>, module: string): void {
  for (const [name, bases] of classBases) {
    const own = new Set(defined.filter((c) => c.symbol.name.startsWith(`${name}.`)).map((c) => c.symbol.name));
    for (const base of bases) {
      if (!base.startsWith("_") || base.startsWith("__") || !classBases.has(base)) continue;
      for (const member of defined.filter((c) => c.symbol.name.startsWith(`${base}.`))) {
        const renamed = `${name}${member.symbol.name.slice(base.length)}`;
        if (own.has(renamed)) continue;
        own.add(renamed);
        const copy = { ...member, symbol: { module, name: renamed } };
        const line = DECLARED_LINE.get(member);
        if (line !== undefined) DECLARED_LINE.set(copy, line);
        defined.push(copy);
      }
    }
  }
}

/** A class's bases as written, keyword arguments (`metaclass=`, `total=`) left out. */
function baseNames(cls: Node): string[] {
  return (cls.childForFieldName("superclasses")?.namedChildren ?? []).filter((b): b is Node => b !== null && b.type !== "keyword_argument").map((b) => b.text);
}

/**
 * The module's type variables (`F = t.TypeVar("F", bound=...)`, `ParamSpec`, `TypeVarTuple`) that
 * a callable's annotations name become its `typeParams`: an annotation change that involves one is
 * a generic relation only a type checker can decide (diff.ts).
 */
function markTypeVariables(contracts: Contract[], assignments: Node[]): void {
  const variables: TypeParam[] = [];
  for (const statement of assignments) {
    const assignment = statement.namedChild(0);
    const right = assignment?.type === "assignment" ? assignment.childForFieldName("right") : null;
    const left = assignment?.childForFieldName("left");
    if (right?.type !== "call" || left?.type !== "identifier") continue;
    if (!/(?:^|\.)(?:TypeVar|ParamSpec|TypeVarTuple)$/.test(right.childForFieldName("function")?.text ?? "")) continue;
    const bound = right.childForFieldName("arguments")?.namedChildren.find((a) => a?.type === "keyword_argument" && a.childForFieldName("name")?.text === "bound")?.childForFieldName("value");
    variables.push({ name: left.text, ...(bound ? { constraint: normalise(bound.text) } : {}) });
  }
  if (variables.length === 0) return;
  for (const contract of contracts) {
    if (contract.kind !== "function" && contract.kind !== "method" && contract.kind !== "class") continue;
    const annotations = [...contract.params.map((p) => p.type ?? ""), contract.returns.type ?? ""].join(" ");
    const used = variables.filter((v) => new RegExp(`(^|[^\\w.])${v.name}([^\\w]|$)`).test(annotations));
    if (used.length > 0) contract.typeParams = used;
  }
}

function importOf(statement: Node): RawImport | undefined {
  const moduleName = statement.childForFieldName("module_name");
  if (!moduleName) return undefined;
  let level = 0;
  let dotted = moduleName.text;
  if (moduleName.type === "relative_import") {
    level = moduleName.namedChildren.find((c) => c?.type === "import_prefix")?.text.length ?? 0;
    dotted = moduleName.namedChildren.find((c) => c?.type === "dotted_name")?.text ?? "";
  }
  if (statement.namedChildren.some((c) => c?.type === "wildcard_import")) return { level, dotted };
  const names: { imported: string; local: string }[] = [];
  for (const child of statement.childrenForFieldName("name")) {
    if (!child) continue;
    if (child.type === "aliased_import") names.push({ imported: child.childForFieldName("name")?.text ?? "", local: child.childForFieldName("alias")?.text ?? "" });
    else names.push({ imported: child.text, local: child.text });
  }
  return { level, dotted, names };
}

function plainContract(module: string, name: string, kind: Contract["kind"], params: ContractParam[]): Contract {
  return { symbol: { name, module }, language: "python", kind, params, returns: {}, sideEffects: [], errors: [], owners: [], consumers: [], tests: [] };
}

function withLine(contract: Contract, node: Node): Contract {
  DECLARED_LINE.set(contract, node.startPosition.row + 1);
  return contract;
}

function unwrapDecorated(node: Node): { definition?: Node; decorators: string[] } {
  if (node.type === "function_definition" || node.type === "class_definition") return { definition: node, decorators: [] };
  if (node.type !== "decorated_definition") return { decorators: [] };
  const definition = node.childForFieldName("definition") ?? undefined;
  const decorators = node.namedChildren.filter((c): c is Node => c?.type === "decorator").map((d) => d.text.replace(/^@\s*/, ""));
  return definition ? { definition, decorators } : { decorators };
}

/**
 * The statement that binds each module-level name last, as Python runs the module top to bottom:
 * a `def`, a class or an assignment (in an `if`/`try` branch too) replaces every earlier binding;
 * an import, `del name`, a tuple unpacking or an assignment whose value cannot be read (`f =
 * None`, `f = make()`) leaves a marker that is no statement of ours, so no contract of this module
 * is recorded under the name (an import is resolved as an import). Two exceptions keep the
 * earlier binding: an import in an `if`/`try` branch after a definition (`try: from ._speedups
 * import escape`: an accelerated copy of the definition), and a wrapper of the name itself (`f =
 * functools.lru_cache()(f)`), which keeps its signature as a decorator does. The first binding
 * used to win everywhere, so `def f(a)` followed by `def f(a, b, c)`, `f = _other`, `from ._impl
 * import f` or `del f` changed the module's API unseen.
 */
const REBOUND = Symbol("rebound");
function lastBindings(roots: (Node | null)[], top: Node[], overload: Set<string>): Map<string, Node | typeof REBOUND> {
  // web-tree-sitter hands out a new wrapper per access: nodes are compared by id.
  const unconditional = new Set(roots.flatMap((n) => (n ? [n.id] : [])));
  const binding = new Map<string, Node | typeof REBOUND>();
  const rebind = (name: string, statement: Node) => {
    const current = binding.get(name);
    // An import in a branch after a definition: the accelerated or fallback copy keeps the definition.
    if (!unconditional.has(statement.id) && current !== undefined && current !== REBOUND) return;
    binding.set(name, REBOUND);
  };
  const patternNames = (node: Node): string[] =>
    node.type === "identifier" ? [node.text] : node.namedChildren.flatMap((c) => (c && /pattern|list|tuple|identifier|splat/.test(c.type) ? patternNames(c) : []));
  for (const statement of top) {
    if (statement.type === "import_from_statement") {
      const raw = importOf(statement);
      for (const n of raw?.names ?? []) rebind(n.local, statement);
      continue;
    }
    if (statement.type === "import_statement") {
      for (const alias of statement.namedChildren) if (alias) rebind((alias.type === "aliased_import" ? alias.childForFieldName("alias")?.text : alias.text.split(".")[0]) ?? "", statement);
      continue;
    }
    if (statement.type === "delete_statement") {
      for (const target of statement.namedChildren) if (target) for (const name of patternNames(target)) binding.set(name, REBOUND);
      continue;
    }
    if (statement.type === "expression_statement") {
      const assignment = statement.namedChild(0);
      if (assignment?.type !== "assignment") continue;
      const left = assignment.childForFieldName("left");
      if (!left) continue;
      if (left.type !== "identifier") {
        for (const name of patternNames(left)) binding.set(name, REBOUND);
        continue;
      }
      const name = left.text;
      if (name === "__all__") continue;
      const right = assignment.childForFieldName("right");
      const type = assignment.childForFieldName("type");
      const readable = !!type || right?.type === "lambda" || right?.type === "identifier" || right?.type === "attribute" || (right?.type === "call" && namedtupleParams(right) !== undefined);
      if (readable) binding.set(name, statement);
      else if (right?.type === "call" && binding.get(name) !== undefined && binding.get(name) !== REBOUND && new RegExp(`\\b${name}\\b`).test(right.childForFieldName("arguments")?.text ?? "")) continue;
      else binding.set(name, REBOUND);
      continue;
    }
    const { definition, decorators } = unwrapDecorated(statement);
    if (!definition || isOverloadStub(decorators, overload)) continue;
    const name = definition.childForFieldName("name")?.text;
    if (name) binding.set(name, statement);
  }
  return binding;
}

/**
 * The member each name of a class body is bound by last (a node id; -1 for `del`): a method's
 * `def` that a later `def`, assignment or `del` rebinds is not the class's method, as Python runs
 * the body top to bottom. Properties (`@property`, `@x.setter`) and `@overload` stubs share names
 * on purpose and bind nothing here.
 */
function lastMemberBindings(body: Node | null, overload: Set<string>): Map<string, number> {
  const last = new Map<string, number>();
  const names = (node: Node): string[] => (node.type === "identifier" ? [node.text] : node.namedChildren.flatMap((c) => (c ? names(c) : [])));
  for (const member of body?.namedChildren ?? []) {
    if (!member) continue;
    if (member.type === "expression_statement") {
      const assignment = member.namedChild(0);
      const left = assignment?.type === "assignment" ? assignment.childForFieldName("left") : undefined;
      if (left && left.type !== "attribute" && left.type !== "subscript") for (const name of names(left)) last.set(name, member.id);
      continue;
    }
    if (member.type === "delete_statement") {
      for (const target of member.namedChildren) if (target && target.type === "identifier") last.set(target.text, -1);
      continue;
    }
    const { definition, decorators } = unwrapDecorated(member);
    if (definition?.type !== "function_definition" || isOverloadStub(decorators, overload) || decorators.some(isPropertyDecorator)) continue;
    const name = definition.childForFieldName("name")?.text;
    if (name) last.set(name, member.id);
  }
  return last;
}

/**
 * `__all__` as the module builds it: `= [...]` / `(...)` of string literals, `+=`, `+` of such
 * lists, `.append("x")`, `.extend([...])`; undefined when the module has none. Anything else
 * that touches `__all__` (a computed item, `.remove`, a loop, `= other.__all__ + [...]`) leaves
 * its list unknown: `open`, and the module's public names are then its listed names and every
 * name without a leading underscore (fail-closed: a name added where it was not read is still
 * a contract; skipping it left that name's breaking change unseen).
 */
function readDunderAll(top: Node[]): { names: Set<string>; open: boolean } | undefined {
  let names: Set<string> | undefined;
  let open = false;
  for (const statement of top) {
    if (statement.type === "function_definition" || statement.type === "class_definition" || statement.type === "decorated_definition") continue;
    if (!statement.text.includes("__all__")) continue;
    const expression = statement.type === "expression_statement" ? statement.namedChild(0) : null;
    if (expression && (expression.type === "assignment" || expression.type === "augmented_assignment") && expression.childForFieldName("left")?.text === "__all__") {
      const operator = expression.type === "augmented_assignment" ? expression.childForFieldName("operator")?.text : "=";
      const listed = operator === "=" || operator === "+=" ? literalNames(expression.childForFieldName("right"), names) : undefined;
      if (operator === "=") names = new Set();
      names ??= new Set();
      if (listed) for (const name of listed) names.add(name);
      else open = true;
      continue;
    }
    if (expression?.type === "call") {
      const callee = expression.childForFieldName("function");
      const args = expression.childForFieldName("arguments")?.namedChildren.filter((a): a is Node => a !== null) ?? [];
      const method = callee?.type === "attribute" && callee.childForFieldName("object")?.text === "__all__" ? callee.childForFieldName("attribute")?.text : undefined;
      const listed =
        method === "append" && args.length === 1 && args[0]!.type === "string" ? [stringValue(args[0]!)] : method === "extend" && args.length === 1 ? literalNames(args[0]!, names) : undefined;
      if (method !== undefined) {
        names ??= new Set();
        if (listed) for (const name of listed) names.add(name);
        else open = true;
        continue;
      }
    }
    // A docstring only names it; any other statement may build it in a shape not read here.
    if (expression?.type === "string") continue;
    open = true;
  }
  return names ? { names, open } : undefined;
}

/** The names a list, a tuple or a `+` of them (or `__all__` itself, `current`) spells; undefined when any part is not a literal. */
function literalNames(node: Node | null, current: Set<string> | undefined): string[] | undefined {
  if (!node) return undefined;
  if (node.type === "parenthesized_expression") return literalNames(node.namedChild(0), current);
  if (node.type === "identifier" && node.text === "__all__") return current ? [...current] : undefined;
  if (node.type === "binary_operator" && node.childForFieldName("operator")?.text === "+") {
    const left = literalNames(node.childForFieldName("left"), current);
    const right = literalNames(node.childForFieldName("right"), current);
    return left && right ? [...left, ...right] : undefined;
  }
  if (node.type !== "list" && node.type !== "tuple") return undefined;
  const out: string[] = [];
  for (const item of node.namedChildren) {
    if (item?.type !== "string" || item.namedChildren.some((c) => c?.type === "interpolation")) return undefined;
    out.push(stringValue(item));
  }
  return out;
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

const ENUM_BASES = /^(?:enum\.)?(?:Enum|IntEnum|StrEnum|Flag|IntFlag|ReprEnum)$/;

/**
 * A class: its constructor (`__init__`, else the generated one of a dataclass, attrs class,
 * NamedTuple or TypedDict), public methods, properties (`Class.name`, read-only without a setter),
 * annotated class attributes that are not constructor fields, and enum members.
 * `classParams` holds the generated parameters of this module's classes for subclasses.
 */
function classContracts(module: string, name: string, cls: Node, overload: Set<string>, statement: Node, classParams: Map<string, GeneratedInit>): Contract[] {
  const body = cls.childForFieldName("body");
  const classTags = parseDocstringTags(docstring(body));
  const decorations: Decoration[] = statement.type === "decorated_definition" ? statement.namedChildren.filter((c): c is Node => c?.type === "decorator").map((d) => decoration(d.text.replace(/^@\s*/, ""), d.namedChildren.find((c) => c?.type !== "comment"))) : [];
  const baseNodes = (cls.childForFieldName("superclasses")?.namedChildren ?? []).filter((b): b is Node => b !== null);
  const bases = baseNodes.filter((b) => b.type !== "keyword_argument").map((b) => b.text);
  const total = baseNodes.find((b) => b.type === "keyword_argument" && b.childForFieldName("name")?.text === "total")?.childForFieldName("value")?.text;
  const base = bases.map((b) => classParams.get(b)).find((p) => p !== undefined);
  const inherited = base?.params;
  const fromDecorator = decoratorStyle(decorations);
  // A subclass of a TypedDict of this module is one too.
  const style = fromDecorator?.style ?? baseStyle(bases) ?? (base?.style === "typeddict" ? "typeddict" : undefined);
  const isEnum = bases.some((b) => ENUM_BASES.test(b));
  const methods: Contract[] = [];
  const properties = new Map<string, Contract>();
  const setters = new Set<string>();
  let init: Node | undefined;
  let initDecorators: string[] = [];
  let abstractMethods = false;
  const fieldParams = style ? generatedParams(body, style, { ...(fromDecorator?.kwOnly ? { kwOnly: true } : {}), ...(total === "False" ? { total: false } : {}), ...(inherited ? { inherited } : {}) }) : undefined;
  const fieldNames = new Set((fieldParams ?? []).map((p) => p.name));
  const lastMember = lastMemberBindings(body, overload);
  for (const member of body?.namedChildren ?? []) {
    if (!member) continue;
    if (member.type === "expression_statement") {
      const attribute = classAttribute(module, name, member, { isEnum, fieldNames, style, bound: lastMember, methods });
      if (attribute && !properties.has(attribute.symbol.name)) properties.set(attribute.symbol.name, attribute);
      continue;
    }
    const { definition, decorators } = unwrapDecorated(member);
    if (definition?.type !== "function_definition" || isOverloadStub(decorators, overload)) continue;
    const methodName = definition.childForFieldName("name")?.text ?? "";
    if (decorators.some(isPropertyDecorator)) {
      // Properties are attributes, not callables: `Class.name`, read-only unless a setter exists.
      if (decorators.some((d) => /\.setter\s*(#.*)?$/.test(d))) setters.add(methodName);
      if (methodName.startsWith("_") || properties.has(`${name}.${methodName}`)) continue;
      const property = plainContract(module, `${name}.${methodName}`, "property", []);
      const returnType = definition.childForFieldName("return_type");
      if (returnType) property.type = normalise(returnType.text);
      DECLARED_LINE.set(property, definition.startPosition.row + 1);
      properties.set(property.symbol.name, property);
      continue;
    }
    // A method the class body rebinds later (a second def, `m = _other`, `del m`) is not this def.
    if (lastMember.get(methodName) !== member.id) continue;
    if (methodName === "__init__" || (methodName === "__new__" && !init)) {
      // `__new__` is the constructor of a class without `__init__` (typing_extensions.TypeVar),
      // unless it only takes `*args, **kwargs` to hand on: then the inherited `__init__` decides.
      if (methodName === "__new__" && isPassThrough(definition)) continue;
      init = definition;
      initDecorators = decorators;
      continue;
    }
    const isAbstract = decorators.some((d) => ABSTRACT_DECORATORS.has(d.replace(/\s*#.*$/, "").trim()));
    if (isAbstract) abstractMethods = true;
    if (methodName.startsWith("_")) continue;
    const isStatic = decorators.includes("staticmethod");
    const method = functionContract(module, `${name}.${methodName}`, "method", definition, decorators, !isStatic);
    // Called on the class itself (`C.m(x)`): a static or class method that becomes an instance
    // method breaks those calls, though its parameters read the same once self/cls is dropped.
    if (isStatic || decorators.includes("classmethod")) method.static = true;
    // Every subclass must implement it (and an ABC with one cannot be instantiated: below).
    if (isAbstract) method.abstract = true;
    if (callsSuper(definition, methodName)) PYTHON_OVERRIDES.add(method);
    if (!method.stability && classTags.stability) method.stability = classTags.stability;
    methods.push(method);
  }
  // What `__init__` assigns to the instance is API too (griffe reports it): `obj.url` breaks when it goes.
  if (init && style !== "typeddict") {
    const taken = new Set(methods.map((m) => m.symbol.name));
    for (const attribute of instanceAttributes(module, name, init)) {
      if (!properties.has(attribute.symbol.name) && !taken.has(attribute.symbol.name)) properties.set(attribute.symbol.name, attribute);
    }
  }
  for (const [id, property] of properties) {
    if (property.kind !== "property") continue;
    const member = id.slice(name.length + 1);
    if (property.readonly === undefined && !property.static && isPropertyNamed(body, member) && !setters.has(member)) property.readonly = true;
  }
  // An explicit __init__ wins over a generated one (dataclasses and attrs keep it too).
  const classContract: Contract = init ? functionContract(module, name, "class", init, initDecorators, true) : plainContract(module, name, "class", fieldParams ?? inherited ?? []);
  if (fieldParams && style) classParams.set(name, { params: fieldParams, style });
  // `C()` raises TypeError on an ABC with an abstract method of its own: callers can no longer construct it.
  const abcMeta = baseNodes.some((b) => (b.type === "keyword_argument" ? b.childForFieldName("name")?.text === "metaclass" && /^(?:abc\.)?ABCMeta$/.test(b.childForFieldName("value")?.text ?? "") : /^(?:abc\.)?ABC$/.test(b.text)));
  if (abstractMethods && abcMeta) classContract.construct = "abstract";
  // A frozen dataclass or attrs class: assigning a field raises, so writers of instances break.
  if (decorations.some(isFrozenDecoration)) classContract.readonly = true;
  classContract.returns = {};
  // The class docstring carries the class's tags; __init__'s own tags add to them.
  classContract.sideEffects = [...new Set([...classTags.sideEffects, ...classContract.sideEffects])].sort();
  classContract.errors = [...new Set([...classTags.errors, ...classContract.errors])].sort();
  classContract.owners = [...new Set([...classTags.owners, ...classContract.owners])].sort();
  if (classTags.stability) classContract.stability = classTags.stability;
  if (classTags.since) classContract.since = classTags.since;
  DECLARED_LINE.set(classContract, cls.startPosition.row + 1);
  const members = [...methods, ...properties.values()];
  return [classContract, ...members.sort((a, b) => (a.symbol.name < b.symbol.name ? -1 : 1))];
}

const ABSTRACT_DECORATORS = new Set(["abstractmethod", "abc.abstractmethod", "abstractproperty", "abc.abstractproperty"]);

/** `@dataclass(frozen=True)`, `@attr.s(frozen=True)`, `@attrs.define(frozen=True)`, `@frozen`, `@attrs.frozen`. */
function isFrozenDecoration(d: Decoration): boolean {
  return /^(?:attrs?\.)?frozen$/.test(d.head) || d.keywords.get("frozen") === "True";
}

/** `def __new__(cls, *args, **kwargs)`: no parameter of its own, only what it hands on. */
function isPassThrough(fn: Node): boolean {
  const params = parameters(fn.childForFieldName("parameters")).slice(1);
  return params.length > 0 && params.every((p) => p.kind === "var-positional" || p.kind === "var-keyword");
}

/** A method that calls the method it overrides (`super().updatepos(i, j)`): a base class has it too. */
function callsSuper(fn: Node, name: string): boolean {
  return new RegExp(`\\bsuper\\([^()]*\\)\\s*\\.\\s*${name}\\s*\\(`).test(fn.childForFieldName("body")?.text ?? "");
}

/** A class of this module with a generated `__init__`: its subclasses start from its fields. */
interface GeneratedInit {
  params: ContractParam[];
  style: FieldsStyle;
}

function isPropertyNamed(body: Node | null, member: string): boolean {
  return (body?.namedChildren ?? []).some((m) => m?.type === "decorated_definition" && m.childForFieldName("definition")?.childForFieldName("name")?.text === member);
}

/**
 * A class-level attribute: an annotated one that is no constructor field (`ClassVar[...]` is
 * static, `Final[...]` read-only), or an enum member (`RED = 1`, its value the contract's type).
 */
function classAttribute(
  module: string,
  className: string,
  statement: Node,
  context: { isEnum: boolean; fieldNames: Set<string>; style: string | undefined; bound: Map<string, number>; methods: Contract[] },
): Contract | undefined {
  const assignment = statement.namedChild(0);
  if (assignment?.type !== "assignment") return undefined;
  const left = assignment.childForFieldName("left");
  if (left?.type !== "identifier" || left.text.startsWith("_")) return undefined;
  const type = assignment.childForFieldName("type");
  const right = assignment.childForFieldName("right");
  const name = `${className}.${left.text}`;
  if (context.isEnum && !type && right) {
    const member = plainContract(module, name, "enum-member", []);
    member.type = normalise(right.text);
    return withLine(member, statement);
  }
  if (!type) {
    // `limit = 10` in a class body is a class attribute (griffe reports it): removing it breaks
    // `C.limit`. An alias of a method of the class (`close = shutdown`) is that method under
    // the new name. A later binding of the name (a `def`, `del`) is what the class holds.
    if (!right || context.style === "typeddict" || context.bound.get(left.text) !== statement.id) return undefined;
    if (context.fieldNames.has(left.text) || context.fieldNames.has(left.text.replace(/^_+/, ""))) return undefined;
    const target = right.type === "identifier" ? context.methods.find((m) => m.symbol.name === `${className}.${right.text}`) : undefined;
    if (target) return withLine({ ...target, symbol: { module, name } }, statement);
    return withLine(plainContract(module, name, "property", []), statement);
  }
  const annotation = normalise(type.text);
  const isClassVar = /^(?:typing\.|t\.)?ClassVar\b/.test(annotation);
  // Constructor fields are the class's parameters; a TypedDict or NamedTuple has no other attributes.
  if (!isClassVar && (context.fieldNames.has(left.text) || context.fieldNames.has(left.text.replace(/^_+/, "")) || context.style === "typeddict" || context.style === "namedtuple")) return undefined;
  const property = plainContract(module, name, "property", []);
  property.type = annotation.replace(/^(?:typing\.|t\.)?(?:ClassVar|Final)\[(.*)\]$/s, "$1");
  if (isClassVar) property.static = true;
  if (/^(?:typing\.|t\.)?Final\b/.test(annotation)) property.readonly = true;
  return withLine(property, statement);
}

/**
 * The public instance attributes a constructor assigns through its first parameter (`self.url =
 * url`, `self.timeout: int = 5`, `self.a, self.b = pair`, `self.x = self.y = 0`), in nested
 * blocks (`if`, `try`, `with`, loops) but not in nested functions, lambdas or classes, which are
 * not run by `__init__` itself: the attributes griffe reports for the class. The first annotation
 * written for a name is its type (`Final[...]` read-only).
 */
function instanceAttributes(module: string, className: string, init: Node): Contract[] {
  const first = init.childForFieldName("parameters")?.namedChildren.find((p) => p !== null && p.type !== "comment");
  const self = first?.type === "identifier" ? first.text : first?.type === "typed_parameter" && first.namedChild(0)?.type === "identifier" ? first.namedChild(0)!.text : undefined;
  const found = new Map<string, Contract>();
  if (!self) return [];
  const targets = (node: Node): Node[] => (node.type === "attribute" ? [node] : /pattern|list|tuple|parenthesized/.test(node.type) ? node.namedChildren.flatMap((c) => (c ? targets(c) : [])) : []);
  const visit = (node: Node) => {
    for (const child of node.namedChildren) {
      if (!child || child.type === "function_definition" || child.type === "class_definition" || child.type === "decorated_definition" || child.type === "lambda") continue;
      if (child.type === "assignment") {
        const left = child.childForFieldName("left");
        const type = child.childForFieldName("type");
        for (const target of left ? targets(left) : []) {
          const attribute = target.childForFieldName("attribute")?.text ?? "";
          if (target.childForFieldName("object")?.text !== self || attribute === "" || attribute.startsWith("_")) continue;
          const id = `${className}.${attribute}`;
          const existing = found.get(id);
          if (existing && (existing.type !== undefined || !type)) continue;
          const contract = existing ?? withLine(plainContract(module, id, "property", []), child);
          if (type && left?.type === "attribute") {
            const annotation = normalise(type.text);
            contract.type = annotation.replace(/^(?:typing\.|t\.)?Final\[(.*)\]$/s, "$1");
            if (/^(?:typing\.|t\.)?Final\b/.test(annotation)) contract.readonly = true;
          }
          found.set(id, contract);
        }
      }
      visit(child);
    }
  };
  visit(init.childForFieldName("body") ?? init);
  return [...found.values()];
}

function functionContract(module: string, name: string, kind: Contract["kind"], fn: Node, decorators: string[], dropFirst: boolean): Contract {
  const tags = parseDocstringTags(docstring(fn.childForFieldName("body")));
  let params = parameters(fn.childForFieldName("parameters"));
  // Bound methods: callers never pass self/cls (classmethods drop cls too).
  if (dropFirst && params.length > 0 && params[0]!.kind !== "var-positional" && params[0]!.kind !== "keyword-only") params = params.slice(1);
  // PEP 484: leading parameters named `__x` are positional-only (the spelling before `/`).
  for (const p of params) {
    if (p.kind !== "positional-or-keyword" || !/^__(?!.*__$)/.test(p.name)) break;
    p.kind = "positional-only";
  }
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
  if (fn.type === "function_definition" && yields(fn.childForFieldName("body"))) contract.generator = true;
  if (tags.stability) contract.stability = tags.stability;
  else if (decorators.some((d) => /^(warnings\.|typing_extensions\.|typing\.)?deprecated\b/.test(d))) contract.stability = { level: "deprecated" };
  if (tags.since) contract.since = tags.since;
  DECLARED_LINE.set(contract, fn.startPosition.row + 1);
  return contract;
}

/** Does the body yield (a generator function)? Nested functions, lambdas and classes are their own. */
function yields(node: Node | null): boolean {
  if (!node) return false;
  for (const child of node.namedChildren) {
    if (!child || child.type === "function_definition" || child.type === "lambda" || child.type === "class_definition" || child.type === "decorated_definition") continue;
    if (child.type === "yield" || yields(child)) return true;
  }
  return false;
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
