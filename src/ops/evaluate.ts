// Evaluates ops inputs (built documents of the ops-* kinds) against the shipped bundle, or the
// policy given, and returns the verdict. Shared by `gatehouse ops` and `gatehouse ledger append`.

import type { Finding } from "../core/findings.js";
import { packagePath } from "../core/paths.js";
import type { Verdict } from "../core/verdict.js";
import type { InputJob } from "../gate/evaluate-input.js";
import { DEFAULT_TIMEOUT_MS, runEvaluation } from "../gate/run.js";
import { DEFAULT_MAX_INPUT_BYTES } from "../inputs/parse.js";

export interface OpsEvaluation {
  jobs: InputJob[];
  findings?: Finding[];
  policy?: string;
  nowNs?: bigint;
  timeoutMs?: number;
}

export function evaluateOps(request: OpsEvaluation): Promise<Verdict> {
  return runEvaluation({
    policy: request.policy ?? packagePath("bundle"),
    jobs: request.jobs,
    findings: request.findings ?? [],
    selection: { all: false, namespaces: [] },
    maxInputBytes: DEFAULT_MAX_INPUT_BYTES,
    timeoutMs: request.timeoutMs ?? DEFAULT_TIMEOUT_MS,
    workers: 1,
    ...(request.nowNs !== undefined ? { nowNs: request.nowNs } : {}),
  });
}
