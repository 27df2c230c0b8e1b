import type { Route } from "../context.js";

export const PACK_ROUTES: Route[] = [
  {
    method: "GET",
    path: "/policy_packs",
    summary: "every policy pack: key, name, latest active version, versions with their status",
    permission: "token",
    response: "pack-list.v1",
    handler: async ({ services }) => ({ body: { packs: await services.packs.list() } }),
  },
  {
    method: "POST",
    path: "/policy_packs",
    summary: "publish a pack version (the document as in packs/, schema policy-pack.v1)",
    permission: "admin",
    body: "pack-create.v1",
    status: 201,
    handler: async ({ services, caller, body }) => {
      const row = await services.packs.create(caller!, (body as { document: unknown }).document);
      return { status: 201, body: { key: row.key, version: row.version, status: row.status, sha256: row.sha256 } };
    },
  },
  {
    method: "GET",
    path: "/policy_packs/{key}",
    summary: "one pack's details and every version with its document",
    permission: "token",
    response: "pack.v1",
    handler: async ({ services, params }) => ({ body: await services.packs.get(params.key!) }),
  },
  {
    method: "POST",
    path: "/policy_packs/{key}/deprecate",
    summary: "deprecate (or disable) one version, or every version when none is named",
    permission: "admin",
    body: "pack-deprecate.v1",
    bodyOptional: true,
    handler: async ({ services, caller, params, body }) => {
      const { version, status } = body as { version?: string; status?: "deprecated" | "disabled" };
      return { body: await services.packs.setStatus(caller!, params.key!, status ?? "deprecated", version) };
    },
  },
];
