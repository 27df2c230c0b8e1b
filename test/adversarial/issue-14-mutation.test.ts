// Issue 14, Done when: a seeded mutation run of >= 10,000 mutants of the fixtures and examples,
// through `check --kind`, `promote verify` and the pack's overrides and waivers, with 0 fail-open,
// 0 crash and 0 hang.
//
// The oracles are independent of the code under test:
// - a mutant that a strict reading refuses (invalid UTF-8, a byte-order mark, not JSON, a
//   repeated key: `strictJson`) or that fails its kind's schema under a separate ajv instance
//   must be denied;
// - a mutant whose change the promotion gate exists to catch (an output's bytes, a digest, a
//   size, a path, the manifest, an output swapped for a link to a file outside the root) must be
//   denied;
// - mutants of the untrusted repo-local override and of the waivers file must never lift a
//   finding of a locked code, nor loosen enforcement, so a denying run stays denied;
// - every process exits 0 or 1 within its time limit, prints no internal error, and reports on
//   every mutant; no mutant is reported as a policy timeout.
// GATEHOUSE_MUTATION_SEED picks another seed (the default is fixed so CI is reproducible);
// GATEHOUSE_MUTANTS scales the run.

import { spawnSync } from "node:child_process";
import { cpSync, mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync, symlinkSync, unlinkSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join, relative } from "node:path";
import Ajv2020 from "ajv/dist/2020.js";
import addFormatsModule from "ajv-formats";
import { test } from "uvu";
import * as assert from "uvu/assert";
import { isDenying, type Finding } from "../../src/core/findings.js";
import { decide } from "../../src/core/verdict.js";
import type { GateConfig } from "../../src/gate/config.js";
import { resolveEffectivePolicy } from "../../src/packs/effective.js";
import { enforcePack } from "../../src/packs/enforce.js";
import { KINDS, isKind } from "../../src/schemas/kinds.js";
import { SchemaRegistry } from "../../src/schemas/registry.js";
import { mutateBytes, mutateValue, prng, strictJson, type Json } from "./mutate.js";

const root = new URL("../../../", import.meta.url).pathname;
const bin = join(root, "bin", "gatehouse.js");
const SEED = Number(process.env.GATEHOUSE_MUTATION_SEED ?? 20261201);
const SCALE = Number(process.env.GATEHOUSE_MUTANTS ?? 1);
const KIND_MUTANTS = Math.round(6500 * SCALE);
const PROMOTION_MUTANTS = Math.round(2000 * SCALE);
const PACK_MUTANTS = Math.round(2000 * SCALE);
const FIXTURE_NOW = "2026-01-01T00:00:00Z";
const counted: Record<string, number> = {};

type AddFormats = (ajv: InstanceType<typeof Ajv2020.default>) => unknown;
const addFormats = ((addFormatsModule as unknown as { default?: AddFormats }).default ?? addFormatsModule) as unknown as AddFormats;

/** A separate ajv over the schema files, sharing nothing with src/schemas/. */
function independentValidator(): (schemaName: string, data: unknown) => boolean {
  const ajv = new Ajv2020.default({ strict: false, allErrors: false });
  addFormats(ajv);
  const dir = join(root, "schemas");
  const byName = new Map<string, { $id: string }>();
  for (const file of readdirSync(dir).filter((f) => f.endsWith(".schema.json"))) {
    const schema = JSON.parse(readFileSync(join(dir, file), "utf8")) as { $id: string };
    ajv.addSchema(schema);
    byName.set(file.replace(/\.schema\.json$/, ""), schema);
  }
  return (schemaName, data) => {
    const validate = ajv.getSchema(byName.get(schemaName)!.$id)!;
    return validate(data) as boolean;
  };
}
const schemaValid = independentValidator();

interface CliResult {
  code: number | null;
  stderr: string;
  timedOut: boolean;
  report?: { verdict: string; inputs: { path: string }[]; findings: Finding[] };
}

