import { existsSync } from 'node:fs';
import type { APIMessage } from 'discord.js';
import { afterAll, afterEach, beforeAll, describe, expect, it, vi } from 'vitest';
import { DISCLAIMER } from '../../src/bot/messages/bot.js';
import { DAY_MS, ManualClock, Store, type Job } from '../../src/store/index.js';
import { BotWorld, bodyField } from '../support/bot-world.js';
import type { FakeInteraction, FakeUser } from '../support/fake-discord/index.js';
import { seedJob, type SeedJob } from '../support/seed-jobs.js';
import { inOrder, range } from '../support/in-order.js';

/**
 * /history through the fake Discord with the real bot: paging with stable
 * cursors, Show (only me / in the channel) with the disclaimer, Delete with a
 * confirmation that removes the files, expired entries, ownership checks on
 * crafted clicks, and buttons that still work after the bot restarts.
 */
let world: BotWorld;
const EPHEMERAL = 1 << 6;

beforeAll(async () => {
  world = await BotWorld.create({
    discord: {
      guilds: [
        { name: 'Puppets', channels: [{ name: 'general' }] },
        { name: 'Elsewhere', channels: [{ name: 'lobby' }] },
      ],
    },
  });
  await world.startBot();
  for (const g of world.discord.guilds) {
    await world.store.updateGuildSettings(g.id, { perUserPerHour: 100, perUserPerDay: 1000, perUserConcurrent: 10 }, 'moderator');
  }
});
afterAll(() => world.close());
afterEach(() => world.discord.assertNoViolations());

const guild = () => world.discord.guilds[0]!;
const otherGuild = () => world.discord.guilds[1]!;

function seed(user: FakeUser, over: Partial<SeedJob> = {}): Promise<Job> {
  return seedJob(world.store, { userId: user.id, guildId: guild().id, channelId: guild().channels[0]!.id, ...over });
}

async function openHistory(user: FakeUser, where: { guildId?: string | null } = {}): Promise<FakeInteraction> {
  const h = await world.discord.slashCommand({ name: 'history', user, ...where });
  await h.waitForAck();
  return h;
}

const current = (h: FakeInteraction): APIMessage => world.discord.message(h.originalMessageId!)!;

function buttonIds(message: APIMessage): string[] {
  return (message.components ?? [])
    .flatMap((row) => ('components' in row ? (row.components as Array<{ custom_id?: string }>) : []))
    .map((b) => b.custom_id ?? '');
}

/** The job ids a page offers Delete for, in order (one per entry that is not running). */
const listed = (message: APIMessage) =>
  buttonIds(message)
    .filter((id) => id.startsWith('history:delete:'))
    .map((id) => id.split(':')[2]);
const navId = (message: APIMessage, direction: 'older' | 'newer') =>
  buttonIds(message).find((id) => id.startsWith('history:page:') && id.endsWith(`:${direction}`));

async function click(message: APIMessage, customId: string, user: FakeUser): Promise<FakeInteraction> {
  const c = await world.discord.clickButton({ message, customId, user });
  await c.waitForAck();
  return c;
}

/** What the bot answered a click with, when it answered with a new message (type 4). */
async function replyText(c: FakeInteraction): Promise<string> {
  const r = await world.discord.waitForRequest((q) => q.operationId === 'create_interaction_response' && q.params['interaction_id'] === c.id);
  return String(bodyField({ json: bodyField(r, 'data') }, 'content'));
}

/** The message a Show click produced (deferred, then edited with the clip). */
async function shownClip(c: FakeInteraction) {
  const edit = await world.discord.waitForRequest(
    (q) => q.operationId === 'update_original_webhook_message' && q.params['webhook_token'] === c.token && q.files.length > 0,
  );
  return { edit, message: c.originalMessage()! };
}

