// Clarifications answered once per project, centrally: an answer must be one of the question's
// options in the project's effective policy, as `gatehouse clarify KEY VALUE` requires
// (src/packs/clarifications.ts). Answers to questions of another pack are kept, as the CLI keeps
// them, so switching packs back and forth loses nothing.

import type { AuditService } from "../audit/service.js";
import type { Caller } from "../context.js";
import type { Database } from "../db/database.js";
import { ServiceError } from "../errors.js";
import type { ProjectService } from "../projects/service.js";
import type { AnswerRow, ClarificationStore } from "./store.js";

export class ClarificationService {
  constructor(
    private readonly db: Database,
    private readonly store: ClarificationStore,
    private readonly projects: ProjectService,
    private readonly audit: AuditService,
    private readonly now: () => Date,
  ) {}

  /** The project's answers that fit its effective policy's questions, key → value. */
  async answers(projectId: string): Promise<Record<string, string>> {
    const effective = await this.projects.effective(projectId);
    const rows = await this.store.list(this.db, projectId);
    const answers: Record<string, string> = {};
    for (const c of effective.policy.clarifications) {
      const row = rows.find((r) => r.key === c.key);
      if (row && c.options.includes(row.value)) answers[c.key] = row.value;
    }
    return answers;
  }

  async list(projectId: string) {
    const effective = await this.projects.effective(projectId);
    const rows = await this.store.list(this.db, projectId);
    const questions = effective.policy.clarifications.map((c) => {
      const row = rows.find((r) => r.key === c.key);
      return {
        key: c.key,
        question: c.question,
        options: c.options,
        ...(c.recommended !== undefined ? { recommended: c.recommended } : {}),
        blocking: c.blocking,
        appliesTo: c.applies_to,
        answer: row && c.options.includes(row.value) ? row : null,
      };
    });
    return {
      pack: `${effective.pack.key}@${effective.pack.version}`,
      questions,
      unanswered: questions.filter((q) => q.answer === null).map((q) => q.key),
      blocking: questions.filter((q) => q.answer === null && q.blocking).map((q) => q.key),
    };
  }

  async answer(caller: Caller, projectId: string, key: string, value: string): Promise<AnswerRow> {
    return this.db.transaction(async (tx) => {
      await this.audit.lock(tx);
      const effective = await this.projects.effective(projectId, tx);
      const question = effective.policy.clarifications.find((c) => c.key === key);
      const packName = `${effective.pack.key}@${effective.pack.version}`;
      if (!question) {
        const keys = effective.policy.clarifications.map((c) => c.key);
        throw new ServiceError("resource_not_found", `${packName} has no clarification ${JSON.stringify(key)}; its questions: ${keys.join(", ") || "none"}`);
      }
      if (!question.options.includes(value)) {
        throw new ServiceError("invalid_parameter", `${JSON.stringify(value)} is not an answer to ${key}; choose one of: ${question.options.join(", ")}`);
      }
      const old = await this.store.get(tx, projectId, key);
      const row: AnswerRow = { key, value, answeredBy: caller.id, answeredAt: this.now().toISOString() };
      await this.store.upsert(tx, projectId, row);
      await this.audit.append(tx, { event: "clarification.answered", actor: caller.id, subject: `project:${projectId}`, old: old ? { key, value: old.value } : null, new: { key, value } });
      return row;
    });
  }
}
