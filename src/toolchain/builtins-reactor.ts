// OPA's topdown as a synchronous builtin service: tools/wasm/hostbuiltins, built by
// scripts/toolchain.sh into dist/toolchain/gatehouse-builtins.wasm (named and digested in its
// manifest.json), evaluates a builtin gatehouse does not implement in TypeScript with OPA's own
// code, so its result and its errors are `opa eval`'s exactly.
//
// The policy wasm calls host builtins synchronously, and the toolchain driver (wasi.ts) runs one
// instance per request, so this module is a WASI reactor: instantiated once per thread, on the
// first call, and then called through its exports (gh_alloc, gh_call, gh_result). Only a policy
// that calls one of these builtins pays for it (docs/performance.md: ~0.5 s per thread, on its first call).
//
// What the instance sees: no arguments, its stdout sent to our stderr (nothing may reach a report),
// and the time zone database `opa eval` would read on this machine (zoneSource): Go's
// time.LoadLocation reads $ZONEINFO, then the system's database, and only then the copy OPA
// embeds (time/tzdata), and these differ (EST5EDT in 1938 is EST in tzdata 2024a, EDT since
// 2024b's links). That directory is preopened as /zoneinfo and named by ZONEINFO; nothing else is.

import { sha256 } from "../core/digest.js";
import { ToolchainError } from "../core/errors.js";
import { displayPath } from "../core/paths.js";
import { prepareForWasiToolchain, withLiftoffOnly } from "../core/v8-flags.js";
import { existsSync, readFileSync, statSync } from "node:fs";
import { dirname, basename, join, posix } from "node:path";
import { loadWasiClass, readManifest, WASM_MANIFEST, WASM_TOOLCHAIN_DIR } from "./wasi.js";

/** tools/wasm/hostbuiltins' ABIVersion: the exports and the request and response shapes. */
export const BUILTINS_ABI_VERSION = 1;

interface ReactorExports {
  memory: WebAssembly.Memory;
  gh_version(): number;
  gh_alloc(size: number): number;
  gh_call(size: number): number;
  gh_result(): number;
}

/** One answer of OPA's topdown: the result's JSON text, undefined, or topdown's error. */
export type TopdownAnswer =
  | { kind: "result"; json: string }
  | { kind: "undefined" }
  | { kind: "error"; code: string; message: string };

/** Whether the builtins reactor is installed in `dir` (verified only when first called). */
export function builtinsReactorPresent(dir: string = WASM_TOOLCHAIN_DIR): boolean {
  if (!existsSync(join(dir, WASM_MANIFEST))) return false;
  try {
    const file = readManifest(dir).builtins?.file;
    return file !== undefined && existsSync(join(dir, file));
  } catch {
    // An unreadable manifest: the builtins stay refused at load, as without a toolchain.
    return false;
  }
}

const encoder = new TextEncoder();
const decoder = new TextDecoder();

export class BuiltinsReactor {
  readonly #exports: ReactorExports;

  private constructor(exports: ReactorExports) {
    this.#exports = exports;
  }

