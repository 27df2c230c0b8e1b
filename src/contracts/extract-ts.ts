// TypeScript/JavaScript extraction with the TypeScript compiler API (typescript@6: the classic JS
// API; typescript@7 is the native compiler whose API is not stable yet).
// Syntax mode parses each file on its own (ts.createSourceFile, no Program) and resolves relative
// re-exports (`export *`, `export { x as y } from`, import-then-export, barrels) itself.
// `--types` mode builds one Program and adds the checker's inferred return types.

import { join, posix } from "node:path";
import ts from "typescript";
import { emptyTags, finishTags, parseDocstringTags, type DocTags } from "./doctags.js";
import { DECLARED_LINE, type Contract, type ContractLanguage, type ContractParam, type ContractReturns, type ContractSignature } from "./model.js";
import { readSourceFile } from "./files.js";

export const TS_EXTENSIONS = [".ts", ".tsx", ".mts", ".cts", ".js", ".jsx", ".mjs", ".cjs"];

export interface TsExtractOptions {
  /** called as files are read (after the Program is built with --types): for a progress line */
  onProgress?: (done: number, total: number) => void;
  /** use a Program and its checker for inferred return types */
  types?: boolean;
  /** only these modules (relative paths) are public entry points; default: every module */
  entries?: string[];
}

type Callable = ts.FunctionDeclaration | ts.ArrowFunction | ts.FunctionExpression | ts.MethodDeclaration | ts.ConstructorDeclaration;

/** A declaration a name can resolve to. */
type Declaration =
  | { type: "function"; file: string; nodes: Callable[]; docNode: ts.Node }
  | { type: "class"; file: string; node: ts.ClassDeclaration };

interface ModuleInfo {
  file: string;
  /** top-level callables of the file (while it is being read) */
  locals: Map<string, Declaration>;
  /**
   * Contracts of the locals the module exports, named relative to the export ("" for the
   * symbol itself, ".method" for methods). Built right after parsing so the AST can be dropped:
   * holding every AST of a large code base until the end costs more in GC than the parse.
   */
  templates: Map<string, Contract[]>;
  /** exported name → where it comes from */
  exports: Map<string, { local: string } | { from: string; name: string }>;
  /** resolved files of `export * from` */
  stars: string[];
}

const printer = ts.createPrinter({ removeComments: true, newLine: ts.NewLineKind.LineFeed });

export function extractTypeScript(root: string, files: string[], options: TsExtractOptions = {}): Contract[] {
  const fileSet = new Set(files);
  let checker: ts.TypeChecker | undefined;
  let sourceOf: (file: string) => ts.SourceFile;
  if (options.types) {
    const program = ts.createProgram(
      files.map((f) => join(root, f)),
      { allowJs: true, checkJs: false, noEmit: true, skipLibCheck: true, target: ts.ScriptTarget.ES2022, module: ts.ModuleKind.NodeNext, moduleResolution: ts.ModuleResolutionKind.NodeNext, strict: true },
    );
    checker = program.getTypeChecker();
    sourceOf = (file) => program.getSourceFile(join(root, file)) ?? parse(root, file);
  } else {
    sourceOf = (file) => parse(root, file);
  }

  const modules = new Map<string, ModuleInfo>();
  const templateFile = new Map<Contract, string>();
  for (const [index, file] of files.entries()) {
    options.onProgress?.(index + 1, files.length);
    const source = sourceOf(file);
    const info = readModule(file, source, fileSet);
    for (const target of info.exports.values()) {
      if (!("local" in target) || info.templates.has(target.local)) continue;
      const declaration = info.locals.get(target.local);
      if (!declaration) continue;
      const templates = contractsFor("", "", declaration, source, checker);
      for (const t of templates) templateFile.set(t, file);
      info.templates.set(target.local, templates);
    }
    info.locals.clear();
    modules.set(file, info);
  }

  const entries = options.entries ? options.entries.filter((e) => modules.has(e)) : files;
  const contracts: Contract[] = [];
  for (const file of entries) {
    const info = modules.get(file)!;
    for (const name of exportedNames(info, modules, new Set())) {
      const templates = resolveExport(info, name, modules, new Set());
      for (const template of templates ?? []) {
        const contract = { ...template, symbol: { name: name + template.symbol.name, module: file } };
        // Lines point into the module that declares it; a re-export has none of its own.
        const line = DECLARED_LINE.get(template);
        if (line !== undefined && templateFile.get(template) === file) DECLARED_LINE.set(contract, line);
        contracts.push(contract);
      }
    }
  }
  return contracts;
}

