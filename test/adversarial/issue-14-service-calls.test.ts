// Issue 14, the policy service's four open design calls left by the ninth adversarial pass, each
// made and held here (every case failed on the main they were made from):
//   (a) a project token (the gated repository's own CI) may only tighten its project's policy;
//   (b) `gate --server` exits by the server's stored decision when it is deny (gate/server-denied);
//   (c) the server judges every waiver of an uploaded report by its own clock as well;
//   (d) effective-policy.v1 names its project, and the client refuses an answer for another one.

import { spawn } from "node:child_process";
import { mkdirSync, rmSync, writeFileSync } from "node:fs";
import { createServer, type IncomingMessage, type Server, type ServerResponse } from "node:http";
import type { AddressInfo } from "node:net";
import { join } from "node:path";
import { test } from "uvu";
import * as assert from "uvu/assert";
import { GATE_CODES, type GateCode } from "../../src/core/codes.js";
import { isLockedCode } from "../../src/packs/locks.js";
import { createTestService, TEST_ADMIN_TOKEN, type Service } from "../../src/service/app.js";
import { API_ERRORS, type ApiErrorCode } from "../../src/service/errors.js";
import { BIN, caller, gateReport, tempDir, type Call } from "../service/helpers.js";

const CLIENT_NOW = "2026-06-01T00:00:00Z";

async function withService(options: { now?: () => Date }, run: (service: Service, call: Call, tokens: { alpha: string; beta: string }) => Promise<void>): Promise<void> {
  const service = await createTestService(options.now ? { now: options.now } : {});
  try {
    const call = caller(service, TEST_ADMIN_TOKEN);
    const alpha = await call("POST", "/projects", { body: { id: "alpha", name: "Alpha" } });
    const beta = await call("POST", "/projects", { body: { id: "beta", name: "Beta" } });
    assert.is(alpha.status, 201, alpha.text);
    assert.is(beta.status, 201, beta.text);
    await run(service, call, { alpha: alpha.body.token, beta: beta.body.token });
  } finally {
    await service.close();
  }
}

