// The collector interface: turn repository and pipeline artifacts into JSON inputs of a kind.
// One file per collector, registered in src/collectors/index.ts.

import type { Finding } from "../core/findings.js";
import type { InputJob } from "../gate/evaluate-input.js";
import type { Profile } from "../gate/config.js";
import type { EffectivePolicy } from "../packs/types.js";

export interface CollectorContext {
  /** repository root (absolute) */
  root: string;
  /** this collector's section of gatehouse.config (already schema-validated) */
  options: Record<string, unknown>;
  /** the whole (validated) config, for collectors that read a shared section such as `promotion` */
  config?: Record<string, unknown>;
  /** the fixed clock for reproducible runs, when one was given */
  nowNs?: bigint;
  env: NodeJS.ProcessEnv;
  /** the effective policy pack (constraint flags, requirements) when run by `gatehouse gate` */
  policy?: EffectivePolicy;
}

export interface Collected {
  inputs: InputJob[];
  /** problems found while collecting (e.g. `gate/collector-failed`); they deny */
  findings: Finding[];
}

export interface Collector {
  description: string;
  /** set: the collector checks gatehouse's own layout and runs only in that config profile */
  profile?: Profile;
  collect(context: CollectorContext): Promise<Collected>;
}
