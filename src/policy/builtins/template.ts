// strings.render_template as topdown computes it (v1/topdown/template.go): Go's text/template
// over the variables decoded as OPA's util.UnmarshalJSON decodes them (numbers are json.Number:
// their text, of the string kind in comparisons), "<no value>" shown as "<undefined>". The part of text/template implemented here: text, comments, trim
// markers, {{.a.b}}, {{$}}, {{$x}}, {{$x := ...}}, if / else if / else, range (with $i, $v :=)
// and with, and the functions len, index, eq, ne, lt, le, gt, ge, and, or, not and print; any
// other template syntax is left to topdown (TopdownOnly: Go's text/template itself; without the
// builtins module the call errs), never rendered differently from Go. So are variables holding a
// set: topdown reads the variables from their Rego text as JSON, which a set is not, and errs (the
// TypeScript port rendered the set as an array, a value where conftest fails).

import { BuiltinError, OperandError, TopdownOnly, operandTypeError, stringOperand } from "./errors.js";
import { compareStrings, isSet, RegoNumber } from "./values.js";

class Unsupported extends TopdownOnly {
  constructor(what: string) {
    super(`gatehouse does not implement this text/template syntax: ${what}`);
  }
}

/** A number of the variables: topdown decodes them as json.Number, a string type holding the number's text. */
class JsonNumber {
  constructor(readonly text: string) {}
}

/** A missing map key: text/template's zero reflect.Value, printed as "<no value>". */
const NO_VALUE = Symbol("no value");
type V = unknown;

type Node =
  | { kind: "text"; text: string }
  | { kind: "print"; pipe: string }
  | { kind: "assign"; name: string; pipe: string }
  | { kind: "if" | "with"; branches: { pipe?: string; body: Node[] }[] }
  | { kind: "range"; key?: string; value?: string; pipe: string; body: Node[]; otherwise: Node[] };

// ---------------------------------------------------------------------------------------------
// Parsing

function tokenize(source: string): ({ text: string } | { action: string })[] {
  const out: ({ text: string } | { action: string })[] = [];
  let i = 0;
  let trimNext = false;
  while (i < source.length) {
    const open = source.indexOf("{{", i);
    let text = source.slice(i, open < 0 ? source.length : open);
    if (trimNext) text = text.replace(/^[ \t\r\n]+/, "");
    trimNext = false;
    if (open < 0) {
      if (text) out.push({ text });
      break;
    }
    let start = open + 2;
    if (source.startsWith("- ", start) || source.startsWith("-\t", start) || source.startsWith("-\n", start) || source.startsWith("-\r", start)) {
      text = text.replace(/[ \t\r\n]+$/, "");
      start += 1;
    }
    if (text) out.push({ text });
    const close = source.indexOf("}}", start);
    if (close < 0) throw new BuiltinError("template: template:1: unclosed action");
    let end = close;
    if (source[close - 1] === "-" && /[ \t\r\n]/.test(source[close - 2] ?? "")) {
      trimNext = true;
      end = close - 1;
    }
    const action = source.slice(start, end).trim();
    if (!(action.startsWith("/*") && action.endsWith("*/"))) out.push({ action });
    i = close + 2;
  }
  return out;
}

