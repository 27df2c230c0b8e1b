// Issue 14, sixteenth pass (the policy runtime). Each expression is compared with
// `opa eval --strict-builtin-errors` of the same policy (the peer conftest evaluates with).
// sprintf of an object with a key that is not a string: the host read the object as JavaScript
// does, every key its text, so `sprintf("%v", [{1: 2}])` printed `{"1": 2}` where topdown prints
// `{1: 2}`, and a set in the same call, read through the JSON dump, printed as an array. The host now reads such an object
// for sprintf keeping each key's value and type, in OPA's key order.
// sprintf's %x, %X and %b of a float, the # flag on a float verb and %#v of a number were refused
// (an evaluation error, so the rule denied where opa eval answers): they now format as Go's fmt
// and strconv do (hex mantissa and binary exponent, rounding to a hex precision half to even,
// subnormals, the alternate form's kept point and zeros).
// replace with an empty old string (on which the C runtime loops forever) was refused; it now
// answers as topdown does, the replacement before every byte and at the end (a non-ASCII subject,
// split between its UTF-8 bytes there, still errs: a JavaScript string cannot hold the result).
// A policy with a number literal written without its leading zero (`.0`, `.5`) could not be built
// with the native toolchain: `opa parse --format json` fails to write that AST (json: invalid
// number literal), a tool error (exit 2) where conftest evaluates it; the build's parse now falls
// back to the wasm toolchain's, which summarises the AST without writing it.

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

test("issue 14.1: sprintf's %x / %X / %b of a float, the # flag on float verbs and %#v of a number answer as opa eval does (they were an evaluation error)", async () => {
  await assertExpressionsAsOpa("sixteenth-sprintf-floats", {
    hex: 'sprintf("%x", [1.5])',
    hex_upper_negative: 'sprintf("%X", [-0.1])',
    binary: 'sprintf("%b", [1.5])',
    hex_precision: 'sprintf("%.3x", [1.5])',
    hex_round_half_even_down: 'sprintf("%.0x", [1.5])',
    hex_round_half_even_up: 'sprintf("%.0x", [2.5])',
    hex_round_carry: 'sprintf("%.1x", [1.96875])',
    hex_long_precision: 'sprintf("%.20x", [0.3])',
    hex_large: 'sprintf("%x", [1e300])',
    hex_max: 'sprintf("%x", [1.7976931348623157e308])',
    hex_subnormal: 'sprintf("%x", [5e-324])',
    binary_subnormal: 'sprintf("%b", [5e-324])',
    binary_negative_zero: 'sprintf("%b", [-0.0])',
    hex_zero_padded: 'sprintf("%020x", [-2.75])',
    hex_left: 'sprintf("%-12x|", [0.0])',
    hex_width: 'sprintf("%10.2x|", [3.14])',
    hex_past_double: 'sprintf("%x", [1e400])',
    sharp_hex: 'sprintf("%#x", [1.5])',
    sharp_hex_zero_precision: 'sprintf("%#.0x", [1.5])',
    sharp_hex_zero: 'sprintf("%#x", [0.0])',
    sharp_hex_precision: 'sprintf("%#.3x", [1.0])',
    sharp_hex_upper_plus: 'sprintf("%+#X", [255.5])',
    sharp_space_hex: 'sprintf("% #x", [1.0])',
    sharp_binary: 'sprintf("%#b", [2.0])',
    sharp_g: 'sprintf("%#g", [1.5])',
    sharp_g_exponent: 'sprintf("%#g", [100000000.0])',
    sharp_g_zero: 'sprintf("%#g", [0.0])',
    sharp_g_precision: 'sprintf("%#.3g", [1.0])',
    sharp_g_precision_exponent: 'sprintf("%#.3g", [123456.0])',
    sharp_upper_g: 'sprintf("%#G", [1e-7])',
    sharp_e: 'sprintf("%#e", [1.0])',
    sharp_e_zero_precision: 'sprintf("%#.0e", [3.0])',
    sharp_f_zero_precision: 'sprintf("%#.0f", [3.0])',
    sharp_v_float: 'sprintf("%#v", [1.5])',
    sharp_v_whole_float: 'sprintf("%#v", [1.0])',
    sharp_v_exponent: 'sprintf("%#v", [1e21])',
    sharp_v_width: 'sprintf("%#10v|", [-0.5])',
    sharp_v_int: 'sprintf("%#v", [2])',
    sharp_v_big_int: 'sprintf("%#v", [12345678901234567890123])',
  }, "{}");
});

test("issue 14.1: replace with an empty old string answers as opa eval does (it was an evaluation error), at once on a long subject; other replacements are the native's", async () => {
  await assertExpressionsAsOpa("sixteenth-replace-empty", {
    ascii: 'replace("abc", "", "-")',
    empty_subject: 'replace("", "", "-")',
    empty_both: 'replace("", "", "")',
    unicode_replacement: 'replace("ab", "", "é")',
    long: 'count(replace(input.long, "", "ab"))',
    from_input: 'replace(input.s, input.empty, "x")',
    native_still: 'replace("a.b.c", ".", "::")',
    native_unicode: 'replace("ééé", "é", "e")',
  }, JSON.stringify({ long: "x".repeat(200_000), s: "aaa", empty: "" }));
});

test("issue 14.1: replace with an empty old string on a non-ASCII subject errs (policy/eval-error), at once", () => {
  const policy = `package main

import rego.v1

deny contains replace("héllo", "", "|") if true
`;
  withRepo("sixteenth-replace-non-ascii", { "policy/p.rego": policy, "input.json": "{}" }, (root) => {
    const run = gatehouse(["check", "--policy", "policy", "input.json"], root);
    assert.is(run.code, 1, run.stdout + run.stderr);
    assert.match(run.stdout, /\[policy\/eval-error\] main\/deny: replace: an empty old string splits the UTF-8 bytes/);
  });
});

test("issue 14.1: number literals without a leading zero (.0, .5) build and answer as opa eval does (the native opa parse could not write their AST)", async () => {
  await assertExpressionsAsOpa("sixteenth-leading-dot", {
    zero_fraction: 'sprintf("%f, %3.1f, %.3f", [0.0, 100.0, .0])',
    half: "sprintf(\"%v\", [.5 + .25])",
    compared: "sprintf(\"%v\", [.5 == 0.5])",
  }, "{}");
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
