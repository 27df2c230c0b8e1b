// conftest's --trace and its tap and table reports beyond its examples, each run through the
// pinned conftest and gatehouse on the same files: a rule defined several times (conftest counts
// each definition), an exception, a multi-document YAML file, two namespaces, a warning. The
// reports must agree line for line (conftest's line order follows a Go map: lines are compared
// sorted), the traces block for block, through both toolchain drivers.

import { spawnSync } from "node:child_process";
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { dirname, join } from "node:path";
import { test } from "uvu";
import * as assert from "uvu/assert";
import { packagePath } from "../src/core/paths.js";
import { findTool } from "../src/toolchain/native.js";

const BIN = packagePath("bin", "gatehouse.js");
const work = mkdtempSync(join(tmpdir(), "gatehouse-conftest-trace-"));
test.after(() => rmSync(work, { recursive: true, force: true }));

const FILES: Record<string, string> = {
  // deny three times (one in another file), violation, warn and an exception for deny_latest.
  "policy/main.rego":
    'package main\n\ndeny contains "runs as root" if input.user == "root"\n\ndeny contains "no name" if not input.name\n\nwarn contains "no owner" if not input.owner\n\ndeny_latest contains "latest tag" if input.image == "app:latest"\n\nexception contains rules if {\n\tinput.name == "legacy"\n\trules := ["latest"]\n}\n',
  "policy/more.rego": 'package main\n\ndeny contains "port 22" if input.port == 22\n\nviolation contains {"msg": "privileged"} if input.privileged\n',
  "policy/lib/lib.rego": 'package lib.checks\n\nwarn contains "from lib" if input.user\n',
  "policy/main_test.rego": 'package main\n\ntest_root if deny["runs as root"] with input as {"user": "root", "name": "a"}\n\ntest_port if deny["port 22"] with input as {"port": 22}\n',
  "inputs/root.json": '{"user": "root", "port": 22, "image": "app:latest", "name": "legacy"}\n',
  "inputs/clean.json": '{"user": "app", "name": "a", "owner": "me"}\n',
  "inputs/many.yaml": "user: root\nprivileged: true\n---\nname: b\nowner: me\n",
};
for (const [file, text] of Object.entries(FILES)) {
  mkdirSync(dirname(join(work, file)), { recursive: true });
  writeFileSync(join(work, file), text);
}

const ENV = { PATH: process.env.PATH ?? "", HOME: work, GATEHOUSE_CACHE_DIR: join(work, "cache") };

function run(bin: string, args: string[], env: Record<string, string> = {}) {
  const r = spawnSync(bin, args, { cwd: work, encoding: "utf8", env: { ...ENV, ...env } });
  return { status: r.status ?? -1, stdout: r.stdout, stderr: r.stderr };
}
const conftest = (args: string[]) => run(findTool("conftest"), [...args, "--no-color"]);
const gatehouse = (args: string[], env: Record<string, string> = {}) => run(process.execPath, [BIN, ...args], env);

/** Report lines in a canonical order, TAP numbers blanked (conftest's order follows a Go map). */
const canonical = (text: string) => text.split("\n").map((line) => line.replace(/^(not ok|ok) \d+ /, "$1 # ")).sort();