function parse(root: string, file: string): ts.SourceFile {
  const text = readSourceFile(root, file);
  // TS files: no JSDoc parse and no parent pointers (2-3x faster); doc tags are read from the
  // leading comment text. JS files need both for JSDoc parameter and return types.
  const isJs = languageOf(file) === "javascript";
  const options = { languageVersion: ts.ScriptTarget.Latest, jsDocParsingMode: isJs ? ts.JSDocParsingMode.ParseAll : ts.JSDocParsingMode.ParseNone };
  return ts.createSourceFile(file, text, options, isJs, scriptKind(file));
}

export function scriptKind(file: string): ts.ScriptKind {
  if (file.endsWith(".tsx")) return ts.ScriptKind.TSX;
  if (file.endsWith(".jsx")) return ts.ScriptKind.JSX;
  if (/\.[mc]?js$/.test(file)) return ts.ScriptKind.JS;
  return ts.ScriptKind.TS;
}

export function languageOf(file: string): ContractLanguage {
  return /\.[mc]?jsx?$/.test(file) ? "javascript" : "typescript";
}

function hasModifier(node: ts.Node, kind: ts.SyntaxKind): boolean {
  return ts.canHaveModifiers(node) && (ts.getModifiers(node) ?? []).some((m) => m.kind === kind);
}

/** Resolve a relative module specifier against the extracted file set (`./x.js` may be `./x.ts`). */
export function resolveSpecifier(fromFile: string, specifier: string, fileSet: Set<string>): string | undefined {
  if (!specifier.startsWith(".")) return undefined;
  const base = posix.normalize(posix.join(posix.dirname(fromFile), specifier));
  const stem = base.replace(/\.(m|c)?(j|t)sx?$/, "");
  const candidates = [base, ...TS_EXTENSIONS.map((e) => stem + e), ...TS_EXTENSIONS.map((e) => `${base}/index${e}`)];
  return candidates.find((c) => fileSet.has(c));
}

function readModule(file: string, source: ts.SourceFile, fileSet: Set<string>): ModuleInfo {
  const info: ModuleInfo = { file, locals: new Map(), templates: new Map(), exports: new Map(), stars: [] };
  const imports = new Map<string, { from: string; name: string }>();
  const addFunction = (name: string, node: Callable, docNode: ts.Node) => {
    const existing = info.locals.get(name);
    if (existing?.type === "function") existing.nodes.push(node);
    else info.locals.set(name, { type: "function", file, nodes: [node], docNode });
  };
  for (const statement of source.statements) {
    const exported = hasModifier(statement, ts.SyntaxKind.ExportKeyword);
    const isDefault = hasModifier(statement, ts.SyntaxKind.DefaultKeyword);
    if (ts.isFunctionDeclaration(statement)) {
      const name = statement.name?.text ?? "default";
      addFunction(name, statement, statement);
      if (exported) info.exports.set(isDefault ? "default" : name, { local: name });
    } else if (ts.isClassDeclaration(statement)) {
      const name = statement.name?.text ?? "default";
      info.locals.set(name, { type: "class", file, node: statement });
      if (exported) info.exports.set(isDefault ? "default" : name, { local: name });
    } else if (ts.isVariableStatement(statement)) {
      for (const declaration of statement.declarationList.declarations) {
        if (!ts.isIdentifier(declaration.name)) continue;
        const init = declaration.initializer && skipWrappers(declaration.initializer);
        if (init && (ts.isArrowFunction(init) || ts.isFunctionExpression(init))) {
          addFunction(declaration.name.text, init, statement);
          if (exported) info.exports.set(declaration.name.text, { local: declaration.name.text });
        }
      }
    } else if (ts.isImportDeclaration(statement) && ts.isStringLiteral(statement.moduleSpecifier)) {
      const from = resolveSpecifier(file, statement.moduleSpecifier.text, fileSet);
      const bindings = statement.importClause?.namedBindings;
      if (!from) continue;
      if (statement.importClause?.name) imports.set(statement.importClause.name.text, { from, name: "default" });
      if (bindings && ts.isNamedImports(bindings)) {
        for (const element of bindings.elements) imports.set(element.name.text, { from, name: (element.propertyName ?? element.name).getText(source) });
      }
    } else if (ts.isExportDeclaration(statement) && !statement.isTypeOnly) {
      const specifier = statement.moduleSpecifier && ts.isStringLiteral(statement.moduleSpecifier) ? statement.moduleSpecifier.text : undefined;
      const from = specifier !== undefined ? resolveSpecifier(file, specifier, fileSet) : undefined;
      if (specifier !== undefined && !from) continue; // a package, not part of this code base
      const clause = statement.exportClause;
      if (!clause) {
        if (from) info.stars.push(from);
      } else if (ts.isNamespaceExport(clause)) {
        // `export * as ns from`: a namespace object, not a callable; its members are the module's own
      } else {
        for (const element of clause.elements) {
          if (element.isTypeOnly) continue;
          const exportedName = element.name.getText(source);
          const localName = (element.propertyName ?? element.name).getText(source);
          info.exports.set(exportedName, from ? { from, name: localName } : { local: localName });
        }
      }
    } else if (ts.isExportAssignment(statement) && !statement.isExportEquals) {
      const expression = skipWrappers(statement.expression);
      if (ts.isIdentifier(expression)) info.exports.set("default", { local: expression.text });
      else if (ts.isArrowFunction(expression) || ts.isFunctionExpression(expression)) {
        addFunction("default", expression, statement);
        info.exports.set("default", { local: "default" });
      }
    }
  }
  // `import { a } from "./x"; export { a }` re-exports the import.
  for (const [name, target] of info.exports) {
    if ("local" in target && !info.locals.has(target.local) && imports.has(target.local)) info.exports.set(name, imports.get(target.local)!);
  }
  return info;
}

