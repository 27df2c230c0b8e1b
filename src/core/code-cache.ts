// Loading a large CommonJS package with V8's code cache. typescript's 9 MB of source took ~135 ms
// to compile in every `gatehouse gate` and `contracts` run; from a code cache, ~50 ms. Node 20
// has no compile cache of its own (module.enableCompileCache is Node 22), so the bundled CLI
// loads typescript through this module (scripts/bundle.ts).
//
// The cache is written only when GATEHOUSE_WRITE_CODE_CACHE=1 (at exit, so that it holds the
// functions the run compiled): `npm run compile` runs one `contracts diff` that way. A run never
// writes otherwise. V8 checks a cache against the source and its own version and flags, and
// compiles from source when they differ; the file name also carries the source's sha256, Node's
// version, the architecture and the V8 flags gatehouse set (v8-flags.ts), so a stale cache is
// simply not found.

import { createHash } from "node:crypto";
import { mkdirSync, readFileSync, renameSync, writeFileSync } from "node:fs";
import { createRequire, Module } from "node:module";
import { basename, dirname, join } from "node:path";
import vm from "node:vm";
import { packagePath } from "./paths.js";
import { v8FlagsTag } from "./v8-flags.js";

export const CODE_CACHE_DIR = packagePath("dist", "cache");

/** How each module was loaded: from its code cache, compiled (none), or compiled (V8 refused it). */
export const codeCacheLoads = new Map<string, "cache" | "no-cache" | "rejected">();

interface ModuleInternals {
  _nodeModulePaths(dir: string): string[];
}

/** Where the code cache of a module's source lives (for this Node and architecture). */
export function codeCacheFile(filename: string, source: string, cacheDir: string = CODE_CACHE_DIR): string {
  const digest = createHash("sha256").update(source).digest("hex").slice(0, 16);
  // Named after the package the file belongs to (typescript's main is lib/typescript.js).
  const parts = filename.split(/[\\/]/);
  const at = parts.lastIndexOf("node_modules");
  const name = at >= 0 && at + 1 < parts.length ? parts.slice(at + 1, parts[at + 1]!.startsWith("@") ? at + 3 : at + 2).join("+") : basename(filename, ".js");
  // V8 refuses a cache made under other flags: the flags gatehouse sets are in the name too.
  return join(cacheDir, `${name}-${digest}-${process.version}-${process.arch}${v8FlagsTag()}.v8cache`);
}

/** `require(specifier)` from `parentUrl`, compiled with the code cache when there is one. */
export function requireWithCodeCache(specifier: string, parentUrl: string, cacheDir: string = CODE_CACHE_DIR): unknown {
  const parentRequire = createRequire(parentUrl);
  const filename = parentRequire.resolve(specifier);
  const loaded = parentRequire.cache[filename];
  if (loaded) return loaded.exports;
  const source = readFileSync(filename, "utf8");
  const cacheFile = codeCacheFile(filename, source, cacheDir);
  let cachedData: Buffer | undefined;
  try {
    cachedData = readFileSync(cacheFile);
  } catch {
    cachedData = undefined;
  }
  const script = new vm.Script(Module.wrap(source), { filename, cachedData });
  codeCacheLoads.set(filename, cachedData === undefined ? "no-cache" : script.cachedDataRejected ? "rejected" : "cache");

  const module = new Module(filename);
  module.filename = filename;
  module.paths = (Module as unknown as ModuleInternals)._nodeModulePaths(dirname(filename));
  // In the cache before it runs, as require() does (a cycle back to it sees the partial exports).
  parentRequire.cache[filename] = module;
  try {
    const wrapper = script.runInThisContext() as (exports: unknown, require: NodeJS.Require, module: Module, filename: string, dirname: string) => void;
    wrapper.call(module.exports, module.exports, createRequire(filename), module, filename, dirname(filename));
    module.loaded = true;
  } catch (error) {
    delete parentRequire.cache[filename];
    throw error;
  }
  if (process.env.GATEHOUSE_WRITE_CODE_CACHE === "1") {
    process.once("exit", () => {
      try {
        mkdirSync(cacheDir, { recursive: true });
        writeFileSync(`${cacheFile}.tmp`, script.createCachedData());
        renameSync(`${cacheFile}.tmp`, cacheFile);
      } catch (error) {
        process.stderr.write(`gatehouse: could not write the code cache ${cacheFile}: ${(error as Error).message}\n`);
      }
    });
  }
  return module.exports;
}
