// Errors of gatehouse's builtins, shaped like OPA's (`<builtin>: <message>`, operand errors
// worded as topdown words them), so an evaluation error reads the same as under `opa eval`.

import { isSet, RegoNumber } from "./values.js";

/** topdown's error codes (v1/topdown/errors.go) for a builtin's failures. */
export type BuiltinErrorCode = "eval_type_error" | "eval_builtin_error";

/** A builtin failure (eval_builtin_error); index.ts prefixes the builtin's name, as topdown does. */
export class BuiltinError extends Error {
  override name = "BuiltinError";
  get code(): BuiltinErrorCode {
    return "eval_builtin_error";
  }
  /** The same error with another message (index.ts adds the builtin's name), of the same class. */
  withMessage(message: string): BuiltinError {
    return new (this.constructor as new (message: string) => BuiltinError)(message);
  }
}

/** An operand of the wrong type or shape (topdown's builtins.NewOperandErr: eval_type_error). */
export class OperandError extends BuiltinError {
  override name = "OperandError";
  override get code(): BuiltinErrorCode {
    return "eval_type_error";
  }
}

/**
 * What a TypeScript builtin throws for a call it cannot answer exactly (a time zone, a GraphQL
 * comment). Without the builtins module it is the builtin's error (the evaluation fails closed);
 * with it, OPA's topdown answers the call (topdown.ts, withTopdownFallback).
 */
export class TopdownOnly extends BuiltinError {
  override name = "TopdownOnly";
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
  if (typeof value !== "string") throw new OperandError(operandTypeError(position, value, "string"));
  return value;
}

/** builtins.IntOperand: an integer number, or topdown's operand error. */
export function intOperand(value: unknown, position: number): number {
  const n = typeof value === "number" ? value : value instanceof RegoNumber ? value.value : undefined;
  if (n === undefined) throw new OperandError(operandTypeError(position, value, "number"));
  if (!Number.isInteger(n)) throw new OperandError(`operand ${position} must be integer number but got floating-point number`);
  return n;
}
