import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import Database from 'better-sqlite3';
import { describe, expect, it } from 'vitest';
import { MINUTE_MS } from '../../src/store/index.js';
import { enqueueOk, fixture, ON_POSTGRES, output, T0 } from './helpers.js';

const TOKEN = 'aW50ZXJhY3Rpb24.SECRET-TOKEN-DO-NOT-LEAK';

describe('delivery and secrets', () => {
  it(
    'GIVEN a job with an interaction token THEN the token stays out of the job, is handed out until delivery, ' + 'and the job is delivered exactly once',
    async () => {
      const { store, clock } = await fixture();
      const job = await enqueueOk(store, { interaction: { id: 'i1', token: TOKEN, createdMs: T0 } });
      expect(JSON.stringify(job)).not.toContain(TOKEN);
      expect(await store.interactionToken(job.id)).toBe(TOKEN);
      expect(await store.beginDelivery(job.id, 'interaction')).toEqual({ ok: false, reason: 'not-finished' });
      const c = (await store.claimNext('w'))!;
      await store.complete(job.id, c.leaseId, output(store, job.id));
      expect((await store.pendingDeliveries()).tasks).toMatchObject([{ job: { id: job.id }, inDoubt: false, tokenUsable: true }]);
      const start = await store.beginDelivery(job.id, 'interaction');
      expect(start).toMatchObject({ ok: true, nonce: job.id, token: TOKEN, job: { delivery: 'delivering', deliveryAttempts: 1 } });
      // the process dies here; after a restart the delivery is in doubt
      expect((await store.pendingDeliveries()).tasks).toMatchObject([{ inDoubt: true }]);
      const delivered = await store.markDelivered(job.id, 'interaction', 'm1');
      expect(delivered).toMatchObject({ delivery: 'interaction', deliveryMessageId: 'm1', deliveredMs: clock.now() });
      expect(await store.interactionToken(job.id)).toBeNull(); // cleared once delivered
      expect((await store.pendingDeliveries()).tasks).toEqual([]);
      await expect(store.beginDelivery(job.id, 'channel')).rejects.toThrow(/Illegal delivery transition/);
      await expect(store.markDelivered(job.id, 'dm', 'm2')).rejects.toThrow(/Illegal delivery transition/);
    },
  );

  it(
    'GIVEN an expired token THEN delivery falls back to the channel or a DM, an undeliverable job is recorded, ' + 'and the sweep clears expired tokens',
    async () => {
      const { store, clock } = await fixture();
      const job = await enqueueOk(store, { interaction: { id: 'i1', token: TOKEN, createdMs: T0 } });
      clock.advance(15 * MINUTE_MS - 30_000); // inside the safety margin
      expect(await store.interactionToken(job.id)).toBeNull();
      const c = (await store.claimNext('w'))!;
      await store.fail(job.id, c.leaseId, { error: 'bad input', reason: { code: 'input', message: 'The video has no frames.' }, retryable: false });
      expect((await store.pendingDeliveries()).tasks).toMatchObject([{ tokenUsable: false, job: { state: 'failed' } }]);
      expect(await store.beginDelivery(job.id, 'interaction')).toEqual({ ok: false, reason: 'token-expired' });
      expect(await store.beginDelivery(job.id, 'channel')).toMatchObject({ ok: true, token: null });
      expect(await store.beginDelivery(job.id, 'dm')).toMatchObject({ ok: true, job: { deliveryVia: 'dm', deliveryAttempts: 2 } });
      expect(await store.markDeliveryFailed(job.id, 'DMs closed')).toMatchObject({ delivery: 'failed', deliveryError: 'DMs closed' });
      clock.advance(MINUTE_MS);
      expect((await store.sweep()).tokensCleared).toBe(0); // already deleted when delivery ended
      const other = await enqueueOk(store, { userId: 'u2', interaction: { id: 'i2', token: TOKEN, createdMs: clock.now() } });
      clock.advance(16 * MINUTE_MS);
      expect((await store.sweep()).tokensCleared).toBe(1);
      expect(await store.sql.value('SELECT COUNT(*) FROM interaction_tokens')).toBe(0);
      expect((await store.getJob(other.id))!.state).toBe('queued');
    },
  );

  it.skipIf(ON_POSTGRES)('GIVEN a delivered job THEN its cleared token leaves no trace in the database file or its -wal file (secure_delete)', async () => {
    const { store } = await fixture();
    const job = await enqueueOk(store, { interaction: { id: 'i1', token: TOKEN, createdMs: T0 } });
    const c = (await store.claimNext('w'))!;
    await store.complete(job.id, c.leaseId, output(store, job.id));
    store.db.pragma('wal_checkpoint(TRUNCATE)');
    expect(readFileSync(store.file).includes(Buffer.from(TOKEN))).toBe(true);
    await store.beginDelivery(job.id, 'interaction');
    await store.markDelivered(job.id, 'interaction', 'm1');
    store.db.pragma('wal_checkpoint(TRUNCATE)');
    expect(readFileSync(store.file).includes(Buffer.from(TOKEN))).toBe(false);
    expect(readFileSync(`${store.file}-wal`).includes(Buffer.from(TOKEN))).toBe(false);
  });

  it('GIVEN a stored token THEN exported dumps and database copies hold none, a copy never overwrites a file, and the live database keeps it', async () => {
    const { store, dir } = await fixture();
    const job = await enqueueOk(store, { interaction: { id: 'i1', token: TOKEN, createdMs: T0 } });
    await store.updateGuildSettings('g1', { retentionDays: 3 }, 'mod');
    const dump = await store.exportRedacted('g1');
    expect(dump.jobs.map((j) => j.id)).toEqual([job.id]);
    expect(dump.settings[0]).toMatchObject({ guildId: 'g1', retentionDays: 3 });
    expect(dump.audit).toHaveLength(1);
    expect(JSON.stringify(dump)).not.toContain(TOKEN);
    expect(JSON.stringify(await store.exportRedacted())).not.toContain(TOKEN);
    expect(await store.interactionToken(job.id)).toBe(TOKEN); // the live database keeps it
    if (ON_POSTGRES) return; // the redacted copy below is a SQLite file
    const copy = join(dir, 'redacted.sqlite');
    store.writeRedactedCopy(copy);
    expect(readFileSync(copy).includes(Buffer.from(TOKEN))).toBe(false);
    expect(readdirSync(dir).filter((f) => f.startsWith('redacted.sqlite'))).toEqual(['redacted.sqlite']);
    const db = new Database(copy, { readonly: true });
    expect(db.prepare('SELECT COUNT(*) FROM jobs').pluck().get()).toBe(1);
    expect(db.prepare('SELECT COUNT(*) FROM interaction_tokens').pluck().get()).toBe(0);
    db.close();
    expect(() => store.writeRedactedCopy(copy)).toThrow(/overwrite/);
    expect(await store.interactionToken(job.id)).toBe(TOKEN); // the live database keeps it
  });
});
