// Issue 14, thirteenth pass (the lead's part): what an error message may show of the files it
// names. A watcher registry is read where the config says, outside the repository too (a central
// one); a repository's own config could point it at a secret, and V8's JSON.parse message quoted
// the first bytes of the text into the report and the CI log.

import { test } from "uvu";
import * as assert from "uvu/assert";
import { gatehouse, promotionCopy } from "./harness.js";
import { rmSync, writeFileSync } from "node:fs";
import { join } from "node:path";

test("issue 14.12: a watcher registry that is not JSON is denied by line and column, its bytes never printed (V8's message quoted them: an info leak)", () => {
  const { root, dir } = promotionCopy();
  try {
    writeFileSync(join(root, "shadow.json"), "root:$6$SECRETHASH:19000:0:99999:7:::\n");
    for (const format of ["text", "json", "sarif"]) {
      const run = gatehouse(["promote", "verify", join(dir, "run.receipt.json"), "--registry", join(root, "shadow.json"), "-o", format], root);
      assert.is(run.code, 1, run.stderr);
      assert.not.match(run.stdout + run.stderr, /root:|SECRET/);
      assert.match(run.stdout, /invalid JSON at line 1, column 1: unexpected character where a value was expected/);
    }
  } finally {
    rmSync(root, { recursive: true, force: true });
  }
});
test.run();
