import pg from 'pg';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { StoreError } from '../../server/async-store.js';
import { ROOM_LOCK_CLASS } from '../../server/pg-schema.js';
import { PostgresStore } from '../../server/pg-store.js';
import type { StoreOptions } from '../../server/store.js';
import { startPostgres, type PostgresServer } from '../support/postgres.js';
import { asyncStoreContract, history } from '../unit/async-store-contract.js';

let server: PostgresServer;
let databases = 0;

/** A fresh database on the shared server (CREATE DATABASE copies template1: fast), its URL. */
async function freshDatabase(): Promise<{ url: string; drop: () => Promise<void> }> {
  const name = `t${++databases}`;
  const admin = new pg.Client(server.url);
  await admin.connect();
  await admin.query(`CREATE DATABASE ${name}`);
  await admin.end();
  const url = server.url.replace(/\/postgres$/, `/${name}`);
  return {
    url,
    drop: async () => {
      const c = new pg.Client(server.url);
      await c.connect();
      await c.query(`DROP DATABASE IF EXISTS ${name} WITH (FORCE)`);
      await c.end();
    },
  };
}

beforeAll(async () => {
  server = await startPostgres();
}, 60_000);
afterAll(async () => {
  await server?.destroy();
});

asyncStoreContract('PostgresStore', { durable: true }, async (options?: StoreOptions) => {
  const db = await freshDatabase();
  return {
    store: await PostgresStore.open(db.url, options),
    reopen: () => PostgresStore.open(db.url, options),
    cleanup: db.drop,
  };
});

