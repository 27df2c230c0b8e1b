// The syntax verdict on two type texts: the fast first pass, and what stands wherever the checker
// gives no answer (fail-closed: every difference it cannot prove wider or narrower is "changed").

export type TypeRelation = "same" | "widened" | "narrowed" | "changed";

/** How `after` relates to `before` as a set of values, as far as syntax can prove it. */
export function typeRelation(before: string | undefined, after: string | undefined): TypeRelation {
  const a = before ?? "any";
  const b = after ?? "any";
  if (a === b) return "same";
  const top = new Set(["any", "unknown"]);
  if (top.has(b) && !top.has(a)) return "widened";
  if (top.has(a) && !top.has(b)) return "narrowed";
  const oldMembers = new Set(unionMembers(a));
  const newMembers = new Set(unionMembers(b));
  const oldInNew = [...oldMembers].every((m) => newMembers.has(m));
  const newInOld = [...newMembers].every((m) => oldMembers.has(m));
  if (oldInNew && newInOld) return "same";
  if (oldInNew) return "widened";
  if (newInOld) return "narrowed";
  return "changed";
}

/** Top-level `|` members of a printed type (brackets, braces, generics and strings nest). */
export function unionMembers(type: string): string[] {
  const members: string[] = [];
  let depth = 0;
  let quote = "";
  let start = 0;
  for (let i = 0; i < type.length; i++) {
    const ch = type[i]!;
    if (quote) {
      if (ch === "\\") i++;
      else if (ch === quote) quote = "";
      continue;
    }
    if (ch === '"' || ch === "'" || ch === "`") quote = ch;
    else if ("([{<".includes(ch)) depth++;
    else if (")]}>".includes(ch) && !(ch === ">" && type[i - 1] === "=")) depth--;
    else if (ch === "|" && depth === 0) {
      members.push(type.slice(start, i).trim());
      start = i + 1;
    }
  }
  members.push(type.slice(start).trim());
  return members.filter(Boolean);
}
