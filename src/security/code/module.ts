// One TypeScript/JavaScript module as the security checks see it: its top-level functions (and
// the methods of its classes) with their doc tags, its imports and its module-level values.
// Syntax only (the TypeScript compiler API's parser, no type checker): a name is resolved to the
// function declared with it at the top of the module or to the binding it imports from a
// relative module, never through types, aliases or objects.
//
// Doc tags read here (docs/security.md):
//   @sideEffect <kind> [qualifier ...]   the contracts convention (src/contracts/doctags.ts)
//   @untrusted [param ...]               these parameters (none named: all) carry untrusted content
//   @prompt, @tool                       the function hands its arguments to a model / a tool call
//   @sanitizer                           the function's result is safe to hand to a model
//   @dataAccess                          a data-access function (besides the configured modules)

import ts from "typescript";
import { applyTag, emptyTags } from "../../contracts/doctags.js";
import { scriptKind } from "../../contracts/ts/index.js";

export interface FunctionInfo {
  /** `name`, or `Class.method` for a method */
  name: string;
  /** the module it is declared in (repository path) */
  file: string;
  line: number;
  exported: boolean;
  /** parameter names in order ("" for a destructured one) */
  params: string[];
  /** every name a parameter binds, by parameter index (destructuring included) */
  paramBindings: string[][];
  node: ts.SignatureDeclaration & { body?: ts.Node | undefined };
  sideEffects: string[];
  /** indexes of the parameters tagged @untrusted */
  untrusted: number[];
  sink?: "prompt" | "tool";
  sanitizer: boolean;
  dataAccess: boolean;
}

export interface ImportBinding {
  /** the resolved repository path of a relative import; undefined for packages */
  module: string | undefined;
  /** the imported name (`default` for a default import, `*` for a namespace) */
  name: string;
}

export interface ModuleInfo {
  file: string;
  source: ts.SourceFile;
  /** top-level functions by name (methods are in `methods`: no bare name calls them) */
  functions: Map<string, FunctionInfo>;
  methods: FunctionInfo[];
  imports: Map<string, ImportBinding>;
  /** names of module-level variables that are not functions */
  values: Set<string>;
}

export function lineOf(source: ts.SourceFile, node: ts.Node): number {
  return source.getLineAndCharacterOfPosition(node.getStart(source)).line + 1;
}

export function parseModule(file: string, text: string, resolve: (specifier: string) => string | undefined): ModuleInfo {
  const source = ts.createSourceFile(file, text, ts.ScriptTarget.Latest, true, scriptKind(file));
  const info: ModuleInfo = { file, source, functions: new Map(), methods: [], imports: new Map(), values: new Set() };
  const exportedNames = new Set<string>();
  for (const statement of source.statements) {
    if (ts.isExportDeclaration(statement) && !statement.moduleSpecifier && statement.exportClause && ts.isNamedExports(statement.exportClause)) {
      for (const element of statement.exportClause.elements) exportedNames.add((element.propertyName ?? element.name).text);
    }
  }
  const exported = (node: ts.Node, name: string) => hasExport(node) || exportedNames.has(name);
  for (const statement of source.statements) {
    if (ts.isImportDeclaration(statement) && ts.isStringLiteral(statement.moduleSpecifier)) {
      const module = resolve(statement.moduleSpecifier.text);
      const clause = statement.importClause;
      if (clause?.name) info.imports.set(clause.name.text, { module, name: "default" });
      const bindings = clause?.namedBindings;
      if (bindings && ts.isNamedImports(bindings)) {
        for (const element of bindings.elements) info.imports.set(element.name.text, { module, name: (element.propertyName ?? element.name).text });
      } else if (bindings && ts.isNamespaceImport(bindings)) {
        info.imports.set(bindings.name.text, { module, name: "*" });
      }
    } else if (ts.isFunctionDeclaration(statement) && statement.body) {
      const name = statement.name?.text ?? (hasDefault(statement) ? "default" : undefined);
      if (name) info.functions.set(name, describe(file, source, name, statement, statement, exported(statement, name)));
    } else if (ts.isVariableStatement(statement)) {
      for (const declaration of statement.declarationList.declarations) {
        if (!ts.isIdentifier(declaration.name)) {
          for (const name of bindingNames(declaration.name)) info.values.add(name);
          continue;
        }
        const name = declaration.name.text;
        const init = declaration.initializer && skipOuterExpressions(declaration.initializer);
        if (init && (ts.isArrowFunction(init) || ts.isFunctionExpression(init))) {
          info.functions.set(name, describe(file, source, name, init, declaration, exported(statement, name)));
        } else {
          info.values.add(name);
        }
      }
    } else if (ts.isClassDeclaration(statement) && statement.name) {
      const className = statement.name.text;
      const classExported = exported(statement, className);
      for (const member of statement.members) {
        if ((ts.isMethodDeclaration(member) || ts.isGetAccessorDeclaration(member)) && member.body && ts.isIdentifier(member.name)) {
          const isPrivate = member.modifiers?.some((m) => m.kind === ts.SyntaxKind.PrivateKeyword || m.kind === ts.SyntaxKind.ProtectedKeyword) ?? false;
          info.methods.push(describe(file, source, `${className}.${member.name.text}`, member, member, classExported && !isPrivate));
        }
      }
    }
  }
  return info;
}

