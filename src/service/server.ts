// `gatehouse serve` at run time: open the database (the embedded one in a locked directory, or
// PostgreSQL from DATABASE_URL), start the service, listen, and on SIGTERM or SIGINT shut down
// gracefully: stop accepting, finish the requests in flight, write the decision logs, close the
// database, release the lock. Resolves when the server has closed.

import { join, resolve } from "node:path";
import { ConfigError, errorMessage } from "../core/errors.js";
import { createService, type Service } from "./app.js";
import { openDatabase, type Database } from "./db/database.js";
import { lockDataDir } from "./db/lock.js";

export interface ServerOptions {
  port: number;
  host: string;
  dataDir: string;
  databaseUrl?: string;
  adminToken: string;
  bundleDir?: string;
  logLevel: string;
  /** `serve --trust-bundle`: more bundle wasm digests a run may be judged by */
  trustBundles?: string[];
  /** `serve --decision-timeout`: a runtime decision's deadline in ms */
  decisionTimeoutMs?: number;
  /** tests only (`serve --now`): the server's clock starts here (ms since the epoch) and runs on */
  clockStartMs?: number;
}

/** A clock set to `startMs` now that then runs at the real pace, so stored times stay ordered. */
function runningClock(startMs: number): () => Date {
  const offset = startMs - Date.now();
  return () => new Date(Date.now() + offset);
}

export async function runServer(options: ServerOptions): Promise<void> {
  const embedded = options.databaseUrl === undefined;
  const dataDir = resolve(options.dataDir);
  const release = embedded ? lockDataDir(dataDir) : () => {};
  let db: Database | undefined;
  let service: Service;
  try {
    db = await openDatabase(embedded ? { kind: "embedded", dataDir: join(dataDir, "pgdata") } : { kind: "postgres", url: options.databaseUrl! });
    service = await createService({
      db,
      adminToken: options.adminToken,
      ...(options.bundleDir ? { bundleDir: resolve(options.bundleDir) } : {}),
      logger: { level: options.logLevel },
      ...(options.trustBundles ? { trustBundles: options.trustBundles } : {}),
      ...(options.clockStartMs !== undefined ? { now: runningClock(options.clockStartMs) } : {}),
      ...(options.decisionTimeoutMs !== undefined ? { decisionTimeoutMs: options.decisionTimeoutMs } : {}),
    });
  } catch (error) {
    await db?.close().catch(() => {});
    release();
    throw new ConfigError(`the service cannot start: ${errorMessage(error)}`);
  }
  let address: string;
  try {
    address = await service.app.listen({ port: options.port, host: options.host });
  } catch (error) {
    await service.close().catch(() => {});
    release();
    throw new ConfigError(`cannot listen on ${options.host}:${options.port}: ${errorMessage(error)}`);
  }
  const where = embedded ? `embedded database in ${dataDir}` : "PostgreSQL from DATABASE_URL";
  process.stderr.write(`gatehouse serve: listening on ${address} (${where})\n`);

  await new Promise<void>((done) => {
    const stop = (signal: NodeJS.Signals): void => {
      process.off("SIGTERM", stop);
      process.off("SIGINT", stop);
      service.app.log.info({ signal }, "shutting down");
      service
        .close()
        .catch((error: unknown) => {
          process.stderr.write(`gatehouse serve: shutdown failed: ${errorMessage(error)}\n`);
          process.exitCode = 2;
        })
        .finally(() => {
          release();
          process.stderr.write("gatehouse serve: stopped\n");
          done();
        });
    };
    process.on("SIGTERM", stop);
    process.on("SIGINT", stop);
  });
}
