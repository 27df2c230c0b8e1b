// `gatehouse promote verify RECEIPT...`: gate run receipts for promotion (collector `receipts`
// facts + policy/promotion rules) and optionally write a signed verification summary.
// `gatehouse promote check-summary SUMMARY --key PUB`: verify a summary's signature, then its
// policy against the trusted bundle and its digests and result against the files on disk.
// `gatehouse promote manifest create` and `promote receipt create OUTPUT_DIR`: write a run
// manifest and a run receipt from what is on disk (src/promotion/create.ts).

import { existsSync } from "node:fs";
import { join, resolve } from "node:path";
import type { Argv } from "yargs";
import { FailClosed, UsageError } from "../../core/errors.js";
import { refuseOutputOverInput, refuseSharedOutputs } from "../../core/write.js";
import { filesRead } from "../../core/read.js";
import { displayPath } from "../../core/paths.js";
import { packagePath } from "../../core/paths.js";
import { decide } from "../../core/verdict.js";
import { loadConfig, projectRoot } from "../../gate/config.js";
import { failClosedFinding, runEvaluation } from "../../gate/run.js";
import { systemClock } from "../../policy/builtins/index.js";
import type { LoadedBundle } from "../../policy/bundle.js";
import { resolvePolicy } from "../../policy/source.js";
import { collectPromotion, promotionSettings } from "../../promotion/collect.js";
import { buildManifest, buildReceipt, SENSITIVITY_LABELS, type SensitivityLabel } from "../../promotion/create.js";
import { loadSigningKey, loadVerifyKey } from "../../promotion/keys.js";
import { ENVELOPE_SCHEMA, SUMMARY_SCHEMA, buildStatement, checkSummary, signStatement } from "../../promotion/summary.js";
import { SchemaRegistry } from "../../schemas/registry.js";
import { asList, fixedNow, progress, report, requireDirectory, requireExisting, selectFormats, validateNumbers, withReportOptions, type ReportArgs, commandGroup } from "../common.js";
import { protectInputs, writeAtomic } from "../output.js";
import { VERSION } from "../version.js";

interface VerifyArgs extends ReportArgs {
  receipts: string[];
  registry?: string | undefined;
  summaryOut?: string | undefined;
  signKey?: string | undefined;
  root?: string | undefined;
  config?: string | undefined;
  policy?: string | undefined;
  closed: boolean;
}

interface CheckArgs extends ReportArgs {
  summary: string;
  key: string;
  policy?: string | undefined;
}

