// Issue 14.5: the provider allow-list matched the link path, not the file. Each case changes a
// copy of examples/promotion and runs the real CLI (`gatehouse promote verify`, shipped bundle).

import { spawnSync } from "node:child_process";
import { cpSync, linkSync, mkdirSync, mkdtempSync, readFileSync, renameSync, rmSync, symlinkSync, unlinkSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { fileURLToPath } from "node:url";
import { test } from "uvu";
import * as assert from "uvu/assert";

const repoRoot = fileURLToPath(new URL("../../../", import.meta.url));
const cli = join(repoRoot, "bin", "gatehouse.js");
const example = join(repoRoot, "examples", "promotion");
const NOW = "2026-01-01T00:00:00Z";

interface Report {
  findings: { code: string; message?: string; msg?: string }[];
}

/**
 * Copies the example to <tmp>/run (beside <tmp>/private, outside the receipt's directory),
 * applies `tamper`, verifies it and returns the exit code and the denying codes.
 */
function verify(tamper: (run: string, outside: string) => void): { code: number | null; codes: string[]; out: string } {
  const dir = mkdtempSync(join(tmpdir(), "gatehouse-allow-list-"));
  try {
    const run = join(dir, "run");
    const outside = join(dir, "private");
    cpSync(example, run, { recursive: true });
    mkdirSync(outside);
    tamper(run, outside);
    const r = spawnSync(process.execPath, [cli, "promote", "verify", "run.receipt.json", "--registry", "watcher-registry.json", "--now", NOW, "--format", "json"], { cwd: run, encoding: "utf8" });
    const out = `${r.stdout}${r.stderr}`;
    const report = JSON.parse(r.stdout) as Report;
    return { code: r.status, codes: [...new Set(report.findings.map((f) => f.code))].sort(), out };
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

/** Replaces an output by `make(file)` and keeps the receipt's digest (the content is the same). */
function replaceOutput(run: string, name: string, make: (file: string, content: Buffer) => void): void {
  const file = join(run, "outputs", name);
  const content = readFileSync(file);
  unlinkSync(file);
  make(file, content);
}

function editReceipt(run: string, edit: (receipt: any) => void): void {
  const file = join(run, "run.receipt.json");
  const receipt = JSON.parse(readFileSync(file, "utf8"));
  edit(receipt);
  writeFileSync(file, JSON.stringify(receipt, null, 2));
}

test("issue 14.5: the unchanged example verifies", () => {
  const r = verify(() => {});
  assert.is(r.code, 0, r.out);
  assert.equal(r.codes, []);
});

test("issue 14.5: allow-list matches the resolved target (outputs/x.csv -> ../private/keys.txt inside the receipt's directory)", () => {
  const r = verify((run) => {
    replaceOutput(run, "metrics.csv", (file, content) => {
      mkdirSync(join(run, "private"));
      writeFileSync(join(run, "private", "keys.txt"), content);
      symlinkSync("../private/keys.txt", file);
    });
  });
  assert.is(r.code, 1, r.out);
  assert.equal(r.codes, ["promotion/output-not-allowed"], r.out);
  assert.match(r.out, /resolves to private\/keys\.txt/);
});

test("issue 14.5: a link to a file the provider may produce still verifies", () => {
  const r = verify((run) => {
    replaceOutput(run, "metrics.csv", (file, content) => {
      writeFileSync(join(run, "outputs", "metrics-2025.csv"), content);
      symlinkSync("metrics-2025.csv", file);
    });
  });
  assert.is(r.code, 0, r.out);
});

test("issue 14.5: a symlink whose target resolves outside the receipt's directory denies", () => {
  const r = verify((run, outside) => {
    replaceOutput(run, "metrics.csv", (file, content) => {
      writeFileSync(join(outside, "keys.csv"), content);
      symlinkSync(join(outside, "keys.csv"), file);
    });
  });
  assert.is(r.code, 1, r.out);
  assert.equal(r.codes, ["promotion/path-escape"], r.out);
});

test("issue 14.5: a directory symlink inside outputs/ that leaves the root denies", () => {
  const r = verify((run, outside) => {
    const content = readFileSync(join(run, "outputs", "metrics.csv"));
    mkdirSync(join(outside, "data"));
    writeFileSync(join(outside, "data", "metrics.csv"), content);
    rmSync(join(run, "outputs", "metrics.csv"));
    symlinkSync(join(outside, "data"), join(run, "outputs", "data"));
    editReceipt(run, (receipt) => {
      receipt.outputs[1].path = "outputs/data/metrics.csv";
    });
  });
  assert.is(r.code, 1, r.out);
  assert.ok(r.codes.includes("promotion/path-escape"), r.out);
});

test("issue 14.5: a hard link to a file outside the receipt's directory denies", () => {
  const r = verify((run, outside) => {
    replaceOutput(run, "metrics.csv", (file, content) => {
      writeFileSync(join(outside, "keys.csv"), content);
      linkSync(join(outside, "keys.csv"), file);
    });
  });
  assert.is(r.code, 1, r.out);
  assert.equal(r.codes, ["promotion/hard-link"], r.out);
});

test("issue 14.5: a hard link between two files inside the receipt's directory denies too (the other name cannot be shown)", () => {
  const r = verify((run) => {
    linkSync(join(run, "outputs", "metrics.csv"), join(run, "outputs", "metrics-copy.csv"));
  });
  assert.is(r.code, 1, r.out);
  assert.equal(r.codes, ["promotion/hard-link"], r.out);
});

test("issue 14.5: a manifest path hint outside the receipt's directory denies", () => {
  const r = verify((run, outside) => {
    renameSync(join(run, "run.manifest.json"), join(outside, "run.manifest.json"));
    editReceipt(run, (receipt) => {
      receipt.manifest.path = "../private/run.manifest.json";
    });
  });
  assert.is(r.code, 1, r.out);
  assert.ok(r.codes.includes("promotion/path-escape"), r.out);
  assert.match(r.out, /manifest path/);
});

test("issue 14.5: an absolute manifest path hint denies", () => {
  const r = verify((run) => {
    editReceipt(run, (receipt) => {
      receipt.manifest.path = join(run, "run.manifest.json");
    });
  });
  assert.is(r.code, 1, r.out);
  assert.equal(r.codes, ["promotion/path-escape"], r.out);
});

test("issue 14.5: a manifest path hint that is a symlink out of the receipt's directory denies", () => {
  const r = verify((run, outside) => {
    renameSync(join(run, "run.manifest.json"), join(outside, "run.manifest.json"));
    symlinkSync(join(outside, "run.manifest.json"), join(run, "run.manifest.json"));
  });
  assert.is(r.code, 1, r.out);
  assert.ok(r.codes.includes("promotion/path-escape"), r.out);
});

test.run();
