-- Topic-based Subscriptions (R4 Backport IG). One state row per Subscription: the gap-free event counter
-- (updated in the transaction of the write that raised the event, so concurrent writes serialise on it),
-- how far delivery got, the delivery lease (one deliverer per subscription keeps event-number order), and
-- the access context of the subscription's author (what its notifications may contain).
CREATE TABLE IF NOT EXISTS subscription_state (
  sub_id           text        PRIMARY KEY,
  last_event       bigint      NOT NULL DEFAULT 0,
  delivered_upto   bigint      NOT NULL DEFAULT 0,
  handshake_done   boolean     NOT NULL DEFAULT false,
  failures         integer     NOT NULL DEFAULT 0,
  last_sent        timestamptz,
  last_error       text,
  deliverer        text,
  deliverer_until  timestamptz,
  access           jsonb       NOT NULL,
  updated_at       timestamptz NOT NULL
);
-- Each event once, numbered 1, 2, 3 … per subscription without gaps; kept after delivery for $events.
CREATE TABLE IF NOT EXISTS subscription_event (
  sub_id        text        NOT NULL,
  event_number  bigint      NOT NULL,
  topic         text        NOT NULL,
  focus_type    text        NOT NULL,
  focus_id      text        NOT NULL,
  focus_version integer     NOT NULL,
  action        text        NOT NULL CHECK (action IN ('create', 'update', 'delete')),
  occurred_at   timestamptz NOT NULL,
  PRIMARY KEY (sub_id, event_number)
);
-- Bumped whenever a Subscription is written: every server re-reads its list of active subscriptions.
CREATE TABLE IF NOT EXISTS subscription_catalogue_version (
  one      boolean PRIMARY KEY DEFAULT true CHECK (one),
  version  bigint  NOT NULL
);
INSERT INTO subscription_catalogue_version (one, version) VALUES (true, 0) ON CONFLICT DO NOTHING;
