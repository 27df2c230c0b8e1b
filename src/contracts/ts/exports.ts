// The export table of one module (or namespace body), read from its statements without a
// checker: which local declarations exist, which names are exported and where each comes from
// (a local, another module's export, a whole module as a namespace), and `export *` targets.
// ES modules, `.d.ts` files (`declare`, `export =`, `export default _default`) and CommonJS
// (`module.exports = …`, `exports.x = …`, `module.exports = require("./x")`) all land here.

import ts from "typescript";
import type { Callable } from "./signature.js";

/** A declaration a local name can resolve to; one name may have several (declaration merging). */
export type Declaration =
  | { type: "function"; nodes: Callable[]; docNode: ts.Node }
  | { type: "class"; node: ts.ClassLikeDeclaration }
  | { type: "interface"; nodes: ts.InterfaceDeclaration[] }
  | { type: "alias"; node: ts.TypeAliasDeclaration }
  /** a JavaScript module's `@typedef` or `@callback`: a type the module exports (TypeScript reads it so) */
  | { type: "typedef"; node: ts.JSDocTypedefTag | ts.JSDocCallbackTag }
  | { type: "enum"; nodes: ts.EnumDeclaration[] }
  /** a const/let/var, or `export default <expression>` (then `typeNode` is absent) */
  | { type: "value"; node: ts.VariableDeclaration | ts.ExportAssignment | ts.Expression; typeNode?: ts.TypeNode; docNode: ts.Node }
  | { type: "namespace"; nodes: ts.ModuleDeclaration[]; table: ExportTable };

/**
 * `typeOnly`: exported or imported with `export type` / `import type` (or `type` on the
 * specifier): callers may name it only in type positions, never call, construct or read it.
 */
export type ExportTarget = ({ local: string } | { from: string; name: string } | { namespaceOf: string }) & { typeOnly?: true };

export interface ExportTable {
  locals: Map<string, Declaration[]>;
  /** exported name → where it comes from */
  exports: Map<string, ExportTarget>;
  /** resolved files of `export * from` */
  stars: string[];
  /** local name → another module's export it imports (`import { a as b } from "./x"`), for the declarations public ones reach */
  imports?: Map<string, { from: string; name: string }>;
  /** those of `stars` written `export type * from`: what they reach is a type only */
  typeStars?: Set<string>;
  /**
   * those of `stars` that are ES `export * from` (CommonJS's `__exportStar` copies the first
   * one's name): a name two of them bind differently is ambiguous, so neither is exported
   */
  esStars?: Set<string>;
}

/** `target` as type only when `typeOnly` says so (a `type` keyword on the declaration or specifier). */
function typed<T extends ExportTarget>(target: T, typeOnly: boolean): T {
  return typeOnly ? { ...target, typeOnly: true } : target;
}

/** Resolves a module specifier of `file` to a module of the extraction, or undefined (a package). */
export type Resolve = (specifier: string) => string | undefined;

export function hasModifier(node: ts.Node, kind: ts.SyntaxKind): boolean {
  // The modifiers array directly: ts.getModifiers allocates a filtered copy per call.
  const modifiers = (node as { modifiers?: ts.NodeArray<ts.ModifierLike> }).modifiers;
  if (!modifiers) return false;
  for (const m of modifiers) if (m.kind === kind) return true;
  return false;
}

export function skipWrappers(expression: ts.Expression): ts.Expression {
  let e = expression;
  while (ts.isParenthesizedExpression(e) || ts.isAsExpression(e) || ts.isSatisfiesExpression(e) || ts.isTypeAssertionExpression(e)) e = e.expression;
  return e;
}

/**
 * The export table of a list of statements. `ambient`: inside `declare namespace` (or a namespace
 * of a `.d.ts`), where every declaration is exported without the keyword; `ambientAt` says so by
 * statement when that differs (merged `declare module` blocks).
 */
