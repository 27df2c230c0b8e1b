// `gatehouse promote verify RECEIPT...`: gate run receipts for promotion (collector `receipts`
// facts + policy/promotion rules) and optionally write a signed verification summary.
// `gatehouse promote check-summary SUMMARY --key PUB`: verify a summary's signature, then its
// policy against the trusted bundle and its digests and result against the files on disk.

import { join, resolve } from "node:path";
import type { Argv } from "yargs";
import { FailClosed, UsageError } from "../../core/errors.js";
import { refuseOutputOverInput } from "../../core/write.js";
import { packagePath } from "../../core/paths.js";
import { decide } from "../../core/verdict.js";
import { loadConfig, projectRoot } from "../../gate/config.js";
import { failClosedFinding, runEvaluation } from "../../gate/run.js";
import { systemClock } from "../../policy/builtins/index.js";
import type { LoadedBundle } from "../../policy/bundle.js";
import { resolvePolicy } from "../../policy/source.js";
import { collectPromotion, promotionSettings } from "../../promotion/collect.js";
import { loadSigningKey, loadVerifyKey } from "../../promotion/keys.js";
import { ENVELOPE_SCHEMA, SUMMARY_SCHEMA, buildStatement, checkSummary, signStatement } from "../../promotion/summary.js";
import { SchemaRegistry } from "../../schemas/registry.js";
import { fixedNow, report, selectFormats, validateNumbers, withReportOptions, type ReportArgs } from "../common.js";
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
      .option("policy", { alias: "p", type: "string", describe: "override the policy (bundle or .rego directory)" }),
  handler: async (args: VerifyArgs) => {
    const targets = selectFormats(args);
    validateNumbers(args);
    if ((args.summaryOut === undefined) !== (args.signKey === undefined)) {
      throw new UsageError("--summary-out and --sign-key go together: a summary is only written signed");
    }
    // The key is read before anything runs, so a bad key fails the run before it judges.
    const signingKey = args.signKey !== undefined ? loadSigningKey(resolve(args.signKey)) : undefined;
    const root = projectRoot(args.root, args.config);
    const summaryOut = args.summaryOut !== undefined ? resolve(args.summaryOut) : undefined;
    // Before anything runs: no output (the summary, a report, an error report) may land on a
    // receipt or the registry this run verifies.
    const named = [...args.receipts.map((f) => resolve(f)), ...(args.registry !== undefined ? [resolve(args.registry)] : [])];
    protectInputs(named);
    if (summaryOut !== undefined) refuseOutputOverInput(summaryOut, named, "--summary-out");
    const schemas = new SchemaRegistry();
    const { config } = loadConfig(root, schemas, args.config);
    const nowNs = fixedNow(args) ?? systemClock.nowNs();
    const collection = await collectPromotion(root, promotionSettings(config.promotion), schemas, {
      receiptFiles: args.receipts.map((f) => resolve(f)),
      ...(args.registry !== undefined ? { registryFile: resolve(args.registry) } : {}),
    });
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
      refuseOutputOverInput(summaryFile, [...collection.files.map((f) => f.file), ...collection.subjects.map((s) => s.file)], "--summary-out");
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

export const promoteCommand = {
  command: "promote <command>",
  describe: "promotion gate: verify run receipts, re-check verification summaries",
  builder: (y: Argv) => y.command(verifyCommand as never).command(checkSummaryCommand as never).demandCommand(1, "name a promote command: verify, check-summary"),
  handler: () => {},
};
