import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { afterEach, describe, expect, it } from 'vitest';
import * as Y from 'yjs';
import * as encoding from 'lib0/encoding';
import { Workbook } from '../../src/model/index.js';
import { MESSAGE_SYNC } from '../../src/protocol/messages.js';
import { BeforeRetentionError } from '../../src/protocol/retained.js';
import { SnapshotApiError } from '../../src/protocol/snapshots.js';
import { RetainedClient } from '../../src/sync/retained.js';
import { ConfigError, configFromEnv } from '../../server/config.js';
import { asyncStore } from '../../server/async-store.js';
import { silentLogger } from '../../server/log.js';
import { stateAt, timelineOf } from '../../server/retained.js';
import { Room, type Peer } from '../../server/room.js';
import { MemoryStore } from '../../server/store.js';
import { createWorkbookApi } from '../../server/workbook-api.js';

const peer: Peer = { role: 'edit', send: () => {}, close: () => {} };

function updateFrame(update: Uint8Array): Uint8Array {
  const enc = encoding.createEncoder();
  encoding.writeVarUint(enc, MESSAGE_SYNC);
  encoding.writeVarUint(enc, 2);
  encoding.writeVarUint8Array(enc, update);
  return encoding.toUint8Array(enc);
}

/** A workbook with one cell, written `n` times, each write its own update. */
function cellEdits(n: number) {
  const doc = new Y.Doc();
  const updates: Uint8Array[] = [];
  doc.on('update', (u: Uint8Array) => updates.push(u));
  const wb = new Workbook(doc, { actor: { name: 'Ana', deviceId: 'a' } });
  const sheet = wb.initialize({ rows: 1, columns: 1 });
  const [row] = wb.rowIds(sheet);
  const [col] = wb.columns(sheet);
  const setup = updates.length;
  for (let i = 0; i < n; i++) wb.setCell(sheet, row, col.id, `edit ${i}`);
  return { updates, setup };
}

function cellOf(update: Uint8Array): unknown {
  const wb = new Workbook(new Y.Doc(), { actor: { name: 'r', deviceId: 'r' } });
  Y.applyUpdate(wb.doc, update);
  if (!wb.isInitialized()) return undefined;
  const sheet = wb.sheets()[0].id;
  return wb.getValue(sheet, wb.rowIds(sheet)[0], wb.columns(sheet)[0].id);
}

const servers: Server[] = [];
afterEach(async () => {
  await Promise.all(servers.splice(0).map((s) => new Promise((res) => s.close(res))));
});

