// `npm run compile`, third step: ajv's standalone code for gatehouse's own schemas, so that a run
// loads its validators instead of compiling them (~0.2 s of a `gatehouse gate`, and of every
// worker of a `check --kind`). What the code was made from is recorded beside it; the registry
// (src/schemas/registry.ts) uses it only for exactly those schema files and ajv versions.
// Skips the work when the existing output was made from the same inputs.

import { mkdirSync, readdirSync, readFileSync, renameSync, writeFileSync } from "node:fs";
import { dirname, join } from "node:path";
import { createRequire } from "node:module";
import type { Options } from "ajv/dist/2020.js";
import { packagePath } from "../src/core/paths.js";
import { AJV_OPTIONS, ajvVersions, newAjv, PRECOMPILED_CODE, PRECOMPILED_MANIFEST, SCHEMA_FILE, type PrecompiledManifest } from "../src/schemas/registry.js";
import { sha256 } from "../src/core/digest.js";

const require = createRequire(import.meta.url);

function main(): void {
  const dir = packagePath("schemas");
  const files = readdirSync(dir).filter((file) => SCHEMA_FILE.test(file)).sort();
  const bytes = new Map(files.map((file) => [file, readFileSync(join(dir, file))]));
  const schemas: Record<string, string> = {};
  for (const file of files) schemas[file] = sha256(bytes.get(file)!);
  const versions = ajvVersions();
  const wanted = { ...versions, options: AJV_OPTIONS, schemas };
  try {
    const existing = JSON.parse(readFileSync(PRECOMPILED_MANIFEST, "utf8")) as PrecompiledManifest;
    const { code, ...madeFrom } = existing;
    if (JSON.stringify(madeFrom) === JSON.stringify(wanted) && sha256(readFileSync(PRECOMPILED_CODE)) === code) return;
  } catch {
    // none yet, or unreadable: generate
  }
  const { _ } = require("ajv") as typeof import("ajv");
  const standaloneCode = (require("ajv/dist/standalone") as { default: (ajv: unknown, refs: Record<string, string>) => string }).default;
  // Formats are referenced from ajv-formats at run time, as the compiled validators use them.
  const ajv = newAjv({ source: true, formats: _`require("ajv-formats/dist/formats").fullFormats` } as Options["code"]);
  const ids: Record<string, string> = {};
  for (const file of files) {
    const schema = JSON.parse(bytes.get(file)!.toString("utf8")) as { $id: string };
    ajv.addSchema(schema);
    ids[schema.$id] = schema.$id;
  }
  const code = standaloneCode(ajv, ids);
  const manifest: PrecompiledManifest = { ...wanted, code: sha256(code) };
  mkdirSync(dirname(PRECOMPILED_CODE), { recursive: true });
  // Code first, manifest last, each through a rename: a reader never sees a manifest that
  // vouches for code not written yet.
  writeFileSync(`${PRECOMPILED_CODE}.tmp`, code);
  renameSync(`${PRECOMPILED_CODE}.tmp`, PRECOMPILED_CODE);
  writeFileSync(`${PRECOMPILED_MANIFEST}.tmp`, `${JSON.stringify(manifest, null, 2)}\n`);
  renameSync(`${PRECOMPILED_MANIFEST}.tmp`, PRECOMPILED_MANIFEST);
}

main();
