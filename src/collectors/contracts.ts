// Collector `contracts`: extract the repository's contracts, diff them against the registry (or
// the registry at a base ref), and hand the classified changes, decisions, declared PR impact,
// call sites and invariant facts to policy as one `contract-diff` input.

import { SchemaRegistry } from "../schemas/registry.js";
import { buildContractDiff, contractSettings } from "../contracts/governance.js";
import type { Collector } from "./types.js";

export const contractsCollector: Collector = {
  description: "exported API contracts (TS/JS, Python) against the contract registry, with decisions and declared impact",
  async collect({ root, options, config, env }) {
    // The shared `contracts:` section (also read by `gatehouse contracts ...`); collector options win.
    const section = config?.contracts && typeof config.contracts === "object" ? (config.contracts as Record<string, unknown>) : {};
    const settings = contractSettings({ ...section, ...options });
    const { document, findings } = await buildContractDiff(root, settings, new SchemaRegistry(), env);
    return {
      inputs: document ? [{ display: settings.registry, kind: "contract-diff", document }] : [],
      findings,
    };
  },
};
