// conftest's --namespace matching: literal unless a pattern has a glob character, then Go's
// path.Match with `.` an ordinary character (so `main.*` matches main.gke and `*` every
// package). Shared by the evaluators (worker threads) and `verify`.
//
// path.Match is reimplemented here rather than translated to a RegExp: its class syntax is not
// a RegExp's (`[!x]` is the class of `!` and `x`, not "anything but x"; `\` escapes inside a
// class; `[a-]` and `[]` are errors), and a translation that read `main[!x]` as a negation
// evaluated main1 instead of conftest's mainx, allowing what conftest denies.

import { UsageError } from "../core/errors.js";

/** Namespace patterns: conftest matches literally unless one has a glob character (Go's path.Match, `.` ordinary). */
export function namespaceMatcher(patterns: readonly string[]): (pkg: string) => boolean {
  if (!patterns.some((p) => /[*?[]/.test(p))) return (pkg) => patterns.includes(pkg);
  // A malformed pattern is refused up front (Go's path.Match says ErrBadPattern matching it against anything).
  for (const pattern of patterns) goPathMatch(pattern, "");
  // Asked once per package per input: each package's answer is kept.
  const answers = new Map<string, boolean>();
  return (pkg) => {
    let answer = answers.get(pkg);
    if (answer === undefined) answers.set(pkg, (answer = patterns.some((pattern) => goPathMatch(pattern, pkg))));
    return answer;
  };
}

class BadPattern extends UsageError {
  constructor(pattern: string) {
    super(`--namespace ${JSON.stringify(pattern)}: syntax error in pattern`);
  }
}

/**
 * Go's path.Match(pattern, name) over code points: `*` any run of characters but `/`, `?` one
 * character but `/`, `[...]` a class (`^` negates; `lo-hi` ranges; `\` escapes), `\c` the
 * character c. Throws BadPattern where Go returns ErrBadPattern.
 */
function goPathMatch(patternText: string, nameText: string): boolean {
  let pattern = Array.from(patternText);
  let name = Array.from(nameText);
  outer: while (pattern.length > 0) {
    const scanned = scanChunk(pattern);
    pattern = scanned.rest;
    const { star, chunk } = scanned;
    // A trailing star matches the rest unless it holds a `/`.
    if (star && chunk.length === 0) return !name.includes("/");
    const here = matchChunk(chunk, name, patternText);
    // The last chunk must use up the name; an earlier one may leave the rest to the next chunks.
    if (here !== undefined && (here.length === 0 || pattern.length > 0)) {
      name = here;
      continue;
    }
    if (star) {
      for (let skip = 0; skip < name.length && name[skip] !== "/"; skip++) {
        const rest = matchChunk(chunk, name.slice(skip + 1), patternText);
        if (rest === undefined) continue;
        if (pattern.length === 0 && rest.length > 0) continue;
        name = rest;
        continue outer;
      }
    }
    // No match; as Go does, the rest of the pattern must still be well formed.
    while (pattern.length > 0) {
      const next = scanChunk(pattern);
      pattern = next.rest;
      matchChunk(next.chunk, [], patternText);
    }
    return false;
  }
  return name.length === 0;
}

/** Leading stars, then the chunk up to the next star outside a class. */
function scanChunk(pattern: readonly string[]): { star: boolean; chunk: string[]; rest: string[] } {
  let start = 0;
  while (start < pattern.length && pattern[start] === "*") start++;
  let inClass = false;
  let end = start;
  for (; end < pattern.length; end++) {
    const c = pattern[end];
    if (c === "\\") {
      if (end + 1 < pattern.length) end++;
    } else if (c === "[") inClass = true;
    else if (c === "]") inClass = false;
    else if (c === "*" && !inClass) break;
  }
  return { star: start > 0, chunk: pattern.slice(start, end), rest: pattern.slice(end) };
}

/**
 * Matches one star-free chunk at the start of `name`: what is left of it, or undefined when it
 * does not match. The whole chunk is read even after a mismatch, so a malformed one throws.
 */
function matchChunk(chunkIn: readonly string[], nameIn: readonly string[], patternText: string): string[] | undefined {
  const chunk = [...chunkIn];
  let name = [...nameIn];
  let failed = false;
  while (chunk.length > 0) {
    if (!failed && name.length === 0) failed = true;
    const c = chunk.shift()!;
    if (c === "[") {
      const character = failed ? undefined : name.shift();
      let negated = false;
      if (chunk[0] === "^") {
        negated = true;
        chunk.shift();
      }
      let matched = false;
      for (let ranges = 0; ; ranges++) {
        if (chunk[0] === "]" && ranges > 0) {
          chunk.shift();
          break;
        }
        const low = classCharacter(chunk, patternText);
        let high = low;
        if (chunk[0] === "-") {
          chunk.shift();
          high = classCharacter(chunk, patternText);
        }
        if (character !== undefined && low <= character.codePointAt(0)! && character.codePointAt(0)! <= high) matched = true;
      }
      if (matched === negated) failed = true;
    } else if (c === "?") {
      if (!failed && name.shift() === "/") failed = true;
    } else {
      let literal = c;
      if (c === "\\") {
        if (chunk.length === 0) throw new BadPattern(patternText);
        literal = chunk.shift()!;
      }
      if (!failed && name.shift() !== literal) failed = true;
    }
  }
  return failed ? undefined : name;
}

/** One character of a class (Go's getEsc): not `-` or `]` unescaped, and something must follow it. */
function classCharacter(chunk: string[], patternText: string): number {
  if (chunk.length === 0 || chunk[0] === "-" || chunk[0] === "]") throw new BadPattern(patternText);
  if (chunk[0] === "\\") {
    chunk.shift();
    if (chunk.length === 0) throw new BadPattern(patternText);
  }
  const character = chunk.shift()!;
  if (chunk.length === 0) throw new BadPattern(patternText);
  return character.codePointAt(0)!;
}
