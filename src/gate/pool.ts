// Spreads input evaluation over worker threads that share one compiled WebAssembly.Module.
// Each worker has a watchdog: if it produces no result within the time budget, it is
// terminated, the input it was on gets a `policy/timeout` finding, and its remaining jobs go
// to a fresh worker. Results come back in job order whatever the scheduling.

import { availableParallelism } from "node:os";
import { Worker } from "node:worker_threads";
import type { EntrypointInfo } from "../policy/manifest.js";
import type { EvaluatorOptions, InputJob, InputResult } from "./evaluate-input.js";

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

export interface WorkerRequest {
  jobs: { id: number; job: InputJob }[];
}

export type WorkerResponse = { ready: true } | { id: number; result: InputResult };

export interface PoolOptions {
  /** per-input evaluation budget in milliseconds */
  timeoutMs: number;
  /** number of workers; defaults to the machine's parallelism, fewer for small runs */
  workers?: number;
  onProgress?: (done: number, total: number) => void;
}

const CHUNK = 32;
/** Below this many inputs per extra worker, another worker costs more than it saves. */
const INPUTS_PER_WORKER = 200;

export async function evaluateInPool(init: WorkerInit, jobs: InputJob[], options: PoolOptions): Promise<InputResult[]> {
  const results: (InputResult | undefined)[] = new Array(jobs.length);
  if (jobs.length === 0) return [];
  const queue: number[][] = [];
  for (let i = 0; i < jobs.length; i += CHUNK) {
    queue.push(Array.from({ length: Math.min(CHUNK, jobs.length - i) }, (_, k) => i + k));
  }
  const wanted = options.workers ?? Math.min(availableParallelism(), Math.max(1, Math.ceil(jobs.length / INPUTS_PER_WORKER)));
  let done = 0;
  const workerUrl = new URL("./worker.js", import.meta.url);

  return new Promise<InputResult[]>((resolveAll, rejectAll) => {
    let live = 0;
    let failed = false;

    const spawn = (): void => {
      live++;
      const worker = new Worker(workerUrl, { workerData: init });
      let pending: number[] = [];
      let timer: NodeJS.Timeout | undefined;
      let ready = false;

      const arm = (): void => {
        clearTimeout(timer);
        if (pending.length > 0) timer = setTimeout(onTimeout, options.timeoutMs);
      };
      const next = (): void => {
        const chunk = queue.shift();
        if (!chunk) {
          clearTimeout(timer);
          void worker.terminate();
          return;
        }
        pending = [...chunk];
        worker.postMessage({ jobs: chunk.map((id) => ({ id, job: jobs[id]! })) } satisfies WorkerRequest);
        arm();
      };
      const onTimeout = (): void => {
        const stuck = pending.shift()!;
        const job = jobs[stuck]!;
        results[stuck] = {
          record: { path: job.display, sha256: "", bytes: 0, rulesEvaluated: 0, ...(job.kind ? { kind: job.kind } : {}) },
          findings: [{ code: "policy/timeout", severity: "error", message: `evaluation exceeded the ${options.timeoutMs} ms budget; the worker was terminated`, source: "gate", input: job.display }],
          evaluateMs: options.timeoutMs,
        };
        done++;
        options.onProgress?.(done, jobs.length);
        if (pending.length > 0) queue.unshift(pending);
        pending = [];
        worker.removeAllListeners("exit");
        worker.once("exit", () => {
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
        results[message.id] = message.result;
        done++;
        options.onProgress?.(done, jobs.length);
        pending = pending.filter((id) => id !== message.id);
        if (pending.length === 0) next();
        else arm();
      });
      worker.on("error", (error) => {
        clearTimeout(timer);
        if (!failed) {
          failed = true;
          rejectAll(ready ? error : new Error(`policy worker failed to start: ${error.message}`));
        }
      });
      worker.on("exit", () => {
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
