// Real release pairs (not part of `npm test`): `npm run bench:corpus`, also run by `npm run bench`.
// For each pair of test/contracts/corpus/npm-pairs.json: `npm pack` both versions into a cache
// directory (GATEHOUSE_CORPUS_CACHE, default a folder under the OS temp dir; never committed),
// confirm each labelled break by compiling its caller against the old types (must compile) and
// the new ones (must not), extract and diff with gatehouse (package.json entry points, checker
// classification) and with API Extractor (its .api.md report of each version, diffed line by
// line), and print recall on the confirmed breaks and BREAKINGs on minor/patch bumps side by side.

import { execFileSync } from "node:child_process";
import { existsSync, mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync, symlinkSync, writeFileSync } from "node:fs";
import { createRequire } from "node:module";
import { tmpdir } from "node:os";
import { join } from "node:path";
import ts from "typescript";
import { type ContractChange, diffContracts } from "../src/contracts/diff.js";
import { extractContracts } from "../src/contracts/extract.js";
import { packagePath } from "../src/core/paths.js";

interface Break {
  symbol: string;
  changelog: string;
  caller: string;
}

interface Pair {
  package: string;
  old: string;
  new: string;
  bump: "major" | "minor" | "patch";
  /** false: judge from the rebuilt declarations only, not from the two package trees */
  sources?: false;
  breaks: Break[];
}

const VERBOSE = process.env.GATEHOUSE_CORPUS_VERBOSE === "1";
const CACHE = process.env.GATEHOUSE_CORPUS_CACHE ?? join(tmpdir(), "gatehouse-contracts-corpus");

/** The unpacked package of name@version (npm pack, once per cache). */
function unpacked(name: string, version: string): string {
  const dir = join(CACHE, `${name.replace("/", "__")}@${version}`);
  const pkg = join(dir, "package");
  if (existsSync(join(pkg, "package.json"))) return pkg;
  mkdirSync(dir, { recursive: true });
  execFileSync("npm", ["pack", `${name}@${version}`, "--pack-destination", dir, "--silent"], { stdio: ["ignore", "ignore", "inherit"] });
  const tarball = readdirSync(dir).find((f) => f.endsWith(".tgz"));
  if (!tarball) throw new Error(`npm pack ${name}@${version} wrote no tarball`);
  execFileSync("tar", ["xzf", join(dir, tarball), "-C", dir]);
  return pkg;
}

/** Does `caller` compile against the package at `pkg` (resolved as `name`)? */
function compiles(name: string, pkg: string, caller: string): { ok: boolean; errors: string[] } {
  const project = mkdtempSync(join(tmpdir(), "gatehouse-corpus-caller-"));
  try {
    const modules = join(project, "node_modules", ...name.split("/").slice(0, -1));
    mkdirSync(modules, { recursive: true });
    symlinkSync(pkg, join(project, "node_modules", name), "dir");
    writeFileSync(join(project, "caller.ts"), caller);
    const options: ts.CompilerOptions = { strict: true, noEmit: true, target: ts.ScriptTarget.ES2022, module: ts.ModuleKind.ESNext, moduleResolution: ts.ModuleResolutionKind.Bundler, esModuleInterop: true, skipLibCheck: true, types: [], lib: ["lib.es2022.d.ts", "lib.dom.d.ts"] };
    const program = ts.createProgram([join(project, "caller.ts")], options);
    const source = program.getSourceFile(join(project, "caller.ts"))!;
    const errors = [...program.getSyntacticDiagnostics(source), ...program.getSemanticDiagnostics(source)].map((d) => ts.flattenDiagnosticMessageText(d.messageText, " "));
    return { ok: errors.length === 0, errors };
  } finally {
    rmSync(project, { recursive: true, force: true });
  }
}

