// The fast paths of evaluation (see docs/performance.md) must keep every fail-closed behaviour:
// raw JSON bytes handed to the wasm, chunked worker replies with the shared-memory watchdog,
// the file walker that replaced fast-glob on the hot path, lazily loaded ajv/yaml/SDK.

import { test } from "uvu";
import * as assert from "uvu/assert";
import { setsSortedLike } from "./helpers/sets.js";
import { closeSync, mkdirSync, mkdtempSync, openSync, rmSync, symlinkSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import fg from "fast-glob";
import { findFiles } from "../src/core/walk.js";
import { displayPath } from "../src/core/paths.js";
import { collectJobs } from "../src/cli/commands/check.js";
import { COMMANDS, commandsFor } from "../src/cli/main.js";
import { chunkSize, evaluateInPool, IN_PROCESS_MAX, workerCount, WorkerProgress, type WorkerInit } from "../src/gate/pool.js";
import { InputEvaluator, readOpenFile, type InputJob, type InputResult } from "../src/gate/evaluate-input.js";
import { fixedNsClock } from "../src/policy/builtins/index.js";
import { buildBundle } from "../src/policy/build.js";
import { loadBundle, type LoadedBundle } from "../src/policy/bundle.js";
import { compilePolicy, instantiate } from "../src/policy/runtime.js";
import { SchemaRegistry } from "../src/schemas/registry.js";
import { packagePath } from "../src/core/paths.js";
import { countJsonKeyTokens, countKeys, InputParseError, parseDocument } from "../src/inputs/parse.js";
import { PolicyEvalError } from "../src/policy/runtime.js";
import { deployment, POLICY as BENCH_POLICY } from "../scripts/bench-inputs.js";

const POLICY = `package main

import rego.v1

deny contains msg if {
	input.name == "bad"
	msg := sprintf("name is %v; spec %v", [input.name, input.spec])
}

deny contains msg if {
	n := input.spin
	some i in numbers.range(1, n)
	some j in numbers.range(1, n)
	i * j == -1
	msg := "unreachable"
}

deny contains msg if {
	input.big == 12345678901234567890
	msg := "big number seen exactly"
}

warn contains msg if {
	input.name == "meh"
	msg := "meh"
}

conflict := 1 if input.conflict

conflict := 2 if input.conflict

deny contains "conflict" if conflict

deny contains "data matches" if data.flag == input.flag

deny contains msg if {
	yaml.is_valid(input.y)
	doc := yaml.unmarshal(input.y)
	msg := sprintf("yaml a=%v, back: %s", [doc.a, yaml.marshal({"b": doc.a})])
}
`;

const work = mkdtempSync(join(tmpdir(), "gatehouse-paths-"));
let bundle: LoadedBundle;
let module: WebAssembly.Module;

async function evaluator(): Promise<InputEvaluator> {
  const policy = await instantiate(module, bundle.manifest.builtins, { clock: fixedNsClock(0n) });
  return new InputEvaluator(policy, bundle.manifest.entrypoints, new SchemaRegistry(packagePath("schemas")), {
    maxInputBytes: 4096,
    selection: { all: false, namespaces: ["main"] },
  });
}

function file(name: string, content: string | Buffer): string {
  const path = join(work, name);
  writeFileSync(path, content);
  return path;
}

const codes = (r: InputResult) => r.findings.map((f) => f.code).sort();
const messages = (r: InputResult) => r.findings.map((f) => f.message).sort();

test.before(async () => {
  mkdirSync(join(work, "policy"));
  writeFileSync(join(work, "policy", "main.rego"), POLICY);
  await buildBundle(join(work, "policy"), join(work, "bundle"));
  bundle = await loadBundle(join(work, "bundle"));
  module = await compilePolicy(bundle.wasm);
});

test.after(() => rmSync(work, { recursive: true, force: true }));

test("PolicyInstance.evaluate (input parsed once per buffer) agrees with the SDK's evaluate", async () => {
  mkdirSync(join(work, "bench-policy"));
  writeFileSync(join(work, "bench-policy", "main.rego"), BENCH_POLICY);
  await buildBundle(join(work, "bench-policy"), join(work, "bench-bundle"));
  const benchBundle = await loadBundle(join(work, "bench-bundle"));
  // Ours: the fast path over the patched runtime, builtins called through HostBridge; the
  // reference: the SDK's evaluate (its input loading, its result reading) over the same patched
  // module and gatehouse's imports. The SDK's own builtin dispatch cannot be the reference here:
  // the natives the host answers as topdown does (arithmetic on numbers that are not int64,
  // native-guards.ts) are called by ids outside the wasm's builtin table, which the SDK refuses;
  // builtins are compared with `opa eval` instead (test/builtins, test/adversarial).
  const policy = await instantiate(await compilePolicy(benchBundle.wasm), benchBundle.manifest.builtins, { clock: fixedNsClock(0n) });
  assert.ok(policy.directReads);
  const reference = await instantiate(await compilePolicy(benchBundle.wasm), benchBundle.manifest.builtins, { clock: fixedNsClock(0n) });
  let denied = 0;
  for (let i = 0; i < 150; i++) {
    const input = policy.encodeInput(deployment(i));
    for (const entrypoint of ["main/deny", "main/warn", "main/deny"]) {
      const ours = policy.evaluate(input, entrypoint);
      const sdk = reference.evaluateWithSdk(input.slice(0), entrypoint) as { result: unknown }[];
      assert.equal(ours, { defined: true, value: setsSortedLike(sdk[0]!.result, ours.value) }, `input ${i} ${entrypoint}`);
      if (entrypoint === "main/deny" && (ours.value as unknown[]).length > 0) denied++;
    }
  }
  assert.ok(denied > 20 && denied < 300, `a fraction of inputs fail (${denied / 2})`);
});

test("PolicyInstance.evaluate: an evaluation error is reported and the next evaluation is clean; data changes are seen", async () => {
  const policy = await instantiate(module, bundle.manifest.builtins, { clock: fixedNsClock(0n) });
  const conflicting = policy.encodeInput({ conflict: true });
  assert.throws(() => policy.evaluate(conflicting, "main/deny"), (e: unknown) => e instanceof PolicyEvalError && /main\/deny: .*conflict/i.test(e.message));
  const input = policy.encodeInput({ name: "bad", spec: 1, flag: 7 });
  assert.equal(policy.evaluate(input, "main/deny"), { defined: true, value: ["name is bad; spec 1"] });
  policy.setData({ flag: 7 });
  assert.equal(policy.evaluate(input, "main/deny"), { defined: true, value: ["data matches", "name is bad; spec 1"] });
  assert.throws(() => policy.evaluate(input, "main/nope"), /not valid/);
  assert.equal(policy.evaluate(input, "main/warn"), { defined: true, value: [] });
});

test("the SDK's yaml builtins (loaded on first call) still work", async () => {
  const policy = await instantiate(module, bundle.manifest.builtins, { clock: fixedNsClock(0n) });
  assert.ok(bundle.manifest.builtins.includes("yaml.unmarshal"));
  const result = policy.evaluate(policy.encodeInput({ y: "a: 1\n" }), "main/deny");
  assert.equal(result, { defined: true, value: ["yaml a=1, back: b: 1\n"] });
});

test("a .json file's bytes give the same findings as the parsed document", async () => {
  const e = await evaluator();
  const doc = { name: "bad", spec: { replicas: 2, tags: ["a", "b"] } };
  const fromFile = e.evaluate({ display: "f.json", file: file("same.json", JSON.stringify(doc, null, 2)) });
  const fromDoc = e.evaluate({ display: "f.json", document: doc });
  assert.equal(codes(fromFile), ["main.deny"]);
  assert.equal(messages(fromFile), messages(fromDoc));
  // Go-compatible sprintf (%v of an object) is still the one the SDK calls.
  assert.match(messages(fromFile)[0]!, /name is bad; spec \{"replicas": 2, "tags": \["a", "b"\]\}/);
});

test("raw bytes path: duplicate keys, oversize and unparsable .json files still deny", async () => {
  const e = await evaluator();
  assert.equal(codes(e.evaluate({ display: "d.json", file: file("dup.json", '{"name": "ok", "name": "bad"}') })), ["input/unparsable"]);
  assert.equal(codes(e.evaluate({ display: "d.json", file: file("dup2.json", '{"a": {"x": 1, "\\u0078": 2}}') })), ["input/unparsable"]);
  assert.equal(codes(e.evaluate({ display: "b.json", file: file("big.json", JSON.stringify({ pad: "x".repeat(5000) })) })), ["input/too-large"]);
  assert.equal(codes(e.evaluate({ display: "u.json", file: file("broken.json", '{"name": ') })), ["input/unparsable"]);
  assert.equal(codes(e.evaluate({ display: "y.json", file: file("yaml.json", "name: bad\n") })), ["input/unparsable"]);
  assert.equal(codes(e.evaluate({ display: "m.json", file: join(work, "missing.json") })), ["input/unreadable"]);
  mkdirSync(join(work, "dir.json"));
  assert.equal(codes(e.evaluate({ display: "dir.json", file: join(work, "dir.json") })), ["input/unreadable"]);
});

test("raw bytes path: a number a double does not keep is refused, not judged otherwise than conftest (a float64) judges it; bytes that are not UTF-8 are refused, not decoded with U+FFFD (issue 14)", async () => {
  const e = await evaluator();
  // The bytes keep this integer exactly, conftest's float64 does not: the two would judge different numbers.
  assert.equal(codes(e.evaluate({ display: "n.json", file: file("num.json", '{"big": 12345678901234567890}') })), ["input/unparsable"]);
  const latin1 = Buffer.concat([Buffer.from('{"name": "bad", "spec": "caf'), Buffer.from([0xe9]), Buffer.from('"}')]);
  const r = e.evaluate({ display: "l.json", file: file("latin1.json", latin1) });
  assert.equal(codes(r), ["input/unparsable"]);
  assert.match(messages(r)[0]!, /not valid UTF-8 text/);
});

test("readOpenFile: the whole file in one read; a file larger than its stat is read on, up to one byte past the limit", () => {
  const read = (name: string, content: string, size: number, max: number): string => {
    const fd = openSync(file(name, content), "r");
    try {
      return readOpenFile(fd, size, max).toString("utf8");
    } finally {
      closeSync(fd);
    }
  };
  assert.is(read("r1.json", '{"a": 1}', 8, 100), '{"a": 1}');
  assert.is(read("r2.json", "", 0, 100), "");
  // Grew after the stat (size says 2): still read to the end.
  assert.is(read("r3.json", "x".repeat(5000), 2, 100_000), "x".repeat(5000));
  // Grew past the limit: stops one byte past it, so the caller refuses it.
  assert.is(read("r4.json", "y".repeat(5000), 2, 1000).length, 1001);
  // Shrank after the stat: what is there.
  assert.is(read("r5.json", "abc", 10, 100), "abc");
});

test("a top-level array is still evaluated element by element", async () => {
  const e = await evaluator();
  const r = e.evaluate({ display: "a.json", file: file("array.json", '[{"name": "bad", "spec": 1}, {"name": "meh"}, {"name": "ok"}]') });
  assert.equal(codes(r), ["main.deny", "main.warn"].sort());
  assert.is(r.record.rulesEvaluated, 6);
});

function init(): WorkerInit {
  return {
    module,
    builtins: bundle.manifest.builtins,
    entrypoints: bundle.manifest.entrypoints,
    schemasDir: packagePath("schemas"),
    options: { maxInputBytes: 1 << 20, selection: { all: false, namespaces: ["main"] } },
    nowNs: "0",
  };
}

test("pool: many chunks over two workers come back in job order", async () => {
  const jobs: InputJob[] = Array.from({ length: 150 }, (_, i) => ({ display: `in-${i}`, document: { name: i % 3 === 0 ? "bad" : "ok", spec: i } }));
  let last = 0;
  const results = await evaluateInPool(init(), jobs, { timeoutMs: 10_000, workers: 2, onProgress: (done) => (last = done) });
  assert.is(results.length, 150);
  assert.is(last, 150);
  results.forEach((r, i) => {
    assert.is(r.record.path, `in-${i}`);
    assert.equal(codes(r), i % 3 === 0 ? ["main.deny"] : []);
  });
});

test("pool: an input past the budget times out alone; the rest of its chunk is evaluated again", async () => {
  const jobs: InputJob[] = Array.from({ length: 40 }, (_, i) => ({ display: `in-${i}`, document: i === 5 ? { spin: 20000 } : { name: i % 2 ? "bad" : "ok", spec: i } }));
  const started = Date.now();
  const results = await evaluateInPool(init(), jobs, { timeoutMs: 300, workers: 1 });
  assert.ok(Date.now() - started < 5_000, "the stuck worker was terminated");
  results.forEach((r, i) => {
    assert.is(r.record.path, `in-${i}`);
    if (i === 5) assert.equal(codes(r), ["policy/timeout"]);
    else assert.equal(codes(r), i % 2 ? ["main.deny"] : []);
  });
});

test("pool: a policy that fails to load stops the started workers and rejects with its error", async () => {
  const jobs: InputJob[] = Array.from({ length: 500 }, (_, i) => ({ display: `in-${i}`, document: { name: "ok" } }));
  const failure = new Error("bundle refused");
  const late = new Promise<WorkerInit>((_, reject) => setTimeout(() => reject(failure), 50));
  try {
    await evaluateInPool(late, jobs, { timeoutMs: 10_000, workers: 2 });
    assert.unreachable("should reject");
  } catch (error) {
    assert.is(error, failure);
  }
});

test("pool: the policy may arrive after the workers started", async () => {
  const jobs: InputJob[] = Array.from({ length: 40 }, (_, i) => ({ display: `in-${i}`, document: { name: i === 3 ? "bad" : "ok", spec: i } }));
  const late = new Promise<WorkerInit>((resolve) => setTimeout(() => resolve(init()), 100));
  const results = await evaluateInPool(late, jobs, { timeoutMs: 10_000, workers: 2 });
  assert.equal(results.map((r) => codes(r).join()), jobs.map((_, i) => (i === 3 ? "main.deny" : "")));
});

test("in-process (workers: 0, and the default for small runs) gives the worker pool's results", async () => {
  const jobs: InputJob[] = Array.from({ length: 70 }, (_, i) => ({ display: `in-${i}`, document: { name: ["bad", "ok", "meh"][i % 3], spec: i } }));
  const pooled = await evaluateInPool(init(), jobs, { timeoutMs: 10_000, workers: 2 });
  let last = 0;
  const inline = await evaluateInPool(init(), jobs, { timeoutMs: 10_000, workers: 0, onProgress: (done) => (last = done) });
  const byDefault = await evaluateInPool(init(), jobs, { timeoutMs: 10_000 });
  assert.ok(jobs.length <= IN_PROCESS_MAX);
  const strip = (rs: InputResult[]) => rs.map((r) => ({ ...r, evaluateMs: 0 }));
  assert.equal(strip(inline), strip(pooled));
  assert.equal(strip(byDefault), strip(pooled));
  assert.is(last, 70);
});

test("in-process: an input past the budget is stopped (even inside wasm) and times out alone", async () => {
  const jobs: InputJob[] = Array.from({ length: 12 }, (_, i) => ({ display: `in-${i}`, document: i === 4 || i === 9 ? { spin: 20000 } : { name: i % 2 ? "bad" : "ok", spec: i } }));
  const started = Date.now();
  const results = await evaluateInPool(init(), jobs, { timeoutMs: 300, workers: 0 });
  assert.ok(Date.now() - started < 5_000, "stopped, not run to completion");
  results.forEach((r, i) => {
    assert.is(r.record.path, `in-${i}`);
    if (i === 4 || i === 9) assert.equal(codes(r), ["policy/timeout"]);
    else assert.equal(codes(r), i % 2 ? ["main.deny"] : []);
  });
});

test("in-process: inputs that each fit the budget never time out, however long the run", async () => {
  // Budget: 15x one input's time, measured once the code is warm (a cold first input is slower
  // than the rest; the margin absorbs a loaded machine's scheduling); 72 inputs, so the run
  // outlasts the budget about five times.
  const one: InputJob = { display: "one", document: { spin: 400 } };
  await evaluateInPool(init(), [one, one, one, one, one, one], { timeoutMs: 60_000, workers: 0 });
  let started = Date.now();
  await evaluateInPool(init(), [one, one, one, one], { timeoutMs: 60_000, workers: 0 });
  const budget = Math.max(50, Math.ceil(((Date.now() - started) / 4) * 15));
  const jobs: InputJob[] = Array.from({ length: 72 }, (_, i) => ({ display: `in-${i}`, document: { spin: 400 } }));
  started = Date.now();
  const results = await evaluateInPool(init(), jobs, { timeoutMs: budget, workers: 0 });
  const elapsed = Date.now() - started;
  assert.equal(results.map(codes), jobs.map(() => []));
  assert.ok(elapsed > budget, `the run took ${elapsed} ms with a ${budget} ms budget per input`);
});

test("chunk size: about eight chunks per thread, between 16 and 64 inputs", () => {
  assert.is(chunkSize(150, 2), 16);
  assert.is(chunkSize(700, 2), 44);
  assert.is(chunkSize(10_000, 2), 64);
  assert.is(chunkSize(10_000, 100), 16);
});

test("worker count: the calling thread alone for small runs, one worker per 200 inputs up to the cores", () => {
  assert.is(workerCount(1, undefined, 2), 0);
  assert.is(workerCount(IN_PROCESS_MAX, undefined, 2), 0);
  assert.is(workerCount(IN_PROCESS_MAX + 1, undefined, 2), 2);
  assert.is(workerCount(10_000, undefined, 2), 2);
  assert.is(workerCount(1_100, undefined, 8), 6);
  assert.is(workerCount(10_000, undefined, 1), 1);
  // An explicit count is exactly that many workers; 0 is the calling thread alone.
  assert.is(workerCount(10, 2, 2), 2);
  assert.is(workerCount(10_000, 0, 2), 0);
});

test("pool: an input past the budget times out alone with two chunks in flight; the rest is evaluated again", async () => {
  // 200 jobs over one worker: chunks of 25, so the stuck job's chunk and the next one are in flight.
  const stuck = new Set([30, 120]);
  const jobs: InputJob[] = Array.from({ length: 200 }, (_, i) => ({ display: `in-${i}`, document: stuck.has(i) ? { spin: 20000 } : { name: i % 2 ? "bad" : "ok", spec: i } }));
  let last = 0;
  const results = await evaluateInPool(init(), jobs, { timeoutMs: 300, workers: 1, onProgress: (done) => (last = done) });
  assert.is(last, 200);
  results.forEach((r, i) => {
    assert.is(r.record.path, `in-${i}`);
    if (stuck.has(i)) assert.equal(codes(r), ["policy/timeout"]);
    else assert.equal(codes(r), i % 2 ? ["main.deny"] : []);
  });
});

test("WorkerProgress: the job id and its start time cross threads through shared memory", () => {
  const p = WorkerProgress.create();
  assert.is(p.current(), undefined, "a fresh one is idle, not on job 0");
  p.start(7, 1234.5);
  assert.equal(new WorkerProgress(p.buffer).current(), { id: 7, since: 1234.5 });
  p.finish();
  assert.is(p.current(), undefined);
});

test("findFiles matches fast-glob's **/*.ext with dot: false, node_modules ignored, and also lists dangling links (so the reader refuses them)", async () => {
  const root = join(work, "tree");
  for (const dir of ["a/b", ".hidden", "node_modules/x", "c"]) mkdirSync(join(root, dir), { recursive: true });
  for (const f of ["top.json", "a/one.yaml", "a/b/two.yml", "a/b/skip.txt", ".dot.json", ".hidden/h.json", "node_modules/x/n.json", "c/p.rego", "c/p_test.rego"]) {
    writeFileSync(join(root, f), "{}");
  }
  symlinkSync(join(root, "a", "b"), join(root, "linked"));
  symlinkSync(join(root, "missing"), join(root, "dangling.json"));
  symlinkSync(join(root, "a"), join(root, "a", "b", "loop"));
  const ours = findFiles(root, { extensions: [".json", ".yaml", ".yml"] });
  assert.equal(ours, ["a/b/two.yml", "a/one.yaml", "dangling.json", "linked/loop/one.yaml", "linked/two.yml", "top.json"]);
  rmSync(join(root, "a", "b", "loop")); // fast-glob walks a link cycle until ELOOP
  const theirs = (await fg("**/*.{json,yaml,yml}", { cwd: root, dot: false, ignore: ["**/node_modules/**"] })).sort();
  // The one intended difference: a dangling link is listed (issue 14, fourth pass), fast-glob drops it.
  assert.equal(findFiles(root, { extensions: [".json", ".yaml", ".yml"] }), [...theirs, "dangling.json"].sort());
  assert.equal(findFiles(root, { extensions: [".rego"], exclude: ["_test.rego"] }), ["c/p.rego"]);
});

test("duplicate-key check by counting: key tokens equal parsed keys exactly when no key repeats", () => {
  const cases = [
    '{}',
    '[]',
    '{"a": "x\\"y", "b": ["{", "}", ","], "c": {"d": "\\\\"}}',
    '{"__proto__": 1, "b": [{"a": 1}, {"a": 2}], "e": "\\u0022,\\\\"}',
    '[{"k": 1}, "k", {"k": {"k": []}}]',
    JSON.stringify(deployment(3)),
    JSON.stringify(deployment(4), null, 2),
  ];
  for (const text of cases) assert.is(countJsonKeyTokens(text), countKeys(JSON.parse(text)), text);
  const deep = `${'{"a":['.repeat(50_000)}1${"]}".repeat(50_000)}`;
  assert.is(countKeys(JSON.parse(deep)), 50_000, "no recursion limit");
  assert.is(countJsonKeyTokens(deep), 50_000);
  const duplicates = [
    '{"a": 1, "a": 2}',
    '{"x": [{"b": "\\\\", "b": 1}]}',
    '{"__proto__": 1, "__proto__": 2}',
    '{"a": {"c": 1}, "b": {"c": 1, "c\\u0000": 2, "\\u0063": 3}}',
  ];
  for (const text of duplicates) {
    assert.ok(countJsonKeyTokens(text) > countKeys(JSON.parse(text)), text);
    assert.throws(() => parseDocument(text, "json"), (e: unknown) => e instanceof InputParseError && /duplicate key/.test(e.message), text);
  }
});

test("check DIR: display paths are what displayPath gives for each file", async () => {
  const root = join(work, "display");
  mkdirSync(join(root, "sub"), { recursive: true });
  for (const f of ["a.json", "sub/b.yaml"]) writeFileSync(join(root, f), "{}");
  for (const arg of [root, `${root}/`, join(root, "sub", "..")]) {
    const jobs = await collectJobs([arg], undefined);
    assert.ok(jobs.length > 0, arg);
    for (const job of jobs) assert.is(job.display, displayPath(job.file!), arg);
  }
  const previous = process.cwd();
  process.chdir(root);
  try {
    assert.equal((await collectJobs(["."], undefined)).map((j) => j.display), ["a.json", "sub/b.yaml"]);
    assert.equal((await collectJobs(["sub"], undefined)).map((j) => j.display), ["sub/b.yaml"]);
  } finally {
    process.chdir(previous);
  }
});

test("CLI: each command is loaded under its own name; a run loads the one it names, else all", async () => {
  for (const [name, load] of Object.entries(COMMANDS)) {
    const command = (await load()) as { command: string };
    assert.is(command.command.split(" ")[0], name);
  }
  const all = Object.keys(COMMANDS).length;
  assert.is((await commandsFor(["check", "x.json", "--format", "json"])).length, 1);
  assert.is((await commandsFor(["--help"])).length, all);
  assert.is((await commandsFor(["nope"])).length, all);
  assert.is((await commandsFor([])).length, all);
});

test("SchemaRegistry loads ajv and the schemas on first use", () => {
  const registry = new SchemaRegistry(join(work, "no-such-dir"));
  assert.throws(() => registry.names);
  const real = new SchemaRegistry(packagePath("schemas"));
  assert.ok(real.names.length > 0);
  assert.ok(real.has(real.names[0]!));
});

test.run();
