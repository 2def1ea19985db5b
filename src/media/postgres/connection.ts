/**
 * Connections taken from the pool for more than one query (a transaction, a read). node-postgres reports a connection
 * that breaks (the server restarted, the network went) as an 'error' event on the client, even between queries; the
 * pool listens only while a client is idle, and an event nobody listens to would crash the process. So every client
 * taken here gets a listener; the break itself reaches the caller as the failure of the next query, and the client is
 * then released with the error (the pool discards it instead of lending it again).
 */
import type pg from 'pg';

const guarded = new WeakSet<pg.PoolClient>();

export async function checkout(pool: pg.Pool): Promise<pg.PoolClient> {
  const client = await pool.connect();
  if (!guarded.has(client)) {
    client.on('error', () => undefined);
    guarded.add(client);
  }
  return client;
}

/** Ends the transaction the client is in (ROLLBACK) and gives the client back, or discards it if its connection broke. */
export async function rollbackAndRelease(client: pg.PoolClient): Promise<void> {
  try {
    await client.query('ROLLBACK');
    client.release();
  } catch (e) {
    client.release(e as Error);
  }
}

/** Runs `fn` in a transaction on one connection: committed if it returns, rolled back if it throws. */
export async function inTransaction<T>(pool: pg.Pool, fn: (client: pg.PoolClient) => Promise<T>): Promise<T> {
  const client = await checkout(pool);
  let result: T;
  try {
    await client.query('BEGIN');
    result = await fn(client);
    await client.query('COMMIT');
  } catch (e) {
    await rollbackAndRelease(client);
    throw e;
  }
  client.release();
  return result;
}
