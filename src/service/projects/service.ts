// Projects (one repository each): the pack they select, their overrides, whether the repo-local
// override file is honoured, and the effective policy, merged by the code `gatehouse gate` and
// `gatehouse policy effective` use (src/packs/effective.ts), so the hash is the CLI's.

import { randomBytes } from "node:crypto";
import { sha256 } from "../../core/digest.js";
import { pointerSegment } from "../../core/json-pointer.js";
import { applyLayer, effectiveHash, fromPack, type LayerViolation } from "../../packs/effective.js";
import type { EffectivePolicy, PolicyOverride, PolicyPack } from "../../packs/types.js";
import type { AuditService } from "../audit/service.js";
import type { Caller } from "../context.js";
import type { Database, Queryable } from "../db/database.js";
import { ServiceError } from "../errors.js";
import type { PackService } from "../packs/service.js";
import type { PackStatus } from "../packs/store.js";
import type { ApiSchemas } from "../validate.js";
import type { ProjectRow, ProjectStore } from "./store.js";

export const DEFAULT_PACK_KEY = "default";
const TOKEN_PREFIX = "ghsp_";

export interface ProjectPolicy {
  id: string;
  name: string;
  pack: { key: string; version: string | null };
  overrides: PolicyOverride;
  repoLocal: boolean;
  updatedAt: string;
}

export interface Effective {
  /** the project this policy is for: a client refuses an answer naming another one */
  project: string;
  policy: EffectivePolicy;
  hash: string;
  pack: { key: string; version: string; status: PackStatus };
  overrides: PolicyOverride;
  repoLocal: boolean;
  /** the pack document the policy was merged from, so a client can merge it with its repo-local file */
  document: unknown;
}

export interface PolicyUpdate {
  pack: { key: string; version?: string };
  overrides?: PolicyOverride;
  repoLocal?: boolean;
}

export function tokenHash(token: string): string {
  return sha256(token);
}

type Merged = { policy: EffectivePolicy; hash: string; violations: string[] };
const MERGED_CACHE_LIMIT = 1000;
/** Merges by pack digest and overrides: a run upload checks the project's hash every time. */
const mergedCache = new Map<string, Merged>();

function mergeCached(pack: { sha256: string; document: unknown }, overrides: PolicyOverride): Merged {
  const key = `${pack.sha256}\n${JSON.stringify(overrides)}`;
  let result = mergedCache.get(key);
  if (!result) {
    result = mergeEffective(pack.document, overrides);
    if (mergedCache.size >= MERGED_CACHE_LIMIT) mergedCache.delete(mergedCache.keys().next().value!);
    mergedCache.set(key, result);
  }
  // Callers get their own copy: the cached policy stays as merged.
  return { ...result, policy: structuredClone(result.policy) };
}

/** The effective policy of a pack document plus overrides: resolveEffectivePolicy's steps. */
export function mergeEffective(document: unknown, overrides: PolicyOverride): Merged {
  let policy = fromPack(document as PolicyPack);
  const violations: string[] = [];
  if (Object.keys(overrides).length > 0) {
    const layer = applyLayer(policy, overrides, "config");
    violations.push(...layer.violations.map((v) => v.message));
    policy = layer.policy;
  }
  return { policy, hash: effectiveHash(policy), violations };
}

export class ProjectService {
  constructor(
    private readonly db: Database,
    private readonly store: ProjectStore,
    private readonly packs: PackService,
    private readonly audit: AuditService,
    private readonly schemas: ApiSchemas,
    private readonly now: () => Date,
  ) {}

  /** Registers a project; the token is returned once and stored only as its sha256. */
  async create(caller: Caller, id: string, name: string): Promise<{ id: string; name: string; token: string }> {
    const token = TOKEN_PREFIX + randomBytes(32).toString("base64url");
    const at = this.now().toISOString();
    const row: ProjectRow = { id, name, packKey: DEFAULT_PACK_KEY, packVersion: null, overrides: {}, repoLocal: false, createdAt: at, updatedAt: at };
    await this.db.transaction(async (tx) => {
      await this.audit.lock(tx);
      if (await this.store.get(tx, id)) throw new ServiceError("resource_conflict", `project ${JSON.stringify(id)} already exists`);
      await this.store.insert(tx, row, tokenHash(token));
      await this.audit.append(tx, { event: "project.created", actor: caller.id, subject: `project:${id}`, old: null, new: { name, policy: policyOf(row) } });
    });
    return { id, name, token };
  }

