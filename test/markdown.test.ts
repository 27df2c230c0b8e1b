import { test } from "uvu";
import * as assert from "uvu/assert";
import { markdownHeadings, normalizeHeading } from "../src/packs/markdown.js";

const texts = (md: string) => markdownHeadings(md).map((h) => `${h.level}:${h.text}`);

test("ATX headings: levels, closing hashes, up to three spaces of indent", () => {
  assert.equal(texts("# One\n## Two ##\n   ### Three\n#### Four #not-closing\n####### seven is text\n#no-space\n"), [
    "1:One",
    "2:Two",
    "3:Three",
    "4:Four #not-closing",
  ]);
});

test("setext headings, including a paragraph over two lines", () => {
  assert.equal(texts("Rollback\n========\n\nVerification\n---\n\nDefinition\nof Done\n--------\n"), ["1:Rollback", "2:Verification", "2:Definition of Done"]);
});

test("fenced and indented code, front matter and list items are not headings", () => {
  const md = [
    "---",
    "title: x",
    "---",
    "```md",
    "# Rollback",
    "```",
    "~~~~",
    "## Verification",
    "```",
    "still code",
    "~~~~",
    "    # indented code",
    "",
    "- item",
    "---",
    "## Real",
  ].join("\n");
  assert.equal(texts(md), ["2:Real"]);
});

test("an unclosed fence hides the rest of the document", () => {
  assert.equal(texts("# Before\n```\n# Inside\n"), ["1:Before"]);
});

test("heading comparison ignores case, spacing and a trailing colon", () => {
  assert.is(normalizeHeading("  Definition   of DONE: "), "definition of done");
});

test.run();