describe('the retained log through a room', () => {
  it('pruning with an injected clock folds what left the window into the base, and every moment inside the window stays exact', async () => {
    const clock = { t: 1_000_000 };
    const now = () => clock.t;
    const store = new MemoryStore({ now });
    const retainMs = 10_000;
    const room = new Room('room-1', store, { compactAfterUpdates: 5, compactAfterBytes: 1 << 20, retainMs, now }, silentLogger);
    room.join(peer);
    const { updates, setup } = cellEdits(60);
    /** what the cell held after each stored update, by the time it was stored */
    const seen: { at: number; value: unknown }[] = [];
    updates.forEach((u, i) => {
      clock.t += 1000;
      room.receive(peer, updateFrame(u));
      seen.push({ at: clock.t, value: i < setup ? null : `edit ${i - setup}` });
    });
    room.compact();
    const summary = store.retainedSummary('room-1')!;
    const cutoff = clock.t - retainMs;
    // everything older than the window is folded; nothing inside it is
    expect(summary.earliest).toBeLessThan(cutoff);
    expect(summary.earliest).toBeGreaterThanOrEqual(cutoff - 1000);
    const kept = store.retainedUpdates('room-1', Number.MAX_SAFE_INTEGER, null, 1000);
    expect(kept[0].at).toBeGreaterThanOrEqual(cutoff);
    expect(kept).toHaveLength(seen.filter((s) => s.at >= cutoff).length);
    for (let t = cutoff; t <= clock.t + 1; t += 250) {
      const r = await stateAt(asyncStore(store), 'room-1', t, { maxInputBytes: 1 << 24, pageSize: 3 });
      expect(r.kind).toBe('state');
      if (r.kind === 'state') expect(cellOf(r.update), `at ${t}`).toBe(seen.filter((s) => s.at <= t).at(-1)!.value);
    }
    expect(await stateAt(asyncStore(store), 'room-1', summary.earliest - 1, { maxInputBytes: 1 << 24 })).toEqual({ kind: 'before', earliest: summary.earliest });
    // the live doc and the latest retained state agree
    const latest = await stateAt(asyncStore(store), 'room-1', clock.t, { maxInputBytes: 1 << 24 });
    expect(latest.kind === 'state' && cellOf(latest.update)).toBe('edit 59');
    room.destroy();
  });

  it('RETAIN_MS=0 keeps everything: nothing is ever folded', () => {
    const clock = { t: 0 };
    const store = new MemoryStore({ now: () => clock.t });
    const room = new Room('room-1', store, { compactAfterUpdates: 2, compactAfterBytes: 1 << 20, retainMs: 0, now: () => clock.t }, silentLogger);
    room.join(peer);
    for (const u of cellEdits(10).updates) {
      clock.t += 365 * 24 * 3_600_000;
      room.receive(peer, updateFrame(u));
    }
    room.compact();
    expect(store.retainedBase('room-1')).toBeNull();
    expect(store.retainedTimeline('room-1', 0, Number.MAX_SAFE_INTEGER, 100)).toHaveLength(cellEdits(10).updates.length);
    room.destroy();
  });
});

describe('RETAIN_MS', () => {
  it('defaults to 90 days, takes 0 (keep forever), and refuses nonsense with its name', () => {
    expect(configFromEnv({}).retainMs).toBe(90 * 24 * 3_600_000);
    expect(configFromEnv({ RETAIN_MS: '0' }).retainMs).toBe(0);
    expect(() => configFromEnv({ RETAIN_MS: '-1' })).toThrow(ConfigError);
    expect(() => configFromEnv({ RETAIN_MS: '90 days' })).toThrow(/RETAIN_MS/);
  });
});

describe('stateAt', () => {
  function filled(n: number) {
    const clock = { t: 1000 };
    const store = new MemoryStore({ now: () => clock.t });
    const { updates, setup } = cellEdits(n);
    for (const u of updates) {
      clock.t += 10;
      store.append('room-1', u);
    }
    return { store, clock, setup, count: updates.length };
  }

  it('an unknown room, a moment before the first change, and one that would read too much are told apart', async () => {
    const { store } = filled(3);
    expect(await stateAt(asyncStore(store), 'nobody', 5000, { maxInputBytes: 1 << 20 })).toEqual({ kind: 'unknown' });
    expect(await stateAt(asyncStore(store), 'room-1', 1009, { maxInputBytes: 1 << 20 })).toEqual({ kind: 'before', earliest: 1010 });
    expect(await stateAt(asyncStore(store), 'room-1', 5000, { maxInputBytes: 100 })).toEqual({ kind: 'too-large', limit: 100 });
  });

  it('reads in pages with the event loop between them, and starts again when a prune lands mid-read', async () => {
    const { store, setup, count } = filled(20);
    const end = 1000 + 10 * count;
    let yields = 0;
    const r = await stateAt(asyncStore(store), 'room-1', end, {
      maxInputBytes: 1 << 20,
      pageSize: 4,
      yieldNow: async () => {
        // the first time the read pauses, a compaction prunes past where it has read
        if (yields++ === 0) store.pruneRetained('room-1', 1000 + 10 * 12, { maxUpdates: 100, maxBytes: 1 << 20 });
      },
    });
    // one pause before the prune, then the whole read again from the new base, page by page
    expect(yields).toBeGreaterThan(2);
    expect(r.kind === 'state' && cellOf(r.update)).toBe(`edit ${count - setup - 1}`);
    // the 15th update, after the ones folded
    const mid = await stateAt(asyncStore(store), 'room-1', 1000 + 10 * 15, { maxInputBytes: 1 << 20, pageSize: 4 });
    expect(mid.kind === 'state' && cellOf(mid.update)).toBe(`edit ${15 - setup - 1}`);
  });

  it('the timeline is newest first, capped, and says when it is', async () => {
    const { store, count } = filled(10);
    const t = (await timelineOf(asyncStore(store), 'room-1', 0, Number.MAX_SAFE_INTEGER, 3))!;
    expect(t.earliest).toBe(1010);
    expect(t.entries.map((e) => e.at)).toEqual([1000 + 10 * count, 1000 + 10 * (count - 1), 1000 + 10 * (count - 2)]);
    expect(t.truncated).toBe(true);
    expect(await timelineOf(asyncStore(store), 'room-1', 1010, 1030, 3)).toMatchObject({ truncated: false, entries: [{ at: 1030 }, { at: 1020 }, { at: 1010 }] });
    expect(await timelineOf(asyncStore(store), 'nobody', 0, 1, 3)).toBeNull();
  });
});

