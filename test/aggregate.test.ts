// Aggregate entrypoints (src/policy/manifest.ts aggregateModule): one evaluation per package for
// all its deny/warn/exception rules. The findings must be exactly those of evaluating rule by
// rule, whatever the rules return (sets, undefined complete rules, wrong types, errors), and a
// manifest whose aggregates do not match the wasm or the package must not be trusted.

import { test } from "uvu";
import * as assert from "uvu/assert";
import { mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync, statSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { InputEvaluator, type InputResult } from "../src/gate/evaluate-input.js";
import { fixedNsClock } from "../src/policy/builtins/index.js";
import { buildBundle } from "../src/policy/build.js";
import { loadBundle, type LoadedBundle } from "../src/policy/bundle.js";
import { AGGREGATE_PACKAGE, aggregateModule, type AggregateInfo } from "../src/policy/manifest.js";
import { compilePolicy, instantiate, type PolicyInstance } from "../src/policy/runtime.js";
import { SchemaRegistry } from "../src/schemas/registry.js";
import { packagePath } from "../src/core/paths.js";
import { ConfigError } from "../src/core/errors.js";
import { deployment, POLICY as BENCH_POLICY } from "../scripts/bench-inputs.js";

const MAIN = `package main

deny contains msg if {
	input.name == "bad"
	msg := sprintf("name is %v", [input.name])
}

deny contains {"msg": "object finding", "code": "main.object"} if input.object

violation_size contains msg if {
	input.size > 10
	msg := sprintf("size %d is over 10", [input.size])
}

warn contains "meh" if input.name == "meh"

# A complete rule: undefined unless input.typed is set, then a string (a wrong-typed result).
warn_typed := "not a set" if input.typed

conflict := 1 if input.conflict

conflict := 2 if input.conflict

deny contains "conflict" if conflict

exception contains rules if {
	input.excepted
	rules := ["size"]
}
`;

const OTHER = `package other

deny contains "other says no" if input.name == "bad"
`;

const work = mkdtempSync(join(tmpdir(), "gatehouse-aggregate-"));
let bundle: LoadedBundle;
let module: WebAssembly.Module;

test.before(async () => {
  mkdirSync(join(work, "policy"));
  writeFileSync(join(work, "policy", "main.rego"), MAIN);
  writeFileSync(join(work, "policy", "other.rego"), OTHER);
  await buildBundle(join(work, "policy"), join(work, "bundle"));
  bundle = await loadBundle(join(work, "bundle"));
  module = await compilePolicy(bundle.wasm);
});

test.after(() => rmSync(work, { recursive: true, force: true }));

/** An evaluator over a fresh instance, counting the evaluations it makes. */
async function evaluatorOf(
  b: LoadedBundle,
  m: WebAssembly.Module,
  aggregates: Record<string, AggregateInfo> | undefined,
  namespaces: string[],
): Promise<{ evaluator: InputEvaluator; calls: string[] }> {
  const policy: PolicyInstance = await instantiate(m, b.manifest.builtins, { clock: fixedNsClock(0n) });
  const calls: string[] = [];
  const evaluate = policy.evaluate.bind(policy);
  policy.evaluate = (input, entrypoint) => {
    calls.push(entrypoint);
    return evaluate(input, entrypoint);
  };
  const evaluator = new InputEvaluator(policy, b.manifest.entrypoints, new SchemaRegistry(packagePath("schemas")), {
    maxInputBytes: 1 << 20,
    selection: { all: false, namespaces },
    ...(aggregates ? { aggregates } : {}),
  });
  return { evaluator, calls };
}

const strip = (r: InputResult) => ({ record: r.record, findings: r.findings });

const INPUTS: unknown[] = [
  { name: "ok" },
  { name: "bad" },
  { name: "bad", object: true, size: 11 },
  { name: "meh", size: 12, excepted: true },
  { name: "meh", typed: true },
  { name: "bad", conflict: true },
  { name: "bad", size: 11, conflict: true, excepted: true },
  {},
];

test("build: an aggregate for each package with several entrypoints, none for one entrypoint", () => {
  assert.equal(bundle.manifest.aggregates, {
    main: { path: `${AGGREGATE_PACKAGE}/p0`, rules: ["deny", "exception", "violation_size", "warn", "warn_typed"] },
  });
  // The manifest's entrypoints are the rules, as before; the aggregate is not one of them.
  assert.equal(
    bundle.manifest.entrypoints.map((e) => e.path),
    ["main/deny", "main/exception", "main/violation_size", "main/warn", "main/warn_typed", "other/deny"],
  );
});

test("build: the same sources give the same wasm wherever they are built from", async () => {
  const elsewhere = mkdtempSync(join(tmpdir(), "gatehouse-aggregate-other-"));
  try {
    mkdirSync(join(elsewhere, "somewhere", "policy"), { recursive: true });
    writeFileSync(join(elsewhere, "somewhere", "policy", "main.rego"), MAIN);
    writeFileSync(join(elsewhere, "somewhere", "policy", "other.rego"), OTHER);
    const { manifest } = await buildBundle(join(elsewhere, "somewhere", "policy"), join(elsewhere, "b"));
    assert.is(manifest.wasm.sha256, bundle.manifest.wasm.sha256);
    assert.equal(manifest.aggregates, bundle.manifest.aggregates);
    // Nothing was written into the policy directory.
    assert.equal(readFileSync(join(elsewhere, "somewhere", "policy", "main.rego"), "utf8"), MAIN);
  } finally {
    rmSync(elsewhere, { recursive: true, force: true });
  }
});

test("build: the compile cache keeps a bundle already in place (a run reading it while another builds the same key never sees it removed)", async () => {
  const dir = mkdtempSync(join(tmpdir(), "gatehouse-aggregate-cache-"));
  try {
    mkdirSync(join(dir, "policy"));
    writeFileSync(join(dir, "policy", "main.rego"), MAIN);
    const out = join(dir, "cached");
    await buildBundle(join(dir, "policy"), out, undefined, "keep-existing");
    const first = statSync(join(out, "manifest.json")).ino;
    // Two more builds of the same key at once, as two runs missing the cache at the same time.
    await Promise.all([buildBundle(join(dir, "policy"), out, undefined, "keep-existing"), buildBundle(join(dir, "policy"), out, undefined, "keep-existing")]);
    assert.is(statSync(join(out, "manifest.json")).ino, first, "the bundle in place was kept");
    assert.equal(readdirSync(dir).sort(), ["cached", "policy"], "no staging directory left behind");
    // `gatehouse build --out` replaces.
    await buildBundle(join(dir, "policy"), out);
    assert.is.not(statSync(join(out, "manifest.json")).ino, first, "replaced");
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});

test("build: the aggregate package name is reserved", async () => {
  mkdirSync(join(work, "reserved"));
  writeFileSync(join(work, "reserved", "a.rego"), `package ${AGGREGATE_PACKAGE}.x\n\ndeny contains "x" if true\n`);
  try {
    await buildBundle(join(work, "reserved"), join(work, "reserved-bundle"));
    assert.unreachable("built a policy using the reserved package");
  } catch (error) {
    assert.instance(error, ConfigError);
    assert.match((error as Error).message, /reserved\/a\.rego: package gatehouse_aggregate\.x: the package gatehouse_aggregate is reserved/);
  }
});

test("aggregateModule: string keys and quoted package segments", () => {
  const { source, aggregates } = aggregateModule([{ package: "a.b", rules: ["warn", "deny"] }]);
  assert.equal(aggregates, { "a.b": { path: `${AGGREGATE_PACKAGE}/p0`, rules: ["deny", "warn"] } });
  assert.match(source, /^package gatehouse_aggregate\n/);
  assert.match(source, /p0\["deny"\] := \[x \| x := data\["a"\]\["b"\]\["deny"\]\]/);
});

test("one evaluation per package gives exactly the findings of rule-by-rule evaluation", async () => {
  const together = await evaluatorOf(bundle, module, bundle.manifest.aggregates, ["main", "other"]);
  const apart = await evaluatorOf(bundle, module, undefined, ["main", "other"]);
  const seen = new Set<string>();
  for (const [i, input] of INPUTS.entries()) {
    together.calls.length = 0;
    const a = together.evaluator.evaluate({ display: `in${i}.json`, document: input });
    const b = apart.evaluator.evaluate({ display: `in${i}.json`, document: input });
    assert.equal(strip(a), strip(b), `input ${i}`);
    for (const f of a.findings) seen.add(f.code);
    // main: the aggregate, then rule by rule only when it failed (the conflict inputs); other: its one rule.
    const conflict = (input as { conflict?: boolean }).conflict === true;
    assert.is(together.calls[0], `${AGGREGATE_PACKAGE}/p0`, `input ${i}`);
    assert.is(together.calls.includes("main/deny"), conflict, `input ${i}: rule by rule only after an error`);
    assert.ok(together.calls.includes("other/deny"));
  }
  // The inputs reached every kind of outcome.
  for (const code of ["main.deny", "main.object", "main.violation_size", "main.warn", "policy/bad-result", "policy/eval-error"]) {
    assert.ok(seen.has(code), `no input produced ${code}: ${[...seen].join(", ")}`);
  }
});

test("the bench policy: the same findings both ways on 150 inputs", async () => {
  mkdirSync(join(work, "bench-policy"));
  writeFileSync(join(work, "bench-policy", "main.rego"), BENCH_POLICY);
  await buildBundle(join(work, "bench-policy"), join(work, "bench-bundle"));
  const bench = await loadBundle(join(work, "bench-bundle"));
  const benchModule = await compilePolicy(bench.wasm);
  assert.ok(bench.manifest.aggregates?.["main"]);
  const together = await evaluatorOf(bench, benchModule, bench.manifest.aggregates, ["main"]);
  const apart = await evaluatorOf(bench, benchModule, undefined, ["main"]);
  let failing = 0;
  for (let i = 0; i < 150; i++) {
    const a = together.evaluator.evaluate({ display: "d.json", document: deployment(i) });
    const b = apart.evaluator.evaluate({ display: "d.json", document: deployment(i) });
    assert.equal(strip(a), strip(b), `input ${i}`);
    if (a.findings.some((f) => f.severity === "error")) failing++;
  }
  assert.ok(failing > 20 && failing < 150, `a fraction of inputs fail (${failing})`);
  assert.is(together.calls.length, 150);
  assert.is(apart.calls.length, 300);
});

test("aggregates that do not match the package or the wasm are not used", async () => {
  const real = bundle.manifest.aggregates!["main"]!;
  const forged: Record<string, Record<string, AggregateInfo>> = {
    "a rule missing": { main: { path: real.path, rules: real.rules.filter((r) => r !== "warn") } },
    "an unknown entrypoint": { main: { path: `${AGGREGATE_PACKAGE}/p9`, rules: real.rules } },
  };
  for (const [label, aggregates] of Object.entries(forged)) {
    const { evaluator, calls } = await evaluatorOf(bundle, module, aggregates, ["main"]);
    evaluator.evaluate({ display: "x.json", document: { name: "bad" } });
    assert.not.ok(calls.some((c) => c.startsWith(AGGREGATE_PACKAGE)), label);
  }
  // An entrypoint that exists but is not an aggregate (its result is a set, not one [] or [v]
  // per rule): evaluated, distrusted, and the rules evaluated one by one.
  const wrong = { main: { path: "main/deny", rules: real.rules } };
  const { evaluator, calls } = await evaluatorOf(bundle, module, wrong, ["main"]);
  const reference = await evaluatorOf(bundle, module, undefined, ["main"]);
  for (const input of INPUTS) {
    assert.equal(strip(evaluator.evaluate({ display: "x.json", document: input })), strip(reference.evaluator.evaluate({ display: "x.json", document: input })));
  }
  assert.ok(calls.includes("main/warn"));
});

test.run();
