// Issue 14, twelfth pass (the CLI's start, `init` and `keys generate`): files of the user's that
// the CLI touched outside the one reader and the one writer.
// - The bundled yargs read the package.json nearest to the working directory at start (its
//   version guess): a FIFO there, or in any parent directory, hung every command; a link to
//   /dev/zero crashed it.
// - `init` read package.json, tsconfig.json, pyproject.toml and .rego files with readFileSync (a
//   FIFO hung it, /dev/zero crashed it), and wrote through a committed `.github -> /elsewhere`
//   link out of the repository; with --force it replaced links and FIFOs.
// - `keys generate ""` wrote hidden `.key`/`.pub` files.

import { mkdirSync, readdirSync, readFileSync, symlinkSync, writeFileSync } from "node:fs";
import { spawnSync } from "node:child_process";
import { join } from "node:path";
import { test } from "uvu";
import * as assert from "uvu/assert";
import { gatehouse, git, withRepo } from "./harness.js";

const POLICY = 'package main\nimport rego.v1\ndeny contains "replicas" if { input.replicas > 3 }\n';

function mkfifo(path: string): void {
  const r = spawnSync("mkfifo", [path]);
  if (r.status !== 0) throw new Error(`mkfifo ${path}: ${r.stderr}`);
}

test("issue 14.13: a FIFO package.json in the working directory or a parent does not hang the CLI (check denies, version prints)", () => {
  withRepo("cli-start-fifo", { "app/p.rego": POLICY, "app/in.json": '{"replicas": 5}' }, (root) => {
    mkfifo(join(root, "package.json"));
    mkfifo(join(root, "app", "package.json"));
    const denied = gatehouse(["check", "--policy", "p.rego", "in.json"], join(root, "app"), { timeoutMs: 20_000 });
    assert.is(denied.timedOut, false, "check hung on a FIFO package.json");
    assert.is(denied.code, 1, denied.stdout + denied.stderr);
    assert.match(denied.stdout, /FAIL in\.json \[main\.deny\] replicas/);
    const version = gatehouse(["version"], join(root, "app"), { timeoutMs: 20_000 });
    assert.is(version.timedOut, false, "version hung on a FIFO package.json");
    assert.is(version.code, 0, version.stderr);
  });
});

test("issue 14.12: a package.json linked to /dev/zero does not crash the CLI", () => {
  withRepo("cli-start-zero", { "p.rego": POLICY, "in.json": '{"replicas": 1}' }, (root) => {
    symlinkSync("/dev/zero", join(root, "package.json"));
    const r = gatehouse(["check", "--policy", "p.rego", "in.json"], root, { timeoutMs: 20_000 });
    assert.is(r.timedOut, false);
    assert.is(r.code, 0, r.stdout + r.stderr);
    assert.match(r.stdout, /ALLOW/);
  });
});

/** A repository with one TypeScript entry point and, after `prepare`, whatever the case adds. */
function initCase(prepare: (root: string) => void, args: string[] = []) {
  return withRepo("init-targets", { "src/index.ts": "export const a = 1;\n" }, (root) => {
    git(root, "init", "-q");
    prepare(root);
    const before = readdirSync(root).sort();
    const r = gatehouse(["init", "--yes", ...args], root, { timeoutMs: 20_000 });
    return { r, root, before, after: readdirSync(root).sort() };
  });
}

test("issue 14.12/13: init refuses a package.json, tsconfig.json or pyproject.toml that is a FIFO, a link to /dev/zero or a link out of the repository, naming it, and writes nothing", () => {
  const cases: [string, (root: string) => void, RegExp][] = [
    ["package.json FIFO", (root) => mkfifo(join(root, "package.json")), /package\.json: cannot read: a FIFO, not a regular file/],
    ["package.json -> /dev/zero", (root) => symlinkSync("/dev/zero", join(root, "package.json")), /package\.json: cannot read: it resolves outside its root directory/],
    ["package.json malformed", (root) => writeFileSync(join(root, "package.json"), '{"name": "x",'), /package\.json: not valid JSON/],
    ["tsconfig.json FIFO", (root) => (writeFileSync(join(root, "package.json"), '{"main": "src/index.ts"}'), mkfifo(join(root, "tsconfig.json"))), /tsconfig\.json: cannot read: a FIFO/],
    ["pyproject.toml FIFO", (root) => (mkdirSync(join(root, "pkg")), writeFileSync(join(root, "pkg", "__init__.py"), "X = 1\n"), mkfifo(join(root, "pyproject.toml"))), /pyproject\.toml: cannot read: a FIFO/],
    ["a .rego linked out", (root) => (mkdirSync(join(root, "policy")), symlinkSync("/etc/hostname", join(root, "policy", "a.rego"))), /policy\/a\.rego: cannot read: it resolves outside its root directory/],
  ];
  for (const [name, prepare, message] of cases) {
    const { r, before, after } = initCase(prepare);
    assert.is(r.timedOut, false, `${name}: init hung`);
    assert.is(r.code, 2, `${name}: ${r.stdout}${r.stderr}`);
    assert.match(r.stderr, message, name);
    assert.equal(after, before, `${name}: init wrote files before refusing`);
  }
});