  async require(q: Queryable, id: string): Promise<ProjectRow> {
    const row = await this.store.get(q, id);
    if (!row) throw new ServiceError("resource_not_found", `no project ${JSON.stringify(id)}`);
    return row;
  }

  async exists(id: string): Promise<boolean> {
    return (await this.store.get(this.db, id)) !== undefined;
  }

  async policy(id: string): Promise<ProjectPolicy> {
    return view(await this.require(this.db, id));
  }

  /**
   * The pack, effective policy and hash an update would store, checked as a save checks it: the
   * overrides' schema, the pack's resolution, the merge, and for a project token that the change
   * only tightens the project's policy. Nothing is written (the console's preview and the save).
   */
  async check(caller: Caller, id: string, update: PolicyUpdate, q: Queryable = this.db): Promise<{ current: ProjectRow; pack: { key: string; version: string; status: PackStatus }; merged: Merged }> {
    const overrides = update.overrides ?? {};
    this.schemas.check("documents", "policy-override.v1", { version: 1, ...overrides }, "overrides", "/overrides");
    const current = await this.require(q, id);
    // Before the pack is resolved: a project token learns nothing of packs it may not choose.
    if (caller.kind !== "admin") refuseOtherPack(current, update);
    const pack = await this.packs.resolve(q, update.pack.key, update.pack.version ?? null, "select");
    const merged = mergeEffective(pack.document, overrides);
    if (merged.violations.length > 0) {
      throw new ServiceError("invalid_parameter", `overrides are refused by ${pack.key}@${pack.version}: ${merged.violations.join("; ")}`, merged.violations);
    }
    if (caller.kind !== "admin") refuseLoosening(current, update, mergeCached(pack, current.overrides).policy, merged.hash);
    return { current, pack: { key: pack.key, version: pack.version, status: pack.status }, merged };
  }

  /**
   * Replaces the project's pack selection, overrides and repo-local flag, all checked first. The
   * admin may make any change; a project token (the gated repository's own CI) only one that
   * tightens the project's policy, or the repository would control its own gate.
   */
  async setPolicy(caller: Caller, id: string, update: PolicyUpdate): Promise<ProjectPolicy & { effectiveHash: string }> {
    const overrides = update.overrides ?? {};
    return this.db.transaction(async (tx) => {
      await this.audit.lock(tx);
      const { current, merged } = await this.check(caller, id, update, tx);
      const next: ProjectRow = {
        ...current,
        packKey: update.pack.key,
        packVersion: update.pack.version ?? null,
        overrides,
        repoLocal: update.repoLocal ?? false,
        updatedAt: this.now().toISOString(),
      };
      await this.store.updatePolicy(tx, id, next);
      await this.audit.append(tx, { event: "project.policy_changed", actor: caller.id, subject: `project:${id}`, old: policyOf(current), new: policyOf(next) });
      return { ...view(next), effectiveHash: merged.hash };
    });
  }

  /** The merged policy in force for the project now (a version left open means the latest active). */
  async effective(id: string, q: Queryable = this.db): Promise<Effective> {
    const project = await this.require(q, id);
    const pack = await this.packs.resolve(q, project.packKey, project.packVersion, "use");
    const merged = mergeCached(pack, project.overrides);
    // Overrides were checked when set; a pack version published since may lock what they loosen.
    if (merged.violations.length > 0) {
      throw new ServiceError("resource_conflict", `the project's overrides are refused by ${pack.key}@${pack.version}: ${merged.violations.join("; ")}`, merged.violations);
    }
    return {
      project: project.id,
      policy: merged.policy,
      hash: merged.hash,
      pack: { key: pack.key, version: pack.version, status: pack.status },
      overrides: project.overrides,
      repoLocal: project.repoLocal,
      document: pack.document,
    };
  }

