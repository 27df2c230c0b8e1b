// The Data API's evaluations, off the server's event loop: worker threads (decision-worker.ts)
// that each hold one instance of the bundle's compiled module and evaluate one decision at a
// time. Every decision has a deadline counted from when it was asked (waiting for a free worker
// included): past it, the worker evaluating it is terminated (replaced when work waits) and the
// decision answers a timeout, which the service turns into a deny. A policy or input that makes
// evaluation slow so costs its caller the deadline and never stalls the server: health probes,
// uploads and other decisions are answered meanwhile.

import { availableParallelism } from "node:os";
import type { Worker } from "node:worker_threads";

/** What a worker is started with (its workerData). */
export interface DecisionWorkerData {
  module: WebAssembly.Module;
  builtins: readonly string[];
}

/** One decision sent to a worker: the input as its JSON text. */
export interface WorkerQuestion {
  id: number;
  input: string;
  entrypoint: string;
}

export type WorkerAnswer = { ready: true } | { startError: string } | { id: number; defined: boolean; value: unknown } | { id: number; error: string };

export type Evaluation = { ok: true; defined: boolean; value: unknown } | { ok: false; timedOut: boolean; message: string };

export interface EvaluatorOptions {
  /** the deadline of one decision, in milliseconds */
  timeoutMs: number;
  /** at most this many worker threads (default: the machine's parallelism) */
  maxWorkers?: number;
  /** the worker's script (tests); default decision-worker.js beside this module */
  workerUrl?: URL;
}

interface Pending {
  id: number;
  input: string;
  entrypoint: string;
  timer: NodeJS.Timeout;
  settle: (evaluation: Evaluation) => void;
  slot?: Slot;
}

interface Slot {
  worker: Worker;
  ready: boolean;
  busy?: Pending;
}

export class DecisionEvaluator {
  readonly #init: DecisionWorkerData;
  readonly #timeoutMs: number;
  readonly #maxWorkers: number;
  readonly #workerUrl: URL;
  readonly #slots = new Set<Slot>();
  readonly #queue: Pending[] = [];
  #nextId = 0;
  #retired = false;
  #closed = false;
  /**
   * Why the last worker did not start: none more is started until a decision is asked, so a
   * failure cannot loop, and one that passes (threads or memory short for a moment) does not
   * leave the service without workers for good.
   */
  #startError: string | undefined;

  constructor(init: DecisionWorkerData, options: EvaluatorOptions) {
    this.#init = init;
    this.#timeoutMs = options.timeoutMs;
    this.#workerUrl = options.workerUrl ?? new URL("./decision-worker.js", import.meta.url);
    // Two at least: one slow decision leaves a worker for the others.
    this.#maxWorkers = Math.max(1, options.maxWorkers ?? Math.max(2, availableParallelism()));
  }

