// `gatehouse verify` (conftest verify): runs the policies' unit tests (`test_*` rules) through
// the Node-only WASI toolchain, with conftest's loading (only the Rego of --policy, data from
// --data) and its test helpers (parse_config, parse_config_file, parse_combined_config_files),
// and reports which deny rules have a test that makes them deny (OPA's coverage of the rule's
// head). Exit 0 when every test passes, 1 when one fails or errors, 2 on a tool error (a policy
// that does not compile).

import { existsSync } from "node:fs";
import { relative, resolve, sep } from "node:path";
import type { Argv } from "yargs";
import { UsageError } from "../../core/errors.js";
import { commonDirectory } from "../../core/paths.js";
import { EXIT_ALLOW, EXIT_DENY } from "../../core/verdict.js";
import { namespaceMatcher } from "../../gate/namespaces.js";
import { safeText } from "../../reporters/text.js";
import { expectOk, inputToolchain } from "../../toolchain/index.js";
import type { TestResult } from "../../toolchain/protocol.js";
import { compileOptions, listSetting, policyPaths, readConftestConfig, withConftestOptions, type ConftestArgs } from "../conftest-options.js";
import { asList } from "../common.js";

interface VerifyArgs extends ConftestArgs {
  namespace?: string | string[] | undefined;
  format?: string | string[] | undefined;
}

export const verifyCommand = {
  command: "verify [files..]",
  describe: "run the policies' unit tests (conftest verify), with the deny rules no test makes deny",
  builder: (y: Argv) =>
    withConftestOptions(y)
      // conftest verify takes (and ignores) file arguments; so does gatehouse.
      .positional("files", { type: "string", array: true, default: [] as string[], describe: "ignored, as by conftest verify" })
      .option("namespace", { alias: "n", type: "string", describe: "report the tests of these packages only (repeatable, globs; default all)" })
      .option("format", { alias: "o", type: "string", describe: "text (default) or json" }),
  handler: async (args: VerifyArgs) => {
    const config = await readConftestConfig(args.configFile);
    const options = compileOptions(config, args);
    const formats = asList(args.format).map((f) => (f === "stdout" ? "text" : f));
    if (formats.some((f) => f !== "text" && f !== "json") || formats.length > 1) throw new UsageError("verify --format: text or json (one)");
    const policies = policyPaths(config, args);
    const data = listSetting(config, "data", args.data);
    for (const path of [...policies, ...data]) if (!existsSync(path)) throw new UsageError(`${path}: ${policies.includes(path) ? "policy" : "data"} path does not exist`);
    // The module sees the directory holding the working directory and every path; paths stay
    // relative to the working directory, so test helpers resolve files beside their test file.
    const cwd = process.cwd();
    const root = commonDirectory([cwd, ...[...policies, ...data].map((p) => resolve(p))])!;
    const at = { root, cwd: relative(root, cwd).split(sep).join("/") || "." };
    const shown = (p: string) => relative(cwd, resolve(p)).split(sep).join("/") || ".";
    const tools = await inputToolchain();
    const result = await expectOk(
      tools,
      "test",
      {
        paths: policies.map(shown),
        ...(data.length > 0 ? { data: data.map(shown) } : {}),
        ...(options.regoVersion ? { regoVersion: options.regoVersion } : {}),
        ...(options.strict ? { strict: true } : {}),
        ...(options.capabilities !== undefined ? { capabilities: options.capabilities } : {}),
        coverage: true,
      },
      at,
      // Error locations are already relative to the working directory.
      ".",
    );
    const namespaces = listSetting(config, "namespace", args.namespace);
    const selected = namespaces.length === 0 ? () => true : namespaceMatcher(namespaces);
    const tests = result.tests.filter((t) => selected(t.package.replace(/^data\./, "")));
    const denyRules = (result.denyRules ?? []).filter((r) => selected(r.package));
    const failed = tests.filter((t) => t.outcome === "fail" || t.outcome === "error");
    process.exitCode = failed.length > 0 ? EXIT_DENY : EXIT_ALLOW;
    if (args.quiet && failed.length === 0) return;
    if (formats[0] === "json") {
      process.stdout.write(`${JSON.stringify({ tests, denyRules } satisfies TestResult, null, 2)}\n`);
      return;
    }
    process.stdout.write(renderText(tests, denyRules));
  },
};

function renderText(tests: TestResult["tests"], denyRules: NonNullable<TestResult["denyRules"]>): string {
  const lines: string[] = [];
  for (const t of tests) {
    const where = t.location ? `${t.location.file}:${t.location.row}` : "";
    const label = { pass: "PASS", fail: "FAIL", skip: "SKIP", error: "ERROR" }[t.outcome];
    lines.push(`${label} ${safeText(`${t.package}.${t.name}`)}${where ? ` (${safeText(where)})` : ""}${t.error ? `: ${safeText(t.error.message)}` : ""}`);
    if (t.output && t.outcome !== "pass") for (const line of t.output.trimEnd().split("\n")) lines.push(`  ${safeText(line)}`);
  }
  const count = (o: string) => tests.filter((t) => t.outcome === o).length;
  const plural = (n: number, word: string) => `${n} ${word}${n === 1 ? "" : "s"}`;
  lines.push("", `${plural(tests.length, "test")}, ${count("pass")} passed, ${count("skip")} skipped, ${plural(count("fail"), "failure")}, ${plural(count("error"), "error")}`);
  const untested = denyRules.filter((r) => !r.covered);
  lines.push(`deny rules with a test that makes them deny: ${denyRules.length - untested.length} of ${denyRules.length}`);
  for (const r of untested) lines.push(`  no test denies: data.${safeText(r.package)}.${safeText(r.rule)} (${safeText(`${r.location.file}:${r.location.row}`)})`);
  return `${lines.join("\n")}\n`;
}
