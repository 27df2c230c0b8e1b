// Shared by the issue-14 adversarial suites: the CLI in a child process, bounded in time and
// memory, so that a regression (an unbounded read of /dev/zero, a blocking open of a FIFO) fails
// the test instead of hanging it or exhausting the machine.

import { spawnSync } from "node:child_process";
import { cpSync, mkdirSync, mkdtempSync, rmSync, writeFileSync } from "node:fs";
import * as assert from "uvu/assert";
import { tmpdir } from "node:os";
import { dirname, join } from "node:path";
import { packagePath } from "../../src/core/paths.js";
import { runTool } from "../../src/toolchain/native.js";

// GATEHOUSE_TEST_BIN runs these attacks against another build (e.g. one from before the fixes).
const BIN = process.env.GATEHOUSE_TEST_BIN ?? packagePath("bin", "gatehouse.js");
/** Heap and buffers of the child, in KiB (ulimit -d): far above a normal run, far below the machine. */
const DATA_LIMIT_KIB = 2 * 1024 * 1024;

export interface Run {
  code: number | null;
  signal: NodeJS.Signals | null;
  timedOut: boolean;
  stdout: string;
  stderr: string;
}

export function gatehouse(args: string[], cwd: string, options: { timeoutMs?: number; stdin?: string; env?: Record<string, string> } = {}): Run {
  const quoted = [process.execPath, BIN, ...args].map((a) => `'${a.replaceAll("'", "'\\''")}'`).join(" ");
  const r = spawnSync("bash", ["-c", `ulimit -d ${DATA_LIMIT_KIB}; exec ${quoted}`], {
    cwd,
    encoding: "utf8",
    input: options.stdin ?? "",
    timeout: options.timeoutMs ?? 30_000,
    killSignal: "SIGKILL",
    env: { PATH: process.env.PATH ?? "", HOME: process.env.HOME ?? "", NO_COLOR: "1", GATEHOUSE_NOW: "", ...options.env },
  });
  const timedOut = (r.error as NodeJS.ErrnoException | undefined)?.code === "ETIMEDOUT";
  return { code: r.status, signal: r.signal, timedOut, stdout: r.stdout ?? "", stderr: r.stderr ?? "" };
}

/** Codes in a text report, in order. */
export function codesOf(stdout: string): string[] {
  return [...stdout.matchAll(/\[([a-z0-9-]+\/[a-z0-9-]+)\]/g)].map((m) => m[1]!);
}

/** The FAIL lines of a text report, in order. */
export function failLinesOf(stdout: string): string[] {
  return stdout.split("\n").filter((line) => line.startsWith("FAIL "));
}

/** A temp directory holding `files`. */
export function repo(prefix: string, files: Record<string, string> = {}): string {
  const root = mkdtempSync(join(tmpdir(), `gatehouse-${prefix}-`));
  for (const [path, text] of Object.entries(files)) {
    mkdirSync(dirname(join(root, path)), { recursive: true });
    writeFileSync(join(root, path), text);
  }
  return root;
}

/** Runs `body` in a temp directory holding `files` (see `repo`), removed afterwards however `body` ends. */
export function withRepo<T>(prefix: string, files: Record<string, string>, body: (root: string) => T): T {
  const root = repo(prefix, files);
  try {
    return body(root);
  } finally {
    rmSync(root, { recursive: true, force: true });
  }
}

/** withRepo for an async body: the directory is removed once the body's promise settles. */
export async function withRepoAsync<T>(prefix: string, files: Record<string, string>, body: (root: string) => Promise<T>): Promise<T> {
  const root = repo(prefix, files);
  try {
    return await body(root);
  } finally {
    rmSync(root, { recursive: true, force: true });
  }
}

/** A temp copy of examples/promotion (receipt, manifest, registry, outputs). */
export function promotionCopy(): { root: string; dir: string } {
  const root = mkdtempSync(join(tmpdir(), "gatehouse-adversarial-promotion-"));
  const dir = join(root, "promotion");
  cpSync(packagePath("examples", "promotion"), dir, { recursive: true });
  return { root, dir };
}

/** A policy of one deny rule per named expression: each rule denies with its name when its expression holds. */
export function denyPolicyOf(rules: Record<string, string>): string {
  const lines = ["package main", "import rego.v1"];
  for (const [name, body] of Object.entries(rules)) lines.push(`deny contains ${JSON.stringify(name)} if { ${body} }`);
  return lines.join("\n") + "\n";
}

