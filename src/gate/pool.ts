// Spreads input evaluation over worker threads that share one compiled WebAssembly.Module (small
// runs stay in the calling thread, in-process.ts). Workers get chunks of jobs by message, two in
// flight so that a worker never waits for the main thread, and send back one message per chunk
// (a message per input cost more than evaluating it). Each worker has a watchdog: the worker
// publishes, in shared memory, which job it is on and since when; a job that runs past the time
// budget gets a `policy/timeout` finding, the worker is terminated, and the rest of its chunks go
// back to the queue for a fresh worker. Results come back in job order whatever the scheduling.
// Workers are started before the policy is ready (their start-up overlaps loading and compiling
// it) and receive it in their first message.

import { availableParallelism } from "node:os";
import type { Worker } from "node:worker_threads";
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
   * Worker threads; 0 evaluates in the calling thread. Default: in the calling thread up to
   * IN_PROCESS_MAX inputs, else one worker per INPUTS_PER_WORKER inputs up to the machine's
   * parallelism.
   */
  workers?: number;
  onProgress?: (done: number, total: number) => void;
}

/**
 * Inputs per worker message: about eight chunks per worker, between 16 and 64 (a message is
 * amortised; a timed-out chunk is evaluated again, and the last chunks bound the run's tail).
 */
export function chunkSize(inputs: number, threads: number): number {
  return Math.min(64, Math.max(16, Math.ceil(inputs / (threads * 8))));
}
/** Below this many inputs per extra worker, another worker costs more than it saves. */
const INPUTS_PER_WORKER = 200;
/**
 * Up to this many inputs, evaluating in the calling thread beats starting workers: a worker
 * costs ~50 ms (wall) to start (Node, modules, the SDK) and its first inputs run before the wasm
 * and JavaScript are optimised, while in the calling thread V8 optimises on the idle core. The
 * calling thread also evaluating beside the workers was measured and did not pay
 * (docs/performance.md).
 */
export const IN_PROCESS_MAX = 1000;

/** How many worker threads a run gets: 0 means the calling thread evaluates alone. */
export function workerCount(inputs: number, workers: number | undefined, cores: number = availableParallelism()): number {
  if (workers !== undefined) return workers;
  if (inputs <= IN_PROCESS_MAX) return 0;
  return Math.max(1, Math.min(cores, Math.ceil(inputs / INPUTS_PER_WORKER)));
}

/**
 * Evaluates the jobs. `init` may still be pending: workers start at once and wait for it; if it
 * rejects, the workers are stopped and the pool rejects with the same error.
 */
export async function evaluateInPool(init: WorkerInit | Promise<WorkerInit>, jobs: InputJob[], options: PoolOptions): Promise<InputResult[]> {
  if (jobs.length === 0) return [];
  // Never more workers than jobs: a worker with nothing to take is a thread and a heap for nothing.
  const wanted = Math.min(workerCount(jobs.length, options.workers), jobs.length);
  if (wanted === 0) return evaluateInProcess(init, jobs, options);

  const results: (InputResult | undefined)[] = new Array(jobs.length);
  const chunk = chunkSize(jobs.length, wanted);
  // The queue: jobs given back by a terminated worker first, then the rest in order.
  const retry: number[] = [];
  let cursor = 0;
  const take = (n: number): number[] => {
    const ids = retry.splice(0, n);
    while (ids.length < n && cursor < jobs.length) ids.push(cursor++);
    return ids;
  };
  const queued = (): boolean => retry.length > 0 || cursor < jobs.length;
  let done = 0;
  const workerUrl = new URL("./worker.js", import.meta.url);
  const initialised = Promise.resolve(init);

  return new Promise<InputResult[]>((resolveAll, rejectAll) => {
    let failed = false;
    let finished = false;
    const workers = new Set<Worker>();
    const fail = (error: unknown): void => {
      if (failed || finished) return;
      failed = true;
      for (const worker of workers) void worker.terminate();
      rejectAll(error);
    };
    const record = (id: number, result: InputResult): void => {
      if (results[id] !== undefined) return;
      results[id] = result;
      done++;
      options.onProgress?.(done, jobs.length);
    };
    const settleIfDone = (): void => {
      if (failed || finished || done < jobs.length) return;
      finished = true;
      for (const worker of workers) void worker.terminate();
      resolveAll(results as InputResult[]);
    };
    initialised.catch(fail);

    const spawn = (): void => {
      const progress = WorkerProgress.create();
      // node:worker_threads is loaded only by runs that start workers (~1 ms otherwise spent at every start).
      const worker = new (process.getBuiltinModule("node:worker_threads").Worker)(workerUrl, { workerData: { progress: progress.buffer } satisfies WorkerData });
      workers.add(worker);
      initialised.then(
        (value) => worker.postMessage({ init: value } satisfies WorkerRequest),
        () => undefined, // handled by fail
      );
      /** the chunks sent and not yet answered, oldest first */
      const inFlight: number[][] = [];
      let timer: NodeJS.Timeout | undefined;
      let ready = false;

      // The watchdog looks when the current job would run out of budget; a job that finished in
      // the meantime just moves the next look to the deadline of the job now running.
      const watch = (delayMs: number): void => {
        clearTimeout(timer);
        timer = setTimeout(check, Math.max(1, Math.ceil(delayMs)));
      };
      const check = (): void => {
        if (inFlight.length === 0) return;
        const current = progress.current();
        if (!current) return watch(options.timeoutMs);
        const left = current.since + options.timeoutMs - Date.now();
        if (left > 0) return watch(left);
        onTimeout(current.id);
      };
      const send = (): void => {
        while (inFlight.length < 2 && queued()) {
          const ids = take(chunk);
          inFlight.push(ids);
          worker.postMessage({ jobs: ids.map((id) => ({ id, job: jobs[id]! })) } satisfies WorkerRequest);
        }
        if (inFlight.length === 0) {
          clearTimeout(timer);
          workers.delete(worker);
          void worker.terminate();
          settleIfDone();
        } else {
          watch(options.timeoutMs);
        }
      };
      const onTimeout = (stuck: number): void => {
        record(stuck, failedJob(jobs[stuck]!, "policy/timeout", timeoutMessage(options.timeoutMs), options.timeoutMs));
        // Results come back a chunk at a time, so everything else in flight is evaluated again.
        retry.unshift(...inFlight.flat().filter((id) => id !== stuck && results[id] === undefined));
        inFlight.length = 0;
        clearTimeout(timer);
        worker.removeAllListeners();
        workers.delete(worker);
        void worker.terminate();
        if (queued()) spawn();
        settleIfDone();
      };

      worker.on("message", (message: WorkerResponse) => {
        if ("ready" in message) {
          ready = true;
          send();
          return;
        }
        const chunkResults = JSON.parse(message.results) as { id: number; result: InputResult }[];
        for (const { id, result } of chunkResults) record(id, result);
        inFlight.shift();
        send();
      });
      worker.on("error", (error) => {
        clearTimeout(timer);
        fail(ready ? error : new Error(`policy worker failed to start: ${error.message}`));
      });
      worker.on("exit", () => {
        clearTimeout(timer);
        if (!workers.delete(worker) || failed || finished) return;
        // It stopped on its own with work outstanding: give that work back and replace it.
        retry.unshift(...inFlight.flat().filter((id) => results[id] === undefined));
        inFlight.length = 0;
        if (queued()) spawn();
        else settleIfDone();
      });
    };

    for (let i = 0; i < wanted; i++) spawn();
  });
}
