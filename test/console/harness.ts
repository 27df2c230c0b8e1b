// The console's browser harness, shared by test/console/console.test.ts and `npm run screenshots`:
// the service in process on 127.0.0.1 over the embedded store (a fresh in-memory PGlite), seeded
// through the API with projects, runs and findings, and Debian's chromium driven by
// playwright-core with a fresh profile. Every request the browser makes is intercepted: one to
// any other host than the service is aborted and recorded, and the tests fail on it.

import { mkdtempSync, rmSync } from "node:fs";
import { existsSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { chromium, type BrowserContext, type Page } from "playwright-core";
import { createTestService, TEST_ADMIN_TOKEN, type Service } from "../../src/service/app.js";
import { releasedBundle } from "../service/helpers.js";

export const CHROMIUM = process.env.GATEHOUSE_CHROMIUM ?? "/usr/bin/chromium";
export const VIEWPORT = { width: 1280, height: 800 };

/** Network-quiet: nothing the browser does on its own reaches out (updates, sync, QUIC probes). */
const CHROMIUM_ARGS = [
  "--headless",
  "--no-sandbox",
  "--disable-gpu",
  "--disable-quic",
  "--no-first-run",
  "--disable-background-networking",
  "--disable-component-update",
  "--disable-sync",
  "--disable-default-apps",
  "--disable-extensions",
  "--metrics-recording-only",
  "--no-default-browser-check",
];

export const XSS_MESSAGE = `<script>window.__pwned = 1</script><img src=x onerror="alert('pwned')"> contract broke`;

export interface Seeded {
  tokens: Record<"alpha" | "beta" | "gamma", string>;
  /** alpha's runs, oldest first */
  alphaRuns: string[];
  betaRun: string;
}

export interface Harness {
  service: Service;
  url: string;
  adminToken: string;
  seeded: Seeded;
  context: BrowserContext;
  page: Page;
  /** requests to anything but the service, aborted */
  external: string[];
  dialogs: string[];
  /** console errors and uncaught page errors, less the browser's own "Failed to load resource" lines for 4xx answers */
  pageErrors: string[];
  api(method: "GET" | "POST" | "PUT", path: string, token: string | null, body?: unknown): Promise<{ status: number; body: any }>;
  close(): Promise<void>;
}

/** A clock that advances seven minutes at each reading, from a fixed start: stable screenshots. */
function steppingClock(start = Date.parse("2025-03-03T09:00:00Z")): () => Date {
  let t = start;
  return () => new Date((t += 7 * 60_000));
}

async function call(url: string, method: string, path: string, token: string | null, body?: unknown): Promise<{ status: number; body: any }> {
  const response = await fetch(url + path, {
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
    parsed = text;
  }
  return { status: response.status, body: parsed };
}

function finding(code: string, severity: string, message: string, extra: Record<string, unknown> = {}): Record<string, unknown> {
  return { code, severity, message, source: code.startsWith("pack/") ? "pack" : "policy", ...extra };
}

function report(policy: { pack: string; version: string; effectiveHash: string; mode: string }, verdict: "allow" | "deny", findings: object[], inputs: string[]): object {
  return {
    reportVersion: "gate-report.v1",
    tool: { name: "gatehouse", version: "0.1.0" },
    verdict,
    bundle: releasedBundle(),
    policy,
    findings,
    inputs: inputs.map((path, i) => ({ path, kind: path.endsWith(".md") ? "document" : "contract-diff", sha256: String(i + 1).repeat(64).slice(0, 64), bytes: 200 + i, rulesEvaluated: 4 })),
    durations: { totalMs: 12, evaluateMs: 5 },
  };
}

async function expect(answer: Promise<{ status: number; body: any }>, status: number, what: string): Promise<any> {
  const got = await answer;
  if (got.status !== status) throw new Error(`${what}: expected ${status}, got ${got.status}: ${JSON.stringify(got.body)}`);
  return got.body;
}

/** Three projects: alpha (default pack, five runs), beta (enterprise-compliance, one denied run), gamma (team-standard, no runs). */
export async function seed(url: string, admin: string): Promise<Seeded> {
  const tokens = {} as Seeded["tokens"];
  for (const [id, name] of [
    ["alpha", "Alpha payments"],
    ["beta", "Beta records"],
    ["gamma", "Gamma docs"],
  ] as const) {
    tokens[id] = (await expect(call(url, "POST", "/projects", admin, { id, name }), 201, `create ${id}`)).token;
  }
  await expect(call(url, "PUT", "/projects/beta/policy", admin, { pack: { key: "enterprise-compliance" } }), 200, "beta policy");
  await expect(call(url, "PUT", "/projects/gamma/policy", admin, { pack: { key: "team-standard" } }), 200, "gamma policy");

  const alphaEffective = await expect(call(url, "GET", "/projects/alpha/policy/effective", tokens.alpha), 200, "alpha effective");
  const alphaPolicy = { pack: "default", version: "1.0", effectiveHash: alphaEffective.hash as string, mode: "block" };
  const waiver = { kind: "waiver", justification: "Migration window agreed with the payments team", owner: "team-payments", expires: "2025-06-30" };
  const alphaReports = [
    report(alphaPolicy, "deny", [
      finding("contracts/breaking-change", "error", "removed export `refund` from src/api.ts", { input: "src/api.ts", location: { file: "src/api.ts", line: 12, column: 3 }, suggestedFix: "keep `refund` exported or publish a major version" }),
      finding("contracts/breaking-change", "error", "parameter `amount` of `charge` changed type", { input: "src/api.ts", location: { file: "src/api.ts", line: 30 } }),
      finding("pack/required-file-missing", "error", "default@1.0 requires SECURITY.md, which does not exist", { input: "SECURITY.md", location: { file: "SECURITY.md" }, suggestedFix: "add SECURITY.md" }),
      finding("receipts/missing-receipt", "warning", "no change receipt for this change", {}),
    ], ["src/api.ts", "src/db.ts"]),
    report(alphaPolicy, "deny", [
      finding("contracts/breaking-change", "error", "removed export `refund` from src/api.ts", { input: "src/api.ts", location: { file: "src/api.ts", line: 12 } }),
      finding("schemas/missing-fixtures", "warning", "schema payment.v2 has no fixtures", { input: "src/db.ts" }),
    ], ["src/api.ts", "src/db.ts"]),
    report(alphaPolicy, "allow", [finding("docs/stale-readme", "info", "README mentions a removed flag", { input: "README.md" })], ["src/api.ts", "README.md"]),
    report(alphaPolicy, "allow", [], ["src/api.ts"]),
    report(alphaPolicy, "deny", [
      finding("contracts/breaking-change", "error", XSS_MESSAGE, { input: "src/api.ts", location: { file: "src/api.ts", line: 7, pointer: "/exports/0" }, suggestedFix: "restore <b>refund</b> & friends" }),
      finding("contracts/breaking-change", "block", "the public type `Invoice` was removed", { input: "src/api.ts", location: { file: "src/api.ts", line: 40 }, suppressed: waiver }),
      finding("pack/required-heading-missing", "error", 'docs/CHANGE.md has no "Rollback" heading (required by default@1.0 for docs/*.md)', { input: "docs/CHANGE.md", location: { file: "docs/CHANGE.md" }, suggestedFix: 'add a "## Rollback" section to docs/CHANGE.md' }),
      finding("schemas/missing-fixtures", "warning", "schema payment.v2 has no fixtures", { input: "src/db.ts" }),
    ], ["src/api.ts", "src/db.ts", "docs/CHANGE.md"]),
  ];
  const alphaRuns: string[] = [];
  for (const [i, body] of alphaReports.entries()) {
    const run = await expect(call(url, "POST", "/projects/alpha/runs", tokens.alpha, { report: body, commit: `${i + 1}`.repeat(40).slice(0, 40), ref: "refs/heads/main" }), 201, `alpha run ${i}`);
    alphaRuns.push(run.id);
  }

  const betaEffective = await expect(call(url, "GET", "/projects/beta/policy/effective", tokens.beta), 200, "beta effective");
  const betaPolicy = { pack: "enterprise-compliance", version: "1.0", effectiveHash: betaEffective.hash as string, mode: "block" };
  const questions = (betaEffective.policy.clarifications as { key: string; question: string; options: string[]; blocking: boolean }[]).filter((c) => c.blocking);
  const betaRun = await expect(
    call(url, "POST", "/projects/beta/runs", tokens.beta, {
      report: report(
        betaPolicy,
        "deny",
        questions.map((q) => finding("pack/clarification-unanswered", "block", `enterprise-compliance@1.0 asks "${q.question}" [${q.key}]: ${q.options.join(" | ")}`, { metadata: { key: q.key, options: q.options, blocking: true }, suggestedFix: `gatehouse clarify ${q.key} ${q.options[0]}` })),
        ["records/schema.json"],
      ),
      policy: betaEffective.policy,
    }),
    201,
    "beta run",
  );
  return { tokens, alphaRuns, betaRun: betaRun.id };
}

export interface Browser {
  context: BrowserContext;
  page: Page;
  /** requests to anything but `url`'s origin, aborted */
  external: string[];
  dialogs: string[];
  /** console errors and uncaught page errors, less the browser's own "Failed to load resource" lines for 4xx answers */
  pageErrors: string[];
  close(): Promise<void>;
}

/** Debian's chromium with a fresh profile, allowed to reach `url`'s origin over plain HTTP and nothing else. */
export async function launchBrowser(url: string): Promise<Browser> {
  if (!existsSync(CHROMIUM)) throw new Error(`${CHROMIUM} is missing: install Debian's chromium (apt-get install -y chromium; .ci/run does)`);
  const profile = mkdtempSync(join(tmpdir(), "gatehouse-chromium-"));
  let context: BrowserContext | undefined;
  try {
    context = await chromium.launchPersistentContext(profile, { executablePath: CHROMIUM, headless: true, args: CHROMIUM_ARGS, viewport: VIEWPORT, serviceWorkers: "block", acceptDownloads: false });
    const external: string[] = [];
    const dialogs: string[] = [];
    const pageErrors: string[] = [];
    const origin = new URL(url);
    await context.route("**/*", async (route) => {
      const target = new URL(route.request().url());
      if (target.hostname === origin.hostname && target.port === origin.port && target.protocol === "http:") return route.continue();
      external.push(route.request().url());
      return route.abort("blockedbyclient");
    });
    const page = context.pages()[0] ?? (await context.newPage());
    page.on("dialog", (dialog) => {
      dialogs.push(`${dialog.type()}: ${dialog.message()}`);
      void dialog.dismiss();
    });
    page.on("console", (message) => {
      if (message.type() === "error" && !message.text().startsWith("Failed to load resource")) pageErrors.push(message.text());
    });
    page.on("pageerror", (error) => pageErrors.push(error.message));
    const ctx = context;
    return {
      context: ctx,
      page,
      external,
      dialogs,
      pageErrors,
      close: async () => {
        await ctx.close();
        rmSync(profile, { recursive: true, force: true });
      },
    };
  } catch (error) {
    await context?.close().catch(() => {});
    rmSync(profile, { recursive: true, force: true });
    throw error;
  }
}

export async function startHarness(): Promise<Harness> {
  const service = await createTestService({ now: steppingClock() });
  let browser: Browser | undefined;
  try {
    const address = await service.app.listen({ port: 0, host: "127.0.0.1" });
    const url = new URL(address).origin;
    const seeded = await seed(url, TEST_ADMIN_TOKEN);
    browser = await launchBrowser(url);
    const opened = browser;
    return {
      service,
      url,
      adminToken: TEST_ADMIN_TOKEN,
      seeded,
      context: opened.context,
      page: opened.page,
      external: opened.external,
      dialogs: opened.dialogs,
      pageErrors: opened.pageErrors,
      api: (method, path, token, body) => call(url, method, path, token, body),
      close: async () => {
        await opened.close();
        await service.close();
      },
    };
  } catch (error) {
    await browser?.close().catch(() => {});
    await service.close().catch(() => {});
    throw error;
  }
}

/** Signs in through the form, as a person would. */
export async function signIn(h: { page: Page; url: string }, token: string): Promise<void> {
  const { page } = h;
  await page.goto(`${h.url}/console/#/login`);
  await page.locator("#token").fill(token);
  await page.getByRole("button", { name: "Sign in" }).click();
  await page.getByRole("heading", { level: 1, name: "Projects" }).waitFor();
}
