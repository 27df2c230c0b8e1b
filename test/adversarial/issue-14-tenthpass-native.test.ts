// Issue 14, tenth pass: the checks the wasm module makes on conftest's documents (keys a parser
// drops, repeats it keeps the last of, text it leaves out) exist only there. The native driver
// (GATEHOUSE_TOOLCHAIN=native: the pinned conftest binary) parsed these formats without them, so
// a repeated dotenv key reached the policy with the value the author did not mean.

import { existsSync, readFileSync } from "node:fs";
import { test } from "uvu";
import * as assert from "uvu/assert";
import { packagePath } from "../../src/core/paths.js";
import { WASM_CHECKED_PARSERS } from "../../src/toolchain/protocol.js";
import { codesOf, gatehouse, withRepo } from "./harness.js";

const POLICY = 'package main\n\ndeny contains "debug is on" if input.DEBUG == "true"\n';

test("issue 14.1: the native driver refuses the formats only the wasm module checks, under both toolchains the repeat denies", () => {
  if (!existsSync(packagePath(".toolchain", "bin", "conftest"))) return;
  withRepo("tenthpass-native", { "policy/main.rego": POLICY, "app.env": "DEBUG=true\nDEBUG=false\n", "ok.json": '{"DEBUG": "false"}\n' }, (root) => {
    for (const toolchain of ["wasm", "native"]) {
      const run = gatehouse(["check", "--policy", "policy", "app.env", "ok.json"], root, { env: { GATEHOUSE_TOOLCHAIN: toolchain } });
      assert.is(run.code, 1, `${toolchain}: ${run.stdout}${run.stderr}`);
      assert.equal(codesOf(run.stdout), ["input/unparsable"], `${toolchain}: ${run.stdout}`);
      assert.match(run.stdout, /FAIL app\.env \[input\/unparsable\]/);
    }
    const native = gatehouse(["check", "--policy", "policy", "app.env"], root, { env: { GATEHOUSE_TOOLCHAIN: "native" } });
    assert.match(native.stdout, /only the wasm toolchain carries/);
  });
});

test("issue 14.1: the native driver's list of checked formats is the wasm module's (tools/wasm/inputs.go hiddenKeys and the INI default section)", () => {
  const source = readFileSync(packagePath("tools", "wasm", "inputs.go"), "utf8");
  const body = source.slice(source.indexOf("func hiddenKeys("));
  const cases = [...body.slice(0, body.indexOf("\n}\n")).matchAll(/case "([a-z0-9]+)":/g)].map((match) => match[1]!);
  assert.ok(cases.length >= 7, `hiddenKeys cases: ${cases.join(", ")}`);
  assert.equal([...WASM_CHECKED_PARSERS].sort(), [...new Set(cases)].sort());
});

test.run();