describe('/history', () => {
  it(
    'GIVEN six generations THEN the newest four come first with date, model, mode, length and status; ▶ shows the rest, ◀ comes back, and ' +
      'new jobs do not shift the pages',
    async () => {
      const user = world.discord.addUser({ username: 'pager' });
      const jobs = await inOrder(range(6), async (_, i) =>
        seed(user, i % 2 === 0 ? { outcome: 'failed', failure: `No face was found in photo ${i}.`, seconds: i + 1 } : { seconds: i + 1, mode: 'absolute' }),
      );
      const h = await openHistory(user);
      const first = current(h);
      expect(first.flags! & EPHEMERAL).toBe(EPHEMERAL);
      expect(listed(first)).toEqual([jobs[5]!.id, jobs[4]!.id, jobs[3]!.id, jobs[2]!.id]);
      const text = first.embeds[0]!.description!;
      expect(text).toMatch(new RegExp(`\\*\\*1\\.\\*\\* <t:${Math.floor(jobs[5]!.createdMs / 1000)}:f> · default · absolute · 6\\.0 s\\n✅ Delivered`));
      expect(text).toContain('**2.**');
      expect(text).toContain('❌ Failed: No face was found in photo 4.');
      expect(first.embeds[0]!.title).toBe('Your animations in this server');
      expect(navId(first, 'newer')).toBeUndefined();

      await seed(user); // a new job arrives while the member is reading
      await click(first, navId(first, 'older')!, user);
      const second = current(h);
      expect(listed(second)).toEqual([jobs[1]!.id, jobs[0]!.id]);
      expect(second.embeds[0]!.description).toContain('❌ Failed: No face was found in photo 0.');
      expect(navId(second, 'older')).toBeUndefined();

      await click(second, navId(second, 'newer')!, user);
      expect(listed(current(h))).toEqual([jobs[5]!.id, jobs[4]!.id, jobs[3]!.id, jobs[2]!.id]);
    },
  );

  it('GIVEN no generations THEN one sentence and no buttons', async () => {
    const h = await openHistory(world.discord.addUser({ username: 'newbie' }));
    expect(current(h).content).toBe('You have no animations in this server (none made yet, or all deleted). Make one with /animate.');
    expect(current(h).components).toEqual([]);
  });

  it('GIVEN jobs in two servers THEN /history in a server lists that server’s, and in DMs every server’s', async () => {
    const user = world.discord.addUser({ username: 'traveller' });
    const here = await seed(user);
    const there = await seedJob(world.store, { userId: user.id, guildId: otherGuild().id, channelId: otherGuild().channels[0]!.id });
    expect(listed(current(await openHistory(user)))).toEqual([here.id]);
    const dm = current(await openHistory(user, { guildId: null }));
    expect(listed(dm)).toEqual([there.id, here.id]);
    expect(dm.embeds[0]!.title).toBe('Your animations in every server');
    expect(buttonIds(dm).some((id) => id.endsWith(':channel'))).toBe(false);
  });
});

describe('Show', () => {
  it(
    'GIVEN a real animation THEN Show re-sends the same clip only to its owner, with the disclaimer; with private results there ' + 'is no Post button',
    async () => {
      const user = await world.member('shower');
      const cmd = await world.discord.slashCommand({ name: 'animate', user, options: { photo: await world.photo(), video: await world.video() } });
      await cmd.waitForAck();
      const delivered = await world.discord.waitForRequest(
        (r) => r.operationId === 'execute_webhook' && r.params['webhook_token'] === cmd.token && r.files.length > 0,
        { timeout: 60_000 },
      );
      await vi.waitFor(async () => expect((await world.store.history(user.id)).items[0]?.delivery).toBe('interaction'));
      const job = (await world.store.history(user.id)).items[0]!;

      const page = current(await openHistory(user));
      expect(buttonIds(page)).toEqual([`history:show:${job.id}:me`, `history:delete:${job.id}:latest`]);
      const c = await click(page, `history:show:${job.id}:me`, user);
      const { edit, message } = await shownClip(c);
      expect(edit.files[0]!.data.equals(delivered.files[0]!.data)).toBe(true);
      expect(edit.files[0]!.filename).toBe(`marionette-${job.id}.mp4`);
      expect(String(bodyField(edit, 'content'))).toContain(DISCLAIMER);
      expect(message.flags! & EPHEMERAL).toBe(EPHEMERAL);
    },
  );

  it(
    'GIVEN public results THEN Post in channel posts the clip for everyone with the disclaimer, pinging nobody; once results are private ' +
      'again the same button is refused',
    async () => {
      const user = world.discord.addUser({ username: 'poster' });
      const job = await seed(user);
      await world.store.updateGuildSettings(guild().id, { visibility: 'public' }, 'moderator');
      try {
        const page = current(await openHistory(user));
        const c = await click(page, `history:show:${job.id}:channel`, user);
        const { edit, message } = await shownClip(c);
        expect(message.flags! & EPHEMERAL).toBe(0);
        expect(message.channel_id).toBe(guild().channels[0]!.id);
        const content = String(bodyField(edit, 'content'));
        expect(content).toContain(DISCLAIMER);
        expect(content).toContain(`<@${user.id}> shared an animation`);
        expect(bodyField(edit, 'allowed_mentions')).toEqual({ parse: [] });

        await world.store.updateGuildSettings(guild().id, { visibility: 'requester' }, 'moderator');
        const again = await click(page, `history:show:${job.id}:channel`, user);
        expect(await replyText(again)).toBe(
          "This server keeps results private to the person who made them, so clips can't be posted in the channel. Use Show to see it yourself.",
        );
      } finally {
        await world.store.updateGuildSettings(guild().id, { visibility: 'requester' }, 'moderator');
      }
    },
  );
});

