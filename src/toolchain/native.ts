// The native driver: the pinned Go binaries (opa, regal, conftest), found in the repository's
// .toolchain/bin (built by `npm run toolchain` from tools/<name>/go.mod), then $GATEHOUSE_<NAME>,
// then PATH, and run with execa. For the Toolchain interface it runs the opa CLI and translates
// its JSON output into the protocol's shapes (protocol.ts), so callers cannot tell the drivers
// apart except by speed (test/toolchain.test.ts compares them).

import { existsSync, mkdirSync, readFileSync, realpathSync, renameSync, statSync, writeFileSync } from "node:fs";
import { mkdtemp, mkdir, readFile, rm, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import { delimiter, dirname, isAbsolute, join } from "node:path";
import { cacheDir } from "../core/cache-dir.js";
import { sha256 } from "../core/digest.js";
import { ToolchainError } from "../core/errors.js";
import { displayPath, packageRoot } from "../core/paths.js";
import type { Toolchain, Workspace } from "./index.js";
import {
  PROTOCOL_VERSION,
  REQUEST_ERROR,
  WASM_CHECKED_PARSERS,
  type Annotation,
  type Answered,
  type Command,
  type Commands,
  type Location,
  type ParsedInput,
  type ParsedModule,
  type RuleDocument,
  type Refused,
  type Response,
  type TestCase,
  type ToolError,
} from "./protocol.js";
import { loadWasmToolchain, ToolTimeoutError, wasmToolchainPresent } from "./wasi.js";

export type ToolName = "opa" | "regal" | "conftest";

/** The pinned binary built by scripts/toolchain.sh, when this is a checkout that has one. */
export function pinnedTool(name: ToolName): string | undefined {
  const pinned = join(packageRoot(), ".toolchain", "bin", name);
  return existsSync(pinned) ? pinned : undefined;
}

/** $GATEHOUSE_<NAME>, when set (an error when it names nothing). */
export function overriddenTool(name: ToolName, env: NodeJS.ProcessEnv = process.env): string | undefined {
  const variable = `GATEHOUSE_${name.toUpperCase()}`;
  const override = env[variable];
  if (!override) return undefined;
  if (!existsSync(override)) throw new ToolchainError(`${variable}=${override} does not exist`);
  return override;
}

export function toolOnPath(name: ToolName, env: NodeJS.ProcessEnv = process.env): string | undefined {
  for (const dir of (env.PATH ?? "").split(delimiter)) {
    if (dir && existsSync(join(dir, name))) return join(dir, name);
  }
  return undefined;
}

export function findTool(name: ToolName, env: NodeJS.ProcessEnv = process.env): string {
  const found = pinnedTool(name) ?? overriddenTool(name, env) ?? toolOnPath(name, env);
  if (found) return found;
  throw new ToolchainError(
    `${name} not found. Build the pinned toolchain with \`npm run toolchain\` (needs Go), ` + `or set GATEHOUSE_${name.toUpperCase()} to an ${name} binary.`,
  );
}

interface ToolRun {
  exitCode: number;
  stdout: string;
  stderr: string;
  /** killed at its deadline (options.timeoutMs) */
  timedOut?: true;
}

async function execTool(bin: string, args: string[], options: { cwd?: string; timeoutMs?: number }): Promise<ToolRun> {
  // Imported here: execa costs tens of ms at startup and most runs never start a tool.
  const { execa } = await import("execa");
  const result = await execa(bin, args, { cwd: options.cwd, reject: false, stripFinalNewline: false, ...(options.timeoutMs !== undefined ? { timeout: options.timeoutMs } : {}) });
  if (result.timedOut) return { exitCode: -1, stdout: "", stderr: "", timedOut: true };
  if (result.exitCode === undefined) throw new ToolchainError(`${bin} ${args.join(" ")} did not run: ${result.message}`);
  return { exitCode: result.exitCode, stdout: result.stdout, stderr: result.stderr };
}

/** Runs a tool; a non-zero exit is a ToolchainError carrying its output. */
export async function runTool(name: ToolName, args: string[], options: { cwd?: string } = {}): Promise<string> {
  const run = await execTool(findTool(name), args, options);
  if (run.exitCode !== 0) {
    throw new ToolchainError(`${name} ${args.join(" ")} failed (exit ${run.exitCode}):\n${run.stdout}${run.stderr}`.trimEnd());
  }
  return run.stdout;
}

const ok = <R>(result: R): Answered<R> => ({ protocol: PROTOCOL_VERSION, ok: true, result });
const failed = (errors: ToolError[]): Refused => ({ protocol: PROTOCOL_VERSION, ok: false, errors });
const message = (run: ToolRun, what: string): Refused =>
  failed([{ code: "", message: `${what} failed (exit ${run.exitCode}): ${(run.stderr || run.stdout).trim()}` }]);

/** OPA's `{"errors": [...]}` (check, parse) as protocol errors, or undefined when it is not that. */
function opaErrors(text: string): ToolError[] | undefined {
  const start = text.indexOf("{");
  if (start < 0) return undefined;
  try {
    const parsed = JSON.parse(text.slice(start)) as { errors?: { code?: string; message: string; location?: Location }[] };
    if (!Array.isArray(parsed.errors)) return undefined;
    return parsed.errors.map((e) => toolError(e));
  } catch {
    return undefined;
  }
}

function toolError(e: { code?: string; message: string; location?: Location }): ToolError {
  return { code: e.code ?? "", message: e.message, ...(e.location ? { location: location(e.location) } : {}) };
}

const location = (l: Location): Location => ({ file: l.file, row: l.row, col: l.col });

interface AstTerm {
  type: string;
  value: unknown;
}

/** A data reference's segments after `data`, as the Go side renders them. */
function refSegments(ref: AstTerm[]): string[] {
  return ref.slice(1).map((term) => (term.type === "string" ? String(term.value) : JSON.stringify(term.value)));
}

/** Writes a capabilities document for `--capabilities`, returning the flag (none when absent). */
async function capabilitiesFlag(capabilities: unknown, scratch: string): Promise<string[]> {
  if (capabilities === undefined || capabilities === null) return [];
  const file = join(scratch, "capabilities.json");
  await writeFile(file, JSON.stringify(capabilities));
  return ["--capabilities", file];
}

/** opa's flag for Rego v0 (absent for v1, the default). */
const v0Flag = (version: string | undefined): string[] => (version === "v0" ? ["--v0-compatible"] : []);

type NativeCommand<C extends Command> = (opa: string, args: Commands[C]["args"], cwd: string, scratch: string, deadlineMs?: number) => Promise<Response<C>>;

/** How the opa CLI answers each command. */
const NATIVE: { [C in Command]: NativeCommand<C> } = {
  version: async (opa, _args, cwd) => {
    const run = await execTool(opa, ["version"], { cwd });
    const opaVersion = /^Version:\s*(\S+)/m.exec(run.stdout)?.[1];
    const goVersion = /^Go Version:\s*(\S+)/m.exec(run.stdout)?.[1];
    if (run.exitCode !== 0 || !opaVersion) return message(run, "opa version");
    return ok({ opaVersion, goVersion: goVersion ?? "" });
  },

  build: async (opa, args, cwd, scratch) => {
    const tarball = join(scratch, "bundle.tar.gz");
    const argv = ["build", "-t", "wasm", ...v0Flag(args.regoVersion), ...(await capabilitiesFlag(args.capabilities, scratch)), "-o", tarball];
    for (const pattern of args.ignore ?? []) argv.push("--ignore", pattern);
    for (const entrypoint of args.entrypoints) argv.push("-e", entrypoint);
    const run = await execTool(opa, [...argv, ...args.paths], { cwd });
    // opa build prints its errors as text only.
    if (run.exitCode !== 0) return message(run, "opa build");
    return ok({ bundle: (await readFile(tarball)).toString("base64") });
  },

  check: async (opa, args, cwd, scratch) => {
    const argv = ["check", "--format", "json", ...v0Flag(args.regoVersion), ...(args.strict ? ["--strict"] : []), ...(await capabilitiesFlag(args.capabilities, scratch))];
    for (const pattern of args.ignore ?? []) argv.push("--ignore", pattern);
    const run = await execTool(opa, [...argv, ...args.paths], { cwd });
    if (run.exitCode === 0) return ok({});
    return failed(opaErrors(run.stderr) ?? opaErrors(run.stdout) ?? [{ code: "", message: (run.stderr || run.stdout).trim() }]);
  },

  parse: async (opa, args, cwd) => {
    // One `opa parse` per file, started together (each is a process of its own).
    const runs = await Promise.all(args.paths.map((path) => execTool(opa, ["parse", "--format", "json", "--json-include", "locations", ...v0Flag(args.regoVersion), path], { cwd })));
    const modules: ParsedModule[] = [];
    for (const [index, run] of runs.entries()) {
      if (run.exitCode !== 0) return failed(opaErrors(run.stderr) ?? opaErrors(run.stdout) ?? [{ code: "", message: (run.stderr || run.stdout).trim() }]);
      const ast = JSON.parse(run.stdout) as { package: { path: AstTerm[] }; rules?: { head: { name?: string; ref?: AstTerm[] }; location?: { row?: number } }[] };
      const rules: string[] = [];
      const definitions: number[] = [];
      const documents: RuleDocument[] = [];
      const seen = new Set<string>();
      const pkg = refSegments(ast.package.path);
      for (const rule of ast.rules ?? []) {
        // The rule's data path, as tools/wasm/parse.go's ruleDocuments: the head's ground prefix
        // up to its first non-string term.
        const path = [...pkg];
        for (const [i, term] of (rule.head.ref ?? [{ type: "var", value: rule.head.name }]).entries()) {
          if (i === 0 && term.type === "var" && typeof term.value === "string") path.push(term.value);
          else if (term.type === "string" && typeof term.value === "string") path.push(term.value);
          else break;
        }
        const key = JSON.stringify(path);
        if (!seen.has(key)) (seen.add(key), documents.push({ path, row: rule.location?.row ?? 0 }));
        const head = rule.head.ref?.[0]?.value ?? rule.head.name;
        if (typeof head !== "string" || !head) continue;
        const known = rules.indexOf(head);
        if (known >= 0) definitions[known]!++;
        else {
          rules.push(head);
          definitions.push(1);
        }
      }
      modules.push({ path: args.paths[index]!, package: pkg, rules, definitions, documents });
    }
    return ok({ modules });
  },

  "parse-inputs": async (_opa, args, _cwd, scratch, deadlineMs) => {
    // The pinned conftest's `parse`, on copies of the bytes given (at the same relative paths,
    // so a file is parsed as named; jsonnet imports of other files resolve only under the wasm).
    if (WASM_CHECKED_PARSERS.has(args.parser)) {
      const why = `the ${args.parser} parser is read with gatehouse's checks for keys conftest's parser drops or repeats, which only the wasm toolchain carries (GATEHOUSE_TOOLCHAIN=native; unset it or set it to wasm)`;
      return ok({ documents: args.files.map((file) => ({ path: file.path, error: why })) });
    }
    const conftest = findTool("conftest");
    const relative: string[] = [];
    for (const [index, file] of args.files.entries()) {
      if (isAbsolute(file.path) || file.path.split(/[\\/]/).includes("..")) {
        return failed([{ code: REQUEST_ERROR, message: `parse-inputs: paths must be relative and inside the workspace, not ${JSON.stringify(file.path)}` }]);
      }
      // One directory per file: two requested paths never collide, and each keeps its own name.
      const path = join(String(index), file.path);
      await mkdir(dirname(join(scratch, path)), { recursive: true });
      await writeFile(join(scratch, path), Buffer.from(file.contents, "base64"));
      relative.push(path);
    }
    const parseOne = async (path: string, file: string): Promise<ParsedInput> => {
      const run = await execTool(conftest, ["parse", "--parser", args.parser, path], { cwd: scratch, ...(deadlineMs !== undefined ? { timeoutMs: deadlineMs } : {}) });
      if (run.timedOut) return { path: file, error: `the parser did not finish within ${deadlineMs} ms on this file` };
      // conftest's wording around the parser's own error (the wasm answers that error alone).
      if (run.exitCode !== 0) return { path: file, error: (run.stderr || run.stdout).trim().replace(/^(Error: )?parse configurations: /, "").replace(/, path: [^\n]*$/, "") };
      return { path: file, document: JSON.parse(run.stdout) as unknown };
    };
    // All at once when every file parses (conftest stops at the first that does not), else one by one.
    if (relative.length > 1) {
      const run = await execTool(conftest, ["parse", "--parser", args.parser, ...relative], { cwd: scratch, ...(deadlineMs !== undefined ? { timeoutMs: deadlineMs } : {}) });
      if (run.exitCode === 0 && !run.timedOut) {
        const byPath = JSON.parse(run.stdout) as Record<string, unknown>;
        return ok({ documents: args.files.map((file, index) => ({ path: file.path, document: byPath[relative[index]!] })) });
      }
    }
    return ok({ documents: await Promise.all(args.files.map((file, index) => parseOne(relative[index]!, file.path))) });
  },

  inspect: async (opa, args, cwd) => {
    const run = await execTool(opa, ["inspect", "-a", "--format", "json", ...v0Flag(args.regoVersion), args.path], { cwd });
    if (run.exitCode !== 0) return message(run, "opa inspect");
    const raw = JSON.parse(run.stdout) as {
      annotations?: {
        annotations: { scope: string; title?: string; description?: string; custom?: Record<string, unknown> };
        path: AstTerm[];
        location?: Location;
      }[];
    };
    const annotations: Annotation[] = (raw.annotations ?? []).map((entry) => ({
      scope: entry.annotations.scope,
      path: refSegments(entry.path),
      ...(entry.annotations.title ? { title: entry.annotations.title } : {}),
      ...(entry.annotations.description ? { description: entry.annotations.description } : {}),
      ...(entry.annotations.custom && Object.keys(entry.annotations.custom).length > 0 ? { custom: entry.annotations.custom } : {}),
      ...(entry.location ? { location: location(entry.location) } : {}),
    }));
    return ok({ annotations });
  },

  fmt: async (opa, args, _cwd, scratch) => {
    // The CLI has no v0 -> v1 rewrite that writes plain v1 (--rego-v1 keeps `import rego.v1`).
    if (args.from === "v0") return failed([{ code: REQUEST_ERROR, message: "fmt from Rego v0 needs the wasm toolchain (the opa CLI has no plain v0 -> v1 rewrite)" }]);
    const file = args.file || "stdin.rego";
    if (isAbsolute(file) || file.split(/[\\/]/).includes("..")) return failed([{ code: REQUEST_ERROR, message: `fmt: file must be a relative path, not ${JSON.stringify(file)}` }]);
    // Formatted from a file named as requested, so messages name it as the wasm driver does.
    await mkdir(dirname(join(scratch, "src", file)), { recursive: true });
    await writeFile(join(scratch, "src", file), args.source);
    const run = await execTool(opa, ["fmt", file], { cwd: join(scratch, "src") });
    if (run.exitCode !== 0) return message(run, "opa fmt");
    return ok({ formatted: run.stdout });
  },

  test: async (opa, args, cwd, scratch, deadlineMs) => {
    // conftest's test helpers and its data loading exist only in the wasm module (tools/wasm/test.go).
    if ((args.data !== undefined && args.data.length > 0) || args.strict === true || args.coverage === true || args.trace === true) {
      return failed([{ code: REQUEST_ERROR, message: "test with data, strict checks, deny-rule coverage or a trace needs the wasm toolchain" }]);
    }
    const argv = ["test", "--format", "json", ...v0Flag(args.regoVersion), ...(await capabilitiesFlag(args.capabilities, scratch))];
    for (const pattern of args.ignore ?? []) argv.push("--ignore", pattern);
    if (args.run) argv.push("--run", args.run);
    const run = await execTool(opa, [...argv, ...args.paths], { cwd, ...(deadlineMs !== undefined ? { timeoutMs: deadlineMs } : {}) });
    if (run.timedOut) throw new ToolTimeoutError(`opa test did not finish within ${deadlineMs} ms`);
    const start = run.stdout.indexOf("[");
    let results: { package: string; name: string; location?: Location; fail?: boolean; skip?: boolean; error?: ToolError; output?: string }[];
    try {
      results = JSON.parse(start >= 0 ? run.stdout.slice(start) : "") as typeof results;
    } catch {
      // No report: the modules did not load or compile; opa prints those errors as text.
      return message(run, "opa test");
    }
    const tests: TestCase[] = results.map((r) => ({
      package: r.package,
      name: r.name,
      ...(r.location ? { location: location(r.location) } : {}),
      outcome: r.error ? "error" : r.fail ? "fail" : r.skip ? "skip" : "pass",
      ...(r.error ? { error: toolError(r.error) } : {}),
      ...(r.output ? { output: Buffer.from(r.output, "base64").toString("utf8") } : {}),
    }));
    tests.sort(byLocation);
    return ok({ tests });
  },

  // conftest's queries per input need OPA's Go API (tools/wasm/trace.go); the opa CLI would take
  // one process per query. NativeToolchain.request hands this command to the wasm module.
  trace: async () => failed([{ code: REQUEST_ERROR, message: "trace needs the wasm toolchain (dist/toolchain), which is not installed" }]),
};

/** Commands the opa CLI cannot answer whole: sent to the wasm module whenever it is installed. */
const WASM_ONLY: ReadonlySet<Command> = new Set<Command>(["trace"]);

/** The Go side's order: file, row, then package and name. */
function byLocation(a: TestCase, b: TestCase): number {
  const af = a.location?.file ?? "";
  const bf = b.location?.file ?? "";
  if (af !== bf) return af < bf ? -1 : 1;
  const ar = a.location?.row ?? 0;
  const br = b.location?.row ?? 0;
  if (ar !== br) return ar - br;
  const an = `${a.package}.${a.name}`;
  const bn = `${b.package}.${b.name}`;
  return an < bn ? -1 : an > bn ? 1 : 0;
}

/**
 * The file that remembers a binary's OPA version, named by what identifies the file's content
 * without reading it: its real path, device, inode, size, and modification and change times in
 * nanoseconds. Rebuilding, replacing or touching the binary changes the name (ctime cannot be
 * set back by a user), so a remembered version is never served for another binary. Undefined
 * when the binary cannot be stat'ed: the version is then asked for every time.
 */
export function versionMemoFile(opa: string, dir: string = join(cacheDir(), "tool-versions")): string | undefined {
  try {
    const path = realpathSync(opa);
    const s = statSync(path, { bigint: true });
    const identity = [path, s.dev, s.ino, s.size, s.mtimeNs, s.ctimeNs].map(String);
    return join(dir, `opa-${sha256(JSON.stringify(identity))}.json`);
  } catch {
    return undefined;
  }
}

/** A remembered version, or undefined when there is none or it is not one (then it is asked again). */
function rememberedVersion(file: string): string | undefined {
  try {
    const memo = JSON.parse(readFileSync(file, "utf8")) as { opaVersion?: unknown };
    return typeof memo.opaVersion === "string" && /^\d+\.\d+\.\d+\S*$/.test(memo.opaVersion) ? memo.opaVersion : undefined;
  } catch {
    return undefined;
  }
}

/** Remembers a version: written whole under a temporary name, then renamed; a failure only costs the next run a spawn. */
function rememberVersion(file: string, opaVersion: string): void {
  const partial = `${file}.${process.pid}.tmp`;
  try {
    mkdirSync(dirname(file), { recursive: true });
    writeFileSync(partial, `${JSON.stringify({ opaVersion })}\n`);
    renameSync(partial, file);
  } catch {
    rm(partial, { force: true }).catch(() => undefined);
  }
}

export class NativeToolchain implements Toolchain {
  readonly kind = "native" as const;
  #version: Promise<string> | undefined;

  /** `versionMemoDir`: where the binary's version is remembered between runs (null: never). */
  constructor(
    readonly opa: string,
    readonly versionMemoDir: string | null = join(cacheDir(), "tool-versions"),
  ) {}

  /**
   * The binary's OPA version. Asked with `opa version` once per binary and then remembered in
   * the cache directory (versionMemoFile): each `check --policy DIR` needs it for its cache key,
   * and starting execa and opa for it was most of such a run's fixed cost.
   */
  opaVersion(): Promise<string> {
    this.#version ??= (async () => {
      const memo = this.versionMemoDir === null ? undefined : versionMemoFile(this.opa, this.versionMemoDir);
      const remembered = memo === undefined ? undefined : rememberedVersion(memo);
      if (remembered !== undefined) return remembered;
      const response = await this.request("version", {}, { root: packageRoot() });
      if (!response.ok) throw new ToolchainError(`cannot read the OPA version of ${this.opa}: ${response.errors.map((e) => e.message).join("; ")}`);
      // Stat'ed again after the run: a binary replaced meanwhile is not remembered under the old name.
      if (memo !== undefined && versionMemoFile(this.opa, this.versionMemoDir!) === memo) rememberVersion(memo, response.result.opaVersion);
      return response.result.opaVersion;
    })();
    return this.#version;
  }

  describe(): string {
    return `native opa ${displayPath(this.opa)}`;
  }

  async request<C extends Command>(command: C, args: Commands[C]["args"], at: Workspace): Promise<Response<C>> {
    if (at.cwd && (isAbsolute(at.cwd) || at.cwd.split(/[\\/]/).includes(".."))) {
      throw new ToolchainError(`toolchain workspace: cwd must be a relative path inside the root, not ${JSON.stringify(at.cwd)}`);
    }
    if (WASM_ONLY.has(command) && wasmToolchainPresent()) return (await loadWasmToolchain()).request(command, args, at);
    const scratch = await mkdtemp(join(tmpdir(), "gatehouse-opa-"));
    try {
      return await (NATIVE[command] as NativeCommand<C>)(this.opa, args, join(at.root, at.cwd ?? "."), scratch, at.deadlineMs);
    } finally {
      await rm(scratch, { recursive: true, force: true });
    }
  }
}
