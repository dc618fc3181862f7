-- Full text a patient-context token is shown (issue 11: _content/_text must not match masked elements).
-- owner: '*' when the resource masks nothing for any token (content and narrative are what everyone sees);
-- a Patient id when it masks nothing for that patient's token only; '' when it masks something for every
-- token. targets: its literal references to resources that can sit in a Patient compartment (a search checks
-- then whether one is in other patients' compartments only: masked, so the full text is not shown). idents: the
-- identifiers (JSON [system|null, value]) the full text shows only to a token whose Patient holds them. shared_content: the words of the copy masked for a token of no patient (NULL when owner = '*').
-- NULL owner = not yet computed (rows indexed before this migration; store/text-ownership-backfill.ts
-- fills them at start) and matches no restricted full-text search.
ALTER TABLE idx_text ADD COLUMN IF NOT EXISTS owner text;
ALTER TABLE idx_text ADD COLUMN IF NOT EXISTS targets text[];
ALTER TABLE idx_text ADD COLUMN IF NOT EXISTS idents text[];
ALTER TABLE idx_text ADD COLUMN IF NOT EXISTS shared_content tsvector;
CREATE INDEX IF NOT EXISTS idx_text_shared_content ON idx_text USING gin (shared_content) WHERE shared_content IS NOT NULL;
CREATE INDEX IF NOT EXISTS idx_text_owner_unknown ON idx_text (rid) WHERE owner IS NULL;
