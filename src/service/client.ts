// The CLI's side of the policy service (`gatehouse gate --server URL --project ID`): fetch the
// project's effective policy and answers, merge the policy with the same code a local run uses,
// apply the central answers, upload the report as a run. Plain fetch: none of the server's
// dependencies load here. A server that cannot be reached, or answers an error, is a gate error
// (exit 2): never a silent fall back to the local policy.

import { mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { ConfigError, errorMessage } from "../core/errors.js";
import { packagePath } from "../core/paths.js";
import type { Finding } from "../core/findings.js";
import { decide, type Verdict } from "../core/verdict.js";
import type { GateConfig } from "../gate/config.js";
import { canonical, resolveEffectivePolicy, type EffectiveResult } from "../packs/effective.js";
import { sha256 } from "../core/digest.js";
import type { PolicyOverride } from "../packs/types.js";
import { gateReport } from "../reporters/json.js";
import { SchemaRegistry } from "../schemas/registry.js";
import { reportContext } from "../cli/output.js";

const TIMEOUT_MS = 30_000;
/** An answer larger than this is not one the service gives (a lying or broken server): refused, not buffered. */
export const MAX_RESPONSE_BYTES = 16 * 1024 * 1024;
// The pack's key and version name a file of the run's temp pack directory: only the shapes
// schemas/policy-pack.v1 allows (a key like `../../x` would write outside it).
const PACK_KEY = /^[a-z][a-z0-9-]*$/;
const PACK_VERSION = /^[0-9]+\.[0-9]+$/;

/** The service's answers are checked against the schemas it promises them in (schemas/api/). */
let apiSchemas: SchemaRegistry | undefined;

export interface RemoteEffective {
  /** the project the server says this policy is for */
  project: string;
  hash: string;
  pack: { key: string; version: string; status: string };
  overrides: PolicyOverride;
  repoLocal: boolean;
  document: unknown;
  answers: Record<string, string>;
}

export class ServiceClient {
  readonly base: string;

  constructor(
    server: string,
    private readonly token: string,
  ) {
    let url: URL;
    try {
      url = new URL(server);
    } catch {
      throw new ConfigError(`--server must be an http(s) URL, got ${JSON.stringify(server)}`);
    }
    if (url.protocol !== "http:" && url.protocol !== "https:") throw new ConfigError(`--server must be an http(s) URL, got ${JSON.stringify(server)}`);
    this.base = url.href.replace(/\/+$/, "");
  }

  /**
   * One request; the answer must be JSON of at most MAX_RESPONSE_BYTES and, when `schema` names
   * one of schemas/api/, valid against it. Anything else is a ConfigError (exit 2): a server that
   * cannot be reached, refuses, or answers what it does not promise never lets a run through.
   */
  async request<T>(method: "GET" | "POST" | "PUT", path: string, body?: unknown, schema?: string): Promise<T> {
    let response: Response;
    let text: string;
    try {
      response = await fetch(`${this.base}${path}`, {
        method,
        headers: { authorization: `Bearer ${this.token}`, ...(body !== undefined ? { "content-type": "application/json" } : {}) },
        ...(body !== undefined ? { body: JSON.stringify(body) } : {}),
        signal: AbortSignal.timeout(TIMEOUT_MS),
        // A redirect is not followed: the policy would come from wherever it points (another
        // host, a plain-http URL) rather than the server the run was told to trust.
        redirect: "manual",
      });
      if (response.status >= 300 && response.status < 400) {
        await response.body?.cancel().catch(() => undefined);
        text = "";
      } else {
        text = await cappedText(response, MAX_RESPONSE_BYTES);
      }
    } catch (error) {
      if (error instanceof ConfigError) throw new ConfigError(`the policy service's answer to ${method} ${path} ${error.message}`);
      const cause = (error as { cause?: unknown }).cause;
      throw new ConfigError(`cannot reach the policy service at ${this.base}: ${errorMessage(cause ?? error)}`);
    }
    if (response.status >= 300 && response.status < 400) {
      const location = response.headers.get("location");
      throw new ConfigError(`the policy service answered ${method} ${path} with a redirect (${response.status}${location ? ` to ${JSON.stringify(location)}` : ""}), which gatehouse does not follow: set --server to the service's own URL`);
    }
    let value: unknown;
    try {
      value = JSON.parse(text);
    } catch {
      throw new ConfigError(`the policy service answered ${method} ${path} with ${response.status} and no JSON`);
    }
    if (!response.ok) {
      const message = value !== null && typeof value === "object" ? (value as { message?: unknown }).message : undefined;
      throw new ConfigError(`the policy service refused ${method} ${path} (${response.status}): ${typeof message === "string" ? message : text.slice(0, 500)}`);
    }
    if (schema !== undefined) {
      apiSchemas ??= new SchemaRegistry(packagePath("schemas", "api"));
      const problems = apiSchemas.validate(schema, value, `${method} ${path}`);
      if (problems.length > 0) throw new ConfigError(`the policy service answered ${method} ${path} with something other than ${schema}: ${problems.map((p) => p.message).join("; ")}`);
    }
    return value as T;
  }
}

/** The body as UTF-8 text, reading at most `max` bytes (a server streaming forever is cut off). */
async function cappedText(response: Response, max: number): Promise<string> {
  if (!response.body) return "";
  const reader = response.body.getReader();
  const chunks: Uint8Array[] = [];
  let length = 0;
  for (;;) {
    const { done, value } = await reader.read();
    if (done) break;
    length += value.byteLength;
    if (length > max) {
      await reader.cancel().catch(() => undefined);
      throw new ConfigError(`is over ${max} bytes`);
    }
    chunks.push(value);
  }
  return Buffer.concat(chunks).toString("utf8");
}

/**
 * The project's effective policy and answers, as the server answers them. The answer must name
 * the project asked for: a proxy, a cache or a misrouted server answering for another project
 * would otherwise gate the run by that project's policy.
 */
export async function fetchEffective(client: ServiceClient, project: string): Promise<RemoteEffective> {
  const effective = await client.request<RemoteEffective>("GET", `/projects/${encodeURIComponent(project)}/policy/effective`, undefined, "effective-policy.v1");
  if (effective.project !== project) {
    throw new ConfigError(`the policy service answered with the effective policy of project ${JSON.stringify(effective.project)} when asked for project ${JSON.stringify(project)}: refusing to gate by another project's policy`);
  }
  return effective;
}

/**
 * The project's effective policy as the server holds it, merged here by resolveEffectivePolicy
 * from the server's pack document and overrides (and the repository's own override file when
 * the project honours it). Without a repo-local layer the hash must be the server's: anything
 * else means the two sides do not merge alike, and the run stops rather than guess.
 */
export function remoteEffective(remote: RemoteEffective, options: { root: string; config: GateConfig; schemas: SchemaRegistry; configFile?: string }): EffectiveResult {
  if (!PACK_KEY.test(remote.pack.key) || !PACK_VERSION.test(remote.pack.version)) {
    throw new ConfigError(`the policy service named the pack ${JSON.stringify(`${remote.pack.key}@${remote.pack.version}`)}, which is not a pack key and version (key ${PACK_KEY.source}, version ${PACK_VERSION.source})`);
  }
  const dir = mkdtempSync(join(tmpdir(), "gatehouse-remote-pack-"));
  try {
    const ref = `${remote.pack.key}@${remote.pack.version}`;
    writeFileSync(join(dir, `${ref}.yaml`), JSON.stringify(remote.document));
    const hasOverrides = Object.keys(remote.overrides).length > 0;
    const config = { ...options.config, pack: { use: ref, ...(hasOverrides ? { overrides: remote.overrides } : {}) } } as GateConfig;
    const effective = resolveEffectivePolicy({
      // Without repo-local honoured, the layer's lookup sees an empty directory.
      root: remote.repoLocal ? options.root : dir,
      config,
      schemas: options.schemas,
      packsDir: dir,
      configFile: "the policy service's project policy",
    });
    const localLayer = effective.layers.some((l) => l.source === "repo-local" && l.applied);
    if (!localLayer && effective.hash !== remote.hash) {
      throw new ConfigError(`the policy service's effective hash for ${ref} is ${remote.hash}, this gatehouse computes ${effective.hash}: upgrade gatehouse or the server so both merge policies alike`);
    }
    return effective;
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

const CLARIFICATION_CODES = new Set(["pack/clarification-unanswered", "pack/clarification-open"]);

/** The verdict with the questions the project answered centrally no longer asked. */
export function withCentralAnswers(verdict: Verdict, answers: Record<string, string>): Verdict {
  const answered = (finding: Finding): boolean => {
    const key = (finding.metadata as { key?: unknown } | undefined)?.key;
    return CLARIFICATION_CODES.has(finding.code) && typeof key === "string" && Object.hasOwn(answers, key);
  };
  if (!verdict.findings.some(answered)) return verdict;
  const { decision: _decision, findings, inputs, ...rest } = verdict;
  return decide(findings.filter((f) => !answered(f)), inputs, rest);
}

export interface StoredRun {
  id: string;
  /** the project the server stored the run under (run.v1 always has it; checked by uploadRun) */
  projectId?: string;
  decision: "allow" | "deny";
  reasons: string[];
  reportSha256?: string;
}

/**
 * The verdict with the server's stored decision in it: the server's is authoritative, so a run
 * it denied denies here too (gate/server-denied, with its reasons), whatever the local verdict
 * said. A run the server allowed leaves the local verdict as it is (a local deny still denies).
 */
export function withServerDecision(verdict: Verdict, run: StoredRun, server: string): Verdict {
  if (run.decision === "allow") return verdict;
  const reasons = run.reasons.length > 0 ? run.reasons : ["the server gave no reason"];
  const denied: Finding = {
    code: "gate/server-denied",
    severity: "error",
    message: `the policy service (${server}) stored run ${run.id} as denied: ${reasons.join("; ")}`,
    source: "gate",
    scope: "project",
    metadata: { run: run.id, server, reasons },
    suggestedFix: "fix what the server's reasons name (or have the project's policy changed on the service), then run again",
  };
  const { decision: _decision, findings, inputs, ...rest } = verdict;
  return decide([...findings, denied], inputs, rest);
}

/**
 * Uploads the verdict as a run of the project, with where it ran (CI's variables when set). The
 * answer must be the run of this upload: of the project asked for, and of this report (the
 * server stores the sha256 of the report's canonical JSON). A front or cache answering with
 * another project's run, or with a stored run of another report (an earlier allow replayed),
 * would otherwise stand in for the server's decision on this one: a ConfigError naming both.
 */
export async function uploadRun(client: ServiceClient, project: string, verdict: Verdict, effective: EffectiveResult, env: NodeJS.ProcessEnv): Promise<StoredRun> {
  const report = gateReport({ verdict }, reportContext({ isTTY: false } as NodeJS.WriteStream, env));
  const run = await postRun(client, project, report, effective, env);
  if (run.projectId !== project) {
    throw new ConfigError(`the policy service answered the upload of a run of project ${JSON.stringify(project)} with run ${run.id} of project ${JSON.stringify(run.projectId ?? null)}: refusing another project's decision`);
  }
  // Hashed as the server reads it: the JSON sent, parsed (what JSON drops, such as an undefined field, is not in it).
  const sent = sha256(canonical(JSON.parse(JSON.stringify(report))));
  if (run.reportSha256 !== sent) {
    throw new ConfigError(`the policy service answered the upload with run ${run.id}, whose report has sha256 ${run.reportSha256 ?? "(none)"}, not this run's ${sent}: refusing the decision on another report`);
  }
  return run;
}

function postRun(client: ServiceClient, project: string, report: ReturnType<typeof gateReport>, effective: EffectiveResult, env: NodeJS.ProcessEnv): Promise<StoredRun> {
  const commit = env.GATEHOUSE_COMMIT ?? env.GITHUB_SHA ?? env.CI_COMMIT_SHA;
  const ref = env.GATEHOUSE_REF ?? env.GITHUB_REF ?? env.CI_COMMIT_REF_NAME;
  const pipeline = env.GATEHOUSE_PIPELINE ?? (env.GITHUB_RUN_ID ? `${env.GITHUB_REPOSITORY ?? ""}/actions/runs/${env.GITHUB_RUN_ID}` : env.CI_PIPELINE_URL);
  return client.request<StoredRun>(
    "POST",
    `/projects/${encodeURIComponent(project)}/runs`,
    {
      report,
      ...(commit ? { commit } : {}),
      ...(ref ? { ref } : {}),
      ...(pipeline ? { pipeline } : {}),
      policy: effective.policy,
    },
    "run.v1",
  );
}
