import 'fake-indexeddb/auto';
import { afterEach, describe, expect, it } from 'vitest';
import * as Y from 'yjs';
import WebSocket from 'ws';
import { Workbook } from '../../src/model/index.js';
import { HubState, MemoryHubStateStore, clocksOf } from '../../src/sync/hub-state.js';
import { SyncSession } from '../../src/sync/session.js';
import { statusKind } from '../../src/sync/status.js';
import { localLabel, statusLabel } from '../../src/ui/i18n/status-text.js';

const sessions: SyncSession[] = [];
afterEach(async () => {
  await Promise.all(sessions.splice(0).map((s) => s.destroy()));
});

/** A session with IndexedDB (fake-indexeddb in Node) and no hub to reach. */
function offlineSession(workbookId: string, doc = new Y.Doc()) {
  const session = new SyncSession({
    doc,
    workbookId,
    syncUrl: 'ws://127.0.0.1:9/sync',
    hubStateStore: new MemoryHubStateStore(),
    persist: true,
    connect: false,
    crossTab: false,
    WebSocketPolyfill: WebSocket,
  });
  sessions.push(session);
  return { doc, session };
}

describe('SyncSession local copy', () => {
  it('keeps edits in IndexedDB: a fresh doc for the same workbook loads them with no hub', async () => {
    const first = offlineSession('wb-local-1');
    await first.session.whenLoaded;
    const wb = new Workbook(first.doc, { actor: { name: 'Ana', deviceId: 'a' } });
    const sheet = wb.initialize({ rows: 2, columns: 2 });
    const [row] = wb.rowIds(sheet);
    wb.setCell(sheet, row, wb.columns(sheet)[0].id, 'kept on the device');
    await first.session.destroy();

    const second = offlineSession('wb-local-1');
    await second.session.whenLoaded;
    const wb2 = new Workbook(second.doc, { actor: { name: 'Ana', deviceId: 'a' } });
    expect(wb2.getValue(sheet, row, wb2.columns(sheet)[0].id)).toBe('kept on the device');
    expect(second.session.localUnavailable).toBe(false);
  });

  it('does not hang when IndexedDB refuses to open; it says the local copy is unavailable', async () => {
    const real = globalThis.indexedDB;
    globalThis.indexedDB = {
      open() {
        const request: Record<string, unknown> = {};
        queueMicrotask(() => (request.onerror as (e: unknown) => void)({ target: { error: new DOMException('blocked', 'SecurityError') } }));
        return request;
      },
    } as unknown as IDBFactory;
    try {
      const { session } = offlineSession('wb-local-2');
      await session.whenLoaded;
      expect(session.localUnavailable).toBe(true);
    } finally {
      globalThis.indexedDB = real;
    }
  });

  it('counts changes the hub has not acked, across clients, and only forward', () => {
    const doc = new Y.Doc();
    doc.clientID = 7;
    const wb = new Workbook(doc, { actor: { name: 'Ana', deviceId: 'a' } });
    wb.initialize({ rows: 1, columns: 1 });
    const total = Y.decodeStateVector(Y.encodeStateVector(doc)).get(7)!;
    const hub = new HubState();
    expect(hub.pendingFor(doc)).toBe(total);
    expect(hub.merge(new Map([[7, total - 2]]))).toBe(true);
    expect(hub.pendingFor(doc)).toBe(2);
    expect(hub.merge(new Map([[7, 1]]))).toBe(false);
    expect(hub.pendingFor(doc)).toBe(2);
    expect(HubState.fromJSON(hub.toJSON()).pendingFor(doc)).toBe(2);
    expect(HubState.fromJSON('garbage').pendingFor(doc)).toBe(total);
  });

  it('a change heard from the hub is not pending; where it does not follow on from what the hub is known to hold, it stays pending until acked', () => {
    const doc = new Y.Doc();
    doc.clientID = 7;
    const colleague = new Y.Doc();
    colleague.clientID = 8;
    colleague.getMap('m').set('a', 1);
    colleague.getMap('m').set('b', 2);
    const hub = new HubState();
    const heard = (apply: () => void) => {
      const before = clocksOf(doc);
      apply();
      return hub.hear(before, clocksOf(doc));
    };
    expect(heard(() => Y.applyUpdate(doc, Y.encodeStateAsUpdate(colleague)))).toBe(true);
    expect(hub.pendingFor(doc)).toBe(0);
    // heard is not durable: nothing that needs the disk reads it
    expect(hub.ackedClock(8)).toBe(0);
    expect(hub.knownClock(8)).toBe(2);
    // this device's own change, then structs under its id from the hub past it: the own one is no less pending
    doc.getMap('m').set('own', 1);
    const forger = new Y.Doc();
    Y.applyUpdate(forger, Y.encodeStateAsUpdate(doc));
    // (Yjs moves a doc off an id it sees used elsewhere: the forger puts it back)
    forger.clientID = 7;
    forger.getMap('m').set('forged', 1);
    expect(heard(() => Y.applyUpdate(doc, Y.encodeStateAsUpdate(forger, Y.encodeStateVector(doc))))).toBe(false);
    expect(hub.pendingFor(doc)).toBe(2);
    // the ack clears it, and an ack past what was heard leaves nothing heard behind
    expect(hub.merge(new Map([[7, 2], [8, 2]]))).toBe(true);
    expect(hub.pendingFor(doc)).toBe(0);
    const saved = HubState.fromJSON(JSON.parse(JSON.stringify(hub.toJSON())));
    expect([saved.ackedClock(7), saved.ackedClock(8), saved.knownClock(8)]).toEqual([2, 2, 2]);
  });

  it('reads what it stored, in the older form (acked pairs alone) too; anything else is dropped and counted as not on the hub', () => {
    const doc = new Y.Doc();
    doc.getMap('m').set('a', 1);
    const client = doc.clientID;
    const hub = new HubState();
    hub.hear(new Map(), new Map([[client, 1]]));
    const stored = JSON.parse(JSON.stringify(hub.toJSON()));
    expect(HubState.fromJSON(stored).pendingFor(doc)).toBe(0);
    expect(HubState.fromJSON(stored).ackedClock(client)).toBe(0);
    expect(HubState.fromJSON([[client, 1]]).ackedClock(client)).toBe(1);
    for (const bad of [null, 'x', 7, { acked: 'x', heard: [[client, -1]] }, { heard: [[client, 1.5]] }, [[client, '1']], { acked: [[client]] }]) {
      const state = HubState.fromJSON(bad);
      expect(state.pendingFor(doc), JSON.stringify(bad)).toBe(1);
    }
  });

  it('labels the one status the UI shows', () => {
    const base = { connection: 'online' as const, caughtUp: true, pending: 0, lastClose: null, local: 'saved' as const, localError: null };
    expect(statusLabel('en', base)).toBe('Synced');
    expect(statusLabel('en', { ...base, pending: 1 })).toBe('1 change not yet on the hub');
    expect(statusLabel('en', { ...base, connection: 'offline', caughtUp: false, pending: 3 })).toBe('Offline · 3 changes not yet on the hub');
    expect(statusLabel('en', { ...base, connection: 'offline', caughtUp: false })).toBe('Offline');
    expect(statusKind({ ...base, connection: 'connecting', caughtUp: false })).toBe('connecting');
    expect(statusLabel('en', { ...base, connection: 'connecting', caughtUp: false, pending: 2 })).toBe('Connecting… · 2 changes not yet on the hub');
    expect(statusLabel('es', { ...base, connection: 'offline', caughtUp: false, pending: 1 })).toBe('Sin conexión · 1 cambio aún no está en el hub');
    expect(statusLabel('es', { ...base, pending: 1200 })).toBe('1200 cambios aún no están en el hub');
    expect(localLabel('en', base)).toBe('Saved on this device');
    expect(localLabel('en', { ...base, local: 'failed', localError: 'QuotaExceededError' })).toMatch(/^Not saved on this device: this device is out of storage space\./);
    expect(localLabel('es', { ...base, local: 'failed', localError: 'UnknownError' })).toMatch(/^No se guardó en este dispositivo: el navegador se negó a guardar \(UnknownError\)\./);
  });

  it('says "saved on this device" only once IndexedDB has the change; a quota error is shown, the change kept in memory and retried, nothing lost', async () => {
    const first = offlineSession('wb-local-quota');
    await first.session.whenLoaded;
    const wb = new Workbook(first.doc, { actor: { name: 'Ana', deviceId: 'a' } });
    const sheet = wb.initialize({ rows: 2, columns: 1 });
    const [row] = wb.rowIds(sheet);
    const col = wb.columns(sheet)[0].id;
    const until = (pred: (s: ReturnType<SyncSession['getStatus']>) => boolean) =>
      new Promise<void>((res) => {
        if (pred(first.session.getStatus())) return res();
        const off = first.session.onStatus((s) => {
          if (pred(s)) {
            off();
            res();
          }
        });
      });
    wb.setCell(sheet, row, col, 'first');
    expect(first.session.getStatus().local).toBe('saving');
    await until((s) => s.local === 'saved');

    const realAdd = IDBObjectStore.prototype.add;
    IDBObjectStore.prototype.add = function () {
      throw new DOMException('The quota has been exceeded.', 'QuotaExceededError');
    };
    try {
      wb.setCell(sheet, row, col, 'while the disk is full');
      await until((s) => s.local === 'failed');
      expect(first.session.getStatus().localError).toBe('QuotaExceededError');
      expect(first.session.unsavedLocal).toBe(1);
      // the change is still in the page: nothing was rolled back or dropped
      expect(wb.getValue(sheet, row, col)).toBe('while the disk is full');
    } finally {
      IDBObjectStore.prototype.add = realAdd;
    }
    first.session.retryLocalSave();
    await until((s) => s.local === 'saved');
    expect(first.session.unsavedLocal).toBe(0);
    await first.session.destroy();

    const second = offlineSession('wb-local-quota');
    await second.session.whenLoaded;
    const wb2 = new Workbook(second.doc, { actor: { name: 'Ana', deviceId: 'a' } });
    expect(wb2.getValue(sheet, row, wb2.columns(sheet)[0].id)).toBe('while the disk is full');
  });
});