/** The messages of `main.deny` in a text report, sorted. */
export function denyMessagesOf(stdout: string): string[] {
  return failLinesOf(stdout)
    .map((line) => /\[main\.deny\] (.*)$/.exec(line)?.[1])
    .filter((m): m is string => m !== undefined)
    .sort();
}

/** An ops declaration that allows every path, so that `ops/undeclared-secret` is the only thing that can deny. */
export const ALLOW_ALL_PATHS_DECLARATION = `OPERATION_NAME: rotate web keys
OBJECTIVE: adversarial case
RISK_CLASS: FILESYSTEM_WRITE
BLAST_RADIUS: none
ROLLBACK_STRATEGY: git checkout
ALLOWED_PATHS: ["**"]
ALLOWED_SERVICES: []
NOT_ALLOWED: { paths: [], streams: [], secrets: [], changes: [] }
`;

/** Runs git in `cwd` as a fixed, unsigned committer; throws with git's stderr when it fails. */
export function git(cwd: string, ...args: string[]): void {
  const r = spawnSync("git", ["-c", "user.email=ops@example.com", "-c", "user.name=ops", "-c", "commit.gpgsign=false", ...args], { cwd, encoding: "utf8" });
  if (r.status !== 0) throw new Error(`git ${args.join(" ")}: ${r.stderr}`);
}

/** Writes `files` under `root` (null: the file is removed). */
export function writeFiles(root: string, files: Record<string, string | null>): void {
  for (const [path, text] of Object.entries(files)) {
    if (text === null) {
      rmSync(join(root, path), { force: true });
      continue;
    }
    mkdirSync(dirname(join(root, path)), { recursive: true });
    writeFileSync(join(root, path), text);
  }
}

/** A repository gated by the default pack with the contracts collector alone. */
export const CONTRACTS_CONFIG = "version: 1\npack:\n  use: default@1.0\ncollectors:\n  contracts: {}\n";

export interface ContractCase {
  name: string;
  files: Record<string, string>;
  /** the change: files rewritten (null: removed) */
  change: Record<string, string | null>;
  /** the contract id the denying finding names; undefined: the gate still allows */
  symbol?: string;
  /** the gate's finding code (default contracts/breaking-unapproved) */
  finding?: string;
}

/** Accepts the registry, applies the change and gates: a DENY naming the symbol (or an ALLOW). */
export function gateAfterContractChange(c: ContractCase): void {
  withRepo("contracts-change", { "gatehouse.config.yaml": CONTRACTS_CONFIG, ...c.files }, (root) => {
    const accepted = gatehouse(["contracts", "accept"], root, { timeoutMs: 60_000 });
    assert.is(accepted.code, 0, `${c.name}: accept: ${accepted.stdout}${accepted.stderr}`);
    writeFiles(root, c.change);
    const run = gatehouse(["gate"], root, { timeoutMs: 60_000 });
    if (c.symbol === undefined) {
      assert.is(run.code, 0, `${c.name}: ${run.stdout}${run.stderr}`);
      return;
    }
    const finding = c.finding ?? "contracts/breaking-unapproved";
    assert.is(run.code, 1, `${c.name}: ${run.stdout}${run.stderr}`);
    const line = run.stdout.split("\n").find((l) => l.includes(`[${finding}]`) && l.includes(c.symbol!));
    assert.ok(line, `${c.name}: no ${finding} finding for ${c.symbol}:\n${run.stdout}${run.stderr}`);
    assert.ok(run.stdout.trimEnd().endsWith("DENY"), `${c.name}: ${run.stdout}`);
  });
}

export const NOW = "2026-01-01T00:00:00Z";

/** A ledger entry two people signed off (a restart): the base the identity and ledger attacks alter. */
export const SIGNED_OFF_ENTRY = {
  operation_id: "OPS-2026-11-21-001",
  operation_name: "restart nginx",
  requested_by: "alice",
  approved_by: "bob",
  approval_timestamp: "2026-11-21T01:00:00Z",
  execution_timestamp: "2026-11-21T01:10:00Z",
  risk_class: "SERVICE_RESTART",
  blast_radius: "web-1",
  changes_summary: "reload",
  rollback_ref: "runbooks/nginx.md#rollback",
  outcome: "SUCCESS",
  notes: "",
};

