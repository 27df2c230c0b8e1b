#!/usr/bin/env node
// The whole test suite, one command (`npm test`): TypeScript unit/integration tests (uvu),
// Rego tests (`opa test`), the Rego linter (`regal lint`), the fixture regression suites
// (`gatehouse fixtures`), the shipped-bundle freshness check and OPA's compliance cases against
// their baseline (`npm run compliance`, a few minutes; one result per case). Builds the pinned
// toolchain first when it is missing. Ends with one line: `N passed, N failed`.

import { spawnSync } from "node:child_process";
import { existsSync, mkdtempSync, readFileSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";

const root = new URL("..", import.meta.url).pathname;
const bin = join(root, ".toolchain", "bin");
let passed = 0;
let failed = 0;

function run(cmd, args, options = {}) {
  const result = spawnSync(cmd, args, { cwd: root, encoding: "utf8", maxBuffer: 256 * 1024 * 1024, ...options });
  const out = `${result.stdout ?? ""}${result.stderr ?? ""}`;
  return { code: result.status ?? 1, out };
}

function section(title) {
  process.stdout.write(`\n=== ${title}\n`);
}

// 0. Toolchain (idempotent): the native tools and the wasm module (dist/toolchain).
if (!["opa", "regal", "conftest"].every((t) => existsSync(join(bin, t))) || !existsSync(join(root, "dist", "toolchain", "manifest.json"))) {
  section("toolchain (npm run toolchain)");
  const r = run("bash", ["scripts/toolchain.sh"], { stdio: "inherit" });
  if (r.code !== 0) {
    console.log("toolchain build failed");
    failed++;
  }
}

// 1. uvu suites (compiled to dist/test).
section("uvu");
const filter = process.argv[2];
{
  // The conftest parity suite (test/conftest-examples.test.ts) takes minutes: it runs when named
  // (`npm run parity`) or with GATEHOUSE_PARITY=1 (.ci/run), not in every local `npm test`.
  const pattern = filter ? `${filter}.*\\.test\\.js$` : process.env.GATEHOUSE_PARITY === "1" ? "\\.test\\.js$" : "^(?!conftest-examples\\.).*\\.test\\.js$";
  const r = run(process.execPath, [join(root, "node_modules", "uvu", "bin.js"), "dist/test", pattern], {
    env: { ...process.env, FORCE_COLOR: "0" },
  });
  process.stdout.write(r.out);
  const total = Number(/Total:\s+(\d+)/.exec(r.out)?.[1] ?? 0);
  const ok = Number(/Passed:\s+(\d+)/.exec(r.out)?.[1] ?? 0);
  passed += ok;
  failed += total - ok;
  if (r.code !== 0 && total === ok) failed++; // a crash outside any test still fails the run
}

if (!filter) {
  // 2. opa test: one result per Rego test.
  section("opa test policy/");
  {
    const r = run(join(bin, "opa"), ["test", "--format", "json", "policy"]);
    try {
      const results = JSON.parse(r.out.slice(r.out.indexOf("[")));
      for (const t of results) {
        if (t.fail || t.error) {
          failed++;
          console.log(`FAIL ${t.package}.${t.name} (${t.location?.file}:${t.location?.row})`);
        } else passed++;
      }
      console.log(`${results.length} Rego tests`);
    } catch {
      console.log(r.out);
      failed++;
    }
  }

  // 3. regal lint: the linter passing counts as one check.
  section("regal lint policy/");
  {
    const r = run(join(bin, "regal"), ["lint", "policy"]);
    process.stdout.write(r.out.split("\n").slice(-3).join("\n"));
    if (r.code === 0) passed++;
    else {
      process.stdout.write(r.out);
      failed++;
    }
  }

  // 4. fixture regression suites through the shipped bundle: one result per case.
  section("gatehouse fixtures");
  {
    const r = run(process.execPath, ["bin/gatehouse.js", "fixtures"]);
    process.stdout.write(r.out);
    const m = /fixtures: (\d+) passed, (\d+) failed/.exec(r.out);
    if (m) {
      passed += Number(m[1]);
      failed += Number(m[2]);
    } else failed++;
  }

  // 5. The shipped bundle must be what `gatehouse build` produces from policy/ today.
  section("shipped bundle is fresh");
  {
    const tmp = mkdtempSync(join(tmpdir(), "gatehouse-bundle-"));
    const r = run(process.execPath, ["bin/gatehouse.js", "build", "--out", join(tmp, "bundle")]);
    const fresh = r.code === 0 && readFileSync(join(tmp, "bundle", "policy.wasm")).equals(readFileSync(join(root, "bundle", "policy.wasm")));
    const shipped = JSON.parse(readFileSync(join(root, "bundle", "manifest.json"), "utf8"));
    const rebuilt = r.code === 0 ? JSON.parse(readFileSync(join(tmp, "bundle", "manifest.json"), "utf8")) : {};
    const sameManifest = JSON.stringify({ ...shipped, sourceRoot: "" }) === JSON.stringify({ ...rebuilt, sourceRoot: "" });
    rmSync(tmp, { recursive: true, force: true });
    if (fresh && sameManifest) {
      passed++;
      console.log("bundle/ matches a fresh build of policy/");
    } else {
      failed++;
      console.log(`bundle/ is stale: run \`npm run policy:build\` and commit bundle/\n${r.out}`);
    }
  }
}

if (!filter) {
  // 6. OPA's compliance cases through gatehouse beside opa eval (scripts/compliance.ts): each case
  // against its class in test/builtins/compliance-baseline.json.
  section("OPA compliance cases (npm run compliance)");
  {
    const r = run(process.execPath, ["dist/scripts/compliance.js"]);
    process.stdout.write(r.out.split("\n").filter((line) => !line.startsWith("    ")).join("\n"));
    const m = /compliance: (\d+) passed, (\d+) failed/.exec(r.out);
    if (m) {
      passed += Number(m[1]);
      failed += Number(m[2]);
    } else failed++;
  }
}

console.log(`\n${passed} passed, ${failed} failed`);
process.exitCode = failed > 0 ? 1 : 0;
