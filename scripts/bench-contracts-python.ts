// Real Python release pairs (not part of `npm test`): `npm run bench:corpus`, also run by
// `npm run bench`. For each pair of test/contracts/corpus/python-pairs.json: download both Debian
// binary packages (`apt-get download python3-x=VERSION`; PyPI is not reachable here) into a cache
// directory (GATEHOUSE_PY_CORPUS_CACHE, default a folder under the OS temp dir; never committed)
// and unpack them (`dpkg-deb -x`), confirm each labelled break by running its caller with python3
// against the old tree (must succeed) and the new one (must fail), extract and diff with gatehouse
// and with griffe (`find_breaking_changes`, as `griffe check` runs it, from the python3-griffe
// package of the same cache), and print recall on the confirmed breaks and findings on minor/patch
// bumps side by side. Exits 2, saying what to install, when a tool it needs is missing.

import { execFileSync, spawnSync } from "node:child_process";
import { existsSync, mkdirSync, readdirSync, readFileSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { diffContracts, type ContractChange } from "../src/contracts/diff.js";
import { extractContracts } from "../src/contracts/extract.js";
import { packagePath } from "../src/core/paths.js";

interface Break {
  symbol: string;
  changelog: string;
  caller: string;
  /** false: the changelog does not list it (a break found and confirmed by the caller only) */
  listed?: false;
}

interface Pair {
  /** the import name (`click`, `six`) */
  module: string;
  /** the Debian binary package that ships it */
  binary: string;
  old: string;
  new: string;
  bump: "major" | "minor" | "patch";
  /** Debian packages (`binary=version`) the callers import besides the package itself */
  oldDeps?: string[];
  newDeps?: string[];
  breaks: Break[];
}

interface GriffeBreakage {
  kind: string;
  path: string;
  explanation: string;
}

const VERBOSE = process.env.GATEHOUSE_CORPUS_VERBOSE === "1";
const CACHE = process.env.GATEHOUSE_PY_CORPUS_CACHE ?? join(tmpdir(), "gatehouse-contracts-corpus-py");
const GRIFFE = { binary: "python3-griffe", version: "1.7.3-1" };
const DIST = join("usr", "lib", "python3", "dist-packages");

/** A tool the bench needs, and the Debian package that provides it. */
const TOOLS: [command: string, args: string[], install: string][] = [
  ["python3", ["--version"], "apt-get install python3"],
  ["apt-get", ["--version"], "apt-get (Debian's apt)"],
  ["dpkg-deb", ["--version"], "apt-get install dpkg"],
  ["python3", ["-c", "import colorama"], "apt-get install python3-colorama (griffe needs it)"],
];

function missingTools(): string[] {
  return TOOLS.filter(([command, args]) => spawnSync(command, args, { stdio: "ignore" }).status !== 0).map(([, , install]) => install);
}

class MissingPackage extends Error {}

/** The unpacked `binary=version` (apt-get download + dpkg-deb -x, once per cache): its dist-packages folder. */
function unpacked(binary: string, version: string): string {
  const dir = join(CACHE, `${binary}_${version}`);
  const dist = join(dir, DIST);
  if (existsSync(dist)) return dist;
  const debs = join(CACHE, "deb");
  mkdirSync(debs, { recursive: true });
  const prefix = `${binary}_${version.replace(/^\d+:/, "")}_`;
  if (!readdirSync(debs).some((f) => f.startsWith(prefix))) {
    const result = spawnSync("apt-get", ["download", `${binary}=${version}`], { cwd: debs, encoding: "utf8" });
    if (result.status !== 0) throw new MissingPackage(`apt-get download ${binary}=${version} failed: ${(result.stderr || "").trim().split("\n").pop()}`);
  }
  const deb = readdirSync(debs).find((f) => f.startsWith(prefix) && f.endsWith(".deb"));
  if (!deb) throw new MissingPackage(`apt-get download ${binary}=${version} wrote no .deb`);
  mkdirSync(dir, { recursive: true });
  execFileSync("dpkg-deb", ["-x", join(debs, deb), dir]);
  return dist;
}

/** Does `caller` run with python3 against the tree at `dist` and its dependencies (nothing else from dist-packages)? */
function runs(dist: string, deps: string[], caller: string): { ok: boolean; error: string } {
  const path = [dist, ...deps.map((d) => unpacked(d.split("=")[0]!, d.split("=")[1]!))].join(":");
  // -S: no site-packages, so the installed copy (if any) cannot stand in for the tree under test.
  const result = spawnSync("python3", ["-S", "-c", caller], { env: { PATH: process.env.PATH ?? "", PYTHONPATH: path, PYTHONDONTWRITEBYTECODE: "1" }, encoding: "utf8", timeout: 30_000 });
  return { ok: result.status === 0, error: (result.stderr || "").trim().split("\n").pop() ?? "" };
}

const GRIFFE_DRIVER = `
import json, sys
sys.path.insert(0, sys.argv[1])
import griffe
name, old, new = sys.argv[2:5]
load = lambda path: griffe.load(name, search_paths=[path], try_relative_path=False, allow_inspection=False, resolve_aliases=True, resolve_external=None)
before, after = load(old), load(new)
print(json.dumps([{"kind": b.kind.value, "path": b.obj.path, "explanation": b.explain()} for b in griffe.find_breaking_changes(before, after)]))
`;

function griffeBreakages(griffeDist: string, module: string, oldDist: string, newDist: string): GriffeBreakage[] | undefined {
  const result = spawnSync("python3", ["-S", "-c", GRIFFE_DRIVER, griffeDist, module, oldDist, newDist], { env: { PATH: process.env.PATH ?? "", PYTHONPATH: "/usr/lib/python3/dist-packages", PYTHONDONTWRITEBYTECODE: "1" }, encoding: "utf8", maxBuffer: 64 * 1024 * 1024, timeout: 300_000 });
  if (result.status !== 0) {
    console.log(`  griffe failed on ${module}: ${(result.stderr || "").trim().split("\n").pop()}`);
    return undefined;
  }
  return JSON.parse(result.stdout) as GriffeBreakage[];
}

const mentions = (text: string, symbol: string) => new RegExp(`(^|[^\\w])${symbol.replace(/[.$]/g, "\\$&")}([^\\w]|$)`).test(text);
const oursMention = (c: ContractChange, symbol: string) => mentions(c.symbol.name, symbol) || mentions(c.message, symbol) || mentions(c.param ?? "", symbol);
const theirsMention = (g: GriffeBreakage, symbol: string) => mentions(g.path, symbol) || mentions(g.explanation, symbol);

/** The files gatehouse reads: the package folder (or the single module file) inside dist-packages. */
function selection(dist: string, module: string): string[] {
  return existsSync(join(dist, module)) ? [`${module}/**/*.py`] : [`${module}.py`];
}

async function main(): Promise<void> {
  const missing = missingTools();
  if (missing.length > 0) {
    console.error(`bench-contracts-python: missing tools; install them first:\n  ${missing.join("\n  ")}`);
    process.exitCode = 2;
    return;
  }
  const corpus = JSON.parse(readFileSync(packagePath("test", "contracts", "corpus", "python-pairs.json"), "utf8")) as { pairs: Pair[] };
  let griffeDist: string;
  try {
    griffeDist = unpacked(GRIFFE.binary, GRIFFE.version);
  } catch (error) {
    console.error(`bench-contracts-python: ${(error as Error).message}\n  griffe ${GRIFFE.version} is in Debian trixie: add a "deb" source for trixie (pinned low in /etc/apt/preferences.d), then apt-get update`);
    process.exitCode = 2;
    return;
  }
  console.log(`cache ${CACHE}; griffe ${GRIFFE.version}`);
  const totals = { labelled: 0, confirmed: 0, ours: 0, theirs: 0, oursFalse: 0, theirsFalse: 0, minorPairs: 0, oursFalsePairs: 0, theirsFalsePairs: 0, unlisted: 0, packages: new Set<string>() };
  const skip = new Set((process.env.GATEHOUSE_CORPUS_SKIP ?? "").split(",").filter(Boolean));
  let unavailable = 0;
  for (const pair of corpus.pairs) {
    if (skip.has(pair.module)) continue;
    let oldDist: string;
    let newDist: string;
    try {
      oldDist = unpacked(pair.binary, pair.old);
      newDist = unpacked(pair.binary, pair.new);
    } catch (error) {
      if (!(error instanceof MissingPackage)) throw error;
      console.log(`${pair.module} ${pair.old} -> ${pair.new}: ${error.message}, skipped`);
      unavailable++;
      continue;
    }
    totals.packages.add(pair.module);
    const confirmed = pair.breaks.filter((b) => {
      const before = runs(oldDist, pair.oldDeps ?? [], b.caller);
      const after = runs(newDist, pair.newDeps ?? [], b.caller);
      const ok = before.ok && !after.ok;
      if (!ok) console.log(`  unconfirmed label ${pair.module}#${b.symbol}: old ${before.ok ? "runs" : `fails (${before.error})`}, new ${after.ok ? "runs" : "fails"}`);
      return ok;
    });
    totals.labelled += pair.breaks.length;
    totals.confirmed += confirmed.length;
    totals.unlisted += confirmed.filter((b) => b.listed === false).length;
    const started = performance.now();
    const before = await extractContracts(oldDist, { include: selection(oldDist, pair.module) });
    const after = await extractContracts(newDist, { include: selection(newDist, pair.module) });
    const breaking = diffContracts(before.contracts, after.contracts).filter((c) => c.severity === "BREAKING");
    for (const f of [...before.findings, ...after.findings]) console.log(`  ${pair.module}: ${f.code}: ${f.message}`);
    const seconds = (performance.now() - started) / 1000;
    const caught = confirmed.filter((b) => breaking.some((c) => oursMention(c, b.symbol)));
    const unexplained = breaking.filter((c) => !confirmed.some((b) => oursMention(c, b.symbol)));
    totals.ours += caught.length;
    const griffe = griffeBreakages(griffeDist, pair.module, oldDist, newDist);
    const theirCaught = griffe ? confirmed.filter((b) => griffe.some((g) => theirsMention(g, b.symbol))) : [];
    const theirUnexplained = griffe ? griffe.filter((g) => !confirmed.some((b) => theirsMention(g, b.symbol))) : [];
    totals.theirs += theirCaught.length;
    if (pair.bump !== "major") {
      totals.minorPairs++;
      totals.oursFalse += unexplained.length;
      totals.theirsFalse += theirUnexplained.length;
      if (unexplained.length > 0) totals.oursFalsePairs++;
      if (theirUnexplained.length > 0) totals.theirsFalsePairs++;
    }
    const label = `${pair.module} ${pair.old} -> ${pair.new} (${pair.bump})`;
    const minor = pair.bump !== "major";
    console.log(`${label.padEnd(52)} gatehouse: ${before.contracts.length}/${after.contracts.length} contracts, ${breaking.length} BREAKING, ${caught.length}/${confirmed.length} caught, ${minor ? unexplained.length : "-"} unlabelled, ${seconds.toFixed(2)} s | griffe: ${griffe ? `${griffe.length} breakages, ${theirCaught.length}/${confirmed.length} caught, ${minor ? theirUnexplained.length : "-"} unlabelled` : "failed"}`);
    for (const b of confirmed) if (!caught.includes(b)) console.log(`    missed by gatehouse: ${b.symbol} (${b.changelog})`);
    if (griffe) for (const b of confirmed) if (!theirCaught.includes(b)) console.log(`    missed by griffe: ${b.symbol}`);
    if (minor || VERBOSE) {
      for (const c of unexplained.slice(0, VERBOSE ? undefined : 5)) console.log(`    unlabelled gatehouse BREAKING ${c.code} ${c.message}`);
      for (const g of theirUnexplained.slice(0, VERBOSE ? undefined : 5)) console.log(`    unlabelled griffe ${g.kind} ${g.path}: ${g.explanation}`);
    }
  }
  console.log(`\npackages ${totals.packages.size}, pairs ${corpus.pairs.length - unavailable - skip.size}; confirmed breaks ${totals.confirmed} of ${totals.labelled} labelled (${totals.unlisted} not listed in the changelog)`);
  console.log(`recall: gatehouse ${totals.ours}/${totals.confirmed}, griffe ${totals.theirs}/${totals.confirmed}`);
  console.log(`minor/patch pairs ${totals.minorPairs}: gatehouse ${totals.oursFalse} unlabelled BREAKINGs in ${totals.oursFalsePairs} pairs; griffe ${totals.theirsFalse} unlabelled breakages in ${totals.theirsFalsePairs} pairs`);
  if (process.env.GATEHOUSE_PY_CORPUS_JSON) writeFileSync(process.env.GATEHOUSE_PY_CORPUS_JSON, JSON.stringify(totals, (_key, v) => (v instanceof Set ? [...v] : v), 2));
}

await main();
