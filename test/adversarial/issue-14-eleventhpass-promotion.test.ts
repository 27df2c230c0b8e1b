// Issue 14, eleventh pass, promotion: the receipts collector read a globbed receipt through a
// committed link out of the repository (its parse error printed the first bytes of the target,
// /proc/self/environ or a token file, into the report); `promote receipt create --force` wrote the
// receipt over the manifest it links or over an output it skips (data loss); and `receipt create
// --manifest` read the manifest with readFileSync (a FIFO hung it, /dev/zero grew memory).

import { execFileSync } from "node:child_process";
import { readFileSync, rmSync, symlinkSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { test } from "uvu";
import * as assert from "uvu/assert";
import { codesOf, gatehouse, promotionCopy, repo, withRepo } from "./harness.js";

const SECRET = "hunter2-SECRET-TOKEN";

test("a globbed receipt linked out of the repository is refused unread, naming the file", () => {
  const outside = repo("eleventhpass-outside", { "token.txt": `${SECRET}\n` });
  try {
    withRepo("eleventhpass-receipts", { "gatehouse.config.yaml": "version: 1\ncollectors:\n  receipts: {}\n" }, (root) => {
      execFileSync("mkdir", ["-p", join(root, "runs")]);
      symlinkSync(join(outside, "token.txt"), join(root, "runs", "evil.receipt.json"));
      const r = gatehouse(["gate"], root);
      assert.is(r.code, 1, r.stdout + r.stderr);
      assert.ok(codesOf(r.stdout).includes("input/unreadable"), r.stdout);
      assert.match(r.stdout, /runs\/evil\.receipt\.json \[input\/unreadable\] cannot read receipt: it resolves outside its root directory/);
      assert.not.match(r.stdout + r.stderr, /hunter2/);
    });
  } finally {
    rmSync(outside, { recursive: true, force: true });
  }
});

function create(dir: string, out: string, manifest = "run.manifest.json") {
  return gatehouse(["promote", "receipt", "create", "outputs", "--manifest", manifest, "--out", out, "--force", "--provider", "https://ci.example.com/runners/ml-train"], dir);
}

test("receipt create --force never replaces the manifest it links or an output", () => {
  const { root, dir } = promotionCopy();
  try {
    const manifest = readFileSync(join(dir, "run.manifest.json"));
    const output = readFileSync(join(dir, "outputs", "metrics.csv"));
    let r = create(dir, "run.manifest.json");
    assert.is(r.code, 2, r.stdout + r.stderr);
    assert.match(r.stderr, /run\.manifest\.json: --out would overwrite .*run\.manifest\.json, which this run reads/);
    assert.equal(readFileSync(join(dir, "run.manifest.json")), manifest);
    r = create(dir, "outputs/metrics.csv");
    assert.is(r.code, 2, r.stdout + r.stderr);
    assert.match(r.stderr, /outputs\/metrics\.csv: a file of the output directory that is not a run receipt/);
    assert.equal(readFileSync(join(dir, "outputs", "metrics.csv")), output);
    // An earlier receipt kept in the output directory is still regenerated.
    assert.is(create(dir, "outputs/run.receipt.json").code, 0);
    r = create(dir, "outputs/run.receipt.json");
    assert.is(r.code, 0, r.stdout + r.stderr);
    assert.match(r.stdout, /wrote outputs\/run\.receipt\.json: 4 outputs/);
  } finally {
    rmSync(root, { recursive: true, force: true });
  }
});

test("receipt create refuses a manifest that is a FIFO or a device, without waiting", () => {
  const { root, dir } = promotionCopy();
  try {
    execFileSync("mkfifo", [join(dir, "fifo.manifest.json")]);
    let r = create(dir, "run.receipt.json", "fifo.manifest.json");
    assert.is(r.timedOut, false);
    assert.is(r.code, 2, r.stdout + r.stderr);
    assert.match(r.stderr, /fifo\.manifest\.json: cannot read the manifest: a FIFO, not a regular file/);
    r = create(dir, "run.receipt.json", "/dev/zero");
    assert.is(r.code, 2, r.stdout + r.stderr);
    assert.match(r.stderr, /\/dev\/zero: cannot read the manifest: a character device, not a regular file/);
    writeFileSync(join(dir, "latin1.manifest.json"), Buffer.from('{"runId": "caf\xe9"}', "latin1"));
    r = create(dir, "run.receipt.json", "latin1.manifest.json");
    assert.is(r.code, 2, r.stdout + r.stderr);
  } finally {
    rmSync(root, { recursive: true, force: true });
  }
});

test.run();
