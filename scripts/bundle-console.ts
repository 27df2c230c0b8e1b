// `npm run compile`, last step: the web console (console/) into dist/console/, which `gatehouse
// serve` serves at /console/ (src/service/console/assets.ts). The script is tsc's output of
// console/src (type-checked with everything else) bundled by esbuild into one file for the
// browser; the stylesheet is bundled beside it. Both carry their content hash in their names, so
// they can be cached for good, and index.html names them. assets.json lists every file the
// server may serve, with its type and digest: nothing else in the folder is reachable.

import { copyFileSync, mkdirSync, readdirSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { basename, dirname, join } from "node:path";
import { fileURLToPath } from "node:url";
import { build } from "esbuild";
import { sha256 } from "../src/core/digest.js";
import type { AssetManifest, AssetType } from "../src/service/console/assets.js";

const root = join(dirname(fileURLToPath(import.meta.url)), "..", "..");
const source = join(root, "console");
const outdir = join(root, "dist", "console");

// Keep tsc's output (dist/console/src, the bundle's input); replace everything else.
mkdirSync(outdir, { recursive: true });
for (const entry of readdirSync(outdir)) if (entry !== "src") rmSync(join(outdir, entry), { recursive: true, force: true });

const result = await build({
  absWorkingDir: root,
  entryPoints: { app: "dist/console/src/main.js", "app-style": "console/styles.css" },
  entryNames: "[name]-[hash]",
  outdir,
  bundle: true,
  format: "esm",
  platform: "browser",
  target: ["chrome110", "firefox110", "safari16"],
  minify: true,
  sourcemap: "linked",
  metafile: true,
  logLevel: "warning",
});

const files: AssetManifest["files"] = {};
const typeOf = (name: string): AssetType => {
  if (name.endsWith(".js")) return "js";
  if (name.endsWith(".css")) return "css";
  if (name.endsWith(".map")) return "map";
  if (name.endsWith(".svg")) return "svg";
  return "html";
};
const add = (name: string, immutable: boolean) => {
  files[name] = { type: typeOf(name), sha256: sha256(readFileSync(join(outdir, name))), immutable };
};
const names: Record<string, string> = {};
for (const output of Object.keys(result.metafile.outputs)) {
  const name = basename(output);
  add(name, true);
  if (name.endsWith(".js")) names["app.js"] = name;
  if (name.endsWith(".css")) names["app.css"] = name;
}
if (!names["app.js"] || !names["app.css"]) throw new Error(`the console bundle lacks its script or stylesheet: ${Object.keys(result.metafile.outputs).join(", ")}`);

const html = readFileSync(join(source, "index.html"), "utf8").replace(/\{\{(app\.(?:js|css))\}\}/g, (_m, key: string) => names[key]!);
writeFileSync(join(outdir, "index.html"), html);
add("index.html", false);
copyFileSync(join(source, "favicon.svg"), join(outdir, "favicon.svg"));
add("favicon.svg", false);

const sorted = Object.fromEntries(Object.entries(files).sort(([a], [b]) => (a < b ? -1 : 1)));
writeFileSync(join(outdir, "assets.json"), `${JSON.stringify({ files: sorted } satisfies AssetManifest, null, 2)}\n`);
