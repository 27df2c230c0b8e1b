// What extraction itself can find wrong, as data (beside CHANGE_CODES): each is a gate finding
// (GATE_CODES spreads this table), since a tree whose API cannot be seen must never pass silently.
// No heavy imports here: src/core/codes.ts loads this at startup.

import type { CodeInfo } from "../core/codes.js";

export type ExtractCode = "contracts/extract-empty" | "contracts/extract-shrunk" | "contracts/extract-unresolved-entry";

export const EXTRACT_CODES: Record<ExtractCode, CodeInfo> = {
  "contracts/extract-empty": {
    title: "Contract sources yield no contracts",
    docs: "Extraction read source files but found no public symbol in them (for example CommonJS the extractor cannot read, or entry points that export nothing), so every change would pass unseen. Check `contracts.include` and `contracts.entries`, or exclude the files if the tree really has no API.",
    severity: "error",
    trigger: "test/contracts-cli.test.ts",
  },
  "contracts/extract-shrunk": {
    title: "Far fewer contracts than the baseline",
    docs: "Extraction found less than half of the contracts the baseline registry holds. That is more often a broken extraction (a moved entry point, a changed build layout) than a deliberate removal; the removals are listed as changes, and this finding clears once a decision approves every one of them.",
    severity: "error",
    trigger: "test/contracts-cli.test.ts",
  },
  "contracts/extract-unresolved-entry": {
    title: "Package entry point not found",
    docs: "A target of package.json `exports`, `types` or `main` resolves to no file (neither the source, such as src/index.ts for dist/index.js, nor the built file), so part of the public API cannot be read. Build the package, fix package.json, or list the entry modules in `contracts.entries`.",
    severity: "error",
    trigger: "test/contracts-cli.test.ts",
  },
};

/** Shrunk: fewer than half the baseline's contracts (baselines under 4 contracts are too small to tell). */
export function hasShrunk(baseline: number, extracted: number): boolean {
  return baseline >= 4 && extracted * 2 < baseline;
}
