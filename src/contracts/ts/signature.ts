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

/**
 * Text the printer would print unchanged: names and arrays joined by ` | ` or ` & `, with one
 * level of type arguments spelled `<A, B>` (`string | undefined`, `Promise<void>`, `Map<K, V[]>`).
 */
const NAME = String.raw`[\w$.]+(?:\[\])*`;
// Not `Array.<T>` (JSDoc's spelling, which the printer respells `Array<T>`).
const TERM = String.raw`[\w$.]*[\w$](?:<${NAME}(?:, ${NAME})*>)?(?:\[\])*`;
const CANONICAL = new RegExp(`^${TERM}(?: [|&] ${TERM})*$`);

/**
 * Printed text by node kind, parse context (the node's flags: JSDoc, await, ambient ...), language
 * variant and source text: a subtree's parse is a function of these, so equal keys print equally.
 * Types repeat across a code base (`string | undefined`, `(error: Error) => void`). Kept for one
 * extraction only (`withPrintCache`): a second extraction in the process pays for its own.
 */
let printed: Map<string, string> | undefined;
const PRINTED_MAX = 100_000;

/** Runs `extract` with a print cache of its own. */
export function withPrintCache<T>(extract: () => T): T {
  const outer = printed;
  printed = new Map();
  try {
    return extract();
  } finally {
    printed = outer;
  }
}

export function print(node: ts.Node, source: ts.SourceFile): string {
  // Most types are a keyword or a name (`string`, `Options`, `Foo[]`): the printer would print the
  // source text unchanged, at many times the cost.
  const text = source.text.slice(node.getStart(source), node.end);
  if (SIMPLE.test(text) || CANONICAL.test(text)) return text;
  const key = printed && `${node.kind} ${node.flags} ${source.languageVariant} ${text}`;
  const known = key && printed!.get(key);
  if (known) return known;
  const out = printer.printNode(ts.EmitHint.Unspecified, node, source).replace(/\s+/g, " ").trim();
  if (key) {
    if (printed!.size >= PRINTED_MAX) printed!.clear();
    printed!.set(key, out);
  }
  return out;
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
  let thisType: string | undefined;
  for (const p of node.parameters) {
    const name = ts.isIdentifier(p.name) ? p.name.text : print(p.name, source);
    if (name === "this") {
      // Not an argument: the `this` a call must supply (a detached `f(…)` supplies void).
      thisType = p.type ? print(p.type, source) : "any";
      continue;
    }
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
  const signature: ContractSignature = { params, returns, ...(thisType !== undefined ? { thisType } : {}) };
  const typeParams = typeParamsOf(node, source);
  if (typeParams) signature.typeParams = typeParams;
  return signature;
}
