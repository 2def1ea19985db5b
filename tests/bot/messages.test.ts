import { describe, expect, it } from 'vitest';
import { failureText } from '../../src/bot/messages/failures.js';
import { historyMessages } from '../../src/bot/messages/history.js';
import { refusalText, settingProblemText } from '../../src/bot/messages/refusals.js';
import { HOUR_MS } from '../../src/store/index.js';

/**
 * What members and moderators read when the store refuses something or a job fails: the store says it as data
 * (Refusal, SettingProblem, JobFailure), and these are the bot's words for it.
 */
const T0 = Date.UTC(2026, 0, 1);

describe('refusals', () => {
  it('GIVEN the hourly limit THEN the refusal says the limit and, as a Discord timestamp, when to try again', () => {
    expect(refusalText({ reason: 'rate-limit', limit: 'user-hour', max: 3, retryAtMs: T0 + HOUR_MS })).toBe(
      `You've reached this server's limit of 3 animations per hour. You can try again <t:${(T0 + HOUR_MS) / 1000}:R>.`,
    );
  });

  it("GIVEN the server's storage THEN full and would-pass say so differently, and how space frees up", () => {
    expect(refusalText({ reason: 'storage', usedBytes: 11 * 1024 ** 3, incomingBytes: 0, maxBytes: 10 * 1024 ** 3, retentionDays: 7 })).toBe(
      'This server has filled its 10 GB of storage on this bot. Space frees up as animations expire (7 days after they finish, ' +
        "the server's retention) or as members delete theirs with /history.",
    );
    expect(refusalText({ reason: 'storage', usedBytes: 9.9 * 1024 ** 3, incomingBytes: 200 * 1024 ** 2, maxBytes: 10 * 1024 ** 3, retentionDays: 1 })).toBe(
      'These files (200 MB) would take this server past its 10 GB of storage on this bot (9.9 GB used). Smaller files may fit; space frees up as animations ' +
        "expire (1 day after they finish, the server's retention) or as members delete theirs with /history.",
    );
  });

  it("GIVEN each problem with a moderator's settings THEN one sentence naming the setting and what it may be", () => {
    expect(
      [
        { problem: 'out-of-range', key: 'perUserPerHour', min: 1, max: 100 },
        { problem: 'out-of-range', key: 'retentionDays', min: 1, max: 90 },
        { problem: 'not-choice', key: 'visibility', choices: ['public', 'requester'] },
        { problem: 'not-boolean', key: 'enabled' },
        { problem: 'unknown', key: 'colour' },
        { problem: 'out-of-range', key: 'maxDrivingSeconds', min: 1, max: 60 },
        { problem: 'day-below-hour', day: 2, hour: 4 },
      ].map((p) => settingProblemText(p as Parameters<typeof settingProblemText>[0])),
    ).toEqual([
      'The hourly limit per member must be a whole number from 1 to 100.',
      'Retention (days) must be a whole number from 1 to 90.',
      'Result visibility must be one of: public, requester.',
      'Enabled must be on or off.',
      'There is no setting called "colour".',
      'The longest driving video (seconds) must be a whole number from 1 to 60.',
      "The daily limit per member (2) can't be lower than the hourly limit (4).",
    ]);
  });
});

describe('failures', () => {
  it.each([
    [
      { reason: { code: 'input', message: 'No face was found in the photo.' }, afterRetries: false },
      1,
      'Your animation failed. No face was found in the photo.',
    ],
    [
      { reason: { code: 'internal' }, afterRetries: true },
      2,
      'Your animation failed after 2 attempts: something went wrong on our side. You can send it again; like any animation, it ' +
        "counts toward this server's limits.",
    ],
    [
      { reason: { code: 'worker-lost' }, afterRetries: true },
      3,
      'Your animation failed after 3 attempts: the bot stopped while making it. You can send it again; like any animation, it ' +
        "counts toward this server's limits.",
    ],
    [{ reason: { code: 'disk-full' }, afterRetries: false }, 1, 'Your animation failed: the bot ran out of disk space.'],
    [
      { reason: { code: 'too-large-to-deliver', limitBytes: 10 * 1024 * 1024 }, afterRetries: false },
      1,
      "Your animation failed. The animation couldn't be made small enough for Discord's upload limit here (10.0 MB). Try a shorter video.",
    ],
    [{ reason: { code: 'legacy', message: 'Your animation failed: an old reason.' }, afterRetries: false }, 1, 'Your animation failed: an old reason.'],
  ] as const)('GIVEN %j after %i attempt(s) THEN the member reads one sentence saying why', (failure, attempts, text) => {
    expect(failureText(failure, attempts)).toBe(text);
  });

  it('GIVEN an expired job THEN /history says its files were deleted by retention', () => {
    expect(historyMessages.expired).toBe("This animation has expired: its files were deleted, as this server's retention setting requires.");
  });
});
