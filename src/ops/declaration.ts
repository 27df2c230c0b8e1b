// Operation declarations: a YAML file, or a Markdown file whose YAML front matter (between the
// first two `---` lines) holds the fields. The document is returned as parsed; validation against
// ops-declaration.v1 happens in the gate pipeline, so a missing field denies (schema/invalid).

import { ConfigError } from "../core/errors.js";
import { readUntrustedText, UntrustedFileError } from "../core/read.js";
import { InputParseError, parseDocument } from "../inputs/parse.js";

const MAX_DECLARATION_BYTES = 1024 * 1024;

export function isMarkdown(file: string): boolean {
  return /\.(md|markdown)$/i.test(file);
}

/** The front matter of a Markdown text, or undefined when it has none. */
export function frontMatter(text: string): string | undefined {
  const match = /^\uFEFF?---[ \t]*\r?\n([\s\S]*?)\r?\n---[ \t]*(?:\r?\n|$)/.exec(text);
  return match ? match[1] : undefined;
}

/** `NOT ALLOWED` and `not_allowed` spellings become the schema's `NOT_ALLOWED` (top level only). */
function normaliseKeys(value: unknown): unknown {
  if (value === null || typeof value !== "object" || Array.isArray(value)) return value;
  const out: Record<string, unknown> = {};
  for (const [key, item] of Object.entries(value)) {
    const name = key.trim().replace(/[\s-]+/g, "_").toUpperCase();
    if (Object.hasOwn(out, name)) throw new InputParseError(`field ${name} is given twice (as ${JSON.stringify(key)})`);
    out[name] = item;
  }
  return out;
}

export function loadDeclaration(file: string): unknown {
  let text: string;
  try {
    text = readUntrustedText(file, { maxBytes: MAX_DECLARATION_BYTES });
  } catch (error) {
    if (error instanceof UntrustedFileError && error.problem === "too-large") throw new ConfigError(`declaration is over ${MAX_DECLARATION_BYTES} bytes`, file);
    throw new ConfigError(`cannot read declaration: ${(error as NodeJS.ErrnoException).code ?? (error as Error).message}`, file);
  }
  let yaml = text;
  if (isMarkdown(file)) {
    const matter = frontMatter(text);
    // No front matter means no fields: the schema then denies every missing one.
    if (matter === undefined) return {};
    yaml = matter;
  }
  try {
    return normaliseKeys(parseDocument(yaml, "yaml") ?? {});
  } catch (error) {
    if (error instanceof InputParseError) throw new ConfigError(`declaration is not valid YAML: ${error.message}`, file);
    throw error;
  }
}

/** Headings of a Markdown report, upper-cased, without trailing `#`s or a colon. */
export function markdownHeadings(text: string): string[] {
  const headings: string[] = [];
  let fenced = false;
  for (const line of text.split(/\r?\n/)) {
    if (/^\s*(```|~~~)/.test(line)) fenced = !fenced;
    if (fenced) continue;
    const match = /^\s{0,3}#{1,6}\s+(.*?)\s*#*\s*$/.exec(line);
    if (match) headings.push(match[1]!.replace(/[:.]\s*$/, "").replace(/\s+/g, " ").trim().toUpperCase());
  }
  return headings;
}
