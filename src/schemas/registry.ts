// Versioned JSON Schemas (schemas/<name>.v<N>.schema.json, draft 2020-12), compiled by ajv in
// strict mode with ajv-formats. All schemas are registered once (so $refs between them resolve);
// each is compiled on first use and the validator cached. ajv is loaded and the schemas read on
// first use, not at construction: most `gatehouse check` runs validate nothing, and ajv's import
// cost would otherwise be paid by every CLI start and every worker thread.

import { readdirSync, readFileSync } from "node:fs";
import { join } from "node:path";
import { createRequire } from "node:module";
import type { Ajv2020, ValidateFunction, ErrorObject } from "ajv/dist/2020.js";
import { ConfigError } from "../core/errors.js";
import type { Finding } from "../core/findings.js";
import { packagePath } from "../core/paths.js";

// ajv and ajv-formats are CommonJS: required synchronously on first use. ajv-formats' export is
// the function itself, with a `default` alias.
type AddFormats = (ajv: Ajv2020) => Ajv2020;
const require = createRequire(import.meta.url);
function newAjv(): Ajv2020 {
  const { Ajv2020: AjvClass } = require("ajv/dist/2020.js") as typeof import("ajv/dist/2020.js");
  const formats = require("ajv-formats") as AddFormats & { default?: AddFormats };
  const ajv = new AjvClass({ strict: true, allErrors: true, allowUnionTypes: true });
  (formats.default ?? formats)(ajv);
  return ajv;
}

export const SCHEMA_FILE = /^([a-z0-9-]+)\.v([0-9]+)\.schema\.json$/;
export const SCHEMA_ID_BASE = "https://gatehouse.dev/schemas/";

export class SchemaRegistry {
  #loaded: { ajv: Ajv2020; names: readonly string[] } | undefined;
  readonly #validators = new Map<string, ValidateFunction>();

  constructor(readonly dir: string = packagePath("schemas")) {}

  /** Schema names (`<name>.v<N>`) in the directory. */
  get names(): readonly string[] {
    return this.#load().names;
  }

  #load(): { ajv: Ajv2020; names: readonly string[] } {
    if (this.#loaded) return this.#loaded;
    const dir = this.dir;
    const ajv = newAjv();
    const names: string[] = [];
    for (const file of readdirSync(dir).sort()) {
      const match = SCHEMA_FILE.exec(file);
      if (!match) continue;
      const name = `${match[1]}.v${match[2]}`;
      let schema: { $id?: string };
      try {
        schema = JSON.parse(readFileSync(join(dir, file), "utf8")) as { $id?: string };
      } catch (error) {
        throw new ConfigError(`invalid JSON: ${(error as Error).message}`, join(dir, file));
      }
      const expectedId = `${SCHEMA_ID_BASE}${file}`;
      if (schema.$id !== expectedId) throw new ConfigError(`$id must be ${expectedId}`, join(dir, file));
      ajv.addSchema(schema);
      names.push(name);
    }
    this.#loaded = { ajv, names };
    return this.#loaded;
  }

  has(name: string): boolean {
    return this.names.includes(name);
  }

  validator(name: string): ValidateFunction {
    let validate = this.#validators.get(name);
    if (!validate) {
      const id = `${SCHEMA_ID_BASE}${name}.schema.json`;
      try {
        validate = this.#load().ajv.getSchema(id);
      } catch (error) {
        throw new ConfigError(`schema does not compile: ${(error as Error).message}`, `schemas/${name}.schema.json`);
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
