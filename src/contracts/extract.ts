// Extraction entry point: find the contract sources, split them by language, extract, sort, and
// report what makes the result untrustworthy (EXTRACT_CODES) instead of passing silently.

import type { Finding } from "../core/findings.js";
import type { ExtractCode } from "./extract-codes.js";
import { EXTRACT_CODES } from "./extract-codes.js";
import { contractFiles, type FileSelection } from "./files.js";
import { extractPython } from "./extract-py.js";
import { PYTHON_UNLISTED } from "./py/exports.js";
import { compareContracts, type Contract } from "./model.js";
import { packageEntryPoints } from "./ts/entrypoints.js";
import { extractTypeScript } from "./ts/index.js";

export interface ExtractOptions extends FileSelection {
  /** `--types`: inferred types from the TypeScript checker */
  types?: boolean;
  /** TS/JS entry modules (relative); default: package.json entry points, else every module no other re-exports */
  entries?: string[];
  /** progress while TS/JS files are read (a TTY progress line) */
  onProgress?: (done: number, total: number) => void;
}

export interface Extraction {
  files: string[];
  contracts: Contract[];
  /**
   * TS/JS entry modules used ("package.json", "config") or none (every module not re-exported);
   * from package.json, `keys` maps each entry module to the public paths its contracts are keyed by
   */
  entries: { source: "config" | "package.json" | "none"; modules: string[]; keys?: Map<string, string[]>; packageName?: string };
  findings: Finding[];
}

export async function extractContracts(root: string, options: ExtractOptions = {}): Promise<Extraction> {
  const files = await contractFiles(root, options);
  const tsFiles = files.filter((f) => !f.endsWith(".py"));
  const pyFiles = files.filter((f) => f.endsWith(".py"));
  const findings: Finding[] = [];
  let entries: Extraction["entries"] = { source: "none", modules: [] };
  if (options.entries?.length) {
    entries = { source: "config", modules: options.entries };
  } else {
    const fromPackage = packageEntryPoints(root);
    for (const target of fromPackage?.unresolved ?? []) {
      findings.push(extractFinding("contracts/extract-unresolved-entry", `package.json names ${target}, which resolves to no file (no source for it and no built file)`, "package.json"));
    }
    if (fromPackage && fromPackage.entries.length > 0) entries = { source: "package.json", modules: fromPackage.entries, keys: fromPackage.keys, ...(fromPackage.name ? { packageName: fromPackage.name } : {}) };
  }
  const python = pyFiles.length > 0 ? await extractPython(root, pyFiles) : [];
  const contracts = [
    ...(tsFiles.length > 0 || entries.modules.length > 0 ? extractTypeScript(root, tsFiles, { ...(options.types ? { types: true } : {}), ...(entries.modules.length > 0 ? { entries: entries.modules } : {}), ...(entries.keys ? { entryKeys: entries.keys } : {}), ...(entries.packageName ? { packageName: entries.packageName } : {}) }) : []),
    ...python,
  ];
  const sorted = dedupe(contracts).sort(compareContracts);
  const unlisted = PYTHON_UNLISTED.get(python);
  if (unlisted) PYTHON_UNLISTED.set(sorted, unlisted);
  if (sorted.length === 0 && (files.length > 0 || entries.modules.length > 0)) {
    const read = entries.modules.length > 0 ? `entry modules ${entries.modules.join(", ")}` : `${files.length} source files`;
    findings.push(extractFinding("contracts/extract-empty", `${read} yield no contracts: the API cannot be seen, so no change to it could be caught`));
  }
  return { files, contracts: sorted, entries, findings };
}

export function extractFinding(code: ExtractCode, message: string, input?: string): Finding {
  return { code, severity: EXTRACT_CODES[code].severity, source: "gate", message, ...(input ? { input } : {}) };
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
