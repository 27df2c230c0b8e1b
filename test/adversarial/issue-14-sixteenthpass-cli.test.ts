// Issue 14, sixteenth pass (the CLI). `contracts accept` / `decide` and `init` read $GATEHOUSE_NOW
// with Date.parse, which takes what is no timestamp ("2026-12-31 junk", "December 31, 2099") and
// reads a date-time without a zone in the machine's own time zone: the registry's updatedAt (and
// a decision's createdAt) then depended on the machine, or on a typo, and the command exited 0.
// They now read it as --now / GATEHOUSE_NOW are read everywhere else (RFC 3339 only): exit 2,
// nothing written. `init` wrote its config and workflow before it built the baseline registry, so
// an error there (this one, or the extraction's) left a half-initialised repository: the baseline
// is now built before anything is written.
// A fixture suite's "now" went through Date.parse too: a leap second ("23:59:60Z") crashed the
// run with an internal error about BigInt(NaN), a number or a bare date was not refused. It is
// now read as time.parse_rfc3339_ns reads it, and anything else is a configuration error naming
// the suite.

import { existsSync, readFileSync } from "node:fs";
import { join } from "node:path";
import { test } from "uvu";
import * as assert from "uvu/assert";
import { packagePath } from "../../src/core/paths.js";
import { gatehouse, withRepo } from "./harness.js";

const NOT_TIMESTAMPS = ["2026-12-31 junk", "December 31, 2099", "2026-12-31T00:00:00", "2026-02-30T00:00:00Z"];

test("issue 14: contracts accept and init refuse a GATEHOUSE_NOW that is not an RFC 3339 timestamp (exit 2, nothing written: init wrote its config and workflow first); a valid one is recorded exactly", () => {
  for (const now of NOT_TIMESTAMPS) {
    for (const args of [["contracts", "accept"], ["init", "--yes"]]) {
      withRepo("sixteenth-now", { "package.json": JSON.stringify({ name: "x", version: "1.0.0" }), "src/index.ts": "export const a = 1;\n" }, (root) => {
        const run = gatehouse(args, root, { env: { GATEHOUSE_NOW: now } });
        assert.is(run.code, 2, `${args.join(" ")} with ${now}: ${run.stdout}${run.stderr}`);
        assert.match(run.stderr, /GATEHOUSE_NOW must be an RFC 3339 timestamp/, `${args.join(" ")} with ${now}`);
        for (const written of ["contracts/registry.json", "gatehouse.config.yaml", ".github/workflows/gatehouse.yml", ".github/pull_request_template.md"]) {
          assert.not.ok(existsSync(join(root, written)), `${args.join(" ")} with ${now}: ${written} was written`);
        }
      });
    }
  }
  withRepo("sixteenth-now-valid", { "package.json": JSON.stringify({ name: "x", version: "1.0.0" }), "src/index.ts": "export const a = 1;\n" }, (root) => {
    const run = gatehouse(["contracts", "accept"], root, { env: { GATEHOUSE_NOW: "2026-12-31T10:00:00.5+01:00" } });
    assert.is(run.code, 0, run.stdout + run.stderr);
    assert.is((JSON.parse(readFileSync(join(root, "contracts", "registry.json"), "utf8")) as { updatedAt: string }).updatedAt, "2026-12-31T09:00:00.500Z");
  });
});

test("issue 14: a fixture suite whose now is no RFC 3339 timestamp is a configuration error naming the suite (a leap second crashed the run)", () => {
  const suite = JSON.parse(readFileSync(packagePath("fixtures", "ops-approval", "risk-matrix.json"), "utf8")) as Record<string, unknown>;
  for (const now of ["2026-12-31T23:59:60Z", 12, "2026-12-31", "December 31, 2026"]) {
    withRepo("sixteenth-fixture-now", { "fixtures/ops-approval/risk-matrix.json": JSON.stringify({ ...suite, now }) }, (root) => {
      const run = gatehouse(["fixtures", "--dir", "fixtures", "--bundle", packagePath("bundle")], root);
      assert.is(run.code, 2, `${JSON.stringify(now)}: ${run.stdout}${run.stderr}`);
      assert.match(run.stderr, /risk-matrix\.json: "now" must be an RFC 3339 timestamp/, JSON.stringify(now));
      assert.not.match(run.stderr, /InternalError/);
    });
  }
});

test.run();
