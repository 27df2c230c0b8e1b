import { json } from "../db/database.js";
import type { DecisionLog, DecisionStore } from "./store.js";

const CHUNK = 500;

export const sqlDecisionStore: DecisionStore = {
  async appendLogs(q, logs) {
    for (let start = 0; start < logs.length; start += CHUNK) {
      const chunk = logs.slice(start, start + CHUNK);
      const values = chunk.map((_, i) => {
        const b = i * 9;
        return `($${b + 1}, $${b + 2}, $${b + 3}, $${b + 4}::text::jsonb, $${b + 5}, $${b + 6}, $${b + 7}, $${b + 8}, $${b + 9})`;
      });
      await q.query(
        `INSERT INTO decision_logs (decision_id, path, input_sha256, result, decision, reason, bundle_sha256, caller, at) VALUES ${values.join(", ")}`,
        chunk.flatMap((l) => [l.decisionId, l.path, l.inputSha256, json(l.result), l.decision, l.reason, l.bundleSha256, l.caller, l.at]),
      );
    }
  },
  async getLog(q, id) {
    return (
      await q.query<DecisionLog>(
        'SELECT decision_id AS "decisionId", path, input_sha256 AS "inputSha256", result, decision, reason, bundle_sha256 AS "bundleSha256", caller, at FROM decision_logs WHERE decision_id = $1',
        [id],
      )
    )[0];
  },
  async recordLoad(q, l) {
    await q.query("INSERT INTO bundle_loads (dir, wasm_sha256, manifest_sha256, error, loaded_at) VALUES ($1, $2, $3, $4, $5)", [l.dir, l.wasmSha256, l.manifestSha256, l.error, l.loadedAt]);
  },
};
