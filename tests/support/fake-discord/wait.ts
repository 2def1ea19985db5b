/**
 * A list of pending "wait until something matching shows up" promises with
 * timeouts: the recorder, the gateway and interactions all use one.
 */
export class Waiters<T> {
  readonly #pending = new Set<{ match: (value: T) => boolean; resolve: (value: T) => void }>();

  /** Resolves with the first value offered later that matches, or rejects after `timeoutMs` with `describe()`. */
  wait(match: (value: T) => boolean, timeoutMs: number, describe: () => string): Promise<T> {
    return new Promise<T>((resolve, reject) => {
      const entry = {
        match,
        resolve: (value: T) => {
          clearTimeout(timer);
          this.#pending.delete(entry);
          resolve(value);
        },
      };
      const timer = setTimeout(() => {
        this.#pending.delete(entry);
        reject(new Error(describe()));
      }, timeoutMs);
      this.#pending.add(entry);
    });
  }

  offer(value: T): void {
    for (const entry of [...this.#pending]) if (entry.match(value)) entry.resolve(value);
  }
}