export function readStatements(statements: readonly ts.Statement[], source: ts.SourceFile, resolve: Resolve, ambient = false, ambientAt: (statement: ts.Statement) => boolean = () => ambient): ExportTable {
  const table: ExportTable = { locals: new Map(), exports: new Map(), stars: [] };
  const imports = new Map<string, ExportTarget>();
  const valueAliases: [string, string][] = [];
  const add = (name: string, declaration: Declaration) => {
    const list = table.locals.get(name);
    if (!list) return void table.locals.set(name, [declaration]);
    const same = list.find((d) => d.type === declaration.type);
    // Overloads and merged interfaces, enums and namespaces: one declaration, several nodes.
    if (same?.type === "function" && declaration.type === "function") same.nodes.push(...declaration.nodes);
    else if (same?.type === "interface" && declaration.type === "interface") same.nodes.push(...declaration.nodes);
    else if (same?.type === "enum" && declaration.type === "enum") same.nodes.push(...declaration.nodes);
    else if (same?.type === "namespace" && declaration.type === "namespace") {
      same.nodes.push(...declaration.nodes);
      mergeTables(same.table, declaration.table);
    } else if (!same) list.push(declaration);
  };
  const exportLocal = (statement: ts.Statement, name: string) => {
    const exported = ambientAt(statement) || hasModifier(statement, ts.SyntaxKind.ExportKeyword);
    if (!exported) return;
    const isDefault = hasModifier(statement, ts.SyntaxKind.DefaultKeyword);
    table.exports.set(isDefault ? "default" : name, { local: name });
  };
  for (const statement of statements) {
    if (ts.isFunctionDeclaration(statement)) {
      const name = statement.name?.text ?? "default";
      add(name, { type: "function", nodes: [statement], docNode: statement });
      exportLocal(statement, name);
    } else if (ts.isClassDeclaration(statement)) {
      const name = statement.name?.text ?? "default";
      add(name, { type: "class", node: statement });
      exportLocal(statement, name);
    } else if (ts.isInterfaceDeclaration(statement)) {
      add(statement.name.text, { type: "interface", nodes: [statement] });
      exportLocal(statement, statement.name.text);
    } else if (ts.isTypeAliasDeclaration(statement)) {
      add(statement.name.text, { type: "alias", node: statement });
      exportLocal(statement, statement.name.text);
    } else if (ts.isEnumDeclaration(statement)) {
      add(statement.name.text, { type: "enum", nodes: [statement] });
      exportLocal(statement, statement.name.text);
    } else if (ts.isModuleDeclaration(statement)) {
      // `declare module "x"` and `declare global` augment other modules: not this module's API.
      if (!ts.isIdentifier(statement.name) || (statement.flags & ts.NodeFlags.GlobalAugmentation) !== 0) continue;
      const body = namespaceBody(statement);
      const isAmbient = ambientAt(statement) || hasModifier(statement, ts.SyntaxKind.DeclareKeyword) || source.isDeclarationFile;
      const inner = body ? readStatements(body.statements, source, resolve, isAmbient) : { locals: new Map(), exports: new Map(), stars: [] };
      add(statement.name.text, { type: "namespace", nodes: [statement], table: inner });
      exportLocal(statement, statement.name.text);
    } else if (ts.isVariableStatement(statement)) {
      for (const declaration of statement.declarationList.declarations) {
        if (!ts.isIdentifier(declaration.name)) {
          // `export const { a, b: c, ...rest } = api` / `export const [x] = pair`: each bound name
          // is an export (a value whose type only the checker knows). Skipped, removing one read
          // as no change.
          for (const bound of boundNames(declaration.name)) {
            add(bound.text, { type: "value", node: bound, docNode: statement });
            exportLocal(statement, bound.text);
          }
          continue;
        }
        const name = declaration.name.text;
        const init = declaration.initializer && skipWrappers(declaration.initializer);
        if (!declaration.type && init && (ts.isArrowFunction(init) || ts.isFunctionExpression(init))) {
          add(name, { type: "function", nodes: [init], docNode: statement });
        } else if (declaration.type && (ts.isFunctionTypeNode(declaration.type) || ts.isConstructorTypeNode(declaration.type))) {
          // `export declare const f: (a: string) => void` is called like a function.
          add(name, { type: "function", nodes: [declaration.type], docNode: statement });
        } else if (!declaration.type && init && ts.isClassExpression(init)) {
          add(name, { type: "class", node: init });
        } else if (!declaration.type && init && isRequireCall(init)) {
          const from = resolve((init.arguments[0] as ts.StringLiteral).text);
          if (from) imports.set(name, { namespaceOf: from });
          continue;
        } else {
          add(name, { type: "value", node: declaration, ...(declaration.type ? { typeNode: declaration.type } : {}), docNode: statement });
          // `export const f = g` (or `: typeof g = g`): f is g, whose signature an opaque const hid.
          if (init && ts.isIdentifier(init) && (!declaration.type || (ts.isTypeQueryNode(declaration.type) && declaration.type.exprName.getText(source) === init.text))) valueAliases.push([name, init.text]);
        }
        exportLocal(statement, name);
      }
    } else if (ts.isImportDeclaration(statement) && ts.isStringLiteral(statement.moduleSpecifier)) {
      const from = resolve(statement.moduleSpecifier.text);
      const clause = statement.importClause;
      if (!from || !clause) continue;
      if (clause.name) imports.set(clause.name.text, typed({ from, name: "default" }, clause.isTypeOnly));
      const bindings = clause.namedBindings;
      if (bindings && ts.isNamedImports(bindings)) {
        for (const element of bindings.elements) imports.set(element.name.text, typed({ from, name: (element.propertyName ?? element.name).getText(source) }, clause.isTypeOnly || element.isTypeOnly));
      } else if (bindings && ts.isNamespaceImport(bindings)) {
        imports.set(bindings.name.text, typed({ namespaceOf: from }, clause.isTypeOnly));
      }
    } else if (ts.isImportEqualsDeclaration(statement) && ts.isExternalModuleReference(statement.moduleReference) && ts.isStringLiteral(statement.moduleReference.expression)) {
      const from = resolve(statement.moduleReference.expression.text);
      if (from) imports.set(statement.name.text, { namespaceOf: from });
      // `export import x = require("./x")` re-exports the module as the namespace x.
      if (from && (ambientAt(statement) || hasModifier(statement, ts.SyntaxKind.ExportKeyword))) table.exports.set(statement.name.text, { namespaceOf: from });
    } else if (ts.isExportDeclaration(statement)) {
      const specifier = statement.moduleSpecifier && ts.isStringLiteral(statement.moduleSpecifier) ? statement.moduleSpecifier.text : undefined;
      const from = specifier !== undefined ? resolve(specifier) : undefined;
      if (specifier !== undefined && !from) continue; // a package, not part of this code base
      const clause = statement.exportClause;
      if (!clause) {
        if (from) table.stars.push(from);
        if (from) (table.esStars ??= new Set()).add(from);
        if (from && statement.isTypeOnly) (table.typeStars ??= new Set()).add(from);
      } else if (ts.isNamespaceExport(clause)) {
        if (from) table.exports.set(clause.name.getText(source), typed({ namespaceOf: from }, statement.isTypeOnly));
      } else {
        for (const element of clause.elements) {
          const exportedName = element.name.getText(source);
          const localName = (element.propertyName ?? element.name).getText(source);
          table.exports.set(exportedName, typed(from ? { from, name: localName } : { local: localName }, statement.isTypeOnly || element.isTypeOnly));
        }
      }
    } else if (ts.isExportAssignment(statement)) {
      // `export default x`, and `export = x` (CommonJS declarations: the module object is x).
      readDefaultExport(statement.expression, statement, add, table);
    } else if (ts.isExpressionStatement(statement)) {
      readCommonJs(statement, source, resolve, add, table, imports);
    }
  }
  // A JavaScript module's top-level `@typedef` and `@callback` tags are types it exports (the
  // compiler exports them; consumers name them, `@param {Options}`): not read, a property removed
  // from one, or the typedef itself, went unseen.
  if (statements === source.statements && /\.[mc]?jsx?$/.test(source.fileName)) {
    for (const node of [...statements, source.endOfFileToken]) {
      for (const doc of (node as { jsDoc?: ts.JSDoc[] }).jsDoc ?? []) {
        for (const tag of doc.tags ?? []) {
          if (!(ts.isJSDocTypedefTag(tag) || ts.isJSDocCallbackTag(tag)) || !tag.name || !ts.isIdentifier(tag.name)) continue;
          const name = tag.name.text;
          if ((table.locals.get(name) ?? []).some((d) => d.type === "typedef")) continue;
          add(name, { type: "typedef", node: tag });
          if (!table.exports.has(name)) table.exports.set(name, { local: name });
        }
      }
    }
  }
  // A const that names a local function or class is that function or class; one that names an
  // import re-exports it. Its own record was a const without a type, so a breaking change to the
  // function it names read as no change.
  for (const [name, target] of valueAliases) {
    const callable = (table.locals.get(target) ?? []).filter((d) => d.type === "function" || d.type === "class");
    if (callable.length > 0) table.locals.set(name, callable);
    else if (!table.locals.has(target) && imports.has(target)) {
      for (const [exported, t] of table.exports) if ("local" in t && t.local === name) table.exports.set(exported, imports.get(target)!);
    }
  }
  // `import { a } from "./x"; export { a }` re-exports the import.
  for (const [name, target] of table.exports) {
    if ("local" in target && !table.locals.has(target.local) && imports.has(target.local)) table.exports.set(name, typed(imports.get(target.local)!, target.typeOnly === true));
  }
  for (const [name, target] of imports) if ("from" in target && !table.locals.has(name)) (table.imports ??= new Map()).set(name, target);
  return table;
}

