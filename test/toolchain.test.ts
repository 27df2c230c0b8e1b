// The two Rego toolchain drivers (src/toolchain) answer the same requests the same way: the wasm
// module under node:wasi and the pinned native opa (.toolchain/bin) are sent identical requests
// and their answers compared, bundles byte for byte (test/builtins.test.ts's differential method).
// Also: the wasm is refused when it does not match its manifest, the choice between drivers, and
// `check --policy DIR` with nothing but node on PATH. A wasm build costs ~2 s: each policy is
// built once.

import { test } from "uvu";
import * as assert from "uvu/assert";
import { spawnSync } from "node:child_process";
import { cpSync, mkdirSync, mkdtempSync, readFileSync, rmSync, symlinkSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { ToolchainError, UsageError } from "../src/core/errors.js";
import { packagePath } from "../src/core/paths.js";
import { extractFromTarGz, regoSources } from "../src/policy/build.js";
import { chooseToolchain, RegoError, expectOk, type Toolchain, type Workspace } from "../src/toolchain/index.js";
import { NativeToolchain, findTool } from "../src/toolchain/native.js";
import { COMMANDS, PROTOCOL_VERSION, REQUEST_ERROR, type Command, type Commands } from "../src/toolchain/protocol.js";
import { WASM_MANIFEST, WASM_TOOLCHAIN_DIR, loadWasmToolchain, type WasmManifest } from "../src/toolchain/wasi.js";

const work = mkdtempSync(join(tmpdir(), "gatehouse-toolchain-"));
test.after(() => rmSync(work, { recursive: true, force: true }));

const native: Toolchain = new NativeToolchain(findTool("opa"));
const wasm: Toolchain = await loadWasmToolchain();
const CASES = packagePath("test", "cases");
const BIN = packagePath("bin", "gatehouse.js");

/** Writes files under a fresh directory of `work`. */
function tree(name: string, files: Record<string, string>): string {
  const dir = join(work, name);
  mkdirSync(dir, { recursive: true });
  for (const [file, text] of Object.entries(files)) {
    mkdirSync(join(dir, file, ".."), { recursive: true });
    writeFileSync(join(dir, file), text);
  }
  return dir;
}

/** The same request through both drivers. */
async function both<C extends Command>(command: C, args: Commands[C]["args"], at: Workspace) {
  const [fromWasm, fromNative] = [await wasm.request(command, args, at), await native.request(command, args, at)];
  return { wasm: fromWasm, native: fromNative };
}

/** Entrypoints of a policy directory (every deny/warn rule), from the wasm's parse. */
async function entrypointsOf(dir: string): Promise<string[]> {
  const { modules } = await expectOk(wasm, "parse", { paths: await regoSources(dir) }, { root: dir }, dir);
  return modules.flatMap((m) => m.rules.filter((r) => /^(deny|warn|violation|exception)$/.test(r)).map((r) => [...m.package, r].join("/"))).sort();
}

// One request per command, answered alike by both drivers. A command added to the protocol
// without an entry here does not compile.
const POLICY_DIR = tree("protocol", {
  "main.rego": "package main\n\n# METADATA\n# title: no root\n# custom:\n#   severity: error\ndeny contains msg if {\n\tinput.user == \"root\"\n\tmsg := \"runs as root\"\n}\n",
  "main_test.rego": "package main\n\ntest_root if count(deny) == 1 with input as {\"user\": \"root\"}\n\ntest_wrong if count(deny) == 1 with input as {\"user\": \"app\"}\n\ntodo_test_later if false\n",
});
const SAMPLES: { [C in Command]: { args: Commands[C]["args"]; check: (result: Commands[C]["result"]) => void } } = {
  version: { args: {}, check: (r) => assert.is(r.opaVersion, (JSON.parse(readFileSync(join(WASM_TOOLCHAIN_DIR, WASM_MANIFEST), "utf8")) as WasmManifest).opaVersion) },
  build: { args: { paths: ["."], entrypoints: ["main/deny"], ignore: ["*_test.rego"] }, check: (r) => assert.ok(extractFromTarGz(Buffer.from(r.bundle, "base64"), "/policy.wasm").length > 1000) },
  check: { args: { paths: ["."], strict: true }, check: (r) => assert.equal(r, {}) },
  parse: { args: { paths: ["main.rego"] }, check: (r) => assert.equal(r.modules, [{ path: "main.rego", package: ["main"], rules: ["deny"], definitions: [1], documents: [{ path: ["main", "deny"], row: 7 }] }]) },
  inspect: { args: { path: "." }, check: (r) => assert.equal(r.annotations.map((a) => [a.scope, a.path.join("."), a.title, a.custom]), [["rule", "main.deny", "no root", { severity: "error" }]]) },
  fmt: { args: { file: "x.rego", source: "package x\nallow   if { input.a==1 }\n" }, check: (r) => assert.is(r.formatted, "package x\n\nallow if input.a == 1\n") },
  test: { args: { paths: ["."] }, check: (r) => assert.equal(r.tests.map((t) => `${t.name}=${t.outcome}`), ["test_root=pass", "test_wrong=fail", "todo_test_later=skip"]) },
  // The native driver hands trace to the wasm module (the opa CLI has no per-input query trace).
  trace: {
    args: { paths: ["main.rego"], inputs: [{ path: "pod.yaml", document: { user: "root" } }] },
    check: (r) => {
      assert.equal(
        r.files.map((f) => [f.path, f.namespace, f.queries.map((q) => `${q.query} ${q.passed}`)]),
        [["pod.yaml", "main", ['data.main.exception[_][_] == "" true', "data.main.deny false"]]],
      );
      assert.ok(r.files[0]!.queries[1]!.trace.includes('| | Eval input.user = "root"'), r.files[0]!.queries[1]!.trace.join("\n"));
    },
  },
  "parse-inputs": {
    // A format neither driver checks after conftest's parser (the native driver refuses the
    // checked ones, WASM_CHECKED_PARSERS: Dockerfile among them since its heredoc check).
    args: { parser: "toml", files: [{ path: "app.toml", contents: Buffer.from('name = "api"\nreplicas = 3\n[limits]\ncpu = "1"\n').toString("base64") }, { path: "bad/app.toml", contents: Buffer.from("name = \n").toString("base64") }] },
    check: (r) => {
      assert.equal(r.documents[0], { path: "app.toml", document: { name: "api", replicas: 3, limits: { cpu: "1" } } });
      assert.ok((r.documents[1]!.error ?? "") !== "", "the malformed file has an error");
    },
  },
};

for (const command of Object.keys(COMMANDS) as Command[]) {
  test(`protocol: ${command} answers alike through both drivers`, async () => {
    const sample = SAMPLES[command] as { args: Commands[typeof command]["args"]; check: (r: unknown) => void };
    const answers = await both(command, sample.args, { root: POLICY_DIR });
    assert.ok(answers.wasm.ok, JSON.stringify(answers.wasm));
    assert.is(answers.wasm.protocol, PROTOCOL_VERSION);
    if (command === "version") {
      // The Go versions may differ (the native binary is built by whatever Go is installed).
      const w = answers.wasm.ok ? (answers.wasm.result as Commands["version"]["result"]) : undefined;
      const n = answers.native.ok ? (answers.native.result as Commands["version"]["result"]) : undefined;
      assert.is(w?.opaVersion, n?.opaVersion);
    } else {
      assert.equal(answers.wasm, answers.native);
    }
    if (answers.wasm.ok) sample.check(answers.wasm.result);
  });
}

test("build: the repository's bundle through `gatehouse build` with the wasm toolchain equals the committed bundle/", () => {
  const out = join(work, "repo-bundle");
  const run = spawnSync(process.execPath, [BIN, "build", "--out", out], {
    cwd: packagePath(),
    encoding: "utf8",
    env: { PATH: process.env.PATH ?? "", HOME: process.env.HOME ?? "", GATEHOUSE_TOOLCHAIN: "wasm" },
  });
  assert.is(run.status, 0, run.stderr);
  assert.not.match(run.stderr, /ExperimentalWarning/);
  assert.ok(readFileSync(join(out, "policy.wasm")).equals(readFileSync(packagePath("bundle", "policy.wasm"))), "policy.wasm differs from bundle/");
  const manifest = (dir: string) => ({ ...(JSON.parse(readFileSync(join(dir, "manifest.json"), "utf8")) as object), sourceRoot: "" });
  assert.equal(manifest(out), manifest(packagePath("bundle")));
});

test("build: byte-identical bundles from test/cases policies, with default and with explicit capabilities", async () => {
  const capabilities = JSON.parse(spawnSync(findTool("opa"), ["capabilities", "--current"], { encoding: "utf8" }).stdout) as unknown;
  for (const [name, withCapabilities] of [["deny", false], ["exception", false], ["namespace-unmatched", true]] as const) {
    const dir = join(CASES, name, "policy");
    const entrypoints = await entrypointsOf(dir);
    assert.ok(entrypoints.length > 0, name);
    const args = { paths: ["."], entrypoints, ignore: ["*_test.rego"], ...(withCapabilities ? { capabilities } : {}) };
    const answers = await both("build", args, { root: dir });
    assert.ok(answers.wasm.ok && answers.native.ok, `${name}: ${JSON.stringify([answers.wasm, answers.native]).slice(0, 500)}`);
    if (answers.wasm.ok && answers.native.ok) assert.ok(answers.wasm.result.bundle === answers.native.result.bundle, `${name}: bundles differ`);
  }
});

test("build: a Rego v0 policy compiles with regoVersion v0 to byte-identical bundles through both drivers, and is refused as v1", async () => {
  const dir = tree("rego-v0", { "main.rego": 'package main\n\ndeny[msg] {\n  input.user == "root"\n  msg := "runs as root"\n}\n' });
  const args = { paths: ["."], entrypoints: ["main/deny"], regoVersion: "v0" as const };
  const answers = await both("build", args, { root: dir });
  assert.ok(answers.wasm.ok && answers.native.ok, JSON.stringify([answers.wasm, answers.native]).slice(0, 500));
  if (answers.wasm.ok && answers.native.ok) assert.ok(answers.wasm.result.bundle === answers.native.result.bundle, "v0 bundles differ");
  const asV1 = await both("check", { paths: ["."], strict: false }, { root: dir });
  assert.equal(asV1.wasm, asV1.native);
  assert.not.ok(asV1.wasm.ok, "v0 syntax must not pass as v1");
});

test("check: the same errors, as data, for broken policies", async () => {
  const broken = {
    parse: { "a.rego": 'package a\n\ndeny contains "x" if {\n' },
    strict: { "a.rego": 'package a\n\ndeny contains msg if {\n\tx := 1\n\tmsg := "m"\n}\n' },
    types: { "a.rego": "package a\n\ndeny contains msg if {\n\tmsg := undefined_fn(1)\n}\n", "b.rego": 'package b\n\nwarn contains 1 if "a" + 1\n' },
    recursion: { "a.rego": "package a\n\nx if y\n\ny if x\n" },
  };
  const codes: Record<string, string[]> = {};
  for (const [name, files] of Object.entries(broken)) {
    const dir = tree(`broken-${name}`, files);
    const answers = await both("check", { paths: ["."], strict: true }, { root: dir });
    assert.equal(answers.wasm, answers.native, name);
    assert.ok(!answers.wasm.ok, `${name} must fail`);
    if (!answers.wasm.ok) {
      assert.ok(answers.wasm.errors.every((e) => e.location && e.location.file.endsWith(".rego") && e.location.row > 0), name);
      codes[name] = [...new Set(answers.wasm.errors.map((e) => e.code))];
    }
  }
  assert.equal(codes, { parse: ["rego_parse_error"], strict: ["rego_compile_error"], types: ["rego_type_error"], recursion: ["rego_recursion_error"] });
});

test("check: capabilities without a builtin the policy calls fail alike", async () => {
  const dir = tree("capabilities", { "a.rego": 'package a\n\ndeny contains msg if {\n\tmsg := sprintf("%v", [input.x])\n}\n' });
  const current = JSON.parse(spawnSync(findTool("opa"), ["capabilities", "--current"], { encoding: "utf8" }).stdout) as { builtins: { name: string }[] };
  const capabilities = { ...current, builtins: current.builtins.filter((b) => b.name !== "sprintf") };
  const answers = await both("check", { paths: ["."], strict: true, capabilities }, { root: dir });
  assert.equal(answers.wasm, answers.native);
  assert.ok(!answers.wasm.ok && answers.wasm.errors.some((e) => e.message === "undefined function sprintf"), JSON.stringify(answers.wasm));
  assert.ok((await both("check", { paths: ["."], strict: true }, { root: dir })).wasm.ok, "the same module checks with this version's capabilities");
});

test("parse and inspect: the same modules and annotations for the repository's policy/", async () => {
  const dir = packagePath("policy");
  const parsed = await both("parse", { paths: await regoSources(dir) }, { root: dir });
  assert.equal(parsed.wasm, parsed.native);
  const inspected = await both("inspect", { path: "." }, { root: dir });
  assert.equal(inspected.wasm, inspected.native);
  assert.ok(inspected.wasm.ok && inspected.wasm.result.annotations.filter((a) => a.scope === "package").length > 10);
});

test("fmt: v0 is rewritten to v1 by the wasm; the CLI has no such rewrite and says so", async () => {
  const args = { file: "v0.rego", from: "v0" as const, source: 'package v0\n\ndeny[msg] {\n  input.x\n  msg := "no"\n}\n\nallow { true }\n' };
  const answers = await both("fmt", args, { root: work });
  assert.equal(answers.wasm, { protocol: PROTOCOL_VERSION, ok: true, result: { formatted: 'package v0\n\ndeny contains msg if {\n\tinput.x\n\tmsg := "no"\n}\n\nallow := true\n' } });
  assert.ok(!answers.native.ok && answers.native.errors[0]?.code === REQUEST_ERROR);
});

test("expectOk: Rego errors become a RegoError whose message names the files under the policy directory", async () => {
  const dir = tree("expect", { "sub/a.rego": 'package a\n\ndeny contains "x" if {\n' });
  for (const driver of [wasm, native]) {
    const error = await expectOk(driver, "check", { paths: ["."], strict: true }, { root: dir }, "my/policy").catch((e: unknown) => e);
    assert.instance(error, RegoError);
    assert.instance(error, ToolchainError);
    assert.match((error as RegoError).message, /^opa check failed in my\/policy:\nmy\/policy\/sub\/a\.rego:4:0: rego_parse_error: unexpected eof token$/);
  }
});

test("the wasm is refused when it does not match its manifest, or speaks another protocol", async () => {
  const manifest = JSON.parse(readFileSync(join(WASM_TOOLCHAIN_DIR, WASM_MANIFEST), "utf8")) as WasmManifest;
  const tampered = join(work, "tampered");
  cpSync(WASM_TOOLCHAIN_DIR, tampered, { recursive: true });
  const bytes = readFileSync(join(tampered, manifest.wasm.file));
  bytes[bytes.length - 1] ^= 1;
  writeFileSync(join(tampered, manifest.wasm.file), bytes);
  const loaded = await loadWasmToolchain(tampered);
  assert.is(await loaded.opaVersion(), manifest.opaVersion, "the manifest alone names the compiler");
  const refused = await loaded.request("version", {}, { root: work }).catch((e: unknown) => e);
  assert.instance(refused, ToolchainError);
  assert.match((refused as Error).message, /does not match its manifest .*refusing to run a modified toolchain/);

  const otherProtocol = join(work, "other-protocol");
  cpSync(WASM_TOOLCHAIN_DIR, otherProtocol, { recursive: true });
  writeFileSync(join(otherProtocol, WASM_MANIFEST), JSON.stringify({ ...manifest, protocol: PROTOCOL_VERSION + 1 }));
  const mismatch = await loadWasmToolchain(otherProtocol).catch((e: unknown) => e);
  assert.instance(mismatch, ToolchainError);
  assert.match((mismatch as Error).message, new RegExp(`speaks protocol ${PROTOCOL_VERSION + 1}, this gatehouse speaks ${PROTOCOL_VERSION}`));
});

test("the choice: forced by GATEHOUSE_TOOLCHAIN, else pinned opa, GATEHOUSE_OPA, the wasm, opa on PATH; none is an actionable error", () => {
  const opa = findTool("opa");
  const empty = join(work, "no-toolchain");
  const pathWithOpa = tree("path-with-opa", {});
  symlinkSync(opa, join(pathWithOpa, "opa"));
  assert.equal(chooseToolchain({ GATEHOUSE_TOOLCHAIN: "wasm" }, WASM_TOOLCHAIN_DIR, opa), { kind: "wasm", reason: "GATEHOUSE_TOOLCHAIN=wasm" });
  assert.equal(chooseToolchain({ GATEHOUSE_TOOLCHAIN: "native" }, WASM_TOOLCHAIN_DIR, opa), { kind: "native", opa, reason: "GATEHOUSE_TOOLCHAIN=native" });
  assert.throws(() => chooseToolchain({ GATEHOUSE_TOOLCHAIN: "go" }), (e: unknown) => e instanceof UsageError && /must be "wasm" or "native"/.test((e as Error).message));
  assert.throws(() => chooseToolchain({ GATEHOUSE_TOOLCHAIN: "wasm" }, empty, opa), (e: unknown) => e instanceof ToolchainError && /reinstall gatehouse/.test((e as Error).message));
  assert.is(chooseToolchain({}, WASM_TOOLCHAIN_DIR, opa).kind, "native");
  assert.equal(chooseToolchain({ GATEHOUSE_OPA: opa, PATH: "" }, WASM_TOOLCHAIN_DIR, null), { kind: "native", opa, reason: "GATEHOUSE_OPA" });
  assert.equal(chooseToolchain({ PATH: pathWithOpa }, WASM_TOOLCHAIN_DIR, null), { kind: "wasm", reason: "shipped in the package" });
  assert.equal(chooseToolchain({ PATH: pathWithOpa }, empty, null), { kind: "native", opa: join(pathWithOpa, "opa"), reason: "opa on PATH" });
  // A user of the installed package is told what to do without a checkout's npm scripts.
  assert.throws(
    () => chooseToolchain({ PATH: "" }, empty, null),
    (e: unknown) => e instanceof ToolchainError && /^cannot compile Rego: no policy toolchain found\. .*gatehouse-go\.wasm.* reinstall gatehouse\. Or set GATEHOUSE_OPA .*`gatehouse build`\./.test((e as Error).message),
  );
});

test("check --policy DIR works with only node on PATH (the wasm toolchain), as with the native opa", () => {
  const nodeOnly = tree("node-only-bin", {});
  symlinkSync(process.execPath, join(nodeOnly, "node"));
  const cwd = join(CASES, "deny");
  const run = (env: Record<string, string>) =>
    spawnSync(process.execPath, [BIN, "check", "--policy", "policy", "good.json", "bad.json"], {
      cwd,
      encoding: "utf8",
      env: { HOME: process.env.HOME ?? "", NO_COLOR: "1", GATEHOUSE_CACHE_DIR: join(work, `cache-${env.GATEHOUSE_TOOLCHAIN}`), ...env },
    });
  const nodeAlone = run({ PATH: nodeOnly, GATEHOUSE_TOOLCHAIN: "wasm" });
  const withOpa = run({ PATH: process.env.PATH ?? "", GATEHOUSE_TOOLCHAIN: "native" });
  assert.is(nodeAlone.status, 1, nodeAlone.stderr);
  assert.is(nodeAlone.stderr, "");
  assert.match(nodeAlone.stdout, /FAIL bad\.json \[main\.deny\] api must run as non-root/);
  assert.is(nodeAlone.stdout, withOpa.stdout);
  assert.is(nodeAlone.status, withOpa.status);
});

test.run();
