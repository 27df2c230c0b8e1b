// Issue 14, the fifth adversarial pass: the decisions the fourth left open (conftest.toml as
// untrusted repository content, empty inputs, what a waiver's symbol covers, test helpers that
// open what is not a regular file), then what a fresh pass over the CLI found. Each case runs
// the real CLI in a bounded child process and failed open, hung or crashed on the main the pass
// started from.

import { execFileSync } from "node:child_process";
import { existsSync, mkdirSync, readFileSync, rmSync, symlinkSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { test } from "uvu";
import * as assert from "uvu/assert";
import type { Finding } from "../../src/core/findings.js";
import { waiverMatches, type Waiver } from "../../src/packs/waivers.js";
import { codesOf, gatehouse, repo, withRepo } from "./harness.js";

const DENY_X = 'package main\n\ndeny contains "x is 1" if input.x == 1\n\nwarn contains "x is set" if input.x\n';

const LOOSENING: [string, string, string][] = [
  ["no-fail", "no-fail = true\n", "--no-fail"],
  ["ignore", 'ignore = "bad"\n', "--ignore"],
  ["parser", 'parser = "ini"\n', "--parser"],
  ["combine", "combine = true\n", "--combine"],
];

for (const [key, line, flag] of LOOSENING) {
  test(`issue 14.4: ${key} in the project's conftest.toml is refused (exit 2, naming the file and the key), not obeyed so denials pass`, () => {
    withRepo("fifthpass-config", { "policy/main.rego": DENY_X, "bad.json": '{"x": 1}\n', "conftest.toml": line }, (root) => {
      const run = gatehouse(["check", "bad.json"], root);
      assert.is(run.code, 2, run.stdout + run.stderr);
      assert.match(run.stderr, new RegExp(`conftest\\.toml: ${key} cannot be set in a configuration file`));
      assert.match(run.stderr, new RegExp(`pass ${flag} on the command line`));
      // -c names the same file: still repository content.
      assert.is(gatehouse(["check", "-c", "conftest.toml", "bad.json"], root).code, 2);
    });
  });
}

test("issue 14.4: the loosening flag on the command line still works, and a tightening key in conftest.toml still applies", () => {
  withRepo("fifthpass-config-flags", { "policy/main.rego": DENY_X, "bad.json": '{"x": 1}\n', "warn.json": '{"x": 2}\n' }, (root) => {
    assert.is(gatehouse(["check", "--no-fail", "bad.json"], root).code, 0);
    assert.is(gatehouse(["check", "warn.json"], root).code, 0);
    execFileSync("sh", ["-c", "printf 'fail-on-warn = true\\npolicy = \"policy\"\\n' > conftest.toml"], { cwd: root });
    const tightened = gatehouse(["check", "warn.json"], root);
    assert.is(tightened.code, 1, tightened.stdout + tightened.stderr);
  });
});

test("issue 14.4: verify refuses a namespace from conftest.toml, which would leave a failing test out of the verdict", () => {
  withRepo("fifthpass-verify-config", {
    "policy/main.rego": 'package main\n\ndeny contains "x" if input.x == 1\n\ntest_denies if deny["x"] with input as {"x": 2}\n',
    "policy/other.rego": "package other\n\ntest_ok if true\n",
    "conftest.toml": 'namespace = "other"\n',
  }, (root) => {
    const run = gatehouse(["verify"], root, { timeoutMs: 90_000 });
    assert.is(run.code, 2, run.stdout + run.stderr);
    assert.match(run.stderr, /conftest\.toml: namespace cannot be set in a configuration file/);
    // The same narrowing on the command line is the user's choice.
    rmSync(join(root, "conftest.toml"));
    assert.is(gatehouse(["verify", "--namespace", "other"], root, { timeoutMs: 90_000 }).code, 0);
  });
});

test("issue 14.1: an empty file is judged by one rule: evaluated where its format has an empty document (TOML: {}), refused as not a document where it has none (YAML, XML), unparsable where its parser says so (JSON)", () => {
  withRepo("fifthpass-empty", {
    "policy/main.rego": 'package main\n\ndeny contains sprintf("input is %v", [input]) if true\n',
    "empty.yaml": "",
    "comment.yml": "# nothing here\n",
    "blank.yaml": "  \n\n",
    "empty.xml": "",
    "empty.toml": "",
    "empty.json": "",
  }, (root) => {
    const run = gatehouse(["check", "empty.yaml", "comment.yml", "blank.yaml", "empty.xml", "empty.toml", "empty.json"], root, { timeoutMs: 90_000 });
    assert.is(run.code, 1, run.stdout + run.stderr);
    assert.match(run.stdout, /FAIL empty\.yaml \[input\/not-a-document\] the file holds no YAML document/);
    assert.match(run.stdout, /FAIL comment\.yml \[input\/not-a-document\] the file holds no YAML document/);
    assert.match(run.stdout, /FAIL blank\.yaml \[input\/not-a-document\]/);
    assert.match(run.stdout, /FAIL empty\.xml \[input\/not-a-document\]/);
    assert.match(run.stdout, /FAIL empty\.toml \[main\.deny\] input is \{\}/);
    assert.match(run.stdout, /FAIL empty\.json \[input\/unparsable\]/);
    assert.equal(codesOf(run.stdout).sort(), ["input/not-a-document", "input/not-a-document", "input/not-a-document", "input/not-a-document", "input/unparsable"]);
  });
});

test("issue 14.3: a waiver's symbol names one finding exactly; a rule's name is not a wildcard for every finding of the rule", () => {
  const waiver = (symbol: string): Waiver => ({ code: "main/deny", target: { symbol }, reason: "known", owner: "alice", expires: "2099-01-01" });
  const finding = (extra: Partial<Finding>): Finding => ({ code: "main/deny", severity: "error", source: "policy", message: "x", rule: "data.main.deny", ...extra }) as Finding;
  assert.not.ok(waiverMatches(waiver("data.main.deny"), finding({}), "/"), "the rule's name waived a finding without a symbol");
  assert.not.ok(waiverMatches(waiver("data.main.deny"), finding({ metadata: { symbol: "src/a.ts#f" } }), "/"), "the rule's name waived another symbol's finding");
  assert.ok(waiverMatches(waiver("src/a.ts#f"), finding({ metadata: { symbol: "src/a.ts#f" } }), "/"));
  assert.not.ok(waiverMatches(waiver("src/a.ts#f"), finding({ metadata: { symbol: "src/a.ts#g" } }), "/"));
});

const HELPERS: [string, string][] = [
  ["parse_config_file", 'c := parse_config_file("../pipe.yaml")\n  c.a == 1'],
  ["parse_combined_config_files", 'c := parse_combined_config_files(["../pipe.yaml"])\n  count(c) > 0'],
];

for (const [helper, body] of HELPERS) {
  test(`issue 14.13: a unit test whose ${helper} names a FIFO fails at once (not a regular file), instead of hanging verify until its deadline`, () => {
    withRepo("fifthpass-fifo", { "policy/main_test.rego": `package main\n\ntest_reads if {\n  ${body}\n}\n` }, (root) => {
      execFileSync("mkfifo", [join(root, "pipe.yaml")]);
      const started = Date.now();
      const run = gatehouse(["verify", "--policy", "policy", "-o", "json"], root, { timeoutMs: 120_000 });
      assert.not.ok(run.timedOut, "verify hung on the FIFO");
      assert.is(run.code, 1, run.stdout + run.stderr);
      assert.ok(Date.now() - started < 60_000, "verify waited for the FIFO");
      assert.match(run.stdout, /"outcome": "fail"/);
    });
  });
}

test("issue 14.11: build --out naming a directory that is not a bundle (the sources, src/) is refused (exit 2) and deletes nothing; a bundle directory is still rebuilt", () => {
  withRepo("fifthpass-build-out", { "policy/main.rego": DENY_X, "src/keep.ts": "export const kept = 1;\n", "notes.txt": "mine\n" }, (root) => {
    for (const out of ["src", "policy", ".", "notes.txt"]) {
      const run = gatehouse(["build", "--policy", "policy", "--out", out], root, { timeoutMs: 90_000 });
      assert.is(run.code, 2, `${out}: ${run.stdout}${run.stderr}`);
      assert.match(run.stderr, /bundle output/);
    }
    assert.is(readFileSync(join(root, "src/keep.ts"), "utf8"), "export const kept = 1;\n");
    assert.is(readFileSync(join(root, "policy/main.rego"), "utf8"), DENY_X);
    assert.is(readFileSync(join(root, "notes.txt"), "utf8"), "mine\n");
    const first = gatehouse(["build", "--policy", "policy", "--out", "bundle"], root, { timeoutMs: 90_000 });
    assert.is(first.code, 0, first.stdout + first.stderr);
    const again = gatehouse(["build", "--policy", "policy", "--out", "bundle"], root, { timeoutMs: 90_000 });
    assert.is(again.code, 0, again.stdout + again.stderr);
    assert.ok(existsSync(join(root, "bundle", "policy.wasm")));
    writeFileSync(join(root, "bundle", "README.md"), "hand-written\n");
    assert.is(gatehouse(["build", "--policy", "policy", "--out", "bundle"], root, { timeoutMs: 90_000 }).code, 2);
    assert.ok(existsSync(join(root, "bundle", "README.md")));
  });
});

test("issue 14.13: a committed tree of links that reach the same directories again and again (4 links per level, 10 levels: a million paths) stops the walk with exit 2 (check DIR, gate's files collector), instead of walking for hours", () => {
  withRepo("fifthpass-walk", {
    "policy/main.rego": DENY_X,
    "in/l11/c.json": '{"x": 1}\n',
    "gatehouse.config.yaml": 'version: 1\ncollectors:\n  files:\n    - glob: "in/**/*.json"\n      namespace: main\npolicies:\n  - path: policy\n    namespaces: [main]\n',
  }, (root) => {
    for (let level = 1; level <= 10; level++) {
      mkdirSync(join(root, "in", `l${level}`), { recursive: true });
      for (const name of ["a", "b", "c", "d"]) symlinkSync(`../l${level + 1}`, join(root, "in", `l${level}`, name));
    }
    for (const args of [["check", "in"], ["gate"]]) {
      const run = gatehouse(args, root, { timeoutMs: 180_000 });
      assert.not.ok(run.timedOut, `${args[0]} walked on`);
      assert.is(run.code, 2, `${args[0]}: ${run.stdout}${run.stderr}`);
      assert.match(run.stderr, /the walk passed 100000 directories/);
    }
  });
});

test("issue 14.9: a secret in a changed file that reads as binary (a NUL byte appended; a .env saved as UTF-16, either byte order) denies security/secret-in-change, instead of being skipped unscanned", () => {
  const token = ["xoxb", "482915736204", "5173920468135", "Qm7TfK2vXa9LpR4sWc8NdJ3e"].join("-");
  const root = repo("fifthpass-binary-secret", {
    "gatehouse.config.yaml": "version: 1\npack:\n  use: default@1.0\n  overrides:\n    rules:\n      security/*: { severity: error }\ncollectors:\n  security: {}\n",
  });
  const git = (...args: string[]) => execFileSync("git", args, { cwd: root, stdio: "pipe" });
  try {
    git("init", "-q");
    git("-c", "user.email=dev@example.com", "-c", "user.name=dev", "-c", "commit.gpgsign=false", "commit", "-q", "--allow-empty", "-m", "base");
    git("add", "-A");
    git("-c", "user.email=dev@example.com", "-c", "user.name=dev", "-c", "commit.gpgsign=false", "commit", "-qm", "config");
    const text = `slack: ${token}\n`;
    const utf16be = Buffer.from(text, "utf16le").swap16();
    const variants: Record<string, Buffer> = {
      "config/nul.yaml": Buffer.concat([Buffer.from(text), Buffer.from([0])]),
      "config/le.env": Buffer.concat([Buffer.from([0xff, 0xfe]), Buffer.from(text, "utf16le")]),
      "config/be.env": Buffer.concat([Buffer.from([0xfe, 0xff]), utf16be]),
    };
    for (const [path, bytes] of Object.entries(variants)) {
      mkdirSync(join(root, "config"), { recursive: true });
      writeFileSync(join(root, path), bytes);
      const run = gatehouse(["gate"], root, { timeoutMs: 120_000 });
      assert.is(run.code, 1, `${path}: ${run.stdout}${run.stderr}`);
      assert.match(run.stdout, new RegExp(`FAIL ${path.replace(".", "\\.")}:1 \\[security/secret-in-change\\]`));
      rmSync(join(root, path));
    }
    // Bytes that hold no secret still pass.
    writeFileSync(join(root, "config/blob.bin"), Buffer.from(Array.from({ length: 4096 }, (_, i) => (i * 7919) % 256)));
    const clean = gatehouse(["gate"], root, { timeoutMs: 120_000 });
    assert.is(clean.code, 0, clean.stdout + clean.stderr);
  } finally {
    rmSync(root, { recursive: true, force: true });
  }
});

test("issue 14.12: --workers 100000 is a usage error (exit 2) instead of a hundred thousand threads that run the machine out of memory; --workers above the input count starts one per input", () => {
  withRepo("fifthpass-workers", { "policy/main.rego": DENY_X, "a.json": '{"x": 1}\n', "b.json": '{"x": 2}\n' }, (root) => {
    const huge = gatehouse(["check", "--workers", "100000", "a.json", "b.json"], root, { timeoutMs: 120_000 });
    assert.not.ok(huge.timedOut, "the run hung starting threads");
    assert.is(huge.code, 2, huge.stdout + huge.stderr);
    assert.match(huge.stderr, /--workers must be a whole number from 0 to 256/);
    const many = gatehouse(["check", "--workers", "256", "a.json", "b.json"], root, { timeoutMs: 120_000 });
    assert.is(many.code, 1, many.stdout + many.stderr);
    assert.match(many.stdout, /FAIL a\.json \[main\.deny\] x is 1/);
  });
});

test.run();
