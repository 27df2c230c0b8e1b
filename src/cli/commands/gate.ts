// `gatehouse gate`: run the configured collectors over the repository, validate, evaluate, report.
// The packaged bundle judges what the built-in collectors find; the project's own policies
// (config `policies`) judge what its `files` entries find; one verdict comes out.

import type { Argv } from "yargs";
import { COLLECTORS, isCollectorName } from "../../collectors/index.js";
import { ConfigError, UsageError } from "../../core/errors.js";
import type { Finding } from "../../core/findings.js";
import { errorMessage } from "../../core/errors.js";
import { displayPath, packagePath } from "../../core/paths.js";
import type { Verdict } from "../../core/verdict.js";
import { CONFIG_FILES, loadConfig, projectRoot } from "../../gate/config.js";
import type { InputJob } from "../../gate/evaluate-input.js";
import { runEvaluation, type EvaluationRequest } from "../../gate/run.js";
import { checkFilesRouting, filesOptions, mergeVerdicts, policySources, routeJobs } from "../../gate/user-policies.js";
import { resolveEffectivePolicy } from "../../packs/effective.js";
import { enforcePack } from "../../packs/enforce.js";
import { SchemaRegistry } from "../../schemas/registry.js";
import { fetchEffective, remoteEffective, ServiceClient, uploadRun, withCentralAnswers, withServerDecision, type RemoteEffective } from "../../service/client.js";
import { resolve } from "node:path";
import { fixedNow, progress, report, requireDirectory, requireRegularFile, selectFormats, validateNumbers, withReportOptions, type ReportArgs } from "../common.js";

interface GateArgs extends ReportArgs {
  root?: string | undefined;
  config?: string | undefined;
  policy?: string | undefined;
  prBody?: string | undefined;
  server?: string | undefined;
  project?: string | undefined;
  token?: string | undefined;
}

