import { afterEach, describe, expect, it, vi } from 'vitest';
import { PageHold, STALE_MS, othersToTake } from '../../src/ui/first-screen-pages.js';
import type { PendingEdit } from '../../src/ui/first-screen-edits.js';

const edit = (at: number): PendingEdit => ({ sheetId: 'sheet00001', rowId: 'row0000011', colId: 'colCount', cell: 'B11', text: 'x', at });

/** Web Locks as a browser keeps them for one origin: a lock is held while its callback's promise is pending. */
function fakeLocks() {
  const held = new Set<string>();
  let granted: Promise<void> = Promise.resolve();
  return {
    held,
    /** settles once every request made so far has been granted */
    granted: () => granted,
    locks: {
      request(name: string, callback: () => Promise<void>) {
        const done = Promise.resolve().then(() => {
          held.add(name);
          return callback().finally(() => held.delete(name));
        });
        granted = granted.then(() => Promise.resolve());
        return done;
      },
      query: async () => ({ held: [...held].map((name) => ({ name })), pending: [] }),
    },
  };
}

afterEach(() => vi.unstubAllGlobals());

describe('first-screen pages: which queues a handover may take', () => {
  it('with Web Locks, a page still open keeps its queue; once its hold ends (its handover, or it left) others may take it', async () => {
    const fake = fakeLocks();
    vi.stubGlobal('navigator', { locks: fake.locks });
    const open = new PageHold('room-1', 'pageA');
    const gone = new PageHold('room-1', 'pageB');
    gone.end();
    await fake.granted();
    await vi.waitFor(() => expect(fake.held.size).toBe(1));
    const now = Date.now();
    let may = await othersToTake('room-1', now);
    // a fresh edit of an open page stays; an old one of an open page stays too (the lock says it is open)
    expect(may('pageA', [edit(now)])).toBe(false);
    expect(may('pageA', [edit(now - 10 * STALE_MS)])).toBe(false);
    // a page that is gone, or a queue that does not read back: taken
    expect(may('pageB', [edit(now)])).toBe(true);
    expect(may('pageA', null)).toBe(true);
    // the same page name in another workbook is not this one's hold
    expect((await othersToTake('room-2', now))('pageA', [edit(now)])).toBe(true);
    open.end();
    await vi.waitFor(() => expect(fake.held.size).toBe(0));
    may = await othersToTake('room-1', now);
    expect(may('pageA', [edit(now)])).toBe(true);
  });

  it('a hold ended before its lock came lets it go at once', async () => {
    const fake = fakeLocks();
    vi.stubGlobal('navigator', { locks: fake.locks });
    const hold = new PageHold('room-1', 'pageC');
    hold.end();
    await fake.granted();
    await new Promise<void>((resolve) => queueMicrotask(resolve));
    expect(fake.held.size).toBe(0);
    expect((await othersToTake('room-1', Date.now()))('pageC', [edit(Date.now())])).toBe(true);
  });

  it(`without Web Locks (an http:// hub is no secure context), a queue is a closed page's once its newest edit is ${STALE_MS / 60_000} minutes old`, async () => {
    vi.stubGlobal('navigator', {});
    const hold = new PageHold('room-1', 'pageD');
    const now = 1_764_000_000_000;
    const may = await othersToTake('room-1', now);
    expect(may('pageD', [edit(now - STALE_MS - 1)])).toBe(true);
    expect(may('pageD', [edit(now - STALE_MS - 1), edit(now - 1000)])).toBe(false);
    expect(may('pageD', [edit(now)])).toBe(false);
    expect(may('pageD', null)).toBe(true);
    hold.end();
  });

  it('a lock manager that fails falls back to the age of the queue, never rejecting', async () => {
    vi.stubGlobal('navigator', {
      locks: { request: () => Promise.reject(new DOMException('denied', 'SecurityError')), query: () => Promise.reject(new DOMException('denied', 'SecurityError')) },
    });
    const hold = new PageHold('room-1', 'pageE');
    const now = Date.now();
    const may = await othersToTake('room-1', now);
    expect(may('pageE', [edit(now)])).toBe(false);
    expect(may('pageE', [edit(now - STALE_MS)])).toBe(true);
    hold.end();
  });
});
