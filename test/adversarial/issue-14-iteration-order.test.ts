// Issue 14, found by the tenth pass: OPA's wasm runtime iterated sets and objects in the order of
// their hash buckets, where topdown (`opa eval`, conftest) iterates them sorted. Anything built
// by iterating one came out in another order (`[k | some k, _ in obj]`, `concat` of a set,
// `json.marshal`, `walk`), and a rule that depends on that order decided otherwise: it allowed
// where conftest denies. Sorted iteration (src/policy/sorted-iteration.ts) and `concat` on the
// host (builtins/native-guards.ts) give topdown's order; every expression below is compared with
// `opa eval` of the same policy and input.

import { test } from "uvu";
import * as assert from "uvu/assert";
import { assertExpressionsAsOpa, gatehouse, withRepo } from "./harness.js";

/** Expressions, each built by iterating a set or an object, on the inputs below. */
const EXPRESSIONS: Record<string, string> = {
  concat_set: 'concat(",", {"b", "a", "c", "zz", "m", "k", "q"})',
  concat_input_set: 'concat(",", {x | some x in input.words})',
  first_member: '[x | some x in {"b", "a", "c", "zz", "m"}][0]',
  object_keys: "[k | some k, _ in input.obj]",
  object_values: "[v | some v in input.obj]",
  object_pairs: "[[k, v] | some k, v in input.obj]",
  set_of_words: "[w | some w in {x | some x in input.words}]",
  large_set: "[x | some x in {sprintf(\"n%d\", [i]) | some i in numbers.range(0, 400)}]",
  large_object_keys: "[k | some k, _ in {sprintf(\"k%d\", [i]): i | some i in numbers.range(0, 400)}]",
  mixed_types: '[x | some x in {null, true, false, 3, 1.5, -2, "s", "a", [2], [1, 2], {"b": 1}, {"a": 2}, {"x"}, {"w", "v"}}]',
  non_string_keys: '[k | some k, _ in {1: "a", "b": 2, [1]: 3, 0.5: 4, null: 5, false: 6}]',
  unicode_order: '[x | some x in {"z", "é", "😀", "\\uffff", "A", "a", "ﬀ", "\\u007f"}]',
  numbers_order: "[x | some x in {10, 9, 100, 1e3, -1, 0, 2.5, 25e-1, 123456789012345678}]",
  nested_same_set: '[[a, b] | some a in {"y", "x", "z"}; some b in {"y", "x", "z"}]',
  nested_deep: concat3Deep(),
  marshal_set: 'json.marshal({"b", "a", "c"})',
  marshal_object: 'json.marshal({"b": 1, "a": {"d": 1, "c": 2}})',
  marshal_input: "json.marshal(input.obj)",
  walk_paths: "[p | walk(input.tree, [p, _])]",
  object_keys_builtin: "[k | some k in object.keys(input.obj)]",
  union: '[x | some x in {"q", "c"} | {"b", "a"}]',
  intersection: '[x | some x in {"q", "c", "b"} & {"b", "q", "z"}]',
  set_of_objects: "[o.name | some o in {c | some c in input.containers}]",
  sprintf_set: 'sprintf("%v", [{"b", "a", "c"}])',
  sprintf_object: 'sprintf("%v", [{"b": 1, "a": 2}])',
  every_order: "[x | some x in {y | some y in input.words}; every z in {y | some y in input.words} { z != \"never\" }]",
  // an iteration left unfinished (the function is true at its first match), then the set again
  early_exit: "[any_over(input.words, \"m\"), [w | some w in {x | some x in input.words}]]",
  object_union: "[k | some k, _ in object.union(input.obj, {\"aa\": 1, \"zz\": 2})]",
  object_filter: "[k | some k, _ in object.filter(input.obj, {\"golf\", \"alpha\", \"delta\"})]",
  json_filter: "[k | some k, _ in json.filter(input.tree, [\"b\", \"a\"])]",
  count_and_sum: "[count({x | some x in input.words}), sum({1.5, 2.25, 0.125})]",
  // sets built per member of another iteration, each iterated (new collections, new members)
  sets_per_member: '[[x | some x in {y | some y in input.words; y > t}] | some t in ["a", "f", "m", "p"]]',
  // one collection iterated again and again (its sorted members reused)
  same_set_again: "[[x | some x in {y | some y in input.words}] | some _ in [1, 2, 3]]",
};

function concat3Deep(): string {
  // Twenty iterations in progress at once (more than the sorted-iteration table keeps), each
  // going on past its first member only at the innermost level.
  const vars = Array.from({ length: 20 }, (_, i) => `v${i}`);
  const levels = vars.map((v, i) => (i < vars.length - 1 ? `some ${v} in {"c", "b", "a"}; ${v} != "c"; ${v} != "b"` : `some ${v} in {"c", "b", "a"}`));
  return `[concat("", [${vars.join(", ")}]) | ${levels.join("; ")}]`;
}

const HELPERS = `
any_over(words, floor) if {
	some w in {x | some x in words}
	w > floor
}
`;