function gatehouse(args: string[], reportFile: string, cwd: string): CliResult {
  const result = spawnSync(process.execPath, [bin, ...args, "--format", `json=${reportFile}`], {
    cwd,
    encoding: "utf8",
    timeout: 240_000,
    maxBuffer: 64 * 1024 * 1024,
    env: { ...process.env, NO_COLOR: "1" },
  });
  const timedOut = result.error !== undefined && /ETIMEDOUT/.test(String(result.error));
  let report: CliResult["report"];
  try {
    report = JSON.parse(readFileSync(reportFile, "utf8")) as CliResult["report"];
  } catch {
    report = undefined;
  }
  return { code: result.status, stderr: result.stderr ?? "", timedOut, ...(report ? { report } : {}) };
}

/** Problems common to every run: a crash, a hang, an unreadable report. */
function runProblems(label: string, result: CliResult): string[] {
  const problems: string[] = [];
  if (result.timedOut) problems.push(`${label}: hang (the process ran past its time limit)`);
  if (result.code !== 0 && result.code !== 1) problems.push(`${label}: exit ${result.code}: ${result.stderr.slice(0, 400)}`);
  if (/InternalError|at .+\(.+:\d+:\d+\)/.test(result.stderr)) problems.push(`${label}: internal error on stderr: ${result.stderr.slice(0, 400)}`);
  if (!result.report) problems.push(`${label}: no JSON report`);
  return problems;
}

function findingsByInput(findings: readonly Finding[]): Map<string, Finding[]> {
  const map = new Map<string, Finding[]>();
  for (const finding of findings) {
    if (finding.input === undefined) continue;
    const list = map.get(finding.input) ?? [];
    list.push(finding);
    map.set(finding.input, list);
  }
  return map;
}

function summarise(problems: string[]): string {
  return `${problems.length} problems (seed ${SEED}):\n${problems.slice(0, 25).join("\n")}`;
}

// ---------------------------------------------------------------------------------------------
// 1. Input kinds: every fixture case of every kind, mutated, through `check --kind`.

interface FixtureCase {
  kind: string;
  description: string;
  data: Json;
}

function fixtureCases(): FixtureCase[] {
  const cases: FixtureCase[] = [];
  const dir = join(root, "fixtures");
  for (const kind of readdirSync(dir).sort()) {
    if (!isKind(kind)) continue;
    for (const file of readdirSync(join(dir, kind)).filter((f) => f.endsWith(".json")).sort()) {
      const suite = JSON.parse(readFileSync(join(dir, kind, file), "utf8")) as { tests: { description: string; data: Json }[] };
      for (const t of suite.tests) cases.push({ kind, description: `${kind}/${file}: ${t.description}`, data: t.data });
    }
  }
  return cases;
}

test("issue 14: mutants of every kind's fixtures through check --kind: 0 fail-open, 0 crash, 0 hang", () => {
  const cases = fixtureCases();
  assert.ok(cases.length > 50, `fixture cases found: ${cases.length}`);
  const work = mkdtempSync(join(tmpdir(), "gatehouse-mutants-"));
  const problems: string[] = [];
  let mutants = 0;
  try {
    const random = prng(SEED);
    const expectations = new Map<string, { kind: string; origin: string; mustDeny: string | undefined }>();
    for (let i = 0; i < KIND_MUTANTS; i++) {
      const origin = cases[i % cases.length]!;
      const name = `m${String(i).padStart(5, "0")}.json`;
      const kindDir = join(work, origin.kind);
      mkdirSync(kindDir, { recursive: true });
      let bytes: Buffer;
      let how: string;
      if (random() < 0.2) {
        const m = mutateBytes(JSON.stringify(origin.data, null, 2), random);
        bytes = m.bytes;
        how = `bytes:${m.operator}`;
      } else {
        const m = mutateValue(origin.data, random);
        bytes = Buffer.from(JSON.stringify(m.document, null, 2));
        how = `${m.operator} at ${m.path}`;
      }
      writeFileSync(join(kindDir, name), bytes);
      const strict = strictJson(bytes);
      const schema = KINDS[origin.kind as keyof typeof KINDS].schema;
      const mustDeny = !strict.ok ? `strict reading refuses it (${strict.reason})` : !schemaValid(schema, strict.value) ? `fails ${schema}` : undefined;
      expectations.set(`${origin.kind}/${name}`, { kind: origin.kind, origin: `${origin.description} <- ${how}`, mustDeny });
      mutants++;
    }
    for (const kind of readdirSync(work).sort()) {
      const result = gatehouse(["check", "--policy", join(root, "bundle"), "--kind", kind, "--now", FIXTURE_NOW, kind], join(work, `${kind}.report.json`), work);
      problems.push(...runProblems(`check --kind ${kind}`, result));
      if (!result.report) continue;
      const byInput = findingsByInput(result.report.findings);
      const seen = new Set(result.report.inputs.map((input) => input.path));
      for (const [path, expected] of expectations) {
        if (expected.kind !== kind) continue;
        const findings = byInput.get(path) ?? [];
        if (!seen.has(path) && findings.length === 0) problems.push(`${path} (${expected.origin}): not reported at all`);
        if (expected.mustDeny && !findings.some(isDenying)) problems.push(`fail-open: ${path} (${expected.origin}) ${expected.mustDeny} but was not denied`);
        const timeout = findings.find((f) => f.code === "policy/timeout");
        if (timeout) problems.push(`hang: ${path} (${expected.origin}): ${timeout.message}`);
      }
    }
  } finally {
    rmSync(work, { recursive: true, force: true });
  }
  counted.kinds = mutants;
  assert.ok(problems.length === 0, summarise(problems));
});

