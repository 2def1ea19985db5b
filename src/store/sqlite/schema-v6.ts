/**
 * Schema version 6: a failed job's reason is data, not a sentence. `failure` holds JSON
 * (`{"reason":{"code":…},"afterRetries":…}`, see failure.ts) and the bot words it; before, the store wrote
 * the member's sentence itself (`failure_message`). Failures recorded before keep their wording, as the
 * `legacy` reason.
 */
export const SCHEMA_V6 = `
ALTER TABLE jobs ADD COLUMN failure TEXT;
UPDATE jobs
   SET failure = json_object('reason', json_object('code', 'legacy', 'message', failure_message), 'afterRetries', json('false'))
 WHERE failure_message IS NOT NULL;
ALTER TABLE jobs DROP COLUMN failure_message;
`;
