// Known error classes. They are thrown by library code and caught exactly once, in
// src/cli/main.ts, which renders them (in the chosen machine format too) and sets exit code 2.
// Anything else that escapes is a bug and is reported as an internal error, also exit 2.

/** Bad command-line usage: unknown flag value, unknown format name, missing argument. */
export class UsageError extends Error {
  override name = "UsageError";
}

/** A configuration file, policy pack or override that is missing, unreadable or invalid. */
export class ConfigError extends Error {
  override name = "ConfigError";
  constructor(
    message: string,
    readonly file?: string,
  ) {
    super(file ? `${file}: ${message}` : message);
  }
}

/** A required external tool (opa, git, ...) is missing or failed. */
export class ToolchainError extends Error {
  override name = "ToolchainError";
}

export type KnownError = UsageError | ConfigError | ToolchainError;

export function isKnownError(error: unknown): error is KnownError {
  return error instanceof UsageError || error instanceof ConfigError || error instanceof ToolchainError;
}

export function errorMessage(error: unknown): string {
  if (error instanceof Error) return error.message;
  if (typeof error === "string") return error;
  if (error && typeof error === "object" && "message" in error) return String((error as { message: unknown }).message);
  return String(error);
}

/**
 * A fail-closed condition that stops the run before (or instead of) evaluation, e.g. no policies
 * or a tampered bundle. Not a tool error: the runner turns it into a denying finding (exit 1).
 */
export class FailClosed extends Error {
  override name = "FailClosed";
  constructor(
    readonly code: import("./codes.js").GateCode,
    message: string,
    readonly file?: string,
  ) {
    super(message);
  }
}