/**
 * The blocks `declare module "name" { ... }` of one name, merged as the compiler merges them. A
 * block's declarations are exported without the keyword unless the block has an export
 * declaration or assignment (`export {}`, `export =`, `export default x`): the binder's rule.
 */
export function readModuleBlocks(blocks: readonly ts.ModuleDeclaration[], source: ts.SourceFile, resolve: Resolve): ExportTable {
  const statementsOf = (block: ts.ModuleDeclaration) => (block.body && ts.isModuleBlock(block.body) ? block.body.statements : []);
  const implicit = new Set<ts.Statement>();
  for (const block of blocks) {
    const statements = statementsOf(block);
    if (!statements.some((s) => ts.isExportDeclaration(s) || ts.isExportAssignment(s))) for (const s of statements) implicit.add(s);
  }
  return readStatements(blocks.flatMap(statementsOf), source, resolve, false, (statement) => implicit.has(statement));
}

function namespaceBody(statement: ts.ModuleDeclaration): ts.ModuleBlock | undefined {
  let body = statement.body;
  // `namespace A.B {}` nests; its members are A.B's.
  while (body && ts.isModuleDeclaration(body)) body = body.body;
  return body && ts.isModuleBlock(body) ? body : undefined;
}

function mergeTables(into: ExportTable, from: ExportTable): void {
  for (const [name, declarations] of from.locals) into.locals.set(name, [...(into.locals.get(name) ?? []), ...declarations]);
  for (const [name, target] of from.exports) into.exports.set(name, target);
  into.stars.push(...from.stars);
  for (const star of from.typeStars ?? []) (into.typeStars ??= new Set()).add(star);
  for (const star of from.esStars ?? []) (into.esStars ??= new Set()).add(star);
}

