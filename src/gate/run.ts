// Runs an evaluation end to end and returns a verdict: resolve and verify the policy, audit its
// builtins, compile the module once, spread inputs over workers, decide. Fail-closed conditions
// (FailClosed) become denying findings; only usage/config/toolchain errors escape as exceptions.

import type { Finding, Severity } from "../core/findings.js";
import { FailClosed } from "../core/errors.js";
import { GATE_CODES } from "../core/codes.js";
import { decide, type BundleRecord, type InputRecord, type PolicyRecord, type RuleInfo, type Verdict } from "../core/verdict.js";
import { displayPath, packagePath } from "../core/paths.js";
import { createBuiltins, systemClock, type Clock } from "../policy/builtins/index.js";
import { compileBundle, type LoadedBundle } from "../policy/bundle.js";
import type { CompileOptions } from "../policy/build.js";
import type { PackageInfo } from "../policy/manifest.js";
import { auditBuiltins } from "../policy/runtime.js";
import { resolvePolicy } from "../policy/source.js";
import type { InputJob, NamespaceSelection } from "./evaluate-input.js";
import { evaluateInPool, type WorkerInit } from "./pool.js";
import { preparseJobs } from "./preparse.js";
import { assertNoDataConflicts } from "../policy/data-conflicts.js";

export const DEFAULT_TIMEOUT_MS = 10_000;

const SEVERITIES: ReadonlySet<string> = new Set<Severity>(["info", "warning", "error", "block"]);

export interface EvaluationRequest {
  /** a bundle directory, Rego to compile (a directory, a .rego file, or several), or a loaded bundle */
  policy: string | readonly string[] | LoadedBundle;
  /** how Rego is checked and compiled (conftest's options: --strict, --rego-version, --capabilities) */
  compileOptions?: CompileOptions;
  jobs: InputJob[];
  selection: NamespaceSelection;
  maxInputBytes: number;
  timeoutMs: number;
  clock?: Clock;
  /** fixed `time.now_ns` value for reproducible runs */
  nowNs?: bigint;
  data?: unknown;
  /** findings raised before evaluation (collectors, policy packs) */
  findings?: Finding[];
  workers?: number;
  schemasDir?: string;
  policyRecord?: PolicyRecord;
  /** conftest's --proto-file-dirs, for textproto inputs */
  protoFileDirs?: string[];
  /** Record conftest's per-namespace tallies in each input's record (the tap and table reports). */
  conftestTallies?: boolean;
  /**
   * Set `data.conftest.file` ({name, dir} of the input's absolute path) for each input, as conftest
   * does: a policy that reads it would otherwise see it undefined and its deny would not fire.
   */
  conftestFileInfo?: boolean;
  onProgress?: (done: number, total: number) => void;
}

export function failClosedFinding(error: FailClosed): Finding {
  return {
    code: error.code,
    severity: GATE_CODES[error.code].severity,
    message: error.message,
    source: "gate",
    ...(error.file ? { input: displayPath(error.file), location: { file: displayPath(error.file) } } : {}),
  };
}

