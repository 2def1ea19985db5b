/** The PostgreSQL test harness itself (tests/support/postgres.ts): separate databases, restarts that keep data. */
import pg from 'pg';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ownPostgres, restartPostgres, skipUnlessPostgres, testDatabase, type OwnPostgres } from '../support/postgres.js';

const noPostgres = skipUnlessPostgres();

async function query<T extends pg.QueryResultRow>(url: string, sql: string, values: unknown[] = []): Promise<T[]> {
  const client = new pg.Client({ connectionString: url });
  await client.connect();
  try {
    return (await client.query<T>(sql, values)).rows;
  } finally {
    await client.end();
  }
}

describe.skipIf(noPostgres)('the shared test server', () => {
  it('gives each caller a fresh database of its own', async () => {
    const [a, b] = await Promise.all([testDatabase(), testDatabase()]);
    expect(a).not.toBe(b);
    expect(a).toMatch(/^postgres:\/\/marionette@127\.0\.0\.1:\d+\/test_/);
    await query(a, 'CREATE TABLE things (name text)');
    await query(a, "INSERT INTO things VALUES ('only in a')");
    const inB = await query<{ n: string }>(b, "SELECT count(*) AS n FROM pg_tables WHERE tablename = 'things'");
    expect(inB[0]?.n).toBe('0');
    expect(await query(a, 'SELECT name FROM things')).toEqual([{ name: 'only in a' }]);
  });

  it('is PostgreSQL 12 or newer, with UTF-8 databases', async () => {
    const rows = await query<{ v: number; enc: string }>(
      await testDatabase(),
      "SELECT current_setting('server_version_num')::int AS v, pg_encoding_to_char(encoding) AS enc FROM pg_database WHERE datname = current_database()",
    );
    expect(rows[0]?.v).toBeGreaterThanOrEqual(120000);
    expect(rows[0]?.enc).toBe('UTF8');
  });

  it('cannot be restarted from a test: other files use it at the same time', async () => {
    await expect(restartPostgres(await testDatabase())).rejects.toThrow(/only a server this test file started with ownPostgres/);
  });
});

describe.skipIf(noPostgres)("a test file's own server", () => {
  let server: OwnPostgres;
  let url: string;
  beforeAll(async () => {
    server = await ownPostgres({ settings: { max_connections: '50' } });
    url = await server.database();
    await query(url, 'CREATE TABLE kept (n int)');
  });
  afterAll(async () => {
    await server.stop();
  });

  it('takes the settings it was given', async () => {
    expect(await query(url, "SELECT current_setting('max_connections') AS v")).toEqual([{ v: '50' }]);
  });

  it.each(['fast', 'immediate'] as const)('keeps committed data across a %s restart, on the same URL', async (mode) => {
    await query(url, 'INSERT INTO kept VALUES ($1)', [mode === 'fast' ? 1 : 2]);
    const connected = new pg.Client({ connectionString: url });
    const lost = new Promise<Error>((resolve) => connected.on('error', resolve)); // an error, then maybe another as the socket closes
    await connected.connect();
    await restartPostgres(url, { mode, downMs: 200 });
    // The connection open during the restart is gone; new ones work, and the data is there.
    expect((await lost).message).toMatch(/terminat|connection|ECONNRESET|unexpected/i);
    await connected.end().catch(() => undefined);
    const rows = await query<{ n: number }>(url, 'SELECT n FROM kept ORDER BY n');
    expect(rows.map((r) => r.n)).toEqual(mode === 'fast' ? [1] : [1, 2]);
  });

  it('can be stopped and started again', async () => {
    await server.stop();
    await expect(query(url, 'SELECT 1')).rejects.toThrow(/ECONNREFUSED/);
    await server.start();
    expect(await query(url, 'SELECT count(*)::int AS n FROM kept')).toEqual([{ n: 2 }]);
  });
});
