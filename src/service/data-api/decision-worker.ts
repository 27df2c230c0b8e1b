// Worker thread of the Data API (evaluator.ts): instantiates the bundle's compiled module once,
// then evaluates one decision per message. It runs apart from the server's event loop so that a
// slow evaluation stalls no other request, and the main thread can terminate it at its deadline.

import { parentPort, workerData } from "node:worker_threads";
import { systemClock } from "../../policy/builtins/index.js";
import { instantiate, type PolicyInstance } from "../../policy/runtime.js";
import type { DecisionWorkerData, WorkerAnswer, WorkerQuestion } from "./evaluator.js";

const port = parentPort!;
const { module, builtins } = workerData as DecisionWorkerData;
const encoder = new TextEncoder();

function message(error: unknown): string {
  return error instanceof Error ? error.message : String(error);
}

function answer(instance: PolicyInstance, question: WorkerQuestion): WorkerAnswer {
  try {
    const evaluated = instance.evaluate(encoder.encode(question.input), question.entrypoint);
    return { id: question.id, defined: evaluated.defined, value: evaluated.value };
  } catch (error) {
    return { id: question.id, error: message(error) };
  }
}

instantiate(module, builtins, { clock: systemClock }).then(
  (instance) => {
    port.on("message", (question: WorkerQuestion) => port.postMessage(answer(instance, question) satisfies WorkerAnswer));
    port.postMessage({ ready: true } satisfies WorkerAnswer);
  },
  (error: unknown) => port.postMessage({ startError: message(error) } satisfies WorkerAnswer),
);
