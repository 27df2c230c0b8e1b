// `gatehouse init`: look at the repository (sources and their entry points, receipts, ops, Rego)
// and write a commented gatehouse.config.yaml, the pull request template and the CI workflow,
// plus the first contract registry when there is an API to govern. It never overwrites a file
// without --force, checks every target before writing any, and asks only on a terminal. What it
// writes stays inside the repository as regular files: a target, or a directory on the way to
// it, that is a link (a committed `.github -> /elsewhere`), a FIFO or a device is refused before
// anything is written, --force or not.

import { existsSync, lstatSync, mkdirSync, type Stats } from "node:fs";
import { dirname, join, relative, resolve } from "node:path";
import { createInterface } from "node:readline/promises";
import type { Argv } from "yargs";
import { ConfigError } from "../../core/errors.js";
import { displayPath } from "../../core/paths.js";
import { fileTypeName } from "../../core/read.js";
import { writeOutputFile } from "../../core/write.js";
import { CONFIG_FILES, configFileIn, projectRoot, type GateConfig } from "../../gate/config.js";
import { parseDocument } from "../../inputs/parse.js";
import { detect, type Detected } from "../../init/detect.js";
import { configText, PR_TEMPLATE, workflowText } from "../../init/templates.js";
import { SchemaRegistry } from "../../schemas/registry.js";
import { VERSION } from "../version.js";
import { recordedNowIso } from "../common.js";

interface InitArgs {
  root?: string | undefined;
  force: boolean;
  yes: boolean;
}

interface Planned {
  /** relative to the root, `/`-separated */
  path: string;
  text: string;
  /** the file already there that this one replaces (with --force) */
  existing?: string;
}

/** Where GitHub looks for a pull request template (any one of them is the project's). */
const PR_TEMPLATE_PLACES = [".github", ".", "docs"].flatMap((dir) =>
  ["pull_request_template.md", "PULL_REQUEST_TEMPLATE.md"].map((name) => (dir === "." ? name : `${dir}/${name}`)),
);
const WORKFLOW = ".github/workflows/gatehouse.yml";

export const initCommand = {
  command: "init",
  describe: "detect what the repository has and write gatehouse.config.yaml, the PR template and the CI workflow",
  builder: (y: Argv) =>
    y
      .option("root", { type: "string", describe: "directory to set up (default: the repository root, the nearest directory above with .git)" })
      .option("force", { type: "boolean", default: false, describe: "replace files that already exist" })
      .option("yes", { alias: "y", type: "boolean", default: false, describe: "do not ask for confirmation on a terminal" }),
  handler: async (args: InitArgs) => {
    // init writes files: a --root that is not there was a typo, not a directory to create.
    const root = args.root !== undefined ? projectRoot(args.root) : repositoryRoot(process.cwd());
    const found = await detect(root);
    const plan = planFiles(root, found);

    const registry = join(root, "contracts", "registry.json");
    for (const file of plan) refuseUnsafeTarget(root, file.existing ?? file.path);

    const existing = plan.filter((p) => p.existing !== undefined);
    if (existing.length > 0 && !args.force) {
      const names = existing.map((p) => displayPath(join(root, p.existing!)));
      throw new ConfigError(`${names.join(", ")} already exist${names.length === 1 ? "s" : ""}; gatehouse init does not overwrite (pass --force to replace ${names.length === 1 ? "it" : "them"})`);
    }

    // The config is checked against its schema before anything is written.
    const schemas = new SchemaRegistry();
    const config = parseDocument(plan[0]!.text, "yaml") as GateConfig;
    const problems = schemas.validate("gatehouse-config.v1", config, CONFIG_FILES[0]!);
    if (problems.length > 0) throw new Error(`init produced an invalid config: ${problems.map((p) => p.message).join("; ")}`);
    if (config.collectors.contracts !== undefined) refuseUnsafeTarget(root, "contracts/registry.json");

    const baseline = config.collectors.contracts !== undefined && !existsSync(registry) ? await baselineRegistry(root, config) : undefined;

    process.stdout.write(describeFound(found));
    if (process.stdin.isTTY && process.stdout.isTTY && !args.yes) {
      const rl = createInterface({ input: process.stdin, output: process.stdout });
      const answer = await rl.question(`write ${plan.map((p) => p.existing ?? p.path).join(", ")} in ${displayPath(root)}? [Y/n] `);
      rl.close();
      if (/^n/i.test(answer.trim())) {
        process.stdout.write("nothing written\n");
        return;
      }
    }
    for (const file of plan) {
      const target = join(root, file.existing ?? file.path);
      mkdirSync(dirname(target), { recursive: true });
      writeOutputFile(target, file.text);
      process.stdout.write(`${file.existing ? "replaced" : "wrote"} ${displayPath(target)}\n`);
    }

    if (config.collectors.contracts !== undefined) {
      if (baseline === undefined) process.stdout.write(`kept ${displayPath(registry)} (the contract baseline)\n`);
      else {
        baseline.write();
        process.stdout.write(`wrote ${displayPath(registry)}: the baseline, ${baseline.count} contracts (update it with \`gatehouse contracts accept\`)\n`);
      }
    }
    if (Object.keys(config.collectors).length === 0) {
      process.stdout.write("note: no collector is enabled yet, so `gate` denies gate/no-inputs until there is something to govern (see the comments in the config)\n");
    }
    process.stdout.write(
      "\nnext: `npx --no-install gatehouse gate` (exit 0 allow, 1 deny, 2 setup error), then commit these files.\n" +
        `CI runs ${WORKFLOW} on every pull request; make its "gatehouse gate" job a required check.\n`,
    );
  },
};

