// The rule scaffold creates a rule, its test and a fixture that compile but FAIL until written.

import { spawnSync } from "node:child_process";
import { cpSync, existsSync, mkdirSync, mkdtempSync, readFileSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { test } from "uvu";
import * as assert from "uvu/assert";
import { packagePath } from "../src/core/paths.js";
import { findTool } from "../src/toolchain/native.js";

test("new-rule scaffolds rule + test + fixture; the scaffolded test fails until the rule is written", () => {
  const root = mkdtempSync(join(tmpdir(), "gatehouse-scaffold-"));
  try {
    mkdirSync(join(root, "scripts"));
    mkdirSync(join(root, "src", "schemas"), { recursive: true });
    cpSync(packagePath("scripts", "new-rule.mjs"), join(root, "scripts", "new-rule.mjs"));
    cpSync(packagePath("src", "schemas", "kinds.ts"), join(root, "src", "schemas", "kinds.ts"));
    cpSync(packagePath("policy", "lib"), join(root, "policy", "lib"), { recursive: true });
    const scaffold = (...args: string[]) => spawnSync(process.execPath, [join(root, "scripts", "new-rule.mjs"), ...args], { encoding: "utf8" });

    const r = scaffold("schemas", "example_rule", "--kind", "json-schema", "--code", "schemas/example", "--title", "An example");
    assert.is(r.status, 0, r.stderr);
    assert.ok(existsSync(join(root, "policy", "schemas", "example_rule", "example_rule.rego")));
    assert.ok(existsSync(join(root, "policy", "schemas", "example_rule", "example_rule_test.rego")));
    const fixture = JSON.parse(readFileSync(join(root, "fixtures", "json-schema", "example-rule.json"), "utf8"));
    assert.equal(fixture.tests[0].codes, ["schemas/example"]);

    const opa = findTool("opa");
    assert.is(spawnSync(opa, ["check", "--strict", join(root, "policy")]).status, 0, "scaffold compiles under opa check --strict");
    const tested = spawnSync(opa, ["test", join(root, "policy")], { encoding: "utf8" });
    assert.is.not(tested.status, 0, "the scaffolded fail test must fail until the rule is written");
    assert.match(tested.stdout, /test_fail_example_rule: FAIL/);

    const again = scaffold("schemas", "example_rule", "--kind", "json-schema", "--code", "schemas/example", "--title", "An example");
    assert.is(again.status, 2, "refuses to overwrite");
    const badKind = scaffold("schemas", "other", "--kind", "nope", "--code", "schemas/other", "--title", "x");
    assert.is(badKind.status, 2);
    assert.match(badKind.stderr, /unknown kind nope/);
  } finally {
    rmSync(root, { recursive: true, force: true });
  }
});

test.run();
