// Issue 14, the ninth adversarial pass: the policy service attacked live (the embedded store,
// the same SQL as PostgreSQL) and `gatehouse gate --server`'s client against hostile servers.
// The first cases failed on the main the pass started from: bodies the service could not hash
// or store were 500s or were stored altered, and the client followed a redirect to another host.
// The rest are attacks that held, kept as regressions.

import { spawn } from "node:child_process";
import { mkdirSync, rmSync, writeFileSync } from "node:fs";
import { createServer, type Server } from "node:http";
import type { AddressInfo } from "node:net";
import { join } from "node:path";
import { test } from "uvu";
import * as assert from "uvu/assert";
import { ConfigError } from "../../src/core/errors.js";
import { createTestService, TEST_ADMIN_TOKEN, type Service } from "../../src/service/app.js";
import { ServiceClient } from "../../src/service/client.js";
import { BIN, http, releasedBundle, startServer, tempDir, type ServerProcess } from "../service/helpers.js";

interface Answer {
  status: number;
  body: any;
}

async function send(service: Service, method: "GET" | "POST" | "PUT", url: string, options: { token?: string | null; payload?: string | Buffer; contentType?: string } = {}): Promise<Answer> {
  const headers: Record<string, string> = {};
  const token = options.token === undefined ? TEST_ADMIN_TOKEN : options.token;
  if (token !== null) headers.authorization = `Bearer ${token}`;
  if (options.payload !== undefined) headers["content-type"] = options.contentType ?? "application/json";
  const response = await service.app.inject({ method, url, headers, ...(options.payload !== undefined ? { payload: options.payload } : {}) });
  let body: unknown;
  try {
    body = JSON.parse(response.body);
  } catch {
    body = undefined;
  }
  return { status: response.statusCode, body };
}

async function withService(run: (service: Service, tokens: { alpha: string; beta: string }) => Promise<void>): Promise<void> {
  const service = await createTestService();
  try {
    const alpha = await send(service, "POST", "/projects", { payload: JSON.stringify({ id: "alpha", name: "Alpha" }) });
    const beta = await send(service, "POST", "/projects", { payload: JSON.stringify({ id: "beta", name: "Beta" }) });
    assert.is(alpha.status, 201);
    assert.is(beta.status, 201);
    await run(service, { alpha: alpha.body.token, beta: beta.body.token });
  } finally {
    await service.close();
  }
}

test("issue 14.9: a body the service cannot hash or store (invalid UTF-8, U+0000, 1e400, nesting past the limit) is a 400 naming the problem, not a 500 or a value stored altered", async () => {
  await withService(async (service, { alpha }) => {
    const invalidUtf8 = Buffer.concat([Buffer.from('{"id":"utf8","name":"a'), Buffer.from([0xff, 0xfe]), Buffer.from('b"}')]);
    const created = await send(service, "POST", "/projects", { payload: invalidUtf8 });
    assert.is(created.status, 400, JSON.stringify(created.body));
    assert.match(created.body.message, /not valid UTF-8/);
    assert.is((await send(service, "GET", "/projects/utf8/policy")).status, 404, "nothing was stored with U+FFFD in place of the bytes sent");

    const cases: [string, string, string, RegExp][] = [
      ["a NUL in a stored name", "/projects", '{"id":"nul","name":"a\\u0000b"}', /\/name contains U\+0000/],
      ["a NUL in a key", "/v1/data/x", '{"input":{"a\\u0000":1}}', /\/input has a key containing U\+0000/],
      ["a number JSON cannot write back", "/v1/data/x", '{"input":{"n":1e400}}', /\/input\/n is a number out of range/],
      ["a negative one", "/v1/data/x", '{"input":[-1e400]}', /\/input\/0 is a number out of range/],
      ["objects nested 50,000 deep", "/v1/data/x", `{"input":${'{"a":'.repeat(50_000)}1${"}".repeat(50_000)}}`, /nested deeper than 128 levels/],
      ["arrays nested 3,000 deep", "/v1/data/x", `{"input":${"[".repeat(3000)}${"]".repeat(3000)}}`, /nested deeper than 128 levels/],
    ];
    for (const [what, url, payload, expected] of cases) {
      const answer = await send(service, "POST", url, { payload, token: url === "/projects" ? TEST_ADMIN_TOKEN : alpha });
      assert.is(answer.status, 400, `${what}: ${JSON.stringify(answer.body)}`);
      assert.is(answer.body.code, "invalid_parameter", what);
      assert.match(answer.body.message, expected, what);
    }
    // Within the limits the same shapes still pass.
    const shallow = await send(service, "POST", "/v1/data/x", { payload: `{"input":${"[".repeat(100)}1e300${"]".repeat(100)}}`, token: alpha });
    assert.is(shallow.status, 200, JSON.stringify(shallow.body));
  });
});

