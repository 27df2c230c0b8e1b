// Issue 14, found by the thirteenth pass (the policy runtime). Each expression is compared with
// `opa eval --strict-builtin-errors` of the same policy (the peer conftest evaluates with).

import { test } from "uvu";
import * as assert from "uvu/assert";
import { assertExpressionsAsOpa, gatehouse, withRepo } from "./harness.js";

/** Every expression's deny message under gatehouse equals opa eval's (none of them errs). */
const compareWithOpa = (prefix: string, expressions: Record<string, string>, input = "{}") => assertExpressionsAsOpa(prefix, expressions, input);

test("issue 14.1: regex.replace, regex.find_n and regex.split with a repetition answer as Go's regexp does (JavaScript reset a capture at each iteration of a repeated group and backtracked into another alternative after an empty iteration), compared with opa eval", async () => {
  await compareWithOpa("thirteenth-regex-repetition", {
    capture_in_star: 'regex.replace("ab", "(?:(a)|b)*", "[$1]")',
    captures_in_plus: 'regex.replace("foo", "(?:(o)|(f))+", "[$1,$2]")',
    three_captures: 'regex.replace("abc", "(?:(a)|(b)|(c))+", "[$1$2$3]")',
    empty_alternative_star: 'regex.find_n("(?:|a)*", "aa", -1)',
    empty_alternative_plus: 'regex.find_n("(?:b?|a)+", "ab", -1)',
    empty_alternative_count: 'regex.find_n("(?:|a){1,3}", "aaa", -1)',
    split_empty_alternative: 'regex.split("(?:|a)+", "baab")',
    posix_class: 'regex.find_n("[[:alpha:]]+", "ab1c", -1)',
    not_space_in_class: 'regex.find_n("[\\\\S]", "a b", -1)',
    case_flag: 'regex.replace("ABC", "(?i)b", "x")',
    // the translation still answers what has no repetition, as before
    literal_split: 'regex.split("/", "registry.example/team/app:1.2")',
    class_replace: 'regex.replace("a-b_c", "[-_]", ".")',
    group_expand: 'regex.replace("ab", "(a)(?P<x>b)", "${x}$1")',
  });
});

test("issue 14.1: regex.split over a long input with a repeated pattern answers at once (JavaScript's backtracking took quadratic time: 60,000 spaces ran into the 10 s budget, policy/timeout, where conftest answers in milliseconds)", () => {
  const policy = `package main

import rego.v1

deny contains sprintf("%d parts", [count(regex.split("\\\\s*,\\\\s*", input.list))]) if true
deny contains sprintf("%d words", [count(regex.find_n("a*b", input.letters, -1))]) if true
`;
  const input = JSON.stringify({ list: `${" ".repeat(60_000)}x`, letters: "a".repeat(60_000) });
  withRepo("thirteenth-regex-linear", { "policy/p.rego": policy, "input.json": input }, (root) => {
    const run = gatehouse(["check", "--policy", "policy", "input.json"], root, { timeoutMs: 30_000 });
    assert.is(run.code, 1, run.stdout + run.stderr);
    assert.equal(
      run.stdout.split("\n").filter((line) => line.startsWith("FAIL ")).sort(),
      ["FAIL input.json [main.deny] 0 words", "FAIL input.json [main.deny] 1 parts"],
    );
  });
});

test("issue 14.1: object.subset, json.patch and numbers.range_step read numbers exactly (as doubles, 9007199254740993 was 9007199254740992: object.subset said true where topdown says false, json.patch changed a value it did not patch), compared with opa eval", async () => {
  await compareWithOpa(
    "thirteenth-exact-host-numbers",
    {
      subset_big: 'object.subset({"a": 9007199254740993}, {"a": 9007199254740992})',
      subset_set: "object.subset({9007199254740993}, {9007199254740992})",
      subset_array: "object.subset([12345678901234567891], [12345678901234567890])",
      subset_input: 'object.subset({"cpu": to_number(input.limits.cpu)}, {"cpu": 9007199254740992})',
      subset_decimals: 'object.subset({"a": 0.10000000000000000001}, {"a": 0.1})',
      subset_same: 'object.subset({"a": 1e2, "b": [1.0, 9007199254740993]}, {"a": 100, "b": [9007199254740993]})',
      patch_keeps: 'json.patch({"a": 9007199254740993}, [{"op": "add", "path": "/b", "value": 1}])',
      patch_index: 'json.patch([1, 2, 3], [{"op": "remove", "path": [1.0]}])',
      range_step_big: "numbers.range_step(9007199254740993, 9007199254740995, 1)",
      range_step_down: "numbers.range_step(3, 1, 1)",
    },
    '{"limits": {"cpu": "9007199254740993"}}',
  );
});

