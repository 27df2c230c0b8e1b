import { test } from "uvu";
import * as assert from "uvu/assert";
import { InputParseError, parseDocument } from "../src/inputs/parse.js";

test("JSON: a duplicate key is rejected, even when spelled with an escape", () => {
  assert.throws(() => parseDocument('{"a": 1, "a": 2}', "json"), (e: unknown) => e instanceof InputParseError && /duplicate key "a"/.test(e.message));
  assert.throws(() => parseDocument('{"a": 1, "\\u0061": 2}', "json"), /duplicate key/);
});

test("JSON: the same key in sibling objects is fine", () => {
  assert.equal(parseDocument('[{"a": 1}, {"a": 2}]', "json"), [{ a: 1 }, { a: 2 }]);
  assert.equal(parseDocument('{"a": {"a": {"a": "}"}}}', "json"), { a: { a: { a: "}" } } });
});

test("YAML: duplicate keys are rejected", () => {
  assert.throws(() => parseDocument("a: 1\na: 2\n", "yaml"), /duplicate|unique/i);
});

test("YAML: an alias bomb is refused", () => {
  const lines = ['a: &a ["x","x","x","x","x","x","x","x","x"]'];
  let prev = "a";
  for (const name of ["b", "c", "d", "e", "f", "g", "h", "i"]) {
    lines.push(`${name}: &${name} [*${prev},*${prev},*${prev},*${prev},*${prev},*${prev},*${prev},*${prev},*${prev}]`);
    prev = name;
  }
  assert.throws(() => parseDocument(lines.join("\n"), "yaml"), (e: unknown) => e instanceof InputParseError && /alias/i.test(e.message));
});

test("YAML: a multi-document stream is a list of documents", () => {
  assert.equal(parseDocument("a: 1\n---\nb: 2\n", "yaml"), [{ a: 1 }, { b: 2 }]);
});

test("invalid JSON names the problem", () => {
  assert.throws(() => parseDocument("{", "json"), /invalid JSON/);
});

test.run();