  /** Starts the first worker; rejects with its error when the module does not instantiate there. */
  start(): Promise<void> {
    const started = new Promise<void>((resolve, reject) => this.#spawn(resolve, reject));
    this.#fill();
    return started;
  }

  /** Evaluates data/{entrypoint} for the input (its JSON text); never rejects. */
  evaluate(input: string, entrypoint: string): Promise<Evaluation> {
    if (this.#closed) return Promise.resolve({ ok: false, timedOut: false, message: "the service is shutting down" });
    this.#startError = undefined;
    return new Promise<Evaluation>((resolve) => {
      const pending: Pending = {
        id: this.#nextId++,
        input,
        entrypoint,
        settle: (evaluation) => {
          clearTimeout(pending.timer);
          resolve(evaluation);
        },
        timer: setTimeout(() => this.#timeout(pending), this.#timeoutMs),
      };
      this.#queue.push(pending);
      this.#pump();
    });
  }

  /**
   * No more decisions come (a reload replaced the bundle): those already asked are answered, then
   * the workers stop.
   */
  retire(): void {
    this.#retired = true;
    this.#stopIdle();
  }

  /** Stops every worker; decisions still waiting answer an error. */
  async close(): Promise<void> {
    this.#closed = true;
    for (const pending of this.#queue.splice(0)) pending.settle({ ok: false, timedOut: false, message: "the service is shutting down" });
    const stopping: Promise<number>[] = [];
    for (const slot of this.#slots) {
      slot.busy?.settle({ ok: false, timedOut: false, message: "the service is shutting down" });
      stopping.push(this.#stop(slot));
    }
    await Promise.all(stopping);
  }

  /** Why no decision can be evaluated now (no worker left, the last start failed), for readiness. */
  unavailable(): string | undefined {
    return this.#slots.size === 0 && this.#startError !== undefined ? `no evaluation worker could start: ${this.#startError}` : undefined;
  }

  /** How many worker threads are running (tests). */
  get workers(): number {
    return this.#slots.size;
  }

  #pump(): void {
    while (this.#queue.length > 0) {
      const idle = [...this.#slots].find((slot) => slot.ready && !slot.busy);
      if (!idle) break;
      const pending = this.#queue.shift()!;
      idle.busy = pending;
      pending.slot = idle;
      idle.worker.postMessage({ id: pending.id, input: pending.input, entrypoint: pending.entrypoint } satisfies WorkerQuestion);
    }
    if (this.#retired) this.#stopIdle();
    else this.#fill();
  }

  /**
   * Every worker started ahead of need, and one terminated at a deadline replaced at once: a
   * worker's start (Node, the SDK, instantiating the module) would otherwise count against the
   * deadline of the decision that waits for it.
   */
  #fill(): void {
    while (this.#slots.size < this.#maxWorkers && !this.#closed && !this.#retired && this.#startError === undefined) this.#spawn();
  }

  #spawn(onReady?: () => void, onStartError?: (error: Error) => void): void {
    // node:worker_threads is loaded only when the service evaluates (as the gate's pool does).
    const { Worker } = process.getBuiltinModule("node:worker_threads");
    let worker: Worker;
    try {
      worker = new Worker(this.#workerUrl, { workerData: this.#init });
    } catch (error) {
      // Thrown here (no thread, no memory), it would be uncaught in a message handler.
      this.#startFailed(error instanceof Error ? error.message : String(error), onStartError);
      return;
    }
    // An idle worker does not keep the process alive; a decision in flight has its deadline's timer.
    worker.unref();
    const slot: Slot = { worker, ready: false };
    this.#slots.add(slot);
    const lost = (why: string): void => {
      if (!this.#slots.delete(slot)) return;
      if (!slot.ready) this.#startFailed(why, onStartError);
      slot.busy?.settle({ ok: false, timedOut: false, message: `the evaluating worker stopped: ${why}` });
      void worker.terminate();
      this.#pump();
    };
    worker.on("message", (message: WorkerAnswer) => {
      if ("ready" in message) {
        slot.ready = true;
        onReady?.();
        this.#pump();
        return;
      }
      if ("startError" in message) return lost(message.startError);
      const pending = slot.busy;
      if (!pending || pending.id !== message.id) return;
      slot.busy = undefined;
      pending.settle("error" in message ? { ok: false, timedOut: false, message: message.error } : { ok: true, defined: message.defined, value: message.value });
      this.#pump();
    });
    worker.on("error", (error) => lost(error.message));
    worker.on("exit", (code) => lost(`the worker exited with code ${code}`));
  }

  #startFailed(why: string, onStartError: ((error: Error) => void) | undefined): void {
    this.#startError = why;
    onStartError?.(new Error(why));
    // No worker is left and none starts: what waits answers the error rather than its deadline.
    if (this.#slots.size === 0) for (const pending of this.#queue.splice(0)) pending.settle({ ok: false, timedOut: false, message: `no evaluation worker could start: ${why}` });
  }

  #timeout(pending: Pending): void {
    const message = `the evaluation did not finish within the ${this.#timeoutMs} ms decision deadline`;
    const queued = this.#queue.indexOf(pending);
    if (queued >= 0) this.#queue.splice(queued, 1);
    const slot = pending.slot;
    if (slot && slot.busy === pending) {
      // The worker is stuck in the evaluation: only terminating it stops it.
      slot.busy = undefined;
      void this.#stop(slot);
    }
    pending.settle({ ok: false, timedOut: true, message });
    this.#pump();
  }

  #stop(slot: Slot): Promise<number> {
    this.#slots.delete(slot);
    slot.worker.removeAllListeners();
    // An 'error' after this (a worker dying as it is terminated) must not be an uncaught one.
    slot.worker.on("error", () => undefined);
    return slot.worker.terminate();
  }

  #stopIdle(): void {
    if (this.#queue.length > 0) return;
    for (const slot of [...this.#slots]) if (!slot.busy) void this.#stop(slot);
  }
}
