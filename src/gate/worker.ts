// Worker thread: receives the policy in its first message (the shared compiled module), then
// evaluates the chunks of jobs it is sent, one reply per chunk. Before each job it records in
// shared memory which job it is on and since when; the main thread terminates a worker that
// overruns the budget (pool.ts).

import { parentPort, workerData } from "node:worker_threads";
import { errorMessage } from "../core/errors.js";
import { fixedNsClock, systemClock } from "../policy/builtins/index.js";
import { instantiate } from "../policy/runtime.js";
import { SchemaRegistry } from "../schemas/registry.js";
import { InputEvaluator, type InputJob, type InputResult } from "./evaluate-input.js";
import { WorkerProgress, type WorkerData, type WorkerInit, type WorkerRequest, type WorkerResponse } from "./pool.js";

const port = parentPort!;
const progress = new WorkerProgress((workerData as WorkerData).progress);
let evaluator: InputEvaluator | undefined;

async function start(init: WorkerInit): Promise<void> {
  const policy = await instantiate(init.module, init.builtins, {
    clock: init.nowNs === undefined ? systemClock : fixedNsClock(BigInt(init.nowNs)),
  });
  if (init.data !== undefined) policy.setData(init.data);
  evaluator = new InputEvaluator(policy, init.entrypoints, new SchemaRegistry(init.schemasDir), init.options);
  port.postMessage({ ready: true } satisfies WorkerResponse);
}

function evaluateChunk(evaluator: InputEvaluator, jobs: { id: number; job: InputJob }[]): void {
  const results: { id: number; result: InputResult }[] = [];
  for (const { id, job } of jobs) {
    progress.start(id);
    let result: InputResult;
    try {
      result = evaluator.evaluate(job);
    } catch (error) {
      result = {
        record: { path: job.display, sha256: "", bytes: 0, rulesEvaluated: 0, ...(job.kind ? { kind: job.kind } : {}) },
        findings: [{ code: "policy/eval-error", severity: "error", message: errorMessage(error), source: "gate", input: job.display }],
        evaluateMs: 0,
      };
    }
    progress.finish();
    results.push({ id, result });
  }
  port.postMessage({ results } satisfies WorkerResponse);
}

port.on("message", (request: WorkerRequest) => {
  if ("init" in request) {
    // An error here is an uncaught rejection: the worker dies and the pool reports it.
    void start(request.init);
    return;
  }
  if (!evaluator) throw new Error("policy worker got jobs before its policy");
  evaluateChunk(evaluator, request.jobs);
});
