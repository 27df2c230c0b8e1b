import { spawnSync } from "node:child_process";
import { existsSync, mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { Ajv } from "ajv";
import addFormatsModule from "ajv-formats";
import { test } from "uvu";
import * as assert from "uvu/assert";
import type { Finding } from "../src/core/findings.js";
import { packagePath } from "../src/core/paths.js";
import { decide, type Verdict } from "../src/core/verdict.js";
import { declaredRules } from "../src/gate/run.js";
import { formatsFromArgv } from "../src/cli/main.js";
import { reportContext } from "../src/cli/output.js";
import { escapeData, escapeProperty, markdownCell } from "../src/reporters/github.js";
import { FORMAT_NAMES, parseFormats, REPORTERS, type FormatName } from "../src/reporters/index.js";
import { xmlAttr, xmlText } from "../src/reporters/junit.js";
import { artifactUri } from "../src/reporters/sarif.js";
import type { Outcome, ReportContext } from "../src/reporters/types.js";
import { SchemaRegistry } from "../src/schemas/registry.js";

// ajv-formats is CommonJS with a default export (see src/schemas/registry.ts).
type AddFormats = (ajv: Ajv) => Ajv;
const addFormats: AddFormats =
  (addFormatsModule as unknown as { default?: AddFormats }).default ?? (addFormatsModule as unknown as AddFormats);

const SHA = (c: string) => c.repeat(64);

const CONTEXT: ReportContext = { toolName: "gatehouse", toolVersion: "1.2.3-test", color: false, env: {} };
const GITHUB_CONTEXT: ReportContext = { ...CONTEXT, env: { GITHUB_STEP_SUMMARY: "/tmp/step-summary.md" } };

const BUNDLE = { path: "bundle", sha256: SHA("b"), opaVersion: "1.4.2", entrypoints: ["gatehouse/deploy/image/deny", "gatehouse/deploy/image/warn"] };

const allow: Verdict = decide(
  [],
  [
    { path: "config/app.json", kind: "deploy-config", sha256: SHA("1"), bytes: 120, rulesEvaluated: 4 },
    { path: "config/db.yaml", kind: "deploy-config", sha256: SHA("2"), bytes: 64, rulesEvaluated: 4 },
  ],
  { bundle: BUNDLE, durations: { totalMs: 12.5, evaluateMs: 3.25 } },
);

// Every shape a reporter must handle, and text that needs escaping in every format:
// XML/HTML specials, quotes, %, newlines, workflow-command separators, Markdown pipes, a control character.
const NASTY = 'image "nginx:latest" <uses> the latest tag & 100% drifts, a,b: c | d\r\nsecond line \u0007bell';

const mixedFindings: Finding[] = [
  {
    code: "deploy/latest-tag",
    severity: "error",
    message: NASTY,
    source: "policy",
    input: "deploy/app & web.yaml",
    rule: "data.gatehouse.deploy.image.deny",
    location: { file: "deploy/app & web.yaml", pointer: "/spec/containers/0/image", line: 12, column: 7 },
    suggestedFix: "pin the image by digest",
    scope: "artifact",
  },
  {
    code: "schema/invalid",
    severity: "error",
    message: "must NOT have additional properties (\"a/b\")",
    source: "schema",
    input: "deploy/app & web.yaml",
    location: { pointer: "/metadata/a~1b" },
  },
  {
    code: "deploy/no-resources",
    severity: "warning",
    message: "container has no resource limits",
    source: "policy",
    input: "deploy/app & web.yaml",
    location: { pointer: "/spec/containers/1", line: 20 },
  },
  {
    code: "deploy/uses-default-namespace",
    severity: "info",
    message: "runs in the default namespace",
    source: "policy",
    input: "deploy/worker.yaml",
    location: { pointer: "" },
  },
  {
    code: "deploy/latest-tag",
    severity: "error",
    message: "image \"redis:latest\" uses the latest tag",
    source: "policy",
    input: "deploy/worker.yaml",
    location: { pointer: "/spec/containers/0/image", line: 9 },
    suppressed: { kind: "waiver", justification: "vendor image, pinned upstream <JIRA-42>", owner: "team-infra", expires: "2026-12-31" },
  },
  {
    code: "deploy/privileged",
    severity: "block",
    message: "privileged container",
    source: "policy",
    input: "deploy/worker.yaml",
    rule: "data.gatehouse.deploy.privileged.deny_privileged",
    location: { pointer: "/spec/securityContext/privileged", line: 14 },
    suppressed: { kind: "exception", justification: "conftest exception: privileged" },
  },
  {
    // Found in the registry diff, located in the source file: reports show src/billing.ts:7, where a waiver's target.file matches.
    code: "contracts/breaking-unapproved",
    severity: "error",
    message: "BREAKING contracts/param-removed: charge lost parameter currency; no decision approves it",
    source: "policy",
    input: "contracts/registry.json",
    location: { file: "src/billing.ts", line: 7, pointer: "/changes/0" },
    metadata: { symbol: "src/billing.ts#charge" },
  },
  {
    code: "pack/rule-deprecated",
    severity: "warning",
    message: "rule deploy/old is deprecated; remove it from the pack",
    source: "pack",
  },
];

const mixed: Verdict = decide(
  mixedFindings,
  [
    // conftest's tallies (the tap and table reports): the packages of the findings' rules.
    {
      path: "deploy/worker.yaml",
      kind: "deploy-config",
      sha256: SHA("4"),
      bytes: 300,
      rulesEvaluated: 6,
      namespaces: [
        { namespace: "gatehouse.deploy.image", successes: 1, exceptions: [] },
        { namespace: "gatehouse.deploy.privileged", successes: 0, exceptions: ['data.gatehouse.deploy.privileged.exception[_][_] == "privileged"'] },
      ],
    },
    { path: "deploy/app & web.yaml", kind: "deploy-config", sha256: SHA("3"), bytes: 512, rulesEvaluated: 6, namespaces: [{ namespace: "gatehouse.deploy.image", successes: 0, exceptions: [] }] },
    { path: "docs/clean.json", kind: "deploy-config", sha256: SHA("5"), bytes: 40, rulesEvaluated: 6, namespaces: [{ namespace: "gatehouse.deploy.image", successes: 2, exceptions: [] }] },
  ],
  {
    bundle: BUNDLE,
    rules: declaredRules({
      "gatehouse.deploy.image": {
        title: "Images are pinned",
        description: "Images must be pinned by digest, never a mutable tag like `latest`.\n",
        custom: { code: "deploy/latest-tag", severity: "error" },
      },
      "gatehouse.deploy.resources": {
        title: "Containers set resource limits",
        description: "Every container sets CPU and memory limits.",
        custom: { codes: ["deploy/no-resources", "deploy/uses-default-namespace"], severity: "warning" },
      },
    }),
    durations: { totalMs: 1234.5, evaluateMs: 987.25 },
  },
);

const toolError: Outcome = {
  error: { type: "ConfigError", message: 'gatehouse.config.yaml: collectors.x: "bad" <value> & 100%\nsee docs, section 2' },
};

const CASES: Record<string, Outcome> = { "no-findings": { verdict: allow }, mixed: { verdict: mixed }, "tool-error": toolError };
const EXT: Record<FormatName, string> = { text: "txt", json: "json", sarif: "sarif", junit: "xml", github: "txt", tap: "tap", table: "txt" };

function golden(relative: string, actual: string): void {
  const file = packagePath("test", "golden", relative);
  if (process.env.UPDATE_GOLDEN === "1") {
    mkdirSync(join(file, ".."), { recursive: true });
    writeFileSync(file, actual);
    return;
  }
  assert.ok(existsSync(file), `missing golden ${relative}; run with UPDATE_GOLDEN=1`);
  assert.fixture(actual, readFileSync(file, "utf8"), `golden ${relative} differs (UPDATE_GOLDEN=1 rewrites it)`);
}

for (const format of FORMAT_NAMES) {
  for (const [name, outcome] of Object.entries(CASES)) {
    test(`golden: ${format} ${name}`, () => {
      const context = format === "github" ? GITHUB_CONTEXT : CONTEXT;
      golden(`${format}/${name}.${EXT[format]}`, REPORTERS[format].render(outcome, context));
      const sides = REPORTERS[format].sideOutputs?.(outcome, context) ?? [];
      if (format === "github") {
        assert.is(sides.length, 1);
        assert.is(sides[0]!.path, "/tmp/step-summary.md");
        assert.is(sides[0]!.append, true);
        golden(`github/${name}.summary.md`, sides[0]!.content);
      } else {
        assert.is(sides.length, 0);
      }
    });
  }
}

test("every reporter renders the same outcome identically twice, and ignores finding input order", () => {
  const shuffled: Verdict = { ...mixed, findings: [...mixed.findings].reverse(), inputs: [...mixed.inputs].reverse() };
  for (const format of FORMAT_NAMES) {
    const a = REPORTERS[format].render({ verdict: mixed }, CONTEXT);
    assert.is(REPORTERS[format].render({ verdict: mixed }, CONTEXT), a, format);
    assert.is(REPORTERS[format].render({ verdict: shuffled }, CONTEXT), a, `${format} depends on input order`);
  }
});

// --- SARIF -----------------------------------------------------------------------------------

// The SARIF 2.1.0 schema as published (rtm.5, the text that became the OASIS standard), shipped
// by @microsoft/jest-sarif. It is written as draft-04 (`id`); its keywords are draft-07 compatible.
function sarifValidator() {
  const file = packagePath("node_modules", "@microsoft", "jest-sarif", "lib", "schemas", "sarif-2.1.0-rtm.5.json");
  const schema = JSON.parse(readFileSync(file, "utf8")) as Record<string, unknown>;
  const { id, $schema: _draft, ...rest } = schema;
  assert.type(id, "string");
  // unicodeRegExp: false because rtm.5's `language` pattern has a stray `]`, which only
  // unicode-mode regular expressions reject. Formats (uri, uri-reference, date-time) are checked.
  const ajv = new Ajv({ strict: false, allErrors: true, unicodeRegExp: false });
  addFormats(ajv);
  return ajv.compile({ ...rest, $id: id as string });
}

const validateSarif = sarifValidator();

function sarif(outcome: Outcome, context: ReportContext = CONTEXT) {
  return JSON.parse(REPORTERS.sarif.render(outcome, context)) as any;
}

for (const [name, outcome] of Object.entries(CASES)) {
  test(`sarif ${name} validates against the SARIF 2.1.0 schema`, () => {
    const log = sarif(outcome);
    const ok = validateSarif(log);
    assert.ok(ok, JSON.stringify(validateSarif.errors, null, 2));
  });
}

test("the SARIF schema check is real: a broken log fails it", () => {
  const log = sarif({ verdict: mixed });
  log.runs[0].results[0].level = "fatal";
  assert.not.ok(validateSarif(log));
  const log2 = sarif({ verdict: mixed });
  delete log2.runs[0].tool.driver.name;
  assert.not.ok(validateSarif(log2));
});

test("sarif: one rule per code, described from GATE_CODES or the package METADATA", () => {
  const run = sarif({ verdict: mixed }).runs[0];
  const ids = run.tool.driver.rules.map((r: { id: string }) => r.id);
  assert.equal(ids, ["contracts/breaking-unapproved", "deploy/latest-tag", "deploy/no-resources", "deploy/privileged", "deploy/uses-default-namespace", "pack/rule-deprecated", "schema/invalid"]);
  const byId = Object.fromEntries(run.tool.driver.rules.map((r: { id: string }) => [r.id, r]));
  assert.is(byId["deploy/latest-tag"].shortDescription.text, "Images are pinned");
  assert.is(byId["deploy/latest-tag"].fullDescription.text, "Images must be pinned by digest, never a mutable tag like `latest`.");
  assert.is(byId["deploy/latest-tag"].properties.package, "gatehouse.deploy.image");
  assert.is(byId["deploy/uses-default-namespace"].shortDescription.text, "Containers set resource limits");
  assert.is(byId["schema/invalid"].shortDescription.text, "Input does not match its schema");
  assert.ok(byId["schema/invalid"].help.text.includes("JSON pointer"));
  // An undeclared code still gets a descriptor, named after itself.
  assert.is(byId["pack/rule-deprecated"].shortDescription.text, "pack/rule-deprecated");
  assert.match(byId["pack/rule-deprecated"].fullDescription.text, /no package METADATA/);
  // The declared severity, not the first finding's, sets the rule's default level.
  assert.is(byId["deploy/uses-default-namespace"].defaultConfiguration.level, "warning");
  for (const result of run.results) assert.is(run.tool.driver.rules[result.ruleIndex].id, result.ruleId);
});

test("sarif: levels, locations, suppressions, invocation and bundle digest", () => {
  const run = sarif({ verdict: mixed }).runs[0];
  const results = run.results as { ruleId: string; level: string; locations?: any[]; suppressions?: any[]; message: { text: string } }[];
  const levels = Object.fromEntries(results.map((r) => [r.ruleId + (r.suppressions ? "~" : ""), r.level]));
  assert.is(levels["deploy/privileged~"], "error"); // block → error
  assert.is(levels["deploy/no-resources"], "warning");
  assert.is(levels["deploy/uses-default-namespace"], "note");
  const latest = results.find((r) => r.ruleId === "deploy/latest-tag" && !r.suppressions)!;
  assert.equal(latest.locations![0].physicalLocation, {
    artifactLocation: { uri: "deploy/app%20%26%20web.yaml", index: 0 },
    region: { startLine: 12, startColumn: 7 },
  });
  assert.equal(latest.locations![0].logicalLocations, [{ name: "image", fullyQualifiedName: "/spec/containers/0/image", kind: "property" }]);
  const schemaResult = results.find((r) => r.ruleId === "schema/invalid")!;
  assert.is(schemaResult.locations![0].logicalLocations[0].name, "a/b");
  assert.not.ok("region" in schemaResult.locations![0].physicalLocation);
  const waived = results.find((r) => r.ruleId === "deploy/latest-tag" && r.suppressions)!;
  assert.equal(waived.suppressions, [
    { kind: "external", status: "accepted", justification: "vendor image, pinned upstream <JIRA-42>", properties: { owner: "team-infra", expires: "2026-12-31" } },
  ]);
  const excepted = results.find((r) => r.ruleId === "deploy/privileged")!;
  assert.is(excepted.suppressions![0].kind, "inSource");
  const runLevel = results.find((r) => r.ruleId === "pack/rule-deprecated")!;
  assert.is(runLevel.locations, undefined);
  assert.equal(run.invocations, [{ executionSuccessful: true, exitCode: 1 }]);
  assert.is(run.properties.bundle.sha256, SHA("b"));
  assert.equal(sarif({ verdict: allow }).runs[0].invocations, [{ executionSuccessful: true, exitCode: 0 }]);
});

test("sarif: a tool error is a failed invocation with a notification and no results", () => {
  const run = sarif(toolError).runs[0];
  assert.is(run.invocations[0].executionSuccessful, false);
  assert.is(run.invocations[0].exitCode, 2);
  assert.is(run.invocations[0].toolExecutionNotifications[0].message.text, toolError.error!.message);
  assert.is(run.invocations[0].toolExecutionNotifications[0].level, "error");
  assert.is(run.results, undefined);
});

test("sarif: automationDetails names the CI run when there is one", () => {
  assert.is(sarif({ verdict: allow }).runs[0].automationDetails.id, "gatehouse/");
  const ci = sarif({ verdict: allow }, { ...CONTEXT, env: { GITHUB_RUN_ID: "77", GITHUB_RUN_ATTEMPT: "2" } });
  assert.is(ci.runs[0].automationDetails.id, "gatehouse/77-2");
});

test("sarif: artifact URIs are percent-encoded URI references", () => {
  assert.is(artifactUri("a b/c#d?.json"), "a%20b/c%23d%3F.json");
  assert.is(artifactUri("x:y.json"), "x%3Ay.json"); // not a URI scheme
  assert.is(artifactUri("/abs/p q.json"), "file:///abs/p%20q.json");
  assert.is(artifactUri("C:/w/a b.json"), "file:///C:/w/a%20b.json");
  assert.is(artifactUri("-"), "-");
});

// --- JUnit -----------------------------------------------------------------------------------

test("junit: counts per suite and in total", () => {
  const xml = REPORTERS.junit.render({ verdict: mixed }, CONTEXT);
  // No `skipped` on <testsuites>: the common JUnit XSD does not allow it there (junit.xsd beside the goldens).
  assert.match(xml, /<testsuites name="gatehouse" tests="9" failures="3" errors="0" time="1\.234">/);
  assert.match(xml, /<testsuite name="contracts\/registry\.json" tests="1" failures="1" errors="0" skipped="0">/);
  assert.match(xml, /<testsuite name="gatehouse" tests="1" failures="0" errors="0" skipped="0">/);
  assert.match(xml, /<testsuite name="deploy\/app &amp; web\.yaml" tests="3" failures="2" errors="0" skipped="0">/);
  assert.match(xml, /<testsuite name="deploy\/worker\.yaml" tests="3" failures="0" errors="0" skipped="2">/);
  assert.match(xml, /<testsuite name="docs\/clean\.json" tests="1" failures="0" errors="0" skipped="0">/);
  assert.match(xml, /<failure type="deploy\/latest-tag" message="image &quot;nginx:latest&quot; &lt;uses&gt;/);
  assert.match(xml, /<skipped message="waived: vendor image, pinned upstream &lt;JIRA-42&gt;"\/>/);
  const error = REPORTERS.junit.render(toolError, CONTEXT);
  assert.match(error, /<testsuites name="gatehouse" tests="1" failures="0" errors="1">/);
  assert.match(error, /<error type="ConfigError" message="gatehouse\.config\.yaml: collectors\.x: &quot;bad&quot; &lt;value&gt; &amp; 100%&#10;see docs, section 2">/);
});

test("junit: XML escaping, including characters XML 1.0 forbids", () => {
  assert.is(xmlText("a<b>&c"), "a&lt;b&gt;&amp;c");
  assert.is(xmlAttr(`"q" 'a'\t\r\n`), "&quot;q&quot; &apos;a&apos;&#9;&#13;&#10;");
  assert.is(xmlText("bell\u0007 nul\u0000 vt\u000B ff\u000C esc\u001B"), "bell\\u0007 nul\\u0000 vt\\u000B ff\\u000C esc\\u001B");
  assert.is(xmlText("\uFFFE\uFFFF"), "\\uFFFE\\uFFFF");
  assert.is(xmlText("lone \uD800 high, lone \uDC00 low, pair \uD83D\uDE00"), "lone \\uD800 high, lone \\uDC00 low, pair \uD83D\uDE00");
  assert.is(xmlText("tab\tnl\ncr\r"), "tab\tnl\ncr\r"); // allowed in text content
  const xml = REPORTERS.junit.render({ verdict: mixed }, CONTEXT);
  // Nothing XML 1.0 forbids survives, and every & starts a reference.
  assert.not.match(xml, /[\u0000-\u0008\u000B\u000C\u000E-\u001F]/);
  assert.not.match(xml, /&(?!(amp|lt|gt|quot|apos|#[0-9]+);)/);
});

test("junit: repeated testcase names are numbered", () => {
  const twice: Verdict = decide(
    [
      { code: "x/dup", severity: "error", message: "first", source: "policy", input: "a.json" },
      { code: "x/dup", severity: "error", message: "second", source: "policy", input: "a.json" },
    ],
    [{ path: "a.json", sha256: SHA("a"), bytes: 2, rulesEvaluated: 1 }],
    { durations: { totalMs: 1, evaluateMs: 1 } },
  );
  const xml = REPORTERS.junit.render({ verdict: twice }, CONTEXT);
  assert.match(xml, /<testcase classname="a\.json" name="x\/dup">/);
  assert.match(xml, /<testcase classname="a\.json" name="x\/dup \(2\)">/);
});

// --- GitHub ----------------------------------------------------------------------------------

test("github: workflow command escaping", () => {
  assert.is(escapeData("100%\r\nnext:a,b"), "100%25%0D%0Anext:a,b");
  assert.is(escapeProperty("a:b,c%\n"), "a%3Ab%2Cc%25%0A");
  const out = REPORTERS.github.render({ verdict: mixed }, CONTEXT);
  const lines = out.trimEnd().split("\n");
  assert.is(lines.length, mixed.findings.length + 1, "one line per finding plus the summary line");
  assert.ok(
    lines.includes(
      "::error file=deploy/app & web.yaml,line=12,col=7,title=deploy/latest-tag::image \"nginx:latest\" <uses> the latest tag & 100%25 drifts, a,b: c | d%0D%0Asecond line \\u0007bell (at /spec/containers/0/image) fix: pin the image by digest",
    ),
    out,
  );
  assert.ok(lines.includes("::warning title=pack/rule-deprecated::rule deploy/old is deprecated; remove it from the pack"));
  assert.ok(lines.some((l) => l.startsWith("::notice file=deploy/worker.yaml,line=14,title=deploy/privileged (suppressed)::")));
  assert.ok(lines.some((l) => l.startsWith("::notice file=deploy/worker.yaml,title=deploy/uses-default-namespace::")));
  assert.is(REPORTERS.github.render(toolError, CONTEXT), "::error title=gatehouse ConfigError::gatehouse.config.yaml: collectors.x: \"bad\" <value> & 100%25%0Asee docs, section 2\n");
});

test("github: the step summary is only written when GITHUB_STEP_SUMMARY is set", () => {
  assert.equal(REPORTERS.github.sideOutputs!({ verdict: mixed }, CONTEXT), []);
  assert.equal(REPORTERS.github.sideOutputs!({ verdict: mixed }, { ...CONTEXT, env: { GITHUB_STEP_SUMMARY: "" } }), []);
  const [summary] = REPORTERS.github.sideOutputs!({ verdict: mixed }, GITHUB_CONTEXT);
  assert.match(summary!.content, /^## gatehouse: deny\n/);
  assert.match(summary!.content, /\| 3 \| 18 \| 3 \| 2 \| 1 \| 2 \|/);
  assert.is(markdownCell("a|b <i>*x*</i>\nc"), "a\\|b &lt;i&gt;\\*x\\*&lt;/i&gt;<br>c");
  assert.is(markdownCell("bell\u0007 esc\u001b[1m"), "bell\\u0007 esc\\u001B\\[1m");
  // Every table row has exactly the columns of its header: no message breaks out of its cell.
  for (const row of summary!.content.split("\n").filter((l) => l.startsWith("| "))) {
    const cells = row.replace(/\\\|/g, "").split("|").length;
    assert.ok(cells === 8 || cells === 6, row);
  }
});

// --- text ------------------------------------------------------------------------------------

test("text: colour only when the context allows it", () => {
  const plain = REPORTERS.text.render({ verdict: mixed }, CONTEXT);
  assert.not.match(plain, /\u001b\[/);
  const coloured = REPORTERS.text.render({ verdict: mixed }, { ...CONTEXT, color: true });
  assert.match(coloured, /\u001b\[31mFAIL\u001b\[0m/);
  assert.match(coloured, /\u001b\[31mDENY\u001b\[0m/);
  assert.is(coloured.replace(/\u001b\[[0-9]+m/g, ""), plain);
});

test("text: control characters from inputs cannot reach the terminal or break lines", () => {
  const plain = REPORTERS.text.render({ verdict: mixed }, CONTEXT);
  assert.ok(plain.includes("100% drifts, a,b: c | d\\r\\nsecond line \\u0007bell"), plain);
  assert.not.match(plain, /[\u0000-\u0009\u000B-\u001F]/);
  const escape: Outcome = { error: { type: "ConfigError", message: "line one\nline two \u001b[2J" } };
  assert.is(REPORTERS.text.render(escape, CONTEXT), "ERROR ConfigError: line one\nline two \\u001B[2J\n");
});

test("text: the CLI context enables colour on a TTY only, and NO_COLOR / TERM=dumb turn it off", () => {
  const tty = { isTTY: true } as NodeJS.WriteStream;
  const pipe = { isTTY: false } as NodeJS.WriteStream;
  assert.is(reportContext(tty, {}).color, true);
  assert.is(reportContext(pipe, {}).color, false);
  assert.is(reportContext(tty, { NO_COLOR: "1" }).color, false);
  assert.is(reportContext(tty, { NO_COLOR: "" }).color, true); // no-color.org: only a non-empty value counts
  assert.is(reportContext(tty, { TERM: "dumb" }).color, false);
});

// --- JSON ------------------------------------------------------------------------------------

const registry = new SchemaRegistry();
for (const [name, outcome] of Object.entries(CASES)) {
  test(`json ${name} validates against gate-report.v1`, () => {
    const report = JSON.parse(REPORTERS.json.render(outcome, CONTEXT));
    assert.equal(registry.validate("gate-report.v1", report, "report.json"), []);
  });
}

test("json: the report keeps the policy rules table out (the schema is closed)", () => {
  const report = JSON.parse(REPORTERS.json.render({ verdict: mixed }, CONTEXT)) as Record<string, unknown>;
  assert.not.ok("rules" in report);
  assert.is(report.verdict, "deny");
});

// --- registry and rules table ----------------------------------------------------------------

test("parseFormats accepts every registered format, with and without a file", () => {
  assert.equal(FORMAT_NAMES, ["github", "json", "junit", "sarif", "table", "tap", "text"]);
  assert.equal(parseFormats(["sarif=out/x.sarif", "junit=j.xml", "github"]), [
    { format: "sarif", file: "out/x.sarif" },
    { format: "junit", file: "j.xml" },
    { format: "github" },
  ]);
  assert.throws(() => parseFormats(["xml"]), /known formats: github, json, junit, sarif, table, tap, text/);
});

test("declaredRules: custom.code and custom.codes, first package in name order wins", () => {
  const rules = declaredRules({
    "b.pkg": { title: "B", custom: { code: "x/one" } },
    "a.pkg": { title: "A", description: " about A \n", custom: { codes: ["x/one", "x/two", 3], severity: "warning" } },
    "c.helpers": { title: "helpers" },
    "c.pkg": { title: "C", custom: { code: "x/three", severity: "fatal" } },
  });
  assert.equal(rules, {
    "x/one": { title: "A", description: "about A", package: "a.pkg", severity: "warning" },
    "x/two": { title: "A", description: "about A", package: "a.pkg", severity: "warning" },
    "x/three": { title: "C", package: "c.pkg" },
  });
});

test("the shipped bundle's codes reach the verdict's rules table", () => {
  const manifest = JSON.parse(readFileSync(packagePath("bundle", "manifest.json"), "utf8")) as { packages: Record<string, { custom?: { code?: string } }> };
  const rules = declaredRules(manifest.packages as never);
  const declared = Object.values(manifest.packages).flatMap((p) => (typeof p.custom?.code === "string" ? [p.custom.code] : []));
  assert.ok(declared.length > 0);
  for (const code of declared) assert.ok(Object.hasOwn(rules, code), code);
});

// --- CLI: tool errors in every chosen format ---------------------------------------------------

/** The test runner sets FORCE_COLOR, which makes node warn on stderr when NO_COLOR is set too. */
function cliEnv(extra: NodeJS.ProcessEnv): NodeJS.ProcessEnv {
  const { FORCE_COLOR: _force, ...env } = process.env;
  return { ...env, ...extra };
}

test("CLI: a tool error is text on stderr and a machine-format report in each file", () => {
  const dir = mkdtempSync(join(tmpdir(), "gatehouse-reporters-"));
  try {
    const result = spawnSync(
      process.execPath,
      [
        packagePath("bin", "gatehouse.js"),
        "check",
        "x.json",
        "--timeout",
        "-1",
        "--format",
        `sarif=${join(dir, "r.sarif")}`,
        "--format",
        `junit=${join(dir, "r.xml")}`,
        "--format",
        `json=${join(dir, "r.json")}`,
        "--format",
        "text",
      ],
      { encoding: "utf8", env: cliEnv({ NO_COLOR: "1" }) },
    );
    assert.is(result.status, 2);
    assert.is(result.stdout, "");
    assert.is(result.stderr, "ERROR UsageError: --timeout must be a positive whole number of milliseconds\n");
    const log = JSON.parse(readFileSync(join(dir, "r.sarif"), "utf8")) as { runs: { invocations: { executionSuccessful: boolean }[] }[] };
    assert.ok(validateSarif(structuredClone(log)));
    assert.is(log.runs[0].invocations[0].executionSuccessful, false);
    assert.match(readFileSync(join(dir, "r.xml"), "utf8"), /<error type="UsageError" message="--timeout must be a positive whole number of milliseconds">/);
    const report = JSON.parse(readFileSync(join(dir, "r.json"), "utf8"));
    assert.equal(registry.validate("gate-report.v1", report, "r.json"), []);
    assert.equal(report.error, { type: "UsageError", message: "--timeout must be a positive whole number of milliseconds" });
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});

test("CLI: a stdout machine format gets the error too, still with text on stderr", () => {
  const result = spawnSync(process.execPath, [packagePath("bin", "gatehouse.js"), "check", "x.json", "--timeout", "-1", "--format", "github"], {
    encoding: "utf8",
    env: cliEnv({ NO_COLOR: "1", GITHUB_STEP_SUMMARY: "" }),
  });
  assert.is(result.status, 2);
  assert.is(result.stdout, "::error title=gatehouse UsageError::--timeout must be a positive whole number of milliseconds\n");
  assert.match(result.stderr, /^ERROR UsageError/);
});

test("CLI: arguments yargs rejects still produce the chosen machine reports", () => {
  const dir = mkdtempSync(join(tmpdir(), "gatehouse-reporters-"));
  try {
    const sarifFile = join(dir, "r.sarif");
    const result = spawnSync(
      process.execPath,
      [packagePath("bin", "gatehouse.js"), "check", "x.json", `--format=sarif=${sarifFile}`, "-o", `junit=${join(dir, "r.xml")}`, "--no-such-flag"],
      { encoding: "utf8", env: cliEnv({ NO_COLOR: "1" }) },
    );
    assert.is(result.status, 2);
    assert.match(result.stderr, /^ERROR UsageError: Unknown argument/);
    const log = JSON.parse(readFileSync(sarifFile, "utf8")) as { runs: { invocations: { toolExecutionNotifications: { message: { text: string } }[] }[] }[] };
    assert.match(log.runs[0]!.invocations[0]!.toolExecutionNotifications[0]!.message.text, /Unknown argument/);
    assert.match(readFileSync(join(dir, "r.xml"), "utf8"), /<error type="UsageError"/);
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});

test("formatsFromArgv: every spelling, and text when the values do not parse", () => {
  assert.equal(formatsFromArgv(["check", "--format", "json", "-o=sarif=a.sarif", "--format=junit=j.xml", "-o", "github=g.txt"]), [
    { format: "json" },
    { format: "sarif", file: "a.sarif" },
    { format: "junit", file: "j.xml" },
    { format: "github", file: "g.txt" },
  ]);
  assert.equal(formatsFromArgv(["check", "--format", "nope"]), [{ format: "text" }]);
  assert.equal(formatsFromArgv(["check", "--", "--format", "json"]), [{ format: "text" }]);
});

test("CLI end to end: a real bundle's METADATA describes the SARIF rule; JUnit and GitHub agree", () => {
  const dir = mkdtempSync(join(tmpdir(), "gatehouse-reporters-"));
  try {
    const input = join(dir, "bad suite.json");
    writeFileSync(input, JSON.stringify({ target: "x", file: "y.json", suite: { description: "x", tests: [{ description: "a", data: {}, valid: false }] } }));
    const summary = join(dir, "summary.md");
    writeFileSync(summary, "previous step\n");
    const result = spawnSync(
      process.execPath,
      [
        packagePath("bin", "gatehouse.js"),
        "check",
        "bad suite.json",
        "--policy",
        packagePath("bundle"),
        "--namespace",
        "gatehouse.fixtures.expected_codes",
        "--format",
        "sarif=r.sarif",
        "--format",
        "junit=r.xml",
        "--format",
        "github",
      ],
      { cwd: dir, encoding: "utf8", env: cliEnv({ NO_COLOR: "1", GITHUB_STEP_SUMMARY: summary }) },
    );
    assert.is(result.status, 1, result.stderr);
    const log = JSON.parse(readFileSync(join(dir, "r.sarif"), "utf8"));
    assert.ok(validateSarif(structuredClone(log)), JSON.stringify(validateSarif.errors));
    const run = log.runs[0];
    assert.equal(run.tool.driver.rules.map((r: { id: string }) => r.id), ["fixtures/invalid-without-codes"]);
    assert.is(run.tool.driver.rules[0].shortDescription.text, "Invalid fixtures name the codes they expect");
    assert.is(run.tool.driver.rules[0].properties.package, "gatehouse.fixtures.expected_codes");
    assert.is(run.results[0].locations[0].physicalLocation.artifactLocation.uri, "bad%20suite.json");
    assert.is(run.results[0].locations[0].logicalLocations[0].fullyQualifiedName, "/suite/tests/0");
    assert.match(run.properties.bundle.sha256, /^[0-9a-f]{64}$/);
    assert.match(readFileSync(join(dir, "r.xml"), "utf8"), /<testsuite name="bad suite\.json" tests="1" failures="1" errors="0" skipped="0">/);
    assert.match(result.stdout, /^::error file=bad suite\.json,title=fixtures\/invalid-without-codes::fixtures\/x\/y\.json: invalid case "a"/);
    const written = readFileSync(summary, "utf8");
    assert.ok(written.startsWith("previous step\n## gatehouse: deny\n"), written);
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});

test.run();
