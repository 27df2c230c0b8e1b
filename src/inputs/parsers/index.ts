// The only registry of input formats: which file names select which parser (conftest's rules,
// ported exactly: they are part of compatibility), and the parser itself, loaded on first use.
// A file is parsed only by the parser its name selects (or `--parser`); a name no parser claims,
// is refused (input/unsupported-format), never parsed as something else. json and yaml parse
// in-process; every other conftest format is conftest's own parser in the Go toolchain module,
// batched before evaluation. Adding a format: a file beside this one and its `load` below.

import { codeownersParser } from "./codeowners.js";
import { cueParser } from "./cue.js";
import { cyclonedxParser } from "./cyclonedx.js";
import { dockerfileParser } from "./dockerfile.js";
import { dotenvParser } from "./dotenv.js";
import { ednParser } from "./edn.js";
import { groovyParser } from "./groovy.js";
import { hcl1Parser } from "./hcl1.js";
import { hcl2Parser } from "./hcl2.js";
import { hoconParser } from "./hocon.js";
import { ignoreParser } from "./ignore.js";
import { iniParser } from "./ini.js";
import { jsoncParser } from "./jsonc.js";
import { jsonnetParser } from "./jsonnet.js";
import { nginxParser } from "./nginx.js";
import { propertiesParser } from "./properties.js";
import { spdxParser } from "./spdx.js";
import { textprotoParser } from "./textproto.js";
import { tomlParser } from "./toml.js";
import { vclParser } from "./vcl.js";
import { xmlParser } from "./xml.js";
import { jsonParser } from "./json.js";
import { NotADocumentError, type AnyParser, type ParseContext, type Parsed, type Parser, type ParserName } from "./types.js";
import { yamlParser } from "./yaml.js";

export type { AnyParser, BatchFile, BatchParsed, BatchParser, ParserName, Parser, ParseContext, Parsed } from "./types.js";
export { InputParseError, NotADocumentError } from "./types.js";

export interface ParserEntry {
  /** lower-case extensions (without the dot) that select this parser before the generic rule */
  extensions?: readonly string[];
  /** lower-case file names that select it, e.g. "nginx.conf" */
  fileNames?: readonly string[];
  /** lower-case file-name prefixes that select it, e.g. "dockerfile." for Dockerfile.debug */
  fileNamePrefixes?: readonly string[];
  /**
   * The parser. Absent: gatehouse knows the format (so such a file is refused by name, not
   * read as YAML) but does not parse it. The parser modules are small; a parser with a heavy
   * dependency loads it inside, on first parse (yaml.ts loads js-yaml, conftest.ts the toolchain).
   * json and yaml parse in-process; every other format is conftest's own parser, batched
   * through the Go toolchain before evaluation (src/gate/preparse.ts).
   */
  load?: () => AnyParser;
}

// Entry order is precedence order for the special rules (fileNames, prefixes, extensions), as in
// conftest's NewFromPath: Dockerfile.yaml is a Dockerfile, .env.hcl is HCL, .env.json is dotenv.
// After them, an extension equal to a parser's name selects it (x.toml -> toml).
export const PARSERS = {
  dockerfile: { fileNames: ["dockerfile"], fileNamePrefixes: ["dockerfile."], extensions: ["dockerfile"], load: () => dockerfileParser },
  yaml: { extensions: ["yml", "yaml"], load: () => yamlParser },
  hcl2: { extensions: ["hcl", "tf", "tfvars"], load: () => hcl2Parser },
  ignore: { extensions: ["gitignore", "dockerignore"], load: () => ignoreParser },
  dotenv: { fileNames: [".env"], fileNamePrefixes: [".env."], extensions: ["env"], load: () => dotenvParser },
  nginx: { fileNames: ["nginx.conf"], load: () => nginxParser },
  groovy: { fileNames: ["jenkinsfile"], fileNamePrefixes: ["jenkinsfile."], load: () => groovyParser },
  textproto: { extensions: ["textproto", "textpb"], load: () => textprotoParser },
  codeowners: { fileNames: ["codeowners"], load: () => codeownersParser },
  // gatehouse reads its own SARIF reports as JSON (conftest has no rule for .sarif).
  json: { extensions: ["sarif"], load: () => jsonParser },
  cue: { load: () => cueParser },
  cyclonedx: { load: () => cyclonedxParser },
  edn: { load: () => ednParser },
  hcl1: { load: () => hcl1Parser },
  hocon: { load: () => hoconParser },
  ini: { load: () => iniParser },
  jsonc: { load: () => jsoncParser },
  jsonnet: { load: () => jsonnetParser },
  properties: { load: () => propertiesParser },
  spdx: { load: () => spdxParser },
  toml: { load: () => tomlParser },
  vcl: { load: () => vclParser },
  xml: { load: () => xmlParser },
} satisfies Record<ParserName, ParserEntry>;

const ENTRIES: readonly (readonly [ParserName, ParserEntry])[] = Object.entries(PARSERS) as [ParserName, ParserEntry][];

