// Worker thread: receives the policy in its first message (the shared compiled module), then
// evaluates the chunks of jobs it is sent, one reply per chunk. Before each job it records in
// shared memory which job it is on and since when; the main thread terminates a worker that
// overruns the budget (pool.ts).

import { parentPort, workerData } from "node:worker_threads";
import type { InputEvaluator, InputJob, InputResult } from "./evaluate-input.js";
import { createEvaluator, evaluateJob } from "./in-process.js";
import { WorkerProgress, type WorkerData, type WorkerInit, type WorkerRequest, type WorkerResponse } from "./pool.js";

const port = parentPort!;
const progress = new WorkerProgress((workerData as WorkerData).progress);
let evaluator: InputEvaluator | undefined;

async function start(init: WorkerInit): Promise<void> {
  evaluator = await createEvaluator(init);
  port.postMessage({ ready: true } satisfies WorkerResponse);
}

function evaluateChunk(evaluator: InputEvaluator, jobs: { id: number; job: InputJob }[]): void {
  const results: { id: number; result: InputResult }[] = [];
  for (const { id, job } of jobs) {
    progress.start(id);
    const result = evaluateJob(evaluator, job);
    progress.finish();
    results.push({ id, result });
  }
  // As JSON text: results are plain JSON data, and one string crosses threads more cheaply than
  // a structured clone of many small objects.
  port.postMessage({ results: JSON.stringify(results) } satisfies WorkerResponse);
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
