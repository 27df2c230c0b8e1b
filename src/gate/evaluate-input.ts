// The per-input pipeline: read → size check → parse → validate against the kind's schema →
// evaluate the selected entrypoints → findings. Runs inside worker threads (src/gate/worker.ts)
// and in-process (tests, bench). Every failure is a denying finding, never a silent pass.

import { basename, dirname, resolve as resolvePath } from "node:path";
import { isUtf8 } from "node:buffer";
import { sha256 } from "../core/digest.js";
import { readUntrustedFile, UntrustedFileError } from "../core/read.js";
import type { Finding } from "../core/findings.js";
import type { GateCode } from "../core/codes.js";
import type { InputRecord, NamespaceRecord } from "../core/verdict.js";
import { isPlainJsonObject } from "../inputs/json-scan.js";
import { InputParseError, isBatchParser, loadParser, NotADocumentError, parseInput, parserFor, type Parser, type ParserName } from "../inputs/parsers/index.js";
import { FailClosed } from "../core/errors.js";
import { entrypointsFromWasm } from "../policy/entrypoints.js";
import type { AggregateInfo, EntrypointInfo } from "../policy/manifest.js";
import { exceptionName } from "../policy/manifest.js";
import { interpretResult } from "../policy/results.js";
import { PolicyEvalError, type PolicyInstance } from "../policy/runtime.js";
import { KINDS, inNamespace, isKind } from "../schemas/kinds.js";
import { namespaceMatcher } from "./namespaces.js";
import type { SchemaRegistry } from "../schemas/registry.js";

/** Stands for the document of a .json input shown to be a plain object (isPlainJsonObject), never built in JavaScript. */
const PLAIN_JSON_OBJECT = Symbol("plain JSON object");

export interface InputJob {
  /** display path, used in findings and reports */
  display: string;
  /** absolute file path to read, or */
  file?: string;
  /**
   * The directory `file` must resolve inside (links followed), for inputs a collector found under
   * the project root: a committed link to a file elsewhere is refused, never read as the repo's.
   */
  root?: string;
  /** raw text, or */
  text?: string;
  /** raw bytes (stdin: read capped, at most one byte over the limit; decoded only if UTF-8), or */
  bytes?: Uint8Array;
  /** an already-built document (collectors) */
  document?: unknown;
  kind?: string;
  /**
   * The Rego namespaces that judge this input (every package at or below one of them), instead
   * of its kind's namespace or the run's selection: the `files` collector's inputs, judged by
   * the user's own policies. A kind given with them only names the schema the input must pass.
   */
  namespaces?: string[];
  /** the parser to use whatever the file name says (`check --parser`) */
  parser?: ParserName;
  /**
   * The digest and size of the bytes `document` was parsed from, when it was parsed from a file
   * before evaluation (src/gate/preparse.ts: the formats conftest's parsers read): the input's
   * record names the file's bytes, not a re-serialisation.
   */
  source?: { sha256: string; bytes: number };
  /** Why the file could not be read or parsed before evaluation: the input denies with this code. */
  refused?: { code: GateCode; message: string; sha256?: string; bytes?: number };
  /**
   * The file's path as conftest writes it (`check`): the argument as given (`./a.json`), or a
   * walked file's filepath.Join of the argument and its path below it. `--combine` gives it to
   * policies as `path`; without it, `display`.
   */
  conftestPath?: string;
  /** Evaluate `document` whole even when it is a list (`--combine`: one input of every file). */
  whole?: boolean;
  /**
   * Where a built document embeds the file the input stands for (the receipt in a promotion
   * input), and that file's own schema: pointers under it are reported relative to that file,
   * since that is what the reader has open; other pointers name the collector's facts and move
   * to metadata.factPointer.
   */
  embedded?: EmbeddedFile;
}

export interface EmbeddedFile {
  pointer: string;
  schema: string;
}

/** Which packages to evaluate for inputs without a kind (conftest's --namespace, globs included, or --all-namespaces). */
export type NamespaceSelection = { all: true } | { all: false; namespaces: string[] };

export interface EvaluatorOptions {
  maxInputBytes: number;
  selection: NamespaceSelection;
  /** The bundle manifest's aggregate entrypoints (one evaluation per package); none: rule by rule. */
  aggregates?: Readonly<Record<string, AggregateInfo>>;
  /** Record conftest's tallies in `InputRecord.namespaces` (only the tap and table reports read them). */
  tallies?: boolean;
  /** Rule definitions per entrypoint path where more than one (the manifest's); one otherwise. */
  definitions?: Readonly<Record<string, number>>;
  /** Set data.conftest.file for each input (conftest's file info; see EvaluationRequest). */
  conftestFileInfo?: boolean;
}

