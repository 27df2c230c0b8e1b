// Policy packs, versioned: the five shipped packs (packs/) are stored on the first start, others
// are published through the API. A version is active, deprecated (kept for the projects that
// pinned it, refused for new selections) or disabled (runs against it deny).

import { availablePacks, coreRuleProblems, loadPack, packsDir } from "../../packs/load.js";
import { canonical } from "../../packs/effective.js";
import type { PolicyPack } from "../../packs/types.js";
import { sha256 } from "../../core/digest.js";
import type { AuditService } from "../audit/service.js";
import type { Caller } from "../context.js";
import type { Database, Queryable } from "../db/database.js";
import { ServiceError } from "../errors.js";
import type { ApiSchemas } from "../validate.js";
import type { PackRow, PackStatus, PackStore } from "./store.js";

/**
 * "1.10" after "1.9": versions are major.minor (the pack file name's rule). BigInt, so parts past
 * 2^53 stay apart (as Numbers 99999999999999999998 and ...99 are one value, and "latest" a tie).
 */
export function compareVersions(a: string, b: string): number {
  const [am = 0n, an = 0n] = a.split(".").map(BigInt);
  const [bm = 0n, bn = 0n] = b.split(".").map(BigInt);
  const order = am === bm ? (an === bn ? 0n : an - bn) : am - bm;
  return order < 0n ? -1 : order > 0n ? 1 : 0;
}

/** No leading zeros: "01.0" or "1.00" would be a second name for "1.0", stored beside it. */
const CANONICAL_VERSION = /^(0|[1-9][0-9]*)\.(0|[1-9][0-9]*)$/;

export interface PackSummary {
  key: string;
  name: string;
  description: string;
  latest: string | null;
  versions: { version: string; status: PackStatus }[];
}

export class PackService {
  constructor(
    private readonly db: Database,
    private readonly store: PackStore,
    private readonly audit: AuditService,
    private readonly schemas: ApiSchemas,
    private readonly now: () => Date,
  ) {}

  /** Stores the shipped packs when the database has none (the first start); returns how many. */
  async seed(dir: string = packsDir()): Promise<number> {
    return this.db.transaction(async (tx) => {
      // The audit lock also serialises instances starting together on one PostgreSQL.
      await this.audit.lock(tx);
      if ((await this.store.count(tx)) > 0) return 0;
      const refs = availablePacks(dir);
      for (const ref of refs) {
        const { pack } = loadPack(ref, this.schemas.documents, dir);
        await this.#insert(tx, pack, "pack.seeded", "system");
      }
      return refs.length;
    });
  }

  async list(): Promise<PackSummary[]> {
    const byKey = new Map<string, PackRow[]>();
    for (const row of await this.store.all(this.db)) byKey.set(row.key, [...(byKey.get(row.key) ?? []), row]);
    return [...byKey.entries()].map(([key, rows]) => summary(key, rows));
  }

  async get(key: string): Promise<PackSummary & { versions: (PackRow & { document: unknown })[] }> {
    const rows = await this.store.versions(this.db, key);
    if (rows.length === 0) throw new ServiceError("resource_not_found", `no policy pack ${JSON.stringify(key)}`);
    rows.sort((a, b) => compareVersions(a.version, b.version));
    return { ...summary(key, rows), versions: rows };
  }

  /** Publishes a pack version. The document must pass everything a shipped pack file must. */
  async create(caller: Caller, document: unknown): Promise<PackRow> {
    this.schemas.check("documents", "policy-pack.v1", document, "the pack document", "/document");
    const pack = document as PolicyPack;
    const problems = [
      ...(CANONICAL_VERSION.test(pack.meta.version) ? [] : [`version ${JSON.stringify(pack.meta.version)} has a leading zero: write it as ${JSON.stringify(pack.meta.version.split(".").map((part) => String(BigInt(part))).join("."))}`]),
      ...coreRuleProblems(pack.rules),
      ...pack.clarifications
        .filter((c) => c.recommended !== undefined && !c.options.includes(c.recommended))
        .map((c) => `clarification ${c.key}: recommended ${JSON.stringify(c.recommended)} is not one of its options`),
    ];
    if (problems.length > 0) throw new ServiceError("invalid_parameter", `the pack document is invalid: ${problems.join("; ")}`, problems);
    return this.db.transaction(async (tx) => {
      await this.audit.lock(tx);
      if (await this.store.get(tx, pack.meta.key, pack.meta.version)) {
        throw new ServiceError("resource_conflict", `policy pack ${pack.meta.key}@${pack.meta.version} already exists: publish a new version`);
      }
      return this.#insert(tx, pack, "pack.created", caller.id);
    });
  }

