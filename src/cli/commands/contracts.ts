// `gatehouse contracts extract|diff|decide|accept`: the contract registry workflow.
//   extract: the exported API of a directory (TS/JS, Python) as JSON.
//   diff:    the classified changes against the registry, or against the code at a git ref.
//   decide:  scaffold contracts/decisions/<id>.json covering the current RISKY/BREAKING changes.
//   accept:  write the approved changes into the registry and bump registryVersion.

import { existsSync } from "node:fs";
import { join, resolve } from "node:path";
import type { Argv } from "yargs";
import { UsageError } from "../../core/errors.js";
import { loadConfig, projectRoot } from "../../gate/config.js";
import { SchemaRegistry } from "../../schemas/registry.js";
import { calleeName, findCallSites } from "../../contracts/callsites.js";
import { diffContracts, type ContractChange } from "../../contracts/diff.js";
import { extractContracts, type Extraction } from "../../contracts/extract.js";
import { consumerFiles } from "../../contracts/files.js";
import { approvalProblems, binds, contractSettings, extractAtRef, loadDecisions, withTreeAtRef, shrinkFinding, MAX_CALL_SITES, type ContractSettings, type DecisionEntry, type PolicyDecision } from "../../contracts/governance.js";
import { CONTRACTS_VERSION, contractId, maxImpact, SEVERITY_RANK, type Contract, type Registry } from "../../contracts/model.js";
import type { Finding } from "../../core/findings.js";
import { baselineContracts, bumpVersion, INITIAL_VERSION, loadRegistry, mergeCurated, union, writeJsonAtomic } from "../../contracts/registry.js";
import { asList, progress, commandGroup, recordedNowIso } from "../common.js";

// Moved to src/contracts/governance.ts (the collector needs it too); kept here for callers.
export { extractAtRef };

interface CommonArgs {
  root?: string | undefined;
  config?: string | undefined;
}

function withCommon<T>(y: Argv<T>) {
  return y
    .option("root", { type: "string", describe: "repository root (default: the nearest directory with a gatehouse.config, up to the repository root)" })
    .option("config", { alias: "c", type: "string", describe: "config file (default gatehouse.config.yaml/.yml/.json in the root)" });
}

/** The `contracts:` config section, merged with `collectors.contracts` options. */
function settingsFor(root: string, schemas: SchemaRegistry, configFile?: string): ContractSettings {
  const { config } = loadConfig(root, schemas, configFile);
  const section = config.contracts && typeof config.contracts === "object" ? (config.contracts as Record<string, unknown>) : {};
  const collector = config.collectors?.contracts;
  return contractSettings({ ...section, ...(collector && typeof collector === "object" ? collector : {}) });
}


/** On a TTY, a progress line while files are read; with --types, a note first: building the Program takes seconds. */
function withProgress(settings: ContractSettings): ContractSettings & { onProgress?: (done: number, total: number) => void } {
  const tick = progress("contracts: files read");
  if (!tick) return settings;
  if (settings.types) process.stderr.write("contracts: building the TypeScript program (--types)...\n");
  return { ...settings, onProgress: tick };
}

interface CurrentDiff {
  settings: ContractSettings;
  registry?: Registry;
  extraction: Extraction;
  changes: ContractChange[];
  /** what extraction could not see, and a baseline it shrank from */
  findings: Finding[];
}

