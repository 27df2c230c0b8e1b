// Pack and install (issue 15): the package as npm publishes it, installed into throwaway
// repositories this test creates, then the getting-started flow with nothing on PATH but node
// and git (no go, no opa, no npm). A fresh TypeScript library and a fresh Python package:
// init, gate allows the untouched repository, a removed parameter denies with its next step,
// decide + accept (run from src/) turn it green, the project's own Rego runs through
// `check --policy` and beside the shipped rules in `gate`, a receipt is created and verified,
// a tampered output denies.
//
// `npm pack --ignore-scripts`: `npm test` compiled dist/ already, and the prepack script (the
// same compile) would rewrite dist/ under the running suites. The test checks prepack is there.
// Dependencies come from npm's cache (--prefer-offline), filled by `npm ci`.

import { spawnSync } from "node:child_process";
import { existsSync, mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync, statSync, symlinkSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { dirname, join } from "node:path";
import { fileURLToPath } from "node:url";
import { test } from "uvu";
import * as assert from "uvu/assert";

const pkgRoot = join(dirname(fileURLToPath(import.meta.url)), "..", "..");
const pkg = JSON.parse(readFileSync(join(pkgRoot, "package.json"), "utf8")) as { name: string; version: string; scripts: Record<string, string>; bin: Record<string, string> };

const work = mkdtempSync(join(tmpdir(), "gatehouse-install-"));
const tsRepo = join(work, "ts-lib");
const pyRepo = join(work, "py-lib");
const onlyNode = join(work, "bin");
const installed = join(tsRepo, "node_modules", pkg.name);
const gatehouseBin = join(tsRepo, "node_modules", ".bin", "gatehouse");

interface Run {
  code: number | null;
  out: string;
}

/** npm and git with the caller's environment, minus what `npm test` exported for this package. */
function tool(cmd: string, args: string[], cwd: string): Run {
  const env = Object.fromEntries(Object.entries(process.env).filter(([k]) => !k.startsWith("npm_") || k === "npm_config_cache" || k === "npm_config_registry" || k === "npm_config_userconfig"));
  const r = spawnSync(cmd, args, { cwd, encoding: "utf8", env, maxBuffer: 64 * 1024 * 1024 });
  return { code: r.status, out: `${r.stdout}${r.stderr}` };
}

/** The installed command, as a user's shell runs it: PATH holds node and git only, no CI variables. */
function gatehouse(cwd: string, ...args: string[]): Run {
  const r = spawnSync(gatehouseBin, args, {
    cwd,
    encoding: "utf8",
    env: { PATH: onlyNode, HOME: join(work, "home"), GATEHOUSE_CACHE_DIR: join(work, "cache"), NO_COLOR: "1" },
    maxBuffer: 64 * 1024 * 1024,
  });
  return { code: r.status, out: `${r.stdout}${r.stderr}` };
}

function write(root: string, files: Record<string, string>): void {
  for (const [path, text] of Object.entries(files)) {
    mkdirSync(dirname(join(root, path)), { recursive: true });
    writeFileSync(join(root, path), text);
  }
}

function git(cwd: string, ...args: string[]): void {
  const r = tool("git", ["-c", "user.email=t@example.com", "-c", "user.name=t", "-c", "init.defaultBranch=main", ...args], cwd);
  assert.is(r.code, 0, r.out);
}

function filesUnder(dir: string): string[] {
  return readdirSync(dir, { recursive: true, encoding: "utf8" }).filter((f) => statSync(join(dir, f)).isFile());
}

test.after(() => rmSync(work, { recursive: true, force: true }));

/** What the tarball holds (the Node-only compiler is checked where it is used, so its absence fails that step alone). */
let packedFiles = new Set<string>();

test("issue 15.1: npm pack ships what the program needs (bundle, policy sources, schemas, packs, docs, LICENSE)", () => {
  assert.is(pkg.name, "gatehouse-cli");
  assert.equal(pkg.bin, { gatehouse: "bin/gatehouse.js" });
  assert.match(pkg.scripts.prepack ?? "", /npm run -s compile/);
  const packed = tool("npm", ["pack", "--ignore-scripts", "--json", "--pack-destination", work], pkgRoot);
  assert.is(packed.code, 0, packed.out);
  const [info] = JSON.parse(packed.out.slice(packed.out.indexOf("["))) as [{ filename: string; files: { path: string }[] }];
  const files = (packedFiles = new Set(info.files.map((f) => f.path)));
  for (const needed of ["bin/gatehouse.js", "dist/cli/main.js", "dist/cli/worker.js", "dist/schemas/validators.cjs", "bundle/manifest.json", "bundle/policy.wasm", "policy/contracts/breaking_approval/breaking_approval.rego", "schemas/gatehouse-config.v1.schema.json", "packs/default@1.0.yaml", "dist/console/index.html", "dist/console/assets.json", "docs/getting-started.md", "LICENSE", "README.md"]) {
    assert.ok(files.has(needed), `the tarball lacks ${needed}`);
  }
  // The pre-commit hook is shipped on purpose (.pre-commit-hooks.yaml runs it); no other script is.
  for (const path of files) assert.not.ok(/^(src|test|tools|scripts|dist\/test|dist\/scripts|\.toolchain)\//.test(path) && path !== "scripts/hooks/pre-commit", `the tarball ships ${path}`);
  assert.match(readFileSync(join(pkgRoot, "LICENSE"), "utf8"), /Apache License\s+Version 2\.0, January 2004/);

  mkdirSync(onlyNode, { recursive: true });
  symlinkSync(process.execPath, join(onlyNode, "node"));
  const gitPath = tool("sh", ["-c", "command -v git"], work).out.trim();
  symlinkSync(gitPath, join(onlyNode, "git"));

  write(tsRepo, {
    "package.json": JSON.stringify({ name: "ts-lib", version: "1.0.0", type: "module", main: "dist/index.js", types: "dist/index.d.ts" }, null, 2),
    "tsconfig.json": JSON.stringify({ compilerOptions: { outDir: "dist", rootDir: "src", strict: true, declaration: true } }, null, 2),
    "src/index.ts": "export function greet(name: string, greeting: string): string {\n  return `${greeting}, ${name}`;\n}\n",
    // A draft-07 schema of the project's own: none of gatehouse's schema house rules apply to it.
    "schemas/order.schema.json": JSON.stringify({ $schema: "http://json-schema.org/draft-07/schema#", $id: "https://example.com/order.json", type: "object" }),
    ".gitignore": "node_modules/\n",
  });
  git(tsRepo, "init", "-q");
  const install = tool("npm", ["install", "--save-dev", "--no-audit", "--no-fund", "--prefer-offline", join(work, info.filename)], tsRepo);
  assert.is(install.code, 0, install.out);
  assert.ok(existsSync(gatehouseBin), "npm install created no gatehouse command");
  // Nothing installed points back into this repository.
  for (const file of filesUnder(installed).filter((f) => /\.(js|cjs|json)$/.test(f))) {
    assert.not.ok(readFileSync(join(installed, file), "utf8").includes(pkgRoot), `${file} names ${pkgRoot}`);
  }
});

test("issue 15.3: gate without a config says to run init (exit 2); init writes config, PR template, workflow, and never overwrites", () => {
  const none = gatehouse(tsRepo, "gate");
  assert.is(none.code, 2, none.out);
  assert.match(none.out, "npx --no-install gatehouse init");

  const init = gatehouse(tsRepo, "init");
  assert.is(init.code, 0, init.out);
  assert.match(init.out, "TypeScript: src/**/*.{ts,tsx,mts,cts}, entry points src/index.ts");
  const config = readFileSync(join(tsRepo, "gatehouse.config.yaml"), "utf8");
  assert.match(config, /^ {2}contracts: \{\}$/m);
  assert.match(config, /entries:\n {4}- "src\/index\.ts"/);
  assert.match(readFileSync(join(tsRepo, ".github/pull_request_template.md"), "utf8"), /## Contract Impact\n[\s\S]*- \[ \] BREAKING/);
  const workflow = readFileSync(join(tsRepo, ".github/workflows/gatehouse.yml"), "utf8");
  assert.match(workflow, "types: [opened, synchronize, reopened, edited]");
  assert.match(workflow, "run: npx --no-install gatehouse gate");
  assert.ok(existsSync(join(tsRepo, "contracts/registry.json")), "init wrote no baseline registry");

  const again = gatehouse(tsRepo, "init");
  assert.is(again.code, 2, again.out);
  assert.match(again.out, /gatehouse\.config\.yaml, \.github\/pull_request_template\.md, \.github\/workflows\/gatehouse\.yml already exist.*--force/);
  git(tsRepo, "add", "-A");
  git(tsRepo, "commit", "-qm", "gatehouse init");
});

test("issue 15.1: the untouched repository is allowed, with none of gatehouse's own house rules", () => {
  const gate = gatehouse(tsRepo, "gate", "--format", "json");
  assert.is(gate.code, 0, gate.out);
  const report = JSON.parse(gate.out) as { verdict: string; findings: { code: string }[] };
  assert.is(report.verdict, "allow");
  assert.equal(report.findings.map((f) => f.code).filter((c) => /^(schemas|fixtures|policy_tree|policy)\//.test(c)), []);
  const fixtures = gatehouse(tsRepo, "fixtures");
  assert.is(fixtures.code, 0, fixtures.out);
  assert.match(fixtures.out, "fixtures: none in fixtures");
});

test("issue 15.1: a removed parameter denies with the next step; decide + accept from src/ turn it green", () => {
  writeFileSync(join(tsRepo, "src/index.ts"), "export function greet(name: string): string {\n  return `hello, ${name}`;\n}\n");
  const denied = gatehouse(tsRepo, "gate");
  assert.is(denied.code, 1, denied.out);
  assert.match(denied.out, "[contracts/breaking-unapproved] BREAKING contracts/param-removed: src/index.ts#greet: parameter greeting was removed");
  assert.match(denied.out, "fix: run `gatehouse contracts decide`");

  const src = join(tsRepo, "src");
  const decide = gatehouse(src, "contracts", "decide", "--id", "drop-greeting");
  assert.is(decide.code, 0, decide.out);
  const file = join(tsRepo, "contracts/decisions/drop-greeting.json");
  const decision = JSON.parse(readFileSync(file, "utf8")) as Record<string, unknown>;
  Object.assign(decision, { reasons: ["greetings move to the caller"], impactedConsumers: ["none yet"], migrationPlan: "pass the greeting in name", rollback: "revert", tests: ["test/greet.test.ts"], approvedBy: "lead" });
  writeFileSync(file, JSON.stringify(decision, null, 2));
  const accept = gatehouse(src, "contracts", "accept");
  assert.is(accept.code, 0, accept.out);
  assert.match(accept.out, "contracts/registry.json 1.0.0 -> 2.0.0");
  assert.not.ok(existsSync(join(src, "contracts")), "accept run from src/ wrote src/contracts/");
  const allowed = gatehouse(tsRepo, "gate");
  assert.is(allowed.code, 0, allowed.out);
  assert.match(allowed.out, /ALLOW\n$/);
});

test("issue 15.4: the project's own Rego with Node alone: check --policy, then beside the shipped rules in gate", () => {
  assert.ok(packedFiles.has("dist/toolchain/gatehouse-go.wasm"), "the tarball lacks dist/toolchain/gatehouse-go.wasm, the Node-only Rego compiler `check --policy` needs without opa");
  assert.ok(existsSync(join(installed, "dist/toolchain/gatehouse-go.wasm")), "the installed package has no dist/toolchain/gatehouse-go.wasm");
  // The builtins module (crypto.x509.*, json.match_schema, ... answered by OPA's topdown) ships beside it.
  assert.ok(packedFiles.has("dist/toolchain/gatehouse-builtins.wasm"), "the tarball lacks dist/toolchain/gatehouse-builtins.wasm");
  write(tsRepo, {
    "policy/deploy.rego": 'package main\n\ndeny contains msg if {\n\tinput.kind == "Deployment"\n\tinput.spec.replicas < 2\n\tmsg := sprintf("%s: run at least 2 replicas", [input.metadata.name])\n}\n',
    "deploy/app.yaml": "kind: Deployment\nmetadata:\n  name: web\nspec:\n  replicas: 1\n",
  });
  const check = gatehouse(tsRepo, "check", "--policy", "policy", "deploy/app.yaml");
  assert.is(check.code, 1, check.out);
  assert.match(check.out, "web: run at least 2 replicas");

  // init --force picks up the Rego and the deploy/ folder: policies + a files entry; the registry stays.
  const init = gatehouse(tsRepo, "init", "--force");
  assert.is(init.code, 0, init.out);
  assert.match(init.out, "kept contracts/registry.json");
  const config = readFileSync(join(tsRepo, "gatehouse.config.yaml"), "utf8");
  assert.match(config, /policies:\n {2}- path: "policy"\n {4}namespaces: \[main\]/);
  assert.match(config, /files:\n {4}- glob: "deploy\/\*\*\/\*\.\{yaml,yml,json\}"\n {6}namespace: main/);
  const denied = gatehouse(tsRepo, "gate", "--format", "json");
  assert.is(denied.code, 1, denied.out);
  const report = JSON.parse(denied.out) as { findings: { code: string; message: string; input?: string }[]; inputs: { path: string }[]; policies?: unknown[] };
  assert.equal(report.findings.filter((f) => f.input === "deploy/app.yaml").map((f) => f.message), ["web: run at least 2 replicas"]);
  assert.equal(report.inputs.map((i) => i.path), ["contracts/registry.json", "deploy/app.yaml"]);
  assert.is(report.policies?.length, 1);
  writeFileSync(join(tsRepo, "deploy/app.yaml"), "kind: Deployment\nmetadata:\n  name: web\nspec:\n  replicas: 3\n");
  const allowed = gatehouse(tsRepo, "gate");
  assert.is(allowed.code, 0, allowed.out);
});

test("issue 15.6: a receipt created by promote receipt create verifies; a tampered output denies", () => {
  const run = join(tsRepo, "runs", "nightly");
  write(run, {
    "outputs/report.json": '{"rows": 3}\n',
    "outputs/summary.md": "# nightly\n",
    "watcher-registry.json": JSON.stringify({
      registryVersion: "watcher-registry.v1",
      providers: [{ id: "https://ci.example.com/runners/nightly", owner: "data@example.com", allowedOutputs: ["outputs/*"], notBefore: "2025-01-01T00:00:00Z", expires: "2099-01-01T00:00:00Z" }],
    }),
  });
  const manifest = gatehouse(run, "promote", "manifest", "create", "--run-id", "nightly-1", "--pipeline", "nightly@1.0.0", "--out", "nightly.manifest.json");
  assert.is(manifest.code, 0, manifest.out);
  const receipt = gatehouse(
    run, "promote", "receipt", "create", "outputs", "--manifest", "nightly.manifest.json", "--provider", "https://ci.example.com/runners/nightly",
    "--licence", "CC-BY-4.0", "--source", "https://example.com/data/nightly", "--attribution", "data team", "--out", "nightly.receipt.json",
  );
  assert.is(receipt.code, 0, receipt.out);
  const verified = gatehouse(run, "promote", "verify", "nightly.receipt.json", "--registry", "watcher-registry.json");
  assert.is(verified.code, 0, verified.out);
  writeFileSync(join(run, "outputs/report.json"), '{"rows": 4}\n');
  const tampered = gatehouse(run, "promote", "verify", "nightly.receipt.json", "--registry", "watcher-registry.json");
  assert.is(tampered.code, 1, tampered.out);
  assert.match(tampered.out, "promotion/digest-mismatch");
});

test("issue 15.1: a fresh Python package: init, gate allows, a removed parameter denies", () => {
  write(pyRepo, {
    "pyproject.toml": '[project]\nname = "py-lib"\nversion = "0.1.0"\n',
    "py_lib/__init__.py": 'def greet(name, greeting="hi"):\n    return f"{greeting}, {name}"\n',
    "tests/test_greet.py": "from py_lib import greet\n\n\ndef test_greet():\n    assert greet('a')\n",
  });
  git(pyRepo, "init", "-q");
  const init = gatehouse(pyRepo, "init");
  assert.is(init.code, 0, init.out);
  assert.match(init.out, "Python: py_lib/**/*.py (packages py_lib)");
  // No package.json: the workflow names the package and its version rather than whatever `gatehouse` is on the registry.
  assert.match(readFileSync(join(pyRepo, ".github/workflows/gatehouse.yml"), "utf8"), `npx --yes --package=gatehouse-cli@${pkg.version} gatehouse gate`);
  const allowed = gatehouse(pyRepo, "gate");
  assert.is(allowed.code, 0, allowed.out);
  writeFileSync(join(pyRepo, "py_lib/__init__.py"), "def greet(name):\n    return name\n");
  const denied = gatehouse(pyRepo, "gate");
  assert.is(denied.code, 1, denied.out);
  assert.match(denied.out, "py_lib/__init__.py#greet: parameter greeting was removed");
});

test.run();
