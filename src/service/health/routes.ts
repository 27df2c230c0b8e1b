import type { Route } from "../context.js";

export const HEALTH_ROUTES: Route[] = [
  {
    method: "GET",
    path: "/health",
    summary: "the process answers (liveness); no token needed",
    permission: "public",
    handler: async () => ({ body: { status: "ok" } }),
  },
  {
    method: "GET",
    path: "/ready",
    summary: "the database answers, a verified bundle is loaded and a decision worker runs or starts (readiness); no token needed",
    permission: "public",
    handler: async ({ services }) => {
      const problems: string[] = [];
      try {
        await services.db.query("SELECT 1");
      } catch (error) {
        problems.push(`database: ${(error as Error).message}`);
      }
      const bundle = services.decisions.state();
      if (!bundle.ok) problems.push(`bundle: ${bundle.error}`);
      const workers = services.decisions.workersProblem();
      if (workers !== undefined) problems.push(`decisions: ${workers}`);
      const body = { status: problems.length === 0 ? "ready" : "not ready", database: services.db.kind, bundle: bundle.ok ? { sha256: bundle.sha256, dir: bundle.dir } : null, problems };
      return { status: problems.length === 0 ? 200 : 503, body };
    },
  },
];
