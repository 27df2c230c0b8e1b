// The command line. Known error classes are caught here, once: they are rendered in every chosen
// format (text goes to stderr) and exit 2. Library code never calls process.exit.

import yargs from "yargs";
import { errorMessage, isKnownError, UsageError } from "../core/errors.js";
import { EXIT_ERROR } from "../core/verdict.js";
import { REPORTERS } from "../reporters/index.js";
import type { ToolErrorReport } from "../reporters/types.js";
import { buildCommand } from "./commands/build.js";
import { checkCommand } from "./commands/check.js";
import { fixturesCommand } from "./commands/fixtures.js";
import { gateCommand } from "./commands/gate.js";
import { promoteCommand } from "./commands/promote.js";
import { schemasCommand } from "./commands/schemas.js";
import { versionCommand, versionText } from "./commands/version.js";
import { session } from "./common.js";
import { reportContext, writeAtomic } from "./output.js";

export async function main(argv: string[]): Promise<void> {
  try {
    const parser = yargs(argv)
      .scriptName("gatehouse")
      .command(checkCommand as never)
      .command(gateCommand as never)
      .command(buildCommand as never)
      .command(fixturesCommand as never)
      .command(promoteCommand as never)
      .command(schemasCommand as never)
      .command(versionCommand as never)
      .demandCommand(1, "name a command: check, gate, build, fixtures, promote, schemas, version")
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
    renderToolError(error);
    process.exitCode = EXIT_ERROR;
  }
}

function renderToolError(error: unknown): void {
  const report: ToolErrorReport = isKnownError(error)
    ? { type: error.name, message: error.message }
    : { type: "InternalError", message: errorMessage(error) };
  if (!isKnownError(error) && error instanceof Error && process.env.GATEHOUSE_DEBUG) process.stderr.write(`${error.stack}\n`);
  for (const target of session.targets) {
    const reporter = REPORTERS[target.format];
    if (target.format === "text" || (!target.file && target.format !== "json")) {
      // Human text and stdout-bound machine formats other than JSON go to stderr on error.
      process.stderr.write(REPORTERS.text.render({ error: report }, reportContext(process.stderr)));
      continue;
    }
    const text = reporter.render({ error: report }, reportContext({ isTTY: false } as NodeJS.WriteStream));
    if (target.file) writeAtomic(target.file, text);
    else process.stdout.write(text);
  }
}
