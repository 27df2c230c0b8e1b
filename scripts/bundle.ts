// `npm run compile`, second step: bundles the compiled CLI (dist/src) into dist/cli, the code
// bin/gatehouse.js runs. Why: a command pays for loading its modules on every run, and with ~100
// ES modules of ours plus yargs' ~20 that was 90-130 ms of a `gatehouse check` (Node resolves,
// reads and links each file). One file per command keeps it to ~30 ms.
//
// - Entry points: the CLI (main.js) and the worker threads (worker.js, found by pool.ts next to
//   itself; decision-worker.js, the service's, found by data-api/evaluator.ts the same way). Commands stay separate chunks, loaded on demand as in dist/src.
// - Bundled: gatehouse's own code and yargs with its dependencies. Every other package stays an
//   import from node_modules: several load their own files (wasm, grammars, typescript's lib)
//   relative to themselves, and those that are heavy are loaded lazily already.
// - yargs' help renderer (cliui and string-width, ~35 ms of ICU segmenters and Unicode regexes at
//   load) is initialised on first use instead of at start: only help and usage text need it.
// - typescript (CommonJS, 9 MB) is loaded with require(): imported from an ES module, Node first
//   scans its source for export names and sniffs its format, ~250 ms on top of the ~170 ms the
//   load itself takes, in every `gate` and `contracts` run. Our code only default-imports it
//   (the module.exports object, which is what require returns); a named import would fail the
//   build here rather than behave differently. It is compiled with V8's code cache
//   (src/core/code-cache.ts), which this script makes after the build: ~135 -> ~50 ms.
// - yargs finds its message translations relative to its own file; in a bundle that file is
//   gone, so the directory is resolved from the installed yargs package instead.
// - yargs guesses a version at start by reading the package.json nearest to its "main file",
//   which it takes to be the path before `node_modules` in its own file's path. Bundled, there
//   is no `node_modules` in it, so it fell back to the working directory and read the user's
//   package.json (or a parent's): a FIFO there hung every command, a link to /dev/zero crashed
//   it. It starts from the installed yargs package instead, so no file of the user's is read.
// The tests run both: the unit suites import dist/src, the CLI snapshots run bin/gatehouse.js.

import { readFile } from "node:fs/promises";
import { existsSync, readFileSync, rmSync } from "node:fs";
import { spawnSync } from "node:child_process";
import { createRequire } from "node:module";
import { dirname, join } from "node:path";
import { fileURLToPath } from "node:url";
import { build, type Plugin } from "esbuild";
import { codeCacheFile } from "../src/core/code-cache.js";

const root = join(dirname(fileURLToPath(import.meta.url)), "..", "..");
const outdir = join(root, "dist", "cli");

/** Packages bundled into dist/cli: yargs and the packages it imports (directly or not). */
const BUNDLED_FROM_OUR_CODE = new Set(["yargs"]);
/** CommonJS packages our code default-imports that are loaded with require() (see above). */
const REQUIRED_AS_COMMONJS = new Set(["typescript"]);
/** Imported by yargs' platform shim, needed only to render help text. */
const LAZY_IN_YARGS_SHIM = new Set(["cliui", "string-width"]);
const YARGS_SHIM = /node_modules[\\/]yargs[\\/]lib[\\/]platform-shims[\\/]esm\.mjs$/;
/** Loads the packages in REQUIRED_AS_COMMONJS with V8's code cache (src/core/code-cache.ts). */
const CODE_CACHE_MODULE = join(root, "dist", "src", "core", "code-cache.js");
const YARGS_LOCALES = "directory: resolve(__dirname, '../../../locales')";
const YARGS_MAIN_FILENAME = "const mainFilename = __dirname.substring(0, __dirname.lastIndexOf('node_modules'));";

function packageName(specifier: string): string {
  const parts = specifier.split("/");
  return specifier.startsWith("@") ? parts.slice(0, 2).join("/") : parts[0]!;
}

