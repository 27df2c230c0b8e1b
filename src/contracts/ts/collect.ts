// Declarations → contracts: functions (overloads), classes (constructor, methods, properties,
// accessors, static members, index signatures), interfaces (properties, methods, call and index
// signatures), type aliases, enums and their members, consts, and namespaces with their members.
// Names are relative to the export ("" for the symbol itself, ".member" for members): the same
// declaration re-exported under two names yields the same contracts twice, renamed.

import ts from "typescript";
import { emptyTags, finishTags, parseDocstringTags, type DocTags } from "../doctags.js";
import type { Contract, ContractKind, ContractLanguage } from "../model.js";
import { hasModifier, skipWrappers, type Declaration, type ExportTable } from "./exports.js";
import { REACHES, REACHES_IMPORTED } from "./reached.js";
import { isJsFile, print, signatureOf, typeParamsOf, type Callable } from "./signature.js";

export interface CollectContext {
  source: ts.SourceFile;
  language: ContractLanguage;
  checker: ts.TypeChecker | undefined;
  /** a namespace body's export `name`, as contracts named `fullName…` (re-exports resolved by the caller) */
  resolveTable: (table: ExportTable, name: string, fullName: string) => Contract[] | undefined;
  /** declaration offsets of the contracts built (a Map for the run: cheaper for GC than a WeakMap per contract) */
  lines: Map<Contract, number>;
  /**
   * The declarations of a name of this module that is not exported itself (a base class or
   * interface a public one extends): its members are the public one's, so they are recorded there.
   */
  unexportedLocal?: (name: string) => Declaration[] | undefined;
}

/** Bases followed through `extends` of unexported local declarations (a cycle is a compile error, but bounded anyway). */
const MAX_INHERITANCE_DEPTH = 8;

/** The local names a class or interface extends (`extends Base`, `extends A, B`); calls and property paths are not followed. */
function extendedNames(node: ts.ClassLikeDeclaration | ts.InterfaceDeclaration): string[] {
  const names: string[] = [];
  for (const clause of node.heritageClauses ?? []) {
    if (clause.token !== ts.SyntaxKind.ExtendsKeyword) continue;
    for (const type of clause.types) if (ts.isIdentifier(type.expression)) names.push(type.expression.text);
  }
  return names;
}

/**
 * Members a class or interface inherits from unexported local bases, named under `name`, less
 * those it declares itself (`own`). An exported base has contracts of its own, which record its
 * changes; an unexported one had none, so a breaking change to `Child.run` inherited from a
 * module-private `Base` read as no change.
 */
function inheritedMembers(name: string, node: ts.ClassLikeDeclaration | ts.InterfaceDeclaration, own: readonly Contract[], context: CollectContext, depth: number): Contract[] {
  if (!context.unexportedLocal || depth >= MAX_INHERITANCE_DEPTH) return [];
  const taken = new Set(own.map((c) => c.symbol.name));
  const out: Contract[] = [];
  for (const baseName of extendedNames(node)) {
    for (const declaration of context.unexportedLocal(baseName) ?? []) {
      let members: Contract[] = [];
      if (declaration.type === "class" && !ts.isInterfaceDeclaration(node)) members = classContracts(name, declaration.node, context, depth + 1).slice(1);
      else if (declaration.type === "interface") members = interfaceMembers(name, declaration.nodes, context, depth + 1);
      for (const member of members) {
        if (taken.has(member.symbol.name)) continue;
        taken.add(member.symbol.name);
        out.push(member);
      }
    }
  }
  return out;
}

/** Which declaration gives a merged name its kind. */
/**
 * The empty lists most contracts carry, shared (and frozen: a push fails loudly). Allocating five
 * empty arrays per member was a fifth of the extraction time in GC on large declaration files.
 */
const NONE: string[] = Object.freeze([]) as unknown as string[];

const PRIMARY: Declaration["type"][] = ["class", "function", "enum", "value", "interface", "alias", "typedef", "namespace"];
const TYPE_SPACE: Declaration["type"][] = ["interface", "alias", "typedef"];

/**
 * Contracts of one local name (all its merged declarations), named `base` (relative to the export:
 * "" for a module's export, ".ns.name" inside namespaces) and `base.member` for members.
 */
