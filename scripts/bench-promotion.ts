// Promotion gate benchmark (not part of npm test): hashing throughput of the `receipts`
// collector against `sha256sum` on the same files (the floor), and receipts verified per second
// end to end (collect + hash + evaluate in-process). Generates its data under a temp dir in /tmp
// and removes it afterwards. Size: GATEHOUSE_BENCH_MB (default 1024); receipts:
// GATEHOUSE_BENCH_RECEIPTS (default 200).
//
//   npm run bench:promotion            # ~1 GB
//   GATEHOUSE_BENCH_MB=64 npm run bench:promotion

import { spawnSync } from "node:child_process";
import { createHash, randomFillSync } from "node:crypto";
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { isDenying } from "../src/core/findings.js";
import { packagePath } from "../src/core/paths.js";
import { InputEvaluator } from "../src/gate/evaluate-input.js";
import { loadBundle } from "../src/policy/bundle.js";
import { fixedNsClock } from "../src/policy/builtins/index.js";
import { compilePolicy, instantiate } from "../src/policy/runtime.js";
import { collectPromotion, promotionSettings } from "../src/promotion/collect.js";
import { hashFile } from "../src/promotion/hash.js";
import { SchemaRegistry } from "../src/schemas/registry.js";

const MB = 1024 * 1024;
const totalMb = Number(process.env.GATEHOUSE_BENCH_MB ?? 1024);
const receiptCount = Number(process.env.GATEHOUSE_BENCH_RECEIPTS ?? 200);
const NOW = "2026-01-01T00:00:00Z";
const PROVIDER = "https://ci.example.com/runners/bench";

function receiptFor(dir: string, files: { path: string; data: Buffer }[], manifestSha: string): unknown {
  return {
    receiptVersion: "run-receipt.v1",
    runId: `bench-${dir}`,
    manifest: { path: "run.manifest.json", digest: { sha256: manifestSha } },
    provider: { id: PROVIDER },
    startedAt: "2025-06-01T09:00:00Z",
    finishedAt: "2025-06-01T09:30:00Z",
    inputs: [],
    outputs: files.map((f) => ({
      path: f.path,
      digest: { sha256: createHash("sha256").update(f.data).digest("hex") },
      bytes: f.data.length,
      mediaType: "application/octet-stream",
      sensitivity: { label: "internal" },
    })),
    checks: [{ name: "bench", status: "PASSED", evidence: { uri: "https://ci.example.com/bench" } }],
    provenance: { source: { uri: "git+https://example.com/bench.git" }, licence: "Apache-2.0", attribution: "bench" },
  };
}

function writeRun(dir: string, files: { path: string; data: Buffer }[]): string {
  mkdirSync(join(dir, "out"), { recursive: true });
  for (const f of files) writeFileSync(join(dir, f.path), f.data);
  const manifest = JSON.stringify({
    manifestVersion: "run-manifest.v1",
    runId: `bench-${dir}`,
    pipeline: { name: "bench", version: "1" },
    externalParameters: {},
    environment: { os: "linux", arch: "x86_64", runtime: { name: "node", version: process.versions.node } },
    createdAt: "2025-06-01T08:59:00Z",
  });
  writeFileSync(join(dir, "run.manifest.json"), manifest);
  const receipt = join(dir, "run.receipt.json");
  writeFileSync(receipt, JSON.stringify(receiptFor(dir, files, createHash("sha256").update(manifest).digest("hex"))));
  return receipt;
}

function time<T>(fn: () => Promise<T>): Promise<{ ms: number; value: T }> {
  const started = performance.now();
  return fn().then((value) => ({ ms: performance.now() - started, value }));
}

