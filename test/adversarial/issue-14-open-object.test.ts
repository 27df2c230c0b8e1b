// Issue 14.6: schemas/open-object fired only on a top-level `type: "object"`. Each schema below is
// gated through the real CLI (`gatehouse gate`, schemas collector, shipped bundle) in a scratch
// repository whose schema has its fixtures, so open-object is the only thing that can deny.

import { spawnSync } from "node:child_process";
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { fileURLToPath } from "node:url";
import { test } from "uvu";
import * as assert from "uvu/assert";

const cli = fileURLToPath(new URL("../../../bin/gatehouse.js", import.meta.url));
const HEADER = {
  $schema: "https://json-schema.org/draft/2020-12/schema",
  $id: "https://gatehouse.dev/schemas/thing.v1.schema.json",
  title: "Thing",
  description: "A thing.",
};

interface Report {
  verdict: string;
  findings: { code: string; location?: { pointer?: string } }[];
}

/** Gates one schema; returns the exit code and the open-object pointers the report names. */
function gateSchema(body: Record<string, unknown>): { code: number | null; pointers: string[]; out: string } {
  const dir = mkdtempSync(join(tmpdir(), "gatehouse-open-object-"));
  try {
    writeFileSync(join(dir, "gatehouse.config.yaml"), "version: 1\nprofile: self\ncollectors:\n  schemas: {}\n");
    mkdirSync(join(dir, "schemas"));
    writeFileSync(join(dir, "schemas", "thing.v1.schema.json"), JSON.stringify({ ...HEADER, ...body }));
    mkdirSync(join(dir, "fixtures", "thing.v1"), { recursive: true });
    const tests = [{ description: "v", data: {}, valid: true }, { description: "i1", data: 1, valid: false }, { description: "i2", data: 2, valid: false }];
    writeFileSync(join(dir, "fixtures", "thing.v1", "cases.json"), JSON.stringify({ description: "thing", tests }));
    const r = spawnSync(process.execPath, [cli, "gate", "--format", "json"], { cwd: dir, encoding: "utf8" });
    const out = `${r.stdout}${r.stderr}`;
    const report = JSON.parse(r.stdout) as Report;
    const pointers = report.findings.filter((f) => f.code === "schemas/open-object").map((f) => f.location?.pointer ?? "");
    return { code: r.status, pointers: pointers.sort(), out };
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

const DENIED: [string, Record<string, unknown>, string[]][] = [
  ["type: [object]", { type: ["object"] }, ["/schema/additionalProperties"]],
  ["type: [object, null]", { type: ["object", "null"] }, ["/schema/additionalProperties"]],
  ["properties without a type", { properties: { a: { type: "string" } } }, ["/schema/additionalProperties"]],
  ["allOf: [{type: object}]", { allOf: [{ type: "object" }] }, ["/schema/allOf/0/additionalProperties"]],
  ["anyOf with an open object branch", { anyOf: [{ type: "object" }, { type: "null" }] }, ["/schema/anyOf/0/additionalProperties"]],
  ["oneOf with an open object branch", { oneOf: [{ type: "object", additionalProperties: false }, { properties: { b: true } }] }, ["/schema/oneOf/1/additionalProperties"]],
  ["an open object in $defs", { type: "object", additionalProperties: false, $defs: { x: { type: "object" } } }, ["/schema/$defs/x/additionalProperties"]],
  ["an open object in items and prefixItems", { type: "object", additionalProperties: false, properties: { l: { type: "array", items: { required: ["a"] }, prefixItems: [{ type: "object" }] } } }, ["/schema/properties/l/items/additionalProperties", "/schema/properties/l/prefixItems/0/additionalProperties"]],
  ["an open object in patternProperties", { type: "object", additionalProperties: false, patternProperties: { "^x-": { type: "object" } } }, ["/schema/patternProperties/^x-/additionalProperties"]],
  ["an open object in then", { if: { type: "object" }, then: { type: "object" }, else: { type: "object", additionalProperties: false } }, ["/schema/then/additionalProperties"]],
  ["the top-level object declared open", { type: "object", additionalProperties: true }, ["/schema/additionalProperties"]],
];

for (const [name, body, pointers] of DENIED) {
  test(`issue 14.6: open-object finds ${name}`, () => {
    const r = gateSchema(body);
    assert.is(r.code, 1, r.out);
    assert.equal(r.pointers, pointers, r.out);
  });
}

const ALLOWED: [string, Record<string, unknown>][] = [
  ["a closed object", { type: "object", additionalProperties: false }],
  ["unevaluatedProperties: false over allOf branches", { type: "object", unevaluatedProperties: false, allOf: [{ properties: { a: true } }] }],
  ["a $defs mixin closed where it is used", { type: "object", unevaluatedProperties: false, $ref: "#/$defs/m", $defs: { m: { type: "object", properties: { a: true } } } }],
  ["a nested map and a nested object declared open", { type: "object", additionalProperties: false, properties: { labels: { type: "object", additionalProperties: { type: "string" } }, meta: { type: "object", additionalProperties: true } } }],
];

for (const [name, body] of ALLOWED) {
  test(`issue 14.6: open-object allows ${name}`, () => {
    const r = gateSchema(body);
    assert.is(r.code, 0, r.out);
    assert.equal(r.pointers, []);
  });
}

test.run();