export function contractsOf(declarations: Declaration[], context: CollectContext, base = ""): Contract[] {
  const sorted = declarations.length > 1 ? [...declarations].sort((a, b) => PRIMARY.indexOf(a.type) - PRIMARY.indexOf(b.type)) : declarations;
  const primary = sorted[0];
  if (!primary) return [];
  const out = contractsOfOne(base, primary, context);
  const primaryIsValue = !TYPE_SPACE.includes(primary.type) && primary.type !== "namespace";
  for (const other of sorted.slice(1)) {
    if (other.type === "namespace") {
      // `function f` + `namespace f`, `enum E` + `namespace E`: the namespace's exports are members.
      out.push(...namespaceMembers(base, other.table, context));
    } else if (other.type === "interface" && primary.type === "class") {
      // Interface merged into a class: its members are the class's.
      out.push(...interfaceMembers(base, other.nodes, context));
    } else if (TYPE_SPACE.includes(other.type) && primaryIsValue) {
      // `const X = …` and `type X = …`: the type lives in the other space, kept apart by name.
      out.push(...contractsOfOne(`${base}:type`, other, context));
    }
  }
  return out;
}

function contractsOfOne(name: string, declaration: Declaration, context: CollectContext): Contract[] {
  switch (declaration.type) {
    case "function":
      return [callableContract(name, "function", declaration.nodes, declaration.docNode, context)];
    case "class":
      return classContracts(name, declaration.node, context);
    case "interface": {
      const base = plainContract(name, "interface", declaration.nodes[0]!, declaration.nodes, context);
      const typeParams = typeParamsOf(declaration.nodes[0]!, context.source);
      if (typeParams) base.typeParams = typeParams;
      return [base, ...interfaceMembers(name, declaration.nodes, context)];
    }
    case "alias": {
      const base = plainContract(name, "type", declaration.node, [declaration.node], context);
      const typeParams = typeParamsOf(declaration.node, context.source);
      if (typeParams) base.typeParams = typeParams;
      base.type = print(declaration.node.type, context.source);
      return [base];
    }
    case "typedef":
      return typedefContracts(name, declaration.node, context);
    case "enum":
      return enumContracts(name, declaration.nodes, context);
    case "value": {
      const base = plainContract(name, "const", declaration.docNode, [declaration.docNode], context);
      const type = valueType(declaration, context);
      if (type) base.type = type;
      base.readonly = true;
      // Without a declared type or a checker, an object literal's members are its API (`export
      // const api = { fetch(url: string) {…} }`, `export default { get(id) {…} }`): recorded as
      // members, as a class's are, so a changed method is a change and not an unseen one.
      const literal = declaration.typeNode || context.checker ? undefined : objectLiteralOf(declaration.node);
      return literal ? [base, ...objectLiteralMembers(name, literal, context)] : [base];
    }
    case "namespace": {
      const base = plainContract(name, "namespace", declaration.nodes[0]!, declaration.nodes, context);
      return [base, ...namespaceMembers(name, declaration.table, context)];
    }
  }
}

function valueType(declaration: Extract<Declaration, { type: "value" }>, context: CollectContext): string | undefined {
  const { source, checker } = context;
  if (declaration.typeNode) return print(declaration.typeNode, source);
  const node = declaration.node;
  if (isJsFile(source.fileName) && ts.isVariableDeclaration(node)) {
    const jsdoc = ts.getJSDocType(node);
    if (jsdoc) return print(jsdoc, source);
  }
  if (checker) {
    const at = ts.isVariableDeclaration(node) ? node.name : ts.isExportAssignment(node) ? node.expression : node;
    return checker.typeToString(checker.getTypeAtLocation(at), undefined, ts.TypeFormatFlags.NoTruncation);
  }
  // Without a checker only a literal initializer has a type worth recording (a const's literal type).
  const init = ts.isVariableDeclaration(node) ? node.initializer : undefined;
  if (init && (ts.isStringLiteral(init) || ts.isNumericLiteral(init) || init.kind === ts.SyntaxKind.TrueKeyword || init.kind === ts.SyntaxKind.FalseKeyword)) return print(init, source);
  return undefined;
}

