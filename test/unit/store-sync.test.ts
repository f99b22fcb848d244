import { mkdtempSync, readdirSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { SqliteStore } from '../../server/store.js';

const dirs: string[] = [];
afterEach(() => {
  for (const d of dirs.splice(0)) rmSync(d, { recursive: true, force: true });
});

function freshDir(): string {
  const d = mkdtempSync(join(tmpdir(), 'ms-store-sync-'));
  dirs.push(d);
  return d;
}

describe('SqliteStore.transactionThenSync (the group commit\'s write: server/committer.ts)', () => {
  it('returns the transaction\'s result at once and says synced once the WAL is on disk; what it wrote is there after a reopen', async () => {
    const dir = freshDir();
    const store = new SqliteStore(dir);
    const order: string[] = [];
    const synced: Promise<Error | null>[] = [];
    for (let i = 0; i < 3; i++) {
      synced.push(
        new Promise((resolve) => {
          const seqs = store.transactionThenSync(
            () => store.appendMany([{ room: 'sync-room', update: Uint8Array.from([i, 1, 2]) }]),
            (err) => {
              order.push(`synced ${i}`);
              resolve(err);
            },
          );
          order.push(`returned ${i}`);
          expect(seqs).toHaveLength(1);
        }),
      );
    }
    expect(await Promise.all(synced)).toEqual([null, null, null]);
    // each write returned before any sync was reported, and the syncs came back in order
    expect(order).toEqual(['returned 0', 'returned 1', 'returned 2', 'synced 0', 'synced 1', 'synced 2']);
    expect(readdirSync(dir).some((f) => f.endsWith('-wal'))).toBe(true);
    store.close();
    const reopened = new SqliteStore(dir);
    expect(reopened.load('sync-room').updates.map((u) => Array.from(u.data))).toEqual([
      [0, 1, 2],
      [1, 1, 2],
      [2, 1, 2],
    ]);
    reopened.close();
  });

  it('reports many syncs asked for at once in the order they were asked for, though the thread pool may finish them in any order', async () => {
    const store = new SqliteStore(freshDir());
    const order: number[] = [];
    const all: Promise<Error | null>[] = [];
    for (let i = 0; i < 64; i++) {
      all.push(
        new Promise((resolve) =>
          store.transactionThenSync(
            () => store.appendMany([{ room: 'many', update: Uint8Array.from([i]) }]),
            (err) => {
              order.push(i);
              resolve(err);
            },
          ),
        ),
      );
    }
    expect((await Promise.all(all)).every((e) => e === null)).toBe(true);
    expect(order).toEqual([...Array(64).keys()]);
    store.close();
  });

  it('a transaction that throws writes nothing, reports no sync, and leaves the next one working', async () => {
    const dir = freshDir();
    const store = new SqliteStore(dir);
    let reported = 0;
    expect(() =>
      store.transactionThenSync(
        () => {
          store.appendMany([{ room: 'sync-room', update: Uint8Array.from([9]) }]);
          throw new Error('refused mid-way');
        },
        () => reported++,
      ),
    ).toThrow('refused mid-way');
    const err = await new Promise<Error | null>((resolve) => store.transactionThenSync(() => store.appendMany([{ room: 'sync-room', update: Uint8Array.from([1]) }]), resolve));
    expect(err).toBeNull();
    expect(reported).toBe(0);
    expect(store.load('sync-room').updates.map((u) => Array.from(u.data))).toEqual([[1]]);
    store.close();
  });
});
