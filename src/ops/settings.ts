// The `ops` section of gatehouse.config (ledger directory, whether solo operations are allowed,
// which files are governance files), resolved against the repository root with defaults.

import { resolve } from "node:path";
import { loadConfig } from "../gate/config.js";
import type { SchemaRegistry } from "../schemas/registry.js";
import { DEFAULT_LEDGER_DIR } from "./ledger.js";

export interface OpsSettings {
  root: string;
  ledgerDir: string;
  soloAllowed: boolean;
  governanceFiles: string[];
}

export const DEFAULT_GOVERNANCE_FILES = ["ops/**"];

export function loadOpsSettings(root: string, schemas: SchemaRegistry, configFile?: string): OpsSettings {
  const { config } = loadConfig(root, schemas, configFile);
  const ops = (config.ops ?? {}) as { ledgerDir?: string; soloAllowed?: boolean; governanceFiles?: string[] };
  return {
    root,
    ledgerDir: resolve(root, ops.ledgerDir ?? DEFAULT_LEDGER_DIR),
    soloAllowed: ops.soloAllowed ?? false,
    governanceFiles: ops.governanceFiles ?? DEFAULT_GOVERNANCE_FILES,
  };
}
