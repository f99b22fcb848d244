import type { Page } from 'playwright-core';

/**
 * Holds back the app's IndexedDB opens (its databases are `mutual-sheets:…`) until
 * `window.__release()`: the doc cannot load, so the first screen stays up as long as the test needs.
 */
export async function holdLocalCopy(page: Page): Promise<void> {
  await page.context().addInitScript(() => {
    const w = window as unknown as { __release: () => void };
    const realOpen = IDBFactory.prototype.open;
    let held: (() => void)[] | null = [];
    w.__release = () => {
      const waiting = held ?? [];
      held = null;
      waiting.forEach((go) => go());
    };
    IDBFactory.prototype.open = function (this: IDBFactory, name: string, version?: number) {
      if (held === null || !name.startsWith('mutual-sheets:')) return realOpen.call(this, name, version);
      let real: IDBOpenDBRequest | null = null;
      const handlers: Record<string, ((e: Event) => void) | null> = { success: null, error: null, upgradeneeded: null, blocked: null };
      const stand = {
        get result() {
          return real?.result;
        },
        get error() {
          return real?.error ?? null;
        },
        get readyState() {
          return real?.readyState ?? 'pending';
        },
      } as Record<string, unknown>;
      for (const type of Object.keys(handlers)) {
        Object.defineProperty(stand, `on${type}`, { get: () => handlers[type], set: (fn: ((e: Event) => void) | null) => (handlers[type] = fn) });
      }
      held.push(() => {
        real = version === undefined ? realOpen.call(this, name) : realOpen.call(this, name, version);
        for (const type of Object.keys(handlers)) real.addEventListener(type, (e) => handlers[type]?.(e));
      });
      return stand as unknown as IDBOpenDBRequest;
    };
  });
}

/** Lets the held IndexedDB opens go: the doc loads and the live grid takes over. */
export const release = (page: Page) => page.evaluate(() => (window as unknown as { __release: () => void }).__release());
