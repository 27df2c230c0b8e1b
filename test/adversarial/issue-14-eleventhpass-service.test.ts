// Issue 14, eleventh adversarial pass, the policy service: what the server judges of an uploaded
// report's waivers by its own clock and rules, and the structured violations the tighten-only
// check of a project token words its refusals from.
//   - A waiver the pack limits (defaults.waiver_max_days) is measured by the gate from the run's
//     clock, which the client sets (--now, GATEHOUSE_NOW): pinned ahead, a waiver of any length
//     passed the gate, and the server checked only that it had not expired. The server now
//     measures it from its own clock too.
//   - A report's waiver owner was accepted when it was any non-empty string: a zero-width space,
//     a mixed-script look-alike, and a blank reason passed the server (the gate refuses all
//     three when it reads the waivers file, so only an edited report carries them).
//   - A body string or key holding a lone UTF-16 surrogate (JSON's "\ud800" escape) was a 500:
//     PostgreSQL's jsonb refuses it (a run upload, a project's name) and so does a policy's
//     input (the Data API). It is refused as U+0000 is, 400 naming its pointer.
//   - applyLayer's violations carry their field and reason as data; the repo-local file's and a
//     project token's wordings are both built from them (they were string replaces of one).

import { test } from "uvu";
import * as assert from "uvu/assert";
import { applyLayer, fromPack } from "../../src/packs/effective.js";
import { loadPack } from "../../src/packs/load.js";
import { SchemaRegistry } from "../../src/schemas/registry.js";
import { createTestService, TEST_ADMIN_TOKEN } from "../../src/service/app.js";
import { caller, gateReport } from "../service/helpers.js";

const SERVER_NOW = "2026-12-03T00:00:00Z";

/** The decision the server stores for one report of project alpha on `pack`, whose waivers are `suppressed` (one finding each). */
async function decide(pack: string, suppressed: object[]): Promise<{ decision: string; reasons: string[] }> {
  const service = await createTestService({ now: () => new Date(SERVER_NOW) });
  try {
    const call = caller(service, TEST_ADMIN_TOKEN);
    const alpha = await call("POST", "/projects", { body: { id: "alpha", name: "Alpha" } });
    assert.is(alpha.status, 201, alpha.text);
    assert.is((await call("PUT", "/projects/alpha/policy", { body: { pack: { key: pack } } })).status, 200);
    const effective = await call("GET", "/projects/alpha/policy/effective", { token: alpha.body.token });
    const findings = suppressed.map((s, i) => ({ code: `x/waived-${i}`, severity: "error", message: "m", source: "policy", input: "src/a.ts", suppressed: { kind: "waiver", ...s } }));
    const report = gateReport({ pack: effective.body.pack.key, version: effective.body.pack.version, effectiveHash: effective.body.hash }, { findings });
    const run = await call("POST", "/projects/alpha/runs", { token: alpha.body.token, body: { report } });
    assert.is(run.status, 201, run.text);
    return { decision: run.body.decision, reasons: run.body.reasons };
  } finally {
    await service.close();
  }
}

test("issue 14 (eleventh pass): a waiver longer than the project's pack allows (team-standard: 180 days) is denied by the server's clock, whatever clock the run used; one within the limit is allowed", async () => {
  // 2027-06-30 is 209 days after the server's 2026-12-03: a client whose clock was pinned at
  // 2027-01-15 (GATEHOUSE_NOW) measured 166 days, under the limit, and allowed.
  const long = await decide("team-standard", [{ justification: "later", owner: "alice", expires: "2027-06-30" }]);
  assert.is(long.decision, "deny", JSON.stringify(long));
  assert.equal(long.reasons, [
    "finding 0 (x/waived-0) is waived (owner alice) until 2027-06-30, and by the server's clock (2026-12-03T00:00:00.000Z) that is more than the 180 days team-standard@1.0 allows",
  ]);
  const ok = await decide("team-standard", [{ justification: "later", owner: "alice", expires: "2027-05-01" }]);
  assert.equal(ok, { decision: "allow", reasons: [] });
  // A pack that sets no limit: any unexpired waiver is the pack's to allow.
  assert.equal(await decide("default", [{ justification: "later", owner: "alice", expires: "2036-01-01" }]), { decision: "allow", reasons: [] });
});

test("issue 14 (eleventh pass): a report's waiver with an owner that is no identity (a zero-width space, a Cyrillic look-alike mixed with Latin) or a blank reason is denied by the server", async () => {
  const denied = await decide("default", [
    { justification: "later", owner: "\u200b", expires: "2027-01-01" },
    { justification: "later", owner: "\u0430lice", expires: "2027-01-01" },
    { justification: " \u200b ", owner: "alice", expires: "2027-01-01" },
  ]);
  assert.is(denied.decision, "deny", JSON.stringify(denied));
  assert.is(denied.reasons.length, 3, JSON.stringify(denied.reasons));
  assert.match(denied.reasons[0]!, /^the report says allow but finding 0 \(x\/waived-0\) is waived, and its owner .* contains the invisible or format character U\+200B/);
  assert.match(denied.reasons[1]!, /^the report says allow but finding 1 \(x\/waived-1\) is waived, and its owner .* mixes scripts \(Cyrillic and Latin\)/);
  assert.is(denied.reasons[2], "the report says allow but finding 2 (x/waived-2) is waived with a blank reason");
});