function objectLiteralOf(node: ts.Node): ts.ObjectLiteralExpression | undefined {
  const init = ts.isVariableDeclaration(node) ? node.initializer : ts.isExpression(node) ? node : undefined;
  let value = init ? skipWrappers(init) : undefined;
  // `Object.freeze({ … })` (also seal, preventExtensions) returns the literal itself: its members are the API.
  while (value && ts.isCallExpression(value) && value.arguments.length === 1 && isObjectFreeze(value.expression)) value = skipWrappers(value.arguments[0]!);
  return value && ts.isObjectLiteralExpression(value) ? value : undefined;
}

function isObjectFreeze(callee: ts.Expression): boolean {
  return ts.isPropertyAccessExpression(callee) && ts.isIdentifier(callee.expression) && callee.expression.text === "Object" && ["freeze", "seal", "preventExtensions"].includes(callee.name.text);
}

/** Members of an exported object literal: methods and function-valued properties as methods, nested literals' members below them, other properties as properties. */
function objectLiteralMembers(prefix: string, literal: ts.ObjectLiteralExpression, context: CollectContext, depth = 0): Contract[] {
  const { source } = context;
  const out: Contract[] = [];
  for (const member of literal.properties) {
    // A spread's members are another value's: not readable without a checker.
    if (ts.isSpreadAssignment(member) || !member.name) continue;
    const key = ts.isIdentifier(member.name) || ts.isStringLiteral(member.name) || ts.isNumericLiteral(member.name) ? member.name.text : print(member.name, source);
    const name = `${prefix}.${key}`;
    if (ts.isMethodDeclaration(member)) {
      out.push(callableContract(name, "method", [member], member, context));
      continue;
    }
    if (ts.isGetAccessorDeclaration(member) || ts.isSetAccessorDeclaration(member)) {
      const readonly = ts.isGetAccessorDeclaration(member) && !literal.properties.some((p) => ts.isSetAccessorDeclaration(p) && p.name.getText(source) === member.name.getText(source));
      if (ts.isSetAccessorDeclaration(member) && literal.properties.some((p) => ts.isGetAccessorDeclaration(p) && p.name.getText(source) === member.name.getText(source))) continue;
      out.push(propertyContract(name, member, ts.isGetAccessorDeclaration(member) ? member.type : member.parameters[0]?.type, false, readonly, false, context));
      continue;
    }
    const value = ts.isPropertyAssignment(member) ? skipWrappers(member.initializer) : undefined;
    if (value && (ts.isArrowFunction(value) || ts.isFunctionExpression(value))) {
      out.push(callableContract(name, "method", [value], member, context));
    } else if (value && ts.isObjectLiteralExpression(value) && depth < MAX_LITERAL_DEPTH) {
      out.push(plainContract(name, "property", member, [member], context), ...objectLiteralMembers(name, value, context, depth + 1));
    } else {
      const property = plainContract(name, "property", member, [member], context);
      if (value && (ts.isStringLiteral(value) || ts.isNumericLiteral(value) || value.kind === ts.SyntaxKind.TrueKeyword || value.kind === ts.SyntaxKind.FalseKeyword)) property.type = print(value, source);
      out.push(property);
    }
  }
  return out;
}

/** Nesting of object literals read for members (a config object's sections; deeper is data). */
const MAX_LITERAL_DEPTH = 4;

function namespaceMembers(prefix: string, table: ExportTable, context: CollectContext): Contract[] {
  const out: Contract[] = [];
  for (const name of [...table.exports.keys()].sort()) out.push(...(context.resolveTable(table, name, `${prefix}.${name}`) ?? []));
  return out;
}

export function renamed(contract: Contract, name: string, lines: Map<Contract, number>): Contract {
  const copy = { ...contract, symbol: { ...contract.symbol, name } };
  const line = lines.get(contract);
  if (line !== undefined) lines.set(copy, line);
  const reached = REACHES.get(contract);
  if (reached) REACHES.set(copy, reached);
  const imported = REACHES_IMPORTED.get(contract);
  if (imported) REACHES_IMPORTED.set(copy, imported);
  return copy;
}