function parse(source: string): Node[] {
  const tokens = tokenize(source);
  let at = 0;
  const block = (stops: string[]): [Node[], string] => {
    const nodes: Node[] = [];
    while (at < tokens.length) {
      const token = tokens[at++]!;
      if ("text" in token) {
        nodes.push({ kind: "text", text: token.text });
        continue;
      }
      const action = token.action;
      const word = /^[a-z]+/.exec(action)?.[0] ?? "";
      if (stops.some((s) => action === s || (s === "else" && action.startsWith("else")))) return [nodes, action];
      if (word === "if" || word === "with") {
        const branches: { pipe?: string; body: Node[] }[] = [];
        let pipe: string | undefined = action.slice(word.length).trim();
        for (;;) {
          const [body, stop] = block(["end", "else"]);
          branches.push({ pipe, body });
          if (stop === "end") break;
          const rest = stop.slice(4).trim();
          if (rest === "") pipe = undefined;
          else if (rest.startsWith(`${word} `)) pipe = rest.slice(word.length + 1).trim();
          else throw new Unsupported(`{{${stop}}}`);
          if (pipe === undefined) {
            const [last, end] = block(["end", "else"]);
            if (end !== "end") throw new BuiltinError("template: unexpected {{else}}");
            branches.push({ body: last });
            break;
          }
        }
        nodes.push({ kind: word, branches });
      } else if (word === "range") {
        const m = /^range\s+(?:(\$\w*)\s*(?:,\s*(\$\w*)\s*)?:=\s*)?(.+)$/.exec(action);
        if (!m) throw new Unsupported(`{{${action}}}`);
        const [body, stop] = block(["end", "else"]);
        let otherwise: Node[] = [];
        if (stop !== "end") {
          if (stop !== "else") throw new Unsupported(`{{${stop}}}`);
          const [rest, end] = block(["end"]);
          if (end !== "end") throw new BuiltinError("template: missing {{end}}");
          otherwise = rest;
        }
        nodes.push({ kind: "range", ...(m[2] ? { key: m[1], value: m[2] } : m[1] ? { value: m[1] } : {}), pipe: m[3]!, body, otherwise });
      } else if (["end", "else", "define", "template", "block", "break", "continue"].includes(word)) {
        throw new Unsupported(`{{${action}}}`);
      } else {
        const assign = /^(\$\w+)\s*:?=\s*(.+)$/.exec(action);
        if (assign) nodes.push({ kind: "assign", name: assign[1]!, pipe: assign[2]! });
        else nodes.push({ kind: "print", pipe: action });
      }
    }
    return [nodes, ""];
  };
  const [nodes, stop] = block(["end", "else"]);
  if (stop !== "") throw new BuiltinError(`template: unexpected {{${stop}}}`);
  return nodes;
}

// ---------------------------------------------------------------------------------------------
// Evaluation

type Scope = Map<string, V>[];

function lookupVar(scopes: Scope, name: string): V {
  for (let i = scopes.length - 1; i >= 0; i--) if (scopes[i]!.has(name)) return scopes[i]!.get(name);
  throw new BuiltinError(`template: undefined variable: ${name}`);
}

function field(value: V, name: string): V {
  if (value !== null && typeof value === "object" && !Array.isArray(value)) {
    return Object.prototype.hasOwnProperty.call(value, name) ? (value as Record<string, V>)[name] : NO_VALUE;
  }
  throw new BuiltinError(`template: can't evaluate field ${name}`);
}

function splitArgs(pipe: string): string[] {
  const out: string[] = [];
  const re = /\s*("(?:[^"\\]|\\.)*"|`[^`]*`|[^\s"`()|]+)/gy;
  let m: RegExpExecArray | null;
  let consumed = 0;
  while ((m = re.exec(pipe))) {
    out.push(m[1]!);
    consumed = re.lastIndex;
  }
  if (pipe.slice(consumed).trim() !== "") throw new Unsupported(pipe);
  return out;
}

function term(text: string, dot: V, scopes: Scope): V {
  if (text.startsWith('"')) return JSON.parse(text) as string;
  if (text.startsWith("`")) return text.slice(1, -1);
  if (text === "true" || text === "false") return text === "true";
  if (text === "nil") throw new Unsupported("nil");
  if (/^-?\d+(\.\d+)?([eE][-+]?\d+)?$/.test(text)) return Number(text);
  const path = /^(\.|\$\w*)((?:\.\w+)*)$/.exec(text.startsWith(".") && text !== "." ? `.${text}` : text);
  if (!path) throw new Unsupported(text);
  let value = path[1] === "." ? dot : lookupVar(scopes, path[1]!);
  for (const name of path[2]!.split(".").filter(Boolean)) value = field(value, name);
  return value;
}

function truth(v: V): boolean {
  if (v === NO_VALUE || v === null || v === undefined) return false;
  if (v instanceof JsonNumber) return v.text !== "";
  if (typeof v === "boolean") return v;
  if (typeof v === "number") return v !== 0;
  if (typeof v === "string") return v !== "";
  if (Array.isArray(v)) return v.length > 0;
  return Object.keys(v as object).length > 0;
}

