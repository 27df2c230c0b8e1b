// The files `gatehouse init` writes, as text built from what it detected: a commented
// gatehouse.config.yaml, the pull request template with the Contract Impact box, and the CI
// workflow. Text, not a YAML dump, so the comments explain each section in place.

import type { Detected } from "./detect.js";

export const PACKAGE_NAME = "gatehouse-cli";

const q = (value: string): string => JSON.stringify(value);
const list = (values: readonly string[], indent: string): string => values.map((v) => `${indent}- ${q(v)}\n`).join("");

export function configText(found: Detected): string {
  const out: string[] = [];
  out.push(
    "# gatehouse.config.yaml, written by `gatehouse init`. Paths are relative to this file's directory.\n" +
      `# Reference: node_modules/${PACKAGE_NAME}/docs/getting-started.md. Check it with \`npx --no-install gatehouse gate\`.\n` +
      "version: 1\n\n" +
      "# The policy pack: default@1.0 is the plain fail-closed gate. Others: beginner-guided@1.0,\n" +
      "# startup-fast@1.0, team-standard@1.0, enterprise-compliance@1.0 (docs/policy-packs.md).\n" +
      "pack:\n  use: default@1.0\n\n",
  );

  const sources = [found.typescript?.language, found.python ? "Python" : undefined].filter(Boolean).join(" and ");
  const enabled = Boolean(found.typescript || found.python || found.promotion || (found.rego.length > 0 && found.configFolders.length > 0));
  // With nothing to collect the section is an empty mapping (comments alone would make it null).
  out.push(enabled ? "collectors:\n" : "collectors: {}\n");
  if (found.typescript || found.python) {
    out.push(`  # The exported API of the ${sources} sources against contracts/registry.json (settings below).\n  contracts: {}\n`);
  } else {
    out.push("  # No TS/JS or Python sources found; add `contracts: {}` once there are (docs/contracts.md).\n");
  }
  if (found.promotion) {
    out.push("  # Run receipts checked against their outputs on disk (settings under promotion:).\n  receipts: {}\n");
  } else {
    out.push("  # receipts: {}   # promotion receipts (*.receipt.json); none found (docs/promotion.md)\n");
  }
  const files = found.rego.length > 0 && found.configFolders.length > 0;
  if (files) {
    out.push("  # The project's own files, judged by its own Rego (policies: below).\n  files:\n");
    for (const folder of found.configFolders) {
      out.push(`    - glob: ${q(`${folder}/**/*.{yaml,yml,json}`)}\n      namespace: ${found.rego[0]!.namespaces[0]}\n`);
    }
  } else {
    out.push(
      "  # files:          # the project's own files for its own Rego (needs policies: below)\n" +
        "  #   - glob: \"deploy/**/*.yaml\"\n  #     namespace: main\n",
    );
  }
  out.push("\n");

  if (found.typescript || found.python) {
    const include = [...(found.typescript?.include ?? []), ...(found.python?.include ?? [])];
    out.push(
      "# Contract governance: `gatehouse contracts diff` shows API changes, `contracts decide` records an\n" +
        "# approval, `contracts accept` updates the registry (docs/contracts.md).\n" +
        "contracts:\n  registry: contracts/registry.json\n  decisions: contracts/decisions\n  include:\n" +
        list(include, "    "),
    );
    const entries = found.typescript?.entries ?? [];
    if (entries.length > 0) {
      out.push("  # What package.json exports: only what these modules export is public API.\n  entries:\n" + list(entries, "    "));
    } else if (found.typescript) {
      out.push("  # entries: [src/index.ts]   # package.json names no entry point, so every module's exports count\n");
    }
    out.push("\n");
  }

  if (found.promotion) {
    out.push("# The promotion gate (docs/promotion.md): receipts and manifests by glob, and the watcher registry.\npromotion:\n  receipts:\n" + list(found.promotion.receipts, "    "));
    if (found.promotion.manifests.length > 0) out.push("  manifests:\n" + list(found.promotion.manifests, "    "));
    out.push(
      found.promotion.registry
        ? `  registry: ${q(found.promotion.registry)}\n`
        : "  # registry: watcher-registry.json   # none found; receipts are denied until there is one\n",
    );
    out.push("\n");
  }

  if (found.rego.length > 0) {
    out.push("# The project's own Rego, evaluated beside gatehouse's rules; each entry routes its namespaces.\npolicies:\n");
    for (const entry of found.rego) out.push(`  - path: ${q(entry.dir)}\n    namespaces: [${entry.namespaces.join(", ")}]\n`);
    out.push("\n");
  } else {
    out.push("# policies:        # the project's own Rego (a directory or a built bundle), beside gatehouse's rules\n#   - path: policy\n#     namespaces: [main]\n\n");
  }

  if (found.ops) {
    out.push(
      "# Ops governance (docs/ops.md): `gatehouse ops check ops/declarations/<op>.md --base origin/main`,\n" +
        "# `gatehouse ledger append|verify`.\n" +
        `ops:\n  ledgerDir: ${q(found.ops.ledgerDir)}\n  governanceFiles:\n    - ${q(`${found.ops.dir}/**`)}\n`,
    );
  }
  return out.join("").replace(/\n+$/, "\n");
}

export const PR_TEMPLATE = `## What and why

<!-- What does this change do, and why? -->

## Contract Impact

<!-- Check exactly one. \`gatehouse gate\` reads this box and denies when it is lower than the impact
it detects in the exported API (\`npx --no-install gatehouse contracts diff --against origin/main\`
shows it). Unchecked counts as RISKY. RISKY and BREAKING changes also need a decision
(\`gatehouse contracts decide\`) and an accepted registry (\`gatehouse contracts accept\`). -->

- [ ] None
- [ ] SAFE
- [ ] RISKY
- [ ] BREAKING

## Tests

<!-- How was this tested? -->
`;

export function workflowText(found: Detected, version: string): string {
  // With a package.json the gate is the version the project pinned (npm ci), never a download
  // of whatever the registry holds under the name; without one, the package is named and pinned.
  const install = found.packageJson
    ? `      - run: ${found.lockfile ? "npm ci" : "npm install --no-audit --no-fund"}\n`
    : "";
  const gate = found.packageJson ? "npx --no-install gatehouse gate" : `npx --yes --package=${PACKAGE_NAME}@${version} gatehouse gate`;
  return `# gatehouse, written by \`gatehouse init\`. Make the "gatehouse gate" job a required status check
# in the branch protection of the default branch.
name: gatehouse

on:
  pull_request:
    # edited: changing the Contract Impact box in the description runs the gate again.
    types: [opened, synchronize, reopened, edited]
  push:
    branches: [main]

permissions:
  contents: read

jobs:
  gate:
    name: gatehouse gate
    runs-on: ubuntu-latest
    steps:
      - uses: actions/checkout@v4
        with:
          # the base branch's contract registry is the baseline of a pull request
          fetch-depth: 0
      - uses: actions/setup-node@v4
        with:
          node-version: "20"
${install}      - name: gate
        run: ${gate} --format text --format github
`;
}
