/**
 * Schema version 5: consent waits. Where a server's results are public, an
 * /animate from a member who has not yet accepted the terms leaves a line in
 * the channel ("Waiting for the member who asked…") while the terms wait for
 * them privately. That line is the command's reply, reachable only with its
 * interaction token; the waiting command itself is held in memory. A row here
 * lets the next process remove the line when a crash forgot the command.
 * It holds the token, a secret, like intakes: a row goes when the wait ends,
 * at the next start, or with the sweep once its token expired (a process that
 * stays down longer leaves it until then), and is never exported.
 */
export const SCHEMA_V5 = `
CREATE TABLE consent_waits (
  interaction_id  TEXT    PRIMARY KEY,
  user_id         TEXT    NOT NULL,
  guild_id        TEXT    NOT NULL,
  token           TEXT    NOT NULL,
  expires_ms      INTEGER NOT NULL,
  created_ms      INTEGER NOT NULL
);
`;
