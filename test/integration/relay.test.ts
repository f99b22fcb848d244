import { afterEach, describe, expect, it } from 'vitest';
import * as Y from 'yjs';
import WebSocket from 'ws';
import { fragmentFrame } from '../../src/protocol/fragments.js';
import { CloseCode } from '../../src/protocol/messages.js';
import { allOnHub, makeClient, untilDoc, untilHubAcked, untilStatus, type TestClient } from '../support/clients.js';
import { startRelay, type RelayProcess } from '../support/relay-process.js';
import { until } from '../support/wait.js';
import { Workbook } from '../../src/model/index.js';
import { MemoryHubStateStore } from '../../src/sync/hub-state.js';
import { SyncSession } from '../../src/sync/session.js';

const relays: RelayProcess[] = [];
const clients: TestClient[] = [];

async function relay(opts?: Parameters<typeof startRelay>[0]) {
  const r = await startRelay(opts);
  relays.push(r);
  return r;
}
function client(r: RelayProcess, id: string, name?: string, doc?: Y.Doc) {
  const c = makeClient(r.syncUrl, id, name, doc);
  clients.push(c);
  return c;
}

/** A bare socket that speaks no protocol: for sending what a real client never would. */
async function rawSocket(url: string) {
  const ws = new WebSocket(url);
  await new Promise((res) => ws.once('open', res));
  const closed = new Promise<number>((res) => ws.once('close', (code) => res(code)));
  return { ws, closed };
}

afterEach(async () => {
  await Promise.all(clients.splice(0).map((c) => c.destroy()));
  await Promise.all(relays.splice(0).map((r) => r.stop('SIGKILL')));
});

function cellText(c: TestClient, sheetId: string, row: number, col: number): unknown {
  const rowId = c.wb.rowIds(sheetId)[row];
  const colId = c.wb.columns(sheetId)[col]?.id;
  return rowId && colId ? c.wb.getValue(sheetId, rowId, colId) : undefined;
}

