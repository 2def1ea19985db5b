import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { PostgresDatabase } from '../../src/store/sql/postgres.js';
import { DatabaseUnreachableError, isConnectionFailure, retryDelayMs, whileUnreachable } from '../../src/store/sql/unreachable.js';
import { ownPostgres, skipUnlessPostgres, type OwnPostgres } from '../support/postgres.js';

/**
 * A database briefly away costs a wait, not the work: what certainly did not take effect is tried again while the
 * server is unreachable (up to a budget), what may have taken effect is not. The rules alone, then against a real
 * PostgreSQL server that is stopped, restarted, and whose connections are terminated mid-transaction.
 */
describe('which failures mean the database is unreachable', () => {
  const withCode = (code: string) => Object.assign(new Error('x'), { code });
  it.each([
    ['a refused connection', withCode('ECONNREFUSED'), true],
    ['a reset connection', withCode('ECONNRESET'), true],
    ['an unknown host', withCode('ENOTFOUND'), true],
    ['the server shutting down (57P01)', withCode('57P01'), true],
    ['the server starting up (57P03)', withCode('57P03'), true],
    ['a connection exception (08006)', withCode('08006'), true],
    ['node-postgres: connection terminated', new Error('Connection terminated unexpectedly'), true],
    ['wrapped as the cause of another error', new Error('put failed', { cause: withCode('ECONNREFUSED') }), true],
    ['every address of a host refused', new AggregateError([withCode('ECONNREFUSED'), withCode('ECONNREFUSED')]), true],
    ['a unique violation (23505)', withCode('23505'), false],
    ['a wrong password (28P01)', withCode('28P01'), false],
    ['a serialization failure (40001)', withCode('40001'), false],
    ['a plain error', new Error('no such job'), false],
    ['not an error', 'ECONNREFUSED', false],
  ])('GIVEN %s THEN %s', (_what, error, expected) => {
    expect(isConnectionFailure(error)).toBe(expected);
  });

  it('GIVEN retries THEN the wait doubles from 200 ms and stays at 2 s', () => {
    expect([1, 2, 3, 4, 5, 6, 20].map(retryDelayMs)).toEqual([200, 400, 800, 1600, 2000, 2000, 2000]);
  });
});

describe('whileUnreachable', () => {
  /** A clock that sleeping moves forward. */
  const fakeTime = () => {
    let t = 0;
    return { now: () => t, sleep: async (ms: number) => void (t += ms) };
  };
  const refused = Object.assign(new Error('connect ECONNREFUSED'), { code: 'ECONNREFUSED' });

  it('GIVEN failures that stop within the budget THEN the work succeeds', async () => {
    let tries = 0;
    const result = await whileUnreachable(
      async () => {
        if (++tries < 4) throw refused;
        return 'done';
      },
      { budgetMs: 30_000, retryable: isConnectionFailure, ...fakeTime() },
    );
    expect({ result, tries }).toEqual({ result: 'done', tries: 4 });
  });

  it('GIVEN failures past the budget THEN DatabaseUnreachableError, the last failure its cause, having waited no longer', async () => {
    const time = fakeTime();
    const error = await whileUnreachable(
      async () => {
        throw refused;
      },
      { budgetMs: 5000, retryable: isConnectionFailure, ...time },
    ).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(DatabaseUnreachableError);
    expect((error as DatabaseUnreachableError).cause).toBe(refused);
    expect(time.now()).toBeLessThanOrEqual(5000);
    expect((error as Error).message).toMatch(/could not be reached for \d+ s: connect ECONNREFUSED/);
  });

  it('GIVEN a failure that is not retryable THEN it is thrown as is, at once', async () => {
    let tries = 0;
    const notFound = new Error('no such job');
    await expect(
      whileUnreachable(
        async () => {
          tries++;
          throw notFound;
        },
        { budgetMs: 30_000, retryable: isConnectionFailure, ...fakeTime() },
      ),
    ).rejects.toBe(notFound);
    expect(tries).toBe(1);
  });
});

const noPostgres = skipUnlessPostgres();

