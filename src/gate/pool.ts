// Spreads input evaluation over worker threads that share one compiled WebAssembly.Module.
// Jobs go out in chunks and results come back one message per chunk (a message per input cost
// more than evaluating it). Each worker has a watchdog: the worker publishes, in shared memory,
// which job it is on and since when; a job that runs past the time budget gets a `policy/timeout`
// finding, the worker is terminated, and the rest of its chunk goes to a fresh worker. Results
// come back in job order whatever the scheduling. Workers are started before the policy is ready
// (their start-up overlaps loading and compiling it) and receive it in their first message.

import { availableParallelism } from "node:os";
import { Worker } from "node:worker_threads";
import type { EntrypointInfo } from "../policy/manifest.js";
import type { EvaluatorOptions, InputJob, InputResult } from "./evaluate-input.js";
import { evaluateInProcess, failedJob, timeoutMessage } from "./in-process.js";

export interface WorkerInit {
  module: WebAssembly.Module;
  builtins: string[];
  entrypoints: EntrypointInfo[];
  schemasDir: string;
  options: EvaluatorOptions;
  /** fixed clock (ns since epoch, as a decimal string) or undefined for the system clock */
  nowNs?: string;
  data?: unknown;
}

/** A worker's workerData: its shared progress cells (see WorkerProgress). */
export interface WorkerData {
  progress: SharedArrayBuffer;
}

/** The first message a worker gets is `{ init }`, every later one `{ jobs }`. */
export type WorkerRequest = { init: WorkerInit } | { jobs: { id: number; job: InputJob }[] };

/** `results` is the JSON text of `{ id, result }[]` for one chunk. */
export type WorkerResponse = { ready: true } | { results: string };

/**
 * Shared progress of one worker: the job it is evaluating (or IDLE) and when it started it
 * (Date.now() ms). The worker writes the start time before the job id, so a reader that sees a
 * job id also sees its start time (Atomics order the two).
 */