type RuleResult = { defined: boolean; value: unknown };

export interface InputResult {
  record: InputRecord;
  findings: Finding[];
  evaluateMs: number;
}

export class InputEvaluator {
  readonly #byPackage = new Map<string, EntrypointInfo[]>();
  /** packages whose aggregate entrypoint holds exactly their entrypoints and exists in the wasm */
  readonly #aggregates = new Map<string, AggregateInfo>();
  #selected: ((pkg: string) => boolean) | undefined;

  /**
   * `entrypoints` is what the caller believes the policy holds (the bundle's); the rules
   * evaluated are the wasm's own, and a list that differs from them is refused, so no rule in
   * the wasm is skipped because a list left it out. An aggregate is used only where it is the
   * one the wasm has for that package (otherwise the package is evaluated rule by rule).
   */
  constructor(
    readonly policy: PolicyInstance,
    entrypoints: readonly EntrypointInfo[],
    readonly schemas: SchemaRegistry,
    readonly options: EvaluatorOptions,
  ) {
    const wasm = entrypointsFromWasm(policy.entrypointNames());
    const claimed = new Map(entrypoints.map((e) => [e.path, e]));
    const differs =
      wasm.problems.length > 0 ||
      claimed.size !== entrypoints.length ||
      claimed.size !== wasm.entrypoints.length ||
      wasm.entrypoints.some((e) => {
        const c = claimed.get(e.path);
        return !c || c.package !== e.package || c.rule !== e.rule || c.role !== e.role;
      });
    if (differs) {
      throw new FailClosed("bundle/tampered", `the entrypoints given (${[...claimed.keys()].sort().join(", ")}) are not the wasm's (${policy.entrypointNames().join(", ")})`);
    }
    for (const entry of wasm.entrypoints) {
      const list = this.#byPackage.get(entry.package) ?? [];
      list.push(entry);
      this.#byPackage.set(entry.package, list);
    }
    for (const [pkg, aggregate] of Object.entries(options.aggregates ?? {})) {
      const actual = wasm.aggregates && Object.hasOwn(wasm.aggregates, pkg) ? wasm.aggregates[pkg] : undefined;
      if (actual && aggregate.path === actual.path && aggregate.rules.length === actual.rules.length && aggregate.rules.every((r, i) => r === actual.rules[i])) {
        this.#aggregates.set(pkg, actual);
      }
    }
  }

