// Issue 14, the fourth adversarial pass (by someone who did not write the fixes): the code that
// landed last (conftest's parsers in the toolchain module, verify, configs, contract test facts),
// each case through the real CLI in a bounded child process. Every case here hung, crashed or
// failed open on the main the pass started from.

import { existsSync, rmSync } from "node:fs";
import { test } from "uvu";
import * as assert from "uvu/assert";
import { packagePath } from "../../src/core/paths.js";
import { codesOf, gatehouse, repo } from "./harness.js";

// A jsonnet input is a program: this one computes for minutes (a hundred million elements), and
// conftest's parser evaluates it, so without a deadline the run never ends.
const ENDLESS_JSONNET = "{a: std.length(std.makeArray(100000000, function(i) i))}\n";
const POLICY = 'package main\n\ndeny contains "x is 1" if input.x == 1\n';

for (const toolchain of ["wasm", "native"] as const) {
  const present = toolchain === "wasm" ? existsSync(packagePath("dist", "toolchain", "manifest.json")) : existsSync(packagePath(".toolchain", "bin", "conftest"));
  test(`issue 14.13: an input whose parser never finishes is refused at the --timeout budget, not waited on forever; the other inputs are still judged (${toolchain})`, () => {
    if (!present) return;
    const root = repo("fourthpass-endless", { "policy/main.rego": POLICY, "slow.jsonnet": ENDLESS_JSONNET, "a.toml": "x = 1\n", "b.toml": "x = 2\n" });
    try {
      const run = gatehouse(["check", "--policy", "policy", "--timeout", "2000", "slow.jsonnet", "a.toml", "b.toml"], root, { timeoutMs: 90_000, env: { GATEHOUSE_TOOLCHAIN: toolchain } });
      assert.not.ok(run.timedOut, "the run hung on the jsonnet input");
      assert.is(run.code, 1, run.stdout + run.stderr);
      assert.match(run.stdout, /FAIL slow\.jsonnet \[input\/unparsable\] jsonnet: the parser did not finish within 2000 ms/);
      assert.match(run.stdout, /FAIL a\.toml \[main\.deny\] x is 1/);
      assert.equal(codesOf(run.stdout), ["input/unparsable"]);
      assert.not.match(run.stdout, /b\.toml/);
    } finally {
      rmSync(root, { recursive: true, force: true });
    }
  });
}

test("issue 14.13: a policy unit test that never ends stops verify at --timeout with exit 2, instead of hanging it; a broken test still fails (exit 1)", () => {
  const root = repo("fourthpass-verify", {
    "spin/main_test.rego": "package main\n\ntest_spin if count([x | some x in numbers.range(1, 100000000)]) > 0\n",
    "broken/main.rego": 'package main\n\ndeny contains "x" if input.x == 1\n\ntest_denies if deny["x"] with input as {"x": 2}\n',
  });
  try {
    const spin = gatehouse(["verify", "--policy", "spin", "--timeout", "3000"], root, { timeoutMs: 90_000 });
    assert.not.ok(spin.timedOut, "verify hung on the endless test");
    assert.is(spin.code, 2, spin.stdout + spin.stderr);
    assert.match(spin.stderr, /did not finish within 3000 ms/);
    for (const format of ["text", "tap", "table"]) {
      const broken = gatehouse(["verify", "--policy", "broken", "-o", format, "--trace"], root, { timeoutMs: 90_000 });
      assert.is(broken.code, 1, `${format}: ${broken.stdout}${broken.stderr}`);
    }
    assert.is(gatehouse(["verify", "--policy", "broken", "--timeout", "0"], root).code, 2);
  } finally {
    rmSync(root, { recursive: true, force: true });
  }
});

test.run();
