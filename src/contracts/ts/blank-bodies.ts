// Syntax mode reads nothing inside a function body: contracts are signatures, members and types.
// In `.ts` sources the bodies are most of the parse (their expressions), so before parsing a
// pass finds the bodies (the compiler's scanner between them, characters inside them) and
// replaces what is between their braces with spaces (line feeds kept: every offset, and every
// line, stays where it was), and the blanked text is parsed instead.
//
// The pass only guesses; the parse of the blanked text decides. It is used only when it has no
// syntax error and every blanked range is exactly the inside of a function body (a function,
// method, constructor, accessor or arrow function) that is not printed into a contract (not in a
// parameter, an enum member or a computed name); otherwise the original text is parsed. The pass
// gives up on a file where a `/` may be a regular expression or a division (what a body holds
// could then be misread), and on `import.meta` in a body (it makes a file a module).

import ts from "typescript";

/** The blanked text, and the bodies blanked (their insides, between the braces, are spaces). */
export interface BlankedText {
  text: string;
  /** `{` offset → `}` offset of each blanked body */
  bodies: Map<number, number>;
}

const scanner = ts.createScanner(ts.ScriptTarget.Latest, true, ts.LanguageVariant.Standard);

const K = ts.SyntaxKind;

/** After these a `/` starts a regular expression. */
function regexAfter(kind: ts.SyntaxKind): boolean {
  if (kind >= K.FirstPunctuation && kind <= K.LastPunctuation) return kind !== K.CloseParenToken && kind !== K.CloseBracketToken && kind !== K.CloseBraceToken && kind !== K.PlusPlusToken && kind !== K.MinusMinusToken && kind !== K.GreaterThanToken;
  return kind === K.ReturnKeyword || kind === K.TypeOfKeyword || kind === K.CaseKeyword || kind === K.DoKeyword || kind === K.ElseKeyword || kind === K.InKeyword || kind === K.InstanceOfKeyword || kind === K.NewKeyword || kind === K.DeleteKeyword || kind === K.VoidKeyword || kind === K.ThrowKeyword || kind === K.YieldKeyword || kind === K.AwaitKeyword || kind === K.Unknown;
}

/** After these a `/` is a division. */
function divisionAfter(kind: ts.SyntaxKind): boolean {
  return kind === K.Identifier || kind === K.NumericLiteral || kind === K.BigIntLiteral || kind === K.StringLiteral || kind === K.CloseBracketToken || kind === K.ThisKeyword || kind === K.SuperKeyword || kind === K.TrueKeyword || kind === K.FalseKeyword || kind === K.NullKeyword || kind === K.NoSubstitutionTemplateLiteral || kind === K.TemplateTail || kind === K.RegularExpressionLiteral || kind === K.PrivateIdentifier;
}

const CONTROL = new Set([K.IfKeyword, K.ForKeyword, K.WhileKeyword, K.SwitchKeyword, K.CatchKeyword, K.WithKeyword]);

/** Tokens after which a `{` in a type starts a type literal (not the body after a return type). */
function typeContinues(kind: ts.SyntaxKind): boolean {
  return kind === K.ColonToken || kind === K.BarToken || kind === K.AmpersandToken || kind === K.LessThanToken || kind === K.CommaToken || kind === K.OpenParenToken || kind === K.OpenBracketToken || kind === K.EqualsGreaterThanToken || kind === K.QuestionToken || kind === K.KeyOfKeyword || kind === K.TypeOfKeyword || kind === K.ReadonlyKeyword || kind === K.InferKeyword || kind === K.ExtendsKeyword || kind === K.IsKeyword || kind === K.NewKeyword || kind === K.EqualsToken;
}

class GiveUp extends Error {}

/** The text with its function bodies blanked, or undefined when none was found or the pass gave up. */
export function blankFunctionBodies(text: string): BlankedText | undefined {
  try {
    const bodies = findBodies(text);
    if (bodies.size === 0) return undefined;
    const chars: string[] = [];
    let from = 0;
    for (const [open, close] of bodies) {
      chars.push(text.slice(from, open + 1));
      // Spaces, the body's line feeds (and the `\r` of a `\r\n`) kept.
      for (let at = open + 1; at < close; ) {
        const lf = text.indexOf("\n", at);
        const end = lf < 0 || lf >= close ? close : lf;
        const cr = end > at && text.charCodeAt(end - 1) === 13 ? 1 : 0;
        chars.push(" ".repeat(end - at - cr), cr ? "\r" : "", end < close ? "\n" : "");
        at = end + 1;
      }
      from = close;
    }
    chars.push(text.slice(from));
    return { text: chars.join(""), bodies };
  } catch (error) {
    if (error instanceof GiveUp) return undefined;
    throw error;
  } finally {
    scanner.setText(undefined);
  }
}

