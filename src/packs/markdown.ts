// Markdown headings as CommonMark sees them: ATX (`## Title`, up to three spaces of indent,
// optional closing #s) and setext (a paragraph line underlined with === or ---). Lines inside
// fenced code blocks (``` or ~~~), indented code and YAML front matter are never headings.

export interface Heading {
  level: number;
  text: string;
  line: number;
}

const ATX = /^ {0,3}(#{1,6})(?:[ \t]+(.*?))?[ \t]*$/;
const FENCE_OPEN = /^ {0,3}(`{3,}|~{3,})(.*)$/;
const SETEXT = /^ {0,3}(=+|-+)[ \t]*$/;
const THEMATIC_OR_LIST = /^ {0,3}([-*+]|\d{1,9}[.)])([ \t]|$)|^ {0,3}>/;

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
  // The previous line, when it could be the text of a setext heading (a paragraph line).
  let paragraph: { text: string; line: number } | undefined;
  for (let i = start; i < lines.length; i++) {
    const line = lines[i]!;
    if (fence) {
      const close = /^ {0,3}(`{3,}|~{3,})[ \t]*$/.exec(line);
      if (close && close[1]![0] === fence.char && close[1]!.length >= fence.length) fence = undefined;
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
