// Consumer impact: the call sites of changed symbols across the repository, found on the AST
// (TypeScript compiler API for TS/JS, tree-sitter for Python), never by text search alone.

import ts from "typescript";
import type { Node } from "web-tree-sitter";
import { pythonParser } from "./extract-py.js";
import { scriptKind } from "./ts/index.js";
import { readSourceFile } from "./files.js";

export interface CallSite {
  file: string;
  line: number;
}

/** The callable name a change is about: `Class.method` calls look like `x.method(...)`. */
export function calleeName(symbolName: string): string {
  const parts = symbolName.split(".");
  return parts[parts.length - 1]!;
}

/** name → sorted call sites in `files` (relative to root). `skip` is the defining module per name. */
export async function findCallSites(root: string, files: string[], names: Set<string>): Promise<Map<string, CallSite[]>> {
  const sites = new Map<string, CallSite[]>();
  if (names.size === 0) return sites;
  const add = (name: string, site: CallSite) => sites.set(name, [...(sites.get(name) ?? []), site]);
  for (const file of files) {
    let text: string;
    try {
      text = readSourceFile(root, file);
    } catch {
      continue;
    }
    // Cheap pre-filter: only parse files that mention a name at all.
    const mentioned = [...names].filter((n) => text.includes(n));
    if (mentioned.length === 0) continue;
    const wanted = new Set(mentioned);
    if (file.endsWith(".py")) {
      const parser = await pythonParser();
      const tree = parser.parse(text);
      if (!tree) continue;
      try {
        walkPython(tree.rootNode, (name, line) => wanted.has(name) && add(name, { file, line }));
      } finally {
        tree.delete();
      }
    } else {
      const source = ts.createSourceFile(file, text, ts.ScriptTarget.Latest, true, scriptKind(file));
      const visit = (node: ts.Node): void => {
        if (ts.isCallExpression(node) || ts.isNewExpression(node)) {
          const callee = node.expression;
          const name = ts.isIdentifier(callee) ? callee.text : ts.isPropertyAccessExpression(callee) ? callee.name.text : undefined;
          if (name && wanted.has(name)) add(name, { file, line: source.getLineAndCharacterOfPosition(node.getStart(source)).line + 1 });
        }
        ts.forEachChild(node, visit);
      };
      visit(source);
    }
  }
  for (const list of sites.values()) list.sort((a, b) => (a.file < b.file ? -1 : a.file > b.file ? 1 : a.line - b.line));
  return sites;
}

/**
 * Which of the names a file's text uses: `calls` as the callee of a call or `new` (the call-site
 * finder's rule), `refs` as any identifier (types, interfaces, consts and properties are used,
 * not called). Same AST walks as findCallSites, so "calls it" means the same in both.
 */
export async function namesUsedIn(file: string, text: string, calls: ReadonlySet<string>, refs: ReadonlySet<string>): Promise<Set<string>> {
  const used = new Set<string>();
  const wantedCalls = new Set([...calls].filter((n) => text.includes(n)));
  const wantedRefs = new Set([...refs].filter((n) => text.includes(n)));
  if (wantedCalls.size === 0 && wantedRefs.size === 0) return used;
  if (file.endsWith(".py")) {
    const parser = await pythonParser();
    const tree = parser.parse(text);
    if (!tree) return used;
    try {
      walkPython(tree.rootNode, (name) => wantedCalls.has(name) && used.add(name));
      if (wantedRefs.size > 0) walkPythonIdentifiers(tree.rootNode, (name) => wantedRefs.has(name) && used.add(name));
    } finally {
      tree.delete();
    }
    return used;
  }
  const source = ts.createSourceFile(file, text, ts.ScriptTarget.Latest, true, scriptKind(file));
  const visit = (node: ts.Node): void => {
    if (ts.isCallExpression(node) || ts.isNewExpression(node)) {
      const callee = node.expression;
      const name = ts.isIdentifier(callee) ? callee.text : ts.isPropertyAccessExpression(callee) ? callee.name.text : undefined;
      if (name && wantedCalls.has(name)) used.add(name);
    } else if (ts.isIdentifier(node) && wantedRefs.has(node.text)) {
      used.add(node.text);
    }
    ts.forEachChild(node, visit);
  };
  visit(source);
  return used;
}

function walkPythonIdentifiers(node: Node, found: (name: string) => void): void {
  if (node.type === "identifier") found(node.text);
  for (const child of node.namedChildren) if (child) walkPythonIdentifiers(child, found);
}

function walkPython(node: Node, found: (name: string, line: number) => void): void {
  if (node.type === "call") {
    const fn = node.childForFieldName("function");
    const name = fn?.type === "identifier" ? fn.text : fn?.type === "attribute" ? fn.childForFieldName("attribute")?.text : undefined;
    if (name) found(name, node.startPosition.row + 1);
  }
  for (const child of node.namedChildren) if (child) walkPython(child, found);
}
