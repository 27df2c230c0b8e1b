// `gatehouse build`: compile a policy directory into a verified wasm bundle.

import type { Argv } from "yargs";
import { buildBundle, REPOSITORY_BUILD } from "../../policy/build.js";
import { FailClosed, UsageError } from "../../core/errors.js";
import { failClosedFinding } from "../../gate/run.js";
import { decide } from "../../core/verdict.js";
import { report } from "../common.js";

export const buildCommand = {
  command: "build",
  describe: "compile Rego (opa check --strict, opa build -t wasm) into a bundle with a digest manifest",
  builder: (y: Argv) =>
    y
      .option("policy", { alias: "p", type: "string", default: "policy", describe: "directory of .rego sources" })
      .option("out", { type: "string", default: "bundle", describe: "bundle directory to write" })
      .option("rego-version", { type: "string", describe: "Rego syntax of the sources: v0 or v1 (default v1), as conftest's --rego-version" }),
  handler: async (args: { policy: string; out: string; regoVersion?: string | undefined }) => {
    const version = args.regoVersion;
    if (version !== undefined && !/^[vV][01]$/.test(version)) throw new UsageError(`invalid Rego version: ${version} (v0 or v1)`);
    try {
      const options = version === undefined ? REPOSITORY_BUILD : { ...REPOSITORY_BUILD, regoVersion: version.toLowerCase() as "v0" | "v1" };
      const { manifest } = await buildBundle(args.policy, args.out, options);
      process.stdout.write(
        `built ${args.out}: ${manifest.entrypoints.length} entrypoints from ${Object.keys(manifest.sources).length} sources ` +
          `(OPA ${manifest.opaVersion}, wasm sha256 ${manifest.wasm.sha256.slice(0, 12)})\n`,
      );
    } catch (error) {
      if (!(error instanceof FailClosed)) throw error;
      report(decide([failClosedFinding(error)], [], { durations: { totalMs: 0, evaluateMs: 0 } }), [{ format: "text" }]);
    }
  },
};
