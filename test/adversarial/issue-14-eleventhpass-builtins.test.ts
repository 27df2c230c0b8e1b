// Issue 14, eleventh pass (the conftest-compatible surface: builtins as the wasm evaluator answers
// them against `opa eval --strict-builtin-errors`, OPA 1.22.0). Each case here answered otherwise
// than OPA, so a deny rule could stay silent where conftest denies or errs.

import { test } from "uvu";
import * as assert from "uvu/assert";
import { denyMessagesOf, denyPolicyOf, gatehouse, withRepo } from "./harness.js";

/** Runs one policy over `{}` and returns the run. */
function check(rules: Record<string, string>, input = "{}") {
  return withRepo("rt11-builtins", { "policy/p.rego": denyPolicyOf(rules), "in.json": input }, (dir) => gatehouse(["check", "--policy", "policy", "in.json"], dir));
}

test("issue 14.1: glob.match errs on a pattern topdown's gobwas/glob refuses (unclosed {, trailing backslash, [], unclosed [, a multi-character delimiter) instead of answering from the runtime's lenient C++ glob compiler", () => {
  const erring: Record<string, [string, string]> = {
    "unclosed brace": [`not glob.match("{a,b", [], "a")`, "glob: syntax error: unclosed `{`"],
    "unclosed brace, matching": [`glob.match("{a,b", [], "a")`, "glob: syntax error: unclosed `{`"],
    "nested unclosed brace": [`not glob.match("{a,{b}", ["."], "b")`, "glob: syntax error: unclosed `{`"],
    "trailing backslash": [`not glob.match("a\\\\", [], "a")`, "glob: syntax error: trailing backslash"],
    "trailing backslash in braces": [`not glob.match("{a,b\\\\", null, "a")`, "glob: syntax error: trailing backslash"],
    "empty class": [`not glob.match("[]", [], "a")`, "glob: syntax error: could not parse range"],
    "negated empty class": [`not glob.match("[!]", [], "a")`, "glob: syntax error: could not parse range"],
    "unclosed class": [`not glob.match("a[b", [], "ab")`, "glob: syntax error: unexpected end of input"],
    "reversed range": [`not glob.match("[z-a]", [], "b")`, "glob: syntax error: range hi character is less than lo"],
    "multi-character delimiter": [`not glob.match("*.example.com", ["::"], "a.example.com")`, "glob.match: operand 2 must be array of runes but got array containing string"],
    "empty delimiter": [`not glob.match("*", [""], "a")`, "glob.match: operand 2 must be array of runes but got array containing string"],
  };
  for (const [name, [body, message]] of Object.entries(erring)) {
    const r = check({ [name]: body });
    assert.is(r.code, 1, `${name}: ${r.stdout}${r.stderr}`);
    assert.ok(r.stdout.includes("[policy/eval-error]"), `${name}: ${r.stdout}`);
    assert.ok(r.stdout.includes(message), `${name}: ${r.stdout}`);
  }
});

test("issue 14.1 (held): glob.match still answers valid patterns as topdown does", () => {
  const r = check({
    "a* matches ab": `glob.match("a*", [], "ab")`,
    "* stops at the dot": `not glob.match("*", [], "a.b")`,
    "** crosses the dot": `glob.match("**", [], "a.b")`,
    "alternatives": `glob.match("{a,b}.c", [], "b.c")`,
    "empty alternative": `glob.match("{a,}", [], "")`,
    "class": `glob.match("[!a]", [], "b")`,
    "range": `glob.match("[a-c]", [], "b")`,
    "escaped brace": `glob.match("\\\\{a", [], "{a")`,
    "comma outside braces": `glob.match("a,b", [], "a,b")`,
    "closing brace outside braces": `glob.match("a}", [], "a}")`,
    "null delimiters": `glob.match("*", null, "a.b/c")`,
    "unicode delimiter": `not glob.match("*", ["é"], "aéb")`,
  });
  assert.is(r.code, 1, r.stdout + r.stderr);
  assert.equal(denyMessagesOf(r.stdout).length, 12, r.stdout);
  assert.not.ok(r.stdout.includes("policy/eval-error"), r.stdout);
});

test("issue 14.1: regex.is_valid answers as Go's regexp does (the runtime's older RE2 said false to (?<name>...), to Unicode 14+ scripts and to large repeats, so a rule over valid patterns skipped them)", () => {
  const r = check({
    "named group (?<n>)": `regex.is_valid("(?<n>a)")`,
    "Unicode 14 script": `regex.is_valid("\\\\p{Vithkuqi}")`,
    "Unicode 15 script": `regex.is_valid("\\\\p{Kawi}")`,
    "large repeat": `regex.is_valid("\\\\pL{1000}")`,
    "the same pattern twice": `regex.is_valid("(?<n>a)"); regex.is_valid("(?<n>a)")`,
    "unbalanced is invalid": `not regex.is_valid("(")`,
    "backslash C is invalid in Go": `not regex.is_valid("\\\\C")`,
    "a non-string is invalid": `not regex.is_valid(input.n)`,
  }, '{"n": 1}');
  assert.is(r.code, 1, r.stdout + r.stderr);
  assert.equal(
    denyMessagesOf(r.stdout),
    ["Unicode 14 script", "Unicode 15 script", "a non-string is invalid", "backslash C is invalid in Go", "large repeat", "named group (?<n>)", "the same pattern twice", "unbalanced is invalid"],
    r.stdout,
  );
});

