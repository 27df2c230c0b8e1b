// Evaluation in the calling thread, for runs too small to repay starting worker threads, with the
// same time budget per input. Each stretch of inputs runs under a vm timeout: when it fires,
// V8 stops the thread wherever it is (in wasm too) and the input being evaluated is the one that
// overran, provided it was the first of the stretch (so it had the whole budget to itself);
// otherwise the stretch restarts at that input with a fresh budget. A timed-out input gets a
// `policy/timeout` finding. After any stop the evaluator (policy instance, schema registry) is
// replaced: it was interrupted mid-work and its state, wasm memory included, cannot be trusted.
// Also the setup and per-job wrapper shared with the worker threads (worker.ts).

import vm from "node:vm";
import { errorMessage } from "../core/errors.js";
import { fixedNsClock, systemClock } from "../policy/builtins/index.js";
import { instantiate } from "../policy/runtime.js";
import { SchemaRegistry } from "../schemas/registry.js";
import { InputEvaluator, type InputJob, type InputResult } from "./evaluate-input.js";
import type { PoolOptions, WorkerInit } from "./pool.js";

/** An evaluator for a policy as the pool hands it out. */
export async function createEvaluator(init: WorkerInit): Promise<InputEvaluator> {
  const policy = await instantiate(init.module, init.builtins, {
    clock: init.nowNs === undefined ? systemClock : fixedNsClock(BigInt(init.nowNs)),
  });
  if (init.data !== undefined) policy.setData(init.data);
  return new InputEvaluator(policy, init.entrypoints, new SchemaRegistry(init.schemasDir), init.options);
}

/** Evaluates one job; an unexpected error becomes that input's `policy/eval-error` finding. */
export function evaluateJob(evaluator: InputEvaluator, job: InputJob): InputResult {
  try {
    return evaluator.evaluate(job);
  } catch (error) {
    return failedJob(job, "policy/eval-error", errorMessage(error), 0);
  }
}

export function failedJob(job: InputJob, code: "policy/eval-error" | "policy/timeout", message: string, evaluateMs: number): InputResult {
  return {
    record: { path: job.display, sha256: "", bytes: 0, rulesEvaluated: 0, ...(job.kind ? { kind: job.kind } : {}) },
    findings: [{ code, severity: "error", message, source: "gate", input: job.display }],
    evaluateMs,
  };
}

/** The same message whichever way the evaluation was stopped, so reports do not depend on thread scheduling. */
export function timeoutMessage(timeoutMs: number): string {
  return `evaluation exceeded the ${timeoutMs} ms budget and was stopped`;
}

/**
 * Evaluates jobs in the calling thread under the time budget. Reusable across calls, so the pool
 * can hand it one slice of jobs at a time between servicing its workers.
 */
class LocalEvaluator {
  readonly #init: WorkerInit;
  readonly #timeoutMs: number;
  #evaluator: InputEvaluator;
  readonly #script = new vm.Script("run()");
  readonly #context: vm.Context;
  #batch: { jobs: readonly InputJob[]; ids: readonly number[]; next: number; onResult: (id: number, result: InputResult) => void } | undefined;

  private constructor(init: WorkerInit, evaluator: InputEvaluator, timeoutMs: number) {
    this.#init = init;
    this.#evaluator = evaluator;
    this.#timeoutMs = timeoutMs;
    this.#context = vm.createContext({
      run: () => {
        const batch = this.#batch!;
        while (batch.next < batch.ids.length) {
          const id = batch.ids[batch.next]!;
          const result = evaluateJob(this.#evaluator, batch.jobs[id]!);
          batch.next++;
          batch.onResult(id, result);
        }
      },
    });
  }

  static async create(init: WorkerInit, timeoutMs: number): Promise<LocalEvaluator> {
    return new LocalEvaluator(init, await createEvaluator(init), timeoutMs);
  }

  /** Evaluates `jobs[id]` for each id, in order, reporting each result as it comes. */
  async run(jobs: readonly InputJob[], ids: readonly number[], onResult: (id: number, result: InputResult) => void): Promise<void> {
    const batch = { jobs, ids, next: 0, onResult };
    this.#batch = batch;
    try {
      while (batch.next < ids.length) {
        const first = batch.next;
        try {
          this.#script.runInContext(this.#context, { timeout: this.#timeoutMs });
        } catch (error) {
          if ((error as NodeJS.ErrnoException).code !== "ERR_SCRIPT_EXECUTION_TIMEOUT") throw error;
          if (batch.next === first) {
            const id = ids[first]!;
            batch.next++;
            onResult(id, failedJob(jobs[id]!, "policy/timeout", timeoutMessage(this.#timeoutMs), this.#timeoutMs));
          }
          this.#evaluator = await createEvaluator(this.#init);
        }
      }
    } finally {
      this.#batch = undefined;
    }
  }
}

/** Evaluates every job in the calling thread. */
export async function evaluateInProcess(init: WorkerInit | Promise<WorkerInit>, jobs: InputJob[], options: PoolOptions): Promise<InputResult[]> {
  const results: InputResult[] = new Array(jobs.length);
  const local = await LocalEvaluator.create(await init, options.timeoutMs);
  let done = 0;
  await local.run(jobs, jobs.map((_, i) => i), (id, result) => {
    results[id] = result;
    options.onProgress?.(++done, jobs.length);
  });
  return results;
}
