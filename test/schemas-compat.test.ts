import { spawnSync } from "node:child_process";
import { mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { test } from "uvu";
import * as assert from "uvu/assert";
import { packagePath } from "../src/core/paths.js";
import { compareSchemas, isBackwardCompatible, type CompatChange } from "../src/schemas/compat.js";
import { SCHEMA_FILE } from "../src/schemas/registry.js";

const base = {
  type: "object",
  additionalProperties: false,
  required: ["id"],
  properties: {
    id: { type: "string", minLength: 1, pattern: "^[a-z]+$" },
    kind: { enum: ["a", "b"] },
    count: { type: "integer", minimum: 0, maximum: 10 },
    version: { const: 1 },
    tags: { type: "array", items: { type: ["string", "integer"] } },
    ratio: { type: "number" },
    meta: { type: "object" },
  },
};

type Edit = (s: any) => void;
const edited = (edit: Edit) => {
  const copy = structuredClone(base) as any;
  edit(copy);
  return copy;
};
const codes = (changes: CompatChange[]) => changes.map((c) => `${c.breaking ? "!" : "~"}${c.code}`);

/** [description, edit, the breaking code it must raise] — and the reverse edit must be compatible. */
const BREAKING: [string, Edit, string][] = [
  ["property removed", (s) => delete s.properties.kind, "compat/property-removed"],
  ["property newly required", (s) => s.required.push("kind"), "compat/newly-required"],
  ["type narrowed", (s) => (s.properties.tags.items.type = "string"), "compat/type-narrowed"],
  ["number narrowed to integer", (s) => (s.properties.ratio.type = "integer"), "compat/type-narrowed"],
  ["enum value removed", (s) => (s.properties.kind.enum = ["a"]), "compat/enum-value-removed"],
  ["additionalProperties closed", (s) => (s.properties.meta.additionalProperties = false), "compat/additional-properties-closed"],
  ["const changed", (s) => (s.properties.version.const = 2), "compat/const-changed"],
  ["const added", (s) => (s.properties.count.const = 3), "compat/const-changed"],
  ["minimum raised", (s) => (s.properties.count.minimum = 1), "compat/bound-tightened"],
  ["maximum lowered", (s) => (s.properties.count.maximum = 9), "compat/bound-tightened"],
  ["maxLength added", (s) => (s.properties.id.maxLength = 64), "compat/bound-tightened"],
  ["pattern changed", (s) => (s.properties.id.pattern = "^[a-z0-9]+$"), "compat/pattern-changed"],
  ["format added", (s) => (s.properties.id.format = "uri"), "compat/format-changed"],
];

for (const [description, edit, code] of BREAKING) {
  test(`breaking: ${description}`, () => {
    const changes = compareSchemas(base, edited(edit));
    assert.ok(codes(changes).includes(`!${code}`), `${description}: ${JSON.stringify(changes)}`);
    assert.not.ok(isBackwardCompatible(changes));
  });
}

// Swapping one pattern or const value for another breaks in both directions.
const SYMMETRIC = new Set(["pattern changed", "const changed"]);

test("the reverse of every breaking edit is compatible, except swaps of a pattern or const", () => {
  for (const [description, edit] of BREAKING) {
    const changes = compareSchemas(edited(edit), base);
    if (SYMMETRIC.has(description)) {
      assert.not.ok(isBackwardCompatible(changes), `${description} reversed is a swap, still breaking`);
      continue;
    }
    assert.ok(isBackwardCompatible(changes), `${description} reversed: ${JSON.stringify(changes)}`);
  }
});

test("compatible: optional property added to a closed object, enum value added, type widened", () => {
  const changes = compareSchemas(
    base,
    edited((s) => {
      s.properties.note = { type: "string" };
      s.properties.kind.enum.push("c");
      s.properties.count.type = ["integer", "null"];
    }),
  );
  assert.equal(codes(changes), ["~compat/type-widened", "~compat/enum-value-added", "~compat/property-added"]);
});

test("adding a property to an open object is breaking: old documents may use the name differently", () => {
  const open = { type: "object", properties: { a: { type: "string" } } };
  const changes = compareSchemas(open, { type: "object", properties: { a: { type: "string" }, b: { type: "integer" } } });
  assert.equal(codes(changes), ["!compat/property-added"]);
});

test("identical schemas have no changes", () => {
  assert.equal(compareSchemas(base, structuredClone(base)), []);
});

test("$defs are compared by name; a removed definition is breaking", () => {
  const a = { $defs: { d: { type: "string" }, e: { type: "string" } } };
  assert.equal(codes(compareSchemas(a, { $defs: { d: { type: "string", minLength: 2 } } })), ["!compat/bound-tightened", "!compat/definition-removed"]);
});

test("gatehouse schemas compat: exit 1 with findings on a breaking change, 0 on the reverse", () => {
  const dir = mkdtempSync(join(tmpdir(), "gatehouse-compat-"));
  try {
    const oldFile = join(dir, "a.v1.schema.json");
    const newFile = join(dir, "a.v2.schema.json");
    writeFileSync(oldFile, JSON.stringify(base));
    writeFileSync(newFile, JSON.stringify(edited((s) => s.required.push("kind"))));
    const run = (a: string, b: string) => spawnSync(process.execPath, [packagePath("bin", "gatehouse.js"), "schemas", "compat", a, b, "--format", "json"], { encoding: "utf8" });
    const breaking = run(oldFile, newFile);
    assert.is(breaking.status, 1, breaking.stderr);
    assert.equal(JSON.parse(breaking.stdout).findings.map((f: any) => f.code), ["compat/newly-required"]);
    const reverse = run(newFile, oldFile);
    assert.is(reverse.status, 0, reverse.stderr);
    assert.is(run(oldFile, join(dir, "missing.json")).status, 2);
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});

// The repository's own schemas: a version bump may break, an edit within a version may not.
const SCHEMAS = packagePath("schemas");
const files = readdirSync(SCHEMAS).filter((f) => SCHEMA_FILE.test(f)).sort();
const read = (file: string) => JSON.parse(readFileSync(join(SCHEMAS, file), "utf8"));

test("schemas/: every <name>.v<N+1> is compared with <name>.v<N>", () => {
  for (const file of files) {
    const [, name, version] = SCHEMA_FILE.exec(file)!;
    const previous = `${name}.v${Number(version) - 1}.schema.json`;
    if (!files.includes(previous)) continue;
    const changes = compareSchemas(read(previous), read(file));
    // A new major version exists to carry breaking changes; one with none should have stayed a v<N> edit.
    assert.ok(changes.length > 0, `${file} is identical to ${previous}: drop it or change it`);
  }
});

test("schemas/: no breaking change within a version against git (HEAD, or $GATEHOUSE_COMPAT_BASE)", () => {
  const ref = process.env.GATEHOUSE_COMPAT_BASE || "HEAD";
  const inRepo = spawnSync("git", ["rev-parse", "--verify", "--quiet", ref], { cwd: packagePath(), encoding: "utf8" });
  if (inRepo.status !== 0) return; // an installed package has no git history to compare with
  const problems: string[] = [];
  for (const file of files) {
    const committed = spawnSync("git", ["show", `${ref}:schemas/${file}`], { cwd: packagePath(), encoding: "utf8", maxBuffer: 16 * 1024 * 1024 });
    if (committed.status !== 0) continue; // a schema new since that commit
    const breaking = compareSchemas(JSON.parse(committed.stdout), read(file)).filter((c) => c.breaking);
    for (const change of breaking) problems.push(`${file}${change.pointer}: ${change.message}`);
  }
  assert.equal(problems, [], `breaking changes need a new major version (schemas/<name>.v<N+1>.schema.json):\n${problems.join("\n")}`);
});

test.run();
