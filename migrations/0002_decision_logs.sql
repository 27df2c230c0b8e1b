-- Runtime decisions (POST /v1/data/{path}) and the bundles that made them.

CREATE TABLE bundle_loads (
  seq bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
  dir text NOT NULL,
  -- NULL when the load failed: decisions then deny until a good bundle is loaded
  wasm_sha256 text,
  manifest_sha256 text,
  error text,
  loaded_at text NOT NULL
);

CREATE TABLE decision_logs (
  decision_id text PRIMARY KEY,
  path text NOT NULL,
  input_sha256 text NOT NULL,
  result jsonb,
  decision text NOT NULL CHECK (decision IN ('allow', 'deny')),
  reason text,
  bundle_sha256 text,
  caller text NOT NULL,
  at text NOT NULL
);
CREATE INDEX decision_logs_at ON decision_logs (at);

CREATE TRIGGER decision_logs_append_only BEFORE UPDATE OR DELETE ON decision_logs FOR EACH ROW EXECUTE FUNCTION gatehouse_append_only();
