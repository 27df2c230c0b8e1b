// Collector `receipts`: run receipts found by the `promotion.receipts` globs, each with the facts
// the promotion policies need (see src/promotion/collect.ts). Settings come from the config's
// `promotion` section; the collector's own options override them.

import { collectPromotion, promotionSettings } from "../promotion/collect.js";
import { SchemaRegistry } from "../schemas/registry.js";
import type { Collector } from "./types.js";

export const receiptsCollector: Collector = {
  description: "run receipts with their outputs hashed on disk, linked manifests and the watcher registry",
  async collect({ root, options, config }) {
    const settings = promotionSettings({ ...((config?.promotion as object | undefined) ?? {}), ...options });
    const { inputs, findings } = await collectPromotion(root, settings, new SchemaRegistry());
    return { inputs, findings };
  },
};
