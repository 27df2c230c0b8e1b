// `gatehouse ops check DECLARATION [--base REF] [--log LOG] [--report REPORT]`: gate a declared
// operation's changes (kind ops-change) and, with --log, its execution log and final report
// (kind ops-execution). `gatehouse ops precommit`: deny a commit that touches governance files
// without appending a ledger entry in the same commit (scripts/hooks/pre-commit runs it).

import { mkdtempSync, rmSync, writeFileSync, mkdirSync } from "node:fs";
import { tmpdir } from "node:os";
import { join, posix, relative, resolve } from "node:path";
import { execa } from "execa";
import picomatch from "picomatch";
import type { Argv } from "yargs";
import { UsageError } from "../../core/errors.js";
import type { Finding } from "../../core/findings.js";
import { displayPath } from "../../core/paths.js";
import { decide } from "../../core/verdict.js";
import type { InputJob } from "../../gate/evaluate-input.js";
import { approvalInput } from "../../ops/approval.js";
import { changedFiles, defaultBase, gitShow, gitToplevel, NotARepositoryError, stagedFiles } from "../../ops/changes.js";
import { loadDeclaration } from "../../ops/declaration.js";
import { evaluateOps } from "../../ops/evaluate.js";
import { changeDocument, executionDocument, loadExecutionLog, repoPath } from "../../ops/inputs.js";
import { HEAD_NAME, LEDGER_FILE, LEDGER_PROBLEM_CODES, parseHead, verifyLedger, type VerifyOptions } from "../../ops/ledger.js";
import { loadOpsSettings } from "../../ops/settings.js";
import { SchemaRegistry } from "../../schemas/registry.js";
import { fixedNow, report, requireDirectory, requireExisting, selectFormats, validateNumbers, withReportOptions, type ReportArgs, commandGroup } from "../common.js";

interface OpsArgs extends ReportArgs {
  root: string;
  config?: string | undefined;
  policy?: string | undefined;
}

interface CheckArgs extends OpsArgs {
  declaration: string;
  base?: string | undefined;
  log?: string | undefined;
  report?: string | undefined;
  git: boolean;
}

const withOpsOptions = (y: Argv) =>
  withReportOptions(y)
    .option("root", { type: "string", default: ".", describe: "a directory inside the git repository" })
    .option("config", { alias: "c", type: "string", describe: "config file (default gatehouse.config.yaml/.yml/.json in the root)" })
    .option("policy", { alias: "p", type: "string", describe: "override the policy (bundle or .rego directory)" });

const checkCommand = {
  command: "check <declaration>",
  describe: "gate a declared operation: its git changes against its scope, and with --log its execution log and final report",
  builder: (y: Argv) =>
    withOpsOptions(y)
      .positional("declaration", { type: "string", demandOption: true, describe: "YAML file, or Markdown with YAML front matter" })
      .option("base", { type: "string", describe: "git revision the changes are computed from (committed, staged, unstaged and untracked changes since it); default HEAD, or the empty tree before the first commit" })
      .option("log", { type: "string", describe: "execution log (ops-execution-log.v1, JSON or YAML)" })
      .option("report", { type: "string", describe: "final report (Markdown); requires --log" })
      .option("git", { type: "boolean", default: true, describe: "check the git changes (--no-git: only the log and report)" }),
  handler: async (args: CheckArgs) => {
    const targets = selectFormats(args);
    validateNumbers(args);
    if (args.report !== undefined && args.log === undefined) throw new UsageError("--report needs --log: the final report is judged with its execution log");
    if (!args.git && args.log === undefined) throw new UsageError("--no-git leaves nothing to check without --log");
    requireDirectory(args.root, "--root");
    requireExisting(args.declaration, "declaration");
    if (args.log !== undefined) requireExisting(args.log, "execution log");
    if (args.report !== undefined) requireExisting(args.report, "final report");
    const declaration = loadDeclaration(args.declaration);
    const jobs: InputJob[] = [];
    if (args.git) {
      const root = await repositoryRoot(args.root, "pass --no-git with --log to check only the execution log and report");
      const settings = loadOpsSettings(root, new SchemaRegistry(), args.config);
      const base = args.base !== undefined ? { revision: args.base, label: args.base } : await defaultBase(root);
      const changes = await changedFiles(root, base.revision);
      const ledgerPrefix = `${relative(root, settings.ledgerDir).split("\\").join("/")}/`;
      const paperwork = [args.declaration, args.log, args.report].filter((f): f is string => f !== undefined).map((f) => repoPath(root, f));
      const exempt = [...paperwork, ...changes.filter((c) => c.path.startsWith(ledgerPrefix) && LEDGER_FILE.test(posix.basename(c.path))).map((c) => c.path)];
      jobs.push({
        display: displayPath(resolve(args.declaration)),
        kind: "ops-change",
        document: changeDocument({ declaration, declarationFile: repoPath(root, args.declaration), base: base.label, exempt, changes }),
      });
    }
    if (args.log !== undefined) {
      const log = loadExecutionLog(args.log);
      jobs.push({
        display: displayPath(resolve(args.log)),
        kind: "ops-execution",
        document: await executionDocument({
          declaration,
          log,
          ...(args.report !== undefined ? { reportFile: args.report, reportDisplay: displayPath(resolve(args.report)) } : {}),
        }),
      });
    }
    const nowNs = fixedNow(args);
    const verdict = await evaluateOps({ jobs, timeoutMs: args.timeout, ...(args.policy ? { policy: args.policy } : {}), ...(nowNs !== undefined ? { nowNs } : {}) });
    report(verdict, targets);
  },
};

