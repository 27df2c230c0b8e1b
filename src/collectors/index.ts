// The collector registry: one file per collector, registered here.

import { contractsCollector } from "./contracts.js";
import { filesCollector } from "./files.js";
import { fixturesCollector } from "./fixtures.js";
import { policyTreeCollector } from "./policy-tree.js";
import { receiptsCollector } from "./receipts.js";
import { schemasCollector } from "./schemas.js";
import { securityCollector } from "./security.js";
import type { Collector } from "./types.js";

export type CollectorName = "schemas" | "fixtures" | "policy-tree" | "receipts" | "contracts" | "files" | "security";

export const COLLECTORS: Record<CollectorName, Collector> = {
  schemas: schemasCollector,
  fixtures: fixturesCollector,
  "policy-tree": policyTreeCollector,
  receipts: receiptsCollector,
  contracts: contractsCollector,
  files: filesCollector,
  security: securityCollector,
};

export function isCollectorName(name: string): name is CollectorName {
  return Object.hasOwn(COLLECTORS, name);
}
