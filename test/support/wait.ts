/**
 * Resolves when `predicate` holds, re-checking whenever `subscribe` reports a
 * change. Event-driven: no polling, no sleeps. Rejects with `what` on timeout
 * so a failure says what never happened.
 */
export function until(
  subscribe: (notify: () => void) => () => void,
  predicate: () => boolean,
  what: string,
  timeoutMs = 15_000,
): Promise<void> {
  return new Promise((resolve, reject) => {
    if (predicate()) {
      resolve();
      return;
    }
    let unsubscribe = () => {};
    const timer = setTimeout(() => {
      unsubscribe();
      reject(new Error(`timed out waiting for ${what}`));
    }, timeoutMs);
    unsubscribe = subscribe(() => {
      if (predicate()) {
        clearTimeout(timer);
        unsubscribe();
        resolve();
      }
    });
  });
}
