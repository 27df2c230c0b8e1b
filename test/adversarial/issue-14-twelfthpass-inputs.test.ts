// Issue 14, twelfth pass (inputs and the conftest-compatible CLI): regressions for the holes this
// pass found, each compared with conftest 0.71.1 (.toolchain/bin/conftest).

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

test.run();
