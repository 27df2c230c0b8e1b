// What a route handler sees: the caller, the request's parts and the services. Routes own HTTP,
// services own rules and transactions, stores own SQL.

import type { AuditService } from "./audit/service.js";
import type { ClarificationService } from "./clarifications/service.js";
import type { DecisionService } from "./data-api/service.js";
import type { Database } from "./db/database.js";
import type { FindingService } from "./findings/service.js";
import type { PackService } from "./packs/service.js";
import type { ProjectService } from "./projects/service.js";
import type { RunService } from "./runs/service.js";

/** Who is calling: the admin token, or one project's token. `id` is what the audit records. */
export type Caller = { kind: "admin"; id: "admin" } | { kind: "project"; id: string; project: string };

/**
 * Who may call a route: anyone (health probes); any valid token; the admin token; or the admin
 * and the token of the project the route's resource belongs to (the `{id}` of a project, run or
 * step).
 */
export type Permission = "public" | "token" | "admin" | "project" | "run" | "step";

export interface Services {
  db: Database;
  audit: AuditService;
  packs: PackService;
  projects: ProjectService;
  runs: RunService;
  findings: FindingService;
  clarifications: ClarificationService;
  decisions: DecisionService;
}

export interface RequestContext {
  caller: Caller | undefined;
  params: Record<string, string>;
  query: Record<string, string | undefined>;
  body: unknown;
  services: Services;
}

export interface Reply {
  status?: number;
  body: unknown;
  headers?: Record<string, string>;
}

export interface Route {
  method: "GET" | "POST" | "PUT";
  /** `{name}` marks a path parameter; a trailing `{path*}` takes the rest of the path */
  path: string;
  summary: string;
  permission: Permission;
  /** schemas/api/<name>.schema.json the body must satisfy; absent: the route takes no body */
  body?: string;
  /** a missing body counts as `{}` */
  bodyOptional?: boolean;
  /** bytes; the server's default otherwise */
  bodyLimit?: number;
  /** schemas/api/<name>.schema.json of the success response, for the OpenAPI document */
  response?: string;
  /** the success status, for the OpenAPI document (default 200) */
  status?: number;
  handler: (context: RequestContext) => Promise<Reply>;
}
