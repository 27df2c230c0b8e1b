// Issue 14 (found by the seeded mutation run): bytes that are not UTF-8 were decoded with
// replacement characters and evaluated, so a policy judged a document nobody wrote (`"run\xffAs"`
// became `"run\uFFFDAs"`). JSON and YAML are Unicode text: such a file is refused unparsed, in
// every place untrusted text is read (gate inputs, receipts, pack files).

import { readFileSync, rmSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { test } from "uvu";
import * as assert from "uvu/assert";
import { gatehouse, NOW, promotionCopy, withRepo } from "./harness.js";

const ALLOW_ALL = 'package main\n\nwarn contains "seen" if true\n';

test("issue 14: a .json or .yaml input with a byte that is not UTF-8 denies input/unparsable (it was evaluated with U+FFFD)", () => {
  withRepo("adversarial-utf8", { "policy/main.rego": ALLOW_ALL }, (root) => {
    writeFileSync(join(root, "a.json"), Buffer.concat([Buffer.from('{"name": "ok'), Buffer.from([0xff]), Buffer.from('"}')]));
    writeFileSync(join(root, "b.yaml"), Buffer.concat([Buffer.from("name: ok"), Buffer.from([0xc3, 0x28]), Buffer.from("\n")]));
    writeFileSync(join(root, "c.json"), '{"name": "ok \u00e9"}');
    const run = gatehouse(["check", "--policy", "policy", "a.json", "b.yaml", "c.json"], root);
    assert.is(run.code, 1, run.stdout + run.stderr);
    assert.match(run.stdout, /FAIL a\.json \[input\/unparsable\] not valid UTF-8 text/);
    assert.match(run.stdout, /FAIL b\.yaml \[input\/unparsable\] not valid UTF-8 text/);
    assert.not.match(run.stdout, /FAIL c\.json/);
  });
});

test("issue 14: a receipt with a byte that is not UTF-8 denies under promote verify", () => {
  const { root, dir } = promotionCopy();
  try {
    const receipt = join(dir, "run.receipt.json");
    const text = readFileSync(receipt);
    const at = text.indexOf("churn");
    text[at] = 0xff;
    writeFileSync(receipt, text);
    const run = gatehouse(["promote", "verify", "--root", root, "--now", NOW, receipt], root);
    assert.is(run.code, 1, run.stdout + run.stderr);
    assert.match(run.stdout, /not valid UTF-8/);
    assert.match(run.stdout, /DENY/);
  } finally {
    rmSync(root, { recursive: true, force: true });
  }
});

test.run();
