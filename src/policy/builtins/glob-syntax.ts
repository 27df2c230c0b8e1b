// The syntax errors of glob.match's patterns, as topdown finds them (github.com/gobwas/glob v1.0.0,
// the version OPA 1.22.0 links: syntax/lexer.go and the parser in parse.go).
//
// Why: OPA's wasm runtime compiles glob.match patterns with its own C++ port of an older gobwas
// lexer and parser (wasm/src/glob-*.cc), which accepts patterns that topdown refuses: an unclosed
// `{` (`{a,b`), a trailing backslash (`a\`), `[]`, a multi-character delimiter (`["ab"]`).
// On those the native answered true or false where `opa eval --strict-builtin-errors` errs, so a
// deny rule guarding a malformed pattern (`not glob.match(p, [], name)`) could stay silent. The
// guard in native-guards.ts throws the error found here; on valid patterns the native's answer
// is topdown's (the suite in test/adversarial compares them).

/** The syntax error topdown reports for the pattern, or undefined for a pattern it compiles. */
export function globSyntaxError(pattern: string): string | undefined {
  const lexer = new GlobLexer(pattern);
  // The parser's operator stack: only the kinds matter here (the matchers are the native's).
  const operators: ("terms" | "list")[] = [];
  for (;;) {
    const token = lexer.next();
    switch (token.type) {
      case "eof":
        return operators.length !== 0 ? "unclosed `{`" : undefined;
      case "error":
        return token.data;
      case "single":
      case "text":
      case "any":
      case "super":
        break;
      case "range_open": {
        const error = parseRange(lexer);
        if (error !== undefined) return error;
        break;
      }
      case "terms_open":
        operators.push("terms", "list");
        break;
      case "separator": {
        if (operators.length === 0) return "unexpected `,`";
        if (operators[operators.length - 1] === "list") operators.pop();
        operators.push("list");
        break;
      }
      case "terms_close": {
        for (;;) {
          const top = operators.pop();
          if (top === undefined) return "unexpected `}`";
          if (top === "terms") break;
        }
        break;
      }
      default:
        return `unexpected token ${token.type}`;
    }
  }
}

function parseRange(lexer: GlobLexer): string | undefined {
  let lo = -1;
  let hi = -1;
  let chars = false;
  for (;;) {
    const token = lexer.next();
    switch (token.type) {
      case "eof":
        return "unclosed `[`";
      case "error":
        return token.data;
      case "range_lo":
        lo = token.data.codePointAt(0)!;
        break;
      case "range_hi":
        hi = token.data.codePointAt(0)!;
        if (hi < lo) return "range hi character is less than lo";
        break;
      case "text":
        chars = true;
        break;
      case "range_close":
        if (chars === (lo >= 0 && hi >= 0)) return "could not parse range";
        return undefined;
      default:
        // not, range_between: nothing to check
        break;
    }
  }
}

type TokenType =
  | "eof"
  | "error"
  | "text"
  | "any"
  | "super"
  | "single"
  | "not"
  | "separator"
  | "range_open"
  | "range_close"
  | "range_lo"
  | "range_hi"
  | "range_between"
  | "terms_open"
  | "terms_close";

interface Token {
  type: TokenType;
  data: string;
}

const EOF = -1;
const ANY = 0x2a; // *
const COMMA = 0x2c; // ,
const SINGLE = 0x3f; // ?
const ESCAPE = 0x5c; // backslash
const RANGE_OPEN = 0x5b; // [
const RANGE_CLOSE = 0x5d; // ]
const TERMS_OPEN = 0x7b; // {
const TERMS_CLOSE = 0x7d; // }
const RANGE_NOT = 0x21; // !
const RANGE_BETWEEN = 0x2d; // -

const IN_TEXT_BREAKERS = [SINGLE, ANY, RANGE_OPEN, TERMS_OPEN];
const IN_TERMS_BREAKERS = [...IN_TEXT_BREAKERS, TERMS_CLOSE, COMMA];

