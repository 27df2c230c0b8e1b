// CLI snapshot tests. Each test/cases/<name>/ holds case.json (setup steps, arguments, stdin,
// env), the files it needs, and expected.txt: the command, its exit code, stdout and stderr.
// A case runs in a temporary copy of its folder, so setup steps may build or tamper freely.
// UPDATE_SNAPSHOTS=1 rewrites expected.txt.

import { spawn, spawnSync } from "node:child_process";
import { appendFileSync, closeSync, cpSync, existsSync, mkdtempSync, openSync, readdirSync, readFileSync, rmSync, symlinkSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { dirname, join } from "node:path";
import { test } from "uvu";
import * as assert from "uvu/assert";
import { GATE_CODES } from "../src/core/codes.js";
import { packagePath } from "../src/core/paths.js";
import { wasmInliningState } from "../src/core/v8-flags.js";

interface Step {
  gatehouse?: string[];
  append?: [string, string];
  write?: [string, string];
  remove?: string;
  /** [link, target]: a symbolic link (the target need not exist) */
  symlink?: [string, string];
}

interface Case {
  description: string;
  setup?: Step[];
  args: string[];
  stdin?: string;
  env?: Record<string, string>;
  /** codes this case must produce (checked against GATE_CODES triggers) */
  codes?: string[];
}

const CASES = packagePath("test", "cases");
const BIN = packagePath("bin", "gatehouse.js");
const cacheDir = mkdtempSync(join(tmpdir(), "gatehouse-cli-cache-"));
/** The environment every run here starts from: nothing of the caller's but PATH and HOME. */
const BASE_ENV = { PATH: process.env.PATH ?? "", HOME: process.env.HOME ?? "", NO_COLOR: "1", GATEHOUSE_CACHE_DIR: cacheDir };

function gatehouse(args: string[], cwd: string, extra: { stdin?: string; env?: Record<string, string> } = {}) {
  const result = spawnSync(process.execPath, [BIN, ...args], {
    cwd,
    input: extra.stdin ?? "",
    encoding: "utf8",
    env: { ...BASE_ENV, ...extra.env },
  });
  return { code: result.status ?? -1, stdout: result.stdout, stderr: result.stderr };
}

function runCase(name: string): { snapshot: string; stdout: string; code: number } {
  const spec = JSON.parse(readFileSync(join(CASES, name, "case.json"), "utf8")) as Case;
  const work = mkdtempSync(join(tmpdir(), `gatehouse-case-${name}-`));
  try {
    cpSync(join(CASES, name), work, { recursive: true });
    for (const step of spec.setup ?? []) {
      if (step.gatehouse) {
        const r = gatehouse(step.gatehouse.map((a) => a.replace("<root>", packagePath())), work);
        if (r.code !== 0) throw new Error(`setup ${step.gatehouse.join(" ")} failed: ${r.stdout}${r.stderr}`);
      }
      if (step.append) appendFileSync(join(work, step.append[0]), step.append[1]);
      if (step.write) writeFileSync(join(work, step.write[0]), step.write[1]);
      if (step.remove) rmSync(join(work, step.remove), { recursive: true, force: true });
      if (step.symlink) symlinkSync(step.symlink[1], join(work, step.symlink[0]));
    }
    const r = gatehouse(spec.args, work, { ...(spec.stdin !== undefined ? { stdin: spec.stdin } : {}), ...(spec.env ? { env: spec.env } : {}) });
    const clean = (s: string) => s.replace(/bundles\/[0-9a-f]{64}/g, "bundles/<key>").replaceAll(cacheDir, "<cache>").replaceAll(work, "<case>").replaceAll(packagePath(), "<root>").replace(/"(totalMs|evaluateMs)": [0-9.]+/g, '"$1": 0');
    const snapshot = [
      `# ${spec.description}`,
      `$ gatehouse ${spec.args.join(" ")}${spec.stdin !== undefined ? " < stdin" : ""}`,
      `exit: ${r.code}`,
      "--- stdout",
      clean(r.stdout).trimEnd(),
      "--- stderr",
      clean(r.stderr).trimEnd(),
      "",
    ].join("\n");
    return { snapshot, stdout: r.stdout, code: r.code };
  } finally {
    rmSync(work, { recursive: true, force: true });
  }
}

const names = readdirSync(CASES).filter((n) => existsSync(join(CASES, n, "case.json"))).sort();
const produced = new Map<string, Set<string>>();

for (const name of names) {
  test(`cli case ${name}`, () => {
    const { snapshot, stdout } = runCase(name);
    const codes = new Set([...stdout.matchAll(/\[([a-z0-9-]+\/[a-z0-9-]+)\]/g)].map((m) => m[1]!));
    produced.set(name, codes);
    const file = join(CASES, name, "expected.txt");
    if (process.env.UPDATE_SNAPSHOTS || !existsSync(file)) writeFileSync(file, snapshot);
    assert.fixture(snapshot, readFileSync(file, "utf8"));
  });
}

test("every fail-closed gate code has a CLI case that triggers it, with exit code 1", () => {
  for (const [code, info] of Object.entries(GATE_CODES)) {
    if (info.trigger.endsWith(".test.ts")) {
      // Codes raised by commands with their own harness (the ledger) name the test file instead.
      const source = readFileSync(packagePath(info.trigger), "utf8");
      assert.ok(source.includes(code) || source.includes(code.replace("/", "\\/")), `${code}: ${info.trigger} never asserts it`);
      continue;
    }
    assert.ok(names.includes(info.trigger), `${code}: no test/cases/${info.trigger}/`);
    const codes = produced.get(info.trigger);
    assert.ok(codes?.has(code), `${code}: test/cases/${info.trigger} does not produce it (got ${[...(codes ?? [])].join(", ")})`);
    const expected = readFileSync(join(CASES, info.trigger, "expected.txt"), "utf8");
    assert.match(expected, /^exit: 1$/m, `${code}: test/cases/${info.trigger} must exit 1`);
  }
});

// The launcher runs the bundle (dist/cli, scripts/bundle.ts); the same CLI unbundled (dist/src)
// must behave the same where bundling changes how files are found: yargs' translations
// (resolved from the installed yargs), its help renderer (loaded on first use), the worker,
// typescript (loaded with require) for contract extraction.
test("the bundled CLI and the unbundled CLI give the same output", () => {
  const unbundled = join(mkdtempSync(join(tmpdir(), "gatehouse-unbundled-")), "unbundled.mjs");
  writeFileSync(unbundled, `import { main } from ${JSON.stringify(packagePath("dist", "src", "cli", "main.js"))};\nawait main(process.argv.slice(2));\n`);
  const run = (launcher: string, args: string[], env: Record<string, string> = {}) => {
    const r = spawnSync(process.execPath, [launcher, ...args], {
      cwd: packagePath(),
      encoding: "utf8",
      env: { ...BASE_ENV, ...env },
    });
    return `exit ${r.status}\n${r.stdout}${r.stderr}`;
  };
  const german = { LC_ALL: "de_DE.UTF-8" };
  const runs: [string[], Record<string, string>][] = [
    [["--help"], {}],
    [["check", "--help"], german],
    [["chek"], german],
    [["frobnicate"], german],
    [[], {}],
    [["check", "test/parity/inputs", "--policy", "test/parity/policy", "--workers", "2"], {}],
    [["contracts", "diff"], {}],
  ];
  try {
    for (const [args, env] of runs) {
      assert.is(run(BIN, args, env), run(unbundled, args, env), `gatehouse ${args.join(" ")}`);
    }
    assert.match(run(BIN, ["frobnicate"], german), /Unbekanntes Argument: frobnicate/);
  } finally {
    rmSync(dirname(unbundled), { recursive: true, force: true });
  }
});

// `gatehouse check ... | head`: the reader leaves early. No stack trace, and the exit code is
// still the verdict's (1: the parity inputs deny), not a crash's.
test("a reader that closes stdout early: quiet, exit code from the verdict", async () => {
  const args = [BIN, "check", "test/parity/inputs", "--policy", "test/parity/policy"];
  const child = spawn(process.execPath, args, { cwd: packagePath(), env: BASE_ENV });
  child.stdout.destroy();
  let stderr = "";
  child.stderr.on("data", (chunk: Buffer) => (stderr += chunk.toString()));
  const code = await new Promise<number | null>((resolve) => child.on("close", resolve));
  assert.is(stderr, "");
  assert.is(code, 1);
});

// A report that cannot be written to stdout did not arrive: exit 2 with the reason, never the verdict.
test("stdout that cannot be written (a full device): exit 2, named on stderr", () => {
  if (!existsSync("/dev/full")) return;
  const fd = openSync("/dev/full", "w");
  try {
    const r = spawnSync(process.execPath, [BIN, "check", "test/parity/inputs/good.json", "--policy", "test/parity/policy", "--format", "json"], {
      cwd: packagePath(),
      stdio: ["ignore", fd, "pipe"],
      encoding: "utf8",
      env: BASE_ENV,
    });
    assert.is(r.status, 2);
    assert.match(r.stderr, /cannot write to stdout: ENOSPC/);
  } finally {
    closeSync(fd);
  }
});

test("--version names gatehouse, the shipped bundle, how its runtime is evaluated, and OPA", () => {
  const manifest = JSON.parse(readFileSync(packagePath("bundle", "manifest.json"), "utf8")) as { wasm: { sha256: string }; opaVersion: string };
  const version = (JSON.parse(readFileSync(packagePath("package.json"), "utf8")) as { version: string }).version;
  const r = gatehouse(["--version"], packagePath());
  assert.is(r.code, 0, r.stderr);
  const lines = r.stdout.split("\n");
  assert.is(lines[0], `gatehouse ${version}`);
  assert.ok(lines[1]!.startsWith(`bundle    sha256:${manifest.wasm.sha256} (built by OPA ${manifest.opaVersion}, `), lines[1]);
  assert.is(lines[2], "runtime   set lookups by identity (opa_value_get, opa_value_iter)");
  assert.match(lines[3]!, /^ {10}native builtin errors raised \([1-9]\d* natives called by the policy, strict-natives\.ts\)$/);
  assert.is(lines[4], "          sets and objects iterated in sorted order, as topdown iterates them (sorted-iteration.ts)");
  assert.is(lines[5], "          builtin arguments and results read from OPA's value structs (verified at load)");
  assert.is(lines[6], `engine    ${wasmInliningState()}`);
  assert.match(lines[7]!, /^opa       /);
  const off = gatehouse(["--version"], packagePath(), { env: { GATEHOUSE_RUNTIME_PATCHES: "off", GATEHOUSE_WASM_INLINING: "off" } });
  assert.is(off.stdout.split("\n")[2], "runtime   without the set-lookup fast path (GATEHOUSE_RUNTIME_PATCHES=off)");
  // The strict native builtins are semantics, not a fast path: GATEHOUSE_RUNTIME_PATCHES leaves them on.
  assert.match(off.stdout.split("\n")[3]!, /native builtin errors raised/);
  // So is sorted iteration.
  assert.match(off.stdout.split("\n")[4]!, /iterated in sorted order/);
  assert.is(off.stdout.split("\n")[6], "engine    V8's defaults (GATEHOUSE_WASM_INLINING=off)");
});

test.after(() => rmSync(cacheDir, { recursive: true, force: true }));
test.run();
