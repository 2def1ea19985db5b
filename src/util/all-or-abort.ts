/**
 * Runs tasks at once, like Promise.all, but when one fails the others are
 * aborted through their shared signal and waited for, so nothing is still
 * running (writing a file into a folder about to be removed, holding a
 * connection) when the first failure is thrown.
 */
export async function allOrAbort<T extends readonly unknown[]>(tasks: { readonly [K in keyof T]: (signal: AbortSignal) => Promise<T[K]> }): Promise<T> {
  const controller = new AbortController();
  let failure: { readonly error: unknown } | null = null;
  const running = tasks.map((task) =>
    task(controller.signal).catch((e: unknown) => {
      if (failure === null) {
        failure = { error: e };
        controller.abort();
      }
      throw e;
    }),
  );
  const settled = await Promise.allSettled(running);
  if (failure !== null) throw (failure as { readonly error: unknown }).error;
  return settled.map((s) => (s as PromiseFulfilledResult<unknown>).value) as unknown as T;
}
