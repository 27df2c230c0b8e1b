// The service's errors: one code per kind of failure, one table from code to HTTP status, and one
// function (toErrorResponse) that turns anything a handler throws into a response. The code
// strings are OPA's where the meaning is the same (invalid_parameter, resource_not_found,
// resource_conflict, internal_error), so an OPA client reads them as it reads OPA's.

export type ApiErrorCode =
  | "invalid_parameter"
  | "unauthorized"
  | "forbidden"
  | "admin_required"
  | "resource_not_found"
  | "resource_conflict"
  | "payload_too_large"
  | "unsupported_media_type"
  | "internal_error"
  | "unavailable";

export const API_ERRORS: Record<ApiErrorCode, { status: number; title: string }> = {
  invalid_parameter: { status: 400, title: "the request is invalid" },
  unauthorized: { status: 401, title: "no valid bearer token" },
  forbidden: { status: 403, title: "this token may not do that" },
  admin_required: { status: 403, title: "a project token may only tighten its project's policy: this change needs the admin token" },
  resource_not_found: { status: 404, title: "no such resource" },
  resource_conflict: { status: 409, title: "the resource already exists or is in another state" },
  payload_too_large: { status: 413, title: "the request body is over the limit" },
  unsupported_media_type: { status: 415, title: "the request body must be application/json" },
  internal_error: { status: 500, title: "the server failed" },
  unavailable: { status: 503, title: "the server is not ready" },
};

/** What an API error looks like on the wire (schemas/api/error.v1.schema.json). */
export interface ErrorBody {
  code: ApiErrorCode;
  message: string;
  /** each problem found, when there were several (schema errors with their JSON pointers) */
  errors?: string[];
}

export class ServiceError extends Error {
  override name = "ServiceError";
  constructor(
    readonly code: ApiErrorCode,
    message: string,
    readonly errors?: string[],
  ) {
    super(message);
  }
}

/** Fastify's own errors for what it rejects before a handler runs, by its error code. */
const FRAMEWORK_ERRORS: Record<string, ApiErrorCode> = {
  FST_ERR_CTP_BODY_TOO_LARGE: "payload_too_large",
  FST_ERR_CTP_INVALID_MEDIA_TYPE: "unsupported_media_type",
  FST_ERR_CTP_EMPTY_JSON_BODY: "invalid_parameter",
  FST_ERR_CTP_INVALID_CONTENT_LENGTH: "invalid_parameter",
};

/** Anything thrown, as a status and body. Unknown errors are internal and say nothing more. */
export function toErrorResponse(error: unknown): { status: number; body: ErrorBody; internal: boolean } {
  if (error instanceof ServiceError) {
    return { status: API_ERRORS[error.code].status, body: { code: error.code, message: error.message, ...(error.errors ? { errors: error.errors } : {}) }, internal: false };
  }
  const frameworkCode = (error as { code?: unknown } | undefined)?.code;
  if (typeof frameworkCode === "string" && Object.hasOwn(FRAMEWORK_ERRORS, frameworkCode)) {
    const code = FRAMEWORK_ERRORS[frameworkCode]!;
    return { status: API_ERRORS[code].status, body: { code, message: (error as Error).message }, internal: false };
  }
  return { status: 500, body: { code: "internal_error", message: API_ERRORS.internal_error.title }, internal: true };
}
