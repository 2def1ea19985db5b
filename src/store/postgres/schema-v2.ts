/** PostgreSQL schema version 2: the workers table (as SQLite's version 8; see ../schema-v8.ts). */
export const PG_SCHEMA_V2 = `
CREATE TABLE workers (
  worker_id          TEXT    PRIMARY KEY,
  host               TEXT    NOT NULL,
  pid                INTEGER NOT NULL,
  kind               TEXT    NOT NULL CHECK (kind IN ('bot', 'worker')),
  models_json        TEXT    NOT NULL DEFAULT '[]',
  devices_json       TEXT    NOT NULL DEFAULT '[]',
  slots              INTEGER NOT NULL,
  started_ms         BIGINT  NOT NULL,
  heartbeat_ms       BIGINT  NOT NULL,
  current_jobs_json  TEXT    NOT NULL DEFAULT '[]',
  jobs_done          INTEGER NOT NULL DEFAULT 0,
  jobs_failed        INTEGER NOT NULL DEFAULT 0,
  busy_ms            BIGINT  NOT NULL DEFAULT 0,
  stopped_ms         BIGINT
);
`;
