// Versioned JSON Schemas (schemas/<name>.v<N>.schema.json, draft 2020-12), compiled by ajv in
// strict mode with ajv-formats. All schemas are registered once (so $refs between them resolve);
// each is compiled on first use and the validator cached. ajv is loaded and the schemas read on
// first use, not at construction: most `gatehouse check` runs validate nothing, and ajv's import
// cost would otherwise be paid by every CLI start and every worker thread.
//
// Precompiled validators: compiling the schemas a `gatehouse gate` run uses took ~0.2 s of it, in
// every run and every worker. `npm run compile` writes ajv's standalone code for gatehouse's own
// schemas (scripts/validators.ts, PRECOMPILED_*), with the sha256 of each schema file, of the code,
// and the ajv and ajv-formats versions it came from. A registry uses that code only when its
// directory holds exactly those schema files, byte for byte, the code's digest matches and the
// installed ajv and ajv-formats are those versions; otherwise it compiles with ajv as before.
// test/schemas-precompiled.test.ts holds the two to the same results.

import { jsonSyntaxMessage } from "../inputs/json-syntax.js";
import { existsSync, readdirSync, readFileSync } from "node:fs";
import { join } from "node:path";
import { createRequire } from "node:module";
import type { Ajv2020, Options, ValidateFunction, ErrorObject } from "ajv/dist/2020.js";
import { ConfigError } from "../core/errors.js";
import type { Finding } from "../core/findings.js";
import { sha256 } from "../core/digest.js";
import { packagePath } from "../core/paths.js";

// ajv and ajv-formats are CommonJS: required synchronously on first use. ajv-formats' export is
// the function itself, with a `default` alias.
type AddFormats = (ajv: Ajv2020) => Ajv2020;
const require = createRequire(import.meta.url);

/** ajv's options for gatehouse's schemas (the precompiled code is generated with the same). */
export const AJV_OPTIONS: Options = { strict: true, allErrors: true, allowUnionTypes: true };

/** An ajv with ajv-formats; `code` is for generating standalone code (scripts/validators.ts). */
export function newAjv(code?: Options["code"]): Ajv2020 {
  const { Ajv2020: AjvClass } = require("ajv/dist/2020.js") as typeof import("ajv/dist/2020.js");
  const formats = require("ajv-formats") as AddFormats & { default?: AddFormats };
  const ajv = new AjvClass({ ...AJV_OPTIONS, ...(code ? { code } : {}) });
  (formats.default ?? formats)(ajv);
  return ajv;
}

/** Where `npm run compile` writes the precompiled validators and what they were made from. */
export const PRECOMPILED_CODE = packagePath("dist", "schemas", "validators.cjs");
export const PRECOMPILED_MANIFEST = packagePath("dist", "schemas", "validators.json");

export interface PrecompiledManifest {
  ajv: string;
  ajvFormats: string;
  options: Options;
  /** sha256 of the generated code */
  code: string;
  /** schema file name -> sha256 of its bytes */
  schemas: Record<string, string>;
}

/** The installed versions the precompiled code must have been generated with. */
export function ajvVersions(): { ajv: string; ajvFormats: string } {
  const version = (pkg: string) => (JSON.parse(readFileSync(require.resolve(`${pkg}/package.json`), "utf8")) as { version: string }).version;
  return { ajv: version("ajv"), ajvFormats: version("ajv-formats") };
}

/**
 * The precompiled validators by schema $id, if they were made from exactly these files. A run
 * makes several registries over the same files: the check (a 600 KB digest) is done once each.
 */
const precompiledChecked = new Map<string, Record<string, ValidateFunction> | undefined>();
function precompiledFor(digests: Record<string, string>): Record<string, ValidateFunction> | undefined {
  const key = JSON.stringify(digests);
  if (!precompiledChecked.has(key)) precompiledChecked.set(key, checkPrecompiled(digests));
  return precompiledChecked.get(key);
}

function checkPrecompiled(digests: Record<string, string>): Record<string, ValidateFunction> | undefined {
  try {
    if (!existsSync(PRECOMPILED_MANIFEST) || !existsSync(PRECOMPILED_CODE)) return undefined;
    const manifest = JSON.parse(readFileSync(PRECOMPILED_MANIFEST, "utf8")) as PrecompiledManifest;
    const files = Object.keys(digests);
    if (files.length !== Object.keys(manifest.schemas).length || files.some((file) => manifest.schemas[file] !== digests[file])) return undefined;
    if (JSON.stringify(manifest.options) !== JSON.stringify(AJV_OPTIONS)) return undefined;
    const versions = ajvVersions();
    if (manifest.ajv !== versions.ajv || manifest.ajvFormats !== versions.ajvFormats) return undefined;
    if (sha256(readFileSync(PRECOMPILED_CODE)) !== manifest.code) return undefined;
    return require(PRECOMPILED_CODE) as Record<string, ValidateFunction>;
  } catch {
    // Unreadable or half-written: compile instead, as when there is none.
    return undefined;
  }
}

