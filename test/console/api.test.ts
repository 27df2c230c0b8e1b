// The console's read-only routes (src/service/console/api.ts) in process, without a browser.

import { suite } from "uvu";
import * as assert from "uvu/assert";
import { createTestService, TEST_ADMIN_TOKEN, type Service } from "../../src/service/app.js";
import { releasedBundle } from "../service/helpers.js";

const test = suite("console api");
let service: Service;

async function call(method: "GET" | "POST" | "PUT", url: string, token: string | null = TEST_ADMIN_TOKEN, body?: unknown): Promise<{ status: number; body: any; headers: Record<string, unknown> }> {
  const response = await service.app.inject({
    method,
    url,
    headers: { ...(token ? { authorization: `Bearer ${token}` } : {}), ...(body !== undefined ? { "content-type": "application/json" } : {}) },
    ...(body !== undefined ? { payload: JSON.stringify(body) } : {}),
  });
  return { status: response.statusCode, body: JSON.parse(response.body), headers: response.headers };
}

function report(effectiveHash: string, findings: object[]): object {
  return {
    reportVersion: "gate-report.v1",
    tool: { name: "gatehouse", version: "0.1.0" },
    verdict: findings.length > 0 ? "deny" : "allow",
    bundle: releasedBundle(),
    policy: { pack: "team-standard", version: "1.0", effectiveHash, mode: "block" },
    findings,
    inputs: [{ path: "src/a.ts", kind: "contract-diff", sha256: "a".repeat(64), bytes: 1, rulesEvaluated: 1 }],
  };
}

const tokens: Record<string, string> = {};

test.before(async () => {
  // A clock that moves a second per reading: an answer is never at the same instant as a run.
  let t = Date.parse("2025-01-01T00:00:00Z");
  service = await createTestService({ now: () => new Date((t += 1000)) });
  for (const id of ["one", "two"]) tokens[id] = (await call("POST", "/projects", TEST_ADMIN_TOKEN, { id, name: `Project ${id}` })).body.token;
  // Choosing the pack is the admin's: a project token may only tighten its policy.
  assert.is((await call("PUT", "/projects/one/policy", TEST_ADMIN_TOKEN, { pack: { key: "team-standard" } })).status, 200);
});
test.after(async () => {
  await service?.close();
});

test("the projects overview: the admin sees every project, a project token only its own", async () => {
  const all = await call("GET", "/console/api/projects");
  assert.is(all.status, 200);
  assert.equal(all.body.projects.map((p: { id: string }) => p.id), ["one", "two"]);
  const one = all.body.projects[0];
  assert.equal(one.pack, { key: "team-standard", version: null, resolved: "1.0", status: "active" });
  assert.is(one.mode, "block");
  assert.equal(one.blocking, ["release-channel"]);
  assert.is(one.lastRun, null);
  assert.is(all.headers["cache-control"], "no-store");
  const own = await call("GET", "/console/api/projects", tokens.two);
  assert.equal(own.body.projects.map((p: { id: string }) => p.id), ["two"]);
  assert.is((await call("GET", "/console/api/projects", null)).status, 401);
});

test("runs with their finding counts by severity, suppressed apart; another project's token is refused", async () => {
  const hash = (await call("GET", "/projects/one/policy/effective", tokens.one)).body.hash;
  const findings = [
    { code: "x/a", severity: "error", message: "a", source: "policy", input: "src/a.ts" },
    { code: "x/a", severity: "error", message: "b", source: "policy", input: "src/a.ts" },
    { code: "x/b", severity: "warning", message: "c", source: "policy" },
    { code: "x/c", severity: "block", message: "d", source: "policy", suppressed: { kind: "waiver", justification: "agreed" } },
  ];
  assert.is((await call("POST", "/projects/one/runs", tokens.one, { report: report(hash, findings) })).status, 201);
  assert.is((await call("POST", "/projects/one/runs", tokens.one, { report: report(hash, []) })).status, 201);
  const runs = await call("GET", "/console/api/projects/one/runs", tokens.one);
  assert.is(runs.status, 200);
  assert.is(runs.body.total, 2);
  assert.equal(runs.body.runs.map((r: { counts: unknown }) => r.counts), [
    { block: 0, error: 2, warning: 1, info: 0, suppressed: 1 },
    { block: 0, error: 0, warning: 0, info: 0, suppressed: 0 },
  ]);
  assert.equal(runs.body.runs.map((r: { decision: string }) => r.decision), ["deny", "allow"]);
  assert.is((await call("GET", "/console/api/projects/one/runs?limit=1", tokens.one)).body.runs.length, 1);
  assert.is((await call("GET", "/console/api/projects/one/runs?limit=0", tokens.one)).status, 400);
  assert.is((await call("GET", "/console/api/projects/one/runs", tokens.two)).status, 403);
  assert.is((await call("GET", "/console/api/projects/nope/runs")).status, 404);
  const overview = (await call("GET", "/console/api/projects", tokens.one)).body.projects[0];
  assert.is(overview.runs, 2);
  assert.is(overview.lastRun.decision, "allow");
});

