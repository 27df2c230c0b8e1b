// Markdown headings as CommonMark sees them: ATX (`## Title`, up to three spaces of indent,
// optional closing #s) and setext (a paragraph line underlined with === or ---). Lines inside
// fenced code blocks (``` or ~~~), indented code, HTML blocks (an HTML comment, `<pre>`, `<div>`
// ..., CommonMark's seven kinds) and YAML front matter are never headings: a `<!-- ## Rollback -->`
// left from a template renders as nothing and satisfies no required heading.

export interface Heading {
  level: number;
  text: string;
  line: number;
}

const ATX = /^ {0,3}(#{1,6})(?:[ \t]+(.*?))?[ \t]*$/;
const FENCE_OPEN = /^ {0,3}(`{3,}|~{3,})(.*)$/;
const SETEXT = /^ {0,3}(=+|-+)[ \t]*$/;
const THEMATIC_OR_LIST = /^ {0,3}([-*+]|\d{1,9}[.)])([ \t]|$)|^ {0,3}>/;

const HTML_BLOCK_TAGS =
  "address|article|aside|base|basefont|blockquote|body|caption|center|col|colgroup|dd|details|dialog|dir|div|dl|dt|fieldset|figcaption|figure|footer|form|frame|frameset|h1|h2|h3|h4|h5|h6|head|header|hr|html|iframe|legend|li|link|main|menu|menuitem|nav|noframes|ol|optgroup|option|p|param|search|section|summary|table|tbody|td|tfoot|th|thead|title|tr|track|ul";
/** CommonMark's HTML block starts (kinds 1 to 6, which may interrupt a paragraph), with what ends each: a marker, or a blank line. */
const HTML_STARTS: { start: RegExp; end: RegExp | "blank" }[] = [
  { start: /^ {0,3}<(?:script|pre|style|textarea)(?:\s|>|$)/i, end: /<\/(?:script|pre|style|textarea)>/i },
  { start: /^ {0,3}<!--/, end: /-->/ },
  { start: /^ {0,3}<\?/, end: /\?>/ },
  { start: /^ {0,3}<![A-Za-z]/, end: />/ },
  { start: /^ {0,3}<!\[CDATA\[/, end: /\]\]>/ },
  { start: new RegExp(`^ {0,3}</?(?:${HTML_BLOCK_TAGS})(?:\\s|/?>|$)`, "i"), end: "blank" },
];
/** Kind 7: a lone complete open or closing tag (not inside a paragraph), to a blank line. */
const HTML_LONE_TAG = /^ {0,3}(?:<[A-Za-z][A-Za-z0-9-]*(?:\s+[A-Za-z_:][\w.:-]*(?:\s*=\s*(?:"[^"]*"|'[^']*'|[^\s"'=<>`]+))?)*\s*\/?>|<\/[A-Za-z][A-Za-z0-9-]*\s*>)\s*$/;

export function markdownHeadings(text: string): Heading[] {
  const lines = text.replace(/\r\n?/g, "\n").split("\n");
  const headings: Heading[] = [];
  let start = 0;
  if (lines[0] === "---") {
    const end = lines.indexOf("---", 1);
    const endAlt = lines.indexOf("...", 1);
    const close = [end, endAlt].filter((i) => i > 0).sort((a, b) => a - b)[0];
    if (close !== undefined) start = close + 1;
  }
  let fence: { char: string; length: number } | undefined;
  let html: RegExp | "blank" | undefined;
  // The previous line, when it could be the text of a setext heading (a paragraph line).
  let paragraph: { text: string; line: number } | undefined;
  for (let i = start; i < lines.length; i++) {
    const line = lines[i]!;
    if (fence) {
      const close = /^ {0,3}(`{3,}|~{3,})[ \t]*$/.exec(line);
      if (close && close[1]![0] === fence.char && close[1]!.length >= fence.length) fence = undefined;
      continue;
    }
    if (html) {
      if (html === "blank" ? line.trim() === "" : html.test(line)) html = undefined;
      continue;
    }
    const block = HTML_STARTS.find((h) => h.start.test(line)) ?? (!paragraph && HTML_LONE_TAG.test(line) ? { start: HTML_LONE_TAG, end: "blank" as const } : undefined);
    if (block) {
      // A block that ends on its first line (`<!-- x -->`) leaves nothing open.
      const rest = line.replace(/^ {0,3}/, "").slice(1);
      if (block.end === "blank" || !block.end.test(rest)) html = block.end;
      paragraph = undefined;
      continue;
    }
    const open = FENCE_OPEN.exec(line);
    if (open && !(open[1]![0] === "`" && open[2]!.includes("`"))) {
      fence = { char: open[1]![0]!, length: open[1]!.length };
      paragraph = undefined;
      continue;
    }
    const atx = ATX.exec(line);
    if (atx) {
      const body = (atx[2] ?? "").replace(/(^|[ \t]+)#+$/, "").trim();
      headings.push({ level: atx[1]!.length, text: body, line: i + 1 });
      paragraph = undefined;
      continue;
    }
    const underline = SETEXT.exec(line);
    if (underline && paragraph) {
      headings.push({ level: underline[1]![0] === "=" ? 1 : 2, text: paragraph.text, line: paragraph.line });
      paragraph = undefined;
      continue;
    }
    if (line.trim() === "" || (/^(?: {4}|\t)/.test(line) && !paragraph)) {
      // Blank lines end a paragraph; an indented line outside a paragraph is code.
      paragraph = undefined;
      continue;
    }
    if (paragraph) {
      paragraph.text = `${paragraph.text} ${line.trim()}`; // a continuation line of the paragraph
      continue;
    }
    paragraph = THEMATIC_OR_LIST.test(line) ? undefined : { text: line.trim(), line: i + 1 };
  }
  return headings;
}

/** Heading text compared case-insensitively, whitespace collapsed, a trailing colon ignored. */
export function normalizeHeading(text: string): string {
  return text.trim().replace(/\s+/g, " ").replace(/:$/, "").toLowerCase();
}
