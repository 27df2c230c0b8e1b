// The contract model: mirrors schemas/contract-registry.v1.schema.json. One contract per exported
// callable (function, class, public method) of a module, identified by `module#name`.

export type ContractLanguage = "typescript" | "javascript" | "python";
export type ContractKind = "function" | "class" | "method";
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

export interface ContractSignature {
  params: ContractParam[];
  returns: ContractReturns;
}

export interface Contract {
  symbol: { name: string; module: string };
  language: ContractLanguage;
  kind: ContractKind;
  async?: boolean;
  params: ContractParam[];
  returns: ContractReturns;
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
  contracts: Contract[];
}

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

/**
 * Where an extracted contract is declared (1-based line in its module). Kept beside the contract,
 * not in it: the registry must not change when code merely moves.
 */
export const DECLARED_LINE = new WeakMap<Contract, number>();
