import { EventEmitter } from 'node:events';
import pg from 'pg';
import { Redis } from 'ioredis';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { PostgresStore } from '../../server/pg-store.js';
import { RedisBus, type BusHandlers } from '../../server/redis-bus.js';
import { GlobalCounters } from '../../server/redis-counters.js';
import { startPostgres, type PostgresServer } from '../support/postgres.js';
import { startRedis, type RedisServer } from '../support/redis.js';
import { until } from '../support/wait.js';
import { history } from '../unit/async-store-contract.js';

let postgres: PostgresServer;
let redis: RedisServer;
let store: PostgresStore;
let prefixes = 0;

beforeAll(async () => {
  [postgres, redis] = await Promise.all([startPostgres(), startRedis()]);
  const admin = new pg.Client(postgres.url);
  await admin.connect();
  await admin.query('CREATE DATABASE bus');
  await admin.end();
  store = await PostgresStore.open(postgres.url.replace(/\/postgres$/, '/bus'));
}, 60_000);
afterAll(async () => {
  await store?.close();
  await Promise.all([postgres?.destroy(), redis?.destroy()]);
});

/** A bus whose handler calls are recorded, with an event on each so a test can wait for them. */
async function recordingBus(prefix: string) {
  const events = new EventEmitter();
  const got = { updates: [] as { room: string; roomSeq: number; data: Uint8Array }[], reloads: [] as { room: string; roomSeq: number }[], presence: [] as Uint8Array[] };
  const handlers: BusHandlers = {
    update: (room, data, roomSeq) => {
      got.updates.push({ room, roomSeq, data });
      events.emit('change');
    },
    reload: (room, _stored, roomSeq) => {
      got.reloads.push({ room, roomSeq });
      events.emit('change');
    },
    presence: (_room, data) => {
      got.presence.push(data);
      events.emit('change');
    },
  };
  const bus = await RedisBus.open(redis.url, store, handlers, { prefix });
  const wait = (predicate: () => boolean, what: string) =>
    until(
      (notify) => {
        events.on('change', notify);
        return () => events.off('change', notify);
      },
      predicate,
      what,
    );
  return { bus, got, wait };
}

/** Commits `updates` to `room` (as a hub process does), returning their roomSeqs. */
async function commit(room: string, updates: Uint8Array[]): Promise<number[]> {
  return (await store.appendSequenced(updates.map((update) => ({ room, update })))).map((s) => s.roomSeq);
}

