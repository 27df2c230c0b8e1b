// Builds the `contract-diff` input the gate evaluates (schemas/contract-diff.v1.schema.json):
// extraction vs the registry (or the registry at a base ref), classified changes with their call
// sites, the decisions on file, the declared PR impact and, opt-in, the invariant facts. Policy
// (policy/contracts/) decides; nothing here allows or denies.

import { existsSync, mkdtempSync, readdirSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { execa } from "execa";
import picomatch from "picomatch";
import { ConfigError, ToolchainError } from "../core/errors.js";
import type { Finding } from "../core/findings.js";
import { readUntrustedText, UntrustedFileError } from "../core/read.js";
import { checkIdentity, requiredText } from "../core/identity.js";
import type { SchemaRegistry } from "../schemas/registry.js";
import { calleeName, findCallSites, type CallSite } from "./callsites.js";
import { diffContracts, type ContractChange } from "./diff.js";
import { hasShrunk } from "./extract-codes.js";
import { extractContracts, extractFinding, type Extraction } from "./extract.js";
import { consumerFiles } from "./files.js";
import { contractId, DECLARED_LINE, maxImpact, type Contract, type Impact, type Registry } from "./model.js";
import { parentOf } from "./ts/declarations.js";
import { collectTestFacts, type StableFact, type TestFacts } from "./test-facts.js";
import { baselineContracts, DEFAULT_DECISIONS, DEFAULT_REGISTRY, loadRegistry, parseRegistry } from "./registry.js";

export interface InvariantSettings {
  dataAccessModules?: string[];
  tenantParams?: string[];
  summaryModules?: string[];
  evidenceFields?: string[];
}

export interface ContractSettings {
  registry: string;
  decisions: string;
  include?: string[];
  exclude?: string[];
  entries?: string[];
  types?: boolean;
  baseRef?: string;
  invariants?: InvariantSettings;
}

export function contractSettings(raw: Record<string, unknown> | undefined): ContractSettings {
  const r = raw ?? {};
  const settings: ContractSettings = {
    registry: typeof r.registry === "string" ? r.registry : DEFAULT_REGISTRY,
    decisions: typeof r.decisions === "string" ? r.decisions : DEFAULT_DECISIONS,
  };
  const list = (v: unknown) => (Array.isArray(v) ? v.map(String) : undefined);
  if (list(r.include)) settings.include = list(r.include)!;
  if (list(r.exclude)) settings.exclude = list(r.exclude)!;
  if (list(r.entries)) settings.entries = list(r.entries)!;
  if (r.types === true) settings.types = true;
  if (typeof r.baseRef === "string") settings.baseRef = r.baseRef;
  if (r.invariants && typeof r.invariants === "object") settings.invariants = r.invariants as InvariantSettings;
  return settings;
}

export interface DecisionEntry {
  file: string;
  decision: PolicyDecision;
}

export interface PolicyDecision {
  decisionId: string;
  decision: "APPROVE" | "DENY" | "APPROVE_WITH_CONDITIONS";
  reasons: string[];
  /** `fingerprint`: the exact change approved (ContractChange.fingerprint); without it a decision approves nothing */
  changes: { code: string; symbol: string; fingerprint?: string }[];
  impactedConsumers: string[];
  requiredActions: string[];
  migrationPlan: string;
  rollback: string;
  tests: string[];
  approvedBy: string;
  createdAt: string;
}

/**
 * Why the decisions on file do not approve a change (empty: approved). The same rules as
 * policy/contracts (which stays authoritative in the gate); `contracts accept` uses it so that
 * only approved changes reach the registry.
 */
export function approvalProblems(change: ContractChange, decisions: DecisionEntry[]): string[] {
  if (change.severity === "SAFE") return [];
  const covering = decisions.filter((d) => d.decision.changes.some((c) => c.code === change.code && c.symbol === change.id));
  // A DENY stands for the symbol's change whatever its fingerprint: denying is never stale.
  const denied = covering.find((d) => d.decision.decision === "DENY");
  if (denied) return [`denied by ${denied.file}`];
  const approvals = covering.filter((d) => d.decision.decision !== "DENY" && binds(d.decision, change));
  const stale = covering.filter((d) => d.decision.decision !== "DENY" && !binds(d.decision, change));
  if (approvals.length === 0 && stale.length > 0) {
    return stale.map((d) => `${d.file} was written for another change of ${change.id} (fingerprint ${d.decision.changes.find((c) => c.code === change.code && c.symbol === change.id)?.fingerprint ?? "none"}, this change is ${change.fingerprint}): write a new decision`);
  }
  if (approvals.length === 0) return ["no approving decision"];
  const missingOf = (d: PolicyDecision) => {
    const missing: string[] = [];
    if (d.approvedBy.trim() === "") missing.push("approvedBy");
    if (d.tests.length === 0) missing.push("tests");
    if (change.severity === "BREAKING") {
      if (d.impactedConsumers.length === 0) missing.push("impactedConsumers");
      if (d.migrationPlan.trim() === "") missing.push("migrationPlan");
      if (d.rollback.trim() === "") missing.push("rollback");
    }
    return missing;
  };
  if (approvals.some((d) => missingOf(d.decision).length === 0)) return [];
  return approvals.map((d) => `${d.file} is incomplete, missing: ${missingOf(d.decision).sort().join(", ")}`);
}

/** The decision names this exact change: code, symbol and fingerprint. */
export function binds(decision: PolicyDecision, change: ContractChange): boolean {
  return decision.changes.some((c) => c.code === change.code && c.symbol === change.id && c.fingerprint === change.fingerprint);
}

export type ChangeWithSites = ContractChange & { callSites: CallSite[]; file?: string; line?: number };

export interface ContractDiffDocument {
  registry: { file: string; baseRef?: string; before: RegistryVersion; after: RegistryVersion; inSync: boolean; pending: number };
  detected: Impact;
  declaredImpact: { value: Impact | null; source: string };
  changes: ChangeWithSites[];
  decisions: DecisionEntry[];
  /** the test files decisions and stable contracts name, and those that use a changed symbol, with what the change did to them */
  tests: TestFacts;
  /** contracts whose stability is stable, with their test references in the working-tree registry */
  stable: StableFact[];
  invariants?: {
    tenantParams: string[];
    evidenceFields: string[];
    exports: { id: string; kind: string; params: string[]; sideEffects: string[]; returnsEvidence: string[]; returnType: string; dataAccess: boolean; summary: boolean }[];
  };
}

interface RegistryVersion {
  registryVersion: string;
  updatedAt: string;
}

export const MAX_CALL_SITES = 50;
const EMPTY_REGISTRY: Registry = { registryVersion: "0.0.0", updatedAt: "1970-01-01T00:00:00Z", contracts: [] };

/** The registry file as of a git ref (empty when the file did not exist there). */
export async function registryAtRef(root: string, ref: string, file: string, schemas: SchemaRegistry): Promise<Registry> {
  return (await registryFileAtRef(root, ref, file, schemas)) ?? EMPTY_REGISTRY;
}

/** The registry file as of a git ref; undefined when the ref has no such file. */
async function registryFileAtRef(root: string, ref: string, file: string, schemas: SchemaRegistry): Promise<Registry | undefined> {
  const exists = await execa("git", ["cat-file", "-e", `${ref}:${file}`], { cwd: root, reject: false });
  if (exists.exitCode !== 0) {
    const refOk = await execa("git", ["rev-parse", "--verify", "--quiet", `${ref}^{commit}`], { cwd: root, reject: false });
    if (refOk.exitCode !== 0) throw new ToolchainError(`git: unknown ref ${JSON.stringify(ref)}`);
    return undefined;
  }
  const shown = await execa("git", ["show", `${ref}:${file}`], { cwd: root, reject: false });
  if (shown.exitCode !== 0) throw new ToolchainError(`git show ${ref}:${file} failed: ${shown.stderr}`);
  return parseRegistry(shown.stdout, `${ref}:${file}`, schemas);
}

/** The code's contracts at a git ref, extracted from a temporary worktree that is always removed. */
export async function extractAtRef(root: string, ref: string, settings: ContractSettings): Promise<Extraction> {
  return withTreeAtRef(root, ref, (dir) => extractContracts(dir, settings));
}

/** `use` runs on the tree at a git ref, checked out in a temporary worktree that is always removed. */
export async function withTreeAtRef<T>(root: string, ref: string, use: (dir: string) => Promise<T>): Promise<T> {
  const dir = mkdtempSync(join(tmpdir(), "gatehouse-contracts-"));
  const added = await execa("git", ["worktree", "add", "--detach", "--quiet", dir, ref], { cwd: root, reject: false });
  if (added.exitCode !== 0) {
    rmSync(dir, { recursive: true, force: true });
    throw new ToolchainError(`git worktree add ${ref} failed: ${added.stderr.trim() || added.stdout.trim()}`);
  }
  try {
    return await use(dir);
  } finally {
    await execa("git", ["worktree", "remove", "--force", dir], { cwd: root, reject: false });
    rmSync(dir, { recursive: true, force: true });
  }
}

/** HEAD, when the root is inside a git repository with at least one commit. */
async function gitHead(root: string): Promise<string | undefined> {
  const head = await execa("git", ["rev-parse", "--verify", "--quiet", "HEAD^{commit}"], { cwd: root, reject: false });
  return head.exitCode === 0 ? "HEAD" : undefined;
}

/**
 * The baseline when the working-tree registry is missing: the registry at the base ref, or (the
 * ref has none) the contracts extracted from the ref's sources; without git, nothing. Deleting
 * the registry must not switch off the diff, the approvals and the invariants behind it.
 */
async function baselineWithoutRegistry(root: string, ref: string | undefined, settings: ContractSettings, schemas: SchemaRegistry): Promise<Registry> {
  if (ref === undefined) return EMPTY_REGISTRY;
  const registry = await registryFileAtRef(root, ref, settings.registry, schemas);
  if (registry) return registry;
  return { ...EMPTY_REGISTRY, contracts: (await extractAtRef(root, ref, settings)).contracts };
}

/** Decision files, each validated against policy-decision.v1; an invalid one is a finding. */
export function loadDecisions(root: string, dir: string, schemas: SchemaRegistry): { decisions: DecisionEntry[]; findings: Finding[] } {
  const abs = join(root, dir);
  const decisions: DecisionEntry[] = [];
  const findings: Finding[] = [];
  if (!existsSync(abs)) return { decisions, findings };
  for (const name of readdirSync(abs).filter((f) => f.endsWith(".json")).sort()) {
    const file = `${dir}/${name}`;
    let raw: unknown;
    try {
      raw = JSON.parse(readUntrustedText(join(abs, name), { maxBytes: MAX_DECISION_BYTES, root }));
    } catch (error) {
      const what = error instanceof UntrustedFileError ? "cannot be read" : "not valid JSON";
      findings.push({ code: "contracts/decision-invalid", severity: "error", source: "gate", input: file, message: `${file}: ${what}: ${(error as Error).message}` });
      continue;
    }
    const problems = schemas.validate("policy-decision.v1", raw, file);
    if (problems.length > 0) {
      findings.push(...problems.map((p) => ({ ...p, code: "contracts/decision-invalid", message: `${file}: ${p.message}` })));
      continue;
    }
    const decision = raw as PolicyDecision;
    if (`${decision.decisionId}.json` !== name) {
      findings.push({ code: "contracts/decision-invalid", severity: "error", source: "gate", input: file, message: `${file}: decisionId ${decision.decisionId} does not match the file name` });
      continue;
    }
    const read = readDecision(decision, file);
    findings.push(...read.findings);
    decisions.push({ file, decision: read.decision });
  }
  return { decisions, findings };
}

/**
 * A decision as policy reads it: the approver a usable identity (NFKC; blank counts as missing;
 * invisible characters or mixed scripts are refused as identity/invalid and approve nothing) and
 * the required texts and lists without invisible padding, so a zero-width space is no migration
 * plan, test or approver. The decision stays on file: a DENY denies whoever signed it.
 */
function readDecision(raw: PolicyDecision, file: string): { decision: PolicyDecision; findings: Finding[] } {
  const findings: Finding[] = [];
  let approvedBy = "";
  if (raw.approvedBy !== "") {
    const check = checkIdentity(raw.approvedBy, "approvedBy");
    if (check.ok) approvedBy = check.value;
    else if (check.problem !== "blank") {
      findings.push({ code: "identity/invalid", severity: "error", source: "gate", input: file, location: { file, pointer: "/approvedBy" }, message: `${file}: ${check.message}; the decision approves nothing` });
    }
  }
  const list = (items: string[]) => items.map(requiredText).filter((item) => item !== "");
  const decision: PolicyDecision = {
    ...raw,
    approvedBy,
    migrationPlan: requiredText(raw.migrationPlan),
    rollback: requiredText(raw.rollback),
    reasons: list(raw.reasons),
    impactedConsumers: list(raw.impactedConsumers),
    requiredActions: list(raw.requiredActions),
    tests: list(raw.tests),
  };
  return { decision, findings };
}

/**
 * The Contract Impact declared in a PR body: a checked box (`- [x] RISKY`) or a line
 * `Contract Impact: RISKY` inside the "Contract Impact" section. Zero or several (a line and a
 * box that disagree included): undeclared. Only what the rendered description shows counts:
 * HTML comments and fenced code are dropped first, so a `<!-- Contract Impact: BREAKING -->`
 * reviewers never see cannot declare the impact beside a visible `[x] None` (the first inline
 * line anywhere used to win over everything).
 */
export function declaredImpactOf(body: string): Impact | null {
  const lines = visibleMarkdown(body).split(/\r?\n/);
  const declared = new Set<Impact>();
  for (const l of lines) {
    const inline = /contract impact\s*[:=]\s*\**\s*(none|safe|risky|breaking)\b/i.exec(l)?.[1];
    if (inline) declared.add(inline.toUpperCase() as Impact);
  }
  // The boxes under every line that names the section (its heading, or a line that mentions it).
  lines.forEach((l, start) => {
    if (!/contract impact/i.test(l)) return;
    for (const line of lines.slice(start + 1)) {
      if (/^\s*#/.test(line)) break;
      const match = /^\s*[-*]\s*\[[xX]\]\s*\**\s*(none|safe|risky|breaking)\b/i.exec(line);
      if (match) declared.add(match[1]!.toUpperCase() as Impact);
    }
  });
  return declared.size === 1 ? [...declared][0]! : null;
}

/** Markdown without what it does not render: HTML comments (an unclosed one runs to the end) and fenced code blocks. */
function visibleMarkdown(body: string): string {
  const uncommented = body.replace(/<!--[\s\S]*?(?:-->|$)/g, "");
  const out: string[] = [];
  let fence: string | undefined;
  for (const line of uncommented.split(/\r?\n/)) {
    const marker = /^ {0,3}(`{3,}|~{3,})/.exec(line)?.[1];
    if (fence) {
      if (marker && marker[0] === fence[0] && marker.length >= fence.length && line.trim() === marker) fence = undefined;
      continue;
    }
    if (marker) {
      fence = marker;
      continue;
    }
    out.push(line);
  }
  return out.join("\n");
}

/** PR body from $GATEHOUSE_PR_BODY (a file, set by --pr-body) or the GitHub event payload. */
export function readDeclaredImpact(env: NodeJS.ProcessEnv): { value: Impact | null; source: string } {
  if (env.GATEHOUSE_PR_BODY) {
    if (!existsSync(env.GATEHOUSE_PR_BODY)) throw new ConfigError("PR body file does not exist", env.GATEHOUSE_PR_BODY);
    return { value: declaredImpactOf(readPipelineText(env.GATEHOUSE_PR_BODY, "PR body file")), source: `pr-body:${env.GATEHOUSE_PR_BODY}` };
  }
  if (env.GITHUB_EVENT_PATH && existsSync(env.GITHUB_EVENT_PATH)) {
    try {
      const event = JSON.parse(readPipelineText(env.GITHUB_EVENT_PATH, "GitHub event payload")) as { pull_request?: { body?: string | null } };
      if (event.pull_request) return { value: declaredImpactOf(event.pull_request.body ?? ""), source: "github-event" };
    } catch (error) {
      if (error instanceof ConfigError) throw error;
      throw new ConfigError(`GitHub event payload is not JSON: ${(error as Error).message}`, env.GITHUB_EVENT_PATH);
    }
  }
  return { value: null, source: "none" };
}

export interface GovernanceResult {
  document?: ContractDiffDocument;
  extraction: Extraction;
  findings: Finding[];
}

export async function buildContractDiff(root: string, settings: ContractSettings, schemas: SchemaRegistry, env: NodeJS.ProcessEnv): Promise<GovernanceResult> {
  const extraction = await extractContracts(root, settings);
  const loaded = loadRegistry(join(root, settings.registry), schemas, root);
  // In a GitHub pull request the base branch is the baseline unless configured otherwise.
  let baseRef = settings.baseRef ?? (env.GATEHOUSE_CONTRACTS_BASE || (env.GITHUB_BASE_REF ? `origin/${env.GITHUB_BASE_REF}` : undefined));
  const findings: Finding[] = [];
  let working: Registry;
  let base: Registry;
  if (loaded) {
    working = loaded;
    base = baseRef ? await registryAtRef(root, baseRef, settings.registry, schemas) : working;
  } else {
    // A locked finding (no pack or waiver lifts it), and the diff runs all the same.
    baseRef ??= await gitHead(root);
    findings.push({
      code: "contracts/registry-missing",
      severity: "error",
      source: "gate",
      input: settings.registry,
      location: { file: settings.registry },
      message: `${settings.registry} does not exist: create it with \`gatehouse contracts accept\`; contracts were diffed against ${baseRef ? `${baseRef} instead` : "nothing (no git base ref)"}`,
    });
    working = EMPTY_REGISTRY;
    base = await baselineWithoutRegistry(root, baseRef, settings, schemas);
  }
  const changes = diffContracts(baselineContracts(base, extraction.contracts, extraction.entries.keys), extraction.contracts);
  const pending = diffContracts(baselineContracts(working, extraction.contracts, extraction.entries.keys), extraction.contracts).length;
  const names = new Set(changes.filter((c) => c.severity !== "SAFE").map((c) => calleeName(c.symbol.name)));
  const sites = await findCallSites(root, await consumerFiles(root), names);
  const loadedDecisions = loadDecisions(root, settings.decisions, schemas);
  const decisions = loadedDecisions.decisions;
  findings.push(...extraction.findings, ...loadedDecisions.findings);
  const shrunk = shrinkFinding(base.contracts.length, extraction, changes, decisions);
  if (shrunk) findings.push(shrunk);
  const lines = new Map(extraction.contracts.map((c) => [contractId(c), { file: DECLARED_LINE.file(c), line: DECLARED_LINE.get(c) }]));
  const stable = stableFacts(extraction.contracts, working.contracts, lines);
  const tests = await collectTestFacts({
    root,
    ...(baseRef ? { baseRef } : {}),
    changes,
    head: extraction.contracts,
    baseline: base.contracts,
    named: [...new Set([...decisions.flatMap((d) => d.decision.tests), ...stable.flatMap((s) => s.tests)])].sort(),
    stable,
  });
  const document: ContractDiffDocument = {
    registry: {
      file: settings.registry,
      ...(baseRef ? { baseRef } : {}),
      before: { registryVersion: base.registryVersion, updatedAt: base.updatedAt },
      after: { registryVersion: working.registryVersion, updatedAt: working.updatedAt },
      inSync: loaded !== undefined && pending === 0,
      pending,
    },
    detected: maxImpact(changes.map((c) => c.severity)),
    declaredImpact: readDeclaredImpact(env),
    changes: changes.map((c) => ({
      ...c,
      ...declaredAt(c, lines),
      // A symbol's own definition is not a consumer.
      callSites: c.severity === "SAFE" ? [] : (sites.get(calleeName(c.symbol.name)) ?? []).filter((s) => s.file !== (lines.get(c.id)?.file ?? c.symbol.module)).slice(0, MAX_CALL_SITES),
    })),
    decisions,
    tests,
    stable,
  };
  if (settings.invariants) document.invariants = invariantFacts(extraction, settings.invariants);
  return { document, extraction, findings };
}

/** The stable contracts of the code, with the tests the working-tree registry names for each. */
function stableFacts(head: readonly Contract[], registry: readonly Contract[], lines: Map<string, DeclaredAt>): StableFact[] {
  const curated = new Map(registry.map((c) => [contractId(c), c.tests]));
  return head
    .filter((c) => c.stability?.level === "stable")
    .map((c) => {
      const id = contractId(c);
      const at = lines.get(id);
      return { id, kind: c.kind, tests: [...new Set([...(curated.get(id) ?? []), ...c.tests])].sort(), ...(at?.line === undefined ? {} : { file: at.file, line: at.line }) };
    });
}

const REMOVALS = new Set(["contracts/symbol-removed", "contracts/stable-removed", "contracts/deprecated-removed"]);

/**
 * Far fewer contracts than the baseline is a finding, unless decisions approve every removal (a
 * deliberate cut, not an extraction that lost its way).
 */
export function shrinkFinding(baseline: number, extraction: Extraction, changes: ContractChange[], decisions: DecisionEntry[]): Finding | undefined {
  if (!hasShrunk(baseline, extraction.contracts.length)) return undefined;
  const unexplained = changes.filter((c) => REMOVALS.has(c.code) && approvalProblems(c, decisions).length > 0);
  if (unexplained.length === 0) return undefined;
  return extractFinding("contracts/extract-shrunk", `${extraction.contracts.length} contracts extracted, the baseline has ${baseline}: check the entry points and include patterns, or approve the ${unexplained.length} removals`);
}

/** Where the change is in the code now (renames: the new name); removals have no place. */
/** The file that declares a contract (not its public path) and the line, when known. */
interface DeclaredAt {
  file: string;
  line: number | undefined;
}

function declaredAt(change: ContractChange, lines: Map<string, DeclaredAt>): { file?: string; line?: number } {
  const at = lines.get(change.renamedTo ?? change.id);
  return at?.line === undefined ? {} : { file: at.file, line: at.line };
}

function invariantFacts(extraction: Extraction, settings: InvariantSettings): NonNullable<ContractDiffDocument["invariants"]> {
  const dataAccess = picomatch(settings.dataAccessModules?.length ? settings.dataAccessModules : ["__none__"]);
  const summary = picomatch(settings.summaryModules?.length ? settings.summaryModules : ["__none__"]);
  const tenantParams = settings.tenantParams ?? ["workspaceId"];
  const byName = new Map(extraction.contracts.map((c) => [`${c.symbol.module}#${c.symbol.name}`, c]));
  /**
   * Whether a method is code callers run: a class's or an exported object's method (`export class
   * InvoiceRepo { list() }`, `export const invoices = { list() {} }`), not an interface's or a type's
   * member, which declares a shape. An instance method of a class whose constructor takes the
   * tenant is bound to that tenant (`new InvoiceRepo(workspaceId).list()`). Only functions were
   * checked: a data-access class read and wrote every workspace unseen.
   */
  const callableMethod = (c: Contract): { callable: boolean; tenantBound: boolean } => {
    const parentName = parentOf(c.symbol.name);
    const parent = parentName === undefined ? undefined : byName.get(`${c.symbol.module}#${parentName}`);
    if (!parent || parent.kind === "interface" || parent.kind === "type") return { callable: false, tenantBound: false };
    return { callable: true, tenantBound: parent.kind === "class" && !c.static && parent.params.some((p) => tenantParams.includes(p.name)) };
  };
  const exports = extraction.contracts
    .filter((c) => c.kind === "function" || c.kind === "method")
    .map((c) => {
      const method = c.kind === "method" ? callableMethod(c) : { callable: true, tenantBound: false };
      return {
        id: contractId(c),
        kind: c.kind,
        params: c.params.map((p) => p.name),
        sideEffects: c.sideEffects,
        returnsEvidence: c.returns.evidence ?? [],
        returnType: c.returns.type ?? c.returns.inferred ?? "",
        dataAccess: settings.dataAccessModules?.length ? method.callable && !method.tenantBound && dataAccess(DECLARED_LINE.file(c)) : false,
        summary: settings.summaryModules?.length ? method.callable && summary(DECLARED_LINE.file(c)) : false,
      };
    })
    // Only what an invariant can apply to: keeps the input small on big code bases.
    .filter((e) => e.dataAccess || e.summary || e.sideEffects.length > 0);
  return { tenantParams, evidenceFields: settings.evidenceFields ?? ["evidence"], exports };
}

/** Decision files are small; a bigger one is not a decision. */
const MAX_DECISION_BYTES = 1024 * 1024;
/** PR bodies and event payloads (GitHub caps a body at 64 KiB; payloads carry more). */
const MAX_PIPELINE_FILE_BYTES = 10 * 1024 * 1024;

/** A file the pipeline hands over (PR body, event payload), through the untrusted-file reader. */
function readPipelineText(file: string, what: string): string {
  try {
    return readUntrustedText(file, { maxBytes: MAX_PIPELINE_FILE_BYTES });
  } catch (error) {
    if (error instanceof UntrustedFileError) throw new ConfigError(`cannot read the ${what}: ${error.reason}`, file);
    throw error;
  }
}