  /**
   * Every rule of a package from one evaluation of its aggregate entrypoint, or undefined when
   * there is none, it failed, or its result is not exactly one `[]` or `[value]` per rule: the
   * caller then evaluates rule by rule, which also attributes any error as before.
   */
  #aggregateResults(encoded: ArrayBuffer | Uint8Array, pkg: string): Map<string, RuleResult> | undefined {
    const aggregate = this.#aggregates.get(pkg);
    if (!aggregate) return undefined;
    let result: RuleResult;
    try {
      result = this.policy.evaluate(encoded, aggregate.path);
    } catch (error) {
      if (error instanceof PolicyEvalError) return undefined;
      throw error;
    }
    const value = result.value as Record<string, unknown> | undefined;
    if (!result.defined || typeof value !== "object" || value === null || Array.isArray(value)) return undefined;
    if (Object.keys(value).length !== aggregate.rules.length) return undefined;
    const out = new Map<string, RuleResult>();
    for (const rule of aggregate.rules) {
      const held = Object.prototype.hasOwnProperty.call(value, rule) ? value[rule] : undefined;
      if (!Array.isArray(held) || held.length > 1) return undefined;
      out.set(rule, held.length === 1 ? { defined: true, value: held[0] } : { defined: false, value: undefined });
    }
    return out;
  }

  /** The run's data (--data), under which data.conftest.file is set per input when asked. */
  baseData: unknown = undefined;

  /** conftest's data.conftest.file for this input: the base name and directory of its absolute path. */
  #setFileInfo(job: InputJob): void {
    const abs = resolvePath(job.file ?? job.display);
    const base = typeof this.baseData === "object" && this.baseData !== null && !Array.isArray(this.baseData) ? (this.baseData as Record<string, unknown>) : {};
    const conftest = typeof base.conftest === "object" && base.conftest !== null && !Array.isArray(base.conftest) ? (base.conftest as Record<string, unknown>) : {};
    this.policy.setData({ ...base, conftest: { ...conftest, file: { name: basename(abs), dir: dirname(abs) } } });
  }

  evaluate(job: InputJob): InputResult {
    const result = this.#evaluate(job);
    if (job.embedded !== undefined) result.findings = result.findings.map((finding) => rebasePointer(finding, job.embedded!));
    return result;
  }

  #evaluate(job: InputJob): InputResult {
    const findings: Finding[] = [];
    const record: InputRecord = { path: job.display, sha256: "", bytes: 0, rulesEvaluated: 0 };
    if (job.kind) record.kind = job.kind;
    const fail = (code: GateCode, message: string): InputResult => {
      findings.push({ code, severity: "error", message, source: "gate", input: job.display });
      return { record, findings, evaluateMs: 0 };
    };

    // 1. Obtain the document. `json` keeps the bytes of a document that is exactly one JSON
    // value, already checked (parsed, no duplicate keys, valid UTF-8), so the policy gets those
    // bytes instead of a re-serialisation of the parsed value.
    let document: unknown;
    let json: Uint8Array | undefined;
    if (job.refused !== undefined) {
      record.sha256 = job.refused.sha256 ?? "";
      record.bytes = job.refused.bytes ?? 0;
      return fail(job.refused.code, job.refused.message);
    }
    if (job.document !== undefined) {
      json = Buffer.from(JSON.stringify(job.document), "utf8");
      record.sha256 = job.source?.sha256 ?? sha256(json);
      record.bytes = job.source?.bytes ?? json.byteLength;
      document = job.document;
    } else {
      let raw: Buffer;
      /** the decoded text, when it came as text (stdin); a file's bytes are decoded only if parsed */
      let text: string | undefined;
      let parser: Parser | undefined;
      const inProcess = (name: ParserName): Parser | undefined => {
        // A batched format reaches here only if the caller skipped preparse: a bug, never a pass.
        if (isBatchParser(name)) throw new Error(`internal: ${job.display} (${name}) was not parsed before evaluation (src/gate/preparse.ts)`);
        return loadParser(name);
      };
      /** the selected parser's name; undefined for stdin without --parser (JSON or YAML by content) */
      let format: ParserName | undefined = job.parser;
      if (job.file !== undefined) {
        // Chosen by name before anything is read: a file no parser claims is never guessed at.
        format = parserFor(job.file, job.parser);
        parser = format === undefined ? undefined : inProcess(format);
        if (parser === undefined) return fail("input/unsupported-format", unsupportedMessage(format));
        try {
          // The path names a file given on the command line or found by a walk; the reader's
          // O_NONBLOCK open and fstat refuse a FIFO or device without the extra stat.
          raw = readUntrustedFile(job.file, { maxBytes: this.options.maxInputBytes, skipStatBeforeOpen: true, ...(job.root !== undefined ? { root: job.root } : {}) });
        } catch (error) {
          if (!(error instanceof UntrustedFileError)) throw error;
          if (error.problem === "too-large") {
            record.bytes = error.bytes ?? 0;
            const grew = error.reason.includes("grew");
            return fail("input/too-large", grew ? `input is over the ${this.options.maxInputBytes}-byte limit (it grew while being read)` : `input is ${error.bytes} bytes, over the ${this.options.maxInputBytes}-byte limit`);
          }
          return fail("input/unreadable", `cannot read input: ${error.reason}`);
        }
        record.sha256 = sha256(raw);
        record.bytes = raw.byteLength;
      } else {
        if (job.bytes !== undefined) raw = Buffer.from(job.bytes.buffer, job.bytes.byteOffset, job.bytes.byteLength);
        else {
          text = job.text ?? "";
          raw = Buffer.from(text, "utf8");
        }
        record.sha256 = sha256(raw);
        record.bytes = raw.byteLength;
        if (raw.byteLength > this.options.maxInputBytes) {
          // stdin's bytes stop one past the limit: their count is not the input's size.
          return fail("input/too-large", job.bytes !== undefined ? `input is over the ${this.options.maxInputBytes}-byte limit` : `input is ${raw.byteLength} bytes, over the ${this.options.maxInputBytes}-byte limit`);
        }
        if (format !== undefined) {
          parser = inProcess(format);
          if (parser === undefined) return fail("input/unsupported-format", unsupportedMessage(format));
        }
      }
      // JSON and YAML are Unicode text: a file whose bytes are not UTF-8 is refused, not decoded
      // with replacement characters (the policy would judge a document nobody wrote); so are
      // stdin's bytes. A .json file's bytes are then what the policy sees.
      if (text === undefined && !isUtf8(raw)) return fail("input/unparsable", "not valid UTF-8 text");
      const utf8Json = format === "json";
      if (job.kind === undefined && utf8Json && isPlainJsonObject(raw)) {
        // The common case needs no JavaScript value: a .json object with no kind to validate
        // against, shown valid and free of duplicate keys by one scan of its bytes.
        json = raw;
        document = PLAIN_JSON_OBJECT;
      } else {
        const decoded = text ?? raw.toString("utf8");
        try {
          // stdin without --parser: JSON or YAML by content, as before; the scalar check still applies.
          document = parser ? parseInput(parser, decoded, { path: job.display }).value : parseStdin(decoded);
        } catch (error) {
          if (error instanceof NotADocumentError) return fail("input/not-a-document", error.message);
          if (error instanceof InputParseError) return fail("input/unparsable", error.message);
          throw error;
        }
        // A .json file that parsed is one JSON value (the JSON parser never falls back to YAML).
        if (utf8Json) json = raw;
      }
    }

    // 2. Pick the packages and validate against the kind's schema.
    let packages: string[];
    if (job.namespaces !== undefined) {
      const namespaces = job.namespaces;
      if (job.kind !== undefined) {
        if (!isKind(job.kind)) return fail("schema/unknown-kind", `unknown input kind ${JSON.stringify(job.kind)}`);
        const schemaFindings = this.schemas.validate(KINDS[job.kind].schema, document, job.display);
        if (schemaFindings.length > 0) return { record, findings: schemaFindings, evaluateMs: 0 };
      }
      packages = [...this.#byPackage.keys()].filter((pkg) => namespaces.some((ns) => inNamespace(pkg, ns)));
      if (packages.length === 0) return fail("gate/namespace-unmatched", `no policy package at or below ${namespaces.join(", ")}`);
    } else if (job.kind !== undefined) {
      if (!isKind(job.kind)) return fail("schema/unknown-kind", `unknown input kind ${JSON.stringify(job.kind)}`);
      const info = KINDS[job.kind];
      const schemaFindings = this.schemas.validate(info.schema, document, job.display);
      if (schemaFindings.length > 0) return { record, findings: schemaFindings, evaluateMs: 0 };
      packages = [...this.#byPackage.keys()].filter((pkg) => inNamespace(pkg, info.namespace));
      if (packages.length === 0) {
        return fail("gate/no-policy-for-kind", `no policy package under ${info.namespace} governs inputs of kind ${job.kind}`);
      }
    } else {
      const selection = this.options.selection;
      const selected = selection.all ? () => true : (this.#selected ??= namespaceMatcher(selection.namespaces));
      packages = [...this.#byPackage.keys()].filter(selected);
      if (packages.length === 0) {
        const wanted = selection.all ? "any namespace" : selection.namespaces.join(", ");
        return fail("gate/namespace-unmatched", `no policy package matches ${wanted}`);
      }
    }
    packages.sort();

    // 3. Evaluate. A top-level array is evaluated element by element, as conftest does with
    // multi-document files; a kind's document is always evaluated whole.
    const documents = job.kind === undefined && job.whole !== true && Array.isArray(document) ? document : [document];
    const started = performance.now();
    if (this.options.conftestFileInfo) this.#setFileInfo(job);
    const tallies = new Map<string, NamespaceRecord>(packages.map((pkg) => [pkg, { namespace: pkg, successes: 0, exceptions: [] }]));
    for (const doc of documents) {
      // The checked bytes themselves (a view, not a copy) when the policy evaluates the whole document.
      const encoded = json !== undefined && doc === document ? json : this.policy.encodeInput(doc);
      for (const pkg of packages) {
        const entries = this.#byPackage.get(pkg)!;
        const rules = entries.filter((e) => e.role !== "exception");
        if (rules.length === 0) continue;
        const exceptions = new Set<string>();
        const exceptionRule = entries.find((e) => e.role === "exception");
        const together = this.#aggregateResults(encoded, pkg);
        const evaluateRule = (entry: EntrypointInfo): RuleResult => together?.get(entry.rule) ?? this.policy.evaluate(encoded, entry.path);
        try {
          if (exceptionRule) {
            const result = evaluateRule(exceptionRule);
            if (result.defined) {
              const outcome = interpretResult(exceptionRule, result.value, job.display);
              findings.push(...outcome.findings);
              for (const name of outcome.exceptions ?? []) exceptions.add(name);
            }
          }
          // conftest's count (policy/engine.go): a rule with no message is one success, an
          // excepted one an exception; definitions not accounted for by results are successes.
          const tally = tallies.get(pkg)!;
          let definitions = 0;
          let results = 0;
          for (const entry of rules) {
            definitions += this.options.definitions?.[entry.path] ?? 1;
            const excepted = exceptions.has(exceptionName(entry.rule));
            if (excepted) {
              tally.exceptions.push(`data.${pkg}.exception[_][_] == ${JSON.stringify(exceptionName(entry.rule))}`);
              results++;
            }
            record.rulesEvaluated++; // attempted counts: an aborted rule was still evaluated
            const result = evaluateRule(entry);
            const outcome = result.defined ? interpretResult(entry, result.value, job.display) : undefined;
            const messages = outcome?.findings.filter((f) => f.source === "policy").length ?? 0;
            if (!excepted) {
              results += messages === 0 ? 1 : messages;
              if (messages === 0) tally.successes++;
            }
            if (!outcome) continue;
            for (const finding of outcome.findings) {
              if (excepted && finding.source === "policy") {
                finding.suppressed = { kind: "exception", justification: `data.${pkg}.exception` };
              }
              findings.push(finding);
            }
          }
          if (results < definitions) tally.successes += definitions - results;
        } catch (error) {
          if (!(error instanceof PolicyEvalError)) throw error;
          findings.push({ code: "policy/eval-error", severity: "error", message: error.message, source: "gate", input: job.display, rule: `data.${pkg}` });
        }
      }
    }
    const evaluateMs = performance.now() - started;
    if (this.options.tallies === true && record.rulesEvaluated > 0) record.namespaces = packages.filter((pkg) => this.#byPackage.get(pkg)!.some((e) => e.role !== "exception")).map((pkg) => tallies.get(pkg)!);
    if (record.rulesEvaluated === 0) {
      findings.push({
        code: "gate/zero-rules",
        severity: "error",
        message: documents.length === 0 ? "the input is an empty list: nothing was evaluated" : `no deny, violation or warn rule exists in ${packages.join(", ")}`,
        source: "gate",
        input: job.display,
      });
    }
    return { record, findings, evaluateMs };
  }
}

/** The refusal of a file whose name selects no parser (or a format without one). */
function unsupportedMessage(format: ParserName | undefined): string {
  return format === undefined
    ? "no parser claims this file name (chosen by extension or name, as conftest does; --parser NAME picks one)"
    : `gatehouse has no ${format} parser; the file is not evaluated as anything else`;
}

/** stdin without --parser: JSON when it starts like JSON and is JSON, else YAML (as before); a bare scalar is refused. */
function parseStdin(text: string): unknown {
  const start = text.trimStart();
  let json = start.startsWith("{") || start.startsWith("[");
  if (json) {
    try {
      JSON.parse(text);
    } catch {
      json = false;
    }
  }
  return parseInput(loadParser(json ? "json" : "yaml")!, text, { path: "-" }).value;
}

export { readOpenFile } from "../core/read.js";
/** A finding's pointer into an embedded file, made relative to that file (see InputJob.embedded). */
export function rebasePointer(finding: Finding, embedded: EmbeddedFile): Finding {
  const pointer = finding.location?.pointer;
  if (pointer === undefined) return finding;
  const base = embedded.pointer;
  if (pointer === base || pointer.startsWith(`${base}/`)) {
    const inner = pointer.slice(base.length);
    const rebased: Finding = { ...finding, location: { ...finding.location, pointer: inner } };
    // A schema message names the pointer and the schema (src/schemas/registry.ts): name the file's own.
    const schema = finding.metadata?.schema;
    const head = `${pointer || "/"} `;
    const tail = ` (schema ${String(schema)})`;
    if (finding.code === "schema/invalid" && typeof schema === "string" && finding.message.startsWith(head) && finding.message.endsWith(tail)) {
      rebased.message = `${inner || "/"} ${finding.message.slice(head.length, -tail.length)} (schema ${embedded.schema})`;
      rebased.metadata = { ...finding.metadata, schema: embedded.schema };
    }
    return rebased;
  }
  const { pointer: _fact, ...location } = finding.location!;
  const { location: _old, ...rest } = finding;
  return { ...rest, ...(Object.keys(location).length > 0 ? { location } : {}), metadata: { ...(finding.metadata ?? {}), factPointer: pointer } };
}