export class WorkerProgress {
  static readonly IDLE = -1;
  /** A new, idle progress record (a zeroed buffer would read as "on job 0 since 1970"). */
  static create(): WorkerProgress {
    const progress = new WorkerProgress(new SharedArrayBuffer(16));
    progress.finish();
    return progress;
  }
  readonly #job: Int32Array;
  readonly #since: Float64Array;
  constructor(readonly buffer: SharedArrayBuffer) {
    this.#job = new Int32Array(buffer, 0, 1);
    this.#since = new Float64Array(buffer, 8, 1);
  }
  start(id: number, now: number = Date.now()): void {
    this.#since[0] = now;
    Atomics.store(this.#job, 0, id);
  }
  finish(): void {
    Atomics.store(this.#job, 0, WorkerProgress.IDLE);
  }
  current(): { id: number; since: number } | undefined {
    const id = Atomics.load(this.#job, 0);
    return id === WorkerProgress.IDLE ? undefined : { id, since: this.#since[0]! };
  }
}

export interface PoolOptions {
  /** per-input evaluation budget in milliseconds */
  timeoutMs: number;
  /**
   * number of workers; 0 evaluates in the calling thread. Default: in the calling thread up to
   * IN_PROCESS_MAX inputs, else one worker per INPUTS_PER_WORKER inputs up to the machine's parallelism.
   */
  workers?: number;
  onProgress?: (done: number, total: number) => void;
}

/**
 * Inputs per message: about eight chunks per worker to balance them, between 16 and 128 so that
 * a message is amortised and a timed-out chunk (re-evaluated) stays small.
 */
export function chunkSize(inputs: number, workers: number): number {
  return Math.min(128, Math.max(16, Math.ceil(inputs / (workers * 8))));
}
/** Below this many inputs per extra worker, another worker costs more than it saves. */
const INPUTS_PER_WORKER = 200;
/**
 * Up to this many inputs, evaluating in the calling thread beats starting workers: a worker
 * costs ~60-100 ms of start-up CPU (Node, modules, the SDK), an input ~0.1 ms (docs/performance.md).
 */
export const IN_PROCESS_MAX = 1000;

/**
 * Evaluates the jobs. `init` may still be pending: workers start at once and wait for it; if it
 * rejects, the workers are stopped and the pool rejects with the same error.
 */
export async function evaluateInPool(init: WorkerInit | Promise<WorkerInit>, jobs: InputJob[], options: PoolOptions): Promise<InputResult[]> {
  const results: (InputResult | undefined)[] = new Array(jobs.length);
  if (jobs.length === 0) return [];
  if (options.workers === 0 || (options.workers === undefined && jobs.length <= IN_PROCESS_MAX)) {
    return evaluateInProcess(init, jobs, options);
  }
  const wanted = options.workers ?? Math.min(availableParallelism(), Math.max(1, Math.ceil(jobs.length / INPUTS_PER_WORKER)));
  const chunk = chunkSize(jobs.length, wanted);
  const queue: number[][] = [];
  for (let i = 0; i < jobs.length; i += chunk) {
    queue.push(Array.from({ length: Math.min(chunk, jobs.length - i) }, (_, k) => i + k));
  }
  let done = 0;
  const workerUrl = new URL("./worker.js", import.meta.url);

  const initialised = Promise.resolve(init);
  return new Promise<InputResult[]>((resolveAll, rejectAll) => {
    let live = 0;
    let failed = false;
    const workers = new Set<Worker>();
    initialised.catch((error: unknown) => {
      if (failed) return;
      failed = true;
      for (const worker of workers) void worker.terminate();
      rejectAll(error);
    });

    const spawn = (): void => {
      live++;
      const progress = WorkerProgress.create();
      const worker = new Worker(workerUrl, { workerData: { progress: progress.buffer } satisfies WorkerData });
      workers.add(worker);
      initialised.then(
        (value) => worker.postMessage({ init: value } satisfies WorkerRequest),
        () => undefined, // handled above
      );
      let pending: number[] = [];
      let timer: NodeJS.Timeout | undefined;
      let ready = false;

      // The watchdog looks when the current job would run out of budget; a job that finished in
      // the meantime just moves the next look to the deadline of the job now running.
      const watch = (delayMs: number): void => {
        clearTimeout(timer);
        timer = setTimeout(check, Math.max(1, Math.ceil(delayMs)));
      };
      const check = (): void => {
        if (pending.length === 0) return;
        const current = progress.current();
        if (!current) return watch(options.timeoutMs);
        const left = current.since + options.timeoutMs - Date.now();
        if (left > 0) return watch(left);
        onTimeout(current.id);
      };
      const next = (): void => {
        const chunk = queue.shift();
        if (!chunk) {
          clearTimeout(timer);
          void worker.terminate();
          return;
        }
        pending = chunk;
        worker.postMessage({ jobs: chunk.map((id) => ({ id, job: jobs[id]! })) } satisfies WorkerRequest);
        watch(options.timeoutMs);
      };
      const onTimeout = (stuck: number): void => {
        const job = jobs[stuck]!;
        results[stuck] = failedJob(job, "policy/timeout", timeoutMessage(options.timeoutMs), options.timeoutMs);
        done++;
        options.onProgress?.(done, jobs.length);
        // Results of this chunk come back together, so everything else in it is evaluated again.
        const rest = pending.filter((id) => id !== stuck);
        if (rest.length > 0) queue.unshift(rest);
        pending = [];
        worker.removeAllListeners("message");
        worker.removeAllListeners("exit");
        worker.once("exit", () => {
          workers.delete(worker);
          live--;
          spawn();
        });
        void worker.terminate();
      };

      worker.on("message", (message: WorkerResponse) => {
        if ("ready" in message) {
          ready = true;
          next();
          return;
        }
        const chunkResults = JSON.parse(message.results) as { id: number; result: InputResult }[];
        for (const { id, result } of chunkResults) results[id] = result;
        done += chunkResults.length;
        options.onProgress?.(done, jobs.length);
        pending = [];
        next();
      });
      worker.on("error", (error) => {
        clearTimeout(timer);
        if (!failed) {
          failed = true;
          rejectAll(ready ? error : new Error(`policy worker failed to start: ${error.message}`));
        }
      });
      worker.on("exit", () => {
        workers.delete(worker);
        live--;
        if (failed) return;
        if (live === 0 && queue.length === 0 && done === jobs.length) {
          resolveAll(results as InputResult[]);
        } else if (live === 0 && queue.length > 0) {
          spawn();
        }
      });
    };

    for (let i = 0; i < Math.min(wanted, queue.length); i++) spawn();
  });
}
