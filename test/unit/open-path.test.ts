import 'fake-indexeddb/auto';
import { afterEach, describe, expect, it } from 'vitest';
import * as Y from 'yjs';
import WebSocket from 'ws';
import * as bc from 'lib0/broadcastchannel';
import * as decoding from 'lib0/decoding';
import * as encoding from 'lib0/encoding';
import * as syncProtocol from 'y-protocols/sync';
import { Workbook } from '../../src/model/index.js';
import { MESSAGE_SYNC } from '../../src/protocol/messages.js';
import { MESSAGE_TAB_HELLO, decodeTabHello, encodeTabHello } from '../../src/protocol/tab-hello.js';
import { MemoryHubStateStore } from '../../src/sync/hub-state.js';
import { skipUpdateEncodingOnce } from '../../src/sync/quiet-load.js';
import { SyncSession } from '../../src/sync/session.js';

const sessions: SyncSession[] = [];
afterEach(async () => {
  await Promise.all(sessions.splice(0).map((s) => s.destroy()));
});

/** No hub to reach (port 9): only this device's disk and its other tabs. */
function tab(workbookId: string, doc: Y.Doc, opts: { persist?: boolean; crossTab?: boolean; connect?: boolean } = {}) {
  const session = new SyncSession({
    doc,
    workbookId,
    syncUrl: 'ws://127.0.0.1:9/sync',
    hubStateStore: new MemoryHubStateStore(),
    persist: opts.persist ?? false,
    connect: opts.connect ?? false,
    crossTab: opts.crossTab ?? false,
    WebSocketPolyfill: WebSocket,
    maxBackoffMs: 60_000,
  });
  sessions.push(session);
  return session;
}

function bigSheet(rows: number) {
  const doc = new Y.Doc();
  const wb = new Workbook(doc, { actor: { name: 'Ana', deviceId: 'a' } });
  const sheet = wb.initialize({ rows, columns: 4 });
  const cols = wb.columns(sheet);
  wb.setCells(sheet, wb.rowIds(sheet).flatMap((rowId, r) => cols.map((c) => ({ rowId, colId: c.id, value: `r${r} ${c.name}` }))));
  return { doc, wb, sheet, cols };
}

