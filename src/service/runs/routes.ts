import type { Route } from "../context.js";
import type { RunUpload } from "./service.js";

/** A gate report of a large repository is bigger than the other bodies. */
export const RUN_BODY_LIMIT = 16 * 1024 * 1024;

export const RUN_ROUTES: Route[] = [
  {
    method: "POST",
    path: "/projects/{id}/runs",
    summary: "upload a gate report as a run: steps and findings stored, the server's fail-closed decision answered",
    permission: "project",
    body: "run-upload.v1",
    bodyLimit: RUN_BODY_LIMIT,
    response: "run.v1",
    status: 201,
    handler: async ({ services, caller, params, body }) => {
      await services.projects.require(services.db, params.id!);
      return { status: 201, body: await services.runs.upload(caller!, params.id!, body as RunUpload) };
    },
  },
  {
    method: "GET",
    path: "/runs/{id}",
    summary: "one run: pack, version, effective hash, decision with its reasons, steps",
    permission: "run",
    response: "stored-run.v1",
    handler: async ({ services, params }) => ({ body: await services.runs.get(params.id!) }),
  },
];
