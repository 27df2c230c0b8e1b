// Shared by the service suites: requests in process (Fastify's inject), gate reports built to
// gate-report.v1, a policy bundle built from a few lines of Rego, and a server child process.

import { spawn, spawnSync, type ChildProcess } from "node:child_process";
import { mkdirSync, mkdtempSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { packagePath } from "../../src/core/paths.js";
import { PINNED_BUNDLE } from "../../src/policy/pinned-bundle.js";
import type { Service } from "../../src/service/app.js";

export const BIN = packagePath("bin", "gatehouse.js");

export interface Answer {
  status: number;
  body: any;
  text: string;
}

export type Call = (method: "GET" | "POST" | "PUT", url: string, options?: { token?: string | null; body?: unknown; raw?: string; contentType?: string }) => Promise<Answer>;

/** A caller for one service; the admin token unless `token` says otherwise (null: no header). */
export function caller(service: Service, adminToken: string): Call {
  return async (method, url, options = {}) => {
    const token = options.token === undefined ? adminToken : options.token;
    const headers: Record<string, string> = {};
    if (token !== null) headers.authorization = `Bearer ${token}`;
    let payload: string | undefined;
    if (options.raw !== undefined) payload = options.raw;
    else if (options.body !== undefined) payload = JSON.stringify(options.body);
    if (payload !== undefined) headers["content-type"] = options.contentType ?? "application/json";
    const response = await service.app.inject({ method, url, headers, ...(payload !== undefined ? { payload } : {}) });
    let body: unknown;
    try {
      body = JSON.parse(response.body);
    } catch {
      body = undefined;
    }
    return { status: response.statusCode, body, text: response.body };
  };
}

export interface PolicyRecord {
  pack: string;
  version: string;
  effectiveHash: string;
  mode?: string;
}

/** A gate-report.v1 document: one input per path, the findings given, the policy record given. */
/**
 * The bundle record of a run judged by the released bundle (the one the server trusts): what a
 * gate report of the shipped bundle records. The tests run the compiled program, which is pinned.
 */
export function releasedBundle(): { path: string; sha256: string; opaVersion: string; entrypoints: string[] } {
  if (!PINNED_BUNDLE) throw new Error("this build has no pinned bundle: run `npm run compile`");
  return { path: "node_modules/gatehouse-cli/bundle", sha256: PINNED_BUNDLE.wasmSha256, opaVersion: "1.22.0", entrypoints: [] };
}

export function gateReport(policy: PolicyRecord | undefined, options: { verdict?: "allow" | "deny" | "error"; findings?: object[]; inputs?: string[] } = {}): Record<string, unknown> {
  return {
    reportVersion: "gate-report.v1",
    tool: { name: "gatehouse", version: "0.1.0" },
    verdict: options.verdict ?? "allow",
    bundle: releasedBundle(),
    ...(policy ? { policy: { mode: "block", ...policy } } : {}),
    findings: options.findings ?? [],
    inputs: (options.inputs ?? ["src/a.ts"]).map((path, i) => ({ path, kind: "contract-diff", sha256: String(i).repeat(64).slice(0, 64), bytes: 10 + i, rulesEvaluated: 3 })),
    durations: { totalMs: 1, evaluateMs: 1 },
  };
}

export function finding(code: string, input?: string): Record<string, unknown> {
  return { code, severity: "warning", message: `${code} found`, source: "policy", ...(input ? { input } : {}) };
}

/** Builds a bundle from one Rego package `app` (deny when input.blocked is true) into dir/bundle. */
export function buildAppBundle(dir: string, message = "blocked"): string {
  mkdirSync(join(dir, "policy", "app"), { recursive: true });
  writeFileSync(
    join(dir, "policy", "app", "deny.rego"),
    `# METADATA\n# title: app\n# custom:\n#   code: app/blocked\npackage app\n\ndeny contains msg if {\n\tinput.blocked == true\n\tmsg := "${message}"\n}\n`,
  );
  const built = spawnSync(process.execPath, [BIN, "build", "--policy", "policy", "--out", "bundle"], { cwd: dir, encoding: "utf8" });
  if (built.status !== 0) throw new Error(`gatehouse build failed: ${built.stdout}${built.stderr}`);
  return join(dir, "bundle");
}

export function tempDir(prefix: string): string {
  return mkdtempSync(join(tmpdir(), `gatehouse-${prefix}-`));
}

export interface ServerProcess {
  child: ChildProcess;
  url: string;
  stderr: () => string;
  /** SIGTERM, resolves with the exit code */
  stop(): Promise<number | null>;
  kill(): Promise<void>;
}

/** `gatehouse serve --port 0` as a child process; resolves once it listens (at most `timeoutMs`). */
export function startServer(env: NodeJS.ProcessEnv, args: string[], timeoutMs = 90_000): Promise<ServerProcess> {
  const child = spawn(process.execPath, [BIN, "serve", "--port", "0", "--host", "127.0.0.1", "--log-level", "warn", ...args], { env: { ...process.env, ...env }, stdio: ["ignore", "ignore", "pipe"] });
  let err = "";
  const exited = new Promise<number | null>((resolve) => child.once("exit", (code) => resolve(code)));
  return new Promise((resolve, reject) => {
    const timer = setTimeout(() => {
      child.kill("SIGKILL");
      reject(new Error(`server did not start in ${timeoutMs} ms: ${err}`));
    }, timeoutMs);
    child.stderr!.setEncoding("utf8");
    child.stderr!.on("data", (chunk: string) => {
      err += chunk;
      const match = /listening on (http:\/\/127\.0\.0\.1:\d+)/.exec(err);
      if (match) {
        clearTimeout(timer);
        resolve({
          child,
          url: match[1]!,
          stderr: () => err,
          stop: async () => {
            child.kill("SIGTERM");
            return exited;
          },
          kill: async () => {
            child.kill("SIGKILL");
            await exited;
          },
        });
      }
    });
    child.once("exit", (code) => {
      clearTimeout(timer);
      reject(new Error(`server exited with ${code} before listening: ${err}`));
    });
  });
}

/** fetch against a server process, JSON in and out. */
export async function http(url: string, method: string, token: string | undefined, body?: unknown): Promise<Answer> {
  const response = await fetch(url, {
    method,
    headers: { ...(token ? { authorization: `Bearer ${token}` } : {}), ...(body !== undefined ? { "content-type": "application/json" } : {}) },
    ...(body !== undefined ? { body: JSON.stringify(body) } : {}),
    signal: AbortSignal.timeout(30_000),
  });
  const text = await response.text();
  let parsed: unknown;
  try {
    parsed = JSON.parse(text);
  } catch {
    parsed = undefined;
  }
  return { status: response.status, body: parsed, text };
}