test("the preview is the save's check and merge, and writes nothing", async () => {
  const before = (await call("GET", "/audit/verify")).body.count;
  const body = { pack: { key: "default" }, overrides: { enforcement: { mode: "warn" } } };
  // Warn mode loosens the policy: the project's own token is refused it, by the preview as by the save.
  const refusedPreview = await call("POST", "/console/api/projects/two/policy/preview", tokens.two, body);
  const refusedPut = await call("PUT", "/projects/two/policy", tokens.two, body);
  assert.is(refusedPreview.status, 403);
  assert.is(refusedPreview.body.code, "admin_required");
  assert.equal(refusedPreview.body, refusedPut.body);
  const preview = await call("POST", "/console/api/projects/two/policy/preview", TEST_ADMIN_TOKEN, body);
  assert.is(preview.status, 200);
  assert.is(preview.body.policy.enforcement.mode, "warn");
  assert.is((await call("GET", "/audit/verify")).body.count, before, "no audit event");
  assert.equal((await call("GET", "/projects/two/policy", tokens.two)).body.overrides, {});
  const saved = await call("PUT", "/projects/two/policy", TEST_ADMIN_TOKEN, body);
  assert.is(saved.body.effectiveHash, preview.body.hash);
  assert.is((await call("GET", "/projects/two/policy/effective", tokens.two)).body.hash, preview.body.hash);
  for (const bad of [
    { pack: { key: "default", version: "9.9" } },
    { pack: { key: "nope" } },
    { pack: { key: "default" }, overrides: { rules: { "Not A Code": {} } } },
    { pack: { key: "enterprise-compliance" }, overrides: { enforcement: { mode: "warn" } } },
  ]) {
    const previewed = await call("POST", "/console/api/projects/two/policy/preview", TEST_ADMIN_TOKEN, bad);
    const put = await call("PUT", "/projects/two/policy", TEST_ADMIN_TOKEN, bad);
    assert.is(previewed.status, 400, JSON.stringify(bad));
    assert.equal(previewed.body, put.body, JSON.stringify(bad));
  }
  assert.is((await call("POST", "/console/api/projects/one/policy/preview", tokens.two, body)).status, 403);
});

test("a project's history is its own audit events; another project's token is refused", async () => {
  const history = await call("GET", "/console/api/projects/one/history", tokens.one);
  assert.is(history.status, 200);
  assert.equal(history.body.events.map((e: { event: string }) => e.event), ["project.created", "project.policy_changed"]);
  assert.ok(history.body.events.every((e: { subject: string }) => e.subject === "project:one"));
  assert.is((await call("GET", "/console/api/projects/one/history", tokens.two)).status, 403);
  const first = await call("GET", "/console/api/projects/one/history?limit=1", tokens.one);
  assert.is(first.body.next, history.body.events[0].seq, "paged by the audit's seq");
  const rest = await call("GET", `/console/api/projects/one/history?after=${first.body.next}`, tokens.one);
  assert.equal(rest.body.events.map((e: { event: string }) => e.event), ["project.policy_changed"]);
});

test("a run's clarifications: the answers in force at upload, not those given later", async () => {
  const hash = (await call("GET", "/projects/one/policy/effective", tokens.one)).body.hash;
  const open = { code: "pack/clarification-unanswered", severity: "block", message: "asks", source: "pack", metadata: { key: "release-channel" } };
  const before = (await call("POST", "/projects/one/runs", tokens.one, { report: report(hash, [open]) })).body.id;
  assert.is((await call("POST", "/projects/one/clarifications/release-channel", tokens.one, { value: "internal" })).status, 200, "answered");
  const after = (await call("POST", "/projects/one/runs", tokens.one, { report: report(hash, []) })).body.id;
  const then = (await call("GET", `/console/api/runs/${before}/clarifications`, tokens.one)).body;
  assert.is(then.source, "pack");
  const q1 = then.questions.find((q: { key: string }) => q.key === "release-channel");
  assert.is(q1.answer, null);
  assert.is(q1.reportedOpen, true);
  const now = (await call("GET", `/console/api/runs/${after}/clarifications`, tokens.one)).body;
  const q2 = now.questions.find((q: { key: string }) => q.key === "release-channel");
  assert.is(q2.answer.value, "internal");
  assert.is(q2.answer.answeredBy, "project:one");
  assert.is(q2.reportedOpen, false);
  assert.is((await call("GET", `/console/api/runs/${after}/clarifications`, tokens.two)).status, 403);
});

test.run();
