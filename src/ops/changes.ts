// The files an operation changed, from git (execa): `git diff --name-status -M -z <base>` compares
// the base with the working tree, so it covers committed, staged and unstaged changes to tracked
// files, with renames (old and new path) and deletions; `git ls-files --others --exclude-standard`
// adds untracked files. Each path is checked for looking like a secret.

import { closeSync, lstatSync, readSync } from "node:fs";
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

// Paths given after `--` are the repository's own file names: a committed `:/x` or `*.log` must
// name that file, not act as pathspec magic or a glob (`:/x` is x at the top, which hid the
// change from the review), so every call reads pathspecs literally.
async function git(root: string, args: string[]): Promise<string> {
  try {
    const result = await execa("git", ["--literal-pathspecs", ...args], { cwd: root, stripFinalNewline: false });
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
  // `production.env`, `app.local.env`: conftest's dotenv parser claims *.env, and docker compose's
  // `env_file:` takes any name; only a template's stem (example.env) is not a secret.
  [/^(?!(?:example|sample|template|dist|defaults?)\.env$).+\.env$/i, "dotenv file"],
  // direnv's .envrc exports variables to the shell: the same secrets as a .env.
  [/^\.envrc$/i, "dotenv file"],
  [/\.(pem|key|p12|pfx|jks|keystore|kdbx|ovpn|ppk|keytab)$/i, "key or certificate store"],
  [/^id_(rsa|dsa|ecdsa|ed25519)(_sk)?$/i, "SSH private key"],
  [/^(credentials|credentials\.(json|ya?ml|xml|ini)|\.netrc|\.pgpass|\.htpasswd|\.git-credentials|\.npmrc|\.pypirc)$/i, "credentials file"],
  [/^(secrets?|vault)\.(json|ya?ml|env|txt)$/i, "secrets file"],
  [/^service[-_]account.*\.json$/i, "cloud service-account key"],
];

// What editors, cp and people append to a copy: `id_rsa.bak`, `server.key~`, `.id_rsa.swp`,
// `id_rsa (copy)`, `id_rsa.1`, `id_rsa.orig`. A copy of a secret is a secret.
const COPY_SUFFIX = /(?:~|\.~\d+~|\.(?:bak|backup|bk|bkp|old|orig|copy|swp|swo|swn|save|sav|tmp|temp|prev|previous|\d+)|[ _-]copy(?: \d+)?| \(copy(?: \d+)?\)| \(\d+\))$/i;

/**
 * The names a file may be a copy of: each copy suffix stripped in turn (`id_rsa.bak.old`), with
 * and without a leading dot for vim's swap files (`.id_rsa.swp` is the swap file of `id_rsa`).
 */
export function originalNames(name: string): string[] {
  const names = new Set<string>();
  let base = name;
  let stripped = base.replace(COPY_SUFFIX, "");
  while (stripped !== base && stripped !== "") {
    names.add(stripped);
    if (stripped.startsWith(".") && stripped.length > 1) names.add(stripped.slice(1));
    base = stripped;
    stripped = base.replace(COPY_SUFFIX, "");
  }
  return [...names];
}

// Private key blocks (PEM, OpenSSH, PGP, SSH2) and PuTTY key files, by content.
const PRIVATE_KEY = /-----BEGIN [A-Z0-9 ]{0,40}PRIVATE KEY(?: BLOCK)?-----|---- BEGIN SSH2 ENCRYPTED PRIVATE KEY ----|PuTTY-User-Key-File-\d+:/;
/**
 * A private key block written in base64 (a Kubernetes Secret's `tls.key`, a kubeconfig's
 * `client-key-data`): `-----BEGIN ` encodes to one of these, by its offset in the encoded bytes;
 * the number is how many characters before the marker its 4-character group starts.
 */
const BASE64_BEGIN: readonly (readonly [string, number])[] = [["LS0tLS1CRUdJTi", 0], ["0tLS0tQkVHSU4g", 2], ["tLS0tLUJFR0lO", 3]];
/** Encoded characters decoded after a marker: more than the longest PEM header needs, line breaks included. */
const BASE64_WINDOW = 160;

/** Whether `text` holds a base64 run that decodes to a private key header. */
function hasBase64PrivateKey(text: string): boolean {
  for (const [marker, back] of BASE64_BEGIN) {
    for (let at = text.indexOf(marker); at !== -1; at = text.indexOf(marker, at + 1)) {
      if (at < back) continue;
      // Line breaks (wrapped base64, YAML block scalars, JSON's \n) do not end the run.
      const run = /^[A-Za-z0-9+/]*/.exec(text.slice(at - back, at - back + BASE64_WINDOW).replace(/\s+|\\n/g, ""))![0];
      if (PRIVATE_KEY.test(Buffer.from(run.slice(0, run.length - (run.length % 4)), "base64").toString("latin1"))) return true;
    }
  }
  return false;
}

/**
 * A private key in DER (ASN.1) with no PEM lines around it, as `openssl ... -outform DER` writes
 * it. Candidates (a SEQUENCE, then INTEGER 0 or 1, or PBES2's AlgorithmIdentifier) are found by
 * DER_CANDIDATE and then read as DER by derPrivateKeyAt: PKCS#8 (version, the algorithm's
 * SEQUENCE starting with its OID, then the key's OCTET STRING), PKCS#1 RSA and OpenSSL DSA
 * (version 0, then two INTEGERs, the first long), SEC1 EC (version 1, then a 32/48/66-byte
 * OCTET STRING) and encrypted PKCS#8 (PBES2, then the OCTET STRING). Certificates, CSRs, CRLs and
 * public keys do not read this way (a SEQUENCE, a Name or version 1 then a SET).
 */
const DER_CANDIDATE = /\x30(?:[\x02-\x7f]|\x81[\x80-\xff]|\x82[\s\S]{2}|\x83[\s\S]{3})(?:\x02\x01[\x00\x01]|\x30(?:[\x03-\x7f]|\x81[\s\S])\x06\x09\x2a\x86\x48\x86\xf7\x0d\x01\x05\x0d)/g;
const PBES2_OID = "\x06\x09\x2a\x86\x48\x86\xf7\x0d\x01\x05\x0d";

/** A DER element's tag, where its content starts and its length; undefined past the end or for an indefinite length. */
function derElement(text: string, at: number): { tag: number; start: number; length: number } | undefined {
  if (at + 2 > text.length) return undefined;
  const tag = text.charCodeAt(at);
  let length = text.charCodeAt(at + 1);
  let start = at + 2;
  if (length & 0x80) {
    const bytes = length & 0x7f;
    if (bytes === 0 || bytes > 3 || start + bytes > text.length) return undefined;
    length = 0;
    for (let i = 0; i < bytes; i++) length = length * 256 + text.charCodeAt(start + i);
    start += bytes;
  }
  return { tag, start, length };
}

/** Whether a DER private key (see DER_CANDIDATE) starts at `at` of `text` (latin1). */
function derPrivateKeyAt(text: string, at: number): boolean {
  const outer = derElement(text, at);
  if (!outer || outer.tag !== 0x30) return false;
  const first = derElement(text, outer.start);
  if (!first) return false;
  const after = (element: { start: number; length: number }) => element.start + element.length;
  if (first.tag === 0x30) {
    // Encrypted PKCS#8: AlgorithmIdentifier (PBES2), then the encrypted key's OCTET STRING.
    if (text.slice(first.start, first.start + PBES2_OID.length) !== PBES2_OID) return false;
    return derElement(text, after(first))?.tag === 0x04;
  }
  if (first.tag !== 0x02 || first.length !== 1) return false;
  const version = text.charCodeAt(first.start);
  const second = derElement(text, after(first));
  if (!second) return false;
  // PKCS#8: version 0 (version 1, RFC 5958, as written for the Edwards and Montgomery curves, OID 1.3.101.x).
  if (second.tag === 0x30 && text.charCodeAt(second.start) === 0x06 && (version === 0 || text.slice(second.start, second.start + 4) === "\x06\x03\x2b\x65")) {
    return derElement(text, after(second))?.tag === 0x04;
  }
  if (second.tag === 0x02 && version === 0 && second.length >= 64) return derElement(text, after(second))?.tag === 0x02; // PKCS#1, DSA
  if (second.tag === 0x04 && version === 1 && (second.length === 32 || second.length === 48 || second.length === 66)) return true; // SEC1
  return false;
}

/** The start of a base64 run (a PEM body pasted without its lines: `key: MIIEvQIBADANBg...`); DER SEQUENCEs encode to `M`. */
const BASE64_RUN_START = /(?<![A-Za-z0-9+/])M[A-Za-z0-9+/]{63}/g;
/** Encoded characters read from the start of a base64 run: a 4096-bit RSA key's first three elements, line breaks included. */
const HEADERLESS_WINDOW = 1400;
/** `openssh-key-v1\0` and the first bytes of the cipher name's length: an OpenSSH private key's body, in base64. */
const OPENSSH_BODY = "b3BlbnNzaC1rZXktdjEAAAAA";

/** Whether `text` (latin1) holds a DER private key, raw or as a base64 body without PEM lines. */
function hasHeaderlessPrivateKey(text: string): boolean {
  if (text.includes(OPENSSH_BODY)) return true;
  for (const match of text.matchAll(DER_CANDIDATE)) if (derPrivateKeyAt(text, match.index)) return true;
  for (const match of text.matchAll(BASE64_RUN_START)) {
    // Wrapped bodies (64-column lines, YAML block scalars, JSON's \n) read on across the breaks,
    // far enough to reach the INTEGER after a 4096-bit modulus.
    const run = /^[A-Za-z0-9+/]*/.exec(text.slice(match.index, match.index + HEADERLESS_WINDOW).replace(/\s+|\\n/g, ""))![0];
    if (derPrivateKeyAt(Buffer.from(run.slice(0, run.length - (run.length % 4)), "base64").toString("latin1"), 0)) return true;
  }
  return false;
}

/** More than the longest marker the patterns can match, a base64 window included (twice over, for UTF-16), so a chunk keeps that much of the one before it. */
const MARKER_OVERLAP = 2 * (Math.max(BASE64_WINDOW, HEADERLESS_WINDOW) + 40);
const SCAN_CHUNK_BYTES = 1024 * 1024;
/** Files larger than this are not scanned; they count as secret-like (unproven), not as clean. */
export const MAX_SECRET_SCAN_BYTES = 64 * 1024 * 1024;

function secretCheck(root: string, path: string, oldPath?: string): { secret_like: boolean; secret_reason?: string } {
  for (const candidate of [path, oldPath]) {
    if (candidate === undefined) continue;
    const name = basename(candidate);
    for (const [pattern, reason] of SECRET_NAMES) if (pattern.test(name)) return { secret_like: true, secret_reason: reason };
    for (const original of originalNames(name)) {
      for (const [pattern, reason] of SECRET_NAMES) if (pattern.test(original)) return { secret_like: true, secret_reason: `${reason}: a copy of ${original}` };
    }
  }
  return scanContent(join(root, path));
}

/**
 * Content: a private key block anywhere in a regular file that still exists, read in chunks up to
 * MAX_SECRET_SCAN_BYTES. A symlink is judged by name (git stores the link, not its target's bytes).
 */
export function scanContent(file: string): { secret_like: boolean; secret_reason?: string } {
  let stat;
  try {
    stat = lstatSync(file);
  } catch {
    return { secret_like: false };
  }
  if (!stat.isFile()) return { secret_like: false };
  if (stat.size > MAX_SECRET_SCAN_BYTES) return { secret_like: true, secret_reason: `${stat.size} bytes, over the ${MAX_SECRET_SCAN_BYTES}-byte limit for scanning it for private keys` };
  let fd: number | undefined;
  try {
    fd = openUntrustedFile(file, {}).fd; // a regular file only: a FIFO swapped in must not block the check
    const buffer = Buffer.alloc(SCAN_CHUNK_BYTES + MARKER_OVERLAP);
    let carried = 0;
    let total = 0;
    for (;;) {
      const n = readSync(fd, buffer, carried, SCAN_CHUNK_BYTES, null);
      if (n === 0) break;
      total += n;
      // The file may have grown since lstat: the cap holds for what is read, too.
      if (total > MAX_SECRET_SCAN_BYTES) return { secret_like: true, secret_reason: `over the ${MAX_SECRET_SCAN_BYTES}-byte limit for scanning it for private keys` };
      const chunk = buffer.subarray(0, carried + n);
      const text = chunk.toString("latin1");
      // UTF-16 text: the marker with NULs between its letters.
      if (PRIVATE_KEY.test(text) || (text.includes("\0") && PRIVATE_KEY.test(text.replaceAll("\0", "")))) return { secret_like: true, secret_reason: "contains a private key block" };
      if (hasBase64PrivateKey(text) || (text.includes("\0") && hasBase64PrivateKey(text.replaceAll("\0", "")))) return { secret_like: true, secret_reason: "contains a private key block in base64" };
      if (hasHeaderlessPrivateKey(text) || (text.includes("\0") && hasHeaderlessPrivateKey(text.replaceAll("\0", "")))) return { secret_like: true, secret_reason: "contains a private key without PEM lines (DER, or its base64 body)" };
      carried = Math.min(MARKER_OVERLAP, chunk.length);
      chunk.copyWithin(0, chunk.length - carried);
    }
  } catch (error) {
    return { secret_like: true, secret_reason: `cannot be read to scan it for private keys: ${(error as NodeJS.ErrnoException).code ?? (error as Error).message}` };
  } finally {
    if (fd !== undefined) closeSync(fd);
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

/**
 * The lines a change added or rewrote in its file as it is now (1-based, sorted), from the hunk
 * headers of `git diff -U0` (`@@ -a,b +c,d @@`: lines c .. c+d-1); "all" for a file git does not
 * track yet or that the base does not have. Deleted files have none. Only hunk headers are read
 * from git: the content is read from the working tree by the caller, through src/core/read.ts.
 * `--text`: a committed .gitattributes can mark any file `binary` or `-diff`, and git then prints
 * "Binary files differ" with no hunk, so the changed lines of a text file would read as none.
 */
export async function changedLines(root: string, base: string, change: Pick<ChangedFile, "status" | "path" | "old_path">): Promise<number[] | "all"> {
  if (change.status === "untracked" || change.status === "added") return "all";
  if (change.status === "deleted") return [];
  const paths = change.old_path !== undefined ? [change.old_path, change.path] : [change.path];
  const diff = await git(root, ["diff", "-U0", "-M", "--text", "--no-color", "--no-ext-diff", "--no-textconv", base, "--", ...paths]);
  const lines: number[] = [];
  for (const match of diff.matchAll(/^@@ -\d+(?:,\d+)? \+(\d+)(?:,(\d+))? @@/gm)) {
    const start = Number(match[1]);
    const count = match[2] === undefined ? 1 : Number(match[2]);
    for (let line = start; line < start + count; line++) lines.push(line);
  }
  return lines;
}
