// Issue 14, sixteenth pass (the policy runtime). Each expression is compared with
// `opa eval --strict-builtin-errors` of the same policy (the peer conftest evaluates with).
// sprintf of an object with a key that is not a string: the host read the object as JavaScript
// does, every key its text, so `sprintf("%v", [{1: 2}])` printed `{"1": 2}` where topdown prints
// `{1: 2}`, and a set in the same call, read through the JSON dump, printed as an array. The host now reads such an object
// for sprintf keeping each key's value and type, in OPA's key order.

import { test } from "uvu";
import * as assert from "uvu/assert";
import { assertExpressionsAsOpa, gatehouse, withRepo } from "./harness.js";

test("issue 14.1: sprintf prints an object whose keys are not strings as topdown does, keys of every type in OPA's order, nested and inside sets, compared with opa eval", async () => {
  await assertExpressionsAsOpa("sixteenth-sprintf-keys", {
    number_key: 'sprintf("%v", [{1: 2}])',
    mixed_keys: 'sprintf("%v", [{"b": 1, 2: "two", "a": [3], 1.5: null}])',
    boolean_and_null_keys: 'sprintf("%v", [{true: 1, null: 2, false: 3}])',
    array_key: 'sprintf("%v", [{[1, "x"]: "arr", [0]: "zero"}])',
    set_key: 'sprintf("%v", [{{"b", "a"}: 1}])',
    object_key: 'sprintf("%v", [{{"k": 1}: "obj", {2: 3}: "typed"}])',
    nested: 'sprintf("%v", [{"outer": {7: "seven", "x": {8: 9}}}])',
    in_array: 'sprintf("%v and %v", [[{1: "a"}, {"s": 1}], {"only": "strings"}])',
    in_set: 'sprintf("%v", [{{2: "b"}, {1: "a"}, {"c": 3}}])',
    quoted_verb: 'sprintf("%q|%s", [{1: "a"}, {2: "b"}])',
    from_input: 'sprintf("%v", [{input.n: input.s}])',
    // a set beside such an object printed as an array (the whole argument fell back to the JSON dump)
    set_beside: 'sprintf("%v and %v", [{"b", "a"}, {1: 2}])',
  }, JSON.stringify({ n: 12345678901234567890, s: "big" }));
});

test("issue 14.1: an object whose keys are not strings is still refused as the operand of a builtin that decides (object.subset): an evaluation error that denies, never compared as its text", () => {
  const policy = `package main

import rego.v1

deny contains "subset" if object.subset({1: "a"}, {"1": "a"})
`;
  withRepo("sixteenth-keys-operand", { "policy/p.rego": policy, "input.json": "{}" }, (root) => {
    const run = gatehouse(["check", "--policy", "policy", "input.json"], root);
    assert.is(run.code, 1, run.stdout + run.stderr);
    assert.match(run.stdout, /\[policy\/eval-error\] main\/deny: object\.subset: an object with a key that is not a string/);
  });
});

test.run();
