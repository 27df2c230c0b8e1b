// Contract extraction speed (not part of `npm test`): `npm run bench:contracts`.
//   1. TypeScript syntax mode on every .ts/.d.ts file under node_modules (a large real code base).
//   2. Python on the machine's standard library (tree-sitter).
//   3. Side by side with API Extractor on one package (ajv, from its .d.ts entry), when installed:
//      gatehouse in syntax mode and in checker mode (`--types`, one Program and its checker).
// Prints files/s; targets: >= 2,000 TS files/s and >= 10x API Extractor.

import { execFileSync } from "node:child_process";
import { existsSync, mkdtempSync, rmSync } from "node:fs";
import { createRequire } from "node:module";
import { tmpdir } from "node:os";
import { join } from "node:path";
import fg from "fast-glob";
import { extractPython } from "../src/contracts/extract-py.js";
import { extractTypeScript } from "../src/contracts/ts/index.js";
import { contractFiles } from "../src/contracts/files.js";
import { packagePath } from "../src/core/paths.js";

const RUNS = 3;

function median(values: number[]): number {
  const sorted = [...values].sort((a, b) => a - b);
  return sorted[Math.floor(sorted.length / 2)]!;
}

interface Timing<T> {
  /** wall-clock seconds */
  seconds: number;
  /** this process's CPU seconds: what the work costs when other jobs share the cores */
  cpu: number;
  result: T;
}

async function timed<T>(fn: () => T | Promise<T>): Promise<Timing<T>> {
  const start = performance.now();
  const cpu = process.cpuUsage();
  const result = await fn();
  const used = process.cpuUsage(cpu);
  return { seconds: (performance.now() - start) / 1000, cpu: (used.user + used.system) / 1e6, result };
}

async function medianRun<T>(fn: () => T | Promise<T>): Promise<Timing<T>> {
  await fn(); // warm-up: JIT, file cache, grammar load
  const runs = [];
  for (let i = 0; i < RUNS; i++) runs.push(await timed(fn));
  return { seconds: median(runs.map((r) => r.seconds)), cpu: median(runs.map((r) => r.cpu)), result: runs[0]!.result };
}

const rate = (files: number, seconds: number) => Math.round(files / seconds).toLocaleString("en-US").padStart(7);

function line(label: string, files: number, contracts: number | undefined, t: { seconds: number; cpu: number }): string {
  return `${label.padEnd(46)} ${String(files).padStart(5)} files ${String(contracts ?? "-").padStart(6)} contracts  wall ${t.seconds.toFixed(3)} s = ${rate(files, t.seconds)} files/s  cpu ${t.cpu.toFixed(3)} s = ${rate(files, t.cpu)} files/s`;
}

async function main(): Promise<void> {
  const nodeModules = packagePath("node_modules");
  const tsFiles = (await fg(["**/*.{ts,mts,cts}"], { cwd: nodeModules, followSymbolicLinks: false })).sort();
  const ts = await medianRun(() => extractTypeScript(nodeModules, tsFiles));
  console.log(`node ${process.version}, median of ${RUNS} runs after a warm-up; load average ${(await import("node:os")).loadavg().map((l) => l.toFixed(1)).join(" ")}`);
  console.log(line("TypeScript syntax mode (node_modules)", tsFiles.length, ts.result.length, ts));
  // The compiler's own lib bundles (lib.dom.d.ts alone is 2.3 MB) dominate that corpus; the rest
  // is closer to ordinary source files.
  const typical = tsFiles.filter((f) => !f.startsWith("typescript/lib/"));
  const rest = await medianRun(() => extractTypeScript(nodeModules, typical));
  console.log(line("  without typescript/lib", typical.length, rest.result.length, rest));

  let stdlib: string | undefined;
  try {
    stdlib = execFileSync("python3", ["-c", 'import sysconfig;print(sysconfig.get_paths()["stdlib"])'], { encoding: "utf8" }).trim();
  } catch {
    console.log("Python: python3 not found, stdlib skipped");
  }
  if (stdlib && existsSync(stdlib)) {
    const pyFiles = await contractFiles(stdlib, { include: ["**/*.py"] });
    const py = await medianRun(() => extractPython(stdlib, pyFiles));
    console.log(line("Python (stdlib)", pyFiles.length, py.result.length, py));
  }

  // Side by side on one package: API Extractor analyses it from its entry .d.ts (its own compiler
  // Program); gatehouse extracts the same entry in syntax mode, following its re-exports.
  const pkg = join(nodeModules, "ajv");
  const entry = "dist/ajv.d.ts";
  const pkgFiles = (await fg(["dist/**/*.d.ts"], { cwd: pkg })).sort();
  const ours = await medianRun(() => extractTypeScript(pkg, pkgFiles, { entries: [entry] }));
  console.log(line(`gatehouse syntax mode (ajv, ${entry})`, pkgFiles.length, ours.result.length, ours));
  // Checker mode (`--types`): one Program over the same files, the checker's inferred types added.
  const checked = await medianRun(() => extractTypeScript(pkg, pkgFiles, { entries: [entry], types: true }));
  console.log(line(`gatehouse checker mode (ajv, --types)`, pkgFiles.length, checked.result.length, checked));
  const require = createRequire(import.meta.url);
  let apiExtractor: typeof import("@microsoft/api-extractor") | undefined;
  try {
    apiExtractor = require("@microsoft/api-extractor") as typeof import("@microsoft/api-extractor");
  } catch {
    console.log("API Extractor: not installed (npm install --save-dev @microsoft/api-extractor), comparison skipped");
    return;
  }
  const out = mkdtempSync(join(tmpdir(), "gatehouse-bench-"));
  try {
    const run = () => {
      const config = apiExtractor!.ExtractorConfig.prepare({
        configObject: {
          projectFolder: pkg,
          mainEntryPointFilePath: join(pkg, entry),
          compiler: { overrideTsconfig: { compilerOptions: { target: "es2020", module: "commonjs", moduleResolution: "node", skipLibCheck: true, types: [] }, files: [join(pkg, entry)] } },
          apiReport: { enabled: false, reportFileName: "ajv.api.md" },
          docModel: { enabled: true, apiJsonFilePath: join(out, "ajv.api.json") },
          dtsRollup: { enabled: false },
          tsdocMetadata: { enabled: false },
          messages: { extractorMessageReporting: { default: { logLevel: "none" as never } }, compilerMessageReporting: { default: { logLevel: "none" as never } }, tsdocMessageReporting: { default: { logLevel: "none" as never } } },
        },
        configObjectFullPath: undefined,
        packageJsonFullPath: join(pkg, "package.json"),
      });
      return apiExtractor!.Extractor.invoke(config, { localBuild: true, messageCallback: (m) => { m.handled = true; } });
    };
    const theirs = await medianRun(run);
    console.log(line(`API Extractor ${apiExtractor.Extractor.version} (ajv, ${entry})`, pkgFiles.length, undefined, theirs));
    console.log(`ratio on the same package: gatehouse syntax mode is ${(theirs.seconds / ours.seconds).toFixed(1)}x faster (wall), ${(theirs.cpu / ours.cpu).toFixed(1)}x (cpu) than API Extractor${theirs.result.succeeded ? "" : " (API Extractor reported errors)"}`);
    console.log(`ratio on the same package: gatehouse checker mode is ${(theirs.seconds / checked.seconds).toFixed(1)}x faster (wall), ${(theirs.cpu / checked.cpu).toFixed(1)}x (cpu) than API Extractor`);
  } finally {
    rmSync(out, { recursive: true, force: true });
  }
}

await main();
