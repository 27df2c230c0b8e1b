// A copy of the installed program (what `npm install` puts in node_modules/gatehouse: bin, dist,
// bundle, policy, schemas, packs), in a temp directory, for tests that change the shipped bundle
// after install without touching this checkout's. node_modules is linked, not copied.

import { spawnSync } from "node:child_process";
import { cpSync, mkdirSync, mkdtempSync, symlinkSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { packagePath } from "../../src/core/paths.js";

const SHIPPED = ["package.json", "bin", "bundle", "policy", "schemas", "packs", join("dist", "cli"), join("dist", "schemas"), join("dist", "src")];

/** A fresh installed copy; returns its root. The caller removes `dirname(root)`. */
export function installedCopy(): string {
  const root = join(mkdtempSync(join(tmpdir(), "gatehouse-installed-")), "gatehouse");
  mkdirSync(join(root, "dist"), { recursive: true });
  for (const part of SHIPPED) cpSync(packagePath(part), join(root, part), { recursive: true });
  symlinkSync(packagePath("node_modules"), join(root, "node_modules"), "dir");
  return root;
}

export interface Run {
  code: number;
  stdout: string;
  stderr: string;
  /** finding codes of a --format json report, when stdout is one */
  codes: string[];
}

/** Runs the CLI of the installed copy at `root` (or this checkout's) in `cwd`. */
export function gatehouseAt(root: string, args: string[], cwd: string): Run {
  const r = spawnSync(process.execPath, [join(root, "bin", "gatehouse.js"), ...args], { cwd, encoding: "utf8", env: { PATH: process.env.PATH ?? "", HOME: process.env.HOME ?? "", NO_COLOR: "1" } });
  let codes: string[] = [];
  try {
    codes = (JSON.parse(r.stdout) as { findings: { code: string }[] }).findings.map((f) => f.code);
  } catch {
    // not a JSON report
  }
  return { code: r.status ?? -1, stdout: r.stdout, stderr: r.stderr, codes };
}