describe('the retained API over HTTP', () => {
  async function serve(store: MemoryStore, maxStateInputBytes: number): Promise<string> {
    const api = createWorkbookApi({ store: asyncStore(store), liveDoc: () => null, now: Date.now, log: silentLogger, maxStateInputBytes });
    const server = createServer((req, res) => {
      if (!api(req, res, new URL(req.url ?? '/', 'http://hub.invalid'))) res.writeHead(599).end();
    });
    servers.push(server);
    await new Promise<void>((res) => server.listen(0, '127.0.0.1', res));
    return `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  }

  it('answers each refusal with its status and typed code, and a good request with the state', async () => {
    const clock = { t: 50_000 };
    const store = new MemoryStore({ now: () => clock.t });
    for (const u of cellEdits(3).updates) {
      clock.t += 1;
      store.append('workbook-01', u);
    }
    const origin = await serve(store, 64);
    const code = (p: Promise<unknown>) => p.then(() => 'ok', (e: unknown) => (e instanceof SnapshotApiError ? e.code : String(e)));
    const api = new RetainedClient(origin, 'workbook-01');
    expect(await code(api.stateAt(clock.t))).toBe('TOO_LARGE');
    expect((await fetch(`${origin}/api/w/workbook-01/state?at=${clock.t}`)).status).toBe(413);
    expect((await fetch(`${origin}/api/w/workbook-01/state?at=1`, { method: 'POST' })).status).toBe(405);
    for (const q of ['', '?at=', '?at=abc', '?at=-5', '?at=1.5', '?at=1e6', '?at=99999999999999999']) {
      const res = await fetch(`${origin}/api/w/workbook-01/state${q}`);
      expect(res.status, q).toBe(400);
      expect((await res.json()).error).toBe('BAD_TIME');
    }
    for (const q of ['?from=x', '?to=-1', '?from=10&to=5']) expect((await fetch(`${origin}/api/w/workbook-01/timeline${q}`)).status, q).toBe(400);
    const before = await api.stateAt(1).then(() => null, (e: unknown) => e);
    expect(before).toBeInstanceOf(BeforeRetentionError);
    expect((before as BeforeRetentionError).earliest).toBe(50_001);
    expect(await code(new RetainedClient(origin, 'workbook-02').timeline())).toBe('UNKNOWN_WORKBOOK');
    expect((await fetch(`${origin}/api/w/workbook-01/state/extra?at=1`)).status).toBe(404);
    expect((await fetch(`${origin}/api/w/bad.x/state?at=1`)).status).toBe(404);
    expect(await code(api.stateAt(-1))).toBe('BAD_TIME');

    const roomy = new RetainedClient(await serve(store, 1 << 20), 'workbook-01');
    expect(cellOf(await roomy.stateAt(clock.t))).toBe('edit 2');
    expect((await roomy.timeline({ from: 50_001 })).entries.at(-1)).toMatchObject({ at: 50_001 });
  });
});
