// Issue 14, the sixth adversarial pass: what a fresh pass over the installed CLI found. Each case
// runs the real CLI in a bounded child process and failed open, exited 0 on an error or wrote
// where it should not on the main the pass started from.

import { execFileSync } from "node:child_process";
import { existsSync, mkdirSync, readdirSync } from "node:fs";
import { join } from "node:path";
import { test } from "uvu";
import * as assert from "uvu/assert";
import { codesOf, gatehouse, withRepo } from "./harness.js";

const PRIVILEGED = 'package main\n\ndeny contains "privileged" if input.privileged == true\n\ndeny contains "privileged spec" if input.spec.privileged == true\n\ndeny contains "world-writable" if input.mode == 511\n';

test("issue 14.1: an exception that is a bare name (exception contains \"foo\", exception := [\"foo\"]) excepts nothing: policy/bad-result, as conftest's exception[_][_] query errors; a list of names still excepts", () => {
  const rule = 'package main\n\ndeny_foo contains "foo is set" if input.foo\n\n';
  withRepo("sixthpass-exception", {
    "bare/main.rego": `${rule}exception contains "foo" if true\n`,
    "array/main.rego": `${rule}exception := ["foo"]\n`,
    "list/main.rego": `${rule}exception contains ["foo"] if true\n`,
    "in.json": '{"foo": true}\n',
  }, (root) => {
    for (const policy of ["bare", "array"]) {
      const run = gatehouse(["check", "--policy", policy, "in.json"], root, { timeoutMs: 90_000 });
      assert.is(run.code, 1, `${policy}: ${run.stdout}${run.stderr}`);
      assert.match(run.stdout, /FAIL in\.json \[policy\/bad-result\] data\.main\.exception: exception must be a set of lists of rule names \(exception contains \["foo"\]\), got "foo"/);
      assert.match(run.stdout, /FAIL in\.json \[main\.deny_foo\] foo is set/);
      assert.equal(codesOf(run.stdout), ["policy/bad-result"]);
    }
    const listed = gatehouse(["check", "--policy", "list", "in.json"], root, { timeoutMs: 90_000 });
    assert.is(listed.code, 0, listed.stdout + listed.stderr);
    assert.match(listed.stdout, /EXCEPTION in\.json \[main\.deny_foo\] foo is set/);
  });
});

const AMBIGUOUS: [string, string][] = [
  ["privileged: yes", 'the plain value yes is the string "yes" in YAML 1.2, as gatehouse reads it, but true in YAML 1.1 as conftest and Kubernetes read it'],
  ["privileged: on", 'the plain value on is the string "on" in YAML 1.2, as gatehouse reads it, but true in YAML 1.1'],
  ["privileged: Y", 'the plain value Y is the string "Y" in YAML 1.2, as gatehouse reads it, but true in YAML 1.1'],
  ["privileged: NO", 'the plain value NO is the string "NO" in YAML 1.2, as gatehouse reads it, but false in YAML 1.1'],
  ["mode: 0777", "the plain value 0777 is 777 in YAML 1.2, as gatehouse reads it, but 511 in YAML 1.1"],
  ["mode: 5_11", 'the plain value 5_11 is the string "5_11" in YAML 1.2, as gatehouse reads it, but 511 in YAML 1.1'],
  ["mode: 0b111111111", 'the plain value 0b111111111 is the string "0b111111111" in YAML 1.2, as gatehouse reads it, but 511 in YAML 1.1'],
  ["mode: [+0x1FF]", 'the plain value \\+0x1FF is the string "\\+0x1FF" in YAML 1.2, as gatehouse reads it, but 511 in YAML 1.1'],
];

for (const [line, message] of AMBIGUOUS) {
  test(`issue 14.1: the YAML value in "${line}", which Kubernetes and conftest read as YAML 1.1, is refused (input/unparsable, naming the line), not judged as YAML 1.2's other value so the deny never fires`, () => {
    withRepo("sixthpass-yaml11", { "policy/main.rego": PRIVILEGED, "pod.yaml": `name: web\n${line}\n` }, (root) => {
      const run = gatehouse(["check", "--policy", "policy", "pod.yaml"], root, { timeoutMs: 90_000 });
      assert.is(run.code, 1, run.stdout + run.stderr);
      assert.match(run.stdout, new RegExp(`FAIL pod\\.yaml \\[input/unparsable\\] invalid YAML: line 2: ${message}`));
      assert.equal(codesOf(run.stdout), ["input/unparsable"]);
    });
  });
}