const verifyCommand = {
  command: "verify <receipts..>",
  describe: "gate run receipts for promotion and write a verification summary",
  builder: (y: Argv) =>
    withReportOptions(y)
      .positional("receipts", { type: "string", array: true, describe: "run receipt files" })
      .option("registry", { type: "string", describe: "watcher registry (default: promotion.registry in the config)" })
      .option("summary-out", { type: "string", describe: "write the signed verification summary (a DSSE envelope) here, atomically; needs --sign-key" })
      .option("sign-key", { type: "string", describe: "ECDSA P-256 private key (PEM) that signs the summary (gatehouse keys generate)" })
      .option("root", { type: "string", describe: "repository root, for the config and manifest globs (default: the nearest directory with a gatehouse.config, up to the repository root)" })
      .option("config", { alias: "c", type: "string", describe: "config file (default gatehouse.config.yaml/.yml/.json in the root)" })
      .option("policy", { alias: "p", type: "string", describe: "override the policy (bundle or .rego directory)" })
      .option("closed", { type: "boolean", default: false, describe: "closed world for every receipt: a file in the outputs' directory that no output declares denies (a receipt's closedOutputs asks for this itself)" }),
  handler: async (args: VerifyArgs) => {
    const targets = selectFormats(args);
    validateNumbers(args);
    if (args.root !== undefined) requireDirectory(args.root, "--root");
    for (const receipt of args.receipts) requireExisting(receipt, "receipt");
    // A registry named on the command line must be there; one named in the config is judged
    // by policy (promotion/registry-missing), as part of what promotion governs.
    if (args.registry !== undefined) requireExisting(args.registry, "watcher registry");
    if ((args.summaryOut === undefined) !== (args.signKey === undefined)) {
      throw new UsageError("--summary-out and --sign-key go together: a summary is only written signed");
    }
    // The key is read before anything runs, so a bad key fails the run before it judges.
    const signingKey = args.signKey !== undefined ? loadSigningKey(resolve(args.signKey)) : undefined;
    const root = projectRoot(args.root, args.config);
    const summaryOut = args.summaryOut !== undefined ? resolve(args.summaryOut) : undefined;
    // Before anything runs: no output (the summary, a report, an error report) may land on a
    // receipt or the registry this run verifies.
    const named = [...args.receipts.map((f) => resolve(f)), ...(args.registry !== undefined ? [resolve(args.registry)] : []), ...(args.signKey !== undefined ? [resolve(args.signKey)] : [])];
    protectInputs(named);
    if (summaryOut !== undefined) {
      refuseOutputOverInput(summaryOut, named, "--summary-out");
      // The summary and a --format report in one file: the report would replace the signed summary.
      refuseSharedOutputs([{ file: summaryOut, what: "--summary-out" }, ...targets.flatMap((t) => (t.file !== undefined ? [{ file: t.file, what: `--format ${t.format}=FILE` }] : []))]);
    }
    const schemas = new SchemaRegistry();
    const { config } = loadConfig(root, schemas, args.config);
    const nowNs = fixedNow(args) ?? systemClock.nowNs();
    const collection = await collectPromotion(root, promotionSettings(config.promotion), schemas, {
      receiptFiles: args.receipts.map((f) => resolve(f)),
      ...(args.registry !== undefined ? { registryFile: resolve(args.registry) } : {}),
    }, { closed: args.closed, ...(args.summaryOut !== undefined ? { ignoreFiles: [resolve(args.summaryOut)] } : {}) });
    const policyPath = args.policy ?? (config.policy ? resolve(root, config.policy) : packagePath("bundle"));
    // Resolve once here so the summary records the bundle that judged; a refused bundle is
    // handed on as a path so runEvaluation turns it into its fail-closed finding.
    let bundle: LoadedBundle | undefined;
    try {
      bundle = await resolvePolicy(policyPath);
    } catch (error) {
      if (!(error instanceof FailClosed)) throw error;
    }
    const verdict = await runEvaluation({
      policy: bundle ?? policyPath,
      jobs: collection.inputs,
      findings: collection.findings,
      selection: { all: false, namespaces: [] },
      maxInputBytes: config.maxInputBytes ?? args.maxInputBytes,
      timeoutMs: config.timeoutMs ?? args.timeout,
      nowNs,
      ...(args.workers !== undefined ? { workers: args.workers } : {}),
    });
    if (summaryOut !== undefined && signingKey) {
      const summaryFile = summaryOut;
      // And not on any file the verdict depended on (manifests, the registry, verified outputs).
      refuseOutputOverInput(summaryFile, [...collection.files.map((f) => f.file), ...collection.subjects.map((s) => s.file), ...filesRead()], "--summary-out");
      const statement = buildStatement(summaryFile, {
        verdict,
        nowNs,
        version: VERSION,
        policyFile: bundle ? join(bundle.dir, bundle.manifest.wasm.file) : resolve(policyPath),
        policySha256: bundle?.sha256 ?? "0".repeat(64),
        ...(bundle ? { opaVersion: bundle.manifest.opaVersion } : {}),
        schemasDir: schemas.dir,
        resourceFile: resolve(args.receipts[0]!),
        files: collection.files,
        subjects: collection.subjects,
      });
      const problems = schemas.validate(SUMMARY_SCHEMA, statement, summaryFile);
      if (problems.length > 0) throw new Error(`internal: the summary fails its own schema: ${problems.map((p) => p.message).join("; ")}`);
      const envelope = signStatement(statement, signingKey);
      const envelopeProblems = schemas.validate(ENVELOPE_SCHEMA, envelope, summaryFile);
      if (envelopeProblems.length > 0) throw new Error(`internal: the envelope fails its own schema: ${envelopeProblems.map((p) => p.message).join("; ")}`);
      writeAtomic(summaryFile, `${JSON.stringify(envelope, null, 2)}\n`);
    }
    report(verdict, targets);
  },
};