/** The nearest directory from `start` up that holds .git (a repository or a worktree), else `start`. */
export function repositoryRoot(start: string): string {
  for (let dir = resolve(start); ; dir = dirname(dir)) {
    if (existsSync(join(dir, ".git"))) return dir;
    if (dirname(dir) === dir) return resolve(start);
  }
}

export function planFiles(root: string, found: Detected): Planned[] {
  const config = configFileIn(root);
  const template = PR_TEMPLATE_PLACES.find((p) => existsSync(join(root, p)));
  return [
    { path: CONFIG_FILES[0]!, text: configText(found), ...(config ? { existing: relative(root, config).split("\\").join("/") } : {}) },
    { path: ".github/pull_request_template.md", text: PR_TEMPLATE, ...(template ? { existing: template } : {}) },
    { path: WORKFLOW, text: workflowText(found, VERSION), ...(existsSync(join(root, WORKFLOW)) ? { existing: WORKFLOW } : {}) },
  ];
}

function describeFound(found: Detected): string {
  const lines: string[] = [];
  if (found.typescript) {
    const entries = found.typescript.entries.length > 0 ? `, entry points ${found.typescript.entries.join(", ")}` : ", no package entry point (every module's exports count)";
    lines.push(`${found.typescript.language}: ${found.typescript.include.join(", ")}${entries}`);
  }
  if (found.python) lines.push(`Python: ${found.python.include.join(", ")}${found.python.packages.length > 0 ? ` (packages ${found.python.packages.join(", ")})` : ""}`);
  if (found.promotion) lines.push(`promotion receipts: ${found.promotion.receipts.join(", ")}${found.promotion.registry ? `, watcher registry ${found.promotion.registry}` : ", no watcher registry"}`);
  if (found.ops) lines.push(`ops folder: ${found.ops.dir}/`);
  for (const rego of found.rego) lines.push(`Rego: ${rego.dir}/ (namespaces ${rego.namespaces.join(", ")})`);
  if (lines.length === 0) lines.push("nothing gatehouse governs yet (no TS/JS or Python sources, receipts, ops folder or Rego)");
  return `found:\n${lines.map((l) => `  ${l}\n`).join("")}`;
}

/**
 * The baseline registry, built before anything is written (an extraction error or a bad
 * $GATEHOUSE_NOW leaves the repository as it was); the returned function writes it.
 */
async function baselineRegistry(root: string, config: GateConfig): Promise<{ count: number; write: () => void }> {
  const { contractSettings } = await import("../../contracts/governance.js");
  const { extractContracts } = await import("../../contracts/extract.js");
  const { INITIAL_VERSION, writeJsonAtomic } = await import("../../contracts/registry.js");
  const updatedAt = recordedNowIso();
  const settings = contractSettings(config.contracts as Record<string, unknown> | undefined);
  const { contracts } = await extractContracts(root, settings);
  return { count: contracts.length, write: () => writeJsonAtomic(join(root, settings.registry), { registryVersion: INITIAL_VERSION, updatedAt, contracts }) };
}

function lstatOrUndefined(path: string): Stats | undefined {
  try {
    return lstatSync(path);
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === "ENOENT") return undefined;
    throw new ConfigError(`cannot inspect: ${(error as NodeJS.ErrnoException).code ?? String(error)}`, path);
  }
}

/**
 * Refuses a target `init` would write (`relativePath` under `root`) unless every directory on the
 * way is a real directory and the file is absent or a regular file: a link would carry the write
 * out of the repository, and a FIFO or device is no file to replace.
 */
function refuseUnsafeTarget(root: string, relativePath: string): void {
  const parts = relativePath.split("/");
  let path = root;
  for (const [index, part] of parts.entries()) {
    path = join(path, part);
    const stats = lstatOrUndefined(path);
    if (stats === undefined) return;
    const last = index === parts.length - 1;
    if (last ? stats.isFile() : stats.isDirectory()) continue;
    throw new ConfigError(`is ${fileTypeName(stats)}, not ${last ? "a regular file" : "a directory"}; gatehouse init writes only regular files inside the repository and replaces nothing else`, path);
  }
}
