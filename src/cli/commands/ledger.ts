// `gatehouse ledger append ENTRY`, `gatehouse ledger verify [--base REF]` and `gatehouse ledger
// anchor`: the tamper-evident ops sign-off ledger (src/ops/ledger.ts). append first judges the
// entry with the risk matrix (kind ops-approval, policy/ops/approval); a denied entry is not
// written. verify --base also checks that the head committed at REF is still in the chain.

import { existsSync, realpathSync } from "node:fs";
import { dirname, isAbsolute, join, relative, resolve, sep } from "node:path";
import type { Argv } from "yargs";
import { execa } from "execa";
import { ConfigError } from "../../core/errors.js";
import type { Finding } from "../../core/findings.js";
import { sha256 } from "../../core/digest.js";
import { displayPath } from "../../core/paths.js";
import { readStdinText, readUntrustedFile, readUntrustedText, UntrustedFileError } from "../../core/read.js";
import { decide, type InputRecord } from "../../core/verdict.js";
import { InputParseError, formatForPath, parseDocument } from "../../inputs/parse.js";
import { approvalInput } from "../../ops/approval.js";
import { gitShow } from "../../ops/changes.js";
import { anchorLedger, appendEntry, HEAD_NAME, LEDGER_PROBLEM_CODES, ledgerFiles, parseHead, signOffProblems, verifyLedger, type LedgerProblem, type VerifyOptions } from "../../ops/ledger.js";
import { evaluateOps } from "../../ops/evaluate.js";
import { loadOpsSettings } from "../../ops/settings.js";
import { projectRoot } from "../../gate/config.js";
import { SchemaRegistry } from "../../schemas/registry.js";
import { fixedNow, report, requireDirectory, requireExisting, selectFormats, validateNumbers, withReportOptions, type ReportArgs, commandGroup } from "../common.js";

interface LedgerArgs extends ReportArgs {
  root?: string | undefined;
  config?: string | undefined;
  dir?: string | undefined;
}

interface VerifyArgs extends LedgerArgs {
  base?: string | undefined;
}

interface AppendArgs extends LedgerArgs {
  entry: string;
}

const withLedgerOptions = (y: Argv) =>
  withReportOptions(y)
    .option("root", { type: "string", describe: "repository root, whose gatehouse.config is read (default: the nearest directory with a gatehouse.config, up to the repository root)" })
    .option("config", { alias: "c", type: "string", describe: "config file (default gatehouse.config.yaml/.yml/.json in the root)" })
    .option("dir", { type: "string", describe: "ledger directory (default: config ops.ledgerDir, else ops/ledger)" });

function ledgerDir(args: LedgerArgs, schemas: SchemaRegistry) {
  if (args.root !== undefined) requireDirectory(args.root, "--root");
  const root = projectRoot(args.root, args.config);
  const settings = loadOpsSettings(root, schemas, args.config);
  if (args.dir !== undefined) return { settings, dir: resolve(args.dir) };
  refuseLinkedOut(settings.root, settings.ledgerDir);
  return { settings, dir: settings.ledgerDir };
}

/**
 * The configured ledger directory, inside the root as the config spells it, must still be inside
 * once links are followed: a committed link (ops/ledger -> /elsewhere) would have verify judge,
 * and append write, a ledger that is not the repository's. `--dir` names one explicitly.
 */
function refuseLinkedOut(root: string, dir: string): void {
  const rel = relative(root, dir);
  if (rel === "" || rel === ".." || rel.startsWith(`..${sep}`) || isAbsolute(rel)) return;
  let real: string;
  let rootReal: string;
  try {
    rootReal = realpathSync(root);
    real = realpathSync(existingAncestor(dir));
  } catch {
    return; // nothing there yet: append creates it inside the root
  }
  const realRel = relative(rootReal, real);
  if (realRel === ".." || realRel.startsWith(`..${sep}`) || isAbsolute(realRel)) {
    throw new ConfigError(`the ledger directory is a link out of the repository (to ${real}); pass --dir to use that ledger on purpose`, displayPath(dir));
  }
}

/** The path itself, or its nearest ancestor that exists. */
function existingAncestor(path: string): string {
  let current = path;
  while (!existsSync(current) && dirname(current) !== current) current = dirname(current);
  return current;
}

