// `gatehouse fixtures`: run the fixture regression suites through the shipped bundle and the
// schemas. Fails when a case disagrees; with `profile: self` (gatehouse's own repository) also
// when a deny code the bundle declares has no fixture. In any other project only the folders
// named after an input kind or a gatehouse schema are suites (its other fixtures are its own).

import { join, resolve } from "node:path";
import type { Argv } from "yargs";
import { displayPath, packagePath } from "../../core/paths.js";
import { runFixtures } from "../../fixtures/suite.js";
import { loadConfig, projectRoot } from "../../gate/config.js";
import { loadBundle } from "../../policy/bundle.js";
import { isKind } from "../../schemas/kinds.js";
import { SchemaRegistry } from "../../schemas/registry.js";
import { FailClosed } from "../../core/errors.js";
import { failClosedFinding } from "../../gate/run.js";
import { decide } from "../../core/verdict.js";
import { report, requireDirectory } from "../common.js";

interface FixturesArgs {
  dir?: string | undefined;
  bundle: string;
  root?: string | undefined;
  config?: string | undefined;
}

export const fixturesCommand = {
  command: "fixtures",
  describe: "run the fixture regression suites (fixtures/<kind or schema>/*.json) through the bundle and schemas",
  builder: (y: Argv) =>
    y
      .option("dir", { type: "string", describe: "fixtures directory (default: fixtures/ in the project root)" })
      .option("bundle", { type: "string", default: packagePath("bundle"), describe: "bundle directory" })
      .option("root", { type: "string", describe: "project root (default: the nearest directory with a gatehouse.config, up to the repository root)" })
      .option("config", { alias: "c", type: "string", describe: "config file (default gatehouse.config.yaml/.yml/.json in the root)" }),
  handler: async (args: FixturesArgs) => {
    // Paths the user names must be there: a typo in --dir ran nothing and passed (exit 0), a file
    // there crashed (ENOTDIR), a missing --bundle denied as a tampered bundle (exit 1).
    if (args.root !== undefined) requireDirectory(args.root, "--root");
    if (args.dir !== undefined) requireDirectory(args.dir, "--dir");
    requireDirectory(args.bundle, "--bundle");
    const schemas = new SchemaRegistry();
    const root = projectRoot(args.root, args.config);
    const self = loadConfig(root, schemas, args.config).config.profile === "self";
    const dir = args.dir !== undefined ? resolve(args.dir) : join(root, "fixtures");
    let run;
    try {
      run = await runFixtures(dir, await loadBundle(args.bundle), schemas, self ? {} : { coverage: false, isTarget: (target) => isKind(target) || schemas.has(target) });
    } catch (error) {
      if (!(error instanceof FailClosed)) throw error;
      report(decide([failClosedFinding(error)], [], { durations: { totalMs: 0, evaluateMs: 0 } }), [{ format: "text" }]);
      return;
    }
    if (run.suites === 0) {
      process.stdout.write(`fixtures: none in ${displayPath(dir)} (suites are fixtures/<input kind or schema>/*.json); nothing to run\n`);
      process.exitCode = 0;
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
