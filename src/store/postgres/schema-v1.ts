/**
 * The PostgreSQL schema, version 1: the same tables, columns, constraints and indexes as the SQLite store at its
 * version 7 (see ../schema-v1.ts … ../schema-v7.ts for what each is for), written for PostgreSQL: times in
 * milliseconds since the epoch as BIGINT (`*_ms`), sequence numbers as BIGINT identities, REAL as DOUBLE
 * PRECISION. The repositories' SQL is shared by both (sql/sql.ts).
 */
export const PG_SCHEMA_V1 = `
CREATE TABLE jobs (
  seq                    BIGINT  GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
  id                     TEXT    NOT NULL UNIQUE,
  state                  TEXT    NOT NULL
                         CHECK (state IN ('queued','running','succeeded','failed','cancelled')),
  user_id                TEXT    NOT NULL,
  guild_id               TEXT    NOT NULL,
  channel_id             TEXT    NOT NULL,
  interaction_id         TEXT,
  interaction_created_ms BIGINT,
  source_path            TEXT,
  source_sha256          TEXT    NOT NULL,
  source_bytes           BIGINT  NOT NULL,
  driving_path           TEXT,
  driving_sha256         TEXT    NOT NULL,
  driving_bytes          BIGINT  NOT NULL,
  driving_seconds        DOUBLE PRECISION NOT NULL,
  model                  TEXT    NOT NULL,
  options_json           TEXT    NOT NULL DEFAULT '{}',
  visibility             TEXT    NOT NULL CHECK (visibility IN ('public','requester')),
  attachment_limit_bytes BIGINT,
  attempts               INTEGER NOT NULL DEFAULT 0,
  max_attempts           INTEGER NOT NULL,
  last_error             TEXT,
  failure                TEXT,
  run_after_ms           BIGINT  NOT NULL,
  lease_id               TEXT,
  lease_owner            TEXT,
  lease_expires_ms       BIGINT,
  heartbeat_ms           BIGINT,
  progress               DOUBLE PRECISION,
  turn                   BIGINT,
  cancel_requested_ms    BIGINT,
  created_ms             BIGINT  NOT NULL,
  first_started_ms       BIGINT,
  started_ms             BIGINT,
  finished_ms            BIGINT,
  updated_ms             BIGINT  NOT NULL,
  output_path            TEXT,
  output_bytes           BIGINT,
  output_duration_ms     BIGINT,
  result_notes           TEXT,
  delivery               TEXT    NOT NULL DEFAULT 'pending'
                         CHECK (delivery IN ('pending','delivering','interaction','channel','dm','failed','skipped')),
  delivery_via           TEXT    CHECK (delivery_via IN ('interaction','channel','dm')),
  delivery_attempts      INTEGER NOT NULL DEFAULT 0,
  delivery_started_ms    BIGINT,
  delivered_ms           BIGINT,
  delivery_message_id    TEXT,
  delivery_error         TEXT,
  expired_ms             BIGINT,
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
CREATE INDEX jobs_undelivered   ON jobs (seq) WHERE delivery IN ('pending','delivering') AND state IN ('succeeded','failed','cancelled');
CREATE INDEX jobs_unexpired     ON jobs (finished_ms) WHERE expired_ms IS NULL;
CREATE INDEX jobs_state_finish  ON jobs (state, finished_ms);
CREATE INDEX jobs_guild_stored  ON jobs (guild_id, expired_ms, source_bytes, driving_bytes, output_bytes);

CREATE TABLE interaction_tokens (
  job_seq     BIGINT  PRIMARY KEY REFERENCES jobs (seq) ON DELETE CASCADE,
  token       TEXT    NOT NULL,
  expires_ms  BIGINT  NOT NULL
);
CREATE INDEX interaction_tokens_expiry ON interaction_tokens (expires_ms);

CREATE TABLE rate_ledger (
  guild_id    TEXT    NOT NULL,
  user_id     TEXT    NOT NULL,
  created_ms  BIGINT  NOT NULL
);
CREATE INDEX rate_ledger_user  ON rate_ledger (guild_id, user_id, created_ms);
CREATE INDEX rate_ledger_guild ON rate_ledger (guild_id, created_ms);

CREATE TABLE guild_settings (
  guild_id               TEXT    PRIMARY KEY,
  enabled                INTEGER CHECK (enabled IN (0, 1)),
  per_user_per_hour      INTEGER,
  per_user_per_day       INTEGER,
  per_user_concurrent    INTEGER,
  guild_per_day          INTEGER,
  max_driving_seconds    DOUBLE PRECISION,
  max_upload_bytes       BIGINT,
  visibility             TEXT    CHECK (visibility IN ('public','requester')),
  retention_days         INTEGER,
  consent_epoch_ms       BIGINT,
  updated_ms             BIGINT  NOT NULL,
  updated_by             TEXT    NOT NULL
);

CREATE TABLE channel_rules (
  guild_id    TEXT    NOT NULL,
  channel_id  TEXT    NOT NULL,
  rule        TEXT    NOT NULL CHECK (rule IN ('allow','block')),
  PRIMARY KEY (guild_id, channel_id)
);

CREATE TABLE users (
  user_id        TEXT    PRIMARY KEY,
  consent        TEXT    CHECK (consent IN ('accepted','declined')),
  consent_ms     BIGINT,
  first_seen_ms  BIGINT  NOT NULL,
  last_seen_ms   BIGINT  NOT NULL
);

CREATE TABLE audit_log (
  id          BIGINT  GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
  at_ms       BIGINT  NOT NULL,
  guild_id    TEXT    NOT NULL,
  actor_id    TEXT    NOT NULL,
  action      TEXT    NOT NULL,
  target_id   TEXT,
  detail_json TEXT    NOT NULL DEFAULT '{}'
);
CREATE INDEX audit_log_guild ON audit_log (guild_id, id);

CREATE TABLE intakes (
  interaction_id  TEXT    PRIMARY KEY,
  user_id         TEXT    NOT NULL,
  guild_id        TEXT    NOT NULL,
  channel_id      TEXT    NOT NULL,
  token           TEXT    NOT NULL,
  expires_ms      BIGINT  NOT NULL,
  created_ms      BIGINT  NOT NULL
);

CREATE TABLE consent_waits (
  interaction_id  TEXT    PRIMARY KEY,
  user_id         TEXT    NOT NULL,
  guild_id        TEXT    NOT NULL,
  token           TEXT    NOT NULL,
  expires_ms      BIGINT  NOT NULL,
  created_ms      BIGINT  NOT NULL
);
`;
