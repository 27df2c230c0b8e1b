// The OpenAPI 3.1 document, made from the route table and schemas/api/: nothing here is written
// by hand twice. OpenAPI 3.1's schema objects are JSON Schema 2020-12, so the API's schemas go in
// as they are.

import { readFileSync } from "node:fs";
import { packagePath } from "../core/paths.js";
import { API_ERRORS } from "./errors.js";
import type { Route } from "./context.js";

let cached: object | undefined;

function schemaFile(name: string): object {
  return JSON.parse(readFileSync(packagePath("schemas", "api", `${name}.schema.json`), "utf8")) as object;
}

/** Path parameters of a route path, in order: `{id}`, `{path*}`. */
export function pathParameters(path: string): string[] {
  return [...path.matchAll(/\{([a-zA-Z]+)\*?\}/g)].map((m) => m[1]!);
}

const PAGED = new Set(["/projects/{id}/policy/findings", "/runs/{id}/policy/findings", "/steps/{id}/policy/findings", "/audit"]);

export function openApiDocument(routes: readonly Route[]): object {
  if (cached) return cached;
  const version = (JSON.parse(readFileSync(packagePath("package.json"), "utf8")) as { version: string }).version;
  const names = new Set<string>(["error.v1"]);
  const paths: Record<string, Record<string, unknown>> = {};
  for (const route of routes) {
    const openApiPath = route.path.replace(/\{([a-zA-Z]+)\*\}/, "{$1}");
    if (route.body) names.add(route.body);
    if (route.response) names.add(route.response);
    const parameters: object[] = pathParameters(route.path).map((name) => ({ name, in: "path", required: true, schema: { type: "string" } }));
    if (PAGED.has(route.path)) {
      parameters.push({ name: "after", in: "query", required: false, schema: { type: "integer", minimum: 0 } });
      parameters.push({ name: "limit", in: "query", required: false, schema: { type: "integer", minimum: 1, maximum: 1000 } });
    }
    const errorStatuses = [...new Set(Object.values(API_ERRORS).map((e) => e.status))].filter((s) => route.permission !== "public" || s >= 500);
    const responses: Record<string, unknown> = {
      [String(route.status ?? 200)]: {
        description: route.summary,
        content: { "application/json": { schema: route.response ? { $ref: `#/components/schemas/${route.response}` } : { type: "object" } } },
      },
    };
    for (const status of errorStatuses.sort()) {
      responses[String(status)] = { description: Object.values(API_ERRORS).find((e) => e.status === status)!.title, content: { "application/json": { schema: { $ref: "#/components/schemas/error.v1" } } } };
    }
    paths[openApiPath] ??= {};
    paths[openApiPath][route.method.toLowerCase()] = {
      operationId: `${route.method.toLowerCase()}${openApiPath.replace(/[{}]/g, "").replace(/[^a-zA-Z0-9]+(.)?/g, (_m, c: string | undefined) => (c ?? "").toUpperCase())}`,
      summary: route.summary,
      "x-gatehouse-permission": route.permission,
      security: route.permission === "public" ? [] : [{ bearer: [] }],
      ...(parameters.length > 0 ? { parameters } : {}),
      ...(route.body
        ? { requestBody: { required: !route.bodyOptional, content: { "application/json": { schema: { $ref: `#/components/schemas/${route.body}` } } } } }
        : {}),
      responses,
    };
  }
  cached = {
    openapi: "3.1.0",
    info: { title: "gatehouse policy service", version, description: "Policy packs, project policies, runs and findings, clarifications, audit, and OPA's Data API evaluated fail-closed by gatehouse's wasm engine." },
    servers: [{ url: "/" }],
    security: [{ bearer: [] }],
    paths,
    components: {
      securitySchemes: { bearer: { type: "http", scheme: "bearer", description: "GATEHOUSE_ADMIN_TOKEN, or a project's token from POST /projects" } },
      schemas: Object.fromEntries([...names].sort().map((name) => [name, schemaFile(name)])),
    },
  };
  return cached;
}
