import { describe, expect, it } from 'vitest';
import { StoreError } from '../../server/async-store.js';
import type { CommitRequest } from '../../server/committer.js';
import { HostedCommitter } from '../../server/hosted.js';
import type { PostgresStore } from '../../server/pg-store.js';

const silent = { info: () => {}, error: () => {} };

/** A Postgres stand-in: fails with `failures` (in order) before it stores, numbering per room. */
function fakeStore(failures: StoreError[]) {
  const calls: { room: string; update: Uint8Array }[][] = [];
  const last = new Map<string, number>();
  let seq = 0;
  const store = {
    async appendSequenced(entries: { room: string; update: Uint8Array }[]) {
      calls.push([...entries]);
      const f = failures.shift();
      if (f) throw f;
      return entries.map((e) => {
        const roomSeq = (last.get(e.room) ?? 0) + 1;
        last.set(e.room, roomSeq);
        return { seq: ++seq, roomSeq };
      });
    },
  };
  return { store: store as unknown as PostgresStore, calls };
}

function request(room: string, byte: number, log: string[]): { r: CommitRequest; done: Promise<number | null> } {
  let resolve!: (v: number | null) => void;
  const done = new Promise<number | null>((res) => (resolve = res));
  const r: CommitRequest = {
    room,
    update: new Uint8Array([byte]),
    done: (seq) => {
      log.push(`done ${room} ${byte} ${seq}`);
      resolve(seq);
    },
    onError: () => {},
  };
  return { r, done };
}

describe('HostedCommitter', () => {
  it('one turn’s updates of a workbook go in one transaction (one per workbook); each is acked with its number and published only after', async () => {
    const { store, calls } = fakeStore([]);
    const log: string[] = [];
    const c = new HostedCommitter(store, (room, roomSeq, update) => log.push(`published ${room} ${roomSeq} ${update[0]}`), silent);
    const reqs = [request('a', 1, log), request('b', 2, log), request('a', 3, log)];
    reqs.forEach((q) => c.submit(q.r));
    await Promise.all(reqs.map((q) => q.done));
    expect(calls.map((batch) => batch.map((e) => `${e.room}${e.update[0]}`))).toEqual([['a1', 'a3'], ['b2']]);
    expect(log.filter((l) => l.includes(' a '))).toEqual(['done a 1 1', 'published a 1 1', 'done a 3 2', 'published a 2 3']);
    expect(log.filter((l) => l.includes(' b '))).toEqual(['done b 2 3', 'published b 1 2']);
  });

  it('a workbook’s next batch waits for its transaction on the way; drain waits for both', async () => {
    const { store, calls } = fakeStore([]);
    const log: string[] = [];
    const c = new HostedCommitter(store, () => {}, silent);
    const first = request('a', 1, log);
    c.submit(first.r);
    await first.done;
    const later = [request('a', 2, log), request('a', 3, log)];
    c.submit(later[0].r);
    c.submit(later[1].r);
    await c.drain();
    expect(log).toEqual(['done a 1 1', 'done a 2 2', 'done a 3 3']);
    expect(calls.map((b) => b.length)).toEqual([1, 2]);
  });

  it('while Postgres cannot be reached nothing is acked; the same batch is stored once it can', async () => {
    const down = () => new StoreError('STORE_UNAVAILABLE', 'connect ECONNREFUSED');
    const { store, calls } = fakeStore([down(), down(), down()]);
    const log: string[] = [];
    const c = new HostedCommitter(store, () => log.push('published'), silent);
    const q = request('a', 7, log);
    c.submit(q.r);
    expect(await q.done).toBe(1);
    expect(calls).toHaveLength(4);
    expect(calls.every((batch) => batch.length === 1 && batch[0].update[0] === 7)).toBe(true);
    expect(log).toEqual(['done a 7 1', 'published']);
  });

  it('a refusal that retrying cannot help fails the batch at once, and nothing is published', async () => {
    const { store, calls } = fakeStore([new StoreError('STORE_FAILED', 'disk full')]);
    const log: string[] = [];
    const c = new HostedCommitter(store, () => log.push('published'), silent);
    const q = request('a', 9, log);
    c.submit(q.r);
    expect(await q.done).toBeNull();
    expect(calls).toHaveLength(1);
    expect(log).toEqual(['done a 9 null']);
  });

  it('publishes with the room instance that submitted, so one loaded again meanwhile can be given the update', async () => {
    const { store } = fakeStore([]);
    const owners: unknown[] = [];
    let current: object = { instance: 1 };
    const first = current;
    const c = new HostedCommitter(store, (_room, _seq, _u, owner) => owners.push(owner), silent, () => current);
    const log: string[] = [];
    const q = request('a', 1, log);
    c.submit(q.r);
    current = { instance: 2 };
    await q.done;
    expect(owners).toEqual([first]);
  });
});
