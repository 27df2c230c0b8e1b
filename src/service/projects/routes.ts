import type { Route } from "../context.js";
import type { PolicyUpdate } from "./service.js";

export const PROJECT_ROUTES: Route[] = [
  {
    method: "POST",
    path: "/projects",
    summary: "register a project; answers its token, shown this once",
    permission: "admin",
    body: "project-create.v1",
    response: "project-created.v1",
    status: 201,
    handler: async ({ services, caller, body }) => {
      const { id, name } = body as { id: string; name: string };
      return { status: 201, body: await services.projects.create(caller!, id, name) };
    },
  },
  {
    method: "GET",
    path: "/projects/{id}/policy",
    summary: "the project's pack selection, overrides and repo-local flag",
    permission: "project",
    response: "project.v1",
    handler: async ({ services, params }) => ({ body: await services.projects.policy(params.id!) }),
  },
  {
    method: "PUT",
    path: "/projects/{id}/policy",
    summary: "select a pack (version absent: latest active), set overrides and the repo-local flag",
    permission: "project",
    body: "project-policy.v1",
    response: "project.v1",
    handler: async ({ services, caller, params, body }) => ({ body: await services.projects.setPolicy(caller!, params.id!, body as PolicyUpdate) }),
  },
  {
    method: "GET",
    path: "/projects/{id}/policy/effective",
    summary: "the merged policy and its sha256, as `gatehouse policy effective` computes them",
    permission: "project",
    response: "effective-policy.v1",
    handler: async ({ services, params }) => {
      const effective = await services.projects.effective(params.id!);
      const answers = await services.clarifications.answers(params.id!);
      return { body: { ...effective, answers } };
    },
  },
];
