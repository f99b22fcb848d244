import { describe, expect, it } from 'vitest';
import type { RoomStore } from '../../server/store.js';

/** Every RoomStore implementation must pass this suite (run from store.test.ts). */
export function storeContract(name: string, make: () => { store: RoomStore; reopen?: () => RoomStore }) {
  describe(`RoomStore contract: ${name}`, () => {
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

    it('survives reopening, where the implementation is durable', () => {
      const { store, reopen } = make();
      if (!reopen) return; // the memory store promises nothing across restarts
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
  });
}