/** text/template's basicKind: json.Number is of the string kind; literals are int or float. */
function basicKind(v: V): string {
  if (typeof v === "string" || v instanceof JsonNumber) return "string";
  if (typeof v === "boolean") return "bool";
  if (typeof v === "number") return Number.isInteger(v) ? "int" : "float";
  throw new BuiltinError("template: invalid type for comparison");
}

function basicCompare(a: V, b: V, op: string): boolean {
  const kind = basicKind(a);
  if (kind !== basicKind(b)) throw new BuiltinError("template: incompatible types for comparison");
  if (kind === "bool" && op !== "eq" && op !== "ne") throw new BuiltinError("template: invalid type for comparison");
  const text = (v: V): string => (v instanceof JsonNumber ? v.text : (v as string));
  const c =
    kind === "string" ? compareStrings(text(a), text(b)) : kind === "bool" ? (a === b ? 0 : 1) : (a as number) < (b as number) ? -1 : (a as number) > (b as number) ? 1 : 0;
  return { eq: c === 0, ne: c !== 0, lt: c < 0, le: c <= 0, gt: c > 0, ge: c >= 0 }[op]!;
}

function pipeline(pipe: string, dot: V, scopes: Scope): V {
  if (pipe.includes("|") || pipe.includes("(")) throw new Unsupported(pipe);
  const [head, ...rest] = splitArgs(pipe);
  if (head === undefined) throw new BuiltinError("template: missing value for command");
  const args = () => rest.map((a) => term(a, dot, scopes));
  switch (head) {
    case "len": {
      const [v] = args();
      if (typeof v === "string") return Buffer.byteLength(v, "utf8");
      if (v instanceof JsonNumber) return Buffer.byteLength(v.text, "utf8");
      if (Array.isArray(v)) return v.length;
      if (v !== null && typeof v === "object") return Object.keys(v).length;
      throw new BuiltinError("template: error calling len: len of type");
    }
    case "index": {
      let [v, ...keys] = args();
      for (const k of keys) {
        if (Array.isArray(v) && typeof k === "number" && Number.isInteger(k) && k >= 0 && k < v.length) v = v[k];
        else if (v !== null && typeof v === "object" && !Array.isArray(v) && typeof k === "string") v = field(v, k);
        else throw new BuiltinError("template: error calling index");
      }
      return v;
    }
    case "eq":
    case "ne":
    case "lt":
    case "le":
    case "gt":
    case "ge": {
      const [a, ...bs] = args();
      if (bs.length === 0) throw new BuiltinError(`template: wrong number of args for ${head}`);
      if (head === "eq") return bs.some((b) => basicCompare(a, b, "eq"));
      if (bs.length !== 1) throw new BuiltinError(`template: wrong number of args for ${head}`);
      return basicCompare(a, bs[0], head);
    }
    case "and": {
      let last: V = true;
      for (const a of rest) if (!truth((last = term(a, dot, scopes)))) return last;
      return last;
    }
    case "or": {
      let last: V = false;
      for (const a of rest) if (truth((last = term(a, dot, scopes)))) return last;
      return last;
    }
    case "not":
      if (rest.length !== 1) throw new BuiltinError("template: wrong number of args for not");
      return !truth(term(rest[0]!, dot, scopes));
    case "print": {
      // fmt.Sprint: a space between operands when neither is a string.
      const vs = args();
      const stringKind = (v: V): boolean => typeof v === "string" || v instanceof JsonNumber;
      return vs.map((v, i) => (i > 0 && !stringKind(v) && !stringKind(vs[i - 1]) ? " " : "") + show(v)).join("");
    }
    default:
      if (rest.length > 0 || /^[A-Za-z]/.test(head)) {
        if (/^[A-Za-z]/.test(head) && head !== "true" && head !== "false" && head !== "nil") throw new Unsupported(`function ${head}`);
        throw new Unsupported(pipe);
      }
      return term(head, dot, scopes);
  }
}

