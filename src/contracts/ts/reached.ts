// Declarations a public one reaches without exporting them (API Extractor's ae-forgotten-export):
// `interface Options { timeout: number }` behind `export function connect(o: Options)`. The
// public API is what an entry reaches, so such a declaration is recorded too (under the entry,
// marked `unexported`): a change inside it changes what callers pass or read.
// Read from syntax: the names a declaration's public types mention (type references, `typeof`
// queries, heritage clauses), less the type parameters it declares. Function bodies, private and
// protected members and initializers are not API and are not read.

import ts from "typescript";
import type { Contract, ModuleText } from "../model.js";
import { hasModifier, type Declaration } from "./exports.js";

/** A group of contracts a public declaration reaches: one unexported local of a module, by its local name. */
export interface ReachedGroup {
  name: string;
  /** the declaring module, and its text (lines point there; absent: an import's, no line) */
  file: string;
  text?: ModuleText;
  /** named relative to the declaration ("" for itself, ".member" for members) */
  templates: Contract[];
}

/**
 * Template → the unexported declarations it reaches (transitively, within its module). Set on
 * every template of an exported local; copies made by renaming carry it (collect.ts `renamed`).
 */
export const REACHES = new WeakMap<Contract, ReachedGroup[]>();

/** Template → the other modules' exports it (or a local it reaches) names through an import, resolved when published. */
export const REACHES_IMPORTED = new WeakMap<Contract, { from: string; name: string }[]>();

/** The local names the public parts of a declaration mention in type positions. */
export function referencedNames(declaration: Declaration): Set<string> {
  const names = new Set<string>();
  const declaredTypeParams = new Set<string>();
  const visit = (node: ts.Node): void => {
    if (ts.isBlock(node)) return;
    if ((ts.isArrowFunction(node) || ts.isFunctionExpression(node)) && !ts.isBlock(node.body)) {
      // An expression body is code, not a type: only the signature is read.
      for (const child of [...(node.typeParameters ?? []), ...node.parameters, ...(node.type ? [node.type] : [])]) visit(child);
      return;
    }
    if (ts.isVariableDeclaration(node) || ts.isParameter(node) || ts.isPropertyDeclaration(node)) {
      // An initializer is a value; a declared type is the API (without one the checker infers it).
      if (node.type) visit(node.type);
      return;
    }
    if (ts.isTypeParameterDeclaration(node)) declaredTypeParams.add(node.name.text);
    if (ts.isTypeReferenceNode(node)) names.add(leftmost(node.typeName));
    else if (ts.isTypeQueryNode(node)) names.add(leftmost(node.exprName));
    else if (ts.isExpressionWithTypeArguments(node) && ts.isIdentifier(node.expression)) names.add(node.expression.text);
    else if (ts.isExpressionWithTypeArguments(node) && ts.isPropertyAccessExpression(node.expression)) {
      let e: ts.Expression = node.expression;
      while (ts.isPropertyAccessExpression(e)) e = e.expression;
      if (ts.isIdentifier(e)) names.add(e.text);
    }
    ts.forEachChild(node, visit);
  };
  for (const node of declarationNodes(declaration)) {
    if (ts.isClassLike(node)) visitClass(node, visit);
    else visit(node);
  }
  for (const name of declaredTypeParams) names.delete(name);
  return names;
}

/** A class's members know no parent without parent pointers: read them with their visibility here. */
function visitClass(cls: ts.ClassLikeDeclaration, visit: (node: ts.Node) => void): void {
  for (const p of cls.typeParameters ?? []) visit(p);
  for (const clause of cls.heritageClauses ?? []) visit(clause);
  for (const member of cls.members) {
    if (!isPublic(member)) continue;
    if (ts.isConstructorDeclaration(member)) {
      for (const p of member.parameters) if (p.type && !hasModifier(p, ts.SyntaxKind.PrivateKeyword) && !hasModifier(p, ts.SyntaxKind.ProtectedKeyword)) visit(p.type);
      continue;
    }
    visit(member);
  }
}

function isPublic(member: ts.Node): boolean {
  const name = (member as { name?: ts.Node }).name;
  if (name && ts.isPrivateIdentifier(name)) return false;
  return !hasModifier(member, ts.SyntaxKind.PrivateKeyword) && !hasModifier(member, ts.SyntaxKind.ProtectedKeyword);
}

function leftmost(name: ts.EntityName): string {
  let n = name;
  while (ts.isQualifiedName(n)) n = n.left;
  return n.text;
}

function declarationNodes(declaration: Declaration): readonly ts.Node[] {
  switch (declaration.type) {
    case "function":
      return declaration.nodes;
    case "class":
      return [declaration.node];
    case "interface":
    case "enum":
    case "namespace":
      return declaration.nodes;
    case "alias":
    case "typedef":
      return [declaration.node];
    case "value":
      return declaration.typeNode ? [declaration.typeNode] : [];
  }
}
