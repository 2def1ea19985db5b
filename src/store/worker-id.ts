/**
 * Worker identities, `<host>:<pid>:<nonce>`, so that at start-up the store can
 * tell that a lease belongs to a process on this host that no longer exists
 * (and recover its job at once instead of waiting for the lease to expire).
 */
import { randomBytes } from 'node:crypto';
import { hostname } from 'node:os';

const mine = new Set<string>();

export function newWorkerId(): string {
  const nonce = randomBytes(4).toString('hex');
  mine.add(nonce);
  return `${hostname()}:${process.pid}:${nonce}`;
}

function pidAlive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch (e) {
    return (e as NodeJS.ErrnoException).code === 'EPERM';
  }
}

/**
 * True when `owner` is a worker id of this host whose process is gone: its pid is
 * not running, or it is this process's pid (e.g. pid 1 in a container) with a
 * nonce this process never issued, i.e. a previous incarnation. Other hosts'
 * workers are never judged dead here; their leases expire instead.
 */
export function isLocalOwnerDead(owner: string): boolean {
  const parts = owner.split(':');
  if (parts.length < 3) return false;
  const nonce = parts.pop()!;
  const pid = Number(parts.pop());
  const host = parts.join(':');
  if (host !== hostname() || !Number.isSafeInteger(pid) || pid <= 0) return false;
  if (pid === process.pid) return !mine.has(nonce);
  return !pidAlive(pid);
}