// ---------------------------------------------------------------------------------------------
// 2. Promotion: the example run (receipt, manifest, outputs), mutated, through `promote verify`.

const PROMOTION_CONFIG = "version: 1\ncollectors: {}\npromotion:\n  registry: example/watcher-registry.json\n";
/** Receipt fields whose change the promotion gate exists to catch. */
// (manifest.path is only a hint: the collector also finds the manifest by its digest.)
const GUARDED_FIELD = /^\/(outputs\/\d+\/(digest|digest\/sha256|bytes|path)|manifest(\/digest|\/digest\/sha256)?)$/;

test("issue 14: mutants of the promotion example through promote verify: 0 fail-open, 0 crash, 0 hang", () => {
  const work = mkdtempSync(join(tmpdir(), "gatehouse-mutants-"));
  const problems: string[] = [];
  let mutants = 0;
  try {
    const example = join(root, "examples", "promotion");
    const receipt = JSON.parse(readFileSync(join(example, "run.receipt.json"), "utf8")) as Json & { outputs: { path: string }[] };
    const outputs = receipt.outputs.map((o) => o.path);
    cpSync(example, join(work, "example"), { recursive: true });
    writeFileSync(join(work, "gatehouse.config.yaml"), PROMOTION_CONFIG);
    // Same bytes as an output, outside every run directory: a link to it must still deny.
    mkdirSync(join(work, "private"));
    const random = prng(SEED + 1);
    const expectations = new Map<string, { origin: string; mustDeny: string | undefined }>();
    const receipts: string[] = [];
    for (let i = 0; i < PROMOTION_MUTANTS; i++) {
      const run = join(work, "runs", `r${String(i).padStart(5, "0")}`);
      mkdirSync(join(run, "outputs"), { recursive: true });
      for (const file of ["run.manifest.json", ...outputs]) cpSync(join(example, file), join(run, file));
      const receiptFile = join(run, "run.receipt.json");
      let receiptBytes: Buffer = Buffer.from(JSON.stringify(receipt, null, 2));
      let origin: string;
      let mustDeny: string | undefined;
      const choice = random();
      if (choice < 0.15) {
        const target = outputs[Math.floor(random() * outputs.length)]!;
        const file = join(run, target);
        const original = readFileSync(file);
        const op = Math.floor(random() * 4);
        if (op === 0) writeFileSync(file, Buffer.concat([original, Buffer.from("\n")]));
        else if (op === 1) {
          const flipped = Buffer.from(original);
          const at = Math.floor(random() * flipped.length);
          flipped[at] = flipped[at]! ^ 0x01;
          writeFileSync(file, flipped);
        } else if (op === 2) writeFileSync(file, original.subarray(0, original.length - 1));
        else unlinkSync(file);
        origin = `output ${target} ${["appended", "bit flipped", "truncated", "deleted"][op]}`;
        mustDeny = "an output no longer matches its receipt";
      } else if (choice < 0.25) {
        const target = outputs[Math.floor(random() * outputs.length)]!;
        const outside = join(work, "private", `r${i}-${target.replace(/\//g, "_")}`);
        cpSync(join(run, target), outside);
        unlinkSync(join(run, target));
        symlinkSync(relative(join(run, target, ".."), outside), join(run, target));
        origin = `output ${target} replaced by a link to a copy outside the run`;
        mustDeny = "an output resolves outside the root";
      } else if (choice < 0.32) {
        const manifest = join(run, "run.manifest.json");
        writeFileSync(manifest, readFileSync(manifest, "utf8").replace(/"seed": \d+/, '"seed": 1'));
        origin = "manifest edited";
        mustDeny = "the manifest no longer matches its digest in the receipt";
      } else if (choice < 0.47) {
        const m = mutateBytes(receiptBytes.toString("utf8"), random);
        receiptBytes = m.bytes;
        origin = `receipt bytes:${m.operator}`;
        const strict = strictJson(receiptBytes);
        mustDeny = !strict.ok ? `strict reading refuses it (${strict.reason})` : !schemaValid("run-receipt.v1", strict.value) ? "fails run-receipt.v1" : undefined;
      } else {
        const m = mutateValue(receipt, random);
        receiptBytes = Buffer.from(JSON.stringify(m.document, null, 2));
        origin = `receipt ${m.operator} at ${m.path}`;
        const before = JSON.stringify(pointer(receipt, m.path));
        const after = JSON.stringify(pointer(m.document, m.path));
        const changed = before !== after && before.toLowerCase() !== after?.toLowerCase();
        if (!schemaValid("run-receipt.v1", m.document)) mustDeny = "fails run-receipt.v1";
        else if (GUARDED_FIELD.test(m.path) && changed) mustDeny = "a digest, size or path the gate verifies was changed";
      }
      writeFileSync(receiptFile, receiptBytes);
      expectations.set(receiptFile, { origin, mustDeny });
      receipts.push(receiptFile);
      mutants++;
    }
    // One process per batch keeps the argument list and the run time bounded.
    for (let start = 0; start < receipts.length; start += 500) {
      const batch = receipts.slice(start, start + 500);
      const result = gatehouse(["promote", "verify", "--root", work, "--now", FIXTURE_NOW, ...batch], join(work, `promote-${start}.json`), work);
      problems.push(...runProblems(`promote verify (batch ${start})`, result));
      if (!result.report) continue;
      const byInput = findingsByInput(result.report.findings);
      for (const file of batch) {
        const expected = expectations.get(file)!;
        const findings = byInput.get(relative(work, file)) ?? [];
        if (expected.mustDeny && !findings.some(isDenying)) problems.push(`fail-open: ${relative(work, file)} (${expected.origin}): ${expected.mustDeny} but was not denied`);
        if (findings.some((f) => f.code === "policy/timeout")) problems.push(`hang: ${relative(work, file)} (${expected.origin})`);
      }
    }
  } finally {
    rmSync(work, { recursive: true, force: true });
  }
  counted.promotion = mutants;
  assert.ok(problems.length === 0, summarise(problems));
});

