// Issue 14, twelfth adversarial pass, the policy service (`gatehouse serve`, `gate --server`).
//   - The design call left open: the server did not check which bundle judged an uploaded run.
//     The gate's bundle is the repository's choice (`policy:` in its gatehouse.config, or
//     --policy), so a repository under a central policy could judge itself by six lines of Rego
//     that deny nothing, and the server stored the run as allowed by the project's pack (exit 0).
//     The server now allows a run only when the bundle it records is the released one (its wasm
//     sha256 pinned in the server's program) or one the operator trusts (`serve --trust-bundle`);
//     a report that records no bundle and none of the project's own policies is denied too.
//   - `gate --server` took the upload's answer as the server's decision on this run whatever run
//     it was: a front or cache answering with another project's run, or replaying an earlier
//     stored allow, stood in for the server's deny (the sibling of the effective policy's
//     project check). The answer must be of the project asked for and of this report (its
//     reportSha256), else exit 2 naming both.
//   - A run that denied locally and whose upload then failed (the server unreachable, a 503, a
//     refused body) exited 2 with only the upload's error: the denial and its findings were
//     hidden behind a config error. It now reports the local denial (exit 1, the findings) with
//     the upload's failure on stderr; a run that allows locally still needs the server (exit 2).

import { spawn } from "node:child_process";
import { mkdirSync, rmSync, writeFileSync, readFileSync } from "node:fs";
import { createServer, type IncomingMessage, type Server, type ServerResponse } from "node:http";
import type { AddressInfo } from "node:net";
import { join } from "node:path";
import { test } from "uvu";
import * as assert from "uvu/assert";
import { packagePath } from "../../src/core/paths.js";
import { PINNED_BUNDLE } from "../../src/policy/pinned-bundle.js";
import { createTestService, TEST_ADMIN_TOKEN, type Service } from "../../src/service/app.js";
import { ServiceError } from "../../src/service/errors.js";
import { BIN, caller, gateReport, releasedBundle } from "../service/helpers.js";
import { gatehouse, git, repo } from "./harness.js";

const OTHER = "b".repeat(64);
const UNTRUSTED = (path: string, digest: string, trusted: string) =>
  `the run was judged by the bundle ${JSON.stringify(path)} (wasm sha256 ${digest}), which is not the released bundle this server trusts (${trusted}): the repository chose its own policy (\`policy:\` in its gatehouse.config or --policy), or it ran another gatehouse release (the operator trusts that release's bundle with \`gatehouse serve --trust-bundle SHA256\`)`;

/** The decision the server stores for project alpha's report, changed by `edit`. */
async function decide(edit: (report: Record<string, unknown>) => void, options: { trustBundles?: string[] } = {}): Promise<{ decision: string; reasons: string[] }> {
  const service = await createTestService(options);
  try {
    const call = caller(service, TEST_ADMIN_TOKEN);
    const alpha = await call("POST", "/projects", { body: { id: "alpha", name: "Alpha" } });
    assert.is(alpha.status, 201, alpha.text);
    const effective = await call("GET", "/projects/alpha/policy/effective", { token: alpha.body.token });
    const report = gateReport({ pack: effective.body.pack.key, version: effective.body.pack.version, effectiveHash: effective.body.hash });
    edit(report);
    const run = await call("POST", "/projects/alpha/runs", { token: alpha.body.token, body: { report } });
    assert.is(run.status, 201, run.text);
    return { decision: run.body.decision, reasons: run.body.reasons };
  } finally {
    await service.close();
  }
}

test("issue 14 (twelfth pass): a run judged by a bundle other than the released one is denied by the server, naming the bundle, its digest and the trusted one; the released bundle is allowed", async () => {
  assert.ok(PINNED_BUNDLE, "the compiled program is pinned");
  const released = PINNED_BUNDLE!.wasmSha256;
  assert.equal(await decide(() => undefined), { decision: "allow", reasons: [] });
  const other = await decide((report) => (report.bundle = { ...releasedBundle(), path: "weak", sha256: OTHER }));
  assert.equal(other, { decision: "deny", reasons: [UNTRUSTED("weak", OTHER, released)] });
  // No bundle and none of the project's own policies: nothing shows any policy judged the run.
  const none = await decide((report) => delete report.bundle);
  assert.equal(none, { decision: "deny", reasons: [`the report records no bundle, so nothing shows that the released bundle judged it (trusted: ${released})`] });
  // Every input went to the project's own policies (`policies:` with `files`): the bundle judged nothing.
  assert.equal(await decide((report) => {
    delete report.bundle;
    report.policies = [{ path: "policy", sha256: OTHER, opaVersion: "1.22.0", entrypoints: ["main/deny"] }];
  }), { decision: "allow", reasons: [] });
});