function isPublicMember(member: ts.ClassElement | ts.TypeElement): boolean {
  if (member.name && ts.isPrivateIdentifier(member.name)) return false;
  return !hasModifier(member, ts.SyntaxKind.PrivateKeyword) && !hasModifier(member, ts.SyntaxKind.ProtectedKeyword);
}

function memberName(member: ts.ClassElement | ts.TypeElement, source: ts.SourceFile): string | undefined {
  if (ts.isIndexSignatureDeclaration(member)) return `[${member.parameters[0]?.type ? print(member.parameters[0].type, source) : "string"}]`;
  if (ts.isCallSignatureDeclaration(member)) return "()";
  if (ts.isConstructSignatureDeclaration(member)) return "new()";
  const name = member.name;
  if (!name) return undefined;
  if (ts.isIdentifier(name) || ts.isStringLiteral(name) || ts.isNumericLiteral(name)) return name.text;
  return print(name, source);
}

function classContracts(name: string, cls: ts.ClassLikeDeclaration, context: CollectContext, depth = 0): Contract[] {
  const { source } = context;
  const constructors = cls.members.filter(ts.isConstructorDeclaration);
  const classContract = callableContract(name, "class", constructors, cls, context);
  classContract.returns = {};
  // Who may call `new`: an abstract class, or a protected or private constructor, is not constructible by callers.
  if (constructors.some((c) => hasModifier(c, ts.SyntaxKind.PrivateKeyword))) classContract.construct = "private";
  else if (constructors.some((c) => hasModifier(c, ts.SyntaxKind.ProtectedKeyword))) classContract.construct = "protected";
  else if (hasModifier(cls, ts.SyntaxKind.AbstractKeyword)) classContract.construct = "abstract";
  const typeParams = typeParamsOf(cls, source);
  if (typeParams) classContract.typeParams = typeParams;
  const members: Contract[] = [];
  const methods = new Map<string, ts.MethodDeclaration[]>();
  const accessors = new Map<string, (ts.GetAccessorDeclaration | ts.SetAccessorDeclaration)[]>();
  // Constructor parameter properties (`constructor(public x: string)`) are properties too.
  for (const ctor of constructors) {
    for (const p of ctor.parameters) {
      const isProperty = hasModifier(p, ts.SyntaxKind.PublicKeyword) || hasModifier(p, ts.SyntaxKind.ReadonlyKeyword);
      if (!isProperty || hasModifier(p, ts.SyntaxKind.PrivateKeyword) || hasModifier(p, ts.SyntaxKind.ProtectedKeyword) || !ts.isIdentifier(p.name)) continue;
      members.push(propertyContract(`${name}.${p.name.text}`, p, p.type, Boolean(p.questionToken), hasModifier(p, ts.SyntaxKind.ReadonlyKeyword), false, context));
    }
  }
  for (const member of cls.members) {
    if (ts.isConstructorDeclaration(member) || ts.isClassStaticBlockDeclaration(member) || ts.isSemicolonClassElement(member) || !isPublicMember(member)) continue;
    const memberKey = memberName(member, source);
    if (memberKey === undefined) continue;
    const isStatic = hasModifier(member, ts.SyntaxKind.StaticKeyword);
    const key = `${isStatic ? "static " : ""}${memberKey}`;
    if (ts.isMethodDeclaration(member)) push(methods, key, member);
    else if (ts.isGetAccessorDeclaration(member) || ts.isSetAccessorDeclaration(member)) push(accessors, key, member);
    else if (ts.isPropertyDeclaration(member)) {
      const property = propertyContract(`${name}.${memberKey}`, member, member.type, Boolean(member.questionToken), hasModifier(member, ts.SyntaxKind.ReadonlyKeyword), isStatic, context);
      if (hasModifier(member, ts.SyntaxKind.AbstractKeyword)) property.abstract = true;
      members.push(property);
    } else if (ts.isIndexSignatureDeclaration(member)) {
      members.push(propertyContract(`${name}.${memberKey}`, member, member.type, false, hasModifier(member, ts.SyntaxKind.ReadonlyKeyword), isStatic, context));
    }
  }
  for (const [key, nodes] of methods) {
    const isStatic = key.startsWith("static ");
    const method = callableContract(`${name}.${key.replace(/^static /, "")}`, "method", nodes, nodes[0]!, context);
    if (isStatic) method.static = true;
    if (nodes.some((n) => n.questionToken)) method.optional = true;
    members.push(method);
  }
  for (const [key, nodes] of accessors) members.push(accessorContract(`${name}.${key.replace(/^static /, "")}`, nodes, key.startsWith("static "), context));
  if (isJsFile(source.fileName)) members.push(...constructorAssignments(name, constructors, members, context));
  members.push(...inheritedMembers(name, cls, members, context, depth));
  for (const member of members) if (!member.stability && classContract.stability) member.stability = classContract.stability;
  return [classContract, ...sortByName(dedupeMembers(members))];
}

