// Locates the pinned OPA toolchain. Order: the repository's .toolchain/bin (built by
// `npm run toolchain` from tools/<name>/go.mod), then $GATEHOUSE_<NAME>, then PATH.

import { existsSync } from "node:fs";
import { delimiter, join } from "node:path";
import { ToolchainError } from "../core/errors.js";
import { packageRoot } from "../core/paths.js";

export type ToolName = "opa" | "regal" | "conftest";

export function findTool(name: ToolName, env: NodeJS.ProcessEnv = process.env): string {
  const pinned = join(packageRoot(), ".toolchain", "bin", name);
  if (existsSync(pinned)) return pinned;
  const override = env[`GATEHOUSE_${name.toUpperCase()}`];
  if (override) {
    if (!existsSync(override)) throw new ToolchainError(`GATEHOUSE_${name.toUpperCase()}=${override} does not exist`);
    return override;
  }
  for (const dir of (env.PATH ?? "").split(delimiter)) {
    if (dir && existsSync(join(dir, name))) return join(dir, name);
  }
  throw new ToolchainError(
    `${name} not found. Build the pinned toolchain with \`npm run toolchain\` (needs Go), ` +
      `or set GATEHOUSE_${name.toUpperCase()} to an ${name} binary.`,
  );
}

export async function runTool(name: ToolName, args: string[], options: { cwd?: string } = {}): Promise<string> {
  const bin = findTool(name);
  // Imported here: execa costs tens of ms at startup and most runs never start a tool.
  const { execa } = await import("execa");
  const result = await execa(bin, args, { cwd: options.cwd, reject: false, all: true });
  if (result.exitCode !== 0) {
    throw new ToolchainError(`${name} ${args.join(" ")} failed (exit ${result.exitCode}):\n${result.all ?? ""}`.trimEnd());
  }
  return result.stdout;
}

let opaVersionCache: string | undefined;
export async function opaVersion(): Promise<string> {
  if (!opaVersionCache) {
    const out = await runTool("opa", ["version"]);
    const match = /^Version:\s*(\S+)/m.exec(out);
    if (!match?.[1]) throw new ToolchainError(`cannot read the OPA version from: ${out}`);
    opaVersionCache = match[1];
  }
  return opaVersionCache;
}