/** API Extractor's report (.api.md) of the package's entry declaration file, as lines. */
function apiReport(extractor: typeof import("@microsoft/api-extractor"), pkg: string, entry: string): string[] | undefined {
  const out = mkdtempSync(join(tmpdir(), "gatehouse-corpus-ae-"));
  try {
    const config = extractor.ExtractorConfig.prepare({
      configObject: {
        projectFolder: pkg,
        mainEntryPointFilePath: join(pkg, entry),
        compiler: { overrideTsconfig: { compilerOptions: { target: "es2022", module: "esnext", moduleResolution: "bundler", skipLibCheck: true, types: [], esModuleInterop: true }, files: [join(pkg, entry)] } },
        apiReport: { enabled: true, reportFileName: "report.api.md", reportFolder: out, reportTempFolder: out },
        docModel: { enabled: false },
        dtsRollup: { enabled: false },
        tsdocMetadata: { enabled: false },
        messages: { extractorMessageReporting: { default: { logLevel: "none" as never } }, compilerMessageReporting: { default: { logLevel: "none" as never } }, tsdocMessageReporting: { default: { logLevel: "none" as never } } },
      },
      configObjectFullPath: undefined,
      packageJsonFullPath: join(pkg, "package.json"),
    });
    extractor.Extractor.invoke(config, { localBuild: true, messageCallback: (m) => void (m.handled = true) });
    const file = readdirSync(out).find((f) => f.endsWith(".api.md"));
    return file ? readFileSync(join(out, file), "utf8").split("\n").map((l) => l.trim()).filter((l) => l && !l.startsWith("//") && !l.startsWith("```")) : undefined;
  } catch {
    return undefined;
  } finally {
    rmSync(out, { recursive: true, force: true });
  }
}

const mentions = (text: string, symbol: string) => new RegExp(`(^|[^\\w$])${symbol.replace(/[$]/g, "\\$")}([^\\w$]|$)`).test(text);

/**
 * Does a finding of package `pkg` report this labelled break? Its path names the symbol (the name, or
 * the subpath of its module: `async` in `nanoid/async`), or its message does outside its own id and
 * the old and new type texts it quotes (a type that merely mentions a labelled alias is its own finding).
 */
function reports(pkg: string, c: ContractChange, symbol: string): boolean {
  if (mentions(c.symbol.name, symbol)) return true;
  const subpath = c.symbol.module === pkg ? "" : c.symbol.module.startsWith(`${pkg}/`) ? c.symbol.module.slice(pkg.length + 1) : c.symbol.module;
  if (mentions(subpath, symbol)) return true;
  // The message starts with the finding's own id (`execa#execaSync`): the package name there is no mention.
  let message = c.message.split(c.id).join(" ");
  for (const text of [c.before, c.after]) if (text) message = message.split(text).join(" ");
  return mentions(message, symbol);
}

