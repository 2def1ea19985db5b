/** The pure parts of /history: what the page and the delete question look like and that they stay within Discord's limits. */
import { describe, expect, it } from 'vitest';
import { HISTORY_PAGE_SIZE, deleteConfirmView, entryStatus, historyView } from '../../src/bot/history/view.js';
import { newJobId, type Job } from '../../src/store/index.js';

const T = Date.UTC(2025, 5, 1, 12);

function job(over: Partial<Job> = {}): Job {
  return {
    id: newJobId(T),
    state: 'succeeded',
    userId: 'u',
    guildId: 'g',
    channelId: 'c',
    interactionId: null,
    interactionCreatedMs: null,
    source: { path: '/data/jobs/x/photo.png', sha256: 'a'.repeat(64), bytes: 1 },
    driving: { path: '/data/jobs/x/driving.mp4', sha256: 'b'.repeat(64), bytes: 1, seconds: 2 },
    model: 'default',
    options: { mode: 'relative', bestFrame: 'off' },
    visibility: 'requester',
    attachmentLimitBytes: null,
    attempts: 1,
    maxAttempts: 3,
    lastError: null,
    failure: null,
    runAfterMs: 0,
    leaseOwner: null,
    leaseExpiresMs: null,
    progress: null,
    cancelRequestedMs: null,
    createdMs: T,
    firstStartedMs: T,
    startedMs: T,
    finishedMs: T,
    updatedMs: T,
    output: { path: '/data/jobs/x/result.mp4', bytes: 10, durationMs: 2000, notes: [] },
    delivery: 'interaction',
    deliveryVia: 'interaction',
    deliveryAttempts: 1,
    deliveryStartedMs: T,
    deliveredMs: T,
    deliveryMessageId: '1',
    deliveryError: null,
    expiredMs: null,
    ...over,
  };
}

function buttons(view: ReturnType<typeof historyView>) {
  return view.components.flatMap((r) => r.components as Array<{ custom_id: string; label: string }>);
}

describe('/history page', () => {
  it('GIVEN a full page with more on both sides THEN at most 5 rows of at most 5 buttons, unique ids, and one embed within limits', () => {
    const items = Array.from({ length: HISTORY_PAGE_SIZE }, () =>
      job({ failure: { reason: { code: 'input', message: `${'X'.repeat(2999)}.` }, afterRetries: false }, state: 'failed', output: null }),
    );
    const view = historyView({ items, older: 'h5', newer: 'h9' }, { inGuild: true, canPost: true, page: null });
    expect(view.components.length).toBeLessThanOrEqual(5);
    for (const row of view.components) expect(row.components.length).toBeLessThanOrEqual(5);
    const ids = buttons(view).map((b) => b.custom_id);
    expect(new Set(ids).size).toBe(ids.length);
    expect(ids.slice(-2)).toEqual(['history:page:h9:newer', 'history:page:h5:older']);
    expect(view.embeds[0]!.description!.length).toBeLessThanOrEqual(4096);
  });

  it('GIVEN entries THEN each says date, model, mode, length and status', () => {
    const view = historyView(
      {
        items: [
          job({ options: { mode: 'absolute', bestFrame: 'auto' } }),
          job({ state: 'failed', output: null, attempts: 3, failure: { reason: { code: 'worker-lost' }, afterRetries: true } }),
          job({ expiredMs: T }),
        ],
        older: null,
        newer: null,
      },
      { inGuild: true, canPost: false, page: null },
    );
    const text = view.embeds[0]!.description!;
    expect(text).toContain(`**1.** <t:${T / 1000}:f> · default · absolute, best frame · 2.0 s\n✅ Delivered`);
    expect(text).toContain('❌ Failed after 3 attempts: the bot stopped while making it.');
    expect(text).toContain('⌛ Expired');
    const labels = buttons(view).map((b) => b.label);
    expect(labels).toEqual(['#1 Show (only you)', '#1 Delete', '#2 Delete', '#3 Delete']);
  });

  it('GIVEN a running job THEN it has neither Show nor Delete', () => {
    const view = historyView(
      { items: [job({ state: 'running', output: null, delivery: 'pending' })], older: null, newer: null },
      { inGuild: true, canPost: true, page: null },
    );
    expect(view.components).toEqual([]);
    expect(entryStatus(job({ state: 'queued', output: null, delivery: 'pending' }))).toMatch(/queue/);
    expect(entryStatus(job({ delivery: 'failed' }))).toMatch(/use Show/);
  });

  it('GIVEN a result delivered in the channel THEN a public one was posted there, a private one only announced (Show it)', () => {
    expect(entryStatus(job({ visibility: 'public', delivery: 'channel' }))).toBe('✅ Delivered');
    expect(entryStatus(job({ visibility: 'requester', delivery: 'channel' }))).toBe(
      '✅ Ready (private here, so the channel only got a notice): use Show to see it',
    );
  });

  it('GIVEN no entries THEN a sentence and no buttons', () => {
    const view = historyView({ items: [], older: null, newer: null }, { inGuild: true, canPost: true, page: null });
    expect(view).toEqual({ content: expect.stringMatching(/Make one with \/animate/), embeds: [], components: [] });
  });

  it('GIVEN Delete THEN the question names the animation, and Keep it returns to the same page', () => {
    const j = job();
    const view = deleteConfirmView(j, { cursor: 'h7', direction: 'older' });
    expect(view.content).toMatch(/^Delete your animation from <t:\d+:f> \(default, relative, 2\.0 s\)\?/);
    expect(buttons(view).map((b) => b.custom_id)).toEqual([`history:delete-yes:${j.id}:h7:older`, 'history:page:h7:older']);
  });
});