async function currentDiff(root: string, args: CommonArgs & { against?: string | undefined; registry?: string | undefined; types?: boolean | undefined }): Promise<CurrentDiff> {
  const schemas = new SchemaRegistry();
  const settings = settingsFor(root, schemas, args.config);
  if (args.types) settings.types = true;
  if (args.registry) settings.registry = args.registry;
  const extraction = await extractContracts(root, withProgress(settings));
  const { decisions } = loadDecisions(root, settings.decisions, schemas);
  const withShrink = (baseline: number, changes: ContractChange[]) => {
    const shrunk = shrinkFinding(baseline, extraction, changes, decisions);
    return shrunk ? [...extraction.findings, shrunk] : extraction.findings;
  };
  if (args.against) {
    // Both trees are on disk while the worktree exists: the checker reads them (ts/source-judge.ts).
    const { base, changes } = await withTreeAtRef(root, args.against, async (dir) => {
      const base = await extractContracts(dir, settings);
      return { base, changes: diffContracts(base.contracts, extraction.contracts, { sources: { old: resolve(dir), new: resolve(root) } }) };
    });
    return { settings, extraction, changes, findings: withShrink(base.contracts.length, changes) };
  }
  const registry = loadRegistry(resolve(root, settings.registry), schemas, root);
  const changes = diffContracts(registry ? baselineContracts(registry, extraction.contracts, extraction.entries.keys) : [], extraction.contracts);
  return { settings, extraction, changes, findings: withShrink(registry?.contracts.length ?? 0, changes), ...(registry ? { registry } : {}) };
}

async function callSitesOf(root: string, changes: ContractChange[]) {
  const relevant = changes.filter((c) => c.severity !== "SAFE");
  const sites = await findCallSites(root, await consumerFiles(root), new Set(relevant.map((c) => calleeName(c.symbol.name))));
  return (change: ContractChange) => (change.severity === "SAFE" ? [] : (sites.get(calleeName(change.symbol.name)) ?? []).filter((s) => s.file !== change.symbol.module).slice(0, MAX_CALL_SITES));
}

const extractCommand = {
  command: "extract [dir]",
  describe: "extract the exported API contracts of a directory as JSON",
  builder: (y: Argv) =>
    withCommon(y)
      .positional("dir", { type: "string", describe: "directory to extract (default: the root)" })
      .option("types", { type: "boolean", default: false, describe: "use the TypeScript checker for inferred return types" })
      .option("include", { type: "string", describe: "glob of contract sources, repeatable (default: config, else every TS/JS/Python file)" })
      .option("out", { type: "string", describe: "write to this file (atomically) instead of stdout" }),
  handler: async (args: CommonArgs & { dir?: string; types: boolean; include?: string | string[]; out?: string }) => {
    const root = projectRoot(args.root, args.config);
    const dir = args.dir !== undefined ? resolve(args.dir) : root;
    if (!existsSync(dir)) throw new UsageError(`${args.dir}: no such directory`);
    const settings = existsSync(join(dir, "gatehouse.config.yaml")) || dir === root ? settingsFor(dir, new SchemaRegistry(), args.config) : contractSettings({});
    const include = asList(args.include);
    if (include.length > 0) settings.include = include;
    if (args.types) settings.types = true;
    const started = performance.now();
    const { files, contracts, findings } = await extractContracts(dir, withProgress(settings));
    const seconds = (performance.now() - started) / 1000;
    const text = `${JSON.stringify({ contracts }, null, 2)}\n`;
    if (args.out) writeJsonAtomic(resolve(args.out), { contracts });
    else process.stdout.write(text);
    process.stderr.write(`${contracts.length} contracts from ${files.length} files in ${seconds.toFixed(2)}s\n`);
    reportExtraction(findings);
  },
};

/** Extraction findings on stderr: a tree whose API cannot be seen is never a silent pass. */
function reportExtraction(findings: Finding[]): void {
  for (const f of findings) process.stderr.write(`${f.severity.toUpperCase()} ${f.code}: ${f.message}\n`);
}

const FAIL_ON = ["SAFE", "RISKY", "BREAKING"] as const;

interface DiffArgs extends CommonArgs {
  against?: string;
  registry?: string;
  format: string;
  types: boolean;
  failOn?: (typeof FAIL_ON)[number];
}

