// Normalised Python source text, shared by the Python extraction stages.

/** Source text with whitespace runs collapsed and none around brackets/commas: reformatting is no change. */
export function normalisePython(text: string): string {
  return text
    .replace(/\s+/g, " ")
    .replace(/\s*,\s*/g, ", ")
    .replace(/([[(])\s+/g, "$1")
    .replace(/\s+([\])])/g, "$1")
    .replace(/,\s*([)\]])/g, "$1")
    .replace(/\s*\|\s*/g, " | ")
    .trim();
}
