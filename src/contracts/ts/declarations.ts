// Contracts back to TypeScript declarations: one declaration file per module, rebuilt from the
// registry's own records, so that the old side (a registry, possibly years old) and the new side
// can sit in one Program and be compared by the checker. Each emitted line remembers the contract
// it belongs to, so that a declaration the compiler rejects makes only its own contract unjudgeable.

import type { Contract, ContractParam, ContractSignature, TypeParam } from "../model.js";

export interface RenderedModule {
  text: string;
  /** 0-based line → id (name) of the contract the line belongs to */
  lines: string[];
  /** contract name → 0-based line of its declaration header */
  headers: Map<string, number>;
  /** top-level names this module declares (for imports from other modules) */
  names: Set<string>;
}

interface Node {
  contract: Contract;
  children: Node[];
}

const MEMBER_KINDS = new Set(["method", "property"]);
const RESERVED = new Set(["this", "default", "function", "class", "new", "delete", "in", "typeof", "void", "var", "let", "const", "enum", "export", "import", "return", "switch", "case", "if", "else", "for", "while", "do", "break", "continue", "throw", "try", "catch", "finally", "with", "yield", "await", "super", "extends", "instanceof", "null", "true", "false", "debugger"]);

/** The local name a top-level contract is declared under (`default` cannot be declared). */
export function localName(name: string): string {
  const base = name.replace(/:type$/, "");
  return base === "default" ? "__gatehouse_default" : base;
}

export function renderModule(contracts: Contract[]): RenderedModule {
  const out: RenderedModule = { text: "", lines: [], headers: new Map(), names: new Set() };
  const emit = (line: string, owner: string) => {
    out.lines.push(owner);
    // Inferred types name other files (`import("./Node.js").Node`): by name, resolved like any other.
    out.text += `${line.replace(/import\("[^"]*"\)\./g, "")}\n`;
  };
  const header = (c: Contract) => out.headers.set(c.symbol.name, out.lines.length);
  const defaults: string[] = [];
  for (const node of tree(contracts)) {
    const name = node.contract.symbol.name;
    if (localName(name) === "__gatehouse_default") defaults.push(name);
    out.names.add(localName(name));
    renderNode(node, "module", emit, header);
  }
  if (defaults.length > 0) emit("export { __gatehouse_default as default };", defaults[0]!);
  return out;
}

/** Contracts as a tree: `A.b` is a child of `A` when `A` is a contract. */
function tree(contracts: Contract[]): Node[] {
  const byName = new Map<string, Node>();
  const sorted = [...contracts].sort((a, b) => (a.symbol.name < b.symbol.name ? -1 : a.symbol.name > b.symbol.name ? 1 : 0));
  const roots: Node[] = [];
  for (const contract of sorted) {
    const node: Node = { contract, children: [] };
    byName.set(contract.symbol.name, node);
    const parentName = parentOf(contract.symbol.name);
    const parent = parentName !== undefined ? byName.get(parentName) : undefined;
    if (parent) parent.children.push(node);
    else if (parentName === undefined) roots.push(node);
  }
  return roots;
}

/** `A.b.c` → `A.b`; members in brackets (`I.[string]`) keep their dots. */
export function parentOf(name: string): string | undefined {
  let depth = 0;
  for (let i = name.length - 1; i >= 0; i--) {
    const ch = name[i];
    if (ch === "]" || ch === ")") depth++;
    else if (ch === "[" || ch === "(") depth--;
    else if (ch === "." && depth === 0) return name.slice(0, i);
  }
  return undefined;
}

function memberKey(node: Node): string {
  const name = node.contract.symbol.name;
  const parent = parentOf(name);
  return parent === undefined ? name : name.slice(parent.length + 1);
}

function propertyName(key: string): string {
  return /^[A-Za-z_$][\w$]*$/.test(key) ? key : JSON.stringify(key);
}

function typeParams(list: TypeParam[] | undefined): string {
  if (!list || list.length === 0) return "";
  return `<${list.map((p) => `${p.name}${p.constraint ? ` extends ${p.constraint}` : ""}${p.default ? ` = ${p.default}` : ""}`).join(", ")}>`;
}

function params(list: ContractParam[]): string {
  const lastRequired = list.reduce((last, p, i) => (p.required && !p.rest ? i : last), -1);
  // The declared name when it is one (a type predicate, `x is T`, names it), else a positional one.
  const seen = new Set<string>();
  const nameOf = (p: ContractParam, i: number) => {
    const name = /^[A-Za-z_$][\w$]*$/.test(p.name) && !seen.has(p.name) && !RESERVED.has(p.name) ? p.name : `p${i}`;
    seen.add(name);
    return name;
  };
  return list
    .map((p, i) => {
      const type = p.type ?? (p.rest ? "any[]" : "any");
      const name = nameOf(p, i);
      if (p.rest) return `...${name}: ${type}`;
      // An optional parameter before a required one (`f(a = 1, b)`) is passed explicitly.
      if (!p.required && i < lastRequired) return `${name}: (${type}) | undefined`;
      return `${name}${p.required ? "" : "?"}: ${type}`;
    })
    .join(", ");
}

