import assert from "node:assert/strict";
import { test } from "node:test";
import { dueDate, formatAmount, totalCents } from "../src/invoices.js";

test("totals add the lines", () => {
  assert.equal(totalCents([{ description: "seat", cents: 1200 }, { description: "seat", cents: 1200 }]), 2400);
});

test("amounts print with two decimals and the currency", () => {
  assert.equal(formatAmount(2400), "24.00 EUR");
});

test("invoices are due 30 days after they are issued", () => {
  assert.equal(dueDate(new Date("2026-11-04T08:00:00Z")), "2026-12-04");
});