const checkSummaryCommand = {
  command: "check-summary <summary>",
  describe: "verify a signed verification summary, then re-check its policy, digests and result against the trusted bundle and the files on disk",
  builder: (y: Argv) =>
    withReportOptions(y)
      .positional("summary", { type: "string", describe: "verification summary file (a DSSE envelope)" })
      .option("key", { type: "string", demandOption: true, describe: "ECDSA P-256 public key (PEM) the summary must be signed with" })
      .option("policy", { alias: "p", type: "string", describe: "trust this bundle (or .rego directory) instead of gatehouse's own pinned bundle" }),
  handler: async (args: CheckArgs) => {
    const targets = selectFormats(args);
    requireExisting(args.summary, "verification summary");
    const started = performance.now();
    protectInputs([args.summary]);
    const key = loadVerifyKey(resolve(args.key));
    const durations = () => ({ durations: { totalMs: Math.round((performance.now() - started) * 100) / 100, evaluateMs: 0 } });
    // The bundle a summary must have been made with: gatehouse's own (verified against its pin), or the one named.
    let trusted: LoadedBundle;
    try {
      trusted = await resolvePolicy(args.policy !== undefined ? resolve(args.policy) : packagePath("bundle"));
    } catch (error) {
      if (!(error instanceof FailClosed)) throw error;
      report(decide([failClosedFinding(error)], [], durations()), targets);
      return;
    }
    const { findings, record } = await checkSummary(resolve(args.summary), new SchemaRegistry(), { key, policySha256: trusted.sha256 });
    report(decide(findings, record ? [record] : [], durations()), targets);
  },
};

interface CreateArgs {
  out: string;
  force: boolean;
  now?: string | undefined;
}

interface ManifestCreateArgs extends CreateArgs {
  runId: string;
  pipeline: string;
  pipelineSource?: string | undefined;
  param?: string | string[] | undefined;
  runtime?: string | undefined;
  image?: string | undefined;
  seed?: number | undefined;
}

interface ReceiptCreateArgs extends CreateArgs {
  outputDir: string;
  manifest: string;
  provider: string;
  providerVersion?: string | undefined;
  startedAt?: string | undefined;
  finishedAt?: string | undefined;
  sensitivity?: string | string[] | undefined;
  licence?: string | undefined;
  source?: string | undefined;
  attribution?: string | undefined;
  check?: string | string[] | undefined;
  closed: boolean;
}

const withCreateOptions = (y: Argv) =>
  y
    .option("out", { type: "string", demandOption: true, describe: "file to write (atomically)" })
    .option("force", { type: "boolean", default: false, describe: "overwrite an existing file" })
    .option("now", { type: "string", describe: "the time to record (RFC 3339); default $GATEHOUSE_NOW or the system clock" });

/** `NAME@VERSION`, split at the last `@` (a scoped name keeps its own). */
function nameAtVersion(value: string, option: string): { name: string; version: string } {
  const at = value.lastIndexOf("@");
  if (at <= 0 || at === value.length - 1) throw new UsageError(`${option} must be NAME@VERSION, got ${JSON.stringify(value)}`);
  return { name: value.slice(0, at), version: value.slice(at + 1) };
}

/** The RFC 3339 time to record: --now, $GATEHOUSE_NOW, or the clock, to the second. */
function recordedTime(args: CreateArgs): string {
  const ns = fixedNow({ timeout: 1, maxInputBytes: 1, now: args.now }) ?? systemClock.nowNs();
  return new Date(Number(ns / 1_000_000n)).toISOString().replace(/\.\d{3}Z$/, "Z");
}

/** Refuses to replace a file unless asked to, then writes it atomically. */
function writeDocument(file: string, document: object, force: boolean): void {
  if (existsSync(file) && !force) throw new UsageError(`${file} already exists; pass --force to overwrite it`);
  writeAtomic(file, `${JSON.stringify(document, null, 2)}\n`);
}

