/**
 * Schema version 1. Never edit a released migration: add a new one to
 * migrations.ts. Times are epoch milliseconds (*_ms); ids are Discord snowflakes
 * stored as TEXT; job ids are the short public ids from ids.ts.
 */
export const SCHEMA_V1 = `
CREATE TABLE jobs (
  seq                    INTEGER PRIMARY KEY AUTOINCREMENT, -- insertion order (FIFO, cursors)
  id                     TEXT    NOT NULL UNIQUE,           -- public short id
  state                  TEXT    NOT NULL
                         CHECK (state IN ('queued','running','succeeded','failed','cancelled')),
  user_id                TEXT    NOT NULL,
  guild_id               TEXT    NOT NULL,
  channel_id             TEXT    NOT NULL,
  interaction_id         TEXT,
  interaction_created_ms INTEGER,
  source_path            TEXT,                              -- NULL once removed (retention)
  source_sha256          TEXT    NOT NULL,
  source_bytes           INTEGER NOT NULL,
  driving_path           TEXT,
  driving_sha256         TEXT    NOT NULL,
  driving_bytes          INTEGER NOT NULL,
  driving_seconds        REAL    NOT NULL,
  model                  TEXT    NOT NULL,
  options_json           TEXT    NOT NULL DEFAULT '{}',
  visibility             TEXT    NOT NULL CHECK (visibility IN ('public','requester')),
  attachment_limit_bytes INTEGER,                           -- upload limit where it was asked
  attempts               INTEGER NOT NULL DEFAULT 0,
  max_attempts           INTEGER NOT NULL,
  last_error             TEXT,                              -- internal detail, for logs
  failure_message        TEXT,                              -- shown to the user
  run_after_ms           INTEGER NOT NULL,                  -- backoff: not runnable before
  lease_id               TEXT,
  lease_owner            TEXT,
  lease_expires_ms       INTEGER,
  heartbeat_ms           INTEGER,
  progress               REAL,
  turn                   INTEGER,                           -- global claim counter (fairness)
  cancel_requested_ms    INTEGER,
  created_ms             INTEGER NOT NULL,
  first_started_ms       INTEGER,
  started_ms             INTEGER,
  finished_ms            INTEGER,
  updated_ms             INTEGER NOT NULL,
  output_path            TEXT,
  output_bytes           INTEGER,
  output_duration_ms     INTEGER,
  delivery               TEXT    NOT NULL DEFAULT 'pending'
                         CHECK (delivery IN ('pending','delivering','interaction','channel','dm','failed','skipped')),
  delivery_via           TEXT    CHECK (delivery_via IN ('interaction','channel','dm')),
  delivery_attempts      INTEGER NOT NULL DEFAULT 0,
  delivery_started_ms    INTEGER,
  delivered_ms           INTEGER,
  delivery_message_id    TEXT,
  delivery_error         TEXT,
  expired_ms             INTEGER,                           -- tombstone: files removed by retention
  CHECK ((state = 'running') = (lease_id IS NOT NULL))
);
CREATE INDEX jobs_runnable      ON jobs (state, run_after_ms, seq);
CREATE INDEX jobs_lease         ON jobs (state, lease_expires_ms);
CREATE INDEX jobs_user_seq      ON jobs (user_id, seq);
CREATE INDEX jobs_turn          ON jobs (turn);
CREATE INDEX jobs_user_turn     ON jobs (user_id, turn);
CREATE INDEX jobs_guild_turn    ON jobs (guild_id, turn);
CREATE INDEX jobs_guild_created ON jobs (guild_id, created_ms);
CREATE INDEX jobs_guild_user_created ON jobs (guild_id, user_id, created_ms);
CREATE INDEX jobs_undelivered   ON jobs (seq) WHERE delivery IN ('pending','delivering')
                                AND state IN ('succeeded','failed','cancelled');
CREATE INDEX jobs_unexpired     ON jobs (finished_ms) WHERE expired_ms IS NULL;

-- Discord interaction tokens are secrets (15 minutes of webhook access). They live
-- apart from jobs so a dump of jobs never holds one; cleared once delivered or expired.
CREATE TABLE interaction_tokens (
  job_seq     INTEGER PRIMARY KEY REFERENCES jobs (seq) ON DELETE CASCADE,
  token       TEXT    NOT NULL,
  expires_ms  INTEGER NOT NULL
);
CREATE INDEX interaction_tokens_expiry ON interaction_tokens (expires_ms);

-- Usage of deleted jobs, kept only while it still counts for a rate limit (24 h),
-- so deleting history cannot reset a limit. Timestamps only.
CREATE TABLE rate_ledger (
  guild_id    TEXT    NOT NULL,
  user_id     TEXT    NOT NULL,
  created_ms  INTEGER NOT NULL
);
CREATE INDEX rate_ledger_user  ON rate_ledger (guild_id, user_id, created_ms);
CREATE INDEX rate_ledger_guild ON rate_ledger (guild_id, created_ms);

-- Per-guild settings. NULL means "the documented default" (guild-settings.ts).
CREATE TABLE guild_settings (
  guild_id               TEXT    PRIMARY KEY,
  enabled                INTEGER CHECK (enabled IN (0, 1)),
  per_user_per_hour      INTEGER,
  per_user_per_day       INTEGER,
  per_user_concurrent    INTEGER,
  guild_per_day          INTEGER,
  max_driving_seconds    REAL,
  max_upload_bytes       INTEGER,
  visibility             TEXT    CHECK (visibility IN ('public','requester')),
  retention_days         INTEGER,
  consent_epoch_ms       INTEGER,                           -- consent older than this is void here
  updated_ms             INTEGER NOT NULL,
  updated_by             TEXT    NOT NULL
);

-- Channel rules: if any 'allow' rule exists only those channels (and their threads)
-- may be used; a 'block' rule always refuses.
CREATE TABLE channel_rules (
  guild_id    TEXT    NOT NULL,
  channel_id  TEXT    NOT NULL,
  rule        TEXT    NOT NULL CHECK (rule IN ('allow','block')),
  PRIMARY KEY (guild_id, channel_id)
);

CREATE TABLE users (
  user_id        TEXT    PRIMARY KEY,
  consent        TEXT    CHECK (consent IN ('accepted','declined')),
  consent_ms     INTEGER,
  first_seen_ms  INTEGER NOT NULL,
  last_seen_ms   INTEGER NOT NULL
);

CREATE TABLE audit_log (
  id          INTEGER PRIMARY KEY AUTOINCREMENT,
  at_ms       INTEGER NOT NULL,
  guild_id    TEXT    NOT NULL,
  actor_id    TEXT    NOT NULL,
  action      TEXT    NOT NULL,
  target_id   TEXT,
  detail_json TEXT    NOT NULL DEFAULT '{}'
);
CREATE INDEX audit_log_guild ON audit_log (guild_id, id);
`;
