// graph.reachable_paths as topdown computes it (v1/topdown/reachable.go): every path from an
// initial node, following edges (arrays or sets of neighbours) until a node with no entry, no
// edges, or one already on the path. graph.reachable is native to OPA's wasm runtime.

import { OperandError, operandTypeError, valueName } from "./errors.js";
import { compareValues, markSet, RegoNumber } from "./values.js";

type Graph = Record<string, unknown>;

/** graph.Get(node): object keys are strings here, so only a string node has an entry. */
function edgesOf(graph: Graph, node: unknown): unknown[] | null | undefined {
  if (typeof node !== "string" || !Object.prototype.hasOwnProperty.call(graph, node)) return undefined;
  const edges = graph[node];
  return Array.isArray(edges) ? edges : null;
}

class ValueSet {
  readonly items: unknown[] = [];
  has(value: unknown): boolean {
    return this.items.some((x) => compareValues(x, value) === 0);
  }
  add(value: unknown): void {
    if (!this.has(value)) this.items.push(value);
  }
}

function pathBuilder(graph: Graph, root: unknown, path: unknown[], result: ValueSet, reached: unknown[]): void {
  const edges = edgesOf(graph, root);
  if (edges === undefined) {
    result.add(path);
    return;
  }
  const next = [...path, root];
  if (!edges || edges.length === 0) {
    result.add(next);
    return;
  }
  const seen = [...reached, root];
  for (const neighbor of edges) {
    if (seen.some((x) => compareValues(x, neighbor) === 0)) result.add(next);
    else pathBuilder(graph, neighbor, [...next], result, seen);
  }
}

function reachablePaths(graph: unknown, initial: unknown): unknown[] {
  if (graph === null || typeof graph !== "object" || Array.isArray(graph) || graph instanceof RegoNumber) {
    throw new OperandError(operandTypeError(1, graph, "object"));
  }
  if (!Array.isArray(initial)) throw new OperandError(`operand 2 must be {array, set} but got ${valueName(initial)}`);
  const result = new ValueSet();
  for (const node of initial) {
    const edges = edgesOf(graph as Graph, node);
    if (edges === undefined) continue;
    if (edges && edges.length >= 1) for (const neighbor of edges) pathBuilder(graph as Graph, neighbor, [node], result, [node]);
    else result.add([node]);
  }
  return markSet(result.items);
}

export const GRAPH_BUILTINS = {
  "graph.reachable_paths": reachablePaths,
} satisfies Record<string, (...args: never[]) => unknown>;