function pointer(document: Json, path: string): Json | undefined {
  let node: Json | undefined = document;
  for (const step of path.split("/").slice(1)) {
    if (step === "") continue;
    node = node !== null && typeof node === "object" ? (node as Record<string, Json>)[step] : undefined;
  }
  return node;
}

// ---------------------------------------------------------------------------------------------
// 3. The pack: mutants of the repo-local override and of the waivers file, in process.

/** Findings no waiver and no override may lift (issue 14.3): the run must stay denied. */
const LOCKED: Finding[] = [
  { code: "bundle/tampered", severity: "error", message: "wasm sha256 differs", source: "gate", input: "bundle/manifest.json", location: { file: "bundle/manifest.json" } },
  { code: "contracts/registry-missing", severity: "error", message: "contracts/registry.json is missing", source: "gate", input: "contracts/registry.json", location: { file: "contracts/registry.json" } },
];
/** A finding of an ordinary rule under block mode: the untrusted file may not loosen it (14.4). */
const BREAKING: Finding = {
  code: "contracts/breaking-unapproved",
  severity: "error",
  message: "BREAKING change to getUser without an approved decision",
  source: "policy",
  input: "src/users.ts",
  location: { file: "src/users.ts", line: 7 },
};

const LOOSENING_OVERRIDE: Json = {
  version: 1,
  enforcement: { mode: "warn" },
  rules: {
    "contracts/breaking-unapproved": { severity: "info", enabled: false },
    "contracts/*": { severity: "warning" },
    "bundle/tampered": { severity: "info" },
    "contracts/registry-missing": { severity: "info" },
  },
};