test("issue 14 (twelfth pass): `serve --trust-bundle` adds a bundle a run may be judged by (another release's); a digest that is not a sha256 is refused at start", async () => {
  assert.equal(await decide((report) => (report.bundle = { ...releasedBundle(), sha256: OTHER }), { trustBundles: [OTHER] }), { decision: "allow", reasons: [] });
  // The released bundle stays trusted beside it.
  assert.equal(await decide(() => undefined, { trustBundles: [OTHER] }), { decision: "allow", reasons: [] });
  let service: Service | undefined;
  try {
    service = await createTestService({ trustBundles: ["B".repeat(64)] });
    assert.unreachable("an upper-case digest is no sha256 the report records");
  } catch (error) {
    assert.instance(error, ServiceError);
    assert.match((error as Error).message, /a trusted bundle is the sha256 of its policy\.wasm \(64 lowercase hex digits\), got "B{64}"/);
  } finally {
    await service?.close();
  }
  const work = repo("twelfth-trust");
  try {
    const run = gatehouse(["serve", "--data", join(work, "data"), "--trust-bundle", "abc"], work, { env: { GATEHOUSE_ADMIN_TOKEN: TEST_ADMIN_TOKEN } });
    assert.is(run.code, 2, run.stdout + run.stderr);
    assert.match(run.stderr, '--trust-bundle takes the sha256 of a bundle\'s policy.wasm (64 lowercase hex digits), got "abc"');
  } finally {
    rmSync(work, { recursive: true, force: true });
  }
});

/** `gatehouse gate --server` as a child process (the service answers from this process). */
function gateServer(root: string, server: string, token: string): Promise<{ status: number | null; stdout: string; stderr: string }> {
  return new Promise((resolve) => {
    const env: NodeJS.ProcessEnv = { ...process.env, GATEHOUSE_TOKEN: token };
    for (const name of Object.keys(env)) if (name.startsWith("GITHUB_") || name === "GATEHOUSE_SECURITY_BASE") delete env[name];
    const child = spawn(process.execPath, [BIN, "gate", "--root", root, "--server", server, "--project", "alpha", "--format", "json"], { env, stdio: ["ignore", "pipe", "pipe"], timeout: 90_000 });
    let stdout = "";
    let stderr = "";
    child.stdout!.setEncoding("utf8").on("data", (chunk: string) => (stdout += chunk));
    child.stderr!.setEncoding("utf8").on("data", (chunk: string) => (stderr += chunk));
    child.once("close", (status) => resolve({ status, stdout, stderr }));
  });
}

const SECURITY_CONFIG = "version: 1\ncollectors:\n  security: {}\n";

/** A git repository gating only the security collector, a clean log committed as its base. */
function securityRepo(prefix: string): string {
  const root = repo(prefix, { "gatehouse.config.yaml": SECURITY_CONFIG, "worker.log": "worker started\n" });
  git(root, "init", "-q");
  git(root, "add", "-A");
  git(root, "commit", "-qm", "base");
  return root;
}

