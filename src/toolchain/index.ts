// The Rego toolchain behind one interface: OPA's compiler, checker, formatter and test runner,
// either as gatehouse's own Go module under node:wasi (wasi.ts: ships in the package, needs
// Node alone) or as the opa binary (native.ts). Both answer the same protocol (protocol.ts)
// and, for the same sources and capabilities, give byte-identical bundles (test/toolchain.test.ts),
// so which one runs changes only the time it takes.
//
// The choice, in order:
//   1. GATEHOUSE_TOOLCHAIN=wasm|native forces one (and fails when that one is not there);
//   2. the pinned native opa of a checkout (.toolchain/bin, built from the same go.mod pins as
//      the wasm), or GATEHOUSE_OPA: about 30x faster than the wasm;
//   3. the wasm toolchain in dist/toolchain, verified against its manifest (a module that does not
//      match is refused, never replaced by another tool);
//   4. an opa on PATH;
//   5. none: an error that says what to do.

import { join } from "node:path";
import { ToolchainError, UsageError } from "../core/errors.js";
import { displayPath } from "../core/paths.js";
import { NativeToolchain, overriddenTool, pinnedTool, toolOnPath } from "./native.js";
import { formatToolErrors, type Command, type Commands, type Response, type ToolError } from "./protocol.js";
import { WASM_TOOLCHAIN_DIR, loadWasmToolchain, wasmToolchainPresent } from "./wasi.js";

export type ToolchainKind = "wasm" | "native";

/**
 * Where a request runs: `root` is the host directory the tool may read (the wasm sees it as "/"),
 * `cwd` the working directory inside it (relative; "." by default). Paths in requests are
 * relative to `cwd`, as they would be for the opa CLI started there.
 */
export interface Workspace {
  root: string;
  cwd?: string;
  /** Stop the request after this many ms (ToolTimeoutError); for requests on untrusted inputs. */
  deadlineMs?: number;
}

export interface Toolchain {
  readonly kind: ToolchainKind;
  /** The OPA version whose compiler this is: part of every bundle cache key (source.ts). */
  opaVersion(): Promise<string>;
  /** One line for `gatehouse --version`. */
  describe(): string;
  /** Sends one request; Rego errors come back as `{ ok: false, errors }`, tool failures throw. */
  request<C extends Command>(command: C, args: Commands[C]["args"], at: Workspace): Promise<Response<C>>;
}

/** A failed check, parse or build of Rego: the errors, as data, behind a ToolchainError. */
export class RegoError extends ToolchainError {
  constructor(
    readonly command: Command,
    readonly errors: ToolError[],
    where: string,
  ) {
    super(`opa ${command} failed in ${where}:\n${formatToolErrors(errors, where)}`);
  }
}

/** The result of a request, or a RegoError naming `where` (a directory shown to the user). */
export async function expectOk<C extends Command>(toolchain: Toolchain, command: C, args: Commands[C]["args"], at: Workspace, where: string): Promise<Commands[C]["result"]> {
  const response = await toolchain.request(command, args, at);
  if (!response.ok) throw new RegoError(command, response.errors, where);
  return response.result;
}

const TOOLCHAIN_ENV = "GATEHOUSE_TOOLCHAIN";

/**
 * Which driver the environment asks for, and why (no files are read beyond existence checks).
 * `pinned` is the checkout's pinned opa, null when there is none.
 */
