// conftest's --namespace matching: literal unless a pattern has a glob character, then Go's
// path.Match with `.` an ordinary character (so `main.*` matches main.gke and `*` every
// package). Shared by the evaluators (worker threads) and `verify`.

import { UsageError } from "../core/errors.js";

/** Namespace patterns: conftest matches literally unless one has a glob character (Go's path.Match, `.` ordinary). */
export function namespaceMatcher(patterns: readonly string[]): (pkg: string) => boolean {
  if (!patterns.some((p) => /[*?[]/.test(p))) return (pkg) => patterns.includes(pkg);
  const regexes = patterns.map(globToRegExp);
  return (pkg) => regexes.some((r) => r.test(pkg));
}

function globToRegExp(pattern: string): RegExp {
  let out = "";
  for (let i = 0; i < pattern.length; i++) {
    const c = pattern[i]!;
    if (c === "*") out += "[^/]*";
    else if (c === "?") out += "[^/]";
    else if (c === "[") {
      const close = pattern.indexOf("]", i + 2);
      if (close === -1) throw new UsageError(`--namespace ${JSON.stringify(pattern)}: syntax error in pattern`);
      let body = pattern.slice(i + 1, close);
      if (body.startsWith("^")) body = `!${body.slice(1)}`;
      out += body.startsWith("!") ? `[^${body.slice(1).replace(/\\/g, "\\\\")}]` : `[${body.replace(/\\/g, "\\\\")}]`;
      i = close;
    } else if (c === "\\" && i + 1 < pattern.length) out += `\\${pattern[++i]}`;
    else out += c.replace(/[.+^${}()|\]\\]/g, "\\$&");
  }
  return new RegExp(`^${out}$`);
}