test("issue 14.9: an uploaded report that says allow while its findings deny (a denying finding nothing suppressed, a locked code suppressed, a waiver without owner or a readable expiry) is stored as deny with the reason, not allow", async () => {
  await withService(async (service, { alpha }) => {
    const hash = (await send(service, "GET", "/projects/alpha/policy/effective", { token: alpha })).body.hash;
    const upload = (findings: object[]) =>
      send(service, "POST", "/projects/alpha/runs", {
        token: alpha,
        payload: JSON.stringify({
          report: {
            reportVersion: "gate-report.v1",
            tool: { name: "gatehouse", version: "0.1.0" },
            verdict: "allow",
            bundle: releasedBundle(),
            policy: { pack: "default", version: "1.0", effectiveHash: hash, mode: "block" },
            findings,
            inputs: [{ path: "src/a.ts", kind: "contract-diff", sha256: "a".repeat(64), bytes: 1, rulesEvaluated: 1 }],
          },
        }),
      });
    const base = { message: "m", source: "policy", input: "src/a.ts" };
    const future = "2999-01-01";
    const forged: [string, object, RegExp][] = [
      ["an error", { ...base, code: "x/a", severity: "error" }, /finding 0 \(x\/a\) is a error nothing suppressed/],
      ["a block", { ...base, code: "x/a", severity: "block" }, /is a block nothing suppressed/],
      ["a locked code waived", { ...base, code: "gate/no-inputs", severity: "warning", suppressed: { kind: "waiver", justification: "j", owner: "o", expires: future } }, /gate\/no-inputs is locked/],
      ["a locked area excepted", { ...base, code: "bundle/digest-mismatch", severity: "info", suppressed: { kind: "exception", justification: "j" } }, /bundle\/digest-mismatch is locked/],
      ["a waiver without owner", { ...base, code: "x/a", severity: "error", suppressed: { kind: "waiver", justification: "j", expires: future } }, /waived without an owner/],
      ["a waiver without expiry", { ...base, code: "x/a", severity: "error", suppressed: { kind: "waiver", justification: "j", owner: "o" } }, /waived without an expiry/],
      ["a waiver until no date", { ...base, code: "x/a", severity: "error", suppressed: { kind: "waiver", justification: "j", owner: "o", expires: "forever" } }, /waived until "forever", which is not a date/],
    ];
    for (const [what, finding, reason] of forged) {
      const run = await upload([finding]);
      assert.is(run.status, 201, `${what}: ${JSON.stringify(run.body)}`);
      assert.is(run.body.decision, "deny", what);
      assert.match(run.body.reasons.join("; "), reason, what);
    }
    // What gatehouse itself writes in an allow report still allows.
    const honest = await upload([
      { ...base, code: "x/w", severity: "warning" },
      { ...base, code: "x/a", severity: "error", suppressed: { kind: "waiver", justification: "j", owner: "o", expires: future } },
      { ...base, code: "x/e", severity: "block", suppressed: { kind: "exception", justification: "data.x.exception" } },
    ]);
    assert.is(honest.body.decision, "allow", JSON.stringify(honest.body.reasons));
  });
});

