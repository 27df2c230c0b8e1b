// Issue 14, the fourth adversarial pass (by someone who did not write the fixes): the code that
// landed last (conftest's parsers in the toolchain module, verify, configs, contract test facts),
// each case through the real CLI in a bounded child process. Every case here hung, crashed or
// failed open on the main the pass started from.

import { execFileSync } from "node:child_process";
import { existsSync, mkdirSync, rmSync, symlinkSync } from "node:fs";
import { join } from "node:path";
import { test } from "uvu";
import * as assert from "uvu/assert";
import { packagePath } from "../../src/core/paths.js";
import { codesOf, gatehouse, withRepo } from "./harness.js";

// A jsonnet input is a program: this one computes for minutes (a hundred million elements), and
// conftest's parser evaluates it, so without a deadline the run never ends.
const ENDLESS_JSONNET = "{a: std.length(std.makeArray(100000000, function(i) i))}\n";
const POLICY = 'package main\n\ndeny contains "x is 1" if input.x == 1\n';

for (const toolchain of ["wasm", "native"] as const) {
  const present = toolchain === "wasm" ? existsSync(packagePath("dist", "toolchain", "manifest.json")) : existsSync(packagePath(".toolchain", "bin", "conftest"));
  test(`issue 14.13: an input whose parser never finishes is refused at the --timeout budget, not waited on forever; the other inputs are still judged (${toolchain})`, () => {
    if (!present) return;
    withRepo("fourthpass-endless", { "policy/main.rego": POLICY, "slow.jsonnet": ENDLESS_JSONNET, "a.toml": "x = 1\n", "b.toml": "x = 2\n" }, (root) => {
      const run = gatehouse(["check", "--policy", "policy", "--timeout", "2000", "slow.jsonnet", "a.toml", "b.toml"], root, { timeoutMs: 90_000, env: { GATEHOUSE_TOOLCHAIN: toolchain } });
      assert.not.ok(run.timedOut, "the run hung on the jsonnet input");
      assert.is(run.code, 1, run.stdout + run.stderr);
      assert.match(run.stdout, /FAIL slow\.jsonnet \[input\/unparsable\] jsonnet: the parser did not finish within 2000 ms/);
      assert.match(run.stdout, /FAIL a\.toml \[main\.deny\] x is 1/);
      assert.equal(codesOf(run.stdout), ["input/unparsable"]);
      assert.not.match(run.stdout, /b\.toml/);
    });
  });
}

test("issue 14.13: a policy unit test that never ends stops verify at --timeout with exit 2, instead of hanging it; a broken test still fails (exit 1)", () => {
  withRepo("fourthpass-verify", {
    "spin/main_test.rego": "package main\n\ntest_spin if count([x | some x in numbers.range(1, 100000000)]) > 0\n",
    "broken/main.rego": 'package main\n\ndeny contains "x" if input.x == 1\n\ntest_denies if deny["x"] with input as {"x": 2}\n',
  }, (root) => {
    const spin = gatehouse(["verify", "--policy", "spin", "--timeout", "3000"], root, { timeoutMs: 90_000 });
    assert.not.ok(spin.timedOut, "verify hung on the endless test");
    assert.is(spin.code, 2, spin.stdout + spin.stderr);
    assert.match(spin.stderr, /did not finish within 3000 ms/);
    for (const format of ["text", "tap", "table"]) {
      const broken = gatehouse(["verify", "--policy", "broken", "-o", format, "--trace"], root, { timeoutMs: 90_000 });
      assert.is(broken.code, 1, `${format}: ${broken.stdout}${broken.stderr}`);
    }
    assert.is(gatehouse(["verify", "--policy", "broken", "--timeout", "0"], root).code, 2);
  });
});

// Data the policy needs, behind a name the walk used to skip because it is not a regular file.
const BLOCKLIST_POLICY = 'package main\n\ndeny contains "blocked" if input.name in data.blocked\n';
const irregular: Record<string, (path: string) => void> = {
  FIFO: (path) => execFileSync("mkfifo", [path]),
  "link to /dev/zero": (path) => symlinkSync("/dev/zero", path),
  "dangling link": (path) => symlinkSync("gone.json", path),
};

for (const [kind, make] of Object.entries(irregular)) {
  test(`issue 14.12: a --data directory whose data file is a ${kind} is refused (exit 2), not skipped so the policy allows (check and verify)`, () => {
    withRepo("fourthpass-data", { "policy/main.rego": BLOCKLIST_POLICY, "in.json": '{"name": "evil"}' }, (root) => {
      mkdirSync(join(root, "data"));
      make(join(root, "data", "blocked.json"));
      const check = gatehouse(["check", "--policy", "policy", "--data", "data", "in.json"], root);
      assert.not.ok(check.timedOut);
      assert.is(check.code, 2, check.stdout + check.stderr);
      assert.match(check.stderr, /data\/blocked\.json/);
      const verify = gatehouse(["verify", "--policy", "policy", "--data", "data", "--timeout", "20000"], root);
      assert.not.ok(verify.timedOut, "verify hung");
      assert.is(verify.code, 2, verify.stdout + verify.stderr);
    });
  });

  test(`issue 14.12: a policy source that is a ${kind} is refused (exit 2), not dropped from the policy; an input in a walked directory that is one denies (input/unreadable)`, () => {
    withRepo("fourthpass-policy", { "policy/main.rego": POLICY, "a.toml": "x = 1\n", "inputs/ok.json": "{}" }, (root) => {
      make(join(root, "policy", "extra.rego"));
      for (const input of ["a.toml", "inputs/ok.json"]) {
        const check = gatehouse(["check", "--policy", "policy", input], root, { timeoutMs: 90_000 });
        assert.not.ok(check.timedOut);
        assert.is(check.code, 2, `${input}: ${check.stdout}${check.stderr}`);
        assert.match(check.stderr, /extra\.rego: cannot read the policy source/);
      }
      const verify = gatehouse(["verify", "--policy", "policy", "--timeout", "20000"], root);
      assert.not.ok(verify.timedOut, "verify hung");
      assert.is(verify.code, 2, verify.stdout + verify.stderr);
      rmSync(join(root, "policy", "extra.rego"));
      make(join(root, "inputs", "deploy.json"));
      const walk = gatehouse(["check", "--policy", "policy", "inputs"], root);
      assert.is(walk.code, 1, walk.stdout + walk.stderr);
      assert.match(walk.stdout, /FAIL inputs\/deploy\.json \[input\/unreadable\]/);
    });
  });
}

test("issue 14.1: a policy that does not compile exits 2 with its error when conftest-format inputs are being parsed (was an unhandled rejection: a stack trace and exit 1)", () => {
  withRepo("fourthpass-broken-policy", { "policy/main.rego": 'package main\n\ndeny contains "x" if {\n', "a.toml": "x = 1\n", "Dockerfile": "FROM alpine\n" }, (root) => {
    const run = gatehouse(["check", "--policy", "policy", "a.toml", "Dockerfile"], root, { timeoutMs: 90_000 });
    assert.is(run.code, 2, run.stdout + run.stderr);
    assert.match(run.stderr, /^ERROR ToolchainError: .*rego_parse_error/ms);
    assert.not.match(run.stderr, /Node\.js v|at .*\.js:\d+/);
  });
});

test.run();
