// conftest's flags beyond its examples, each run through the pinned conftest and `gatehouse check`
// on the same files: Rego v0 policies with --rego-version v0, several --policy and --policy
// FILE.rego, -d DIR, namespace globs, --fail-on-warn, --no-fail, --ignore, --quiet and
// conftest.toml read automatically. They must agree on the exit status (gatehouse exits 1 where
// conftest exits 2 under --fail-on-warn: its one intended difference here) and on the messages.

import { spawnSync } from "node:child_process";
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { dirname, join } from "node:path";
import { test } from "uvu";
import * as assert from "uvu/assert";
import { packagePath } from "../src/core/paths.js";
import { findTool } from "../src/toolchain/native.js";

const BIN = packagePath("bin", "gatehouse.js");
const work = mkdtempSync(join(tmpdir(), "gatehouse-conftest-flags-"));
test.after(() => rmSync(work, { recursive: true, force: true }));

const FILES: Record<string, string> = {
  // Rego v0: partial sets without `contains`, bodies without `if`.
  "v0/main.rego": 'package main\n\ndeny[msg] {\n  input.user == "root"\n  msg := "runs as root"\n}\n\nwarn[msg] {\n  not input.name\n  msg = "no name"\n}\n',
  // v1, in two directories and one file, with data and a nested namespace.
  "policy/main.rego": 'package main\n\ndeny contains msg if {\n\tinput.port in data.blocked.ports\n\tmsg := sprintf("port %d is blocked", [input.port])\n}\n',
  "policy/k8s/extra.rego": 'package k8s.extra\n\nwarn contains "no labels" if not input.labels\n',
  "more/other.rego": 'package other\n\ndeny contains "x is set" if input.x\n',
  "data/blocked/ports.yaml": "ports: [22, 23]\n",
  "inputs/ssh.json": '{"port": 22, "x": true}\n',
  "inputs/web.json": '{"port": 443, "labels": {"a": "b"}}\n',
  "inputs/root.json": '{"user": "root"}\n',
  "inputs/named.json": '{"user": "app", "name": "a"}\n',
  "inputs/unnamed.json": '{"user": "app"}\n',
  "auto/conftest.toml": 'policy = "p"\nnamespace = "auto"\n',
  "auto/p/auto.rego": 'package auto\n\ndeny contains "from the config" if input.port\n',
  "auto/in.json": '{"port": 1}\n',
};
for (const [file, text] of Object.entries(FILES)) {
  mkdirSync(dirname(join(work, file)), { recursive: true });
  writeFileSync(join(work, file), text);
}

function conftest(args: string[], cwd = work): { status: number; messages: string[] } {
  const r = spawnSync(findTool("conftest"), ["test", ...args, "--output", "json"], { cwd, encoding: "utf8", env: { PATH: process.env.PATH ?? "", HOME: work } });
  let results: { failures?: { msg: string }[] | null; warnings?: { msg: string }[] | null }[] = [];
  try {
    results = JSON.parse(r.stdout) as typeof results;
  } catch {
    // no results
  }
  return { status: r.status ?? -1, messages: results.flatMap((x) => [...(x.failures ?? []), ...(x.warnings ?? [])].map((m) => m.msg)).sort() };
}

function gatehouse(args: string[], cwd = work): { status: number; messages: string[]; raw: string } {
  const r = spawnSync(process.execPath, [BIN, "check", ...args, "--format", "json"], { cwd, encoding: "utf8", env: { PATH: process.env.PATH ?? "", HOME: work, GATEHOUSE_CACHE_DIR: join(work, ".cache") } });
  let messages: string[] = [];
  try {
    messages = (JSON.parse(r.stdout) as { findings: { source: string; message: string }[] }).findings.filter((f) => f.source === "policy").map((f) => f.message).sort();
  } catch {
    // a tool error, or --quiet
  }
  return { status: r.status ?? -1, messages, raw: r.stdout + r.stderr };
}

const CASES: { name: string; args: string[]; cwd?: string; status?: number }[] = [
  { name: "--rego-version v0 compiles a v0 policy with its v0 meaning", args: ["--rego-version", "v0", "-p", "v0", "inputs/root.json", "inputs/named.json", "inputs/unnamed.json"] },
  { name: "several --policy, a directory and a file, with -d DIR and --all-namespaces", args: ["-p", "policy", "-p", "more/other.rego", "-d", "data", "--all-namespaces", "inputs/ssh.json", "inputs/web.json"] },
  { name: "a namespace glob", args: ["-p", "policy", "-d", "data", "--namespace", "k8s.*", "inputs/ssh.json", "inputs/web.json"] },
  { name: "--fail-on-warn (conftest exits 2 on failures there, gatehouse 1)", args: ["-p", "policy", "-d", "data", "--namespace", "k8s.extra", "--fail-on-warn", "inputs/ssh.json"] },
  { name: "--no-fail", args: ["-p", "policy", "-d", "data", "--no-fail", "inputs/ssh.json"] },
  { name: "--ignore", args: ["-p", "policy", "-d", "data", "--ignore", "ssh", "inputs"] },
  { name: "--quiet on a pass", args: ["-p", "policy", "-d", "data", "--quiet", "inputs/web.json"] },
  { name: "conftest.toml in the working directory", args: ["in.json"], cwd: join(work, "auto") },
];

for (const c of CASES) {
  test(`conftest flags: ${c.name}`, () => {
    const theirs = conftest(c.args, c.cwd);
    const ours = gatehouse(c.args, c.cwd);
    assert.is(ours.status, c.args.includes("--fail-on-warn") && theirs.status === 2 ? 1 : theirs.status, ours.raw);
    assert.equal(ours.messages, theirs.messages, ours.raw);
  });
}

test("conftest flags: the cases exercise passing and failing runs, messages included", () => {
  const statuses = CASES.map((c) => conftest(c.args, c.cwd).status);
  assert.ok(statuses.includes(0) && statuses.some((s) => s !== 0), String(statuses));
  assert.ok(conftest(CASES[0]!.args).messages.length >= 2);
});

test.run();
