// Issue 14, twelfth pass (inputs and the conftest-compatible CLI): regressions for the holes this
// pass found, each compared with conftest 0.71.1 (.toolchain/bin/conftest).

import { execFileSync } from "node:child_process";
import { mkdirSync, rmSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { test } from "uvu";
import * as assert from "uvu/assert";
import { failLinesOf, gatehouse, withRepo } from "./harness.js";

const POLICY = [
  "package main",
  "import rego.v1",
  'deny contains "bad input" if { input.bad }',
  'deny contains "proto data" if { data["__proto__"].evil == 1 }',
  'deny contains "constructor data" if { data.constructor == 1 }',
  "",
].join("\n");

test("issue 14 (twelfth pass): a --data directory or key named __proto__ is data like any other: it was merged into Object.prototype (a `fail: false` there made a denial exit 0) and dropped from data; `constructor` was refused as set twice", () => {
  withRepo(
    "rt12-data-proto",
    {
      "policy/p.rego": POLICY,
      "in.json": '{"bad": true}\n',
      // A directory named __proto__ under the data directory: data.__proto__.fail = false.
      "data/__proto__/x.yaml": "fail: false\n",
      "proto.json": '{"__proto__": {"evil": 1}}\n',
      "constructor.json": '{"constructor": 1}\n',
      // Repository content alone: conftest.toml naming the data directory (no --policy given).
      "repo/conftest.toml": 'data = ["../data"]\npolicy = ["../policy"]\n',
    },
    (dir) => {
      const byDir = gatehouse(["check", "-d", "data", "in.json"], dir);
      assert.is(byDir.code, 1, byDir.stdout + byDir.stderr);
      assert.equal(failLinesOf(byDir.stdout), ["FAIL in.json [main.deny] bad input"]);
      const byConfig = gatehouse(["check", "../in.json"], `${dir}/repo`);
      assert.is(byConfig.code, 1, byConfig.stdout + byConfig.stderr);
      assert.equal(failLinesOf(byConfig.stdout).map((line) => line.replace(/^FAIL \S+ /, "")), ["[main.deny] bad input"]);
      // The key reaches the policy as conftest's data.__proto__, and Object.prototype is untouched.
      const byKey = gatehouse(["check", "-d", "proto.json", "-d", "data", "in.json"], dir);
      assert.is(byKey.code, 1, byKey.stdout + byKey.stderr);
      assert.equal(failLinesOf(byKey.stdout), ["FAIL in.json [main.deny] bad input", "FAIL in.json [main.deny] proto data"]);
      const ctor = gatehouse(["check", "-d", "constructor.json", "in.json"], dir);
      assert.is(ctor.code, 1, ctor.stdout + ctor.stderr);
      assert.equal(failLinesOf(ctor.stdout), ["FAIL in.json [main.deny] bad input", "FAIL in.json [main.deny] constructor data"]);
    },
  );
});

test("issue 14 (twelfth pass): `gatehouse parse` prints a __proto__ key as conftest parse does (it printed {} for the document policies see as {__proto__: ...})", () => {
  withRepo("rt12-parse-proto", { "p.json": '{"a": {"__proto__": {"evil": 1}}}\n' }, (dir) => {
    const r = gatehouse(["parse", "p.json"], dir);
    assert.is(r.code, 0, r.stderr);
    assert.equal(JSON.parse(r.stdout), JSON.parse('{"a": {"__proto__": {"evil": 1}}}'));
    assert.match(r.stdout, /"__proto__": \{\n\s+"evil": 1/);
  });
});


test("issue 14 (twelfth pass): `check DIR` walks dot files, dot directories and node_modules as conftest does (.github/workflows/ci.yml, .gitlab-ci.yml, .env and node_modules/**/x.json were skipped: ALLOW where conftest denies)", () => {
  withRepo(
    "rt12-walk-dot",
    {
      "policy/p.rego": ["package main", "import rego.v1", 'deny contains sprintf("bad %v", [input.bad]) if { input.bad }', 'deny contains "env secret" if { input.SECRET }', ""].join("\n"),
      "cfg/.github/workflows/ci.yml": "bad: workflow\n",
      "cfg/.gitlab-ci.yml": "bad: dotfile\n",
      "cfg/.env": "SECRET=1\n",
      "cfg/node_modules/x/a.json": '{"bad": "node_modules"}\n',
      "cfg/ok.yaml": "ok: 1\n",
    },
    (dir) => {
      const r = gatehouse(["check", "cfg"], dir);
      assert.is(r.code, 1, r.stdout + r.stderr);
      assert.equal(failLinesOf(r.stdout), [
        "FAIL cfg/.env [main.deny] env secret",
        "FAIL cfg/.github/workflows/ci.yml [main.deny] bad workflow",
        "FAIL cfg/.gitlab-ci.yml [main.deny] bad dotfile",
        "FAIL cfg/node_modules/x/a.json [main.deny] bad node_modules",
      ]);
      const parsed = gatehouse(["parse", "cfg"], dir);
      assert.is(parsed.code, 0, parsed.stderr);
      assert.equal(Object.keys(JSON.parse(parsed.stdout)).sort(), ["cfg/.env", "cfg/.github/workflows/ci.yml", "cfg/.gitlab-ci.yml", "cfg/node_modules/x/a.json", "cfg/ok.yaml"]);
    },
  );
});

test("issue 14 (twelfth pass): --data DIR loads dot files, dot directories and node_modules as conftest (OPA's loader) does; they were left out of data, so a deny on them never fired", () => {
  withRepo(
    "rt12-data-dot",
    {
      "policy/p.rego": ["package main", "import rego.v1", 'deny contains "data y" if { input.ok; data.y == 2 }', 'deny contains "data hidden" if { input.ok; data[".hidden"].x == 1 }', 'deny contains "data nm" if { input.ok; data.node_modules.z == 3 }', ""].join("\n"),
      "data/.hidden/a.yaml": "x: 1\n",
      "data/.top.yaml": "y: 2\n",
      "data/node_modules/n.json": '{"z": 3}\n',
      "in.yaml": "ok: 1\n",
    },
    (dir) => {
      const r = gatehouse(["check", "-d", "data", "in.yaml"], dir);
      assert.is(r.code, 1, r.stdout + r.stderr);
      assert.equal(failLinesOf(r.stdout), ["FAIL in.yaml [main.deny] data hidden", "FAIL in.yaml [main.deny] data nm", "FAIL in.yaml [main.deny] data y"]);
    },
  );
});

test("issue 14 (twelfth pass): a policy source in a dot directory is hashed with the others: added after a first run, its deny is evaluated (the compile cache served the bundle built without it: ALLOW), and a FIFO there is refused (check and verify hung)", () => {
  withRepo(
    "rt12-policy-dot",
    {
      "policy/p.rego": ["package main", "import rego.v1", 'deny contains "x" if { input.x }', ""].join("\n"),
      "policy/p_test.rego": ["package main", "import rego.v1", 'test_x if { deny["x"] with input as {"x": true} }', ""].join("\n"),
      "in.json": '{"y": true}\n',
    },
    (dir) => {
      const first = gatehouse(["check", "in.json"], dir);
      assert.is(first.code, 0, first.stdout + first.stderr);
      mkdirSync(join(dir, "policy", ".x"));
      writeFileSync(join(dir, "policy", ".x", "h.rego"), ["package main", "import rego.v1", 'deny contains "hidden rule" if { input.y }', ""].join("\n"));
      const second = gatehouse(["check", "in.json"], dir);
      assert.is(second.code, 1, second.stdout + second.stderr);
      assert.equal(failLinesOf(second.stdout), ["FAIL in.json [main.deny] hidden rule"]);
      rmSync(join(dir, "policy", ".x", "h.rego"));
      execFileSync("mkfifo", [join(dir, "policy", ".x", "a.rego")]);
      const fifo = gatehouse(["check", "in.json"], dir, { timeoutMs: 20_000 });
      assert.is(fifo.timedOut, false, "check hung on the FIFO");
      assert.is(fifo.code, 2, fifo.stdout + fifo.stderr);
      assert.match(fifo.stderr, /policy\/\.x\/a\.rego: cannot read the policy source: a FIFO, not a regular file/);
      const verify = gatehouse(["verify"], dir, { timeoutMs: 20_000 });
      assert.is(verify.timedOut, false, "verify hung on the FIFO");
      assert.is(verify.code, 2, verify.stdout + verify.stderr);
      assert.match(verify.stderr, /policy\/\.x\/a\.rego: a FIFO, not a regular file: verify loads only regular files/);
      rmSync(join(dir, "policy", ".x", "a.rego"));
      mkdirSync(join(dir, "data", ".y"), { recursive: true });
      execFileSync("mkfifo", [join(dir, "data", ".y", "d.json")]);
      const data = gatehouse(["verify", "-d", "data"], dir, { timeoutMs: 20_000 });
      assert.is(data.timedOut, false, "verify hung on the FIFO");
      assert.is(data.code, 2, data.stdout + data.stderr);
      assert.match(data.stderr, /data\/\.y\/d\.json: a FIFO, not a regular file: verify loads only regular files/);
    },
  );
});

test("issue 14 (twelfth pass): a conftest.<ext> viper finds but cannot decode (hcl, ini, env, properties...) is refused naming it, as conftest fails on it; it was ignored, so its all-namespaces left a denying package out (exit 0)", () => {
  withRepo(
    "rt12-viper-ext",
    {
      "policy/o.rego": ["package other", "import rego.v1", 'deny contains "other ns" if { input.x }', ""].join("\n"),
      "policy/m.rego": ["package main", "import rego.v1", 'warn contains "w" if { input.x }', ""].join("\n"),
      "in.json": '{"x": 1}\n',
    },
    (dir) => {
      for (const name of ["conftest.hcl", "conftest.ini", "conftest.env", "conftest.properties", "conftest.tfvars", "conftest.dotenv", "conftest.props", "conftest.prop"]) {
        writeFileSync(join(dir, name), "all-namespaces = true\n");
        const r = gatehouse(["check", "in.json"], dir);
        rmSync(join(dir, name));
        assert.is(r.code, 2, `${name}: ${r.stdout}${r.stderr}`);
        assert.match(r.stderr, `${name}: a configuration file must be .json, .toml, .yaml, .yml (conftest cannot decode this format either)`);
      }
      writeFileSync(join(dir, "settings.hcl"), "all-namespaces = true\n");
      const named = gatehouse(["check", "-c", "settings.hcl", "in.json"], dir);
      assert.is(named.code, 2, named.stdout + named.stderr);
      assert.match(named.stderr, "settings.hcl: a configuration file must be");
      // viper's order: conftest.yaml comes before conftest.hcl, and is the one read.
      writeFileSync(join(dir, "conftest.hcl"), "all-namespaces = true\n");
      writeFileSync(join(dir, "conftest.yaml"), "all-namespaces: true\n");
      const yaml = gatehouse(["check", "in.json"], dir);
      assert.is(yaml.code, 1, yaml.stdout + yaml.stderr);
      assert.equal(failLinesOf(yaml.stdout), ["FAIL in.json [other.deny] other ns"]);
    },
  );
});

test("issue 14 (twelfth pass): a boolean flag's `=VALUE` other than true/false is a usage error; yargs read it as false, so --fail=yes (or a file named --fail=x.json that `check *` expands to) was --no-fail and --fail-on-warn=1 was off", () => {
  withRepo(
    "rt12-bool-values",
    {
      "policy/p.rego": ["package main", "import rego.v1", 'deny contains "bad" if { input.bad }', 'warn contains "w" if { input.warn }', ""].join("\n"),
      "bad.json": '{"bad": 1}\n',
      "warn.json": '{"warn": 1}\n',
      "--fail=false.json": "{}\n",
    },
    (dir) => {
      for (const [args, flag, value] of [
        [["--fail=yes", "bad.json"], "fail", "yes"],
        [["--fail=true.json", "bad.json"], "fail", "true.json"],
        [["--fail=false.json", "bad.json"], "fail", "false.json"],
        [["--fail-on-warn=1", "warn.json"], "fail-on-warn", "1"],
        [["--failOnWarn=yes", "warn.json"], "fail-on-warn", "yes"],
        [["--all-namespaces=1", "bad.json"], "all-namespaces", "1"],
      ] as const) {
        const r = gatehouse(["check", ...args], dir);
        assert.is(r.code, 2, `${args.join(" ")}: ${r.stdout}${r.stderr}`);
        assert.match(r.stderr, `--${flag} is true or false, not ${JSON.stringify(value)}`);
      }
      // true and false still work, and a file named like a flag is an operand after --.
      assert.is(gatehouse(["check", "--fail=false", "bad.json"], dir).code, 0);
      assert.is(gatehouse(["check", "--fail-on-warn=true", "warn.json"], dir).code, 1);
      const operand = gatehouse(["check", "--", "--fail=false.json", "bad.json"], dir);
      assert.is(operand.code, 1, operand.stdout + operand.stderr);
      assert.equal(failLinesOf(operand.stdout), ["FAIL bad.json [main.deny] bad"]);
      assert.match(operand.stdout, /^2 inputs,/m);
    },
  );
});

test("issue 14 (twelfth pass): operands after -- are inputs, as in conftest; they were dropped (`check ok.json -- bad.json` evaluated ok.json alone and allowed, `check -- -x.json` had no inputs, `parse ok.json -- -x.json` printed ok.json alone)", () => {
  withRepo(
    "rt12-double-dash",
    {
      "policy/p.rego": ["package main", "import rego.v1", 'deny contains "bad" if { input.bad }', ""].join("\n"),
      "ok.json": "{}\n",
      "bad.json": '{"bad": 1}\n',
      "-x.json": '{"bad": 2}\n',
    },
    (dir) => {
      const after = gatehouse(["check", "ok.json", "--", "bad.json"], dir);
      assert.is(after.code, 1, after.stdout + after.stderr);
      assert.equal(failLinesOf(after.stdout), ["FAIL bad.json [main.deny] bad"]);
      const dash = gatehouse(["check", "--", "-x.json"], dir);
      assert.is(dash.code, 1, dash.stdout + dash.stderr);
      assert.equal(failLinesOf(dash.stdout), ["FAIL -x.json [main.deny] bad"]);
      const parsed = gatehouse(["parse", "ok.json", "--", "-x.json"], dir);
      assert.is(parsed.code, 0, parsed.stderr);
      assert.equal(JSON.parse(parsed.stdout), { "-x.json": { bad: 2 }, "ok.json": {} });
      // A command without a list of operands refuses them instead of dropping them.
      const none = gatehouse(["ledger", "verify", "--", "x"], dir);
      assert.is(none.code, 2, none.stdout + none.stderr);
      assert.match(none.stderr, 'unexpected arguments after --: "x" (this command takes no list of files)');
    },
  );
});

test("issue 14 (twelfth pass): a deny, violation or warn rule in a *_test.rego file is refused naming it (conftest test evaluates it; the build left test files out, so it allowed what conftest denies), also when it appears after a cached run", () => {
  withRepo(
    "rt12-test-file-deny",
    {
      "policy/p.rego": ["package main", "import rego.v1", 'deny contains "x" if { input.x }', ""].join("\n"),
      "policy/p_test.rego": ["package main", "import rego.v1", 'test_x if { deny["x"] with input as {"x": true} }', ""].join("\n"),
      "in.json": '{"y": true}\n',
    },
    (dir) => {
      const first = gatehouse(["check", "in.json"], dir);
      assert.is(first.code, 0, first.stdout + first.stderr);
      writeFileSync(join(dir, "policy", "p_test.rego"), ["package main", "import rego.v1", 'test_x if { deny["x"] with input as {"x": true} }', 'deny contains "from the test file" if { input.y }', ""].join("\n"));
      const second = gatehouse(["check", "in.json"], dir);
      assert.is(second.code, 2, second.stdout + second.stderr);
      assert.match(second.stderr, "policy/p_test.rego: main.deny is defined in a test file: conftest test evaluates it, and gatehouse builds no *_test.rego file");
    },
  );
});

test("issue 14 (twelfth pass): a --data file named with another extension (allowed.txt) is refused: conftest filters it out of data and denies, gatehouse read its allow-list and allowed", () => {
  withRepo(
    "rt12-data-ext",
    {
      "policy/p.rego": ["package main", "import rego.v1", 'deny contains "not allowed" if { not data.allowed[input.name] }', ""].join("\n"),
      "policy/p_test.rego": ["package main", "import rego.v1", 'test_x if { count(deny) == 0 with input as {"name": "evil"} }', ""].join("\n"),
      "in.json": '{"name": "evil"}\n',
      "allowed.txt": '{"allowed": {"evil": true}}\n',
      "allowed.JSON": '{"allowed": {"evil": true}}\n',
    },
    (dir) => {
      for (const command of ["check", "verify"]) {
        const r = gatehouse([command, "-d", "allowed.txt", ...(command === "check" ? ["in.json"] : [])], dir);
        assert.is(r.code, 2, `${command}: ${r.stdout}${r.stderr}`);
        assert.match(r.stderr, "allowed.txt: a --data file must be .json, .yaml or .yml: conftest leaves any other file out of data");
      }
      // The extension in another case is conftest's data file (its filter folds case).
      const upper = gatehouse(["check", "-d", "allowed.JSON", "in.json"], dir);
      assert.is(upper.code, 0, upper.stdout + upper.stderr);
    },
  );
});

test("issue 14 (twelfth pass): -o tap escapes # and \\ in descriptions, so a deny message or a file name holding `# TODO` is not a TAP directive (prove passed the run: the failure read as expected)", () => {
  withRepo(
    "rt12-tap-directive",
    {
      "policy/p.rego": ["package main", "import rego.v1", 'deny contains sprintf("bad %v", [input.m]) if { input.m }', ""].join("\n"),
      "in.json": '{"m": "x # TODO later"}\n',
      "a # SKIP.json": '{"m": "back\\\\slash"}\n',
    },
    (dir) => {
      const r = gatehouse(["check", "-o", "tap", "in.json", "a # SKIP.json"], dir);
      assert.is(r.code, 1, r.stdout + r.stderr);
      assert.is(r.stdout, ["1..2", "not ok 1 - a \\# SKIP.json - main - bad back\\\\slash", "not ok 2 - in.json - main - bad x \\# TODO later", ""].join("\n"));
    },
  );
});

test("issue 14 (twelfth pass): a YAML .inf or .nan (signed, any case, !!float, %YAML 1.1) denies input/unparsable naming where; the policy saw null, so `replicas: .inf` passed `replicas > 10` (exit 0) where conftest fails", () => {
  withRepo(
    "rt12-yaml-inf",
    {
      "policy/p.rego": ["package main", "import rego.v1", 'deny contains "too many" if { input.replicas > 10 }', ""].join("\n"),
      "a.yaml": "replicas: .inf\n",
      "b.yaml": "- replicas: -.Inf\n",
      "c.yaml": "replicas: !!float .NaN\n",
      "d.yaml": "%YAML 1.1\n---\nreplicas: +.INF\n",
      "ok.yaml": 'replicas: 2\nname: ".inf"\nnote: x.nan\n',
    },
    (dir) => {
      const r = gatehouse(["check", "a.yaml", "b.yaml", "c.yaml", "d.yaml", "ok.yaml"], dir);
      assert.is(r.code, 1, r.stdout + r.stderr);
      assert.equal(failLinesOf(r.stdout), [
        "FAIL a.yaml [input/unparsable] invalid YAML: the value at /replicas is Infinity, a number JSON cannot hold (the policy would see null; conftest refuses it): quote it if it is text",
        "FAIL b.yaml [input/unparsable] invalid YAML: the value at /0/replicas is -Infinity, a number JSON cannot hold (the policy would see null; conftest refuses it): quote it if it is text",
        "FAIL c.yaml [input/unparsable] invalid YAML: the value at /replicas is NaN, a number JSON cannot hold (the policy would see null; conftest refuses it): quote it if it is text",
        "FAIL d.yaml [input/unparsable] invalid YAML: the value at /replicas is Infinity, a number JSON cannot hold (the policy would see null; conftest refuses it): quote it if it is text",
      ]);
    },
  );
});

test("issue 14 (twelfth pass): a jsonnet input that imports a FIFO denies at --timeout and the run ends; it printed its verdict and then never exited (the stopped worker stayed blocked opening the FIFO)", () => {
  withRepo(
    "rt12-jsonnet-fifo",
    {
      "policy/p.rego": ["package main", "import rego.v1", 'deny contains "x" if { input.a }', ""].join("\n"),
      "x.jsonnet": '{a: importstr "pipe.txt"}\n',
    },
    (dir) => {
      execFileSync("mkfifo", [join(dir, "pipe.txt")]);
      const r = gatehouse(["check", "--timeout", "2000", "x.jsonnet"], dir, { timeoutMs: 40_000 });
      assert.is(r.timedOut, false, "the run did not end");
      assert.is(r.code, 1, r.stdout + r.stderr);
      assert.equal(failLinesOf(r.stdout), ["FAIL x.jsonnet [input/unparsable] jsonnet: the parser did not finish within 2000 ms on this file"]);
    },
  );
});

test.run();
