-- _sort keys: one row per (resource, parameter) holding the value it sorts by, ascending (the least
-- value) and descending (the greatest), written by the index writer in the resource's statement and
-- deleted with its other index rows. A sorted search walks the ordered index of its first key and
-- stops after one page, instead of computing a key for every match (see store/search/page-query.ts).
-- Typed column pairs keep the order of the index tables: dates as timestamptz (low/high), numbers
-- and quantities as numeric, strings, tokens, uris and references as text (same collation).
-- At the end: the index of contained resources' rows, for _contained.
CREATE TABLE IF NOT EXISTS sort_key (
  rid        bigint NOT NULL,
  res_type   text   NOT NULL,
  param      text   NOT NULL,
  asc_ts     timestamptz,
  desc_ts    timestamptz,
  asc_num    numeric,
  desc_num   numeric,
  asc_text   text,
  desc_text  text
);

-- Backfill the resources stored before this migration from their index rows (the same aggregates
-- the writer uses). One statement, so the emptiness check sees the table as it was before it: a
-- second run (or a database created after this migration) inserts nothing.
INSERT INTO sort_key (rid, res_type, param, asc_ts, desc_ts, asc_num, desc_num, asc_text, desc_text)
SELECT u.rid, min(u.res_type), u.param, min(u.lo_ts), max(u.hi_ts), min(u.num), max(u.num), min(u.txt), max(u.txt)
FROM (
  SELECT rid, res_type, param, low AS lo_ts, high AS hi_ts, NULL::numeric AS num, NULL::text AS txt FROM idx_date WHERE grp IS NULL
  UNION ALL SELECT rid, res_type, param, NULL, NULL, value, NULL FROM idx_number WHERE grp IS NULL
  UNION ALL SELECT rid, res_type, param, NULL, NULL, value, NULL FROM idx_quantity WHERE grp IS NULL
  UNION ALL SELECT rid, res_type, param, NULL, NULL, NULL, norm FROM idx_string WHERE grp IS NULL
  UNION ALL SELECT rid, res_type, param, NULL, NULL, NULL, code FROM idx_token WHERE grp IS NULL AND code IS NOT NULL
  UNION ALL SELECT rid, res_type, param, NULL, NULL, NULL, value FROM idx_uri WHERE grp IS NULL
  UNION ALL SELECT rid, res_type, param, NULL, NULL, NULL, coalesce(target_type || '/' || target_id, url) FROM idx_reference
    WHERE grp IS NULL AND coalesce(target_type || '/' || target_id, url) IS NOT NULL
) u
WHERE NOT EXISTS (SELECT 1 FROM sort_key)
GROUP BY u.rid, u.param;

-- Ordered walks per key type and direction; rid ascending is the tiebreak of every sort, so the
-- descending indexes mix directions. Partial: a key type's index holds only its own rows.
CREATE INDEX IF NOT EXISTS sort_key_asc_ts ON sort_key (res_type, param, asc_ts, rid) WHERE asc_ts IS NOT NULL;
CREATE INDEX IF NOT EXISTS sort_key_desc_ts ON sort_key (res_type, param, desc_ts DESC NULLS LAST, rid) WHERE desc_ts IS NOT NULL;
CREATE INDEX IF NOT EXISTS sort_key_asc_num ON sort_key (res_type, param, asc_num, rid) WHERE asc_num IS NOT NULL;
CREATE INDEX IF NOT EXISTS sort_key_desc_num ON sort_key (res_type, param, desc_num DESC NULLS LAST, rid) WHERE desc_num IS NOT NULL;
CREATE INDEX IF NOT EXISTS sort_key_asc_text ON sort_key (res_type, param, asc_text, rid) WHERE asc_text IS NOT NULL;
CREATE INDEX IF NOT EXISTS sort_key_desc_text ON sort_key (res_type, param, desc_text DESC NULLS LAST, rid) WHERE desc_text IS NOT NULL;
-- Per-resource lookups: deletes on rewrite, secondary sort keys, and the planner's match-first plans.
CREATE INDEX IF NOT EXISTS sort_key_rid ON sort_key (rid, param);

-- _contained (store/search/contained-sql.ts): contained resources are indexed with their container,
-- under `#Type:code` parameters; this partial index finds the `#Type:_id` row of each contained
-- resource of a type without scanning the containers (it holds contained rows only).
CREATE INDEX IF NOT EXISTS idx_token_contained ON idx_token (param, code) WHERE param LIKE '#%';

-- Resources stored before this migration have no contained rows yet: queue a $reindex job for each
-- type that has resources with contained resources (worked off in the background, like 003's).
INSERT INTO reindex_job (id, res_type, status, total, created_at, updated_at)
SELECT 'migration-005-' || r.res_type, r.res_type, 'queued', count(*), now(), now()
FROM resource r
WHERE r.deleted = false AND jsonb_typeof(r.content -> 'contained') = 'array'
GROUP BY r.res_type
ON CONFLICT (id) DO NOTHING;