const diffCommand = {
  command: "diff",
  describe: "classify the contract changes against the registry or a git ref",
  builder: (y: Argv) =>
    withCommon(y)
      .option("against", { type: "string", describe: "git ref to compare with (extracted in a temporary worktree)" })
      .option("registry", { type: "string", describe: "registry file to compare with (default: config, else contracts/registry.json)" })
      .option("types", { type: "boolean", default: false, describe: "use the TypeScript checker for inferred return types" })
      .option("format", { alias: "o", type: "string", default: "text", choices: ["text", "json"], describe: "output format" })
      .option("fail-on", { type: "string", choices: FAIL_ON, describe: "exit 1 when a change is at least this severe, or extraction could not see the API" })
      .conflicts("against", "registry"),
  handler: async (args: DiffArgs) => {
    const root = projectRoot(args.root, args.config);
    const diff = await currentDiff(root, args);
    if (!args.against && !diff.registry) throw new UsageError(`${diff.settings.registry} does not exist: create it with \`gatehouse contracts accept\` or use --against REF`);
    const sitesOf = await callSitesOf(root, diff.changes);
    const changes = diff.changes.map((c) => ({ ...c, callSites: sitesOf(c) }));
    const detected = maxImpact(changes.map((c) => c.severity));
    const findings = diff.findings;
    if (args.failOn && (findings.length > 0 || SEVERITY_RANK[detected] >= SEVERITY_RANK[args.failOn])) process.exitCode = 1;
    reportExtraction(findings);
    if (args.format === "json") {
      process.stdout.write(`${JSON.stringify({ against: args.against ?? diff.settings.registry, detected, changes, findings }, null, 2)}\n`);
      return;
    }
    const lines = changes.map((c) => `${c.severity.padEnd(8)} ${c.code}  ${c.message}${c.callSites.length ? `  [${c.callSites.length} call sites: ${c.callSites.slice(0, 3).map((s) => `${s.file}:${s.line}`).join(", ")}${c.callSites.length > 3 ? ", ..." : ""}]` : ""}`);
    process.stdout.write(`${lines.join("\n")}${lines.length ? "\n" : ""}${changes.length} contract changes against ${args.against ?? diff.settings.registry}; impact ${detected}\n`);
  },
};

const decideCommand = {
  command: "decide",
  describe: "scaffold a policy decision covering the current RISKY and BREAKING changes",
  builder: (y: Argv) =>
    withCommon(y)
      .option("id", { type: "string", describe: "decisionId (default: decision-<timestamp>)" })
      .option("decision", { type: "string", default: "APPROVE", choices: ["APPROVE", "APPROVE_WITH_CONDITIONS", "DENY"] })
      .option("against", { type: "string", describe: "git ref to compare with instead of the registry" }),
  handler: async (args: CommonArgs & { id?: string; decision: PolicyDecision["decision"]; against?: string }) => {
    const root = projectRoot(args.root, args.config);
    const diff = await currentDiff(root, args);
    const covered = diff.changes.filter((c) => c.severity !== "SAFE");
    if (covered.length === 0) throw new UsageError("no RISKY or BREAKING contract changes to decide on");
    const createdAt = recordedNowIso();
    const decisionId = args.id ?? `decision-${createdAt.replace(/[^0-9]/g, "").slice(0, 14)}`;
    if (!/^[A-Za-z0-9][A-Za-z0-9._-]*$/.test(decisionId)) throw new UsageError(`--id ${JSON.stringify(decisionId)}: use letters, digits, . _ -`);
    const file = join(root, diff.settings.decisions, `${decisionId}.json`);
    if (existsSync(file)) throw new UsageError(`${file} already exists`);
    const sitesOf = await callSitesOf(root, covered);
    const decision: PolicyDecision = {
      decisionId,
      decision: args.decision,
      reasons: [],
      changes: covered.map((c) => ({ code: c.code, symbol: c.id, fingerprint: c.fingerprint })),
      impactedConsumers: union([], covered.flatMap((c) => sitesOf(c).map((s) => s.file))),
      requiredActions: [],
      migrationPlan: "",
      rollback: "",
      tests: [],
      approvedBy: "",
      createdAt,
    };
    writeJsonAtomic(file, decision);
    process.stdout.write(`wrote ${file} covering ${covered.length} changes; fill in reasons, migrationPlan, rollback, tests and approvedBy\n`);
  },
};