const appendCommand = {
  command: "append <entry>",
  describe: "append a sign-off entry (JSON/YAML file, '-' for stdin) after the risk-matrix check",
  builder: (y: Argv) => withLedgerOptions(y).positional("entry", { type: "string", demandOption: true }),
  handler: async (args: AppendArgs) => {
    const targets = selectFormats(args);
    validateNumbers(args);
    const schemas = new SchemaRegistry();
    requireExisting(args.entry, "entry");
    const { settings, dir } = ledgerDir(args, schemas);
    const fields = readEntry(args.entry);
    const nowNs = fixedNow(args);
    const display = args.entry === "-" ? "-" : displayPath(resolve(args.entry));
    const approval = approvalInput(fields, settings.soloAllowed, display);
    const refused = signOffProblems(dir, fields).map(
      (p): Finding => ({ code: p.code, severity: "error", source: "gate", input: display, scope: "operation", message: `${display}: ${p.message}; the entry was not appended` }),
    );
    const verdict = await evaluateOps({
      jobs: [{ display, kind: "ops-approval", document: approval.document }],
      findings: [...approval.findings, ...refused],
      timeoutMs: args.timeout,
      ...(nowNs !== undefined ? { nowNs } : {}),
    });
    if (verdict.decision === "allow") {
      // --now / GATEHOUSE_NOW pick the month file too, so a fixed-clock run is reproducible.
      const appended = appendEntry(dir, fields, { schemas, ...(nowNs !== undefined ? { now: () => new Date(Number(nowNs / 1_000_000n)) } : {}) });
      process.stderr.write(`appended ${String(appended.entry.operation_id)} as seq ${appended.entry.seq} at ${appended.file}:${appended.line} (sha256 ${appended.sha256})\n`);
    }
    report(verdict, targets);
  },
};

const verifyCommand = {
  command: "verify",
  describe: "verify the ledger's hash chain across month files and its HEAD anchor; names file, line and problem",
  builder: (y: Argv) =>
    withLedgerOptions(y).option("base", { type: "string", describe: "git ref whose committed HEAD must still be in the chain (the ledger only moves forward)" }),
  handler: async (args: VerifyArgs) => {
    const targets = selectFormats(args);
    validateNumbers(args);
    const started = performance.now();
    const schemas = new SchemaRegistry();
    // append creates the directory; verify needs one that is there.
    if (args.dir !== undefined) requireDirectory(args.dir, "--dir");
    const { settings, dir } = ledgerDir(args, schemas);
    const options = args.base !== undefined ? await baseHeadAt(settings.root, dir, args.base) : {};
    const result = verifyLedger(dir, schemas, options);
    const findings = result.problems.map(problemFinding);
    // What the ledger gained since the base's head was signed off by someone: the risk matrix
    // judges it as append would have (an entry written by hand, chain and HEAD recomputed, is
    // otherwise only a well-formed line). Identities are judged by verifyLedger already.
    if (args.base !== undefined) findings.push(...(await judgeAppended(dir, options.baseHead?.seq ?? 0, settings.soloAllowed, args)));
    if (result.files.length === 0) {
      findings.push({ code: "ledger/malformed", severity: "error", message: `${displayPath(dir)}: no ledger month files (YYYY-MM.jsonl) to verify`, source: "gate", input: displayPath(dir) });
    }
    const inputs: InputRecord[] = ledgerFiles(dir).map((name) => {
      let bytes: Buffer;
      try {
        bytes = readUntrustedFile(join(dir, name), { maxBytes: 64 * 1024 * 1024, noFollow: true });
      } catch (error) {
        // verifyLedger has already reported the file; its record says it held nothing usable.
        if (error instanceof UntrustedFileError) return { path: displayPath(join(dir, name)), kind: "ops-ledger", sha256: "", bytes: 0, rulesEvaluated: 0 };
        throw error;
      }
      return { path: displayPath(join(dir, name)), kind: "ops-ledger", sha256: sha256(bytes), bytes: bytes.length, rulesEvaluated: 0 };
    });
    const verdict = decide(findings, inputs, { durations: { totalMs: Math.round((performance.now() - started) * 100) / 100, evaluateMs: 0 } });
    if (result.head) process.stderr.write(`ledger: ${result.entries} entries in ${result.files.length} file(s); head seq ${result.head.seq} sha256 ${result.head.sha256}\n`);
    report(verdict, targets);
  },
};

