// Untrusted content reaching a model prompt or a tool call. Sources: parameters tagged
// @untrusted, and every parameter of an exported function in a module the config marks
// untrusted (`untrustedModules`: email ingestion, webhooks ...). Sinks: arguments of a call to a
// function tagged @prompt or @tool. A value that went through a call to a @sanitizer function is
// sanitized; every path found is reported with the sanitizer it went through, if any (policy
// denies the others).
//
// The flow is followed inside a function (variables, destructuring, property reads, template
// strings, operators, `for ... of`) and into the functions it calls by name that are declared in
// the same module or imported from a relative one (their own calls are followed in turn, up to
// MAX_DEPTH). What is not followed is in docs/security.md: calls through objects or callbacks,
// values stored into objects or arrays by mutation, re-exports, module-level state, and the
// order of statements (a variable is tainted when any assignment to it is).

import ts from "typescript";
import { lineOf, skipOuterExpressions, type FunctionInfo, type ModuleInfo } from "./module.js";
import type { Sources } from "./sources.js";

export interface UntrustedFlow {
  /** where the untrusted value reaches the sink: the call's file and line */
  file: string;
  line: number;
  source: { function: string; param: string; file: string; line: number; reason: "tag" | "module" };
  sink: { function: string; kind: "prompt" | "tool"; file: string };
  /** each step, `file:line what` */
  path: string[];
  /** the sanitizer the value went through last; absent: it reached the sink unsanitized */
  sanitizedBy?: string;
}

interface Label {
  steps: string[];
  sanitizedBy?: string;
  origin: UntrustedFlow["source"];
}

const MAX_DEPTH = 8;
const MAX_FIXPOINT_ROUNDS = 8;

/** Every flow from an untrusted source declared in `module` to a sink. */
export function untrustedFlows(module: ModuleInfo, sources: Sources, untrustedModule: boolean): UntrustedFlow[] {
  const flows = new Map<string, UntrustedFlow>();
  const analyzer = new FlowAnalyzer(sources, flows);
  for (const fn of [...module.functions.values(), ...module.methods]) {
    const indexes = new Set(fn.untrusted);
    if (untrustedModule && fn.exported) fn.params.forEach((_, i) => indexes.add(i));
    if (indexes.size === 0) continue;
    const labels: (Label | undefined)[] = fn.paramBindings.map((names, i) => {
      if (!indexes.has(i)) return undefined;
      const param = fn.params[i] || names.join(", ");
      const origin = { function: fn.name, param, file: fn.file, line: fn.line, reason: fn.untrusted.includes(i) ? ("tag" as const) : ("module" as const) };
      return { steps: [`${fn.file}:${fn.line} ${fn.name}(${param}) ${origin.reason === "tag" ? "@untrusted" : "in an untrusted module"}`], origin };
    });
    analyzer.analyze(module, fn, labels, []);
  }
  return [...flows.values()].sort((a, b) => (a.file < b.file ? -1 : a.file > b.file ? 1 : a.line - b.line) || (a.path.join() < b.path.join() ? -1 : 1));
}

class FlowAnalyzer {
  private readonly memo = new Map<string, Label | undefined>();

  constructor(
    private readonly sources: Sources,
    private readonly flows: Map<string, UntrustedFlow>,
  ) {}

  /** Follows the labelled parameters through `fn`; returns the label of what it returns. */
  analyze(module: ModuleInfo, fn: FunctionInfo, params: (Label | undefined)[], stack: string[]): Label | undefined {
    const key = `${fn.file}#${fn.name}#${JSON.stringify(params.map((p) => p && [p.steps, p.sanitizedBy]))}`;
    if (this.memo.has(key)) return this.memo.get(key);
    if (stack.includes(`${fn.file}#${fn.name}`) || stack.length >= MAX_DEPTH) return pick(params);
    this.memo.set(key, undefined);
    const inner = [...stack, `${fn.file}#${fn.name}`];
    const env = new Map<string, Label>();
    fn.paramBindings.forEach((names, i) => {
      const label = params[i];
      if (label) for (const name of names) env.set(name, label);
    });
    const body = fn.node.body;
    let returned: Label | undefined;
    if (body) {
      const context: Context = { module, fn, env, stack: inner };
      // Assignments until nothing changes: statement order is not modelled.
      for (let round = 0; round < MAX_FIXPOINT_ROUNDS; round++) {
        if (!this.assignments(body, context)) break;
      }
      this.calls(body, context);
      returned = ts.isBlock(body) ? this.returns(body, context) : this.label(body as ts.Expression, context);
    }
    this.memo.set(key, returned);
    return returned;
  }

  private assignments(body: ts.Node, context: Context): boolean {
    let changed = false;
    const bind = (names: string[], label: Label | undefined) => {
      if (!label) return;
      for (const name of names) {
        const before = context.env.get(name);
        if (before && (before.sanitizedBy === undefined || label.sanitizedBy !== undefined)) continue;
        context.env.set(name, label);
        changed = true;
      }
    };
    const visit = (node: ts.Node): void => {
      if (ts.isVariableDeclaration(node) && node.initializer) {
        bind(namesOf(node.name), this.label(node.initializer, context));
      } else if (ts.isBinaryExpression(node) && isAssignment(node.operatorToken.kind)) {
        const target = skipOuterExpressions(node.left);
        const label = node.operatorToken.kind === ts.SyntaxKind.EqualsToken ? this.label(node.right, context) : pick([this.label(node.right, context), this.label(node.left, context)]);
        if (ts.isIdentifier(target)) bind([target.text], label);
        else if (ts.isObjectLiteralExpression(target) || ts.isArrayLiteralExpression(target)) bind(assignedNames(target), label);
      } else if ((ts.isForOfStatement(node) || ts.isForInStatement(node)) && ts.isVariableDeclarationList(node.initializer)) {
        const label = this.label(node.expression, context);
        for (const declaration of node.initializer.declarations) bind(namesOf(declaration.name), label);
      }
      ts.forEachChild(node, visit);
    };
    visit(body);
    return changed;
  }

