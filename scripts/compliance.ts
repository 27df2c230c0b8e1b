// `npm run compliance`: builtin and evaluation fidelity measured on OPA's own compliance cases
// (v1/test/cases/testdata/v1/<category>/*.yaml in the pinned opa module of the Go module cache,
// read at run time, never copied here). Each case is evaluated twice on the same modules, data and
// input: by `opa eval --strict-builtin-errors` (gatehouse is strict, see builtins/index.ts), and by
// gatehouse: the case's modules plus a generated `warn` rule wrapping the case's query, compiled
// by src/policy/build.ts with `gatehouse check`'s default checks (conftest's: no --strict, as
// `opa eval` has none) and evaluated by gatehouse's runtime.
//
// Batching: building one bundle per case would take tens of minutes, so each category is one
// bundle. To keep cases apart inside it, every `data` reference and `package` of case N is moved
// under `data.ghN` (a token-level rewrite that leaves strings and comments alone), and the case's
// data is set as `{"ghN": data}` before its evaluation. A case that stops a batch from building
// (a compile error, a planner refusal) is taken out and reported on its own.
//
// Classes, from a deny rule's point of view (the wrapper is a rule whose results gate a run):
//   exact        same result set as OPA (or both fail: OPA errors, gatehouse refuses or errors)
//   wrong-value  both give results and they differ, or gatehouse gives one where OPA errors
//   wrong-allow  OPA has results or errors, gatehouse has none: a deny that would not fire
//   fail-closed  gatehouse errors at evaluation where OPA has a result (or is undefined)
//   refused      gatehouse refuses the policy: missing builtin, compile check, unsupported
//   skipped      not expressible as a gatehouse input (env vars, a Rego-only input term)
//
// The committed baseline (test/builtins/compliance-baseline.json) holds each case's class; the
// run fails on a case that does worse than its baseline, and on any wrong-value or wrong-allow
// the baseline does not document with a reason. `--update` rewrites the baseline from this run
// (keeping the reasons), `--category NAME` runs one category, `--verbose` prints each difference.
// The last line is `compliance: N passed, N failed` (scripts/test.mjs adds it to its own).

