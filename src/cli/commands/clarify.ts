// `gatehouse clarify`: list the effective policy's unanswered questions, or record an answer
// (`gatehouse clarify KEY VALUE`) in .gatehouse/clarifications.yaml.

import type { Argv } from "yargs";
import { ConfigError, UsageError } from "../../core/errors.js";
import { displayPath } from "../../core/paths.js";
import { readAnswers, recordAnswer, unanswered } from "../../packs/clarifications.js";
import { fixedNow, type ReportArgs } from "../common.js";
import { effectiveFor } from "./policy.js";

interface ClarifyArgs {
  key?: string | undefined;
  value?: string | undefined;
  root?: string | undefined;
  config?: string | undefined;
  format: string;
  now?: string | undefined;
}

export const clarifyCommand = {
  command: "clarify [key] [value]",
  describe: "list the policy pack's unanswered questions, or answer one: clarify KEY VALUE",
  builder: (y: Argv) =>
    y
      .positional("key", { type: "string", describe: "question key" })
      .positional("value", { type: "string", describe: "the answer: one of the question's options" })
      .option("root", { type: "string", describe: "repository root (default: the nearest directory with a gatehouse.config, up to the repository root)" })
      .option("config", { alias: "c", type: "string", describe: "config file (default gatehouse.config.yaml/.yml/.json in the root)" })
      .option("format", { alias: "o", type: "string", default: "text", describe: "text or json (listing)" })
      .option("now", { type: "string", describe: "timestamp recorded with the answer (RFC 3339); default $GATEHOUSE_NOW or the clock" }),
  handler: (args: ClarifyArgs) => {
    if (args.format !== "text" && args.format !== "json") throw new UsageError(`unknown format ${JSON.stringify(args.format)}; known formats: json, text`);
    if (args.key !== undefined && args.value === undefined) throw new UsageError(`give the answer too: gatehouse clarify ${args.key} VALUE`);
    const { effective, root, schemas } = effectiveFor(args.root, args.config);
    const policy = effective.policy;
    if (args.key !== undefined && args.value !== undefined) {
      const nowNs = fixedNow({ now: args.now } as ReportArgs);
      const now = nowNs !== undefined ? new Date(Number(nowNs / 1_000_000n)) : new Date();
      const file = recordAnswer(root, schemas, policy, args.key, args.value, now);
      process.stdout.write(`recorded ${args.key}=${args.value} in ${displayPath(file)}\n`);
      return;
    }
    const answers = readAnswers(root, schemas, policy);
    if (!answers.ok) throw new ConfigError(answers.problems.join("; "), displayPath(answers.file));
    const open = unanswered(policy, answers.answers);
    if (args.format === "json") {
      process.stdout.write(JSON.stringify({ pack: `${policy.pack.key}@${policy.pack.version}`, mode: policy.enforcement.mode, unanswered: open }, null, 2) + "\n");
      return;
    }
    if (open.length === 0) {
      process.stdout.write(`${policy.pack.key}@${policy.pack.version}: every clarification is answered\n`);
      return;
    }
    const lines = [`${policy.pack.key}@${policy.pack.version} (${policy.enforcement.mode} mode): ${open.length} unanswered`];
    for (const q of open) {
      lines.push(``, `${q.key}${q.blocking ? " (blocking)" : ""}: ${q.question}`, `  options: ${q.options.join(", ")}${q.recommended ? ` (recommended: ${q.recommended})` : ""}`);
      lines.push(`  answer:  gatehouse clarify ${q.key} ${q.recommended ?? q.options[0]}`);
    }
    process.stdout.write(lines.join("\n") + "\n");
  },
};
