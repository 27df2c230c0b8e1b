// Issue 14, tenth pass (inputs, check/parse/verify, evaluation): regressions for the holes this
// pass found, each checked against `opa eval --strict-builtin-errors` / conftest.

import { copyFileSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { packagePath } from "../../src/core/paths.js";
import { test } from "uvu";
import * as assert from "uvu/assert";
import { denyMessagesOf, denyPolicyOf, gatehouse, repo } from "./harness.js";

test("issue 14.1: json.is_valid and base64.is_valid answer as Go does (the wasm runtime's readers said true for `[1 2]`, `[1,]`, `00`, `1 2`, `aGk`), so a deny rule on a malformed value fires as under conftest", () => {
  const invalidJson = ["[1 2]", "[1,]", "{\"a\":1,}", "00", "[01]", "1 2", "[1]]", "1.", "0x10", "{\"a\": 1} trailing"];
  const invalidBase64 = ["aGk", "aGk=x", "a Gk=", "aGk==", "a===", "aGk=aGk="];
  const rules: Record<string, string> = {};
  invalidJson.forEach((_, i) => (rules[`json ${i}`] = `not json.is_valid(input.json[${i}])`));
  invalidBase64.forEach((_, i) => (rules[`base64 ${i}`] = `not base64.is_valid(input.base64[${i}])`));
  // Valid values stay valid (no rule may fire for them).
  rules["valid json refused"] = `some s in ["[1]", " {\\"a\\": [1, 2.5e3, null]} ", "\\"\\\\u00e9\\"", "123456789012345678901234567890"]; not json.is_valid(s)`;
  rules["valid base64 refused"] = `some s in ["", "aGk=", "aGl=", "aGVsbG8=", "aG\\nk=", "aGk=\\r\\n"]; not base64.is_valid(s)`;
  rules["not-a-string json is valid"] = `json.is_valid(input.number)`;
  const dir = repo("rt10-is-valid", {
    "policy/p.rego": denyPolicyOf(rules),
    "in.json": JSON.stringify({ json: invalidJson, base64: invalidBase64, number: 1 }),
  });
  try {
    const r = gatehouse(["check", "--policy", "policy", "in.json"], dir);
    assert.is(r.code, 1, r.stdout + r.stderr);
    const expected = [...invalidJson.map((_, i) => `json ${i}`), ...invalidBase64.map((_, i) => `base64 ${i}`)].sort();
    assert.equal(denyMessagesOf(r.stdout), expected, r.stdout);
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});

test("issue 14.1: json.unmarshal, base64.decode, base64url.decode and indexof err where topdown errs (policy/eval-error) instead of answering from a lenient reader (replace with an empty old string, which looped to the timeout, now answers as opa eval does: issue-14-sixteenthpass-runtime)", () => {
  const erring: Record<string, string> = {
    "json.unmarshal trailing value": `json.unmarshal("{\\"replicas\\": 1}{\\"replicas\\": 9}")`,
    "json.unmarshal trailing comma": `json.unmarshal("[1,]")`,
    "json.unmarshal leading zero": `json.unmarshal("[01]")`,
    "json.unmarshal missing comma": `json.unmarshal("[1 2]")`,
    "json.unmarshal hex": `json.unmarshal("0x10")`,
    "base64.decode unpadded": `base64.decode("aGk")`,
    "base64.decode trailing data": `base64.decode("aGk=x")`,
    "base64.decode space": `base64.decode("a Gk=")`,
    "base64.decode extra padding": `base64.decode("aGk==")`,
    "base64url.decode standard alphabet": `base64url.decode("aGk+")`,
    "base64url.decode one char over": `base64url.decode("aGk=a")`,
    "indexof empty": `indexof("abc", "")`,
  };
  for (const [name, call] of Object.entries(erring)) {
    const dir = repo("rt10-guards", { "policy/p.rego": denyPolicyOf({ [name]: `count([${call}]) == 1` }), "in.json": "{}" });
    try {
      const r = gatehouse(["check", "--policy", "policy", "--timeout", "20000", "in.json"], dir, { timeoutMs: 25_000 });
      assert.is(r.code, 1, `${name}: ${r.stdout}${r.stderr}`);
      assert.ok(r.stdout.includes("[policy/eval-error]"), `${name}: ${r.stdout}`);
      assert.not.ok(r.stdout.includes("policy/timeout"), `${name}: ${r.stdout}`);
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  }
});

test("issue 14.1 (held): the guarded builtins still answer valid operands as OPA does (exact numbers, decoded bytes, padding added)", () => {
  const dir = repo("rt10-guards-valid", {
    "policy/p.rego": denyPolicyOf({
      "json.unmarshal": `json.unmarshal(" {\\"a\\": [1, 2.5e3], \\"b\\": 123456789012345678901234567890, \\"a\\": 2} ") == {"a": 2, "b": 123456789012345678901234567890}`,
      "base64.decode": `base64.decode("aGVsbG8=") == "hello"; base64.decode("aG\\nk=") == "hi"`,
      "base64url.decode": `base64url.decode("aGk") == "hi"; base64url.decode("_-8=") == base64url.decode("_-8")`,
      indexof: `indexof("héllo", "l") == 2`,
      replace: `replace("a.b.c", ".", "::") == "a::b::c"`,
    }),
    "in.json": "{}",
  });
  try {
    const r = gatehouse(["check", "--policy", "policy", "in.json"], dir);
    assert.is(r.code, 1, r.stdout + r.stderr);
    assert.equal(denyMessagesOf(r.stdout), ["base64.decode", "base64url.decode", "indexof", "json.unmarshal", "replace"], r.stdout);
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});

test("issue 14.1: net.cidr_contains and net.cidr_intersects see an IPv4-mapped IPv6 address (::ffff:10.1.2.3) as the IPv4 address, as Go and conftest do, so a deny on an address in a blocked range fires (the wasm runtime said false)", () => {
  const dir = repo("rt10-cidr", {
    "policy/p.rego": denyPolicyOf({
      "mapped address in 10/8": `net.cidr_contains("10.0.0.0/8", input.mapped)`,
      "address in a mapped network": `net.cidr_contains("::ffff:10.0.0.0/104", input.plain)`,
      "mapped network intersects": `net.cidr_intersects("10.0.0.0/8", input.mappedNet)`,
      "address in ::ffff:0:0/96": `net.cidr_contains("::ffff:0:0/96", input.plain)`,
      // held: what was already answered as Go answers it
      "outside address contained": `net.cidr_contains("10.0.0.0/8", "11.0.0.1")`,
      "plain address contained": `net.cidr_contains("10.0.0.0/8", "10.9.9.9")`,
      "subnet contained": `net.cidr_contains("10.0.0.0/8", "10.1.0.0/16")`,
      "v6 contained": `net.cidr_contains("2001:db8::/32", "2001:DB8::1")`,
    }),
    "in.json": JSON.stringify({ mapped: "::ffff:10.1.2.3", plain: "10.1.2.3", mappedNet: "::ffff:10.0.0.0/120" }),
  });
  try {
    const r = gatehouse(["check", "--policy", "policy", "in.json"], dir);
    assert.is(r.code, 1, r.stdout + r.stderr);
    assert.equal(denyMessagesOf(r.stdout), ["address in ::ffff:0:0/96", "address in a mapped network", "mapped address in 10/8", "mapped network intersects", "plain address contained", "subnet contained", "v6 contained"], r.stdout);
    // an address Go refuses is an evaluation error, as topdown's
    const bad = repo("rt10-cidr-bad", { "policy/p.rego": denyPolicyOf({ x: `net.cidr_contains("10.0.0.0/8", input.ip)` }), "in.json": JSON.stringify({ ip: "010.1.2.3" }) });
    try {
      const b = gatehouse(["check", "--policy", "policy", "in.json"], bad);
      assert.is(b.code, 1, b.stdout + b.stderr);
      assert.ok(b.stdout.includes("[policy/eval-error]"), b.stdout);
    } finally {
      rmSync(bad, { recursive: true, force: true });
    }
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});

const OPS_DECLARATION = "raise-nginx-worker-connections.md";
const OPS_REPORT = "raise-nginx-worker-connections.report.md";

/** `ops check` of a one-step verified log against the example declaration (nginx only): exit code and codes. */
function opsCheck(command: string, allowedCommands: string[] = []): { code: number | null; codes: string[]; out: string } {
  const dir = repo("rt10-ops");
  try {
    const declaration = readFileSync(packagePath("examples", "ops", OPS_DECLARATION), "utf8");
    const allowed = allowedCommands.length === 0 ? "" : `ALLOWED_COMMANDS:\n${allowedCommands.map((c) => `  - ${c}\n`).join("")}`;
    writeFileSync(join(dir, OPS_DECLARATION), declaration.replace("ALLOWED_SERVICES:", `${allowed}ALLOWED_SERVICES:`));
    copyFileSync(packagePath("examples", "ops", OPS_REPORT), join(dir, OPS_REPORT));
    const step = { number: 1, timestamp: "2026-11-21T09:10:00Z", command, result: "", status: "PASS", verification: { command: "systemctl is-active nginx", output: "active" } };
    writeFileSync(join(dir, "log.json"), JSON.stringify({ operation_id: "OPS-2026-11-21-001", operation_name: "Raise nginx worker_connections on web-1", steps: [step] }));
    const r = gatehouse(["ops", "check", OPS_DECLARATION, "--log", "log.json", "--report", OPS_REPORT, "--no-git", "--format", "json"], dir);
    const out = r.stdout + r.stderr;
    const report = JSON.parse(r.stdout) as { findings: { code: string }[] };
    return { code: r.code, codes: [...new Set(report.findings.map((f) => f.code))].sort(), out };
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

test("issue 14.7: a mode spelled like an option (chmod -w, chattr -i) is a mode: the file after it is a write out of scope (it was read as the mode and dropped)", () => {
  for (const command of ["chattr -i /etc/passwd", "chattr -R -ia /etc/ssh", "chmod -w /etc/shadow", "chmod -x /usr/bin/sudo", "sudo chmod -R -rwx /etc/ssh", "chattr -V -e /etc/hosts"]) {
    const r = opsCheck(command);
    assert.is(r.code, 1, `${command}: ${r.out}`);
    assert.equal(r.codes, ["ops/write-out-of-scope"], `${command}: ${r.out}`);
  }
  for (const command of ["chmod 644 /etc/nginx/nginx.conf", "chmod -w /var/backups/nginx/nginx.conf.2026-11-21", "chattr +i /var/backups/nginx/nginx.conf.2026-11-21"]) {
    const r = opsCheck(command);
    assert.is(r.code, 0, `${command}: ${r.out}`);
  }
  // A recursive mode change reaches the whole tree, where a key NOT_ALLOWED forbids may be (the
  // thirteenth pass): inside ALLOWED_PATHS it still denies.
  const recursive = opsCheck("chmod -R g+r /var/backups/nginx/conf.d");
  assert.is(recursive.code, 1, recursive.out);
  assert.equal(recursive.codes, ["ops/write-out-of-scope"], recursive.out);
});

test("issue 14.7: a change outside every scope a declaration has (a Redis FLUSHALL, a broker's queue deleted, cloud resources, an HTTP request that sends) is unverifiable under a declaration for nginx, not allowed as merely mutating; ALLOWED_COMMANDS still names it", () => {
  const unscoped = [
    "redis-cli FLUSHALL",
    "redis-cli -h cache-1 del session:1",
    "rabbitmqadmin delete queue name=orders-retry",
    "aws ec2 terminate-instances --instance-ids i-0abc",
    "aws rds delete-db-instance --db-instance-identifier prod",
    "gcloud compute instances delete web-2 --quiet",
    "curl -X DELETE http://10.0.0.5/api/users/1",
    "curl -d @/tmp/flags.json http://flags.internal/api/flags",
    "wget -q -O /dev/null --post-data='drop=1' http://10.0.0.5/admin",
  ];
  for (const command of unscoped) {
    const r = opsCheck(command);
    assert.is(r.code, 1, `${command}: ${r.out}`);
    assert.equal(r.codes, ["ops/unverifiable-command"], `${command}: ${r.out}`);
  }
  assert.is(opsCheck("redis-cli FLUSHALL", ["redis-cli"]).code, 0);
  for (const command of ["redis-cli -h cache-1 get session:1", "aws ec2 describe-instances", "gcloud compute instances list", "curl -sS http://127.0.0.1/healthz"]) {
    const r = opsCheck(command);
    assert.is(r.code, 0, `${command}: ${r.out}`);
  }
});

test.run();