test("issue 14 (a): a project token cannot loosen its own project's policy (another pack or version, warn mode, a lower severity, a disabled rule, a constraint off, an admin's override dropped, the repo-local file honoured): 403 admin_required naming why, nothing stored; the preview says the same", async () => {
  await withService({}, async (_service, call, { alpha }) => {
    // The admin's policy for the project: block on one rule, one required file, one constraint on.
    const adminPolicy = { pack: { key: "default" }, overrides: { rules: { "x/tight": { severity: "block" as const } }, requirements: { files: ["SECURITY.md"] }, constraints: { require_code_review: true } } };
    assert.is((await call("PUT", "/projects/alpha/policy", { body: adminPolicy })).status, 200);
    const before = await call("GET", "/projects/alpha/policy/effective");

    const loosenings: [string, object, RegExp][] = [
      ["another pack", { ...adminPolicy, pack: { key: "startup-fast" } }, /^\/pack changing the pack from default@latest to startup-fast@latest needs the admin token/],
      ["a pinned version", { ...adminPolicy, pack: { key: "default", version: "1.0" } }, /^\/pack changing the pack from default@latest to default@1\.0 needs the admin token/],
      ["warn mode", { ...adminPolicy, overrides: { ...adminPolicy.overrides, enforcement: { mode: "warn" } } }, /^\/overrides\/enforcement\/mode .*block → warn loosens it, which needs the admin token/],
      ["a lower severity", { ...adminPolicy, overrides: { ...adminPolicy.overrides, rules: { "x/tight": { severity: "block" }, "x/other": { severity: "warning" } } } }, /^\/overrides\/rules\/x~1other .*loosens the rule \(block → warning\), which needs the admin token/],
      ["the admin's severity lowered", { ...adminPolicy, overrides: { ...adminPolicy.overrides, rules: { "x/tight": { severity: "error" } } } }, /^\/overrides\/rules\/x~1tight .*block → error/],
      ["a disabled rule", { ...adminPolicy, overrides: { ...adminPolicy.overrides, rules: { "x/tight": { severity: "block" }, "x/other": { enabled: false } } } }, /^\/overrides\/rules\/x~1other .*disabling/],
      ["a constraint off", { ...adminPolicy, overrides: { ...adminPolicy.overrides, constraints: { require_code_review: false } } }, /^\/overrides\/constraints\/require_code_review .*switching it off loosens the policy/],
      ["the admin's overrides dropped", { pack: { key: "default" } }, /^\/overrides the new overrides leave out or undo what the current ones set/],
      ["a required file dropped", { ...adminPolicy, overrides: { ...adminPolicy.overrides, requirements: { files: [] } } }, /^\/overrides the new overrides leave out/],
      ["the repo-local file honoured", { ...adminPolicy, repoLocal: true }, /^\/repoLocal honouring the repository's own \.gatehouse\/policy file .*needs the admin token/],
    ];
    const adminRequired: string = "admin_required";
    assert.is(API_ERRORS[adminRequired as ApiErrorCode]?.status, 403, "admin_required is a code of its own, answered 403");
    for (const [what, body, reason] of loosenings) {
      for (const url of ["/projects/alpha/policy", "/console/api/projects/alpha/policy/preview"]) {
        const answer = await call(url.startsWith("/console") ? "POST" : "PUT", url, { token: alpha, body });
        assert.is(answer.status, 403, `${what} (${url}): ${answer.text}`);
        assert.is(answer.body.code, "admin_required", what);
        assert.match(answer.body.message, reason, `${what}: ${answer.body.message}`);
        assert.ok(answer.body.errors.length >= 1, what);
      }
    }
    assert.is((await call("GET", "/projects/alpha/policy/effective")).body.hash, before.body.hash, "nothing was stored");
    const refusedTwice = await call("PUT", "/projects/alpha/policy", { token: alpha, body: { pack: { key: "startup-fast" }, repoLocal: true } });
    assert.is(refusedTwice.status, 403, "a pack change is refused before anything else is looked at");

    // Tightening is the project's: the admin's overrides kept, one raised, more added.
    const tighter = { pack: { key: "default" }, overrides: { rules: { "x/tight": { severity: "block", locked: true }, "x/new": { severity: "block" } }, requirements: { files: ["SECURITY.md", "CODEOWNERS"] }, constraints: { require_code_review: true, require_ci_green: true } } };
    const preview = await call("POST", "/console/api/projects/alpha/policy/preview", { token: alpha, body: tighter });
    assert.is(preview.status, 200, preview.text);
    const saved = await call("PUT", "/projects/alpha/policy", { token: alpha, body: tighter });
    assert.is(saved.status, 200, saved.text);
    assert.is(saved.body.effectiveHash, preview.body.hash);
    const same = await call("PUT", "/projects/alpha/policy", { token: alpha, body: tighter });
    assert.is(same.status, 200, `saving the policy in force unchanged is no loosening: ${same.text}`);
    const history = await call("GET", "/audit?subject=project:alpha");
    const changes = (history.body.events as { event: string; actor: string }[]).filter((e: { event: string }) => e.event === "project.policy_changed");
    assert.equal(changes.map((e: { actor: string }) => e.actor), ["admin", "project:alpha", "project:alpha"], "audit rows record the caller");

    // The admin may do anything, loosenings included.
    const warn = await call("PUT", "/projects/alpha/policy", { body: { pack: { key: "startup-fast" }, overrides: { enforcement: { mode: "warn" } }, repoLocal: true } });
    assert.is(warn.status, 200, warn.text);
    // And from there the project token may switch the repo-local file off again (a tightening).
    const off = await call("PUT", "/projects/alpha/policy", { token: alpha, body: { pack: { key: "startup-fast" }, overrides: { enforcement: { mode: "block" } }, repoLocal: false } });
    assert.is(off.status, 200, off.text);
  });
});

test("issue 14 (c): the server judges each waiver of an uploaded report by its own clock (injectable): a report allowed by a client clock pinned in the past is stored as deny naming the expired waiver", async () => {
  const waived = { code: "x/a", severity: "error", message: "m", source: "policy", input: "src/a.ts", suppressed: { kind: "waiver", justification: "later", owner: "alice", expires: "2026-07-01" } };
  const decide = async (serverNow: string): Promise<{ decision: string; reasons: string[] }> => {
    let decision = { decision: "", reasons: [] as string[] };
    await withService({ now: () => new Date(serverNow) }, async (_service, call, { alpha }) => {
      const hash = (await call("GET", "/projects/alpha/policy/effective", { token: alpha })).body.hash as string;
      const run = await call("POST", "/projects/alpha/runs", { token: alpha, body: { report: gateReport({ pack: "default", version: "1.0", effectiveHash: hash }, { findings: [waived] }) } });
      assert.is(run.status, 201, run.text);
      decision = { decision: run.body.decision, reasons: run.body.reasons };
    });
    return decision;
  };
  const late = await decide("2026-12-01T00:00:00Z");
  assert.is(late.decision, "deny", JSON.stringify(late));
  assert.match(late.reasons.join("; "), /finding 0 \(x\/a\) is waived \(owner alice\) until 2026-07-01, and by the server's clock \(2026-12-01T00:00:00\.000Z\) that waiver has expired/);
  assert.is((await decide("2026-07-02T00:00:00Z")).decision, "deny", "a date waiver lasts to the end of its day, not a day more");
  assert.is((await decide("2026-07-01T23:59:59Z")).decision, "allow", "unexpired by the server's clock: allowed");
});

test("issue 14 (d): the effective policy names its project", async () => {
  await withService({}, async (_service, call, { alpha, beta }) => {
    assert.is((await call("GET", "/projects/alpha/policy/effective", { token: alpha })).body.project, "alpha");
    assert.is((await call("GET", "/projects/beta/policy/effective", { token: beta })).body.project, "beta");
  });
});

/** A repository the default pack allows while the client's clock is CLIENT_NOW: its one waiver expires 2026-07-01. */
function writeRepository(root: string): void {
  mkdirSync(join(root, "schemas"), { recursive: true });
  mkdirSync(join(root, ".gatehouse"), { recursive: true });
  writeFileSync(join(root, "gatehouse.config.yaml"), "version: 1\nprofile: self\ncollectors:\n  schemas: {}\n  fixtures: {}\n");
  writeFileSync(join(root, "schemas", "order.v1.schema.json"), JSON.stringify({ $schema: "https://json-schema.org/draft/2020-12/schema", $id: "https://gatehouse.dev/schemas/order.v1.schema.json", title: "Order", description: "An order.", type: "object", additionalProperties: false }));
  writeFileSync(join(root, ".gatehouse", "waivers.yaml"), "version: 1\nwaivers:\n  - code: schemas/missing-fixtures\n    target: { file: schemas/order.v1.schema.json }\n    reason: fixtures land later\n    owner: alice\n    expires: 2026-07-01\n");
}

type Rerouted = { url?: string; token?: string };

/**
 * An HTTP front for an in-process service (Fastify's inject), with a hook that sees each request
 * first and may answer it or change what reaches the service.
 */
async function front(service: Service, hook: (method: string, url: string) => Promise<Rerouted | void>): Promise<{ server: Server; url: string }> {
  const server = createServer((request: IncomingMessage, response: ServerResponse) => {
    const chunks: Buffer[] = [];
    request.on("data", (chunk: Buffer) => chunks.push(chunk));
    request.on("end", () => {
      void (async () => {
        const changed = (await hook(request.method!, request.url!)) ?? {};
        const headers: Record<string, string> = {};
        for (const name of ["authorization", "content-type"]) if (request.headers[name]) headers[name] = String(request.headers[name]);
        if (changed.token !== undefined) headers.authorization = `Bearer ${changed.token}`;
        const answer = await service.app.inject({ method: request.method as "GET", url: changed.url ?? request.url!, headers, ...(chunks.length > 0 ? { payload: Buffer.concat(chunks) } : {}) });
        response.writeHead(answer.statusCode, { "content-type": "application/json" }).end(answer.body);
      })().catch((error: unknown) => response.writeHead(500).end(String(error)));
    });
  });
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  return { server, url: `http://127.0.0.1:${(server.address() as AddressInfo).port}` };
}

/** `gatehouse gate --server` as a child process (not spawnSync: the front answers from this process). */
function gate(root: string, server: string, token: string): Promise<{ status: number | null; stdout: string; stderr: string }> {
  return new Promise((resolve) => {
    const env: NodeJS.ProcessEnv = { ...process.env, GATEHOUSE_TOKEN: token, GATEHOUSE_NOW: CLIENT_NOW };
    for (const name of Object.keys(env)) if (name.startsWith("GITHUB_")) delete env[name];
    const child = spawn(process.execPath, [BIN, "gate", "--root", root, "--server", server, "--project", "alpha", "--format", "json"], { env, stdio: ["ignore", "pipe", "pipe"], timeout: 90_000 });
    let stdout = "";
    let stderr = "";
    child.stdout!.setEncoding("utf8").on("data", (chunk: string) => (stdout += chunk));
    child.stderr!.setEncoding("utf8").on("data", (chunk: string) => (stderr += chunk));
    child.once("close", (status) => resolve({ status, stdout, stderr }));
  });
}

async function withGate(serverNow: string, hook: (call: Call, method: string, url: string) => Promise<Rerouted | void>, check: (run: { status: number | null; stdout: string; stderr: string }, call: Call) => Promise<void>): Promise<void> {
  const work = tempDir("service-calls");
  let fronted: { server: Server; url: string } | undefined;
  try {
    writeRepository(work);
    await withService({ now: () => new Date(serverNow) }, async (service, call, { alpha }) => {
      fronted = await front(service, (method, url) => hook(call, method, url));
      await check(await gate(work, fronted.url, alpha), call);
    });
  } finally {
    fronted?.server.close();
    rmSync(work, { recursive: true, force: true });
  }
}

test("issue 14 (b): `gate --server` exits 1 when the server stores the run as denied (here: the project's pack disabled between the policy's fetch and the upload), and its JSON report names gate/server-denied with the server's reasons", async () => {
  const serverDenied: string = "gate/server-denied";
  assert.is(GATE_CODES[serverDenied as GateCode]?.severity, "error", "a gate code of its own, documented");
  assert.ok(isLockedCode(serverDenied), "no pack, warn mode or waiver lowers the server's deny");
  await withGate(
    CLIENT_NOW,
    async (call, method, url) => {
      if (method === "POST" && url === "/projects/alpha/runs") assert.is((await call("POST", "/policy_packs/default/deprecate", { body: { version: "1.0", status: "disabled" } })).status, 200);
    },
    async (run, call) => {
      assert.match(run.stderr, "server decision: deny", run.stderr);
      assert.is(run.status, 1, `${run.stderr}${run.stdout}`);
      const report = JSON.parse(run.stdout) as { verdict: string; findings: { code: string; message: string; metadata?: { reasons?: string[]; run?: string } }[] };
      assert.is(report.verdict, "deny");
      const denied = report.findings.find((f) => f.code === "gate/server-denied");
      assert.ok(denied, JSON.stringify(report.findings.map((f) => f.code)));
      assert.match(denied!.message, /stored run [0-9a-f-]{36} as denied: .*policy pack default has no active version/);
      assert.ok(denied!.metadata?.reasons?.some((r) => /disabled/.test(r)), JSON.stringify(denied!.metadata));
      const stored = await call("GET", `/runs/${denied!.metadata!.run}`);
      assert.is(stored.body.decision, "deny");
    },
  );
  // The same run with nothing changed in between is allowed by both sides: exit 0, no finding added.
  await withGate(
    CLIENT_NOW,
    async () => undefined,
    async (run) => {
      assert.match(run.stderr, "server decision: allow", run.stderr);
      assert.is(run.status, 0, `${run.stderr}${run.stdout}`);
      assert.not.match(run.stdout, "gate/server-denied");
    },
  );
});

test("issue 14 (b, c): a waiver the client's pinned clock keeps alive but the server's clock has expired: the server denies naming it, and `gate --server` exits 1 by that decision", async () => {
  await withGate(
    "2026-12-01T00:00:00Z",
    async () => undefined,
    async (run) => {
      assert.is(run.status, 1, `${run.stderr}${run.stdout}`);
      assert.match(run.stderr, /server decision: deny: .*\(schemas\/missing-fixtures\) is waived \(owner alice\) until 2026-07-01, and by the server's clock/);
      assert.match(run.stdout, "gate/server-denied");
    },
  );
});

test("issue 14 (d): `gate --server` refuses (exit 2, naming both projects) an effective policy answered for another project (a misrouting front), and uploads nothing", async () => {
  await withGate(
    CLIENT_NOW,
    async (_call, method, url) => (method === "GET" && url === "/projects/alpha/policy/effective" ? { url: "/projects/beta/policy/effective", token: TEST_ADMIN_TOKEN } : undefined),
    async (run, call) => {
      assert.is(run.status, 2, `${run.stderr}${run.stdout}`);
      assert.match(run.stderr, /the effective policy of project "beta" when asked for project "alpha"/);
      assert.is((await call("GET", "/console/api/projects/alpha/runs")).body.total, 0, "no run was uploaded");
    },
  );
});

test.run();