const precommitCommand = {
  command: "precommit",
  describe: "deny a commit touching governance files (config ops.governanceFiles, default ops/**) without a ledger entry appended in it",
  builder: (y: Argv) => withOpsOptions(y),
  handler: async (args: OpsArgs) => {
    const targets = selectFormats(args);
    validateNumbers(args);
    const started = performance.now();
    requireDirectory(args.root, "--root");
    const root = await repositoryRoot(args.root, "run it from inside the repository the hook belongs to");
    const schemas = new SchemaRegistry();
    const settings = loadOpsSettings(root, schemas, args.config);
    const ledgerRel = relative(root, settings.ledgerDir).split("\\").join("/");
    const isLedgerFile = (path: string) => posix.dirname(path) === ledgerRel && LEDGER_FILE.test(posix.basename(path));
    const governed = picomatch(settings.governanceFiles, { dot: true });
    const staged = await stagedFiles(root);
    const findings: Finding[] = [];
    const jobs: InputJob[] = [];

    // 1. Ledger files may only grow: the staged text starts with the committed text.
    let appended = 0;
    for (const change of staged) {
      const paths = [change.path, change.old_path].filter((p): p is string => p !== undefined);
      if (!paths.some(isLedgerFile)) continue;
      const where = change.old_path ?? change.path;
      if (change.status === "deleted" || change.status === "renamed") {
        findings.push(precommitFinding("ledger/rewritten", `${where}: a ledger file is ${change.status} in this commit; the ledger is append-only`, where));
        continue;
      }
      const before = (await gitShow(root, `HEAD:${change.path}`)) ?? "";
      const after = (await gitShow(root, `:${change.path}`)) ?? "";
      if (!after.startsWith(before)) {
        const line = firstDifferingLine(before, after);
        findings.push(precommitFinding("ledger/rewritten", `${change.path}:${line}: committed ledger content was changed; entries are appended, never rewritten`, change.path, line));
        continue;
      }
      const added = after.slice(before.length).split("\n").filter((l) => l.trim() !== "");
      appended += added.length;
      for (const [index, text] of added.entries()) {
        let entry: Record<string, unknown>;
        try {
          entry = JSON.parse(text) as Record<string, unknown>;
        } catch {
          continue; // reported by the chain verification below
        }
        const { seq: _seq, prev: _prev, ...fields } = entry;
        const line = before.split("\n").length - 1 + index + 1;
        const approval = approvalInput(fields, settings.soloAllowed, `${change.path}:${line}`);
        findings.push(...approval.findings);
        jobs.push({ display: `${change.path}:${line}`, kind: "ops-approval", document: approval.document });
      }
    }

    // 2. The staged ledger (index versions of every month file) verifies as a chain.
    if (staged.some((c) => [c.path, c.old_path].some((p) => p !== undefined && posix.dirname(p) === ledgerRel))) {
      const scratch = mkdtempSync(join(tmpdir(), "gatehouse-precommit-"));
      try {
        const dir = join(scratch, "ledger");
        mkdirSync(dir);
        const listed = await gitLsIndex(root, ledgerRel);
        // Every staged file of the ledger directory, so that HEAD and anything unknown are checked too.
        for (const path of listed.filter((p) => posix.dirname(p) === ledgerRel)) writeFileSync(join(dir, posix.basename(path)), (await gitShow(root, `:${path}`)) ?? "");
        for (const problem of verifyLedger(dir, schemas, await committedHead(root, ledgerRel)).problems) {
          const file = `${ledgerRel}/${problem.file.replace(/^.*\//, "")}`;
          findings.push(precommitFinding(LEDGER_PROBLEM_CODES[problem.kind], `${file}${problem.line ? `:${problem.line}` : ""}: ${problem.message} (staged ledger)`, file, problem.line || undefined));
        }
      } finally {
        rmSync(scratch, { recursive: true, force: true });
      }
    }

    // 3. Governance files changed: at least one entry appended in this commit.
    // HEAD moves with every append: it is the ledger's, not a governance change of its own.
    const isLedgerHead = (path: string) => path === `${ledgerRel}/${HEAD_NAME}`;
    const touched = staged.filter((c) => [c.path, c.old_path].some((p) => p !== undefined && !isLedgerFile(p) && !isLedgerHead(p) && governed(p)));
    if (touched.length > 0 && appended === 0) {
      const list = touched.map((c) => c.path).sort();
      findings.push(precommitFinding("ledger/missing-entry", `governance files changed without a ledger entry in this commit: ${list.join(", ")}`, list[0]!));
    }

    if (touched.length === 0 && appended === 0 && findings.length === 0) {
      process.stderr.write("ops precommit: no governance files or ledger entries staged\n");
      report(decide([], [], { durations: { totalMs: 0, evaluateMs: 0 } }), targets);
      return;
    }
    if (jobs.length === 0) {
      report(decide(findings, [], { durations: { totalMs: Math.round(performance.now() - started), evaluateMs: 0 } }), targets);
      return;
    }
    const nowNs = fixedNow(args);
    const verdict = await evaluateOps({ jobs, findings, timeoutMs: args.timeout, ...(args.policy ? { policy: args.policy } : {}), ...(nowNs !== undefined ? { nowNs } : {}) });
    report(verdict, targets);
  },
};

