// Doc-tag convention shared by JSDoc and Python docstrings (docs/contracts.md):
//   @sideEffect <kind> [qualifier ...]   e.g. `@sideEffect external-send draft-only`
//   @throws <Error> [description]        (`@raises` is accepted in docstrings)
//   @stable | @experimental | @deprecated [Use] <replacement>
//   @owner <name>
//   @evidence <field>                    the return value carries evidence links in <field>
//   @since <version>

import type { Stability } from "./model.js";

export interface DocTags {
  sideEffects: string[];
  errors: string[];
  stability?: { level: Stability; replacement?: string };
  owners: string[];
  evidence: string[];
  since?: string;
}

export function emptyTags(): DocTags {
  return { sideEffects: [], errors: [], owners: [], evidence: [] };
}

/** Apply one tag (name without `@`, raw value text) to the collected tags. */
export function applyTag(tags: DocTags, name: string, value: string): void {
  const text = value.replace(/\s+/g, " ").trim();
  const words = text.split(" ").filter(Boolean);
  switch (name) {
    case "sideEffect":
    case "sideeffect":
    case "side-effect":
      if (words.length > 0) tags.sideEffects.push(words.join(" "));
      break;
    case "throws":
    case "raises":
    case "exception": {
      // `{TypeError} when ...` (JSDoc) or `ValueError when ...`: the error is the first word.
      const error = words[0]?.replace(/^\{(.*)\}$/, "$1");
      if (error) tags.errors.push(error);
      break;
    }
    case "stable":
    case "experimental":
      tags.stability = { level: name };
      break;
    case "deprecated": {
      const first = words[0]?.toLowerCase() === "use" ? words[1] : words[0];
      const replacement = first?.replace(/[.,;:()`]+$/g, "").replace(/^`/, "");
      tags.stability = replacement ? { level: "deprecated", replacement } : { level: "deprecated" };
      break;
    }
    case "owner":
      if (words[0]) tags.owners.push(words[0]);
      break;
    case "evidence":
      if (words[0]) tags.evidence.push(words[0]);
      break;
    case "since":
      if (words[0]) tags.since = words[0];
      break;
    default:
      break;
  }
}

/** Tags in a Python docstring: lines whose first word is `@tag` (continuation lines are not read). */
export function parseDocstringTags(doc: string): DocTags {
  const tags = emptyTags();
  for (const line of doc.split(/\r?\n/)) {
    const match = /^\s*@([A-Za-z-]+)\b(.*)$/.exec(line);
    if (match) applyTag(tags, match[1]!, match[2] ?? "");
    const raises = /^\s*:raises\s+([\w.]+)\s*:/.exec(line);
    if (raises) tags.errors.push(raises[1]!);
  }
  return finishTags(tags);
}

/** Deterministic order, no duplicates. */
export function finishTags(tags: DocTags): DocTags {
  const uniq = (xs: string[]) => [...new Set(xs)].sort();
  return { ...tags, sideEffects: uniq(tags.sideEffects), errors: uniq(tags.errors), owners: uniq(tags.owners), evidence: uniq(tags.evidence) };
}