/** A policy whose deny set holds `"<name> <json.marshal(value)>"` for each named expression (and `extra` Rego after them). */
export function expressionsPolicy(expressions: Record<string, string>, extra = ""): string {
  const rules = Object.entries(expressions).map(([name, expression]) => `deny contains sprintf("%s %s", ["${name}", json.marshal(x)]) if x := ${expression}`);
  return `package main\n\nimport rego.v1\n\n${rules.join("\n")}\n${extra}`;
}

/**
 * Evaluates each named expression (expressionsPolicy) over `inputText` with `opa eval
 * --strict-builtin-errors` and with `gatehouse check`, and asserts that the two deny sets are the
 * same, naming each expression whose answer differs.
 */
export async function assertExpressionsAsOpa(prefix: string, expressions: Record<string, string>, inputText: string, extra = ""): Promise<void> {
  await withRepoAsync(prefix, { "policy/expressions.rego": expressionsPolicy(expressions, extra), "input.json": inputText }, async (root) => {
    const opa = JSON.parse(await runTool("opa", ["eval", "--strict-builtin-errors", "-f", "json", "-d", "policy", "-i", "input.json", "data.main.deny"], { cwd: root })) as {
      result: { expressions: { value: string[] }[] }[];
    };
    const expected = [...opa.result[0]!.expressions[0]!.value].sort();
    assert.is(expected.length, Object.keys(expressions).length, "opa answers every expression");
    const run = gatehouse(["check", "--policy", "policy", "-o", "json", "input.json"], root, { timeoutMs: 60_000 });
    assert.is(run.code, 1, run.stderr);
    const report = JSON.parse(run.stdout) as { findings: { code: string; message: string }[] };
    const ours = report.findings.map((f) => (f.code === "main.deny" ? f.message : `${f.code}: ${f.message}`)).sort();
    const byName = (lines: string[]) => new Map(lines.map((line) => [line.split(" ")[0]!, line]));
    const [want, got] = [byName(expected), byName(ours)];
    const differing = [...want.keys()].filter((name) => want.get(name) !== got.get(name));
    const shown = (line: string | undefined) => (line === undefined ? "(missing)" : line.length > 200 ? `${line.slice(0, 200)}...` : line);
    assert.ok(
      differing.length === 0,
      `differs from opa eval:\n${differing
        .slice(0, 20)
        .map((name) => `${expressions[name]}\n  opa:  ${shown(want.get(name))}\n  ours: ${shown(got.get(name))}`)
        .join("\n")}\nother findings: ${ours.filter((line) => !want.has(line.split(" ")[0]!)).join("; ")}`,
    );
    assert.is(ours.length, expected.length, `${ours.length} findings, opa ${expected.length}`);
  });
}

/**
 * `ops check` of the nginx example declaration over one log holding each command as a verified,
 * passing step (run with `verification`): the exit code, and per step the codes (sorted, once
 * each) and the messages of the findings on its command.
 */
export function opsCheckSteps(prefix: string, commands: string[], verification = "systemctl is-active nginx"): { code: number | null; perStep: string[][]; messages: string[][] } {
  const examples = packagePath("examples", "ops");
  const [declaration, report] = ["raise-nginx-worker-connections.md", "raise-nginx-worker-connections.report.md"];
  return withRepo(prefix, {}, (dir) => {
    cpSync(join(examples, declaration), join(dir, declaration));
    cpSync(join(examples, report), join(dir, report));
    const steps = commands.map((command, i) => ({
      number: i + 1,
      timestamp: `2026-11-21T${String(10 + Math.floor(i / 60)).padStart(2, "0")}:${String(i % 60).padStart(2, "0")}:00Z`,
      command,
      result: "",
      status: "PASS",
      verification: { command: verification, output: "active" },
    }));
    writeFileSync(join(dir, "log.json"), JSON.stringify({ operation_id: "OPS-2026-11-21-001", operation_name: "Raise nginx worker_connections on web-1", steps }));
    const r = gatehouse(["ops", "check", declaration, "--log", "log.json", "--report", report, "--no-git", "--format", "json"], dir, { timeoutMs: 60_000 });
    const findings = (JSON.parse(r.stdout) as { findings: { code: string; message: string; location?: { pointer?: string } }[] }).findings;
    const at = (i: number) => findings.filter((f) => f.location?.pointer === `/log/steps/${i}/command`);
    return {
      code: r.code,
      perStep: commands.map((_, i) => [...new Set(at(i).map((f) => f.code))].sort()),
      messages: commands.map((_, i) => at(i).map((f) => f.message)),
    };
  });
}
