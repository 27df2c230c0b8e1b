// Issue 14, thirteenth adversarial pass, the policy service (`gatehouse serve`, `gate --server`).
//   - The decision logger lost every decision log once one result held what PostgreSQL cannot
//     store. A policy makes U+0000 from an input that holds none (`base64.decode("AA==")`,
//     `json.unmarshal` of a "\u0000" escape, a decoded token's claims): the batch was refused,
//     went back to the buffer with the logs after it, and was refused again at every flush, so
//     no decision of any caller was logged again (and `close()` lost them all). Such a result is
//     now logged as its canonical JSON text (the reason says why), and a batch the database
//     refuses while it answers is written log by log, a log refused on its own kept without its
//     result: one log never holds back the others.
//   - A run upload with an input's `bytes` past a bigint or `rulesEvaluated` past an integer
//     (the report's schema allows any integer) was a 500 from PostgreSQL; it is a 400 naming the
//     pointer, nothing stored.
//   - A run upload counted each step's findings with a filter over every finding: steps ×
//     findings, so one large upload (16 MiB allowed) blocked the server's event loop for minutes
//     (20,000 × 20,000: 17 s of the 26 s the upload took). Counted in one pass.
//   - A project that honours the repository's own .gatehouse/policy file had no check of the run's
//     effective policy at all (only its pack and version): a report of a plain `gatehouse gate`
//     whose gatehouse.config switched warn mode on or lowered rules (`pack.overrides`, trusted
//     locally), uploaded with the project's token, was stored as allowed where `gate --server`
//     denies. The run's policy (sent with the upload, hashed to the report's) must now be the
//     project's tightened, as the repo-local file may only tighten it.
//   - The console's run page counted and grouped each step's findings with a filter over every
//     finding (steps × findings, twice), and grouped a step's findings by code copying the list
//     for every finding, then ranked each group with Math.min over a spread of it, which throws
//     past ~125,000 arguments: a large run froze the tab for minutes or failed to show. One
//     pass each now.