/** `KEY=VALUE`; a value that reads as a JSON number or boolean is one, anything else is a string. */
function parameter(pair: string): [string, string | number | boolean] {
  const eq = pair.indexOf("=");
  if (eq <= 0) throw new UsageError(`--param must be KEY=VALUE, got ${JSON.stringify(pair)}`);
  const raw = pair.slice(eq + 1);
  const scalar = /^(true|false|-?(0|[1-9][0-9]*)(\.[0-9]+)?([eE][+-]?[0-9]+)?)$/.test(raw) ? (JSON.parse(raw) as number | boolean) : raw;
  return [pair.slice(0, eq), scalar];
}

const manifestCreateCommand = {
  command: "create",
  describe: "write a run manifest (run-manifest.v1): the run's id, pipeline, parameters and this machine's environment",
  builder: (y: Argv) =>
    withCreateOptions(y)
      .option("run-id", { type: "string", demandOption: true, describe: "the run's id (the receipt carries the same)" })
      .option("pipeline", { type: "string", demandOption: true, describe: "NAME@VERSION of the pipeline" })
      .option("pipeline-source", { type: "string", describe: "URI of the pipeline's source (e.g. git+https://...@refs/tags/v1)" })
      .option("param", { type: "string", describe: "KEY=VALUE external parameter (repeatable; numbers and true/false are typed)" })
      .option("runtime", { type: "string", describe: `NAME@VERSION of the runtime (default node@${process.versions.node})` })
      .option("image", { type: "string", describe: "URI of the container image the run used" })
      .option("seed", { type: "number", describe: "random seed, when the run uses one" }),
  handler: (args: ManifestCreateArgs) => {
    if (args.seed !== undefined && !Number.isInteger(args.seed)) throw new UsageError("--seed must be a whole number");
    const schemas = new SchemaRegistry();
    const manifest = buildManifest(
      {
        runId: args.runId,
        pipeline: { ...nameAtVersion(args.pipeline, "--pipeline"), ...(args.pipelineSource ? { source: args.pipelineSource } : {}) },
        parameters: Object.fromEntries(asList(args.param).map(parameter)),
        runtime: args.runtime ? nameAtVersion(args.runtime, "--runtime") : { name: "node", version: process.versions.node },
        ...(args.image ? { image: args.image } : {}),
        ...(args.seed !== undefined ? { seed: args.seed } : {}),
        createdAt: recordedTime(args),
      },
      schemas,
    );
    const file = resolve(args.out);
    writeDocument(file, manifest, args.force);
    process.stdout.write(`wrote ${displayPath(file)} (run ${args.runId})\n`);
  },
};

const CHECK_STATUSES = ["PASSED", "WARNED", "FAILED"] as const;

/** `NAME=STATUS@EVIDENCE_URI`. */
function checkArg(value: string): { name: string; status: (typeof CHECK_STATUSES)[number]; evidence: string } {
  const m = /^([^=]+)=([A-Z]+)@(.+)$/.exec(value);
  const status = m?.[2] as (typeof CHECK_STATUSES)[number] | undefined;
  if (!m || !status || !CHECK_STATUSES.includes(status)) throw new UsageError(`--check must be NAME=PASSED|WARNED|FAILED@EVIDENCE_URI, got ${JSON.stringify(value)}`);
  return { name: m[1]!, status, evidence: m[3]! };
}

function sensitivityArgs(values: string[]): { rules: [string, SensitivityLabel][]; fallback: SensitivityLabel } {
  const isLabel = (v: string): v is SensitivityLabel => (SENSITIVITY_LABELS as readonly string[]).includes(v);
  const rules: [string, SensitivityLabel][] = [];
  let fallback: SensitivityLabel = "internal";
  for (const value of values) {
    const eq = value.lastIndexOf("=");
    const label = eq < 0 ? value : value.slice(eq + 1);
    if (!isLabel(label)) throw new UsageError(`--sensitivity must be LABEL or GLOB=LABEL with LABEL one of ${SENSITIVITY_LABELS.join(", ")}, got ${JSON.stringify(value)}`);
    if (eq < 0) fallback = label;
    else rules.push([value.slice(0, eq), label]);
  }
  return { rules, fallback };
}

