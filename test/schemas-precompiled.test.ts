// Precompiled validators (scripts/validators.ts, src/schemas/registry.ts): used only for exactly
// the schema files they were made from, and giving the same findings as validators ajv compiles.

import { test } from "uvu";
import * as assert from "uvu/assert";
import { appendFileSync, cpSync, mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { packagePath } from "../src/core/paths.js";
import { findFiles } from "../src/core/walk.js";
import { PRECOMPILED_MANIFEST, SchemaRegistry, type PrecompiledManifest } from "../src/schemas/registry.js";
import { rng } from "../scripts/bench-inputs.js";

const work = mkdtempSync(join(tmpdir(), "gatehouse-precompiled-"));
test.after(() => rmSync(work, { recursive: true, force: true }));

/** A copy of the package's schemas, optionally changed. */
function copyOfSchemas(name: string, change?: (dir: string) => void): string {
  const dir = join(work, name);
  cpSync(packagePath("schemas"), dir, { recursive: true });
  change?.(dir);
  return dir;
}

/** Every fixture document, and mutants of each (a key dropped, a value of another type). */
function documents(): unknown[] {
  const docs: unknown[] = [];
  for (const file of findFiles(packagePath("fixtures"), { extensions: [".json"] })) {
    const suite = JSON.parse(readFileSync(join(packagePath("fixtures"), file), "utf8")) as { tests?: { data: unknown }[] };
    for (const entry of suite.tests ?? []) docs.push(entry.data);
  }
  const next = rng(11);
  const mutants: unknown[] = [];
  const replacements = [null, 1, "x", [], {}, true, -1.5, "not-a-date", "2026-13-45T00:00:00Z"];
  for (const doc of docs) {
    if (!doc || typeof doc !== "object" || Array.isArray(doc)) continue;
    const keys = Object.keys(doc);
    for (let i = 0; i < 3 && keys.length > 0; i++) {
      const key = keys[Math.floor(next() * keys.length)]!;
      const dropped = { ...(doc as Record<string, unknown>) };
      delete dropped[key];
      mutants.push(dropped, { ...(doc as Record<string, unknown>), [key]: replacements[Math.floor(next() * replacements.length)] });
    }
  }
  return [...docs, ...mutants];
}

test("the package's registry uses the validators npm run compile wrote, made from its schemas", () => {
  const registry = new SchemaRegistry();
  assert.ok(registry.precompiled, "precompiled validators in use");
  const manifest = JSON.parse(readFileSync(PRECOMPILED_MANIFEST, "utf8")) as PrecompiledManifest;
  const files = readdirSync(packagePath("schemas")).filter((f) => f.endsWith(".schema.json")).sort();
  assert.equal(Object.keys(manifest.schemas).sort(), files);
});

test("precompiled and ajv-compiled validators give the same findings on fixtures and their mutants", () => {
  const precompiled = new SchemaRegistry();
  // The same schemas with a trailing newline: same meaning, other bytes, so ajv compiles them.
  const compiled = new SchemaRegistry(copyOfSchemas("same-meaning", (dir) => appendFileSync(join(dir, "gatehouse-config.v1.schema.json"), "\n")));
  assert.ok(precompiled.precompiled);
  assert.is(compiled.precompiled, false);
  const docs = documents();
  assert.ok(docs.length > 200, `${docs.length} documents`);
  let invalid = 0;
  let valid = 0;
  for (const name of precompiled.names) {
    for (const [i, doc] of docs.entries()) {
      const ours = precompiled.validate(name, doc, "doc.json");
      assert.equal(ours, compiled.validate(name, doc, "doc.json"), `${name}, document ${i}`);
      if (ours.length > 0) invalid++;
      else valid++;
    }
  }
  assert.ok(valid > 50 && invalid > 1000, `both outcomes are exercised (${valid} valid, ${invalid} invalid)`);
});

test("a changed schema is compiled, not answered by stale precompiled code", () => {
  const dir = copyOfSchemas("changed", (d) => {
    const file = join(d, "gatehouse-config.v1.schema.json");
    const schema = JSON.parse(readFileSync(file, "utf8")) as { required?: string[] };
    schema.required = [...(schema.required ?? []), "policy"];
    writeFileSync(file, JSON.stringify(schema, null, 2));
  });
  const registry = new SchemaRegistry(dir);
  assert.is(registry.precompiled, false);
  const findings = registry.validate("gatehouse-config.v1", { version: 1 }, "gatehouse.config.yaml");
  assert.equal(findings.map((f) => f.message), ["/ must have required property 'policy' (schema gatehouse-config.v1)"]);
  assert.equal(new SchemaRegistry().validate("gatehouse-config.v1", { version: 1 }, "gatehouse.config.yaml"), []);
});

test("an extra or a missing schema file turns precompiled validators off", () => {
  const extra = copyOfSchemas("extra", (d) =>
    writeFileSync(join(d, "extra-kind.v1.schema.json"), JSON.stringify({ $schema: "https://json-schema.org/draft/2020-12/schema", $id: "https://gatehouse.dev/schemas/extra-kind.v1.schema.json", type: "object" })),
  );
  assert.is(new SchemaRegistry(extra).precompiled, false);
  const missing = copyOfSchemas("missing", (d) => rmSync(join(d, "waivers.v1.schema.json")));
  assert.is(new SchemaRegistry(missing).precompiled, false);
  assert.equal(new SchemaRegistry(extra).validate("extra-kind.v1", [], "x.json").map((f) => f.code), ["schema/invalid"]);
});

test.run();
