// `npm run bench` (service part): the policy service's Data API side by side with `opa run
// --server` (the pinned opa) on the same 20-rule policy and the same ~2 KB input, then the run
// upload. autocannon drives each with 64 connections over loopback for a fixed time, and the
// throughput and p50/p99 latency are printed. After the upload run the stored runs are counted:
// every acknowledged upload must be there (0 lost writes). Bounded: each phase runs DURATION_S.
//
// gatehouse serves from one Node thread and evaluates decisions in worker threads; OPA from every core. Both share the machine with
// autocannon, so the figures are relative, for this machine.

import { spawn, spawnSync, type ChildProcess } from "node:child_process";
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { createServer } from "node:net";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { fileURLToPath } from "node:url";
import autocannon from "autocannon";
import { findTool } from "../src/toolchain/native.js";
import { deployment, POLICY } from "./bench-inputs.js";

const root = join(fileURLToPath(import.meta.url), "..", "..", "..");
const BIN = join(root, "bin", "gatehouse.js");
const CONNECTIONS = 64;
const DURATION_S = Number(process.env.BENCH_SERVICE_SECONDS ?? 10);
const ADMIN = "bench-admin-token-0123456789abcdef";

async function freePort(): Promise<number> {
  return new Promise((resolve) => {
    const server = createServer().listen(0, "127.0.0.1", () => {
      const { port } = server.address() as { port: number };
      server.close(() => resolve(port));
    });
  });
}

async function waitFor(url: string, child: ChildProcess, timeoutMs = 120_000): Promise<void> {
  const end = Date.now() + timeoutMs;
  while (Date.now() < end) {
    if (child.exitCode !== null) throw new Error(`${url}: the server exited with ${child.exitCode}`);
    try {
      if ((await fetch(url)).ok) return;
    } catch {
      // not yet listening
    }
    await new Promise((r) => setTimeout(r, 200));
  }
  throw new Error(`${url} did not come up in ${timeoutMs} ms`);
}

interface Figures {
  label: string;
  requestsPerSecond: number;
  p50: number;
  p99: number;
  requests: number;
  errors: number;
  non2xx: number;
}

async function load(label: string, url: string, body: string, headers: Record<string, string> = {}): Promise<Figures> {
  const result = await autocannon({
    url,
    method: "POST",
    connections: CONNECTIONS,
    duration: DURATION_S,
    headers: { "content-type": "application/json", ...headers },
    body,
  });
  return {
    label,
    requestsPerSecond: result.requests.average,
    p50: result.latency.p50,
    p99: result.latency.p99,
    requests: result.requests.total,
    errors: result.errors + result.timeouts,
    non2xx: result.non2xx,
  };
}

function row(f: Figures): string {
  return `| ${f.label} | ${Math.round(f.requestsPerSecond).toLocaleString("en")} | ${f.p50} ms | ${f.p99} ms | ${f.requests.toLocaleString("en")} | ${f.errors} | ${f.non2xx} |`;
}

