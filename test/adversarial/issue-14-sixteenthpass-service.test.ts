// Issue 14, sixteenth adversarial pass, the policy service (`gatehouse serve`).
//   - The Data API (`POST /v1/data/{path}`) evaluated on the server's event loop with no
//     deadline: one decision whose policy or input makes evaluation slow (here two nested
//     `numbers.range` loops over input.n, minutes for n = 2000) stalled every other request,
//     health probes included, and nothing stopped it; a few such requests from any token held the
//     service down. Decisions are now evaluated in worker threads, each with a deadline
//     (`serve --decision-timeout`, default 5000 ms, waiting for a worker counted): past it the
//     worker is terminated and the decision denies (500, the reason naming the deadline), while
//     the server answers its other requests meanwhile. The synchronous DecisionService.decide
//     (no deadline possible) is deprecated for the asynchronous answer() and denies unevaluated.
//   - The evaluation workers themselves: a worker that dies mid-decision answers that decision
//     with the error (a deny) and is replaced; a worker that cannot start (no thread, no memory)
//     is tried again at the next decision instead of leaving the service without workers for
//     good, and a decision no worker can take answers the start error at once, not at its
//     deadline; a Worker constructor that throws is not an uncaught exception. A server left
//     with no worker (the last died, none starts) answered /ready 200 while it denied every
//     decision: readiness now names the problem (503).
//   - The decision logs kept while the database refuses writes were bounded by count only
//     (50,000): a policy whose result echoes its input (1 MiB bodies) held up to 50 GB, and the
//     server ran out of memory. They are bounded in bytes too (64 MiB, as OPA's logger bounds
//     its buffer), the oldest dropped and counted; the newest are written when it answers.

