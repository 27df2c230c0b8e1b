// Where gatehouse keeps what it can rebuild: compiled policy bundles (src/policy/source.ts) and
// the remembered versions of native tools (src/toolchain/native.ts).

import { homedir } from "node:os";
import { join } from "node:path";

export function cacheDir(env: NodeJS.ProcessEnv = process.env): string {
  if (env.GATEHOUSE_CACHE_DIR) return env.GATEHOUSE_CACHE_DIR;
  const base = env.XDG_CACHE_HOME || join(homedir(), ".cache");
  return join(base, "gatehouse");
}
