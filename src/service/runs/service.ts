// Runs: one uploaded gate report (gate-report.v1) per CI job, split into steps (one per input
// the gate judged, plus one for findings about the run as a whole) and findings stored as
// append-only events, all in one transaction. The stored decision is the server's and fails
// closed: a run is allowed only when the report says allow and was judged by the project's
// policy (same pack and version, and the same effective hash unless the project honours the
// repo-local override file, which only the repository can see).

import { randomUUID } from "node:crypto";
import { sha256 } from "../../core/digest.js";
import { DENYING_SEVERITIES, type Severity } from "../../core/findings.js";
import { applyLayer, canonical, effectiveHash } from "../../packs/effective.js";
import { isLockedCode, lockReason } from "../../packs/locks.js";
import { expiryMs } from "../../packs/waivers.js";
import { checkIdentity, requiredText } from "../../core/identity.js";
import type { EffectivePolicy, PolicyOverride } from "../../packs/types.js";
import type { Caller } from "../context.js";
import type { Database, Queryable } from "../db/database.js";
import { ServiceError } from "../errors.js";
import type { ProjectService } from "../projects/service.js";
import type { ApiSchemas } from "../validate.js";
import type { FindingEvent, RunRow, RunStore, StepRow } from "./store.js";

export interface RunUpload {
  report: GateReport;
  commit?: string;
  ref?: string;
  pipeline?: string;
  /** the effective policy the run applied; stored when its hash is the report's */
  policy?: EffectivePolicy;
}

interface GateReport {
  verdict: "allow" | "deny" | "error";
  policy?: { pack: string; version: string; effectiveHash: string; mode: string };
  bundle?: { path: string; sha256: string };
  policies?: { path: string; sha256: string }[];
  findings: (Record<string, unknown> & { code: string; severity: string; input?: string })[];
  inputs: { path: string; kind?: string; sha256: string; bytes: number; rulesEvaluated: number }[];
}

export const RUN_STEP_PATH = "(run)";
const DAY_MS = 86_400_000;

export class RunService {
  constructor(
    private readonly db: Database,
    private readonly store: RunStore,
    private readonly projects: ProjectService,
    private readonly schemas: ApiSchemas,
    private readonly now: () => Date,
    /** the wasm sha256 of each bundle a run may be judged by (the released one, and any `serve --trust-bundle`) */
    private readonly trustedBundles: ReadonlySet<string> = new Set(),
  ) {}

  async upload(caller: Caller, projectId: string, upload: RunUpload) {
    this.schemas.check("documents", "gate-report.v1", upload.report, "the report", "/report");
    const report = upload.report;
    refuseUnstorableCounts(report);
    if (upload.policy !== undefined) {
      const snapshotHash = effectiveHash(upload.policy);
      if (snapshotHash !== report.policy?.effectiveHash) {
        throw new ServiceError("invalid_parameter", `the policy snapshot hashes to ${snapshotHash}, not the report's effective hash ${report.policy?.effectiveHash ?? "(none)"}`);
      }
    }
    const now = this.now();
    const createdAt = now.toISOString();
    const runId = randomUUID();
    return this.db.transaction(async (tx) => {
      const reasons = await this.#denyReasons(report, upload.policy, projectId, tx, now);
      const run: RunRow = {
        id: runId,
        projectId,
        pack: report.policy?.pack ?? null,
        version: report.policy?.version ?? null,
        effectiveHash: report.policy?.effectiveHash ?? null,
        mode: report.policy?.mode ?? null,
        reportedVerdict: report.verdict,
        decision: reasons.length === 0 ? "allow" : "deny",
        reasons,
        commit: upload.commit ?? null,
        ref: upload.ref ?? null,
        pipeline: upload.pipeline ?? null,
        policySnapshot: upload.policy ?? null,
        reportSha256: sha256(canonical(report)),
        uploadedBy: caller.id,
        createdAt,
      };
      const steps = stepsOf(report, runId, projectId);
      const stepByPath = new Map(steps.map((s) => [s.path, s]));
      const events: FindingEvent[] = report.findings.map((finding) => ({
        projectId,
        runId,
        stepId: stepByPath.get(finding.input ?? RUN_STEP_PATH)!.id,
        code: finding.code,
        severity: finding.severity,
        finding,
        createdAt,
      }));
      // Counted in one pass: a filter per step was steps × findings, minutes of a blocked event loop for one large upload.
      const perStep = new Map<string, number>();
      for (const event of events) perStep.set(event.stepId, (perStep.get(event.stepId) ?? 0) + 1);
      await this.store.insertRun(tx, run);
      await this.store.insertSteps(tx, steps);
      await this.store.appendFindings(tx, events);
      return {
        ...runView(run),
        findings: events.length,
        steps: steps.map((s) => ({ id: s.id, path: s.path, kind: s.kind, findings: perStep.get(s.id) ?? 0 })),
      };
    });
  }

