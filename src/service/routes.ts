// The one route table: every route the service answers, with its permission and its body's
// schema. app.ts registers them in one loop; no route is registered anywhere else, and the
// OpenAPI document (openapi.ts) is made from this table.

import { AUDIT_ROUTES } from "./audit/routes.js";
import { CLARIFICATION_ROUTES } from "./clarifications/routes.js";
import { CONSOLE_ROUTES } from "./console/routes.js";
import type { Route } from "./context.js";
import { DATA_API_ROUTES } from "./data-api/routes.js";
import { FINDING_ROUTES } from "./findings/routes.js";
import { HEALTH_ROUTES } from "./health/routes.js";
import { PACK_ROUTES } from "./packs/routes.js";
import { PROJECT_ROUTES } from "./projects/routes.js";
import { RUN_ROUTES } from "./runs/routes.js";

export const ROUTES: readonly Route[] = [
  ...HEALTH_ROUTES,
  ...PACK_ROUTES,
  ...PROJECT_ROUTES,
  ...CLARIFICATION_ROUTES,
  ...RUN_ROUTES,
  ...FINDING_ROUTES,
  ...AUDIT_ROUTES,
  ...DATA_API_ROUTES,
  ...CONSOLE_ROUTES,
  {
    method: "GET",
    path: "/openapi.json",
    summary: "this API's OpenAPI 3.1 document",
    permission: "token",
    handler: async () => ({ body: (await import("./openapi.js")).openApiDocument(ROUTES) }),
  },
];

/** `{id}` → `:id`, a trailing `{path*}` → `*` (Fastify's syntax). */
export function fastifyPath(path: string): string {
  return path.replace(/\{([a-zA-Z]+)\*\}$/, "*").replace(/\{([a-zA-Z]+)\}/g, ":$1");
}
