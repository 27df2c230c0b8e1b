import type { Route } from "../context.js";

export const FINDING_ROUTES: Route[] = [
  {
    method: "GET",
    path: "/projects/{id}/policy/findings",
    summary: "every finding of the project's runs, oldest first (?after=SEQ&limit=N)",
    permission: "project",
    handler: async ({ services, params, query }) => {
      await services.projects.require(services.db, params.id!);
      return { body: await services.findings.list({ project: params.id! }, query) };
    },
  },
  {
    method: "GET",
    path: "/runs/{id}/policy/findings",
    summary: "one run's findings, oldest first",
    permission: "run",
    response: "run-findings.v1",
    handler: async ({ services, params, query }) => {
      const run = await services.runs.require(params.id!);
      const page = await services.findings.list({ run: params.id! }, query);
      return { body: { run: { id: run.id, projectId: run.projectId, pack: run.pack, version: run.version, effectiveHash: run.effectiveHash, decision: run.decision }, ...page } };
    },
  },
  {
    method: "GET",
    path: "/steps/{id}/policy/findings",
    summary: "one step's findings (one input of a run), oldest first",
    permission: "step",
    response: "step-findings.v1",
    handler: async ({ services, params, query }) => {
      const step = await services.runs.requireStep(params.id!);
      return { body: { step, ...(await services.findings.list({ step: params.id! }, query)) } };
    },
  },
];
