import { spawn, spawnSync } from "node:child_process";
import { appendFileSync, existsSync, mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { hostname, tmpdir } from "node:os";
import { join } from "node:path";
import { fileURLToPath } from "node:url";
import { test } from "uvu";
import * as assert from "uvu/assert";
import { appendEntry, canonicalJson, entryHash, GENESIS_PREV, verifyLedger, type LedgerProblem } from "../src/ops/ledger.js";
import { SchemaRegistry } from "../src/schemas/registry.js";
import { entryFor } from "./helpers/sample-entry.js";

/** Temp directories this suite made: removed when it ends. */
const made: string[] = [];

const schemas = new SchemaRegistry();
const appender = fileURLToPath(new URL("./helpers/appender-child.js", import.meta.url));
const cli = fileURLToPath(new URL("../../bin/gatehouse.js", import.meta.url));

function freshDir(): string {
  const root = mkdtempSync(join(tmpdir(), "gatehouse-ledger-"));
  made.push(root);
  return join(root, "ops", "ledger");
}

const NOV = () => new Date("2026-11-21T10:00:00Z");
const DEC = () => new Date("2026-12-02T10:00:00Z");

/** A ledger of `n` entries in 2026-11 and `m` more in 2026-12. */
function ledger(n: number, m = 0): string {
  const dir = freshDir();
  for (let i = 0; i < n; i++) appendEntry(dir, entryFor("t", i), { schemas, now: NOV });
  for (let i = 0; i < m; i++) appendEntry(dir, entryFor("t", n + i), { schemas, now: DEC });
  return dir;
}

function lines(file: string): string[] {
  return readFileSync(file, "utf8").split("\n").slice(0, -1);
}

function write(file: string, rows: string[]): void {
  writeFileSync(file, rows.map((r) => `${r}\n`).join(""));
}

function problems(dir: string): Pick<LedgerProblem, "line" | "kind">[] {
  return verifyLedger(dir, schemas).problems.map((p) => ({ line: p.line, kind: p.kind }));
}

test("canonical JSON is RFC 8785: sorted keys, ES number and string forms, I-JSON only", () => {
  assert.is(canonicalJson({ b: 1, a: [true, null, "x"] }), '{"a":[true,null,"x"],"b":1}');
  // RFC 8785 appendix B number samples.
  assert.is(canonicalJson([1e21, 1e-7, 333333333.33333329, -0, 4.5, 0.002, 1e23]), "[1e+21,1e-7,333333333.3333333,0,4.5,0.002,1e+23]");
  // Keys sort by UTF-16 code units (RFC 8785 3.2.3): "\u20ac" (€) before "\ud83d\ude00" (😀) before "\ufb33".
  assert.is(canonicalJson({ "\ufb33": 1, "\ud83d\ude00": 2, "\u20ac": 3, "\r": 4 }), '{"\\r":4,"\u20ac":3,"\ud83d\ude00":2,"\ufb33":1}');
  assert.is(canonicalJson({ s: "\u0007\u001f\"\\/é" }), '{"s":"\\u0007\\u001f\\"\\\\/é"}');
  assert.throws(() => canonicalJson({ s: "\ud800" }), /lone surrogate/);
  assert.throws(() => canonicalJson({ n: Number.NaN }), /non-finite/);
});

test("append chains entries: seq from 1, prev is the sha256 of the previous canonical entry", () => {
  const dir = ledger(3);
  const rows = lines(join(dir, "2026-11.jsonl")).map((l) => JSON.parse(l) as { seq: number; prev: string });
  assert.equal(rows.map((r) => r.seq), [1, 2, 3]);
  assert.is(rows[0]!.prev, GENESIS_PREV);
  assert.is(rows[1]!.prev, entryHash(rows[0]));
  assert.is(rows[2]!.prev, entryHash(rows[1]));
  assert.equal(problems(dir), []);
});

test("the chain continues across month files", () => {
  const dir = ledger(2, 2);
  assert.equal(readdirSync(dir).sort(), ["2026-11.jsonl", "2026-12.jsonl", "HEAD"]);
  const first = JSON.parse(lines(join(dir, "2026-12.jsonl"))[0]!) as { seq: number; prev: string };
  assert.is(first.seq, 3);
  assert.is(first.prev, entryHash(JSON.parse(lines(join(dir, "2026-11.jsonl"))[1]!)));
  const result = verifyLedger(dir, schemas);
  assert.equal(result.problems, []);
  assert.is(result.entries, 4);
  // An append with a clock behind the newest month still goes to the newest file.
  appendEntry(dir, entryFor("t", 9), { schemas, now: NOV });
  assert.is(lines(join(dir, "2026-12.jsonl")).length, 3);
});

test("verify: an edited entry breaks the next entry's prev (file and line named)", () => {
  const dir = ledger(4);
  const file = join(dir, "2026-11.jsonl");
  const rows = lines(file);
  rows[1] = rows[1]!.replace('"approved_by":"bob"', '"approved_by":"mallory"');
  write(file, rows);
  const found = verifyLedger(dir, schemas).problems;
  assert.equal(found.map((p) => ({ line: p.line, kind: p.kind })), [{ line: 3, kind: "chain" }]);
  assert.match(found[0]!.file, /2026-11\.jsonl$/);
  assert.match(found[0]!.message, /2026-11\.jsonl:2/);
});

test("verify: an edit that also recomputes the next prev still breaks the one after", () => {
  const dir = ledger(4);
  const file = join(dir, "2026-11.jsonl");
  const rows = lines(file).map((l) => JSON.parse(l) as Record<string, unknown>);
  rows[1]!.notes = "forged";
  rows[2]!.prev = entryHash(rows[1]);
  write(file, rows.map((r) => JSON.stringify(r)));
  assert.equal(problems(dir), [{ line: 4, kind: "chain" }]);
});

test("verify: a removed entry is a gap and a broken chain", () => {
  const dir = ledger(4);
  const file = join(dir, "2026-11.jsonl");
  const rows = lines(file);
  rows.splice(1, 1);
  write(file, rows);
  assert.equal(problems(dir), [{ line: 2, kind: "gap" }, { line: 2, kind: "chain" }]);
});

test("verify: reordered entries", () => {
  const dir = ledger(4);
  const file = join(dir, "2026-11.jsonl");
  const rows = lines(file);
  [rows[1], rows[2]] = [rows[2]!, rows[1]!];
  write(file, rows);
  assert.equal(problems(dir), [
    { line: 2, kind: "gap" },
    { line: 2, kind: "chain" },
    { line: 3, kind: "order" },
    { line: 3, kind: "chain" },
    { line: 4, kind: "gap" },
    { line: 4, kind: "chain" },
  ]);
});

test("verify: truncation in the middle (a cut through a line) and a blank line", () => {
  const dir = ledger(4);
  const file = join(dir, "2026-11.jsonl");
  const rows = lines(file);
  rows[1] = rows[1]!.slice(0, 40);
  rows[2] = "";
  write(file, rows);
  assert.equal(problems(dir), [
    { line: 2, kind: "malformed" },
    { line: 3, kind: "malformed" },
    { line: 4, kind: "gap" },
    { line: 4, kind: "chain" },
  ]);
});

test("verify: a removed month file, a renamed one, and an edit in an earlier month", () => {
  const dir = ledger(2, 2);
  appendEntry(dir, entryFor("t", 5), { schemas, now: () => new Date("2027-01-03T00:00:00Z") });
  // Renaming 2026-12 away removes its entries from the chain.
  writeFileSync(join(dir, "2026-12.jsonl.bak"), readFileSync(join(dir, "2026-12.jsonl")));
  rmSync(join(dir, "2026-12.jsonl"));
  const found = verifyLedger(dir, schemas).problems;
  assert.equal(found.map((p) => [p.file.replace(/.*\//, ""), p.line, p.kind]), [
    ["2026-12.jsonl.bak", 0, "layout"],
    ["2027-01.jsonl", 1, "gap"],
    ["2027-01.jsonl", 1, "chain"],
  ]);
  // Restore, then edit the first month: the break shows in the next file.
  writeFileSync(join(dir, "2026-12.jsonl"), readFileSync(join(dir, "2026-12.jsonl.bak")));
  rmSync(join(dir, "2026-12.jsonl.bak"));
  const nov = join(dir, "2026-11.jsonl");
  write(nov, lines(nov).map((l, i) => (i === 1 ? l.replace('"outcome":"SUCCESS"', '"outcome":"PARTIAL"') : l)));
  const again = verifyLedger(dir, schemas).problems;
  assert.equal(again.map((p) => [p.file.replace(/.*\//, ""), p.line, p.kind]), [["2026-12.jsonl", 1, "chain"]]);
});

test("verify: an entry that no longer matches the schema, and a correction of a missing entry", () => {
  const dir = ledger(2);
  appendEntry(dir, { ...entryFor("t", 0), corrects: 1, outcome: "ROLLBACK" }, { schemas, now: NOV });
  assert.equal(problems(dir), []);
  const file = join(dir, "2026-11.jsonl");
  const rows = lines(file).map((l) => JSON.parse(l) as Record<string, unknown>);
  rows[2]!.corrects = 2;
  rows[2]!.operation_id = "OPS-2026-11-21-002";
  rows[1]!.risk_class = "YOLO";
  rows[2]!.prev = entryHash(rows[1]);
  write(file, rows.map((r) => JSON.stringify(r)));
  // The last entry was edited too: HEAD no longer names it.
  assert.equal(problems(dir), [{ line: 2, kind: "invalid" }, { line: 3, kind: "correction" }, { line: 0, kind: "head" }]);
});

test("a correction keeps the original approval record", () => {
  const dir = ledger(3);
  const ok = appendEntry(dir, { ...entryFor("t", 1), corrects: 2, outcome: "ROLLBACK", notes: "health check failed; rolled back" }, { schemas, now: NOV });
  assert.is(ok.entry.seq, 4);
  assert.throws(
    () => appendEntry(dir, { ...entryFor("t", 1), corrects: 2, approved_by: "carol" }, { schemas, now: NOV }),
    /corrects seq 2 but changes its approval record \(approved_by\)/,
  );
  assert.throws(() => appendEntry(dir, { ...entryFor("t", 1), corrects: 9 }, { schemas, now: NOV }), /not an earlier entry/);
  assert.equal(problems(dir), []);
});

test("a torn last line is reported, then set aside by the next append", () => {
  const dir = ledger(3);
  const file = join(dir, "2026-11.jsonl");
  appendFileSync(file, '{"seq":4,"prev":"ab');
  assert.equal(problems(dir), [{ line: 4, kind: "torn" }]);
  const next = appendEntry(dir, entryFor("t", 4), { schemas, now: NOV });
  assert.is(next.entry.seq, 4);
  assert.is(next.line, 4);
  assert.equal(problems(dir), []);
  const torn = readdirSync(dir).filter((f) => f.endsWith(".torn"));
  assert.is(torn.length, 1);
  assert.is(readFileSync(join(dir, torn[0]!), "utf8"), '{"seq":4,"prev":"ab');
});

test("append refuses an invalid entry, a seq/prev supplied by the caller, and a correction of the future", () => {
  const dir = ledger(1);
  assert.throws(() => appendEntry(dir, { ...entryFor("t", 1), risk_class: "YOLO" }, { schemas }), /ops-ledger-entry\.v1/);
  assert.throws(() => appendEntry(dir, { ...entryFor("t", 1), seq: 7 }, { schemas }), /must not carry "seq"/);
  assert.throws(() => appendEntry(dir, { ...entryFor("t", 1), corrects: 5 }, { schemas }), /not an earlier entry/);
  assert.is(lines(join(dir, "2026-11.jsonl")).length, 1);
});

test("a stale lock whose holder is dead is broken; a live one is waited for", () => {
  const dir = ledger(1);
  const dead = spawnSync(process.execPath, ["-e", "process.stdout.write(String(process.pid))"], { encoding: "utf8" });
  writeFileSync(join(dir, ".lock"), JSON.stringify({ pid: Number(dead.stdout), host: hostname(), time: "2026-01-01T00:00:00Z", token: "x" }));
  appendEntry(dir, entryFor("t", 1), { schemas, now: NOV, lockTimeoutMs: 5000 });
  assert.not.ok(existsSync(join(dir, ".lock")));
  writeFileSync(join(dir, ".lock"), JSON.stringify({ pid: process.pid, host: hostname(), time: "2026-01-01T00:00:00Z", token: "mine" }));
  assert.throws(() => appendEntry(dir, entryFor("t", 2), { schemas, now: NOV, lockTimeoutMs: 200 }), /could not take the ledger lock/);
  rmSync(join(dir, ".lock"));
  assert.equal(problems(dir), []);
});

function runAppenders(dir: string, workers: number, each: number): Promise<void> {
  return new Promise((resolve, reject) => {
    let left = workers;
    for (let w = 0; w < workers; w++) {
      const child = spawn(process.execPath, [appender, dir, `w${w}`, String(each)], { stdio: ["ignore", "ignore", "pipe"] });
      let err = "";
      child.stderr.on("data", (d: Buffer) => (err += d.toString()));
      child.on("exit", (code) => {
        if (code !== 0) reject(new Error(`appender w${w} exited ${code}: ${err}`));
        else if (--left === 0) resolve();
      });
    }
  });
}

// The full size, 8 x 500, runs in every `npm test` (about 25-45 s on 2 cores: one fsync
// per entry bounds it). GATEHOUSE_LEDGER_APPENDS overrides the per-process count for quick local runs.
const EACH = Number(process.env.GATEHOUSE_LEDGER_APPENDS ?? 500);

test(`8 processes x ${EACH} concurrent appends: nothing lost, chain verifies`, async () => {
  const dir = freshDir();
  const started = Date.now();
  await runAppenders(dir, 8, EACH);
  process.stderr.write(`8 x ${EACH} appends: ${Date.now() - started} ms\n`);
  const result = verifyLedger(dir, schemas);
  assert.equal(result.problems, []);
  assert.is(result.entries, 8 * EACH);
  const all = readdirSync(dir).filter((f) => f.endsWith(".jsonl")).flatMap((f) => lines(join(dir, f)));
  const tags = new Set(all.map((l) => (JSON.parse(l) as { changes_summary: string }).changes_summary));
  assert.is(tags.size, 8 * EACH);
  for (let w = 0; w < 8; w++) for (let n = 0; n < EACH; n++) assert.ok(tags.has(`w${w}#${n}`), `w${w}#${n} missing`);
});

test("a process killed mid-append leaves the ledger verifiable and appendable", async () => {
  const dir = freshDir();
  for (let round = 0; round < 3; round++) {
    const child = spawn(process.execPath, [appender, dir, `k${round}`, "0"], { stdio: ["ignore", "pipe", "ignore"] });
    await new Promise<void>((resolve) => child.stdout.once("data", () => resolve()));
    await new Promise((r) => setTimeout(r, 50 + round * 37));
    child.kill("SIGKILL");
    await new Promise((r) => child.once("exit", r));
    // The killed holder's lock may remain: the next append must break it (holder pid is dead).
    const before = verifyLedger(dir, schemas);
    assert.equal(before.problems.filter((p) => p.kind !== "torn"), []);
    const next = appendEntry(dir, entryFor("after", round), { schemas, lockTimeoutMs: 5000 });
    assert.is(next.entry.seq, before.entries + 1);
    assert.equal(verifyLedger(dir, schemas).problems, []);
  }
});

test("a process killed while holding the lock, before its write: the next append breaks the stale lock", async () => {
  const dir = freshDir();
  const child = spawn(process.execPath, [appender, dir, "holder", "0"], { stdio: ["ignore", "pipe", "ignore"], env: { ...process.env, GATEHOUSE_TEST_HOLD: "1" } });
  let seen = "";
  await new Promise<void>((resolve) => {
    child.stdout.on("data", (d: Buffer) => {
      seen += d.toString();
      if (seen.includes("holding")) resolve();
    });
  });
  assert.ok(existsSync(join(dir, ".lock")), "the child holds the lock");
  child.kill("SIGKILL");
  await new Promise((r) => child.once("exit", r));
  assert.ok(existsSync(join(dir, ".lock")), "the dead holder's lock is left behind");
  assert.equal(verifyLedger(dir, schemas).problems, []);
  const next = appendEntry(dir, entryFor("after", 0), { schemas, lockTimeoutMs: 5000 });
  assert.is(next.entry.seq, 2);
  assert.not.ok(existsSync(join(dir, ".lock")));
  assert.equal(readdirSync(dir).filter((f) => f.startsWith(".lock")), [], "stale lock and its temp files are gone");
  assert.equal(verifyLedger(dir, schemas).problems, []);
});

test("CLI: ledger verify names file and line and exits 1; append denies self-approval", () => {
  const dir = ledger(3);
  const file = join(dir, "2026-11.jsonl");
  const rows = lines(file);
  rows.splice(1, 1);
  write(file, rows);
  const verify = spawnSync(process.execPath, [cli, "ledger", "verify", "--dir", dir, "--root", join(dir, "..", "..")], { encoding: "utf8" });
  assert.is(verify.status, 1);
  assert.match(verify.stdout, /ledger\/broken/);
  assert.match(verify.stdout, /2026-11\.jsonl:2: seq 3 where 2 was expected/);
  // A torn line is reported by the CLI with its own code.
  appendFileSync(file, '{"seq": 99');
  const torn = spawnSync(process.execPath, [cli, "ledger", "verify", "--dir", dir, "--root", join(dir, "..", "..")], { encoding: "utf8" });
  assert.is(torn.status, 1);
  assert.match(torn.stdout, /ledger\/malformed/);
  const entryFile = join(dir, "..", "entry.json");
  writeFileSync(entryFile, JSON.stringify({ ...entryFor("cli", 0), risk_class: "SERVICE_RESTART", approved_by: "alice", rollback_ref: "r" }));
  const fresh = freshDir();
  const append = spawnSync(process.execPath, [cli, "ledger", "append", entryFile, "--dir", fresh, "--root", join(dir, "..", "..")], { encoding: "utf8" });
  assert.is(append.status, 1);
  assert.match(append.stdout, /ops\/self-approval/);
  assert.not.ok(existsSync(join(fresh, "2026-11.jsonl")));
});

test.after(() => {
  for (const dir of made) rmSync(dir, { recursive: true, force: true });
});

test.run();