/**
 * A JavaScript class's properties are what its constructor assigns (`this.url = url`, typed by a
 * `/** @type {T} *\/` on the statement), as the compiler declares them: without them a property
 * removed from a JS class read as no change. Nested functions and classes have their own `this`.
 */
function constructorAssignments(name: string, constructors: ts.ConstructorDeclaration[], existing: Contract[], context: CollectContext): Contract[] {
  const taken = new Set(existing.map((c) => c.symbol.name));
  const out: Contract[] = [];
  const visit = (node: ts.Node): void => {
    if (ts.isFunctionLike(node) || ts.isClassLike(node)) return;
    if (ts.isBinaryExpression(node) && node.operatorToken.kind === ts.SyntaxKind.EqualsToken && ts.isPropertyAccessExpression(node.left) && node.left.expression.kind === ts.SyntaxKind.ThisKeyword && ts.isIdentifier(node.left.name)) {
      const id = `${name}.${node.left.name.text}`;
      if (!taken.has(id)) {
        taken.add(id);
        const statement = ts.isExpressionStatement(node.parent) ? node.parent : undefined;
        const declared = statement ? ts.getJSDocTypeTag(statement)?.typeExpression.type : undefined;
        out.push(propertyContract(id, statement ?? node, declared, false, false, false, context));
      }
    }
    ts.forEachChild(node, visit);
  };
  for (const ctor of constructors) if (ctor.body) ts.forEachChild(ctor.body, visit);
  return out;
}

function interfaceMembers(name: string, nodes: ts.InterfaceDeclaration[], context: CollectContext, depth = 0): Contract[] {
  const { source } = context;
  const members: Contract[] = [];
  const methods = new Map<string, (ts.MethodSignature | ts.CallSignatureDeclaration | ts.ConstructSignatureDeclaration)[]>();
  for (const node of nodes) {
    for (const member of node.members) {
      if (!isPublicMember(member)) continue;
      const key = memberName(member, source);
      if (key === undefined) continue;
      if (ts.isMethodSignature(member) || ts.isCallSignatureDeclaration(member) || ts.isConstructSignatureDeclaration(member)) push(methods, key, member);
      else if (ts.isPropertySignature(member)) members.push(propertyContract(`${name}.${key}`, member, member.type, Boolean(member.questionToken), hasModifier(member, ts.SyntaxKind.ReadonlyKeyword), false, context));
      else if (ts.isIndexSignatureDeclaration(member)) members.push(propertyContract(`${name}.${key}`, member, member.type, false, hasModifier(member, ts.SyntaxKind.ReadonlyKeyword), false, context));
      else if (ts.isGetAccessorDeclaration(member) || ts.isSetAccessorDeclaration(member)) members.push(accessorContract(`${name}.${key}`, [member], false, context));
    }
  }
  for (const [key, list] of methods) {
    const method = callableContract(`${name}.${key}`, "method", list, list[0]!, context);
    if (list.some((n) => ts.isMethodSignature(n) && n.questionToken)) method.optional = true;
    members.push(method);
  }
  for (const node of nodes) members.push(...inheritedMembers(name, node, members, context, depth));
  return sortByName(dedupeMembers(members));
}

/**
 * A JavaScript `@typedef` or `@callback`: `@typedef {Object} Options` with `@property` tags is an
 * object type whose properties are members (`Options.url`, optional when bracketed, nested
 * `@property {Object} a` + `a.b` below it), as an interface's are; any other typedef is a type
 * alias of its JSDoc type, a callback the function type of its `@param` and `@returns` tags.
 */
