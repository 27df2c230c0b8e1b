// Worker thread: instantiates the shared compiled module once and evaluates the jobs it is sent.
// The main thread terminates a worker that overruns the time budget (src/gate/pool.ts).

import { parentPort, workerData } from "node:worker_threads";
import { errorMessage } from "../core/errors.js";
import { fixedNsClock, systemClock } from "../policy/builtins/index.js";
import { instantiate } from "../policy/runtime.js";
import { SchemaRegistry } from "../schemas/registry.js";
import { InputEvaluator, type InputResult } from "./evaluate-input.js";
import type { WorkerInit, WorkerRequest, WorkerResponse } from "./pool.js";

const init = workerData as WorkerInit;
const port = parentPort!;

const policy = await instantiate(init.module, init.builtins, {
  clock: init.nowNs === undefined ? systemClock : fixedNsClock(BigInt(init.nowNs)),
});
if (init.data !== undefined) policy.setData(init.data);
const evaluator = new InputEvaluator(policy, init.entrypoints, new SchemaRegistry(init.schemasDir), init.options);

port.on("message", (request: WorkerRequest) => {
  for (const { id, job } of request.jobs) {
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
    port.postMessage({ id, result } satisfies WorkerResponse);
  }
});
port.postMessage({ ready: true } satisfies WorkerResponse);
