// What the console's pages need that the resource routes do not answer: the projects overview,
// a project's recent runs with finding counts (the charts), a preview of a policy change before
// it is saved, a project's own audit history (GET /audit is the admin's), and the clarifications
// in force when a run was uploaded. Read-only: every write goes through the resource routes.

import { fromPack } from "../../packs/effective.js";
import type { Clarification, EffectivePolicy, PolicyPack } from "../../packs/types.js";
import type { Caller, RequestContext, Route, Services } from "../context.js";
import { ServiceError } from "../errors.js";
import { pageOptions } from "../findings/service.js";
import type { PolicyUpdate } from "../projects/service.js";
import { listProjects, recentRuns } from "./store-sql.js";

/** Answers hold tokens' data: never kept by a browser or proxy cache. */
const NO_STORE = { "cache-control": "no-store" };
const DEFAULT_RUNS = 50;
const MAX_RUNS = 500;
const CLARIFICATION_CODES = new Set(["pack/clarification-unanswered", "pack/clarification-open"]);

async function projectsOverview({ services, caller }: RequestContext) {
  const only = caller!.kind === "project" ? caller!.project : undefined;
  const projects = [];
  for (const { id, name } of await listProjects(services.db, only)) {
    const selected = await services.projects.policy(id);
    const effective = await services.projects.effective(id).catch((error: unknown) => {
      // A pack version disabled since it was chosen: shown as the project's problem, not a 500.
      if (error instanceof ServiceError && error.code === "resource_conflict") return error;
      throw error;
    });
    const ok = !(effective instanceof ServiceError);
    const questions = ok ? await services.clarifications.list(id) : undefined;
    const [lastRun] = (await recentRuns(services.db, id, 1)).reverse();
    projects.push({
      id,
      name,
      pack: { key: selected.pack.key, version: selected.pack.version, resolved: ok ? effective.pack.version : null, status: ok ? effective.pack.status : null },
      mode: ok ? effective.policy.enforcement.mode : null,
      repoLocal: selected.repoLocal,
      effectiveHash: ok ? effective.hash : null,
      problem: ok ? null : effective.message,
      runs: await services.runs.countRuns(id),
      lastRun: lastRun ?? null,
      blocking: questions?.blocking ?? [],
      unanswered: questions?.unanswered ?? [],
    });
  }
  return { body: { projects }, headers: NO_STORE };
}

/**
 * The effective policy a PUT /projects/{id}/policy with this body would store, checked exactly
 * as that route checks it (ProjectService.check: same schema, same pack resolution, same merge,
 * the same refusal of a project token's loosening), with nothing written.
 */
async function previewPolicy(services: Services, caller: Caller, id: string, update: PolicyUpdate) {
  const { pack, merged } = await services.projects.check(caller, id, update);
  return { pack, policy: merged.policy, hash: merged.hash, repoLocal: update.repoLocal ?? false };
}