describe('relay over real y-websocket clients', () => {
  it('serves /healthz with version and uptime, and refuses bad sync paths', async () => {
    const r = await relay();
    const res = await fetch(`${r.httpUrl}/healthz`);
    expect(res.status).toBe(200);
    const body = await res.json();
    expect(body.ok).toBe(true);
    expect(body.version).toMatch(/^\d+\.\d+\.\d+/);
    expect(typeof body.uptimeSeconds).toBe('number');

    const bad = new WebSocket(`${r.syncUrl}/../etc`);
    const err = await new Promise<string>((res) => bad.on('unexpected-response', (_req, resp) => res(String(resp.statusCode))));
    expect(err).toBe('404');
  });

  it('/healthz reports memory (resident, heap, outside the heap), rooms loaded and idle, and connections; rooms nobody has open leave memory after the grace period', async () => {
    const r = await relay();
    const health = async () => (await (await fetch(`${r.httpUrl}/healthz`)).json()) as Record<string, number>;
    const empty = await health();
    for (const key of ['rssBytes', 'heapUsedBytes', 'heapTotalBytes', 'externalBytes', 'heldBytes']) {
      expect(empty[key], key).toBeGreaterThan(0);
    }
    expect([empty.rooms, empty.idleRooms, empty.connections]).toEqual([0, 0, 0]);
    const names = ['wb-health-1', 'wb-health-2', 'wb-health-3'];
    const open = names.map((n) => client(r, n, 'ana'));
    for (const c of open) c.wb.initialize({ rows: 1, columns: 1 });
    await Promise.all(open.map((c) => allOnHub(c)));
    const busy = await health();
    expect([busy.rooms, busy.idleRooms, busy.connections]).toEqual([3, 0, 3]);
    const unloaded = () => names.every((n) => r.stderr().includes(`"message":"room unloaded","room":"${n}"`));
    await Promise.all(clients.splice(0).map((c) => c.destroy()));
    // ROOM_GRACE_MS is 200 here; each unload is logged, and that line is what is waited on
    await until(
      (notify) => {
        r.proc.stderr!.on('data', notify);
        return () => r.proc.stderr!.off('data', notify);
      },
      unloaded,
      'three rooms unloaded',
    );
    const after = await health();
    expect([after.rooms, after.idleRooms, after.connections]).toEqual([0, 0, 0]);
  });

  it('two clients sync both ways', async () => {
    const r = await relay();
    const a = client(r, 'wb-two-way-1', 'ana');
    const sheet = a.wb.initialize({ rows: 3, columns: 2 });
    await allOnHub(a);
    const b = client(r, 'wb-two-way-1', 'ben');
    await untilDoc(b, () => b.wb.isInitialized() && b.wb.rowCount(sheet) === 3, 'b receives the workbook');

    const [r0] = a.wb.rowIds(sheet);
    const [c0, c1] = a.wb.columns(sheet).map((c) => c.id);
    a.wb.setCell(sheet, r0, c0, 'from a');
    b.wb.setCell(sheet, r0, c1, 'from b');
    await untilDoc(b, () => b.wb.getValue(sheet, r0, c0) === 'from a', 'b sees a');
    await untilDoc(a, () => a.wb.getValue(sheet, r0, c1) === 'from b', 'a sees b');
    expect(b.wb.getCell(sheet, r0, c0)?.by).toBe('ana');
    expect(a.wb.getCell(sheet, r0, c1)?.by).toBe('ben');
  });

  it('an offline edit reaches the other client after reconnecting, and the pending count tracks it', async () => {
    const r = await relay();
    const a = client(r, 'wb-offline-1', 'ana');
    const sheet = a.wb.initialize({ rows: 2, columns: 2 });
    await allOnHub(a);
    const b = client(r, 'wb-offline-1', 'ben');
    await untilDoc(b, () => b.wb.isInitialized() && b.wb.rowCount(sheet) === 2, 'b has the workbook');

    a.session.disconnect();
    await untilStatus(a, (s) => s.connection === 'offline', 'a offline');
    const [r0, r1] = a.wb.rowIds(sheet);
    const col = a.wb.columns(sheet)[0].id;
    expect(a.session.getStatus().pending).toBe(0);
    a.wb.setCell(sheet, r0, col, 'offline 1');
    a.wb.setCell(sheet, r1, col, 'offline 2');
    b.wb.setCell(sheet, r1, a.wb.columns(sheet)[1].id, 'b while a was away');
    // two cell writes, plus the one-time entry naming this writer in the workbook
    expect(a.session.getStatus().pending).toBe(3);

    a.session.connect();
    await allOnHub(a);
    await untilDoc(b, () => b.wb.getValue(sheet, r1, col) === 'offline 2', 'b sees offline edits');
    await untilDoc(a, () => cellText(a, sheet, 1, 1) === 'b while a was away', 'a sees b');
    // both writers' changes are in a's document (an empty one still encodes to two bytes, so its size proves nothing)
    const writers = Y.decodeStateVector(Y.encodeStateVector(a.doc));
    expect(writers.get(a.doc.clientID)).toBeGreaterThan(0);
    expect(writers.get(b.doc.clientID)).toBeGreaterThan(0);
    expect(a.wb.checkInvariants()).toEqual([]);
    expect(Array.from(Y.encodeStateVector(a.doc))).toEqual(Array.from(Y.encodeStateVector(b.doc)));
  });

  it('a colleague\'s change the hub forwards never counts in the receiver\'s pending count, and its durable ack still reaches the receiver', async () => {
    const r = await relay();
    const a = client(r, 'wb-heard-1', 'ana');
    const sheet = a.wb.initialize({ rows: 4, columns: 2 });
    await allOnHub(a);
    const b = client(r, 'wb-heard-1', 'ben');
    await allOnHub(b);
    await untilDoc(b, () => b.wb.isInitialized() && b.wb.rowCount(sheet) === 4, 'b has the workbook');
    const counts: number[] = [];
    b.session.onStatus((s) => counts.push(s.pending));
    const col = a.wb.columns(sheet)[0].id;
    a.wb.rowIds(sheet).forEach((row, i) => a.wb.setCell(sheet, row, col, `from a ${i}`));
    const rows = a.wb.rowIds(sheet);
    await untilDoc(b, () => b.wb.getValue(sheet, rows[3], col) === 'from a 3', 'b has all of a\'s edits');
    await allOnHub(a);
    // while a's changes arrived, and after: b never showed one of them as its own
    expect(b.session.getStatus().pending).toBe(0);
    expect(counts.filter((n) => n !== 0)).toEqual([]);
    // b hears the hub has them durably too (within COLLEAGUE_ACK_MS, or with a presence flush)
    const aClock = Y.getState(a.doc.store, a.doc.clientID);
    expect(aClock).toBeGreaterThan(0);
    await untilHubAcked(b, a.doc.clientID, aClock, 'b acked a\'s changes');
    expect(b.session.hubAckedClock(a.doc.clientID)).toBe(aClock);
    expect(counts.filter((n) => n !== 0)).toEqual([]);
  });

  it('a change another tab of this browser posted (BroadcastChannel) stays pending in this tab until the hub acks it: it did not come from the hub', async () => {
    const r = await relay();
    const a = client(r, 'wb-tabs-1', 'ana');
    const sheet = a.wb.initialize({ rows: 2, columns: 1 });
    await allOnHub(a);
    // two tabs of one browser: one BroadcastChannel between them (in one process, lib0 delivers it in the same turn)
    const tabs = ['ben', 'ben'].map((name) => {
      const doc = new Y.Doc();
      const session = new SyncSession({ doc, workbookId: 'wb-tabs-1', syncUrl: r.syncUrl, hubStateStore: new MemoryHubStateStore(), WebSocketPolyfill: WebSocket, maxBackoffMs: 300 });
      const wb = new Workbook(doc, { actor: { name, deviceId: 'ben-device' } });
      const c: TestClient = { doc, wb, session, destroy: async () => (wb.destroy(), await session.destroy(), doc.destroy()) };
      clients.push(c);
      return c;
    });
    const [one, two] = tabs;
    for (const t of tabs) await allOnHub(t);
    await untilDoc(two, () => two.wb.isInitialized() && two.wb.rowCount(sheet) === 2, 'the second tab has the workbook');
    const [row] = two.wb.rowIds(sheet);
    two.wb.setCell(sheet, row, two.wb.columns(sheet)[0].id, 'from the second tab');
    // the first tab has it at once, from the other tab and not from the hub: not yet known to be on the hub
    expect(one.wb.getValue(sheet, row, one.wb.columns(sheet)[0].id)).toBe('from the second tab');
    expect(one.session.getStatus().pending).toBeGreaterThan(0);
    expect(one.session.hubAckedClock(two.doc.clientID)).toBe(0);
    // the hub's copy of it adds nothing to the first tab's doc, so only its durable ack clears it (within COLLEAGUE_ACK_MS)
    await allOnHub(two);
    await untilStatus(one, (s) => s.pending === 0, 'the first tab hears the hub holds it');
    expect(one.session.hubAckedClock(two.doc.clientID)).toBe(Y.getState(two.doc.store, two.doc.clientID));
  });

  it.each(['SIGTERM', 'SIGINT'] as const)('a graceful restart (%s) loses nothing', async (signal) => {
    const r = await relay();
    const a = client(r, `wb-restart-${signal}`, 'ana');
    const sheet = a.wb.initialize({ rows: 5, columns: 3 });
    const rows = a.wb.rowIds(sheet);
    const col = a.wb.columns(sheet)[2].id;
    rows.forEach((row, i) => a.wb.setCell(sheet, row, col, `value ${i}`));
    await allOnHub(a);
    const closed = new Promise<number>((res) => a.session.provider.once('connection-close', (e) => res(e?.code ?? 0)));
    expect(await r.stop(signal)).toBe(0);
    expect(await closed).toBe(CloseCode.SHUTDOWN);

    const r2 = await relay({ dataDir: r.dataDir });
    const b = client(r2, `wb-restart-${signal}`, 'ben');
    await untilDoc(b, () => b.wb.isInitialized() && b.wb.rowCount(sheet) === 5 && cellText(b, sheet, 4, 2) === 'value 4', 'everything after restart');
    // five rows, each compared (an empty list would compare equal to itself)
    expect(rows).toHaveLength(5);
    expect(rows.map((row) => b.wb.getValue(sheet, row, col))).toEqual(['value 0', 'value 1', 'value 2', 'value 3', 'value 4']);
  });

  it('an update acked just before SIGKILL is there after restart', async () => {
    const r = await relay();
    const a = client(r, 'wb-kill-1', 'ana');
    const sheet = a.wb.initialize({ rows: 1, columns: 1 });
    const [row] = a.wb.rowIds(sheet);
    const [col] = a.wb.columns(sheet);
    a.wb.setCell(sheet, row, col.id, 'first');
    await allOnHub(a);
    // Kill the relay the moment the durable ack for this edit arrives.
    a.wb.setCell(sheet, row, col.id, 'acked then killed');
    expect(a.session.getStatus().pending).toBe(1);
    await untilStatus(a, (s) => s.pending === 0, 'ack');
    await r.stop('SIGKILL');

    const r2 = await relay({ dataDir: r.dataDir });
    const b = client(r2, 'wb-kill-1', 'ben');
    await untilDoc(b, () => b.wb.isInitialized() && b.wb.rowCount(sheet) === 1 && b.wb.getValue(sheet, row, col.id) !== null, 'acked edit after restart');
    expect(b.wb.getValue(sheet, row, col.id)).toBe('acked then killed');
  });

  it('a malformed frame closes only its own connection and changes nothing', async () => {
    const r = await relay();
    const a = client(r, 'wb-malformed-1', 'ana');
    const sheet = a.wb.initialize({ rows: 2, columns: 2 });
    await allOnHub(a);
    const before = Y.encodeStateVector(a.doc);

    const frames: Uint8Array[] = [
      new Uint8Array([0, 2, 200, 1, 2, 3]), // sync update whose payload length runs past the end
      new Uint8Array([0, 2, 5, 1, 2, 3, 4, 5]), // sync update that is not a Yjs update
      new Uint8Array([9, 9, 9]), // unknown message type
      new Uint8Array([]), // empty frame
    ];
    for (const frame of frames) {
      const raw = await rawSocket(`${r.syncUrl}/wb-malformed-1`);
      raw.ws.send(frame);
      expect(await raw.closed).toBe(CloseCode.MALFORMED_FRAME);
    }
    // A text frame is not protocol either.
    const text = await rawSocket(`${r.syncUrl}/wb-malformed-1`);
    text.ws.send('hello');
    expect(await text.closed).toBe(CloseCode.MALFORMED_FRAME);

    // The well-behaved client is still connected and still syncing.
    expect(a.session.getStatus().connection).toBe('online');
    const b = client(r, 'wb-malformed-1', 'ben');
    await untilDoc(b, () => b.wb.isInitialized() && b.wb.rowCount(sheet) === 2, 'b loads');
    expect(Array.from(Y.encodeStateVector(b.doc))).toEqual(Array.from(before));
    const [row] = a.wb.rowIds(sheet);
    const [col] = a.wb.columns(sheet);
    a.wb.setCell(sheet, row, col.id, 'still works');
    await untilDoc(b, () => b.wb.getValue(sheet, row, col.id) === 'still works', 'b gets edits after the bad frames');
  });

  it('a frame over MAX_FRAME_BYTES is refused with 1009 and changes nothing', async () => {
    const r = await relay({ env: { MAX_FRAME_BYTES: '4096' } });
    const a = client(r, 'wb-oversize-1', 'ana');
    const sheet = a.wb.initialize({ rows: 1, columns: 1 });
    await allOnHub(a);
    const before = Array.from(Y.encodeStateVector(a.doc));
    const raw = await rawSocket(`${r.syncUrl}/wb-oversize-1`);
    raw.ws.send(new Uint8Array(5000).fill(7));
    expect(await raw.closed).toBe(CloseCode.FRAME_TOO_LARGE);
    const b = client(r, 'wb-oversize-1', 'ben');
    await untilDoc(b, () => b.wb.isInitialized() && b.wb.rowCount(sheet) === 1, 'b loads');
    expect(Array.from(Y.encodeStateVector(b.doc))).toEqual(before);
    expect(a.session.getStatus().connection).toBe('online');
  });

  it('a change bigger than one frame (a long offline session) arrives in fragments and is acked', async () => {
    const r = await relay();
    const a = client(r, 'wb-big-1', 'ana');
    const sheet = a.wb.initialize({ rows: 0, columns: 5 });
    await allOnHub(a);
    a.session.disconnect();
    await untilStatus(a, (s) => s.connection === 'offline', 'a offline');
    const rows = a.wb.insertRows(sheet, 0, 2000);
    const cols = a.wb.columns(sheet);
    a.wb.setCells(
      sheet,
      rows.flatMap((rowId, i) => cols.map((c) => ({ rowId, colId: c.id, value: `${i} `.padEnd(200, 'x') }))),
    );
    expect(Y.encodeStateAsUpdate(a.doc).length).toBeGreaterThan(2 * 1024 * 1024);
    a.session.connect();
    await allOnHub(a);
    const b = client(r, 'wb-big-1', 'ben');
    await untilDoc(b, () => b.wb.isInitialized() && b.wb.rowCount(sheet) === 2000, 'b has every row');
    expect(b.wb.getValue(sheet, rows[1999], cols[4].id)).toBe('1999 '.padEnd(200, 'x'));
  });

  it('a fragmented message over MAX_MESSAGE_BYTES is refused with 4413, and other clients are unaffected', async () => {
    const r = await relay({ env: { MAX_MESSAGE_BYTES: '300000' } });
    const a = client(r, 'wb-big-2', 'ana');
    const sheet = a.wb.initialize({ rows: 0, columns: 1 });
    await allOnHub(a);
    const before = Array.from(Y.encodeStateVector(a.doc));
    const raw = await rawSocket(`${r.syncUrl}/wb-big-2`);
    for (const part of fragmentFrame(new Uint8Array(600_000).fill(1), 0)) raw.ws.send(part);
    expect(await raw.closed).toBe(CloseCode.MESSAGE_TOO_LARGE);
    const b = client(r, 'wb-big-2', 'ben');
    await untilDoc(b, () => b.wb.isInitialized() && b.wb.columns(sheet).length === 1, 'b loads');
    expect(Array.from(Y.encodeStateVector(b.doc))).toEqual(before);
  });

  it('shares awareness (presence) between clients', async () => {
    const r = await relay();
    const a = client(r, 'wb-awareness-1', 'ana');
    a.wb.initialize({ rows: 1, columns: 1 });
    a.session.awareness.setLocalStateField('user', { name: 'ana' });
    const b = client(r, 'wb-awareness-1', 'ben');
    await new Promise<void>((res) => {
      const check = () => {
        const states = Array.from(b.session.awareness.getStates().values());
        if (states.some((s) => s.user?.name === 'ana')) {
          b.session.awareness.off('change', check);
          res();
        }
      };
      b.session.awareness.on('change', check);
      check();
    });
  });
});
