// `gatehouse build`: compile a policy directory into a verified wasm bundle.

import type { Argv } from "yargs";
import { buildBundle } from "../../policy/build.js";
import { FailClosed } from "../../core/errors.js";
import { failClosedFinding } from "../../gate/run.js";
import { decide } from "../../core/verdict.js";
import { report } from "../common.js";

export const buildCommand = {
  command: "build",
  describe: "compile Rego (opa check --strict, opa build -t wasm) into a bundle with a digest manifest",
  builder: (y: Argv) =>
    y
      .option("policy", { alias: "p", type: "string", default: "policy", describe: "directory of .rego sources" })
      .option("out", { type: "string", default: "bundle", describe: "bundle directory to write" }),
  handler: async (args: { policy: string; out: string }) => {
    try {
      const { manifest } = await buildBundle(args.policy, args.out);
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