async function runClarifications({ services, params }: RequestContext) {
  const run = await services.runs.require(params.id!);
  let questions: Clarification[] = [];
  let source: "snapshot" | "pack" | "none" = "none";
  if (run.policySnapshot) {
    questions = (run.policySnapshot as EffectivePolicy).clarifications;
    source = "snapshot";
  } else if (run.pack && run.version) {
    const pack = await services.packs.get(run.pack).catch(() => undefined);
    const version = (pack?.versions as { version: string; document: unknown }[] | undefined)?.find((v) => v.version === run.version);
    if (version) {
      questions = fromPack(version.document as PolicyPack).clarifications;
      source = "pack";
    }
  }
  // The answers in force at upload: the project's answer events up to the run's time, replayed.
  const answers = new Map<string, { value: string; answeredBy: string; answeredAt: string }>();
  for (let after = 0; ; ) {
    const page = await services.audit.list({ after, limit: 1000, subject: `project:${run.projectId}` });
    for (const event of page) {
      if (event.event !== "clarification.answered" || event.at > run.createdAt) continue;
      const answer = event.new as { key: string; value: string };
      answers.set(answer.key, { value: answer.value, answeredBy: event.actor, answeredAt: event.at });
    }
    if (page.length < 1000) break;
    after = page[page.length - 1]!.seq;
  }
  const reportedOpen = new Set<string>();
  for (let after = 0; ; ) {
    const { findings, next } = await services.findings.list({ run: run.id }, { after: String(after), limit: "1000" });
    for (const f of findings) {
      const key = (f.finding.metadata as { key?: unknown } | undefined)?.key;
      if (CLARIFICATION_CODES.has(f.code) && typeof key === "string") reportedOpen.add(key);
    }
    if (next === null) break;
    after = next;
  }
  return {
    body: {
      run: run.id,
      pack: run.pack && run.version ? `${run.pack}@${run.version}` : null,
      source,
      questions: questions.map((q) => {
        const answer = answers.get(q.key);
        return {
          key: q.key,
          question: q.question,
          options: q.options,
          ...(q.recommended !== undefined ? { recommended: q.recommended } : {}),
          blocking: q.blocking,
          answer: answer && q.options.includes(answer.value) ? answer : null,
          reportedOpen: reportedOpen.has(q.key),
        };
      }),
    },
    headers: NO_STORE,
  };
}

function runLimit(value: string | undefined): number {
  if (value === undefined) return DEFAULT_RUNS;
  const limit = Number(value);
  if (!Number.isSafeInteger(limit) || limit < 1 || limit > MAX_RUNS) throw new ServiceError("invalid_parameter", `limit must be an integer from 1 to ${MAX_RUNS}, got ${JSON.stringify(value)}`);
  return limit;
}

export const CONSOLE_API_ROUTES: Route[] = [
  {
    method: "GET",
    path: "/console/api/projects",
    summary: "console: every project the token may see, with its pack, mode, last run and unanswered questions",
    permission: "token",
    response: "console-projects.v1",
    handler: projectsOverview,
  },
  {
    method: "GET",
    path: "/console/api/projects/{id}/runs",
    summary: "console: the project's last runs (?limit=N, default 50), oldest first, with finding counts by severity",
    permission: "project",
    response: "console-runs.v1",
    handler: async ({ services, params, query }) => {
      await services.projects.require(services.db, params.id!);
      return { body: { runs: await recentRuns(services.db, params.id!, runLimit(query.limit)), total: await services.runs.countRuns(params.id!) }, headers: NO_STORE };
    },
  },
  {
    method: "POST",
    path: "/console/api/projects/{id}/policy/preview",
    summary: "console: the effective policy and hash a PUT /projects/{id}/policy with this body would give, checked the same way, nothing saved",
    permission: "project",
    body: "project-policy.v1",
    response: "console-preview.v1",
    handler: async ({ services, caller, params, body }) => ({ body: await previewPolicy(services, caller!, params.id!, body as PolicyUpdate), headers: NO_STORE }),
  },
  {
    method: "GET",
    path: "/console/api/projects/{id}/history",
    summary: "console: the project's audit events (policy changes, answers), oldest first (?after=SEQ&limit=N)",
    permission: "project",
    response: "console-history.v1",
    handler: async ({ services, params, query }) => {
      await services.projects.require(services.db, params.id!);
      const options = pageOptions(query);
      const events = await services.audit.list({ ...options, subject: `project:${params.id!}` });
      return { body: { events, next: events.length === options.limit ? events[events.length - 1]!.seq : null }, headers: NO_STORE };
    },
  },
  {
    method: "GET",
    path: "/console/api/runs/{id}/clarifications",
    summary: "console: the questions the run's policy asked, the answers in force when it was uploaded, and those it reported open",
    permission: "run",
    response: "console-run-clarifications.v1",
    handler: runClarifications,
  },
];
