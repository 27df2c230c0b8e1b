import assert from "node:assert/strict";
import { test } from "node:test";
import { totalCents } from "../src/invoices.js";

test("an empty invoice totals zero", () => {
  assert.equal(totalCents([]), 0);
});
