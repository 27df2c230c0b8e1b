// Issue 14, the eighth adversarial pass: conftest.toml configuring central policies, hostile
// strings in reports, duplicate keys in the formats that kept the last value, and what a fresh
// pass over the CLI found. Each case runs the real CLI in a bounded child process and failed
// open, crashed or exited 0 on an error on the main the pass started from.

import { rmSync } from "node:fs";
import { join } from "node:path";
import { test } from "uvu";
import * as assert from "uvu/assert";
import { gatehouse, repo } from "./harness.js";

const CENTRAL_MAIN = 'package main\n\ndeny contains "no name" if not input.name\n\ndeny contains "allowed by data" if { not input.name; not data.exempt }\n';
const CENTRAL_LENIENT = 'package lenient\n\nwarn contains "never" if false\n\ntest_ok if true\n';

for (const [key, line] of [
  ["namespace", 'namespace = ["lenient"]\n'],
  ["data", 'data = ["exempt.json"]\n'],
] as const) {
  test(`issue 14.4: ${key} in the repository's conftest.toml does not configure the policy --policy names (exit 2, naming the file and the key), instead of the policy judging by the repository's choice`, () => {
    const root = repo("eighthpass-config", {
      "central/main.rego": CENTRAL_MAIN,
      "central/lenient.rego": CENTRAL_LENIENT,
      "repo/in.json": '{"x": 1}\n',
      "repo/exempt.json": '{"exempt": true}\n',
      "repo/conftest.toml": line,
    });
    try {
      const cwd = join(root, "repo");
      for (const command of [["check", "--policy", "../central", "in.json"], ["check", "-c", "conftest.toml", "--policy", "../central", "in.json"], ["verify", "--policy", "../central"]]) {
        const run = gatehouse(command, cwd, { timeoutMs: 90_000 });
        assert.is(run.code, 2, `${command.join(" ")}: ${run.stdout}${run.stderr}`);
        assert.match(run.stderr, new RegExp(`conftest\\.toml: ${key} cannot be set in a configuration file`));
      }
      // The flag on the command line is the user's choice and wins over the file.
      const chosen = gatehouse(["check", "--policy", "../central", `--${key}`, key === "namespace" ? "main" : "exempt.json", "in.json"], cwd);
      assert.is(chosen.code, 1, chosen.stdout + chosen.stderr);
    } finally {
      rmSync(root, { recursive: true, force: true });
    }
  });
}

test("issue 14.4: a conftest.toml that chooses its own policy may still choose its namespace and data", () => {
  const root = repo("eighthpass-config-own", {
    "policy/main.rego": CENTRAL_MAIN,
    "policy/lenient.rego": CENTRAL_LENIENT,
    "in.json": '{"x": 1}\n',
    "conftest.toml": 'policy = "policy"\nnamespace = ["lenient"]\n',
  });
  try {
    const run = gatehouse(["check", "in.json"], root);
    assert.is(run.code, 0, run.stdout + run.stderr);
  } finally {
    rmSync(root, { recursive: true, force: true });
  }
});
