/**
 * Schema version 2: intakes. An /animate command is acknowledged at once, but
 * becomes a job only after its attachments are downloaded and checked (seconds).
 * An intake row covers that gap: if the process dies meanwhile, the next start
 * finds it and tells the member to send the command again, instead of leaving
 * "thinking…" forever. It holds the interaction token, a secret, like
 * interaction_tokens; rows live for seconds and are never exported.
 */
export const SCHEMA_V2 = `
CREATE TABLE intakes (
  interaction_id  TEXT    PRIMARY KEY,
  user_id         TEXT    NOT NULL,
  guild_id        TEXT    NOT NULL,
  channel_id      TEXT    NOT NULL,
  token           TEXT    NOT NULL,
  expires_ms      INTEGER NOT NULL,
  created_ms      INTEGER NOT NULL
);
`;
