// Issue 14.14: the ledger accepted the same operation id signed off twice, an approval after the
// execution, and a history hidden by renaming the only month file to `*.torn` behind a fresh
// chain. One sign-off per operation, approval before execution, a HEAD anchor checked against the
// chain (and against the base ref's HEAD), and no unknown file in the ledger directory.

import { appendFileSync, readFileSync, renameSync, rmSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { test } from "uvu";
import * as assert from "uvu/assert";
import { entryHash, GENESIS_PREV } from "../../src/ops/ledger.js";
import { cleanup, denyingCodes, gatehouse, git, gitRepo, tempRepo } from "../helpers/adversarial.js";
import { entryFor } from "../helpers/sample-entry.js";

// The month file an append writes is named after the clock the CLI runs with: GATEHOUSE_NOW in test/helpers/adversarial.ts.
const MONTH = `${"2026-11-21T00:00:00Z".slice(0, 7)}.jsonl`;

/** Appends entries through the CLI into `root`'s ops/ledger; returns the results. */
async function appendAll(root: string, entries: Record<string, unknown>[]) {
  const results = [];
  for (const [i, entry] of entries.entries()) {
    const file = join(root, `entry-${i}.json`);
    writeFileSync(file, JSON.stringify(entry));
    results.push(await gatehouse(["ledger", "append", file, "--root", root, "--format", "json"]));
  }
  return results;
}

const verify = (root: string, ...extra: string[]) => gatehouse(["ledger", "verify", "--root", root, "--format", "json", ...extra]);

function ledgerLines(root: string): string[] {
  return readFileSync(join(root, "ops", "ledger", MONTH), "utf8").split("\n").filter(Boolean);
}

test("issue 14.14: the same operation signed off twice is refused on append and flagged by verify", async () => {
  const root = tempRepo({});
  const [first, second] = await appendAll(root, [entryFor("dup", 0), { ...entryFor("dup", 0), notes: "again" }]);
  assert.is(first!.exitCode, 0, first!.stdout);
  assert.is(second!.exitCode, 1, second!.stdout);
  assert.equal(denyingCodes(second!), ["ledger/duplicate-operation"]);
  assert.is(ledgerLines(root).length, 1, "the second sign-off was not appended");
  // A correction of it is allowed: it repeats the operation id on purpose.
  const [correction] = await appendAll(root, [{ ...entryFor("dup", 0), corrects: 1, outcome: "ROLLBACK" }]);
  assert.is(correction!.exitCode, 0, correction!.stdout);
  assert.is((await verify(root)).exitCode, 0);
  // Written by hand (chain and HEAD recomputed), the duplicate is caught by verify.
  const dir = join(root, "ops", "ledger");
  const rows = ledgerLines(root).map((l) => JSON.parse(l) as Record<string, unknown>);
  const forged = { seq: 3, prev: entryHash(rows[1]), ...entryFor("dup", 0), notes: "forged" };
  appendFileSync(join(dir, MONTH), `${JSON.stringify(forged)}\n`);
  writeFileSync(join(dir, "HEAD"), `${JSON.stringify({ seq: 3, sha256: entryHash(forged) })}\n`);
  const flagged = await verify(root);
  assert.is(flagged.exitCode, 1);
  assert.equal(denyingCodes(flagged), ["ledger/duplicate-operation"]);
  cleanup();
});

test("issue 14.14: an approval timestamp after the execution timestamp is refused", async () => {
  const root = tempRepo({});
  const late = [
    { approval_timestamp: "2026-11-21T01:10:00Z", execution_timestamp: "2026-11-21T01:00:00Z" },
    { approval_timestamp: "2026-11-21T01:00:00.000000002Z", execution_timestamp: "2026-11-21T01:00:00.000000001Z" },
    { approval_timestamp: "2026-11-21T03:00:00+02:00", execution_timestamp: "2026-11-21T00:30:00Z" },
  ];
  for (const [i, times] of late.entries()) {
    const [result] = await appendAll(root, [{ ...entryFor("late", i), ...times }]);
    assert.is(result!.exitCode, 1, JSON.stringify(times));
    assert.equal(denyingCodes(result!), ["ledger/approval-after-execution"], JSON.stringify(times));
  }
  // Same instant in another offset, and approval first, are fine.
  const [ok] = await appendAll(root, [{ ...entryFor("late", 9), approval_timestamp: "2026-11-21T02:00:00+01:00", execution_timestamp: "2026-11-21T01:00:00Z" }]);
  assert.is(ok!.exitCode, 0, ok!.stdout);
  // Written by hand, verify flags it.
  const dir = join(root, "ops", "ledger");
  const rows = ledgerLines(root).map((l) => JSON.parse(l) as Record<string, unknown>);
  const forged = { seq: 2, prev: entryHash(rows[0]), ...entryFor("late", 10), ...late[0] };
  appendFileSync(join(dir, MONTH), `${JSON.stringify(forged)}\n`);
  writeFileSync(join(dir, "HEAD"), `${JSON.stringify({ seq: 2, sha256: entryHash(forged) })}\n`);
  assert.equal(denyingCodes(await verify(root)), ["ledger/approval-after-execution"]);
  cleanup();
});

test("issue 14.14: renaming the only month file to *.torn does not hide the history behind a fresh chain", async () => {
  const root = tempRepo({});
  await appendAll(root, [entryFor("h", 0), entryFor("h", 1), entryFor("h", 2)]);
  const dir = join(root, "ops", "ledger");
  assert.is((await verify(root)).exitCode, 0);
  for (const name of [`${MONTH}.torn`, `${MONTH}.1764000000000.4242.torn`]) {
    renameSync(join(dir, MONTH), join(dir, name));
    const hidden = await verify(root);
    assert.is(hidden.exitCode, 1, name);
    assert.ok(denyingCodes(hidden).includes("ledger/unknown-file"), name);
    assert.ok(denyingCodes(hidden).includes("ledger/head-mismatch"), name);
    // A fresh chain is not started on top of it.
    const [fresh] = await appendAll(root, [entryFor("h", 3)]);
    assert.is(fresh!.exitCode, 2, `${name}: ${fresh!.stdout}${fresh!.stderr}`);
    renameSync(join(dir, name), join(dir, MONTH));
  }
  // Even with HEAD removed too and a fresh chain appended, the renamed history is refused.
  renameSync(join(dir, MONTH), join(dir, `${MONTH}.1764000000000.4242.torn`));
  rmSync(join(dir, "HEAD"));
  const [fresh] = await appendAll(root, [entryFor("h", 4)]);
  assert.is(fresh!.exitCode, 0, "a new ledger starts");
  assert.equal(denyingCodes(await verify(root)), ["ledger/unknown-file"]);
  cleanup();
});

test("issue 14.14: removed entries, a removed HEAD and unknown files deny; the head only moves forward against the base ref", async () => {
  const root = await gitRepo({ "README.md": "x\n" });
  await appendAll(root, [entryFor("g", 0), entryFor("g", 1), entryFor("g", 2)]);
  await git(root, "add", "ops/ledger");
  await git(root, "commit", "-qm", "ledger");
  const dir = join(root, "ops", "ledger");
  const file = join(dir, MONTH);
  const committed = readFileSync(file, "utf8");
  // The last entry cut off.
  writeFileSync(file, committed.split("\n").slice(0, 2).join("\n") + "\n");
  assert.equal(denyingCodes(await verify(root)), ["ledger/head-mismatch"]);
  // HEAD removed as well: nothing anchors the end.
  const head = readFileSync(join(dir, "HEAD"), "utf8");
  rmSync(join(dir, "HEAD"));
  assert.equal(denyingCodes(await verify(root)), ["ledger/head-mismatch"]);
  // A whole fresh history with its own HEAD verifies alone, but not against the base ref.
  rmSync(file);
  const [fresh] = await appendAll(root, [entryFor("g", 9)]);
  assert.is(fresh!.exitCode, 0);
  assert.is((await verify(root)).exitCode, 0);
  const against = await verify(root, "--base", "HEAD");
  assert.is(against.exitCode, 1);
  assert.equal(denyingCodes(against), ["ledger/head-mismatch"]);
  // Restored and moved forward: fine against the base.
  writeFileSync(file, committed);
  writeFileSync(join(dir, "HEAD"), head);
  await appendAll(root, [entryFor("g", 3)]);
  assert.is((await verify(root, "--base", "HEAD")).exitCode, 0);
  // Any file the ledger does not write.
  for (const name of [`${MONTH}.bak`, "notes.txt", ".HEAD.1-x.tmp"]) {
    writeFileSync(join(dir, name), name === ".HEAD.1-x.tmp" ? committed.repeat(20) : "x\n");
    assert.equal(denyingCodes(await verify(root)), ["ledger/unknown-file"], name);
    rmSync(join(dir, name));
  }
  cleanup();
});

test("issue 14.14: the pre-commit check sees the staged HEAD and refuses a history that moved backwards", async () => {
  const root = await gitRepo({ "README.md": "x\n" });
  await appendAll(root, [entryFor("p", 0), entryFor("p", 1)]);
  await git(root, "add", "ops/ledger");
  await git(root, "commit", "-qm", "ledger");
  const dir = join(root, "ops", "ledger");
  // Replace the history with a fresh chain of one (HEAD rewritten to match) and stage it.
  const entry = { seq: 1, prev: GENESIS_PREV, ...entryFor("p", 5) };
  writeFileSync(join(dir, MONTH), `${JSON.stringify(entry)}\n`);
  writeFileSync(join(dir, "HEAD"), `${JSON.stringify({ seq: 1, sha256: entryHash(entry) })}\n`);
  await git(root, "add", "ops/ledger");
  const precommit = await gatehouse(["ops", "precommit", "--root", root, "--format", "json"]);
  assert.is(precommit.exitCode, 1);
  const denying = denyingCodes(precommit);
  assert.ok(denying.includes("ledger/rewritten"));
  assert.ok(denying.includes("ledger/head-mismatch"), denying.join(", "));
  cleanup();
});

test.run();
