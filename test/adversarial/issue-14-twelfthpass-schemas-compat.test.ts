// Issue 14, twelfth pass (fail-open in `schemas compat`): it compared a fixed list of keywords
// and let every other change through as compatible. A dependentRequired or dependentSchemas entry
// added, a patternProperties entry added to an open object, a $dynamicRef, a draft-07 tuple
// `items` entry: each makes the new schema reject documents the old one accepted, and each
// exited 0 ("compatible"). Now a keyword the comparison does not know is breaking when it changes.

import { writeFileSync } from "node:fs";
import { join } from "node:path";
import { test } from "uvu";
import * as assert from "uvu/assert";
import { gatehouse, withRepo } from "./harness.js";

const BASE = {
  $schema: "https://json-schema.org/draft/2020-12/schema",
  $id: "https://example.com/thing.v1.json",
  type: "object",
  properties: { a: { type: "string" }, n: { type: "number" }, l: { type: "array", items: { type: "string" } } },
};

type Json = Record<string, unknown>;

/** `schemas compat` of BASE against BASE edited by `edit`: exit code and JSON findings' codes. */
function compat(edit: (s: Json) => void, old: Json = BASE): { code: number | null; codes: string[]; out: string } {
  return withRepo("schemas-compat", {}, (root) => {
    const changed = structuredClone(old);
    edit(changed);
    writeFileSync(join(root, "old.json"), JSON.stringify(old));
    writeFileSync(join(root, "new.json"), JSON.stringify(changed));
    const r = gatehouse(["schemas", "compat", "old.json", "new.json", "--format", "json"], root);
    const report = JSON.parse(r.stdout) as { findings: { code: string; severity: string }[] };
    return { code: r.code, codes: report.findings.filter((f) => f.severity === "error" || f.severity === "block").map((f) => f.code).sort(), out: r.stdout + r.stderr };
  });
}

const props = (s: Json) => s.properties as Record<string, Json>;

test("issue 14.6: schema changes that reject old documents are breaking, whatever keyword makes them (exit 1 with the code)", () => {
  const cases: [string, (s: Json) => void, string, Json?][] = [
    ["dependentRequired added", (s) => (s.dependentRequired = { a: ["n"] }), "compat/dependency-added"],
    ["dependentRequired requires more", (s) => (s.dependentRequired = { a: ["n", "l"] }), "compat/dependency-added", { ...BASE, dependentRequired: { a: ["n"] } }],
    ["dependentSchemas added", (s) => (s.dependentSchemas = { a: { required: ["n"] } }), "compat/dependency-added"],
    ["dependentSchemas tightened", (s) => (s.dependentSchemas = { a: { required: ["n", "l"] } }), "compat/newly-required", { ...BASE, dependentSchemas: { a: { required: ["n"] } } }],
    ["draft-07 dependencies (names) added", (s) => (s.dependencies = { a: ["n"] }), "compat/dependency-added"],
    ["patternProperties added to an open object", (s) => (s.patternProperties = { "^z": { type: "number" } }), "compat/pattern-property-added"],
    ["patternProperties matching a declared property", (s) => (s.patternProperties = { "^a$": { maxLength: 1 } }), "compat/pattern-property-added"],
    ["$dynamicRef added", (s) => (props(s).a!.$dynamicRef = "#meta"), "compat/keyword-changed"],
    ["contentSchema added", (s) => (props(s).a!.contentSchema = { type: "object", required: ["x"] }), "compat/keyword-changed"],
    ["draft-07 tuple items entry narrowed", (s) => ((props(s).l!.items as Json[])[0] = { type: "number" }), "compat/keyword-changed", { ...BASE, properties: { ...BASE.properties, l: { type: "array", items: [{ type: "string" }] } } }],
    ["a vocabulary's own keyword added", (s) => (s["x-max-depth"] = 2), "compat/keyword-changed"],
    ["$schema changed", (s) => (s.$schema = "http://json-schema.org/draft-04/schema#"), "compat/keyword-changed"],
  ];
  for (const [name, edit, code, old] of cases) {
    const r = compat(edit, old);
    assert.is(r.code, 1, `${name}: ${r.out}`);
    assert.ok(r.codes.includes(code), `${name}: expected ${code}, got ${r.codes.join(", ")}`);
  }
});

test("issue 14.6: changes that accept at least as much stay compatible (annotations, $id, a dependency dropped)", () => {
  const cases: [string, (s: Json) => void, Json?][] = [
    ["description and examples", (s) => ((s.description = "a thing"), (s.examples = [{ a: "x" }]))],
    ["$id of the next version", (s) => (s.$id = "https://example.com/thing.v2.json")],
    ["dependentRequired dropped", (s) => delete s.dependentRequired, { ...BASE, dependentRequired: { a: ["n"] } }],
    ["dependentRequired requires less", (s) => (s.dependentRequired = { a: ["n"] }), { ...BASE, dependentRequired: { a: ["n", "l"] } }],
    ["an unknown keyword unchanged", (s) => (s.title = "t"), { ...BASE, "x-max-depth": 2 }],
  ];
  for (const [name, edit, old] of cases) {
    const r = compat(edit, old);
    assert.is(r.code, 0, `${name}: ${r.out}`);
    assert.equal(r.codes, [], name);
  }
});

test("issue 14.6: a file that is not a JSON Schema is refused naming the place (exit 2), not compared or crashed on", () => {
  withRepo("schemas-compat-malformed", {}, (root) => {
    writeFileSync(join(root, "good.json"), JSON.stringify(BASE));
    const cases: [string, string][] = [
      ["[1, 2]", "/"],
      ['"x"', "/"],
      ['{"properties": {"a": "x"}}', "/properties/a"],
      ['{"anyOf": {"type": "string"}}', "/anyOf"],
      ['{"items": [{"type": "string"}, 3]}', "/items/1"],
      ['{"not": 5}', "/not"],
    ];
    for (const [text, pointer] of cases) {
      writeFileSync(join(root, "bad.json"), text);
      for (const args of [["bad.json", "good.json"], ["good.json", "bad.json"]]) {
        const r = gatehouse(["schemas", "compat", ...args], root);
        assert.is(r.code, 2, `${text}: ${r.stdout}${r.stderr}`);
        assert.ok(r.stderr.includes(`ConfigError: bad.json: not a JSON Schema: at ${pointer} a schema must stand`), `${text}: ${r.stderr}`);
      }
    }
  });
});

test.run();