function approvedBy(change: ContractChange, decisions: DecisionEntry[]): DecisionEntry | undefined {
  if (approvalProblems(change, decisions).length > 0) return undefined;
  return decisions.find((d) => d.decision.decision !== "DENY" && binds(d.decision, change));
}

const acceptCommand = {
  command: "accept",
  describe: "write the approved contract changes into the registry and bump registryVersion",
  builder: (y: Argv) => withCommon(y).option("types", { type: "boolean", default: false, describe: "use the TypeScript checker for inferred return types" }),
  handler: async (args: CommonArgs & { types: boolean }) => {
    const root = projectRoot(args.root, args.config);
    const schemas = new SchemaRegistry();
    const diff = await currentDiff(root, args);
    const file = resolve(root, diff.settings.registry);
    const blind = diff.extraction.findings.filter((f) => f.code === "contracts/extract-empty" || f.code === "contracts/extract-unresolved-entry");
    if (blind.length > 0) throw new UsageError(`not accepted: extraction cannot see the API:\n${blind.map((f) => `  ${f.code}: ${f.message}`).join("\n")}`);
    if (!diff.registry) {
      const registry: Registry = { registryVersion: INITIAL_VERSION, updatedAt: recordedNowIso(), contractsVersion: CONTRACTS_VERSION, contracts: diff.extraction.contracts };
      writeJsonAtomic(file, registry);
      process.stdout.write(`created ${diff.settings.registry} (${registry.registryVersion}) with ${registry.contracts.length} contracts\n`);
      return;
    }
    if (diff.changes.length === 0) {
      process.stdout.write(`${diff.settings.registry} is up to date (${diff.registry.registryVersion})\n`);
      return;
    }
    const { decisions, findings } = loadDecisions(root, diff.settings.decisions, schemas);
    if (findings.length > 0) throw new UsageError(findings.map((f) => f.message).join("\n"));
    const unapproved = diff.changes.map((c) => ({ change: c, problems: approvalProblems(c, decisions) })).filter((u) => u.problems.length > 0);
    if (unapproved.length > 0) {
      const lines = unapproved.map(({ change, problems }) => `  ${change.severity} ${change.code} ${change.id}: ${problems.join("; ")}`);
      throw new UsageError(`not accepted: ${unapproved.length} changes are not approved (scaffold a decision with \`gatehouse contracts decide\`):\n${lines.join("\n")}`);
    }
    // The tests a decision names become the contract's tests.
    const testsById = new Map<string, string[]>();
    for (const change of diff.changes) {
      const entry = approvedBy(change, decisions);
      if (entry) testsById.set(change.id, union(testsById.get(change.id) ?? [], entry.decision.tests));
    }
    const contracts: Contract[] = mergeCurated(diff.extraction.contracts, diff.registry.contracts).map((c) => {
      const tests = testsById.get(contractId(c));
      return tests ? { ...c, tests: union(c.tests, tests) } : c;
    });
    const impact = maxImpact(diff.changes.map((c) => c.severity));
    const registry: Registry = { registryVersion: bumpVersion(diff.registry.registryVersion, impact), updatedAt: recordedNowIso(), contractsVersion: CONTRACTS_VERSION, contracts };
    writeJsonAtomic(file, registry);
    process.stdout.write(`accepted ${diff.changes.length} changes (${impact}): ${diff.settings.registry} ${diff.registry.registryVersion} -> ${registry.registryVersion}\n`);
  },
};

export const contractsCommand = commandGroup("contracts", "contract registry: extract, diff, decide, accept", [extractCommand, diffCommand, decideCommand, acceptCommand]);
