// `regex.split`, `regex.find_n` and `regex.replace` as OPA computes them: Go's regexp (RE2 syntax, leftmost-first matching) and
// Go's `Regexp.Split(s, -1)`. The SDK's version was `s.split(RegExp(pattern))`, JavaScript's
// semantics: capture groups came back as extra elements, `.` did not match "\r", `\s` matched
// Unicode spaces and "\v", `[[:alpha:]]` was a plain class of letters, `\z` an escaped "z", and
// an empty match right after a match was kept: a policy could silently see other pieces than
// OPA gives it.
//
// Patterns are translated into a JavaScript RegExp (unicode mode, so `.` and classes match code
// points as Go matches runes) only for the part of RE2 whose meaning is the same in both and whose
// matching takes time linear in the text (per pattern item): literals, escaped punctuation, `.`,
// `^` and `$` (whole text), classes and ranges, `\d \w \s \b \B` and their negations, `\t \n
// \v \f \r \xHH`, groups `( )`, `(?: )` and `(?P<name> )` and alternation, with no repetition.
// A pattern with a repetition (`*`, `+`, `?`, `{n,m}`) or anything else RE2 accepts (flags such as
// `(?i)`, `\A \z \Q \p{..}`, POSIX classes, octal escapes) is answered by Go's regexp itself
// (TopdownOnly: topdown.ts; without the builtins module the call errs, failing closed). Repetition
// is where JavaScript's backtracking and RE2 part ways: a capture inside a repeated group is reset
// at each iteration in JavaScript and keeps its last match in Go (`regex.replace("ab",
// "(?:(a)|b)*", "[$1]")` was "[]", OPA says "[a]"), JavaScript refuses an empty iteration and
// backtracks into another alternative where RE2 stops (`(?:|a)*` matched "aa", OPA matches ""),
// and backtracking is polynomial or exponential in the text (`\s*,\s*` over 60,000 spaces ran
// into the evaluation's time limit, where Go's regexp is linear). What RE2 itself refuses
// (look-around, back-references) is an error.

import { BuiltinError, TopdownOnly, intOperand, stringOperand } from "./errors.js";

