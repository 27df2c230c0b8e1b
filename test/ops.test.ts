import { spawnSync } from "node:child_process";
import { appendFileSync, copyFileSync, mkdirSync, mkdtempSync, readFileSync, writeFileSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { fileURLToPath } from "node:url";
import { test } from "uvu";
import * as assert from "uvu/assert";
import { changedFiles } from "../src/ops/changes.js";
import { analyzeCommand } from "../src/ops/commands/index.js";
import { frontMatter, loadDeclaration, markdownHeadings } from "../src/ops/declaration.js";
import { utcSortable } from "../src/ops/inputs.js";
import { entryFor } from "./helpers/sample-entry.js";

/** Temp directories this suite made: removed when it ends. */
const made: string[] = [];

const repoRoot = fileURLToPath(new URL("../../", import.meta.url));
const cli = join(repoRoot, "bin", "gatehouse.js");
const examples = join(repoRoot, "examples", "ops");

function run(cwd: string, ...args: string[]) {
  const r = spawnSync(process.execPath, [cli, ...args], { cwd, encoding: "utf8" });
  return { code: r.status, out: `${r.stdout}${r.stderr}`, stdout: r.stdout };
}

function git(cwd: string, ...args: string[]): string {
  const r = spawnSync("git", args, { cwd, encoding: "utf8" });
  if (r.status !== 0) throw new Error(`git ${args.join(" ")}: ${r.stderr}`);
  return r.stdout;
}

/** A git repository with deploy/nginx/nginx.conf and deploy/haproxy/haproxy.cfg committed. */
function repo(): string {
  const dir = mkdtempSync(join(tmpdir(), "gatehouse-ops-"));
  made.push(dir);
  git(dir, "init", "-q");
  git(dir, "config", "user.email", "ops@example.com");
  git(dir, "config", "user.name", "ops");
  git(dir, "config", "commit.gpgsign", "false");
  mkdirSync(join(dir, "deploy", "nginx"), { recursive: true });
  mkdirSync(join(dir, "deploy", "haproxy"), { recursive: true });
  writeFileSync(join(dir, "deploy", "nginx", "nginx.conf"), "events {\n    worker_connections 1024;\n}\n");
  writeFileSync(join(dir, "deploy", "haproxy", "haproxy.cfg"), "frontend web\n");
  writeFileSync(join(dir, "README.md"), "service config\n");
  git(dir, "add", "-A");
  git(dir, "commit", "-qm", "base");
  return dir;
}

test("commands: redirections, tee, cp/mv/rm, sed -i and chmod targets are writes", async () => {
  assert.equal((await analyzeCommand("echo 1 > /etc/a && cat x >>/etc/b 2>/dev/null")).writes, ["/etc/a", "/etc/b"]);
  assert.equal((await analyzeCommand("sudo tee -a /etc/nginx/x.conf < new.conf")).writes, ["/etc/nginx/x.conf"]);
  assert.equal((await analyzeCommand("cp -p a /var/backups/a")).writes, ["/var/backups/a"]);
  assert.equal((await analyzeCommand("mv ./old /srv/new")).writes, ["old", "/srv/new"]);
  assert.equal((await analyzeCommand("rm -rf /tmp/x /tmp/y")).writes, ["/tmp/x", "/tmp/y"]);
  assert.equal((await analyzeCommand("sed -i 's/a/b/' /etc/app.conf")).writes, ["/etc/app.conf"]);
  assert.equal((await analyzeCommand("sed -i.bak -e 's/a/b/' one two")).writes, ["one", "two", "one.bak", "two.bak"]);
  // What a write reaches below a directory it writes, judged against NOT_ALLOWED only.
  assert.equal((await analyzeCommand("rm -rf deploy/tls")).reaches, ["deploy/tls/**"]);
  assert.equal((await analyzeCommand("cp a.key b.conf deploy/conf.d")).reaches, ["deploy/conf.d/a.key", "deploy/conf.d/b.conf"]);
  assert.equal((await analyzeCommand("cp -T a.key deploy/x.key")).reaches, []);
  assert.equal((await analyzeCommand("sed 's/a/b/' /etc/app.conf")).mutating, false);
  assert.equal((await analyzeCommand("chmod 0640 /etc/app.conf")).writes, ["/etc/app.conf"]);
  assert.equal((await analyzeCommand("cmd 2>&1 | grep x")).writes, []);
  assert.equal((await analyzeCommand("dd if=/dev/zero of=/srv/blob bs=1M count=1")).writes, ["/srv/blob"]);
  assert.equal((await analyzeCommand('bash -c "echo > /etc/x"')).mutating, true, "an unknown command is mutating");
});

test("commands: service actions, streams and change categories", async () => {
  assert.equal((await analyzeCommand("sudo systemctl restart nginx.service php-fpm")).services, [{ verb: "restart", unit: "nginx" }, { verb: "restart", unit: "php-fpm" }]);
  assert.equal((await analyzeCommand("systemctl status nginx --no-pager")).mutating, false);
  assert.equal((await analyzeCommand("service redis-server stop")).services, [{ verb: "stop", unit: "redis-server" }]);
  assert.equal((await analyzeCommand("kill -HUP 1234")).services, [{ verb: "kill", unit: "pid:1234" }]);
  assert.equal((await analyzeCommand("pkill -f worker")).services, [{ verb: "kill", unit: "worker" }]);
  assert.equal((await analyzeCommand("kafka-console-producer --topic orders.v2 < x")).streams, ["orders.v2"]);
  assert.equal((await analyzeCommand("redis-cli -h r XADD events '*' a 1")).streams, ["events"]);
  assert.equal((await analyzeCommand("aws sqs send-message --queue-url https://sqs/123/payments --message-body x")).streams, ["payments"]);
  assert.equal((await analyzeCommand("iptables -A INPUT -p tcp --dport 8080 -j ACCEPT")).categories, ["firewall"]);
  assert.equal((await analyzeCommand("iptables -L -n")).categories, []);
  assert.equal((await analyzeCommand("ip route add 10.0.0.0/8 via 10.1.1.1")).categories, ["network"]);
  assert.equal((await analyzeCommand("ip addr show")).categories, []);
  assert.equal((await analyzeCommand("usermod -aG docker deploy")).categories, ["user-permissions"]);
  assert.equal((await analyzeCommand("echo 'deploy ALL=(ALL) NOPASSWD:ALL' > /etc/sudoers.d/deploy")).categories, ["user-permissions"]);
  assert.equal((await analyzeCommand("timeout 5 curl -sS http://127.0.0.1/healthz")).mutating, false);
  assert.equal((await analyzeCommand("curl -X POST http://api/flush")).mutating, true);
});

test("declarations: Markdown front matter, YAML, NOT ALLOWED spelling, no front matter", () => {
  const decl = loadDeclaration(join(examples, "raise-nginx-worker-connections.md")) as Record<string, unknown>;
  assert.is(decl.RISK_CLASS, "SERVICE_RESTART");
  assert.equal((decl.NOT_ALLOWED as { changes: string[] }).changes, ["firewall", "network", "user-permissions"]);
  const dir = mkdtempSync(join(tmpdir(), "gatehouse-decl-"));
  try {
    writeFileSync(join(dir, "op.yaml"), "OPERATION_NAME: x\nnot-allowed: {paths: []}\n");
    assert.equal(loadDeclaration(join(dir, "op.yaml")), { OPERATION_NAME: "x", NOT_ALLOWED: { paths: [] } });
    writeFileSync(join(dir, "op.md"), "# just prose\n");
    assert.equal(loadDeclaration(join(dir, "op.md")), {});
    assert.is(frontMatter("---\na: 1\n---\nbody"), "a: 1");
    writeFileSync(join(dir, "twice.yaml"), "NOT ALLOWED: {}\nNOT_ALLOWED: {}\n");
    assert.throws(() => loadDeclaration(join(dir, "twice.yaml")), /given twice/);
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});

test("report headings and UTC timestamps", () => {
  assert.equal(markdownHeadings("# Report\n## Exec summary:\n```\n# not a heading\n```\n### NEXT SAFE ACTIONS ##\n"), ["REPORT", "EXEC SUMMARY", "NEXT SAFE ACTIONS"]);
  assert.is(utcSortable("2026-11-21T09:00:00Z"), "2026-11-21T09:00:00.000000000Z");
  assert.is(utcSortable("2026-11-21T09:00:00.5+00:00"), "2026-11-21T09:00:00.500000000Z");
  assert.ok(utcSortable("2026-11-21T09:00:00.5Z") > utcSortable("2026-11-21T09:00:00.123456789Z"));
  assert.is(utcSortable("2026-11-21T10:00:00+01:00"), "");
});

test("git changes: modified, renamed (old path kept), deleted, untracked; secrets by name and content", async () => {
  const dir = repo();
  git(dir, "mv", "deploy/haproxy/haproxy.cfg", "deploy/haproxy/lb.cfg");
  git(dir, "rm", "-q", "README.md");
  appendFileSync(join(dir, "deploy", "nginx", "nginx.conf"), "# tuned\n");
  writeFileSync(join(dir, "deploy", "nginx", ".env"), "A=1\n");
  writeFileSync(join(dir, "deploy", "nginx", "notes.txt"), "-----BEGIN OPENSSH PRIVATE KEY-----\nxx\n");
  writeFileSync(join(dir, "deploy", "nginx", ".env.example"), "A=\n");
  const changes = await changedFiles(dir, "HEAD");
  assert.equal(changes, [
    { status: "untracked", path: "deploy/nginx/.env", secret_like: true, secret_reason: "dotenv file" },
    { status: "untracked", path: "deploy/nginx/.env.example", secret_like: false },
    { status: "modified", path: "deploy/nginx/nginx.conf", secret_like: false },
    { status: "untracked", path: "deploy/nginx/notes.txt", secret_like: true, secret_reason: "contains a private key block" },
    { status: "renamed", path: "deploy/haproxy/lb.cfg", old_path: "deploy/haproxy/haproxy.cfg", secret_like: false },
    { status: "deleted", path: "README.md", secret_like: false },
  ].sort((a, b) => (a.path < b.path ? -1 : 1)));
});

test("examples/ops: the declared operation with its log and report passes", () => {
  const dir = repo();
  mkdirSync(join(dir, "ops"));
  for (const f of ["raise-nginx-worker-connections.md", "raise-nginx-worker-connections.log.yaml", "raise-nginx-worker-connections.report.md"]) copyFileSync(join(examples, f), join(dir, "ops", f));
  const conf = join(dir, "deploy", "nginx", "nginx.conf");
  writeFileSync(conf, readFileSync(conf, "utf8").replace("1024", "4096"));
  const r = run(dir, "ops", "check", "ops/raise-nginx-worker-connections.md", "--log", "ops/raise-nginx-worker-connections.log.yaml", "--report", "ops/raise-nginx-worker-connections.report.md");
  assert.is(r.code, 0, r.out);
  assert.match(r.out, /2 inputs/);
  assert.match(r.out, /ALLOW/);
});

test("examples/ops: the scope violation denies (outside ALLOWED_PATHS, undeclared .env)", () => {
  const dir = repo();
  copyFileSync(join(examples, "scope-violation.md"), join(dir, "scope-violation.md"));
  const conf = join(dir, "deploy", "nginx", "nginx.conf");
  writeFileSync(conf, readFileSync(conf, "utf8").replace("1024", "4096"));
  appendFileSync(join(dir, "deploy", "haproxy", "haproxy.cfg"), "    maxconn 9000\n");
  writeFileSync(join(dir, "deploy", "nginx", ".env"), "UPSTREAM_TOKEN=abc\n");
  const r = run(dir, "ops", "check", "scope-violation.md", "--format", "json");
  assert.is(r.code, 1, r.out);
  const verdict = JSON.parse(r.stdout) as { verdict: string; findings: { code: string; location?: { file?: string } }[] };
  assert.is(verdict.verdict, "deny");
  assert.equal(verdict.findings.map((f) => [f.code, f.location?.file]), [
    ["ops/change-outside-scope", "deploy/haproxy/haproxy.cfg"],
    ["ops/undeclared-secret", "deploy/nginx/.env"],
  ]);
});

test("ops check: a declaration missing a field denies; --report needs --log", () => {
  const dir = repo();
  writeFileSync(join(dir, "op.yaml"), "OPERATION_NAME: x\nOBJECTIVE: y\n");
  const r = run(dir, "ops", "check", "op.yaml");
  assert.is(r.code, 1, r.out);
  assert.match(r.out, /schema\/invalid/);
  assert.match(r.out, /RISK_CLASS/);
  const usage = run(dir, "ops", "check", "op.yaml", "--report", "r.md");
  assert.is(usage.code, 2);
  assert.match(usage.out, /--report needs --log/);
});

test("examples/ops: the example ledger verifies and its entry passes the risk matrix", () => {
  const verify = run(repoRoot, "ledger", "verify", "--dir", join(examples, "ledger"));
  assert.is(verify.code, 0, verify.out);
  const dir = repo();
  const append = run(dir, "ledger", "append", join(examples, "ledger-entry.json"));
  assert.is(append.code, 0, append.out);
  assert.match(readFileSync(join(dir, "ops", "ledger", `${new Date().toISOString().slice(0, 7)}.jsonl`), "utf8"), /"seq":1,/);
});

function stageLedgerEntry(dir: string, fields: Record<string, unknown>): void {
  const entry = join(dir, "entry.json");
  writeFileSync(entry, JSON.stringify(fields));
  const r = run(dir, "ledger", "append", entry);
  assert.is(r.code, 0, r.out);
  git(dir, "add", "ops/ledger");
}

test("precommit: governance change needs a ledger entry in the same commit; ledger lines are never rewritten", () => {
  const dir = repo();
  const none = run(dir, "ops", "precommit");
  assert.is(none.code, 0, none.out);

  mkdirSync(join(dir, "ops"));
  writeFileSync(join(dir, "ops", "op.md"), "---\nOPERATION_NAME: x\n---\n");
  git(dir, "add", "ops/op.md");
  const missing = run(dir, "ops", "precommit");
  assert.is(missing.code, 1, missing.out);
  assert.match(missing.out, /ledger\/missing-entry/);
  assert.match(missing.out, /ops\/op\.md/);

  stageLedgerEntry(dir, entryFor("pre", 0));
  const ok = run(dir, "ops", "precommit");
  assert.is(ok.code, 0, ok.out);
  git(dir, "commit", "-qm", "op with ledger entry");

  // Editing a committed line while appending a new entry is still a rewrite.
  stageLedgerEntry(dir, entryFor("pre", 1));
  const ledgerFile = join(dir, "ops", "ledger", `${new Date().toISOString().slice(0, 7)}.jsonl`);
  const lines = readFileSync(ledgerFile, "utf8").split("\n");
  lines[0] = lines[0]!.replace('"notes":""', '"notes":"edited"');
  writeFileSync(ledgerFile, lines.join("\n"));
  git(dir, "add", "ops/ledger");
  const rewritten = run(dir, "ops", "precommit");
  assert.is(rewritten.code, 1, rewritten.out);
  assert.match(rewritten.out, /ledger\/rewritten/);
  assert.match(rewritten.out, /\.jsonl:1: committed ledger content was changed/);
});

test("precommit: an appended entry that breaks the risk matrix denies", () => {
  const dir = repo();
  mkdirSync(join(dir, "ops", "ledger"), { recursive: true });
  const entry = { seq: 1, prev: "0".repeat(64), ...entryFor("x", 0), risk_class: "FILESYSTEM_WRITE", approved_by: "alice" };
  writeFileSync(join(dir, "ops", "ledger", "2026-11.jsonl"), `${JSON.stringify(entry)}\n`);
  git(dir, "add", "ops/ledger");
  const r = run(dir, "ops", "precommit");
  assert.is(r.code, 1, r.out);
  assert.match(r.out, /ops\/self-approval/);
});

test("the git hook script runs the precommit check", () => {
  const dir = repo();
  mkdirSync(join(dir, "ops"));
  writeFileSync(join(dir, "ops", "runbook.md"), "x\n");
  git(dir, "add", "ops/runbook.md");
  // The hook finds gatehouse via node_modules/.bin or bin/gatehouse.js at the root; point it at ours.
  mkdirSync(join(dir, "bin"));
  writeFileSync(join(dir, "bin", "gatehouse.js"), `import(${JSON.stringify(cli)});\n`);
  const hook = spawnSync("sh", [join(repoRoot, "scripts", "hooks", "pre-commit")], { cwd: dir, encoding: "utf8" });
  assert.is(hook.status, 1, `${hook.stdout}${hook.stderr}`);
  assert.match(hook.stdout, /ledger\/missing-entry/);
});

test.after(() => {
  for (const dir of made) rmSync(dir, { recursive: true, force: true });
});

test.run();
