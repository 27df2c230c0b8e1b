// The console's one way to the service: fetch on the same origin with the session's token. Each
// call names the schema of the answer it expects (the route's `response` in the route table; a
// test holds the two together), which types the answer. An answer outside 2xx becomes an
// ApiError carrying the API's code, message and per-field errors.

import type { ApiSchemaName, ApiSchemas } from "./generated/api-types.js";
import { token } from "./session.js";

export class ApiError extends Error {
  override name = "ApiError";
  constructor(
    readonly status: number,
    readonly code: string,
    message: string,
    readonly errors: readonly string[],
  ) {
    super(message);
  }
}

export async function api<K extends ApiSchemaName>(_answer: K, method: "GET" | "POST" | "PUT", path: string, body?: unknown): Promise<ApiSchemas[K]> {
  const headers: Record<string, string> = { accept: "application/json" };
  const current = token();
  if (current) headers.authorization = `Bearer ${current}`;
  if (body !== undefined) headers["content-type"] = "application/json";
  let response: Response;
  try {
    response = await fetch(path, { method, headers, ...(body !== undefined ? { body: JSON.stringify(body) } : {}), cache: "no-store", credentials: "omit" });
  } catch (error) {
    throw new ApiError(0, "network", `the service cannot be reached: ${(error as Error).message}`, []);
  }
  const text = await response.text();
  let parsed: unknown;
  try {
    parsed = text === "" ? undefined : JSON.parse(text);
  } catch {
    parsed = undefined;
  }
  if (!response.ok) {
    const error = (parsed ?? {}) as { code?: unknown; message?: unknown; errors?: unknown };
    const message = typeof error.message === "string" ? error.message : `${response.status} ${response.statusText}`;
    const errors = Array.isArray(error.errors) ? error.errors.filter((e): e is string => typeof e === "string") : [];
    throw new ApiError(response.status, typeof error.code === "string" ? error.code : "http_error", message, errors);
  }
  return parsed as ApiSchemas[K];
}

/** An id inside an API path. */
export const seg = encodeURIComponent;
