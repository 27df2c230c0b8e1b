// `gatehouse promote verify RECEIPT...`: gate run receipts for promotion (collector `receipts`
// facts + policy/promotion rules) and optionally write a verification summary.
// `gatehouse promote check-summary SUMMARY`: re-check a summary's digests and result on disk.

import { join, resolve } from "node:path";
import type { Argv } from "yargs";
import { FailClosed } from "../../core/errors.js";
import { packagePath } from "../../core/paths.js";
import { decide } from "../../core/verdict.js";
import { loadConfig } from "../../gate/config.js";
import { runEvaluation } from "../../gate/run.js";
import { systemClock } from "../../policy/builtins/index.js";
import type { LoadedBundle } from "../../policy/bundle.js";
import { resolvePolicy } from "../../policy/source.js";
import { collectPromotion, promotionSettings } from "../../promotion/collect.js";
import { buildSummary, checkSummary } from "../../promotion/summary.js";
import { SchemaRegistry } from "../../schemas/registry.js";
import { fixedNow, report, requireDirectory, requireExisting, selectFormats, validateNumbers, withReportOptions, type ReportArgs } from "../common.js";
import { writeAtomic } from "../output.js";
import { VERSION } from "../version.js";

interface VerifyArgs extends ReportArgs {
  receipts: string[];
  registry?: string | undefined;
  summaryOut?: string | undefined;
  root: string;
  config?: string | undefined;
  policy?: string | undefined;
}

interface CheckArgs extends ReportArgs {
  summary: string;
}

const verifyCommand = {
  command: "verify <receipts..>",
  describe: "gate run receipts for promotion and write a verification summary",
  builder: (y: Argv) =>
    withReportOptions(y)
      .positional("receipts", { type: "string", array: true, describe: "run receipt files" })
      .option("registry", { type: "string", describe: "watcher registry (default: promotion.registry in the config)" })
      .option("summary-out", { type: "string", describe: "write the verification summary here (atomically)" })
      .option("root", { type: "string", default: ".", describe: "repository root (config, manifest globs)" })
      .option("config", { alias: "c", type: "string", describe: "config file (default gatehouse.config.yaml/.yml/.json in the root)" })
      .option("policy", { alias: "p", type: "string", describe: "override the policy (bundle or .rego directory)" }),
  handler: async (args: VerifyArgs) => {
    const targets = selectFormats(args);
    validateNumbers(args);
    requireDirectory(args.root, "--root");
    for (const receipt of args.receipts) requireExisting(receipt, "receipt");
    // A registry named on the command line must be there; one named in the config is judged
    // by policy (promotion/registry-missing), as part of what promotion governs.
    if (args.registry !== undefined) requireExisting(args.registry, "watcher registry");
    const root = resolve(args.root);
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
    if (args.summaryOut !== undefined) {
      const summaryFile = resolve(args.summaryOut);
      const summary = buildSummary(summaryFile, {
        verdict,
        nowNs,
        version: VERSION,
        policyFile: bundle ? join(bundle.dir, bundle.manifest.wasm.file) : resolve(policyPath),
        policySha256: bundle?.sha256 ?? "0".repeat(64),
        ...(bundle ? { opaVersion: bundle.manifest.opaVersion } : {}),
        schemasDir: schemas.dir,
        files: collection.files,
        subjects: collection.subjects,
      });
      const problems = schemas.validate("verification-summary.v1", summary, summaryFile);
      if (problems.length > 0) throw new Error(`internal: the summary fails its own schema: ${problems.map((p) => p.message).join("; ")}`);
      writeAtomic(summaryFile, `${JSON.stringify(summary, null, 2)}\n`);
    }
    report(verdict, targets);
  },
};

const checkSummaryCommand = {
  command: "check-summary <summary>",
  describe: "re-check a verification summary's digests and result against the files on disk",
  builder: (y: Argv) => withReportOptions(y).positional("summary", { type: "string", describe: "verification summary file" }),
  handler: async (args: CheckArgs) => {
    const targets = selectFormats(args);
    requireExisting(args.summary, "verification summary");
    const started = performance.now();
    const { findings, record } = await checkSummary(resolve(args.summary), new SchemaRegistry());
    const verdict = decide(findings, record ? [record] : [], { durations: { totalMs: Math.round((performance.now() - started) * 100) / 100, evaluateMs: 0 } });
    report(verdict, targets);
  },
};

export const promoteCommand = {
  command: "promote <command>",
  describe: "promotion gate: verify run receipts, re-check verification summaries",
  builder: (y: Argv) => y.command(verifyCommand as never).command(checkSummaryCommand as never).demandCommand(1, "name a promote command: verify, check-summary"),
  handler: () => {},
};
