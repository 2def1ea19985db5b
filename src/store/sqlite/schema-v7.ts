/**
 * Schema version 7: what a finished clip's member should know about how it was made — the engine's framing notes
 * (no face found, so the photo was centred; the face lost for a stretch of the video…) as a JSON array of
 * `{ "code": … }` objects. Data, like `failure`: the bot words them (bot/messages/framing.ts).
 */
export const SCHEMA_V7 = `
ALTER TABLE jobs ADD COLUMN result_notes TEXT;
`;
