// Clarification answers (.gatehouse/clarifications.yaml, schema clarifications.v1). The gate
// reads them as untrusted input (size cap, schema, value must be one of the question's options);
// `gatehouse clarify KEY VALUE` writes them atomically.

import { existsSync } from "node:fs";
import { join } from "node:path";
import { stringify } from "yaml";
import { ConfigError } from "../core/errors.js";
import type { Finding } from "../core/findings.js";
import { displayPath } from "../core/paths.js";
import type { SchemaRegistry } from "../schemas/registry.js";
import { writeAtomic } from "../cli/output.js";
import { packFinding } from "./core-codes.js";
import { MAX_REPO_FILE_BYTES, readSmallDocument } from "./load.js";
import type { Clarification, EffectivePolicy } from "./types.js";

export const CLARIFICATIONS_FILE = ".gatehouse/clarifications.yaml";

export interface Answers {
  version: 1;
  answers: Record<string, { value: string; answered_at: string }>;
}

export type AnswersResult = { ok: true; answers: Answers; file: string } | { ok: false; problems: string[]; file: string };

/** Reads the answers file (absent: no answers) and checks every answer against the policy. */
export function readAnswers(root: string, schemas: SchemaRegistry, policy: EffectivePolicy): AnswersResult {
  const file = join(root, CLARIFICATIONS_FILE);
  if (!existsSync(file)) return { ok: true, answers: { version: 1, answers: {} }, file };
  const read = readSmallDocument(file, MAX_REPO_FILE_BYTES, root);
  if (!read.ok) return { ok: false, problems: [read.problem], file };
  const schemaProblems = schemas.validate("clarifications.v1", read.value, displayPath(file));
  if (schemaProblems.length > 0) return { ok: false, problems: schemaProblems.map((p) => p.message), file };
  const answers = read.value as Answers;
  const problems: string[] = [];
  for (const [key, answer] of Object.entries(answers.answers).sort(([a], [b]) => (a < b ? -1 : 1))) {
    const question = policy.clarifications.find((c) => c.key === key);
    // Answers to questions of other packs are kept (switching packs back and forth loses nothing).
    if (question && !question.options.includes(answer.value)) {
      problems.push(`answer ${key}=${JSON.stringify(answer.value)} is not one of ${question.options.join(", ")}`);
    }
  }
  return problems.length > 0 ? { ok: false, problems, file } : { ok: true, answers, file };
}

export function unanswered(policy: EffectivePolicy, answers: Answers): Clarification[] {
  return policy.clarifications.filter((c) => !Object.hasOwn(answers.answers, c.key));
}

/** Findings for the gate: invalid answers deny; unanswered questions per their `blocking` flag. */
export function clarificationFindings(root: string, schemas: SchemaRegistry, policy: EffectivePolicy): Finding[] {
  const result = readAnswers(root, schemas, policy);
  const findings: Finding[] = [];
  let answers: Answers = { version: 1, answers: {} };
  if (!result.ok) {
    const shown = displayPath(result.file);
    for (const problem of result.problems) {
      findings.push(
        packFinding("pack/clarifications-invalid", `${shown}: ${problem}; no answer in it was used`, {
          input: shown,
          location: { file: shown },
          scope: "project",
          suggestedFix: "record answers with `gatehouse clarify KEY VALUE`",
        }),
      );
    }
  } else answers = result.answers;
  const packName = `${policy.pack.key}@${policy.pack.version}`;
  for (const question of unanswered(policy, answers)) {
    const hint = question.recommended ? ` (recommended: ${question.recommended})` : "";
    findings.push(
      packFinding(
        question.blocking ? "pack/clarification-unanswered" : "pack/clarification-open",
        `${packName} asks "${question.question}" [${question.key}]: ${question.options.join(" | ")}${hint}`,
        {
          scope: question.applies_to[0] ?? "project",
          metadata: { key: question.key, options: question.options, blocking: question.blocking, appliesTo: question.applies_to },
          suggestedFix: `gatehouse clarify ${question.key} ${question.recommended ?? question.options[0]}`,
        },
      ),
    );
  }
  return findings;
}

/** Records one answer. The value must be one of the question's options; the write is atomic. */
export function recordAnswer(root: string, schemas: SchemaRegistry, policy: EffectivePolicy, key: string, value: string, now: Date): string {
  const question = policy.clarifications.find((c) => c.key === key);
  if (!question) {
    const keys = policy.clarifications.map((c) => c.key);
    throw new ConfigError(`${policy.pack.key}@${policy.pack.version} has no clarification ${JSON.stringify(key)}; its questions: ${keys.join(", ") || "none"}`);
  }
  if (!question.options.includes(value)) {
    throw new ConfigError(`${JSON.stringify(value)} is not an answer to ${key}; choose one of: ${question.options.join(", ")}`);
  }
  const current = readAnswers(root, schemas, policy);
  if (!current.ok) throw new ConfigError(`cannot update: ${current.problems.join("; ")}`, displayPath(current.file));
  const next: Answers = { version: 1, answers: { ...current.answers.answers, [key]: { value, answered_at: now.toISOString() } } };
  next.answers = Object.fromEntries(Object.entries(next.answers).sort(([a], [b]) => (a < b ? -1 : 1)));
  const problems = schemas.validate("clarifications.v1", next, CLARIFICATIONS_FILE);
  if (problems.length > 0) throw new ConfigError(`refusing to write invalid answers: ${problems.map((p) => p.message).join("; ")}`, current.file);
  writeAtomic(current.file, stringify(next));
  return current.file;
}
