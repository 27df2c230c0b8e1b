// The composition root: `createService({ db, ... })` migrates the database, stores the shipped
// packs on the first start, loads the decision bundle, wires stores into services and registers
// the route table (routes.ts) on Fastify in one loop. `createTestService()` does the same over an
// in-memory PGlite: the same SQL as production, so there are no fake stores to drift from it.
// This module (and Fastify, PGlite, pg behind it) is loaded only by `gatehouse serve` and tests.

import Fastify, { type FastifyInstance, type FastifyReply, type FastifyServerOptions } from "fastify";
import { packagePath } from "../core/paths.js";
import { InputParseError, parseDocument } from "../inputs/parse.js";
import { AuditService } from "./audit/service.js";
import { sqlAuditStore } from "./audit/store-sql.js";
import { Authenticator, authorize } from "./auth.js";
import { ClarificationService } from "./clarifications/service.js";
import { sqlClarificationStore } from "./clarifications/store-sql.js";
import type { RequestContext, Services } from "./context.js";
import { DecisionService } from "./data-api/service.js";
import { sqlDecisionStore } from "./data-api/store-sql.js";
import type { Database } from "./db/database.js";
import { migrate, migrationsDir } from "./db/migrate.js";
import { ServiceError, toErrorResponse, type ErrorBody } from "./errors.js";
import { FindingService } from "./findings/service.js";
import { sqlFindingStore } from "./findings/store-sql.js";
import { PackService } from "./packs/service.js";
import { sqlPackStore } from "./packs/store-sql.js";
import { ProjectService } from "./projects/service.js";
import { sqlProjectStore } from "./projects/store-sql.js";
import { fastifyPath, ROUTES } from "./routes.js";
import { RunService } from "./runs/service.js";
import { sqlRunStore } from "./runs/store-sql.js";
import { ApiSchemas } from "./validate.js";
import { PINNED_BUNDLE } from "../policy/pinned-bundle.js";
import { unstorableValue } from "./storable.js";

/** Bodies over this are refused (413) unless a route sets its own limit. */
export const DEFAULT_BODY_LIMIT = 1024 * 1024;
/** A request that has not been answered in this time is answered 408 by Node's HTTP server. */
export const REQUEST_TIMEOUT_MS = 30_000;

export interface ServiceOptions {
  db: Database;
  adminToken: string;
  /** the decision API's bundle; default the installed package's bundle/ */
  bundleDir?: string;
  /** reload the bundle when its files change (default true) */
  watchBundle?: boolean;
  /** Fastify's logger (pino): false for none; default JSON lines on stdout at level info */
  logger?: FastifyServerOptions["logger"];
  bodyLimit?: number;
  migrationsDir?: string;
  packsDir?: string;
  now?: () => Date;
  /**
   * The wasm sha256 of each bundle, beside the released one (PINNED_BUNDLE), that an uploaded run
   * may have been judged by (`serve --trust-bundle`); a run judged by any other bundle is denied.
   */
  trustBundles?: readonly string[];
  /** a runtime decision's deadline in ms (`serve --decision-timeout`; default DEFAULT_DECISION_TIMEOUT_MS) */
  decisionTimeoutMs?: number;
  /** validate every success response against its route's response schema (tests): a mismatch is a 500 */
  checkResponses?: boolean;
}

export interface Service {
  app: FastifyInstance;
  services: Services;
  /** Stops taking requests, waits for those in flight, writes the decision logs, closes the database. */
  close(): Promise<void>;
}

