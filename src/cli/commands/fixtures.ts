// `gatehouse fixtures`: run the fixture regression suites through the shipped bundle and the
// schemas. Fails when a case disagrees or when a declared deny code has no fixture.

import type { Argv } from "yargs";
import { packagePath } from "../../core/paths.js";
import { runFixtures } from "../../fixtures/suite.js";
import { loadBundle } from "../../policy/bundle.js";
import { SchemaRegistry } from "../../schemas/registry.js";
import { FailClosed } from "../../core/errors.js";
import { failClosedFinding } from "../../gate/run.js";
import { decide } from "../../core/verdict.js";
import { report } from "../common.js";

export const fixturesCommand = {
  command: "fixtures",
  describe: "run the fixture regression suites (fixtures/<kind or schema>/*.json) through the bundle and schemas",
  builder: (y: Argv) =>
    y
      .option("dir", { type: "string", default: packagePath("fixtures"), describe: "fixtures directory" })
      .option("bundle", { type: "string", default: packagePath("bundle"), describe: "bundle directory" }),
  handler: async (args: { dir: string; bundle: string }) => {
    let run;
    try {
      run = await runFixtures(args.dir, await loadBundle(args.bundle), new SchemaRegistry());
    } catch (error) {
      if (!(error instanceof FailClosed)) throw error;
      report(decide([failClosedFinding(error)], [], { durations: { totalMs: 0, evaluateMs: 0 } }), [{ format: "text" }]);
      return;
    }
    let failed = 0;
    for (const c of run.cases) {
      if (c.ok) continue;
      failed++;
      process.stdout.write(
        `FAIL ${c.file}: ${c.description}\n  expected ${c.expected.valid ? "valid" : `invalid [${c.expected.codes.join(", ")}]`}` +
          `, got ${c.actual.valid ? "valid" : `invalid [${c.actual.codes.join(", ")}]`}\n`,
      );
    }
    for (const code of run.uncoveredCodes) process.stdout.write(`FAIL no fixture triggers deny code ${code}\n`);
    const passed = run.cases.length - failed;
    process.stdout.write(`fixtures: ${passed} passed, ${failed + run.uncoveredCodes.length} failed\n`);
    process.exitCode = failed + run.uncoveredCodes.length > 0 ? 1 : 0;
  },
};