describe.skipIf(noPostgres)('a PostgreSQL server that goes away', () => {
  let server: OwnPostgres;
  let url: string;
  const opened: PostgresDatabase[] = [];
  const open = (unreachableRetryMs: number) => {
    const db = PostgresDatabase.open(url, { unreachableRetryMs });
    opened.push(db);
    return db;
  };

  beforeAll(async () => {
    server = await ownPostgres();
    url = await server.database();
    const db = open(0);
    await db.run('CREATE TABLE t (id INTEGER PRIMARY KEY, tries INTEGER NOT NULL)');
  }, 60_000);
  afterAll(async () => {
    for (const db of opened) await db.close().catch(() => undefined);
  });

  it('GIVEN a write sent while the server is down THEN it waits, and commits once the server is back', async () => {
    const db = open(30_000);
    await db.value('SELECT 1'); // a pooled connection, which the restart breaks
    await server.stop('immediate');
    let tries = 0;
    const writing = db.write(['t'], async (tx) => {
      tries++;
      await tx.run('INSERT INTO t (id, tries) VALUES (1, ?)', [tries]);
      return 'written';
    });
    await new Promise((r) => setTimeout(r, 1500));
    await server.start();
    await expect(writing).resolves.toBe('written');
    expect(await db.all('SELECT id, tries FROM t WHERE id = 1')).toEqual([{ id: 1, tries }]);
  }, 60_000);

  it('GIVEN its connection terminated mid-transaction THEN the transaction is run again, and its row is there once', async () => {
    const db = open(30_000);
    let tries = 0;
    await db.write(['t'], async (tx) => {
      tries++;
      await tx.run('INSERT INTO t (id, tries) VALUES (2, ?)', [tries]);
      // The first try's connection is cut after its insert and before COMMIT: the server rolls the insert back.
      if (tries === 1) await tx.run('SELECT pg_terminate_backend(pg_backend_pid())');
    });
    expect(tries).toBe(2);
    expect(await db.all('SELECT id, tries FROM t WHERE id = 2')).toEqual([{ id: 2, tries: 2 }]);
  }, 60_000);

  it('GIVEN a single write whose connection is cut THEN it is not sent again (it may have run): the failure is thrown', async () => {
    const db = open(30_000);
    const error = await db.run('DO $$ BEGIN PERFORM pg_terminate_backend(pg_backend_pid()); END $$').catch((e: unknown) => e);
    expect(isConnectionFailure(error)).toBe(true);
    expect(error).not.toBeInstanceOf(DatabaseUnreachableError);
  }, 60_000);

  it('GIVEN the connection cut during COMMIT THEN an idempotent write is run again (committed once); any other write fails, not resent', async () => {
    const db = open(30_000);
    // A deferred constraint trigger runs at COMMIT: on a row's first try it ends its own session there, so the
    // COMMIT is sent and never answered (the server rolls it back) — what a restart mid-COMMIT does.
    await db.run(`CREATE TABLE c (id INTEGER PRIMARY KEY, tries INTEGER NOT NULL)`);
    await db.run(`CREATE FUNCTION cut_at_commit() RETURNS trigger LANGUAGE plpgsql AS $$
      BEGIN IF NEW.tries = 1 THEN PERFORM pg_terminate_backend(pg_backend_pid()); END IF; RETURN NEW; END $$`);
    await db.run(`CREATE CONSTRAINT TRIGGER cut AFTER INSERT ON c DEFERRABLE INITIALLY DEFERRED FOR EACH ROW EXECUTE FUNCTION cut_at_commit()`);
    const insert = (id: number, idempotent: boolean) => {
      let tries = 0;
      const done = db.write(['c'], async (tx) => void (await tx.run('INSERT INTO c (id, tries) VALUES (?, ?)', [id, ++tries])), { idempotent });
      return { done, tries: () => tries };
    };
    const idempotent = insert(1, true);
    await idempotent.done;
    expect(idempotent.tries()).toBe(2);
    const plain = insert(2, false);
    const error = await plain.done.catch((e: unknown) => e);
    expect(isConnectionFailure(error)).toBe(true);
    expect(plain.tries()).toBe(1);
    expect(await db.all('SELECT id, tries FROM c ORDER BY id')).toEqual([{ id: 1, tries: 2 }]);
  }, 60_000);

  it('GIVEN the server down for longer than the budget THEN DatabaseUnreachableError after about the budget, naming the cause', async () => {
    const db = open(1500);
    await server.stop('fast');
    try {
      const started = Date.now();
      const error = await db.write(['t'], async (tx) => tx.run('INSERT INTO t (id, tries) VALUES (3, 1)')).catch((e: unknown) => e);
      expect(error).toBeInstanceOf(DatabaseUnreachableError);
      expect((error as Error).message).toMatch(/could not be reached for \d+ s: .*ECONNREFUSED/);
      expect(Date.now() - started).toBeGreaterThanOrEqual(1000);
    } finally {
      await server.start();
    }
    expect(await open(0).all('SELECT id FROM t WHERE id = 3')).toEqual([]);
  }, 60_000);
});
