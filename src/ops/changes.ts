// The files an operation changed, from git (execa): `git diff --name-status -M -z <base>` compares
// the base with the working tree, so it covers committed, staged and unstaged changes to tracked
// files, with renames (old and new path) and deletions; `git ls-files --others --exclude-standard`
// adds untracked files. Each path is checked for looking like a secret.

import { readSync, closeSync, existsSync } from "node:fs";
import { basename, join } from "node:path";
import { execa } from "execa";
import { ToolchainError, UsageError } from "../core/errors.js";
import { openUntrustedFile } from "../core/read.js";

export interface ChangedFile {
  status: "added" | "modified" | "deleted" | "renamed" | "copied" | "type-changed" | "untracked";
  path: string;
  old_path?: string;
  secret_like: boolean;
  secret_reason?: string;
}

const STATUS: Record<string, ChangedFile["status"]> = { A: "added", M: "modified", D: "deleted", R: "renamed", C: "copied", T: "type-changed" };

async function git(root: string, args: string[]): Promise<string> {
  try {
    const result = await execa("git", args, { cwd: root, stripFinalNewline: false });
    return result.stdout;
  } catch (error) {
    const e = error as { code?: string; stderr?: string; shortMessage?: string };
    if (e.code === "ENOENT") throw new ToolchainError("git is not installed (needed to read the changed files)");
    const detail = (e.stderr ?? e.shortMessage ?? "").trim().split("\n")[0];
    if (/not a git repository/i.test(detail ?? "")) throw new NotARepositoryError(`${root} is not inside a git repository`);
    if (/unknown revision|bad revision|ambiguous argument/i.test(detail ?? "")) throw new UsageError(`--base: ${detail}`);
    throw new ToolchainError(`git ${args.join(" ")} failed: ${detail}`);
  }
}

/** Outside a repository: a usage error the command can add its own way out to. */
export class NotARepositoryError extends UsageError {}

/** The revision changes are computed from when none is given: HEAD, or the empty tree before the first commit. */
export async function defaultBase(root: string): Promise<{ revision: string; label: string }> {
  if (await hasCommits(root)) return { revision: "HEAD", label: "HEAD" };
  return { revision: await emptyTree(root), label: "(no commits yet: every file is new)" };
}

async function hasCommits(root: string): Promise<boolean> {
  try {
    await execa("git", ["rev-parse", "--verify", "--quiet", "HEAD"], { cwd: root });
    return true;
  } catch {
    return false;
  }
}

async function emptyTree(root: string): Promise<string> {
  return (await git(root, ["hash-object", "-t", "tree", "/dev/null"])).trim();
}

export async function changedFiles(root: string, base: string): Promise<ChangedFile[]> {
  if (base.startsWith("-")) throw new UsageError(`--base must be a git revision, got ${JSON.stringify(base)}`);
  if (base === "HEAD" && !(await hasCommits(root))) {
    throw new UsageError("--base HEAD: the repository has no commits yet; leave --base out to treat every file as new");
  }
  const diff = await git(root, ["diff", "--name-status", "-M", "-z", "--no-color", base, "--"]);
  const changes = parseNameStatus(diff).map((change) => ({ ...change, ...secretCheck(root, change.path, change.old_path) }));
  const untracked = await git(root, ["ls-files", "--others", "--exclude-standard", "-z"]);
  for (const path of untracked.split("\0").filter(Boolean)) changes.push({ status: "untracked", path, ...secretCheck(root, path) });
  return changes.sort((a, b) => (a.path < b.path ? -1 : a.path > b.path ? 1 : 0));
}

// Names that hold secrets by convention. Templates (.env.example) are not secrets.
const SECRET_NAMES: [RegExp, string][] = [
  [/^\.env(\.(?!example$|sample$|template$|dist$)[\w.-]+)?$/i, "dotenv file"],
  [/\.(pem|key|p12|pfx|jks|keystore|kdbx|ovpn)$/i, "key or certificate store"],
  [/^id_(rsa|dsa|ecdsa|ed25519)$/i, "SSH private key"],
  [/^(credentials|credentials\.(json|ya?ml|xml|ini)|\.netrc|\.pgpass|\.htpasswd|\.git-credentials|\.npmrc|\.pypirc)$/i, "credentials file"],
  [/^(secrets?|vault)\.(json|ya?ml|env|txt)$/i, "secrets file"],
  [/^service[-_]account.*\.json$/i, "cloud service-account key"],
];

const PRIVATE_KEY = /-----BEGIN (?:[A-Z0-9]+ )?PRIVATE KEY-----/;

function secretCheck(root: string, path: string, oldPath?: string): { secret_like: boolean; secret_reason?: string } {
  for (const candidate of [path, oldPath]) {
    if (candidate === undefined) continue;
    const name = basename(candidate);
    for (const [pattern, reason] of SECRET_NAMES) if (pattern.test(name)) return { secret_like: true, secret_reason: reason };
  }
  // Content: a private key block in the first 64 KiB of a file that still exists.
  const file = join(root, path);
  if (existsSync(file)) {
    let fd: number | undefined;
    try {
      fd = openUntrustedFile(file, {}).fd; // a regular file only: a FIFO here must not block the check
      const buffer = Buffer.alloc(64 * 1024);
      const n = readSync(fd, buffer, 0, buffer.length, 0);
      if (PRIVATE_KEY.test(buffer.subarray(0, n).toString("latin1"))) return { secret_like: true, secret_reason: "contains a private key block" };
    } catch {
      // A directory (submodule) or unreadable file: judged by name only.
    } finally {
      if (fd !== undefined) closeSync(fd);
    }
  }
  return { secret_like: false };
}

/** Parses `git diff --name-status -M -z`: NUL-separated status, then one path (two for renames/copies). */
function parseNameStatus(output: string): Omit<ChangedFile, "secret_like">[] {
  const fields = output.split("\0");
  const changes: Omit<ChangedFile, "secret_like">[] = [];
  for (let i = 0; i < fields.length; ) {
    const code = fields[i++];
    if (!code) continue;
    const status = STATUS[code[0]!];
    if (!status) throw new ToolchainError(`unexpected git status ${JSON.stringify(code)}`);
    if (status === "renamed" || status === "copied") {
      const oldPath = fields[i++]!;
      changes.push({ status, path: fields[i++]!, old_path: oldPath });
    } else {
      changes.push({ status, path: fields[i++]! });
    }
  }
  return changes;
}

/** The repository's top-level directory (paths from git are relative to it). */
export async function gitToplevel(cwd: string): Promise<string> {
  return (await git(cwd, ["rev-parse", "--show-toplevel"])).trim();
}

/** Files staged for the next commit (index vs HEAD; vs the empty tree before the first commit). */
export async function stagedFiles(root: string): Promise<ChangedFile[]> {
  const base = (await hasCommits(root)) ? "HEAD" : await emptyTree(root);
  const diff = await git(root, ["diff", "--cached", "--name-status", "-M", "-z", "--no-color", base, "--"]);
  return parseNameStatus(diff).map((change) => ({ ...change, secret_like: false }));
}

/** A file's content at a revision (`HEAD:path`) or in the index (`:path`); undefined when absent. */
export async function gitShow(root: string, spec: string): Promise<string | undefined> {
  try {
    const result = await execa("git", ["show", spec], { cwd: root, stripFinalNewline: false });
    return result.stdout;
  } catch {
    return undefined;
  }
}