export async function runEvaluation(request: EvaluationRequest): Promise<Verdict> {
  const started = performance.now();
  const findings: Finding[] = [...(request.findings ?? [])];
  const inputs: InputRecord[] = [];
  let bundleRecord: BundleRecord | undefined;
  let rules: Record<string, RuleInfo> | undefined;
  let evaluateMs = 0;
  try {
    // Loading, verifying and compiling the policy runs while the pool's workers start up.
    const prepared = (async (): Promise<WorkerInit> => {
      const bundle = typeof request.policy === "string" || Array.isArray(request.policy) ? await resolvePolicy(request.policy as string | string[], request.compileOptions) : (request.policy as LoadedBundle);
      bundleRecord = {
        path: displayPath(bundle.dir),
        sha256: bundle.sha256,
        opaVersion: bundle.manifest.opaVersion,
        entrypoints: bundle.manifest.entrypoints.map((e) => e.path),
      };
      rules = declaredRules(bundle.manifest.packages);
      if (request.data !== undefined) assertNoDataConflicts(bundle.manifest, request.data, bundle.dir, displayPath);
      auditBuiltins(bundle.manifest.builtins, createBuiltins(request.clock ?? systemClock));
      // The entrypoints evaluated are the wasm's own (a manifest that disagrees is refused here).
      const compiled = await compileBundle(bundle, "run");
      bundleRecord.entrypoints = compiled.entrypoints.map((e) => e.path);
      if (request.jobs.length === 0) {
        throw new FailClosed("gate/no-inputs", "no inputs to evaluate: nothing matched the arguments or the configured collectors");
      }
      return {
        module: compiled.module,
        builtins: bundle.manifest.builtins,
        entrypoints: compiled.entrypoints,
        schemasDir: request.schemasDir ?? packagePath("schemas"),
        options: {
          maxInputBytes: request.maxInputBytes,
          selection: request.selection,
          ...(compiled.aggregates ? { aggregates: compiled.aggregates } : {}),
          ...(request.conftestTallies ? { tallies: true, ...(bundle.manifest.definitions ? { definitions: bundle.manifest.definitions } : {}) } : {}),
          // Only where the wasm can read it: the planner keeps every path segment a policy names as
          // a string constant, so a wasm without "conftest" never looks there (and each input
          // then skips reloading the data).
          ...(request.conftestFileInfo && bundle.wasm.includes("conftest") ? { conftestFileInfo: true } : {}),
        },
        ...(request.nowNs !== undefined ? { nowNs: request.nowNs.toString() } : {}),
        ...(request.data !== undefined ? { data: request.data } : {}),
      };
    })();
    // Awaited below, after the pre-parse: marked handled now, or a policy that fails while the
    // conftest formats are still parsing is an unhandled rejection that kills the process (exit 1).
    prepared.catch(() => undefined);
    if (request.jobs.length === 0) await prepared; // throws: a policy problem first, else no inputs
    // Formats parsed by conftest's parsers are parsed now, in one batch per format, while the
    // policy loads; JSON and YAML are parsed by the evaluators themselves.
    await preparseJobs(request.jobs, { maxInputBytes: request.maxInputBytes, timeoutMs: request.timeoutMs, ...(request.protoFileDirs ? { protoFileDirs: request.protoFileDirs } : {}) });
    const results = await evaluateInPool(
      prepared,
      request.jobs,
      {
        timeoutMs: request.timeoutMs,
        ...(request.workers !== undefined ? { workers: request.workers } : {}),
        ...(request.onProgress ? { onProgress: request.onProgress } : {}),
      },
    );
    for (const result of results) {
      inputs.push(result.record);
      findings.push(...result.findings);
      evaluateMs += result.evaluateMs;
    }
  } catch (error) {
    if (!(error instanceof FailClosed)) throw error;
    findings.push(failClosedFinding(error));
  }
  return decide(findings, inputs, {
    ...(bundleRecord ? { bundle: bundleRecord } : {}),
    ...(request.policyRecord ? { policy: request.policyRecord } : {}),
    ...(rules && Object.keys(rules).length > 0 ? { rules } : {}),
    durations: { totalMs: round(performance.now() - started), evaluateMs: round(evaluateMs) },
  });
}

/** The codes each package declares in METADATA, with the package's title and description. */
export function declaredRules(packages: Record<string, PackageInfo>): Record<string, RuleInfo> {
  const rules: Record<string, RuleInfo> = {};
  for (const name of Object.keys(packages).sort()) {
    const info = packages[name]!;
    const custom = info.custom ?? {};
    const codes = [custom.code, ...(Array.isArray(custom.codes) ? custom.codes : [])].filter(
      (code): code is string => typeof code === "string" && code !== "",
    );
    for (const code of codes) {
      // First declaration wins (packages in sorted order), so the result does not depend on manifest order.
      if (Object.hasOwn(rules, code)) continue;
      rules[code] = {
        title: info.title ?? code,
        package: name,
        ...(info.description ? { description: info.description.trim() } : {}),
        ...(typeof custom.severity === "string" && SEVERITIES.has(custom.severity) ? { severity: custom.severity as Severity } : {}),
      };
    }
  }
  return rules;
}

function round(ms: number): number {
  return Math.round(ms * 100) / 100;
}