  async #denyReasons(report: GateReport, snapshot: EffectivePolicy | undefined, projectId: string, tx: Queryable, now: Date): Promise<string[]> {
    const reasons: string[] = [];
    const effective = await this.projects.effective(projectId, tx).catch((error: unknown) => {
      if (error instanceof ServiceError && error.code === "resource_conflict") return error;
      throw error;
    });
    if (report.verdict !== "allow") reasons.push(`the report's verdict is ${report.verdict}`);
    else reasons.push(...contradictions(report, now, effective instanceof ServiceError ? undefined : effective.policy));
    const untrusted = untrustedBundle(report, this.trustedBundles);
    if (untrusted) reasons.push(untrusted);
    if (effective instanceof ServiceError) {
      reasons.push(effective.message);
      return reasons;
    }
    const recorded = report.policy;
    if (!recorded) {
      reasons.push("the report records no policy pack, so nothing shows that the project's policy judged it");
      return reasons;
    }
    const expected = `${effective.pack.key}@${effective.pack.version}`;
    if (`${recorded.pack}@${recorded.version}` !== expected) reasons.push(`the run applied ${recorded.pack}@${recorded.version}; the project's policy is ${expected}`);
    else if (!effective.repoLocal && recorded.effectiveHash !== effective.hash) {
      reasons.push(`the run's effective policy hash ${recorded.effectiveHash} is not the project's ${effective.hash}`);
    } else if (effective.repoLocal && recorded.effectiveHash !== effective.hash) reasons.push(...this.#looserThanProject(snapshot, effective.policy));
    return reasons;
  }

  /**
   * Why a run's effective policy, other than the project's, is not the project's tightened by the
   * repository's own file (the project honours it: only the repository sees that file, so the
   * hash cannot be compared). The hash alone let any policy of the pack's version through: a
   * report of a plain `gatehouse gate` whose gatehouse.config switched warn mode on, lowered or
   * disabled rules (`pack.overrides`, trusted locally) or let its file loosen
   * (`pack.allowLocalLoosening`), uploaded with the project's token, was stored as allowed where
   * `gate --server` denies. The policy the run sent (its hash is the report's, checked at upload)
   * is laid over the project's as the repo-local file is (applyLayer: it may only tighten) and
   * must come out unchanged: what no layer can change (a lock, a requirement, the pack's defaults
   * and questions) differs otherwise.
   */
  #looserThanProject(snapshot: EffectivePolicy | undefined, project: EffectivePolicy): string[] {
    if (snapshot === undefined) {
      return ["the project honours the repository's own .gatehouse/policy file and the run's effective policy differs from the project's, but the upload does not carry it (`policy`, which `gate --server` sends), so nothing shows that it only tightens the project's"];
    }
    const rules = typeof snapshot.rules === "object" && snapshot.rules !== null ? snapshot.rules : {};
    const layer: PolicyOverride = {
      // `enabled: true` is dropped from a merged policy: spelt out, so a rule the repository's file enabled stays enabled.
      rules: Object.fromEntries(Object.entries(rules).map(([code, setting]) => [code, { ...setting, enabled: (setting as { enabled?: boolean } | null)?.enabled !== false }])),
      ...(snapshot.enforcement?.mode !== undefined ? { enforcement: { mode: snapshot.enforcement.mode } } : {}),
      requirements: { files: snapshot.requirements?.files ?? [], headings: snapshot.requirements?.headings ?? [] },
      ...(snapshot.constraints !== undefined ? { constraints: snapshot.constraints } : {}),
    };
    const problems = this.schemas.documents.validate("policy-override.v1", { version: 1, ...layer }, "the run's effective policy");
    if (problems.length > 0) return [`the run's effective policy is not one gatehouse merges: ${problems.map((p) => p.message).join("; ")}`];
    const laid = applyLayer(project, layer, "repo-local");
    if (laid.violations.length > 0) {
      return laid.violations.map((v) => `the run's effective policy loosens the project's at ${v.field} (${v.reason.kind === "locked" ? v.reason.text : v.reason.change}): the repository's own file may only tighten it`);
    }
    if (effectiveHash(laid.policy) !== effectiveHash(snapshot)) {
      return ["the run's effective policy is not the project's tightened by an override: it leaves out or changes what no override can (a lock, a requirement, the pack's defaults or questions, a rule the project sets)"];
    }
    return [];
  }

  async get(id: string) {
    const run = await this.require(id);
    const steps = await this.store.steps(this.db, id);
    return { ...runView(run), steps: steps.map(stepView) };
  }

  async require(id: string): Promise<RunRow> {
    const run = await this.store.getRun(this.db, id);
    if (!run) throw new ServiceError("resource_not_found", `no run ${JSON.stringify(id)}`);
    return run;
  }

  async requireStep(id: string): Promise<StepRow> {
    const step = await this.store.getStep(this.db, id);
    if (!step) throw new ServiceError("resource_not_found", `no step ${JSON.stringify(id)}`);
    return step;
  }

  /** The project a run or step belongs to, for the permission check; undefined when it does not exist. */
  async ownerOf(kind: "run" | "step", id: string): Promise<string | undefined> {
    return kind === "run" ? (await this.store.getRun(this.db, id))?.projectId : (await this.store.getStep(this.db, id))?.projectId;
  }

  countRuns(projectId: string): Promise<number> {
    return this.store.countRuns(this.db, projectId);
  }
}

