// Issue 14.2: nothing anchored bundle/manifest.json. Each tampering below passed `promote verify`
// (and `gate`) before: an entrypoint removed from the manifest, the recorded sources emptied and
// sourceRoot pointed at an empty directory, a bundle rebuilt from a weakened policy with the
// original sources copied into its manifest, a bundle swapped after install. Now the entrypoints
// come from the wasm, a manifest without sources is tampered, and the installed program refuses a
// shipped bundle other than the one pinned into it at build time (bundle/untrusted).

import { appendFileSync, cpSync, mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { dirname, join } from "node:path";
import { test } from "uvu";
import * as assert from "uvu/assert";
import { FailClosed } from "../../src/core/errors.js";
import { packagePath } from "../../src/core/paths.js";
import { InputEvaluator } from "../../src/gate/evaluate-input.js";
import { fixedNsClock } from "../../src/policy/builtins/index.js";
import { compileBundle, loadBundle } from "../../src/policy/bundle.js";
import { entrypointsFromWasm, manifestDisagreement } from "../../src/policy/entrypoints.js";
import type { BundleManifest } from "../../src/policy/manifest.js";
import { instantiate } from "../../src/policy/runtime.js";
import { SchemaRegistry } from "../../src/schemas/registry.js";
import { gatehouseAt, installedCopy } from "../helpers/installed-copy.js";

const NOW = "2026-01-01T00:00:00Z";
const REMOVED = "gatehouse/promotion/output_digest/deny";
const work = mkdtempSync(join(tmpdir(), "gatehouse-issue-14-bundle-"));
const install = installedCopy();

/** A copy of the promotion example whose metrics.csv no longer matches its receipt: output_digest must deny it. */
const example = join(work, "promotion");
cpSync(packagePath("examples", "promotion"), example, { recursive: true });
appendFileSync(join(example, "outputs", "metrics.csv"), "tampered\n");
writeFileSync(join(work, "gatehouse.config.json"), JSON.stringify({ version: 1, collectors: { receipts: {} }, promotion: { registry: "promotion/watcher-registry.json" } }));

const readManifest = (dir: string) => JSON.parse(readFileSync(join(dir, "manifest.json"), "utf8")) as BundleManifest;
const writeManifest = (dir: string, manifest: BundleManifest) => writeFileSync(join(dir, "manifest.json"), JSON.stringify(manifest, null, 2));

/** `promote verify` of the tampered example with the CLI at `root`, and optional extra arguments. */
const verify = (root: string, ...extra: string[]) =>
  gatehouseAt(root, ["promote", "verify", "run.receipt.json", "--registry", "watcher-registry.json", "--now", NOW, "--format", "json", ...extra], example);
const gate = (root: string) => gatehouseAt(root, ["gate", "--root", work, "--now", NOW, "--format", "json"], work);

/** A copy of the shipped bundle at `dir` whose manifest still names the shipped sources (absolute sourceRoot). */
function bundleCopy(name: string, edit: (manifest: BundleManifest) => void = () => {}): string {
  const dir = join(work, name);
  cpSync(packagePath("bundle"), dir, { recursive: true });
  const manifest = readManifest(dir);
  manifest.sourceRoot = packagePath("policy");
  edit(manifest);
  writeManifest(dir, manifest);
  return dir;
}

/** Puts `dir` in place of the installed copy's shipped bundle. */
function swapShipped(dir: string): void {
  rmSync(join(install, "bundle"), { recursive: true, force: true });
  cpSync(dir, join(install, "bundle"), { recursive: true });
  const manifest = readManifest(join(install, "bundle"));
  manifest.sourceRoot = "../policy";
  writeManifest(join(install, "bundle"), manifest);
}

/** The shipped bundle back, byte for byte. */
function restoreShipped(): void {
  rmSync(join(install, "bundle"), { recursive: true, force: true });
  cpSync(packagePath("bundle"), join(install, "bundle"), { recursive: true });
}

test.after(() => {
  rmSync(work, { recursive: true, force: true });
  rmSync(dirname(install), { recursive: true, force: true });
});

test("issue 14.2: the untouched installed copy judges as the checkout does (the tampered output denies)", () => {
  restoreShipped();
  const r = verify(install);
  assert.is(r.code, 1, r.stderr);
  assert.ok(r.codes.includes("promotion/digest-mismatch"), r.codes.join(", "));
});

test("issue 14.2: an entrypoint removed from the manifest denies (shipped: untrusted; passed explicitly: tampered)", () => {
  const removed = (m: BundleManifest) => void (m.entrypoints = m.entrypoints.filter((e) => e.path !== REMOVED));
  const explicit = verify(install, "--policy", bundleCopy("removed", removed));
  assert.is(explicit.code, 1, explicit.stdout);
  assert.equal(explicit.codes, ["bundle/tampered"]);
  assert.match(explicit.stdout, /the wasm has entrypoint gatehouse\/promotion\/output_digest\/deny, which the manifest does not list/);

  swapShipped(bundleCopy("removed-shipped", removed));
  for (const r of [verify(install), gate(install)]) {
    assert.is(r.code, 1, r.stdout);
    assert.equal(r.codes, ["bundle/untrusted"]);
  }
  restoreShipped();
});

test("issue 14.2: an entrypoint added to the manifest, or described as another role, denies", () => {
  const extra = bundleCopy("extra", (m) => m.entrypoints.push({ path: "gatehouse/promotion/output_digest/warn", package: "gatehouse.promotion.output_digest", rule: "warn", role: "warn" }));
  assert.equal(verify(install, "--policy", extra).codes, ["bundle/tampered"]);
  const role = bundleCopy("role", (m) => void (m.entrypoints.find((e) => e.path === REMOVED)!.role = "warn"));
  assert.equal(verify(install, "--policy", role).codes, ["bundle/tampered"]);
});

test("issue 14.2: emptied sources, with sourceRoot at an empty directory or at the real one, deny", () => {
  const empty = join(work, "empty-dir");
  mkdirSync(empty, { recursive: true });
  const emptied = bundleCopy("emptied", (m) => {
    m.sources = {};
    m.sourceRoot = empty;
  });
  const r = verify(install, "--policy", emptied);
  assert.is(r.code, 1);
  assert.equal(r.codes, ["bundle/tampered"]);
  assert.match(r.stdout, /records no Rego sources/);
  assert.equal(verify(install, "--policy", bundleCopy("emptied-real-root", (m) => void (m.sources = {}))).codes, ["bundle/tampered"]);
  // sources kept, sourceRoot at the empty directory: every source is missing.
  assert.equal(verify(install, "--policy", bundleCopy("empty-root", (m) => void (m.sourceRoot = empty))).codes, ["bundle/stale"]);
  // a source path that leaves the source root is not one build records
  const escaping = bundleCopy("escaping", (m) => {
    const [first, digest] = Object.entries(m.sources)[0]!;
    m.sources = { ...m.sources, [`../${first}`]: digest };
  });
  assert.equal(verify(install, "--policy", escaping).codes, ["bundle/tampered"]);

  swapShipped(emptied);
  assert.equal(verify(install).codes, ["bundle/untrusted"]);
  restoreShipped();
});

test("issue 14.2: a bundle rebuilt from a weakened policy, with the original sources copied in, is refused as the shipped bundle", () => {
  const weakPolicy = join(work, "weak-policy");
  cpSync(packagePath("policy"), weakPolicy, { recursive: true });
  const rule = join(weakPolicy, "promotion", "output_digest", "output_digest.rego");
  writeFileSync(rule, readFileSync(rule, "utf8").replaceAll('output.actual.status == "ok"', 'output.actual.status == "never"'));
  const weak = join(work, "weak-bundle");
  const built = gatehouseAt(packagePath(), ["build", "--policy", weakPolicy, "--out", weak], work);
  assert.is(built.code, 0, built.stdout + built.stderr);
  const original = readManifest(packagePath("bundle"));
  const manifest = readManifest(weak);
  manifest.sources = original.sources;
  manifest.sourceRoot = packagePath("policy");
  writeManifest(weak, manifest);
  // Passed explicitly it is the user's own policy, consistent with itself: it evaluates, and lets the tampered output through.
  const explicit = verify(install, "--policy", weak);
  assert.is(explicit.code, 0, explicit.stdout);

  swapShipped(weak);
  for (const r of [verify(install), gate(install)]) {
    assert.is(r.code, 1, r.stdout);
    assert.equal(r.codes, ["bundle/untrusted"]);
  }
  restoreShipped();
});

test("issue 14.2: a bundle swapped after install is refused by every command that loads the shipped bundle", () => {
  const policy = join(work, "extended-policy");
  cpSync(packagePath("policy"), policy, { recursive: true });
  mkdirSync(join(policy, "extra"), { recursive: true });
  writeFileSync(join(policy, "extra", "extra.rego"), 'package gatehouse.extra\n\nwarn contains "extra" if input.never\n');
  const other = join(work, "other-bundle");
  assert.is(gatehouseAt(packagePath(), ["build", "--policy", policy, "--out", other], work).code, 0);
  swapShipped(other);
  // A valid bundle in every other respect, so the manifest's sourceRoot must name its sources.
  const manifest = readManifest(join(install, "bundle"));
  manifest.sourceRoot = policy;
  writeManifest(join(install, "bundle"), manifest);

  const ops = gatehouseAt(
    install,
    ["ops", "check", "examples/ops/raise-nginx-worker-connections.md", "--no-git", "--log", "examples/ops/raise-nginx-worker-connections.log.yaml", "--report", "examples/ops/raise-nginx-worker-connections.report.md", "--format", "json"],
    packagePath(),
  );
  const fixtures = gatehouseAt(install, ["fixtures", "--dir", packagePath("fixtures")], packagePath());
  for (const r of [verify(install), gate(install), ops]) {
    assert.is(r.code, 1, r.stdout + r.stderr);
    assert.equal(r.codes, ["bundle/untrusted"]);
  }
  assert.is(fixtures.code, 1);
  assert.match(fixtures.stdout, /\[bundle\/untrusted\]/);
  restoreShipped();
  assert.is(gatehouseAt(install, ["fixtures", "--dir", packagePath("fixtures")], packagePath()).code, 0);
});

test("issue 14.2: the program carries the pin of the bundle it ships", async () => {
  const pinned = await import("../../src/policy/pinned-bundle.js");
  assert.ok(pinned.PINNED_BUNDLE, "npm run compile pins the committed bundle");
  const bundle = await loadBundle(packagePath("bundle"));
  assert.is(bundle.pinned, true);
  assert.is(pinned.PINNED_BUNDLE!.wasmSha256, bundle.sha256);
  assert.is(pinned.PINNED_BUNDLE!.manifestSha256, bundle.manifestSha256);
  assert.is((await loadBundle(bundleCopy("elsewhere"))).pinned, false);
});

test("issue 14.2: the evaluator evaluates the wasm's rules, and refuses a list that leaves one out", async () => {
  const bundle = await loadBundle(packagePath("bundle"));
  const { module, entrypoints } = await compileBundle(bundle);
  assert.equal(entrypoints, bundle.manifest.entrypoints);
  const policy = await instantiate(module, bundle.manifest.builtins, { clock: fixedNsClock(0n) });
  const options = { maxInputBytes: 1 << 20, selection: { all: true as const } };
  try {
    new InputEvaluator(policy, entrypoints.filter((e) => e.path !== REMOVED), new SchemaRegistry(), options);
    assert.unreachable("an evaluator without one of the wasm's rules");
  } catch (error) {
    assert.instance(error, FailClosed);
    assert.is((error as FailClosed).code, "bundle/tampered");
  }
  // Every package with rules in the wasm is evaluated for its kind.
  const evaluator = new InputEvaluator(policy, entrypoints, new SchemaRegistry(), options);
  const result = evaluator.evaluate({ display: "x.json", document: { a: 1 } });
  assert.is(result.record.rulesEvaluated, entrypoints.filter((e) => e.role !== "exception").length);
});

test("issue 14.2: entrypoints and aggregates are read from the wasm's list; an aggregate build would not make is a problem", () => {
  const names = ["gatehouse_aggregate/p0", "gatehouse_aggregate/p0/deny", "gatehouse_aggregate/p0/warn", "main/deny", "main/warn", "other/deny"];
  const read = entrypointsFromWasm(names);
  assert.equal(read.problems, []);
  assert.equal(read.aggregates, { main: { path: "gatehouse_aggregate/p0", rules: ["deny", "warn"] } });
  assert.equal(read.entrypoints.map((e) => `${e.package}.${e.rule}:${e.role}`), ["main.deny:deny", "main.warn:warn", "other.deny:deny"]);
  // An aggregate pointing at another package's rules is a problem.
  assert.is(entrypointsFromWasm(["gatehouse_aggregate/p1", "main/deny", "main/warn"]).problems.length, 1);
  // A helper or test rule OPA lists because it refers to an entrypoint is not evaluated (as
  // under conftest), so it is neither an entrypoint nor a problem (twelfth pass).
  const withHelper = entrypointsFromWasm(["main/deny", "main/helper", "main/test_deny"]);
  assert.equal(withHelper.problems, []);
  assert.equal(withHelper.entrypoints.map((e) => e.path), ["main/deny"]);
  // The manifest is held to the wasm: aggregates it invents, packages it omits.
  const manifest = {
    entrypoints: read.entrypoints,
    packages: { main: {} },
    aggregates: { main: { path: "gatehouse_aggregate/p0", rules: ["deny"] } },
  } as unknown as BundleManifest;
  const problems = manifestDisagreement(manifest, read);
  assert.ok(problems.some((p) => p.includes("no package entry for other")), problems.join("; "));
  assert.ok(problems.some((p) => p.includes("aggregates")), problems.join("; "));
});

test.run();