function typedefContracts(name: string, tag: ts.JSDocTypedefTag | ts.JSDocCallbackTag, context: CollectContext): Contract[] {
  const { source } = context;
  const expression = tag.typeExpression;
  if (expression && ts.isJSDocTypeLiteral(expression) && !expression.isArrayType) {
    return [plainContract(name, "interface", tag, [], context), ...sortByName(typedefMembers(name, expression, context, 0))];
  }
  const base = plainContract(name, "type", tag, [], context);
  if (expression && ts.isJSDocSignature(expression)) {
    const params = expression.parameters.map((p) => `${p.name.getText(source)}${p.isBracketed ? "?" : ""}: ${p.typeExpression ? print(p.typeExpression.type, source) : "any"}`);
    base.type = `(${params.join(", ")}) => ${expression.type?.typeExpression ? print(expression.type.typeExpression.type, source) : "void"}`;
  } else if (expression && ts.isJSDocTypeExpression(expression)) {
    base.type = print(expression.type, source);
  } else if (expression && ts.isJSDocTypeLiteral(expression)) {
    const members = typedefMembers(name, expression, context, 0).filter((m) => !m.symbol.name.slice(name.length + 1).includes("."));
    base.type = `{ ${members.map((m) => `${m.symbol.name.slice(name.length + 1)}${m.optional ? "?" : ""}: ${m.type ?? "any"}`).join("; ")} }[]`;
  }
  return [base];
}

function typedefMembers(prefix: string, literal: ts.JSDocTypeLiteral, context: CollectContext, depth: number): Contract[] {
  const out: Contract[] = [];
  for (const property of literal.jsDocPropertyTags ?? []) {
    const key = ts.isIdentifier(property.name) ? property.name.text : property.name.right.text;
    const type = property.typeExpression?.type;
    const member = propertyContract(`${prefix}.${key}`, property, type && !ts.isJSDocTypeLiteral(type) ? type : undefined, property.isBracketed, false, false, context);
    out.push(member);
    if (type && ts.isJSDocTypeLiteral(type) && depth < MAX_LITERAL_DEPTH) out.push(...typedefMembers(`${prefix}.${key}`, type, context, depth + 1));
  }
  return out;
}

function enumContracts(name: string, nodes: ts.EnumDeclaration[], context: CollectContext): Contract[] {
  const { source } = context;
  const base = plainContract(name, "enum", nodes[0]!, nodes, context);
  // No object at run time: `E` itself is no value (Object.values(E), passing E, E[0]), only `E.A` is.
  if (nodes.some((n) => hasModifier(n, ts.SyntaxKind.ConstKeyword))) base.constEnum = true;
  const members: Contract[] = [];
  for (const node of nodes) {
    // Members without an initializer count up from the previous numeric value.
    let next: number | undefined = 0;
    for (const member of node.members) {
      const memberKey = ts.isIdentifier(member.name) || ts.isStringLiteral(member.name) ? member.name.text : print(member.name, source);
      const contract = plainContract(`${name}.${memberKey}`, "enum-member", member, [member], context);
      let value: string | undefined;
      if (member.initializer) {
        value = print(member.initializer, source);
        next = ts.isNumericLiteral(member.initializer) ? Number(member.initializer.text) + 1 : undefined;
      } else if (next !== undefined) {
        value = String(next);
        next += 1;
      }
      if (value !== undefined) contract.type = value;
      if (!contract.stability && base.stability) contract.stability = base.stability;
      members.push(contract);
    }
  }
  return [base, ...sortByName(dedupeMembers(members))];
}

