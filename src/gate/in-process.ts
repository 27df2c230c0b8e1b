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
  const evaluator = new InputEvaluator(policy, init.entrypoints, new SchemaRegistry(init.schemasDir), init.options);
  evaluator.baseData = init.data;
  return evaluator;
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

/** Evaluates every job in the calling thread, under the time budget. */
export async function evaluateInProcess(init: WorkerInit | Promise<WorkerInit>, jobs: InputJob[], options: PoolOptions): Promise<InputResult[]> {
  const ready = await init;
  const results: InputResult[] = new Array(jobs.length);
  const state = { next: 0, evaluator: await createEvaluator(ready) };
  const context = vm.createContext({
    run: () => {
      while (state.next < jobs.length) {
        results[state.next] = evaluateJob(state.evaluator, jobs[state.next]!);
        state.next++;
        options.onProgress?.(state.next, jobs.length);
      }
    },
  });
  const script = new vm.Script("run()");
  while (state.next < jobs.length) {
    const first = state.next;
    try {
      script.runInContext(context, { timeout: options.timeoutMs });
    } catch (error) {
      if ((error as NodeJS.ErrnoException).code !== "ERR_SCRIPT_EXECUTION_TIMEOUT") throw error;
      if (state.next === first) {
        results[first] = failedJob(jobs[first]!, "policy/timeout", timeoutMessage(options.timeoutMs), options.timeoutMs);
        state.next++;
        options.onProgress?.(state.next, jobs.length);
      }
      state.evaluator = await createEvaluator(ready);
    }
  }
  return results;
}
