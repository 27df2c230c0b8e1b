// Issue 14, tenth pass (inputs, check/parse/verify, evaluation): regressions for the holes this
// pass found, each checked against `opa eval --strict-builtin-errors` / conftest.

import { rmSync } from "node:fs";
import { test } from "uvu";
import * as assert from "uvu/assert";
import { failLinesOf, gatehouse, repo } from "./harness.js";

/** One deny rule per named expression: the rule denies with its name when the expression holds. */
function policyOf(rules: Record<string, string>): string {
  const lines = ["package main", "import rego.v1"];
  for (const [name, body] of Object.entries(rules)) lines.push(`deny contains ${JSON.stringify(name)} if { ${body} }`);
  return lines.join("\n") + "\n";
}

function messagesOf(stdout: string): string[] {
  return failLinesOf(stdout)
    .map((line) => /\[main\.deny\] (.*)$/.exec(line)?.[1])
    .filter((m): m is string => m !== undefined)
    .sort();
}

test("issue 14.1: json.is_valid and base64.is_valid answer as Go does (the wasm runtime's readers said true for `[1 2]`, `[1,]`, `00`, `1 2`, `aGk`), so a deny rule on a malformed value fires as under conftest", () => {
  const invalidJson = ["[1 2]", "[1,]", "{\"a\":1,}", "00", "[01]", "1 2", "[1]]", "1.", "0x10", "{\"a\": 1} trailing"];
  const invalidBase64 = ["aGk", "aGk=x", "a Gk=", "aGk==", "a===", "aGk=aGk="];
  const rules: Record<string, string> = {};
  invalidJson.forEach((_, i) => (rules[`json ${i}`] = `not json.is_valid(input.json[${i}])`));
  invalidBase64.forEach((_, i) => (rules[`base64 ${i}`] = `not base64.is_valid(input.base64[${i}])`));
  // Valid values stay valid (no rule may fire for them).
  rules["valid json refused"] = `some s in ["[1]", " {\\"a\\": [1, 2.5e3, null]} ", "\\"\\\\u00e9\\"", "123456789012345678901234567890"]; not json.is_valid(s)`;
  rules["valid base64 refused"] = `some s in ["", "aGk=", "aGl=", "aGVsbG8=", "aG\\nk=", "aGk=\\r\\n"]; not base64.is_valid(s)`;
  rules["not-a-string json is valid"] = `json.is_valid(input.number)`;
  const dir = repo("rt10-is-valid", {
    "policy/p.rego": policyOf(rules),
    "in.json": JSON.stringify({ json: invalidJson, base64: invalidBase64, number: 1 }),
  });
  try {
    const r = gatehouse(["check", "--policy", "policy", "in.json"], dir);
    assert.is(r.code, 1, r.stdout + r.stderr);
    const expected = [...invalidJson.map((_, i) => `json ${i}`), ...invalidBase64.map((_, i) => `base64 ${i}`)].sort();
    assert.equal(messagesOf(r.stdout), expected, r.stdout);
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});

test("issue 14.1: json.unmarshal, base64.decode, base64url.decode and indexof err where topdown errs (policy/eval-error) instead of answering from a lenient reader; replace with an empty old string errs at once instead of looping to the timeout", () => {
  const erring: Record<string, string> = {
    "json.unmarshal trailing value": `json.unmarshal("{\\"replicas\\": 1}{\\"replicas\\": 9}")`,
    "json.unmarshal trailing comma": `json.unmarshal("[1,]")`,
    "json.unmarshal leading zero": `json.unmarshal("[01]")`,
    "json.unmarshal missing comma": `json.unmarshal("[1 2]")`,
    "json.unmarshal hex": `json.unmarshal("0x10")`,
    "base64.decode unpadded": `base64.decode("aGk")`,
    "base64.decode trailing data": `base64.decode("aGk=x")`,
    "base64.decode space": `base64.decode("a Gk=")`,
    "base64.decode extra padding": `base64.decode("aGk==")`,
    "base64url.decode standard alphabet": `base64url.decode("aGk+")`,
    "base64url.decode one char over": `base64url.decode("aGk=a")`,
    "indexof empty": `indexof("abc", "")`,
    "replace empty old": `replace("aaa", "", "x")`,
  };
  for (const [name, call] of Object.entries(erring)) {
    const dir = repo("rt10-guards", { "policy/p.rego": policyOf({ [name]: `count([${call}]) == 1` }), "in.json": "{}" });
    try {
      const r = gatehouse(["check", "--policy", "policy", "--timeout", "20000", "in.json"], dir, { timeoutMs: 25_000 });
      assert.is(r.code, 1, `${name}: ${r.stdout}${r.stderr}`);
      assert.ok(r.stdout.includes("[policy/eval-error]"), `${name}: ${r.stdout}`);
      assert.not.ok(r.stdout.includes("policy/timeout"), `${name}: ${r.stdout}`);
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  }
});

test("issue 14.1 (held): the guarded builtins still answer valid operands as OPA does (exact numbers, decoded bytes, padding added)", () => {
  const dir = repo("rt10-guards-valid", {
    "policy/p.rego": policyOf({
      "json.unmarshal": `json.unmarshal(" {\\"a\\": [1, 2.5e3], \\"b\\": 123456789012345678901234567890, \\"a\\": 2} ") == {"a": 2, "b": 123456789012345678901234567890}`,
      "base64.decode": `base64.decode("aGVsbG8=") == "hello"; base64.decode("aG\\nk=") == "hi"`,
      "base64url.decode": `base64url.decode("aGk") == "hi"; base64url.decode("_-8=") == base64url.decode("_-8")`,
      indexof: `indexof("héllo", "l") == 2`,
      replace: `replace("a.b.c", ".", "::") == "a::b::c"`,
    }),
    "in.json": "{}",
  });
  try {
    const r = gatehouse(["check", "--policy", "policy", "in.json"], dir);
    assert.is(r.code, 1, r.stdout + r.stderr);
    assert.equal(messagesOf(r.stdout), ["base64.decode", "base64url.decode", "indexof", "json.unmarshal", "replace"], r.stdout);
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});

test.run();