/** gobwas/glob v1.0.0's syntax.Lexer, over code points (a JavaScript string is valid text). */
class GlobLexer {
  private readonly runes: number[];
  private pos = 0;
  private error: string | undefined;
  private readonly tokens: Token[] = [];
  private termsLevel = 0;
  private lastRune = EOF;
  private lastRuneSize = 0;
  private hasRune = false;

  constructor(source: string) {
    this.runes = Array.from(source, (ch) => ch.codePointAt(0)!);
  }

  next(): Token {
    for (;;) {
      if (this.error !== undefined) return { type: "error", data: this.error };
      const token = this.tokens.shift();
      if (token) return token;
      this.fetchItem();
    }
  }

  private peek(): [number, number] {
    return this.pos === this.runes.length ? [EOF, 0] : [this.runes[this.pos]!, 1];
  }

  private read(): number {
    if (this.hasRune) {
      this.hasRune = false;
      this.pos += this.lastRuneSize;
      return this.lastRune;
    }
    const [r, size] = this.peek();
    this.pos += size;
    this.lastRune = r;
    this.lastRuneSize = size;
    return r;
  }

  private unread(): void {
    if (this.hasRune) {
      this.error = "could not unread rune";
      return;
    }
    this.pos -= this.lastRuneSize;
    this.hasRune = true;
  }

  private push(type: TokenType, data: string): void {
    this.tokens.push({ type, data });
  }

  private fetchItem(): void {
    const r = this.read();
    if (r === EOF) this.push("eof", "");
    else if (r === TERMS_OPEN) {
      this.termsLevel++;
      this.push("terms_open", "{");
    } else if (r === COMMA && this.termsLevel > 0) this.push("separator", ",");
    else if (r === TERMS_CLOSE && this.termsLevel > 0) {
      this.push("terms_close", "}");
      this.termsLevel--;
    } else if (r === RANGE_OPEN) {
      this.push("range_open", "[");
      this.fetchRange();
    } else if (r === SINGLE) this.push("single", "?");
    else if (r === ANY) {
      if (this.read() === ANY) this.push("super", "**");
      else {
        this.unread();
        this.push("any", "*");
      }
    } else {
      this.unread();
      this.fetchText(this.termsLevel > 0 ? IN_TERMS_BREAKERS : IN_TEXT_BREAKERS);
    }
  }

  private fetchRange(): void {
    let wantHi = false;
    let wantClose = false;
    let seenNot = false;
    for (;;) {
      const r = this.read();
      if (r === EOF) {
        this.error = "unexpected end of input";
        return;
      }
      if (wantClose) {
        if (r !== RANGE_CLOSE) this.error = "expected close range character";
        else this.push("range_close", "]");
        return;
      }
      if (wantHi) {
        this.push("range_hi", String.fromCodePoint(r));
        wantClose = true;
        continue;
      }
      if (!seenNot && r === RANGE_NOT) {
        this.push("not", "!");
        seenNot = true;
        continue;
      }
      const [n, width] = this.peek();
      if (n === RANGE_BETWEEN) {
        this.pos += width;
        this.push("range_lo", String.fromCodePoint(r));
        this.push("range_between", "-");
        wantHi = true;
        continue;
      }
      this.unread();
      this.fetchText([RANGE_CLOSE]);
      wantClose = true;
    }
  }

  private fetchText(breakers: number[]): void {
    let length = 0;
    let escaped = false;
    for (;;) {
      const r = this.read();
      if (r === EOF) {
        if (escaped) this.error = "trailing backslash";
        break;
      }
      if (!escaped) {
        if (r === ESCAPE) {
          escaped = true;
          continue;
        }
        if (breakers.includes(r)) {
          this.unread();
          break;
        }
      }
      escaped = false;
      length++;
    }
    // The text itself is the native's to match; only that there is one matters to the syntax.
    if (length > 0) this.push("text", "");
  }
}
