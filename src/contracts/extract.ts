// Extraction entry point: find the contract sources, split them by language, extract, sort.

import { contractFiles, type FileSelection } from "./files.js";
import { extractPython } from "./extract-py.js";
import { extractTypeScript } from "./extract-ts.js";
import { compareContracts, type Contract } from "./model.js";

export interface ExtractOptions extends FileSelection {
  /** `--types`: inferred return types from the TypeScript checker */
  types?: boolean;
  /** TS/JS entry modules (relative); default every module */
  entries?: string[];
  /** progress while TS/JS files are read (a TTY progress line) */
  onProgress?: (done: number, total: number) => void;
}

export interface Extraction {
  files: string[];
  contracts: Contract[];
}

export async function extractContracts(root: string, options: ExtractOptions = {}): Promise<Extraction> {
  const files = await contractFiles(root, options);
  const tsFiles = files.filter((f) => !f.endsWith(".py"));
  const pyFiles = files.filter((f) => f.endsWith(".py"));
  const contracts = [
    ...extractTypeScript(root, tsFiles, { ...(options.types ? { types: true } : {}), ...(options.entries ? { entries: options.entries } : {}), ...(options.onProgress ? { onProgress: options.onProgress } : {}) }),
    ...(pyFiles.length > 0 ? await extractPython(root, pyFiles) : []),
  ];
  return { files, contracts: dedupe(contracts).sort(compareContracts) };
}

/** A module can reach one name twice (two `export *` paths); keep the first. */
function dedupe(contracts: Contract[]): Contract[] {
  const seen = new Set<string>();
  return contracts.filter((c) => {
    const key = `${c.symbol.module}#${c.symbol.name}`;
    if (seen.has(key)) return false;
    seen.add(key);
    return true;
  });
}