  async #insert(tx: Queryable, pack: PolicyPack, event: "pack.seeded" | "pack.created", actor: string): Promise<PackRow> {
    const row: PackRow = {
      key: pack.meta.key,
      version: pack.meta.version,
      name: pack.meta.name,
      description: pack.meta.description,
      status: "active",
      document: pack,
      sha256: sha256(canonical(pack)),
      createdBy: actor,
      createdAt: this.now().toISOString(),
    };
    await this.store.insert(tx, row);
    await this.audit.append(tx, { event, actor, subject: `pack:${row.key}@${row.version}`, old: null, new: { status: row.status, sha256: row.sha256 } });
    return row;
  }

  /** Deprecates or disables one version, or every version of the pack when none is named. */
  async setStatus(caller: Caller, key: string, status: Exclude<PackStatus, "active">, version?: string): Promise<PackSummary> {
    await this.db.transaction(async (tx) => {
      await this.audit.lock(tx);
      const rows = await this.store.versions(tx, key);
      if (rows.length === 0) throw new ServiceError("resource_not_found", `no policy pack ${JSON.stringify(key)}`);
      const targets = version === undefined ? rows : rows.filter((r) => r.version === version);
      if (targets.length === 0) throw new ServiceError("resource_not_found", `policy pack ${key} has no version ${JSON.stringify(version)}; its versions: ${rows.map((r) => r.version).join(", ")}`);
      for (const row of targets) {
        if (row.status === status) continue;
        await this.store.setStatus(tx, key, row.version, status);
        await this.audit.append(tx, { event: "pack.status_changed", actor: caller.id, subject: `pack:${key}@${row.version}`, old: { status: row.status }, new: { status } });
      }
    });
    const { versions, ...rest } = await this.get(key);
    return { ...rest, versions: versions.map((v) => ({ version: v.version, status: v.status })) };
  }

  /**
   * The version a project selection means: the named one, or the latest active one. `purpose`
   * "select" refuses deprecated and disabled versions (a new selection); "use" refuses only
   * disabled ones (a project that pinned a version before it was deprecated keeps it).
   */
  async resolve(q: Queryable, key: string, version: string | null, purpose: "select" | "use"): Promise<PackRow> {
    // A body naming a pack that cannot be selected is invalid; a stored selection that can no
    // longer be used is a conflict with the pack's state.
    const code = purpose === "select" ? "invalid_parameter" : "resource_conflict";
    const rows = (await this.store.versions(q, key, { documents: false })).sort((a, b) => compareVersions(a.version, b.version));
    if (rows.length === 0) throw new ServiceError(code, `no policy pack ${JSON.stringify(key)}; packs are listed at GET /policy_packs`);
    if (version === null) {
      const active = rows.filter((r) => r.status === "active");
      if (active.length === 0) throw new ServiceError(code, `policy pack ${key} has no active version (${rows.map((r) => `${r.version} ${r.status}`).join(", ")})`);
      return (await this.store.get(q, key, active[active.length - 1]!.version))!;
    }
    const row = rows.find((r) => r.version === version);
    const listed = rows.map((r) => `${r.version} (${r.status})`).join(", ");
    if (!row) throw new ServiceError(code, `policy pack ${key} has no version ${JSON.stringify(version)}; its versions: ${listed}`);
    if (row.status === "disabled" || (purpose === "select" && row.status === "deprecated")) {
      throw new ServiceError(code, `policy pack ${key}@${version} is ${row.status} and cannot be selected; its versions: ${listed}`);
    }
    return (await this.store.get(q, key, version))!;
  }
}

function summary(key: string, rows: PackRow[]): PackSummary {
  const sorted = [...rows].sort((a, b) => compareVersions(a.version, b.version));
  const newest = sorted[sorted.length - 1]!;
  const active = sorted.filter((r) => r.status === "active");
  return {
    key,
    name: newest.name,
    description: newest.description,
    latest: active.length > 0 ? active[active.length - 1]!.version : null,
    versions: sorted.map((r) => ({ version: r.version, status: r.status })),
  };
}
