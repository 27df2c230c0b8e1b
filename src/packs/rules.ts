// Looking up a finding code in the effective rules: the exact code wins over its area's
// `area/*` entry, whichever layer set them.

import { codeArea } from "./core-codes.js";
import type { RuleSetting } from "./types.js";

export function settingFor(rules: Record<string, RuleSetting>, code: string): RuleSetting | undefined {
  if (Object.hasOwn(rules, code)) return rules[code];
  if (code.endsWith("/*")) return undefined;
  const area = `${codeArea(code)}/*`;
  return Object.hasOwn(rules, area) ? rules[area] : undefined;
}
