import { afterEach, describe, expect, it } from 'vitest';
import * as Y from 'yjs';
import type { AsyncRoomStore } from '../../server/async-store.js';
import type { StoreOptions } from '../../server/store.js';
import { MiB, bytes, contents, expectSame, history } from './store-fixtures.js';

/** What an async store implementation gives the contract: a fresh, empty store, and a way to open it again where it is durable. */
export interface AsyncStoreUnderTest {
  store: AsyncRoomStore;
  /** Opens the same storage again (a restart); required when the contract is told the store is durable. */
  reopen?: () => Promise<AsyncRoomStore>;
  /** Removes what the store left behind; called after every store it opened is closed. */
  cleanup?: () => void | Promise<void>;
}

/**
 * The RoomStore contract (test/unit/store-contract.ts) for AsyncRoomStore: the same promises, each
 * answer awaited. Run against the sync stores through `asyncStore` (async-store.test.ts) and against
 * Postgres (test/integration/pg-store.test.ts). `durable` as in the sync suite: restart tests exist
 * only for a store that promises to survive one; nothing is skipped.
 */
export function asyncStoreContract(
  name: string,
  durability: { durable: boolean },
  makeStore: (options?: StoreOptions) => AsyncStoreUnderTest | Promise<AsyncStoreUnderTest>,
) {
  describe(`AsyncRoomStore contract: ${name}`, () => {
    const opened: { stores: AsyncRoomStore[]; closed: Set<AsyncRoomStore>; cleanup?: () => void | Promise<void> }[] = [];
    afterEach(async () => {
      for (const { stores, closed, cleanup } of opened.splice(0)) {
        for (const s of stores) if (!closed.has(s)) await s.close();
        await cleanup?.();
      }
    });
    const make = async (options?: StoreOptions) => {
      const made = await makeStore(options);
      const entry = { stores: [made.store], closed: new Set<AsyncRoomStore>(), cleanup: made.cleanup };
      opened.push(entry);
      const close = async (s: AsyncRoomStore) => {
        entry.closed.add(s);
        await s.close();
      };
      return {
        store: made.store,
        close,
        reopen: async () => {
          expect(made.reopen, `${name} is declared durable, so it can be opened again`).toBeTypeOf('function');
          const again = await made.reopen!();
          entry.stores.push(again);
          return again;
        },
      };
    };
    const durableIt = (title: string, fn: () => Promise<void>) => {
      if (durability.durable) it(title, fn);
    };
    const all = Number.MAX_SAFE_INTEGER;

    it('starts empty', async () => {
      const { store } = await make();
      expect(await store.load('room-a')).toEqual({ snapshot: null, updates: [] });
      expect(await store.backlog('room-a')).toEqual({ count: 0, bytes: 0 });
    });

    it('appends in order with increasing sequence numbers, per room; keeps a copy of the caller’s buffer', async () => {
      const { store } = await make();
      const buf = new Uint8Array([1]);
      const s1 = await store.append('room-a', buf);
      buf[0] = 0;
      const s2 = await store.append('room-b', new Uint8Array([2]));
      const s3 = await store.append('room-a', new Uint8Array([3, 3]));
      expect(s2).toBeGreaterThan(s1);
      expect(s3).toBeGreaterThan(s2);
      expect((await store.load('room-a')).updates).toEqual([
        { seq: s1, data: new Uint8Array([1]) },
        { seq: s3, data: new Uint8Array([3, 3]) },
      ]);
      expect(await store.backlog('room-a')).toEqual({ count: 2, bytes: 3 });
    });

    it('appends a batch in one go, in order, with increasing sequence numbers across rooms', async () => {
      const { store } = await make();
      const first = await store.append('room-a', new Uint8Array([1]));
      const seqs = await store.appendMany([
        { room: 'room-a', update: new Uint8Array([2]) },
        { room: 'room-b', update: new Uint8Array([3]) },
        { room: 'room-a', update: new Uint8Array([4]) },
      ]);
      expect(seqs[0]).toBeGreaterThan(first);
      expect(seqs[1]).toBeGreaterThan(seqs[0]);
      expect(seqs[2]).toBeGreaterThan(seqs[1]);
      expect((await store.load('room-a')).updates.map((u) => Array.from(u.data))).toEqual([[1], [2], [4]]);
      expect(await store.appendMany([])).toEqual([]);
    });

    it('compaction replaces exactly the updates it covers', async () => {
      const { store } = await make();
      const s1 = await store.append('room-a', new Uint8Array([1]));
      await store.append('room-a', new Uint8Array([2]));
      const other = await store.append('room-b', new Uint8Array([9]));
      await store.compact('room-a', new Uint8Array([1, 2]), s1);
      const loaded = await store.load('room-a');
      expect(loaded.snapshot).toEqual(new Uint8Array([1, 2]));
      expect(loaded.updates.map((u) => Array.from(u.data))).toEqual([[2]]);
      expect((await store.load('room-b')).updates).toEqual([{ seq: other, data: new Uint8Array([9]) }]);
      await store.compact('room-a', new Uint8Array([1, 2, 3]), s1 + 1000);
      expect(await store.load('room-a')).toEqual({ snapshot: new Uint8Array([1, 2, 3]), updates: [] });
    });

    durableIt('survives reopening: updates, snapshot, retained log and its base, saved snapshots', async () => {
      const clock = { t: 1000 };
      const { store, close, reopen } = await make({ now: () => clock.t });
      const { updates } = history(3);
      for (const u of updates) {
        clock.t += 1000;
        await store.append('room-a', u);
      }
      await store.compact('room-a', updates[0], (await store.load('room-a')).updates[0].seq);
      await store.pruneRetained('room-a', 2500, { maxUpdates: 10, maxBytes: 1 << 20 });
      const id = await store.saveSnapshot('room-a', { name: 'kept', kind: 'named', by: 'Ana', at: 7 }, updates[1]);
      const before = {
        load: await store.load('room-a'),
        base: await store.retainedBase('room-a'),
        log: await store.retainedUpdates('room-a', all, null, 10),
        list: await store.listSnapshots('room-a'),
      };
      await close(store);
      const again = await reopen();
      expect(await again.load('room-a')).toEqual(before.load);
      expect(await again.retainedBase('room-a')).toEqual(before.base);
      expect(await again.retainedUpdates('room-a', all, null, 10)).toEqual(before.log);
      expect(await again.listSnapshots('room-a')).toEqual(before.list);
      expect(await again.loadSnapshot('room-a', id)).toEqual(updates[1]);
    });

    it('keeps saved snapshots per room, newest first, with who, when and size; deletes one; counts their bytes', async () => {
      const { store } = await make();
      const data = new Uint8Array(10);
      const a = await store.saveSnapshot('room-a', { name: 'end of day 3', kind: 'named', by: 'Ana', at: 1000 }, data);
      data[0] = 9;
      const b = await store.saveSnapshot('room-a', { name: 'Automatic', kind: 'auto', by: 'hub', at: 2000 }, new Uint8Array(25));
      const other = await store.saveSnapshot('room-b', { name: 'other', kind: 'named', by: 'Ben', at: 1500 }, new Uint8Array(7));
      expect(b).toBeGreaterThan(a);
      expect(await store.listSnapshots('room-a')).toEqual([
        { id: b, name: 'Automatic', kind: 'auto', by: 'hub', at: 2000, bytes: 25 },
        { id: a, name: 'end of day 3', kind: 'named', by: 'Ana', at: 1000, bytes: 10 },
      ]);
      expect(await store.loadSnapshot('room-a', a)).toEqual(new Uint8Array(10));
      expect(await store.loadSnapshot('room-b', a)).toBeNull();
      expect(await store.listSnapshots('room-c')).toEqual([]);
      expect(await store.snapshotBytes('room-a')).toBe(35);
      expect(await store.snapshotBytes('room-c')).toBe(0);
      expect(await store.deleteSnapshot('room-a', other)).toBe(false);
      expect(await store.deleteSnapshot('room-a', a)).toBe(true);
      expect(await store.deleteSnapshot('room-a', a)).toBe(false);
      expect(await store.loadSnapshot('room-a', a)).toBeNull();
      expect((await store.listSnapshots('room-a')).map((s) => s.id)).toEqual([b]);
      expect(await store.snapshotBytes('room-a')).toBe(25);
      expect(await store.loadSnapshot('room-b', other)).toEqual(new Uint8Array(7));
    });

    it('retains every update with when and how big; stamps strictly increase per room even in one millisecond or with the clock set back', async () => {
      const clock = { t: 1000 };
      const { store } = await make({ now: () => clock.t });
      expect(await store.retainedSummary('room-a')).toBeNull();
      expect(await store.retainedBase('room-a')).toBeNull();
      expect(await store.retainedTimeline('room-a', 0, all, 10)).toEqual([]);
      const s1 = await store.append('room-a', new Uint8Array([1]));
      const [s2, , s3] = await store.appendMany([
        { room: 'room-a', update: new Uint8Array([2, 2]) },
        { room: 'room-b', update: new Uint8Array([9]) },
        { room: 'room-a', update: new Uint8Array([3, 3, 3]) },
      ]);
      clock.t = 10;
      await store.append('room-a', new Uint8Array([4]));
      clock.t = 2000;
      await store.append('room-a', new Uint8Array([5]));
      expect(await store.retainedSummary('room-a')).toEqual({ earliest: 1000, baseBytes: 0, throughSeq: 0 });
      const log = await store.retainedUpdates('room-a', all, null, 10);
      expect(log.map((u) => u.at)).toEqual([1000, 1001, 1002, 1003, 2000]);
      expect(log.slice(0, 3)).toEqual([
        { seq: s1, at: 1000, data: new Uint8Array([1]) },
        { seq: s2, at: 1001, data: new Uint8Array([2, 2]) },
        { seq: s3, at: 1002, data: new Uint8Array([3, 3, 3]) },
      ]);
      expect((await store.retainedUpdates('room-b', all, null, 10)).map((u) => u.at)).toEqual([1000]);
      expect(await store.retainedTimeline('room-a', 1001, 1003, 10)).toEqual([
        { at: 1003, bytes: 1 },
        { at: 1002, bytes: 3 },
        { at: 1001, bytes: 2 },
      ]);
    });

    it('compaction leaves the retained log untouched; it reads in pages up to a time and picks a time range newest first', async () => {
      const clock = { t: 100 };
      const { store } = await make({ now: () => clock.t });
      const seqs: number[] = [];
      for (const i of [1, 2, 3, 4, 5]) {
        clock.t = i * 100;
        seqs.push(await store.append('room-a', new Uint8Array([i])));
      }
      await store.compact('room-a', new Uint8Array([7]), seqs[4]);
      expect((await store.backlog('room-a')).count).toBe(0);
      const first = await store.retainedUpdates('room-a', 400, null, 2);
      expect(first.map((u) => u.at)).toEqual([100, 200]);
      const second = await store.retainedUpdates('room-a', 400, first[1], 2);
      expect(second.map((u) => u.at)).toEqual([300, 400]);
      expect(await store.retainedUpdates('room-a', 400, second[1], 2)).toEqual([]);
      expect((await store.retainedTimeline('room-a', 200, 400, 10)).map((e) => e.at)).toEqual([400, 300, 200]);
      expect((await store.retainedTimeline('room-a', 0, 1000, 2)).map((e) => e.at)).toEqual([500, 400]);
    });

    it('pruning folds the oldest updates into the base, a bounded batch at a time, and every state from the base’s time on stays exact', async () => {
      const clock = { t: 0 };
      const { store } = await make({ now: () => clock.t });
      const { updates, stateWhen } = history(8);
      for (const [i, u] of updates.entries()) {
        clock.t = (i + 1) * 1000;
        await store.append('room-a', u);
      }
      const limits = { maxUpdates: 10, maxBytes: 1 << 20 };
      expect(await store.pruneRetained('room-a', 0, limits)).toBe(0);
      expect(await store.pruneRetained('room-a', 5500, { maxUpdates: 2, maxBytes: 1 << 20 })).toBe(2);
      expect(await store.retainedSummary('room-a')).toMatchObject({ earliest: 2000 });
      expect(await store.pruneRetained('room-a', 5500, { maxUpdates: 10, maxBytes: 1 })).toBe(1);
      expect(await store.pruneRetained('room-a', 5500, limits)).toBe(2);
      expect(await store.pruneRetained('room-a', 5500, limits)).toBe(0);
      expect(await store.pruneRetained('room-nothing', 5500, limits)).toBe(0);
      const summary = (await store.retainedSummary('room-a'))!;
      const base = (await store.retainedBase('room-a'))!;
      expect(summary.earliest).toBe(5000);
      expect(summary.baseBytes).toBe(base.data.length);
      expect(base).toMatchObject({ throughAt: 5000, throughSeq: summary.throughSeq });
      const log = await store.retainedUpdates('room-a', all, null, 100);
      expect(log.map((u) => u.at)).toEqual([6000, 7000, 8000]);
      for (const t of [5000, 6000, 7500, 8000]) {
        const state = Y.mergeUpdates([base.data, ...log.filter((u) => u.at <= t).map((u) => u.data)]);
        expect(contents(state), `at ${t}`).toEqual(stateWhen(Math.floor(t / 1000)));
      }
      clock.t = 10;
      await store.append('room-a', new Uint8Array([0, 0]));
      expect((await store.retainedTimeline('room-a', 0, all, 1))[0].at).toBe(8001);
    });

    it('retiring a workbook forgets everything stored for it and its journal, keeps only a marker, takes nothing more; other rooms are untouched', async () => {
      const clock = { t: 5000 };
      const { store } = await make({ now: () => clock.t });
      const wb = 'workbook-a';
      const journal = `${wb}.h`;
      const other = 'workbook-b';
      const { updates } = history(4);
      for (const room of [wb, journal, other]) {
        for (const u of updates) {
          clock.t += 10;
          await store.append(room, u);
        }
        await store.saveSnapshot(room, { name: 'before', kind: 'named', by: 'Ana', at: clock.t }, updates[0]);
        await store.compact(room, updates[0], (await store.load(room)).updates[0].seq);
        await store.pruneRetained(room, clock.t - 15, { maxUpdates: 2, maxBytes: 1 << 20 });
      }
      const otherBefore = { load: await store.load(other), snapshots: await store.listSnapshots(other), base: await store.retainedBase(other) };
      expect(await store.retiredAt(wb)).toBeNull();

      await store.retire(wb, 7000);
      for (const room of [wb, journal]) {
        expect(await store.retiredAt(room), room).toBe(7000);
        expect(await store.load(room), room).toEqual({ snapshot: null, updates: [] });
        expect(await store.backlog(room), room).toEqual({ count: 0, bytes: 0 });
        expect(await store.listSnapshots(room), room).toEqual([]);
        expect(await store.snapshotBytes(room), room).toBe(0);
        expect(await store.retainedSummary(room), room).toBeNull();
        expect(await store.retainedBase(room), room).toBeNull();
        expect(await store.retainedUpdates(room, all, null, 100), room).toEqual([]);
        expect(await store.retainedTimeline(room, 0, all, 100), room).toEqual([]);
        await store.append(room, updates[1]);
        await store.appendMany([
          { room, update: updates[2] },
          { room: other, update: updates[3] },
        ]);
        await store.compact(room, updates[0], Number.MAX_SAFE_INTEGER);
        await expect(store.saveSnapshot(room, { name: 'after', kind: 'named', by: 'Ana', at: clock.t }, updates[0])).rejects.toThrow();
        expect(await store.load(room), room).toEqual({ snapshot: null, updates: [] });
        expect(await store.retainedSummary(room), room).toBeNull();
        expect(await store.listSnapshots(room), room).toEqual([]);
      }
      expect(await store.retiredAt(other)).toBeNull();
      expect(await store.retiredAt('workbook-ab')).toBeNull();
      expect(await store.listSnapshots(other)).toEqual(otherBefore.snapshots);
      expect(await store.retainedBase(other)).toEqual(otherBefore.base);
      const otherNow = await store.load(other);
      expect(otherNow.snapshot).toEqual(otherBefore.load.snapshot);
      expect(otherNow.updates.map((u) => u.data)).toEqual([...otherBefore.load.updates.map((u) => u.data), updates[3], updates[3]]);
      await store.retire(wb, 9000);
      await store.retire(journal, 9500);
      expect(await store.retiredAt(wb)).toBe(7000);
    });

    durableIt('a retired workbook stays retired across reopening', async () => {
      const { store, close, reopen } = await make();
      await store.append('workbook-a', new Uint8Array([5]));
      await store.retire('workbook-a', 1234);
      await close(store);
      const again = await reopen();
      expect(await again.retiredAt('workbook-a.h')).toBe(1234);
      await again.append('workbook-a', new Uint8Array([6]));
      expect(await again.load('workbook-a')).toEqual({ snapshot: null, updates: [] });
    });

    it('a 5 MiB update, a batch of large ones, a 5 MiB compaction and a 5 MiB saved snapshot round-trip byte for byte', async () => {
      const { store } = await make();
      const big = bytes(5 * MiB, 1);
      const seq = await store.append('room-a', big);
      expectSame((await store.load('room-a')).updates.find((u) => u.seq === seq)?.data, big);
      expect(await store.backlog('room-a')).toEqual({ count: 1, bytes: 5 * MiB });
      expectSame((await store.retainedUpdates('room-a', all, null, 10))[0]?.data, big);
      const batch = [bytes(2 * MiB, 2), bytes(3 * MiB + 7, 3), bytes(1, 4)];
      const seqs = await store.appendMany(batch.map((update, i) => ({ room: i === 1 ? 'room-b' : 'room-a', update })));
      const stored = new Map([...(await store.load('room-a')).updates, ...(await store.load('room-b')).updates].map((u) => [u.seq, u.data]));
      seqs.forEach((s, i) => expectSame(stored.get(s), batch[i]));
      const snapshot = bytes(5 * MiB, 5);
      await store.compact('room-a', snapshot, Number.MAX_SAFE_INTEGER);
      expectSame((await store.load('room-a')).snapshot ?? undefined, snapshot);
      const saved = bytes(5 * MiB, 6);
      const id = await store.saveSnapshot('room-a', { name: 'big', kind: 'named', by: 'Ana', at: 1 }, saved);
      expectSame((await store.loadSnapshot('room-a', id)) ?? undefined, saved);
      expect(await store.listSnapshots('room-a')).toMatchObject([{ id, bytes: 5 * MiB }]);
    });

    it('appendMany is all or nothing: an entry that fails in the middle of a batch leaves none of it stored, in either log', async () => {
      const clock = { t: 1000 };
      const { store } = await make({ now: () => clock.t });
      const before = await store.append('room-a', new Uint8Array([1]));
      clock.t = 2000;
      await expect(
        store.appendMany([
          { room: 'room-a', update: new Uint8Array([2]) },
          { room: 'room-b', update: new Uint8Array([3]) },
          { room: 'room-a', update: null as unknown as Uint8Array },
          { room: 'room-a', update: new Uint8Array([4]) },
        ]),
      ).rejects.toThrow();
      expect((await store.load('room-a')).updates).toEqual([{ seq: before, data: new Uint8Array([1]) }]);
      expect((await store.load('room-b')).updates).toEqual([]);
      expect(await store.retainedUpdates('room-b', all, null, 10)).toEqual([]);
      expect(await store.retainedSummary('room-b')).toBeNull();
      const seqs = await store.appendMany([
        { room: 'room-a', update: new Uint8Array([5]) },
        { room: 'room-b', update: new Uint8Array([6]) },
      ]);
      expect(seqs[0]).toBeGreaterThan(before);
      expect((await store.load('room-a')).updates.map((u) => Array.from(u.data))).toEqual([[1], [5]]);
      expect((await store.load('room-b')).updates.map((u) => Array.from(u.data))).toEqual([[6]]);
      expect((await store.retainedUpdates('room-a', all, null, 10)).map((u) => u.at)).toEqual([1000, 2000]);
    });
  });
}

export { MiB, bytes, contents, expectSame, history } from './store-fixtures.js';
