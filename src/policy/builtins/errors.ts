// Errors of gatehouse's builtins, shaped like OPA's (`<builtin>: <message>`, operand errors
// worded as topdown words them), so an evaluation error reads the same as under `opa eval`.

import { isSet, RegoNumber } from "./values.js";

/** A builtin failure; index.ts prefixes the builtin's name, as topdown does. */
export class BuiltinError extends Error {
  override name = "BuiltinError";
}

/** OPA's ast.ValueName of an operand (sets arrive as arrays marked as sets). */
export function valueName(value: unknown): string {
  if (value === null) return "null";
  if (isSet(value)) return "set";
  if (Array.isArray(value)) return "array";
  if (value instanceof RegoNumber) return "number";
  switch (typeof value) {
    case "string":
      return "string";
    case "number":
      return "number";
    case "boolean":
      return "boolean";
    case "object":
      return "object";
    default:
      return typeof value;
  }
}

/** builtins.NewOperandTypeErr with one expected type. */
export function operandTypeError(position: number, got: unknown, expected: string): string {
  return `operand ${position} must be ${expected} but got ${valueName(got)}`;
}

/** builtins.StringOperand: the string, or topdown's operand error. */
export function stringOperand(value: unknown, position: number): string {
  if (typeof value !== "string") throw new BuiltinError(operandTypeError(position, value, "string"));
  return value;
}
