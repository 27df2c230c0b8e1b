// Issue 14, the third adversarial pass (by someone who did not write the fixes): the policy
// service's answers through `gate --server`, closed output directories, and the ledger reached
// through links. Each case failed open, crashed or wrote outside its place on the main the pass
// started from; the whole CLI runs in-process (test/helpers/adversarial.ts).

import { createServer, type Server } from "node:http";
import type { AddressInfo } from "node:net";
import { appendFileSync, chmodSync, cpSync, existsSync, mkdirSync, mkdtempSync, readdirSync, readFileSync, renameSync, rmSync, symlinkSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { test } from "uvu";
import * as assert from "uvu/assert";
import { packagePath } from "../../src/core/paths.js";
import { entryHash } from "../../src/ops/ledger.js";
import { cleanup, denyingCodes, findingsOf, gatehouse, git, gitRepo, tempRepo } from "../helpers/adversarial.js";
import { entryFor } from "../helpers/sample-entry.js";

// ---- gate --server: a lying or broken policy service ------------------------------------------

/** An HTTP server answering GET .../policy/effective with `answer` (a string, or a function streaming into the response). */
async function lyingService(answer: string | ((res: import("node:http").ServerResponse) => void)): Promise<{ url: string; server: Server }> {
  const server = createServer((req, res) => {
    req.resume();
    req.on("end", () => {
      res.setHeader("content-type", "application/json");
      if (!req.url?.endsWith("/policy/effective")) {
        res.statusCode = 404;
        res.end('{"message":"no"}');
      } else if (typeof answer === "string") {
        res.end(answer);
      } else {
        answer(res);
      }
    });
  });
  await new Promise<void>((done) => server.listen(0, "127.0.0.1", done));
  return { url: `http://127.0.0.1:${(server.address() as AddressInfo).port}`, server };
}

function closeService(server: Server): Promise<void> {
  server.closeAllConnections();
  return new Promise((done) => server.close(() => done()));
}

/** A repository the gate can run in (no collector: the local run alone would deny gate/no-inputs). */
function gateRepo(): string {
  return tempRepo({ "gatehouse.config.yaml": "version: 1\ncollectors: {}\n" });
}

const gateWith = (root: string, url: string) => gatehouse(["gate", "--root", root, "--server", url, "--project", "p"], { GATEHOUSE_TOKEN: "t" });

/** An answer of the promised shape (schemas/api/effective-policy.v1) naming the pack `key`@`version`. */
function effectiveAnswer(key: string, version: string): string {
  return JSON.stringify({ project: "p", policy: {}, hash: "0".repeat(64), pack: { key, version, status: "active" }, overrides: {}, repoLocal: false, document: { hello: 1 }, answers: {} });
}

test("issue 14.11: a policy service naming its pack ../../x writes no file outside the run's temp directory (exit 2)", async () => {
  const root = gateRepo();
  const escapeTo = mkdtempSync(join(tmpdir(), "gatehouse-thirdpass-escape-"));
  // From tmpdir()/gatehouse-remote-pack-XXXX, enough ../ to reach / and then down into escapeTo.
  const key = `${"../".repeat(12)}${escapeTo.slice(1)}/pwned`;
  try {
    for (const [packKey, version] of [[key, "1.0"], ["default", `1.0/${"../".repeat(12)}${escapeTo.slice(1)}/pwned`]] as const) {
      const { url, server } = await lyingService(effectiveAnswer(packKey, version));
      try {
        const run = await gateWith(root, url);
        assert.is(run.exitCode, 2, run.stdout + run.stderr);
        assert.match(run.stderr, /ConfigError: the policy service named the pack/);
        assert.equal(readdirSync(escapeTo), [], "nothing was written where the service's pack name pointed");
      } finally {
        await closeService(server);
      }
    }
  } finally {
    rmSync(escapeTo, { recursive: true, force: true });
    cleanup();
  }
});

test("issue 14.12: a policy service's endless answer is cut off at the cap, and answers of another shape are refused (exit 2, ConfigError, no crash)", async () => {
  const root = gateRepo();
  const chunk = Buffer.alloc(1024 * 1024, 0x20);
  const shapes: (string | ((res: import("node:http").ServerResponse) => void))[] = [
    "{}",
    "null",
    "[]",
    JSON.stringify({ ...JSON.parse(effectiveAnswer("default", "1.0")), answers: null, overrides: null }),
    (res) => {
      // 1 GiB of whitespace inside an array: far past the cap, cut off long before the end.
      res.write("[");
      let sent = 0;
      const pump = () => {
        while (sent < 1024 && res.write(chunk)) sent++;
        if (sent < 1024) res.once("drain", pump);
        else res.end("]");
      };
      pump();
    },
  ];
  try {
    for (const shape of shapes) {
      const { url, server } = await lyingService(shape);
      try {
        const run = await gateWith(root, url);
        assert.is(run.exitCode, 2, `${typeof shape === "string" ? shape : "endless"}: ${run.stdout}${run.stderr}`);
        assert.match(run.stderr, /ConfigError: the policy service/, run.stderr);
        assert.not.match(run.stderr, /InternalError/);
      } finally {
        await closeService(server);
      }
    }
  } finally {
    cleanup();
  }
});

// ---- promotion: a closed output directory that closes nothing ----------------------------------

function promotionWith(change: (receipt: Record<string, unknown>, dir: string) => void): string {
  const root = tempRepo({});
  const dir = join(root, "promotion");
  cpSync(packagePath("examples", "promotion"), dir, { recursive: true });
  const file = join(dir, "run.receipt.json");
  const receipt = JSON.parse(readFileSync(file, "utf8")) as Record<string, unknown>;
  change(receipt, dir);
  writeFileSync(file, JSON.stringify(receipt, null, 2));
  return dir;
}

const verifyClosed = (dir: string) =>
  gatehouse(["promote", "verify", join(dir, "run.receipt.json"), "--registry", join(dir, "watcher-registry.json"), "--closed", "--format", "json"]);

test("issue 14.5: a closed output directory that does not hold the declared outputs, or links out of the receipt's directory, closes nothing: it denies", async () => {
  const outside = mkdtempSync(join(tmpdir(), "gatehouse-thirdpass-closed-"));
  try {
    const honest = promotionWith((r) => (r.closedOutputs = { directory: "outputs" }));
    assert.is((await verifyClosed(honest)).exitCode, 0);
    // An undeclared file beside the outputs, with the closed world moved to an empty directory.
    const empty = promotionWith((r, dir) => {
      r.closedOutputs = { directory: "outputs/empty" };
      mkdirSync(join(dir, "outputs", "empty"));
      writeFileSync(join(dir, "outputs", "keys.txt"), "secret\n");
    });
    const emptyRun = await verifyClosed(empty);
    assert.is(emptyRun.exitCode, 1, emptyRun.stdout);
    assert.equal(denyingCodes(emptyRun), ["promotion/output-undeclared"]);
    assert.ok(findingsOf(emptyRun).some((f) => /does not hold the declared output/.test(f.message)), emptyRun.stdout);
    // The closed world is a link to an empty directory outside the receipt's directory.
    const linked = promotionWith((r, dir) => {
      r.closedOutputs = { directory: "closed" };
      symlinkSync(outside, join(dir, "closed"));
      writeFileSync(join(dir, "outputs", "keys.txt"), "secret\n");
    });
    const linkedRun = await verifyClosed(linked);
    assert.is(linkedRun.exitCode, 1, linkedRun.stdout);
    assert.equal(denyingCodes(linkedRun), ["promotion/output-undeclared"]);
    // Moved where the outputs are, the same link is listed where it really is: outside.
    const all = promotionWith((r, dir) => {
      renameSync(join(dir, "outputs"), join(outside, "outputs"));
      symlinkSync(join(outside, "outputs"), join(dir, "outputs"));
      r.closedOutputs = { directory: "outputs" };
    });
    const allRun = await verifyClosed(all);
    assert.is(allRun.exitCode, 1, allRun.stdout);
    assert.ok(findingsOf(allRun).some((f) => f.code === "promotion/output-undeclared" && /link out of the receipt's directory/.test(f.message)), allRun.stdout);
  } finally {
    rmSync(outside, { recursive: true, force: true });
    cleanup();
  }
});

// ---- the ledger through links -----------------------------------------------------------------

/** A repository whose ledger holds two entries appended through the CLI. */
async function ledgerRepo(): Promise<{ root: string; dir: string; month: string }> {
  const root = tempRepo({ "gatehouse.config.yaml": "version: 1\ncollectors: {}\n" });
  mkdirSync(join(root, ".git"));
  for (const n of [0, 1]) {
    writeFileSync(join(root, `e${n}.json`), JSON.stringify(entryFor("thirdpass", n)));
    const appended = await gatehouse(["ledger", "append", join(root, `e${n}.json`), "--root", root]);
    assert.is(appended.exitCode, 0, appended.stdout + appended.stderr);
  }
  const dir = join(root, "ops", "ledger");
  const month = readdirSync(dir).find((f) => f.endsWith(".jsonl"))!;
  return { root, dir, month };
}

const verifyLedger = (root: string) => gatehouse(["ledger", "verify", "--root", root, "--format", "json"]);

test("issue 14.14: ledger month files and HEAD reached through a link are refused, not verified as the repository's", async () => {
  const keep = mkdtempSync(join(tmpdir(), "gatehouse-thirdpass-ledger-"));
  try {
    const { root, dir, month } = await ledgerRepo();
    assert.is((await verifyLedger(root)).exitCode, 0);
    // The month file's bytes live outside the repository; git would hold only the link.
    renameSync(join(dir, month), join(keep, month));
    symlinkSync(join(keep, month), join(dir, month));
    const monthRun = await verifyLedger(root);
    assert.is(monthRun.exitCode, 1, monthRun.stdout);
    assert.ok(findingsOf(monthRun).some((f) => /symbolic link/.test(f.message)), monthRun.stdout);
    rmSync(join(dir, month));
    renameSync(join(keep, month), join(dir, month));
    // HEAD likewise.
    renameSync(join(dir, "HEAD"), join(keep, "HEAD"));
    symlinkSync(join(keep, "HEAD"), join(dir, "HEAD"));
    const headRun = await verifyLedger(root);
    assert.is(headRun.exitCode, 1, headRun.stdout);
    assert.equal(denyingCodes(headRun), ["ledger/head-mismatch"]);
    rmSync(join(dir, "HEAD"));
    renameSync(join(keep, "HEAD"), join(dir, "HEAD"));
    assert.is((await verifyLedger(root)).exitCode, 0);
  } finally {
    rmSync(keep, { recursive: true, force: true });
    cleanup();
  }
});

test("issue 14.14: a dangling link in the ledger directory is an unknown file (exit 1), not a crash (exit 2)", async () => {
  try {
    const { root, dir } = await ledgerRepo();
    symlinkSync(join(dir, "no-such-file"), join(dir, "stray"));
    const run = await verifyLedger(root);
    assert.is(run.exitCode, 1, run.stdout + run.stderr);
    assert.equal(denyingCodes(run), ["ledger/unknown-file"]);
  } finally {
    cleanup();
  }
});

test("issue 14.14: a configured ledger directory that is a link out of the repository is refused by verify, append and anchor (exit 2); --dir still names one on purpose", async () => {
  const elsewhere = mkdtempSync(join(tmpdir(), "gatehouse-thirdpass-elsewhere-"));
  try {
    const { root, dir } = await ledgerRepo();
    const moved = join(elsewhere, "ledger");
    cpSync(dir, moved, { recursive: true });
    rmSync(dir, { recursive: true });
    symlinkSync(moved, dir);
    const before = readdirSync(moved).map((f) => readFileSync(join(moved, f), "utf8"));
    writeFileSync(join(root, "e9.json"), JSON.stringify(entryFor("thirdpass", 9)));
    for (const args of [["ledger", "verify"], ["ledger", "append", join(root, "e9.json")], ["ledger", "anchor"]]) {
      const run = await gatehouse([...args, "--root", root]);
      assert.is(run.exitCode, 2, `${args.join(" ")}: ${run.stdout}${run.stderr}`);
      assert.match(run.stderr, /link out of the repository/);
    }
    assert.equal(readdirSync(moved).map((f) => readFileSync(join(moved, f), "utf8")), before, "nothing was appended to the linked ledger");
    assert.is((await gatehouse(["ledger", "verify", "--root", root, "--dir", moved])).exitCode, 0);
    assert.ok(existsSync(join(moved, "HEAD")));
  } finally {
    rmSync(elsewhere, { recursive: true, force: true });
    cleanup();
  }
});

test("issue 14.14: ledger verify --base judges what was appended since the base's head with the risk matrix (a self-approved restart written by hand, chain and HEAD recomputed, used to verify)", async () => {
  try {
    const root = await gitRepo({ "gatehouse.config.yaml": "version: 1\ncollectors: {}\n" });
    for (const n of [0, 1]) {
      writeFileSync(join(root, `e${n}.json`), JSON.stringify(entryFor("judged", n)));
      assert.is((await gatehouse(["ledger", "append", join(root, `e${n}.json`), "--root", root])).exitCode, 0);
    }
    await git(root, "add", "-A");
    await git(root, "commit", "-qm", "ledger");
    const dir = join(root, "ops", "ledger");
    const month = readdirSync(dir).find((f) => f.endsWith(".jsonl"))!;
    // An entry append would refuse (self-approved restart, no rollback reference), written by hand.
    const rows = readFileSync(join(dir, month), "utf8").split("\n").filter(Boolean).map((l) => JSON.parse(l) as Record<string, unknown>);
    const forged = { seq: 3, prev: entryHash(rows[1]), ...entryFor("judged", 7), risk_class: "SERVICE_RESTART", requested_by: "mallory", approved_by: "mallory", rollback_ref: "" };
    appendFileSync(join(dir, month), `${JSON.stringify(forged)}\n`);
    writeFileSync(join(dir, "HEAD"), `${JSON.stringify({ seq: 3, sha256: entryHash(forged) })}\n`);
    const run = await gatehouse(["ledger", "verify", "--root", root, "--base", "HEAD", "--format", "json"]);
    assert.is(run.exitCode, 1, run.stdout);
    assert.equal(denyingCodes(run), ["ops/missing-rollback-ref", "ops/self-approval"]);
    // An honest append since the base verifies.
    await git(root, "checkout", "--", "ops/ledger");
    writeFileSync(join(root, "e2.json"), JSON.stringify(entryFor("judged", 2)));
    assert.is((await gatehouse(["ledger", "append", join(root, "e2.json"), "--root", root])).exitCode, 0);
    const honest = await gatehouse(["ledger", "verify", "--root", root, "--base", "HEAD"]);
    assert.is(honest.exitCode, 0, honest.stdout + honest.stderr);
  } finally {
    cleanup();
  }
});

// ---- configuration: a hostile config in a parent directory --------------------------------------

test("issue 14.4: a config in a directory anyone may write to (/tmp) is not taken by walking up from a project below it (exit 2); --config still names it", async () => {
  // shared/ stands for /tmp: mode 1777. A stranger's config there routes every file to a policy that allows all.
  const shared = tempRepo({
    "gatehouse.config.yaml": 'version: 1\ncollectors:\n  files:\n    - glob: "**/*.yaml"\n      namespace: main\npolicies:\n  - path: allow-all\n    namespaces: [main]\n',
    "allow-all/main.rego": "package main\n\ndeny contains msg if {\n\tfalse\n\tmsg := \"never\"\n}\n",
    "project/deploy/prod.yaml": "bad: true\n",
  });
  chmodSync(shared, 0o1777);
  const saved = process.cwd();
  try {
    process.chdir(join(shared, "project"));
    const walked = await gatehouse(["gate"]);
    assert.is(walked.exitCode, 2, walked.stdout + walked.stderr);
    assert.match(walked.stderr, /anyone may write to/);
    process.chdir(saved);
    const named = await gatehouse(["gate", "--config", join(shared, "gatehouse.config.yaml")]);
    assert.is(named.exitCode, 0, named.stdout + named.stderr);
  } finally {
    process.chdir(saved);
    chmodSync(shared, 0o700);
    cleanup();
  }
});

test("issue 14.12: a file the files collector matches that links out of the project root is refused (input/unreadable), not judged as the repository's file", async () => {
  const outside = tempRepo({ "prod.yaml": "bad: false\n" });
  const root = tempRepo({
    "gatehouse.config.yaml": 'version: 1\ncollectors:\n  files:\n    - glob: "deploy/*.yaml"\n      namespace: main\npolicies:\n  - path: policy\n    namespaces: [main]\n',
    "policy/main.rego": 'package main\n\ndeny contains "bad is set" if input.bad\n',
    "deploy/staging.yaml": "bad: false\n",
  });
  // The committed link points at a harmless file elsewhere: judging it would allow what is not in the repository.
  symlinkSync(join(outside, "prod.yaml"), join(root, "deploy", "prod.yaml"));
  try {
    const run = await gatehouse(["gate", "--root", root, "--format", "json"]);
    assert.is(run.exitCode, 1, run.stdout + run.stderr);
    assert.equal(denyingCodes(run), ["input/unreadable"]);
    assert.equal(findingsOf(run).filter((f) => f.code === "input/unreadable").map((f) => (f as { input?: string }).input), [join(root, "deploy", "prod.yaml")]);
    // A link that stays inside the root is read as before.
    rmSync(join(root, "deploy", "prod.yaml"));
    symlinkSync("staging.yaml", join(root, "deploy", "prod.yaml"));
    const inside = await gatehouse(["gate", "--root", root, "--format", "json"]);
    assert.is(inside.exitCode, 0, inside.stdout + inside.stderr);
  } finally {
    cleanup();
  }
});

test("issue 14.12: --max-input-bytes and --timeout take whole positive numbers only (Infinity would lift the cap; exit 2)", async () => {
  const root = tempRepo({ "policy/main.rego": 'package main\n\ndeny contains "x" if input.x\n', "a.json": '{"x": false}' });
  try {
    for (const [flag, value] of [["--max-input-bytes", "1e999"], ["--max-input-bytes", "0.5"], ["--max-input-bytes", "-1"], ["--timeout", "Infinity"], ["--timeout", "2.5"]] as const) {
      const run = await gatehouse(["check", "--policy", join(root, "policy"), join(root, "a.json"), flag, value]);
      assert.is(run.exitCode, 2, `${flag} ${value}: ${run.stdout}${run.stderr}`);
      assert.match(run.stderr, /must be a positive whole number/, `${flag} ${value}`);
    }
    const ok = await gatehouse(["check", "--policy", join(root, "policy"), join(root, "a.json"), "--max-input-bytes", "1000", "--timeout", "5000"]);
    assert.is(ok.exitCode, 0, ok.stdout + ok.stderr);
  } finally {
    cleanup();
  }
});

test.run();