/** Every parser name, sorted (for messages and `--parser` choices). */
export const PARSER_NAMES: readonly ParserName[] = ENTRIES.map(([name]) => name).sort();

/** The names gatehouse parses today. */
export const IMPLEMENTED_PARSERS: readonly ParserName[] = ENTRIES.filter(([, entry]) => entry.load !== undefined)
  .map(([name]) => name)
  .sort();

export function isParserName(name: string): name is ParserName {
  return Object.hasOwn(PARSERS, name);
}

/** Where a rule sits: a lower index is a higher precedence (PARSERS' order). */
interface Claim {
  index: number;
  name: ParserName;
}

/** The first entry claiming each file name and each extension, and every prefix in order. */
function claims(): { byFileName: Map<string, Claim>; byExtension: Map<string, Claim>; prefixes: (Claim & { prefix: string })[] } {
  const byFileName = new Map<string, Claim>();
  const byExtension = new Map<string, Claim>();
  const prefixes: (Claim & { prefix: string })[] = [];
  ENTRIES.forEach(([name, entry], index) => {
    for (const fileName of entry.fileNames ?? []) if (!byFileName.has(fileName)) byFileName.set(fileName, { index, name });
    for (const extension of entry.extensions ?? []) if (!byExtension.has(extension)) byExtension.set(extension, { index, name });
    for (const prefix of entry.fileNamePrefixes ?? []) prefixes.push({ index, name, prefix });
  });
  return { byFileName, byExtension, prefixes };
}
const CLAIMS = claims();

/**
 * The parser a path selects: `forced` when given, else conftest's file-name rules, else the
 * extension when it is a parser's name; undefined when nothing claims the file. The rules are
 * read from lookup tables built once from PARSERS (a walk asks for every file, and a loop over
 * the entries cost ~12 us per name before V8 optimised it): the entry that claims the name
 * first, in PARSERS' order, wins, as when the entries are read one by one.
 */
export function parserFor(path: string, forced?: ParserName): ParserName | undefined {
  if (forced !== undefined) return forced;
  const slash = Math.max(path.lastIndexOf("/"), path.lastIndexOf("\\"));
  const fileName = path.slice(slash + 1).toLowerCase();
  // Go's filepath.Ext: from the last dot of the name, so ".gitignore" has the extension "gitignore".
  const dot = fileName.lastIndexOf(".");
  const extension = dot >= 0 ? fileName.slice(dot + 1) : "";
  let best = CLAIMS.byFileName.get(fileName);
  const byExtension = CLAIMS.byExtension.get(extension);
  if (byExtension && (!best || byExtension.index < best.index)) best = byExtension;
  for (const claim of CLAIMS.prefixes) {
    if (best && claim.index >= best.index) break;
    if (fileName.startsWith(claim.prefix)) best = claim;
  }
  if (best) return best.name;
  return isParserName(extension) ? extension : undefined;
}

/** The parser for `name`, in-process or batched, or undefined when gatehouse has none. */
export function loadFormatParser(name: ParserName): AnyParser | undefined {
  return (PARSERS[name] as ParserEntry).load?.();
}

/** The in-process parser for `name` (json, yaml), or undefined when it is batched or absent. */
export function loadParser(name: ParserName): Parser | undefined {
  const parser = loadFormatParser(name);
  return parser?.batch ? undefined : parser;
}

/** Whether `name` is parsed by conftest's parser through the toolchain, before evaluation. */
export function isBatchParser(name: ParserName): boolean {
  return loadFormatParser(name)?.batch === true;
}

/** Whether gatehouse can parse files of this name: what directory walks keep. */
export function hasParser(path: string): boolean {
  const name = parserFor(path);
  return name !== undefined && (PARSERS[name] as ParserEntry).load !== undefined;
}

/**
 * Refuses a document that is a bare scalar (see parseInput); `documents` are a file's documents.
 */
export function assertDocuments(documents: readonly unknown[]): void {
  for (const [index, document] of documents.entries()) {
    if (typeof document !== "object" || document === null) {
      const which = documents.length === 1 ? "the document" : `document ${index + 1} of ${documents.length}`;
      throw new NotADocumentError(`${which} is ${describeScalar(document)}, not a mapping or a list`);
    }
  }
}

/**
 * Parses an input with a parser and refuses a document that is a bare scalar: every format here
 * yields mappings or lists, so a string, number, boolean or null means the file was not what
 * its name says (a Dockerfile named .yaml is one YAML string) and the policies would be
 * evaluated against something they were never written for.
 */
export function parseInput(parser: Parser, text: string, context: ParseContext): Parsed {
  const parsed = parser.parse(text, context);
  assertDocuments(parsed.documents);
  return parsed;
}

function describeScalar(value: unknown): string {
  if (value === null || value === undefined) return "null (empty)";
  if (typeof value === "string") return `a string (${JSON.stringify(value.length > 40 ? `${value.slice(0, 40)}...` : value)})`;
  return `a ${typeof value} (${String(value)})`;
}
