// The wasm driver: gatehouse's Go module (tools/wasm, built by `scripts/toolchain.sh wasm` into
// dist/toolchain and shipped in the package) run under node:wasi, so Rego compiles with Node
// alone. Each request gets a fresh instance of one WebAssembly.Module compiled once per process.
//
// What the instance sees: an environment of PWD only (Go's wasip1 runtime takes its working
// directory from it), one preopen ("/" mapped to the workspace root the caller names), the
// request on stdin and nothing else. Paths in requests are relative to PWD exactly as they
// would be for the opa CLI run from the same directory: OPA compiles file names into the wasm,
// and this is what makes the bytes equal to native `opa build` (test/toolchain.test.ts).
//
// The module is refused unless it matches dist/toolchain/manifest.json (sha256 and protocol
// version), the way a tampered policy bundle is: the protocol when it is loaded, the sha256
// before its first request runs.

import { closeSync, constants as fsConstants, existsSync, mkdtempSync, openSync, readdirSync, readFileSync, rmSync, statSync, writeFileSync, writeSync, type Dirent } from "node:fs";
import { tmpdir } from "node:os";
import { isAbsolute, join, posix } from "node:path";
import type { WASI as WasiClass } from "node:wasi";
import { ToolchainError } from "../core/errors.js";
import { sha256 } from "../core/digest.js";
import { displayPath, packagePath } from "../core/paths.js";
import { prepareForWasiToolchain } from "../core/v8-flags.js";
import type { Toolchain, Workspace } from "./index.js";
import { PROTOCOL_VERSION, type Command, type Commands, type Response } from "./protocol.js";

/** The module ran and died (a Go panic or fatal error) or answered nothing readable. */
export class ToolCrashError extends ToolchainError {}

/** The module did not finish within the request's deadline (Workspace.deadlineMs) and was stopped. */
export class ToolTimeoutError extends ToolchainError {}

export const WASM_TOOLCHAIN_DIR = packagePath("dist", "toolchain");
export const WASM_MANIFEST = "manifest.json";

/** dist/toolchain/manifest.json, written by scripts/toolchain.sh. */
export interface WasmManifest {
  protocol: number;
  opaVersion: string;
  goVersion: string;
  wasm: { file: string; sha256: string; bytes: number };
  /** The builtins reactor (tools/wasm/hostbuiltins, src/toolchain/builtins-reactor.ts). */
  builtins?: { file: string; sha256: string; bytes: number };
  goSumSha256: string;
  /** sha256 of tools/wasm's go.mod, go.sum and Go sources: what scripts/toolchain.sh rebuilds on. */
  sourcesSha256: string;
}

/** Whether a wasm toolchain is installed in `dir` (verified only when loaded). */
export function wasmToolchainPresent(dir: string = WASM_TOOLCHAIN_DIR): boolean {
  return existsSync(join(dir, WASM_MANIFEST));
}

/**
 * The wasm toolchain in `dir`, its manifest read and checked (protocol version). The module itself
 * is verified against the manifest's sha256 and compiled on the first request, once per process:
 * a run that only needs the OPA version (a cached build's key) reads 42 MB for nothing otherwise.
 */
export async function loadWasmToolchain(dir: string = WASM_TOOLCHAIN_DIR): Promise<WasmToolchain> {
  return new WasmToolchain(dir, readManifest(dir));
}