/** The identifiers a destructuring pattern binds, nested patterns included, in order. */
function boundNames(pattern: ts.BindingName): ts.Identifier[] {
  if (ts.isIdentifier(pattern)) return [pattern];
  const out: ts.Identifier[] = [];
  for (const element of pattern.elements) if (!ts.isOmittedExpression(element)) out.push(...boundNames(element.name));
  return out;
}

function isRequireCall(node: ts.Expression): node is ts.CallExpression {
  return ts.isCallExpression(node) && ts.isIdentifier(node.expression) && node.expression.text === "require" && node.arguments.length === 1 && ts.isStringLiteral(node.arguments[0]!);
}

function readDefaultExport(expression: ts.Expression, statement: ts.Node, add: (name: string, d: Declaration) => void, table: ExportTable): void {
  const e = skipWrappers(expression);
  if (ts.isIdentifier(e)) {
    table.exports.set("default", { local: e.text });
  } else if (ts.isArrowFunction(e) || ts.isFunctionExpression(e)) {
    add("default", { type: "function", nodes: [e], docNode: statement });
    table.exports.set("default", { local: "default" });
  } else if (ts.isClassExpression(e)) {
    add("default", { type: "class", node: e });
    table.exports.set("default", { local: "default" });
  } else {
    // A default export built by a call (`export default defineConfig(...)`): a value whose type only
    // the checker knows (`--types`).
    add("default", { type: "value", node: e, docNode: statement });
    table.exports.set("default", { local: "default" });
  }
}