function returns(signature: Pick<ContractSignature, "returns">): string {
  return signature.returns.type ?? signature.returns.inferred ?? "any";
}

function signatures(c: Contract): ContractSignature[] {
  if (c.overloads && c.overloads.length > 0) return c.overloads;
  return [{ ...(c.typeParams ? { typeParams: c.typeParams } : {}), params: c.params, returns: c.returns }];
}

/** An overloaded function's or method's type as one object type of call signatures (`{ (a: A): R; (b: B): S }`). */
export function callableType(c: Contract): string {
  return `{ ${signatures(c)
    .map((s) => `${typeParams(s.typeParams)}(${params(s.params)}): ${returns(s)};`)
    .join(" ")} }`;
}

type Emit = (line: string, owner: string) => void;

function renderNode(node: Node, scope: "module" | "namespace", emit: Emit, header: (c: Contract) => void): void {
  const c = node.contract;
  const id = c.symbol.name;
  const name = scope === "module" ? localName(id) : propertyName(memberKey(node)).replace(/:type$/, "");
  const declare = scope === "module" ? "export declare " : "export ";
  const members = node.children.filter((n) => MEMBER_KINDS.has(n.contract.kind));
  const others = node.children.filter((n) => !MEMBER_KINDS.has(n.contract.kind) && n.contract.kind !== "enum-member");
  header(c);
  switch (c.kind) {
    case "function":
      for (const s of signatures(c)) emit(`${declare}function ${name}${typeParams(s.typeParams)}(${params(s.params)}): ${returns(s)};`, id);
      break;
    case "class":
      emit(`${declare}class ${name}${typeParams(c.typeParams)} {`, id);
      for (const s of c.overloads?.length ? c.overloads : [c]) emit(`  constructor(${params(s.params)});`, id);
      for (const m of members) renderMember(m, emit, header, true);
      emit("}", id);
      break;
    case "interface":
      emit(`${scope === "module" ? "export " : "export "}interface ${name}${typeParams(c.typeParams)} {`, id);
      for (const m of members) renderMember(m, emit, header, false);
      emit("}", id);
      break;
    case "type":
      emit(`${scope === "module" ? "export " : "export "}type ${name}${typeParams(c.typeParams)} = ${c.type ?? "unknown"};`, id);
      break;
    case "enum": {
      const values = node.children.filter((n) => n.contract.kind === "enum-member");
      emit(`${declare}enum ${name} {`, id);
      for (const v of values) {
        header(v.contract);
        emit(`  ${propertyName(memberKey(v))}${v.contract.type !== undefined ? ` = ${v.contract.type}` : ""},`, v.contract.symbol.name);
      }
      emit("}", id);
      break;
    }
    case "const":
      emit(`${declare}const ${name}: ${c.type ?? "unknown"};`, id);
      break;
    case "namespace":
      emit(`${declare}namespace ${name} {`, id);
      for (const child of node.children) renderNode(child, "namespace", emit, header);
      emit("}", id);
      return;
    default:
      return;
  }
  // Members of a merged namespace (`function f` + `namespace f`).
  if (others.length > 0) {
    emit(`${declare}namespace ${name} {`, id);
    for (const child of others) renderNode(child, "namespace", emit, header);
    emit("}", id);
  }
}

function renderMember(node: Node, emit: Emit, header: (c: Contract) => void, inClass: boolean): void {
  const c = node.contract;
  const id = c.symbol.name;
  const key = memberKey(node);
  const prefix = `  ${inClass && c.static ? "static " : ""}`;
  header(c);
  if (c.kind === "method") {
    for (const s of signatures(c)) {
      const sig = `${typeParams(s.typeParams)}(${params(s.params)}): ${returns(s)}`;
      if (key === "()") emit(`${prefix}${sig};`, id);
      else if (key === "new()") emit(`${prefix}new ${sig};`, id);
      else emit(`${prefix}${propertyName(key)}${c.optional ? "?" : ""}${sig};`, id);
    }
    return;
  }
  const readonly = c.readonly ? "readonly " : "";
  const index = /^\[(.*)\]$/.exec(key);
  if (index) emit(`${prefix}${readonly}[key: ${index[1]}]: ${c.type ?? "any"};`, id);
  else emit(`${prefix}${readonly}${propertyName(key)}${c.optional ? "?" : ""}: ${c.type ?? "any"};`, id);
}
