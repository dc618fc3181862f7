-- Current versions and full history of every resource, as jsonb.
-- rid is a surrogate key so that index tables (002) join on one bigint.
CREATE TABLE IF NOT EXISTS resource (
  rid           bigserial PRIMARY KEY,
  res_type      text        NOT NULL,
  id            text        NOT NULL,
  version       integer     NOT NULL,
  last_updated  timestamptz NOT NULL,
  deleted       boolean     NOT NULL DEFAULT false,
  content       jsonb,
  CONSTRAINT resource_type_id UNIQUE (res_type, id)
);
CREATE INDEX IF NOT EXISTS resource_type_updated ON resource (res_type, last_updated, id);
CREATE INDEX IF NOT EXISTS resource_updated ON resource (last_updated);

CREATE TABLE IF NOT EXISTS resource_history (
  res_type      text        NOT NULL,
  id            text        NOT NULL,
  version       integer     NOT NULL,
  last_updated  timestamptz NOT NULL,
  method        text        NOT NULL CHECK (method IN ('create', 'update', 'delete')),
  deleted       boolean     NOT NULL DEFAULT false,
  content       jsonb,
  PRIMARY KEY (res_type, id, version)
);
CREATE INDEX IF NOT EXISTS history_updated ON resource_history (last_updated, res_type, id, version);
CREATE INDEX IF NOT EXISTS history_type_updated ON resource_history (res_type, last_updated, id, version);
