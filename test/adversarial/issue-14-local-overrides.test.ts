// Issue 14.4: the untrusted repo-local .gatehouse/policy file could switch enforcement to warn
// under team-standard (the pack this repository uses), letting an unapproved BREAKING change or a
// tampered artifact through with exit 0. In every pack it may only tighten; a loosening is a
// denying finding naming the key, unless gatehouse.config's pack.allowLocalLoosening names it.

import { appendFileSync, cpSync, readFileSync } from "node:fs";
import { join } from "node:path";
import { test } from "uvu";
import * as assert from "uvu/assert";
import { packagePath } from "../../src/core/paths.js";
import { resolveEffectivePolicy } from "../../src/packs/effective.js";
import { availablePacks } from "../../src/packs/load.js";
import { SchemaRegistry } from "../../src/schemas/registry.js";
import { cleanup, denyingCodes, findingsOf, gatehouse, git, gitRepo, tempRepo, writeFiles } from "../helpers/adversarial.js";

const schemas = new SchemaRegistry();

const config = (pack = "") => `version: 1
# the rig uses gatehouse's own layout collectors, so the self profile
profile: self
pack:
  use: team-standard@1.0
${pack}collectors:
  schemas: {}
  fixtures: {}
  contracts: {}
`;

/** team-standard's asks: README with Usage, the blocking release-channel question answered. */
const TEAM: Record<string, string> = {
  "gatehouse.config.yaml": config(),
  "README.md": "# x\n\n## Usage\n\nrun it\n",
  ".gatehouse/clarifications.yaml": "version: 1\nanswers:\n  release-channel: { value: internal, answered_at: 2026-01-01T00:00:00Z }\n",
  "src/api.ts": "export function greet(name: string, greeting: string): string {\n  return greeting + name;\n}\n",
};

const BREAKING = "export function greet(name: string): string {\n  return name;\n}\n";

/** A committed team-standard repository that the gate allows, then an unapproved BREAKING change. */
async function breakingRepo(): Promise<string> {
  const root = await gitRepo(TEAM);
  assert.is((await gatehouse(["contracts", "accept", "--root", root])).exitCode, 0);
  await git(root, "add", "-A");
  await git(root, "commit", "-qm", "registry");
  const clean = await gatehouse(["gate", "--root", root, "--format", "json"]);
  assert.is(clean.exitCode, 0, `the rig itself must pass: ${clean.stdout}`);
  writeFiles(root, { "src/api.ts": BREAKING });
  const denied = await gatehouse(["gate", "--root", root, "--format", "json"]);
  assert.is(denied.exitCode, 1);
  assert.ok(denyingCodes(denied).includes("contracts/breaking-unapproved"));
  return root;
}

test("issue 14.4: the repo-local file cannot switch team-standard to warn to let an unapproved BREAKING change through", async () => {
  const root = await breakingRepo();
  writeFiles(root, { ".gatehouse/policy.yaml": "version: 1\nenforcement: { mode: warn }\n" });
  const gate = await gatehouse(["gate", "--root", root, "--format", "json"]);
  assert.is(gate.exitCode, 1, gate.stdout);
  const loosens = findingsOf(gate).find((f) => f.code === "pack/override-loosens");
  assert.equal(loosens?.metadata, { key: "enforcement.mode" });
  assert.ok(denyingCodes(gate).includes("contracts/breaking-unapproved"), "the file was not applied");
  assert.is((JSON.parse(gate.stdout) as { policy: { mode: string } }).policy.mode, "block");
  // The trusted config can name the loosening: then (and only then) the file applies.
  writeFiles(root, { "gatehouse.config.yaml": config('  allowLocalLoosening: ["enforcement.mode"]\n') });
  const allowed = await gatehouse(["gate", "--root", root, "--format", "json"]);
  assert.is(allowed.exitCode, 0, allowed.stdout);
  assert.is((JSON.parse(allowed.stdout) as { policy: { mode: string } }).policy.mode, "warn");
  cleanup();
});

