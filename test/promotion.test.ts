import { spawnSync } from "node:child_process";
import { appendFileSync, cpSync, mkdtempSync, readFileSync, rmSync, symlinkSync, unlinkSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { test } from "uvu";
import * as assert from "uvu/assert";
import { isDenying } from "../src/core/findings.js";
import { packagePath } from "../src/core/paths.js";
import { InputEvaluator } from "../src/gate/evaluate-input.js";
import { loadBundle } from "../src/policy/bundle.js";
import { fixedNsClock } from "../src/policy/builtins/index.js";
import { compilePolicy, instantiate } from "../src/policy/runtime.js";
import { collectPromotion, promotionSettings } from "../src/promotion/collect.js";
import { hashFile } from "../src/promotion/hash.js";
import { SchemaRegistry } from "../src/schemas/registry.js";

const EXAMPLE = packagePath("examples", "promotion");
const BIN = packagePath("bin", "gatehouse.js");
const NOW = "2026-01-01T00:00:00Z";
const schemas = new SchemaRegistry();
const bundle = await loadBundle(packagePath("bundle"));
const module = await compilePolicy(bundle.wasm);
const policy = await instantiate(module, bundle.manifest.builtins, { clock: fixedNsClock(BigInt(Date.parse(NOW)) * 1_000_000n) });
const evaluator = new InputEvaluator(policy, bundle.manifest.entrypoints, schemas, { maxInputBytes: 1 << 24, selection: { all: false, namespaces: [] } });

/** A temp copy of the example, changed by `tamper`, gated in-process: the denying codes. */
async function gateCopy(tamper: (dir: string) => void = () => {}): Promise<{ codes: string[]; document: any }> {
  const dir = mkdtempSync(join(tmpdir(), "gatehouse-promotion-"));
  try {
    const copy = join(dir, "promotion");
    cpSync(EXAMPLE, copy, { recursive: true });
    tamper(copy);
    const collected = await collectPromotion(dir, promotionSettings({}), schemas, {
      receiptFiles: [join(copy, "run.receipt.json")],
      registryFile: join(copy, "watcher-registry.json"),
    });
    const codes = collected.findings.filter(isDenying).map((f) => f.code);
    let document: unknown;
    for (const input of collected.inputs) {
      document = input.document;
      codes.push(...evaluator.evaluate(input).findings.filter(isDenying).map((f) => f.code));
    }
    return { codes: [...new Set(codes)].sort(), document };
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

function editReceipt(dir: string, edit: (receipt: any) => void): void {
  const file = join(dir, "run.receipt.json");
  const receipt = JSON.parse(readFileSync(file, "utf8"));
  edit(receipt);
  writeFileSync(file, JSON.stringify(receipt, null, 2));
}

test("the example passes", async () => {
  const { codes, document } = await gateCopy();
  assert.equal(codes, []);
  assert.equal(document.outputs.map((o: any) => o.actual.status), ["ok", "ok", "ok", "ok"]);
  assert.equal(document.manifest.status, "linked");
});

test("one byte changed in an output denies with digest-mismatch", async () => {
  const { codes } = await gateCopy((dir) => {
    const file = join(dir, "outputs", "metrics.csv");
    const bytes = readFileSync(file);
    bytes[10] = bytes[10]! ^ 1;
    writeFileSync(file, bytes);
  });
  assert.equal(codes, ["promotion/digest-mismatch"]);
});

test("an appended byte denies with digest and size mismatch", async () => {
  const { codes } = await gateCopy((dir) => appendFileSync(join(dir, "outputs", "metrics.csv"), "\n"));
  assert.equal(codes, ["promotion/digest-mismatch", "promotion/size-mismatch"]);
});

test("a deleted output denies with output-missing", async () => {
  const { codes } = await gateCopy((dir) => unlinkSync(join(dir, "outputs", "model-card.md")));
  assert.equal(codes, ["promotion/output-missing"]);
});

test("a digest copied from another file denies", async () => {
  const { codes } = await gateCopy((dir) =>
    editReceipt(dir, (r) => {
      r.outputs[1].digest.sha256 = r.outputs[0].digest.sha256;
    }),
  );
  assert.equal(codes, ["promotion/digest-mismatch"]);
});

test("an unlisted provider denies", async () => {
  const { codes } = await gateCopy((dir) =>
    editReceipt(dir, (r) => {
      r.provider.id = "https://ci.example.com/runners/rogue";
    }),
  );
  assert.equal(codes, ["promotion/provider-unlisted"]);
});

test("an expired provider denies", async () => {
  const { codes } = await gateCopy((dir) =>
    editReceipt(dir, (r) => {
      r.provider.id = "https://ci.example.com/runners/legacy";
    }),
  );
  assert.equal(codes, ["promotion/provider-expired"]);
});

test("a receipt pointing outside the root through .. denies with path-escape", async () => {
  const { codes, document } = await gateCopy((dir) => {
    writeFileSync(join(dir, "..", "outside.csv"), "x\n");
    editReceipt(dir, (r) => {
      r.outputs[1].path = "../outside.csv";
    });
  });
  assert.equal(codes, ["promotion/path-escape"]);
  assert.equal(document.outputs[1].actual.status, "escapes");
});

test("an output that is a symlink leaving the root denies with path-escape", async () => {
  const { codes } = await gateCopy((dir) => {
    const target = join(dir, "..", "outside.csv");
    writeFileSync(target, readFileSync(join(dir, "outputs", "metrics.csv")));
    unlinkSync(join(dir, "outputs", "metrics.csv"));
    symlinkSync(target, join(dir, "outputs", "metrics.csv"));
  });
  assert.equal(codes, ["promotion/path-escape"]);
});

test("a symlink inside the root is followed (to a file the provider may produce)", async () => {
  const { codes } = await gateCopy((dir) => {
    const file = join(dir, "outputs", "metrics.csv");
    cpSync(file, join(dir, "outputs", "metrics.real.csv"));
    unlinkSync(file);
    symlinkSync(join(dir, "outputs", "metrics.real.csv"), file);
  });
  assert.equal(codes, []);
});

test("an absolute output path denies with path-escape", async () => {
  const { codes } = await gateCopy((dir) =>
    editReceipt(dir, (r) => {
      r.outputs[0].path = join(dir, "outputs", "model-card.md");
    }),
  );
  assert.equal(codes, ["promotion/path-escape"]);
});

test("a missing or invalid registry denies everything", async () => {
  assert.equal((await gateCopy((dir) => unlinkSync(join(dir, "watcher-registry.json")))).codes, ["promotion/registry-missing"]);
  assert.equal((await gateCopy((dir) => writeFileSync(join(dir, "watcher-registry.json"), '{"registryVersion":"watcher-registry.v1","providers":[{"id":"x"}]}'))).codes, [
    "promotion/registry-invalid",
  ]);
});

test("a changed manifest denies; a manifest found by digest links without a path hint", async () => {
  const changed = await gateCopy((dir) => appendFileSync(join(dir, "run.manifest.json"), " "));
  assert.equal(changed.codes, ["promotion/manifest-digest-mismatch"]);
  const byDigest = await gateCopy((dir) => {
    cpSync(join(dir, "run.manifest.json"), join(dir, "renamed.manifest.json"));
    unlinkSync(join(dir, "run.manifest.json"));
    editReceipt(dir, (r) => {
      delete r.manifest.path;
    });
  });
  assert.equal(byDigest.codes, []);
  assert.ok(byDigest.document.manifest.path.endsWith("renamed.manifest.json"));
});

test("an unparsable receipt, a registry listing a provider twice, a manifest of another run", async () => {
  assert.equal((await gateCopy((dir) => writeFileSync(join(dir, "run.receipt.json"), "{ not json"))).codes, ["input/unparsable"]);
  const twice = await gateCopy((dir) => {
    const file = join(dir, "watcher-registry.json");
    const registry = JSON.parse(readFileSync(file, "utf8"));
    registry.providers.push(registry.providers[0]);
    writeFileSync(file, JSON.stringify(registry));
  });
  assert.equal(twice.codes, ["promotion/registry-invalid"]);
  const otherRun = await gateCopy((dir) => editReceipt(dir, (r) => (r.runId = "churn-2025-05-01-0009")));
  assert.equal(otherRun.codes, ["promotion/manifest-invalid"]);
});

test("hashFile streams in chunks and matches a one-shot digest", async () => {
  const dir = mkdtempSync(join(tmpdir(), "gatehouse-hash-"));
  try {
    const file = join(dir, "f.bin");
    const data = Buffer.alloc(3 * 1024 + 7, 0xab);
    writeFileSync(file, data);
    const { createHash } = await import("node:crypto");
    assert.equal(await hashFile(file, 1024), { sha256: createHash("sha256").update(data).digest("hex"), bytes: data.length });
    writeFileSync(join(dir, "empty"), "");
    assert.equal((await hashFile(join(dir, "empty"))).bytes, 0);
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});

function cli(args: string[], cwd: string) {
  const r = spawnSync(process.execPath, [BIN, ...args], { cwd, encoding: "utf8", env: { ...process.env, NO_COLOR: "1" } });
  return { code: r.status, out: r.stdout, err: r.stderr };
}

test("promote verify writes a signed summary that check-summary trusts, and any later change is caught", () => {
  const dir = mkdtempSync(join(tmpdir(), "gatehouse-summary-"));
  try {
    const copy = join(dir, "promotion");
    cpSync(EXAMPLE, copy, { recursive: true });
    assert.is(cli(["keys", "generate", join(dir, "k")], dir).code, 0);
    const sign = ["--sign-key", join(dir, "k.key")];
    const key = ["--key", join(dir, "k.pub")];
    const summary = join(dir, "out", "summary.json");
    const verify = cli(["promote", "verify", "run.receipt.json", "--registry", "watcher-registry.json", "--summary-out", summary, ...sign, "--now", NOW], copy);
    assert.is(verify.code, 0, verify.out + verify.err);
    const envelope = JSON.parse(readFileSync(summary, "utf8"));
    assert.is(envelope.payloadType, "application/vnd.in-toto+json");
    const written = JSON.parse(Buffer.from(envelope.payload, "base64").toString("utf8"));
    assert.is(written._type, "https://in-toto.io/Statement/v1");
    assert.is(written.predicateType, "https://slsa.dev/verification_summary/v1");
    assert.is(written.predicate.verificationResult, "PASSED");
    assert.is(written.predicate.timeVerified, "2026-01-01T00:00:00.000Z");
    assert.is(written.predicate.resourceUri, "../promotion/run.receipt.json");
    assert.is(written.predicate.policy.digest.sha256, bundle.sha256);
    assert.is(written.subject.length, 4);
    assert.is(written.predicate.inputAttestations.length, 3);
    assert.is(cli(["promote", "check-summary", summary, ...key], dir).code, 0);

    appendFileSync(join(copy, "outputs", "metrics.csv"), "x");
    const changed = cli(["promote", "check-summary", summary, ...key, "--format", "json"], dir);
    assert.is(changed.code, 1);
    assert.equal(JSON.parse(changed.out).findings.map((f: any) => f.code), ["summary/subject-mismatch"]);

    // The tampered output now fails verify too; its FAILED summary records what is on disk, so
    // only the result stops a later stage from trusting it.
    assert.is(cli(["promote", "verify", "run.receipt.json", "--registry", "watcher-registry.json", "--summary-out", summary, ...sign, "--now", NOW], copy).code, 1);
    const failed = cli(["promote", "check-summary", summary, ...key, "--format", "json"], dir);
    assert.is(failed.code, 1);
    assert.equal(JSON.parse(failed.out).findings.map((f: any) => f.code), ["summary/result-failed"]);

    writeFileSync(summary, "{}");
    assert.ok(cli(["promote", "check-summary", summary, ...key, "--format", "json"], dir).out.includes("summary/invalid"));
    // No key: nothing can be trusted, a usage error; a summary without a key to sign it is not written.
    assert.is(cli(["promote", "check-summary", summary], dir).code, 2);
    assert.is(cli(["promote", "verify", "run.receipt.json", "--registry", "watcher-registry.json", "--summary-out", summary, "--now", NOW], copy).code, 2);
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});

test("gatehouse gate with collector receipts reads the promotion config section", () => {
  const dir = mkdtempSync(join(tmpdir(), "gatehouse-gate-receipts-"));
  try {
    cpSync(EXAMPLE, join(dir, "promotion"), { recursive: true });
    const config = (requiredChecks: string[]) =>
      writeFileSync(
        join(dir, "gatehouse.config.json"),
        JSON.stringify({ version: 1, collectors: { receipts: {} }, promotion: { registry: "promotion/watcher-registry.json", requiredChecks } }),
      );
    config(["pii-scan"]);
    const ok = cli(["gate", "--root", dir, "--now", NOW], dir);
    assert.is(ok.code, 0, ok.out + ok.err);
    config(["pii-scan", "sbom"]);
    const denied = cli(["gate", "--root", dir, "--now", NOW, "--format", "json"], dir);
    assert.is(denied.code, 1);
    assert.equal(JSON.parse(denied.out).findings.map((f: any) => f.code), ["promotion/required-check-absent"]);
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});

test.run();
