// The service's dependencies load only with `gatehouse serve`: in the bundled CLI (dist/cli),
// no module that main.js or any other command reaches without a dynamic import of serve's own
// chunk imports Fastify, PGlite or pg. Other commands must not get slower.

import { readFileSync } from "node:fs";
import { join } from "node:path";
import { test } from "uvu";
import * as assert from "uvu/assert";
import { packagePath } from "../../src/core/paths.js";

const CLI = packagePath("dist", "cli");
const SERVICE_PACKAGES = ["fastify", "@electric-sql/pglite", "pg"];

function imports(file: string): { static: string[]; dynamic: string[]; bare: string[] } {
  const text = readFileSync(join(CLI, file), "utf8");
  const local = (m: RegExpMatchArray) => m[1]!.replace(/^\.\//, "");
  return {
    static: [...text.matchAll(/(?:from|import)\s*"(\.\/[^"]+)"/g)].map(local),
    dynamic: [...text.matchAll(/import\("(\.\/[^"]+)"\)/g)].map(local),
    bare: [...text.matchAll(/(?:from\s*|import\s*\(?\s*)"([^./"][^"]*)"/g)].map((m) => m[1]!),
  };
}

/** Every module a file loads, static imports followed, dynamic ones too unless `stop` says. */
function reach(start: string, stop: (file: string) => boolean): Map<string, string[]> {
  const seen = new Map<string, string[]>();
  const todo = [start];
  while (todo.length > 0) {
    const file = todo.pop()!;
    if (seen.has(file)) continue;
    const found = imports(file);
    seen.set(file, found.bare);
    todo.push(...found.static, ...found.dynamic.filter((d) => !stop(d)));
  }
  return seen;
}

test("only serve's chunk reaches Fastify, PGlite and pg", () => {
  const isServe = (file: string) => /^serve-[A-Z0-9]+\.js$/.test(file);
  const main = imports("main.js");
  const serve = main.dynamic.filter(isServe);
  assert.is(serve.length, 1, "main.js loads serve's chunk on demand");
  for (const [file, bare] of reach("main.js", isServe)) {
    const heavy = bare.filter((b) => SERVICE_PACKAGES.some((p) => b === p || b.startsWith(`${p}/`)));
    assert.equal(heavy, [], `${file} imports ${heavy.join(", ")}`);
  }
  const fromServe = [...reach(serve[0]!, () => false).values()].flat();
  for (const name of SERVICE_PACKAGES) assert.ok(fromServe.some((b) => b === name || b.startsWith(`${name}/`)), `serve reaches ${name}`);
});

test.run();