/** dist/toolchain/manifest.json, read and checked (protocol version, file names). */
export function readManifest(dir: string): WasmManifest {
  const manifestPath = join(dir, WASM_MANIFEST);
  const shown = displayPath(dir);
  let manifest: WasmManifest;
  try {
    manifest = JSON.parse(readFileSync(manifestPath, "utf8")) as WasmManifest;
  } catch (error) {
    throw new ToolchainError(`${displayPath(manifestPath)}: cannot read the wasm toolchain's manifest (${(error as Error).message}); reinstall gatehouse`);
  }
  if (typeof manifest?.wasm?.file !== "string" || typeof manifest.wasm.sha256 !== "string" || typeof manifest.opaVersion !== "string") {
    throw new ToolchainError(`${displayPath(manifestPath)}: not a wasm toolchain manifest; reinstall gatehouse`);
  }
  if (manifest.protocol !== PROTOCOL_VERSION) {
    throw new ToolchainError(
      `${shown}: the wasm toolchain speaks protocol ${String(manifest.protocol)}, this gatehouse speaks ${PROTOCOL_VERSION}; ` +
        `it was built for another gatehouse version: reinstall gatehouse (in a checkout: npm run toolchain)`,
    );
  }
  if (posix.basename(manifest.wasm.file) !== manifest.wasm.file) {
    throw new ToolchainError(`${displayPath(manifestPath)}: wasm.file must be a file name, not ${JSON.stringify(manifest.wasm.file)}`);
  }
  if (manifest.builtins !== undefined && (typeof manifest.builtins.file !== "string" || posix.basename(manifest.builtins.file) !== manifest.builtins.file || typeof manifest.builtins.sha256 !== "string")) {
    throw new ToolchainError(`${displayPath(manifestPath)}: builtins.file must be a file name and builtins.sha256 a digest`);
  }
  return manifest;
}

const compiled = new Map<string, Promise<WebAssembly.Module>>();

/** The module of `dir`, verified against its manifest and compiled once per process. */
function compiledModule(dir: string, manifest: WasmManifest): Promise<WebAssembly.Module> {
  const key = `${dir}\0${manifest.wasm.sha256}`;
  let loading = compiled.get(key);
  if (!loading) {
    loading = verifyAndCompile(dir, manifest);
    // A failed load is not cached: the message stays the same, and a test may repair the files.
    loading.catch(() => compiled.delete(key));
    compiled.set(key, loading);
  }
  return loading;
}

async function verifyAndCompile(dir: string, manifest: WasmManifest): Promise<WebAssembly.Module> {
  const wasmPath = join(dir, manifest.wasm.file);
  let bytes: Buffer;
  try {
    bytes = readFileSync(wasmPath);
  } catch (error) {
    throw new ToolchainError(`${displayPath(wasmPath)}: cannot read the wasm toolchain (${(error as Error).message}); reinstall gatehouse`);
  }
  const actual = sha256(bytes);
  if (actual !== manifest.wasm.sha256) {
    throw new ToolchainError(
      `${displayPath(wasmPath)} does not match its manifest (sha256 ${actual}, the manifest says ${manifest.wasm.sha256}): ` +
        `refusing to run a modified toolchain; reinstall gatehouse (in a checkout: npm run toolchain)`,
    );
  }
  prepareForWasiToolchain();
  return WebAssembly.compile(new Uint8Array(bytes.buffer as ArrayBuffer, bytes.byteOffset, bytes.byteLength));
}

let wasiClass: typeof WasiClass | undefined;

/**
 * node:wasi, loaded without its ExperimentalWarning reaching the user's stderr. Node emits the
 * warning synchronously while the module loads, so process.emitWarning is wrapped for exactly
 * that load and only that warning is dropped. Synchronous: the builtins reactor loads it from
 * inside a host call.
 */
export function loadWasiClass(): typeof WasiClass {
  if (wasiClass) return wasiClass;
  const emitWarning = process.emitWarning;
  process.emitWarning = function (this: NodeJS.Process, warning: string | Error, ...rest: unknown[]) {
    const type = typeof rest[0] === "string" ? rest[0] : (rest[0] as { type?: string } | undefined)?.type;
    const text = typeof warning === "string" ? warning : warning.message;
    if (type === "ExperimentalWarning" && text.startsWith("WASI ")) return;
    return (emitWarning as (...args: unknown[]) => void).call(process, warning, ...rest);
  } as typeof process.emitWarning;
  try {
    wasiClass = process.getBuiltinModule("node:wasi").WASI;
  } finally {
    process.emitWarning = emitWarning;
  }
  return wasiClass;
}

/** The guest's working directory for a workspace: "/" plus its relative cwd. */
function guestCwd(at: Workspace): string {
  const cwd = at.cwd ?? ".";
  if (isAbsolute(cwd) || cwd.split(/[\\/]/).includes("..")) {
    throw new ToolchainError(`toolchain workspace: cwd must be a relative path inside the root, not ${JSON.stringify(cwd)}`);
  }
  return posix.join("/", cwd.split("\\").join("/"));
}

