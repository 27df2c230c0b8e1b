// The policy service's API, endpoint by endpoint, run against any database: test/service/
// api.test.ts runs it over the embedded store (PGlite in memory), test/service/sql/ over a real
// PostgreSQL. Each test names its own projects, so the tests share one service.

import { spawnSync } from "node:child_process";
import { mkdirSync, rmSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { suite } from "uvu";
import * as assert from "uvu/assert";
import { Ajv2020 } from "ajv/dist/2020.js";
import type { Service } from "../../src/service/app.js";
import { ROUTES, fastifyPath } from "../../src/service/routes.js";
import { BIN, buildAppBundle, caller, finding, gateReport, tempDir, type Call } from "./helpers.js";

export interface Opened {
  service: Service;
  adminToken: string;
  /** removes what open made (database, directories) */
  cleanup(): Promise<void>;
}

export function defineServiceSuite(label: string, open: (options: { bundleDir: string }) => Promise<Opened>): void {
  const test = suite(label);
  let opened: Opened;
  let call: Call;
  let work: string;

  test.before(async () => {
    work = tempDir("service-suite");
    const bundleDir = buildAppBundle(work);
    opened = await open({ bundleDir });
    call = caller(opened.service, opened.adminToken);
  });
  test.after(async () => {
    await opened?.cleanup();
    rmSync(work, { recursive: true, force: true });
  });

  const auditCount = async (): Promise<number> => {
    const verified = await call("GET", "/audit/verify");
    assert.is(verified.status, 200);
    return verified.body.count as number;
  };
  const project = async (id: string): Promise<string> => {
    const created = await call("POST", "/projects", { body: { id, name: `Project ${id}` } });
    assert.is(created.status, 201, created.text);
    return created.body.token as string;
  };

  test("health and ready answer without a token; everything else needs one", async () => {
    assert.equal((await call("GET", "/health", { token: null })).body, { status: "ok" });
    const ready = await call("GET", "/ready", { token: null });
    assert.is(ready.status, 200, ready.text);
    assert.is(ready.body.status, "ready");
    assert.match(ready.body.bundle.sha256, /^[0-9a-f]{64}$/);
    for (const route of ROUTES.filter((r) => r.permission !== "public")) {
      const url = route.path.replace(/\{[a-zA-Z]+\*?\}/g, "x");
      const answer = await call(route.method, url, { token: null, ...(route.body ? { body: {} } : {}) });
      assert.is(answer.status, 401, `${route.method} ${route.path} without a token: ${answer.text}`);
      assert.is(answer.body.code, "unauthorized");
    }
    const bad = await call("GET", "/policy_packs", { token: "not-a-token" });
    assert.is(bad.status, 401);
    assert.match(bad.body.message, "not valid");
    assert.is((await call("GET", "/policy_packs", { token: "a b" })).status, 401);
  });

  test("the five shipped packs are seeded, with details and versions", async () => {
    const list = await call("GET", "/policy_packs");
    assert.is(list.status, 200);
    const keys = list.body.packs.map((p: { key: string }) => p.key);
    for (const key of ["beginner-guided", "default", "enterprise-compliance", "startup-fast", "team-standard"]) assert.ok(keys.includes(key), key);
    const details = await call("GET", "/policy_packs/team-standard");
    assert.is(details.status, 200);
    assert.is(details.body.latest, "1.0");
    assert.is(details.body.versions[0].document.meta.key, "team-standard");
    assert.match(details.body.versions[0].sha256, /^[0-9a-f]{64}$/);
    assert.is((await call("GET", "/policy_packs/nope")).status, 404);
    const seeded = await call("GET", "/audit?subject=pack:default@1.0");
    assert.is(seeded.body.events[0].event, "pack.seeded");
  });

  test("POST /policy_packs publishes a version (admin only, validated, no duplicates)", async () => {
    const details = await call("GET", "/policy_packs/startup-fast");
    const document = structuredClone(details.body.versions[0].document);
    document.meta.key = "acme";
    document.meta.version = "1.0";
    const user = await project("pack-publisher");
    const forbidden = await call("POST", "/policy_packs", { token: user, body: { document } });
    assert.is(forbidden.status, 403);
    const before = await auditCount();
    const invalid = await call("POST", "/policy_packs", { body: { document: { ...document, meta: { ...document.meta, version: "one" } } } });
    assert.is(invalid.status, 400);
    assert.match(invalid.body.message, "/document/meta/version");
    const lowering = await call("POST", "/policy_packs", { body: { document: { ...document, rules: { "bundle/tampered": { severity: "info" } } } } });
    assert.is(lowering.status, 400);
    assert.match(lowering.body.message, "bundle/tampered is locked in every pack");
    assert.is(await auditCount(), before, "a refused pack writes nothing");
    assert.is((await call("GET", "/policy_packs/acme")).status, 404);
    const created = await call("POST", "/policy_packs", { body: { document } });
    assert.is(created.status, 201, created.text);
    assert.equal({ key: created.body.key, version: created.body.version, status: created.body.status }, { key: "acme", version: "1.0", status: "active" });
    const again = await call("POST", "/policy_packs", { body: { document } });
    assert.is(again.status, 409);
    assert.match(again.body.message, "acme@1.0 already exists");
    document.meta.version = "1.1";
    assert.is((await call("POST", "/policy_packs", { body: { document } })).status, 201);
    assert.is((await call("GET", "/policy_packs/acme")).body.latest, "1.1");
    assert.is(await auditCount(), before + 2);
  });

  test("POST /policy_packs/{key}/deprecate: a deprecated version cannot be selected, latest active moves", async () => {
    const details = await call("GET", "/policy_packs/default");
    const document = structuredClone(details.body.versions[0].document);
    document.meta.key = "legacy";
    for (const version of ["1.0", "2.0"]) {
      document.meta.version = version;
      assert.is((await call("POST", "/policy_packs", { body: { document } })).status, 201);
    }
    const token = await project("deprecation");
    // Choosing a pack is the admin's (a project token may only tighten its policy).
    assert.is((await call("PUT", "/projects/deprecation/policy", { body: { pack: { key: "legacy", version: "2.0" } } })).status, 200);
    assert.is((await call("POST", "/policy_packs/legacy/deprecate", { token, body: { version: "2.0" } })).status, 403);
    const deprecated = await call("POST", "/policy_packs/legacy/deprecate", { body: { version: "2.0" } });
    assert.is(deprecated.status, 200, deprecated.text);
    assert.equal(deprecated.body.versions, [{ version: "1.0", status: "active" }, { version: "2.0", status: "deprecated" }]);
    assert.is(deprecated.body.latest, "1.0");
    // A project that pinned it before keeps working; a new selection is refused, naming the versions.
    assert.is((await call("GET", "/projects/deprecation/policy/effective", { token })).status, 200);
    const before = await auditCount();
    const refused = await call("PUT", "/projects/deprecation/policy", { token, body: { pack: { key: "legacy", version: "2.0" }, repoLocal: true } });
    assert.is(refused.status, 400);
    assert.match(refused.body.message, "legacy@2.0 is deprecated and cannot be selected");
    assert.is((await call("GET", "/projects/deprecation/policy", { token })).body.repoLocal, false, "nothing written");
    assert.is(await auditCount(), before);
    assert.is((await call("POST", "/policy_packs/legacy/deprecate", { body: { version: "9.9" } })).status, 404);
    const disabled = await call("POST", "/policy_packs/legacy/deprecate", { body: { version: "2.0", status: "disabled" } });
    assert.is(disabled.body.versions[1].status, "disabled");
    const conflict = await call("GET", "/projects/deprecation/policy/effective", { token });
    assert.is(conflict.status, 409);
    assert.match(conflict.body.message, "legacy@2.0 is disabled");
    const events = (await call("GET", "/audit?subject=pack:legacy@2.0")).body.events;
    assert.equal(events.map((e: { event: string; new: unknown }) => [e.event, e.new]).slice(1), [
      ["pack.status_changed", { status: "deprecated" }],
      ["pack.status_changed", { status: "disabled" }],
    ]);
    assert.is(events[1].actor, "admin");
  });

  test("POST /projects: admin only, one id once, the token works for that project", async () => {
    const token = await project("alpha");
    assert.match(token, /^ghsp_[A-Za-z0-9_-]{43}$/);
    assert.is((await call("POST", "/projects", { body: { id: "alpha", name: "again" } })).status, 409);
    assert.is((await call("POST", "/projects", { token, body: { id: "beta2", name: "x" } })).status, 403);
    const invalid = await call("POST", "/projects", { body: { id: "Bad Id", name: "x" } });
    assert.is(invalid.status, 400);
    assert.match(invalid.body.message, "/id must match pattern");
    const policy = await call("GET", "/projects/alpha/policy", { token });
    assert.equal(policy.body.pack, { key: "default", version: null });
    assert.is(policy.body.repoLocal, false);
    assert.is((await call("GET", "/projects/missing/policy")).status, 404);
  });

  test("PUT /projects/{id}/policy: the effective policy and hash are the CLI's for the same pack and overrides", async () => {
    const token = await project("web");
    const overrides = { rules: { "contracts/breaking-undeclared": { severity: "block" } }, constraints: { require_ci_green: false } };
    const put = await call("PUT", "/projects/web/policy", { body: { pack: { key: "team-standard", version: "1.0" }, overrides, repoLocal: true } });
    assert.is(put.status, 200, put.text);
    const effective = await call("GET", "/projects/web/policy/effective", { token });
    assert.is(effective.status, 200, effective.text);
    assert.is(effective.body.hash, put.body.effectiveHash);
    assert.equal(effective.body.pack, { key: "team-standard", version: "1.0", status: "active" });
    assert.is(effective.body.repoLocal, true);

    const repo = join(work, "cli-repo");
    mkdirSync(repo, { recursive: true });
    writeFileSync(join(repo, "gatehouse.config.yaml"), `version: 1\npack:\n  use: team-standard@1.0\n  overrides: ${JSON.stringify(overrides)}\ncollectors: {}\n`);
    const cli = spawnSync(process.execPath, [BIN, "policy", "effective", "--root", repo, "--format", "json"], { encoding: "utf8" });
    assert.is(cli.status, 0, cli.stderr);
    const printed = JSON.parse(cli.stdout) as { effectiveHash: string; policy: unknown };
    assert.is(effective.body.hash, printed.effectiveHash);
    assert.equal(effective.body.policy, printed.policy);
  });

  test("PUT /projects/{id}/policy refuses unknown packs and versions, bad overrides and loosening, writing nothing", async () => {
    const token = await project("strict");
    const before = await auditCount();
    const cases: [unknown, number, string][] = [
      [{ pack: { key: "nope" } }, 400, 'no policy pack "nope"'],
      [{ pack: { key: "team-standard", version: "9.9" } }, 400, 'team-standard has no version "9.9"; its versions: 1.0 (active)'],
      [{ pack: { key: "team-standard", version: "1" } }, 400, "/pack/version must match pattern"],
      [{ pack: { key: "team-standard" }, overrides: { rules: { "not a code": {} } } }, 400, "/overrides/rules"],
      [{ pack: { key: "team-standard" }, overrides: { rules: { "pack/required-file-missing": { severity: "info" } } } }, 400, "is locked by team-standard@1.0"],
      [{ pack: { key: "team-standard" }, extra: 1 }, 400, "must NOT have additional properties"],
      [{}, 400, "must have required property 'pack'"],
    ];
    for (const [body, status, message] of cases) {
      const answer = await call("PUT", "/projects/strict/policy", { body });
      assert.is(answer.status, status, `${JSON.stringify(body)}: ${answer.text}`);
      assert.is(answer.body.code, "invalid_parameter");
      assert.match(answer.body.message, message);
    }
    assert.equal((await call("GET", "/projects/strict/policy", { token })).body.pack, { key: "default", version: null });
    assert.is(await auditCount(), before);
  });

  test("bad bodies: invalid JSON, repeated keys, another media type, oversize, a body where none is taken", async () => {
    const before = await auditCount();
    const broken = await call("POST", "/projects", { raw: '{"id": "x",' });
    assert.is(broken.status, 400);
    assert.match(broken.body.message, "not valid JSON");
    const repeated = await call("POST", "/projects", { raw: '{"id": "dup", "id": "dup2", "name": "x"}' });
    assert.is(repeated.status, 400);
    assert.match(repeated.body.message, 'duplicate key "id"');
    const text = await call("POST", "/projects", { raw: "id=x", contentType: "text/plain" });
    assert.is(text.status, 415);
    assert.is(text.body.code, "unsupported_media_type");
    const big = await call("POST", "/projects", { body: { id: "big", name: "x".repeat(1024 * 1024) } });
    assert.is(big.status, 413);
    assert.is(big.body.code, "payload_too_large");
    const noBody = await call("POST", "/projects");
    assert.is(noBody.status, 400);
    assert.match(noBody.body.message, "needs a JSON body");
    assert.is((await call("GET", "/projects/dup/policy")).status, 404);
    assert.is((await call("GET", "/projects/big/policy")).status, 404);
    assert.is(await auditCount(), before);
    const unknown = await call("GET", "/nope");
    assert.is(unknown.status, 404);
    assert.match(unknown.body.message, "no route GET /nope");
  });

  test("clarifications: listed with answers, answers checked against the pack's options, audited old and new", async () => {
    const token = await project("clarify");
    assert.is((await call("PUT", "/projects/clarify/policy", { body: { pack: { key: "team-standard" } } })).status, 200);
    const listed = await call("GET", "/projects/clarify/clarifications", { token });
    assert.is(listed.status, 200);
    assert.equal(listed.body.unanswered, ["on-call", "release-channel"]);
    assert.equal(listed.body.blocking, ["release-channel"]);
    const before = await auditCount();
    const outside = await call("POST", "/projects/clarify/clarifications/release-channel", { token, body: { value: "everywhere" } });
    assert.is(outside.status, 400);
    assert.match(outside.body.message, '"everywhere" is not an answer to release-channel; choose one of: none, internal, public');
    const unknownKey = await call("POST", "/projects/clarify/clarifications/colour", { token, body: { value: "red" } });
    assert.is(unknownKey.status, 404);
    assert.match(unknownKey.body.message, "team-standard@1.0 has no clarification \"colour\"; its questions: on-call, release-channel");
    assert.is((await call("POST", "/projects/clarify/clarifications/release-channel", { token, body: { value: 3 } })).status, 400);
    assert.is(await auditCount(), before, "refused answers write nothing");
    const answered = await call("POST", "/projects/clarify/clarifications/release-channel", { token, body: { value: "internal" } });
    assert.is(answered.status, 200, answered.text);
    assert.is(answered.body.answeredBy, "project:clarify");
    assert.is((await call("POST", "/projects/clarify/clarifications/release-channel", { token, body: { value: "public" } })).status, 200);
    const after = await call("GET", "/projects/clarify/clarifications", { token });
    assert.equal(after.body.blocking, []);
    assert.is(after.body.questions.find((q: { key: string }) => q.key === "release-channel").answer.value, "public");
    assert.equal((await call("GET", "/projects/clarify/policy/effective", { token })).body.answers, { "release-channel": "public" });
    const events = (await call("GET", "/audit?subject=project:clarify")).body.events.filter((e: { event: string }) => e.event === "clarification.answered");
    assert.equal(events.map((e: { old: unknown; new: unknown; actor: string }) => [e.actor, e.old, e.new]), [
      ["project:clarify", null, { key: "release-channel", value: "internal" }],
      ["project:clarify", { key: "release-channel", value: "internal" }, { key: "release-channel", value: "public" }],
    ]);
  });

  test("runs: a report becomes a run with steps and findings; the server's decision fails closed", async () => {
    const token = await project("runner");
    const effective = (await call("GET", "/projects/runner/policy/effective", { token })).body;
    const record = { pack: effective.pack.key, version: effective.pack.version, effectiveHash: effective.hash };
    const report = gateReport(record, { inputs: ["src/a.ts", "src/b.ts"], findings: [finding("contracts/a", "src/a.ts"), finding("contracts/b", "src/a.ts"), finding("gate/x")] });
    const run = await call("POST", "/projects/runner/runs", { token, body: { report, commit: "abc123", ref: "refs/heads/main", policy: effective.policy } });
    assert.is(run.status, 201, run.text);
    assert.is(run.body.decision, "allow");
    assert.equal([run.body.pack, run.body.version, run.body.effectiveHash], [record.pack, record.version, record.effectiveHash]);
    assert.equal(run.body.steps.map((s: { path: string; findings: number }) => [s.path, s.findings]), [["src/a.ts", 2], ["src/b.ts", 0], ["(run)", 1]]);
    assert.is(run.body.findings, 3);

    const stored = await call("GET", `/runs/${run.body.id}`, { token });
    assert.is(stored.body.commit, "abc123");
    assert.equal(stored.body.policySnapshot, effective.policy);
    const runFindings = await call("GET", `/runs/${run.body.id}/policy/findings`, { token });
    assert.equal(runFindings.body.findings.map((f: { code: string }) => f.code), ["contracts/a", "contracts/b", "gate/x"]);
    assert.is(runFindings.body.run.effectiveHash, effective.hash);
    const stepFindings = await call("GET", `/steps/${run.body.steps[0].id}/policy/findings`, { token });
    assert.equal(stepFindings.body.findings.map((f: { code: string }) => f.code), ["contracts/a", "contracts/b"]);
    assert.is(stepFindings.body.step.path, "src/a.ts");

    // Undefined denies: a report whose policy is not the project's, or records none, or did not allow.
    const wrongHash = await call("POST", "/projects/runner/runs", { token, body: { report: gateReport({ ...record, effectiveHash: "f".repeat(64) }) } });
    assert.is(wrongHash.body.decision, "deny");
    assert.match(wrongHash.body.reasons[0], `is not the project's ${effective.hash}`);
    const noPolicy = await call("POST", "/projects/runner/runs", { token, body: { report: gateReport(undefined) } });
    assert.is(noPolicy.body.decision, "deny");
    assert.match(noPolicy.body.reasons[0], "records no policy pack");
    const denied = await call("POST", "/projects/runner/runs", { token, body: { report: gateReport(record, { verdict: "deny" }) } });
    assert.equal(denied.body.reasons, ["the report's verdict is deny"]);
    const otherPack = await call("POST", "/projects/runner/runs", { token, body: { report: gateReport({ ...record, pack: "team-standard", version: "1.0" }) } });
    assert.match(otherPack.body.reasons[0], "the run applied team-standard@1.0; the project's policy is default@1.0");

    // Pages: ?after and ?limit over the project's findings.
    const first = await call("GET", "/projects/runner/policy/findings?limit=2", { token });
    assert.is(first.body.findings.length, 2);
    const rest = await call("GET", `/projects/runner/policy/findings?after=${first.body.next}`, { token });
    assert.equal([...first.body.findings, ...rest.body.findings].map((f: { code: string }) => f.code), ["contracts/a", "contracts/b", "gate/x"]);
    assert.is(rest.body.next, null);
    assert.is((await call("GET", "/projects/runner/policy/findings?limit=0", { token })).status, 400);
  });

  test("runs: invalid reports and snapshots are refused whole", async () => {
    const token = await project("refused-runs");
    const effective = (await call("GET", "/projects/refused-runs/policy/effective", { token })).body;
    const record = { pack: effective.pack.key, version: effective.pack.version, effectiveHash: effective.hash };
    const cases: [unknown, string][] = [
      [{ report: { ...gateReport(record), verdict: "maybe" } }, "/report/verdict must be equal to one of the allowed values"],
      [{ report: { ...gateReport(record), findings: [{ code: "x" }] } }, "/report/findings/0 must have required property"],
      [{ report: gateReport(record), policy: { ...effective.policy, rules: { "a/b": { severity: "info" } } } }, "the policy snapshot hashes to"],
      [{ report: gateReport(record), extra: true }, "must NOT have additional properties"],
    ];
    for (const [body, message] of cases) {
      const answer = await call("POST", "/projects/refused-runs/runs", { token, body });
      assert.is(answer.status, 400, answer.text);
      assert.match(answer.body.message, message);
    }
    assert.equal((await call("GET", "/projects/refused-runs/policy/findings", { token })).body.findings, []);
    assert.is(await opened.service.services.runs.countRuns("refused-runs"), 0);
    assert.is((await call("POST", "/projects/nobody/runs", { body: { report: gateReport(record) } })).status, 404);
  });

  test("a project's token cannot read or write another project", async () => {
    const a = await project("tenant-a");
    const b = await project("tenant-b");
    const effective = (await call("GET", "/projects/tenant-a/policy/effective", { token: a })).body;
    const run = await call("POST", "/projects/tenant-a/runs", { token: a, body: { report: gateReport({ pack: "default", version: "1.0", effectiveHash: effective.hash }, { findings: [finding("x/y", "src/a.ts")] }) } });
    assert.is(run.status, 201);
    const stepId = run.body.steps[0].id as string;
    const attempts: [Parameters<Call>[0], string, unknown?][] = [
      ["GET", "/projects/tenant-a/policy"],
      ["PUT", "/projects/tenant-a/policy", { pack: { key: "startup-fast" } }],
      ["GET", "/projects/tenant-a/policy/effective"],
      ["GET", "/projects/tenant-a/policy/findings"],
      ["GET", "/projects/tenant-a/clarifications"],
      ["POST", "/projects/tenant-a/clarifications/release-channel", { value: "internal" }],
      ["POST", "/projects/tenant-a/runs", { report: gateReport(undefined) }],
      ["GET", `/runs/${run.body.id}`],
      ["GET", `/runs/${run.body.id}/policy/findings`],
      ["GET", `/steps/${stepId}/policy/findings`],
      ["GET", "/audit"],
      ["GET", "/decisions/x"],
    ];
    for (const [method, url, body] of attempts) {
      const answer = await call(method, url, { token: b, ...(body !== undefined ? { body } : {}) });
      assert.is(answer.status, 403, `${method} ${url}: ${answer.text}`);
      assert.is(answer.body.code, "forbidden");
    }
    assert.equal((await call("GET", "/projects/tenant-a/policy", { token: a })).body.pack, { key: "default", version: null });
    assert.is(await opened.service.services.runs.countRuns("tenant-a"), 1);
    assert.is((await call("GET", "/runs/no-such-run", { token: b })).status, 404);
  });

  test("audit: every change recorded with caller, time, old and new; append-only and verifiable", async () => {
    const token = await project("audited");
    assert.is((await call("PUT", "/projects/audited/policy", { body: { pack: { key: "startup-fast" } } })).status, 200);
    // A project token's change (a tightening: it may make no other) is recorded as the project's.
    const tightened = await call("PUT", "/projects/audited/policy", { token, body: { pack: { key: "startup-fast" }, overrides: { rules: { "x/y": { severity: "block" } } } } });
    assert.is(tightened.status, 200, tightened.text);
    const events = (await call("GET", "/audit?subject=project:audited")).body.events;
    assert.equal(events.map((e: { event: string }) => e.event), ["project.created", "project.policy_changed", "project.policy_changed"]);
    assert.is(events[0].actor, "admin");
    assert.is(events[1].actor, "admin");
    assert.is(events[2].actor, "project:audited");
    assert.equal(events[1].old.pack, { key: "default", version: null });
    assert.equal(events[1].new.pack, { key: "startup-fast", version: null });
    assert.equal(events[2].new.overrides, { rules: { "x/y": { severity: "block" } } });
    assert.ok(!Number.isNaN(Date.parse(events[1].at)));
    assert.ok(!JSON.stringify(events).includes(token), "the token is never recorded");
    const verified = await call("GET", "/audit/verify");
    assert.is(verified.body.ok, true, JSON.stringify(verified.body.problems));
    const db = opened.service.services.db;
    for (const sql of ["UPDATE audit_events SET actor = 'mallory' WHERE seq = 1", "DELETE FROM audit_events WHERE seq = 1", "DELETE FROM finding_events"]) {
      let refused = false;
      await db.query(sql).catch((error: Error) => {
        refused = /append-only/.test(error.message);
      });
      assert.ok(refused, `${sql} must be refused`);
    }
    // Past the trigger (as the database's owner could), the chain shows the change.
    const original = (await call("GET", "/audit?limit=2")).body.events[1].actor as string;
    await db.transaction(async (tx) => {
      await tx.query("ALTER TABLE audit_events DISABLE TRIGGER audit_events_append_only");
      await tx.query("UPDATE audit_events SET actor = 'mallory' WHERE seq = 2");
      await tx.query("ALTER TABLE audit_events ENABLE TRIGGER audit_events_append_only");
    });
    const tampered = await call("GET", "/audit/verify");
    assert.is(tampered.body.ok, false);
    assert.match(tampered.body.problems.join("\n"), "seq 2: hash does not match its content");
    await db.transaction(async (tx) => {
      await tx.query("ALTER TABLE audit_events DISABLE TRIGGER audit_events_append_only");
      await tx.query("UPDATE audit_events SET actor = $1 WHERE seq = 2", [original]);
      await tx.query("ALTER TABLE audit_events ENABLE TRIGGER audit_events_append_only");
    });
    assert.is((await call("GET", "/audit/verify")).body.ok, true);
  });

  test("Data API: OPA's shapes, fail closed, decision logs with digests", async () => {
    const token = await project("decider");
    const allow = await call("POST", "/v1/data/app/deny", { token, body: { input: { blocked: false } } });
    assert.is(allow.status, 200, allow.text);
    assert.equal(allow.body.result, []);
    assert.is(allow.body.decision, "allow");
    const deny = await call("POST", "/v1/data/app/deny", { body: { input: { blocked: true } } });
    assert.equal([deny.body.result, deny.body.decision, deny.body.reason], [["blocked"], "deny", "1 deny result"]);
    const undefinedDoc = await call("POST", "/v1/data/app/nothing", { body: { input: {} } });
    assert.is(undefinedDoc.status, 200);
    assert.is(undefinedDoc.body.result, undefined);
    assert.is(undefinedDoc.body.decision, "deny");
    assert.match(undefinedDoc.body.reason, "undefined_document");
    const noInput = await call("POST", "/v1/data/app/deny", { body: {} });
    assert.is(noInput.status, 400);
    assert.match(noInput.body.message, "must have required property 'input'");
    await opened.service.services.decisions.flush();
    const log = await call("GET", `/decisions/${deny.body.decision_id}`);
    assert.is(log.status, 200, log.text);
    assert.equal([log.body.path, log.body.decision, log.body.result, log.body.caller], ["app/deny", "deny", ["blocked"], "admin"]);
    assert.match(log.body.inputSha256, /^[0-9a-f]{64}$/);
    assert.is(log.body.bundleSha256, (await call("GET", "/ready", { token: null })).body.bundle.sha256);
    assert.is((await call("GET", `/decisions/${allow.body.decision_id}`)).body.caller, "project:decider");
  });

  test("the OpenAPI document lists every route of the table, and only those, with valid schemas", async () => {
    const answer = await call("GET", "/openapi.json");
    assert.is(answer.status, 200);
    const doc = answer.body;
    assert.is(doc.openapi, "3.1.0");
    const listed = Object.entries(doc.paths as Record<string, Record<string, unknown>>).flatMap(([path, ops]) => Object.keys(ops).map((m) => `${m.toUpperCase()} ${path}`));
    const table = ROUTES.map((r) => `${r.method} ${r.path.replace(/\{([a-zA-Z]+)\*\}/, "{$1}")}`);
    assert.equal([...listed].sort(), [...table].sort());
    for (const route of ROUTES) assert.ok(opened.service.app.hasRoute({ method: route.method, url: fastifyPath(route.path) }), `${route.method} ${route.path} is registered`);
    const ajv = new Ajv2020({ strict: false });
    for (const [name, schema] of Object.entries(doc.components.schemas as Record<string, object>)) assert.ok(ajv.compile(schema), name);
    const refs = JSON.stringify(doc.paths).match(/#\/components\/schemas\/[a-z0-9.-]+/g) ?? [];
    for (const ref of refs) assert.ok(doc.components.schemas[ref.split("/").pop()!], ref);
    assert.equal(doc.paths["/health"].get.security, []);
  });

  test("the bundle is reloaded when it changes, its digest recorded; a broken bundle denies", async () => {
    if (label.includes("postgres")) return; // the watcher is the process's, not the database's: once is enough
    const dir = tempDir("reload");
    const bundleDir = buildAppBundle(dir, "first");
    const second = await open({ bundleDir });
    try {
      // Watching only for this service.
      const service = second.service;
      const sd = service.services.decisions;
      const local = caller(service, second.adminToken);
      const before = sd.state();
      assert.ok(before.ok);
      (sd as unknown as { options: { watch: boolean } }).options.watch = true;
      sd.startWatching();
      buildAppBundle(dir, "second");
      const changed = await until(() => {
        const s = sd.state();
        return s.ok && s.sha256 !== (before as { sha256: string }).sha256;
      });
      assert.ok(changed, "the new bundle was loaded");
      const reloaded = await local("POST", "/v1/data/app/deny", { body: { input: { blocked: true } } });
      assert.equal(reloaded.body.result, ["second"]);
      const loads = await service.services.db.query<{ wasm_sha256: string | null }>("SELECT wasm_sha256 FROM bundle_loads ORDER BY seq");
      assert.is(loads[loads.length - 1]!.wasm_sha256, (sd.state() as { sha256: string }).sha256);
      writeFileSync(join(bundleDir, "policy.wasm"), "not wasm");
      assert.ok(await until(() => !sd.state().ok), "the broken bundle was noticed");
      const broken = await local("POST", "/v1/data/app/deny", { body: { input: { blocked: false } } });
      assert.is(broken.status, 503);
      assert.is(broken.body.decision, "deny");
      assert.match(broken.body.reason, "no verified bundle");
      assert.is((await local("GET", "/ready", { token: null })).status, 503);
    } finally {
      await second.cleanup();
      rmSync(dir, { recursive: true, force: true });
    }
  });

  test.run();
}

/** Polls `check` every 100 ms for at most 10 s. */
export async function until(check: () => boolean | Promise<boolean>, timeoutMs = 10_000): Promise<boolean> {
  const end = Date.now() + timeoutMs;
  while (Date.now() < end) {
    if (await check()) return true;
    await new Promise((r) => setTimeout(r, 100));
  }
  return false;
}

