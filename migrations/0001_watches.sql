-- Watches (src/watch, issue 15): unattended recovery and notifications from the edge.
-- Applied by `wrangler d1 migrations apply WATCHES` (add --local for wrangler dev's D1).

-- One row per watch. The cron tick claims due rows with a lease (lease_until, lease_id), oldest
-- check first (checked_at), so overlapping ticks share the work instead of repeating it.
CREATE TABLE watches (
  id INTEGER PRIMARY KEY AUTOINCREMENT,
  workflow_id INTEGER NOT NULL,
  owner TEXT NOT NULL,
  policy TEXT NOT NULL,
  state TEXT NOT NULL DEFAULT 'active' CHECK (state IN ('active', 'completed', 'failed', 'gave_up', 'stopped')),
  reason TEXT,
  retries INTEGER NOT NULL DEFAULT 0,
  checks INTEGER NOT NULL DEFAULT 0,
  created_at INTEGER NOT NULL,
  updated_at INTEGER NOT NULL,
  checked_at INTEGER NOT NULL DEFAULT 0,
  lease_until INTEGER NOT NULL DEFAULT 0,
  lease_id TEXT,
  workflow_name TEXT,
  last_status TEXT,
  last_signature TEXT,
  last_check_event INTEGER,
  unreachable_since INTEGER,
  unreachable_notified INTEGER NOT NULL DEFAULT 0,
  stranded_since INTEGER,
  rescheduled_at INTEGER
);
-- At most one active watch per workflow.
CREATE UNIQUE INDEX watches_one_active ON watches (workflow_id) WHERE state = 'active';
CREATE INDEX watches_due ON watches (state, checked_at, id);

-- A watch's history: every check (repeats of an unchanged check counted on one row), diagnosis,
-- change applied, notification queued and delivery attempt. `key` makes an event happen once
-- (e.g. the recovery of one plan), whichever tick records it.
CREATE TABLE watch_events (
  id INTEGER PRIMARY KEY AUTOINCREMENT,
  watch_id INTEGER NOT NULL,
  at INTEGER NOT NULL,
  last_at INTEGER NOT NULL,
  repeats INTEGER NOT NULL DEFAULT 1,
  kind TEXT NOT NULL,
  summary TEXT NOT NULL,
  detail TEXT,
  key TEXT
);
CREATE UNIQUE INDEX watch_events_once ON watch_events (watch_id, key) WHERE key IS NOT NULL;
CREATE INDEX watch_events_by_watch ON watch_events (watch_id, id);

-- Notifications to send: one row per event and destination (key: once), retried with backoff on
-- later ticks until delivered or out of attempts. `body` is the exact JSON that is signed and sent.
CREATE TABLE watch_outbox (
  id INTEGER PRIMARY KEY AUTOINCREMENT,
  watch_id INTEGER NOT NULL,
  event TEXT NOT NULL,
  destination TEXT NOT NULL,
  body TEXT NOT NULL,
  key TEXT NOT NULL UNIQUE,
  status TEXT NOT NULL DEFAULT 'pending' CHECK (status IN ('pending', 'delivered', 'failed')),
  attempts INTEGER NOT NULL DEFAULT 0,
  next_at INTEGER NOT NULL,
  lease_until INTEGER NOT NULL DEFAULT 0,
  last_error TEXT,
  created_at INTEGER NOT NULL,
  delivered_at INTEGER
);
CREATE INDEX watch_outbox_due ON watch_outbox (status, next_at);
