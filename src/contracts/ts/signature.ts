// Declaration → signature pieces, as normalised source text: parameters, returns, type
// parameters. The printer drops comments and fixes spacing, so reformatting is no change.

import ts from "typescript";
import type { ContractParam, ContractReturns, ContractSignature, TypeParam } from "../model.js";

export type Callable =
  | ts.FunctionDeclaration
  | ts.ArrowFunction
  | ts.FunctionExpression
  | ts.MethodDeclaration
  | ts.ConstructorDeclaration
  | ts.MethodSignature
  | ts.CallSignatureDeclaration
  | ts.ConstructSignatureDeclaration
  | ts.FunctionTypeNode
  | ts.ConstructorTypeNode;

const printer = ts.createPrinter({ removeComments: true, newLine: ts.NewLineKind.LineFeed });

const SIMPLE = /^[\w$.]+(?:\[\])*$/;

export function print(node: ts.Node, source: ts.SourceFile): string {
  // Most types are a keyword or a name (`string`, `Options`, `Foo[]`): the printer would print the
  // source text unchanged, at many times the cost.
  const text = source.text.slice(node.getStart(source), node.end);
  if (SIMPLE.test(text)) return text;
  return printer.printNode(ts.EmitHint.Unspecified, node, source).replace(/\s+/g, " ").trim();
}

export function isJsFile(file: string): boolean {
  return /\.[mc]?jsx?$/.test(file);
}

export function typeParamsOf(node: { typeParameters?: ts.NodeArray<ts.TypeParameterDeclaration> | undefined }, source: ts.SourceFile): TypeParam[] | undefined {
  if (!node.typeParameters || node.typeParameters.length === 0) return undefined;
  return node.typeParameters.map((p) => {
    const param: TypeParam = { name: p.name.text };
    if (p.constraint) param.constraint = print(p.constraint, source);
    if (p.default) param.default = print(p.default, source);
    return param;
  });
}

export function signatureOf(node: Callable, source: ts.SourceFile, checker: ts.TypeChecker | undefined): ContractSignature {
  const isJs = isJsFile(source.fileName);
  const params: ContractParam[] = [];
  for (const p of node.parameters) {
    const name = ts.isIdentifier(p.name) ? p.name.text : print(p.name, source);
    if (name === "this") continue;
    const typeNode = p.type ?? (isJs ? ts.getJSDocType(p) : undefined);
    const bracketed = isJs && ts.getJSDocParameterTags(p).some((t) => t.isBracketed);
    const param: ContractParam = { name, required: !(p.questionToken || p.initializer || p.dotDotDotToken || bracketed) };
    if (typeNode) param.type = print(typeNode, source);
    if (p.initializer) param.default = print(p.initializer, source);
    if (p.dotDotDotToken) param.rest = true;
    params.push(param);
  }
  const returns: ContractReturns = {};
  const returnNode = ts.isConstructorDeclaration(node) ? undefined : (node.type ?? (isJs && !ts.isFunctionTypeNode(node) && !ts.isConstructorTypeNode(node) ? ts.getJSDocReturnType(node) : undefined));
  if (returnNode) returns.type = print(returnNode, source);
  if (checker && !ts.isConstructorDeclaration(node)) {
    const sig = checker.getSignatureFromDeclaration(node as ts.SignatureDeclaration);
    if (sig) returns.inferred = checker.typeToString(checker.getReturnTypeOfSignature(sig), undefined, ts.TypeFormatFlags.NoTruncation);
  }
  const signature: ContractSignature = { params, returns };
  const typeParams = typeParamsOf(node, source);
  if (typeParams) signature.typeParams = typeParams;
  return signature;
}
