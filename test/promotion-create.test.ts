// `gatehouse promote manifest create` and `promote receipt create`: documents written from what
// is on disk, verified by `promote verify`, closed world, and schema errors pointing into the
// receipt itself (issue 15).

import { spawnSync } from "node:child_process";
import { createHash } from "node:crypto";
import { cpSync, mkdirSync, mkdtempSync, readFileSync, rmSync, statSync, symlinkSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { test } from "uvu";
import * as assert from "uvu/assert";
import { packagePath } from "../src/core/paths.js";
import { mediaTypeFor } from "../src/promotion/create.js";
import { SchemaRegistry } from "../src/schemas/registry.js";

const BIN = packagePath("bin", "gatehouse.js");
const NOW = "2025-06-02T00:00:00Z";
const PROVIDER = "https://ci.example.com/runners/ml-train";
const schemas = new SchemaRegistry();

function cli(args: string[], cwd: string) {
  const r = spawnSync(process.execPath, [BIN, ...args], { cwd, encoding: "utf8", env: { PATH: process.env.PATH ?? "", HOME: process.env.HOME ?? "", NO_COLOR: "1" } });
  return { code: r.status, out: r.stdout, err: r.stderr };
}

/** A run directory with the example's outputs and registry, the manifest and receipt created by the CLI. */
function withRun(body: (dir: string) => void, receiptArgs: string[] = []): void {
  const dir = mkdtempSync(join(tmpdir(), "gatehouse-create-"));
  try {
    cpSync(packagePath("examples", "promotion", "outputs"), join(dir, "outputs"), { recursive: true });
    cpSync(packagePath("examples", "promotion", "watcher-registry.json"), join(dir, "watcher-registry.json"));
    const manifest = cli(["promote", "manifest", "create", "--out", "run.manifest.json", "--run-id", "churn-1", "--pipeline", "churn-train@4.2.0", "--param", "testFraction=0.2", "--param", "calibrate=true", "--param", "window=2023-01/2025-03", "--now", "2025-06-01T08:55:00Z"], dir);
    assert.is(manifest.code, 0, manifest.err);
    const receipt = cli(
      ["promote", "receipt", "create", "outputs", "--manifest", "run.manifest.json", "--out", "run.receipt.json", "--provider", PROVIDER, "--source", "git+https://git.example.com/ml/churn.git", "--licence", "Apache-2.0", "--attribution", "ML team", "--sensitivity", "top-accounts.csv=confidential", "--sensitivity", "public", "--now", "2025-06-01T09:47:12Z", ...receiptArgs],
      dir,
    );
    assert.is(receipt.code, 0, receipt.err);
    body(dir);
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

const verify = (dir: string, extra: string[] = []) => cli(["promote", "verify", "run.receipt.json", "--registry", "watcher-registry.json", "--now", NOW, "--format", "json", ...extra], dir);
const codes = (r: { out: string }) => (JSON.parse(r.out) as { findings: { code: string }[] }).findings.map((f) => f.code);
const sha256 = (bytes: Buffer) => createHash("sha256").update(bytes).digest("hex");

test("issue 15.6: manifest and receipt are written from disk: digests, sizes, media types, the manifest link", () => {
  withRun((dir) => {
    const manifest = JSON.parse(readFileSync(join(dir, "run.manifest.json"), "utf8"));
    assert.equal(schemas.validate("run-manifest.v1", manifest, "m"), []);
    assert.equal(manifest.externalParameters, { testFraction: 0.2, calibrate: true, window: "2023-01/2025-03" });
    assert.is(manifest.createdAt, "2025-06-01T08:55:00Z");

    const receipt = JSON.parse(readFileSync(join(dir, "run.receipt.json"), "utf8"));
    assert.equal(schemas.validate("run-receipt.v1", receipt, "r"), []);
    assert.is(receipt.runId, "churn-1");
    assert.equal(receipt.manifest, { path: "run.manifest.json", digest: { sha256: sha256(readFileSync(join(dir, "run.manifest.json"))) } });
    assert.is(receipt.startedAt, "2025-06-01T08:55:00Z");
    assert.is(receipt.finishedAt, "2025-06-01T09:47:12Z");
    assert.equal(receipt.outputs.map((o: { path: string }) => o.path), ["outputs/evaluation-report.json", "outputs/metrics.csv", "outputs/model-card.md", "outputs/top-accounts.csv"]);
    for (const output of receipt.outputs) {
      const bytes = readFileSync(join(dir, output.path));
      assert.is(output.digest.sha256, sha256(bytes), output.path);
      assert.is(output.bytes, bytes.length, output.path);
      assert.is(output.mediaType, mediaTypeFor(output.path));
    }
    assert.equal(receipt.outputs.map((o: { sensitivity: { label: string } }) => o.sensitivity.label), ["public", "public", "public", "confidential"]);
    assert.equal(receipt.provenance, { source: { uri: "git+https://git.example.com/ml/churn.git" }, licence: "Apache-2.0", attribution: "ML team" });
    assert.is(receipt.closedOutputs, undefined);

    const ok = verify(dir);
    assert.is(ok.code, 0, ok.out + ok.err);
    writeFileSync(join(dir, "outputs", "metrics.csv"), "tampered\n");
    const tampered = verify(dir);
    assert.is(tampered.code, 1);
    assert.equal(codes(tampered), ["promotion/digest-mismatch", "promotion/size-mismatch"]);
  });
});

test("issue 15.6: media types come from the extension table, octet-stream otherwise", () => {
  assert.is(mediaTypeFor("a/b.CSV"), "text/csv");
  assert.is(mediaTypeFor("model.parquet"), "application/vnd.apache.parquet");
  assert.is(mediaTypeFor("weights.bin"), "application/octet-stream");
  assert.is(mediaTypeFor("README"), "application/octet-stream");
});

test("issue 15.6: create refuses to overwrite without --force, and nothing half-written is left", () => {
  withRun((dir) => {
    const before = readFileSync(join(dir, "run.receipt.json"), "utf8");
    const again = cli(["promote", "receipt", "create", "outputs", "--manifest", "run.manifest.json", "--out", "run.receipt.json", "--provider", "other"], dir);
    assert.is(again.code, 2);
    assert.match(again.err, /run\.receipt\.json already exists; pass --force/);
    assert.is(readFileSync(join(dir, "run.receipt.json"), "utf8"), before);
    const manifestAgain = cli(["promote", "manifest", "create", "--out", "run.manifest.json", "--run-id", "x", "--pipeline", "p@1"], dir);
    assert.is(manifestAgain.code, 2);
    const forced = cli(["promote", "receipt", "create", "outputs", "--manifest", "run.manifest.json", "--out", "run.receipt.json", "--provider", "other", "--force"], dir);
    assert.is(forced.code, 0, forced.err);
    assert.is(JSON.parse(readFileSync(join(dir, "run.receipt.json"), "utf8")).provider.id, "other");
    assert.match(forced.err, /without --source, --attribution, --licence promote verify denies/);
  });
});

test("issue 15.6: create refuses what verify could never accept", () => {
  withRun((dir) => {
    mkdirSync(join(dir, "sub"));
    const outside = cli(["promote", "receipt", "create", "outputs", "--manifest", "run.manifest.json", "--out", "sub/run.receipt.json", "--provider", PROVIDER], dir);
    assert.is(outside.code, 2);
    assert.match(outside.err, /write the receipt in the output directory or above it/);
    const badLicence = cli(["promote", "receipt", "create", "outputs", "--manifest", "run.manifest.json", "--out", "x.receipt.json", "--provider", PROVIDER, "--licence", "not a licence!"], dir);
    assert.is(badLicence.code, 2);
    assert.match(badLicence.err, /the receipt would not be valid: \/provenance\/licence must match pattern/);
    const missing = cli(["promote", "receipt", "create", "no-such-dir", "--manifest", "run.manifest.json", "--out", "y.receipt.json", "--provider", PROVIDER], dir);
    assert.is(missing.code, 2);
    assert.match(missing.err, /no-such-dir: output directory does not exist/);
    symlinkSync(packagePath("package.json"), join(dir, "outputs", "escape.txt"));
    const escape = cli(["promote", "receipt", "create", "outputs", "--manifest", "run.manifest.json", "--out", "again.receipt.json", "--provider", PROVIDER], dir);
    assert.is(escape.code, 2);
    assert.match(escape.err, /escape\.txt: a link out of the receipt's directory cannot be an output/);
  });
});

test("issue 15.6: a receipt created --closed denies an undeclared file; verify --closed does it for any receipt", () => {
  withRun(
    (dir) => {
      assert.equal(JSON.parse(readFileSync(join(dir, "run.receipt.json"), "utf8")).closedOutputs, { directory: "outputs" });
      assert.is(verify(dir).code, 0);
      writeFileSync(join(dir, "outputs", ".hidden"), "x");
      const denied = verify(dir);
      assert.is(denied.code, 1);
      const report = JSON.parse(denied.out) as { findings: { code: string; message: string; location?: { file?: string } }[] };
      assert.equal(report.findings.map((f) => [f.code, f.location?.file]), [["promotion/output-undeclared", "outputs/.hidden"]]);
    },
    ["--closed"],
  );
  withRun((dir) => {
    writeFileSync(join(dir, "outputs", "extra.csv"), "x\n");
    assert.is(verify(dir).code, 0, "an open receipt allows extra files");
    const closed = verify(dir, ["--closed"]);
    assert.is(closed.code, 1);
    assert.equal(codes(closed), ["promotion/output-undeclared"]);
    // The receipt, its manifest, the registry and the summary being written are not outputs.
    // (A summary is only written signed: issue 14.10.)
    assert.is(cli(["keys", "generate", "ci"], dir).code, 0);
    const whole = verify(dir, ["--closed", "--summary-out", "run.summary.json", "--sign-key", "ci.key"]);
    assert.match(whole.out, /outputs\/extra\.csv is in the closed output directory outputs/);
  });
});

test("issue 15.6: schema errors point at the receipt's own pointer and schema, not the promotion input's", () => {
  withRun((dir) => {
    const file = join(dir, "run.receipt.json");
    const receipt = JSON.parse(readFileSync(file, "utf8"));
    delete receipt.outputs[0].bytes;
    writeFileSync(file, JSON.stringify(receipt, null, 2));
    const r = verify(dir);
    assert.is(r.code, 1);
    const findings = (JSON.parse(r.out) as { findings: { code: string; message: string; location: { pointer: string } }[] }).findings;
    assert.equal(findings.map((f) => [f.code, f.location.pointer, f.message]), [["schema/invalid", "/outputs/0", "/outputs/0 must have required property 'bytes' (schema run-receipt.v1)"]]);
    const text = cli(["promote", "verify", "run.receipt.json", "--registry", "watcher-registry.json", "--now", NOW], dir);
    assert.match(text.out, /FAIL run\.receipt\.json#\/outputs\/0 \[schema\/invalid\]/);
    assert.not.match(text.out, /receipt\/document/);
  });
});

test("issue 15.6: policy findings about the receipt point into it too", () => {
  withRun((dir) => {
    writeFileSync(join(dir, "outputs", "metrics.csv"), "tampered\n");
    const findings = (JSON.parse(verify(dir).out) as { findings: { code: string; location: { pointer: string } }[] }).findings;
    assert.equal(findings.map((f) => f.location.pointer), ["/outputs/1/digest/sha256", "/outputs/1/bytes"]);
    assert.ok(statSync(join(dir, "run.receipt.json")).isFile());
  });
});

test.run();
