// A small recursive file finder for the hot paths (`gatehouse check DIR`, bundle source
// verification). It matches what fast-glob does with `**/*.{ext}` and `dot: false`, without the
// import cost (tens of ms per CLI start): dot files and dot directories are skipped, so is
// node_modules (unless `everything`: the walks that must see what conftest sees), symlinks are followed (a link back to one of its own ancestors is not walked
// again), and the result is sorted. A matching name that is not a regular file is listed all the
// same, for the reader to refuse (src/core/read.ts): nothing the name claims is dropped unseen.
// Links that are not cycles can still lead to the same directories again and again (two links
// per level to the next level: 2^N paths), so a walk visits at most MAX_WALK_DIRECTORIES
// directories and then stops with a configuration error, instead of running for hours.

import { readdir, readdirSync, realpathSync, statSync, type Dirent } from "node:fs";
import { isUtf8 } from "node:buffer";
import { join, relative } from "node:path";
import { ConfigError } from "./errors.js";

/** Directory visits one walk may make: far above a real tree (node_modules is never walked). */
export const MAX_WALK_DIRECTORIES = 100_000;

export type WalkOptions = (
  | {
      /** file name endings to keep, e.g. [".json", ".yaml"] */
      extensions: readonly string[];
    }
  | {
      /** whether to keep a regular file, by its name (e.g. "has a parser") */
      accept: (name: string) => boolean;
    }
) & {
  /** file name endings to drop even when an extension matches, e.g. ["_test.rego"] */
  exclude?: readonly string[];
  /** directory visits before the walk is refused (default MAX_WALK_DIRECTORIES) */
  maxDirectories?: number;
  /**
   * Walk as conftest and OPA's loader do (`conftest test DIR`, `--data DIR`, the files the Go
   * module loads itself): dot files, dot directories (.github) and node_modules too. Without it the
   * walk is fast-glob's `dot: false` with node_modules ignored (gatehouse's own trees); with it
   * skipped, `check DIR` allowed a `.github/workflows/ci.yml` or `.env` conftest denies.
   */
  everything?: boolean;
};

/** Matching files under `root`, as paths relative to it with `/` separators, sorted. */
export function findFiles(root: string, options: WalkOptions): string[] {
  const out: string[] = [];
  const keep = "accept" in options ? options.accept : (name: string) => options.extensions.some((e) => name.endsWith(e));
  // Real paths of the directories being walked, root to current: a cycle through links ends here.
  const ancestors = new Set<string>();
  const maxDirectories = options.maxDirectories ?? MAX_WALK_DIRECTORIES;
  let visited = 0;
  const walk = (dir: string, rel: string): void => {
    if (++visited > maxDirectories) {
      throw new ConfigError(`the walk passed ${maxDirectories} directories (links that lead to the same directories again and again?); refused rather than walked on`, root);
    }
    let real: string;
    let entries: Dirent<Buffer>[];
    try {
      real = realpathSync(dir);
      if (ancestors.has(real)) return;
      // Names as bytes: one that is not UTF-8 would come back with U+FFFD, a name no open finds.
      entries = readdirSync(dir, { withFileTypes: true, encoding: "buffer" });
    } catch (error) {
      // A root that is not there holds nothing; a directory found in the walk that cannot be
      // read would drop every file under it unseen.
      if (rel === "") return;
      throw new ConfigError(`cannot read the directory ${rel}: ${(error as NodeJS.ErrnoException).code ?? (error as Error).message}; refused rather than its files left out`, root);
    }
    ancestors.add(real);
    for (const entry of entries) {
      const name = entry.name.toString("utf8");
      if (!options.everything && (name.startsWith(".") || name === "node_modules")) continue;
      if (!isUtf8(entry.name)) {
        // A name no parser claims (and no directory) would be left out anyway.
        if (!(entry.isDirectory() || entry.isSymbolicLink() || keep(name))) continue;
        const shown = rel === "" ? escapedName(entry.name) : `${rel}/${escapedName(entry.name)}`;
        throw undecodableName(shown, root);
      }
      const relPath = rel === "" ? name : `${rel}/${name}`;
      let isDir = entry.isDirectory();
      if (entry.isSymbolicLink()) {
        try {
          isDir = statSync(join(dir, name)).isDirectory();
        } catch {
          // a dangling link is kept below when its name matches, like any other file
        }
      }
      if (isDir) walk(join(dir, name), relPath);
      // Not only regular files: a matching FIFO, device or dangling link is listed too, so the
      // caller's reader refuses it by name. Skipped, it would silently drop a policy, a data file
      // or an input from the run (a data directory whose only file is a FIFO allowed).
      else if (keep(name) && !options.exclude?.some((e) => name.endsWith(e))) {
        out.push(relPath);
      }
    }
    ancestors.delete(real);
  };
  walk(root, "");
  return out.sort();
}