const dependencies: Plugin = {
  name: "gatehouse-dependencies",
  setup(b) {
    // Bare specifiers: bundled when yargs (or a package inside node_modules) imports them,
    // external otherwise. Relative imports, node: built-ins and the imports of the stand-ins
    // below (not in the "file" namespace) take esbuild's defaults.
    b.onResolve({ filter: /^[^./]/ }, (args) => {
      if (args.path.startsWith("node:") || args.namespace !== "file") return undefined;
      const fromDependency = /[\\/]node_modules[\\/]/.test(args.importer);
      if (YARGS_SHIM.test(args.importer) && LAZY_IN_YARGS_SHIM.has(args.path)) {
        return { path: args.path, namespace: "lazy", pluginData: args.resolveDir };
      }
      if (fromDependency || BUNDLED_FROM_OUR_CODE.has(packageName(args.path))) return undefined;
      if (REQUIRED_AS_COMMONJS.has(args.path)) return { path: args.path, namespace: "commonjs" };
      return { path: args.path, external: true };
    });
    b.onLoad({ filter: /.*/, namespace: "commonjs" }, (args) => ({
      contents:
        `import { requireWithCodeCache } from ${JSON.stringify(CODE_CACHE_MODULE)};\n` +
        `export default requireWithCodeCache(${JSON.stringify(args.path)}, import.meta.url);\n`,
      resolveDir: root,
      loader: "js",
    }));
    // A stand-in with the same default export that initialises the real module on the first
    // call: esbuild evaluates a bundled module reached through require() only when required.
    b.onLoad({ filter: /.*/, namespace: "lazy" }, (args) => ({
      contents:
        `export default function lazy(...args) {\n` +
        `  return require(${JSON.stringify(args.path)}).default(...args);\n` +
        `}\n`,
      resolveDir: args.pluginData as string,
    }));
    b.onLoad({ filter: YARGS_SHIM }, async (args) => {
      const source = await readFile(args.path, "utf8");
      for (const expected of [YARGS_LOCALES, YARGS_MAIN_FILENAME]) {
        if (!source.includes(expected)) throw new Error(`yargs' platform shim changed: "${expected}" not found in ${args.path}; update scripts/bundle.ts`);
      }
      const contents = source
        .replace(YARGS_LOCALES, "directory: resolve(require.resolve('yargs/package.json'), '../locales')")
        .replace(YARGS_MAIN_FILENAME, "const mainFilename = dirname(createRequire(import.meta.url).resolve('yargs/package.json'));");
      return { contents, loader: "js" };
    });
  },
};

rmSync(outdir, { recursive: true, force: true });
await build({
  absWorkingDir: root,
  entryPoints: { main: "dist/src/cli/main.js", worker: "dist/src/gate/worker.js", "decision-worker": "dist/src/service/data-api/decision-worker.js" },
  outdir,
  bundle: true,
  splitting: true,
  format: "esm",
  platform: "node",
  target: "node20",
  sourcemap: "linked",
  // Chunks beside the entries: pool.ts finds worker.js next to its own file.
  chunkNames: "[name]-[hash]",
  plugins: [dependencies],
  logLevel: "warning",
});

// The code cache for typescript, made by one run that loads and uses it (a `contracts diff` of
// this repository: the cache then holds the functions extraction compiles, not just the top
// level). Made once per typescript source and Node version; a failing run only leaves none.
const typescriptFile = createRequire(import.meta.url).resolve("typescript");
if (!existsSync(codeCacheFile(typescriptFile, readFileSync(typescriptFile, "utf8")))) {
  spawnSync(process.execPath, [join(root, "bin", "gatehouse.js"), "contracts", "diff"], {
    cwd: root,
    env: { ...process.env, GATEHOUSE_WRITE_CODE_CACHE: "1" },
    stdio: "ignore",
  });
}