test("issue 14.1: YAML merge keys are merged as every YAML 1.1 reader merges them (the deny fires); a merge key after other keys is refused; values both versions agree on, quoted values and an `on:` key still pass", () => {
  withRepo("sixthpass-yaml-merge", {
    "policy/main.rego": PRIVILEGED,
    "merged.yaml": "defaults: &d\n  privileged: true\nspec:\n  <<: *d\n  name: web\n",
    "listed.yaml": "a: &a {privileged: true}\nb: &b {x: 1}\nc:\n  <<: [*b, *a]\n",
    "late.yaml": "d: &d {privileged: true}\nname: web\nprivileged: false\n<<: *d\n",
    "clean.yaml": "on: push\nprivileged: 'yes'\nmode: 0o644\nenabled: !!str on\nports: [\"22:22\", 1:20]\nsize: 1e3\nwhen: 2001-12-14\nreplicas: 3\nratio: -0.5\n",
    "late-ok.yaml": "d: &d {x: 1}\ne:\n  <<: *d\n  name: web\n",
  }, (root) => {
    const run = gatehouse(["check", "--policy", "policy", "merged.yaml", "listed.yaml", "late.yaml", "clean.yaml", "late-ok.yaml"], root, { timeoutMs: 90_000 });
    assert.is(run.code, 1, run.stdout + run.stderr);
    assert.match(run.stdout, /FAIL merged\.yaml \[main\.deny\] privileged spec/);
    assert.not.match(run.stdout, /FAIL listed\.yaml/); // the merge lands in c, not at the top
    assert.match(run.stdout, /FAIL late\.yaml \[input\/unparsable\] invalid YAML: line 4: the merge key << follows other keys of its mapping/);
    assert.not.match(run.stdout, /clean\.yaml|late-ok\.yaml/);
    assert.equal(codesOf(run.stdout), ["input/unparsable"]);
    const parsed = gatehouse(["parse", "listed.yaml", "clean.yaml"], root, { timeoutMs: 90_000 });
    assert.is(parsed.code, 0, parsed.stdout + parsed.stderr);
    assert.match(parsed.stdout, /"c": \{\s+"privileged": true,\s+"x": 1\s+\}/);
    assert.match(parsed.stdout, /"mode": 420/);
    assert.match(parsed.stdout, /"on": "push"/);
    assert.match(parsed.stdout, /"when": "2001-12-14"/);
  });
});

test("issue 14.1: a %YAML 1.1 stream's timestamp is its text, as conftest reads it (it reached policies as {}); a 1.1 value conftest reads otherwise (1:20) is refused", () => {
  withRepo("sixthpass-yaml-directive", {
    "policy/main.rego": 'package main\n\ndeny contains "expired" if input.expires == "2001-12-14"\n',
    "old.yaml": "%YAML 1.1\n---\nexpires: 2001-12-14\nenabled: yes\n",
    "clock.yaml": "%YAML 1.1\n---\nat: 1:20\n",
  }, (root) => {
    const run = gatehouse(["check", "--policy", "policy", "old.yaml", "clock.yaml"], root, { timeoutMs: 90_000 });
    assert.is(run.code, 1, run.stdout + run.stderr);
    assert.match(run.stdout, /FAIL old\.yaml \[main\.deny\] expired/);
    assert.match(run.stdout, /FAIL clock\.yaml \[input\/unparsable\] invalid YAML: line 3: the plain value 1:20 is 80 in YAML 1\.1 \(js-yaml\), as gatehouse reads it, but the string "1:20" in YAML 1\.1 as conftest and Kubernetes read it/);
  });
});

const CONFIG = 'version: 1\ncollectors:\n  files:\n    - glob: "*.json"\n      namespace: main\npolicies:\n  - path: policy\n    namespaces: [main]\n';

