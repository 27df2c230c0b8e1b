// `gatehouse gate`: run the configured collectors over the repository, validate, evaluate, report.

import { resolve } from "node:path";
import type { Argv } from "yargs";
import { COLLECTORS, isCollectorName } from "../../collectors/index.js";
import { ConfigError } from "../../core/errors.js";
import type { Finding } from "../../core/findings.js";
import { errorMessage } from "../../core/errors.js";
import { packagePath } from "../../core/paths.js";
import { loadConfig } from "../../gate/config.js";
import type { InputJob } from "../../gate/evaluate-input.js";
import { runEvaluation } from "../../gate/run.js";
import { resolveEffectivePolicy } from "../../packs/effective.js";
import { enforcePack } from "../../packs/enforce.js";
import { SchemaRegistry } from "../../schemas/registry.js";
import { fixedNow, progress, report, requireDirectory, selectFormats, validateNumbers, withReportOptions, type ReportArgs } from "../common.js";

interface GateArgs extends ReportArgs {
  root: string;
  config?: string | undefined;
  policy?: string | undefined;
  prBody?: string | undefined;
}

export const gateCommand = {
  command: "gate",
  describe: "run the configured collectors over the repository and gate the result",
  builder: (y: Argv) =>
    withReportOptions(y)
      .option("root", { type: "string", default: ".", describe: "repository root" })
      .option("config", { alias: "c", type: "string", describe: "config file (default gatehouse.config.yaml/.yml/.json in the root)" })
      .option("policy", { alias: "p", type: "string", describe: "override the policy (bundle or .rego directory)" })
      .option("pr-body", { type: "string", describe: "pull request description (Contract Impact); default the GitHub event's PR body" }),
  handler: async (args: GateArgs) => {
    const targets = selectFormats(args);
    validateNumbers(args);
    requireDirectory(args.root, "--root");
    const root = resolve(args.root);
    const schemas = new SchemaRegistry();
    const { config, file: configFile } = loadConfig(root, schemas, args.config);
    const nowNs = fixedNow(args);
    const effective = resolveEffectivePolicy({ root, config, schemas, ...(configFile ? { configFile } : {}) });

    const jobs: InputJob[] = [];
    const findings: Finding[] = [];
    const tick = progress("collected");
    const names = Object.keys(config.collectors).sort();
    for (const [index, name] of names.entries()) {
      const options = config.collectors[name];
      if (options === false) continue;
      if (!isCollectorName(name)) throw new ConfigError(`unknown collector ${JSON.stringify(name)}; known: ${Object.keys(COLLECTORS).sort().join(", ")}`);
      try {
        const env = args.prBody ? { ...process.env, GATEHOUSE_PR_BODY: resolve(args.prBody) } : process.env;
        const collected = await COLLECTORS[name].collect({ root, options: options ?? {}, config, env, policy: effective.policy, ...(nowNs !== undefined ? { nowNs } : {}) });
        jobs.push(...collected.inputs);
        findings.push(...collected.findings);
      } catch (error) {
        if (error instanceof ConfigError) throw error;
        findings.push({ code: "gate/collector-failed", severity: "error", message: `collector ${name} failed: ${errorMessage(error)}`, source: "gate" });
      }
      tick?.(index + 1, names.length);
    }

    const policy = args.policy ?? (config.policy ? resolve(root, config.policy) : packagePath("bundle"));
    const verdict = await runEvaluation({
      policy,
      jobs,
      findings,
      selection: { all: false, namespaces: [] },
      maxInputBytes: config.maxInputBytes ?? args.maxInputBytes,
      timeoutMs: config.timeoutMs ?? args.timeout,
      policyRecord: effective.record,
      ...(nowNs !== undefined ? { nowNs } : {}),
      ...(args.workers !== undefined ? { workers: args.workers } : {}),
      ...(progress("evaluated") ? { onProgress: progress("evaluated")! } : {}),
    });
    const enabledCollectors = names.filter((name) => config.collectors[name] !== false);
    const nowMs = nowNs !== undefined ? Number(nowNs / 1_000_000n) : Date.now();
    report(enforcePack(verdict, { root, effective, schemas, enabledCollectors, nowMs }), targets);
  },
};
