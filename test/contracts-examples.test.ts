// examples/contracts: the base repository committed, each change copied over it, gated against
// the base. One change passes and one denies for each of the issue 19.1 rules (the README's table).

import { cpSync, mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { execa } from "execa";
import { test } from "uvu";
import * as assert from "uvu/assert";
import { main } from "../src/cli/main.js";

const EXAMPLE = join(import.meta.dirname, "..", "..", "examples", "contracts");

async function gitIn(cwd: string, args: string[]) {
  await execa("git", ["-c", "user.email=t@example.com", "-c", "user.name=t", ...args], { cwd });
}

/** The example repository at its base commit with `change` copied over the working tree. */
async function repositoryWith(change: string): Promise<string> {
  const dir = mkdtempSync(join(tmpdir(), "gh-contracts-example-"));
  cpSync(join(EXAMPLE, "repo"), dir, { recursive: true });
  await gitIn(dir, ["init", "-q"]);
  await gitIn(dir, ["add", "-A"]);
  await gitIn(dir, ["commit", "-qm", "base"]);
  cpSync(join(EXAMPLE, "changes", change), dir, { recursive: true });
  return dir;
}

interface Report {
  findings: { code: string; severity: string; message: string; location?: { file?: string; line?: number } }[];
}

/** `gatehouse gate --format json` in-process against the base commit, the change's PR body declared. */
async function gate(dir: string): Promise<{ exitCode: number; report: Report }> {
  const saved = { out: process.stdout.write, exitCode: process.exitCode, env: { ...process.env } };
  let stdout = "";
  process.stdout.write = ((chunk: string | Uint8Array) => ((stdout += String(chunk)), true)) as typeof process.stdout.write;
  Object.assign(process.env, { GATEHOUSE_CONTRACTS_BASE: "HEAD", GITHUB_EVENT_PATH: "", GITHUB_BASE_REF: "" });
  process.exitCode = 0;
  try {
    await main(["gate", "--format", "json", "--pr-body", join(dir, "pr.md"), "--root", dir]);
    return { exitCode: Number(process.exitCode ?? 0), report: JSON.parse(stdout) as Report };
  } finally {
    process.stdout.write = saved.out;
    process.exitCode = saved.exitCode;
    for (const key of Object.keys(process.env)) if (!(key in saved.env)) delete process.env[key];
    Object.assign(process.env, saved.env);
  }
}

async function gated(change: string) {
  const dir = await repositoryWith(change);
  try {
    const { exitCode, report } = await gate(dir);
    return { exitCode, findings: report.findings.filter((f) => f.severity !== "info") };
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

test("issue 19.1 example usd-default: a RISKY change with a decision naming the test it updates passes", async () => {
  const { exitCode, findings } = await gated("usd-default");
  assert.equal(findings, []);
  assert.is(exitCode, 0);
});

test("issue 19.1 example usd-default-missing-test: a decision naming a test file that does not exist is incomplete", async () => {
  const { exitCode, findings } = await gated("usd-default-missing-test");
  assert.equal(findings.map((f) => [f.code, f.message]), [
    ["contracts/decision-incomplete", "contracts/decisions/format-amount-usd-default.json: decision format-amount-usd-default approving RISKY contracts/default-changed on src/invoices.ts#formatAmount is incomplete: tests: test/invoices-currency.test.ts does not exist"],
  ]);
  assert.is(exitCode, 1);
});

test("issue 19.1 example usd-default-untouched-test: a decision naming a test the change did not touch and that does not call the symbol is incomplete", async () => {
  const { exitCode, findings } = await gated("usd-default-untouched-test");
  assert.equal(findings.map((f) => [f.code, f.message]), [
    ["contracts/decision-incomplete", "contracts/decisions/format-amount-usd-default.json: decision format-amount-usd-default approving RISKY contracts/default-changed on src/invoices.ts#formatAmount is incomplete: tests: none of test/tax.test.ts was added or modified by the change or calls formatAmount"],
  ]);
  assert.is(exitCode, 1);
});

test("issue 19.1 example usd-default-untested: a RISKY change that touches no test calling the symbol denies, naming the tests that call it", async () => {
  const { exitCode, findings } = await gated("usd-default-untested");
  assert.equal(findings.map((f) => [f.code, f.message, f.location]), [
    [
      "contracts/untested-change",
      "RISKY contracts/default-changed on src/invoices.ts#formatAmount: the change touches no test file that calls formatAmount; test files that call it today: test/invoices.test.ts",
      { file: "src/invoices.ts", line: 23, pointer: "/changes/0" },
    ],
  ]);
  assert.is(exitCode, 1);
});

test("issue 19.1 example due-date: a stable export with a registry test that calls it passes", async () => {
  const { exitCode, findings } = await gated("due-date");
  assert.equal(findings, []);
  assert.is(exitCode, 0);
});

test("issue 19.1 example due-date-untested: a stable export with no test denies", async () => {
  const { exitCode, findings } = await gated("due-date-untested");
  assert.equal(findings.map((f) => [f.code, f.message, f.location]), [
    ["contracts/stable-untested", "stable function src/invoices.ts#dueDate has no test in the registry that exists and calls it (its tests: none)", { file: "src/invoices.ts", pointer: "/stable/0", line: 31 }],
  ]);
  assert.is(exitCode, 1);
});

test.run();
