-- The subscription outbox: a write records one small row per changed resource version in its own transaction
-- (durable, gone if it rolls back); one fan-out consumer at a time (advisory lock) matches the rows against the
-- subscriptions, numbers and records their events, and deletes the rows it consumed in that same transaction.
-- Rows are deleted by id, never skipped by "id > last seen": an identity value taken by a transaction that
-- commits late is still there for the next batch.
CREATE TABLE IF NOT EXISTS subscription_outbox (
  id            bigint      GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
  focus_type    text        NOT NULL,
  focus_id      text        NOT NULL,
  focus_version integer     NOT NULL,
  action        text        NOT NULL CHECK (action IN ('create', 'update', 'delete')),
  occurred_at   timestamptz NOT NULL
);
