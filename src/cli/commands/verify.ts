// `gatehouse verify` (conftest verify): runs the policies' unit tests (`test_*` rules) through
// the Node-only WASI toolchain, with conftest's loading (only the Rego of --policy, data from
// --data) and its test helpers (parse_config, parse_config_file, parse_combined_config_files),
// and reports which deny rules have a test that makes them deny (OPA's coverage of the rule's
// head). Exit 0 when every test passes, 1 when one fails or errors, 2 on a tool error (a policy
// that does not compile). --trace prints each test's trace as conftest verify --trace does
// (OPA's tester, tracing); -o tap and -o table print conftest's reports of the tests.

import { existsSync, statSync } from "node:fs";
import { join } from "node:path";
import type { Argv } from "yargs";
import { ConfigError, UsageError } from "../../core/errors.js";
import { fileTypeName } from "../../core/read.js";
import { findFiles } from "../../core/walk.js";
import { undecodableNameHint } from "../../core/paths.js";
import { EXIT_ALLOW, EXIT_DENY } from "../../core/verdict.js";
import { namespaceMatcher } from "../../gate/namespaces.js";
import { safeText } from "../../reporters/text.js";
import { expectOk, inputToolchain } from "../../toolchain/index.js";
import type { TestResult } from "../../toolchain/protocol.js";
import { boolSetting, compileOptions, listSetting, namedPathsWorkspace, policyPaths, readConftestConfig, refuseUnloadedDataFile, VERIFY_LOOSENING_KEYS, withConftestOptions, writeTrace, type ConftestArgs } from "../conftest-options.js";
import type { ConftestResult } from "../../reporters/conftest.js";
import { renderTable } from "../../reporters/table.js";
import { renderTap } from "../../reporters/tap.js";

/** verify's report formats: conftest's text (stdout), tap and table, and gatehouse's json. */
const VERIFY_FORMATS = ["text", "json", "tap", "table"];
import { asList } from "../common.js";

interface VerifyArgs extends ConftestArgs {
  namespace?: string | string[] | undefined;
  format?: string | string[] | undefined;
  timeout: number;
}

/** How long the whole test run may take: a test that never ends fails the run (exit 2), it does not hang it. */
const DEFAULT_VERIFY_TIMEOUT_MS = 300_000;

export const verifyCommand = {
  command: "verify [files..]",
  describe: "run the policies' unit tests (conftest verify), with the deny rules no test makes deny",
  builder: (y: Argv) =>
    withConftestOptions(y)
      // conftest verify takes (and ignores) file arguments; so does gatehouse.
      .positional("files", { type: "string", array: true, default: [] as string[], describe: "ignored, as by conftest verify" })
      .option("namespace", { alias: "n", type: "string", describe: "report the tests of these packages only (repeatable, globs; default all)" })
      .option("format", { alias: "o", type: "string", describe: "text (default), json, tap or table (conftest's -o)" })
      .option("timeout", { type: "number", default: DEFAULT_VERIFY_TIMEOUT_MS, describe: "budget of the whole test run in ms; past it the run stops with exit 2" }),
  handler: async (args: VerifyArgs) => {
    if (!(Number.isSafeInteger(args.timeout) && args.timeout > 0)) throw new UsageError("--timeout must be a positive whole number of milliseconds");
    const config = await readConftestConfig(args.configFile, VERIFY_LOOSENING_KEYS, args);
    const options = compileOptions(config, args);
    const trace = boolSetting(config, "trace", args.trace);
    const formats = asList(args.format).map((f) => (f === "stdout" ? "text" : f));
    if (formats.some((f) => !VERIFY_FORMATS.includes(f)) || formats.length > 1) throw new UsageError(`verify --format: ${VERIFY_FORMATS.join(", ")} (one)`);
    const format = formats[0] ?? "text";
    const policies = policyPaths(config, args);
    const data = listSetting(config, "data", args.data);
    for (const path of [...policies, ...data]) if (!existsSync(path)) throw new UsageError(`${path}: ${policies.includes(path) ? "policy" : "data"} path does not exist${undecodableNameHint(path)}`);
    for (const path of policies) refuseIrregularFiles(path, [".rego"]);
    for (const path of data) refuseUnloadedDataFile(path);
    for (const path of data) refuseIrregularFiles(path, [".json", ".yaml", ".yml"]);
    // The module sees the directory holding the working directory and every path; paths stay
    // relative to the working directory, so test helpers resolve files beside their test file.
    const { at, shown } = namedPathsWorkspace([...policies, ...data]);
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
        ...(trace ? { trace: true } : {}),
      },
      { ...at, deadlineMs: args.timeout },
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
    // conftest verify --trace: each test's trace, under its file and name.
    if (trace) writeTrace(tests.map((t) => ({ file: t.location?.file ?? "", query: t.name, passed: t.outcome === "pass" || t.outcome === "skip", trace: t.trace ?? [] })), format === "text");
    if (format === "json") {
      process.stdout.write(`${JSON.stringify({ tests, denyRules } satisfies TestResult, null, 2)}\n`);
      return;
    }
    if (format === "tap" || format === "table") {
      const results = conftestTestResults(tests);
      process.stdout.write(format === "tap" ? renderTap(results) : renderTable(results));
      return;
    }
    process.stdout.write(renderText(tests, denyRules));
  },
};

/** conftest verify's results (runner/verify.go): one per test, under its file, in no namespace. */
function conftestTestResults(tests: TestResult["tests"]): ConftestResult[] {
  return tests.map((t) => {
    const name = `${t.package}.${t.name}`;
    return {
      file: t.location?.file ?? "",
      namespace: "",
      successes: t.outcome === "pass" ? 1 : 0,
      // conftest stops at a test that errors; gatehouse reports it as a failure with its error.
      failures: t.outcome === "fail" ? [name] : t.outcome === "error" ? [`${name}: ${t.error?.message ?? "error"}`] : [],
      warnings: [],
      exceptions: [],
      skipped: t.outcome === "skip" ? [name] : [],
    };
  });
}

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

/**
 * The module loads the files itself: one that is a FIFO would block it in a system call no
 * deadline can interrupt, and one that is a device or a dangling link is not the repository's
 * source. So every file it would load is checked to be a regular file first (as check's reader does),
 * dot directories included: OPA's loader walks them too.
 */
function refuseIrregularFiles(path: string, extensions: readonly string[]): void {
  const files = statSync(path).isDirectory() ? findFiles(path, { extensions, everything: true }).map((rel) => join(path, rel)) : [path];
  for (const file of files) {
    let type: string | undefined;
    try {
      const stats = statSync(file);
      if (!stats.isFile()) type = fileTypeName(stats);
    } catch {
      type = "a dangling link";
    }
    if (type !== undefined) throw new ConfigError(`${type}, not a regular file: verify loads only regular files`, file);
  }
}