export async function createService(options: ServiceOptions): Promise<Service> {
  if (options.adminToken.length < 16) throw new ServiceError("invalid_parameter", "the admin token must be at least 16 characters");
  const trusted = trustedBundles(options);
  const timeout = options.decisionTimeoutMs;
  if (timeout !== undefined && (!Number.isInteger(timeout) || timeout < 1 || timeout > 2_147_483_647)) {
    throw new ServiceError("invalid_parameter", `the decision timeout must be a whole number of milliseconds from 1 to 2147483647, got ${timeout}`);
  }
  const { db } = options;
  const now = options.now ?? (() => new Date());
  await migrate(db, options.migrationsDir ?? migrationsDir());

  const schemas = new ApiSchemas();
  const audit = new AuditService(db, sqlAuditStore, now);
  const packs = new PackService(db, sqlPackStore, audit, schemas, now);
  const projects = new ProjectService(db, sqlProjectStore, packs, audit, schemas, now);
  const clarifications = new ClarificationService(db, sqlClarificationStore, projects, audit, now);
  const runs = new RunService(db, sqlRunStore, projects, schemas, now, trusted);
  const findings = new FindingService(db, sqlFindingStore);
  const app = Fastify({
    logger: options.logger ?? true,
    bodyLimit: options.bodyLimit ?? DEFAULT_BODY_LIMIT,
    requestTimeout: REQUEST_TIMEOUT_MS,
    // Graceful shutdown: close() answers 503 to new requests and waits for those in flight.
    return503OnClosing: true,
    // A path that does not decode (`%ff`) is answered in the API's error shape, not Fastify's.
    frameworkErrors: (error, _request, reply) => {
      const body: ErrorBody = { code: "invalid_parameter", message: error.message };
      void (reply as unknown as FastifyReply).status(400).send(body);
    },
  });
  const decisions = new DecisionService(db, sqlDecisionStore, {
    bundleDir: options.bundleDir ?? packagePath("bundle"),
    watch: options.watchBundle ?? true,
    now,
    onError: (message, error) => app.log.error({ err: error }, message),
    ...(options.decisionTimeoutMs !== undefined ? { timeoutMs: options.decisionTimeoutMs } : {}),
  });
  const services: Services = { db, audit, packs, projects, runs, findings, clarifications, decisions };

  await packs.seed(options.packsDir);
  await decisions.load();
  decisions.startWatching();

  const authenticator = new Authenticator(options.adminToken, (token) => projects.projectForToken(token));
  registerParsers(app);
  app.setErrorHandler((error, request, reply) => {
    const response = toErrorResponse(error);
    if (response.internal) request.log.error({ err: error }, "internal error");
    void reply.status(response.status).send(response.body);
  });
  app.setNotFoundHandler((request, reply) => {
    void reply.status(404).send({ code: "resource_not_found", message: `no route ${request.method} ${request.url.split("?")[0]}` });
  });

  for (const route of ROUTES) {
    app.route({
      method: route.method,
      url: fastifyPath(route.path),
      ...(route.bodyLimit !== undefined ? { bodyLimit: route.bodyLimit } : {}),
      handler: async (request, reply) => {
        const params = { ...(request.params as Record<string, string>) };
        if (route.path.endsWith("*}")) params[/\{([a-zA-Z]+)\*\}$/.exec(route.path)![1]!] = params["*"] ?? "";
        const context: RequestContext = {
          caller: await authenticator.caller(request.headers.authorization),
          params,
          query: request.query as Record<string, string | undefined>,
          body: request.body,
          services,
        };
        refuseNul(params, "path");
        refuseNul(context.query, "query");
        await authorize(route.permission, context);
        if (route.body) {
          if (context.body === undefined && route.bodyOptional) context.body = {};
          if (context.body === undefined) throw new ServiceError("invalid_parameter", "this endpoint needs a JSON body (Content-Type: application/json)");
          schemas.check("api", route.body, context.body, "the request body");
        } else if (context.body !== undefined) {
          throw new ServiceError("invalid_parameter", `${route.method} ${route.path} takes no body`);
        }
        const result = await route.handler(context);
        if (options.checkResponses && route.response && (result.status ?? 200) < 300) {
          const problems = schemas.api.validate(route.response, result.body, "the response");
          if (problems.length > 0) throw new Error(`${route.method} ${route.path} answered outside ${route.response}: ${problems.map((p) => p.message).join("; ")}`);
        }
        if (result.headers) void reply.headers(result.headers);
        return reply.status(result.status ?? 200).send(result.body);
      },
    });
  }
  await app.ready();

  return {
    app,
    services,
    close: async () => {
      await app.close();
      await decisions.close();
      await db.close();
    },
  };
}