test("issue 14 (twelfth pass): `gate --server` in a repository whose gatehouse.config points `policy:` at its own Rego that denies nothing, with a secret on a changed line, exits 1 (gate/server-denied naming the bundle); it was ALLOW, exit 0", async () => {
  const root = securityRepo("twelfth-weak-bundle");
  const service = await createTestService();
  try {
    writeFileSync(join(root, "worker.log"), readFileSync(packagePath("examples", "security", "secrets", "deny", "logs", "worker.log")));
    mkdirSync(join(root, "weak"));
    writeFileSync(join(root, "weak", "weak.rego"), 'package gatehouse.security.weak\n\ndeny contains msg if {\n\tinput.never == true\n\tmsg := "never"\n}\n');

    const call = caller(service, TEST_ADMIN_TOKEN);
    const alpha = await call("POST", "/projects", { body: { id: "alpha", name: "Alpha" } });
    assert.is((await call("PUT", "/projects/alpha/policy", { body: { pack: { key: "default" }, overrides: { rules: { "security/secret-in-change": { severity: "block" } } } } })).status, 200);
    const address = await service.app.listen({ port: 0, host: "127.0.0.1" });
    const port = (service.app.server.address() as AddressInfo).port;
    assert.ok(address.includes(String(port)));

    // With the released bundle the secret denies, both sides.
    const honest = await gateServer(root, `http://127.0.0.1:${port}`, alpha.body.token);
    assert.is(honest.status, 1, honest.stderr + honest.stdout);
    assert.match(honest.stdout, "security/secret-in-change");

    // The repository's own policy: the gate allows, the server does not.
    writeFileSync(join(root, "gatehouse.config.yaml"), "version: 1\npolicy: weak\ncollectors:\n  security: {}\n");
    const weak = await gateServer(root, `http://127.0.0.1:${port}`, alpha.body.token);
    assert.is(weak.status, 1, weak.stderr + weak.stdout);
    assert.not.match(weak.stdout, "security/secret-in-change", "the weak policy denies nothing itself");
    const report = JSON.parse(weak.stdout) as { verdict: string; bundle: { sha256: string }; findings: { code: string; metadata?: { reasons?: string[] } }[] };
    assert.is(report.verdict, "deny");
    assert.is.not(report.bundle.sha256, PINNED_BUNDLE!.wasmSha256);
    const denied = report.findings.find((f) => f.code === "gate/server-denied");
    assert.ok(denied, JSON.stringify(report.findings));
    assert.equal(denied!.metadata?.reasons, [UNTRUSTED((report.bundle as unknown as { path: string }).path, report.bundle.sha256, PINNED_BUNDLE!.wasmSha256)]);
  } finally {
    await service.close();
    rmSync(root, { recursive: true, force: true });
  }
});

/** An HTTP front for an in-process service; `hook` may answer a request itself or reroute it. */
async function front(service: Service, hook: (method: string, url: string) => Promise<{ answer?: string; status?: number; url?: string; token?: string } | void>, seen?: (method: string, url: string, body: string) => void): Promise<{ server: Server; url: string }> {
  const server = createServer((request: IncomingMessage, response: ServerResponse) => {
    const chunks: Buffer[] = [];
    request.on("data", (chunk: Buffer) => chunks.push(chunk));
    request.on("end", () => {
      void (async () => {
        const changed = (await hook(request.method!, request.url!)) ?? {};
        if (changed.answer !== undefined) return void response.writeHead(changed.status ?? 201, { "content-type": "application/json" }).end(changed.answer);
        const headers: Record<string, string> = {};
        for (const name of ["authorization", "content-type"]) if (request.headers[name]) headers[name] = String(request.headers[name]);
        if (changed.token !== undefined) headers.authorization = `Bearer ${changed.token}`;
        const answer = await service.app.inject({ method: request.method as "GET", url: changed.url ?? request.url!, headers, ...(chunks.length > 0 ? { payload: Buffer.concat(chunks) } : {}) });
        seen?.(request.method!, request.url!, answer.body);
        response.writeHead(answer.statusCode, { "content-type": "application/json" }).end(answer.body);
      })().catch((error: unknown) => response.writeHead(500).end(String(error)));
    });
  });
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  return { server, url: `http://127.0.0.1:${(server.address() as AddressInfo).port}` };
}

