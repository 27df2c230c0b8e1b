// `gatehouse serve`: the policy service (src/service/). Fastify, PGlite and pg are loaded only
// here, when the command runs: every other command starts as fast as before.

import type { Argv } from "yargs";
import { ConfigError, UsageError } from "../../core/errors.js";
import { parseRfc3339Ns } from "../../policy/builtins/time.js";

interface ServeArgs {
  port: number;
  host: string;
  data: string;
  bundle?: string | undefined;
  logLevel: string;
  now?: string | undefined;
  trustBundle?: string[] | undefined;
  decisionTimeout?: number | undefined;
}

const LOG_LEVELS = ["fatal", "error", "warn", "info", "debug", "trace", "silent"];

export const serveCommand = {
  command: "serve",
  describe: "run the policy service: packs, projects, runs and findings, clarifications, audit, OPA's Data API",
  builder: (y: Argv) =>
    y
      .option("port", { type: "number", default: 8181, describe: "TCP port (0: any free port, printed at start)" })
      .option("host", { type: "string", default: "127.0.0.1", describe: "address to listen on" })
      .option("data", { type: "string", default: "gatehouse-data", describe: "embedded database directory (DATABASE_URL selects PostgreSQL instead)" })
      .option("bundle", { type: "string", describe: "bundle directory for the Data API (default: the shipped bundle), reloaded when it changes" })
      .option("trust-bundle", {
        type: "string",
        array: true,
        describe: "also accept runs judged by the bundle whose policy.wasm has this sha256 (another gatehouse release's; repeatable). Default: only this release's own bundle",
      })
      .option("decision-timeout", {
        type: "number",
        describe: "deadline of one Data API decision in milliseconds (default 5000); past it the decision denies (500) and its evaluation is stopped",
      })
      .option("log-level", { type: "string", default: "info", describe: `JSON log level on stdout: ${LOG_LEVELS.join(", ")}` })
      .option("now", { type: "string", describe: "tests only: the server's clock starts at this RFC 3339 time and runs on from it (waiver expiry, stored times)" }),
  handler: async (args: ServeArgs) => {
    if (!Number.isInteger(args.port) || args.port < 0 || args.port > 65535) throw new UsageError(`--port must be an integer from 0 to 65535, got ${args.port}`);
    if (!LOG_LEVELS.includes(args.logLevel)) throw new UsageError(`unknown --log-level ${JSON.stringify(args.logLevel)}; known: ${LOG_LEVELS.join(", ")}`);
    const trustBundles = (args.trustBundle ?? []).map(String);
    for (const digest of trustBundles) {
      if (!/^[0-9a-f]{64}$/.test(digest)) throw new UsageError(`--trust-bundle takes the sha256 of a bundle's policy.wasm (64 lowercase hex digits), got ${JSON.stringify(digest)}`);
    }
    const timeout = args.decisionTimeout;
    // A bound on a timer: setTimeout takes at most 2^31 - 1 ms (a larger one fires at once).
    if (timeout !== undefined && (!Number.isInteger(timeout) || timeout < 1 || timeout > 2_147_483_647)) {
      throw new UsageError(`--decision-timeout must be a whole number of milliseconds from 1 to 2147483647, got ${args.decisionTimeout}`);
    }
    const clockStartMs = args.now === undefined ? undefined : clockStart(args.now);
    const adminToken = process.env.GATEHOUSE_ADMIN_TOKEN;
    if (!adminToken) throw new ConfigError("set GATEHOUSE_ADMIN_TOKEN (at least 16 characters, e.g. `openssl rand -hex 32`): the server refuses to start without an admin token");
    if (adminToken.length < 16) throw new ConfigError("GATEHOUSE_ADMIN_TOKEN must be at least 16 characters");
    const { runServer } = await import("../../service/server.js");
    await runServer({
      port: args.port,
      host: args.host,
      dataDir: args.data,
      ...(process.env.DATABASE_URL ? { databaseUrl: process.env.DATABASE_URL } : {}),
      adminToken,
      ...(args.bundle ? { bundleDir: args.bundle } : {}),
      logLevel: args.logLevel,
      ...(trustBundles.length > 0 ? { trustBundles } : {}),
      ...(clockStartMs !== undefined ? { clockStartMs } : {}),
      ...(timeout !== undefined ? { decisionTimeoutMs: timeout } : {}),
    });
  },
};

function clockStart(value: string): number {
  try {
    return Number(parseRfc3339Ns(value) / 1_000_000n);
  } catch {
    throw new UsageError(`--now must be an RFC 3339 timestamp, got ${JSON.stringify(value)}`);
  }
}
