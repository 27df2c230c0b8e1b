// Collector `contracts`: extract the repository's contracts, diff them against the registry (or
// the registry at a base ref), and hand the classified changes, decisions, declared PR impact,
// call sites and invariant facts to policy as one `contract-diff` input.

import { SchemaRegistry } from "../schemas/registry.js";
import { buildContractDiff, contractSettings } from "../contracts/governance.js";
import type { Collector } from "./types.js";

export const contractsCollector: Collector = {
  description: "exported API contracts (TS/JS, Python) against the contract registry, with decisions and declared impact",
  async collect({ root, options, env }) {
    const settings = contractSettings(options);
    const { document, findings } = await buildContractDiff(root, settings, new SchemaRegistry(), env);
    return {
      inputs: document ? [{ display: settings.registry, kind: "contract-diff", document }] : [],
      findings,
    };
  },
};