export const SCHEMA_FILE = /^([a-z0-9-]+)\.v([0-9]+)\.schema\.json$/;
export const SCHEMA_ID_BASE = "https://gatehouse.dev/schemas/";

interface Loaded {
  names: readonly string[];
  schemas: readonly object[];
  precompiled: Record<string, ValidateFunction> | undefined;
}

export class SchemaRegistry {
  #loaded: Loaded | undefined;
  #ajv: Ajv2020 | undefined;
  readonly #validators = new Map<string, ValidateFunction>();

  constructor(readonly dir: string = packagePath("schemas")) {}

  /** Schema names (`<name>.v<N>`) in the directory. */
  get names(): readonly string[] {
    return this.#load().names;
  }

  /** Whether validators come from the code `npm run compile` generated (see the top of this file). */
  get precompiled(): boolean {
    return this.#load().precompiled !== undefined;
  }

  #load(): Loaded {
    if (this.#loaded) return this.#loaded;
    const dir = this.dir;
    const names: string[] = [];
    const schemas: object[] = [];
    const digests: Record<string, string> = {};
    for (const file of readdirSync(dir).sort()) {
      const match = SCHEMA_FILE.exec(file);
      if (!match) continue;
      const name = `${match[1]}.v${match[2]}`;
      const bytes = readFileSync(join(dir, file));
      let schema: { $id?: string };
      const text = bytes.toString("utf8");
      try {
        schema = JSON.parse(text) as { $id?: string };
      } catch {
        throw new ConfigError(jsonSyntaxMessage(text), join(dir, file));
      }
      const expectedId = `${SCHEMA_ID_BASE}${file}`;
      if (schema.$id !== expectedId) throw new ConfigError(`$id must be ${expectedId}`, join(dir, file));
      names.push(name);
      schemas.push(schema);
      digests[file] = sha256(bytes);
    }
    this.#loaded = { names, schemas, precompiled: precompiledFor(digests) };
    return this.#loaded;
  }

  #compiler(): Ajv2020 {
    if (!this.#ajv) {
      const ajv = newAjv();
      for (const schema of this.#load().schemas) ajv.addSchema(schema);
      this.#ajv = ajv;
    }
    return this.#ajv;
  }

  has(name: string): boolean {
    return this.names.includes(name);
  }

  validator(name: string): ValidateFunction {
    let validate = this.#validators.get(name);
    if (!validate) {
      const id = `${SCHEMA_ID_BASE}${name}.schema.json`;
      const precompiled = this.#load().precompiled;
      if (precompiled) {
        validate = precompiled[id];
      } else {
        try {
          validate = this.#compiler().getSchema(id);
        } catch (error) {
          throw new ConfigError(`schema does not compile: ${(error as Error).message}`, `schemas/${name}.schema.json`);
        }
      }
      if (!validate) throw new ConfigError(`unknown schema ${name}`, `schemas/${name}.schema.json`);
      this.#validators.set(name, validate);
    }
    return validate;
  }

  /** Validates a document; each error becomes a `schema/invalid` finding with its JSON pointer. */
  validate(name: string, document: unknown, input: string): Finding[] {
    const validate = this.validator(name);
    if (validate(document)) return [];
    return (validate.errors ?? []).map((error) => toFinding(name, error, input));
  }
}

function toFinding(schema: string, error: ErrorObject, input: string): Finding {
  const pointer = error.instancePath || "";
  const detail = error.keyword === "additionalProperties"
    ? `${error.message} (${JSON.stringify((error.params as { additionalProperty: string }).additionalProperty)})`
    : error.keyword === "enum"
      ? `${error.message}: ${JSON.stringify((error.params as { allowedValues: unknown[] }).allowedValues)}`
      : error.message ?? error.keyword;
  return {
    code: "schema/invalid",
    severity: "error",
    message: `${pointer || "/"} ${detail} (schema ${schema})`,
    source: "schema",
    input,
    location: { pointer },
    metadata: { schema, keyword: error.keyword, schemaPath: error.schemaPath },
  };
}
