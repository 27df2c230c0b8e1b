-- gatehouse policy service: packs, projects, runs, steps, findings, clarification answers, audit.
-- Times are RFC 3339 text written by the service's clock; ids are the service's own text ids.

CREATE FUNCTION gatehouse_append_only() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
  RAISE EXCEPTION 'table % is append-only', TG_TABLE_NAME;
END
$$;

CREATE TABLE policy_packs (
  key text NOT NULL,
  version text NOT NULL,
  name text NOT NULL,
  description text NOT NULL,
  status text NOT NULL CHECK (status IN ('active', 'deprecated', 'disabled')),
  document jsonb NOT NULL,
  sha256 text NOT NULL,
  created_by text NOT NULL,
  created_at text NOT NULL,
  PRIMARY KEY (key, version)
);

CREATE TABLE projects (
  id text PRIMARY KEY,
  name text NOT NULL,
  token_sha256 text NOT NULL UNIQUE,
  pack_key text NOT NULL,
  -- NULL: the pack's latest active version, resolved when the policy is read
  pack_version text,
  overrides jsonb NOT NULL,
  repo_local boolean NOT NULL,
  created_at text NOT NULL,
  updated_at text NOT NULL
);

CREATE TABLE runs (
  id text PRIMARY KEY,
  seq bigint GENERATED ALWAYS AS IDENTITY UNIQUE,
  project_id text NOT NULL REFERENCES projects (id),
  pack_key text,
  pack_version text,
  effective_hash text,
  mode text,
  reported_verdict text NOT NULL,
  decision text NOT NULL CHECK (decision IN ('allow', 'deny')),
  reasons jsonb NOT NULL,
  commit_sha text,
  ref text,
  pipeline text,
  policy_snapshot jsonb,
  report_sha256 text NOT NULL,
  uploaded_by text NOT NULL,
  created_at text NOT NULL
);
CREATE INDEX runs_project ON runs (project_id, seq);

CREATE TABLE steps (
  id text PRIMARY KEY,
  run_id text NOT NULL REFERENCES runs (id),
  project_id text NOT NULL REFERENCES projects (id),
  position integer NOT NULL,
  path text NOT NULL,
  kind text,
  sha256 text,
  bytes bigint,
  rules_evaluated integer,
  UNIQUE (run_id, position)
);

CREATE TABLE finding_events (
  seq bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
  project_id text NOT NULL REFERENCES projects (id),
  run_id text NOT NULL REFERENCES runs (id),
  step_id text NOT NULL REFERENCES steps (id),
  code text NOT NULL,
  severity text NOT NULL,
  finding jsonb NOT NULL,
  created_at text NOT NULL
);
CREATE INDEX finding_events_project ON finding_events (project_id, seq);
CREATE INDEX finding_events_run ON finding_events (run_id, seq);
CREATE INDEX finding_events_step ON finding_events (step_id, seq);

CREATE TABLE clarification_answers (
  project_id text NOT NULL REFERENCES projects (id),
  key text NOT NULL,
  value text NOT NULL,
  answered_by text NOT NULL,
  answered_at text NOT NULL,
  PRIMARY KEY (project_id, key)
);

-- Hash-chained like the ops ledger: hash = sha256(canonical JSON of the row without hash),
-- prev = the previous row's hash (64 zeros for the first).
CREATE TABLE audit_events (
  seq integer PRIMARY KEY,
  prev text NOT NULL,
  hash text NOT NULL UNIQUE,
  event text NOT NULL,
  actor text NOT NULL,
  at text NOT NULL,
  subject text NOT NULL,
  old jsonb,
  new jsonb
);

CREATE TRIGGER runs_append_only BEFORE UPDATE OR DELETE ON runs FOR EACH ROW EXECUTE FUNCTION gatehouse_append_only();
CREATE TRIGGER steps_append_only BEFORE UPDATE OR DELETE ON steps FOR EACH ROW EXECUTE FUNCTION gatehouse_append_only();
CREATE TRIGGER finding_events_append_only BEFORE UPDATE OR DELETE ON finding_events FOR EACH ROW EXECUTE FUNCTION gatehouse_append_only();
CREATE TRIGGER audit_events_append_only BEFORE UPDATE OR DELETE ON audit_events FOR EACH ROW EXECUTE FUNCTION gatehouse_append_only();
