// Issue 14, the second adversarial pass (by someone who did not write the fixes): siblings the
// fixes of items 1-15 missed, each through the real CLI in a bounded child process. Every case
// here failed open, crashed or hung on the main the pass started from.

import { spawnSync } from "node:child_process";
import { cpSync, existsSync, mkdirSync, readdirSync, readFileSync, realpathSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { test } from "uvu";
import * as assert from "uvu/assert";
import { packagePath } from "../../src/core/paths.js";
import { codesOf, gatehouse, SIGNED_OFF_ENTRY, withRepo } from "./harness.js";

const BIN = process.env.GATEHOUSE_TEST_BIN ?? packagePath("bin", "gatehouse.js");

/** `gatehouse ARGS < STDIN_FILE` in a child bounded in time and memory (the harness's limits). */
function withStdinFrom(file: string, args: string[], cwd: string): { code: number | null; stdout: string; stderr: string; timedOut: boolean } {
  const quoted = [process.execPath, BIN, ...args].map((a) => `'${a.replaceAll("'", "'\\''")}'`).join(" ");
  const r = spawnSync("bash", ["-c", `ulimit -d ${2 * 1024 * 1024}; exec ${quoted} < '${file}'`], { cwd, encoding: "utf8", timeout: 30_000, killSignal: "SIGKILL", env: { PATH: process.env.PATH ?? "", HOME: process.env.HOME ?? "", NO_COLOR: "1" } });
  return { code: r.status, stdout: r.stdout ?? "", stderr: r.stderr ?? "", timedOut: (r.error as NodeJS.ErrnoException | undefined)?.code === "ETIMEDOUT" };
}


// ---- formats -------------------------------------------------------------------------------

test("issue 14 (second pass): a directory walk evaluates a Dockerfile (conftest's parser) instead of skipping it, and denies as conftest does", () => {
  withRepo("redteam-walk", {
    "policy/main.rego": 'package main\n\ndeny contains "FROM found" if {\n\tsome i\n\tinput[i].Cmd == "from"\n}\n',
    "deploy/Dockerfile": "FROM alpine\n",
    "deploy/app.json": '{"replicas": 2}',
    "deploy/README": "not claimed by any parser: skipped, as conftest does\n",
  }, (root) => {
    // Generous budget: the conftest parsers' module starts in about a second on a quiet machine.
    const run = gatehouse(["check", "--policy", "policy", "deploy"], root, { timeoutMs: 120_000 });
    assert.is(run.code, 1, run.stdout + run.stderr);
    // No refusal of gatehouse's own (codesOf takes area/code names): the policy's deny alone.
    assert.equal(codesOf(run.stdout), []);
    assert.match(run.stdout, /FAIL deploy\/Dockerfile \[main\.deny\] FROM found/);
    assert.not.match(run.stdout, /README/);
  });
});

// ---- stdin: the one reader's rules hold for it too ---------------------------------------------

test("issue 14 (third pass): stdin parsed by --parser in a conftest format is the bytes read from stdin, not an empty document", () => {
  withRepo("redteam-stdin-parser", {
    "policy/main.rego": 'package main\n\ndeny contains "port is not 3000" if input.server.http_port != 3000\n\ndeny contains "no server section" if not input.server\n',
  }, (root) => {
    const run = gatehouse(["check", "--policy", "policy", "--parser", "ini", "-"], root, { stdin: "[server]\nhttp_port = 3000\n", timeoutMs: 120_000 });
    assert.is(run.code, 0, run.stdout + run.stderr);
    const wrong = gatehouse(["check", "--policy", "policy", "--parser", "ini", "-"], root, { stdin: "[server]\nhttp_port = 8080\n", timeoutMs: 120_000 });
    assert.is(wrong.code, 1, wrong.stdout + wrong.stderr);
    assert.match(wrong.stdout, /FAIL - \[main\.deny\] port is not 3000/);
    assert.not.match(wrong.stdout, /no server section/);
  });
});

test("issue 14 (third pass): a policy that reads conftest's data.conftest.file sees the input's name and directory, so its deny fires (it was undefined: the deny never fired and the file passed)", () => {
  withRepo("redteam-conftest-file", {
    "policy/main.rego": 'package main\n\ndeny contains msg if {\n\tinput.debug\n\tmsg := {"msg": sprintf("%s in %s enables debug", [data.conftest.file.name, data.conftest.file.dir])}\n}\n',
    "deploy/app.json": '{"debug": true}',
  }, (root) => {
    const run = gatehouse(["check", "--policy", "policy", "deploy/app.json"], root);
    assert.is(run.code, 1, run.stdout + run.stderr);
    const line = `FAIL deploy/app.json [main.deny] app.json in ${join(realpathSync(root), "deploy")} enables debug`;
    assert.ok(run.stdout.includes(line), `${line}\n${run.stdout}`);
  });
});

test("issue 14 (second pass): stdin that is not UTF-8 denies input/unparsable instead of being decoded with U+FFFD and evaluated", () => {
  withRepo("redteam-stdin-utf8", {
    "policy/main.rego": 'package main\n\ndeny contains "owner is e-acute" if input.owner == "\\u00e9"\n',
    "latin1.json": "",
  }, (root) => {
    writeFileSync(join(root, "latin1.json"), Buffer.from([0x7b, 0x22, 0x6f, 0x77, 0x6e, 0x65, 0x72, 0x22, 0x3a, 0x22, 0xe9, 0x22, 0x7d])); // {"owner":"\xe9"}
    const run = withStdinFrom("latin1.json", ["check", "--policy", "policy", "-"], root);
    assert.is(run.code, 1, run.stdout + run.stderr);
    assert.equal(codesOf(run.stdout), ["input/unparsable"]);
  });
});

test("issue 14 (second pass): stdin from /dev/zero is refused at the size cap (input/too-large), not read until the process dies", () => {
  withRepo("redteam-stdin-zero", { "policy/main.rego": "package main\n\ndeny contains \"x\" if input.x\n" }, (root) => {
    const run = withStdinFrom("/dev/zero", ["check", "--policy", "policy", "--max-input-bytes", "1048576", "-"], root);
    assert.is(run.timedOut, false);
    assert.is(run.code, 1, run.stdout + run.stderr);
    assert.equal(codesOf(run.stdout), ["input/too-large"]);
    const entry = withStdinFrom("/dev/zero", ["ledger", "append", "-", "--root", root], root);
    assert.is(entry.code, 2, entry.stdout + entry.stderr);
    assert.match(entry.stderr, /over 1 MiB/);
  });
});

test("issue 14 (second pass): a ledger entry on stdin that is not UTF-8 is refused (exit 2), not appended with a U+FFFD name", () => {
  withRepo("redteam-stdin-ledger", {}, (root) => {
    mkdirSync(join(root, ".git"));
    // approved_by "b\xe9b": Latin-1, not UTF-8.
    const [before, after] = JSON.stringify({ ...SIGNED_OFF_ENTRY, approved_by: "b@b" }).split("@") as [string, string];
    writeFileSync(join(root, "entry.json"), Buffer.concat([Buffer.from(before), Buffer.from([0xe9]), Buffer.from(after)]));
    const run = withStdinFrom("entry.json", ["ledger", "append", "-", "--root", root], root);
    assert.is(run.code, 2, run.stdout + run.stderr);
    assert.match(run.stderr, /not valid UTF-8/);
    assert.is(existsSync(join(root, "ops", "ledger")) && readdirSync(join(root, "ops", "ledger")).some((f) => f.endsWith(".jsonl")), false);
  });
});

// ---- identities ----------------------------------------------------------------------------


test("issue 14 (second pass): look-alike approvers the first pass missed are not a second person (combining marks, Cherokee, Lisu, Armenian, dotless i, I for l, 0 for o)", () => {
  const cases: [string, string, string][] = [
    ["i + combining dot above", "alice", "ali\u0307ce"],
    ["Cherokee capitals", "jake", "\u13ab\u13aa\u13e6\u13ac"],
    ["Lisu capitals", "alice", "\ua4ee\ua4e1\ua4f2\ua4da\ua4f0"],
    ["Armenian", "hugo", "\u0570\u057d\u0581\u0585"],
    ["Latin dotless i", "alice", "al\u0131ce"],
    ["capital I for l", "alice", "aIice"],
    ["digit 0 for o", "bob", "b0b"],
    ["small capitals", "alice", "\u1d00\u029f\u026a\u1d04\u1d07"],
  ];
  withRepo("redteam-identities", {}, (root) => {
    mkdirSync(join(root, ".git"));
    for (const [what, requester, approver] of cases) {
      writeFileSync(join(root, "entry.json"), JSON.stringify({ ...SIGNED_OFF_ENTRY, requested_by: requester, approved_by: approver }));
      const run = gatehouse(["ledger", "append", "entry.json", "--root", root], root);
      assert.is(run.code, 1, `${what}: ${run.stdout}${run.stderr}`);
      assert.equal(codesOf(run.stdout), ["ops/self-approval"], what);
    }
    assert.is(existsSync(join(root, "ops", "ledger")) && readdirSync(join(root, "ops", "ledger")).some((f) => f.endsWith(".jsonl")), false, "nothing was appended");
    writeFileSync(join(root, "entry.json"), JSON.stringify(SIGNED_OFF_ENTRY));
    assert.is(gatehouse(["ledger", "append", "entry.json", "--root", root], root).code, 0, "a second person, plainly written, passes");
  });
});

// ---- ops commands --------------------------------------------------------------------------

const OPS_EXAMPLES = packagePath("examples", "ops");
const DECLARATION = "raise-nginx-worker-connections.md";
const REPORT = "raise-nginx-worker-connections.report.md";

/** `ops check` of a one-step verified log under the example declaration (only nginx, its config and backups). */
function opsCheck(command: string): { code: number | null; codes: string[]; out: string } {
  return withRepo("redteam-ops", {
    [DECLARATION]: readFileSync(join(OPS_EXAMPLES, DECLARATION), "utf8"),
    [REPORT]: readFileSync(join(OPS_EXAMPLES, REPORT), "utf8"),
    "log.json": JSON.stringify({
      operation_id: "OPS-2026-11-21-001",
      operation_name: "Raise nginx worker_connections on web-1",
      steps: [{ number: 1, timestamp: "2026-11-21T09:10:00Z", command, result: "", status: "PASS", verification: { command: "systemctl is-active nginx", output: "active" } }],
    }),
  }, (root) => {
    // A generous bound: ~40 of these start a CLI each on a shared, loaded machine.
    const run = gatehouse(["ops", "check", DECLARATION, "--log", "log.json", "--report", REPORT, "--no-git", "--format", "json"], root, { timeoutMs: 120_000 });
    const codes = [...new Set((JSON.parse(run.stdout) as { findings: { code: string }[] }).findings.map((f) => f.code))].sort();
    return { code: run.code, codes, out: run.stdout + run.stderr };
  });
}

const WRITE = "ops/write-out-of-scope";
const UNVERIFIABLE = "ops/unverifiable-command";
const NETWORK = "ops/forbidden-change";

const OPS_DENIED: [string, string[]][] = [
  // A link in an allowed directory is a handle on its target: writes through it land outside.
  ["ln -sf /etc/passwd /etc/nginx/nginx.conf; echo x > /etc/nginx/nginx.conf", [WRITE]],
  ["ln -s /etc/passwd /var/backups/nginx/p && echo x >> /var/backups/nginx/p", [WRITE]],
  ["ln -s ../../../etc/shadow /var/backups/nginx/s", [WRITE]],
  ["ln /etc/shadow /var/backups/nginx/h && echo x >> /var/backups/nginx/h", [WRITE]],
  ["cp -s /etc/passwd /var/backups/nginx/p", [WRITE]],
  ["cp --link /etc/shadow /var/backups/nginx/h", [WRITE]],
  // Options of known programs that run a command or write a file.
  ["tar --to-command='rm -rf /etc' -xf /tmp/x.tar -C /var/backups/nginx", [UNVERIFIABLE]],
  ["tar -cf /var/backups/nginx/x.tar --checkpoint=1 --checkpoint-action=exec='rm -rf /etc/ssh' /etc/nginx", [UNVERIFIABLE]],
  ["tar -czf /var/backups/nginx/conf.tgz --use-compress-program='sh -c \"rm -rf /etc\"' -C /etc/nginx .", [UNVERIFIABLE]],
  ["tar -czf /var/backups/nginx/conf.tgz -I 'rm -rf /etc' /etc/nginx", [UNVERIFIABLE]],
  ["tar -czf /var/backups/nginx/conf.tgz --remove-files /etc/nginx", [WRITE]],
  ["git log --output=/etc/passwd", [WRITE]],
  ["git diff --output /etc/passwd", [WRITE]],
  ["git grep -O'rm -rf /etc' x", [UNVERIFIABLE]],
  ["git -C /etc/nginx log -p --ext-diff", [UNVERIFIABLE]],
  ["git -c diff.external='rm -rf /etc' diff", [UNVERIFIABLE]],
  ["git -c include.path=/tmp/cfg log", [UNVERIFIABLE]],
  ["less +'!rm -rf /etc' /etc/nginx/nginx.conf", [UNVERIFIABLE]],
  ["tree -o /etc/passwd /", [WRITE]],
  ["xxd -r /tmp/x /etc/passwd", [WRITE]],
  ["yq -i=true '.a=1' /etc/passwd", [WRITE]],
  ["ss -K dst 10.0.0.1", [NETWORK]],
  // Variables that name the command a known read-only program runs.
  ["PAGER='rm -rf /etc' git log", [UNVERIFIABLE]],
  ["GIT_PAGER='sh -c \"rm -rf /etc\"' git -C /etc/nginx log", [UNVERIFIABLE]],
  ["SYSTEMD_PAGER='rm -rf /etc' systemctl status nginx", [UNVERIFIABLE]],
  ["GIT_EXTERNAL_DIFF=/tmp/x git diff", [UNVERIFIABLE]],
  // (and the extraction into /var/backups/nginx reaches **/*.key, which NOT_ALLOWED forbids: thirteenth pass)
  ["TAR_OPTIONS=--to-command=/tmp/x tar -xf /tmp/x.tar -C /var/backups/nginx", [UNVERIFIABLE, WRITE]],
  ["env GIT_PAGER=/tmp/x git log", [UNVERIFIABLE]],
  ["export EDITOR=/tmp/x; systemctl edit nginx", [UNVERIFIABLE]],
  // Builtins that assign a variable by name.
  ["printf -v PATH /tmp/x; nginx -t", [UNVERIFIABLE]],
  ["read PATH <<< /tmp/x; nginx -t", [UNVERIFIABLE]],
];

for (const [command, codes] of OPS_DENIED) {
  test(`issue 14 (second pass): ${command} denies (${codes.join(", ")})`, () => {
    const r = opsCheck(command);
    assert.is(r.code, 1, r.out);
    assert.equal(r.codes, [...codes].sort(), r.out);
  });
}

const OPS_ALLOWED = [
  "ln -sf /var/backups/nginx/nginx.conf.2026-11-21 /var/backups/nginx/latest",
  "tar -czf /var/backups/nginx/conf.tgz -C /etc/nginx .",
  "git -C /etc/nginx log --oneline -n 5",
  "less /etc/nginx/nginx.conf",
  "printf '%s\\n' ok",
  "read -r line < /etc/nginx/nginx.conf",
  "LANG=C systemctl status nginx --no-pager",
];

for (const command of OPS_ALLOWED) {
  test(`issue 14 (second pass): ${command} is still judged and allowed`, () => {
    const r = opsCheck(command);
    assert.is(r.code, 0, r.out);
  });
}

// ---- secrets -------------------------------------------------------------------------------

const PEM = "-----BEGIN RSA PRIVATE KEY-----\nMIIEowIBAAKCAQEA\n-----END RSA PRIVATE KEY-----\n";
const b64 = (text: string) => Buffer.from(text).toString("base64");

/** `ops check` of a repository whose only change is `keys/NAME` (every path allowed): the undeclared-secret files. */
function secretsOf(name: string, content: string): { code: number | null; files: string[]; out: string } {
  return withRepo("redteam-secrets", {
    "op.yaml": "OPERATION_NAME: rotate keys\nOBJECTIVE: second pass\nRISK_CLASS: FILESYSTEM_WRITE\nBLAST_RADIUS: none\nROLLBACK_STRATEGY: git checkout\nALLOWED_PATHS: [\"**\"]\nALLOWED_SERVICES: []\nNOT_ALLOWED: { paths: [], streams: [], secrets: [], changes: [] }\n",
  }, (root) => {
    for (const args of [["init", "-q"], ["-c", "user.email=o@example.com", "-c", "user.name=o", "-c", "commit.gpgsign=false", "add", "op.yaml"], ["-c", "user.email=o@example.com", "-c", "user.name=o", "-c", "commit.gpgsign=false", "commit", "-qm", "base"]]) {
      const r = spawnSync("git", args, { cwd: root, encoding: "utf8" });
      if (r.status !== 0) throw new Error(r.stderr);
    }
    mkdirSync(join(root, "keys"));
    writeFileSync(join(root, "keys", name), content);
    const run = gatehouse(["ops", "check", "op.yaml", "--format", "json"], root);
    const findings = (JSON.parse(run.stdout) as { findings: { code: string; location?: { file?: string } }[] }).findings;
    return { code: run.code, files: findings.filter((f) => f.code === "ops/undeclared-secret").map((f) => f.location?.file ?? ""), out: run.stdout + run.stderr };
  });
}

const BASE64_KEYS: [string, string][] = [
  ["tls-secret.yaml", `apiVersion: v1\nkind: Secret\ntype: kubernetes.io/tls\ndata:\n  tls.key: ${b64(PEM)}\n`],
  ["kubeconfig", `users:\n- name: admin\n  user:\n    client-key-data: ${b64(PEM)}\n`],
  ["key.txt", `${b64(PEM).replace(/(.{76})/g, "$1\n")}\n`],
  ["bundle.json", JSON.stringify({ blob: b64(`xy${PEM}`) })],
];

for (const [name, content] of BASE64_KEYS) {
  test(`issue 14 (second pass): a private key in base64 is a secret (${name})`, () => {
    const r = secretsOf(name, content);
    assert.is(r.code, 1, r.out);
    assert.equal(r.files, [`keys/${name}`], r.out);
  });
}

test("issue 14 (second pass): a Kerberos keytab is a secret by name; a certificate in base64 is not", () => {
  const keytab = secretsOf("krb5.keytab", "\u0005\u0002binary");
  assert.equal(keytab.files, ["keys/krb5.keytab"], keytab.out);
  const cert = secretsOf("ca.b64", b64("-----BEGIN CERTIFICATE-----\nMIIB\n-----END CERTIFICATE-----\n"));
  assert.is(cert.code, 0, cert.out);
});

// ---- outputs -------------------------------------------------------------------------------

test("issue 14 (second pass): two --format targets naming one file are refused (exit 2); the second report used to replace the first", () => {
  withRepo("redteam-outputs", { "policy/main.rego": 'package main\n\ndeny contains "x" if input.x\n', "ok.json": '{"x": false}' }, (root) => {
    const run = gatehouse(["check", "--policy", "policy", "ok.json", "--format", "json=report.out", "--format", "sarif=./report.out"], root);
    assert.is(run.code, 2, run.stdout + run.stderr);
    assert.match(run.stderr, /name the same file/);
    assert.is(existsSync(join(root, "report.out")), false);
    // Standard streams and character devices may be shared.
    assert.is(gatehouse(["check", "--policy", "policy", "ok.json", "--format", "json=/dev/null", "--format", "sarif=/dev/null"], root).code, 0);
  });
});

test("issue 14 (second pass): no report is written over a file the run read (--data, the signing key), and --summary-out shares no file with a report", () => {
  withRepo("redteam-outputs-read", { "policy/main.rego": 'package main\n\ndeny contains "x" if input.x\n', "ok.json": '{"x": false}', "data.json": '{"limits": 1}' }, (root) => {
    const data = gatehouse(["check", "--policy", "policy", "ok.json", "--data", "data.json", "--format", "json=data.json"], root);
    assert.is(data.code, 2, data.stdout + data.stderr);
    assert.is(readFileSync(join(root, "data.json"), "utf8"), '{"limits": 1}');
    assert.is(gatehouse(["keys", "generate", "ci"], root).code, 0);
    const key = readFileSync(join(root, "ci.key"), "utf8");
    cpSync(packagePath("examples", "promotion"), join(root, "promotion"), { recursive: true });
    const verify = (...extra: string[]) => gatehouse(["promote", "verify", "promotion/run.receipt.json", "--sign-key", "ci.key", ...extra], root);
    for (const extra of [["--summary-out", "ci.key"], ["--summary-out", "summary.json", "--format", "json=ci.key"]]) {
      const run = verify(...extra);
      assert.is(run.code, 2, `${extra.join(" ")}: ${run.stdout}${run.stderr}`);
      assert.is(readFileSync(join(root, "ci.key"), "utf8"), key, `${extra.join(" ")}: the signing key is intact`);
    }
    const shared = verify("--summary-out", "summary.json", "--format", "json=summary.json");
    assert.is(shared.code, 2, shared.stdout + shared.stderr);
    assert.match(shared.stderr, /name the same file/);
  });
});

// ---- hangs and unbounded reads -----------------------------------------------------------------

test("issue 14 (second pass): a key that is a FIFO or a link to /dev/zero is refused (exit 2), not read until the process hangs or dies (check-summary --key, verify --sign-key)", () => {
  withRepo("redteam-keys", { "summary.json": "{}" }, (root) => {
    spawnSync("mkfifo", [join(root, "ci.pub")]);
    spawnSync("ln", ["-s", "/dev/zero", join(root, "zero.key")]);
    cpSync(packagePath("examples", "promotion"), join(root, "promotion"), { recursive: true });
    for (const args of [["promote", "check-summary", "summary.json", "--key", "ci.pub"], ["promote", "verify", "promotion/run.receipt.json", "--summary-out", "s.json", "--sign-key", "zero.key"]]) {
      const run = gatehouse(args, root, { timeoutMs: 20_000 });
      assert.is(run.timedOut, false, args.join(" "));
      assert.is(run.code, 2, `${args.join(" ")}: ${run.stdout}${run.stderr}`);
      assert.match(run.stderr, /not a regular file/);
    }
  });
});

test.run();
