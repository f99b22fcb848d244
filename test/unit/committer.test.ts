import { describe, expect, it, vi } from 'vitest';
import { BatchingCommitter, MAX_COMMIT_WAIT_MS } from '../../server/committer.js';
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { MemoryStore, SqliteStore, type RoomStore } from '../../server/store.js';

describe('BatchingCommitter', () => {
  it('writes everything submitted in one turn as one batch, then reports each in order; a failed batch fails every request and nothing is stored', async () => {
    const inner = new MemoryStore();
    const batches: number[] = [];
    let full = false;
    const store = Object.assign(Object.create(inner) as RoomStore, {
      appendMany(entries: { room: string; update: Uint8Array }[]) {
        if (full) throw new Error('disk full');
        batches.push(entries.length);
        return inner.appendMany(entries);
      },
    });
    const committer = new BatchingCommitter(store);
    const results: (number | null)[] = [];
    const turn = () => new Promise<void>((res) => setImmediate(res));
    for (let i = 0; i < 5; i++) committer.submit({ room: `r${i % 2}`, update: new Uint8Array([i]), done: (seq) => results.push(seq), onError: () => {} });
    expect(results).toEqual([]);
    await turn();
    expect(batches).toEqual([5]);
    expect(results).toEqual([1, 2, 3, 4, 5]);
    full = true;
    // Later batches wait on the committer's pacing (as long as the last one held the disk): wait for
    // the callbacks themselves, not for a number of turns.
    const failed = await new Promise<unknown>((res) => committer.submit({ room: 'r0', update: new Uint8Array([9]), done: (seq, err) => res(seq ?? err), onError: () => {} }));
    expect(String(failed)).toContain('disk full');
    expect(inner.backlog('r0').count).toBe(3);
    // a done that throws reaches onError, and the rest of the batch still completes
    full = false;
    const seen: string[] = [];
    await new Promise<void>((res) => {
      committer.submit({ room: 'r0', update: new Uint8Array([1]), done: () => { throw new Error('boom'); }, onError: (e) => seen.push(String(e)) });
      committer.submit({ room: 'r0', update: new Uint8Array([2]), done: () => { seen.push('second done'); res(); }, onError: () => {} });
    });
    expect(seen).toEqual(['Error: boom', 'second done']);
  });

  it('a request\'s alongside write (an automatic snapshot) is stored in the batch\'s transaction, before its update; one that throws is undone alone and the updates are stored', async () => {
    const store = new SqliteStore(mkdtempSync(join(tmpdir(), 'ms-committer-')));
    const committer = new BatchingCommitter(store);
    const order: string[] = [];
    let bothDone!: () => void;
    const reported = new Promise<void>((res) => (bothDone = res));
    committer.submit({
      room: 'r0',
      update: new Uint8Array([0, 0]),
      done: (seq) => order.push(`done ${seq}`),
      onError: () => {},
      alongside: () => {
        order.push('alongside');
        store.saveSnapshot('r0', { name: 'Automatic', kind: 'auto', by: 'hub', at: 1 }, new Uint8Array([0, 0]));
      },
    });
    committer.submit({
      room: 'r1',
      update: new Uint8Array([0, 0]),
      done: (seq) => {
        order.push(`done ${seq}`);
        bothDone();
      },
      onError: () => {},
      alongside: () => {
        store.saveSnapshot('r1', { name: 'Automatic', kind: 'auto', by: 'hub', at: 1 }, new Uint8Array([0, 0]));
        throw new Error('snapshot failed half way');
      },
    });
    // the SQLite store syncs off the event loop: the requests are reported once its fsync is in
    await reported;
    expect(order).toEqual(['alongside', 'done 1', 'done 2']);
    expect(store.listSnapshots('r0')).toHaveLength(1);
    // its savepoint was rolled back: the half-written snapshot is gone, the update is stored
    expect(store.listSnapshots('r1')).toHaveLength(0);
    expect([store.backlog('r0').count, store.backlog('r1').count]).toEqual([1, 1]);
    store.close();
  });

  it('after a batch that held the disk for T ms, the next starts no sooner than T ms after it ended (capped), so fsyncs cannot fill the event loop; an idle disk commits on the next turn', () => {
    vi.useFakeTimers();
    try {
      let clock = 0;
      let diskMs = 10;
      const inner = new MemoryStore();
      const slow = Object.assign(Object.create(inner) as RoomStore, {
        appendMany(entries: { room: string; update: Uint8Array }[]) {
          clock += diskMs; // the fsync, as the committer's clock sees it
          return inner.appendMany(entries);
        },
      });
      const committer = new BatchingCommitter(slow, () => clock);
      const done: number[] = [];
      const submit = (i: number) => committer.submit({ room: 'r', update: new Uint8Array([i]), done: () => done.push(i), onError: () => {} });
      submit(1);
      vi.advanceTimersToNextTimer(); // setImmediate: nothing had held the disk
      expect(done).toEqual([1]);
      submit(2);
      submit(3);
      vi.advanceTimersByTime(9);
      expect(done).toEqual([1]);
      vi.advanceTimersByTime(1);
      expect(done).toEqual([1, 2, 3]);
      // a very slow disk: the wait is capped
      diskMs = 1000;
      submit(4);
      vi.advanceTimersByTime(10);
      expect(done).toEqual([1, 2, 3, 4]);
      submit(5);
      vi.advanceTimersByTime(MAX_COMMIT_WAIT_MS - 1);
      expect(done).toEqual([1, 2, 3, 4]);
      vi.advanceTimersByTime(1);
      expect(done).toEqual([1, 2, 3, 4, 5]);
    } finally {
      vi.useRealTimers();
    }
  });
  it('with a store that syncs off the event loop, nothing is reported before its sync is in; what arrives meanwhile is the next batch, written once it is; a failed sync fails its batch', async () => {
    const inner = new MemoryStore();
    const syncs: ((err: Error | null) => void)[] = [];
    const batches: number[] = [];
    const store = Object.assign(Object.create(inner) as RoomStore, {
      appendMany(entries: { room: string; update: Uint8Array }[]) {
        batches.push(entries.length);
        return inner.appendMany(entries);
      },
      transactionThenSync<T>(fn: () => T, synced: (err: Error | null) => void): T {
        const result = inner.transaction(fn);
        syncs.push(synced);
        return result;
      },
    });
    const committer = new BatchingCommitter(store);
    const results: (number | string)[] = [];
    const submit = (i: number) =>
      committer.submit({ room: 'r', update: new Uint8Array([i]), done: (seq, err) => results.push(seq ?? String(err)), onError: () => {} });
    const written = (n: number) => expect.poll(() => batches.length).toBe(n);
    submit(1);
    submit(2);
    await written(1);
    submit(3);
    // written, not yet synced: nobody is told it is stored, and the next batch waits for the sync
    expect(results).toEqual([]);
    expect(syncs).toHaveLength(1);
    syncs[0](null);
    expect(results).toEqual([1, 2]);
    await written(2);
    expect(batches).toEqual([2, 1]);
    syncs[1](new Error('EIO'));
    expect(results).toEqual([1, 2, 'Error: EIO']);
    // shutdown: drain() waits for the sync in flight (the store must not close the file it syncs), and only that
    await committer.drain();
    submit(4);
    await written(3);
    let drained = false;
    const draining = committer.drain().then(() => (drained = true));
    committer.flush();
    await Promise.resolve();
    expect(drained).toBe(false);
    syncs[2](null);
    await draining;
    expect(results).toEqual([1, 2, 'Error: EIO', 4]);
  });
});