describe('PostgresStore', () => {
  it('two writers on two connections agree on one per-workbook sequence: 1, 2, 3 … in commit order, no gap, no repeat', async () => {
    const db = await freshDatabase();
    const a = await PostgresStore.open(db.url);
    const b = await PostgresStore.open(db.url);
    try {
      const got: { seq: number; roomSeq: number; data: number }[] = [];
      const writer = async (store: PostgresStore, base: number, rooms: string[]) => {
        for (let i = 0; i < 40; i++) {
          // batches naming both rooms, in opposite orders per writer: locked in name order, so no deadlock
          const r = await store.appendSequenced(rooms.map((room, k) => ({ room, update: new Uint8Array([base, i, k]) })));
          r.forEach((s, k) => rooms[k] === 'room-x' && got.push({ ...s, data: base * 1000 + i }));
        }
      };
      await Promise.all([writer(a, 1, ['room-x', 'room-y']), writer(b, 2, ['room-y', 'room-x'])]);
      const roomSeqs = got.map((g) => g.roomSeq).sort((p, q) => p - q);
      expect(roomSeqs).toEqual(Array.from({ length: 80 }, (_, i) => i + 1));
      // seq and roomSeq order the room's updates the same way, and load gives them in that order
      const bySeq = [...got].sort((p, q) => p.seq - q.seq);
      expect(bySeq.map((g) => g.roomSeq)).toEqual(roomSeqs);
      const loaded = await a.load('room-x');
      expect(loaded.updates.map((u) => u.seq)).toEqual(bySeq.map((g) => g.seq));
      expect((await b.loadSequenced('room-y')).roomSeq).toBe(80);
      // a process that saw up to 70 catches up with exactly the ten after it
      const after = await b.updatesAfter('room-x', 70);
      expect(after?.map((u) => u.roomSeq)).toEqual([71, 72, 73, 74, 75, 76, 77, 78, 79, 80]);
      // once those were folded into the snapshot, catching up means loading again
      await a.compact('room-x', new Uint8Array([0]), bySeq[74].seq);
      expect(await b.updatesAfter('room-x', 70)).toBeNull();
      expect((await b.updatesAfter('room-x', 75))?.map((u) => u.roomSeq)).toEqual([76, 77, 78, 79, 80]);
    } finally {
      await a.close();
      await b.close();
      await db.drop();
    }
  });

  it('commits synchronously on every connection, even where the database’s default says otherwise', async () => {
    const db = await freshDatabase();
    const admin = new pg.Client(server.url);
    await admin.connect();
    await admin.query(`ALTER DATABASE ${db.url.split('/').pop()} SET synchronous_commit = off`);
    await admin.end();
    const plain = new pg.Client(db.url);
    await plain.connect();
    expect((await plain.query('SHOW synchronous_commit')).rows[0].synchronous_commit).toBe('off');
    await plain.end();
    const store = await PostgresStore.open(db.url, { maxConnections: 3 });
    try {
      // every connection of the pool, held at once, says on
      const settings = await Promise.all([1, 2, 3].map(() => store.sessionSetting('synchronous_commit')));
      expect(settings).toEqual(['on', 'on', 'on']);
    } finally {
      await store.close();
      await db.drop();
    }
  });

  it('a fold runs once across processes: while another holds the room’s lock it is skipped; an older snapshot never replaces a newer one', async () => {
    const db = await freshDatabase();
    const a = await PostgresStore.open(db.url);
    const b = await PostgresStore.open(db.url);
    const other = new pg.Client(db.url);
    await other.connect();
    try {
      const { updates } = history(2);
      const s1 = await a.append('room-a', updates[0]);
      const s2 = await a.append('room-a', updates[1]);
      await other.query(`SELECT pg_advisory_lock(${ROOM_LOCK_CLASS}, hashtext('room-a'))`);
      await b.compact('room-a', new Uint8Array([9]), s2);
      expect(await b.pruneRetained('room-a', Number.MAX_SAFE_INTEGER, { maxUpdates: 10, maxBytes: 1 << 20 })).toBe(0);
      expect(await a.load('room-a')).toMatchObject({ snapshot: null, updates: [{ seq: s1 }, { seq: s2 }] });
      await other.query(`SELECT pg_advisory_unlock(${ROOM_LOCK_CLASS}, hashtext('room-a'))`);
      await b.compact('room-a', new Uint8Array([1, 2]), s2);
      // a process that saw only the first update folds later: the newer snapshot stays
      await a.compact('room-a', new Uint8Array([1]), s1);
      expect(await a.load('room-a')).toEqual({ snapshot: new Uint8Array([1, 2]), updates: [] });
      expect(await a.pruneRetained('room-a', Number.MAX_SAFE_INTEGER, { maxUpdates: 10, maxBytes: 1 << 20 })).toBe(2);
    } finally {
      await other.end();
      await a.close();
      await b.close();
      await db.drop();
    }
  });

  it('a stopped Postgres makes append reject with STORE_UNAVAILABLE; when it returns, everything acked is there and the next append lands', async () => {
    const db = await freshDatabase();
    const store = await PostgresStore.open(db.url, { connectTimeoutMs: 2000 });
    try {
      const acked: number[] = [];
      for (let i = 0; i < 20; i++) acked.push(await store.append('room-a', new Uint8Array([i])));
      await server.stop();
      const refused = await store.append('room-a', new Uint8Array([99])).then(
        () => null,
        (err: unknown) => err,
      );
      expect(refused).toBeInstanceOf(StoreError);
      expect((refused as StoreError).code).toBe('STORE_UNAVAILABLE');
      await expect(store.load('room-a')).rejects.toMatchObject({ code: 'STORE_UNAVAILABLE' });
      await server.start();
      // the same store (its pool replaces the dropped connections) works again
      const again = await store.append('room-a', new Uint8Array([99]));
      const loaded = await store.load('room-a');
      expect(loaded.updates.map((u) => u.seq)).toEqual([...acked, again]);
      expect(loaded.updates.map((u) => u.data[0])).toEqual([...acked.map((_, i) => i), 99]);
      expect((await store.retainedUpdates('room-a', Number.MAX_SAFE_INTEGER, null, 100)).length).toBe(21);
    } finally {
      await store.close();
      await db.drop();
    }
  });
});
