// Runtime decisions: OPA's Data API (`POST /v1/data/{path}` with `{"input": ...}` answering
// `{"result": ...}`), evaluated by gatehouse's wasm engine (src/policy/runtime.ts) on a bundle
// verified as every gatehouse command verifies one (src/policy/bundle.ts: the shipped bundle
// against the digests pinned at build time, any other for consistency). The bundle is reloaded
// when its files change, each load recorded with its digests.
//
// Evaluations run in worker threads with a deadline (evaluator.ts): a slow policy or input costs
// its caller a deny at the deadline (500, the reason naming it) and stalls no other request.
//
// Fail closed: each answer carries `decision`, and only a defined, usable result allows. A deny
// rule (role deny) allows when its set is empty; a warn rule's set never denies; any other
// document allows only when it is `true`. An undefined document, an evaluation error, or no
// verified bundle (a reload that failed) denies, with the reason.
//
// Decision logs are buffered and written in batches (every FLUSH_MS or FLUSH_AT entries), off
// the request path, as OPA's decision logger does; close() writes what is left. While the
// database refuses them they wait, at most MAX_BUFFERED logs and maxBufferedBytes of them.

import { randomUUID } from "node:crypto";
import { unwatchFile, watchFile } from "node:fs";
import { join } from "node:path";
import { sha256 } from "../../core/digest.js";
import { canonical } from "../../packs/effective.js";
import { compileBundle, loadBundle } from "../../policy/bundle.js";
import type { RuleRole } from "../../policy/manifest.js";
import { DecisionEvaluator } from "./evaluator.js";
import type { Caller } from "../context.js";
import { unstorableValue } from "../storable.js";
import { errorMessage } from "../../core/errors.js";
import type { Database } from "../db/database.js";
import type { DecisionLog, DecisionStore } from "./store.js";

const FLUSH_MS = 200;
const FLUSH_AT = 256;
/** Logs kept while the database refuses them; past this the oldest are dropped, and counted. */
const MAX_BUFFERED = 50_000;
/**
 * And at most this many bytes of them (their JSON, results included), as OPA's decision logger
 * bounds its buffer in bytes: a count alone let results that echo a 1 MiB input hold 50 GB
 * while the database refused writes, and the process ran out of memory.
 */
export const DEFAULT_MAX_BUFFERED_BYTES = 64 * 1024 * 1024;
const RELOAD_DEBOUNCE_MS = 250;
/** How often the bundle's files are looked at (stat polling: it survives the directory being replaced). */
const WATCH_INTERVAL_MS = 500;
const WATCHED_FILES = ["manifest.json", "policy.wasm"];
/** A decision's deadline unless `serve --decision-timeout` sets one (ms). */
export const DEFAULT_DECISION_TIMEOUT_MS = 5000;

type Loaded = { ok: true; dir: string; sha256: string; manifestSha256: string; evaluator: DecisionEvaluator; roles: Map<string, RuleRole> };
type Failed = { ok: false; dir: string; error: string };

export interface DecisionAnswer {
  decision_id: string;
  result?: unknown;
  decision: "allow" | "deny";
  reason?: string;
}

export interface DecisionOptions {
  bundleDir: string;
  watch: boolean;
  now: () => Date;
  onError?: (message: string, error: unknown) => void;
  /** a decision's deadline in ms, waiting for a worker included (default DEFAULT_DECISION_TIMEOUT_MS) */
  timeoutMs?: number;
  /** at most this many evaluation threads (default: the machine's parallelism, two at least) */
  workers?: number;
  /** the evaluation worker's script (tests); default decision-worker.js */
  workerUrl?: URL;
  /** decision logs kept while the database refuses them, in bytes (default DEFAULT_MAX_BUFFERED_BYTES) */
  maxBufferedBytes?: number;
}

export class DecisionService {
  #state: Loaded | Failed;
  #buffer: DecisionLog[] = [];
  /** the JSON size of each log in the buffer, and their sum */
  readonly #sizes = new WeakMap<DecisionLog, number>();
  #bufferedBytes = 0;
  #dropped = 0;
  #timer: NodeJS.Timeout | undefined;
  #flushing: Promise<void> | undefined;
  #watching = false;
  #reloadTimer: NodeJS.Timeout | undefined;
  #reloading: Promise<void> = Promise.resolve();
  #closed = false;