function propertyContract(name: string, node: ts.Node, typeNode: ts.TypeNode | undefined, optional: boolean, readonly: boolean, isStatic: boolean, context: CollectContext): Contract {
  const contract = plainContract(name, "property", node, [node], context);
  const jsdoc = !typeNode && isJsFile(context.source.fileName) && (ts.isPropertyDeclaration(node) || ts.isParameter(node)) ? ts.getJSDocType(node) : undefined;
  const type = typeNode ?? jsdoc;
  if (type) contract.type = print(type, context.source);
  else {
    // Without a declared type a literal initializer still says it, as the compiler infers it
    // (`p = 1` is a number, `readonly p = 1` the literal 1): `p: string = "a"` → `p = 1` read as no change.
    const literal = literalType(node, readonly);
    if (literal !== undefined) contract.type = literal;
  }
  if (optional) contract.optional = true;
  if (readonly) contract.readonly = true;
  if (isStatic) contract.static = true;
  return contract;
}

/** The type the compiler infers for a property or parameter property from a literal initializer. */
function literalType(node: ts.Node, readonly: boolean): string | undefined {
  const init = ts.isPropertyDeclaration(node) || ts.isParameter(node) ? node.initializer : undefined;
  if (!init) return undefined;
  if (ts.isStringLiteral(init) || ts.isNoSubstitutionTemplateLiteral(init)) return readonly ? JSON.stringify(init.text) : "string";
  if (ts.isNumericLiteral(init)) return readonly ? init.text : "number";
  if (init.kind === ts.SyntaxKind.TrueKeyword || init.kind === ts.SyntaxKind.FalseKeyword) return readonly ? (init.kind === ts.SyntaxKind.TrueKeyword ? "true" : "false") : "boolean";
  return undefined;
}

function accessorContract(name: string, nodes: (ts.GetAccessorDeclaration | ts.SetAccessorDeclaration)[], isStatic: boolean, context: CollectContext): Contract {
  const getter = nodes.find(ts.isGetAccessorDeclaration);
  const setter = nodes.find(ts.isSetAccessorDeclaration);
  const typeNode = getter?.type ?? setter?.parameters[0]?.type;
  // A setter without a getter reads as undefined; a getter without a setter cannot be assigned.
  const contract = propertyContract(name, getter ?? setter!, typeNode, false, !setter, isStatic, context);
  if (!getter) contract.optional = true;
  if (nodes.some((n) => hasModifier(n, ts.SyntaxKind.AbstractKeyword))) contract.abstract = true;
  // A setter may take another type than its getter returns (TypeScript 5.1): writers are held to it.
  const written = setter?.parameters[0]?.type;
  if (getter?.type && written && print(written, context.source) !== print(getter.type, context.source)) contract.writeType = print(written, context.source);
  return contract;
}

function plainContract(name: string, kind: ContractKind, anchor: ts.Node, docNodes: ts.Node[], context: CollectContext): Contract {
  const tags = collectTags(docNodes, context.source);
  const contract: Contract = { symbol: { name, module: "" }, language: context.language, kind, params: NONE as never[], returns: {}, sideEffects: tags.sideEffects, errors: tags.errors, owners: tags.owners, consumers: NONE, tests: NONE };
  if (tags.stability) contract.stability = tags.stability;
  if (tags.since) contract.since = tags.since;
  context.lines.set(contract, lineOf(anchor, context.source));
  return contract;
}

/** The declaration's offset; its line is computed only when someone asks (DECLARED_LINE). */
function lineOf(node: ts.Node, source: ts.SourceFile): number {
  return node.getStart(source);
}

