// Facts about tests for policy/contracts: which test files exist at the head of the change, which
// the change added, modified or deleted (git, against the same base as the contract diff), and
// which changed or stable contracts each one uses, at head and, for changed files, at the base.
// Found by the call-site finder's AST walks (callsites.ts), so "calls it" means what the call
// sites of a change mean. Policy decides; nothing here allows or denies.

import { isAbsolute, join, posix } from "node:path";
import { readUntrustedText, UntrustedFileError } from "../core/read.js";
import { changedFiles, defaultBase, gitShow, NotARepositoryError } from "../ops/changes.js";
import { calleeName, namesUsedIn } from "./callsites.js";
import type { ContractChange } from "./diff.js";
import { consumerFiles, isTestFile } from "./files.js";
import { CALLABLE_KINDS, contractId, type Contract } from "./model.js";

export type FileChange = "added" | "modified" | "deleted";

export interface TestFileFacts {
  /** the repository path, or a reference exactly as a decision or the registry spells it */
  file: string;
  /** a regular file inside the repository at the head of the change */
  exists: boolean;
  /** named like a test (test/, tests/, __tests__/, *.test.*, *.spec.*, test_*.py, *_test.py, conftest.py) */
  test: boolean;
  /** what the change did to the file; absent: untouched (or no git base to compare with) */
  change?: FileChange;
  /** ids of the changed and stable contracts the file calls (uses, for types and values) at head */
  calls: string[];
  /** the same at the base, for files the change modified or deleted */
  callsAtBase: string[];
}

export interface TestFacts {
  /** the git revision the change is compared with; absent: not a git repository, nothing counts as changed */
  base?: string;
  files: TestFileFacts[];
}

export interface StableFact {
  id: string;
  kind: string;
  /** the contract's test references in the working-tree registry */
  tests: string[];
  /** where it is declared */
  file?: string;
  line?: number;
}

/** A contract the tests are asked about: what to look for, and whether it is called or only used. */
interface Subject {
  id: string;
  names: string[];
  called: boolean;
}

/** Test files are source files; a bigger one is not read. */
const MAX_TEST_BYTES = 16 * 1024 * 1024;

export interface TestFactsRequest {
  root: string;
  /** the contract diff's base ref, when it has one (else HEAD, or the empty tree before the first commit) */
  baseRef?: string;
  changes: readonly ContractChange[];
  /** the extracted (head) contracts and the baseline's, to know what kind of symbol a change is about */
  head: readonly Contract[];
  baseline: readonly Contract[];
  /** test references named by decisions and by stable contracts in the registry */
  named: readonly string[];
  stable: readonly StableFact[];
}

export async function collectTestFacts(request: TestFactsRequest): Promise<TestFacts> {
  const { root } = request;
  const subjects = subjectsOf(request);
  if (subjects.length === 0 && request.named.length === 0) return { files: [] };
  const changed = await changedPaths(root, request.baseRef);
  const facts = new Map<string, TestFileFacts>();
  const headUses = async (path: string) => usesOf(path, readHead(root, path), subjects);

  // Every test file in the repository that uses a subject today, and every changed test file.
  const tests = (await consumerFiles(root)).filter(isTestFile);
  for (const file of tests) {
    const calls = await headUses(file);
    if (calls.length > 0 || changed.paths.has(file)) facts.set(file, fileFacts(file, true, calls, changed.paths.get(file)));
  }
  for (const [path, change] of changed.paths) {
    if (change === "deleted" && isTestFile(path)) facts.set(path, fileFacts(path, false, [], change));
  }
  // What the changed test files used before the change (a removal's test stops calling it).
  if (changed.base !== undefined) {
    for (const fact of facts.values()) {
      if (fact.change !== "modified" && fact.change !== "deleted") continue;
      const before = await gitShow(root, `${changed.base}:${changed.oldPaths.get(fact.file) ?? fact.file}`);
      fact.callsAtBase = before === undefined ? [] : await usesOf(fact.file, before, subjects);
    }
  }
  // References as decisions and the registry spell them, resolved inside the repository.
  for (const ref of request.named) {
    if (facts.has(ref)) continue;
    const path = repositoryPath(ref);
    const known = path === undefined ? undefined : facts.get(path);
    if (known) {
      facts.set(ref, { ...known, file: ref });
      continue;
    }
    const text = path === undefined ? undefined : readHead(root, path);
    const change = path === undefined ? undefined : changed.paths.get(path);
    const fact = fileFacts(ref, text !== undefined, text === undefined ? [] : await usesOf(path!, text, subjects), change);
    fact.test = path !== undefined && isTestFile(path);
    facts.set(ref, fact);
  }
  return { ...(changed.base !== undefined ? { base: changed.base } : {}), files: [...facts.values()].sort((a, b) => (a.file < b.file ? -1 : a.file > b.file ? 1 : 0)) };
}

