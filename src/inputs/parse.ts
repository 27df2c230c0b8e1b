// Parsing of JSON and YAML documents for gatehouse's own files (config, packs, receipts, ledger
// lines) and for stdin. The parsers themselves, and the registry that picks one per input file,
// are in src/inputs/parsers/; this module keeps the entry points callers already use.

import { isUtf8 } from "node:buffer";
import { assertUniqueKeys, parseJson } from "./parsers/json.js";
import { parserFor } from "./parsers/index.js";
import { InputParseError } from "./parsers/types.js";
import { parseYamlStream, type YamlStreamOptions } from "./parsers/yaml.js";

export { InputParseError } from "./parsers/types.js";
export { MAX_YAML_ALIASES } from "./parsers/yaml.js";
export { assertNoDuplicateJsonKeys, countJsonKeyTokens, countKeys } from "./parsers/json.js";

export const DEFAULT_MAX_INPUT_BYTES = 10 * 1024 * 1024;

/**
 * Bytes of a JSON or YAML document as text. Both formats are Unicode text: bytes that are not
 * UTF-8 are refused instead of decoded with replacement characters, so a policy never judges a
 * document other than the one written.
 */
export function decodeText(bytes: Uint8Array): string {
  if (!isUtf8(bytes)) throw new InputParseError("not valid UTF-8 text");
  return Buffer.from(bytes.buffer, bytes.byteOffset, bytes.byteLength).toString("utf8");
}

export type InputFormat = "json" | "yaml";

/** json or yaml when the path's name selects one of them (src/inputs/parsers/index.ts), else undefined. */
export function formatForPath(path: string): InputFormat | undefined {
  const name = parserFor(path);
  return name === "json" || name === "yaml" ? name : undefined;
}

/**
 * Parses a document as `format`. Without one (stdin), text that starts like JSON and parses as
 * JSON is JSON, anything else YAML (YAML is a superset of JSON, so the choice only changes the
 * error message and the duplicate-key rules). A YAML stream with several documents yields an
 * array of them. `yamlOptions.refuseAmbiguous` names the file's other reader, whose reading of
 * YAML's values gatehouse must not differ from (parsers/yaml.ts).
 */
export function parseDocument(text: string, format?: InputFormat, yamlOptions: YamlStreamOptions = {}): unknown {
  if (format === "json") return parseJson(text);
  if (format === undefined) {
    const trimmed = text.trimStart();
    if (trimmed.startsWith("{") || trimmed.startsWith("[")) {
      let value: unknown;
      let isJson = true;
      try {
        value = JSON.parse(text);
      } catch {
        isJson = false;
      }
      if (isJson) {
        assertUniqueKeys(text, value);
        return value;
      }
    }
  }
  const documents = parseYamlStream(text, yamlOptions);
  return documents.length === 1 ? documents[0] : documents;
}