test("issue 14 (eleventh pass): applyLayer's violations carry the field and the reason as data, and their messages are the repo-local file's wording", () => {
  const schemas = new SchemaRegistry();
  const base = fromPack(loadPack("enterprise-compliance@1.0", schemas).pack);
  const layer = applyLayer(
    { ...base, enforcement: { mode: "block", locked: false }, constraints: { ...base.constraints, require_code_review: true } },
    { rules: { "x/other": { severity: "warning" } }, enforcement: { mode: "warn" }, constraints: { require_code_review: false } },
    "repo-local",
  );
  assert.equal(
    layer.violations.map(({ code, field, reason }) => ({ code, field, reason })),
    [
      { code: "pack/override-loosens", field: "rules.x/other", reason: { kind: "loosens", subject: "rule", change: "block → warning" } },
      { code: "pack/override-loosens", field: "enforcement.mode", reason: { kind: "loosens", subject: "mode", change: "block → warn" } },
      { code: "pack/override-loosens", field: "constraints.require_code_review", reason: { kind: "loosens", subject: "constraint", change: "on → off" } },
    ],
  );
  assert.equal(layer.violations.map((v) => v.message), [
    "rules.x/other: the repo-local override may only tighten, and this loosens the rule (block → warning); gatehouse.config pack.allowLocalLoosening does not name x/other",
    "enforcement.mode: the repo-local override may only tighten, and block → warn loosens it; gatehouse.config pack.allowLocalLoosening does not name enforcement.mode",
    "constraints.require_code_review: the constraint is on and the repo-local override may only switch constraints on; gatehouse.config pack.allowLocalLoosening does not name constraints.require_code_review",
  ]);
  const locked = applyLayer(base, { enforcement: { mode: "warn" }, rules: { "contracts/registry-missing": { enabled: false } } }, "config");
  assert.equal(
    locked.violations.map(({ code, field, reason }) => ({ code, field, kind: reason.kind })),
    [
      { code: "pack/override-loosens", field: "rules.contracts/registry-missing", kind: "locked" },
      { code: "pack/override-mode-locked", field: "enforcement.mode", kind: "locked" },
    ],
  );
  assert.is(locked.violations[1]!.message, "enterprise-compliance@1.0 locks block mode; enforcement.mode cannot be switched to warn");
});

test("issue 14 (eleventh pass): a lone UTF-16 surrogate in a body's string or key is a 400 naming its pointer (was a 500 on a run upload, a project, a decision); a surrogate pair is a character and is stored", async () => {
  const service = await createTestService({});
  try {
    const call = caller(service, TEST_ADMIN_TOKEN);
    const alpha = await call("POST", "/projects", { body: { id: "alpha", name: "Alpha" } });
    const token = alpha.body.token as string;
    const hash = (await call("GET", "/projects/alpha/policy/effective", { token })).body.hash as string;
    const report = gateReport({ pack: "default", version: "1.0", effectiveHash: hash }, { findings: [{ code: "x/a", severity: "warning", message: "MSG", source: "policy" }] });
    const cases: [string, string | undefined, string, string, string][] = [
      ["a project's name", undefined, "/projects", '{"id":"gamma","name":"\\ud800"}', "/name contains a lone UTF-16 surrogate (\\ud800), which is no character"],
      ["a finding's message in a run", token, "/projects/alpha/runs", JSON.stringify({ report }).replace("MSG", "\\udfff"), "/report/findings/0/message contains a lone UTF-16 surrogate (\\udfff), which is no character"],
      ["a key of a decision's input", token, "/v1/data/gatehouse/contracts/denied/deny", '{"input":{"a\\udc00":1}}', "/input has a key containing a lone UTF-16 surrogate (\\udc00), which is no character"],
      ["a value of a decision's input", token, "/v1/data/gatehouse/contracts/denied/deny", '{"input":["\\ud83d"]}', "/input/0 contains a lone UTF-16 surrogate (\\ud83d), which is no character"],
    ];
    for (const [what, by, url, raw, message] of cases) {
      const answer = await call("POST", url, { ...(by !== undefined ? { token: by } : {}), raw });
      assert.is(answer.status, 400, `${what}: ${answer.text}`);
      assert.equal(answer.body, { code: "invalid_parameter", message: `the request body is refused: ${message}` }, what);
    }
    assert.is((await call("GET", "/console/api/projects/alpha/runs", { token })).body.total, 0, "no run was stored");
    const pair = await call("POST", "/projects", { raw: '{"id":"delta","name":"\\ud83d\\ude00"}' });
    assert.is(pair.status, 201, pair.text);
    assert.is(pair.body.name, "\u{1F600}");
  } finally {
    await service.close();
  }
});

test.run();
