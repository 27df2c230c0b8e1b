// The collector registry: one file per collector, registered here.

import { contractsCollector } from "./contracts.js";
import { filesCollector } from "./files.js";
import { fixturesCollector } from "./fixtures.js";
import { policyTreeCollector } from "./policy-tree.js";
import { receiptsCollector } from "./receipts.js";
import { schemasCollector } from "./schemas.js";
import type { Collector } from "./types.js";

export type CollectorName = "schemas" | "fixtures" | "policy-tree" | "receipts" | "contracts" | "files";

export const COLLECTORS: Record<CollectorName, Collector> = {
  schemas: schemasCollector,
  fixtures: fixturesCollector,
  "policy-tree": policyTreeCollector,
  receipts: receiptsCollector,
  contracts: contractsCollector,
  files: filesCollector,
};

export function isCollectorName(name: string): name is CollectorName {
  return Object.hasOwn(COLLECTORS, name);
}