/**
 * CommonJS: `module.exports = …`, `module.exports.x = …`, `exports.x = …`, `exports["x"] = …`, and
 * the forms compilers emit (tsc, Babel): `Object.defineProperty(exports, "x", { get: () => m.x })`
 * for a re-export, `__exportStar(require("./x"), exports)` / `__export(require("./x"))` and
 * `Object.keys(_x).forEach(k => … exports[k] …)` for `export *`, and `Object.assign(module.exports,
 * { … })`. A compiled package's re-exports were dropped, so a breaking change behind one read as
 * no change.
 */
/**
 * What CommonJS statements have bound so far in a table: the statements run in order, so a later
 * assignment replaces the value an earlier one exported (`exports.f = a; exports.f = b` exports b,
 * not two overloads), `module.exports = …` replaces the whole object (the names assigned before
 * are gone) and `delete exports.f` removes the name. The first value used to be kept (or merged),
 * so a reassignment or a deletion changed the module's API unseen.
 */
const commonJsBound = new WeakMap<ExportTable, { names: Set<string>; locals: Set<string>; stars: Set<string> }>();

function readCommonJs(statement: ts.ExpressionStatement, source: ts.SourceFile, resolve: Resolve, addDeclaration: (name: string, d: Declaration) => void, table: ExportTable, imports: Map<string, ExportTarget>): void {
  let bound = commonJsBound.get(table);
  if (!bound) commonJsBound.set(table, (bound = { names: new Set(), locals: new Set(), stars: new Set() }));
  const cjs = bound;
  // A value CommonJS binds replaces the one an earlier CommonJS statement bound under the name.
  const add = (name: string, declaration: Declaration) => {
    if (cjs.locals.has(name)) table.locals.delete(name);
    cjs.locals.add(name);
    addDeclaration(name, declaration);
  };
  const setExport = (name: string, target: ExportTarget) => {
    table.exports.set(name, target);
    cjs.names.add(name);
  };
  const unbind = (name: string) => {
    table.exports.delete(name);
    cjs.names.delete(name);
    if (cjs.locals.has(name)) table.locals.delete(name);
    cjs.locals.delete(name);
  };
  const star = (from: string) => {
    table.stars.push(from);
    cjs.stars.add(from);
  };
  const e = skipWrappers(statement.expression);
  if (ts.isDeleteExpression(e)) {
    const target = skipWrappers(e.expression);
    const key = ts.isPropertyAccessExpression(target) ? target.name.text : ts.isElementAccessExpression(target) && isStringKey(target.argumentExpression) ? target.argumentExpression.text : undefined;
    const object = ts.isPropertyAccessExpression(target) || ts.isElementAccessExpression(target) ? target.expression : undefined;
    if (key !== undefined && object && isExportsObject(object, source)) unbind(key);
    return;
  }
  const requireTarget = (node: ts.Expression): string | undefined => {
    const n = skipWrappers(node);
    if (isRequireCall(n)) return resolve((n.arguments[0] as ts.StringLiteral).text);
    // tsc's and Babel's interop wrappers: __importStar(require("./x")), _interopRequireWildcard(require("./x"))
    if (ts.isCallExpression(n) && n.arguments.length >= 1 && /(?:__import(?:Star|Default)|_interopRequire(?:Wildcard|Default))$/.test(n.expression.getText(source))) return requireTarget(n.arguments[0]!);
    if (ts.isIdentifier(n)) {
      const imported = imports.get(n.text);
      return imported && "namespaceOf" in imported ? imported.namespaceOf : undefined;
    }
    return undefined;
  };
  const setNamed = (name: string, value: ts.Expression, docNode: ts.Node) => {
    if (ts.isIdentifier(value)) setExport(name, { local: value.text });
    else if (ts.isArrowFunction(value) || ts.isFunctionExpression(value)) {
      add(name, { type: "function", nodes: [value], docNode });
      setExport(name, { local: name });
    } else if (ts.isClassExpression(value)) {
      add(name, { type: "class", node: value });
      setExport(name, { local: name });
    } else if (ts.isCallExpression(value) && requireTarget(value)) {
      // `exports.ns = require("./x")`, `exports.ns = __importStar(require("./x"))`
      setExport(name, { namespaceOf: requireTarget(value)! });
    } else if (isRequireCall(value)) {
      // a package: its API is not this module's
    } else {
      add(name, { type: "value", node: value, docNode });
      setExport(name, { local: name });
    }
  };
  const readObject = (literal: ts.ObjectLiteralExpression) => {
    for (const property of literal.properties) {
      if (ts.isSpreadAssignment(property)) {
        const from = requireTarget(property.expression);
        if (from) star(from);
        continue;
      }
      const name = property.name && (ts.isIdentifier(property.name) || ts.isStringLiteral(property.name)) ? property.name.text : undefined;
      if (!name) continue;
      if (ts.isShorthandPropertyAssignment(property)) {
        setExport(name, imports.get(name) ?? { local: name });
      } else if (ts.isMethodDeclaration(property)) {
        add(name, { type: "function", nodes: [property], docNode: property });
        setExport(name, { local: name });
      } else if (ts.isPropertyAssignment(property)) {
        const init = skipWrappers(property.initializer);
        const earlier = ts.isPropertyAccessExpression(init) && isExportsObject(init.expression, source) && cjs.locals.has(init.name.text) ? init.name.text : undefined;
        if (earlier !== undefined) setExport(name, { local: earlier });
        else if (ts.isIdentifier(init)) setExport(name, imports.get(init.text) ?? { local: init.text });
        else if (ts.isArrowFunction(init) || ts.isFunctionExpression(init)) {
          add(name, { type: "function", nodes: [init], docNode: property });
          setExport(name, { local: name });
        } else {
          add(name, { type: "value", node: init, docNode: property });
          setExport(name, { local: name });
        }
      }
    }
  };
  if (ts.isCallExpression(e)) {
    const callee = e.expression.getText(source).replace(/\s+/g, "");
    const [first, second, third] = e.arguments;
    if (callee === "Object.defineProperty" && first && isExportsObject(first, source) && second && isStringKey(second)) {
      const name = second.text;
      if (name === "__esModule") return;
      const descriptor = third && skipWrappers(third);
      if (!descriptor || !ts.isObjectLiteralExpression(descriptor)) return void add(name, { type: "value", node: second, docNode: statement }), void setExport(name, { local: name });
      for (const property of descriptor.properties) {
        const key = property.name && (ts.isIdentifier(property.name) || ts.isStringLiteral(property.name)) ? property.name.text : undefined;
        if (key === "value" && ts.isPropertyAssignment(property)) return setNamed(name, skipWrappers(property.initializer), statement);
        if (key !== "get") continue;
        const getter = ts.isPropertyAssignment(property) ? skipWrappers(property.initializer) : property;
        const returned = getterResult(getter);
        if (returned && ts.isPropertyAccessExpression(returned)) {
          const from = requireTarget(returned.expression);
          if (from) return void setExport(name, { from, name: returned.name.text });
        }
        if (returned && ts.isIdentifier(returned)) {
          const from = requireTarget(returned);
          return void setExport(name, from ? { namespaceOf: from } : (imports.get(returned.text) ?? { local: returned.text }));
        }
      }
      // A property whose value cannot be read without running the code: still an export.
      add(name, { type: "value", node: second, docNode: statement });
      setExport(name, { local: name });
      return;
    }
    if (/(?:^|\.)__export(?:Star)?$/.test(callee) && first) {
      const from = requireTarget(first);
      if (from) star(from);
      return;
    }
    if (callee === "Object.assign" && first && isExportsObject(first, source)) {
      for (const argument of e.arguments.slice(1)) {
        const value = skipWrappers(argument);
        const from = requireTarget(value);
        if (from) star(from);
        else if (ts.isObjectLiteralExpression(value)) readObject(value);
      }
      return;
    }
    // Babel's `export *`: Object.keys(_x).forEach(function (key) { … exports[key] = _x[key] … })
    if (ts.isPropertyAccessExpression(e.expression) && e.expression.name.text === "forEach" && ts.isCallExpression(e.expression.expression) && e.expression.expression.expression.getText(source).replace(/\s+/g, "") === "Object.keys" && /\bexports\b/.test(e.arguments.map((a) => a.getText(source)).join(" "))) {
      const keysOf = e.expression.expression.arguments[0];
      const from = keysOf && requireTarget(keysOf);
      if (from) star(from);
    }
    return;
  }
  if (!ts.isBinaryExpression(e) || e.operatorToken.kind !== ts.SyntaxKind.EqualsToken) return;
  // A chain (`module.exports = exports = {…}`, `exports = module.exports = fn`) assigns its
  // innermost value to every target: the one that is `module.exports` (or a name of exports) counts.
  const targets = [skipWrappers(e.left)];
  let value = skipWrappers(e.right);
  while (ts.isBinaryExpression(value) && value.operatorToken.kind === ts.SyntaxKind.EqualsToken) {
    targets.push(skipWrappers(value.left));
    value = skipWrappers(value.right);
  }
  const exportsTarget = (t: ts.Expression) => isModuleExports(t, source) || ((ts.isPropertyAccessExpression(t) || ts.isElementAccessExpression(t)) && isExportsObject(t.expression, source));
  const left = targets.find(exportsTarget) ?? targets[0]!;
  const key = (ts.isPropertyAccessExpression(left) ? left.name.text : ts.isElementAccessExpression(left) && isStringKey(left.argumentExpression) ? left.argumentExpression.text : undefined);
  const object = ts.isPropertyAccessExpression(left) || ts.isElementAccessExpression(left) ? left.expression : undefined;
  if (key !== undefined && object && isExportsObject(object, source)) {
    // `module.exports` itself is the property `exports` of `module`, not a named export.
    if (key === "__esModule") return;
    return setNamed(key, value, statement);
  }
  if (!isModuleExports(left, source)) return;
  const from = isRequireCall(value) ? requireTarget(value) : undefined;
  // The whole object is replaced: what CommonJS exported before is gone.
  // (Its values stay readable: `module.exports = { mul: exports.mul }` names the earlier one.)
  for (const name of cjs.names) table.exports.delete(name);
  cjs.names.clear();
  table.stars = table.stars.filter((s) => !cjs.stars.has(s));
  cjs.stars.clear();
  if (from) {
    star(from);
  } else if (ts.isObjectLiteralExpression(value)) {
    readObject(value);
  } else {
    readDefaultExport(value, statement, add, table);
    cjs.names.add("default");
  }
}