  constructor(
    private readonly db: Database,
    private readonly store: DecisionStore,
    private readonly options: DecisionOptions,
  ) {
    this.#state = { ok: false, dir: options.bundleDir, error: "not loaded yet" };
  }

  /** Loads (or reloads) the bundle; a failure leaves no bundle, so decisions deny until one loads. */
  async load(): Promise<void> {
    const dir = this.options.bundleDir;
    let next: Loaded | Failed;
    try {
      const bundle = await loadBundle(dir);
      const compiled = await compileBundle(bundle, "kept");
      const evaluator = new DecisionEvaluator(
        { module: compiled.module, builtins: bundle.manifest.builtins },
        {
          timeoutMs: this.options.timeoutMs ?? DEFAULT_DECISION_TIMEOUT_MS,
          ...(this.options.workers !== undefined ? { maxWorkers: this.options.workers } : {}),
          ...(this.options.workerUrl !== undefined ? { workerUrl: this.options.workerUrl } : {}),
        },
      );
      // The first worker instantiates the module as every later one will: a bundle it refuses
      // (a builtin nobody implements, a wrong ABI) does not load.
      await evaluator.start().catch(async (error: unknown) => {
        await evaluator.close();
        throw error;
      });
      next = { ok: true, dir, sha256: bundle.sha256, manifestSha256: bundle.manifestSha256, evaluator, roles: new Map(compiled.entrypoints.map((e) => [e.path, e.role])) };
    } catch (error) {
      next = { ok: false, dir, error: (error as Error).message };
    }
    const previous = this.#state;
    this.#state = next;
    // Decisions asked of the previous bundle are answered by it; then its workers stop.
    if (previous.ok) previous.evaluator.retire();
    if (this.#closed) {
      // close() ran while this load was under way: its workers are not left running.
      if (next.ok) await next.evaluator.close();
    }
    const unchanged = previous.ok && next.ok && previous.sha256 === next.sha256 && previous.manifestSha256 === next.manifestSha256;
    if (!unchanged) {
      await this.store.recordLoad(this.db, {
        dir,
        wasmSha256: next.ok ? next.sha256 : null,
        manifestSha256: next.ok ? next.manifestSha256 : null,
        error: next.ok ? null : next.error,
        loadedAt: this.options.now().toISOString(),
      });
    }
    if (!next.ok) this.options.onError?.(`bundle ${dir} did not load; decisions deny until it does`, next.error);
  }

  /** Reloads when the bundle directory changes (debounced: a bundle is several files). */
  startWatching(): void {
    if (!this.options.watch || this.#watching) return;
    this.#watching = true;
    const changed = (): void => {
      clearTimeout(this.#reloadTimer);
      this.#reloadTimer = setTimeout(() => {
        this.#reloading = this.#reloading.then(() => this.load()).catch((error: unknown) => this.options.onError?.("bundle reload failed", error));
      }, RELOAD_DEBOUNCE_MS);
      this.#reloadTimer.unref();
    };
    for (const file of WATCHED_FILES) watchFile(join(this.options.bundleDir, file), { persistent: false, interval: WATCH_INTERVAL_MS }, changed);
  }

  /** Resolves when a reload in progress has finished (tests). */
  settled(): Promise<void> {
    return this.#reloading;
  }

  /**
   * Why decisions cannot be evaluated although the bundle is loaded (every worker gone and none
   * starting); undefined when they can. Readiness reports it: such a server denies every decision.
   */
  workersProblem(): string | undefined {
    return this.#state.ok ? this.#state.evaluator.unavailable() : undefined;
  }

  state(): { ok: true; sha256: string; dir: string } | { ok: false; error: string; dir: string } {
    const s = this.#state;
    return s.ok ? { ok: true, sha256: s.sha256, dir: s.dir } : { ok: false, error: s.error, dir: s.dir };
  }

  /**
   * A decision asked synchronously. It cannot be evaluated within a deadline on the calling
   * thread (a slow policy stalled the whole server), so it is not evaluated: it denies (500),
   * logged as every decision is.
   * @deprecated Use answer(), which evaluates in a worker thread within the deadline.
   */
  decide(path: string, input: unknown, caller: Caller): { status: number; answer: DecisionAnswer } {
    const decisionId = randomUUID();
    const entrypoint = path.replace(/^\/+|\/+$/g, "");
    const answer: DecisionAnswer = { decision_id: decisionId, decision: "deny", reason: "evaluation failed: a synchronous decision is not evaluated (it could not be stopped at its deadline); ask answer()" };
    this.#record(decisionId, entrypoint, input, answer, this.#state, caller, this.options.now().toISOString());
    return { status: 500, answer };
  }

