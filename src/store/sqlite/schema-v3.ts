/**
 * Schema version 3: an index for the queue's time estimate. It reads the most
 * recent successful jobs, and finished rows stay as history (tombstones after
 * retention), so without it every estimate — on each command, and every few
 * seconds while a queue position is shown — read and sorted all of them.
 */
export const SCHEMA_V3 = `
CREATE INDEX jobs_state_finish ON jobs (state, finished_ms);
`;
