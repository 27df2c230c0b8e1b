// numbers.range_step, which OPA's wasm runtime imports from the host (numbers.range is native),
// written to topdown's semantics and checked against `opa eval` in test/builtins.test.ts.

import { BuiltinError, valueName } from "./errors.js";
import { exactJson } from "./exact.js";
import { RegoNumber } from "./values.js";

/**
 * builtins.BigIntOperand: a number with an integer value, read from its exact text (the name is
 * in EXACT_NUMBER_BUILTINS: as a double, 9007199254740993 was 9007199254740992 and the range
 * started one early).
 */
function integerOperand(value: unknown, position: number): bigint {
  if (value instanceof RegoNumber && /^-?\d+$/.test(value.text)) return BigInt(value.text);
  const n = value instanceof RegoNumber ? value.value : value;
  if (typeof n !== "number") throw new BuiltinError(`operand ${position} must be integer but got ${valueName(value)}`);
  if (!Number.isInteger(n)) throw new BuiltinError(`operand ${position} must be integer number but got floating-point number`);
  return BigInt(n);
}

/** From `from` towards `to` (either direction) in steps of `step`, both ends included when reached. */
function rangeStep(from: unknown, to: unknown, step: unknown): ArrayBuffer {
  const x = integerOperand(from, 1);
  const y = integerOperand(to, 2);
  const s = integerOperand(step, 3);
  if (s <= 0n) throw new BuiltinError("numbers.range_step: step must be a positive integer");
  const parts: string[] = [];
  if (x <= y) for (let i = x; i <= y; i += s) parts.push(i.toString());
  else for (let i = x; i >= y; i -= s) parts.push(i.toString());
  // Exact JSON text: the integers may be past 2^53.
  return exactJson(`[${parts.join(",")}]`);
}

export const NUMBER_BUILTINS = {
  "numbers.range_step": rangeStep,
} satisfies Record<string, (...args: never[]) => unknown>;