/** `exports` or `module.exports` (also `module["exports"]`). */
function isExportsObject(node: ts.Expression, source: ts.SourceFile): boolean {
  const n = skipWrappers(node);
  return (ts.isIdentifier(n) && n.text === "exports") || isModuleExports(n, source);
}

function isModuleExports(node: ts.Expression, source: ts.SourceFile): boolean {
  const n = skipWrappers(node);
  const text = n.getText(source).replace(/\s+/g, "");
  return text === "module.exports" || text === 'module["exports"]' || text === "module['exports']";
}

function isStringKey(node: ts.Expression): node is ts.StringLiteral | ts.NoSubstitutionTemplateLiteral {
  return ts.isStringLiteral(node) || ts.isNoSubstitutionTemplateLiteral(node);
}

/** What a getter returns: `get: function () { return m.x; }`, `get() { return m.x }`, `get: () => m.x`. */
function getterResult(getter: ts.Node): ts.Expression | undefined {
  if (ts.isArrowFunction(getter) && !ts.isBlock(getter.body)) return skipWrappers(getter.body);
  const body = ts.isFunctionExpression(getter) || ts.isArrowFunction(getter) || ts.isMethodDeclaration(getter) || ts.isGetAccessorDeclaration(getter) ? getter.body : undefined;
  if (!body || !ts.isBlock(body)) return undefined;
  const last = body.statements.find(ts.isReturnStatement);
  return last?.expression ? skipWrappers(last.expression) : undefined;
}
