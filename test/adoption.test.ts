// Issue 15, "Found": gatehouse in repositories it has never seen. Each test is named after the
// bullet it covers. The CLI runs as a user runs it (bin/gatehouse.js, a clean environment) in
// throwaway repositories; the pack-and-install flow itself is test/install.test.ts.

import { spawnSync } from "node:child_process";
import { existsSync, mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { dirname, join } from "node:path";
import { fileURLToPath } from "node:url";
import { test } from "uvu";
import * as assert from "uvu/assert";
import { projectRoot } from "../src/gate/config.js";
import { detect } from "../src/init/detect.js";
import { configText } from "../src/init/templates.js";
import { parseDocument } from "../src/inputs/parse.js";
import { SchemaRegistry } from "../src/schemas/registry.js";

const pkgRoot = join(dirname(fileURLToPath(import.meta.url)), "..", "..");
const bin = join(pkgRoot, "bin", "gatehouse.js");
const opa = join(pkgRoot, ".toolchain", "bin", "opa");
const made: string[] = [];
const cache = mkdtempSync(join(tmpdir(), "gatehouse-adoption-cache-"));
made.push(cache);

function repo(files: Record<string, string>, options: { git?: boolean } = {}): string {
  const root = mkdtempSync(join(tmpdir(), "gatehouse-adoption-"));
  made.push(root);
  if (options.git !== false) mkdirSync(join(root, ".git"));
  for (const [path, text] of Object.entries(files)) {
    mkdirSync(dirname(join(root, path)), { recursive: true });
    writeFileSync(join(root, path), text);
  }
  return root;
}

function cli(cwd: string, ...args: string[]): { code: number | null; out: string } {
  const env: NodeJS.ProcessEnv = { PATH: process.env.PATH, HOME: process.env.HOME, NO_COLOR: "1", GATEHOUSE_CACHE_DIR: cache };
  if (existsSync(opa)) env.GATEHOUSE_OPA = opa;
  const r = spawnSync(process.execPath, [bin, ...args], { cwd, encoding: "utf8", env });
  return { code: r.status, out: `${r.stdout}${r.stderr}` };
}

function findingCodes(out: string): string[] {
  return (JSON.parse(out) as { findings: { code: string }[] }).findings.map((f) => f.code).sort();
}

const TS_LIB = {
  "package.json": JSON.stringify({ name: "lib", version: "1.0.0", main: "dist/index.js" }),
  "tsconfig.json": JSON.stringify({ compilerOptions: { outDir: "dist", rootDir: "src" } }),
  "src/index.ts": "export function add(a: number, b: number): number {\n  return a + b;\n}\n",
};

test.after(() => {
  for (const dir of made) rmSync(dir, { recursive: true, force: true });
});

test("issue 15 packaging: the package is gatehouse-cli, ships bundle, docs and LICENSE, and the README's commands cannot run someone else's package", () => {
  const pkg = JSON.parse(readFileSync(join(pkgRoot, "package.json"), "utf8")) as { name: string; files: string[]; bin: Record<string, string>; scripts: Record<string, string> };
  assert.is(pkg.name, "gatehouse-cli");
  assert.equal(Object.keys(pkg.bin), ["gatehouse"]);
  for (const entry of ["bundle", "docs", "LICENSE", "README.md", "policy", "schemas", "packs", "dist/cli", "dist/toolchain"]) assert.ok(pkg.files.includes(entry), `files lacks ${entry}`);
  assert.ok(pkg.scripts.prepack?.includes("compile"), "prepack does not compile");
  for (const doc of ["README.md", "docs/getting-started.md", "docs/architecture.md", "docs/contracts.md", "docs/promotion.md", "docs/ops.md", "docs/policy-packs.md"]) {
    // `npx gatehouse` fetches the unrelated package named gatehouse when none is installed (the docs may warn about it).
    const text = readFileSync(join(pkgRoot, doc), "utf8").replaceAll("a bare `npx gatehouse`", "");
    const unsafe = [...text.matchAll(/npx (?!--no-install |-p gatehouse-cli |(--yes )?--package[= ]gatehouse-cli)[^\n`]*gatehouse/g)].map((m) => m[0]);
    assert.equal(unsafe, [], `${doc} has unsafe npx commands`);
  }
});

test("issue 15 name/init: gate with no config says to run init and exits 2, not an unexplained gate/no-inputs deny", () => {
  const root = repo(TS_LIB);
  const r = cli(root, "gate");
  assert.is(r.code, 2, r.out);
  assert.match(r.out, "ConfigError: no gatehouse.config.yaml in this directory or above it (up to the repository root): run `npx --no-install gatehouse init`");
  assert.not.match(r.out, "gate/no-inputs");
});

test("issue 15 init/config: the config is found from a subdirectory and contracts accept run from src/ writes the root's registry", () => {
  const root = repo({ ...TS_LIB, "gatehouse.config.yaml": "version: 1\ncollectors:\n  contracts: {}\n" });
  const src = join(root, "src");
  assert.is(projectRoot(undefined, undefined, src), root);
  assert.is(projectRoot(undefined, undefined, join(src, "deeper")), root);
  const accept = cli(src, "contracts", "accept");
  assert.is(accept.code, 0, accept.out);
  assert.match(accept.out, "created contracts/registry.json (1.0.0) with 1 contracts");
  assert.ok(existsSync(join(root, "contracts/registry.json")));
  assert.not.ok(existsSync(join(src, "contracts")), "src/contracts/ was created");
  const gate = cli(src, "gate");
  assert.is(gate.code, 0, gate.out);
  // The search stops at the repository root: a config above it is another project's.
  const outer = repo({ "gatehouse.config.yaml": "version: 1\n" }, { git: false });
  mkdirSync(join(outer, "inner", ".git"), { recursive: true });
  assert.is(projectRoot(undefined, undefined, join(outer, "inner")), join(outer, "inner"));
});

test("issue 15 init/config: init writes the three files, refuses to overwrite without --force (exit 2 naming the file), asks nothing on a non-TTY", () => {
  const root = repo({ ...TS_LIB, ".github/PULL_REQUEST_TEMPLATE.md": "## ours\n" });
  const refused = cli(root, "init");
  assert.is(refused.code, 2, refused.out);
  assert.match(refused.out, ".github/PULL_REQUEST_TEMPLATE.md already exists; gatehouse init does not overwrite (pass --force to replace it)");
  assert.not.ok(existsSync(join(root, "gatehouse.config.yaml")), "init wrote a file before refusing");
  const forced = cli(root, "init", "--force");
  assert.is(forced.code, 0, forced.out);
  assert.match(forced.out, "replaced .github/PULL_REQUEST_TEMPLATE.md");
  assert.match(readFileSync(join(root, ".github/PULL_REQUEST_TEMPLATE.md"), "utf8"), "## Contract Impact");
  assert.match(readFileSync(join(root, ".github/workflows/gatehouse.yml"), "utf8"), /types: \[opened, synchronize, reopened, edited\][\s\S]*npm install --no-audit --no-fund\n[\s\S]*run: npx --no-install gatehouse gate/);
  const gate = cli(root, "gate");
  assert.is(gate.code, 0, gate.out);
});

test("issue 15 init/config: detection reads package.json entry points, pyproject packages, receipts, ops and Rego, and the config it writes is valid", async () => {
  const root = repo({
    "package.json": JSON.stringify({ name: "x", exports: { ".": { types: "./dist/index.d.ts", import: "./dist/index.js" }, "./util": "./dist/util.js" } }),
    "tsconfig.json": JSON.stringify({ compilerOptions: { outDir: "dist", rootDir: "src" } }),
    "src/index.ts": "export const a = 1;\n",
    "src/util.ts": "export const b = 2;\n",
    "src/internal.ts": "export const c = 3;\n",
    "pyproject.toml": '[project]\nname = "my-tool"\n',
    "src/my_tool/__init__.py": "def run():\n    pass\n",
    "src/my_tool/core/__init__.py": "",
    "scripts/other/__init__.py": "",
    "runs/a/run.receipt.json": "{}",
    "runs/a/run.manifest.json": "{}",
    "runs/watcher-registry.json": "{}",
    "ops/declarations/restart.md": "# restart\n",
    "policy/deploy/replicas.rego": "package deploy.replicas\n",
    "policy/deploy/replicas_test.rego": "package deploy.replicas_test\n",
    "deploy/app.yaml": "kind: Deployment\n",
  });
  const found = await detect(root);
  assert.equal(found.typescript, { include: ["src/**/*.{ts,tsx,mts,cts}"], entries: ["src/index.ts", "src/util.ts"], language: "TypeScript" });
  assert.equal(found.python, { include: ["src/my_tool/**/*.py"], packages: ["src/my_tool"] });
  assert.equal(found.promotion, { receipts: ["runs/a/*.receipt.json"], manifests: ["runs/a/*.manifest.json"], registry: "runs/watcher-registry.json" });
  assert.equal(found.ops, { dir: "ops", ledgerDir: "ops/ledger" });
  assert.equal(found.rego, [{ dir: "policy", namespaces: ["deploy"] }]);
  assert.equal(found.configFolders, ["deploy"]);
  const config = parseDocument(configText(found), "yaml") as Record<string, unknown>;
  assert.equal(new SchemaRegistry().validate("gatehouse-config.v1", config, "gatehouse.config.yaml"), []);
  assert.equal(config.collectors, { contracts: {}, receipts: {}, files: [{ glob: "deploy/**/*.{yaml,yml,json}", namespace: "deploy" }] });
  assert.equal(config.policies, [{ path: "policy", namespaces: ["deploy"] }]);
  // A repository with nothing to govern yet still gets a valid config (an empty collectors mapping).
  const empty = parseDocument(configText(await detect(repo({}))), "yaml") as Record<string, unknown>;
  assert.equal(new SchemaRegistry().validate("gatehouse-config.v1", empty, "gatehouse.config.yaml"), []);
  assert.equal(empty.collectors, {});
});

test("issue 15 house rules: a user's draft-07 schema, policy/deny.rego and fixtures get none of gatehouse's own rules", () => {
  const root = repo({
    ...TS_LIB,
    "gatehouse.config.yaml": "version: 1\npack: { use: team-standard@1.0 }\ncollectors:\n  contracts: {}\n",
    "schemas/order.json": JSON.stringify({ $schema: "http://json-schema.org/draft-07/schema#", type: "object" }),
    "policy/deny.rego": 'package main\n\ndeny contains "no" if input.bad\n',
    "fixtures/users/alice.json": '{"name": "alice"}\n',
    "README.md": "# lib\n## Usage\n",
  });
  assert.is(cli(root, "contracts", "accept").code, 0);
  const gate = cli(root, "gate", "--format", "json");
  const codes = findingCodes(gate.out);
  assert.equal(codes.filter((c) => /^(schemas|fixtures|policy_tree|policy)\//.test(c) || c === "pack/required-check-disabled"), [], gate.out);
  // fixtures: the project's own fixtures/users/ is not a gatehouse suite, and no coverage of gatehouse's codes is asked.
  const fixtures = cli(root, "fixtures");
  assert.is(fixtures.code, 0, fixtures.out);
  assert.is(fixtures.out, "fixtures: none in fixtures (suites are fixtures/<input kind or schema>/*.json); nothing to run\n");
  // A gatehouse collector of its own layout is refused outside profile self, naming it.
  writeFileSync(join(root, "gatehouse.config.yaml"), "version: 1\ncollectors:\n  schemas: {}\n");
  const refused = cli(root, "gate");
  assert.is(refused.code, 2, refused.out);
  assert.match(refused.out, "collector schemas checks gatehouse's own repository layout and runs only with `profile: self`");
});

test("issue 15 house rules: gatehouse fixtures runs a project's suites for gatehouse kinds, without the coverage of gatehouse's own codes", () => {
  const suite = { description: "a receipt the schema refuses", tests: [{ description: "empty", data: {}, valid: false, codes: ["schema/invalid"] }] };
  const root = repo({ "gatehouse.config.yaml": "version: 1\n", "fixtures/promotion-input/ours.json": JSON.stringify(suite) });
  const r = cli(root, "fixtures");
  assert.is(r.code, 0, r.out);
  assert.is(r.out, "fixtures: 1 passed, 0 failed\n");
});

test("issue 15 user policies: the project's Rego runs beside the shipped rules, fed by the files collector, and fails closed", () => {
  const root = repo({
    ...TS_LIB,
    "gatehouse.config.yaml": [
      "version: 1",
      "collectors:",
      "  contracts: {}",
      "  files:",
      '    - glob: "deploy/**/*.yaml"',
      "      namespace: deploy",
      "policies:",
      "  - path: rules",
      "    namespaces: [deploy]",
      "",
    ].join("\n"),
    "rules/replicas.rego": 'package deploy.replicas\n\ndeny contains msg if {\n\tinput.spec.replicas < 2\n\tmsg := "run at least 2 replicas"\n}\n',
    "deploy/web.yaml": "spec:\n  replicas: 1\n",
    "deploy/api.yaml": "spec:\n  replicas: 3\n",
  });
  assert.is(cli(root, "contracts", "accept").code, 0);
  const denied = cli(root, "gate", "--format", "json");
  assert.is(denied.code, 1, denied.out);
  const report = JSON.parse(denied.out) as { findings: { code: string; message: string; input?: string }[]; inputs: { path: string; rulesEvaluated: number }[]; bundle: { path: string }; policies: { path: string }[] };
  assert.equal(report.findings.map((f) => [f.input, f.message]), [["deploy/web.yaml", "run at least 2 replicas"]]);
  // The shipped bundle still judged the contracts; the project's policies judged its files.
  assert.equal(report.inputs.map((i) => [i.path, i.rulesEvaluated > 0]), [["contracts/registry.json", true], ["deploy/api.yaml", true], ["deploy/web.yaml", true]]);
  assert.match(report.bundle.path, /bundle$/);
  assert.is(report.policies.length, 1);

  // A files entry naming a namespace no policies entry declares: exit 2 before anything runs.
  const config = readFileSync(join(root, "gatehouse.config.yaml"), "utf8");
  writeFileSync(join(root, "gatehouse.config.yaml"), config.replace("namespace: deploy", "namespace: k8s"));
  const unrouted = cli(root, "gate");
  assert.is(unrouted.code, 2, unrouted.out);
  assert.match(unrouted.out, "collectors.files[0] (deploy/**/*.yaml) names namespace k8s, which no policies entry declares (declared: deploy)");

  // Fail closed: a glob matching nothing, and a namespace no package of the policies is under (no rule ran).
  writeFileSync(join(root, "gatehouse.config.yaml"), config.replace('glob: "deploy/**/*.yaml"', 'glob: "deploy/**/*.yml"'));
  assert.equal(findingCodes(cli(root, "gate", "--format", "json").out), ["gate/no-inputs"]);
  writeFileSync(join(root, "gatehouse.config.yaml"), config.replace("namespace: deploy", "namespace: deploy.ingress"));
  const unmatched = cli(root, "gate", "--format", "json");
  assert.is(unmatched.code, 1, unmatched.out);
  assert.equal(findingCodes(unmatched.out), ["gate/namespace-unmatched", "gate/namespace-unmatched"]);
});

test.run();