test("issue 14.9: a pack version with a leading zero (a second name for one version) is refused, and versions past 2^53 stay ordered, so the latest active version is never a tie", async () => {
  await withService(async (service, { alpha }) => {
    const shipped = (await send(service, "GET", "/policy_packs/default")).body.versions[0].document;
    const publish = (version: string) => send(service, "POST", "/policy_packs", { payload: JSON.stringify({ document: { ...shipped, meta: { ...shipped.meta, version } } }) });
    for (const [version, canonical] of [["01.0", "1.0"], ["1.00", "1.0"], ["1.01", "1.1"]]) {
      const answer = await publish(version);
      assert.is(answer.status, 400, `${version}: ${JSON.stringify(answer.body)}`);
      assert.match(answer.body.message, `write it as "${canonical}"`);
    }
    assert.is((await publish("99999999999999999999.0")).status, 201);
    assert.is((await publish("99999999999999999998.0")).status, 201);
    const pack = (await send(service, "GET", "/policy_packs/default")).body;
    assert.is(pack.latest, "99999999999999999999.0");
    assert.equal(pack.versions.map((v: { version: string }) => v.version), ["1.0", "99999999999999999998.0", "99999999999999999999.0"]);
    const effective = await send(service, "GET", "/projects/alpha/policy/effective", { token: alpha });
    assert.is(effective.body.pack.version, "99999999999999999999.0");
  });
});

test("issue 14.9 (held): concurrent publishes of one version store one (the others 409), and a pack that loosens a locked code is refused", async () => {
  await withService(async (service) => {
    const shipped = (await send(service, "GET", "/policy_packs/default")).body.versions[0].document;
    const publish = (version: string, rules: object = {}) => send(service, "POST", "/policy_packs", { payload: JSON.stringify({ document: { ...shipped, meta: { ...shipped.meta, version }, rules } }) });
    const statuses = (await Promise.all([1, 2, 3, 4].map(() => publish("2.0")))).map((a) => a.status).sort();
    assert.equal(statuses, [201, 409, 409, 409]);
    for (const rules of [{ "gate/no-inputs": { enabled: false } }, { "gate/*": { enabled: false } }, { "bundle/*": { severity: "info" } }, { "gate/zero-rules": { locked: false } }]) {
      assert.is((await publish("3.0", rules)).status, 400, JSON.stringify(rules));
    }
    const verified = (await send(service, "GET", "/audit/verify")).body;
    assert.is(verified.ok, true);
  });
});

test("issue 14.9: U+0000 in a path or query parameter is a 400 naming the parameter (it was a 500 from PostgreSQL for the admin and for a project token alike), and a path that does not decode is answered in the API's error shape", async () => {
  await withService(async (service, { alpha }) => {
    for (const [url, parameter] of [
      ["/projects/a%00b/policy", 'path parameter "id"'],
      ["/projects/a%00b/policy/effective", 'path parameter "id"'],
      ["/runs/%00", 'path parameter "id"'],
      ["/steps/%00/policy/findings", 'path parameter "id"'],
      ["/policy_packs/%00", 'path parameter "key"'],
      ["/decisions/%00", 'path parameter "id"'],
      ["/audit?subject=%00", 'query parameter "subject"'],
      ["/projects/alpha/policy/findings?after=1%00", 'query parameter "after"'],
    ]) {
      for (const token of [TEST_ADMIN_TOKEN, alpha]) {
        const answer = await send(service, "GET", url, { token });
        assert.is(answer.status, 400, `${url}: ${JSON.stringify(answer.body)}`);
        assert.equal(answer.body, { code: "invalid_parameter", message: `the ${parameter} contains U+0000` }, url);
      }
    }
    assert.is((await send(service, "GET", "/runs/%00", { token: "forged" })).status, 401, "a bad token is still refused first");
    const undecodable = await send(service, "GET", "/projects/%ff/policy");
    assert.is(undecodable.status, 400);
    assert.is(undecodable.body.code, "invalid_parameter");
  });
});

async function listen(handler: Parameters<typeof createServer>[1]): Promise<{ server: Server; url: string }> {
  const server = createServer(handler);
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  return { server, url: `http://127.0.0.1:${(server.address() as AddressInfo).port}` };
}

test("issue 14.9: the gate's client does not follow a redirect (another host would supply the policy): a ConfigError naming the redirect, and the other host is never asked", async () => {
  const asked: string[] = [];
  const other = await listen((request, response) => {
    asked.push(`${request.method} ${request.url} ${request.headers.authorization ?? "(no token)"}`);
    response.writeHead(200, { "content-type": "application/json" }).end("{}");
  });
  const service = await listen((request, response) => {
    response.writeHead(request.method === "POST" ? 307 : 302, { location: `${other.url}${request.url}` }).end();
  });
  try {
    const client = new ServiceClient(service.url, "ghsp_token");
    for (const [method, body] of [["GET", undefined], ["POST", { report: {} }]] as const) {
      try {
        await client.request(method, "/projects/alpha/policy/effective", body);
        assert.unreachable(`${method} followed the redirect`);
      } catch (error) {
        assert.instance(error, ConfigError);
        assert.match((error as Error).message, /with a redirect \(30[27] to ".*\/projects\/alpha\/policy\/effective"\), which gatehouse does not follow/);
      }
    }
    assert.equal(asked, []);
  } finally {
    service.server.close();
    other.server.close();
  }
});