  /** The project a token belongs to, or undefined. */
  projectForToken(token: string): Promise<string | undefined> {
    return this.store.byToken(this.db, tokenHash(token));
  }
}

const ADMIN_ONLY = "needs the admin token (a project token may only tighten its project's policy)";

/**
 * A project token keeps the project's pack and version as stored (a version left open stays
 * open). Whether another pack or version is stricter is not decided here: packs differ in
 * defaults, clarifications and rules no layer can express, so any change of pack is the admin's.
 */
function refuseOtherPack(current: ProjectRow, update: PolicyUpdate): void {
  const from = `${current.packKey}@${current.packVersion ?? "latest"}`;
  const to = `${update.pack.key}@${update.pack.version ?? "latest"}`;
  if (from !== to) throw new ServiceError("admin_required", `/pack changing the pack from ${from} to ${to} ${ADMIN_ONLY}`, [`/pack changing the pack from ${from} to ${to} ${ADMIN_ONLY}`]);
}

/**
 * The rules the repository's own .gatehouse/policy file obeys (src/packs/effective.ts applyLayer,
 * repo-local): the new overrides, laid over the policy in force, may only tighten it, and the
 * result must be the policy the new overrides give on their own. A PUT replaces the overrides,
 * so one left out or undone (a raised severity dropped, a lock removed) is a loosening too.
 * Honouring the repository's file is one as well: the server then stops checking the run's hash.
 */
function refuseLoosening(current: ProjectRow, update: PolicyUpdate, inForce: EffectivePolicy, nextHash: string): void {
  const problems: string[] = [];
  if (update.repoLocal === true && !current.repoLocal) problems.push(`/repoLocal honouring the repository's own .gatehouse/policy file (runs are then not held to the project's effective hash) loosens the policy, which ${ADMIN_ONLY}`);
  const layer = applyLayer(inForce, update.overrides ?? {}, "repo-local");
  for (const violation of layer.violations) problems.push(`${overridePointer(violation.field)} ${tokenWording(violation)}, which ${ADMIN_ONLY}`);
  if (layer.violations.length === 0 && effectiveHash(layer.policy) !== nextHash) {
    problems.push(`/overrides the new overrides leave out or undo what the current ones set (the body replaces them: keep each current override, as it is or raised), which ${ADMIN_ONLY}`);
  }
  if (problems.length > 0) throw new ServiceError("admin_required", problems.length === 1 ? problems[0]! : `${problems.length} changes loosen the project's policy: ${problems.join("; ")}`, problems);
}

/** `rules.x/y` → `/overrides/rules/x~1y`: the field of the request body the violation is about. */
function overridePointer(field: string): string {
  const dot = field.indexOf(".");
  return dot < 0 ? `/overrides/${pointerSegment(field)}` : `/overrides/${pointerSegment(field.slice(0, dot))}/${pointerSegment(field.slice(dot + 1))}`;
}

/**
 * A violation said of a project token: what the change loosens, without the repo-local file's
 * wording (the config's pack.allowLocalLoosening is no escape hatch for a token).
 */
function tokenWording({ field, reason }: LayerViolation): string {
  if (reason.kind === "locked") return reason.text;
  switch (reason.subject) {
    case "rule":
      return `${field}: this loosens the rule (${reason.change})`;
    case "mode":
      return `${field}: ${reason.change} loosens it`;
    case "constraint":
      return `${field}: the constraint is on and switching it off loosens the policy`;
  }
}

function policyOf(row: ProjectRow): Omit<ProjectPolicy, "id" | "name" | "updatedAt"> {
  return { pack: { key: row.packKey, version: row.packVersion }, overrides: row.overrides, repoLocal: row.repoLocal };
}

function view(row: ProjectRow): ProjectPolicy {
  return { id: row.id, name: row.name, ...policyOf(row), updatedAt: row.updatedAt };
}
