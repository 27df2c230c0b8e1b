import type { Route } from "../context.js";
import { ServiceError } from "../errors.js";

export const DATA_API_ROUTES: Route[] = [
  {
    method: "POST",
    path: "/v1/data/{path*}",
    summary: "OPA's Data API: evaluate data/{path} for {\"input\": ...}; answers result, decision_id and the fail-closed decision",
    permission: "token",
    body: "data-request.v1",
    response: "data-response.v1",
    handler: async ({ services, caller, params, body }) => {
      const { status, answer } = await services.decisions.answer(params.path ?? "", (body as { input: unknown }).input, caller!);
      return { status, body: answer };
    },
  },
  {
    method: "GET",
    path: "/decisions/{id}",
    summary: "one decision log: path, input digest, result, decision, bundle digest, time",
    permission: "admin",
    handler: async ({ services, params }) => {
      const log = await services.decisions.getLog(params.id!);
      if (!log) throw new ServiceError("resource_not_found", `no decision ${JSON.stringify(params.id)} (logs are written within a second of the decision)`);
      return { body: log };
    },
  },
];
