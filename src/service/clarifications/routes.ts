import type { Route } from "../context.js";

export const CLARIFICATION_ROUTES: Route[] = [
  {
    method: "GET",
    path: "/projects/{id}/clarifications",
    summary: "the effective policy's questions, each with its answer or null",
    permission: "project",
    response: "project-clarifications.v1",
    handler: async ({ services, params }) => ({ body: await services.clarifications.list(params.id!) }),
  },
  {
    method: "POST",
    path: "/projects/{id}/clarifications/{key}",
    summary: "answer a question with one of its options",
    permission: "project",
    body: "clarification-answer.v1",
    response: "clarification-answered.v1",
    handler: async ({ services, caller, params, body }) => ({
      body: await services.clarifications.answer(caller!, params.id!, params.key!, (body as { value: string }).value),
    }),
  },
];