function callableContract(name: string, kind: ContractKind, nodes: Callable[], docNode: ts.Node, context: CollectContext): Contract {
  const { source, checker } = context;
  const hasBody = (n: Callable) => "body" in n && n.body !== undefined;
  const bodiless = nodes.filter((n) => !hasBody(n));
  // The last body is the one that runs: JavaScript lets a class repeat a method, or a script a
  // function, and the later one replaces the earlier (the first was read, so a changed
  // redefinition went unseen).
  const implementation = nodes.findLast(hasBody);
  // Callers see the overload signatures when there are any, the implementation otherwise.
  const publicSignatures = bodiless.length > 0 ? bodiless : implementation ? [implementation] : [];
  const signatures = publicSignatures.map((n) => signatureOf(n, source, checker));
  const first = signatures[0] ?? { params: [], returns: {} };
  const tags = collectTags([docNode, ...nodes], source);
  const anchor = kind === "class" ? docNode : (nodes[0] ?? docNode);
  const contract: Contract = {
    symbol: { name, module: "" },
    language: context.language,
    kind,
    params: first.params,
    returns: tags.evidence.length > 0 ? { ...first.returns, evidence: tags.evidence } : first.returns,
    sideEffects: tags.sideEffects,
    errors: tags.errors,
    owners: tags.owners,
    consumers: NONE,
    tests: NONE,
  };
  if (first.typeParams && kind !== "class") contract.typeParams = first.typeParams;
  if (first.thisType !== undefined) contract.thisType = first.thisType;
  if (nodes.some((n) => hasModifier(n, ts.SyntaxKind.AsyncKeyword))) contract.async = true;
  if (nodes.some((n) => (ts.isFunctionDeclaration(n) || ts.isFunctionExpression(n) || ts.isMethodDeclaration(n)) && n.asteriskToken !== undefined)) contract.generator = true;
  if (kind === "method" && nodes.some((n) => hasModifier(n, ts.SyntaxKind.AbstractKeyword))) contract.abstract = true;
  if (signatures.length > 1 || (bodiless.length > 0 && implementation)) contract.overloads = signatures;
  if (tags.stability) contract.stability = tags.stability;
  if (tags.since) contract.since = tags.since;
  context.lines.set(contract, lineOf(anchor, source));
  return contract;
}

function sortByName(contracts: Contract[]): Contract[] {
  return contracts.sort((a, b) => (a.symbol.name < b.symbol.name ? -1 : a.symbol.name > b.symbol.name ? 1 : 0));
}

/** A static and an instance member of one name: the instance member keeps the name. */
function dedupeMembers(contracts: Contract[]): Contract[] {
  const byName = new Map<string, Contract>();
  for (const c of contracts) {
    const existing = byName.get(c.symbol.name);
    if (!existing || (existing.static && !c.static)) byName.set(c.symbol.name, c);
  }
  return [...byName.values()];
}

/** Doc tags from the `/** ... *\/` comment right before each node (the one JSDoc attaches to it). */
function collectTags(nodes: ts.Node[], source: ts.SourceFile): DocTags {
  let tags: DocTags | undefined;
  const text = source.text;
  const seen = new Set<number>();
  for (const node of nodes) {
    // A tag needs an `@` in the trivia before the node: most nodes have none, skip the comment scan.
    if (!hasAt(text, node.pos, node.getStart(source))) continue;
    const ranges = ts.getLeadingCommentRanges(text, node.pos) ?? [];
    const doc = [...ranges].reverse().find((r) => r.kind === ts.SyntaxKind.MultiLineCommentTrivia && text.startsWith("/**", r.pos));
    if (!doc || seen.has(doc.pos)) continue;
    seen.add(doc.pos);
    // Most doc comments carry no tag at all.
    const at = text.indexOf("@", doc.pos + 3);
    if (at < 0 || at >= doc.end) continue;
    const body = text
      .slice(doc.pos + 3, doc.end - 2)
      .split(/\r?\n/)
      .map((line) => line.replace(/^\s*\*?/, ""))
      .join("\n");
    // JSDoc allows several tags on one line (`/** @stable @owner x */`): one per line here.
    const parsed = parseDocstringTags(body.replace(/\s(@[A-Za-z])/g, "\n$1"));
    tags ??= emptyTags();
    tags.sideEffects.push(...parsed.sideEffects);
    tags.errors.push(...parsed.errors);
    tags.owners.push(...parsed.owners);
    tags.evidence.push(...parsed.evidence);
    if (parsed.stability) tags.stability = parsed.stability;
    if (parsed.since) tags.since = parsed.since;
  }
  // Most declarations have no tag at all: no sorting and deduplicating of empty lists.
  return tags ? finishTags(tags) : NO_TAGS;
}

const NO_TAGS: DocTags = Object.freeze({ sideEffects: NONE, errors: NONE, owners: NONE, evidence: NONE });

function hasAt(text: string, from: number, to: number): boolean {
  for (let i = from; i < to; i++) if (text.charCodeAt(i) === 64) return true;
  return false;
}

function push<T>(map: Map<string, T[]>, key: string, value: T): void {
  const list = map.get(key);
  if (list) list.push(value);
  else map.set(key, [value]);
}