export class WasmToolchain implements Toolchain {
  readonly kind = "wasm" as const;

  constructor(
    readonly dir: string,
    readonly manifest: WasmManifest,
  ) {}

  async opaVersion(): Promise<string> {
    return this.manifest.opaVersion;
  }

  describe(): string {
    return `wasm toolchain ${displayPath(join(this.dir, this.manifest.wasm.file))} (protocol ${this.manifest.protocol}, ${this.manifest.goVersion}, runs on Node alone)`;
  }

  async request<C extends Command>(command: C, args: Commands[C]["args"], at: Workspace): Promise<Response<C>> {
    const module = await compiledModule(this.dir, this.manifest);
    const pwd = guestCwd(at);
    const io = mkdtempSync(join(tmpdir(), "gatehouse-wasi-"));
    const fds: number[] = [];
    try {
      // node:wasi takes file descriptors for stdio: the request and the answers go through files.
      writeFileSync(join(io, "request.json"), JSON.stringify({ protocol: PROTOCOL_VERSION, command, args }));
      const stdin = openSync(join(io, "request.json"), "r");
      fds.push(stdin);
      const stdout = openSync(join(io, "stdout"), "w");
      fds.push(stdout);
      const stderr = openSync(join(io, "stderr"), "w");
      fds.push(stderr);
      let exit: number;
      if (at.deadlineMs !== undefined) {
        exit = await startWithDeadline(module, { pwd, root: at.root, stdin, stdout, stderr }, at.deadlineMs, command, join(io, "stderr"));
      } else {
        const WASI = loadWasiClass();
        const wasi = new WASI({ version: "preview1", args: ["gatehouse-go"], env: { PWD: pwd }, preopens: { "/": at.root }, stdin, stdout, stderr, returnOnExit: true });
        try {
          const instance = await WebAssembly.instantiate(module, wasi.getImportObject() as WebAssembly.Imports);
          exit = wasi.start(instance);
        } catch (error) {
          throw new ToolCrashError(`wasm toolchain ${command} crashed: ${(error as Error).message}${tail(join(io, "stderr"))}`);
        }
      }
      for (const fd of fds.splice(0)) closeSync(fd);
      const out = readFileSync(join(io, "stdout"), "utf8");
      if (exit !== 0) throw new ToolCrashError(`wasm toolchain ${command} failed (exit ${exit})${tail(join(io, "stderr"))}`);
      let response: Response<C>;
      try {
        response = JSON.parse(out) as Response<C>;
      } catch {
        throw new ToolCrashError(`wasm toolchain ${command} answered no JSON${tail(join(io, "stderr"))}`);
      }
      if (response.protocol !== PROTOCOL_VERSION) {
        throw new ToolchainError(`wasm toolchain answered in protocol ${String(response.protocol)}, expected ${PROTOCOL_VERSION}`);
      }
      return response;
    } finally {
      for (const fd of fds) closeSync(fd);
      rmSync(io, { recursive: true, force: true });
    }
  }
}

// A request with a deadline runs in a worker thread, which can be stopped: wasi.start is
// synchronous, so in this thread a guest that never returns (a jsonnet input computing forever)
// would hang the run. The worker gets the compiled module (shared, not recompiled) and the
// same file descriptors; WASI's ExperimentalWarning is dropped there as loadWasiClass drops it here.
const WORKER_SOURCE = `
const { workerData, parentPort } = require("node:worker_threads");
const emitWarning = process.emitWarning;
process.emitWarning = function (warning, ...rest) {
  const text = typeof warning === "string" ? warning : warning && warning.message;
  if (typeof text === "string" && text.startsWith("WASI ")) return;
  return emitWarning.call(process, warning, ...rest);
};
const { WASI } = require("node:wasi");
process.emitWarning = emitWarning;
(async () => {
  const { module, pwd, root, stdin, stdout, stderr } = workerData;
  const wasi = new WASI({ version: "preview1", args: ["gatehouse-go"], env: { PWD: pwd }, preopens: { "/": root }, stdin, stdout, stderr, returnOnExit: true });
  try {
    const instance = await WebAssembly.instantiate(module, wasi.getImportObject());
    parentPort.postMessage({ started: true });
    parentPort.postMessage({ exit: wasi.start(instance) });
  } catch (error) {
    parentPort.postMessage({ error: String(error && error.message ? error.message : error) });
  }
})();
`;