/** Punctuation Go lets you escape to mean itself. */
const GO_PUNCTUATION = /^[!-/:-@[-`{-~]$/;
/** Characters a unicode-mode RegExp lets you escape to mean themselves (outside a class; inside, `-` too). */
const JS_SYNTAX = new Set("^$\\.*+?()[]{}|/");
const GO_SPACE = "\\t\\n\\f\\r ";

/** A pattern the translation leaves to Go's regexp (the header says which). */
function unsupported(pattern: string, what: string): never {
  throw new TopdownOnly(`gatehouse cannot evaluate ${what} in ${JSON.stringify(pattern)} as Go's regexp does, so the call is refused`);
}

function goError(pattern: string, what: string): never {
  throw new BuiltinError(`error parsing regexp: ${what} in ${JSON.stringify(pattern)}`);
}

/** A literal character as unicode-mode RegExp source, outside (`inClass` false) or inside a class. */
function literal(char: string, inClass: boolean): string {
  if (JS_SYNTAX.has(char) || (inClass && char === "-")) return `\\${char}`;
  return char;
}

/** The JavaScript source of an RE2 pattern, or an error (see the header). */
export function translateRe2(pattern: string, groupNames?: (string | undefined)[]): string {
  const chars = [...pattern]; // code points, as Go reads runes
  let out = "";
  let i = 0;
  let depth = 0;
  const escape = (inClass: boolean): string => {
    const next = chars[i + 1];
    if (next === undefined) goError(pattern, "trailing backslash at end of expression");
    i += 2;
    switch (next) {
      case "d":
      case "D":
      case "w":
      case "W":
        return `\\${next}`;
      case "s":
        return inClass ? GO_SPACE : `[${GO_SPACE}]`;
      case "S":
        if (inClass) unsupported(pattern, "\\S inside a class");
        return `[^${GO_SPACE}]`;
      case "b":
      case "B":
        if (inClass) goError(pattern, `invalid escape sequence: \\${next}`);
        return `(?:\\${next})`; // grouped, as ^ and $ below
      case "t":
      case "n":
      case "v":
      case "f":
      case "r":
        return `\\${next}`;
      case "x": {
        const hex = chars.slice(i, i + 2).join("");
        if (!/^[0-9A-Fa-f]{2}$/.test(hex)) unsupported(pattern, "a \\x escape other than \\xHH");
        i += 2;
        return `\\x${hex}`;
      }
      default:
        if (GO_PUNCTUATION.test(next)) return literal(next, inClass);
        return unsupported(pattern, `the escape \\${next}`);
    }
  };
  while (i < chars.length) {
    const c = chars[i]!;
    if (c === "\\") {
      out += escape(false);
    } else if (c === "[") {
      i++;
      let body = "";
      if (chars[i] === "^") {
        body += "^";
        i++;
      }
      // A "]" first in a class is a literal in Go (an empty class in JavaScript).
      if (chars[i] === "]") {
        body += "\\]";
        i++;
      }
      let closed = false;
      /** whether the last item was a class escape (\d, \s, ...), which cannot start a range */
      let afterClassEscape = false;
      while (i < chars.length) {
        const d = chars[i]!;
        if (d === "]") {
          closed = true;
          i++;
          break;
        }
        if (d === "[" && chars[i + 1] === ":") unsupported(pattern, "a POSIX class");
        if (d === "-" && afterClassEscape && chars[i + 1] !== "]") unsupported(pattern, "a range after a class escape");
        afterClassEscape = d === "\\" && /^[dDwWs]$/.test(chars[i + 1] ?? "");
        if (d === "\\") body += escape(true);
        else if (d === "-") {
          // A range's dash, or a literal one at either end of the class.
          body += chars[i + 1] === "]" || body === "" || body === "^" ? "\\-" : "-";
          i++;
        } else {
          body += literal(d, true);
          i++;
        }
      }
      if (!closed) goError(pattern, "missing closing ]");
      out += `[${body}]`;
    } else if (c === "(") {
      if (chars[i + 1] === "?") {
        if (chars[i + 2] === ":") {
          out += "(?:";
          i += 3;
        } else if (chars[i + 2] === "P" && chars[i + 3] === "<") {
          const close = chars.indexOf(">", i + 4);
          if (close < 0) goError(pattern, "invalid named capture");
          const name = chars.slice(i + 4, close).join("");
          if (!/^[A-Za-z_][A-Za-z0-9_]*$/.test(name)) goError(pattern, "invalid named capture");
          groupNames?.push(name);
          out += "(";
          i = close + 1;
        } else {
          unsupported(pattern, "a (? group other than (?: and (?P<name>");
        }
      } else {
        groupNames?.push(undefined);
        out += "(";
        i++;
      }
      depth++;
    } else if (c === ")") {
      if (depth === 0) goError(pattern, "unexpected )");
      depth--;
      out += ")";
      i++;
    } else if (c === ".") {
      out += "[^\\n]"; // Go's "." is any rune but a newline (JavaScript's also refuses \r, U+2028, U+2029)
      i++;
    } else if (c === "*" || c === "+" || c === "?") {
      unsupported(pattern, "a repetition");
    } else if (c === "{") {
      // A repetition {n}, {n,} or {n,m}; otherwise a literal "{" in Go.
      if (/^\{\d+(,\d*)?\}/.test(chars.slice(i).join(""))) {
        unsupported(pattern, "a repetition");
      } else {
        out += "\\{";
        i++;
      }
    } else if (c === "^" || c === "$") {
      out += `(?:${c})`; // grouped: a group is always one item of the source
      i++;
    } else if (c === "}" || c === "]") {
      out += `\\${c}`; // literals in Go; unicode mode wants them escaped
      i++;
    } else {
      out += c;
      i++;
    }
  }
  if (depth !== 0) goError(pattern, "missing closing )");
  return out;
}

const compiled = new Map<string, RegExp>();

/** The RegExp for an RE2 pattern (global, unicode), cached: policies split with a few patterns many times. */
function regexpFor(pattern: string): RegExp {
  let re = compiled.get(pattern);
  if (!re) {
    const source = translateRe2(pattern);
    try {
      re = new RegExp(source, "gu");
    } catch (error) {
      goError(pattern, (error as Error).message);
    }
    if (compiled.size >= 256) compiled.clear();
    compiled.set(pattern, re);
  }
  return re;
}

/** Whether index i falls between the two halves of a surrogate pair. */
function insidePair(s: string, i: number): boolean {
  if (i <= 0 || i >= s.length) return false;
  const low = s.charCodeAt(i);
  const high = s.charCodeAt(i - 1);
  return low >= 0xdc00 && low <= 0xdfff && high >= 0xd800 && high <= 0xdbff;
}

/** Go's FindAllStringSubmatch(s, -1): no empty match right after the previous match. */
function allMatches(re: RegExp, s: string, limit = -1): [number, number, RegExpExecArray][] {
  const out: [number, number, RegExpExecArray][] = [];
  let pos = 0;
  let prevEnd = -1;
  while (pos <= s.length && (limit < 0 || out.length < limit)) {
    re.lastIndex = pos;
    const m = re.exec(s);
    if (!m) break;
    const start = m.index;
    if (insidePair(s, start)) {
      // Not a position Go sees (it matches between runes): search on from the next code point.
      pos = start + 1;
      continue;
    }
    const end = start + m[0].length;
    let accept = true;
    if (end === pos) {
      if (start === prevEnd) accept = false;
      // On to the next code point (Go: the next rune).
      const code = s.codePointAt(pos);
      pos += code === undefined ? 1 : code > 0xffff ? 2 : 1;
    } else {
      pos = end;
    }
    prevEnd = end;
    if (accept) out.push([start, end, m]);
  }
  return out;
}

/** `regex.split(pattern, value)`: Go's `regexp.MustCompile(pattern).Split(value, -1)`. */
export function regexSplit(pattern: unknown, value: unknown): string[] {
  const source = stringOperand(pattern, 1);
  const s = stringOperand(value, 2);
  const re = regexpFor(source);
  if (source.length > 0 && s.length === 0) return [""];
  const out: string[] = [];
  let beg = 0;
  let end = 0;
  for (const [start, stop] of allMatches(re, s)) {
    end = start;
    if (stop !== 0) out.push(s.slice(beg, end));
    beg = stop;
  }
  if (end !== s.length) out.push(s.slice(beg));
  return out;
}

/** `regex.find_n(pattern, value, n)`: Go's `FindAllString(value, n)` (n < 0: every match). */
function regexFindN(pattern: unknown, value: unknown, n: unknown): string[] {
  const re = regexpFor(stringOperand(pattern, 1));
  const s = stringOperand(value, 2);
  const limit = intOperand(n, 3);
  if (limit === 0) return [];
  return allMatches(re, s, limit).map(([start, end]) => s.slice(start, end));
}

/** `regex.replace(value, pattern, replacement)`: Go's `ReplaceAllString`, with `$1`/`${name}` expansion. */
function regexReplace(value: unknown, pattern: unknown, replacement: unknown): string {
  const s = stringOperand(value, 1);
  const re = regexpFor(stringOperand(pattern, 2));
  const template = stringOperand(replacement, 3);
  let out = "";
  let last = 0;
  const names: (string | undefined)[] = [];
  if (template.includes("$")) translateRe2(stringOperand(pattern, 2), names);
  for (const [start, end, match] of allMatches(re, s)) {
    out += s.slice(last, start) + expand(template, match, names);
    last = end;
  }
  return out + s.slice(last);
}

/**
 * Go's Regexp.Expand: `$$` is `$`; `$name` takes the longest run of letters, digits and `_` (so
 * `$1x` names group "1x"); `${name}` is delimited; a number names a group by index, anything
 * else a named group; an unknown group is empty; a malformed `$` is kept as it is.
 */
function expand(template: string, match: RegExpExecArray, groupNames: readonly (string | undefined)[]): string {
  let out = "";
  let i = 0;
  while (i < template.length) {
    const dollar = template.indexOf("$", i);
    if (dollar < 0) {
      out += template.slice(i);
      break;
    }
    out += template.slice(i, dollar);
    i = dollar + 1;
    if (template[i] === "$") {
      out += "$";
      i++;
      continue;
    }
    let name: string | undefined;
    if (template[i] === "{") {
      const close = template.indexOf("}", i + 1);
      const inner = close < 0 ? "" : template.slice(i + 1, close);
      if (/^[A-Za-z0-9_]+$/.test(inner)) {
        name = inner;
        i = close + 1;
      }
    } else {
      const run = /^[A-Za-z0-9_]+/.exec(template.slice(i))?.[0];
      if (run) {
        name = run;
        i += run.length;
      }
    }
    if (name === undefined) {
      out += "$";
      continue;
    }
    if (/^\d+$/.test(name)) {
      const index = Number(name);
      out += index < match.length ? (match[index] ?? "") : "";
    } else {
      // Go's SubexpIndex: the first group of that name.
      const index = groupNames.indexOf(name);
      out += index >= 0 ? (match[index + 1] ?? "") : "";
    }
  }
  return out;
}

export const REGEX_BUILTINS = {
  "regex.split": regexSplit,
  "regex.find_n": regexFindN,
  "regex.replace": regexReplace,
};