test("issue 14.1: a deny rule on object.subset of big numbers denies as conftest does (it allowed: fail-open)", () => {
  const policy = `package main

import rego.v1

allowed := {"quota": 9007199254740992}

deny contains "the quota is not the allowed one" if not object.subset(allowed, {"quota": to_number(input.quota)})
`;
  // (a JSON input holding the number itself is refused since: conftest reads it as a float64)
  withRepo("thirteenth-subset-deny", { "policy/p.rego": policy, "input.json": '{"quota": "9007199254740993"}' }, (root) => {
    const run = gatehouse(["check", "--policy", "policy", "input.json"], root);
    assert.is(run.code, 1, run.stdout + run.stderr);
    assert.equal(run.stdout.split("\n").filter((line) => line.startsWith("FAIL ")), ["FAIL input.json [main.deny] the quota is not the allowed one"]);
  });
});

test("issue 14.1: json.marshal of a number whose text is not JSON (to_number of \"0001\", \".5\" or \"5.\") errs as Go's encoding/json does (it wrote the text 0001, which no JSON reader takes), policy/eval-error", () => {
  for (const text of ["0001", ".5", "5."]) {
    const policy = `package main\n\nimport rego.v1\n\ndeny contains json.marshal({"n": to_number(input.n)}) if true\n`;
    withRepo("thirteenth-marshal-number", { "policy/p.rego": policy, "input.json": JSON.stringify({ n: text }) }, (root) => {
      const run = gatehouse(["check", "--policy", "policy", "-o", "json", "input.json"], root);
      assert.is(run.code, 1, text + run.stdout + run.stderr);
      const report = JSON.parse(run.stdout) as { findings: { code: string; message: string }[] };
      assert.equal(report.findings.map((f) => f.code), ["policy/eval-error"], text);
      assert.ok(report.findings[0]!.message.includes(`json.marshal: json: invalid number literal ${JSON.stringify(text)}`), report.findings[0]!.message);
    });
  }
  // a number with JSON's grammar is still written as its text
  withRepo("thirteenth-marshal-number", { "policy/p.rego": `package main\n\nimport rego.v1\n\ndeny contains json.marshal({"n": to_number(input.n)}) if true\n`, "input.json": '{"n": "1e2"}' }, (root) => {
    const run = gatehouse(["check", "--policy", "policy", "input.json"], root);
    assert.is(run.code, 1, run.stdout + run.stderr);
    assert.equal(run.stdout.split("\n").filter((line) => line.startsWith("FAIL ")), ['FAIL input.json [main.deny] {"n":1e2}']);
  });
});

test("issue 14.1: strings.render_template errs as topdown does on variables holding a set (it rendered the set as an array: a value, so a deny deciding on the text could pass where conftest fails), and renders the text/template functions the port leaves out (printf, html, js, urlquery, println, slice) as Go does", async () => {
  const policy = `package main

import rego.v1

deny contains "the banner does not name the owner" if not contains(strings.render_template("owner: {{.owners}}", {"owners": input.owners}), "root")
`;
  withRepo("thirteenth-template-set", { "policy/p.rego": policy.replace("input.owners", '{"alice"}'), "input.json": "{}" }, (root) => {
    const run = gatehouse(["check", "--policy", "policy", "-o", "json", "input.json"], root);
    assert.is(run.code, 1, run.stdout + run.stderr);
    const report = JSON.parse(run.stdout) as { findings: { code: string; message: string }[] };
    assert.equal(report.findings.map((f) => f.code), ["policy/eval-error"]);
    assert.ok(report.findings[0]!.message.includes("strings.render_template: invalid character"), report.findings[0]!.message);
  });
  await compareWithOpa("thirteenth-template-functions", {
    printf: 'strings.render_template("{{printf \\"%05d|%s\\" .n .s}}", {"n": 42, "s": "x"})',
    escapes: 'strings.render_template("{{html .a}} {{js .a}} {{urlquery .a}}", {"a": "<a href=\'x\'>&</a>"})',
    print_line: 'strings.render_template("{{print .a .b}} {{println .a}}", {"a": "x", "b": 2})',
    slice: 'strings.render_template("{{slice .s 1 2}}", {"s": "abc"})',
    implemented: 'strings.render_template("{{range $k, $v := .m}}{{$k}}={{$v}};{{end}}", {"m": {"b": 1, "a": 2.5}})',
  });
});

test.run();