describe('ownership', () => {
  it('GIVEN someone else clicks crafted page, Show, Delete and Delete-it buttons THEN each is refused, nothing is sent, changed or deleted', async () => {
    const owner = world.discord.addUser({ username: 'owner' });
    const other = world.discord.addUser({ username: 'snoop' });
    const jobs = await inOrder(range(5), () => seed(owner));
    const h = await openHistory(owner);
    const page = current(h);
    const target = jobs[4]!;

    const clicks: FakeInteraction[] = [];
    const byOther = async (message: APIMessage, customId: string) => {
      const c = await click(message, customId, other);
      clicks.push(c);
      return replyText(c);
    };
    const notYours = "This isn't your history. Use /history to see your own animations.";
    expect(await byOther(page, navId(page, 'older')!)).toBe(notYours);
    expect(await byOther(page, `history:show:${target.id}:me`)).toBe("That animation isn't in your history here (it may have been deleted).");
    expect(await byOther(page, `history:delete:${target.id}:latest`)).toBe(notYours);
    expect(current(h)).toEqual(page);

    await click(page, `history:delete:${target.id}:latest`, owner); // the owner asks…
    const confirm = current(h);
    expect(await byOther(confirm, `history:delete-yes:${target.id}:latest`)).toBe(notYours);
    expect(await world.store.getJob(target.id)).not.toBeNull();
    expect(existsSync(world.store.jobDirectory(target.id))).toBe(true);
    await click(confirm, 'history:page:latest', owner); // …and keeps it
    expect(listed(current(h))).toEqual(listed(page));

    // Every crafted click got one ephemeral refusal and nothing else: no clip, no edit.
    for (const c of clicks) expect(c.followUps()).toHaveLength(0);
    const tokens = new Set(clicks.map((c) => c.token));
    expect(world.discord.requests.filter((r) => tokens.has(r.params['webhook_token'] ?? ''))).toHaveLength(0);
    const callbacks = world.discord.requests.filter((r) => clicks.some((c) => r.params['interaction_id'] === c.id));
    expect(callbacks.map((r) => [bodyField(r, 'type'), Number(bodyField({ json: bodyField(r, 'data') }, 'flags')) & EPHEMERAL])).toEqual(
      clicks.map(() => [4, EPHEMERAL]),
    );
  });
});

