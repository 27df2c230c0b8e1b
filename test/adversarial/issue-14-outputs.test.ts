// Issue 14, items 11 and 15: output files. A report used to be written to a temp file renamed
// over whatever was at the path: as root, `--format json=/dev/null` turned the machine's
// /dev/null into a regular file, and a symlink at the path was replaced. Now only a regular
// file (or nothing) is replaced; devices and FIFOs with a reader are written in place, links and
// the run's own inputs are refused; temp files of killed runs are cleaned and never read.

import { execFileSync, spawn, spawnSync } from "node:child_process";
import { existsSync, lstatSync, mkdirSync, readdirSync, readFileSync, readlinkSync, rmSync, statSync, symlinkSync, utimesSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { test } from "uvu";
import * as assert from "uvu/assert";
import { fixturesCollector } from "../../src/collectors/fixtures.js";
import { appendEntry } from "../../src/ops/ledger.js";
import { entryFor } from "../helpers/sample-entry.js";
import { gatehouse, NOW, promotionCopy, repo, withRepo } from "./harness.js";

const POLICY = { "policy/main.rego": 'package main\n\ndeny contains "x is set" if input.x\n', "in.json": '{"x": false}' };

/** A pid that no process has now: a child that has exited. */
function deadPid(): number {
  const child = spawnSync(process.execPath, ["-e", "process.stdout.write(String(process.pid))"], { encoding: "utf8" });
  return Number(child.stdout);
}

test("issue 14.11: a character device at a --format path is written in place and stays a character device", () => {
  withRepo("adversarial-device", POLICY, (root) => {
    // Our own null device (major 1, minor 3) when we may create one: a regression replaces this
    // node, not the machine's /dev/null.
    let own: string | undefined = join(root, "null");
    try {
      execFileSync("mknod", ["-m", "666", own, "c", "1", "3"], { stdio: "ignore" });
    } catch {
      own = undefined; // not root: only the /dev/null check below
    }
    if (own !== undefined) {
      const run = gatehouse(["check", "--policy", "policy", "in.json", "--format", `json=${own}`], root);
      assert.is(run.code, 0, run.stderr);
      assert.ok(lstatSync(own).isCharacterDevice(), "the device node was replaced by a regular file");
    }
    // Only once the same write kept our own node a device (or as a non-root user, who cannot
    // replace /dev/null anyway): the machine's /dev/null.
    const run = gatehouse(["check", "--policy", "policy", "in.json", "--format", "json=/dev/null"], root);
    assert.is(run.code, 0, run.stderr);
    assert.ok(statSync("/dev/null").isCharacterDevice(), "/dev/null is no longer a character device");
    assert.equal(readdirSync("/dev").filter((n) => n.startsWith("null.tmp-")), []);
  });
});

test("issue 14.11: a symlink at a --format path is refused (exit 2, named) and neither it nor its target changes", () => {
  withRepo("adversarial-symlink", { ...POLICY, "target.txt": "keep me\n" }, (root) => {
    symlinkSync("target.txt", join(root, "report.json"));
    const run = gatehouse(["check", "--policy", "policy", "in.json", "--format", "json=report.json"], root);
    assert.is(run.code, 2, run.stdout + run.stderr);
    assert.match(run.stderr, /report\.json: is a symbolic link/);
    assert.ok(lstatSync(join(root, "report.json")).isSymbolicLink());
    assert.is(readlinkSync(join(root, "report.json")), "target.txt");
    assert.is(readFileSync(join(root, "target.txt"), "utf8"), "keep me\n");
  });
});

test("issue 14.11: a FIFO at a --format path: refused at once without a reader, written in place with one", async () => {
  const root = repo("adversarial-fifo-out", POLICY);
  try {
    const fifo = join(root, "report.fifo");
    execFileSync("mkfifo", [fifo]);
    const alone = gatehouse(["check", "--policy", "policy", "in.json", "--format", `json=${fifo}`], root, { timeoutMs: 20_000 });
    assert.not.ok(alone.timedOut, "hung on a FIFO nobody reads");
    assert.is(alone.code, 2, alone.stderr);
    assert.match(alone.stderr, /report\.fifo: is a FIFO that nobody is reading/);
    // With a reader: the report arrives through the FIFO, which stays a FIFO.
    const reader = spawn("cat", [fifo]);
    let received = "";
    reader.stdout.on("data", (chunk: Buffer) => (received += chunk.toString()));
    const done = new Promise((resolve) => reader.on("close", resolve));
    // cat opens the FIFO asynchronously: wait until it holds it open.
    for (let i = 0; i < 100 && !received && !existsSync(`/proc/${reader.pid}/fd/3`); i++) await new Promise((r) => setTimeout(r, 20));
    const run = gatehouse(["check", "--policy", "policy", "in.json", "--format", `json=${fifo}`], root, { timeoutMs: 20_000 });
    await done;
    assert.is(run.code, 0, run.stderr);
    assert.is(JSON.parse(received).verdict, "allow");
    assert.ok(lstatSync(fifo).isFIFO());
  } finally {
    rmSync(root, { recursive: true, force: true });
  }
});

test("issue 14.11: /dev/stdout as a --format target is written to stdout, not replaced", () => {
  withRepo("adversarial-stdout", POLICY, (root) => {
    const run = gatehouse(["check", "--policy", "policy", "in.json", "--format", "text=/dev/stdout", "--format", "json"], root);
    assert.is(run.code, 0, run.stderr);
    assert.match(run.stdout, /ALLOW/);
    assert.match(run.stdout, /"verdict": "allow"/);
  });
});

test("issue 14.11: --summary-out (or --format FILE) over the receipt being verified is refused and the receipt is unchanged", () => {
  const { root, dir } = promotionCopy();
  try {
    const receipt = join(dir, "run.receipt.json");
    const before = readFileSync(receipt, "utf8");
    symlinkSync("run.receipt.json", join(dir, "alias.json"));
    // A summary is only written signed (issue 14.10): the refusal must come from the path, not the key.
    assert.is(gatehouse(["keys", "generate", "ci"], dir).code, 0);
    for (const out of ["run.receipt.json", "alias.json", "./run.receipt.json"]) {
      const run = gatehouse(["promote", "verify", "run.receipt.json", "--registry", "watcher-registry.json", "--now", NOW, "--sign-key", "ci.key", "--summary-out", out], dir);
      assert.is(run.code, 2, `${out}: ${run.stdout}${run.stderr}`);
      assert.match(run.stderr, /--summary-out would overwrite .*run\.receipt\.json/);
      assert.is(readFileSync(receipt, "utf8"), before, out);
    }
    // The registry and the manifest are inputs too; so is every file a report would land on.
    const manifest = gatehouse(["promote", "verify", "run.receipt.json", "--registry", "watcher-registry.json", "--now", NOW, "--sign-key", "ci.key", "--summary-out", "run.manifest.json"], dir);
    assert.is(manifest.code, 2, manifest.stderr);
    const report = gatehouse(["promote", "verify", "run.receipt.json", "--registry", "watcher-registry.json", "--now", NOW, "--format", "json=run.receipt.json"], dir);
    assert.is(report.code, 2, report.stderr);
    assert.is(readFileSync(receipt, "utf8"), before);
  } finally {
    rmSync(root, { recursive: true, force: true });
  }
});

test("issue 14.15: temp files left by a killed run are removed by the next write; a live process's are kept", () => {
  withRepo("adversarial-temps", POLICY, (root) => {
    const dead = join(root, `report.json.tmp-${deadPid()}`);
    const live = join(root, `report.json.tmp-${process.pid}`);
    const old = join(root, `report.json.tmp-${process.pid}0`);
    writeFileSync(dead, "half a report");
    writeFileSync(live, "being written");
    writeFileSync(old, "a day old");
    const dayAgo = new Date(Date.now() - 24 * 3600 * 1000);
    utimesSync(old, dayAgo, dayAgo);
    const run = gatehouse(["check", "--policy", "policy", "in.json", "--format", "json=report.json"], root);
    assert.is(run.code, 0, run.stderr);
    assert.not.ok(existsSync(dead), "the dead run's temp file is still there");
    assert.not.ok(existsSync(old), "a temp file older than the threshold is still there");
    assert.ok(existsSync(live), "a live process's temp file was removed");
    assert.is(JSON.parse(readFileSync(join(root, "report.json"), "utf8")).verdict, "allow");
  });
});

test("issue 14.15: temp files are never read as data (fixture suites, inputs of a directory walk)", async () => {
  const root = repo("adversarial-temp-data", {
    ...POLICY,
    "fixtures/gate-report.v1/ok.json": JSON.stringify({ description: "d", tests: [] }),
    [`fixtures/gate-report.v1/ok.json.tmp-${deadPid()}`]: '{"desc',
    "dir/a.json": '{"x": false}',
    [`dir/a.json.tmp-${deadPid()}`]: '{"x": true}',
  });
  try {
    const collected = await fixturesCollector.collect({ root, options: {}, config: undefined } as never);
    assert.equal(collected.findings, []);
    assert.equal(collected.inputs.map((i) => i.display.split("/").pop()), ["ok.json"]);
    const run = gatehouse(["check", "--policy", "policy", "dir"], root);
    assert.is(run.code, 0, run.stdout);
  } finally {
    rmSync(root, { recursive: true, force: true });
  }
});

test("issue 14.15: lock temp files of processes killed while waiting are removed by the next append", () => {
  withRepo("adversarial-lock-temps", {}, (root) => {
    const dir = join(root, "ledger");
    mkdirSync(dir);
    const stale = join(dir, `.lock.${deadPid()}-abc123.tmp`);
    writeFileSync(stale, "{}");
    appendEntry(dir, entryFor("adversarial", 1));
    assert.not.ok(existsSync(stale), "the dead waiter's lock temp file is still there");
  });
});

test.run();