function findBodies(text: string): Map<number, number> {
  scanner.setText(text);
  const bodies = new Map<number, number>();
  // Open brackets outside bodies: "(" "[" "{" or "${" (a template substitution).
  const open: string[] = [];
  const parenIsControl: boolean[] = [];
  let grouping = 0; // open ( and [
  let prev: ts.SyntaxKind = K.Unknown;
  let closedControlParen = false;
  let classBodyAt = -1; // grouping depth of a `class` waiting for its body
  let typeDepth = -1; // in a return type annotation: brackets open in it; -1 outside one
  for (;;) {
    let kind = next(prev, closedControlParen);
    if (kind === K.EndOfFileToken) break;
    if (kind === K.CloseBraceToken && open[open.length - 1] === "${") {
      kind = templateContinues(open);
      prev = kind;
      continue;
    }
    if (kind === K.TemplateHead) open.push("${");
    if (typeDepth >= 0) {
      // A return type annotation: brackets in it are the type's; it ends at the body's `{`,
      // at `;` `=` `,` `=>` (an arrow's body next), or at a bracket it did not open.
      if (kind === K.OpenParenToken || kind === K.OpenBracketToken || kind === K.LessThanToken) typeDepth++;
      else if (kind === K.CloseParenToken || kind === K.CloseBracketToken || kind === K.GreaterThanToken || kind === K.CloseBraceToken) typeDepth = typeDepth > 0 ? typeDepth - 1 : -1;
      else if (kind === K.OpenBraceToken) {
        if (typeDepth > 0 || typeContinues(prev)) typeDepth++;
        else {
          typeDepth = -1;
          if (grouping === 0) {
              skipToClose(bodies);
            prev = K.CloseBraceToken;
            continue;
          }
        }
      } else if (typeDepth === 0 && (kind === K.SemicolonToken || kind === K.EqualsToken || kind === K.CommaToken || (kind === K.EqualsGreaterThanToken && prev !== K.CloseParenToken))) typeDepth = -1;
      if (typeDepth >= 0) {
        prev = kind;
        continue;
      }
    }
    switch (kind) {
      case K.OpenParenToken:
        open.push("(");
        parenIsControl.push(CONTROL.has(prev));
        grouping++;
        break;
      case K.OpenBracketToken:
        open.push("[");
        grouping++;
        break;
      case K.CloseParenToken:
        if (open.pop() !== "(") throw new GiveUp();
        closedControlParen = parenIsControl.pop() ?? false;
        grouping--;
        break;
      case K.CloseBracketToken:
        if (open.pop() !== "[") throw new GiveUp();
        grouping--;
        break;
      case K.ClassKeyword:
        if (prev !== K.DotToken) classBodyAt = grouping;
        break;
      case K.ColonToken:
        if (prev === K.CloseParenToken && !closedControlParen) typeDepth = 0;
        break;
      case K.OpenBraceToken:
        if (classBodyAt === grouping) classBodyAt = -1;
        else if (grouping === 0 && (prev === K.EqualsGreaterThanToken || (prev === K.CloseParenToken && !closedControlParen))) {
          skipToClose(bodies);
          prev = K.CloseBraceToken;
          continue;
        }
        open.push("{");
        break;
      case K.CloseBraceToken:
        if (open.pop() !== "{") throw new GiveUp();
        break;
    }
    prev = kind;
  }
  if (open.length > 0) throw new GiveUp();
  return bodies;
}

/**
 * The next token, a `/` read as a regular expression or a division by what came before (after a
 * `)`, by whether it closed `if (…)`, `while (…)` and the like).
 */