function skipWrappers(expression: ts.Expression): ts.Expression {
  let e = expression;
  while (ts.isParenthesizedExpression(e) || ts.isAsExpression(e) || ts.isSatisfiesExpression(e)) e = e.expression;
  return e;
}

function exportedNames(info: ModuleInfo, modules: Map<string, ModuleInfo>, seen: Set<string>): string[] {
  if (seen.has(info.file)) return [];
  seen.add(info.file);
  const names = new Set(info.exports.keys());
  for (const star of info.stars) {
    const target = modules.get(star);
    if (!target) continue;
    for (const name of exportedNames(target, modules, seen)) if (name !== "default") names.add(name);
  }
  return [...names].sort();
}

function resolveExport(info: ModuleInfo, name: string, modules: Map<string, ModuleInfo>, seen: Set<string>): Contract[] | undefined {
  const key = `${info.file}\0${name}`;
  if (seen.has(key)) return undefined;
  seen.add(key);
  const target = info.exports.get(name);
  if (target) {
    if ("local" in target) return info.templates.get(target.local);
    const from = modules.get(target.from);
    return from ? resolveExport(from, target.name, modules, seen) : undefined;
  }
  if (name === "default") return undefined;
  for (const star of info.stars) {
    const from = modules.get(star);
    const found = from && resolveExport(from, name, modules, seen);
    if (found) return found;
  }
  return undefined;
}

function contractsFor(module: string, name: string, declaration: Declaration, source: ts.SourceFile, checker?: ts.TypeChecker): Contract[] {
  const language = languageOf(declaration.file);
  if (declaration.type === "function") {
    return [callableContract(module, name, "function", language, declaration.nodes, declaration.docNode, source, checker)];
  }
  const cls = declaration.node;
  const constructors = cls.members.filter(ts.isConstructorDeclaration);
  const classContract = callableContract(module, name, "class", language, constructors, cls, source, undefined);
  classContract.returns = {};
  const methods = new Map<string, ts.MethodDeclaration[]>();
  for (const member of cls.members) {
    if (!ts.isMethodDeclaration(member) || !isPublic(member)) continue;
    const methodName = member.name.getText(source);
    methods.set(methodName, [...(methods.get(methodName) ?? []), member]);
  }
  const contracts = [classContract];
  for (const [methodName, nodes] of [...methods].sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0))) {
    const method = callableContract(module, `${name}.${methodName}`, "method", language, nodes, nodes[0]!, source, checker);
    if (!method.stability && classContract.stability) method.stability = classContract.stability;
    contracts.push(method);
  }
  return contracts;
}