/**
 * What an `allow` report lists that gatehouse never lets through, so the verdict is not the one
 * its findings give (an edited or forged report): a denying finding nothing suppressed, a locked
 * code suppressed (no waiver or exception applies to one), a waiver without a usable owner
 * (src/core/identity.ts, as the gate reads waivers), a reason or a readable expiry, one expired
 * by the server's clock, or one that by the server's clock runs longer than the project's pack
 * allows (defaults.waiver_max_days: the gate measured it from the run's clock, which the client
 * sets, so a clock pinned ahead would let a waiver of any length through).
 */
function contradictions(report: GateReport, now: Date, policy: EffectivePolicy | undefined): string[] {
  const reasons: string[] = [];
  for (const [index, finding] of report.findings.entries()) {
    const suppressed = finding.suppressed as { kind: string; owner?: string; expires?: string } | undefined;
    const where = `finding ${index} (${finding.code})`;
    if (suppressed === undefined && DENYING_SEVERITIES.has(finding.severity as Severity)) reasons.push(`the report says allow but ${where} is a ${finding.severity} nothing suppressed`);
    if (suppressed !== undefined && isLockedCode(finding.code)) reasons.push(`the report says allow but ${where} is suppressed, and ${finding.code} is locked (${lockReason(finding.code)})`);
    if (suppressed?.kind !== "waiver") continue;
    const owner = suppressed.owner ? checkIdentity(suppressed.owner, "its owner") : undefined;
    if (!suppressed.owner || !suppressed.expires) reasons.push(`the report says allow but ${where} is waived without ${suppressed.owner ? "an expiry" : "an owner"}`);
    else if (!owner!.ok) reasons.push(`the report says allow but ${where} is waived, and ${owner!.message}`);
    else if (requiredText((suppressed as { justification?: string }).justification ?? "") === "") reasons.push(`the report says allow but ${where} is waived with a blank reason`);
    // An expiry that does not parse is no waiver. One that parses is judged by the server's clock
    // too: the run's clock is the client's (`--now`/GATEHOUSE_NOW pin it), so a pinned past date
    // would otherwise keep an expired waiver alive for ever.
    else if (Number.isNaN(expiryMs(suppressed.expires))) reasons.push(`the report says allow but ${where} is waived until ${JSON.stringify(suppressed.expires)}, which is not a date`);
    else if (expiryMs(suppressed.expires) <= now.getTime()) {
      reasons.push(`${where} is waived (owner ${suppressed.owner}) until ${suppressed.expires}, and by the server's clock (${now.toISOString()}) that waiver has expired`);
    } else if (policy?.defaults.waiver_max_days !== undefined && expiryMs(suppressed.expires) - now.getTime() > policy.defaults.waiver_max_days * DAY_MS) {
      const maxDays = policy.defaults.waiver_max_days;
      reasons.push(`${where} is waived (owner ${suppressed.owner}) until ${suppressed.expires}, and by the server's clock (${now.toISOString()}) that is more than the ${maxDays} days ${policy.pack.key}@${policy.pack.version} allows`);
    }
  }
  return reasons;
}