export const gateCommand = {
  command: "gate",
  describe: "run the configured collectors over the repository and gate the result",
  builder: (y: Argv) =>
    withReportOptions(y)
      .option("root", { type: "string", describe: "project root (default: the nearest directory with a gatehouse.config, up to the repository root)" })
      .option("config", { alias: "c", type: "string", describe: "config file (default gatehouse.config.yaml/.yml/.json in the root)" })
      .option("policy", { alias: "p", type: "string", describe: "override the policy (bundle or .rego directory)" })
      .option("pr-body", { type: "string", describe: "pull request description (Contract Impact); default the GitHub event's PR body" })
      .option("server", { type: "string", describe: "policy service URL: the project's policy and answers come from it, the report goes to it as a run (token: $GATEHOUSE_TOKEN)" })
      .option("project", { type: "string", describe: "the project's id on the policy service (with --server)" })
      .option("token", { type: "string", describe: "the project's token for --server (default $GATEHOUSE_TOKEN, which keeps it out of the process list)" }),
  handler: async (args: GateArgs) => {
    const targets = selectFormats(args);
    validateNumbers(args);
    if (args.root !== undefined) requireDirectory(args.root, "--root");
    // Named by the user: checked even when no collector reads it (contracts reads it), so that a
    // typo or a FIFO is a usage error rather than a gate that allowed without the PR's text.
    if (args.prBody !== undefined) requireRegularFile(args.prBody, "--pr-body file");
    const root = projectRoot(args.root, args.config);
    const schemas = new SchemaRegistry();
    const { config, file: configFile } = loadConfig(root, schemas, args.config);
    if (!configFile) {
      // Without a config there is nothing to collect: say what to do rather than deny gate/no-inputs.
      throw new ConfigError(
        `no ${CONFIG_FILES[0]} in ${displayPath(root) === "." ? "this directory" : displayPath(root)} or above it (up to the repository root): run \`npx --no-install gatehouse init\` to write one, or pass --config`,
      );
    }
    const nowNs = fixedNow(args);
    const sources = policySources(root, config);
    checkFilesRouting(config, sources);
    const remote = args.server !== undefined || args.project !== undefined ? await connectServer(args) : undefined;
    const effective = remote ? remoteEffective(remote.effective, { root, config, schemas, configFile }) : resolveEffectivePolicy({ root, config, schemas, configFile });

    const jobs: InputJob[] = [];
    const findings: Finding[] = [];
    const tick = progress("collected");
    const names = Object.keys(config.collectors).sort();
    const unavailable = Object.entries(COLLECTORS).filter(([, c]) => c.profile !== undefined && c.profile !== config.profile).map(([name]) => name);
    for (const [index, name] of names.entries()) {
      const options = config.collectors[name];
      if (options === false) continue;
      if (!isCollectorName(name)) throw new ConfigError(`unknown collector ${JSON.stringify(name)}; known: ${Object.keys(COLLECTORS).sort().join(", ")}`, configFile);
      const collector = COLLECTORS[name];
      if (collector.profile !== undefined && collector.profile !== config.profile) {
        throw new ConfigError(`collector ${name} checks gatehouse's own repository layout and runs only with \`profile: ${collector.profile}\`; remove it from collectors`, configFile);
      }
      try {
        const env = args.prBody ? { ...process.env, GATEHOUSE_PR_BODY: resolve(args.prBody) } : process.env;
        const collected = await collector.collect({ root, options: filesOptions(options ?? {}), config, env, policy: effective.policy, ...(nowNs !== undefined ? { nowNs } : {}) });
        jobs.push(...collected.inputs);
        findings.push(...collected.findings);
      } catch (error) {
        if (error instanceof ConfigError) throw error;
        findings.push({ code: "gate/collector-failed", severity: "error", message: `collector ${name} failed: ${errorMessage(error)}`, source: "gate" });
      }
      tick?.(index + 1, names.length);
    }

    const routed = routeJobs(jobs, sources);
    const evaluate = (policy: string, group: InputJob[], extra: Partial<EvaluationRequest> = {}): Promise<Verdict> =>
      runEvaluation({
        policy,
        jobs: group,
        selection: { all: false, namespaces: [] },
        maxInputBytes: config.maxInputBytes ?? args.maxInputBytes,
        timeoutMs: config.timeoutMs ?? args.timeout,
        ...(nowNs !== undefined ? { nowNs } : {}),
        ...(args.workers !== undefined ? { workers: args.workers } : {}),
        ...(progress("evaluated") ? { onProgress: progress("evaluated")! } : {}),
        ...extra,
      });
    const shippedPolicy = args.policy ?? (config.policy ? resolve(root, config.policy) : packagePath("bundle"));
    // The packaged bundle runs when it has inputs, or when nothing else does (so an empty run
    // still denies gate/no-inputs); the collectors' findings go with the first evaluation.
    const runShipped = routed.shipped.length > 0 || routed.groups.length === 0;
    const shipped = runShipped ? await evaluate(shippedPolicy, routed.shipped, { findings, policyRecord: effective.record }) : undefined;
    const own: Verdict[] = [];
    for (const [index, group] of routed.groups.entries()) {
      own.push(await evaluate(group.source.path, group.jobs, !runShipped && index === 0 ? { findings } : {}));
    }
    const verdict = own.length === 0 && shipped ? shipped : mergeVerdicts(shipped, own);

    const enabledCollectors = names.filter((name) => config.collectors[name] !== false);
    const nowMs = nowNs !== undefined ? Number(nowNs / 1_000_000n) : Date.now();
    let enforced = enforcePack(verdict, { root, effective, schemas, enabledCollectors, unavailableCollectors: unavailable, nowMs });
    if (remote) {
      enforced = withCentralAnswers(enforced, remote.effective.answers);
      let run: Awaited<ReturnType<typeof uploadRun>>;
      try {
        run = await uploadRun(remote.client, remote.project, enforced, effective, process.env);
      } catch (error) {
        // A run that denies here denies whatever the server would have said: the upload's failure
        // is reported beside it, not in place of it (exit 1 with the findings, never an exit 2
        // that hides the denial). A run that allows here needs the server's decision: exit 2.
        if (!(error instanceof ConfigError) || enforced.decision !== "deny") throw error;
        process.stderr.write(`gatehouse: the run was not stored on ${remote.client.base}: ${error.message}; the local verdict (deny) stands\n`);
        report(enforced, targets);
        return;
      }
      process.stderr.write(`gatehouse: run ${run.id} stored on ${remote.client.base} (server decision: ${run.decision}${run.reasons.length > 0 ? `: ${run.reasons.join("; ")}` : ""})\n`);
      // The stored decision is the run's: the server's deny is reported and exits 1.
      enforced = withServerDecision(enforced, run, remote.client.base);
    }
    report(enforced, targets);
  },
};

/** --server and --project together, the token from $GATEHOUSE_TOKEN; the project's policy fetched. */
async function connectServer(args: GateArgs): Promise<{ client: ServiceClient; project: string; effective: RemoteEffective }> {
  if (!args.server || !args.project) throw new UsageError("--server and --project go together: gatehouse gate --server URL --project ID");
  const token = args.token ?? process.env.GATEHOUSE_TOKEN;
  if (!token) throw new ConfigError("set GATEHOUSE_TOKEN (or --token) to the project's token (from POST /projects) to use --server");
  const client = new ServiceClient(args.server, token);
  const effective = await fetchEffective(client, args.project);
  return { client, project: args.project, effective };
}
