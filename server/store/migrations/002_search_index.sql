-- Search index tables, one per search-parameter type, shared by all resource types (HAPI-style).
-- Rows are rewritten with each version of a resource, in the same transaction; they reference the
-- current-version row by rid and are deleted with each new version. (rid, param) indexes serve the correlated EXISTS
-- subqueries, sort subqueries and deletes; the value indexes serve the selective lookups.

-- rid points at resource.rid. No foreign key: resource rows are never physically deleted (deletes
-- are versions), the store writes index rows in the resource's own transaction, and the FK check
-- was a measurable share of ingest cost.
CREATE TABLE IF NOT EXISTS idx_token (
  rid          bigint NOT NULL,
  res_type     text   NOT NULL,
  param        text   NOT NULL,
  system       text,
  code         text,
  display      text,   -- normalised Coding.display / CodeableConcept.text, for :text
  type_system  text,   -- Identifier.type coding, for :of-type
  type_code    text
);
CREATE INDEX IF NOT EXISTS idx_token_code ON idx_token (res_type, param, code, system);
CREATE INDEX IF NOT EXISTS idx_token_rid ON idx_token (rid, param);

CREATE TABLE IF NOT EXISTS idx_string (
  rid       bigint NOT NULL,
  res_type  text   NOT NULL,
  param     text   NOT NULL,
  norm      text   NOT NULL,  -- lower-case, accents stripped, whitespace collapsed
  exact     text   NOT NULL
);
CREATE INDEX IF NOT EXISTS idx_string_norm ON idx_string (res_type, param, norm text_pattern_ops);
CREATE INDEX IF NOT EXISTS idx_string_rid ON idx_string (rid, param);

CREATE TABLE IF NOT EXISTS idx_reference (
  rid             bigint NOT NULL,
  res_type        text   NOT NULL,
  param           text   NOT NULL,
  target_type     text,
  target_id       text,
  target_version  text,
  url             text,  -- absolute / canonical / urn reference as written
  ident_system    text,  -- Reference.identifier, for :identifier
  ident_value     text
);
-- target_id first: every id lookup has it, while `patient=123` (no type) or chains over several target types do not pin target_type.
CREATE INDEX IF NOT EXISTS idx_reference_target_id ON idx_reference (target_id, target_type, param, res_type);
CREATE INDEX IF NOT EXISTS idx_reference_rid ON idx_reference (rid, param);
CREATE INDEX IF NOT EXISTS idx_reference_url ON idx_reference (res_type, param, url) WHERE url IS NOT NULL;
CREATE INDEX IF NOT EXISTS idx_reference_ident ON idx_reference (ident_value, ident_system) WHERE ident_value IS NOT NULL;

CREATE TABLE IF NOT EXISTS idx_date (
  rid       bigint      NOT NULL,
  res_type  text        NOT NULL,
  param     text        NOT NULL,
  low       timestamptz NOT NULL,  -- -infinity for an open Period start
  high      timestamptz NOT NULL   -- infinity for an open Period end
);
CREATE INDEX IF NOT EXISTS idx_date_low ON idx_date (res_type, param, low, high);
CREATE INDEX IF NOT EXISTS idx_date_high ON idx_date (res_type, param, high, low);
CREATE INDEX IF NOT EXISTS idx_date_rid ON idx_date (rid, param);

CREATE TABLE IF NOT EXISTS idx_number (
  rid       bigint  NOT NULL,
  res_type  text    NOT NULL,
  param     text    NOT NULL,
  value     numeric NOT NULL,
  low       numeric NOT NULL,  -- range implied by the value's significant digits
  high      numeric NOT NULL
);
CREATE INDEX IF NOT EXISTS idx_number_value ON idx_number (res_type, param, value);
CREATE INDEX IF NOT EXISTS idx_number_rid ON idx_number (rid, param);

CREATE TABLE IF NOT EXISTS idx_quantity (
  rid         bigint  NOT NULL,
  res_type    text    NOT NULL,
  param       text    NOT NULL,
  value       numeric NOT NULL,
  low         numeric NOT NULL,
  high        numeric NOT NULL,
  system      text,
  code        text,
  unit        text,
  canon_code  text,     -- canonical UCUM unit (e.g. 'g.m-3'), when convertible
  canon_value numeric,
  canon_low   numeric,
  canon_high  numeric
);
CREATE INDEX IF NOT EXISTS idx_quantity_code ON idx_quantity (res_type, param, code, value);
CREATE INDEX IF NOT EXISTS idx_quantity_canon ON idx_quantity (res_type, param, canon_code, canon_value) WHERE canon_code IS NOT NULL;
CREATE INDEX IF NOT EXISTS idx_quantity_rid ON idx_quantity (rid, param);

CREATE TABLE IF NOT EXISTS idx_uri (
  rid       bigint NOT NULL,
  res_type  text   NOT NULL,
  param     text   NOT NULL,
  value     text   NOT NULL
);
CREATE INDEX IF NOT EXISTS idx_uri_value ON idx_uri (res_type, param, value text_pattern_ops);
CREATE INDEX IF NOT EXISTS idx_uri_rid ON idx_uri (rid, param);

-- Full text for _content (all string values) and _text (narrative); one row per resource.
CREATE TABLE IF NOT EXISTS idx_text (
  rid        bigint   PRIMARY KEY,
  res_type   text     NOT NULL,
  content    tsvector NOT NULL,
  narrative  tsvector NOT NULL
);
CREATE INDEX IF NOT EXISTS idx_text_content ON idx_text USING gin (content);
CREATE INDEX IF NOT EXISTS idx_text_narrative ON idx_text USING gin (narrative);