function waiversFor(findings: readonly Finding[]): Json {
  return {
    version: 1,
    waivers: findings.map((f) => ({ code: f.code, target: { file: f.location!.file! }, reason: "mutant", owner: "alice", expires: "2026-12-31" })),
  };
}

test("issue 14: mutants of the repo-local override and the waivers never lift a locked finding nor loosen enforcement", () => {
  const schemas = new SchemaRegistry();
  const repo = mkdtempSync(join(tmpdir(), "gatehouse-mutants-"));
  const problems: string[] = [];
  let mutants = 0;
  try {
    mkdirSync(join(repo, ".gatehouse"));
    writeFileSync(join(repo, "README.md"), "# x\n\n## Usage\n\nrun it\n");
    const config: GateConfig = { version: 1, pack: { use: "team-standard@1.0" }, collectors: { contracts: {} } };
    const random = prng(SEED + 2);
    for (let i = 0; i < PACK_MUTANTS; i++) {
      const local = i % 2 === 0;
      // The override mutants start from a loosening file; the waiver mutants from waivers of the locked codes.
      const base = local ? LOOSENING_OVERRIDE : waiversFor(LOCKED);
      const findings = local ? [...LOCKED, BREAKING] : LOCKED;
      let bytes: Buffer;
      let how: string;
      if (random() < 0.15) {
        const m = mutateBytes(JSON.stringify(base, null, 2), random);
        bytes = m.bytes;
        how = `bytes:${m.operator}`;
      } else {
        const m = i < 4 ? { document: base, operator: "none", path: "/" } : mutateValue(base, random);
        bytes = Buffer.from(JSON.stringify(m.document, null, 2));
        how = `${m.operator} at ${m.path}`;
      }
      rmSync(join(repo, ".gatehouse"), { recursive: true, force: true });
      mkdirSync(join(repo, ".gatehouse"));
      writeFileSync(join(repo, ".gatehouse", local ? "policy.json" : "waivers.yaml"), bytes);
      const label = `${local ? "repo-local override" : "waivers"} mutant ${i} (${how})`;
      try {
        const effective = resolveEffectivePolicy({ root: repo, config, configFile: join(repo, "gatehouse.config.yaml"), schemas });
        const verdict = enforcePack(decide(findings, [], { durations: { totalMs: 0, evaluateMs: 0 } }), {
          root: repo,
          effective,
          schemas,
          enabledCollectors: ["contracts"],
          nowMs: Date.parse("2026-06-01T00:00:00Z"),
        });
        if (verdict.decision !== "deny") problems.push(`fail-open: ${label} turned the run into ALLOW`);
        for (const locked of findings) {
          const after = verdict.findings.find((f) => f.code === locked.code && f.input === locked.input);
          if (!after || !isDenying(after)) problems.push(`fail-open: ${label} lifted ${locked.code} (${after ? `severity ${after.severity}${after.suppressed ? ", suppressed" : ""}` : "gone"})`);
        }
        if (local && verdict.policy?.mode !== "block") problems.push(`fail-open: ${label} switched enforcement to ${verdict.policy?.mode}`);
      } catch (error) {
        // A configuration error stops the run with exit 2: not an ALLOW. Anything else is a crash.
        if ((error as Error).name !== "ConfigError") problems.push(`crash: ${label}: ${(error as Error).stack?.split("\n").slice(0, 3).join(" | ")}`);
      }
      mutants++;
    }
  } finally {
    rmSync(repo, { recursive: true, force: true });
  }
  counted.packs = mutants;
  assert.ok(problems.length === 0, summarise(problems));
});

test("issue 14: the mutation run holds at least 10,000 mutants", () => {
  const total = (counted.kinds ?? 0) + (counted.promotion ?? 0) + (counted.packs ?? 0);
  if (SCALE >= 1) assert.ok(total >= 10_000, `mutants run: ${JSON.stringify(counted)}`);
  else assert.ok(total > 0);
});

test.run();