  /** One decision: evaluated in a worker within the deadline, logged in the next batch. */
  async answer(path: string, input: unknown, caller: Caller): Promise<{ status: number; answer: DecisionAnswer }> {
    const decisionId = randomUUID();
    const entrypoint = path.replace(/^\/+|\/+$/g, "");
    const state = this.#state;
    const at = this.options.now().toISOString();
    let status = 200;
    let answer: DecisionAnswer;
    if (!state.ok) {
      status = 503;
      answer = { decision_id: decisionId, decision: "deny", reason: `no verified bundle is loaded: ${state.error}` };
    } else if (!state.roles.has(entrypoint)) {
      answer = { decision_id: decisionId, decision: "deny", reason: `undefined_document: the bundle has no rule at data/${entrypoint}` };
    } else {
      const evaluated = await state.evaluator.evaluate(JSON.stringify(input), entrypoint);
      if (!evaluated.ok) {
        status = 500;
        answer = { decision_id: decisionId, decision: "deny", reason: `${evaluated.timedOut ? "evaluation timed out" : "evaluation failed"}: ${evaluated.message}` };
      } else if (!evaluated.defined) {
        answer = { decision_id: decisionId, decision: "deny", reason: `undefined_document: data/${entrypoint} is undefined for this input` };
      } else {
        answer = { decision_id: decisionId, result: evaluated.value, ...judge(state.roles.get(entrypoint)!, evaluated.value) };
      }
    }
    this.#record(decisionId, entrypoint, input, answer, state, caller, at);
    return { status, answer };
  }

