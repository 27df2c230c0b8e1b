// Issue 19.2: the security review of a change (collector `security`, policy/security/). The
// examples under examples/security/ run through `gatehouse gate` in a fresh git repository; the
// analyses are checked on small modules; secrets are made up and assembled at run time, so that
// this file holds none (the repository's own review scans it).

import { spawnSync } from "node:child_process";
import { appendFileSync, cpSync, mkdirSync, mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { dirname, join } from "node:path";
import { fileURLToPath } from "node:url";
import { test } from "uvu";
import * as assert from "uvu/assert";
import { enabledChecks, securitySettings } from "../src/collectors/security.js";
import { resolveEffectivePolicy } from "../src/packs/effective.js";
import { SchemaRegistry } from "../src/schemas/registry.js";
import { buildSecurityDocument, type SecuritySettings } from "../src/security/document.js";
import { mask } from "../src/security/secrets.js";

const made: string[] = [];
const repoRoot = fileURLToPath(new URL("../../", import.meta.url));
const cli = join(repoRoot, "bin", "gatehouse.js");
const examples = join(repoRoot, "examples", "security");

/** A Slack bot token of the shape secretlint knows, made up. */
const SLACK_TOKEN = ["xoxb", "482915736204", "5173920468135", "Qm7TfK2vXa9LpR4sWc8NdJ3e"].join("-");

const CONFIG = `version: 1
pack:
  use: default@1.0
  overrides:
    rules:
      security/*: { severity: error }
collectors:
  security:
    dataAccessModules: ["src/db/**"]
`;

function git(cwd: string, ...args: string[]): string {
  const r = spawnSync("git", args, { cwd, encoding: "utf8" });
  if (r.status !== 0) throw new Error(`git ${args.join(" ")}: ${r.stderr}`);
  return r.stdout;
}

/** A git repository with `files` committed as the base. */
function repo(files: Record<string, string> = {}): string {
  const dir = mkdtempSync(join(tmpdir(), "gatehouse-security-"));
  made.push(dir);
  git(dir, "init", "-q");
  git(dir, "config", "user.email", "dev@example.com");
  git(dir, "config", "user.name", "dev");
  git(dir, "config", "commit.gpgsign", "false");
  write(dir, { "gatehouse.config.yaml": CONFIG, ...files });
  git(dir, "add", "-A");
  git(dir, "commit", "-qm", "base");
  return dir;
}

function write(dir: string, files: Record<string, string>): void {
  for (const [path, text] of Object.entries(files)) {
    mkdirSync(dirname(join(dir, path)), { recursive: true });
    writeFileSync(join(dir, path), text);
  }
}

interface Report {
  verdict: string;
  findings: { code: string; message: string; location?: { file?: string; line?: number } }[];
}

function gate(dir: string): { code: number | null; out: string; report: Report } {
  const r = spawnSync(process.execPath, [cli, "gate", "--format", "json"], { cwd: dir, encoding: "utf8" });
  return { code: r.status, out: `${r.stdout}${r.stderr}`, report: JSON.parse(r.stdout) as Report };
}

const security = (report: Report) =>
  report.findings
    .filter((f) => f.code.startsWith("security/"))
    .map((f) => [f.code, f.location?.file, f.location?.line])
    .sort((a, b) => String(a[1]).localeCompare(String(b[1])) || Number(a[2] ?? 0) - Number(b[2] ?? 0));

const ALL_ON: SecuritySettings["checks"] = { secrets: true, sideEffects: true, untrusted: true, tenant: true };
const settings = (overrides: Partial<SecuritySettings> = {}): SecuritySettings => ({ ...securitySettings({}, undefined, {}, undefined), checks: ALL_ON, ...overrides });

const EXPECTED_DENIES: Record<string, [string, string, number][]> = {
  secrets: [["security/secret-in-change", "logs/worker.log", 2]],
  "side-effects": [["security/ungated-side-effect", "src/notify.ts", 7]],
  untrusted: [["security/untrusted-to-model", "src/ingest/email.ts", 19]],
  tenant: [
    ["security/cross-tenant-call", "src/billing.ts", 8],
    ["security/cross-tenant-call", "src/billing.ts", 14],
  ],
};

for (const [example, expected] of Object.entries(EXPECTED_DENIES)) {
  test(`issue 19.2: examples/security/${example} denies as a change, and its pass version allows`, () => {
    const deny = repo();
    cpSync(join(examples, example, "deny"), deny, { recursive: true });
    const denied = gate(deny);
    assert.is(denied.code, 1, denied.out);
    assert.equal(security(denied.report), expected);
    const pass = repo();
    cpSync(join(examples, example, "pass"), pass, { recursive: true });
    const passed = gate(pass);
    assert.is(passed.code, 0, passed.out);
    assert.equal(security(passed.report), []);
  });
}

test("issue 19.2: a secret on a changed log line is reported masked; the secret appears in no output", () => {
  const dir = repo({ "logs/app.log": "started\nready\n" });
  appendFileSync(join(dir, "logs", "app.log"), `debug: token=${SLACK_TOKEN}\n`);
  for (const format of ["json", "text", "sarif"]) {
    const r = spawnSync(process.execPath, [cli, "gate", "--format", format], { cwd: dir, encoding: "utf8" });
    assert.is(r.status, 1, r.stdout + r.stderr);
    const out = r.stdout + r.stderr;
    assert.match(out, /security\/secret-in-change/);
    assert.match(out, /xoxb\*{8} \(56 characters\)/);
    assert.not.ok(out.includes(SLACK_TOKEN), `${format} output holds the secret`);
    assert.not.ok(out.includes(SLACK_TOKEN.slice(5)), `${format} output holds the secret's body`);
  }
  const report = gate(dir).report;
  assert.equal(security(report), [["security/secret-in-change", "logs/app.log", 3]]);
});

test("issue 19.2: only changed lines count: a secret already in the base is not the change's", async () => {
  const dir = repo({ "config/app.yaml": `slack: ${SLACK_TOKEN}\nlevel: info\n` });
  write(dir, { "config/app.yaml": `slack: ${SLACK_TOKEN}\nlevel: debug\n` });
  const document = await buildSecurityDocument(dir, settings());
  assert.equal(document.files.map((f) => [f.path, f.changedLines, f.scan]), [["config/app.yaml", 1, "scanned"]]);
  assert.equal(document.secrets, []);
  write(dir, { "config/app.yaml": `slack: ${SLACK_TOKEN}\nlevel: debug\nalerts: ${SLACK_TOKEN.replace("xoxb", "xoxp")}\n` });
  const added = await buildSecurityDocument(dir, settings());
  assert.equal(added.secrets.map((s) => [s.file, s.line, s.rule, s.kind]), [["config/app.yaml", 3, "slack", "SLACK_TOKEN"]]);
  assert.not.ok(JSON.stringify(added).includes(SLACK_TOKEN.slice(5)), "the input document holds the secret");
});

test("issue 19.2: mask keeps at most a 4-character prefix of long values and the length", () => {
  assert.is(mask(SLACK_TOKEN), "xoxb******** (56 characters)");
  assert.is(mask("hunter2hunter2"), "******** (14 characters)");
});

test("issue 19.2: a changed file the review cannot read denies; binary files are skipped", () => {
  const dir = repo();
  write(dir, { "logs/big.log": "x".repeat(4096), "img/a.bin": "\u0000\u0001binary" });
  writeFileSync(join(dir, "gatehouse.config.yaml"), CONFIG.replace('dataAccessModules: ["src/db/**"]', 'dataAccessModules: ["src/db/**"]\n    maxFileBytes: 1024'));
  git(dir, "add", "gatehouse.config.yaml");
  git(dir, "commit", "-qm", "cap");
  const r = gate(dir);
  assert.is(r.code, 1, r.out);
  assert.equal(security(r.report), [["security/change-unscanned", "logs/big.log", undefined]]);
});

test("issue 19.2: untrusted content: direct, through a helper, across a module, and through a sanitizer", async () => {
  const dir = repo({ "src/llm.ts": "/** @prompt */\nexport function ask(prompt: string): string {\n  return prompt;\n}\n\n/** @sanitizer */\nexport function clean(text: string): string {\n  return text.replace(/ignore/gi, '');\n}\n" });
  write(dir, {
    "src/inbox.ts": [
      'import { ask, clean } from "./llm.js";',
      "/** @tool */",
      "function runTool(args: { text: string }): void {",
      "  void args;",
      "}",
      "function wrap(t: string): string {",
      "  return `<m>${t}</m>`;",
      "}",
      "/** @untrusted body */",
      "export function direct(body: string, folder: string): void {",
      "  ask(body);",
      "  ask(folder);",
      "}",
      "/** @untrusted body */",
      "export function viaHelper(body: string): void {",
      "  const { subject } = JSON.parse(body);",
      "  runTool({ text: wrap(subject) });",
      "}",
      "/** @untrusted */",
      "export function sanitized(body: string): void {",
      "  const safe = clean(body);",
      "  ask(wrap(safe));",
      "}",
      "",
    ].join("\n"),
  });
  const document = await buildSecurityDocument(dir, settings());
  assert.equal(
    document.flows.map((f) => [f.line, f.source.function, f.sink.function, f.sanitizedBy ?? null, f.path]),
    [
      [11, "direct", "ask", null, ["src/inbox.ts:10 direct(body) @untrusted", "src/inbox.ts:11 ask @prompt"]],
      [17, "viaHelper", "runTool", null, ["src/inbox.ts:15 viaHelper(body) @untrusted", "src/inbox.ts:17 wrap(t)", "src/inbox.ts:17 runTool @tool"]],
      [22, "sanitized", "ask", "clean", ["src/inbox.ts:20 sanitized(body) @untrusted", "src/inbox.ts:21 clean @sanitizer", "src/inbox.ts:22 wrap(t)", "src/inbox.ts:22 ask @prompt"]],
    ],
  );
});

test("issue 19.2: untrusted modules: every parameter of their exported functions is untrusted", async () => {
  const dir = repo();
  write(dir, { "src/mail/ingest.ts": "/** @prompt */\nfunction summarize(text: string): string {\n  return text;\n}\nexport function onMail(raw: string): string {\n  const lines = raw.split('\\n');\n  return summarize(lines.join(' '));\n}\n" });
  const none = await buildSecurityDocument(dir, settings());
  assert.equal(none.flows, []);
  const document = await buildSecurityDocument(dir, settings({ untrustedModules: ["src/mail/**"] }));
  assert.equal(document.flows.map((f) => [f.line, f.source.reason, f.path[0]]), [[7, "module", "src/mail/ingest.ts:5 onMail(raw) in an untrusted module"]]);
});

test("issue 19.2: tenant origins: own, other parameter, module constant, literal, a field of the context", async () => {
  const dir = repo({ "src/db/docs.ts": "export function readDoc(workspaceId: string, id: string): string {\n  return workspaceId + id;\n}\n" });
  write(dir, {
    "src/api.ts": [
      'import { readDoc } from "./db/docs.js";',
      'const SHARED = "ws-shared";',
      "export function own(workspaceId: string, id: string) {",
      "  const ws = workspaceId;",
      "  return readDoc(ws, id);",
      "}",
      "export function other(workspaceId: string, sourceWorkspace: string, id: string) {",
      "  return readDoc(sourceWorkspace, id);",
      "}",
      "export function constant(id: string) {",
      "  return readDoc(SHARED, id);",
      "}",
      "export function literal(id: string) {",
      '  return readDoc("ws-1", id);',
      "}",
      "export function fromContext(ctx: { workspaceId: string }, id: string) {",
      "  return readDoc(ctx.workspaceId, id);",
      "}",
      "export function fromOtherObject(workspaceId: string, doc: { workspaceId: string }) {",
      "  return readDoc(doc.workspaceId, workspaceId);",
      "}",
      "export function fromCall(id: string) {",
      "  return readDoc(currentWorkspace(), id);",
      "}",
      "declare function currentWorkspace(): string;",
      "",
    ].join("\n"),
  });
  const document = await buildSecurityDocument(dir, settings({ dataAccessModules: ["src/db/**"] }));
  assert.equal(
    document.tenantCalls.map((c) => [c.line, c.caller, c.argument, c.origin]),
    [
      [5, "own", "ws", "own-tenant"],
      [8, "other", "sourceWorkspace", "other-parameter"],
      [11, "constant", "SHARED", "module-constant"],
      [14, "literal", '"ws-1"', "literal"],
      [17, "fromContext", "ctx.workspaceId", "own-tenant"],
      [20, "fromOtherObject", "doc.workspaceId", "other-parameter"],
      [23, "fromCall", "currentWorkspace()", "unknown"],
    ],
  );
});

test("issue 19.2: declared side effects of exported functions and methods, with their lines", async () => {
  const dir = repo();
  write(dir, {
    "src/jobs.ts": "/** @sideEffect execute */\nexport function runShell(cmd: string): void {\n  void cmd;\n}\n/** @sideEffect publish */\nfunction internal(): void {}\nexport class Releaser {\n  /** @sideEffect publish approval-gated */\n  release(): void {}\n}\n",
  });
  const document = await buildSecurityDocument(dir, settings());
  assert.equal(document.sideEffects, [
    { file: "src/jobs.ts", line: 2, function: "runShell", effect: "execute" },
    { file: "src/jobs.ts", line: 9, function: "Releaser.release", effect: "publish approval-gated" },
  ]);
});

test("issue 19.2: the checks are opt-in per pack: enterprise-compliance all, team-standard secrets, default none", () => {
  const root = repo();
  const schemas = new SchemaRegistry();
  const checksOf = (use: string) => enabledChecks(resolveEffectivePolicy({ root, config: { version: 1, pack: { use }, collectors: {} }, configFile: join(root, "gatehouse.config.yaml"), schemas }).policy);
  assert.equal(checksOf("enterprise-compliance@1.0"), { secrets: true, sideEffects: true, untrusted: true, tenant: true });
  assert.equal(checksOf("team-standard@1.0"), { secrets: true, sideEffects: false, untrusted: false, tenant: false });
  assert.equal(checksOf("default@1.0"), { secrets: false, sideEffects: false, untrusted: false, tenant: false });
});

test.after(() => {
  for (const dir of made) rmSync(dir, { recursive: true, force: true });
});

test.run();
