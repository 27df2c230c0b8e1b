// The command line. Known error classes are caught here, once: they are rendered as text on
// stderr and in every chosen machine format (file or stdout), and exit 2. Library code never calls process.exit.

import yargs from "yargs";
import { errorMessage, isKnownError, UsageError } from "../core/errors.js";
import { EXIT_ERROR } from "../core/verdict.js";
import { parseFormats, REPORTERS, type FormatTarget } from "../reporters/index.js";
import type { ToolErrorReport } from "../reporters/types.js";
import { buildCommand } from "./commands/build.js";
import { checkCommand } from "./commands/check.js";
import { contractsCommand } from "./commands/contracts.js";
import { clarifyCommand } from "./commands/clarify.js";
import { fixturesCommand } from "./commands/fixtures.js";
import { gateCommand } from "./commands/gate.js";
import { ledgerCommand } from "./commands/ledger.js";
import { opsCommand } from "./commands/ops.js";
import { policyCommand } from "./commands/policy.js";
import { promoteCommand } from "./commands/promote.js";
import { schemasCommand } from "./commands/schemas.js";
import { versionCommand, versionText } from "./commands/version.js";
import { session, STDIN_MARKER } from "./common.js";
import { emit, reportContext } from "./output.js";

export async function main(argv: string[]): Promise<void> {
  session.targets = [{ format: "text" }];
  session.chosen = false;
  try {
    const parser = yargs(argv.map((a) => (a === "-" ? STDIN_MARKER : a)))
      .scriptName("gatehouse")
      .command(checkCommand as never)
      .command(gateCommand as never)
      .command(buildCommand as never)
      .command(fixturesCommand as never)
      .command(contractsCommand as never)
      .command(promoteCommand as never)
      .command(schemasCommand as never)
      .command(versionCommand as never)
      .command(policyCommand as never)
      .command(clarifyCommand as never)
      .command(opsCommand as never)
      .command(ledgerCommand as never)
      .demandCommand(1, "name a command: check, gate, build, fixtures, contracts, version, policy, clarify, promote, schemas, ops, ledger")
      .strict()
      .version(false)
      .option("version", { type: "boolean", describe: "print gatehouse, OPA and bundle versions" })
      .help()
      .exitProcess(false)
      .fail((message, error) => {
        throw error ?? new UsageError(message);
      });
    if (argv.includes("--version") && !argv.some((a) => !a.startsWith("-"))) {
      process.stdout.write(await versionText());
      return;
    }
    await parser.parseAsync();
  } catch (error) {
    // yargs rejects bad arguments before any handler has chosen the formats: read them from argv.
    if (!session.chosen) session.targets = formatsFromArgv(argv);
    renderToolError(error);
    process.exitCode = EXIT_ERROR;
  }
}

/** `--format X`, `--format=X`, `-o X`, `-o=X`, best effort: text alone when they do not parse. */
export function formatsFromArgv(argv: readonly string[]): FormatTarget[] {
  const values: string[] = [];
  for (let i = 0; i < argv.length; i++) {
    const arg = argv[i]!;
    if (arg === "--") break;
    const eq = /^(?:--format|-o)=(.*)$/s.exec(arg);
    if (eq) values.push(eq[1]!);
    else if ((arg === "--format" || arg === "-o") && i + 1 < argv.length) values.push(argv[++i]!);
  }
  try {
    return parseFormats(values);
  } catch {
    return [{ format: "text" }];
  }
}

function renderToolError(error: unknown): void {
  const report: ToolErrorReport = isKnownError(error)
    ? { type: error.name, message: error.message }
    : { type: "InternalError", message: errorMessage(error) };
  if (!isKnownError(error) && error instanceof Error && process.env.GATEHOUSE_DEBUG) process.stderr.write(`${error.stack}\n`);
  // A human always sees the error on stderr; every machine format also gets it, in its own
  // shape, where it would have written the verdict (a file, or stdout).
  process.stderr.write(REPORTERS.text.render({ error: report }, reportContext(process.stderr)));
  const machineTargets = session.targets.filter((target) => target.format !== "text");
  try {
    emit({ error: report }, machineTargets);
  } catch (writeError) {
    process.stderr.write(`gatehouse: could not write the error report: ${errorMessage(writeError)}\n`);
  }
}