test("issue 14 (exit codes): gate --pr-body naming nothing, a directory, a FIFO or a device is a usage error (exit 2, named), not ignored with exit 0", () => {
  withRepo("sixthpass-pr-body", { "policy/main.rego": 'package main\n\ndeny contains "x" if input.x == 1\n', "ok.json": '{"x": 2}\n', "gatehouse.config.yaml": CONFIG, "dir/.keep": "" }, (root) => {
    execFileSync("git", ["init", "-q"], { cwd: root });
    execFileSync("mkfifo", [join(root, "pipe")]);
    assert.is(gatehouse(["gate"], root, { timeoutMs: 90_000 }).code, 0);
    const cases: [string, RegExp][] = [
      ["missing.md", /missing\.md: --pr-body file does not exist/],
      ["dir", /dir: --pr-body file is a directory, not a regular file/],
      ["pipe", /pipe: --pr-body file is a FIFO, not a regular file/],
      ["/dev/zero", /\/dev\/zero: --pr-body file is a device, not a regular file/],
    ];
    for (const [path, message] of cases) {
      const run = gatehouse(["gate", "--pr-body", path], root, { timeoutMs: 90_000 });
      assert.not.ok(run.timedOut, `${path}: hung`);
      assert.is(run.code, 2, `${path}: ${run.stdout}${run.stderr}`);
      assert.match(run.stderr, message);
    }
  });
});

test("issue 14 (exit codes): fixtures --dir that is not a directory (missing: ran nothing, exit 0; a file: ENOTDIR crash) and a missing --bundle (denied as tampered, exit 1) are usage errors (exit 2)", () => {
  withRepo("sixthpass-fixtures", { "gatehouse.config.yaml": CONFIG, "notes.txt": "x\n" }, (root) => {
    execFileSync("mkfifo", [join(root, "pipe")]);
    const cases: [string[], RegExp][] = [
      [["--dir", "fixturez"], /fixturez: --dir does not exist/],
      [["--dir", "notes.txt"], /notes\.txt: --dir is not a directory/],
      [["--dir", "pipe"], /pipe: --dir is not a directory/],
      [["--bundle", "bundel"], /bundel: --bundle does not exist/],
    ];
    for (const [args, message] of cases) {
      const run = gatehouse(["fixtures", ...args], root, { timeoutMs: 90_000 });
      assert.is(run.code, 2, `${args.join(" ")}: ${run.stdout}${run.stderr}`);
      assert.match(run.stderr, message);
      assert.not.match(run.stderr, /InternalError/);
    }
  });
});

test("issue 14 (exit codes, data loss): --root that is not a directory is a usage error in every command (clarify and policy effective exited 0 on defaults, init created the typo's directory and wrote into it, contracts crashed on a file)", () => {
  withRepo("sixthpass-root", { "gatehouse.config.yaml": CONFIG, "notes.txt": "x\n" }, (root) => {
    const commands = [["clarify"], ["policy", "effective"], ["contracts", "extract"], ["contracts", "diff"], ["init"], ["gate"], ["fixtures"], ["ledger", "verify"]];
    for (const command of commands) {
      for (const [path, message] of [["typo", /typo: --root does not exist/], ["notes.txt", /notes\.txt: --root is not a directory/]] as const) {
        const run = gatehouse([...command, "--root", path], root, { timeoutMs: 90_000 });
        assert.is(run.code, 2, `${command.join(" ")} --root ${path}: ${run.stdout}${run.stderr}`);
        assert.match(run.stderr, message);
        assert.not.match(run.stderr, /InternalError/);
      }
    }
    assert.not.ok(existsSync(join(root, "typo")), "init created the --root it was given");
    assert.equal(readdirSync(root).sort(), ["gatehouse.config.yaml", "notes.txt"]);
  });
});

test("issue 14: --workers says its range in --help (0 to 256), the range it enforces", () => {
  withRepo("sixthpass-workers-help", {}, (root) => {
    mkdirSync(join(root, "x"));
    for (const command of [["check"], ["gate"], ["promote", "verify"]]) {
      const run = gatehouse([...command, "--help"], root);
      assert.is(run.code, 0, run.stdout + run.stderr);
      assert.match(run.stdout.replace(/\s+/g, " "), /--workers worker threads, a whole number from 0 to 256; 0 evaluates in the main thread/);
    }
  });
});

test.run();
