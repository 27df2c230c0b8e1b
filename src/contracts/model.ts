// The contract model: mirrors schemas/contract-registry.v1.schema.json. One contract per public
// symbol of a module, identified by `module#name`: callables (function, class, method), types
// (interface, type alias, enum), values (const), and the members of classes, interfaces, enums and
// namespaces (`Class.prop`, `Enum.MEMBER`, `ns.fn`).

export type ContractLanguage = "typescript" | "javascript" | "python";
export type ContractKind = "function" | "class" | "method" | "property" | "interface" | "type" | "enum" | "enum-member" | "const" | "namespace";

/** Kinds that are called: their params and returns are the contract. */
export const CALLABLE_KINDS: ReadonlySet<ContractKind> = new Set(["function", "class", "method"]);
export type Stability = "experimental" | "stable" | "deprecated";
export type ParamKind = "positional-only" | "positional-or-keyword" | "keyword-only" | "var-positional" | "var-keyword";
export type ChangeSeverity = "SAFE" | "RISKY" | "BREAKING";
export type Impact = "NONE" | ChangeSeverity;

export interface ContractParam {
  name: string;
  /** declared type (TS type annotation or JSDoc type, Python annotation), normalised source text */
  type?: string;
  required: boolean;
  /** default value as source text */
  default?: string;
  /** Python only */
  kind?: ParamKind;
  /** TS rest parameter (`...xs`) */
  rest?: boolean;
}

export interface ContractReturns {
  /** declared return type, normalised source text */
  type?: string;
  /** the checker's inferred return type (`--types` mode) */
  inferred?: string;
  /** evidence fields the return value carries (`@evidence` tag) */
  evidence?: string[];
}

export interface TypeParam {
  name: string;
  constraint?: string;
  default?: string;
}

export interface ContractSignature {
  typeParams?: TypeParam[];
  /** TS: the declared `this` parameter's type, which every call must supply */
  thisType?: string;
  params: ContractParam[];
  returns: ContractReturns;
}

export interface Contract {
  symbol: { name: string; module: string };
  language: ContractLanguage;
  kind: ContractKind;
  async?: boolean;
  /** a generator (`function*`, a Python `def` that yields): callers get an iterator, not the value */
  generator?: boolean;
  /** a class callers cannot construct with `new`: abstract, or its constructor is protected or private */
  construct?: "abstract" | "protected" | "private";
  /** an abstract class member: every subclass must implement it */
  abstract?: boolean;
  /** a `const enum`: no object at run time, only its members' values are inlined */
  constEnum?: boolean;
  /** a value (function, class, const, enum, namespace) exported with `export type` / `import type`: callers may only name its type */
  typeOnly?: boolean;
  /** the type a property's setter takes, when it is not the type its getter returns (`type`) */
  writeType?: string;
  /** generic parameters of a function, class, interface or type alias */
  typeParams?: TypeParam[];
  /**
   * The declared type of a property, const or annotated attribute, the aliased type of a type
   * alias, the value of an enum member (normalised source text)
   */
  type?: string;
  /** an optional property (`p?: T`) or method */
  optional?: boolean;
  /** a property callers cannot assign (`readonly`, a getter without a setter, a frozen field) */
  readonly?: boolean;
  /** a static class member */
  static?: boolean;
  /**
   * Not exported, but reached by a public signature (`interface Options` behind `export function
   * connect(o: Options)`; API Extractor's ae-forgotten-export): recorded under the entry module so
   * that a change inside it is judged like one inside an exported type.
   */
  unexported?: true;
  params: ContractParam[];
  returns: ContractReturns;
  /** TS: the declared `this` parameter's type, which every call must supply (`function f(this: Window)`) */
  thisType?: string;
  /** TS overload signatures, when the function declares more than one */
  overloads?: ContractSignature[];
  sideEffects: string[];
  errors: string[];
  stability?: { level: Stability; replacement?: string };
  owners: string[];
  consumers: string[];
  tests: string[];
  since?: string;
}

export interface Registry {
  registryVersion: string;
  updatedAt: string;
  /** 2: written by the whole-API extraction; absent: callables only (an older registry) */
  contractsVersion?: 2;
  contracts: Contract[];
}

export const CONTRACTS_VERSION = 2;

export const SEVERITY_RANK: Record<Impact, number> = { NONE: 0, SAFE: 1, RISKY: 2, BREAKING: 3 };

export function contractId(contract: Pick<Contract, "symbol">): string {
  return `${contract.symbol.module}#${contract.symbol.name}`;
}

export function compareContracts(a: Contract, b: Contract): number {
  const x = contractId(a);
  const y = contractId(b);
  return x < y ? -1 : x > y ? 1 : 0;
}

export function maxImpact(severities: Iterable<ChangeSeverity>): Impact {
  let max: Impact = "NONE";
  for (const s of severities) if (SEVERITY_RANK[s] > SEVERITY_RANK[max]) max = s;
  return max;
}

/** A module's text, its line starts computed on first use (most extracted lines are never read). */
export interface ModuleText {
  text: string;
  lineStarts?: number[];
}

const declared = new WeakMap<Contract, number | { module: ModuleText; pos: number; file?: string }>();

/**
 * Where an extracted contract is declared (1-based line in its module). Kept beside the contract,
 * not in it: the registry must not change when code merely moves.
 */
export const DECLARED_LINE = {
  get(contract: Contract): number | undefined {
    const at = declared.get(contract);
    if (at === undefined || typeof at === "number") return at;
    const starts = (at.module.lineStarts ??= lineStarts(at.module.text));
    let lo = 0;
    let hi = starts.length - 1;
    while (lo < hi) {
      const mid = (lo + hi + 1) >> 1;
      if (starts[mid]! <= at.pos) lo = mid;
      else hi = mid - 1;
    }
    return lo + 1;
  },
  set(contract: Contract, line: number): void {
    declared.set(contract, line);
  },
  /** the line of a character offset, computed only if asked; `file`: the declaring file when the contract is keyed by a public path */
  setPosition(contract: Contract, module: ModuleText, pos: number, file?: string): void {
    declared.set(contract, file === undefined || file === contract.symbol.module ? { module, pos } : { module, pos, file });
  },
  /** the file that declares the contract (its module, unless it is keyed by a package's public path) */
  file(contract: Contract): string {
    const at = declared.get(contract);
    return (typeof at === "object" ? at.file : undefined) ?? contract.symbol.module;
  },
};

function lineStarts(text: string): number[] {
  const starts = [0];
  for (let i = text.indexOf("\n"); i >= 0; i = text.indexOf("\n", i + 1)) starts.push(i + 1);
  return starts;
}