function fileFacts(file: string, exists: boolean, calls: string[], change: FileChange | undefined): TestFileFacts {
  return { file, exists, test: isTestFile(file), ...(change ? { change } : {}), calls, callsAtBase: [] };
}

function subjectsOf(request: TestFactsRequest): Subject[] {
  const head = new Map(request.head.map((c) => [contractId(c), c]));
  const baseline = new Map(request.baseline.map((c) => [contractId(c), c]));
  const subjects = new Map<string, Subject>();
  for (const change of request.changes) {
    if (change.severity === "SAFE") continue;
    const contract = head.get(change.renamedTo ?? change.id) ?? baseline.get(change.id);
    const names = [calleeName(change.symbol.name)];
    if (change.renamedTo) names.push(calleeName(change.renamedTo.slice(change.renamedTo.lastIndexOf("#") + 1)));
    subjects.set(change.id, { id: change.id, names: [...new Set(names)], called: contract === undefined || CALLABLE_KINDS.has(contract.kind) });
  }
  for (const stable of request.stable) {
    if (subjects.has(stable.id)) continue;
    const name = stable.id.slice(stable.id.lastIndexOf("#") + 1);
    subjects.set(stable.id, { id: stable.id, names: [calleeName(name)], called: CALLABLE_KINDS.has(stable.kind as Contract["kind"]) });
  }
  return [...subjects.values()];
}

async function usesOf(file: string, text: string | undefined, subjects: readonly Subject[]): Promise<string[]> {
  if (text === undefined || subjects.length === 0) return [];
  const calls = new Set(subjects.filter((s) => s.called).flatMap((s) => s.names));
  const refs = new Set(subjects.filter((s) => !s.called).flatMap((s) => s.names));
  const used = await namesUsedIn(file, text, calls, refs);
  return subjects.filter((s) => s.names.some((n) => used.has(n))).map((s) => s.id).sort();
}

/** A file's text at head, through the untrusted-file reader (inside the root, regular files only); undefined when it is not there. */
function readHead(root: string, path: string): string | undefined {
  try {
    return readUntrustedText(join(root, path), { maxBytes: MAX_TEST_BYTES, root });
  } catch (error) {
    if (error instanceof UntrustedFileError || (error as NodeJS.ErrnoException).code === "ENOENT") return undefined;
    throw error;
  }
}

/** A reference as a repository path (posix, relative, normalised); undefined when it leaves the repository. */
export function repositoryPath(ref: string): string | undefined {
  if (ref === "" || isAbsolute(ref) || /^[A-Za-z]:/.test(ref) || ref.includes("\\") || ref.includes("\0")) return undefined;
  const path = posix.normalize(ref);
  if (path === ".." || path.startsWith("../") || path === ".") return undefined;
  return path;
}

interface ChangedPaths {
  base?: string;
  paths: Map<string, FileChange>;
  /** renamed files: new path → path at the base */
  oldPaths: Map<string, string>;
}

/** The files the change touched (committed, staged, unstaged, untracked), as `ops check` reads them. */
async function changedPaths(root: string, baseRef: string | undefined): Promise<ChangedPaths> {
  const paths = new Map<string, FileChange>();
  const oldPaths = new Map<string, string>();
  let base: string;
  let files;
  try {
    base = baseRef ?? (await defaultBase(root)).revision;
    files = await changedFiles(root, base);
  } catch (error) {
    if (error instanceof NotARepositoryError) return { paths, oldPaths };
    throw error;
  }
  for (const file of files) {
    if (file.status === "deleted") paths.set(file.path, "deleted");
    else if (file.status === "modified" || file.status === "type-changed") paths.set(file.path, "modified");
    else if (file.status === "renamed" && file.old_path) {
      // A renamed test was modified at its new place, and its old path is gone.
      paths.set(file.path, "modified");
      paths.set(file.old_path, "deleted");
      oldPaths.set(file.path, file.old_path);
    } else paths.set(file.path, "added");
  }
  return { base, paths, oldPaths };
}