test("issue 14 (twelfth pass): `gate --server` refuses (exit 2) an upload answered with another project's run or with a stored run of another report (an earlier allow replayed by a front); the honest answer is taken", async () => {
  const root = securityRepo("twelfth-replay");
  const service = await createTestService();
  const fronts: Server[] = [];
  try {
    const call = caller(service, TEST_ADMIN_TOKEN);
    const alpha = await call("POST", "/projects", { body: { id: "alpha", name: "Alpha" } });
    assert.is((await call("POST", "/projects", { body: { id: "beta", name: "Beta" } })).status, 201);
    for (const id of ["alpha", "beta"]) assert.is((await call("PUT", `/projects/${id}/policy`, { body: { pack: { key: "default" }, overrides: { rules: { "security/secret-in-change": { severity: "block" } } } } })).status, 200);

    let stored: string | undefined;
    const honest = await front(service, async () => undefined, (method, url, body) => {
      if (method === "POST" && url === "/projects/alpha/runs") stored = body;
    });
    fronts.push(honest.server);
    const first = await gateServer(root, honest.url, alpha.body.token);
    assert.is(first.status, 0, first.stderr + first.stdout);
    const runId = /run ([0-9a-f-]{36}) stored/.exec(first.stderr)![1]!;
    assert.is(JSON.parse(stored!).id, runId);

    // The change now adds a secret; the front replays the stored allow for every upload.
    writeFileSync(join(root, "worker.log"), readFileSync(packagePath("examples", "security", "secrets", "deny", "logs", "worker.log")));
    writeFileSync(join(root, "gatehouse.config.yaml"), "version: 1\npolicy: weak\ncollectors:\n  security: {}\n");
    mkdirSync(join(root, "weak"));
    writeFileSync(join(root, "weak", "weak.rego"), 'package gatehouse.security.weak\n\ndeny contains msg if {\n\tinput.never == true\n\tmsg := "never"\n}\n');
    const replaying = await front(service, async (method, url) => (method === "POST" && url === "/projects/alpha/runs" ? { answer: stored! } : undefined));
    fronts.push(replaying.server);
    const replayed = await gateServer(root, replaying.url, alpha.body.token);
    assert.is(replayed.status, 2, replayed.stderr + replayed.stdout);
    assert.match(replayed.stderr, new RegExp(`the policy service answered the upload with run ${runId}, whose report has sha256 [0-9a-f]{64}, not this run's [0-9a-f]{64}: refusing the decision on another report`), replayed.stderr);

    // Back to the released bundle and a clean change: a front sending alpha's upload to beta.
    writeFileSync(join(root, "worker.log"), "worker started\n");
    writeFileSync(join(root, "gatehouse.config.yaml"), SECURITY_CONFIG);
    const misrouting = await front(service, async (method, url) => (method === "POST" && url === "/projects/alpha/runs" ? { url: "/projects/beta/runs", token: TEST_ADMIN_TOKEN } : undefined));
    fronts.push(misrouting.server);
    const misrouted = await gateServer(root, misrouting.url, alpha.body.token);
    assert.is(misrouted.status, 2, misrouted.stderr + misrouted.stdout);
    assert.match(misrouted.stderr, /the policy service answered the upload of a run of project "alpha" with run [0-9a-f-]{36} of project "beta": refusing another project's decision/);
  } finally {
    for (const server of fronts) server.close();
    await service.close();
    rmSync(root, { recursive: true, force: true });
  }
});

test("issue 14 (twelfth pass): `gate --server` whose run denies locally and whose upload fails exits 1 with the denial reported and the upload's failure on stderr (it was exit 2 hiding the denial); a run that allows locally and cannot be stored still exits 2", async () => {
  const root = securityRepo("twelfth-upload-fails");
  const service = await createTestService();
  const fronts: Server[] = [];
  try {
    const call = caller(service, TEST_ADMIN_TOKEN);
    const alpha = await call("POST", "/projects", { body: { id: "alpha", name: "Alpha" } });
    assert.is((await call("PUT", "/projects/alpha/policy", { body: { pack: { key: "default" }, overrides: { rules: { "security/secret-in-change": { severity: "block" } } } } })).status, 200);
    const failing = await front(service, async (method, url) => (method === "POST" && url === "/projects/alpha/runs" ? { status: 503, answer: JSON.stringify({ code: "unavailable", message: "the server is not ready" }) } : undefined));
    fronts.push(failing.server);

    const clean = await gateServer(root, failing.url, alpha.body.token);
    assert.is(clean.status, 2, clean.stderr + clean.stdout);
    assert.match(clean.stderr, "the policy service refused POST /projects/alpha/runs (503): the server is not ready");

    writeFileSync(join(root, "worker.log"), readFileSync(packagePath("examples", "security", "secrets", "deny", "logs", "worker.log")));
    const denied = await gateServer(root, failing.url, alpha.body.token);
    assert.is(denied.status, 1, denied.stderr + denied.stdout);
    assert.match(denied.stderr, `gatehouse: the run was not stored on ${failing.url}: the policy service refused POST /projects/alpha/runs (503): the server is not ready; the local verdict (deny) stands`);
    const report = JSON.parse(denied.stdout) as { verdict: string; findings: { code: string }[] };
    assert.is(report.verdict, "deny");
    assert.ok(report.findings.some((f) => f.code === "security/secret-in-change"), denied.stdout);
  } finally {
    for (const server of fronts) server.close();
    await service.close();
    rmSync(root, { recursive: true, force: true });
  }
});

test.run();
