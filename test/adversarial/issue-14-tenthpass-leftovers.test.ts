// Issue 14, two leftovers of the tenth pass.
//
// 1. The wasm runtime's regular expressions are C++ RE2's, which
// reads `\C` as "any byte" where Go's regexp (topdown, conftest) refuses the pattern. A pattern
// taken from input with `\C` matched (`regex.match` true: a deny guarded by a failing match did
// not fail the evaluation as conftest's does) and `regex.is_valid` said true. The natives are now
// asked of the host when the pattern holds a backslash and a C (builtins/native-guards.ts),
// which answers as Go does for a real `\C` escape and leaves `\\C` and `\Q\C\E` to the native.
//
// 2. `ceil` and `floor` of a number between -1 and 0: OPA 1.22's topdown answers 1 and 0 (it
// truncates, then steps by the truncated value's sign, 0 there); the C runtime answered 0 and -1,
// so `deny if ceil(x) > 0` denied under conftest and allowed here. gatehouse now answers as OPA.

import { test } from "uvu";
import * as assert from "uvu/assert";
import { runTool } from "../../src/toolchain/native.js";
import { gatehouse, withRepoAsync } from "./harness.js";

const INPUT = { any: "a\\Cb", in_class: "[\\C]", escaped: "\\\\C", quoted: "\\Q\\C\\E", plain: "^a.b$", trailing: "ab\\C" };

/** Patterns Go accepts (or refuses by answering false): one evaluation, answers compared together. */
const ANSWERED: Record<string, string> = {
  valid_any: "regex.is_valid(input.any)",
  valid_in_class: "regex.is_valid(input.in_class)",
  valid_escaped: "regex.is_valid(input.escaped)",
  valid_quoted: "regex.is_valid(input.quoted)",
  valid_plain: "regex.is_valid(input.plain)",
  valid_trailing: "regex.is_valid(input.trailing)",
  match_escaped: 'regex.match(input.escaped, "\\\\C")',
  match_quoted: 'regex.match(input.quoted, "\\\\C")',
  match_plain: 'regex.match(input.plain, "axb")',
  find_escaped: 'regex.find_all_string_submatch_n(input.escaped, "\\\\C", -1)',
};

/** Patterns Go refuses: each its own evaluation error. */
const REFUSED: Record<string, string> = {
  match_any: 'regex.match(input.any, "axb")',
  match_in_class: 'regex.match(input.in_class, "C")',
  match_trailing: 'regex.match(input.trailing, "abx")',
  find_any: 'regex.find_all_string_submatch_n(input.any, "axb", -1)',
};

const CASES: Record<string, string> = {
  answered: `[${Object.values(ANSWERED).join(", ")}]`,
  ...REFUSED,
};

test("\\C in a pattern is refused as Go refuses it; every other pattern is the native's answer (as opa eval)", async () => {
  for (const [name, expression] of Object.entries(CASES)) {
    const policy = `package main\n\nimport rego.v1\n\ndeny contains json.marshal(x) if x := ${expression}\n`;
    await withRepoAsync("regex-any-byte", { "policy/p.rego": policy, "input.json": JSON.stringify(INPUT) }, async (root) => {
      let expected: string;
      try {
        const out = JSON.parse(await runTool("opa", ["eval", "--strict-builtin-errors", "-f", "json", "-d", "policy", "-i", "input.json", "data.main.deny"], { cwd: root })) as { result: { expressions: { value: string[] }[] }[] };
        expected = `FAIL input.json [main.deny] ${out.result[0]!.expressions[0]!.value[0]}`;
      } catch (error) {
        const message = /"message": "([^"]*(?:\\.[^"]*)*)"/.exec((error as Error).message)?.[1];
        assert.ok(message, `${name}: opa's error has a message`);
        expected = `FAIL input.json [policy/eval-error] main/deny: ${JSON.parse(`"${message}"`) as string}`;
      }
      const run = gatehouse(["check", "--policy", "policy", "input.json"], root);
      assert.is(run.code, 1, `${name}: ${run.stderr}`);
      assert.is(run.stdout.split("\n")[0], expected, name);
    });
  }
});

test("ceil and floor answer as opa eval, -1 < x < 0 included", async () => {
  const expression = "[ceil(-0.5), floor(-0.5), ceil(-1.5), floor(-1.5), round(-0.5), ceil(-0.0001), floor(0.5), ceil(0.5), floor(-2), ceil(-2.5), ceil(-0.999), floor(-0.999), ceil(input.n), floor(input.n), ceil(-0), floor(-0.0)]";
  const policy = `package main\n\nimport rego.v1\n\ndeny contains json.marshal(x) if x := ${expression}\n\ndeny contains "ceil of a small negative number is positive" if ceil(input.n) > 0\n`;
  await withRepoAsync("ceil-floor", { "policy/p.rego": policy, "input.json": JSON.stringify({ n: -0.25 }) }, async (root) => {
    const out = JSON.parse(await runTool("opa", ["eval", "--strict-builtin-errors", "-f", "json", "-d", "policy", "-i", "input.json", "data.main.deny"], { cwd: root })) as { result: { expressions: { value: string[] }[] }[] };
    const expected = out.result[0]!.expressions[0]!.value.map((message) => `FAIL input.json [main.deny] ${message}`).sort();
    assert.is(expected.length, 2, "opa denies with both rules");
    const run = gatehouse(["check", "--policy", "policy", "input.json"], root);
    assert.is(run.code, 1, run.stderr);
    assert.equal(run.stdout.split("\n").filter((line) => line.startsWith("FAIL ")).sort(), expected);
  });
});

test.run();