function isPublic(member: ts.MethodDeclaration): boolean {
  if (ts.isPrivateIdentifier(member.name)) return false;
  return !hasModifier(member, ts.SyntaxKind.PrivateKeyword) && !hasModifier(member, ts.SyntaxKind.ProtectedKeyword);
}

function callableContract(
  module: string,
  name: string,
  kind: Contract["kind"],
  language: ContractLanguage,
  nodes: Callable[],
  docNode: ts.Node,
  source: ts.SourceFile,
  checker: ts.TypeChecker | undefined,
): Contract {
  const bodiless = nodes.filter((n) => !("body" in n) || n.body === undefined);
  const implementation = nodes.find((n) => "body" in n && n.body !== undefined);
  // Callers see the overload signatures when there are any, the implementation otherwise.
  const publicSignatures = bodiless.length > 0 ? bodiless : implementation ? [implementation] : [];
  const signatures = publicSignatures.map((n) => signature(n, source, checker));
  const first = signatures[0] ?? { params: [], returns: {} };
  const tags = collectTags([docNode, ...nodes], source);
  const anchor = kind === "class" ? docNode : (nodes[0] ?? docNode);
  const contract: Contract = {
    symbol: { name, module },
    language,
    kind,
    params: first.params,
    returns: tags.evidence.length > 0 ? { ...first.returns, evidence: tags.evidence } : first.returns,
    sideEffects: tags.sideEffects,
    errors: tags.errors,
    owners: tags.owners,
    consumers: [],
    tests: [],
  };
  if (nodes.some((n) => hasModifier(n, ts.SyntaxKind.AsyncKeyword))) contract.async = true;
  if (signatures.length > 1 || (bodiless.length > 0 && implementation)) contract.overloads = signatures;
  if (tags.stability) contract.stability = tags.stability;
  if (tags.since) contract.since = tags.since;
  DECLARED_LINE.set(contract, source.getLineAndCharacterOfPosition(anchor.getStart(source)).line + 1);
  return contract;
}

function signature(node: Callable, source: ts.SourceFile, checker: ts.TypeChecker | undefined): ContractSignature {
  const isJs = languageOf(source.fileName) === "javascript";
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
  const returnNode = ts.isConstructorDeclaration(node) ? undefined : (node.type ?? (isJs ? ts.getJSDocReturnType(node) : undefined));
  if (returnNode) returns.type = print(returnNode, source);
  if (checker && !ts.isConstructorDeclaration(node)) {
    const sig = checker.getSignatureFromDeclaration(node);
    if (sig) returns.inferred = checker.typeToString(checker.getReturnTypeOfSignature(sig), undefined, ts.TypeFormatFlags.NoTruncation);
  }
  return { params, returns };
}

/** Normalised source text: the printer drops comments and fixes spacing, so reformatting is no change. */
function print(node: ts.Node, source: ts.SourceFile): string {
  return printer.printNode(ts.EmitHint.Unspecified, node, source).replace(/\s+/g, " ").trim();
}

/** Doc tags from the `/** ... *\/` comment right before each node (the one JSDoc attaches to it). */
function collectTags(nodes: ts.Node[], source: ts.SourceFile): DocTags {
  const tags = emptyTags();
  const text = source.text;
  const seen = new Set<number>();
  for (const node of nodes) {
    const ranges = ts.getLeadingCommentRanges(text, node.pos) ?? [];
    const doc = [...ranges].reverse().find((r) => r.kind === ts.SyntaxKind.MultiLineCommentTrivia && text.startsWith("/**", r.pos));
    if (!doc || seen.has(doc.pos)) continue;
    seen.add(doc.pos);
    const body = text
      .slice(doc.pos + 3, doc.end - 2)
      .split(/\r?\n/)
      .map((line) => line.replace(/^\s*\*?/, ""))
      .join("\n");
    // JSDoc allows several tags on one line (`/** @stable @owner x */`): one per line here.
    const parsed = parseDocstringTags(body.replace(/\s(@[A-Za-z])/g, "\n$1"));
    tags.sideEffects.push(...parsed.sideEffects);
    tags.errors.push(...parsed.errors);
    tags.owners.push(...parsed.owners);
    tags.evidence.push(...parsed.evidence);
    if (parsed.stability) tags.stability = parsed.stability;
    if (parsed.since) tags.since = parsed.since;
  }
  return finishTags(tags);
}