/**
 * Why the bundle the run was judged by is not one this server trusts, or undefined. The gate's
 * bundle is the repository's choice (`policy:` in its gatehouse.config, `--policy`): a repository
 * under a central policy could otherwise judge itself by a copy of the rules with the denials
 * taken out, and the server would store the run as allowed by the project's pack. The bundle is
 * known by its wasm's sha256 (the policy itself): it must be the one this gatehouse released
 * (PINNED_BUNDLE) or one the operator trusted with `serve --trust-bundle`. A report that records
 * no bundle is allowed only when it records the project's own policies (`policies:`, a run whose
 * every input went to them: nothing was the bundle's to judge); one that records neither was
 * judged by no policy that shows.
 */
function untrustedBundle(report: GateReport, trusted: ReadonlySet<string>): string | undefined {
  const trustedList = trusted.size > 0 ? [...trusted].sort().join(", ") : "none: this server was built without a pinned bundle and trusts none with --trust-bundle";
  if (report.bundle === undefined) {
    if ((report.policies ?? []).length > 0) return undefined;
    return `the report records no bundle, so nothing shows that the released bundle judged it (trusted: ${trustedList})`;
  }
  if (trusted.has(report.bundle.sha256)) return undefined;
  return `the run was judged by the bundle ${JSON.stringify(report.bundle.path)} (wasm sha256 ${report.bundle.sha256}), which is not the released bundle this server trusts (${trustedList}): the repository chose its own policy (\`policy:\` in its gatehouse.config or --policy), or it ran another gatehouse release (the operator trusts that release's bundle with \`gatehouse serve --trust-bundle SHA256\`)`;
}

/**
 * The largest `bytes` and `rulesEvaluated` a step stores. The columns are a bigint and an
 * integer: a larger number, which the report's schema allows (any integer), made PostgreSQL refuse
 * the insert, a 500. `bytes` is held to what a JavaScript number keeps exactly.
 */
const MAX_STEP_BYTES = Number.MAX_SAFE_INTEGER;
const MAX_RULES_EVALUATED = 2_147_483_647;

function refuseUnstorableCounts(report: GateReport): void {
  const problems: string[] = [];
  for (const [index, input] of report.inputs.entries()) {
    if (input.bytes > MAX_STEP_BYTES) problems.push(`/report/inputs/${index}/bytes is ${input.bytes}, over the ${MAX_STEP_BYTES} a step stores`);
    if (input.rulesEvaluated > MAX_RULES_EVALUATED) problems.push(`/report/inputs/${index}/rulesEvaluated is ${input.rulesEvaluated}, over the ${MAX_RULES_EVALUATED} a step stores`);
  }
  if (problems.length > 0) throw new ServiceError("invalid_parameter", `the report is refused: ${problems.join("; ")}`, problems);
}

/** One step per input the report lists (sorted), then inputs only findings name, then the run itself. */
function stepsOf(report: GateReport, runId: string, projectId: string): StepRow[] {
  const steps: StepRow[] = [];
  const add = (path: string, input?: GateReport["inputs"][number], kind?: string): void => {
    steps.push({
      id: randomUUID(),
      runId,
      projectId,
      position: steps.length,
      path,
      kind: input?.kind ?? kind ?? null,
      sha256: input?.sha256 || null,
      bytes: input?.bytes ?? null,
      rulesEvaluated: input?.rulesEvaluated ?? null,
    });
  };
  const seen = new Set<string>();
  for (const input of [...report.inputs].sort((a, b) => (a.path < b.path ? -1 : a.path > b.path ? 1 : 0))) {
    if (seen.has(input.path)) continue;
    seen.add(input.path);
    add(input.path, input);
  }
  for (const finding of report.findings) {
    const path = finding.input ?? RUN_STEP_PATH;
    if (seen.has(path)) continue;
    seen.add(path);
    add(path, undefined, path === RUN_STEP_PATH ? "run" : undefined);
  }
  return steps;
}

function runView(run: RunRow) {
  const { policySnapshot, ...rest } = run;
  return { ...rest, policySnapshot: policySnapshot ?? null };
}

function stepView(step: StepRow) {
  return step;
}
