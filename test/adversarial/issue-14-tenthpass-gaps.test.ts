// Issue 14, the tenth pass: the known gaps in the repeated-key checks of the formats whose
// conftest parser keeps the last value. dotenv and properties: a key set twice around a line
// that only looks like a key, or by a statement written over several lines, passed on main
// (which key a line sets was asked of the parser one physical line at a time, and the file
// rejoined with LF). HCL 1: names that differ only in case beside a block with labels are
// merged by the decoder. Each case runs the real CLI in a bounded child process.

import { test } from "uvu";
import * as assert from "uvu/assert";
import { failLinesOf, gatehouse, withRepo } from "./harness.js";

const ECHO_INPUT = 'package main\n\ndeny contains sprintf("%v", [input]) if true\n';

/** One `check` over every file: each refused file must name `key`, each kept one reach the policy. */
function assertRefusedAndKept(prefix: string, refused: Record<string, [text: string, key: string]>, kept: Record<string, string>, reason: (key: string) => string): void {
  const files: Record<string, string> = { "policy/main.rego": ECHO_INPUT };
  for (const [name, [text]] of Object.entries(refused)) files[name] = text;
  for (const [name, text] of Object.entries(kept)) files[name] = text;
  withRepo(prefix, files, (root) => {
    const run = gatehouse(["check", "--policy", "policy", ...Object.keys(refused), ...Object.keys(kept)], root, { timeoutMs: 90_000 });
    assert.is(run.code, 1, run.stdout + run.stderr);
    const linesOf = (file: string) => failLinesOf(run.stdout).filter((line) => line.startsWith(`FAIL ${file} `));
    for (const [file, [, key]] of Object.entries(refused)) {
      const lines = linesOf(file);
      assert.is(lines.length, 1, `${file}: ${run.stdout}`);
      assert.ok(lines[0]!.includes("[input/unparsable]") && lines[0]!.includes(reason(key)), `${file}: ${lines[0]}`);
    }
    for (const file of Object.keys(kept)) {
      const lines = linesOf(file);
      assert.is(lines.length, 1, `${file}: ${run.stdout}`);
      assert.match(lines[0]!, "[main.deny]", file);
    }
  });
}

test("issue 14.1: a dotenv or properties key set twice with different values is refused whatever shape its statements have (a quoted or continued value over several lines, a line that only looks like the key before both, CR LF after a continuation), and a line that only looks like a key inside another value is no repeat", () => {
  assertRefusedAndKept(
    "tenthpass-line-keys",
    {
      // The winning or the losing statement is a quoted value over two lines.
      "last-multiline.env": ['DEBUG=false\nDEBUG="true\n"\n', "DEBUG"],
      "first-multiline.env": ['DEBUG="false\n"\nDEBUG=true\n', "DEBUG"],
      "single-quoted.env": ["DEBUG='false\n'\nDEBUG=true\n", "DEBUG"],
      // Lines that only look like DEBUG inside values, first and last, around the two real ones.
      "decoys.env": ['NOTE="x\nDEBUG=one\n"\nDEBUG=false\nDEBUG=true\nOTHER="y\nDEBUG=two\n"\nEND=1\n', "DEBUG"],
      "crlf.env": ["DEBUG=false\r\nDEBUG=true\r\n", "DEBUG"],
      // A value that expands a key set in between: the same text, another value.
      "expanded.env": ["B=$A\nA=2\nB=$A\n", "B"],
      // A backslash before CR LF continues onto the empty line between CR and LF: two statements.
      "crlf-continued.properties": ["debug=false\\\r\ndebug=true\r\n", "debug"],
      "decoys.properties": ["note=x\\\n  debug=one\ndebug=false\ndebug=true\nother=y\\\n  debug=two\nend=1\n", "debug"],
      "long-continuation.properties": ["x=1\\\n\\\n\\\ny=2\nx=3\n", "x"],
      // A comment never continues: the line after it is a statement.
      "comment-backslash.properties": ["debug=false\n! note \\\ndebug=true\n", "debug"],
    },
    {
      // DEBUG=true here is text of NOTE's value (main refused this file).
      "inside-value.env": 'DEBUG=false\nNOTE="x\nDEBUG=true"\n',
      "same-value.env": "A=1\nB=$A\nA=1\nB=$A\n",
      "continued.properties": "note=one \\\n  debug=true\ndebug=false\n",
      // A BOM inside the file is part of the key it starts, another key than debug.
      "inner-bom.properties": "debug=false\n\ufeffdebug=true\n",
      "same-value-crlf.properties": "debug=true\r\ndebug=true\r\n",
    },
    (key) => `"${key}" set more than once with different values`,
  );
});

test("issue 14.1: HCL 1 names of one object that differ only in case (Unicode folding included) beside a block with labels are refused, since the decoder puts each one's blocks under both; the same names without labels, or labels that differ in case, are kept", () => {
  assertRefusedAndKept(
    "tenthpass-hcl1-case",
    {
      "top.hcl1": ['resource "bucket" { acl = "private" }\nResource "bucket" { acl = "public" }\n', '"/Resource" and "/resource"'],
      "kelvin.hcl1": ['\u212a "x" { c = 1 }\nk "y" { c = 2 }\n', '"/k" and "/\u212a"'],
      "nested.hcl1": ['s { a "x" { c = 1 }\nA "y" { c = 2 } }\n', '"/s/A" and "/s/a"'],
      "in-list.hcl1": ['s = [{ a "x" { c = 1 }, A "y" { c = 2 } }]\n', '"/s/0/A" and "/s/0/a"'],
      "json.hcl1": ['{"a": {"x": {"c": 1}}, "A": {"y": {"c": 2}}}\n', '"/A" and "/a"'],
    },
    {
      "unlabelled.hcl1": "a { x = 1 }\nA { x = 2 }\n",
      "label-case.hcl1": 'a "x" { c = 1 }\na "X" { c = 2 }\n',
      "resources.hcl1": 'resource "x" "a" { v = 1 }\nresource "x" "b" { v = 2 }\n',
    },
    (names) => `${names}: names of one object that differ only in case`,
  );
});

test.run();