test("issue 14.9 (held): tokens only in the Authorization header, a project token neither reaches admin routes nor another project's resources, whatever the path's encoding", async () => {
  await withService(async (service, { alpha, beta }) => {
    assert.is((await send(service, "GET", `/projects/alpha/policy?token=${alpha}`, { token: null })).status, 401);
    assert.is((await send(service, "GET", `/projects/alpha/policy?access_token=${alpha}`, { token: null })).status, 401);
    assert.is((await send(service, "GET", "/projects/alpha/policy", { token: `${alpha}x` })).status, 401);
    assert.is((await send(service, "GET", "/projects/alpha/policy", { token: beta })).status, 403);
    for (const url of ["/projects/beta/policy", "/projects/%62eta/policy", "/projects/alpha%2F..%2Fbeta/policy", "/projects/beta/policy/effective", "/projects/beta/clarifications", "/console/api/projects/beta/runs"]) {
      const answer = await send(service, "GET", url, { token: alpha });
      assert.is(answer.status, 403, `${url}: ${JSON.stringify(answer.body)}`);
    }
    assert.is((await send(service, "PUT", "/projects/beta/policy", { token: alpha, payload: '{"pack":{"key":"default"}}' })).status, 403);
    for (const [method, url, payload] of [["GET", "/audit", undefined], ["GET", "/audit/verify", undefined], ["POST", "/projects", '{"id":"gamma","name":"G"}'], ["POST", "/policy_packs", '{"document":{}}'], ["POST", "/policy_packs/default/deprecate", "{}"]] as const) {
      const answer = await send(service, method, url, { token: alpha, ...(payload ? { payload } : {}) });
      assert.is(answer.status, 403, `${method} ${url}: ${JSON.stringify(answer.body)}`);
    }
    const overview = await send(service, "GET", "/console/api/projects", { token: alpha });
    assert.equal(overview.body.projects.map((p: { id: string }) => p.id), ["alpha"], "the console's overview lists only the caller's project");
  });
});

test("issue 14.9 (held): repeated keys, prototype keys and other content types are refused before a handler runs", async () => {
  await withService(async (service, { alpha }) => {
    const refused: [string, string, string | undefined, number][] = [
      ["/projects", '{"id":"dup1","id":"dup2","name":"n"}', undefined, 400],
      ["/projects", '{"id":"pp","name":"n","__proto__":{"admin":true}}', undefined, 400],
      ["/projects", '{"id":"ct","name":"n"}', "text/plain", 415],
      ["/projects", "id=ct&name=n", "application/x-www-form-urlencoded", 415],
    ];
    for (const [url, payload, contentType, status] of refused) {
      const answer = await send(service, "POST", url, { payload, ...(contentType ? { contentType } : {}) });
      assert.is(answer.status, status, `${payload}: ${JSON.stringify(answer.body)}`);
    }
    for (const key of ["__proto__", "constructor"]) {
      const answer = await send(service, "PUT", "/projects/alpha/policy", { token: alpha, payload: `{"pack":{"key":"default"},"overrides":{"${key}":{"x":1}}}` });
      assert.is(answer.status, 400, key);
    }
    assert.is((await send(service, "GET", "/audit/verify")).body.ok, true, "the refused calls left the audit chain whole");
  });
});