export function chooseToolchain(
  env: NodeJS.ProcessEnv = process.env,
  wasmDir: string = WASM_TOOLCHAIN_DIR,
  pinned: string | null = pinnedTool("opa") ?? null,
): { kind: ToolchainKind; opa?: string; reason: string } {
  const forced = env[TOOLCHAIN_ENV];
  if (forced !== undefined && forced !== "") {
    if (forced === "wasm") {
      if (!wasmToolchainPresent(wasmDir)) throw new ToolchainError(`${TOOLCHAIN_ENV}=wasm, but there is no wasm toolchain in ${displayPath(wasmDir)}: ${missingWasmHint()}`);
      return { kind: "wasm", reason: `${TOOLCHAIN_ENV}=wasm` };
    }
    if (forced === "native") {
      const opa = pinned ?? overriddenTool("opa", env) ?? toolOnPath("opa", env);
      if (!opa) throw new ToolchainError(`${TOOLCHAIN_ENV}=native, but no opa was found (.toolchain/bin, GATEHOUSE_OPA, PATH)`);
      return { kind: "native", opa, reason: `${TOOLCHAIN_ENV}=native` };
    }
    throw new UsageError(`${TOOLCHAIN_ENV} must be "wasm" or "native", not ${JSON.stringify(forced)}`);
  }
  if (pinned) return { kind: "native", opa: pinned, reason: "the checkout's pinned opa" };
  const override = overriddenTool("opa", env);
  if (override) return { kind: "native", opa: override, reason: "GATEHOUSE_OPA" };
  if (wasmToolchainPresent(wasmDir)) return { kind: "wasm", reason: "shipped in the package" };
  const onPath = toolOnPath("opa", env);
  if (onPath) return { kind: "native", opa: onPath, reason: "opa on PATH" };
  throw new ToolchainError(noToolchainMessage(wasmDir));
}

function missingWasmHint(): string {
  return "the installed package ships it, so reinstall gatehouse; in a gatehouse checkout, build it with `npm run toolchain` (needs Go)";
}

function noToolchainMessage(wasmDir: string): string {
  return (
    `cannot compile Rego: no policy toolchain found. gatehouse ships one that needs only Node ` +
    `(${displayPath(join(wasmDir, "gatehouse-go.wasm"))}), and it is missing from this installation: reinstall gatehouse. ` +
    `Or set GATEHOUSE_OPA to an opa binary, or pass --policy a bundle built elsewhere with \`gatehouse build\`. ` +
    `(In a gatehouse checkout: \`npm run toolchain\`, which needs Go.)`
  );
}

const chosen = new Map<string, Promise<Toolchain>>();

/** The toolchain for this environment, loaded once per process and choice. */
export function toolchain(env: NodeJS.ProcessEnv = process.env, wasmDir: string = WASM_TOOLCHAIN_DIR): Promise<Toolchain> {
  const choice = chooseToolchain(env, wasmDir);
  const key = `${choice.kind}\0${choice.opa ?? wasmDir}`;
  let loading = chosen.get(key);
  if (!loading) {
    loading = choice.kind === "wasm" ? loadWasmToolchain(wasmDir) : Promise.resolve(new NativeToolchain(choice.opa!));
    loading.catch(() => chosen.delete(key));
    chosen.set(key, loading);
  }
  return loading;
}

/**
 * The toolchain for what the wasm module carries in full: conftest's parsers (`parse-inputs`)
 * and conftest verify's test runs (its test helpers, data and coverage). The wasm module whenever
 * it is installed; the native tools (conftest for parsing, opa for plain tests) only when there
 * is no wasm or GATEHOUSE_TOOLCHAIN=native asks for them.
 */
export function inputToolchain(env: NodeJS.ProcessEnv = process.env, wasmDir: string = WASM_TOOLCHAIN_DIR): Promise<Toolchain> {
  const forced = env[TOOLCHAIN_ENV];
  if ((forced === undefined || forced === "") && wasmToolchainPresent(wasmDir)) return toolchain({ ...env, [TOOLCHAIN_ENV]: "wasm" }, wasmDir);
  return toolchain(env, wasmDir);
}

/** For `gatehouse --version`: the OPA version and which toolchain gives it, or why there is none. */
export async function toolchainSummary(env: NodeJS.ProcessEnv = process.env): Promise<string> {
  try {
    const choice = chooseToolchain(env);
    const tools = await toolchain(env);
    return `${await tools.opaVersion()} via the ${tools.describe()}; chosen: ${choice.reason}`;
  } catch (error) {
    return `not available (${(error as Error).message})`;
  }
}
