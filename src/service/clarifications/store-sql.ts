import type { AnswerRow, ClarificationStore } from "./store.js";

const SELECT = 'SELECT key, value, answered_by AS "answeredBy", answered_at AS "answeredAt" FROM clarification_answers';

export const sqlClarificationStore: ClarificationStore = {
  list: (q, projectId) => q.query<AnswerRow>(`${SELECT} WHERE project_id = $1 ORDER BY key`, [projectId]),
  async get(q, projectId, key) {
    return (await q.query<AnswerRow>(`${SELECT} WHERE project_id = $1 AND key = $2`, [projectId, key]))[0];
  },
  async upsert(q, projectId, r) {
    await q.query(
      "INSERT INTO clarification_answers (project_id, key, value, answered_by, answered_at) VALUES ($1, $2, $3, $4, $5) ON CONFLICT (project_id, key) DO UPDATE SET value = EXCLUDED.value, answered_by = EXCLUDED.answered_by, answered_at = EXCLUDED.answered_at",
      [projectId, r.key, r.value, r.answeredBy, r.answeredAt],
    );
  },
};