test("issue 14.9 (held): the Data API denies prototype names as paths (an undefined document), and the gate's client refuses a 200 of garbage, of another shape, or a body cut short, as a ConfigError", async () => {
  await withService(async (service, { alpha }) => {
    for (const path of ["__proto__", "constructor", "gatehouse/__proto__", "toString", "gatehouse/../gatehouse"]) {
      const answer = await send(service, "POST", `/v1/data/${path}`, { token: alpha, payload: '{"input":{}}' });
      assert.is(answer.status, 200, path);
      assert.is(answer.body.decision, "deny", path);
      assert.match(answer.body.reason, /^undefined_document/, path);
    }
  });
  const answers: Record<string, (response: import("node:http").ServerResponse) => void> = {
    garbage: (response) => response.writeHead(200, { "content-type": "application/json" }).end("<html>ok</html>"),
    "another shape": (response) => response.writeHead(200, { "content-type": "application/json" }).end('{"hash":"x"}'),
    "cut short": (response) => {
      response.writeHead(200, { "content-type": "application/json", "content-length": "1000" });
      response.write('{"hash":"');
      setTimeout(() => response.socket?.destroy(), 20);
    },
  };
  for (const [what, answer] of Object.entries(answers)) {
    const server = await listen((_request, response) => answer(response));
    try {
      await new ServiceClient(server.url, "ghsp_token").request("GET", "/projects/alpha/policy/effective", undefined, "effective-policy.v1");
      assert.unreachable(`${what} was taken`);
    } catch (error) {
      assert.instance(error, ConfigError, what);
    } finally {
      server.server.closeAllConnections();
      server.server.close();
    }
  }
});

test("issue 14.9, live: `gatehouse serve` as a process refuses the bodies and parameters above over a real socket and stays up; `gatehouse gate --server` through a redirecting front stops with exit 2 and stores no run", async () => {
  const work = tempDir("ninthpass-live");
  const admin = "ninthpass-admin-token-0123456789";
  let server: ServerProcess | undefined;
  let front: { server: Server; url: string } | undefined;
  try {
    server = await startServer({ GATEHOUSE_ADMIN_TOKEN: admin, DATABASE_URL: "" }, ["--data", join(work, "data")]);
    const created = await http(`${server.url}/projects`, "POST", admin, { id: "live", name: "Live" });
    assert.is(created.status, 201, created.text);
    const token = created.body.token as string;
    const raw = async (path: string, body: Buffer | string) => {
      const response = await fetch(`${server!.url}${path}`, { method: "POST", headers: { authorization: `Bearer ${admin}`, "content-type": "application/json" }, body: typeof body === "string" ? body : new Uint8Array(body), signal: AbortSignal.timeout(30_000) });
      return { status: response.status, body: (await response.json()) as { code: string; message: string } };
    };
    const utf8 = await raw("/projects", Buffer.concat([Buffer.from('{"id":"bad","name":"'), Buffer.from([0xc3, 0x28]), Buffer.from('"}')]));
    assert.equal([utf8.status, utf8.body.message], [400, "the request body is not valid UTF-8"]);
    const nul = await raw("/projects", '{"id":"nul","name":"a\\u0000"}');
    assert.equal([nul.status, nul.body.code], [400, "invalid_parameter"]);
    const param = await http(`${server.url}/runs/%00`, "GET", token);
    assert.is(param.status, 400, param.text);
    assert.is((await http(`${server.url}/health`, "GET", undefined)).status, 200, "still serving");

    const target = server.url;
    front = await listen((request, response) => {
      response.writeHead(302, { location: `${target}${request.url}` }).end();
    });
    const repo = join(work, "repo");
    mkdirSync(repo, { recursive: true });
    writeFileSync(join(repo, "gatehouse.config.yaml"), "version: 1\ncollectors: {}\n");
    // Not spawnSync: the front answers from this process's event loop.
    const gate = await new Promise<{ status: number | null; stderr: string }>((resolve) => {
      const child = spawn(process.execPath, [BIN, "gate", "--root", repo, "--server", front!.url, "--project", "live", "--format", "json"], { env: { ...process.env, GATEHOUSE_TOKEN: token }, stdio: ["ignore", "ignore", "pipe"], timeout: 90_000 });
      let stderr = "";
      child.stderr!.setEncoding("utf8").on("data", (chunk: string) => (stderr += chunk));
      child.once("close", (status) => resolve({ status, stderr }));
    });
    assert.is(gate.status, 2, gate.stderr);
    assert.match(gate.stderr, /with a redirect \(302 to "http:\/\/127\.0\.0\.1:\d+\/projects\/live\/policy\/effective"\), which gatehouse does not follow/);
    const runs = await http(`${server.url}/console/api/projects/live/runs`, "GET", admin);
    assert.is(runs.body.total, 0, "no run reached the service");
  } finally {
    front?.server.close();
    await server?.stop();
    rmSync(work, { recursive: true, force: true });
  }
});

test.run();