const INPUT = {
  words: ["pear", "apple", "fig", "kiwi", "banana", "cherry", "date", "grape", "lemon", "mango", "never", "zucchini"].reverse(),
  obj: Object.fromEntries(["delta", "alpha", "charlie", "bravo", "echo", "foxtrot", "golf", "hotel", "10", "9", "_", "Z"].map((k, i) => [k, i])),
  tree: { b: { y: [1, { q: 1, p: 2 }], x: null }, a: { d: true, c: "s" } },
  containers: [{ name: "web" }, { name: "app" }, { name: "sidecar" }, { name: "db" }],
};

test("every expression built by iterating a set or an object comes out in topdown's order (opa eval)", async () => {
  await assertExpressionsAsOpa("iteration-order", EXPRESSIONS, JSON.stringify(INPUT), HELPERS);
});

test("a rule that depends on the first member denies as conftest does (it allowed: fail-open)", () => {
  // The first container name in sorted order is "app": a rule that requires the sidecar first
  // (a deny unless sorted names start with it) must deny; bucket order started elsewhere.
  const policy = `package main

import rego.v1

deny contains "the first container (by name) must be the approved one" if {
	names := [n | some n in {c.name | some c in input.containers}]
	names[0] != "app"
}

deny contains "the joined names must be sorted" if concat(",", {c.name | some c in input.containers}) != "app,db,sidecar,web"

deny contains "the first key must be 10" if [k | some k, _ in input.obj][0] != "10"
`;
  withRepo("iteration-first", { "policy/first.rego": policy, "input.json": JSON.stringify(INPUT) }, (root) => {
    const run = gatehouse(["check", "--policy", "policy", "input.json"], root);
    // Sorted, nothing denies: exit 0. In bucket order each of the three fired (a different first
    // member), so the same policy could both deny and allow what conftest judges otherwise.
    assert.is(run.code, 0, run.stdout + run.stderr);
  });
  const denying = `package main

import rego.v1

deny contains "10 must not come first" if [k | some k, _ in input.obj][0] == "10"

deny contains "app must not come first" if [n | some n in {c.name | some c in input.containers}][0] == "app"
`;
  withRepo("iteration-first-deny", { "policy/first.rego": denying, "input.json": JSON.stringify(INPUT) }, (root) => {
    const run = gatehouse(["check", "--policy", "policy", "input.json"], root);
    assert.is(run.code, 1, run.stdout + run.stderr);
    assert.match(run.stdout, /10 must not come first/);
    assert.match(run.stdout, /app must not come first/);
  });
});

test("large collections iterate sorted and completely (the hang guard stops a quadratic iterator)", () => {
  // 20,000 members, iterated completely three ways; a quadratic iterator takes minutes here.
  const policy = `package main

import rego.v1

big := {sprintf("m%05d", [i]) | some i in numbers.range(0, 19999)}

deny contains sprintf("first %s last %s", [arr[0], arr[count(arr) - 1]]) if arr := [x | some x in big]

deny contains sprintf("keys %d", [count([k | some k, _ in {x: 1 | some x in big}])])

deny contains sprintf("joined %d", [count(concat(",", big))])
`;
  withRepo("iteration-large", { "policy/big.rego": policy, "input.json": "{}" }, (root) => {
    const run = gatehouse(["check", "--policy", "policy", "input.json"], root, { timeoutMs: 60_000 });
    assert.is(run.timedOut, false);
    assert.is(run.code, 1, run.stderr);
    assert.match(run.stdout, /first m00000 last m19999/);
    assert.match(run.stdout, /keys 20000/);
    assert.match(run.stdout, /joined 139999/);
  });
});

test("one run of many inputs: each input's collections come out sorted (nothing kept from an earlier input)", () => {
  // The inputs parse at the same addresses, one after the other: what one evaluation sorted must
  // not be reused for the next input's collections (without the table emptied at each rewind,
  // one of these 200 came out in a stale order).
  const next = (() => {
    let seed = 7;
    return () => (seed = (seed * 1103515245 + 12345) % 2147483648) / 2147483648;
  })();
  const letters = "abcdefghij";
  const files: Record<string, string> = {};
  const expected: string[] = [];
  for (let i = 0; i < 200; i++) {
    const words = Array.from({ length: 2 + (i % 4) }, () => letters[Math.floor(next() * letters.length)]! + letters[Math.floor(next() * letters.length)]!);
    const name = `in${String(i).padStart(3, "0")}.json`;
    files[name] = JSON.stringify({ words, obj: Object.fromEntries(words.map((w, j) => [w, j])) });
    const sorted = [...new Set(words)].sort();
    expected.push(`FAIL ${name} [main.deny] set ${sorted.join(",")} keys ${sorted.join(",")}`);
  }
  const policy = `package main

import rego.v1

deny contains sprintf("set %s keys %s", [concat(",", [x | some x in {w | some w in input.words}]), concat(",", [k | some k, _ in input.obj])])
`;
  withRepo("iteration-many-inputs", { "policy/p.rego": policy, ...files }, (root) => {
    const run = gatehouse(["check", "--policy", "policy", ...Object.keys(files)], root, { timeoutMs: 60_000 });
    assert.is(run.code, 1, run.stderr);
    assert.equal(run.stdout.split("\n").filter((line) => line.startsWith("FAIL ")).sort(), expected.sort());
  });
});

test.run();