export const opsCommand = commandGroup("ops", "ops governance: check a declared operation, pre-commit ledger check", [checkCommand, precommitCommand]);

/** The repository's top level; outside one, a usage error that says how to go on. */
async function repositoryRoot(dir: string, wayOut: string): Promise<string> {
  try {
    return await gitToplevel(resolve(dir));
  } catch (error) {
    if (error instanceof NotARepositoryError) throw new UsageError(`${error.message}: ${wayOut}`);
    throw error;
  }
}

function precommitFinding(code: string, message: string, file: string, line?: number): Finding {
  return { code, severity: "error", message, source: "gate", input: file, scope: "change", location: { file, ...(line !== undefined ? { line } : {}) } };
}

function firstDifferingLine(before: string, after: string): number {
  const a = before.split("\n");
  const b = after.split("\n");
  for (let i = 0; i < a.length; i++) if (a[i] !== b[i]) return i + 1;
  return a.length;
}

/** The ledger head committed at HEAD: the staged ledger must still hold it. */
async function committedHead(root: string, ledgerRel: string): Promise<VerifyOptions> {
  const text = await gitShow(root, `HEAD:${ledgerRel}/${HEAD_NAME}`);
  const head = text === undefined ? undefined : parseHead(text).head;
  return head ? { baseHead: head, baseName: `HEAD:${ledgerRel}/${HEAD_NAME}` } : {};
}

async function gitLsIndex(root: string, dir: string): Promise<string[]> {
  const result = await execa("git", ["ls-files", "-z", "--", dir], { cwd: root });
  return result.stdout.split("\0").filter(Boolean);
}
