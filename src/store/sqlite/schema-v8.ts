/**
 * Schema version 8: the workers that run jobs — the bot's own worker threads and `marionette worker`
 * processes on this or other hosts — each with what it can run (models, devices), its heartbeat, the jobs it
 * holds now and what it has done, so operators and moderators can see them (`marionette status`). A row is
 * the worker's own: written at its start and by its heartbeats, marked stopped when it stops.
 */
export const SCHEMA_V8 = `
CREATE TABLE workers (
  worker_id          TEXT    PRIMARY KEY,
  host               TEXT    NOT NULL,
  pid                INTEGER NOT NULL,
  kind               TEXT    NOT NULL CHECK (kind IN ('bot', 'worker')),
  models_json        TEXT    NOT NULL DEFAULT '[]',
  devices_json       TEXT    NOT NULL DEFAULT '[]',
  slots              INTEGER NOT NULL,
  started_ms         INTEGER NOT NULL,
  heartbeat_ms       INTEGER NOT NULL,
  current_jobs_json  TEXT    NOT NULL DEFAULT '[]',
  jobs_done          INTEGER NOT NULL DEFAULT 0,
  jobs_failed        INTEGER NOT NULL DEFAULT 0,
  busy_ms            INTEGER NOT NULL DEFAULT 0,
  stopped_ms         INTEGER
);
`;