function next(prev: ts.SyntaxKind, afterControlParen: boolean): ts.SyntaxKind {
  const kind = scanner.scan();
  if (kind !== K.SlashToken && kind !== K.SlashEqualsToken) return kind;
  if (prev === K.CloseParenToken) return afterControlParen ? scanner.reScanSlashToken() : kind;
  if (prev === K.AwaitKeyword || prev === K.YieldKeyword) return scanner.reScanSlashToken();
  if (prev === K.OfKeyword) throw new GiveUp();
  // Other contextual and future reserved words are names here (`x.type / 2`).
  if (divisionAfter(prev) || (prev >= K.FirstFutureReservedWord && prev <= K.LastKeyword)) return kind;
  if (regexAfter(prev)) return scanner.reScanSlashToken();
  throw new GiveUp();
}

/** At the `}` that ends a template substitution: the template's text up to the next one or its end. */
function templateContinues(open: string[]): ts.SyntaxKind {
  const kind = scanner.reScanTemplateToken(false);
  if (kind === K.TemplateTail) open.pop();
  else if (kind !== K.TemplateMiddle) throw new GiveUp();
  return kind;
}

/** At a body's `{`: records the body and moves the scanner past its `}`. */
function skipToClose(bodies: Map<number, number>): void {
  const open = scanner.getTokenStart();
  const close = skipBody(scanner.getText(), open);
  bodies.set(open, close);
  scanner.resetTokenState(close + 1);
}

/** Words after which a `/` starts a regular expression. */
const REGEX_AFTER_WORD = new Set(["return", "typeof", "case", "do", "else", "in", "instanceof", "new", "delete", "void", "throw", "yield", "await"]);
const CONTROL_WORD = new Set(["if", "for", "while", "switch", "catch", "with"]);

// What the last token lets a `/` be: a regular expression, a division, or unknown (give up).
const OPERATOR = 0;
const VALUE = 1;
const UNKNOWN = 2;

/**
 * From a body's `{`: the offset of its `}`, read character by character (the compiler's scanner
 * costs as much as the parse saved): strings, template literals, comments and regular
 * expressions are skipped so that their braces do not count.
 */
function skipBody(text: string, from: number): number {
  const length = text.length;
  // Open `{` (0) and template substitutions (1); open `(`: whether `if (…)` and the like.
  const open: number[] = [0];
  const parens: boolean[] = [];
  let last = OPERATOR;
  let word = "";
  let i = from + 1;
  while (i < length) {
    const c = text.charCodeAt(i);
    if (c === 32 || c === 9 || c === 10 || c === 13) {
      i++;
      continue;
    }
    const previousWord = word;
    word = "";
    if (c === 47 /* / */) {
      const n = text.charCodeAt(i + 1);
      if (n === 47) {
        while (i < length && !isLineBreak(text.charCodeAt(i))) i++;
        word = previousWord;
      } else if (n === 42) {
        const end = text.indexOf("*/", i + 2);
        if (end < 0) throw new GiveUp();
        i = end + 2;
        word = previousWord;
      } else if (last === VALUE) {
        i++;
        last = OPERATOR;
      } else if (last === OPERATOR) {
        i = skipRegex(text, i);
        last = VALUE;
      } else throw new GiveUp();
      continue;
    }
    if (c === 34 || c === 39) {
      i = skipString(text, i, c);
      last = VALUE;
    } else if (c === 96) {
      i = skipTemplate(text, i + 1, open);
      last = open[open.length - 1] === 1 ? OPERATOR : VALUE;
    } else if (c === 123) {
      open.push(0);
      i++;
      last = OPERATOR;
    } else if (c === 125) {
      if (open.pop() === 1) {
        i = skipTemplate(text, i + 1, open);
        last = open[open.length - 1] === 1 ? OPERATOR : VALUE;
      } else {
        if (open.length === 0) return i;
        i++;
        // A block or an object literal: a `/` after it could be either.
        last = UNKNOWN;
      }
    } else if (c === 40) {
      parens.push(CONTROL_WORD.has(previousWord));
      i++;
      last = OPERATOR;
    } else if (c === 41) {
      last = parens.pop() ? OPERATOR : VALUE;
      i++;
    } else if (c === 93) {
      last = VALUE;
      i++;
    } else if ((c >= 97 && c <= 122) || (c >= 65 && c <= 90) || c === 95 || c === 36 || c === 35) {
      const start = i;
      i++;
      while (i < length && isWordPart(text.charCodeAt(i))) i++;
      word = text.slice(start, i);
      const afterDot = start > 0 && text.charCodeAt(start - 1) === 46;
      // `import.meta` makes the file a module (the parse must see it); `import(…)` does not.
      if (word === "import" && !afterDot && text.charCodeAt(nextNonSpace(text, i)) !== 40) throw new GiveUp();
      last = afterDot ? VALUE : REGEX_AFTER_WORD.has(word) ? OPERATOR : word === "of" ? UNKNOWN : VALUE;
    } else if (c >= 48 && c <= 57) {
      i++;
      while (i < length && (isWordPart(text.charCodeAt(i)) || text.charCodeAt(i) === 46)) i++;
      last = VALUE;
    } else if ((c === 43 || c === 45) && text.charCodeAt(i + 1) === c) {
      i += 2;
      last = UNKNOWN;
    } else if (c > 127 || c === 92) {
      // Non-ASCII names and spaces, unicode escapes: not worth reading here.
      throw new GiveUp();
    } else {
      i++;
      last = OPERATOR;
    }
  }
  throw new GiveUp();
}