async function main(): Promise<void> {
  const corpus = JSON.parse(readFileSync(packagePath("test", "contracts", "corpus", "npm-pairs.json"), "utf8")) as { pairs: Pair[] };
  const require = createRequire(import.meta.url);
  let extractor: typeof import("@microsoft/api-extractor") | undefined;
  try {
    extractor = require("@microsoft/api-extractor") as typeof import("@microsoft/api-extractor");
  } catch {
    console.log("API Extractor not installed: its column is empty");
  }
  console.log(`cache ${CACHE}`);
  const totals = { labelled: 0, confirmed: 0, ours: 0, theirs: 0, oursFalse: 0, theirsRaw: 0, minorPairs: 0, oursFalsePairs: 0 };
  // GATEHOUSE_CORPUS_SKIP=zod,chalk: leave those packages out of this run (a quicker partial run).
  const skip = new Set((process.env.GATEHOUSE_CORPUS_SKIP ?? "").split(",").filter(Boolean));
  for (const pair of corpus.pairs) {
    if (skip.has(pair.package)) continue;
    let oldPkg: string;
    let newPkg: string;
    try {
      oldPkg = unpacked(pair.package, pair.old);
      newPkg = unpacked(pair.package, pair.new);
    } catch (error) {
      console.log(`${pair.package} ${pair.old} -> ${pair.new}: npm pack failed (${(error as Error).message.split("\n")[0]}), skipped`);
      continue;
    }
    const confirmed = pair.breaks.filter((b) => {
      const before = compiles(pair.package, oldPkg, b.caller);
      const after = compiles(pair.package, newPkg, b.caller);
      const ok = before.ok && !after.ok;
      if (!ok) console.log(`  unconfirmed label ${pair.package}#${b.symbol}: old ${before.ok ? "compiles" : `fails (${before.errors[0]})`}, new ${after.ok ? "compiles" : "fails"}`);
      return ok;
    });
    totals.labelled += pair.breaks.length;
    totals.confirmed += confirmed.length;
    const started = performance.now();
    const before = await extractContracts(oldPkg);
    const after = await extractContracts(newPkg);
    const breaking = diffContracts(before.contracts, after.contracts, pair.sources === false ? {} : { sources: { old: oldPkg, new: newPkg } }).filter((c) => c.severity === "BREAKING");
    for (const f of [...before.findings, ...after.findings]) console.log(`  ${pair.package}: ${f.code}: ${f.message}`);
    const seconds = (performance.now() - started) / 1000;
    const caught = confirmed.filter((b) => breaking.some((c) => reports(pair.package, c, b.symbol)));
    const unexplained = breaking.filter((c) => !confirmed.some((b) => reports(pair.package, c, b.symbol)));
    totals.ours += caught.length;
    if (pair.bump !== "major") {
      totals.minorPairs++;
      totals.oursFalse += unexplained.length;
      if (unexplained.length > 0) totals.oursFalsePairs++;
    }
    let theirs = "-";
    const entry = before.entries.modules.find((m) => /\.d\.[mc]?ts$/.test(m));
    const newEntry = after.entries.modules.find((m) => /\.d\.[mc]?ts$/.test(m));
    if (extractor && entry && newEntry) {
      const a = apiReport(extractor, oldPkg, entry);
      const b = apiReport(extractor, newPkg, newEntry);
      if (a && b) {
        const inNew = new Set(b);
        const inOld = new Set(a);
        const removedOrChanged = a.filter((l) => !inNew.has(l));
        const raw = removedOrChanged.length + b.filter((l) => !inOld.has(l)).length;
        const theirCaught = confirmed.filter((x) => removedOrChanged.some((l) => mentions(l, x.symbol)));
        totals.theirs += theirCaught.length;
        totals.theirsRaw += raw;
        theirs = `${theirCaught.length}/${confirmed.length} caught, ${raw} raw differences`;
      } else {
        theirs = "failed";
      }
    }
    const label = `${pair.package} ${pair.old} -> ${pair.new} (${pair.bump})`;
    console.log(`${label.padEnd(34)} gatehouse: ${before.contracts.length}/${after.contracts.length} contracts, ${breaking.length} BREAKING, ${caught.length}/${confirmed.length} caught, ${pair.bump === "major" ? "-" : unexplained.length} unlabelled, ${seconds.toFixed(2)} s | API Extractor: ${theirs}`);
    if (pair.bump !== "major") for (const c of unexplained.slice(0, VERBOSE ? undefined : 5)) console.log(`    unlabelled BREAKING ${c.code} ${c.message}`);
  }
  console.log(`\nconfirmed breaks ${totals.confirmed} of ${totals.labelled} labelled`);
  console.log(`recall: gatehouse ${totals.ours}/${totals.confirmed}, API Extractor report diff ${totals.theirs}/${totals.confirmed}`);
  console.log(`minor/patch pairs ${totals.minorPairs}: gatehouse ${totals.oursFalse} unlabelled BREAKINGs in ${totals.oursFalsePairs} pairs; API Extractor ${totals.theirsRaw} raw differences (it does not classify)`);
}

await main();