function describe(file: string, source: ts.SourceFile, name: string, fn: ts.SignatureDeclaration & { body?: ts.Node | undefined }, tagged: ts.Node, exported: boolean): FunctionInfo {
  const params = fn.parameters.map((p) => (ts.isIdentifier(p.name) ? p.name.text : ""));
  const info: FunctionInfo = {
    name,
    file,
    line: lineOf(source, tagged),
    exported,
    params,
    paramBindings: fn.parameters.map((p) => bindingNames(p.name)),
    node: fn,
    sideEffects: [],
    untrusted: [],
    sanitizer: false,
    dataAccess: false,
  };
  const tags = emptyTags();
  for (const tag of ts.getJSDocTags(tagged)) {
    const tagName = tag.tagName.text;
    const text = ts.getTextOfJSDocComment(tag.comment) ?? "";
    switch (tagName) {
      case "untrusted": {
        const named = text.split(/[\s,]+/).filter((word) => /^[A-Za-z_$][\w$]*$/.test(word));
        const indexes = named.length === 0 ? params.map((_, i) => i) : named.map((n) => params.indexOf(n)).filter((i) => i >= 0);
        info.untrusted.push(...indexes);
        break;
      }
      case "prompt":
      case "tool":
        info.sink = tagName;
        break;
      case "sanitizer":
        info.sanitizer = true;
        break;
      case "dataAccess":
        info.dataAccess = true;
        break;
      default:
        applyTag(tags, tagName, text);
    }
  }
  info.sideEffects = [...new Set(tags.sideEffects)].sort();
  info.untrusted = [...new Set(info.untrusted)].sort((a, b) => a - b);
  return info;
}

function hasExport(node: ts.Node): boolean {
  return ts.canHaveModifiers(node) && (ts.getModifiers(node)?.some((m) => m.kind === ts.SyntaxKind.ExportKeyword) ?? false);
}

function hasDefault(node: ts.Node): boolean {
  return ts.canHaveModifiers(node) && (ts.getModifiers(node)?.some((m) => m.kind === ts.SyntaxKind.DefaultKeyword) ?? false);
}

/** `(x as T)`, `(x)`, `x!`, `x satisfies T`: the expression inside. */
export function skipOuterExpressions(node: ts.Expression): ts.Expression {
  let current = node;
  for (;;) {
    if (ts.isParenthesizedExpression(current) || ts.isAsExpression(current) || ts.isNonNullExpression(current) || ts.isSatisfiesExpression(current) || ts.isTypeAssertionExpression(current)) {
      current = current.expression;
    } else {
      return current;
    }
  }
}

/** Every identifier a binding name or pattern binds. */
export function bindingNames(name: ts.BindingName): string[] {
  if (ts.isIdentifier(name)) return [name.text];
  const names: string[] = [];
  for (const element of name.elements) {
    if (ts.isBindingElement(element)) names.push(...bindingNames(element.name));
  }
  return names;
}
