// The service as a process: `gatehouse gate --server` against it end to end, and durability
// (SIGKILL during a burst of uploads loses no acknowledged write; the restart is clean). Run over
// the embedded store (process.test.ts) and PostgreSQL (sql/postgres.test.ts). Loopback only,
// bounded in requests and time.

import { spawnSync } from "node:child_process";
import { existsSync, mkdirSync, rmSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { suite } from "uvu";
import * as assert from "uvu/assert";
import { LOCK_FILE } from "../../src/service/db/lock.js";
import { BIN, gateReport, finding, http, startServer, tempDir } from "./helpers.js";

const ADMIN = "process-suite-admin-token-0123456789";
const BURST_MAX_REQUESTS = 2000;
const BURST_MAX_MS = 20_000;
const CONCURRENCY = 8;

export function defineProcessSuite(label: string, database: () => Promise<{ env: NodeJS.ProcessEnv; cleanup(): Promise<void> }>): void {
  const test = suite(label);
  let work: string;
  let db: { env: NodeJS.ProcessEnv; cleanup(): Promise<void> };
  const serverEnv = (): NodeJS.ProcessEnv => ({ GATEHOUSE_ADMIN_TOKEN: ADMIN, ...db.env });

  test.before(async () => {
    work = tempDir("service-process");
    db = await database();
  });
  test.after(async () => {
    await db?.cleanup();
    rmSync(work, { recursive: true, force: true });
  });

  test("serve refuses to start without GATEHOUSE_ADMIN_TOKEN", () => {
    const env = { ...process.env, ...db.env };
    delete env.GATEHOUSE_ADMIN_TOKEN;
    const run = spawnSync(process.execPath, [BIN, "serve", "--port", "0", "--data", join(work, "refused")], { env, encoding: "utf8" });
    assert.is(run.status, 2);
    assert.match(run.stderr, "set GATEHOUSE_ADMIN_TOKEN");
  });

  test("gate --server: the project's policy and answers come from the server, the run is stored with pack, version and effective hash", async () => {
    const server = await startServer(serverEnv(), ["--data", join(work, "gate-data")]);
    try {
      const created = await http(`${server.url}/projects`, "POST", ADMIN, { id: "gated", name: "Gated" });
      assert.is(created.status, 201, created.text);
      const token = created.body.token as string;
      // The admin chooses the pack and may loosen it; the project's own token may only tighten.
      assert.is((await http(`${server.url}/projects/gated/policy`, "PUT", ADMIN, { pack: { key: "team-standard" }, overrides: { constraints: { require_ci_green: false } } })).status, 200);
      const effective = (await http(`${server.url}/projects/gated/policy/effective`, "GET", token)).body;

      // The repository's own config names another pack: the server's choice wins.
      const repo = join(work, "repo");
      mkdirSync(repo, { recursive: true });
      writeFileSync(join(repo, "gatehouse.config.yaml"), "version: 1\npack:\n  use: startup-fast@1.0\ncollectors: {}\n");
      const gate = (env: NodeJS.ProcessEnv = {}) =>
        spawnSync(process.execPath, [BIN, "gate", "--root", repo, "--server", server.url, "--project", "gated", "--format", "json"], {
          env: { ...process.env, GATEHOUSE_TOKEN: token, GITHUB_SHA: "0123abc", ...env },
          encoding: "utf8",
        });
      const first = gate();
      assert.is(first.status, 1, first.stderr); // nothing collected: gate/no-inputs denies
      const report = JSON.parse(first.stdout) as { policy: { pack: string; version: string; effectiveHash: string }; findings: { code: string }[] };
      assert.equal(report.policy, { pack: "team-standard", version: "1.0", effectiveHash: effective.hash, mode: "block" });
      assert.ok(report.findings.some((f) => f.code === "pack/clarification-unanswered"));
      const runId = /run ([0-9a-f-]{36}) stored/.exec(first.stderr)?.[1];
      assert.ok(runId, first.stderr);
      const run = (await http(`${server.url}/runs/${runId}`, "GET", token)).body;
      assert.equal([run.pack, run.version, run.effectiveHash, run.commit, run.reportedVerdict], ["team-standard", "1.0", effective.hash, "0123abc", "deny"]);
      assert.equal(run.policySnapshot, effective.policy);
      const stored = (await http(`${server.url}/runs/${runId}/policy/findings`, "GET", token)).body.findings.map((f: { code: string }) => f.code);
      assert.ok(stored.includes("pack/clarification-unanswered"));

      // Answered centrally, the question no longer blocks the next run.
      assert.is((await http(`${server.url}/projects/gated/clarifications/release-channel`, "POST", token, { value: "internal" })).status, 200);
      const second = gate();
      const after = JSON.parse(second.stdout) as { findings: { code: string; metadata?: { key?: string } }[] };
      assert.not.ok(after.findings.some((f) => f.metadata?.key === "release-channel"), second.stdout);

      // Another project's token, a wrong project, an unreachable server: exit 2, never a local fallback.
      const byFlag = spawnSync(process.execPath, [BIN, "gate", "--root", repo, "--server", server.url, "--project", "gated", "--token", token, "--format", "json"], { encoding: "utf8" });
      assert.is(byFlag.status, 1, byFlag.stderr);
      assert.match(byFlag.stderr, "stored on");
      const wrong = gate({ GATEHOUSE_TOKEN: "ghsp_wrong" });
      assert.is(wrong.status, 2);
      assert.match(wrong.stderr, "the policy service refused GET /projects/gated/policy/effective (401)");
    } finally {
      assert.is(await server.stop(), 0, server.stderr());
    }
    const repo = join(work, "repo");
    const down = spawnSync(process.execPath, [BIN, "gate", "--root", repo, "--server", "http://127.0.0.1:9", "--project", "gated"], { env: { ...process.env, GATEHOUSE_TOKEN: "x" }, encoding: "utf8" });
    assert.is(down.status, 2);
    assert.match(down.stderr, "cannot reach the policy service at http://127.0.0.1:9");
    const half = spawnSync(process.execPath, [BIN, "gate", "--root", repo, "--server", "http://127.0.0.1:9"], { encoding: "utf8" });
    assert.is(half.status, 2);
    assert.match(half.stderr, "--server and --project go together");
  });

  test("durability: SIGKILL during a burst of uploads loses no acknowledged run; the restart is clean", async () => {
    const data = join(work, "burst-data");
    let server = await startServer(serverEnv(), ["--data", data]);
    const created = await http(`${server.url}/projects`, "POST", ADMIN, { id: "burst", name: "Burst" });
    const token = created.body.token as string;
    const effective = (await http(`${server.url}/projects/burst/policy/effective`, "GET", token)).body;
    const report = gateReport({ pack: effective.pack.key, version: effective.pack.version, effectiveHash: effective.hash }, {
      inputs: ["a.ts", "b.ts"],
      findings: [finding("x/one", "a.ts"), finding("x/two", "b.ts"), finding("x/three")],
    });
    const acknowledged: string[] = [];
    let sent = 0;
    let failures = 0;
    const started = Date.now();
    const worker = async (): Promise<void> => {
      while (sent < BURST_MAX_REQUESTS && Date.now() - started < BURST_MAX_MS) {
        sent++;
        try {
          const answer = await http(`${server.url}/projects/burst/runs`, "POST", token, { report });
          if (answer.status === 201) acknowledged.push(answer.body.id as string);
          else failures++;
        } catch {
          return; // the server is gone
        }
      }
    };
    const workers = Array.from({ length: CONCURRENCY }, worker);
    const killAt = 60;
    while (acknowledged.length < killAt && Date.now() - started < BURST_MAX_MS) await new Promise((r) => setTimeout(r, 20));
    await server.kill();
    await Promise.all(workers);
    assert.ok(acknowledged.length >= killAt, `only ${acknowledged.length} uploads acknowledged before the kill`);
    assert.is(failures, 0, "no upload was refused before the kill");
    if (!db.env.DATABASE_URL) assert.ok(existsSync(join(data, LOCK_FILE)), "the killed server left its lock");

    server = await startServer(serverEnv(), ["--data", data]);
    try {
      for (const id of acknowledged) {
        const run = await http(`${server.url}/runs/${id}/policy/findings`, "GET", token);
        assert.is(run.status, 200, `acknowledged run ${id} is lost: ${run.text}`);
        assert.equal(run.body.findings.map((f: { code: string }) => f.code), ["x/one", "x/two", "x/three"]);
      }
      assert.is((await http(`${server.url}/ready`, "GET", undefined)).status, 200);
      assert.is((await http(`${server.url}/audit/verify`, "GET", ADMIN)).body.ok, true);
      // Writes go on after the restart.
      assert.is((await http(`${server.url}/projects/burst/runs`, "POST", token, { report })).status, 201);
    } finally {
      assert.is(await server.stop(), 0, server.stderr());
    }
    assert.match(server.stderr(), "gatehouse serve: stopped");
    assert.not.ok(existsSync(join(data, LOCK_FILE)), "a graceful stop releases the lock");
  });

  test.run();
}