/** A trace's blocks (`file: | query:` and its TRAC lines), colour stripped, sorted. */
function blocks(text: string): string[] {
  const out: string[] = [];
  for (const line of text.replace(/\u001b\[[0-9;]*m/g, "").split("\n")) {
    if (line.startsWith("file: ")) out.push(line);
    else if (line.startsWith("TRAC ") && out.length > 0) out[out.length - 1] += `\n${line}`;
  }
  return out.sort();
}

const INPUTS = ["inputs/clean.json", "inputs/many.yaml", "inputs/root.json"];

for (const format of ["tap", "table"] as const) {
  // The table renders the same results as the tap report: one selection of namespaces is enough.
  for (const extra of format === "tap" ? [[], ["--all-namespaces"], ["--namespace", "lib.*"]] : [["--all-namespaces"]]) {
    test(`check -o ${format} ${extra.join(" ")}: conftest's lines, successes counted per rule definition`, () => {
      const theirs = conftest(["test", "-p", "policy", "-o", format, ...extra, ...INPUTS]);
      const ours = gatehouse(["check", "-p", "policy", "-o", format, ...extra, ...INPUTS]);
      assert.ok(theirs.stdout.trim() !== "", theirs.stderr);
      assert.equal(canonical(ours.stdout), canonical(theirs.stdout), `gatehouse:\n${ours.stdout}${ours.stderr}\nconftest:\n${theirs.stdout}`);
      assert.is(ours.status, theirs.status, ours.stderr);
    });
  }
  test(`verify -o ${format}: conftest's lines`, () => {
    const theirs = conftest(["verify", "-p", "policy", "-o", format]);
    const ours = gatehouse(["verify", "-p", "policy", "-o", format]);
    assert.equal(canonical(ours.stdout), canonical(theirs.stdout), `gatehouse:\n${ours.stdout}${ours.stderr}\nconftest:\n${theirs.stdout}`);
    assert.is(ours.status, theirs.status);
  });
}

test("check --trace: conftest's trace, block for block, on stderr and before the text report on stdout; the verdict is unchanged", () => {
  const theirs = conftest(["test", "-p", "policy", "--all-namespaces", "-o", "json", "--trace", ...INPUTS]);
  const want = blocks(theirs.stderr);
  assert.ok(want.length > 10, theirs.stderr);
  const plain = gatehouse(["check", "-p", "policy", "--all-namespaces", ...INPUTS]);
  for (const toolchain of ["wasm", "native"]) {
    const ours = gatehouse(["check", "-p", "policy", "--all-namespaces", "--trace", ...INPUTS], { GATEHOUSE_TOOLCHAIN: toolchain });
    assert.is(ours.status, plain.status, ours.stderr);
    assert.equal(blocks(ours.stderr), want, `${toolchain}: ${ours.stderr.slice(0, 2000)}`);
    // stdout: the same trace, then the report the run without --trace prints.
    assert.equal(blocks(ours.stdout), want);
    assert.ok(ours.stdout.endsWith(plain.stdout), ours.stdout.slice(-800));
  }
  // A machine format keeps stdout to itself.
  const json = gatehouse(["check", "-p", "policy", "--all-namespaces", "--trace", "-o", "json", ...INPUTS]);
  assert.equal(blocks(json.stderr), want);
  assert.ok(Array.isArray((JSON.parse(json.stdout) as { findings: unknown[] }).findings));
});

test("verify --trace: each test's trace, as conftest verify --trace prints it", () => {
  const theirs = conftest(["verify", "-p", "policy", "--trace"]);
  const want = blocks(theirs.stderr);
  assert.is(want.length, 2, theirs.stderr);
  const ours = gatehouse(["verify", "-p", "policy", "--trace"]);
  assert.is(ours.status, 0, ours.stderr);
  assert.equal(blocks(ours.stderr), want, ours.stderr.slice(0, 2000));
  assert.match(ours.stdout, /2 tests, 2 passed/);
});

test("check --trace refuses what it cannot trace: a built bundle, --kind", () => {
  const bundle = gatehouse(["build", "-p", "policy", "--out", "built"]);
  assert.is(bundle.status, 0, bundle.stderr);
  const refused = gatehouse(["check", "-p", "built", "--trace", "inputs/clean.json"]);
  assert.is(refused.status, 2);
  assert.match(refused.stderr, /--trace needs Rego sources: built is a built bundle/);
  const kind = gatehouse(["check", "-p", "policy", "--kind", "deploy-config", "--trace", "inputs/clean.json"]);
  assert.is(kind.status, 2);
  assert.match(kind.stderr, /cannot be combined with --kind/);
});

test.run();
