import { readFileSync } from "node:fs";
import { test } from "uvu";
import * as assert from "uvu/assert";
import { packagePath } from "../src/core/paths.js";
import { rulesDoc } from "../scripts/gen-rules-doc.js";

test("docs/rules.md lists every gate and policy code (regenerate with npm run docs:rules)", () => {
  assert.fixture(readFileSync(packagePath("docs", "rules.md"), "utf8"), rulesDoc());
});

test("README starts with the two commands a newcomer runs", () => {
  const head = readFileSync(packagePath("README.md"), "utf8").split("\n").slice(0, 40).join("\n");
  assert.match(head, /npm ci && npm run gate/);
  assert.match(head, /npm test/);
});

test.run();