test("issue 14.4: lowering, disabling or area-wide softening a rule from the repo-local file denies, naming the key", async () => {
  const root = await breakingRepo();
  const cases: [string, string][] = [
    ["rules:\n  contracts/breaking-unapproved: { severity: warning }\n", "rules.contracts/breaking-unapproved"],
    ["rules:\n  contracts/breaking-unapproved: { enabled: false }\n", "rules.contracts/breaking-unapproved"],
    ["rules:\n  contracts/*: { severity: info }\n", "rules.contracts/*"],
    ["rules:\n  pack/required-heading-missing: { severity: warning }\n", "rules.pack/required-heading-missing"],
    ["constraints: { require_code_review: false }\n", "constraints.require_code_review"],
  ];
  for (const [body, key] of cases) {
    writeFiles(root, { ".gatehouse/policy.yaml": `version: 1\n${body}` });
    const gate = await gatehouse(["gate", "--root", root, "--format", "json"]);
    assert.is(gate.exitCode, 1, body);
    assert.equal(findingsOf(gate).filter((f) => f.code === "pack/override-loosens").map((f) => f.metadata?.key), [key], body);
    assert.ok(denyingCodes(gate).includes("contracts/breaking-unapproved"), body);
  }
  // Named in allowLocalLoosening, the rule loosening applies.
  writeFiles(root, {
    "gatehouse.config.yaml": config('  allowLocalLoosening: ["contracts/breaking-unapproved", "contracts/impact-understated", "contracts/registry-out-of-date", "contracts/untested-change"]\n'),
    ".gatehouse/policy.yaml": "version: 1\nrules:\n  contracts/breaking-unapproved: { severity: warning }\n  contracts/impact-understated: { severity: warning }\n  contracts/registry-out-of-date: { severity: warning }\n  contracts/untested-change: { severity: warning }\n",
  });
  const allowed = await gatehouse(["gate", "--root", root, "--format", "json"]);
  assert.is(allowed.exitCode, 0, allowed.stdout);
  cleanup();
});

test("issue 14.4: the repo-local file cannot switch to warn to let a tampered artifact through", async () => {
  const root = tempRepo({
    "gatehouse.config.yaml": 'version: 1\nprofile: self\npack:\n  use: team-standard@1.0\ncollectors:\n  schemas: {}\n  fixtures: {}\n  receipts: {}\npromotion:\n  receipts: ["examples/promotion/*.receipt.json"]\n  manifests: ["examples/promotion/*.manifest.json"]\n  registry: examples/promotion/watcher-registry.json\n',
    "README.md": "# x\n\n## Usage\n\nrun it\n",
    ".gatehouse/clarifications.yaml": "version: 1\nanswers:\n  release-channel: { value: internal, answered_at: 2026-01-01T00:00:00Z }\n",
  });
  cpSync(packagePath("examples", "promotion"), join(root, "examples", "promotion"), { recursive: true });
  const clean = await gatehouse(["gate", "--root", root, "--format", "json"], { GATEHOUSE_NOW: "2025-06-02T00:00:00Z" });
  assert.is(clean.exitCode, 0, `the rig itself must pass: ${clean.stdout}`);
  const receipt = JSON.parse(readFileSync(join(root, "examples", "promotion", "run.receipt.json"), "utf8")) as { outputs: { path: string }[] };
  appendFileSync(join(root, "examples", "promotion", receipt.outputs[0]!.path), "tampered\n");
  writeFiles(root, { ".gatehouse/policy.yaml": "version: 1\nenforcement: { mode: warn }\n" });
  const gate = await gatehouse(["gate", "--root", root, "--format", "json"], { GATEHOUSE_NOW: "2025-06-02T00:00:00Z" });
  assert.is(gate.exitCode, 1, gate.stdout);
  const denying = denyingCodes(gate);
  assert.ok(denying.includes("pack/override-loosens"));
  assert.ok(denying.includes("promotion/digest-mismatch"), denying.join(", "));
  cleanup();
});

test("issue 14.4: in every pack the repo-local file may tighten, never loosen", () => {
  const loosening = [
    "enforcement: { mode: warn }",
    "rules:\n  schemas/open-object: { severity: info }",
    "rules:\n  fixtures/*: { enabled: false }",
    "constraints: { forbid_stub_execution: false }",
  ];
  const tightening = [
    "enforcement: { mode: block }",
    "rules:\n  schemas/open-object: { severity: block, locked: true }",
    "requirements:\n  files: [CHANGELOG.md]",
    "constraints: { require_ci_green: true }",
  ];
  for (const use of availablePacks()) {
    const config = { version: 1 as const, pack: { use }, collectors: {} };
    const base = resolveEffectivePolicy({ root: tempRepo({}), config, schemas });
    for (const body of loosening) {
      const root = tempRepo({ ".gatehouse/policy.yaml": `version: 1\n${body}\n` });
      const result = resolveEffectivePolicy({ root, config, schemas });
      const changes = result.hash !== base.hash;
      // A body that changes nothing in this pack (warn mode where the pack already warns) is no loosening.
      if (changes || result.findings.length > 0) {
        assert.ok(result.findings.length > 0 && result.findings.every((f) => f.code === "pack/override-loosens" || f.code === "pack/override-mode-locked"), `${use}: ${body}`);
        assert.is(result.hash, base.hash, `${use}: ${body} was applied`);
      }
    }
    for (const body of tightening) {
      const root = tempRepo({ ".gatehouse/policy.yaml": `version: 1\n${body}\n` });
      assert.equal(resolveEffectivePolicy({ root, config, schemas }).findings, [], `${use}: ${body}`);
    }
  }
  cleanup();
});

test.run();
