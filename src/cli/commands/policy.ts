// `gatehouse policy effective`: the merged policy (pack + config overrides + repo-local file)
// and its hash, as the gate would enforce it.

import type { Argv } from "yargs";
import { stringify } from "yaml";
import { ConfigError, UsageError } from "../../core/errors.js";
import { loadConfig, projectRoot } from "../../gate/config.js";
import { resolveEffectivePolicy, type EffectiveResult } from "../../packs/effective.js";
import { SchemaRegistry } from "../../schemas/registry.js";
import { commandGroup } from "../common.js";

interface PolicyArgs {
  root?: string | undefined;
  config?: string | undefined;
  format: string;
}

/** Loads the effective policy for a root; a rejected repo-local file is an error here. */
export function effectiveFor(rootArg: string | undefined, configArg: string | undefined): { effective: EffectiveResult; root: string; schemas: SchemaRegistry } {
  const root = projectRoot(rootArg, configArg);
  const schemas = new SchemaRegistry();
  const { config, file } = loadConfig(root, schemas, configArg);
  const effective = resolveEffectivePolicy({ root, config, schemas, ...(file ? { configFile: file } : {}) });
  if (effective.findings.length > 0) {
    throw new ConfigError(effective.findings.map((f) => `[${f.code}] ${f.message}`).join("\n"));
  }
  return { effective, root, schemas };
}

export function effectiveDocument(effective: EffectiveResult): Record<string, unknown> {
  return {
    pack: effective.record.pack,
    version: effective.record.version,
    mode: effective.record.mode,
    effectiveHash: effective.hash,
    layers: effective.layers,
    policy: effective.policy,
  };
}

const effectiveSubcommand = {
  command: "effective",
  describe: "print the effective policy (pack + config overrides + .gatehouse/policy) and its sha256",
  builder: (y: Argv) =>
    y
      .option("root", { type: "string", describe: "repository root (default: the nearest directory with a gatehouse.config, up to the repository root)" })
      .option("config", { alias: "c", type: "string", describe: "config file (default gatehouse.config.yaml/.yml/.json in the root)" })
      .option("format", { alias: "o", type: "string", default: "text", describe: "text or json" }),
  handler: (args: PolicyArgs) => {
    if (args.format !== "text" && args.format !== "json") throw new UsageError(`unknown format ${JSON.stringify(args.format)}; known formats: json, text`);
    const { effective } = effectiveFor(args.root, args.config);
    if (args.format === "json") {
      process.stdout.write(JSON.stringify(effectiveDocument(effective), null, 2) + "\n");
      return;
    }
    const layers = effective.layers.map((l) => `${l.source} ${l.file}`).join(", ");
    process.stdout.write(
      `pack: ${effective.record.pack}@${effective.record.version}\nmode: ${effective.record.mode}\n` +
        `effective sha256: ${effective.hash}\nlayers: ${layers}\n---\n${stringify(effective.policy)}`,
    );
  },
};

export const policyCommand = commandGroup("policy", "inspect the policy pack in force", [effectiveSubcommand]);