import { execFile } from "node:child_process";
import { existsSync, mkdirSync, readdirSync, readFileSync, writeFileSync } from "node:fs";
import { mkdir, mkdtemp, readFile, rm, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import { dirname, join } from "node:path";
import YAML from "yaml";
import { packageRoot } from "../src/core/paths.js";
import { SDK_BUILTINS, createBuiltins, systemClock, type BuiltinFn } from "../src/policy/builtins/index.js";
import { buildBundle, MANIFEST_FILE, WASM_FILE } from "../src/policy/build.js";
import { compileOptions } from "../src/cli/conftest-options.js";
import type { BundleManifest, RuleDocumentInfo } from "../src/policy/manifest.js";
import { conflictMessage, conflictingDocument } from "../src/policy/data-conflicts.js";
import { compilePolicy, instantiate, type PolicyInstance } from "../src/policy/runtime.js";
import { findTool } from "../src/toolchain/native.js";

export const CLASSES = ["exact", "wrong-value", "wrong-allow", "fail-closed", "refused", "skipped"] as const;
export type CaseClass = (typeof CLASSES)[number];
/** Worst first: a case regresses when its class comes earlier than its baseline's. */
const RANK: Record<CaseClass, number> = { "wrong-allow": 0, "wrong-value": 1, "fail-closed": 2, refused: 3, skipped: 4, exact: 5 };

interface TestCase {
  note: string;
  query: string;
  modules?: string[];
  data?: Record<string, unknown>;
  input?: unknown;
  input_term?: string;
  want_result?: unknown[];
  want_error_code?: string;
  want_error?: string;
  sort_bindings?: boolean;
  strict_error?: boolean;
  env?: Record<string, string>;
}

interface Case extends TestCase {
  category: string;
  /** index within its category: the `ghN` namespace */
  index: number;
  /** the input document as JSON text, or undefined for none */
  inputJson?: string;
  skip?: string;
  /**
   * Built alone, without the namespace rewrite: the case reads its own package paths
   * (rego.metadata), which the rewrite would change.
   */
  plain?: boolean;
}

type Outcome =
  | { kind: "result"; rows: string[] }
  | { kind: "error"; message: string; at: "build" | "eval" }
  | { kind: "refused"; message: string };

interface Verdict {
  note: string;
  category: string;
  class: CaseClass;
  detail: string;
  /** a wasm runtime difference this difference is known to come from, when it is one */
  runtimeReason?: string;
}

/**
 * Builtins OPA's wasm compiler implements inside the runtime (internal/compiler/wasm/wasm.go's
 * builtin table), so gatehouse's code is not involved. The runtime has no strict builtin errors:
 * where topdown (strict) errors, these are undefined.
 */
const WASM_NATIVE_BUILTINS = new Set(
  (
    "plus minus mul div rem abs round ceil floor array.concat array.flatten array.reverse array.slice and or intersection union " +
    "is_number is_string is_boolean is_array is_set is_object is_null type_name bits.or bits.and bits.negate bits.xor bits.lsh bits.rsh " +
    "count sum product max min sort all any base64.is_valid base64.decode base64.encode base64url.encode base64url.decode " +
    "net.cidr_contains net.cidr_overlap net.cidr_intersects equal gt gte lt lte neq glob.match json.marshal json.unmarshal json.is_valid " +
    "object.filter object.get object.keys object.remove object.union object.union_n concat format_int indexof substring lower upper " +
    "contains startswith endswith strings.reverse split replace strings.replace_n trim trim_left trim_prefix trim_right trim_suffix " +
    "trim_space numbers.range to_number walk graph.reachable regex.is_valid regex.match re_match regex.find_all_string_submatch_n " +
    "json.remove json.filter internal.member_2 internal.member_3"
  ).split(" "),
);

/** Why OPA errs where gatehouse does not, when a wasm-native builtin is the one that errs. */
function runtimeReason(reference: Outcome): string | undefined {
  if (reference.kind !== "error") return undefined;
  const builtin = /^eval_(?:type|builtin)_error: ([a-z_.0-9]+):/.exec(reference.message)?.[1];
  if (!builtin || !WASM_NATIVE_BUILTINS.has(builtin)) return undefined;
  return `wasm runtime: ${builtin} is native to OPA's wasm runtime, which has no strict builtin errors (undefined where opa eval --strict-builtin-errors errs)`;
}

const root = packageRoot();
const BASELINE = join(root, "test", "builtins", "compliance-baseline.json");
const opa = findTool("opa");

// ---------------------------------------------------------------------------------------------
// The corpus

/** The opa version tools/opa/go.mod pins: the module whose cases are run. */
function pinnedOpaVersion(): string {
  const gomod = readFileSync(join(root, "tools", "opa", "go.mod"), "utf8");
  const match = /github\.com\/open-policy-agent\/opa (v\S+)/.exec(gomod);
  if (!match) throw new Error("tools/opa/go.mod does not pin github.com/open-policy-agent/opa");
  return match[1]!;
}

async function corpusDir(version: string): Promise<string> {
  const modcache = process.env.GOMODCACHE || (await run("go", ["env", "GOMODCACHE"])).stdout.trim();
  const dir = join(modcache, "github.com", "open-policy-agent", `opa@${version}`, "v1", "test", "cases", "testdata", "v1");
  if (!existsSync(dir)) {
    throw new Error(`OPA's compliance cases are not in the Go module cache (${dir}): run \`npm run toolchain\` (it downloads the pinned opa module)`);
  }
  return dir;
}

/** JSON text with bigints (YAML integers past 2^53, parsed exactly) written as their digits. */
function exactJsonText(value: unknown): string {
  return JSON.stringify(value, (_key, v: unknown) => (typeof v === "bigint" ? `\u0000big:${v}` : v)).replace(/"\\u0000big:(-?\d+)"/g, "$1");
}

function loadCases(dir: string, only?: string): Map<string, Case[]> {
  const out = new Map<string, Case[]>();
  // Notes are meant to be unique but are not quite (a few repeat across files): the second and
  // later cases of a note are told apart by " #2", " #3", in the corpus's own (sorted) order.
  const seen = new Map<string, number>();
  for (const category of readdirSync(dir).sort()) {
    if (only && category !== only) continue;
    const cases: Case[] = [];
    for (const file of readdirSync(join(dir, category)).sort()) {
      if (!file.endsWith(".yaml")) continue;
      // OPA reads these with sigs.k8s.io/yaml (YAML 1.1 scalars); integers stay exact.
      const doc = YAML.parse(readFileSync(join(dir, category, file), "utf8"), { version: "1.1", intAsBigInt: true }) as { cases: TestCase[] };
      for (const tc of doc.cases) {
        const count = (seen.get(tc.note) ?? 0) + 1;
        seen.set(tc.note, count);
        const c: Case = { ...tc, note: count > 1 ? `${tc.note} #${count}` : tc.note, category, index: cases.length };
        if (tc.input !== undefined) c.inputJson = exactJsonText(tc.input);
        if (tc.env && Object.keys(tc.env).length > 0) c.skip = "needs environment variables";
        if (/rego\.metadata/.test(`${(tc.modules ?? []).join("\n")}\n${tc.query}`)) c.plain = true;
        cases.push(c);
      }
    }
    out.set(category, cases);
  }
  return out;
}

// ---------------------------------------------------------------------------------------------
// Processes

interface RunResult {
  stdout: string;
  stderr: string;
  code: number;
}

function run(cmd: string, args: string[], stdin?: string, cwd?: string): Promise<RunResult> {
  return new Promise((resolve) => {
    const child = execFile(cmd, args, { maxBuffer: 256 * 1024 * 1024, cwd }, (error, stdout, stderr) => {
      resolve({ stdout, stderr, code: error ? (typeof error.code === "number" ? error.code : 1) : 0 });
    });
    // A tool that exits before reading its stdin closes the pipe: that is its answer, not ours.
    child.stdin?.on("error", () => undefined);
    child.stdin?.end(stdin ?? "");
  });
}

/** Runs `fn` over `items`, at most `limit` at a time. */
async function pool<T, R>(items: readonly T[], limit: number, fn: (item: T) => Promise<R>): Promise<R[]> {
  const out = new Array<R>(items.length);
  let next = 0;
  const worker = async () => {
    while (next < items.length) {
      const i = next++;
      out[i] = await fn(items[i]!);
    }
  };
  await Promise.all(Array.from({ length: Math.min(limit, items.length) }, worker));
  return out;
}

// ---------------------------------------------------------------------------------------------
// Rewriting a case into its own namespace

/**
 * Moves a module or query under `data.<ns>`: `package p` becomes `package <ns>.p` and every
 * `data` reference `data.<ns>`. Strings, raw strings and comments are left alone; in template
 * strings ($"...{expr}...") only the expressions are rewritten.
 */
export function namespaced(source: string, ns: string): string {
  let out = "";
  let i = 0;
  const n = source.length;
  let lineStart = true;
  const rewriteCode = (stop: (c: string, depth: number) => boolean): void => {
    let depth = 0;
    while (i < n) {
      const c = source[i]!;
      if (stop(c, depth)) return;
      if (c === "{") depth++;
      else if (c === "}") depth--;
      if (c === "#") {
        const end = source.indexOf("\n", i);
        const stopAt = end < 0 ? n : end;
        out += source.slice(i, stopAt);
        i = stopAt;
        continue;
      }
      if (c === '"' || (c === "$" && (source[i + 1] === '"' || source[i + 1] === "`"))) {
        const template = c === "$";
        const quote = template ? source[i + 1]! : '"';
        out += template ? `$${quote}` : quote;
        i += template ? 2 : 1;
        while (i < n && source[i] !== quote) {
          // `\{` is a literal brace in both template forms; other escapes only in "..." strings.
          if (source[i] === "\\" && (quote === '"' || (template && source[i + 1] === "{"))) {
            out += source.slice(i, i + 2);
            i += 2;
          } else if (template && source[i] === "{") {
            out += "{";
            i++;
            rewriteCode((ch, d) => ch === "}" && d === 0);
            if (i < n) {
              out += "}";
              i++;
            }
          } else out += source[i++];
        }
        out += quote;
        i++;
        lineStart = false;
        continue;
      }
      if (c === "`") {
        const end = source.indexOf("`", i + 1);
        const stopAt = end < 0 ? n : end + 1;
        out += source.slice(i, stopAt);
        i = stopAt;
        lineStart = false;
        continue;
      }
      if (/[A-Za-z_]/.test(c)) {
        let j = i + 1;
        while (j < n && /[A-Za-z0-9_]/.test(source[j]!)) j++;
        const word = source.slice(i, j);
        const before = out.trimEnd();
        const afterDot = before.endsWith(".");
        if (word === "data" && !afterDot) out += `data.${ns}`;
        else if (word === "package" && lineStart && /^[ \t]+/.test(source.slice(j))) {
          const ws = /^[ \t]+/.exec(source.slice(j))![0];
          out += `package${ws}${ns}.`;
          j += ws.length;
        } else out += word;
        i = j;
        lineStart = false;
        continue;
      }
      out += c;
      if (c === "\n") lineStart = true;
      else if (c !== " " && c !== "\t" && c !== "\r") lineStart = false;
      i++;
    }
  };
  rewriteCode(() => false);
  return out;
}

// ---------------------------------------------------------------------------------------------
// The reference: opa eval

interface OpaEval {
  result?: { bindings?: Record<string, unknown> }[];
  errors?: { message: string; code?: string }[];
}

/** A result row as canonical JSON (object keys sorted); `sort` sorts array bindings as OPA's harness does. */
function canonical(value: unknown): string {
  if (Array.isArray(value)) return `[${value.map(canonical).join(",")}]`;
  if (value && typeof value === "object") {
    const keys = Object.keys(value).sort();
    return `{${keys.map((k) => `${JSON.stringify(k)}:${canonical((value as Record<string, unknown>)[k])}`).join(",")}}`;
  }
  return JSON.stringify(value);
}

function rowsOf(bindingsList: Record<string, unknown>[], sortBindings: boolean): string[] {
  const rows = new Set<string>();
  for (const bindings of bindingsList) {
    const row: Record<string, unknown> = {};
    for (const [name, value] of Object.entries(bindings)) {
      if (name.startsWith("__")) continue;
      row[name] = sortBindings && Array.isArray(value) ? [...value].sort((a, b) => (canonical(a) < canonical(b) ? -1 : canonical(a) > canonical(b) ? 1 : 0)) : value;
    }
    rows.add(canonical(row));
  }
  return [...rows].sort();
}

async function referenceOutcome(c: Case, dir: string): Promise<{ outcome: Outcome; names?: string[] }> {
  const args = ["eval", "-f", "json", "--strict-builtin-errors"];
  for (let j = 0; j < (c.modules ?? []).length; j++) args.push("-d", join(dir, `m${j}.rego`));
  if (c.data) args.push("-d", join(dir, "data.json"));
  if (c.inputJson !== undefined) args.push("-i", join(dir, "input.json"));
  args.push(c.query);
  const r = await run(opa, args);
  let parsed: OpaEval;
  try {
    parsed = JSON.parse(r.stdout) as OpaEval;
  } catch {
    return { outcome: { kind: "error", message: (r.stderr || r.stdout).trim(), at: "eval" } };
  }
  if (parsed.errors?.length) {
    const first = parsed.errors[0]!;
    return { outcome: { kind: "error", message: `${first.code ?? ""}: ${first.message}`, at: "eval" } };
  }
  const bindings = (parsed.result ?? []).map((row) => row.bindings ?? {});
  const names = bindings.length > 0 ? Object.keys(bindings[0]!).filter((name) => !name.startsWith("__")) : undefined;
  return { outcome: { kind: "result", rows: rowsOf(bindings, !!c.sort_bindings) }, ...(names ? { names } : {}) };
}

// ---------------------------------------------------------------------------------------------
// The query's output variables (for the wrapper rule), from OPA's own parser

type Term = { type: string; value: unknown };

/** Output variables of a parsed query body: its top-level variables, not those of closures. */
function queryVars(body: { terms: unknown; negated?: boolean }[]): string[] {
  const vars = new Set<string>();
  const term = (t: Term | undefined): void => {
    if (!t || typeof t !== "object") return;
    switch (t.type) {
      case "var": {
        const name = t.value as string;
        if (!name.startsWith("$") && !name.startsWith("__") && name !== "data" && name !== "input") vars.add(name);
        return;
      }
      case "ref": {
        const parts = t.value as Term[];
        parts.forEach((p, k) => (k === 0 && p.type === "var" ? undefined : term(p)));
        if (parts[0]?.type === "var") term(parts[0]);
        return;
      }
      case "call":
        (t.value as Term[]).slice(1).forEach(term);
        return;
      case "array":
      case "set":
        (t.value as Term[]).forEach(term);
        return;
      case "object":
        (t.value as [Term, Term][]).forEach(([k, v]) => (term(k), term(v)));
        return;
      default:
        return; // scalars; comprehensions and every bodies bind their own variables
    }
  };
  for (const expr of body) {
    if (expr.negated) continue;
    const terms = expr.terms as Term | Term[] | { symbols?: Term[] };
    if (Array.isArray(terms)) terms.slice(1).forEach(term);
    else if ("symbols" in terms) (terms.symbols ?? []).forEach(term);
    else if ("type" in terms) term(terms);
  }
  return [...vars].sort();
}

/** Each query's output variables, parsed by one `opa eval` for the whole category. */
async function parseQueries(cases: Case[]): Promise<Map<number, string[]>> {
  const query = `r := {i: m | some i, q in input; m := rego.parse_module("q.rego", concat("", ["package q\\np if {\\n", q, "\\n}"]))}`;
  const r = await run(opa, ["eval", "-f", "json", "-I", query], JSON.stringify(cases.map((c) => c.query)));
  const out = new Map<number, string[]>();
  try {
    const parsed = JSON.parse(r.stdout) as { result?: { bindings: { r: Record<string, { rules: { body: { terms: unknown }[] }[] }> } }[] };
    for (const [i, module] of Object.entries(parsed.result?.[0]?.bindings.r ?? {})) out.set(Number(i), queryVars(module.rules[0]!.body));
  } catch {
    // unparsable: the wrapper then binds nothing, and the build reports the query's error
  }
  return out;
}

// ---------------------------------------------------------------------------------------------
// gatehouse

const WRAPPER_PACKAGE = "gatehouse_compliance";
const RESULT_VAR = "gatehouse_result";

function wrapperModule(c: Case, names: string[]): string {
  const ns = `gh${c.index}`;
  const row = names.length > 0 ? `{${names.map((n) => `${JSON.stringify(n)}: ${n}`).join(", ")}}` : "{}";
  const query = c.plain ? c.query : namespaced(c.query, ns);
  return `package ${WRAPPER_PACKAGE}.${ns}\n\nwarn contains ${RESULT_VAR} if {\n${query}\n${RESULT_VAR} := ${row}\n}\n`;
}

/** `gh<N>` named in a compiler message (file path or package path), if any. */
function casesNamed(text: string): Set<number> {
  const out = new Set<number>();
  for (const m of text.matchAll(/\bgh(\d+)\b/g)) out.add(Number(m[1]));
  return out;
}

interface BuiltPolicy {
  instance: PolicyInstance;
  entrypoints: Set<string>;
  missing: string[];
  /** the data paths the rules define, which `check --data` checks base data against */
  documents: RuleDocumentInfo[];
}

const REFUSED_MARK = "gatehouse-compliance-refused:";

async function writeCaseFiles(c: Case, dir: string, names: string[]): Promise<void> {
  const ns = `gh${c.index}`;
  const caseDir = join(dir, ns);
  await mkdir(caseDir, { recursive: true });
  for (const [j, module] of (c.modules ?? []).entries()) await writeFile(join(caseDir, `m${j}.rego`), c.plain ? module : namespaced(module, ns));
  await writeFile(join(caseDir, "wrap.rego"), wrapperModule(c, names));
}

/** What `gatehouse check` compiles with when no flag or conftest.toml asks otherwise. */
const CHECK_BUILD = compileOptions({}, {});

/**
 * `opa check` over the batch, with the checks `gatehouse check` applies by default (conftest's:
 * not --strict, which `opa eval` does not apply either): the cases named in its errors, until
 * it passes.
 */
async function compileCheck(dir: string): Promise<{ failing: Map<number, string>; unattributed?: string }> {
  const failing = new Map<number, string>();
  for (let round = 0; round < 20; round++) {
    const r = await run(opa, ["check", "--format", "json", "--max-errors", "-1", dir]);
    if (r.code === 0) return { failing };
    let errors: { message: string; code?: string; location?: { file?: string } }[] = [];
    try {
      errors = (JSON.parse(r.stdout || r.stderr) as { errors?: typeof errors }).errors ?? [];
    } catch {
      return { failing, unattributed: r.stderr || r.stdout };
    }
    let removed = 0;
    for (const error of errors) {
      for (const index of casesNamed(`${error.location?.file ?? ""} ${error.message}`)) {
        if (failing.has(index)) continue;
        failing.set(index, `${error.code ?? "error"}: ${error.message}`);
        await rm(join(dir, `gh${index}`), { recursive: true, force: true });
        removed++;
      }
    }
    if (removed === 0) return { failing, unattributed: errors.map((e) => e.message).join("; ") };
  }
  return { failing };
}

async function build(dir: string, out: string): Promise<BuiltPolicy | { error: string }> {
  try {
    await buildBundle(dir, out, CHECK_BUILD);
  } catch (error) {
    return { error: (error as Error).message };
  }
  const manifest = JSON.parse(await readFile(join(out, MANIFEST_FILE), "utf8")) as BundleManifest;
  const wasm = await readFile(join(out, WASM_FILE));
  const provided = createBuiltins(systemClock);
  const missing = manifest.builtins.filter((name) => !SDK_BUILTINS.includes(name) && !(name in provided));
  // Stand-ins for what gatehouse does not provide, so one case does not refuse its whole batch:
  // a case that mentions one is reported refused (gatehouse refuses such a policy at load).
  const standIns: Record<string, BuiltinFn> = Object.fromEntries(
    missing.map((name) => [
      name,
      () => {
        throw new Error(`${REFUSED_MARK}${name}`);
      },
    ]),
  );
  const instance = await instantiate(await compilePolicy(wasm, "run"), manifest.builtins, { clock: systemClock, extraBuiltins: standIns });
  return { instance, entrypoints: new Set(manifest.entrypoints.map((e) => e.path)), missing, documents: manifest.documents ?? [] };
}

function mentions(c: Case, builtin: string): boolean {
  const text = `${(c.modules ?? []).join("\n")}\n${c.query}`;
  return new RegExp(`(^|[^A-Za-z0-9_.])${builtin.replaceAll(".", "\\.")}\\s*\\(`).test(text);
}

function evaluateCase(policy: BuiltPolicy, c: Case): Outcome {
  const missing = policy.missing.filter((name) => mentions(c, name));
  if (missing.length > 0) return { kind: "refused", message: `missing builtin ${missing.join(", ")}` };
  const entrypoint = `${WRAPPER_PACKAGE}/gh${c.index}/warn`;
  if (!policy.entrypoints.has(entrypoint)) return { kind: "error", message: "the wrapper rule was not built", at: "build" };
  try {
    const data = c.data ? exactJsonText(c.data) : "{}";
    const text = c.plain ? data : `{${JSON.stringify(`gh${c.index}`)}: ${data}}`;
    // As `check --data` does before evaluating (src/policy/data-conflicts.ts): base data holding a
    // value where a rule defines one is refused, as opa refuses it at compile time.
    const conflict = c.data ? conflictingDocument(policy.documents, JSON.parse(text)) : undefined;
    if (conflict) return { kind: "error", message: conflictMessage(conflict), at: "build" };
    const bytes = new TextEncoder().encode(text);
    policy.instance.setData(bytes.buffer);
    const input = c.inputJson === undefined ? null : new TextEncoder().encode(c.inputJson);
    const { defined, value } = policy.instance.evaluate(input, entrypoint);
    const rows = defined && Array.isArray(value) ? (value as Record<string, unknown>[]) : [];
    return { kind: "result", rows: rowsOf(rows, !!c.sort_bindings) };
  } catch (error) {
    const message = (error as Error).message;
    const refused = message.indexOf(REFUSED_MARK);
    if (refused >= 0) return { kind: "refused", message: `missing builtin ${message.slice(refused + REFUSED_MARK.length).split(/\s/)[0]}` };
    return { kind: "error", message, at: "eval" };
  }
}

// ---------------------------------------------------------------------------------------------
// Classification

export function classify(reference: Outcome, gatehouse: Outcome): { class: CaseClass; detail: string } {
  const show = (o: Outcome) => (o.kind === "result" ? (o.rows.length ? o.rows.join(" ") : "undefined") : `${o.kind}: ${o.message.split("\n")[0]}`);
  const detail = `opa ${show(reference)} | gatehouse ${show(gatehouse)}`;
  if (reference.kind !== "result") {
    if (gatehouse.kind !== "result") return { class: "exact", detail };
    return { class: gatehouse.rows.length === 0 ? "wrong-allow" : "wrong-value", detail };
  }
  if (gatehouse.kind === "refused") return { class: "refused", detail };
  if (gatehouse.kind === "error") return { class: gatehouse.at === "build" ? "refused" : "fail-closed", detail };
  if (gatehouse.rows.join("\n") === reference.rows.join("\n")) return { class: "exact", detail };
  if (gatehouse.rows.length === 0) return { class: "wrong-allow", detail };
  return { class: "wrong-value", detail };
}

/** Builds one bundle of cases and evaluates each: each case's outcome, by its index. */
async function runBatch(cases: Case[], dir: string, names: (c: Case) => string[]): Promise<Map<number, Outcome>> {
  const ghDir = join(dir, "policy");
  await mkdir(ghDir, { recursive: true });
  await pool(cases, 4, (c) => writeCaseFiles(c, ghDir, names(c)));
  const check = await compileCheck(ghDir);
  const gatehouse = new Map<number, Outcome>();
  for (const [index, message] of check.failing) gatehouse.set(index, { kind: "error", message: `refused by opa check: ${message}`, at: "build" });
  let remaining = cases.filter((c) => !gatehouse.has(c.index));
  if (check.unattributed !== undefined) {
    for (const c of remaining) gatehouse.set(c.index, { kind: "error", message: `opa check: ${check.unattributed}`, at: "build" });
    remaining = [];
  }
  // Build; a case named in a build error is taken out (and reported), until the rest builds.
  for (let round = 0; remaining.length > 0 && round < 50; round++) {
    const built = await build(ghDir, join(dir, `bundle-${round}`));
    if ("error" in built) {
      // The first line repeats the command (for opa build, every entrypoint; for opa parse, the
      // file); the tool's own output follows. A failure naming no single case: each case is
      // built alone to find the ones that fail.
      const firstLine = built.error.slice(0, built.error.indexOf("\n") + 1);
      const live = (set: Set<number>) => [...set].filter((i) => remaining.some((c) => c.index === i));
      let blamed = live(casesNamed(built.error.slice(firstLine.length)));
      if (blamed.length === 0 && live(casesNamed(firstLine)).length === 1) blamed = live(casesNamed(firstLine));
      if (blamed.length === 0 && remaining.length > 1) {
        for (const c of remaining) {
          const alone = await runBatch([c], join(dir, `alone-${c.index}`), names);
          gatehouse.set(c.index, alone.get(c.index)!);
        }
        remaining = [];
        continue;
      }
      if (blamed.length === 0) blamed = [remaining[0]!.index];
      for (const index of blamed) {
        gatehouse.set(index, { kind: "error", message: `build: ${built.error.slice(firstLine.length).trim() || built.error}`, at: "build" });
        await rm(join(ghDir, `gh${index}`), { recursive: true, force: true });
      }
      remaining = remaining.filter((c) => !gatehouse.has(c.index));
      continue;
    }
    for (const c of remaining) gatehouse.set(c.index, evaluateCase(built, c));
    remaining = [];
  }
  return gatehouse;
}

async function runCategory(category: string, cases: Case[], work: string): Promise<Verdict[]> {
  const dir = join(work, category);
  const refDir = join(dir, "ref");
  const verdicts: Verdict[] = [];
  let live = cases.filter((c) => !c.skip);
  for (const c of cases) if (c.skip) verdicts.push({ note: c.note, category, class: "skipped", detail: c.skip });

  // Input terms are Rego; both sides get them as JSON, when JSON holds them exactly.
  await pool(
    live.filter((c) => c.input_term !== undefined),
    2,
    async (c) => {
      const r = await run(opa, ["eval", "-f", "json", `x := ${c.input_term}; json.unmarshal(json.marshal(x)) == x`]);
      const x = (JSON.parse(r.stdout || "{}") as { result?: { bindings: { x: unknown } }[] }).result?.[0]?.bindings.x;
      if (x === undefined) c.skip = "a Rego input term JSON cannot hold";
      else c.inputJson = JSON.stringify(x);
    },
  );
  for (const c of live) if (c.skip) verdicts.push({ note: c.note, category, class: "skipped", detail: c.skip });
  live = live.filter((c) => !c.skip);
  await pool(live, 1, async (c) => {
    const caseRef = join(refDir, `gh${c.index}`);
    await mkdir(caseRef, { recursive: true });
    for (const [j, module] of (c.modules ?? []).entries()) await writeFile(join(caseRef, `m${j}.rego`), module);
    if (c.data) await writeFile(join(caseRef, "data.json"), exactJsonText(c.data));
    if (c.inputJson !== undefined) await writeFile(join(caseRef, "input.json"), c.inputJson);
  });
  const references = await pool(live, 2, (c) => referenceOutcome(c, join(refDir, `gh${c.index}`)));
  const parsedVars = await parseQueries(live);

  const names = (c: Case): string[] => references[live.indexOf(c)]!.names ?? parsedVars.get(live.indexOf(c)) ?? [];
  const gatehouse = new Map<number, Outcome>();
  const batches = [live.filter((c) => !c.plain), ...live.filter((c) => c.plain).map((c) => [c])];
  for (const [b, batch] of batches.entries()) {
    if (batch.length === 0) continue;
    for (const [index, outcome] of await runBatch(batch, join(dir, `batch-${b}`), names)) gatehouse.set(index, outcome);
  }
  for (const [k, c] of live.entries()) {
    const verdict = classify(references[k]!.outcome, gatehouse.get(c.index)!);
    const reason = verdict.class === "wrong-allow" || verdict.class === "wrong-value" ? runtimeReason(references[k]!.outcome) : undefined;
    verdicts.push({ note: c.note, category, ...verdict, ...(reason ? { runtimeReason: reason } : {}) });
  }
  return verdicts;
}

// ---------------------------------------------------------------------------------------------
// Baseline and report

interface BaselineEntry {
  class: CaseClass;
  /** why a wrong-value or wrong-allow is accepted (a wasm runtime difference gatehouse documents) */
  reason?: string;
}
/** The file: each case's class, and the reason for each accepted wrong-value or wrong-allow. */
interface BaselineFile {
  opaVersion: string;
  cases: Record<string, CaseClass>;
  reasons: Record<string, string>;
}
interface Baseline {
  opaVersion: string;
  cases: Record<string, BaselineEntry>;
}

function readBaseline(): Baseline | undefined {
  if (!existsSync(BASELINE)) return undefined;
  const file = JSON.parse(readFileSync(BASELINE, "utf8")) as BaselineFile;
  const cases: Record<string, BaselineEntry> = {};
  for (const [note, cls] of Object.entries(file.cases)) cases[note] = { class: cls, ...(file.reasons[note] ? { reason: file.reasons[note] } : {}) };
  return { opaVersion: file.opaVersion, cases };
}

function counts(verdicts: Verdict[]): Record<CaseClass, number> {
  const out = Object.fromEntries(CLASSES.map((k) => [k, 0])) as Record<CaseClass, number>;
  for (const v of verdicts) out[v.class]++;
  return out;
}

function countLine(c: Record<CaseClass, number>): string {
  const expressible = CLASSES.filter((k) => k !== "skipped").reduce((sum, k) => sum + c[k], 0);
  const pct = expressible === 0 ? 0 : (100 * c.exact) / expressible;
  return `${c.exact}/${expressible} exact (${pct.toFixed(1)} %), wrong-value ${c["wrong-value"]}, wrong-allow ${c["wrong-allow"]}, fail-closed ${c["fail-closed"]}, refused ${c.refused}, skipped ${c.skipped}`;
}

async function main(): Promise<void> {
  const argv = process.argv.slice(2);
  const update = argv.includes("--update");
  const verbose = argv.includes("--verbose");
  const only = argv.includes("--category") ? argv[argv.indexOf("--category") + 1] : undefined;
  const version = pinnedOpaVersion();
  const byCategory = loadCases(await corpusDir(version), only);
  const work = await mkdtemp(join(tmpdir(), "gatehouse-compliance-"));
  const started = Date.now();
  let verdicts: Verdict[];
  try {
    const results = await pool([...byCategory], 2, ([category, cases]) => runCategory(category, cases, work));
    verdicts = results.flat();
  } finally {
    if (!argv.includes("--keep")) await rm(work, { recursive: true, force: true });
    else console.log(`work directory kept: ${work}`);
  }

  const perCategory = new Map<string, Verdict[]>();
  for (const v of verdicts) perCategory.set(v.category, [...(perCategory.get(v.category) ?? []), v]);
  for (const [category, list] of [...perCategory].sort(([a], [b]) => (a < b ? -1 : 1))) {
    console.log(`${category.padEnd(40)} ${countLine(counts(list))}`);
    if (verbose) for (const v of list) if (v.class !== "exact") console.log(`    ${v.class.padEnd(12)} ${v.note}: ${v.detail.slice(0, 400)}`);
  }
  console.log(`\ntotal (opa ${version}, ${verdicts.length} cases, ${((Date.now() - started) / 1000).toFixed(0)} s): ${countLine(counts(verdicts))}`);

  const baseline = readBaseline();
  let passed = 0;
  let failed = 0;
  const problems: string[] = [];
  const improved: string[] = [];
  for (const v of verdicts) {
    const was = baseline?.cases[v.note];
    const documented = was?.reason !== undefined && was.class === v.class;
    if ((v.class === "wrong-value" || v.class === "wrong-allow") && !documented) {
      failed++;
      problems.push(`${v.class} ${v.note}: ${v.detail}`);
    } else if (!update && was && RANK[v.class] < RANK[was.class]) {
      failed++;
      problems.push(`regression ${v.note}: was ${was.class}, now ${v.class}: ${v.detail}`);
    } else {
      passed++;
      if (was && RANK[v.class] > RANK[was.class]) improved.push(`${v.note}: ${was.class} -> ${v.class}`);
    }
  }
  if (update) {
    const cases: Record<string, BaselineEntry> = { ...(only ? baseline?.cases : {}) };
    for (const v of [...verdicts].sort((a, b) => (a.note < b.note ? -1 : 1))) {
      const reason = baseline?.cases[v.note]?.reason ?? v.runtimeReason;
      cases[v.note] = { class: v.class, ...(reason && (v.class === "wrong-value" || v.class === "wrong-allow") ? { reason } : {}) };
    }
    const sorted = Object.entries(cases).sort(([a], [b]) => (a < b ? -1 : 1));
    const file: BaselineFile = {
      opaVersion: version,
      cases: Object.fromEntries(sorted.map(([note, entry]) => [note, entry.class])),
      reasons: Object.fromEntries(sorted.filter(([, entry]) => entry.reason).map(([note, entry]) => [note, entry.reason!])),
    };
    mkdirSync(dirname(BASELINE), { recursive: true });
    writeFileSync(BASELINE, JSON.stringify(file, null, 1) + "\n");
    console.log(`baseline written: ${BASELINE}`);
  } else if (!baseline) {
    failed++;
    problems.push(`no baseline at ${BASELINE}: run \`npm run compliance -- --update\``);
  } else if (baseline.opaVersion !== version) {
    failed++;
    problems.push(`the baseline was recorded with opa ${baseline.opaVersion}, the pinned opa is ${version}: run \`npm run compliance -- --update\` and review the changes`);
  } else if (!only) {
    for (const note of Object.keys(baseline.cases)) {
      if (!verdicts.some((v) => v.note === note)) {
        failed++;
        problems.push(`baseline case ${note} was not run`);
      }
    }
  }
  for (const p of problems) console.log(`FAIL ${p}`);
  if (improved.length > 0) console.log(`${improved.length} cases better than the baseline (run with --update to record them)`);
  console.log(`compliance: ${passed} passed, ${failed} failed`);
  process.exitCode = failed > 0 ? 1 : 0;
}

await main();