describe('RedisBus', () => {
  it('hands another process’s committed updates over in sequence, never its own back to the sender', async () => {
    const prefix = `t${++prefixes}:`;
    const a = await recordingBus(prefix);
    const b = await recordingBus(prefix);
    try {
      const room = 'room-inorder';
      await a.bus.subscribe(room, 0);
      await b.bus.subscribe(room, 0);
      const { updates } = history(5);
      for (const u of updates) {
        const [roomSeq] = await commit(room, [u]);
        expect(await a.bus.publishUpdate(room, roomSeq, u)).toBe(true);
      }
      await b.wait(() => b.got.updates.length === 5, 'five updates at B');
      expect(b.got.updates.map((u) => u.roomSeq)).toEqual([1, 2, 3, 4, 5]);
      expect(b.got.updates.map((u) => u.data)).toEqual(updates);
      expect(a.got.updates).toEqual([]);
      expect(a.bus.seen(room)).toBe(5);
      expect(b.bus.seen(room)).toBe(5);
    } finally {
      await a.bus.close();
      await b.bus.close();
    }
  });

  it('a gap in the sequence (messages Redis never delivered) is caught up from Postgres, in order, each once', async () => {
    const prefix = `t${++prefixes}:`;
    const a = await recordingBus(prefix);
    const b = await recordingBus(prefix);
    try {
      const room = 'room-gap';
      await b.bus.subscribe(room, 0);
      const { updates } = history(4);
      const seqs = await commit(room, updates);
      // only the last is published: the first three were "lost"
      await a.bus.publishUpdate(room, seqs[3], updates[3]);
      await b.wait(() => b.got.updates.length >= 4, 'B caught up');
      expect(b.got.updates.map((u) => u.roomSeq)).toEqual([1, 2, 3, 4]);
      expect(b.got.updates.map((u) => u.data)).toEqual(updates);
    } finally {
      await a.bus.close();
      await b.bus.close();
    }
  });

  it('a subscriber whose missed updates were folded into a snapshot reloads the room from Postgres', async () => {
    const prefix = `t${++prefixes}:`;
    const a = await recordingBus(prefix);
    const b = await recordingBus(prefix);
    try {
      const room = 'room-folded';
      await b.bus.subscribe(room, 0);
      const { updates } = history(3);
      // three commits whose messages B never gets, then folded into the snapshot
      const seqs = await commit(room, updates);
      const stored = await store.load(room);
      await store.compact(room, updates[0], stored.updates[2].seq);
      expect(seqs).toEqual([1, 2, 3]);
      await a.bus.publishUpdate(room, 3, updates[2]);
      await b.wait(() => b.got.reloads.length === 1, 'B reloads');
      expect(b.got.updates).toEqual([]);
      expect(b.got.reloads).toEqual([{ room, roomSeq: 3 }]);
    } finally {
      await a.bus.close();
      await b.bus.close();
    }
  });

  it('Redis restarting loses nothing: publishes fail while it is down (commits go on), and the subscriber catches up from Postgres when it returns', async () => {
    const prefix = `t${++prefixes}:`;
    const a = await recordingBus(prefix);
    const b = await recordingBus(prefix);
    try {
      const room = 'room-restart';
      await b.bus.subscribe(room, 0);
      await a.bus.subscribe(room, 0);
      const { updates } = history(6);
      const [first] = await commit(room, [updates[0]]);
      await a.bus.publishUpdate(room, first, updates[0]);
      await b.wait(() => b.got.updates.length === 1, 'first update at B');
      await redis.stop();
      for (const u of updates.slice(1)) {
        const [roomSeq] = await commit(room, [u]);
        expect(await a.bus.publishUpdate(room, roomSeq, u)).toBe(false);
      }
      await redis.start();
      await b.wait(() => b.got.updates.length === 6, 'B caught up after the restart');
      expect(b.got.updates.map((u) => u.roomSeq)).toEqual([1, 2, 3, 4, 5, 6]);
      expect(b.got.updates.map((u) => u.data)).toEqual(updates);
    } finally {
      await a.bus.close();
      await b.bus.close();
    }
  });

  it('relays presence to the other processes, not back to the sender, and stores none of it in Redis', async () => {
    const prefix = `t${++prefixes}:`;
    const a = await recordingBus(prefix);
    const b = await recordingBus(prefix);
    const probe = new Redis(redis.url);
    try {
      const room = 'room-presence';
      await a.bus.subscribe(room, 0);
      await b.bus.subscribe(room, 0);
      expect(await a.bus.publishPresence(room, new Uint8Array([7, 7, 7]))).toBe(true);
      await b.wait(() => b.got.presence.length === 1, 'presence at B');
      expect(b.got.presence).toEqual([new Uint8Array([7, 7, 7])]);
      expect(a.got.presence).toEqual([]);
      expect(await probe.keys(`${prefix}*`)).toEqual([]);
    } finally {
      probe.disconnect();
      await a.bus.close();
      await b.bus.close();
    }
  });
});

describe('GlobalCounters', () => {
  it('counts across processes, refuses past the limit atomically, and a dead process’s part vanishes when its liveness key expires', async () => {
    const prefix = `c${++prefixes}:`;
    const probe = new Redis(redis.url);
    const expired = new Redis(redis.url);
    await probe.config('SET', 'notify-keyspace-events', 'Ex');
    const a = await GlobalCounters.open(redis.url, { prefix, ttlMs: 400 });
    const b = await GlobalCounters.open(redis.url, { prefix, ttlMs: 60_000 });
    try {
      const ip = 'conn:203.0.113.7';
      expect(await a.reserve(ip, 3)).toEqual({ ok: true, total: 1 });
      expect(await a.reserve(ip, 3)).toEqual({ ok: true, total: 2 });
      // both at once for the last place: exactly one gets it
      const race = await Promise.all([b.reserve(ip, 3), b.reserve(ip, 3)]);
      expect(race.map((r) => r.ok).sort()).toEqual([false, true]);
      expect(await b.total(ip)).toBe(3);
      await b.release(ip);
      expect(await a.total(ip)).toBe(2);
      expect(await b.reserve(ip, 3)).toEqual({ ok: true, total: 3 });

      const events = new EventEmitter();
      const gone: string[] = [];
      expired.on('message', (_channel: string, key: string) => {
        gone.push(key);
        events.emit('change');
      });
      await expired.subscribe('__keyevent@0__:expired');
      a.abandon();
      await until(
        (notify) => {
          events.on('change', notify);
          return () => events.off('change', notify);
        },
        () => gone.includes(`${prefix}alive:${a.id}`),
        'the dead process’s liveness key to expire',
      );
      expect(await b.total(ip)).toBe(1);
      expect(await b.reserve(ip, 3)).toEqual({ ok: true, total: 2 });
      // a clean close removes its part at once
      await b.close();
      const c = await GlobalCounters.open(redis.url, { prefix });
      expect(await c.total(ip)).toBe(0);
      await c.close();
    } finally {
      probe.disconnect();
      expired.disconnect();
      await b.close();
    }
  });
});