const anchorCommand = {
  command: "anchor",
  describe: `write ${HEAD_NAME} for a ledger that verifies but has none (a ledger from before HEAD existed)`,
  builder: (y: Argv) => withLedgerOptions(y),
  handler: (args: LedgerArgs) => {
    const { dir } = ledgerDir(args, new SchemaRegistry());
    const head = anchorLedger(dir);
    process.stderr.write(`anchored ${displayPath(join(dir, HEAD_NAME))} at seq ${head.seq} sha256 ${head.sha256}; commit it with the ledger\n`);
  },
};

/** The risk matrix's findings on the entries after seq `afterSeq` (every month file, name order). */
async function judgeAppended(dir: string, afterSeq: number, soloAllowed: boolean, args: VerifyArgs): Promise<Finding[]> {
  const jobs = [];
  for (const name of ledgerFiles(dir)) {
    let text: string;
    try {
      text = readUntrustedText(join(dir, name), { maxBytes: 64 * 1024 * 1024, noFollow: true });
    } catch (error) {
      if (error instanceof UntrustedFileError) continue; // verifyLedger has reported the file
      throw error;
    }
    for (const [index, line] of text.split("\n").entries()) {
      let entry: unknown;
      try {
        entry = JSON.parse(line);
      } catch {
        continue; // blank, torn or malformed: verifyLedger has reported it
      }
      if (entry === null || typeof entry !== "object" || Array.isArray(entry)) continue;
      const { seq, prev: _prev, ...fields } = entry as Record<string, unknown>;
      if (typeof seq !== "number" || seq <= afterSeq) continue;
      const display = `${displayPath(join(dir, name))}:${index + 1}`;
      jobs.push({ display, kind: "ops-approval", document: approvalInput(fields, soloAllowed, display).document });
    }
  }
  if (jobs.length === 0) return [];
  const nowNs = fixedNow(args);
  const verdict = await evaluateOps({ jobs, timeoutMs: args.timeout, ...(nowNs !== undefined ? { nowNs } : {}) });
  return verdict.findings;
}

/** The head committed at `ref` (none when the ref has no HEAD file: nothing to hold on to yet). */
async function baseHeadAt(root: string, dir: string, ref: string): Promise<VerifyOptions> {
  const verified = await execa("git", ["rev-parse", "--verify", "--quiet", `${ref}^{commit}`], { cwd: root, reject: false });
  if (verified.exitCode !== 0) throw new ConfigError(`--base: ${JSON.stringify(ref)} is not a git commit here`, root);
  const path = `${relative(root, dir).split("\\").join("/")}/${HEAD_NAME}`;
  const text = await gitShow(root, `${ref}:${path}`);
  if (text === undefined) return {};
  const parsed = parseHead(text);
  if (!parsed.head) throw new ConfigError(`${ref}:${path}: ${parsed.problem}`, root);
  return { baseHead: parsed.head, baseName: `${ref}:${path}` };
}

export const ledgerCommand = commandGroup("ledger", "the ops sign-off ledger: append an entry, verify the chain, anchor its head", [appendCommand, verifyCommand, anchorCommand]);

function problemFinding(problem: LedgerProblem): Finding {
  return {
    code: LEDGER_PROBLEM_CODES[problem.kind],
    severity: "error",
    message: `${problem.file}${problem.line > 0 ? `:${problem.line}` : ""}: ${problem.message}`,
    source: "gate",
    input: problem.file,
    location: { file: problem.file, ...(problem.line > 0 ? { line: problem.line } : {}) },
    scope: "operation",
    metadata: { problem: problem.kind },
  };
}

function readEntry(arg: string): Record<string, unknown> {
  let text: string;
  try {
    text = arg === "-" ? readStdinText(1024 * 1024) : readUntrustedText(arg, { maxBytes: 1024 * 1024 });
  } catch (error) {
    if (error instanceof UntrustedFileError && error.problem === "too-large") throw new ConfigError("entry file is over 1 MiB", arg);
    throw new ConfigError(`cannot read entry: ${(error as NodeJS.ErrnoException).code ?? (error as Error).message}`, arg);
  }
  let value: unknown;
  try {
    value = parseDocument(text, arg === "-" ? undefined : formatForPath(arg));
  } catch (error) {
    if (error instanceof InputParseError) throw new ConfigError(error.message, arg);
    throw error;
  }
  if (value === null || typeof value !== "object" || Array.isArray(value)) throw new ConfigError("an entry must be one JSON/YAML object", arg);
  return value as Record<string, unknown>;
}
