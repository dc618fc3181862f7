-- Batched rest-hook delivery: one deliverer pass claims the due events of many subscriptions in one statement
-- and records their acknowledgements in one more. `channel` says which subscriptions it may take: 'rest-hook'
-- for a live rest-hook Subscription (set whenever one is written), NULL once a pass found it gone, off or
-- invalid (a later write sets it again). Subscriptions that still owe a handshake or are failing keep their
-- own job (backoff, status error) and join the batched passes once delivered again.
ALTER TABLE subscription_state ADD COLUMN IF NOT EXISTS channel text;
UPDATE subscription_state s SET channel = CASE WHEN r.deleted OR r.content->>'status' = 'off' THEN NULL ELSE r.content->'channel'->>'type' END
FROM resource r WHERE r.res_type = 'Subscription' AND r.id = s.sub_id AND s.channel IS NULL;
-- No index for the pass's claim: it scans the state rows (one per subscription), and an index over the event
-- counters would take every fan-out's counter update off the heap-only path.
-- Pruning looks for events older than the retention.
CREATE INDEX IF NOT EXISTS subscription_event_occurred ON subscription_event (occurred_at);
