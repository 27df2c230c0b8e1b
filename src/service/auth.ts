// Bearer tokens: the admin token (GATEHOUSE_ADMIN_TOKEN) and one token per project, stored as
// its sha256 (tokens are 256 random bits: a slow hash would add nothing but latency). The admin
// token is compared in constant time. A project token's lookup is cached for the life of the
// process: tokens are never changed or revoked in place (a project keeps the token it was given).

import { timingSafeEqual } from "node:crypto";
import { sha256 } from "../core/digest.js";
import type { Caller, Permission, RequestContext } from "./context.js";
import { ServiceError } from "./errors.js";

const CACHE_LIMIT = 10_000;

export class Authenticator {
  readonly #adminDigest: Buffer;
  readonly #cache = new Map<string, string>();

  constructor(
    adminToken: string,
    private readonly lookup: (token: string) => Promise<string | undefined>,
  ) {
    this.#adminDigest = Buffer.from(sha256(adminToken), "hex");
  }

  /** The caller a request's Authorization header names; undefined without one; 401 for a bad one. */
  async caller(header: string | undefined): Promise<Caller | undefined> {
    if (header === undefined) return undefined;
    const match = /^Bearer ([\x21-\x7e]+)$/.exec(header);
    if (!match) throw new ServiceError("unauthorized", "the Authorization header must be `Bearer TOKEN`");
    const token = match[1]!;
    const digest = sha256(token);
    if (timingSafeEqual(Buffer.from(digest, "hex"), this.#adminDigest)) return { kind: "admin", id: "admin" };
    let project = this.#cache.get(digest);
    if (project === undefined) {
      project = await this.lookup(token);
      if (project === undefined) throw new ServiceError("unauthorized", "the token is not valid");
      if (this.#cache.size >= CACHE_LIMIT) this.#cache.delete(this.#cache.keys().next().value!);
      this.#cache.set(digest, project);
    }
    return { kind: "project", id: `project:${project}`, project };
  }
}

/** Refuses the call unless the caller may use a route with this permission. */
export async function authorize(permission: Permission, context: RequestContext): Promise<void> {
  if (permission === "public") return;
  const caller = context.caller;
  if (!caller) throw new ServiceError("unauthorized", "this endpoint needs `Authorization: Bearer TOKEN`");
  if (permission === "token" || caller.kind === "admin") return;
  if (permission === "admin") throw new ServiceError("forbidden", "only the admin token may do this");
  let owner: string | undefined;
  if (permission === "project") owner = context.params.id;
  else {
    owner = await context.services.runs.ownerOf(permission, context.params.id!);
    if (owner === undefined) throw new ServiceError("resource_not_found", `no ${permission} ${JSON.stringify(context.params.id)}`);
  }
  if (owner !== caller.project) throw new ServiceError("forbidden", `the token of project ${caller.project} cannot access ${permission === "project" ? `project ${owner}` : `a ${permission} of another project`}`);
}
