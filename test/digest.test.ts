// sha256 (src/core/digest.ts) is crypto.hash's one-shot digest: the same hex as a Hash object
// gives, for text (as UTF-8) and for bytes, views into a larger buffer included.

import { test } from "uvu";
import * as assert from "uvu/assert";
import { createHash } from "node:crypto";
import { rng } from "../scripts/bench-inputs.js";
import { sha256 } from "../src/core/digest.js";

const reference = (data: string | Uint8Array): string => createHash("sha256").update(data).digest("hex");

test("sha256 equals createHash's digest on text, bytes and views", () => {
  const random = rng(7);
  for (let i = 0; i < 300; i++) {
    const length = Math.floor(random() * 3000);
    const bytes = new Uint8Array(length + 16);
    for (let j = 0; j < bytes.length; j++) bytes[j] = Math.floor(random() * 256);
    const offset = Math.floor(random() * 16);
    const view = bytes.subarray(offset, offset + length);
    assert.is(sha256(view), reference(view));
    assert.is(sha256(Buffer.from(view)), reference(Buffer.from(view)));
    const text = Buffer.from(view).toString("latin1") + "é€😀";
    assert.is(sha256(text), reference(text));
  }
  assert.is(sha256(""), "e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855");
});

test.run();
