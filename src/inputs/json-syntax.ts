// Where JSON text breaks the grammar, told by line and column. V8's JSON.parse messages quote
// the text itself (`Unexpected token 'r', "root:$6$SE"... is not valid JSON`): a file a
// repository's config names outside the repository (a watcher registry pointed at a secret) would
// have its first bytes printed into the CI log and the reports. This scan names the place and the
// kind of problem, never the text.

const WHITESPACE = new Set([0x20, 0x09, 0x0a, 0x0d]);
const ESCAPES = new Set([..."\"\\/bfnrt"].map((c) => c.charCodeAt(0)));
const HEX = /^[0-9a-fA-F]{4}$/;
const NUMBER = /-?(?:0|[1-9][0-9]*)(?:\.[0-9]+)?(?:[eE][+-]?[0-9]+)?/y;
const LITERALS = ["true", "false", "null"];

/** The first offset at which `text` is not one JSON value (RFC 8259), and what was there; undefined for valid JSON. */
export function jsonSyntaxProblem(text: string): { offset: number; problem: string } | undefined {
  let at = 0;
  const skipWhitespace = () => {
    while (at < text.length && WHITESPACE.has(text.charCodeAt(at))) at++;
  };
  const unexpected = (what: string) => ({ offset: at, problem: `${at >= text.length ? "the text ended" : "unexpected character"} where ${what} was expected` });
  // Open containers, innermost last: true for an object.
  const open: boolean[] = [];
  for (;;) {
    // A value.
    skipWhitespace();
    const c = text.charCodeAt(at);
    if (c === 0x7b || c === 0x5b) {
      open.push(c === 0x7b);
      at++;
      skipWhitespace();
      const close = c === 0x7b ? 0x7d : 0x5d;
      if (text.charCodeAt(at) === close) {
        open.pop();
        at++;
      } else if (c === 0x7b) {
        const key = objectKey();
        if (key) return key;
        continue;
      } else continue;
    } else if (c === 0x22) {
      const bad = string();
      if (bad) return bad;
    } else if (c === 0x2d || (c >= 0x30 && c <= 0x39)) {
      NUMBER.lastIndex = at;
      const m = NUMBER.exec(text);
      if (!m || m[0] === "-") return unexpected("a digit");
      at += m[0].length;
      const next = text.charCodeAt(at);
      if (next === 0x2e || next === 0x65 || next === 0x45 || (next >= 0x30 && next <= 0x39)) return unexpected("the end of the number");
    } else {
      const literal = LITERALS.find((word) => text.startsWith(word, at));
      if (!literal) return unexpected("a value");
      at += literal.length;
    }
    // After a value: close containers, or a separator.
    for (;;) {
      skipWhitespace();
      if (open.length === 0) return at < text.length ? { offset: at, problem: "unexpected character after the value (one JSON value, nothing after it)" } : undefined;
      const inObject = open[open.length - 1]!;
      const next = text.charCodeAt(at);
      if (next === (inObject ? 0x7d : 0x5d)) {
        open.pop();
        at++;
        continue;
      }
      if (next !== 0x2c) return unexpected(inObject ? `"," or "}"` : `"," or "]"`);
      at++;
      if (inObject) {
        skipWhitespace();
        const key = objectKey();
        if (key) return key;
      }
      break;
    }
  }

  /** A key and its colon; `at` is left at the value. */
  function objectKey(): { offset: number; problem: string } | undefined {
    if (text.charCodeAt(at) !== 0x22) return unexpected("a key (a string)");
    const bad = string();
    if (bad) return bad;
    skipWhitespace();
    if (text.charCodeAt(at) !== 0x3a) return unexpected(`":"`);
    at++;
    return undefined;
  }

  /** A string from its opening quote at `at`; `at` is left after the closing quote. */
  function string(): { offset: number; problem: string } | undefined {
    at++;
    while (at < text.length) {
      const c = text.charCodeAt(at);
      if (c === 0x22) {
        at++;
        return undefined;
      }
      if (c < 0x20) return { offset: at, problem: "a control character inside a string (it must be escaped)" };
      if (c === 0x5c) {
        const e = text.charCodeAt(at + 1);
        if (e === 0x75) {
          if (!HEX.test(text.slice(at + 2, at + 6))) return { offset: at, problem: "a \\u escape without four hex digits" };
          at += 6;
          continue;
        }
        if (!ESCAPES.has(e)) return { offset: at, problem: at + 1 >= text.length ? "the text ended inside a string" : "an invalid escape in a string" };
        at += 2;
        continue;
      }
      at++;
    }
    return { offset: at, problem: "the text ended inside a string" };
  }
}

/** Line and column (1-based, in UTF-16 code units as editors count them) of an offset. */
export function lineAndColumn(text: string, offset: number): { line: number; column: number } {
  let line = 1;
  let lineStart = 0;
  for (let i = text.indexOf("\n"); i !== -1 && i < offset; i = text.indexOf("\n", i + 1)) {
    line++;
    lineStart = i + 1;
  }
  return { line, column: offset - lineStart + 1 };
}

/** The message of a JSON syntax error in `text` (which JSON.parse refused), without quoting the text. */
export function jsonSyntaxMessage(text: string): string {
  const found = jsonSyntaxProblem(text);
  if (!found) return "invalid JSON";
  const { line, column } = lineAndColumn(text, found.offset);
  return `invalid JSON at line ${line}, column ${column}: ${found.problem}`;
}
