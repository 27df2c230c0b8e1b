// Cross-workspace mixing: where the tenant argument of a call to a data-access function comes
// from. A data-access function is one declared in a configured data-access module (the
// contracts invariant's `dataAccessModules`) or tagged @dataAccess, and it takes a tenant
// parameter (a name in `tenantParams`, default workspaceId). For each call to one, declared in
// the same module or imported from a relative one, the argument is traced back inside the
// calling function (through its local variables, up to MAX_HOPS assignments) to its origin:
//   own-tenant        the caller's own tenant parameter (or a tenant field of a parameter when
//                     the caller has no tenant parameter of its own: `ctx.workspaceId`)
//   other-parameter   another parameter, or a field of one while the caller has its own tenant
//   module-constant   a module-level value of this module, or a value imported from another
//   literal           a tenant written in the call
//   unknown           anything else (a call's result, a value from an object the function built)
// Policy denies other-parameter, module-constant and literal. Not covered (docs/security.md):
// calls through objects or callbacks, tenants passed inside an options object, flow across
// functions (a helper that returns another tenant), and reassignment order.

import ts from "typescript";
import { lineOf, skipOuterExpressions, type FunctionInfo, type ModuleInfo } from "./module.js";
import type { Sources } from "./sources.js";

export type TenantOrigin = "own-tenant" | "other-parameter" | "module-constant" | "literal" | "unknown";

export interface TenantCall {
  file: string;
  line: number;
  caller: string;
  callee: string;
  calleeFile: string;
  tenantParam: string;
  /** the argument as written (at most 120 characters) */
  argument: string;
  origin: TenantOrigin;
}

const MAX_HOPS = 5;

export interface TenantSettings {
  tenantParams: string[];
  isDataAccessModule: (file: string) => boolean;
}

export function tenantCalls(module: ModuleInfo, sources: Sources, settings: TenantSettings): TenantCall[] {
  const calls: TenantCall[] = [];
  for (const fn of [...module.functions.values(), ...module.methods]) {
    const body = fn.node.body;
    if (!body) continue;
    const locals = localAssignments(body);
    const visit = (node: ts.Node): void => {
      if (ts.isCallExpression(node)) {
        const callee = skipOuterExpressions(node.expression);
        const target = ts.isIdentifier(callee) ? sources.callee(module, callee.text) : undefined;
        const tenantIndex = target && (target.dataAccess || settings.isDataAccessModule(target.file)) ? target.params.findIndex((p) => settings.tenantParams.includes(p)) : -1;
        if (target && tenantIndex >= 0 && node.arguments[tenantIndex]) {
          const argument = node.arguments[tenantIndex]!;
          calls.push({
            file: module.file,
            line: lineOf(module.source, node),
            caller: fn.name,
            callee: target.name,
            calleeFile: target.file,
            tenantParam: target.params[tenantIndex]!,
            argument: argument.getText(module.source).replace(/\s+/g, " ").slice(0, 120),
            origin: originOf(argument, fn, module, locals, settings.tenantParams),
          });
        }
      }
      ts.forEachChild(node, visit);
    };
    visit(body);
  }
  return calls.sort((a, b) => (a.file < b.file ? -1 : a.file > b.file ? 1 : a.line - b.line));
}

/** name → the expressions assigned to it in the function (declarations and `=`), nested functions included. */
function localAssignments(body: ts.Node): Map<string, ts.Expression[]> {
  const map = new Map<string, ts.Expression[]>();
  const add = (name: string, expr: ts.Expression) => map.set(name, [...(map.get(name) ?? []), expr]);
  const visit = (node: ts.Node): void => {
    if (ts.isVariableDeclaration(node) && ts.isIdentifier(node.name) && node.initializer) add(node.name.text, node.initializer);
    if (ts.isVariableDeclaration(node) && ts.isObjectBindingPattern(node.name) && node.initializer) {
      // `const { workspaceId } = other`: the name reads that field of the initializer.
      for (const element of node.name.elements) {
        if (ts.isIdentifier(element.name)) {
          const key = element.propertyName && ts.isIdentifier(element.propertyName) ? element.propertyName.text : element.name.text;
          add(element.name.text, ts.factory.createPropertyAccessExpression(node.initializer, key));
        }
      }
    }
    if (ts.isBinaryExpression(node) && node.operatorToken.kind === ts.SyntaxKind.EqualsToken && ts.isIdentifier(node.left)) add(node.left.text, node.right);
    ts.forEachChild(node, visit);
  };
  visit(body);
  return map;
}

function originOf(argument: ts.Expression, fn: FunctionInfo, module: ModuleInfo, locals: Map<string, ts.Expression[]>, tenantParams: string[]): TenantOrigin {
  const ownTenant = fn.params.some((p) => tenantParams.includes(p));
  const params = new Set(fn.paramBindings.flat());
  let expr = skipOuterExpressions(argument);
  let field: string | undefined;
  for (let hop = 0; hop <= MAX_HOPS; hop++) {
    if (ts.isStringLiteralLike(expr) || ts.isNumericLiteral(expr)) return "literal";
    if (ts.isPropertyAccessExpression(expr)) {
      field ??= expr.name.text;
      expr = skipOuterExpressions(expr.expression);
      continue;
    }
    if (!ts.isIdentifier(expr)) return "unknown";
    const name = expr.text;
    const assigned = locals.get(name);
    if (params.has(name) && !assigned) {
      if (field === undefined) return tenantParams.includes(name) ? "own-tenant" : "other-parameter";
      // `ctx.workspaceId`: the caller's context carries its tenant, unless it has its own.
      return !ownTenant && tenantParams.includes(field) ? "own-tenant" : "other-parameter";
    }
    if (assigned) {
      // One assignment is followed; several (a reassigned variable) cannot be ordered here.
      if (assigned.length !== 1) return "unknown";
      expr = skipOuterExpressions(assigned[0]!);
      continue;
    }
    if (module.values.has(name) || (module.imports.has(name) && !module.functions.has(name))) return "module-constant";
    return "unknown";
  }
  return "unknown";
}
