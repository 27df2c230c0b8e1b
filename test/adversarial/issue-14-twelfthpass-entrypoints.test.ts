// Issue 14, twelfth pass (wrong refusal found by the inputs pass): OPA's wasm build lists as
// entrypoints, besides the ones asked for, the rules that refer to one (a `test_x` that queries
// `deny` with `with`, a helper `any_denied if { count(deny) > 0 }`). gatehouse took such an
// entrypoint for a tampered bundle and denied every input (`bundle/tampered`), where conftest
// evaluates the policy. Such a rule is no deny, violation, warn or exception rule: not evaluated,
// as under conftest.

import { test } from "uvu";
import * as assert from "uvu/assert";
import { failLinesOf, gatehouse, withRepo } from "./harness.js";

const POLICY = `package main
import rego.v1
deny contains "x set" if { input.x }
any_denied if { count(deny) > 0 }
warn contains "denied already" if { any_denied }
test_x if { deny["x set"] with input as {"x": true} }
`;

test("issue 14.2: rules that refer to a deny rule (tests, helpers) do not make the bundle look tampered; the policy is evaluated as conftest evaluates it", () => {
  withRepo("entrypoints-dependents", { "policy/p.rego": POLICY, "ok.json": '{"x": false}', "bad.json": '{"x": true}' }, (root) => {
    const r = gatehouse(["check", "--policy", "policy", "ok.json", "bad.json"], root);
    assert.is(r.code, 1, r.stdout + r.stderr);
    assert.not.match(r.stdout, /bundle\/tampered/);
    assert.equal(failLinesOf(r.stdout), ["FAIL bad.json [main.deny] x set"]);
    assert.match(r.stdout, /WARN bad\.json \[main\.warn\] denied already/);
    const ok = gatehouse(["check", "--policy", "policy", "ok.json"], root);
    assert.is(ok.code, 0, ok.stdout + ok.stderr);
    const verified = gatehouse(["verify", "--policy", "policy"], root);
    assert.is(verified.code, 0, verified.stdout + verified.stderr);
  });
});

test.run();
