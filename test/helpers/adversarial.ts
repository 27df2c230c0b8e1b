// Shared by test/adversarial/: throwaway repositories and the whole CLI run in-process (spawning
// node per step is slow on shared machines), with its exit code, output and JSON findings.

import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { dirname, join } from "node:path";
import { execa } from "execa";
import { main } from "../../src/cli/main.js";

/** The environment every run starts from: a fixed clock, no CI or PR context. */
const BASE_ENV: Record<string, string> = {
  GATEHOUSE_NOW: "2026-11-21T00:00:00Z",
  GITHUB_EVENT_PATH: "",
  GITHUB_BASE_REF: "",
  GATEHOUSE_CONTRACTS_BASE: "",
  GATEHOUSE_PR_BODY: "",
  NO_COLOR: "1",
};

export interface CliResult {
  exitCode: number;
  stdout: string;
  stderr: string;
}

export interface ReportFinding {
  code: string;
  severity: string;
  message: string;
  suppressed?: unknown;
  metadata?: Record<string, unknown>;
}

/** Runs `gatehouse ARGS` in-process; the exit code is what the process would exit with. */
export async function gatehouse(args: string[], env: Record<string, string> = {}): Promise<CliResult> {
  const saved = { out: process.stdout.write, err: process.stderr.write, exitCode: process.exitCode, env: { ...process.env } };
  let stdout = "";
  let stderr = "";
  process.stdout.write = ((chunk: string | Uint8Array) => ((stdout += String(chunk)), true)) as typeof process.stdout.write;
  process.stderr.write = ((chunk: string | Uint8Array) => ((stderr += String(chunk)), true)) as typeof process.stderr.write;
  Object.assign(process.env, BASE_ENV, env);
  process.exitCode = 0;
  try {
    await main(args);
    return { exitCode: Number(process.exitCode ?? 0), stdout, stderr };
  } finally {
    process.stdout.write = saved.out;
    process.stderr.write = saved.err;
    process.exitCode = saved.exitCode;
    for (const key of Object.keys(process.env)) if (!(key in saved.env)) delete process.env[key];
    Object.assign(process.env, saved.env);
  }
}

/** The findings of a `--format json` run. */
export function findingsOf(result: CliResult): ReportFinding[] {
  try {
    return (JSON.parse(result.stdout) as { findings: ReportFinding[] }).findings;
  } catch {
    throw new Error(`not a JSON report (exit ${result.exitCode}):\n${result.stdout}\n${result.stderr}`);
  }
}

/** Codes of the findings that count against the verdict (not suppressed, error or block). */
export function denyingCodes(result: CliResult): string[] {
  return [...new Set(findingsOf(result).filter((f) => !f.suppressed && (f.severity === "error" || f.severity === "block")).map((f) => f.code))].sort();
}

const made: string[] = [];

/** A temporary directory holding `files`; removed by cleanup(). */
export function tempRepo(files: Record<string, string>, prefix = "gatehouse-adversarial-"): string {
  const root = mkdtempSync(join(tmpdir(), prefix));
  made.push(root);
  writeFiles(root, files);
  return root;
}

export function writeFiles(root: string, files: Record<string, string>): void {
  for (const [path, text] of Object.entries(files)) {
    mkdirSync(dirname(join(root, path)), { recursive: true });
    writeFileSync(join(root, path), text);
  }
}

export async function git(cwd: string, ...args: string[]): Promise<string> {
  const result = await execa("git", ["-c", "user.email=t@example.com", "-c", "user.name=t", "-c", "commit.gpgsign=false", ...args], { cwd });
  return result.stdout;
}

export async function gitRepo(files: Record<string, string>): Promise<string> {
  const root = tempRepo(files);
  await git(root, "init", "-q");
  await git(root, "add", "-A");
  await git(root, "commit", "-qm", "base");
  return root;
}

export function cleanup(): void {
  for (const dir of made.splice(0)) rmSync(dir, { recursive: true, force: true });
}