test("issue 14.5/11: init writes only regular files inside the repository: a linked .github or contracts folder, and (even with --force) a link or FIFO at a target, are refused before anything is written", () => {
  withRepo("init-outside", {}, (outside) => {
    const cases: [string, (root: string) => void, string[], RegExp][] = [
      [".github -> outside", (root) => symlinkSync(outside, join(root, ".github")), [], /\.github: is a symbolic link, not a directory/],
      ["contracts -> outside", (root) => symlinkSync(outside, join(root, "contracts")), [], /contracts: is a symbolic link, not a directory/],
      ["dangling config link", (root) => symlinkSync(join(outside, "nowhere.yaml"), join(root, "gatehouse.config.yaml")), [], /gatehouse\.config\.yaml: is a symbolic link, not a regular file/],
      ["workflow FIFO with --force", (root) => (mkdirSync(join(root, ".github", "workflows"), { recursive: true }), mkfifo(join(root, ".github", "workflows", "gatehouse.yml"))), ["--force"], /gatehouse\.yml: is a FIFO, not a regular file/],
      ["template link with --force", (root) => (mkdirSync(join(root, ".github")), writeFileSync(join(outside, "t.md"), "theirs\n"), symlinkSync(join(outside, "t.md"), join(root, ".github", "pull_request_template.md"))), ["--force"], /pull_request_template\.md: is a symbolic link, not a regular file/],
    ];
    for (const [name, prepare, args, message] of cases) {
      const { r, before, after } = initCase(prepare, args);
      assert.is(r.code, 2, `${name}: ${r.stdout}${r.stderr}`);
      assert.match(r.stderr, message, name);
      assert.equal(after, before, `${name}: init wrote files before refusing`);
    }
    assert.equal(readdirSync(outside).sort(), ["t.md"], "init wrote outside the repository");
    assert.is(readFileSync(join(outside, "t.md"), "utf8"), "theirs\n");
  });
  // The ordinary run still writes its files, and no temp file of the writer is left.
  const { r, after } = initCase(() => {});
  assert.is(r.code, 0, r.stdout + r.stderr);
  assert.equal(after, [".git", ".github", "contracts", "gatehouse.config.yaml", "src"]);
});

test("issue 14.13: the contracts collector reads package.json through the one reader: a FIFO there is refused naming it (it hung gate)", () => {
  withRepo("contracts-package-fifo", { "src/index.ts": "export function f(a: string): string {\n  return a;\n}\n" }, (root) => {
    git(root, "init", "-q");
    writeFileSync(join(root, "gatehouse.config.yaml"), "version: 1\npack:\n  use: default@1.0\ncollectors:\n  contracts: {}\ncontracts:\n  include: [\"src/**/*.ts\"]\n");
    const accepted = gatehouse(["contracts", "accept"], root);
    assert.is(accepted.code, 0, accepted.stdout + accepted.stderr);
    mkfifo(join(root, "package.json"));
    const r = gatehouse(["gate"], root, { timeoutMs: 20_000 });
    assert.is(r.timedOut, false, "gate hung on a FIFO package.json");
    assert.is(r.code, 2, r.stdout + r.stderr);
    assert.match(r.stderr, /package\.json: cannot read package\.json: a FIFO, not a regular file/);
  });
});

test("issue 14.11: keys generate refuses a prefix that names no file (empty, a directory, . or ..) instead of writing hidden .key/.pub files", () => {
  withRepo("keys-prefix", {}, (root) => {
    for (const prefix of ["", "keys/", ".", "..", "a/.."]) {
      const r = gatehouse(["keys", "generate", prefix], root);
      assert.is(r.code, 2, `${JSON.stringify(prefix)}: ${r.stderr}`);
      assert.match(r.stderr, /UsageError: keys generate: the prefix .* names no file/);
    }
    assert.equal(readdirSync(root), []);
    const ok = gatehouse(["keys", "generate", "release"], root);
    assert.is(ok.code, 0, ok.stderr);
    assert.equal(readdirSync(root).sort(), ["release.key", "release.pub"]);
  });
});

test.run();