  private calls(body: ts.Node, context: Context): void {
    const visit = (node: ts.Node): void => {
      if (ts.isCallExpression(node)) this.call(node, context);
      ts.forEachChild(node, visit);
    };
    visit(body);
  }

  private returns(body: ts.Block, context: Context): Label | undefined {
    const labels: (Label | undefined)[] = [];
    const visit = (node: ts.Node): void => {
      if (ts.isFunctionLike(node)) return; // a nested function's returns are its own
      if (ts.isReturnStatement(node) && node.expression) labels.push(this.label(node.expression, context));
      ts.forEachChild(node, visit);
    };
    ts.forEachChild(body, visit);
    return pick(labels);
  }

  /** A call: reports an untrusted argument reaching a sink, follows known callees; the label of its result. */
  private call(node: ts.CallExpression, context: Context): Label | undefined {
    const args = node.arguments.map((a) => this.label(a, context));
    const callee = skipOuterExpressions(node.expression);
    const target = ts.isIdentifier(callee) ? this.sources.callee(context.module, callee.text) : undefined;
    const line = lineOf(context.module.source, node);
    const at = `${context.module.file}:${line}`;
    if (target?.sink) {
      const label = pick(args);
      if (label) {
        const flow: UntrustedFlow = {
          file: context.module.file,
          line,
          source: label.origin,
          sink: { function: target.name, kind: target.sink, file: target.file },
          path: [...label.steps, `${at} ${target.name} @${target.sink}`],
          ...(label.sanitizedBy !== undefined ? { sanitizedBy: label.sanitizedBy } : {}),
        };
        this.flows.set(JSON.stringify([flow.file, flow.line, flow.path, flow.sanitizedBy]), flow);
      }
      return undefined;
    }
    if (target?.sanitizer) {
      const label = pick(args);
      return label && { ...label, steps: [...label.steps, `${at} ${target.name} @sanitizer`], sanitizedBy: target.name };
    }
    if (target) {
      const module = this.sources.load(target.file);
      if (!module) return pick(args);
      const params = target.paramBindings.map((_, i) => {
        const label = args[i];
        return label && { ...label, steps: [...label.steps, `${at} ${target.name}(${target.params[i] || `#${i + 1}`})`] };
      });
      if (params.every((p) => p === undefined)) return undefined;
      return this.analyze(module, target, params, context.stack);
    }
    // An unknown function, or a method: its result may carry what it was given (or called on).
    const receiver = ts.isPropertyAccessExpression(callee) || ts.isElementAccessExpression(callee) ? this.label(callee.expression, context) : undefined;
    return pick([receiver, ...args]);
  }

  /** What an expression carries: the label of the untrusted value in it, if any. */
  private label(node: ts.Expression, context: Context): Label | undefined {
    const expr = skipOuterExpressions(node);
    if (ts.isIdentifier(expr)) return context.env.get(expr.text);
    if (ts.isCallExpression(expr)) return this.call(expr, context);
    if (ts.isFunctionLike(expr)) return undefined;
    if (ts.isPropertyAccessExpression(expr)) return this.label(expr.expression, context);
    const parts: (Label | undefined)[] = [];
    const visit = (child: ts.Node): void => {
      if (ts.isFunctionLike(child) || ts.isTypeNode(child)) return;
      // `{ name: value }`: the name is a key, not a variable.
      if (ts.isPropertyAssignment(child)) parts.push(this.label(child.initializer, context));
      else if (ts.isExpression(child)) parts.push(this.label(child, context));
      else ts.forEachChild(child, visit);
    };
    ts.forEachChild(expr, visit);
    return pick(parts);
  }
}

interface Context {
  module: ModuleInfo;
  fn: FunctionInfo;
  env: Map<string, Label>;
  stack: string[];
}

/** The label to keep of several: an unsanitized one first (the worse case), else the first. */
function pick(labels: readonly (Label | undefined)[]): Label | undefined {
  return labels.find((l) => l !== undefined && l.sanitizedBy === undefined) ?? labels.find((l) => l !== undefined);
}

function isAssignment(kind: ts.SyntaxKind): boolean {
  return kind >= ts.SyntaxKind.FirstAssignment && kind <= ts.SyntaxKind.LastAssignment;
}

function namesOf(name: ts.BindingName): string[] {
  if (ts.isIdentifier(name)) return [name.text];
  return name.elements.flatMap((e) => (ts.isBindingElement(e) ? namesOf(e.name) : []));
}

/** Names a destructuring assignment (`({ a, b: c } = x)`, `[a, b] = x`) writes. */
function assignedNames(target: ts.Expression): string[] {
  const names: string[] = [];
  const visit = (node: ts.Node): void => {
    if (ts.isShorthandPropertyAssignment(node)) names.push(node.name.text);
    else if (ts.isPropertyAssignment(node)) visit(node.initializer);
    else if (ts.isIdentifier(node)) names.push(node.text);
    else ts.forEachChild(node, visit);
  };
  ts.forEachChild(target, visit);
  return names;
}