/** The refusal of a name that is not UTF-8, met by either walk (`shown` escaped by escapedName). */
function undecodableName(shown: string, root: string): ConfigError {
  return new ConfigError(`${shown}: the name is not valid UTF-8 (bytes shown as \\xNN), so gatehouse cannot open it, and leaving it out would drop it from the run unseen; rename it`, root);
}

/** A file name's bytes as text, each byte that is not part of valid UTF-8 (or is a control) as \\xNN. */
function escapedName(bytes: Buffer): string {
  let out = "";
  let i = 0;
  while (i < bytes.length) {
    const lead = bytes[i]!;
    const length = lead < 0x80 ? 1 : lead >= 0xc2 && lead <= 0xdf ? 2 : lead >= 0xe0 && lead <= 0xef ? 3 : lead >= 0xf0 && lead <= 0xf4 ? 4 : 0;
    const char = length > 0 ? bytes.subarray(i, i + length) : undefined;
    if (char !== undefined && char.length === length && isUtf8(char) && !(length === 1 && (lead < 0x20 || lead === 0x7f))) {
      out += char.toString("utf8");
      i += length;
    } else {
      out += `\\x${lead.toString(16).toUpperCase().padStart(2, "0")}`;
      i += 1;
    }
  }
  return out;
}

type ReaddirCallback = (error: NodeJS.ErrnoException | null, entries?: unknown) => void;

/**
 * fast-glob's `fs` option for walks of repository content: the same functions, with readdir
 * counted, so a glob over links that lead to the same directories again and again stops after
 * MAX_WALK_DIRECTORIES directories with an error (the collector fails, the gate denies) instead
 * of running for hours. One adapter per walk.
 */
export function boundedGlobFs(root: string, maxDirectories: number = MAX_WALK_DIRECTORIES): { readdir: (...args: unknown[]) => void } {
  return { readdir: boundedAdapter(root, maxDirectories).readdir };
}

/** boundedGlobFs for fast-glob's synchronous walk (`fg.sync`): readdirSync counted and checked the same way. */
export function boundedGlobFsSync(root: string, maxDirectories: number = MAX_WALK_DIRECTORIES): { readdirSync: typeof readdirSync } {
  return { readdirSync: boundedAdapter(root, maxDirectories).readdirSync };
}

function boundedAdapter(root: string, maxDirectories: number): { readdir: (...args: unknown[]) => void; readdirSync: typeof readdirSync } {
  let visited = 0;
  const overLimit = (): NodeJS.ErrnoException | undefined => {
    if (++visited <= maxDirectories) return undefined;
    const error: NodeJS.ErrnoException = new ConfigError(`the walk passed ${maxDirectories} directories (links that lead to the same directories again and again?); refused rather than walked on`, root);
    error.code = "EWALKLIMIT";
    return error;
  };
  // fast-glob reads names as strings: one that is not UTF-8 comes back with U+FFFD, a path
  // its stat cannot find, so the file or directory would be left out unseen.
  const undecodable = (directory: string, entries: unknown): NodeJS.ErrnoException | undefined => {
    if (!Array.isArray(entries) || !entries.some((entry: string | Dirent) => (typeof entry === "string" ? entry : entry.name).includes("\uFFFD"))) return undefined;
    const bad = readdirSync(directory, { encoding: "buffer" }).find((name) => !isUtf8(name));
    if (bad === undefined) return undefined;
    const refusal: NodeJS.ErrnoException = undecodableName(relative(root, join(directory, escapedName(bad))), root);
    refusal.code = "EBADNAME";
    return refusal;
  };
  return {
    readdir: (...args: unknown[]) => {
      const callback = args[args.length - 1] as ReaddirCallback;
      const limit = overLimit();
      if (limit) {
        // Asynchronously, as readdir answers: a synchronous callback recurses through the walker.
        setImmediate(() => callback(limit));
        return;
      }
      const directory = args[0] as string;
      const checked: ReaddirCallback = (error, entries) => {
        if (error) {
          callback(error, entries);
          return;
        }
        let refusal: NodeJS.ErrnoException | undefined;
        try {
          refusal = undecodable(directory, entries);
        } catch (reread) {
          refusal = reread as NodeJS.ErrnoException;
        }
        if (refusal) callback(refusal);
        else callback(null, entries);
      };
      (readdir as (...a: unknown[]) => void)(...args.slice(0, -1), checked);
    },
    // fast-glob's sync walk (fg.sync), bounded and checked the same way.
    readdirSync: ((...args: unknown[]) => {
      const limit = overLimit();
      if (limit) throw limit;
      // What fast-glob asked for (names or Dirents, as its options say), handed back unchanged.
      const entries = (readdirSync as (...a: unknown[]) => unknown)(...args);
      const refusal = undecodable(args[0] as string, entries);
      if (refusal) throw refusal;
      return entries;
    }) as typeof readdirSync,
  };
}
