// Issue 14, the eighth adversarial pass: conftest.toml configuring central policies, hostile
// strings in reports, duplicate keys in the formats that kept the last value, and what a fresh
// pass over the CLI found. Each case runs the real CLI in a bounded child process and failed
// open, crashed or exited 0 on an error on the main the pass started from.

import { mkdirSync, rmSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { test } from "uvu";
import * as assert from "uvu/assert";
import { failLinesOf, gatehouse, withRepo } from "./harness.js";

const CENTRAL_MAIN = 'package main\n\ndeny contains "no name" if not input.name\n\ndeny contains "allowed by data" if { not input.name; not data.exempt }\n';
const CENTRAL_LENIENT = 'package lenient\n\nwarn contains "never" if false\n\ntest_ok if true\n';

for (const [key, line] of [
  ["namespace", 'namespace = ["lenient"]\n'],
  ["data", 'data = ["exempt.json"]\n'],
] as const) {
  test(`issue 14.4: ${key} in the repository's conftest.toml does not configure the policy --policy names (exit 2, naming the file and the key), instead of the policy judging by the repository's choice`, () => {
    withRepo("eighthpass-config", {
      "central/main.rego": CENTRAL_MAIN,
      "central/lenient.rego": CENTRAL_LENIENT,
      "repo/in.json": '{"x": 1}\n',
      "repo/exempt.json": '{"exempt": true}\n',
      "repo/conftest.toml": line,
    }, (root) => {
      const cwd = join(root, "repo");
      for (const command of [["check", "--policy", "../central", "in.json"], ["verify", "--policy", "../central"]]) {
        const run = gatehouse(command, cwd, { timeoutMs: 90_000 });
        assert.is(run.code, 2, `${command.join(" ")}: ${run.stdout}${run.stderr}`);
        assert.match(run.stderr, new RegExp(`conftest\\.toml: ${key} cannot be set in a configuration file`));
      }
      // A file named with -c is the command line's choice of settings (conftest's acceptance
      // "picking up settings from config-file flag"): it configures the policy --policy names.
      const named = gatehouse(["check", "-c", "conftest.toml", "--policy", "../central", "in.json"], cwd, { timeoutMs: 90_000 });
      assert.is(named.code, key === "namespace" ? 0 : 1, named.stdout + named.stderr);
      // The flag on the command line is the user's choice and wins over the file.
      const chosen = gatehouse(["check", "--policy", "../central", `--${key}`, key === "namespace" ? "main" : "exempt.json", "in.json"], cwd);
      assert.is(chosen.code, 1, chosen.stdout + chosen.stderr);
    });
  });
}

test("issue 14.4: a conftest.toml that chooses its own policy may still choose its namespace and data", () => {
  withRepo("eighthpass-config-own", {
    "policy/main.rego": CENTRAL_MAIN,
    "policy/lenient.rego": CENTRAL_LENIENT,
    "in.json": '{"x": 1}\n',
    "conftest.toml": 'policy = "policy"\nnamespace = ["lenient"]\n',
  }, (root) => {
    const run = gatehouse(["check", "in.json"], root);
    assert.is(run.code, 0, run.stdout + run.stderr);
  });
});

const ECHO_INPUT = 'package main\n\ndeny contains sprintf("%v", [input]) if true\n';

test("issue 14.1: an EDN map, an HCL 1 object, a dotenv or a properties file that sets a key twice is refused (input/unparsable, naming the key), not judged by the last value conftest's parser keeps", () => {
  withRepo("eighthpass-repeated-keys", {
    "policy/main.rego": ECHO_INPUT,
    "top.edn": "{:privileged false :privileged true}\n",
    "nested.edn": '{:spec {:containers [{:name "a" :image "x" :image "y"}]}}\n',
    "top.hcl1": "privileged = false\nprivileged = true\n",
    "nested.hcl1": "spec {\n  image = \"x\"\n  image = \"y\"\n}\n",
    "list.hcl1": "containers = [{ image = \"x\", image = \"y\" }]\n",
    "app.env": "DEBUG=false\nexport DEBUG=true\n",
    "thrice.env": "DEBUG=false\nDEBUG=true\nDEBUG=true\n",
    "app.properties": "debug=false\ndebu\\u0067 = true\n",
    // Siblings that are not repeats: distinct keys; an HCL 1 block given twice is kept as a list.
    "distinct.edn": '{:a 1 :b {:a 2} "c" [{:a 3} {:a 4}]}\n',
    "blocks.hcl1": 'resource "x" { v = 1 }\nresource "x" { v = 2 }\n',
    // A line that only looks like a key (inside a quoted or continued value), or a key set twice
    // to one value, is no repeat.
    "quoted.env": 'DEBUG=false\nNOTE="two\nDEBUG=true\nlines"\nSAME=1\nSAME=1\n',
    "continued.properties": "note=one \\\n  debug=true\ndebug=false\n",
  }, (root) => {
    const expected: Record<string, string> = {
      "top.edn": '"/:privileged"',
      "nested.edn": '"/:spec/:containers/0/:image"',
      "top.hcl1": '"/privileged"',
      "nested.hcl1": '"/spec/image"',
      "list.hcl1": '"/containers/0/image"',
      "app.env": '"DEBUG"',
      "thrice.env": '"DEBUG"',
      "app.properties": '"debug"',
    };
    const refusedFiles = Object.keys(expected);
    const keptFiles = ["distinct.edn", "blocks.hcl1", "quoted.env", "continued.properties"];
    // One run over every file: each is judged on its own.
    const run = gatehouse(["check", "--policy", "policy", ...refusedFiles, ...keptFiles], root, { timeoutMs: 90_000 });
    assert.is(run.code, 1, run.stdout + run.stderr);
    const linesOf = (file: string) => failLinesOf(run.stdout).filter((line) => line.startsWith(`FAIL ${file} `));
    for (const [file, key] of Object.entries(expected)) {
      const lines = linesOf(file);
      assert.is(lines.length, 1, `${file}: ${run.stdout}`);
      assert.ok(lines[0]!.includes("[input/unparsable]") && lines[0]!.includes(`${key} set more than once`), `${file}: ${lines[0]}`);
    }
    for (const file of keptFiles) {
      const lines = linesOf(file);
      assert.is(lines.length, 1, `${file}: ${run.stdout}`);
      assert.match(lines[0]!, "[main.deny]", file);
    }
  });
});

test("issue 14.12: a directory walk that meets a name that is not valid UTF-8 (a directory, a claimed file) stops with exit 2 naming it escaped, instead of dropping its inputs unseen; an unclaimed one is left out as before", () => {
  withRepo("eighthpass-utf8-names", { "policy/main.rego": ECHO_INPUT, "inputs/ok.json": "{}\n" }, (root) => {
    const inputs = join(root, "inputs");
    const subdir = Buffer.concat([Buffer.from(join(inputs, "sub")), Buffer.from([0xff])]);
    mkdirSync(subdir);
    writeFileSync(Buffer.concat([subdir, Buffer.from("/in.json")]), '{"x": 1}\n');
    const run = gatehouse(["check", "--policy", "policy", "inputs"], root);
    assert.is(run.code, 2, run.stdout + run.stderr);
    assert.match(run.stderr, "sub\\xFF: the name is not valid UTF-8");
    rmSync(subdir, { recursive: true });
    writeFileSync(Buffer.concat([Buffer.from(join(inputs, "bad")), Buffer.from([0xfe]), Buffer.from(".json")]), "{}\n");
    const file = gatehouse(["check", "--policy", "policy", "inputs"], root);
    assert.is(file.code, 2, file.stdout + file.stderr);
    assert.match(file.stderr, "bad\\xFE.json: the name is not valid UTF-8");
    // Named on the command line (Node shows the byte as U+FFFD): exit 2 saying why it is not found.
    const named = gatehouse(["check", "--policy", "policy", "inputs/bad\uFFFD.json"], root);
    assert.is(named.code, 2, named.stdout + named.stderr);
    assert.match(named.stderr, "not valid UTF-8 cannot be named");
    rmSync(inputs, { recursive: true });
    mkdirSync(inputs);
    writeFileSync(join(inputs, "ok.json"), "{}\n");
    writeFileSync(Buffer.concat([Buffer.from(join(inputs, "notes")), Buffer.from([0xff]), Buffer.from(".txt")]), "x\n");
    const unclaimed = gatehouse(["check", "--policy", "policy", "inputs"], root);
    assert.is(unclaimed.code, 1, unclaimed.stdout + unclaimed.stderr);
    assert.match(unclaimed.stdout, "1 input,");
  });
});

test("issue 14.12: the files collector's walk (fast-glob) meeting a directory whose name is not valid UTF-8 stops the gate with exit 2 naming it, instead of allowing without the files under it", () => {
  withRepo("eighthpass-utf8-glob", {
    "gatehouse.config.yaml": 'version: 1\ncollectors:\n  files:\n    - glob: "deploy/**/*.yaml"\n      namespace: main\npolicies:\n  - path: policy\n    namespaces: [main]\n',
    "policy/main.rego": 'package main\n\ndeny contains "bad is set" if input.bad\n',
    "deploy/ok.yaml": "bad: false\n",
  }, (root) => {
    const subdir = Buffer.concat([Buffer.from(join(root, "deploy", "prod")), Buffer.from([0xff])]);
    mkdirSync(subdir);
    writeFileSync(Buffer.concat([subdir, Buffer.from("/app.yaml")]), "bad: true\n");
    const run = gatehouse(["gate"], root, { timeoutMs: 90_000 });
    assert.is(run.code, 2, run.stdout + run.stderr);
    assert.match(run.stderr, "deploy/prod\\xFF: the name is not valid UTF-8");
  });
});

test.run();
