// Secrets in the changed lines of a file, found by secretlint's recommended rule set (maintained
// upstream: cloud keys, tokens, private keys, connection strings ...) rather than patterns of our
// own. The whole file is linted, so that a rule that needs context (a private key block, an AWS
// secret next to its key id) sees it, and only what touches a changed line is kept.
// A secret never leaves this module: secretlint's own message quotes it, so a finding is built
// from the rule's id and a mask (`mask`), and the matched text is dropped here.

import { ToolchainError } from "../core/errors.js";

type LintOptions = Parameters<typeof import("@secretlint/core").lintSource>[0]["options"];

export interface SecretFact {
  file: string;
  line: number;
  column: number;
  /** secretlint's rule, without its scope: `slack`, `github`, `aws` ... */
  rule: string;
  /** what the rule found, e.g. `SLACK_TOKEN` */
  kind: string;
  /** the secret masked: at most its first 4 characters (a type prefix such as `ghp_`) and its length */
  masked: string;
}

type Linter = (file: string, text: string) => Promise<{ line: number; endLine: number; column: number; rule: string; kind: string; range: readonly [number, number] }[]>;

let linter: Promise<Linter> | undefined;

/** The preset's rule that drops what a `secretlint-disable` comment in the linted text names. */
const IN_FILE_SUPPRESSION_RULE = "@secretlint/secretlint-rule-filter-comments";

/** secretlint and its preset load on first use: most gate runs lint nothing. */
function loadLinter(): Promise<Linter> {
  linter ??= (async () => {
    const [{ lintSource }, { rules }] = await Promise.all([import("@secretlint/core"), import("@secretlint/secretlint-rule-preset-recommend")]);
    // The preset's rules one by one, but its filter-comments rule, which honours
    // `secretlint-disable` comments in the linted text: the change under review would waive its
    // own secret, past the pack's locks, owners and expiry. A secret is waived only by a waiver
    // (.gatehouse/waivers.yaml). (secretlint 12 ignores `disabled` on a preset's own rules.)
    const scanners = rules.filter((rule) => rule.meta.id !== IN_FILE_SUPPRESSION_RULE);
    if (scanners.length === 0 || scanners.length === rules.length) throw new ToolchainError(`secretlint's recommended preset no longer has ${IN_FILE_SUPPRESSION_RULE}: review what replaced it`);
    const config: LintOptions["config"] = { rules: scanners.map((rule) => ({ id: rule.meta.id, rule })) };
    return async (file, text) => {
      const result = await lintSource({ source: { filePath: file, content: text, contentType: "text" }, options: { config, maskSecrets: true } });
      return result.messages.map((m) => ({
        line: m.loc.start.line,
        endLine: m.loc.end.line,
        column: m.loc.start.column + 1,
        rule: m.ruleId.replace(/^@secretlint\/secretlint-rule-/, ""),
        kind: m.messageId,
        range: m.range,
      }));
    };
  })();
  return linter;
}

/** A secret shown without the secret: a short prefix (kept only on long values) and the length. */
export function mask(secret: string): string {
  const prefix = secret.length >= 16 ? secret.slice(0, 4) : "";
  return `${prefix}${"*".repeat(8)} (${secret.length} characters)`;
}

/**
 * The secrets secretlint finds in `text` that touch one of `lines` ("all": anywhere): a secret
 * spanning lines counts when any of them changed, so a key body filled in between a committed
 * `BEGIN PRIVATE KEY` placeholder's unchanged first and last lines is found.
 */
export async function secretsInLines(file: string, text: string, lines: readonly number[] | "all"): Promise<SecretFact[]> {
  const lint = await loadLinter();
  const wanted = lines === "all" ? undefined : new Set(lines);
  const facts: SecretFact[] = [];
  for (const message of await lint(file, text)) {
    if (wanted && !spanTouches(wanted, message.line, message.endLine)) continue;
    facts.push({ file, line: message.line, column: message.column, rule: message.rule, kind: message.kind, masked: mask(text.slice(message.range[0], message.range[1])) });
  }
  return facts.sort((a, b) => a.line - b.line || a.column - b.column || (a.rule < b.rule ? -1 : a.rule > b.rule ? 1 : 0));
}

function spanTouches(lines: ReadonlySet<number>, first: number, last: number): boolean {
  for (let line = first; line <= Math.max(first, last); line++) if (lines.has(line)) return true;
  return false;
}