import { execFileSync, spawn, spawnSync } from "node:child_process";
import { mkdirSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { packagePath } from "../../src/core/paths.js";
import { join } from "node:path";
import { test } from "uvu";
import * as assert from "uvu/assert";
import { createTestService, TEST_ADMIN_TOKEN } from "../../src/service/app.js";
import { DecisionService } from "../../src/service/data-api/service.js";
import { sqlDecisionStore } from "../../src/service/data-api/store-sql.js";
import type { DecisionStore } from "../../src/service/data-api/store.js";
import { RunService } from "../../src/service/runs/service.js";
import type { RunStore } from "../../src/service/runs/store.js";
import { ApiSchemas } from "../../src/service/validate.js";
import { BIN, caller, gateReport, tempDir } from "../service/helpers.js";
import { applyLayer, effectiveHash } from "../../src/packs/effective.js";
import type { EffectivePolicy, PolicyOverride } from "../../src/packs/types.js";
import type { AddressInfo } from "node:net";
import { repo } from "./harness.js";

/** A bundle whose `app` deny rule answers the base64 decoding of input.b. */
function decodingBundle(dir: string): string {
  mkdirSync(join(dir, "policy", "app"), { recursive: true });
  writeFileSync(
    join(dir, "policy", "app", "deny.rego"),
    "# METADATA\n# title: app\n# custom:\n#   code: app/decoded\npackage app\n\ndeny contains msg if {\n\tmsg := base64.decode(input.b)\n}\n",
  );
  const built = spawnSync(process.execPath, [BIN, "build", "--policy", "policy", "--out", "bundle"], { cwd: dir, encoding: "utf8" });
  if (built.status !== 0) throw new Error(`gatehouse build failed: ${built.stdout}${built.stderr}`);
  return join(dir, "bundle");
}

test("issue 14 (thirteenth pass): a decision whose result holds U+0000 (made by the policy from an input without it) is logged as its canonical JSON text, and the decisions before and after it are logged (none was, ever again)", async () => {
  const dir = tempDir("thirteenth-decision-logs");
  const service = await createTestService({ bundleDir: decodingBundle(dir) });
  try {
    const call = caller(service, TEST_ADMIN_TOKEN);
    const alpha = await call("POST", "/projects", { body: { id: "alpha", name: "Alpha" } });
    const decide = (b: string) => call("POST", "/v1/data/app/deny", { token: alpha.body.token, body: { input: { b } } });
    const before = await decide("aGk=");
    const poisoned = await decide("AA==");
    const after = await decide("aGk=");
    // The caller gets the result as the policy made it.
    assert.equal([poisoned.status, poisoned.body.result, poisoned.body.decision], [200, ["\u0000"], "deny"]);
    await service.services.decisions.flush();
    const log = async (id: string) => {
      const answer = await call("GET", `/decisions/${id}`);
      assert.is(answer.status, 200, answer.text);
      return answer.body as { result: unknown; reason: string | null; decision: string; caller: string };
    };
    for (const honest of [before, after]) {
      const entry = await log(honest.body.decision_id);
      assert.equal([entry.result, entry.reason, entry.decision, entry.caller], [["hi"], "1 deny result", "deny", "project:alpha"]);
    }
    const entry = await log(poisoned.body.decision_id);
    assert.equal(entry.result, '["\\u0000"]');
    assert.is(entry.reason, "1 deny result; the result is logged as its canonical JSON text, since its value at /0 contains U+0000, which the database cannot store");
    assert.is(service.services.decisions.dropped, 0);
  } finally {
    await service.close();
    rmSync(dir, { recursive: true, force: true });
  }
});

test("issue 14 (thirteenth pass): a decision log the database refuses for what it holds is written without its result (the reason names the refusal), the others of its batch as they are; a database that does not answer keeps the batch", async () => {
  const dir = tempDir("thirteenth-decision-batch");
  const service = await createTestService({ bundleDir: decodingBundle(dir) });
  const { db } = service.services;
  // A store that refuses a log holding the result "refused" (a refusal the checks above do not foresee).
  let down = false;
  const store: DecisionStore = {
    ...sqlDecisionStore,
    async appendLogs(q, logs) {
      if (down) throw new Error("connection refused");
      if (logs.some((l) => JSON.stringify(l.result) === '["refused"]')) throw new Error('value refused by the "decision_logs" table');
      await sqlDecisionStore.appendLogs(q, logs);
    },
  };
  const decisions = new DecisionService(db, store, { bundleDir: join(dir, "bundle"), watch: false, now: () => new Date() });
  try {
    await decisions.load();
    const admin = { kind: "admin", id: "admin" } as const;
    const ids: string[] = [];
    for (const b of ["b2s=", Buffer.from("refused").toString("base64"), "aGk="]) ids.push((await decisions.answer("app/deny", { b }, admin)).answer.decision_id);
    await decisions.flush();
    const logs = await Promise.all(ids.map((id) => decisions.getLog(id)));
    assert.equal(logs.map((l) => l?.result), [["ok"], null, ["hi"]]);
    assert.is(logs[1]!.reason, '1 deny result; the result was not stored: the database refused it (value refused by the "decision_logs" table)');
    assert.is(logs[1]!.decision, "deny");
    assert.is(decisions.dropped, 0);

    // The database down (it does not answer): nothing is dropped, the batch waits for the next flush.
    down = true;
    const query = db.query.bind(db);
    (db as { query: typeof db.query }).query = async () => {
      throw new Error("connection refused");
    };
    const waiting = (await decisions.answer("app/deny", { b: "aGk=" }, admin)).answer.decision_id;
    await decisions.flush();
    (db as { query: typeof db.query }).query = query;
    down = false;
    assert.is(await decisions.getLog(waiting), undefined);
    await decisions.flush();
    assert.equal((await decisions.getLog(waiting))?.result, ["hi"]);
    assert.is(decisions.dropped, 0);

    // The database answers but takes no write (full, read-only): the batch waits too.
    down = true;
    const readOnly = (await decisions.answer("app/deny", { b: "aGk=" }, admin)).answer.decision_id;
    await decisions.flush();
    down = false;
    assert.is(await decisions.getLog(readOnly), undefined);
    await decisions.flush();
    assert.equal((await decisions.getLog(readOnly))?.result, ["hi"]);
    assert.is(decisions.dropped, 0);
  } finally {
    await decisions.close();
    await service.close();
    rmSync(dir, { recursive: true, force: true });
  }
});

test("issue 14 (thirteenth pass): a run whose input's bytes or rulesEvaluated is past what a step stores is a 400 naming the pointer (was a 500 from PostgreSQL), nothing stored; the largest stored values come back exact", async () => {
  const service = await createTestService();
  try {
    const call = caller(service, TEST_ADMIN_TOKEN);
    const alpha = await call("POST", "/projects", { body: { id: "alpha", name: "Alpha" } });
    const effective = await call("GET", "/projects/alpha/policy/effective", { token: alpha.body.token });
    const report = (inputs: { bytes: number; rulesEvaluated: number }[]) => {
      const r = gateReport({ pack: effective.body.pack.key, version: effective.body.pack.version, effectiveHash: effective.body.hash }, { inputs: inputs.map((_, i) => `src/${i}.ts`) });
      (r.inputs as { bytes: number; rulesEvaluated: number }[]).forEach((input, i) => Object.assign(input, inputs[i]));
      return r;
    };
    const raw = (text: string) => call("POST", "/projects/alpha/runs", { token: alpha.body.token, raw: text });
    const tooBig = JSON.stringify({ report: report([{ bytes: 1, rulesEvaluated: 1 }, { bytes: 1, rulesEvaluated: 1 }]) })
      .replace('"bytes":1,"rulesEvaluated":1', '"bytes":10000000000000000000,"rulesEvaluated":1')
      .replace('"bytes":1,"rulesEvaluated":1}', '"bytes":1,"rulesEvaluated":2147483648}');
    const refused = await raw(tooBig);
    assert.is(refused.status, 400, refused.text);
    assert.is(refused.body.code, "invalid_parameter");
    assert.equal(refused.body.errors, [
      "/report/inputs/0/bytes is 10000000000000000000, over the 9007199254740991 a step stores",
      "/report/inputs/1/rulesEvaluated is 2147483648, over the 2147483647 a step stores",
    ]);
    assert.is(await service.services.runs.countRuns("alpha"), 0);

    const stored = await call("POST", "/projects/alpha/runs", { token: alpha.body.token, body: { report: report([{ bytes: Number.MAX_SAFE_INTEGER, rulesEvaluated: 2_147_483_647 }]) } });
    assert.is(stored.status, 201, stored.text);
    const run = await call("GET", `/runs/${stored.body.id}`, { token: alpha.body.token });
    assert.equal(run.body.steps.map((s: { bytes: number; rulesEvaluated: number }) => [s.bytes, s.rulesEvaluated]), [[Number.MAX_SAFE_INTEGER, 2_147_483_647]]);
  } finally {
    await service.close();
  }
});

test("issue 14 (thirteenth pass): a run upload's per-step finding counts take one pass (30,000 steps × 30,000 findings took ~40 s of a blocked event loop), and they are right", async () => {
  const service = await createTestService();
  try {
    const call = caller(service, TEST_ADMIN_TOKEN);
    await call("POST", "/projects", { body: { id: "alpha", name: "Alpha" } });
    const effective = await service.services.projects.effective("alpha");
    // The store left out, so only the service's own work is timed.
    const noStore: RunStore = {
      insertRun: async () => undefined,
      insertSteps: async () => undefined,
      appendFindings: async () => undefined,
      getRun: async () => undefined,
      steps: async () => [],
      getStep: async () => undefined,
      countRuns: async () => 0,
    };
    const runs = new RunService(service.services.db, noStore, service.services.projects, new ApiSchemas(), () => new Date());
    const count = 30_000;
    const paths = Array.from({ length: count }, (_, i) => `src/${i}.ts`);
    const report = gateReport({ pack: effective.pack.key, version: effective.pack.version, effectiveHash: effective.hash }, {
      inputs: paths,
      findings: paths.map((path, i) => ({ code: "x/y", severity: "info", message: "m", source: "policy", input: i % 2 === 0 ? path : paths[0] })),
    });
    const started = Date.now();
    const run = await runs.upload({ kind: "admin", id: "admin" }, "alpha", { report: report as never });
    const elapsed = Date.now() - started;
    assert.ok(elapsed < 10_000, `the upload took ${elapsed} ms`);
    const byPath = new Map(run.steps.map((s) => [s.path, s.findings]));
    assert.is(byPath.get("src/0.ts"), 1 + count / 2);
    assert.is(byPath.get("src/2.ts"), 1);
    assert.is(byPath.get("src/1.ts"), 0);
    assert.is(run.findings, count);
  } finally {
    await service.close();
  }
});

test("issue 14 (thirteenth pass): a project that honours the repo-local file stores as allowed only a run whose effective policy is the project's tightened: warn mode, a lowered or disabled rule, a dropped requirement or lock, or no policy sent is denied naming why", async () => {
  const service = await createTestService();
  try {
    const call = caller(service, TEST_ADMIN_TOKEN);
    const alpha = await call("POST", "/projects", { body: { id: "alpha", name: "Alpha" } });
    const overrides = { rules: { "security/secret-in-change": { severity: "block" }, "x/off": { enabled: false } }, requirements: { files: ["SECURITY.md"] } };
    assert.is((await call("PUT", "/projects/alpha/policy", { body: { pack: { key: "team-standard" }, overrides, repoLocal: true } })).status, 200);
    const project = (await service.services.projects.effective("alpha")).policy;
    const upload = async (policy: EffectivePolicy | undefined, hash = policy ? effectiveHash(policy) : "c".repeat(64)) => {
      const report = gateReport({ pack: "team-standard", version: "1.0", effectiveHash: hash });
      const run = await call("POST", "/projects/alpha/runs", { token: alpha.body.token, body: { report, ...(policy ? { policy } : {}) } });
      assert.is(run.status, 201, run.text);
      return { decision: run.body.decision as string, reasons: run.body.reasons as string[] };
    };
    const edited = (edit: (policy: EffectivePolicy) => void) => {
      const policy = structuredClone(project);
      edit(policy);
      return policy;
    };
    const tightened = (layer: PolicyOverride) => {
      const laid = applyLayer(project, layer, "repo-local");
      assert.equal(laid.violations, []);
      return laid.policy;
    };
    // What the repository's own file may do: allowed.
    assert.equal(await upload(project), { decision: "allow", reasons: [] });
    assert.equal(await upload(tightened({ rules: { "contracts/breaking-undeclared": { severity: "block" }, "x/off": { enabled: true } }, requirements: { files: ["CODEOWNERS"] }, constraints: { require_ci_green: true } })), { decision: "allow", reasons: [] });
    // What a local config's overrides did, uploaded with the token: denied.
    assert.equal(await upload(edited((p) => (p.enforcement.mode = "warn"))), { decision: "deny", reasons: ["the run's effective policy loosens the project's at enforcement.mode (block → warn): the repository's own file may only tighten it"] });
    assert.equal(await upload(edited((p) => (p.rules["security/secret-in-change"] = { severity: "warning" }))), {
      decision: "deny",
      reasons: ["the run's effective policy loosens the project's at rules.security/secret-in-change (rule security/secret-in-change is locked by team-standard@1.0 and cannot be loosened (block → warning)): the repository's own file may only tighten it"],
    });
    assert.equal(await upload(edited((p) => (p.rules["contracts/untested-change"] = { enabled: false }))), { decision: "deny", reasons: ["the run's effective policy loosens the project's at rules.contracts/untested-change (disabling): the repository's own file may only tighten it"] });
    assert.equal(await upload(edited((p) => (p.constraints.require_code_review = false))), { decision: "deny", reasons: ["the run's effective policy loosens the project's at constraints.require_code_review (on → off): the repository's own file may only tighten it"] });
    const unchangeable = ["the run's effective policy is not the project's tightened by an override: it leaves out or changes what no override can (a lock, a requirement, the pack's defaults or questions, a rule the project sets)"];
    assert.equal(await upload(edited((p) => (p.requirements.files = p.requirements.files.filter((f) => f !== "SECURITY.md")))), { decision: "deny", reasons: unchangeable });
    assert.equal(await upload(edited((p) => delete p.defaults.waiver_max_days)), { decision: "deny", reasons: unchangeable });
    assert.equal(await upload(edited((p) => (p.clarifications = []))), { decision: "deny", reasons: unchangeable });
    const malformed = await upload(edited((p) => ((p as { rules: unknown }).rules = { "Not A Code": {} })));
    assert.is(malformed.decision, "deny");
    assert.is(malformed.reasons.length, 1);
    assert.match(malformed.reasons[0]!, /^the run's effective policy is not one gatehouse merges: \/rules must match pattern .* \(schema policy-override\.v1\)/);
    // Another hash and no policy sent: nothing shows what judged the run.
    assert.equal(await upload(undefined), {
      decision: "deny",
      reasons: ["the project honours the repository's own .gatehouse/policy file and the run's effective policy differs from the project's, but the upload does not carry it (`policy`, which `gate --server` sends), so nothing shows that it only tightens the project's"],
    });
    // The project's own hash needs no policy sent (as before).
    assert.equal(await upload(undefined, effectiveHash(project)), { decision: "allow", reasons: [] });
  } finally {
    await service.close();
  }
});

/** `gatehouse gate` in `root` as a child process, with `--server` when `server` is given. */
function gateRun(root: string, server?: string, token?: string): Promise<{ status: number | null; stdout: string; stderr: string }> {
  return new Promise((resolve) => {
    const env: NodeJS.ProcessEnv = { ...process.env, ...(token ? { GATEHOUSE_TOKEN: token } : {}) };
    for (const name of Object.keys(env)) if (name.startsWith("GITHUB_") || name === "GATEHOUSE_SECURITY_BASE") delete env[name];
    const args = [BIN, "gate", "--root", root, "--format", "json", ...(server ? ["--server", server, "--project", "alpha"] : [])];
    const child = spawn(process.execPath, args, { env, stdio: ["ignore", "pipe", "pipe"], timeout: 90_000 });
    let stdout = "";
    let stderr = "";
    child.stdout!.setEncoding("utf8").on("data", (chunk: string) => (stdout += chunk));
    child.stderr!.setEncoding("utf8").on("data", (chunk: string) => (stderr += chunk));
    child.once("close", (status) => resolve({ status, stdout, stderr }));
  });
}

test("issue 14 (thirteenth pass): end to end, a repo-local file that tightens is allowed through `gate --server`; a plain `gate` whose config switches warn mode on over a secret, its report uploaded with the token, is stored as denied (it was allowed)", async () => {
  const root = repo("thirteenth-repo-local");
  const service = await createTestService();
  try {
    const git = (...args: string[]) => execFileSync("git", ["-c", "user.email=dev@example.com", "-c", "user.name=dev", "-c", "commit.gpgsign=false", ...args], { cwd: root, stdio: "pipe" });
    writeFileSync(join(root, "gatehouse.config.yaml"), "version: 1\ncollectors:\n  security: {}\n");
    writeFileSync(join(root, "worker.log"), "worker started\n");
    git("init", "-q");
    git("add", "-A");
    git("commit", "-qm", "base");
    const call = caller(service, TEST_ADMIN_TOKEN);
    const alpha = await call("POST", "/projects", { body: { id: "alpha", name: "Alpha" } });
    assert.is((await call("PUT", "/projects/alpha/policy", { body: { pack: { key: "default" }, overrides: { rules: { "security/secret-in-change": { severity: "block" } } }, repoLocal: true } })).status, 200);
    await service.app.listen({ port: 0, host: "127.0.0.1" });
    const url = `http://127.0.0.1:${(service.app.server.address() as AddressInfo).port}`;

    mkdirSync(join(root, ".gatehouse"));
    writeFileSync(join(root, ".gatehouse", "policy.yaml"), "version: 1\nrules:\n  security/change-unscanned: { severity: block }\n");
    const honest = await gateRun(root, url, alpha.body.token);
    assert.is(honest.status, 0, honest.stderr + honest.stdout);
    assert.match(honest.stderr, /server decision: allow\)/);

    // A secret on a changed line, judged by a local config in warn mode, the report uploaded by hand.
    writeFileSync(join(root, "worker.log"), readFileSync(packagePath("examples", "security", "secrets", "deny", "logs", "worker.log")));
    writeFileSync(join(root, "gatehouse.config.yaml"), "version: 1\npack:\n  use: default@1.0\n  overrides:\n    rules:\n      security/secret-in-change: { severity: block }\n    enforcement: { mode: warn }\ncollectors:\n  security: {}\n");
    const local = await gateRun(root);
    assert.is(local.status, 0, local.stderr + local.stdout);
    const report = JSON.parse(local.stdout) as { verdict: string; findings: { code: string; severity: string }[] };
    assert.is(report.verdict, "allow");
    assert.ok(report.findings.some((f) => f.code === "security/secret-in-change" && f.severity === "warning"), local.stdout);
    const byHand = await call("POST", "/projects/alpha/runs", { token: alpha.body.token, body: { report } });
    assert.is(byHand.status, 201, byHand.text);
    assert.is(byHand.body.decision, "deny");
    assert.match(byHand.body.reasons.join("\n"), "the upload does not carry it");
  } finally {
    await service.close();
    rmSync(root, { recursive: true, force: true });
  }
});

/** Just enough DOM for the console's builders (dom.ts) to run in Node: elements, text nodes, attributes. */
class ShimNode {
  readonly children: ShimNode[] = [];
  readonly attributes = new Map<string, string>();
  constructor(readonly text = "") {}
  appendChild(child: ShimNode): ShimNode {
    this.children.push(child);
    return child;
  }
  replaceChildren(): void {
    this.children.length = 0;
  }
  setAttribute(name: string, value: string): void {
    this.attributes.set(name, value);
  }
  addEventListener(): void {}
  get textContent(): string {
    const parts: string[] = [];
    const pending: ShimNode[] = [this];
    while (pending.length > 0) {
      const node = pending.pop()!;
      parts.push(node.text);
      for (let i = node.children.length - 1; i >= 0; i--) pending.push(node.children[i]!);
    }
    return parts.join("");
  }
}

test("issue 14 (thirteenth pass): the console groups a large run's findings by step and by code in one pass each (20,000 steps × 20,000 findings froze the tab; 150,000 findings of one code threw in Math.min's spread)", async () => {
  const globals = globalThis as unknown as Record<string, unknown>;
  const saved = { Node: globals.Node, document: globals.document };
  globals.Node = ShimNode;
  globals.document = { createElement: () => new ShimNode(), createElementNS: () => new ShimNode(), createTextNode: (text: string) => new ShimNode(text) };
  try {
    const { byCode, byStep, findingsByStep } = await import("../../console/src/findings.js");
    const count = 20_000;
    const steps = Array.from({ length: count }, (_, i) => ({ id: `step-${i}`, runId: "run", projectId: "alpha", position: i, path: `src/${i}.ts`, kind: null, sha256: null, bytes: null, rulesEvaluated: null }));
    const stored = (seq: number, stepId: string, code: string) => ({ seq, runId: "run", stepId, code, severity: "error" as const, createdAt: "2026-12-04T00:00:00Z", finding: { code, severity: "error" as const, message: "m", source: "policy" as const } });
    const findings = Array.from({ length: count }, (_, i) => stored(i + 1, i % 2 === 0 ? `step-${i}` : "step-0", i % 3 === 0 ? "x/a" : "x/b"));
    const started = Date.now();
    const grouped = findingsByStep(findings);
    byStep(steps as never, findings as never);
    const elapsed = Date.now() - started;
    assert.ok(elapsed < 5_000, `grouping took ${elapsed} ms`);
    assert.is(grouped.get("step-0")!.length, 1 + count / 2);
    assert.is(grouped.get("step-2")!.length, 1);
    assert.is(grouped.get("step-1"), undefined);

    const many = 150_000;
    const oneCode = Array.from({ length: many }, (_, i) => stored(i + 1, "step-0", "x/same"));
    oneCode.push({ ...stored(many + 1, "step-0", "x/worse"), severity: "error", finding: { ...stored(0, "step-0", "x/worse").finding, severity: "block" as never } });
    const rendered = byCode(oneCode as never, "h3") as unknown as ShimNode;
    const text = rendered.textContent;
    // The worst severity first, then the big group with its count.
    assert.ok(text.indexOf("x/worse · 1 finding") >= 0 && text.indexOf("x/worse") < text.indexOf("x/same"), text.slice(0, 200));
    assert.ok(text.includes(`x/same · ${many} findings`), text.slice(0, 200));
  } finally {
    globals.Node = saved.Node;
    globals.document = saved.document;
  }
});

test.run();
