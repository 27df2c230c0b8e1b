// The project's own policies (config `policies`), evaluated beside the packaged bundle: each
// entry is a directory of Rego or a built bundle with the namespaces its packages live under.
// Inputs that name namespaces (the `files` collector's) go to the entry that declares them; all
// other inputs go to the packaged bundle, so the shipped rules keep running. One verdict results.

import { existsSync, statSync } from "node:fs";
import { resolve } from "node:path";
import { ConfigError } from "../core/errors.js";
import { decide, type Verdict } from "../core/verdict.js";
import { entryGlobs, filesEntries } from "../collectors/files.js";
import { inNamespace } from "../schemas/kinds.js";
import type { GateConfig } from "./config.js";
import type { InputJob } from "./evaluate-input.js";

export interface ResolvedPolicySource {
  /** absolute path of the Rego directory or bundle */
  path: string;
  /** as written in the config, for messages */
  shown: string;
  namespaces: string[];
}

/** Namespaces that belong to the packaged bundle (and its generated aggregates). */
const RESERVED = ["gatehouse", "gatehouse_aggregate"];

export function policySources(root: string, config: GateConfig): ResolvedPolicySource[] {
  return (config.policies ?? []).map((entry, index) => {
    const path = resolve(root, entry.path);
    if (!existsSync(path) || !statSync(path).isDirectory()) {
      throw new ConfigError(`policies[${index}].path ${JSON.stringify(entry.path)}: no such directory (relative to ${root})`);
    }
    for (const namespace of entry.namespaces) {
      if (RESERVED.some((reserved) => inNamespace(namespace, reserved))) {
        throw new ConfigError(`policies[${index}].namespaces: ${namespace} is gatehouse's own namespace; put your packages under another one (e.g. ${namespace.replace(/^gatehouse[_.]?\w*/, "deploy")})`);
      }
    }
    return { path, shown: entry.path, namespaces: entry.namespaces };
  });
}

/** The source that judges a namespace: the first entry declaring it or a namespace above it. */
export function sourceFor(namespace: string, sources: readonly ResolvedPolicySource[]): ResolvedPolicySource | undefined {
  return sources.find((source) => source.namespaces.some((declared) => inNamespace(namespace, declared)));
}

/** Every `files` entry needs a policies entry for its namespace, before anything is collected. */
export function checkFilesRouting(config: GateConfig, sources: readonly ResolvedPolicySource[]): void {
  const options = config.collectors.files;
  if (options === undefined || options === false) return;
  for (const [index, entry] of filesEntries(filesOptions(options)).entries()) {
    if (sourceFor(entry.namespace, sources)) continue;
    const declared = sources.flatMap((s) => s.namespaces);
    throw new ConfigError(
      `collectors.files[${index}] (${entryGlobs(entry).join(", ")}) names namespace ${entry.namespace}, which no policies entry declares` +
        (declared.length > 0 ? ` (declared: ${declared.join(", ")})` : `: add policies: [{ path: policy, namespaces: [${entry.namespace}] }]`),
    );
  }
}

/** `collectors.files` is a list in the config; collectors get their options as an object. */
export function filesOptions(options: unknown): Record<string, unknown> {
  return Array.isArray(options) ? { entries: options } : (options as Record<string, unknown>);
}

export interface RoutedJobs {
  /** inputs for the packaged bundle (or the config's `policy`) */
  shipped: InputJob[];
  groups: { source: ResolvedPolicySource; jobs: InputJob[] }[];
}

export function routeJobs(jobs: readonly InputJob[], sources: readonly ResolvedPolicySource[]): RoutedJobs {
  const shipped: InputJob[] = [];
  const bySource = new Map<ResolvedPolicySource, InputJob[]>();
  for (const job of jobs) {
    if (job.namespaces === undefined) {
      shipped.push(job);
      continue;
    }
    // checkFilesRouting ran first, so every namespace has its source.
    const source = sourceFor(job.namespaces[0]!, sources)!;
    const list = bySource.get(source) ?? [];
    list.push(job);
    bySource.set(source, list);
  }
  return { shipped, groups: sources.filter((s) => bySource.has(s)).map((source) => ({ source, jobs: bySource.get(source)! })) };
}

/** One verdict from the packaged bundle's and the project policies' (recorded under `policies`). */
export function mergeVerdicts(primary: Verdict | undefined, others: readonly Verdict[]): Verdict {
  const all = [...(primary ? [primary] : []), ...others];
  const findings = all.flatMap((v) => v.findings);
  const inputs = all.flatMap((v) => v.inputs);
  const rules = Object.assign({}, ...[...all].reverse().map((v) => v.rules ?? {})) as NonNullable<Verdict["rules"]>;
  const policies = others.flatMap((v) => (v.bundle ? [v.bundle] : []));
  return decide(findings, inputs, {
    ...(primary?.bundle ? { bundle: primary.bundle } : {}),
    ...(policies.length > 0 ? { policies } : {}),
    ...(primary?.policy ? { policy: primary.policy } : {}),
    ...(Object.keys(rules).length > 0 ? { rules } : {}),
    durations: {
      totalMs: Math.round(all.reduce((sum, v) => sum + v.durations.totalMs, 0) * 100) / 100,
      evaluateMs: Math.round(all.reduce((sum, v) => sum + v.durations.evaluateMs, 0) * 100) / 100,
    },
  });
}