test("issue 14.1: to_number errs on a decimal beyond the largest double, as strconv.ParseFloat does (the runtime kept 1e400 as a number)", () => {
  for (const text of ["1e400", "-1e400", "1.7976931348623159e308"]) {
    const r = check({ small: `to_number(input.s) < 10` }, JSON.stringify({ s: text }));
    assert.is(r.code, 1, `${text}: ${r.stdout}${r.stderr}`);
    assert.ok(r.stdout.includes(`[policy/eval-error]`), `${text}: ${r.stdout}`);
    assert.ok(r.stdout.includes(`to_number: strconv.ParseFloat: parsing ${JSON.stringify(text)}: value out of range`), `${text}: ${r.stdout}`);
  }
  const held = check({ "largest double": `to_number("1.7976931348623157e308") > 1`, underflow: `to_number("1e-400") >= 0`, plain: `to_number("12") == 12` });
  assert.equal(denyMessagesOf(held.stdout), ["largest double", "plain", "underflow"], held.stdout);
});

test("issue 14.1: json.marshal writes Go's encoding/json text (<, >, & and U+2028/9 escaped, keys sorted, exact numbers), so a rule reading the text answers as under opa eval", () => {
  const r = check(
    {
      "html escaped": `json.marshal(input.html) == "\\"\\\\u003cscript\\\\u003e\\\\u0026\\\\u2028\\""`,
      "no raw angle bracket": `not contains(json.marshal(input), "<")`,
      "keys sorted": `json.marshal({"b": 1, "a": 2, "Z": 3}) == "{\\"Z\\":3,\\"a\\":2,\\"b\\":1}"`,
      "exact numbers": `json.marshal([1.0, 1e2, 123456789012345678901234567890]) == "[1.0,1e2,123456789012345678901234567890]"`,
    },
    JSON.stringify({ html: "<script>&\u2028" }),
  );
  assert.is(r.code, 1, r.stdout + r.stderr);
  assert.equal(denyMessagesOf(r.stdout), ["exact numbers", "html escaped", "keys sorted", "no raw angle bracket"], r.stdout);
});

test("issue 14.1: yaml.unmarshal reads YAML as OPA does (go-yaml v3: 0777 is 511, 012 is 10, 1_000 is 1000, merge keys merged, .inf an error), not as YAML 1.2's core schema", () => {
  const doc = "defaults: &d\n  privileged: true\nc:\n  <<: *d\n  name: x\nmode: 0777\nreplicas: 012\nlimit: 1_000\n";
  const r = check(
    {
      "merged key seen": `yaml.unmarshal(input.y).c.privileged == true`,
      "octal mode": `yaml.unmarshal(input.y).mode == 511`,
      "leading-zero octal": `yaml.unmarshal(input.y).replicas < 11`,
      "underscore integer": `yaml.unmarshal(input.y).limit == 1000`,
      "valid": `yaml.is_valid(input.y)`,
      "invalid": `not yaml.is_valid("a: [")`,
    },
    JSON.stringify({ y: doc }),
  );
  assert.is(r.code, 1, r.stdout + r.stderr);
  assert.equal(denyMessagesOf(r.stdout), ["invalid", "leading-zero octal", "merged key seen", "octal mode", "underscore integer", "valid"], r.stdout);
  const inf = check({ inf: `yaml.unmarshal(".inf") > 1` });
  assert.is(inf.code, 1, inf.stdout);
  assert.ok(inf.stdout.includes("[policy/eval-error]") && inf.stdout.includes("yaml.unmarshal: json: unsupported value: +Inf"), inf.stdout);
});

test("issue 14.1: a host builtin given an object with a key that is not a string errs (the key reached it as its text: object.subset({1: \"a\"}, {\"1\": \"a\"}) was true, topdown says false)", () => {
  const cases: Record<string, string> = {
    "subset, number key": `not object.subset({1: "a"}, {"1": "a"})`,
    "subset, string key given a number key": `not object.subset({"1": "a"}, {1: "a"})`,
    "subset, nested": `not object.subset({"x": {true: 1}}, {"x": {"true": 1}})`,
  };
  for (const [name, body] of Object.entries(cases)) {
    const r = check({ [name]: body });
    assert.is(r.code, 1, `${name}: ${r.stdout}${r.stderr}`);
    assert.ok(r.stdout.includes("[policy/eval-error]") && r.stdout.includes("object.subset: an object with a key that is not a string cannot be passed"), `${name}: ${r.stdout}`);
  }
  // json.marshal writes such a key as its text, as topdown does; string keys are unaffected.
  const held = check({ "marshal number key": `json.marshal({1: "a"}) == "{\\"1\\":\\"a\\"}"`, "subset strings": `object.subset({"1": "a", "b": 2}, {"1": "a"})` });
  assert.equal(denyMessagesOf(held.stdout), ["marshal number key", "subset strings"], held.stdout);
});

test.run();