async function main(): Promise<void> {
  const root = mkdtempSync("/tmp/gatehouse-bench-promotion-");
  try {
    const schemas = new SchemaRegistry();
    const registry = join(root, "watcher-registry.json");
    writeFileSync(registry, JSON.stringify({ registryVersion: "watcher-registry.v1", providers: [{ id: PROVIDER, allowedOutputs: ["out/**"], expires: "2099-01-01T00:00:00Z" }] }));
    const settings = promotionSettings({ manifests: [] });

    // 1. Hashing: one receipt over ~totalMb of outputs in 64 MiB files (the last one smaller).
    const fileMb = Math.min(64, totalMb);
    const block = randomFillSync(Buffer.allocUnsafe(fileMb * MB));
    const big: { path: string; data: Buffer }[] = [];
    for (let left = totalMb, i = 0; left > 0; left -= fileMb, i++) {
      const data = Buffer.from(block.subarray(0, Math.min(fileMb, left) * MB));
      data.writeUInt32LE(i, 0); // distinct files
      big.push({ path: `out/part-${String(i).padStart(4, "0")}.bin`, data });
    }
    const bigDir = join(root, "big");
    const bigReceipt = writeRun(bigDir, big);
    big.length = 0; // let the buffers go before measuring
    const bytes = totalMb * MB;
    const files = Array.from({ length: Math.ceil(totalMb / fileMb) }, (_, i) => join(bigDir, "out", `part-${String(i).padStart(4, "0")}.bin`));

    const runs = 2; // best of two, both warm in the page cache after the first
    let sha256sumMs = Infinity;
    for (let i = 0; i < runs; i++) {
      const started = performance.now();
      const r = spawnSync("sha256sum", files, { encoding: "utf8", maxBuffer: 64 * MB });
      if (r.status !== 0) throw new Error(`sha256sum failed: ${r.stderr}`);
      sha256sumMs = Math.min(sha256sumMs, performance.now() - started);
    }
    let gatehouseMs = Infinity;
    for (let i = 0; i < runs; i++) {
      const { ms, value } = await time(() => collectPromotion(root, settings, schemas, { receiptFiles: [bigReceipt], registryFile: registry }));
      const statuses = (value.inputs[0]!.document as { outputs: { actual: { status: string; sha256: string }; declared: { sha256: string } }[] }).outputs;
      if (!statuses.every((o) => o.actual.status === "ok" && o.actual.sha256 === o.declared.sha256)) throw new Error("bench outputs did not verify");
      gatehouseMs = Math.min(gatehouseMs, ms);
    }
    // The same files one at a time, for a like-for-like comparison with single-threaded sha256sum.
    let sequentialMs = Infinity;
    for (let i = 0; i < runs; i++) {
      const started = performance.now();
      for (const file of files) await hashFile(file);
      sequentialMs = Math.min(sequentialMs, performance.now() - started);
    }
    const mbps = (ms: number) => bytes / MB / (ms / 1000);

    // 2. Receipts per second: many small runs, collected, hashed and evaluated in-process.
    const small: string[] = [];
    for (let i = 0; i < receiptCount; i++) {
      const files = [0, 1, 2].map((j) => ({ path: `out/f${j}.csv`, data: Buffer.from(`run ${i} file ${j}\n`.repeat(64)) }));
      small.push(writeRun(join(root, "runs", String(i)), files));
    }
    const bundle = await loadBundle(packagePath("bundle"));
    const module = await compilePolicy(bundle.wasm);
    const policy = await instantiate(module, bundle.manifest.builtins, { clock: fixedNsClock(BigInt(Date.parse(NOW)) * 1_000_000n) });
    const evaluator = new InputEvaluator(policy, bundle.manifest.entrypoints, schemas, { maxInputBytes: 16 * MB, selection: { all: false, namespaces: [] } });
    const { ms: receiptsMs, value: denied } = await time(async () => {
      const collected = await collectPromotion(root, settings, schemas, { receiptFiles: small, registryFile: registry });
      let deniedCount = collected.findings.filter(isDenying).length;
      for (const input of collected.inputs) if (evaluator.evaluate(input).findings.some(isDenying)) deniedCount++;
      return deniedCount;
    });
    if (denied > 0) throw new Error(`${denied} bench receipts were denied`);

    const ratio = gatehouseMs / sha256sumMs;
    const rows = [
      ["data", `${totalMb} MiB in ${files.length} files`],
      ["sha256sum", `${sha256sumMs.toFixed(0)} ms, ${mbps(sha256sumMs).toFixed(0)} MB/s`],
      ["gatehouse receipts collector", `${gatehouseMs.toFixed(0)} ms, ${mbps(gatehouseMs).toFixed(0)} MB/s`],
      ["gatehouse hashFile, 1 at a time", `${sequentialMs.toFixed(0)} ms, ${mbps(sequentialMs).toFixed(0)} MB/s (${(sequentialMs / sha256sumMs).toFixed(2)}x)`],
      ["ratio (gatehouse / sha256sum)", `${ratio.toFixed(2)}x (target <= 1.3x) ${ratio <= 1.3 ? "OK" : "OVER TARGET"}`],
      ["receipts verified", `${receiptCount} in ${receiptsMs.toFixed(0)} ms, ${(receiptCount / (receiptsMs / 1000)).toFixed(0)} receipts/s`],
    ];
    for (const [label, value] of rows) console.log(`${label.padEnd(32)} ${value}`);
    process.exitCode = ratio <= 1.3 ? 0 : 1;
  } finally {
    rmSync(root, { recursive: true, force: true });
  }
}

await main();