const work = mkdtempSync(join(tmpdir(), "gatehouse-bench-service-"));
const children: ChildProcess[] = [];
try {
  mkdirSync(join(work, "policy"), { recursive: true });
  writeFileSync(join(work, "policy", "main.rego"), POLICY);
  const built = spawnSync(process.execPath, [BIN, "build", "--policy", "policy", "--out", "bundle"], { cwd: work, encoding: "utf8" });
  if (built.status !== 0) throw new Error(`gatehouse build: ${built.stdout}${built.stderr}`);
  const input = JSON.stringify({ input: deployment(7) });

  const opaPort = await freePort();
  const opa = spawn(findTool("opa"), ["run", "--server", "--addr", `127.0.0.1:${opaPort}`, "--log-level", "error", join(work, "policy")], { stdio: "ignore" });
  children.push(opa);
  const gatePort = await freePort();
  const gate = spawn(process.execPath, [BIN, "serve", "--port", String(gatePort), "--data", join(work, "data"), "--bundle", join(work, "bundle"), "--log-level", "warn"], {
    // The embedded database by default; BENCH_DATABASE_URL runs the service on that PostgreSQL instead.
    env: { ...process.env, GATEHOUSE_ADMIN_TOKEN: ADMIN, DATABASE_URL: process.env.BENCH_DATABASE_URL ?? "" },
    stdio: "ignore",
  });
  children.push(gate);
  await waitFor(`http://127.0.0.1:${opaPort}/health`, opa);
  await waitFor(`http://127.0.0.1:${gatePort}/ready`, gate);

  // Both answer the same result for the input before anything is timed.
  const auth = { authorization: `Bearer ${ADMIN}` };
  const post = async (url: string, headers: Record<string, string> = {}) =>
    (await fetch(url, { method: "POST", headers: { "content-type": "application/json", ...headers }, body: input })).json() as Promise<{ result?: unknown }>;
  const fromOpa = await post(`http://127.0.0.1:${opaPort}/v1/data/main/deny`);
  const fromGate = await post(`http://127.0.0.1:${gatePort}/v1/data/main/deny`, auth);
  const sorted = (v: unknown) => JSON.stringify(Array.isArray(v) ? [...v].sort() : v);
  if (sorted(fromOpa.result) !== sorted(fromGate.result)) throw new Error(`results differ: opa ${sorted(fromOpa.result)}, gatehouse ${sorted(fromGate.result)}`);

  // Warm-up (JIT, connection setup), not counted.
  await autocannon({ url: `http://127.0.0.1:${gatePort}/v1/data/main/deny`, method: "POST", connections: CONNECTIONS, duration: 2, headers: { "content-type": "application/json", ...auth }, body: input });
  await autocannon({ url: `http://127.0.0.1:${opaPort}/v1/data/main/deny`, method: "POST", connections: CONNECTIONS, duration: 2, headers: { "content-type": "application/json" }, body: input });

  const results: Figures[] = [];
  results.push(await load("gatehouse serve, POST /v1/data/main/deny", `http://127.0.0.1:${gatePort}/v1/data/main/deny`, input, auth));
  results.push(await load("opa run --server, POST /v1/data/main/deny", `http://127.0.0.1:${opaPort}/v1/data/main/deny`, input));

  // Run uploads: one project, a 20-finding report per request; then every acknowledged one is counted.
  const created = (await (await fetch(`http://127.0.0.1:${gatePort}/projects`, { method: "POST", headers: { "content-type": "application/json", ...auth }, body: JSON.stringify({ id: "bench", name: "Bench" }) })).json()) as { token: string };
  const effective = (await (await fetch(`http://127.0.0.1:${gatePort}/projects/bench/policy/effective`, { headers: { authorization: `Bearer ${created.token}` } })).json()) as { hash: string };
  const report = {
    reportVersion: "gate-report.v1",
    tool: { name: "gatehouse", version: "bench" },
    verdict: "deny",
    policy: { pack: "default", version: "1.0", effectiveHash: effective.hash, mode: "block" },
    findings: Array.from({ length: 20 }, (_, i) => ({ code: `bench/rule-${i}`, severity: "error", message: `finding ${i}`, source: "policy", input: `deploy/app-${i % 4}.yaml` })),
    inputs: Array.from({ length: 4 }, (_, i) => ({ path: `deploy/app-${i}.yaml`, kind: "files", sha256: "ab".repeat(32), bytes: 2048, rulesEvaluated: 20 })),
    durations: { totalMs: 10, evaluateMs: 5 },
  };
  const upload = await load("gatehouse serve, POST /projects/{id}/runs (20 findings)", `http://127.0.0.1:${gatePort}/projects/bench/runs`, JSON.stringify({ report }), { authorization: `Bearer ${created.token}` });
  results.push(upload);
  // Acknowledged = 2xx answers; each wrote 20 finding events.
  const acknowledged = upload.requests - upload.non2xx - upload.errors;
  const countUrl = `http://127.0.0.1:${gatePort}/projects/bench/policy/findings?limit=1000`;
  let findings = 0;
  for (let after = 0; ; ) {
    const page = (await (await fetch(`${countUrl}&after=${after}`, { headers: { authorization: `Bearer ${created.token}` } })).json()) as { findings: { seq: number }[]; next: number | null };
    findings += page.findings.length;
    if (page.next === null) break;
    after = page.next;
  }
  const storedRuns = findings / 20;

  const store = process.env.BENCH_DATABASE_URL ? "PostgreSQL" : "embedded PGlite";
  console.log(`\n## Policy service (${store}; ${CONNECTIONS} connections, ${DURATION_S} s each, loopback)\n`);
  console.log("| target | req/s | p50 | p99 | requests | errors | non-2xx |");
  console.log("|---|---:|---:|---:|---:|---:|---:|");
  for (const r of results) console.log(row(r));
  const [g, o] = results as [Figures, Figures];
  console.log(`\nDecision API: gatehouse/opa throughput ${(g.requestsPerSecond / o.requestsPerSecond).toFixed(2)}x, p99 ${g.p99} vs ${o.p99} ms`);
  // autocannon stops counting with up to one request per connection still in flight; the server
  // finishes and stores those too, so stored may exceed acknowledged by at most CONNECTIONS.
  const lost = Math.max(0, acknowledged - storedRuns);
  console.log(`Uploads: ${acknowledged} acknowledged, ${storedRuns} stored, ${lost} lost (at most ${CONNECTIONS} in flight when the load stopped)`);
  if (lost > 0 || storedRuns > acknowledged + CONNECTIONS) process.exitCode = 1;
} finally {
  for (const child of children) child.kill("SIGTERM");
  await new Promise((r) => setTimeout(r, 500));
  rmSync(work, { recursive: true, force: true });
}
