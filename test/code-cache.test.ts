// requireWithCodeCache (src/core/code-cache.ts): the same module as require() gives, from V8's
// code cache when one was written for exactly that source, compiled from source otherwise.

import { test } from "uvu";
import * as assert from "uvu/assert";
import { execFileSync } from "node:child_process";
import { existsSync, mkdirSync, mkdtempSync, readdirSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { pathToFileURL } from "node:url";
import { packagePath } from "../src/core/paths.js";

const work = mkdtempSync(join(tmpdir(), "gatehouse-code-cache-"));
test.after(() => rmSync(work, { recursive: true, force: true }));

const pkg = join(work, "node_modules", "sample");
const cacheDir = join(work, "cache");
const codeCache = pathToFileURL(packagePath("dist", "src", "core", "code-cache.js")).href;
const parent = pathToFileURL(join(work, "main.mjs")).href;

function writeSample(version: string): void {
  mkdirSync(pkg, { recursive: true });
  writeFileSync(join(pkg, "package.json"), JSON.stringify({ name: "sample", main: "index.js" }));
  writeFileSync(join(pkg, "helper.js"), "exports.twice = (n) => n * 2;\n");
  writeFileSync(
    join(pkg, "index.js"),
    `const { twice } = require("./helper.js");\nconst path = require("node:path");\n` +
      `module.exports = { version: ${JSON.stringify(version)}, twice, file: path.basename(__filename), self: this === module.exports };\n`,
  );
}

/** Loads the sample in a fresh process; returns what it exported and how it was compiled. */
function load(write: boolean): { exports: Record<string, unknown>; how: string } {
  const script =
    `const { requireWithCodeCache, codeCacheLoads } = await import(${JSON.stringify(codeCache)});\n` +
    `const m = requireWithCodeCache("sample", ${JSON.stringify(parent)}, ${JSON.stringify(cacheDir)});\n` +
    `const again = requireWithCodeCache("sample", ${JSON.stringify(parent)}, ${JSON.stringify(cacheDir)});\n` +
    `if (again !== m) throw new Error("loaded twice");\n` +
    `console.log(JSON.stringify({ exports: { ...m, twice: m.twice(21) }, how: [...codeCacheLoads.values()][0] }));\n`;
  const out = execFileSync(process.execPath, ["--input-type=module", "-e", script], {
    cwd: work,
    env: { ...process.env, GATEHOUSE_WRITE_CODE_CACHE: write ? "1" : "" },
    encoding: "utf8",
  });
  return JSON.parse(out) as { exports: Record<string, unknown>; how: string };
}

test("compiled from source until a cache is written; then from the cache; the module is the same", () => {
  writeSample("1");
  const expected = { version: "1", twice: 42, file: "index.js", self: true };
  assert.equal(load(false), { exports: expected, how: "no-cache" });
  assert.is(existsSync(cacheDir), false, "a run without GATEHOUSE_WRITE_CODE_CACHE writes nothing");
  assert.equal(load(true), { exports: expected, how: "no-cache" });
  const files = readdirSync(cacheDir);
  assert.is(files.length, 1);
  assert.match(files[0]!, new RegExp(`^sample-[0-9a-f]{16}-${process.version.replace(/\./g, "\\.")}-${process.arch}\\.v8cache$`));
  assert.equal(load(false), { exports: expected, how: "cache" });
});

test("a changed source is not served from the old cache; a corrupt cache is refused by V8", () => {
  writeSample("2");
  assert.equal(load(false).how, "no-cache", "another source, another cache file");
  assert.equal(load(false).exports["version"], "2");
  load(true);
  assert.is(load(false).how, "cache");
  for (const f of readdirSync(cacheDir)) writeFileSync(join(cacheDir, f), "not a code cache");
  const corrupt = load(false);
  assert.is(corrupt.how, "rejected");
  assert.equal(corrupt.exports, { version: "2", twice: 42, file: "index.js", self: true });
});

test("npm run compile made typescript's code cache for this Node", () => {
  const files = existsSync(packagePath("dist", "cache")) ? readdirSync(packagePath("dist", "cache")) : [];
  assert.ok(files.some((f) => f.startsWith("typescript-") && f.includes(`-${process.version}-${process.arch}.`)), files.join(", "));
});

test.run();