describe('Delete', () => {
  it('GIVEN Delete THEN it asks first; Delete it removes the row and every file, and the page is shown again without it', async () => {
    const user = world.discord.addUser({ username: 'tidy' });
    const keep = await seed(user);
    const gone = await seed(user);
    const dir = world.store.jobDirectory(gone.id);
    expect(existsSync(dir)).toBe(true);
    const h = await openHistory(user);
    await click(current(h), `history:delete:${gone.id}:latest`, user);
    const confirm = current(h);
    expect(confirm.content).toMatch(/^Delete your animation from <t:\d+:f> \(default, relative, 2\.0 s\)\? Its photo, video and result are deleted for good/);
    expect(confirm.embeds).toEqual([]);
    expect(await world.store.getJob(gone.id)).not.toBeNull();

    await click(confirm, `history:delete-yes:${gone.id}:latest`, user);
    expect(await world.store.getJob(gone.id)).toBeNull();
    expect(existsSync(dir)).toBe(false);
    const after = current(h);
    expect(after.content).toMatch(/^Deleted your animation from <t:\d+:f>, with 3 files\.$/);
    expect(listed(after)).toEqual([keep.id]);
  });

  it('GIVEN a queued animation deleted from /history THEN its status message says so, with no Cancel button left', async () => {
    const user = await world.member('impatient');
    const animate = async (frames: number) => {
      const cmd = await world.discord.slashCommand({
        name: 'animate',
        user,
        options: { photo: await world.photo(), video: await world.video('v.mp4', frames, 25) },
      });
      await cmd.waitForAck();
      return cmd;
    };
    const busy = await animate(300); // keeps the worker busy
    await vi.waitFor(() => expect(String(busy.originalMessage()?.content ?? '')).toMatch(/^Animating…/), { timeout: 30_000 });
    const waiting = await animate(20);
    await vi.waitFor(() => expect(String(waiting.originalMessage()?.content ?? '')).toMatch(/queued|next in line/), { timeout: 30_000 });
    const queued = (await world.store.history(user.id)).items.find((j) => j.state === 'queued')!;

    const h = await openHistory(user);
    await click(current(h), `history:delete:${queued.id}:latest`, user);
    await click(current(h), `history:delete-yes:${queued.id}:latest`, user);
    expect(await world.store.getJob(queued.id)).toBeNull();
    await vi.waitFor(() => expect(waiting.originalMessage()?.content).toBe('Deleted from your /history before it was made; nothing will be posted.'));
    expect(waiting.originalMessage()?.components ?? []).toEqual([]);

    const running = (await world.store.history(user.id)).items.find((j) => j.state === 'running');
    const cancel = running ? await click(busy.originalMessage()!, `job:cancel:${running.id}`, user) : null;
    if (cancel) await vi.waitFor(async () => expect((await world.store.getJob(running!.id))?.state).toBe('cancelled'), { timeout: 30_000 });
  });

  it('GIVEN an expired entry THEN it says so and has no Show, only Delete', async () => {
    const user = world.discord.addUser({ username: 'oldtimer' });
    const g = otherGuild();
    const job = await seedJob(world.store, { userId: user.id, guildId: g.id, channelId: g.channels[0]!.id });
    await world.store.updateGuildSettings(g.id, { retentionDays: 1 }, 'moderator');
    // A second connection whose clock is two days ahead runs the retention sweep (the first guild keeps 7 days).
    const later = await Store.open({ dataDir: world.dataDir, clock: new ManualClock(Date.now() + 2 * DAY_MS), recover: false });
    try {
      await later.sweep();
    } finally {
      await later.close();
    }
    expect((await world.store.getJob(job.id))?.expiredMs).not.toBeNull();
    const page = current(await openHistory(user, { guildId: g.id }));
    expect(page.embeds[0]!.description).toContain('⌛ Expired');
    expect(buttonIds(page)).toEqual([`history:delete:${job.id}:latest`]);
  });
});

describe('after a restart', () => {
  it('GIVEN a /history message from before the bot restarted THEN its ▶ and Show buttons still work', async () => {
    const user = world.discord.addUser({ username: 'patient' });
    const jobs = await inOrder(range(5), () => seed(user));
    const h = await openHistory(user);
    const before = current(h);

    const identifies = world.discord.identifies.length;
    await world.bot!.stop();
    await world.startBot();
    await world.discord.waitForReady({ identifies: identifies + 1 });

    await click(before, navId(before, 'older')!, user);
    expect(listed(current(h))).toEqual([jobs[0]!.id]);
    const c = await click(current(h), `history:show:${jobs[0]!.id}:me`, user);
    const { edit } = await shownClip(c);
    expect(String(bodyField(edit, 'content'))).toContain(DISCLAIMER);
  });
});