describe('opening a workbook from this device', () => {
  it('applies the stored copy without encoding it again for update listeners, and later edits still reach them and the disk', async () => {
    const { doc: source, sheet, cols } = bigSheet(500);
    const firstDoc = new Y.Doc();
    const first = tab('open-path-1', firstDoc, { persist: true });
    await first.whenLoaded;
    Y.applyUpdate(firstDoc, Y.encodeStateAsUpdate(source));
    await first.destroy();

    const doc = new Y.Doc();
    const heard: { bytes: number; origin: unknown }[] = [];
    doc.on('update', (u: Uint8Array, origin: unknown) => heard.push({ bytes: u.length, origin }));
    const reopened = tab('open-path-1', doc, { persist: true });
    await reopened.whenLoaded;
    const wb = new Workbook(doc, { actor: { name: 'Ana', deviceId: 'a' } });
    const rows = wb.rowIds(sheet);
    expect(rows).toHaveLength(500);
    expect(wb.getValue(sheet, rows[499], cols[3].id)).toBe(`r499 ${cols[3].name}`);
    // the load transaction was never encoded into an update for anyone
    expect(heard).toEqual([]);

    wb.setCell(sheet, rows[0], cols[0].id, 'after opening');
    expect(heard).toHaveLength(1);
    await expect.poll(() => reopened.getStatus().local).toBe('saved');
    await reopened.destroy();
    const again = new Y.Doc();
    const third = tab('open-path-1', again, { persist: true });
    await third.whenLoaded;
    expect(new Workbook(again, { actor: { name: 'Ana', deviceId: 'a' } }).getValue(sheet, rows[0], cols[0].id)).toBe('after opening');
  });

  it('a big update from the hub reaches the listeners and the disk as the bytes that came, not encoded again', async () => {
    const { doc: source, sheet, cols } = bigSheet(2_000);
    const sent = Y.encodeStateAsUpdate(source);
    expect(sent.length).toBeGreaterThan(64 * 1024);
    const doc = new Y.Doc();
    const s = tab('open-path-4', doc, { persist: true });
    await s.whenLoaded;
    const heard: Uint8Array[] = [];
    doc.on('update', (u: Uint8Array) => heard.push(u));
    const message = encoding.createEncoder();
    encoding.writeVarUint(message, syncProtocol.messageYjsSyncStep2);
    encoding.writeVarUint8Array(message, sent);
    // as y-websocket hands the hub's answer on: the message type read, the rest to its handler
    s.provider.messageHandlers[MESSAGE_SYNC](encoding.createEncoder(), decoding.createDecoder(encoding.toUint8Array(message)), s.provider, true, MESSAGE_SYNC);
    expect(heard).toHaveLength(1);
    expect(heard[0]).toEqual(sent);
    const wb = new Workbook(doc, { actor: { name: 'Ben', deviceId: 'b' } });
    expect(wb.rowIds(sheet)).toHaveLength(2_000);
    // a small one afterwards is encoded as usual
    wb.setCell(sheet, wb.rowIds(sheet)[0], cols[0].id, 'mine');
    expect(heard).toHaveLength(2);
    await expect.poll(() => s.getStatus().local).toBe('saved');
    await s.destroy();
    const again = new Y.Doc();
    const reopened = tab('open-path-4', again, { persist: true });
    await reopened.whenLoaded;
    expect(Y.encodeStateVector(again)).toEqual(Y.encodeStateVector(doc));
    expect(new Workbook(again, { actor: { name: 'Ben', deviceId: 'b' } }).getValue(sheet, wb.rowIds(sheet)[1999], cols[3].id)).toBe(`r1999 ${cols[3].name}`);
  });

  /** As y-websocket hands a hub message on: the message type read, the rest to its handler. */
  function fromHub(s: SyncSession, kind: number, update: Uint8Array): void {
    const message = encoding.createEncoder();
    encoding.writeVarUint(message, kind);
    encoding.writeVarUint8Array(message, update);
    s.provider.messageHandlers[MESSAGE_SYNC](encoding.createEncoder(), decoding.createDecoder(encoding.toUint8Array(message)), s.provider, true, MESSAGE_SYNC);
  }

  it('a big update from the hub that breaks off part-way is not stored as it came: what went in is, and the copy loads', async () => {
    const { doc: source, wb: sourceWb, sheet, cols } = bigSheet(2_000);
    // a value written over leaves a deletion: the update ends in its delete set, and Yjs has
    // integrated every struct before it reads that far, so one cut there applies them and throws
    for (const rowId of sourceWb.rowIds(sheet).slice(0, 5)) sourceWb.setCell(sheet, rowId, cols[0].id, 'written over');
    const whole = Y.encodeStateAsUpdate(source);
    const cut = whole.slice(0, whole.length - 1);
    expect(cut.length).toBeGreaterThan(64 * 1024);
    const doc = new Y.Doc();
    const s = tab('open-path-5', doc, { persist: true });
    await s.whenLoaded;
    const heard: Uint8Array[] = [];
    doc.on('update', (u: Uint8Array) => heard.push(u));
    const logged: unknown[] = [];
    const error = console.error;
    console.error = (...args: unknown[]) => logged.push(args);
    try {
      fromHub(s, syncProtocol.messageYjsSyncStep2, cut);
    } finally {
      console.error = error;
    }
    expect(logged).toHaveLength(1);
    // Yjs applied what it read before the end: that, and not the broken bytes, reached the listeners
    expect(doc.store.clients.size).toBeGreaterThan(0);
    expect(heard).toHaveLength(1);
    expect(heard[0]).not.toEqual(cut);
    const check = new Y.Doc();
    Y.applyUpdate(check, heard[0]);
    expect(Y.encodeStateVector(check)).toEqual(Y.encodeStateVector(doc));
    await expect.poll(() => s.getStatus().local).toBe('saved');
    await s.destroy();
    const again = new Y.Doc();
    const reopened = tab('open-path-5', again, { persist: true });
    await reopened.whenLoaded;
    expect(Y.encodeStateVector(again)).toEqual(Y.encodeStateVector(doc));
  });

  it('a big update from the hub that brings in structs Yjs held back is encoded as usual, so the disk gets those too', async () => {
    const source = new Y.Doc();
    const parts: Uint8Array[] = [];
    source.on('update', (u: Uint8Array) => parts.push(u));
    const wb = new Workbook(source, { actor: { name: 'Ana', deviceId: 'a' } });
    const sheet = wb.initialize({ rows: 2_000, columns: 4 });
    const cols = wb.columns(sheet);
    wb.setCells(sheet, wb.rowIds(sheet).flatMap((rowId, r) => cols.map((c) => ({ rowId, colId: c.id, value: `r${r} ${c.name}` }))));
    wb.setCell(sheet, wb.rowIds(sheet)[7], cols[0].id, 'later, from the same client');
    const earlier = Y.mergeUpdates(parts.slice(0, -1));
    const later = parts[parts.length - 1];
    expect(earlier.length).toBeGreaterThan(64 * 1024);
    const doc = new Y.Doc();
    const s = tab('open-path-6', doc, { persist: true });
    await s.whenLoaded;
    const heard: Uint8Array[] = [];
    doc.on('update', (u: Uint8Array) => heard.push(u));
    fromHub(s, syncProtocol.messageYjsUpdate, later);
    // it follows clocks not here yet: Yjs holds it back
    expect(doc.store.pendingStructs).not.toBeNull();
    fromHub(s, syncProtocol.messageYjsUpdate, earlier);
    expect(Y.encodeStateVector(doc)).toEqual(Y.encodeStateVector(source));
    const check = new Y.Doc();
    for (const u of heard) Y.applyUpdate(check, u);
    expect(Y.encodeStateVector(check)).toEqual(Y.encodeStateVector(source));
    await expect.poll(() => s.getStatus().local).toBe('saved');
    await s.destroy();
    const again = new Y.Doc();
    const reopened = tab('open-path-6', again, { persist: true });
    await reopened.whenLoaded;
    expect(new Workbook(again, { actor: { name: 'Ben', deviceId: 'b' } }).getValue(sheet, wb.rowIds(sheet)[7], cols[0].id)).toBe('later, from the same client');
  });

  it('a write this doc makes while a hub message is applied stays pending: it is not heard from the hub', async () => {
    const doc = new Y.Doc();
    const s = tab('open-path-7', doc);
    await s.whenLoaded;
    const colleague = new Y.Doc();
    colleague.getMap('m').set('theirs', 1);
    // an observer answering what came in, inside the hub's transaction
    doc.on('afterTransaction', (tr: Y.Transaction) => {
      if (tr.origin === s.provider && !doc.getMap('m').has('mine')) doc.getMap('m').set('mine', 2);
    });
    fromHub(s, syncProtocol.messageYjsUpdate, Y.encodeStateAsUpdate(colleague));
    expect(doc.getMap('m').toJSON()).toEqual({ theirs: 1, mine: 2 });
    // the colleague's change is heard; this doc's own is one change waiting for the hub
    expect(s.getStatus().pending).toBe(1);
  });

  it('an update listener removed while the load has them set aside stays removed', () => {
    const doc = new Y.Doc();
    const removed: Uint8Array[] = [];
    const kept: Uint8Array[] = [];
    const gone = (u: Uint8Array) => removed.push(u);
    doc.on('update', gone);
    doc.on('update', (u: Uint8Array) => kept.push(u));
    const skip = skipUpdateEncodingOnce(doc, (tr) => tr.origin === 'load');
    const drop = () => doc.off('update', gone);
    doc.on('afterTransaction', drop);
    doc.transact(() => doc.getMap('m').set('a', 1), 'load');
    doc.off('afterTransaction', drop);
    expect(skip.stop()).not.toBeNull();
    doc.getMap('m').set('b', 2);
    expect(removed).toEqual([]);
    expect(kept).toHaveLength(1);
    // and the doc's own off is lib0's again
    expect(Object.prototype.hasOwnProperty.call(doc, 'off')).toBe(false);
  });

  it('tabs greet each other with state vectors: each gets what it lacks, and nobody posts the whole workbook', async () => {
    const { doc: base, sheet, cols } = bigSheet(2_000);
    const full = Y.encodeStateAsUpdate(base);
    const docA = new Y.Doc();
    const docB = new Y.Doc();
    Y.applyUpdate(docA, full);
    Y.applyUpdate(docB, full);
    const wbA = new Workbook(docA, { actor: { name: 'Ana', deviceId: 'a' } });
    const wbB = new Workbook(docB, { actor: { name: 'Ana', deviceId: 'a' } });
    const rows = wbA.rowIds(sheet);
    // each tab's own offline work, made before they met
    wbA.setCell(sheet, rows[1], cols[1].id, 'from tab A');
    wbB.setCell(sheet, rows[2], cols[2].id, 'from tab B');

    const a = tab('open-path-2', docA, { crossTab: true, connect: true });
    const posted: { from: unknown; bytes: number; type: number }[] = [];
    const channel = a.provider.bcChannel;
    const spy = (data: ArrayBuffer, origin: unknown) => posted.push({ from: origin, bytes: data.byteLength, type: decoding.readVarUint(decoding.createDecoder(new Uint8Array(data))) });
    bc.subscribe(channel, spy);
    try {
      const b = tab('open-path-2', docB, { crossTab: true, connect: true });
      await expect.poll(() => wbA.getValue(sheet, rows[2], cols[2].id)).toBe('from tab B');
      await expect.poll(() => wbB.getValue(sheet, rows[1], cols[1].id)).toBe('from tab A');
      expect(Y.encodeStateVector(docA)).toEqual(Y.encodeStateVector(docB));
      const byB = posted.filter((m) => m.from === b.provider);
      expect(byB.some((m) => m.type === MESSAGE_TAB_HELLO)).toBe(true);
      const largest = Math.max(...posted.map((m) => m.bytes));
      expect(largest).toBeLessThan(full.length / 20);
    } finally {
      bc.unsubscribe(channel, spy);
    }
  });

  it('a hello that is not a state vector is answered with nothing and changes nothing', async () => {
    const { doc } = bigSheet(10);
    const before = Y.encodeStateAsUpdate(doc);
    const a = tab('open-path-3', doc, { crossTab: true, connect: true });
    const replies: number[] = [];
    const spy = (data: ArrayBuffer, origin: unknown) => {
      if (origin === a.provider) replies.push(data.byteLength);
    };
    const channel = a.provider.bcChannel;
    await expect.poll(() => a.provider.bcconnected).toBe(true);
    bc.subscribe(channel, spy);
    try {
      const garbage = encoding.createEncoder();
      encoding.writeVarUint(garbage, MESSAGE_TAB_HELLO);
      encoding.writeVarUint8Array(garbage, new Uint8Array([0xff, 0xff, 0xff, 0xff, 0xff, 0x01]));
      bc.publish(channel, encoding.toUint8Array(garbage), 'another tab');
      bc.publish(channel, new Uint8Array([MESSAGE_TAB_HELLO]), 'another tab');
      // a well-formed one afterwards is answered, so the two above were read and passed over
      bc.publish(channel, encodeTabHello(Y.encodeStateVector(doc)), 'another tab');
      // and a second good one as a fence: the channel delivers in order, so a late reply to either bad hello would show before its answers
      bc.publish(channel, encodeTabHello(Y.encodeStateVector(doc)), 'another tab');
      await expect.poll(() => replies.length).toBeGreaterThanOrEqual(4);
      expect(replies.length).toBe(4); // per good hello: the step 2 (nothing lacking) and a step 1
      expect(Y.encodeStateAsUpdate(doc)).toEqual(before);
    } finally {
      bc.unsubscribe(channel, spy);
    }
    expect(decodeTabHello(decoding.createDecoder(new Uint8Array([])))).toBeNull();
    const read = (bytes: number[]) => decodeTabHello(decoding.createDecoder(Uint8Array.from(bytes)));
    const sv = Array.from(Y.encodeStateVector(doc));
    expect(read([sv.length, ...sv])).toEqual(Uint8Array.from(sv));
    expect(read([sv.length, ...sv, 0])).toBeNull(); // a byte after the state vector
    expect(read([sv.length + 1, ...sv, 0])).toBeNull(); // a byte after the entries, inside it
    expect(read([3, 5, 1, 2])).toBeNull(); // five entries claimed, one there
    expect(read([1, 0])).toEqual(Uint8Array.from([0])); // no clients at all is a state vector
  });
});