  #record(decisionId: string, entrypoint: string, input: unknown, answer: DecisionAnswer, state: Loaded | Failed, caller: Caller, at: string): void {
    const logged = loggableResult(answer.result);
    this.#log({
      decisionId,
      path: entrypoint,
      inputSha256: sha256(canonical(input)),
      result: logged.result,
      decision: answer.decision,
      reason: [answer.reason, logged.note].filter((part) => part !== undefined).join("; ") || null,
      bundleSha256: state.ok ? state.sha256 : null,
      caller: caller.id,
      at,
    });
  }

  #log(entry: DecisionLog): void {
    const size = JSON.stringify(entry).length;
    this.#sizes.set(entry, size);
    this.#buffer.push(entry);
    this.#bufferedBytes += size;
    this.#trim();
    if (this.#buffer.length >= FLUSH_AT) void this.flush();
    else if (!this.#timer) {
      this.#timer = setTimeout(() => void this.flush(), FLUSH_MS);
      this.#timer.unref();
    }
  }

  /** Writes the buffered logs; a batch the database refuses goes back to the buffer. */
  async flush(): Promise<void> {
    clearTimeout(this.#timer);
    this.#timer = undefined;
    if (this.#flushing) await this.#flushing;
    if (this.#buffer.length === 0) return;
    const batch = this.#buffer;
    this.#buffer = [];
    this.#bufferedBytes = 0;
    this.#flushing = this.#write(batch).finally(() => {
      this.#flushing = undefined;
    });
    await this.#flushing;
  }

  /**
   * One batch in one transaction. When the database refuses it while it answers, a log in it is
   * refused for what it holds: the batch is written log by log, so that one log never holds back
   * the others (they went back to the buffer together, were refused together at every flush, and
   * no decision was logged again), and a log refused on its own is written without its result,
   * the reason saying why, so its id, path, decision and caller are kept. A database that does
   * not answer, or takes none of the batch (full, read-only), keeps it for the next flush.
   */
  async #write(batch: DecisionLog[]): Promise<void> {
    let refusal: unknown;
    try {
      await this.db.transaction((tx) => this.store.appendLogs(tx, batch));
      return;
    } catch (error) {
      refusal = error;
    }
    if (!(await this.#databaseAnswers())) {
      this.#keep(batch);
      this.options.onError?.("decision logs could not be written; kept for the next batch", refusal);
      return;
    }
    const unwritten: DecisionLog[] = [];
    for (const log of batch) {
      try {
        await this.db.transaction((tx) => this.store.appendLogs(tx, [log]));
        continue;
      } catch (error) {
        refusal = error;
      }
      const withoutResult: DecisionLog = { ...log, result: null, reason: [log.reason, `the result was not stored: the database refused it (${errorMessage(refusal)})`].filter((part) => part !== null).join("; ") };
      try {
        await this.db.transaction((tx) => this.store.appendLogs(tx, [withoutResult]));
      } catch (error) {
        refusal = error;
        unwritten.push(log);
      }
    }
    if (unwritten.length === 0) return;
    // Nothing of the batch went in: the database answers but takes no write (full, read-only), so
    // the batch waits for the next flush. Otherwise these logs are refused for themselves.
    if (unwritten.length === batch.length) {
      this.#keep(unwritten);
      this.options.onError?.("decision logs could not be written; kept for the next batch", refusal);
      return;
    }
    this.#dropped += unwritten.length;
    this.options.onError?.(`${unwritten.length} decision log(s) refused by the database were dropped: ${unwritten.map((l) => l.decisionId).join(", ")}`, refusal);
  }

  async #databaseAnswers(): Promise<boolean> {
    return this.db.query("SELECT 1").then(
      () => true,
      () => false,
    );
  }

  /** Logs put back in front of the buffer; past the limits the oldest are dropped, and counted. */
  #keep(logs: DecisionLog[]): void {
    this.#buffer = [...logs, ...this.#buffer];
    this.#bufferedBytes = this.#buffer.reduce((sum, log) => sum + (this.#sizes.get(log) ?? 0), 0);
    this.#trim();
  }

  /** Drops the oldest logs, counted, while the buffer is past MAX_BUFFERED or its bytes. */
  #trim(): void {
    const maxBytes = this.options.maxBufferedBytes ?? DEFAULT_MAX_BUFFERED_BYTES;
    let drop = 0;
    // The newest log is kept whatever its size: it has not been refused yet.
    while (this.#buffer.length - drop > MAX_BUFFERED || (this.#buffer.length - drop > 1 && this.#bufferedBytes > maxBytes)) {
      this.#bufferedBytes -= this.#sizes.get(this.#buffer[drop]!) ?? 0;
      drop++;
    }
    if (drop === 0) return;
    this.#buffer.splice(0, drop);
    this.#dropped += drop;
  }

  /** How many logs were dropped because the database refused them for too long. */
  get dropped(): number {
    return this.#dropped;
  }

  getLog(id: string): Promise<DecisionLog | undefined> {
    return this.store.getLog(this.db, id);
  }

  async close(): Promise<void> {
    this.#closed = true;
    if (this.#watching) for (const file of WATCHED_FILES) unwatchFile(join(this.options.bundleDir, file));
    this.#watching = false;
    clearTimeout(this.#reloadTimer);
    await this.#reloading;
    if (this.#state.ok) await this.#state.evaluator.close();
    await this.flush();
  }
}

/**
 * The result as the decision log stores it. A policy can make what the database cannot store from
 * an input that holds none of it (`base64.decode("AA==")`, `json.unmarshal` of a `"\\u0000"`
 * escape, a decoded token's claims): such a result is logged as its canonical JSON text, where
 * U+0000 and lone surrogates are escapes, with a note saying so.
 */
function loggableResult(result: unknown): { result: unknown; note?: string } {
  if (result === undefined) return { result: null };
  const problem = unstorableValue(result);
  if (problem === undefined) return { result };
  return { result: canonical(result), note: `the result is logged as its canonical JSON text, since its value at ${problem}, which the database cannot store` };
}

/** Whether a defined result allows (see the top of this file). */
function judge(role: RuleRole, value: unknown): { decision: "allow" | "deny"; reason?: string } {
  if (role === "deny" || role === "warn") {
    if (!Array.isArray(value)) return { decision: "deny", reason: `a ${role} rule must answer a set, got ${typeof value}` };
    if (role === "deny" && value.length > 0) return { decision: "deny", reason: `${value.length} deny result${value.length > 1 ? "s" : ""}` };
    return { decision: "allow" };
  }
  return value === true ? { decision: "allow" } : { decision: "deny", reason: "the document is not true" };
}
