// The web console's files, served from the package's dist/console/ (written by
// scripts/bundle-console.ts at `npm run compile`). Only the files its manifest (assets.json)
// lists are served, looked up by exact name: a request path is never joined to a directory, so
// there is nothing to traverse. Script and style files carry their content hash in their names
// and are cached for good; index.html is revalidated, so a new build is seen on the next load.

import { readFileSync } from "node:fs";
import { join } from "node:path";
import { packagePath } from "../../core/paths.js";
import type { Reply } from "../context.js";
import { ServiceError } from "../errors.js";

export const CONSOLE_DIR = packagePath("dist", "console");
export const MANIFEST_FILE = "assets.json";

/** Self only, no inline script or style, no framing, no plugins: the console needs nothing else. */
export const CONTENT_SECURITY_POLICY = [
  "default-src 'none'",
  "script-src 'self'",
  "style-src 'self'",
  "img-src 'self'",
  "connect-src 'self'",
  "base-uri 'none'",
  "form-action 'self'",
  "frame-ancestors 'none'",
].join("; ");

export const SECURITY_HEADERS: Readonly<Record<string, string>> = {
  "content-security-policy": CONTENT_SECURITY_POLICY,
  "x-content-type-options": "nosniff",
  "x-frame-options": "DENY",
  "referrer-policy": "no-referrer",
  "cross-origin-opener-policy": "same-origin",
  "cross-origin-resource-policy": "same-origin",
};

export type AssetType = "html" | "js" | "css" | "svg" | "map";

export const CONTENT_TYPES: Record<AssetType, string> = {
  html: "text/html; charset=utf-8",
  js: "text/javascript; charset=utf-8",
  css: "text/css; charset=utf-8",
  svg: "image/svg+xml",
  map: "application/json; charset=utf-8",
};

/** dist/console/assets.json: every file the console may serve. */
export interface AssetManifest {
  files: Record<string, { type: AssetType; sha256: string; immutable: boolean }>;
}

interface Asset {
  body: Buffer;
  headers: Record<string, string>;
}

let loaded: { dir: string; assets: Map<string, Asset> } | undefined;

function load(dir: string): Map<string, Asset> {
  if (loaded?.dir === dir) return loaded.assets;
  let manifest: AssetManifest;
  try {
    manifest = JSON.parse(readFileSync(join(dir, MANIFEST_FILE), "utf8")) as AssetManifest;
  } catch {
    throw new ServiceError("unavailable", "the web console is not built into this installation (npm run compile writes dist/console/)");
  }
  const assets = new Map<string, Asset>();
  for (const [name, file] of Object.entries(manifest.files)) {
    assets.set(name, {
      body: readFileSync(join(dir, name)),
      headers: {
        ...SECURITY_HEADERS,
        "content-type": CONTENT_TYPES[file.type],
        "cache-control": file.immutable ? "public, max-age=31536000, immutable" : "no-cache",
        etag: `"${file.sha256.slice(0, 32)}"`,
      },
    });
  }
  loaded = { dir, assets };
  return assets;
}

/** The reply for `/console/<name>` ("" is index.html); 404 for any name the manifest does not list. */
export function consoleAsset(name: string, dir: string = CONSOLE_DIR): Reply {
  const assets = load(dir);
  const asset = assets.get(name === "" ? "index.html" : name);
  if (!asset) throw new ServiceError("resource_not_found", `the console has no file ${JSON.stringify(name)}`);
  return { body: asset.body, headers: asset.headers };
}