  /** Verifies the module against its manifest, compiles and instantiates it (synchronously). */
  static load(dir: string = WASM_TOOLCHAIN_DIR): BuiltinsReactor {
    const entry = readManifest(dir).builtins;
    if (!entry) throw new ToolchainError(`${displayPath(join(dir, WASM_MANIFEST))} names no builtins module; reinstall gatehouse (in a checkout: npm run toolchain)`);
    const path = join(dir, entry.file);
    let bytes: Buffer;
    try {
      bytes = readFileSync(path);
    } catch (error) {
      throw new ToolchainError(`${displayPath(path)}: cannot read the builtins module (${(error as Error).message}); reinstall gatehouse`);
    }
    const actual = sha256(bytes);
    if (actual !== entry.sha256) {
      throw new ToolchainError(
        `${displayPath(path)} does not match its manifest (sha256 ${actual}, the manifest says ${entry.sha256}): ` +
          `refusing to run a modified builtins module; reinstall gatehouse (in a checkout: npm run toolchain)`,
      );
    }
    prepareForWasiToolchain();
    const instance = withLiftoffOnly(() => {
      const module = new WebAssembly.Module(new Uint8Array(bytes.buffer as ArrayBuffer, bytes.byteOffset, bytes.byteLength));
      const WASI = loadWasiClass();
      const zones = zoneSource();
      const wasi = new WASI({
        version: "preview1",
        args: [],
        env: zones ? { ZONEINFO: posix.join("/zoneinfo", zones.name) } : {},
        preopens: zones ? { "/zoneinfo": zones.dir } : {},
        stdout: 2,
        stderr: 2,
        returnOnExit: true,
      });
      const created = new WebAssembly.Instance(module, wasi.getImportObject() as WebAssembly.Imports);
      wasi.initialize(created);
      return created;
    });
    const exports = instance.exports as unknown as ReactorExports;
    const version = typeof exports.gh_version === "function" ? exports.gh_version() : undefined;
    if (version !== BUILTINS_ABI_VERSION) {
      throw new ToolchainError(`${displayPath(path)} speaks builtins ABI ${String(version)}, this gatehouse speaks ${BUILTINS_ABI_VERSION}; reinstall gatehouse`);
    }
    return new BuiltinsReactor(exports);
  }

  /** Evaluates `name(args...)` with topdown; each argument is Rego term text (values.ts, regoText). */
  call(name: string, args: readonly string[]): TopdownAnswer {
    const request = encoder.encode(JSON.stringify({ name, args }));
    const exports = this.#exports;
    const at = exports.gh_alloc(request.length);
    new Uint8Array(exports.memory.buffer, at, request.length).set(request);
    const length = exports.gh_call(request.length);
    const text = decoder.decode(new Uint8Array(exports.memory.buffer, exports.gh_result(), length));
    switch (text[0]) {
      case "R":
        return { kind: "result", json: text.slice(1) };
      case "U":
        return { kind: "undefined" };
      case "E": {
        const error = JSON.parse(text.slice(1)) as { code: string; message: string };
        return { kind: "error", code: error.code, message: error.message };
      }
      default:
        throw new ToolchainError(`the builtins module answered ${name} with ${JSON.stringify(text.slice(0, 80))}`);
    }
  }
}

/** Go's platformZoneSources on unix (time/zoneinfo_unix.go), in its order. */
const SYSTEM_ZONE_DIRS = ["/usr/share/zoneinfo/", "/usr/share/lib/zoneinfo/", "/usr/lib/locale/TZ/", "/etc/zoneinfo"];

/**
 * Where native Go (so `opa eval`) finds time zones here: $ZONEINFO (a directory, or a zip file
 * in `dir`), else the first system directory that exists; none on Windows, where Go reads no
 * such directory and OPA falls back to its embedded copy, as the module then does.
 */
function zoneSource(env: NodeJS.ProcessEnv = process.env): { dir: string; name: string } | undefined {
  const isDir = (path: string): boolean => {
    try {
      return statSync(path).isDirectory();
    } catch {
      return false;
    }
  };
  const given = env["ZONEINFO"];
  if (given) {
    if (isDir(given)) return { dir: given, name: "" };
    if (existsSync(given)) return { dir: dirname(given), name: basename(given) };
  }
  if (process.platform === "win32") return undefined;
  const dir = SYSTEM_ZONE_DIRS.find(isDir);
  return dir ? { dir, name: "" } : undefined;
}

let reactor: BuiltinsReactor | undefined;

/** This thread's reactor, loaded on first use. A failed load is not kept: the next call retries. */
export function builtinsReactor(): BuiltinsReactor {
  return (reactor ??= BuiltinsReactor.load());
}

/** Drops this thread's reactor (after it failed): the next call instantiates a fresh one. */
export function resetBuiltinsReactor(): void {
  reactor = undefined;
}