const isWordPart = (c: number) => (c >= 97 && c <= 122) || (c >= 65 && c <= 90) || (c >= 48 && c <= 57) || c === 95 || c === 36;
const isLineBreak = (c: number) => c === 10 || c === 13 || c === 0x2028 || c === 0x2029;

function nextNonSpace(text: string, i: number): number {
  while (text.charCodeAt(i) === 32 || text.charCodeAt(i) === 9) i++;
  return i;
}

/** From a quote: past the closing one. */
function skipString(text: string, i: number, quote: number): number {
  for (i++; i < text.length; i++) {
    const c = text.charCodeAt(i);
    if (c === quote) return i + 1;
    if (c === 92) i++;
    else if (c === 10 || c === 13) throw new GiveUp();
  }
  throw new GiveUp();
}

/** Inside a template's text: past its closing backquote, or past a `${` (then pushed on `open`). */
function skipTemplate(text: string, i: number, open: number[]): number {
  for (; i < text.length; i++) {
    const c = text.charCodeAt(i);
    if (c === 96) return i + 1;
    if (c === 92) i++;
    else if (c === 36 && text.charCodeAt(i + 1) === 123) {
      open.push(1);
      return i + 2;
    }
  }
  throw new GiveUp();
}

/** From a `/` that starts a regular expression: past its flags. */
function skipRegex(text: string, i: number): number {
  let inClass = false;
  for (i++; i < text.length; i++) {
    const c = text.charCodeAt(i);
    if (isLineBreak(c)) throw new GiveUp();
    if (c === 92) i++;
    else if (c === 91) inClass = true;
    else if (c === 93) inClass = false;
    else if (c === 47 && !inClass) {
      i++;
      while (i < text.length && isWordPart(text.charCodeAt(i))) i++;
      return i;
    }
  }
  throw new GiveUp();
}

/**
 * Whether the parse of a blanked text is the original's outside the bodies: no syntax error,
 * and each blanked range is the inside of a function body whose text no contract prints.
 */
export function blankedParseHolds(source: ts.SourceFile, bodies: Map<number, number>): boolean {
  if ((source as unknown as { parseDiagnostics: readonly ts.Diagnostic[] }).parseDiagnostics.length > 0) return false;
  let matched = 0;
  const visit = (node: ts.Node, printed: boolean): boolean => {
    // Types hold no function bodies: most of what is left of a blanked source.
    if (node.kind >= K.FirstTypeNode && node.kind <= K.LastTypeNode) return false;
    if (ts.isParameter(node) || ts.isEnumMember(node) || ts.isComputedPropertyName(node)) printed = true;
    const body = (node as { body?: ts.Node }).body;
    if (body && ts.isBlock(body) && isFunctionWithBody(node) && bodies.get(body.getStart(source)) === body.end - 1) {
      if (printed) return true;
      matched++;
      return false;
    }
    return ts.forEachChild(node, (child) => (visit(child, printed) ? true : undefined)) ?? false;
  };
  if (visit(source, false)) return false;
  return matched === bodies.size;
}

function isFunctionWithBody(node: ts.Node): boolean {
  return ts.isFunctionDeclaration(node) || ts.isMethodDeclaration(node) || ts.isConstructorDeclaration(node) || ts.isGetAccessorDeclaration(node) || ts.isSetAccessorDeclaration(node) || ts.isFunctionExpression(node) || ts.isArrowFunction(node);
}
