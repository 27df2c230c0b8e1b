import type { Route } from "../context.js";
import { pageOptions } from "../findings/service.js";

export const AUDIT_ROUTES: Route[] = [
  {
    method: "GET",
    path: "/audit",
    summary: "the audit trail, oldest first (?after=SEQ&limit=N&subject=project:ID|pack:KEY@VERSION)",
    permission: "admin",
    handler: async ({ services, query }) => {
      const options = pageOptions(query);
      const events = await services.audit.list({ ...options, ...(query.subject ? { subject: query.subject } : {}) });
      return { body: { events, next: events.length === options.limit ? events[events.length - 1]!.seq : null } };
    },
  },
  {
    method: "GET",
    path: "/audit/verify",
    summary: "recompute the audit chain: every hash, every link",
    permission: "admin",
    handler: async ({ services }) => ({ body: await services.audit.verify() }),
  },
];