const SHA256 = /^[0-9a-f]{64}$/;

/** The wasm digests a run's bundle may have: the released bundle's (when pinned) and the operator's. */
function trustedBundles(options: ServiceOptions): Set<string> {
  const trusted = new Set<string>(PINNED_BUNDLE ? [PINNED_BUNDLE.wasmSha256] : []);
  for (const digest of options.trustBundles ?? []) {
    if (!SHA256.test(digest)) throw new ServiceError("invalid_parameter", `a trusted bundle is the sha256 of its policy.wasm (64 lowercase hex digits), got ${JSON.stringify(digest)}`);
    trusted.add(digest);
  }
  return trusted;
}

/**
 * A path or query value with U+0000 names nothing: refused before it reaches a lookup (PostgreSQL's
 * text refuses the character, which made each such request a 500).
 */
function refuseNul(values: Record<string, string | string[] | undefined>, where: "path" | "query"): void {
  for (const [name, value] of Object.entries(values)) {
    if ([value ?? ""].flat().some((v) => v.includes("\u0000"))) throw new ServiceError("invalid_parameter", `the ${where} parameter ${JSON.stringify(name)} contains U+0000`);
  }
}

/**
 * JSON bodies are parsed by gatehouse's own parser, as every input is: repeated keys are refused
 * (JSON.parse would keep the last one silently). Any other content type is a 415.
 */
function registerParsers(app: FastifyInstance): void {
  app.removeAllContentTypeParsers();
  app.addContentTypeParser(/^application\/(.+\+)?json$/, { parseAs: "buffer" }, (_request, body, done) => {
    let text: string;
    try {
      // Lossy decoding would store U+FFFD in place of what the client sent: refused instead.
      text = STRICT_UTF8.decode(body as Buffer);
    } catch {
      done(new ServiceError("invalid_parameter", "the request body is not valid UTF-8"), undefined);
      return;
    }
    let value: unknown;
    try {
      value = parseDocument(text, "json");
    } catch (error) {
      const detail = error instanceof InputParseError ? error.message : (error as Error).message;
      done(new ServiceError("invalid_parameter", `the request body is not valid JSON: ${detail}`), undefined);
      return;
    }
    const problem = unstorableValue(value);
    done(problem === undefined ? null : new ServiceError("invalid_parameter", `the request body is refused: ${problem}`), problem === undefined ? value : undefined);
  });
}

const STRICT_UTF8 = new TextDecoder("utf-8", { fatal: true, ignoreBOM: false });

let template: Promise<Blob> | undefined;

/**
 * A service over a fresh in-memory PGlite, migrated and seeded. The first call builds the
 * database and keeps its files; later calls start from a copy (seconds faster each).
 */
export async function createTestService(options: Partial<ServiceOptions> = {}): Promise<Service> {
  const { openPglite } = await import("./db/pglite.js");
  template ??= (async () => {
    const db = await openPglite();
    const service = await createService({ db, adminToken: TEST_ADMIN_TOKEN, logger: false, watchBundle: false });
    await service.app.close();
    await service.services.decisions.close();
    const dump = await db.dump();
    await db.close();
    return dump;
  })();
  const db = await openPglite(undefined, await template);
  try {
    return await createService({ adminToken: TEST_ADMIN_TOKEN, logger: false, watchBundle: false, checkResponses: true, ...options, db });
  } catch (error) {
    // A service that did not start closes its database (an open PGlite keeps the process alive).
    await db.close().catch(() => undefined);
    throw error;
  }
}

export const TEST_ADMIN_TOKEN = "test-admin-token-0123456789";
