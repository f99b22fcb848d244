import { afterEach, describe, expect, it } from 'vitest';
import type { RoomStore, StoreOptions } from '../../server/store.js';
import { asyncStore } from '../../server/async-store.js';
import { stateAt } from '../../server/retained.js';
import { MiB, bytes, contents, expectSame, history } from './store-fixtures.js';

/** What a store implementation gives the contract: a fresh store, and a way to open it again where it is durable. */
export interface StoreUnderTest {
  store: RoomStore;
  /** Opens the same storage again (a restart); required when the contract is told the store is durable. */
  reopen?: () => RoomStore;
  /** Removes what the store left behind (its folder); called after every store it opened is closed. */
  cleanup?: () => void;
}

/**
 * Every RoomStore implementation must pass this suite (run from store.test.ts). `durable` says
 * whether it promises to keep what it stored across a restart: the restart tests run for a durable
 * store (and fail if it cannot be reopened); a store that does not promise it (MemoryStore) has
 * no restart tests at all — nothing is skipped.
 */
export function storeContract(name: string, durability: { durable: boolean }, makeStore: (options?: StoreOptions) => StoreUnderTest) {
  describe(`RoomStore contract: ${name}`, () => {
    // Every store a test opens (and reopens) is closed after it, and its files removed.
    const opened: { stores: RoomStore[]; cleanup?: () => void }[] = [];
    afterEach(() => {
      for (const { stores, cleanup } of opened.splice(0)) {
        for (const s of stores) s.close();
        cleanup?.();
      }
    });
    const make = (options?: StoreOptions): { store: RoomStore; reopen: () => RoomStore } => {
      const made = makeStore(options);
      const entry = { stores: [made.store], cleanup: made.cleanup };
      opened.push(entry);
      return {
        store: made.store,
        reopen: () => {
          expect(made.reopen, `${name} is declared durable, so it can be opened again`).toBeTypeOf('function');
          const again = made.reopen!();
          entry.stores.push(again);
          return again;
        },
      };
    };
    // restart tests exist only for a store that promises to survive one
    const durableIt = (title: string, fn: () => void | Promise<void>) => {
      if (durability.durable) it(title, fn);
    };

    it('starts empty', () => {
      const { store } = make();
      expect(store.load('room-a')).toEqual({ snapshot: null, updates: [] });
      expect(store.backlog('room-a')).toEqual({ count: 0, bytes: 0 });
    });

    it('appends in order with increasing sequence numbers, per room', () => {
      const { store } = make();
      const s1 = store.append('room-a', new Uint8Array([1]));
      const s2 = store.append('room-b', new Uint8Array([2]));
      const s3 = store.append('room-a', new Uint8Array([3, 3]));
      expect(s2).toBeGreaterThan(s1);
      expect(s3).toBeGreaterThan(s2);
      expect(store.load('room-a').updates).toEqual([
        { seq: s1, data: new Uint8Array([1]) },
        { seq: s3, data: new Uint8Array([3, 3]) },
      ]);
      expect(store.backlog('room-a')).toEqual({ count: 2, bytes: 3 });
    });

    it('keeps a copy: mutating the caller’s buffer later changes nothing stored', () => {
      const { store } = make();
      const buf = new Uint8Array([7, 7]);
      store.append('room-a', buf);
      buf[0] = 0;
      expect(store.load('room-a').updates[0].data).toEqual(new Uint8Array([7, 7]));
    });

    it('compaction replaces exactly the updates it covers', () => {
      const { store } = make();
      const s1 = store.append('room-a', new Uint8Array([1]));
      store.append('room-a', new Uint8Array([2]));
      const other = store.append('room-b', new Uint8Array([9]));
      store.compact('room-a', new Uint8Array([1, 2]), s1);
      const loaded = store.load('room-a');
      expect(loaded.snapshot).toEqual(new Uint8Array([1, 2]));
      expect(loaded.updates.map((u) => Array.from(u.data))).toEqual([[2]]);
      expect(store.load('room-b').updates).toEqual([{ seq: other, data: new Uint8Array([9]) }]);
      store.compact('room-a', new Uint8Array([1, 2, 3]), s1 + 1000);
      expect(store.load('room-a')).toEqual({ snapshot: new Uint8Array([1, 2, 3]), updates: [] });
    });

    durableIt('survives reopening', () => {
      const { store, reopen } = make();
      store.append('room-a', new Uint8Array([5]));
      store.compact('room-a', new Uint8Array([4]), 0);
      store.close();
      const again = reopen();
      expect(again.load('room-a')).toMatchObject({ snapshot: new Uint8Array([4]), updates: [{ data: new Uint8Array([5]) }] });
      again.close();
    });

    it('keeps saved snapshots per room, newest first, with who, when and size; a copy, not the caller’s buffer', () => {
      const { store } = make();
      const data = new Uint8Array([1, 2, 3]);
      const a = store.saveSnapshot('room-a', { name: 'end of day 3', kind: 'named', by: 'Ana', at: 1000 }, data);
      data[0] = 9;
      const b = store.saveSnapshot('room-a', { name: 'Automatic', kind: 'auto', by: 'hub', at: 2000 }, new Uint8Array([4]));
      store.saveSnapshot('room-b', { name: 'other', kind: 'named', by: 'Ben', at: 1500 }, new Uint8Array([5]));
      expect(b).toBeGreaterThan(a);
      expect(store.listSnapshots('room-a')).toEqual([
        { id: b, name: 'Automatic', kind: 'auto', by: 'hub', at: 2000, bytes: 1 },
        { id: a, name: 'end of day 3', kind: 'named', by: 'Ana', at: 1000, bytes: 3 },
      ]);
      expect(store.loadSnapshot('room-a', a)).toEqual(new Uint8Array([1, 2, 3]));
      // ids are not guessable across rooms: another room's id reads nothing here
      expect(store.loadSnapshot('room-b', a)).toBeNull();
      expect(store.listSnapshots('room-c')).toEqual([]);
    });

    it('deletes one saved snapshot of one room, and counts what the room’s snapshots take', () => {
      const { store } = make();
      const a = store.saveSnapshot('room-a', { name: 'one', kind: 'named', by: 'Ana', at: 1000 }, new Uint8Array(10));
      const b = store.saveSnapshot('room-a', { name: 'Automatic', kind: 'auto', by: 'hub', at: 2000 }, new Uint8Array(25));
      const other = store.saveSnapshot('room-b', { name: 'other', kind: 'named', by: 'Ben', at: 1500 }, new Uint8Array(7));
      expect(store.snapshotBytes('room-a')).toBe(35);
      expect(store.snapshotBytes('room-c')).toBe(0);
      // another room's id deletes nothing here
      expect(store.deleteSnapshot('room-a', other)).toBe(false);
      expect(store.deleteSnapshot('room-a', a)).toBe(true);
      expect(store.deleteSnapshot('room-a', a)).toBe(false);
      expect(store.loadSnapshot('room-a', a)).toBeNull();
      expect(store.listSnapshots('room-a').map((s) => s.id)).toEqual([b]);
      expect(store.snapshotBytes('room-a')).toBe(25);
      expect(store.snapshotBytes('room-b')).toBe(7);
      expect(store.loadSnapshot('room-b', other)).toEqual(new Uint8Array(7));
    });

    it('appends a batch in one go, in order, with increasing sequence numbers across rooms', () => {
      const { store } = make();
      const first = store.append('room-a', new Uint8Array([1]));
      const seqs = store.appendMany([
        { room: 'room-a', update: new Uint8Array([2]) },
        { room: 'room-b', update: new Uint8Array([3]) },
        { room: 'room-a', update: new Uint8Array([4]) },
      ]);
      expect(seqs[0]).toBeGreaterThan(first);
      expect(seqs[1]).toBeGreaterThan(seqs[0]);
      expect(seqs[2]).toBeGreaterThan(seqs[1]);
      expect(store.load('room-a').updates.map((u) => Array.from(u.data))).toEqual([[1], [2], [4]]);
      expect(store.appendMany([])).toEqual([]);
    });

    it('retains every update it stores, with when and how big, per room; a room with nothing retained reads as unknown', () => {
      const clock = { t: 5000 };
      const { store } = make({ now: () => clock.t });
      expect(store.retainedSummary('room-a')).toBeNull();
      expect(store.retainedBase('room-a')).toBeNull();
      expect(store.retainedTimeline('room-a', 0, Number.MAX_SAFE_INTEGER, 10)).toEqual([]);
      const s1 = store.append('room-a', new Uint8Array([1]));
      clock.t = 6000;
      const [s2, s3] = store.appendMany([
        { room: 'room-b', update: new Uint8Array([2, 2]) },
        { room: 'room-a', update: new Uint8Array([3, 3, 3]) },
      ]);
      expect(store.retainedSummary('room-a')).toEqual({ earliest: 5000, baseBytes: 0, throughSeq: 0 });
      expect(store.retainedUpdates('room-a', Number.MAX_SAFE_INTEGER, null, 10)).toEqual([
        { seq: s1, at: 5000, data: new Uint8Array([1]) },
        { seq: s3, at: 6000, data: new Uint8Array([3, 3, 3]) },
      ]);
      expect(store.retainedUpdates('room-b', Number.MAX_SAFE_INTEGER, null, 10)).toEqual([{ seq: s2, at: 6000, data: new Uint8Array([2, 2]) }]);
      expect(store.retainedTimeline('room-a', 0, Number.MAX_SAFE_INTEGER, 10)).toEqual([
        { at: 6000, bytes: 3 },
        { at: 5000, bytes: 1 },
      ]);
    });

    it('stamps strictly increase within a room, even when updates come in the same millisecond or the clock is set back', () => {
      const clock = { t: 1000 };
      const { store } = make({ now: () => clock.t });
      store.append('room-a', new Uint8Array([1]));
      store.appendMany([
        { room: 'room-a', update: new Uint8Array([2]) },
        { room: 'room-b', update: new Uint8Array([9]) },
        { room: 'room-a', update: new Uint8Array([3]) },
      ]);
      clock.t = 10;
      store.append('room-a', new Uint8Array([4]));
      clock.t = 2000;
      store.append('room-a', new Uint8Array([5]));
      expect(store.retainedUpdates('room-a', Number.MAX_SAFE_INTEGER, null, 10).map((u) => u.at)).toEqual([1000, 1001, 1002, 1003, 2000]);
      // another room keeps its own times
      expect(store.retainedUpdates('room-b', Number.MAX_SAFE_INTEGER, null, 10).map((u) => u.at)).toEqual([1000]);
    });

    it('compaction leaves the retained log untouched; it reads in pages up to a time and picks a time range newest first', () => {
      const clock = { t: 100 };
      const { store } = make({ now: () => clock.t });
      const seqs = [1, 2, 3, 4, 5].map((i) => {
        clock.t = i * 100;
        return store.append('room-a', new Uint8Array([i]));
      });
      store.compact('room-a', new Uint8Array([7]), seqs[4]);
      expect(store.backlog('room-a').count).toBe(0);
      const first = store.retainedUpdates('room-a', 400, null, 2);
      expect(first.map((u) => u.at)).toEqual([100, 200]);
      const second = store.retainedUpdates('room-a', 400, first[1], 2);
      expect(second.map((u) => u.at)).toEqual([300, 400]);
      expect(store.retainedUpdates('room-a', 400, second[1], 2)).toEqual([]);
      expect(store.retainedTimeline('room-a', 200, 400, 10).map((e) => e.at)).toEqual([400, 300, 200]);
      expect(store.retainedTimeline('room-a', 0, 1000, 2).map((e) => e.at)).toEqual([500, 400]);
    });

    it('pruning folds the oldest updates into the base, a bounded batch at a time, and every state from the base’s time on stays exact', async () => {
      const clock = { t: 0 };
      const { store } = make({ now: () => clock.t });
      const { updates, stateWhen } = history(8);
      updates.forEach((u, i) => {
        clock.t = (i + 1) * 1000;
        store.append('room-a', u);
      });
      expect(store.pruneRetained('room-a', 0, { maxUpdates: 10, maxBytes: 1 << 20 })).toBe(0);
      // at most two per call; then a byte bound that only one fits under (one is always taken)
      expect(store.pruneRetained('room-a', 5500, { maxUpdates: 2, maxBytes: 1 << 20 })).toBe(2);
      expect(store.retainedSummary('room-a')).toMatchObject({ earliest: 2000 });
      expect(store.pruneRetained('room-a', 5500, { maxUpdates: 10, maxBytes: 1 })).toBe(1);
      expect(store.pruneRetained('room-a', 5500, { maxUpdates: 10, maxBytes: 1 << 20 })).toBe(2);
      expect(store.pruneRetained('room-a', 5500, { maxUpdates: 10, maxBytes: 1 << 20 })).toBe(0);
      const summary = store.retainedSummary('room-a')!;
      expect(summary.earliest).toBe(5000);
      expect(summary.baseBytes).toBe(store.retainedBase('room-a')!.data.length);
      expect(store.retainedBase('room-a')).toMatchObject({ throughAt: 5000, throughSeq: summary.throughSeq });
      expect(store.retainedUpdates('room-a', Number.MAX_SAFE_INTEGER, null, 100).map((u) => u.at)).toEqual([6000, 7000, 8000]);
      expect(await stateAt(asyncStore(store), 'room-a', 4999, { maxInputBytes: 1 << 20 })).toEqual({ kind: 'before', earliest: 5000 });
      for (const t of [5000, 5999, 6000, 7500, 8000, 99_000]) {
        const r = await stateAt(asyncStore(store), 'room-a', t, { maxInputBytes: 1 << 20 });
        expect(r.kind).toBe('state');
        if (r.kind === 'state') expect(contents(r.update), `at ${t}`).toEqual(stateWhen(Math.min(8, Math.floor(t / 1000))));
      }
      // a new update after a prune still gets a later time than everything folded
      clock.t = 10;
      store.append('room-a', new Uint8Array([0, 0]));
      expect(store.retainedTimeline('room-a', 0, Number.MAX_SAFE_INTEGER, 1)[0].at).toBe(8001);
    });

    durableIt('keeps the retained log and its base across reopening', () => {
      const clock = { t: 1000 };
      const { store, reopen } = make({ now: () => clock.t });
      const { updates } = history(3);
      for (const u of updates) {
        clock.t += 1000;
        store.append('room-a', u);
      }
      store.pruneRetained('room-a', 2500, { maxUpdates: 10, maxBytes: 1 << 20 });
      const base = store.retainedBase('room-a');
      const log = store.retainedUpdates('room-a', Number.MAX_SAFE_INTEGER, null, 10);
      store.close();
      const again = reopen();
      expect(again.retainedBase('room-a')).toEqual(base);
      expect(again.retainedUpdates('room-a', Number.MAX_SAFE_INTEGER, null, 10)).toEqual(log);
      again.close();
    });

    it('retiring a workbook forgets everything stored for it and its journal, keeps only a marker, takes nothing more; other rooms are untouched', () => {
      const clock = { t: 5000 };
      const { store } = make({ now: () => clock.t });
      const wb = 'workbook-a';
      const journal = `${wb}.h`;
      const other = 'workbook-b';
      const { updates } = history(4);
      for (const room of [wb, journal, other]) {
        for (const u of updates) {
          clock.t += 10;
          store.append(room, u);
        }
        store.saveSnapshot(room, { name: 'before', kind: 'named', by: 'Ana', at: clock.t }, updates[0]);
        store.compact(room, updates[0], store.load(room).updates[0].seq);
        store.pruneRetained(room, clock.t - 15, { maxUpdates: 2, maxBytes: 1 << 20 });
      }
      const otherBefore = { load: store.load(other), snapshots: store.listSnapshots(other), base: store.retainedBase(other), summary: store.retainedSummary(other) };
      expect(store.retiredAt(wb)).toBeNull();

      store.retire(wb, 7000);
      for (const room of [wb, journal]) {
        expect(store.retiredAt(room), room).toBe(7000);
        expect(store.load(room), room).toEqual({ snapshot: null, updates: [] });
        expect(store.backlog(room), room).toEqual({ count: 0, bytes: 0 });
        expect(store.listSnapshots(room), room).toEqual([]);
        expect(store.snapshotBytes(room), room).toBe(0);
        expect(store.retainedSummary(room), room).toBeNull();
        expect(store.retainedBase(room), room).toBeNull();
        expect(store.retainedUpdates(room, Number.MAX_SAFE_INTEGER, null, 100), room).toEqual([]);
        expect(store.retainedTimeline(room, 0, Number.MAX_SAFE_INTEGER, 100), room).toEqual([]);
        // a change on its way when it was retired, a fold, a snapshot: none of them stores anything
        store.append(room, updates[1]);
        store.appendMany([
          { room, update: updates[2] },
          { room: other, update: updates[3] },
        ]);
        store.compact(room, updates[0], Number.MAX_SAFE_INTEGER);
        expect(() => store.saveSnapshot(room, { name: 'after', kind: 'named', by: 'Ana', at: clock.t }, updates[0])).toThrow();
        expect(store.load(room), room).toEqual({ snapshot: null, updates: [] });
        expect(store.retainedSummary(room), room).toBeNull();
        expect(store.listSnapshots(room), room).toEqual([]);
      }
      expect(store.retiredAt(other)).toBeNull();
      expect(store.retiredAt('workbook-ab')).toBeNull();
      // the other workbook: as it was, plus the two updates sent to it alongside
      expect(store.listSnapshots(other)).toEqual(otherBefore.snapshots);
      expect(store.retainedBase(other)).toEqual(otherBefore.base);
      expect(store.load(other).snapshot).toEqual(otherBefore.load.snapshot);
      expect(store.load(other).updates.map((u) => u.data)).toEqual([...otherBefore.load.updates.map((u) => u.data), updates[3], updates[3]]);

      // idempotent: retiring again (or by the journal's name) keeps the first time
      store.retire(wb, 9000);
      store.retire(journal, 9500);
      expect(store.retiredAt(wb)).toBe(7000);
    });

    durableIt('a retired workbook stays retired across reopening', () => {
      const { store, reopen } = make();
      store.append('workbook-a', new Uint8Array([5]));
      store.retire('workbook-a', 1234);
      store.close();
      const again = reopen();
      expect(again.retiredAt('workbook-a.h')).toBe(1234);
      expect(again.load('workbook-a')).toEqual({ snapshot: null, updates: [] });
      again.append('workbook-a', new Uint8Array([6]));
      expect(again.load('workbook-a')).toEqual({ snapshot: null, updates: [] });
      again.close();
    });

    it('a 5 MiB update, a batch of large ones, a 5 MiB compaction and a 5 MiB saved snapshot round-trip byte for byte', () => {
      const { store } = make();
      const big = bytes(5 * MiB, 1);
      const seq = store.append('room-a', big);
      expectSame(store.load('room-a').updates.find((u) => u.seq === seq)?.data, big);
      expect(store.backlog('room-a')).toEqual({ count: 1, bytes: 5 * MiB });
      expectSame(store.retainedUpdates('room-a', Number.MAX_SAFE_INTEGER, null, 10)[0]?.data, big);
      const batch = [bytes(2 * MiB, 2), bytes(3 * MiB + 7, 3), bytes(1, 4)];
      const seqs = store.appendMany(batch.map((update, i) => ({ room: i === 1 ? 'room-b' : 'room-a', update })));
      const stored = new Map([...store.load('room-a').updates, ...store.load('room-b').updates].map((u) => [u.seq, u.data]));
      seqs.forEach((s, i) => expectSame(stored.get(s), batch[i]));
      const snapshot = bytes(5 * MiB, 5);
      store.compact('room-a', snapshot, Number.MAX_SAFE_INTEGER);
      expectSame(store.load('room-a').snapshot ?? undefined, snapshot);
      const saved = bytes(5 * MiB, 6);
      const id = store.saveSnapshot('room-a', { name: 'big', kind: 'named', by: 'Ana', at: 1 }, saved);
      expectSame(store.loadSnapshot('room-a', id) ?? undefined, saved);
      expect(store.listSnapshots('room-a')).toMatchObject([{ id, bytes: 5 * MiB }]);
    });

    durableIt('a 5 MiB update and a 5 MiB snapshot survive reopening byte for byte', () => {
      const { store, reopen } = make();
      const big = bytes(5 * MiB, 7);
      const snapshot = bytes(5 * MiB, 8);
      store.append('room-a', big);
      const id = store.saveSnapshot('room-a', { name: 'big', kind: 'named', by: 'Ana', at: 1 }, snapshot);
      store.close();
      const again = reopen();
      expectSame(again.load('room-a').updates[0]?.data, big);
      expectSame(again.retainedUpdates('room-a', Number.MAX_SAFE_INTEGER, null, 10)[0]?.data, big);
      expectSame(again.loadSnapshot('room-a', id) ?? undefined, snapshot);
    });

    it('appendMany is all or nothing: an entry that fails in the middle of a batch leaves none of it stored, in either log', () => {
      const clock = { t: 1000 };
      const { store } = make({ now: () => clock.t });
      const before = store.append('room-a', new Uint8Array([1]));
      clock.t = 2000;
      expect(() =>
        store.appendMany([
          { room: 'room-a', update: new Uint8Array([2]) },
          { room: 'room-b', update: new Uint8Array([3]) },
          // not an update: refused after the first two were taken
          { room: 'room-a', update: null as unknown as Uint8Array },
          { room: 'room-a', update: new Uint8Array([4]) },
        ]),
      ).toThrow();
      expect(store.load('room-a').updates).toEqual([{ seq: before, data: new Uint8Array([1]) }]);
      expect(store.load('room-b').updates).toEqual([]);
      expect(store.backlog('room-a')).toEqual({ count: 1, bytes: 1 });
      expect(store.retainedUpdates('room-a', Number.MAX_SAFE_INTEGER, null, 10).map((u) => Array.from(u.data))).toEqual([[1]]);
      expect(store.retainedUpdates('room-b', Number.MAX_SAFE_INTEGER, null, 10)).toEqual([]);
      expect(store.retainedSummary('room-b')).toBeNull();
      // and the store goes on: the next batch is stored whole, after what was there
      const seqs = store.appendMany([
        { room: 'room-a', update: new Uint8Array([5]) },
        { room: 'room-b', update: new Uint8Array([6]) },
      ]);
      expect(seqs[0]).toBeGreaterThan(before);
      expect(store.load('room-a').updates.map((u) => Array.from(u.data))).toEqual([[1], [5]]);
      expect(store.load('room-b').updates.map((u) => Array.from(u.data))).toEqual([[6]]);
      expect(store.retainedUpdates('room-a', Number.MAX_SAFE_INTEGER, null, 10).map((u) => u.at)).toEqual([1000, 2000]);
    });
  });
}