import { spawnSync } from "node:child_process";
import { mkdirSync, rmSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { test } from "uvu";
import * as assert from "uvu/assert";
import { pathToFileURL } from "node:url";
import { createTestService, TEST_ADMIN_TOKEN } from "../../src/service/app.js";
import { DecisionEvaluator } from "../../src/service/data-api/evaluator.js";
import { DecisionService } from "../../src/service/data-api/service.js";
import { sqlDecisionStore } from "../../src/service/data-api/store-sql.js";
import { BIN, caller, http, startServer, tempDir } from "../service/helpers.js";
import { packagePath } from "../../src/core/paths.js";

/** deny "blocked" when input.blocked is true; "slow" after input.n² steps that find nothing. */
function slowBundle(dir: string): string {
  mkdirSync(join(dir, "policy", "app"), { recursive: true });
  writeFileSync(
    join(dir, "policy", "app", "deny.rego"),
    "# METADATA\n# title: app\n# custom:\n#   code: app/slow\npackage app\n\n" +
      'deny contains "blocked" if input.blocked == true\n\n' +
      'deny contains "slow" if {\n\tsome i in numbers.range(1, input.n)\n\tsome j in numbers.range(1, input.n)\n\ti * j == -1\n}\n',
  );
  const built = spawnSync(process.execPath, [BIN, "build", "--policy", "policy", "--out", "bundle"], { cwd: dir, encoding: "utf8" });
  if (built.status !== 0) throw new Error(`gatehouse build failed: ${built.stdout}${built.stderr}`);
  return join(dir, "bundle");
}

/**
 * The slow rule's n: n² iterations, past any deadline here (1000 took 8 s on a loaded machine but
 * finished inside the deadline on an idle one: CI's); the worker is stopped at the deadline anyway.
 */
const SLOW_N = 20_000;
const DEADLINE_MS = 3000;
const TIMED_OUT = `evaluation timed out: the evaluation did not finish within the ${DEADLINE_MS} ms decision deadline`;

test("issue 14 (sixteenth pass): a slow decision is stopped at its deadline and denies (500); health and other decisions are answered while it runs, and decisions work after it", async () => {
  const dir = tempDir("sixteenth-slow-decision");
  const service = await createTestService({ bundleDir: slowBundle(dir), decisionTimeoutMs: DEADLINE_MS });
  try {
    const call = caller(service, TEST_ADMIN_TOKEN);
    const started = Date.now();
    let slowDone = false;
    const slow = call("POST", "/v1/data/app/deny", { body: { input: { n: SLOW_N } } }).finally(() => {
      slowDone = true;
    });
    const health = await call("GET", "/health", { token: null });
    assert.is(health.status, 200, health.text);
    const other = await call("POST", "/v1/data/app/deny", { body: { input: { blocked: true, n: 1 } } });
    assert.equal([other.status, other.body.decision, other.body.result], [200, "deny", ["blocked"]]);
    assert.not.ok(slowDone, "health and the other decision were answered only after the slow one");

    const answer = await slow;
    assert.is(answer.status, 500, answer.text);
    assert.is(answer.body.decision, "deny");
    assert.is(answer.body.reason, TIMED_OUT);
    assert.is(answer.body.result, undefined);
    assert.ok(Date.now() - started < 10_000, `the slow decision took ${Date.now() - started} ms`);

    // The logged decision says the same; the next decisions are evaluated by a fresh worker.
    await service.services.decisions.flush();
    const log = await call("GET", `/decisions/${answer.body.decision_id}`);
    assert.equal([log.body.decision, log.body.reason, log.body.result], ["deny", TIMED_OUT, null]);
    const allow = await call("POST", "/v1/data/app/deny", { body: { input: { blocked: false, n: 1 } } });
    assert.equal([allow.status, allow.body.decision, allow.body.result], [200, "allow", []]);
    const deny = await call("POST", "/v1/data/app/deny", { body: { input: { blocked: true, n: 1 } } });
    assert.equal([deny.status, deny.body.decision], [200, "deny"]);
  } finally {
    await service.close();
    rmSync(dir, { recursive: true, force: true });
  }
});

test("issue 14 (sixteenth pass): more slow decisions than workers: each denies at its deadline (waiting counted), none allows, and the service still answers", async () => {
  const dir = tempDir("sixteenth-slow-many");
  const service = await createTestService({ bundleDir: slowBundle(dir), decisionTimeoutMs: DEADLINE_MS });
  try {
    const call = caller(service, TEST_ADMIN_TOKEN);
    const started = Date.now();
    const answers = await Promise.all(Array.from({ length: 6 }, () => call("POST", "/v1/data/app/deny", { body: { input: { n: SLOW_N } } })));
    assert.equal(
      answers.map((a) => [a.status, a.body.decision, a.body.reason]),
      answers.map(() => [500, "deny", TIMED_OUT]),
    );
    assert.ok(Date.now() - started < 15_000, `six slow decisions took ${Date.now() - started} ms`);
    const allow = await call("POST", "/v1/data/app/deny", { body: { input: { blocked: false, n: 1 } } });
    assert.equal([allow.status, allow.body.decision], [200, "allow"]);
  } finally {
    await service.close();
    rmSync(dir, { recursive: true, force: true });
  }
});

test("issue 14 (sixteenth pass): the synchronous DecisionService.decide (deprecated for answer()) evaluates nothing on the calling thread: it denies (500), logged", async () => {
  const dir = tempDir("sixteenth-sync-decide");
  const service = await createTestService({ bundleDir: slowBundle(dir), decisionTimeoutMs: DEADLINE_MS });
  try {
    const { decisions } = service.services;
    const started = Date.now();
    const { status, answer } = decisions.decide("app/deny", { n: SLOW_N }, { kind: "admin", id: "admin" });
    assert.ok(Date.now() - started < 1000, `decide() took ${Date.now() - started} ms`);
    assert.equal([status, answer.decision, answer.result], [500, "deny", undefined]);
    assert.match(answer.reason!, "a synchronous decision is not evaluated");
    await decisions.flush();
    assert.equal((await decisions.getLog(answer.decision_id))?.decision, "deny");
    const allowed = await decisions.answer("app/deny", { blocked: false, n: 1 }, { kind: "admin", id: "admin" });
    assert.equal([allowed.status, allowed.answer.decision], [200, "allow"]);
  } finally {
    await service.close();
    rmSync(dir, { recursive: true, force: true });
  }
});

/** A stand-in evaluation worker (the protocol of decision-worker.ts) written to dir. */
function standInWorker(dir: string, name: string, body: string): URL {
  const file = join(dir, name);
  writeFileSync(file, `import { parentPort, workerData } from "node:worker_threads";\n${body}\n`);
  return pathToFileURL(file);
}

/** The message start() rejects with ("" when it resolves). */
const startError = (evaluator: DecisionEvaluator): Promise<string> =>
  evaluator.start().then(
    () => "",
    (error: Error) => error.message,
  );

const EMPTY_MODULE = () => WebAssembly.compile(new Uint8Array([0, 97, 115, 109, 1, 0, 0, 0]));

test("issue 14 (sixteenth pass): a worker that dies mid-decision answers it with the error at once (a deny, not the deadline) and is replaced", async () => {
  const dir = tempDir("sixteenth-worker-crash");
  const workerUrl = standInWorker(
    dir,
    "crashing.mjs",
    'parentPort.on("message", (q) => { if (q.input.includes("crash")) process.exit(3); parentPort.postMessage({ id: q.id, defined: true, value: q.input }); });\nparentPort.postMessage({ ready: true });',
  );
  const evaluator = new DecisionEvaluator({ module: await EMPTY_MODULE(), builtins: [] }, { timeoutMs: 20_000, maxWorkers: 1, workerUrl });
  try {
    await evaluator.start();
    const started = Date.now();
    const crashed = await evaluator.evaluate('"crash"', "app/deny");
    assert.equal(crashed, { ok: false, timedOut: false, message: "the evaluating worker stopped: the worker exited with code 3" });
    assert.ok(Date.now() - started < 10_000, `the crash was answered after ${Date.now() - started} ms`);
    assert.equal(await evaluator.evaluate('"fine"', "app/deny"), { ok: true, defined: true, value: '"fine"' });
  } finally {
    await evaluator.close();
    rmSync(dir, { recursive: true, force: true });
  }
});

test("issue 14 (sixteenth pass): a worker that cannot start is tried again at the next decision, which answers the start error at once (not at its deadline); a start that passes serves again", async () => {
  const dir = tempDir("sixteenth-worker-start");
  const flag = join(dir, "fail");
  writeFileSync(flag, "");
  const workerUrl = standInWorker(
    dir,
    "flaky.mjs",
    `import { existsSync } from "node:fs";\nif (existsSync(${JSON.stringify(flag)})) throw new Error("out of threads");\nparentPort.on("message", (q) => parentPort.postMessage({ id: q.id, defined: true, value: true }));\nparentPort.postMessage({ ready: true });`,
  );
  const evaluator = new DecisionEvaluator({ module: await EMPTY_MODULE(), builtins: [] }, { timeoutMs: 20_000, maxWorkers: 2, workerUrl });
  try {
    assert.match(await startError(evaluator), "out of threads");
    const started = Date.now();
    assert.equal(await evaluator.evaluate("{}", "app/deny"), { ok: false, timedOut: false, message: "no evaluation worker could start: out of threads" });
    assert.ok(Date.now() - started < 10_000, `answered after ${Date.now() - started} ms`);
    rmSync(flag);
    assert.equal(await evaluator.evaluate("{}", "app/deny"), { ok: true, defined: true, value: true });
  } finally {
    await evaluator.close();
    rmSync(dir, { recursive: true, force: true });
  }
});

test("issue 14 (sixteenth pass): a service left with no evaluation worker (the last died, none starts) is not ready (503, naming it); a worker that starts again makes it ready", async () => {
  const dir = tempDir("sixteenth-ready-workers");
  const flag = join(dir, "fail");
  const workerUrl = standInWorker(
    dir,
    "dying.mjs",
    `import { existsSync } from "node:fs";\nif (existsSync(${JSON.stringify(flag)})) throw new Error("out of threads");\nparentPort.on("message", (q) => { if (q.input === '"die"') process.exit(3); parentPort.postMessage({ id: q.id, defined: true, value: [] }); });\nparentPort.postMessage({ ready: true });`,
  );
  const service = await createTestService();
  const decisions = new DecisionService(service.services.db, sqlDecisionStore, { bundleDir: packagePath("bundle"), watch: false, now: () => new Date(), workers: 1, workerUrl });
  try {
    await decisions.load();
    assert.is(decisions.workersProblem(), undefined);
    writeFileSync(flag, "");
    // One of the shipped bundle's rules, so that the worker is asked.
    const rule = "gatehouse/contracts/denied/deny";
    const died = await decisions.answer(rule, "die", { kind: "admin", id: "admin" });
    assert.equal([died.status, died.answer.decision], [500, "deny"]);
    for (let i = 0; i < 100 && decisions.workersProblem() === undefined; i++) await new Promise((r) => setTimeout(r, 50));
    assert.is(decisions.workersProblem(), "no evaluation worker could start: out of threads");

    // /ready reads the same: the service's own DecisionService stands in for this one.
    const own = service.services.decisions;
    const probe = own.workersProblem.bind(own);
    own.workersProblem = () => decisions.workersProblem();
    const ready = await caller(service, TEST_ADMIN_TOKEN)("GET", "/ready", { token: null });
    own.workersProblem = probe;
    assert.is(ready.status, 503, ready.text);
    assert.ok(ready.body.problems.includes("decisions: no evaluation worker could start: out of threads"), ready.text);

    rmSync(flag);
    const again = await decisions.answer(rule, {}, { kind: "admin", id: "admin" });
    assert.equal([again.status, again.answer.decision], [200, "allow"]);
    assert.is(decisions.workersProblem(), undefined);
  } finally {
    await decisions.close();
    await service.close();
    rmSync(dir, { recursive: true, force: true });
  }
});

test("issue 14 (sixteenth pass): a Worker constructor that throws answers the decision with its error (no uncaught exception)", async () => {
  const evaluator = new DecisionEvaluator({ module: await EMPTY_MODULE(), builtins: [] }, { timeoutMs: 20_000, workerUrl: new URL("file:///nonexistent/gatehouse-no-such-worker.mjs") });
  try {
    assert.ok((await startError(evaluator)).length > 0);
    const answer = await evaluator.evaluate("{}", "app/deny");
    assert.is(answer.ok, false);
    assert.match((answer as { message: string }).message, "no evaluation worker could start");
  } finally {
    await evaluator.close();
  }
});

test("issue 14 (sixteenth pass): decision logs kept while the database is down are bounded in bytes (results echoing a large input); the oldest are dropped and counted, the newest written when it answers", async () => {
  const dir = tempDir("sixteenth-log-bytes");
  mkdirSync(join(dir, "policy", "app"), { recursive: true });
  writeFileSync(join(dir, "policy", "app", "deny.rego"), "# METADATA\n# title: app\n# custom:\n#   code: app/echo\npackage app\n\ndeny contains input.s\n");
  const built = spawnSync(process.execPath, [BIN, "build", "--policy", "policy", "--out", "bundle"], { cwd: dir, encoding: "utf8" });
  assert.is(built.status, 0, built.stderr);
  const service = await createTestService();
  const { db } = service.services;
  const maxBufferedBytes = 1024 * 1024;
  const decisions = new DecisionService(db, sqlDecisionStore, { bundleDir: join(dir, "bundle"), watch: false, now: () => new Date(), maxBufferedBytes });
  const query = db.query.bind(db);
  const transaction = db.transaction.bind(db);
  try {
    await decisions.load();
    // The database down: every write and the liveness probe fail.
    const down = async () => {
      throw new Error("connection refused");
    };
    (db as { query: unknown }).query = down;
    (db as { transaction: unknown }).transaction = down;
    const admin = { kind: "admin", id: "admin" } as const;
    const ids: string[] = [];
    for (let i = 0; i < 40; i++) {
      const s = `${i}:`.padEnd(100 * 1024, "x");
      ids.push((await decisions.answer("app/deny", { s }, admin)).answer.decision_id);
      await decisions.flush();
    }
    // 40 results of 100 KiB: about 4 MiB, four times the limit.
    assert.ok(decisions.dropped >= 28 && decisions.dropped < 40, `dropped ${decisions.dropped}`);
    (db as { query: unknown }).query = query;
    (db as { transaction: unknown }).transaction = transaction;
    await decisions.flush();
    const kept = await Promise.all(ids.map((id) => decisions.getLog(id)));
    const written = kept.map((log, i) => (log ? i : -1)).filter((i) => i >= 0);
    assert.is(written.length, 40 - decisions.dropped);
    assert.is(written[written.length - 1], 39, "the newest logs are the ones kept");
    assert.is((kept[39]!.result as string[])[0]!.slice(0, 3), "39:");
  } finally {
    (db as { query: unknown }).query = query;
    (db as { transaction: unknown }).transaction = transaction;
    await decisions.close();
    await service.close();
    rmSync(dir, { recursive: true, force: true });
  }
});

test("issue 14 (sixteenth pass): `gatehouse serve --decision-timeout` stops a slow decision in the server process (its worker found beside the bundled CLI) and refuses a bad value (exit 2)", async () => {
  const dir = tempDir("sixteenth-serve-timeout");
  const bundle = slowBundle(dir);
  const env = { GATEHOUSE_ADMIN_TOKEN: TEST_ADMIN_TOKEN };
  for (const bad of ["0", "1.5", "abc", "2147483648"]) {
    const refused = spawnSync(process.execPath, [BIN, "serve", "--port", "0", "--data", join(dir, "refused"), "--decision-timeout", bad], { env: { ...process.env, ...env }, encoding: "utf8", timeout: 60_000 });
    assert.is(refused.status, 2, `--decision-timeout ${bad}: ${refused.stderr}`);
    assert.match(refused.stderr, "--decision-timeout must be a whole number of milliseconds from 1 to 2147483647");
  }
  const server = await startServer(env, ["--data", join(dir, "data"), "--bundle", bundle, "--decision-timeout", String(DEADLINE_MS)]);
  try {
    let slowDone = false;
    const slow = http(`${server.url}/v1/data/app/deny`, "POST", TEST_ADMIN_TOKEN, { input: { n: SLOW_N } }).finally(() => {
      slowDone = true;
    });
    const health = await http(`${server.url}/health`, "GET", undefined);
    assert.is(health.status, 200);
    assert.not.ok(slowDone);
    const answer = await slow;
    assert.equal([answer.status, answer.body.decision, answer.body.reason], [500, "deny", TIMED_OUT]);
    const deny = await http(`${server.url}/v1/data/app/deny`, "POST", TEST_ADMIN_TOKEN, { input: { blocked: true, n: 1 } });
    assert.equal([deny.status, deny.body.decision, deny.body.result], [200, "deny", ["blocked"]]);
  } finally {
    assert.is(await server.stop(), 0, server.stderr());
    rmSync(dir, { recursive: true, force: true });
  }
});

test.run();