/** Go's %v of a float64: shortest digits, %e past an exponent of 21 or below -4. */
function goFloat(n: number): string {
  if (n === 0) return Object.is(n, -0) ? "-0" : "0";
  if (!Number.isFinite(n)) return n > 0 ? "+Inf" : n < 0 ? "-Inf" : "NaN";
  const [digits, exp] = n.toExponential().split("e") as [string, string];
  const e = Number(exp);
  if (e < -4 || e >= 21) return `${digits}e${e < 0 ? "-" : "+"}${String(Math.abs(e)).padStart(2, "0")}`;
  return String(n);
}

/** fmt's %v of a value decoded from JSON. */
function show(v: V): string {
  if (v === NO_VALUE) return "<no value>";
  if (v === null || v === undefined) return "<nil>";
  if (v instanceof JsonNumber) return v.text;
  if (typeof v === "string") return v;
  if (typeof v === "number") return goFloat(v);
  if (typeof v === "boolean") return String(v);
  if (Array.isArray(v)) return `[${v.map((x) => show(x)).join(" ")}]`;
  const keys = Object.keys(v as object).sort(compareStrings);
  return `map[${keys.map((k) => `${k}:${show((v as Record<string, V>)[k])}`).join(" ")}]`;
}

function run(nodes: Node[], dot: V, scopes: Scope, out: string[]): void {
  for (const node of nodes) {
    switch (node.kind) {
      case "text":
        out.push(node.text);
        break;
      case "print":
        out.push(show(pipeline(node.pipe, dot, scopes)));
        break;
      case "assign":
        scopes[scopes.length - 1]!.set(node.name, pipeline(node.pipe, dot, scopes));
        break;
      case "if":
      case "with":
        for (const branch of node.branches) {
          const value = branch.pipe === undefined ? true : pipeline(branch.pipe, dot, scopes);
          if (branch.pipe === undefined || truth(value)) {
            scopes.push(new Map());
            run(branch.body, node.kind === "with" && branch.pipe !== undefined ? value : dot, scopes, out);
            scopes.pop();
            break;
          }
        }
        break;
      case "range": {
        const value = pipeline(node.pipe, dot, scopes);
        let entries: [V, V][];
        if (Array.isArray(value)) entries = value.map((v, i) => [i, v]);
        else if (value !== null && typeof value === "object") entries = Object.keys(value).sort(compareStrings).map((k) => [k, (value as Record<string, V>)[k]]);
        else if (value === NO_VALUE || value === null) entries = [];
        else throw new BuiltinError(`template: range can't iterate over ${show(value)}`);
        if (entries.length === 0) {
          scopes.push(new Map());
          run(node.otherwise, dot, scopes, out);
          scopes.pop();
        }
        for (const [k, v] of entries) {
          const scope = new Map<string, V>();
          if (node.key) scope.set(node.key, k);
          if (node.value) scope.set(node.value, v);
          scopes.push(scope);
          run(node.body, v, scopes, out);
          scopes.pop();
        }
        break;
      }
    }
  }
}

function jsonDecoded(value: V): V {
  // util.UnmarshalJSON into `any`: every number a json.Number (its text); a set's text is no JSON.
  if (value instanceof RegoNumber) return new JsonNumber(value.text);
  if (typeof value === "number") return new JsonNumber(String(value));
  if (isSet(value)) throw new TopdownOnly("a set among the variables (topdown reads their text as JSON, and errs)");
  if (Array.isArray(value)) return (value as V[]).map(jsonDecoded);
  if (value !== null && typeof value === "object") return Object.fromEntries(Object.entries(value).map(([k, v]) => [k, jsonDecoded(v)]));
  return value;
}

function renderTemplate(template: unknown, variables: unknown): string {
  const source = stringOperand(template, 1);
  if (variables === null || typeof variables !== "object" || Array.isArray(variables) || variables instanceof RegoNumber) {
    throw new OperandError(operandTypeError(2, variables, "object"));
  }
  const data = jsonDecoded(variables);
  const out: string[] = [];
  run(parse(source), data, [new Map([["$", data]])], out);
  return out.join("").replaceAll("<no value>", "<undefined>");
}

export const TEMPLATE_BUILTINS = {
  "strings.render_template": renderTemplate,
} satisfies Record<string, (...args: never[]) => unknown>;
