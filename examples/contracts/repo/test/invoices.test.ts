import assert from "node:assert/strict";
import { test } from "node:test";
import { formatAmount, totalCents } from "../src/invoices.js";

test("totals add the lines", () => {
  assert.equal(totalCents([{ description: "seat", cents: 1200 }, { description: "seat", cents: 1200 }]), 2400);
});

test("amounts print with two decimals and the currency", () => {
  assert.equal(formatAmount(2400), "24.00 EUR");
});
