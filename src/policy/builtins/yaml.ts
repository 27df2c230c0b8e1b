// `yaml.is_valid` and `yaml.unmarshal` as OPA answers them (YAML 1.2 core scalars: `yes` and
// `off` are strings; test/builtins.test.ts checks against opa eval). The SDK's versions returned undefined for a
// document they could not parse and for non-strings, and refused every multi-document text;
// OPA errs on the first (strict builtin errors), says false for the second, and reads a
// multi-document text (valid when every document is) as its first document.
// The `yaml` package loads on the first call: few policies use these.

import { createRequire } from "node:module";
import { BuiltinError, OperandError, operandTypeError } from "./errors.js";

type YamlModule = typeof import("yaml");
let yamlModule: YamlModule | undefined;
function yaml(): YamlModule {
  yamlModule ??= createRequire(import.meta.url)("yaml") as YamlModule;
  return yamlModule;
}

function documents(text: string) {
  return yaml().parseAllDocuments(text, { version: "1.2", uniqueKeys: false });
}

function isValid(value: unknown): boolean {
  if (typeof value !== "string") return false;
  const docs = documents(value);
  return (Array.isArray(docs) ? docs : [docs]).every((doc) => doc.errors.length === 0);
}

function unmarshal(value: unknown): unknown {
  if (typeof value !== "string") throw new OperandError(operandTypeError(1, value, "string"));
  const parsed = documents(value);
  const docs = Array.isArray(parsed) ? parsed : [parsed];
  const failed = docs.find((doc) => doc.errors.length > 0);
  if (failed) throw new BuiltinError(`yaml: ${failed.errors[0]!.message.split("\n")[0]}`);
  return docs.length === 0 ? null : (docs[0]!.toJS({ maxAliasCount: 100 }) ?? null);
}

export const YAML_BUILTINS = {
  "yaml.is_valid": isValid,
  "yaml.unmarshal": unmarshal,
};