const receiptCreateCommand = {
  command: "create <output-dir>",
  describe: "write a run receipt (run-receipt.v1) declaring every file in OUTPUT_DIR, hashed, with its size and media type",
  builder: (y: Argv) =>
    withCreateOptions(y)
      .positional("output-dir", { type: "string", describe: "the run's output directory (inside the receipt's directory)" })
      .option("manifest", { type: "string", demandOption: true, describe: "the run manifest to link by sha256 (its runId is the receipt's)" })
      .option("provider", { type: "string", demandOption: true, describe: "id of the provider that ran the pipeline (as the watcher registry lists it)" })
      .option("provider-version", { type: "string", describe: "the provider's version" })
      .option("started-at", { type: "string", describe: "RFC 3339 start of the run (default the manifest's createdAt)" })
      .option("finished-at", { type: "string", describe: "RFC 3339 end of the run (default now)" })
      .option("sensitivity", { type: "string", describe: `LABEL for every output, or GLOB=LABEL (repeatable, first match wins; labels ${SENSITIVITY_LABELS.join(", ")}; default internal)` })
      .option("licence", { type: "string", describe: "SPDX licence of the outputs (provenance.licence)" })
      .option("source", { type: "string", describe: "URI the outputs come from (provenance.source)" })
      .option("attribution", { type: "string", describe: "who to credit for the outputs (provenance.attribution)" })
      .option("check", { type: "string", describe: "NAME=PASSED|WARNED|FAILED@EVIDENCE_URI, a check the run performed (repeatable)" })
      .option("closed", { type: "boolean", default: false, describe: "declare the output directory closed: verify denies any file in it the receipt does not list" }),
  handler: async (args: ReceiptCreateArgs) => {
    requireDirectory(args.outputDir, "output directory");
    requireExisting(args.manifest, "manifest");
    const schemas = new SchemaRegistry();
    const file = resolve(args.out);
    if (existsSync(file) && !args.force) throw new UsageError(`${args.out} already exists; pass --force to overwrite it`);
    refuseOutputOverInput(file, [resolve(args.manifest)], "--out");
    const tick = progress("hashed");
    const receipt = await buildReceipt(
      {
        outputDir: resolve(args.outputDir),
        receiptFile: file,
        manifestFile: resolve(args.manifest),
        provider: { id: args.provider, ...(args.providerVersion ? { version: args.providerVersion } : {}) },
        ...(args.startedAt ? { startedAt: args.startedAt } : {}),
        finishedAt: args.finishedAt ?? recordedTime(args),
        sensitivity: sensitivityArgs(asList(args.sensitivity)),
        provenance: { ...(args.source ? { source: args.source } : {}), ...(args.licence ? { licence: args.licence } : {}), ...(args.attribution ? { attribution: args.attribution } : {}) },
        checks: asList(args.check).map(checkArg),
        closed: args.closed,
        ...(tick ? { onProgress: tick } : {}),
      },
      schemas,
    );
    // Not even with --force over a file this run read: the manifest the receipt links, or an
    // output it just hashed (also through a link or a hard link). The receipt would replace the
    // evidence it describes.
    // (The earlier receipt at --out was read to tell it from an output: that one --force replaces.)
    refuseOutputOverInput(file, [resolve(args.manifest), ...[...filesRead()].filter((read) => read !== file)], "--out");
    writeDocument(file, receipt, args.force);
    const outputs = (receipt as { outputs: unknown[] }).outputs.length;
    process.stdout.write(`wrote ${displayPath(file)}: ${outputs} output${outputs === 1 ? "" : "s"}${args.closed ? ", closed" : ""}\n`);
    const missing = [args.source ? undefined : "--source", args.attribution ? undefined : "--attribution", args.licence ? undefined : "--licence"].filter(Boolean);
    if (missing.length > 0) process.stderr.write(`note: without ${missing.join(", ")} promote verify denies (promotion/provenance-missing, promotion/licence-missing)\n`);
  },
};

const manifestCommand = commandGroup("manifest", "run manifests: create one", [manifestCreateCommand]);

const receiptCommand = commandGroup("receipt", "run receipts: create one from an output directory", [receiptCreateCommand]);

export const promoteCommand = commandGroup("promote", "promotion gate: create manifests and receipts, verify receipts, re-check verification summaries", [manifestCommand, receiptCommand, verifyCommand, checkSummaryCommand]);