interface GuestIo {
  pwd: string;
  root: string;
  stdin: number;
  stdout: number;
  stderr: number;
}

async function startWithDeadline(module: WebAssembly.Module, io: GuestIo, deadlineMs: number, command: string, stderrFile: string): Promise<number> {
  const { Worker } = await import("node:worker_threads");
  const worker = new Worker(WORKER_SOURCE, { eval: true, workerData: { module, ...io }, stdout: false, stderr: false });
  let timer: NodeJS.Timeout | undefined;
  try {
    const outcome = await new Promise<{ exit: number } | { error: string } | "timeout">((resolvePromise) => {
      // The clock starts when the guest does: a worker slow to boot on a busy machine is not the input's fault.
      worker.on("message", (message: { started: true } | { exit: number } | { error: string }) => {
        if ("started" in message) timer = setTimeout(() => resolvePromise("timeout"), deadlineMs);
        else resolvePromise(message);
      });
      worker.once("error", (error) => resolvePromise({ error: error.message }));
      worker.once("exit", (code) => resolvePromise({ error: `the worker stopped (exit ${code})` }));
    });
    if (outcome === "timeout") {
      releaseBlockedFifoOpens(worker, io.root);
      throw new ToolTimeoutError(`wasm toolchain ${command} did not finish within ${deadlineMs} ms, and was stopped`);
    }
    if ("error" in outcome) throw new ToolCrashError(`wasm toolchain ${command} crashed: ${outcome.error}${tail(stderrFile)}`);
    return outcome.exit;
  } finally {
    clearTimeout(timer);
    // Not awaited: a guest blocked in a system call (opening a FIFO) is not stopped until the
    // call returns, and the run must not wait for it; unref lets the process end without it.
    worker.unref();
    void worker.terminate();
  }
}

/** Directory entries the search for blocked FIFOs looks at, at most (it runs only after a timeout). */
const MAX_FIFO_SEARCH_ENTRIES = 200_000;

/**
 * A guest stopped at its deadline while blocked reading a FIFO (a jsonnet input's `importstr
 * "pipe"`: WASI opens it read-write, so no end of file ever comes) never returns from the call:
 * the worker cannot end, and Node waits for it at exit, so the run printed its verdict and then
 * hung. Each FIFO under the guest's root that has a reader (an open for writing without blocking
 * succeeds only then) gets one byte, which lets the read return into the stopped worker, which
 * then ends. Only after a timeout, and the root "/" is not searched (the whole machine's FIFOs are
 * not the run's to touch).
 */
function releaseBlockedFifoOpens(worker: { terminate(): Promise<number> }, root: string): void {
  void worker.terminate();
  if (root === "/" || root === "") return;
  let budget = MAX_FIFO_SEARCH_ENTRIES;
  const visit = (dir: string): void => {
    let entries: Dirent[];
    try {
      entries = readdirSync(dir, { withFileTypes: true });
    } catch {
      return;
    }
    for (const entry of entries) {
      if (--budget < 0) return;
      const path = join(dir, entry.name);
      if (entry.isDirectory()) visit(path);
      else if (entry.isFIFO() || entry.isSymbolicLink()) {
        try {
          if (!statSync(path).isFIFO()) continue;
          const fd = openSync(path, fsConstants.O_WRONLY | fsConstants.O_NONBLOCK);
          try {
            writeSync(fd, "\n");
          } finally {
            closeSync(fd);
          }
        } catch {
          // no reader waits on it (ENXIO), or it is gone: nothing to release
        }
      }
    }
  };
  visit(root);
}

/** The module's stderr, for an error message ("" when it wrote nothing). */
function tail(file: string): string {
  let text = "";
  try {
    text = readFileSync(file, "utf8").trim();
  } catch {
    return "";
  }
  return text ? `:\n${text.split("\n").slice(-20).join("\n")}` : "";
}
