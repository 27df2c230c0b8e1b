// Base data (`check --data`) against the documents a bundle's rules define, as OPA's compiler
// checks them when data is loaded beside policies (ast.CheckPathConflicts with the store's
// NonEmpty): a rule's path conflicts when the data holds a value there, or when the nearest value
// above it is not an object. `opa eval -d policy -d data.json` refuses such data at compile time;
// the wasm would see it only while evaluating and merge the two, so gatehouse refuses it too,
// before anything is evaluated (exit 2: a setup error, as OPA's compile error).

import { isAbsolute, join, resolve } from "node:path";
import { ConfigError } from "../core/errors.js";
import type { BundleManifest, RuleDocumentInfo } from "./manifest.js";

/** The first rule document (in path order) that the data conflicts with, or undefined. */
export function conflictingDocument(documents: readonly RuleDocumentInfo[], data: unknown): RuleDocumentInfo | undefined {
  return documents.find((doc) => holdsValue(data, doc.path));
}

function holdsValue(data: unknown, path: readonly string[]): boolean {
  let node: unknown = data;
  for (const [depth, key] of path.entries()) {
    if (!isObject(node)) return depth > 0; // a scalar or an array above the rule's path
    if (!Object.hasOwn(node, key)) return false;
    node = node[key];
  }
  return true;
}

const isObject = (v: unknown): v is Record<string, unknown> => typeof v === "object" && v !== null && !Array.isArray(v);

/**
 * Refuses base data that conflicts with a rule of the bundle (or a bundle that cannot tell),
 * naming the rule's file (`shown` turns a path into how the user sees it).
 */
export function assertNoDataConflicts(manifest: BundleManifest, data: unknown, bundleDir: string, shown: (path: string) => string = (p) => p): void {
  if (manifest.documents === undefined) {
    throw new ConfigError("the bundle does not list the data paths its rules define (built by an older gatehouse), so --data cannot be checked against them: rebuild it", shown(bundleDir));
  }
  const conflict = conflictingDocument(manifest.documents, data);
  if (!conflict) return;
  const colon = conflict.at.lastIndexOf(":");
  const [file, row] = colon > 0 ? [conflict.at.slice(0, colon), conflict.at.slice(colon + 1)] : [conflict.at, ""];
  const root = isAbsolute(manifest.sourceRoot) ? manifest.sourceRoot : resolve(bundleDir, manifest.sourceRoot);
  throw new ConfigError(`${conflictMessage(conflict)}${row && row !== "0" ? ` (line ${row})` : ""}: a --data document holds a value there too (opa refuses this at compile time)`, shown(join(root, file)));
}

/** OPA's words for a conflict (ast.checkDocumentConflicts). */
export function conflictMessage(conflict: RuleDocumentInfo): string {
  return `conflicting rule for data path ${conflict.path.join("/")} found`;
}
