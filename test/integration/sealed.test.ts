import { readFileSync, existsSync } from 'node:fs';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import * as Y from 'yjs';
import { sealBlob } from '../../src/protocol/blob.js';
import { CloseCode } from '../../src/protocol/messages.js';
import { BLOB_CHANGES, DOC_WORKBOOK, ENVELOPE_BLOBS } from '../../src/protocol/sealed.js';
import { newSealedWorkbookKeys, sealedKeysFor } from '../../src/protocol/sealed-keys.js';
import { newWorkbookKeys } from '../../src/protocol/access.js';
import { allOnHub, allSealedOnHub, makeClient, makeSealedClient, untilDoc, untilSealed, type SealedTestClient } from '../support/clients.js';
import { startRelay, type RelayProcess } from '../support/relay-process.js';
import { until } from '../support/wait.js';
import WebSocket from 'ws';
import { Workbook } from '../../src/model/workbook.js';
import { historyRoom } from '../../src/protocol/messages.js';
import { DOC_JOURNAL } from '../../src/protocol/sealed.js';
import { MemoryHubStateStore } from '../../src/sync/hub-state.js';
import { SealedSession } from '../../src/sync/sealed/session.js';

/**
 * Sealed workbooks against the real hub: the hub stores, orders, acknowledges and forwards
 * envelopes of blobs it cannot read; devices open them.
 */

const relays: RelayProcess[] = [];
const clients: SealedTestClient[] = [];
afterEach(async () => {
  for (const c of clients.splice(0)) await c.destroy();
  for (const r of relays.splice(0)) await r.stop();
});

const CANARY = {
  cell: 'Rosa-Canary-5551234',
  title: 'Title-Canary-Northside',
  sheet: 'Sheet-Canary-Pantry',
  column: 'Column-Canary-Phone',
  person: 'Person-Canary-Maribel',
};

/** Every form a canary could take on disk or on the wire. */
function forms(text: string): Buffer[] {
  return [Buffer.from(text, 'utf8'), Buffer.from(text, 'utf16le'), Buffer.from(Buffer.from(text).toString('base64').slice(0, 16)), Buffer.from(Buffer.from(text).toString('base64url').slice(0, 16))];
}

function hits(bytes: Buffer, texts: string[]): string[] {
  return texts.filter((t) => forms(t).some((f) => bytes.includes(f)));
}

function hubFiles(relay: RelayProcess): Buffer {
  const parts: Buffer[] = [];
  for (const f of ['mutual-sheets.sqlite', 'mutual-sheets.sqlite-wal']) {
    const path = join(relay.dataDir, f);
    if (existsSync(path)) parts.push(readFileSync(path));
  }
  parts.push(Buffer.from(relay.stderr()));
  return Buffer.concat(parts);
}

describe('sealed workbooks on the real hub', () => {
  it('two editors and a viewer: edits flow both ways through blobs; the hub’s files and log hold none of the plain text', async () => {
    const relay = await startRelay();
    relays.push(relay);
    const keys = newSealedWorkbookKeys();
    const ana = makeSealedClient(relay.syncUrl, keys.id, 'Ana', keys.edit);
    clients.push(ana);
    await ana.session.whenLoaded;
    const sheet = ana.wb.initialize({ rows: 5, columns: 3 });
    ana.wb.setTitle(CANARY.title);
    ana.wb.renameSheet(sheet, CANARY.sheet);
    const col = ana.wb.columns(sheet)[0].id;
    ana.wb.updateColumn(sheet, col, { name: CANARY.column });
    ana.session.awareness.setLocalStateField('user', { name: CANARY.person, color: '#1f6feb' });
    const rows = ana.wb.rowIds(sheet);
    ana.wb.setCell(sheet, rows[0], col, CANARY.cell);
    await allSealedOnHub(ana);

    const ben = makeSealedClient(relay.syncUrl, keys.id, 'Ben', keys.edit);
    const vic = makeSealedClient(relay.syncUrl, keys.id, 'Vic', keys.view);
    clients.push(ben, vic);
    await untilDoc(ben, () => ben.wb.isInitialized() && ben.wb.getValue(sheet, rows[0], col) === CANARY.cell, 'Ben opens the blobs');
    await untilDoc(vic, () => vic.wb.isInitialized() && vic.wb.getValue(sheet, rows[0], col) === CANARY.cell, 'the viewer opens them');
    expect(ben.wb.title()).toBe(CANARY.title);
    ben.wb.setCell(sheet, rows[1], col, 'from Ben');
    await allSealedOnHub(ben);
    await untilDoc(ana, () => ana.wb.getValue(sheet, rows[1], col) === 'from Ben', 'Ana has Ben’s edit');
    await untilDoc(vic, () => vic.wb.getValue(sheet, rows[1], col) === 'from Ben', 'the viewer has it');
    // presence opens for link holders only
    await until(
      (n) => {
        ben.session.awareness.on('change', n);
        return () => ben.session.awareness.off('change', n);
      },
      () => [...ben.session.awareness.getStates().values()].some((s) => s.user?.name === CANARY.person),
      'Ben sees Ana by name',
    );
    expect(vic.session.bridge!.failures).toEqual([]);
    await ana.destroy();
    await ben.destroy();
    await vic.destroy();
    clients.splice(0);
    expect(hits(hubFiles(relay), Object.values(CANARY))).toEqual([]);
    // the scan itself finds plain text where there is some: the same canary in a signed (unsealed) workbook
    const plainKeys = await newWorkbookKeys();
    const plain = makeClient(relay.syncUrl, plainKeys.id, 'Plain', undefined, plainKeys.edit);
    plain.wb.initialize({ rows: 1, columns: 1 });
    plain.wb.setTitle(CANARY.title);
    await allOnHub(plain);
    await plain.destroy();
    await relay.stop();
    relays.splice(0);
    expect(hits(hubFiles(relay), Object.values(CANARY))).toEqual([CANARY.title]);
  }, 30_000);

  it('offline edits are counted as the workbook’s changes (not blobs), kept, and delivered on reconnect', async () => {
    const relay = await startRelay();
    relays.push(relay);
    const keys = newSealedWorkbookKeys();
    const ana = makeSealedClient(relay.syncUrl, keys.id, 'Ana', keys.edit);
    clients.push(ana);
    await ana.session.whenLoaded;
    const sheet = ana.wb.initialize({ rows: 5, columns: 2 });
    await allSealedOnHub(ana);
    ana.session.disconnect();
    await untilSealed(ana, (s) => s.connection === 'offline', 'Ana offline');
    const col = ana.wb.columns(sheet)[0].id;
    const rows = ana.wb.rowIds(sheet);
    const before = Y.getState(ana.doc.store, ana.doc.clientID);
    for (let i = 0; i < 3; i++) ana.wb.setCell(sheet, rows[i], col, `offline ${i}`);
    const changes = Y.getState(ana.doc.store, ana.doc.clientID) - before;
    await untilSealed(ana, (s) => s.pending === changes, 'the three edits counted as the workbook’s changes');
    ana.session.connect();
    await allSealedOnHub(ana);
    const ben = makeSealedClient(relay.syncUrl, keys.id, 'Ben', keys.edit);
    clients.push(ben);
    await untilDoc(ben, () => ben.wb.isInitialized() && [0, 1, 2].every((i) => ben.wb.getValue(sheet, rows[i], col) === `offline ${i}`), 'Ben has them');
  }, 30_000);

  it('a view link’s write to the envelope is refused before it is stored (4403, hub state unchanged); a blob the writer key did not sign, put in by anyone, is never applied and is reported', async () => {
    const relay = await startRelay();
    relays.push(relay);
    const keys = newSealedWorkbookKeys();
    const ana = makeSealedClient(relay.syncUrl, keys.id, 'Ana', keys.edit);
    clients.push(ana);
    await ana.session.whenLoaded;
    const sheet = ana.wb.initialize({ rows: 3, columns: 2 });
    const col = ana.wb.columns(sheet)[0].id;
    const rows = ana.wb.rowIds(sheet);
    ana.wb.setCell(sheet, rows[0], col, 'real');
    await allSealedOnHub(ana);

    // the viewer knows the content key: it builds a blob that decrypts, but cannot sign it as the writer
    const viewKeys = sealedKeysFor(keys.id, keys.view)!;
    const forgedDoc = new Y.Doc();
    Y.applyUpdate(forgedDoc, Y.encodeStateAsUpdate(ana.doc));
    const updates: Uint8Array[] = [];
    forgedDoc.on('update', (u: Uint8Array) => updates.push(u));
    forgedDoc.getMap('forged').set('x', 'forged');
    const { ed25519 } = await import('@noble/curves/ed25519.js');
    const ownSecret = ed25519.utils.randomSecretKey();
    const forgedBlob = sealBlob({ ...viewKeys, sign: (m) => ed25519.sign(m, ownSecret) }, { kind: BLOB_CHANGES, doc: DOC_WORKBOOK, epoch: 1 }, { deviceId: 'eve', stream: 'eve', seq: 1, changes: 1, covers: [], update: updates[0] });

    const vic = makeSealedClient(relay.syncUrl, keys.id, 'Vic', keys.view);
    clients.push(vic);
    await untilDoc(vic, () => vic.wb.isInitialized() && vic.wb.getValue(sheet, rows[0], col) === 'real', 'the viewer opens the workbook');
    const blobsBefore = Y.encodeStateAsUpdate(ana.session.envelope);
    // the viewer pushes it into its envelope: the hub refuses the write and closes the connection
    vic.session.envelope.getArray(ENVELOPE_BLOBS).push([forgedBlob]);
    await untilSealed(vic, (s) => s.lastClose?.code === CloseCode.READ_ONLY, 'the hub refuses the viewer’s write');
    // nothing of it was stored: a device opening the workbook now gets exactly the envelope from before
    const fresh = makeSealedClient(relay.syncUrl, keys.id, 'Fay', keys.view);
    clients.push(fresh);
    await untilSealed(fresh, (s) => s.connection === 'online' && s.caughtUp, 'a fresh viewer caught up');
    expect(Y.encodeStateVector(fresh.session.envelope)).toEqual(Y.encodeStateVector(ana.session.envelope));
    expect(Y.encodeStateAsUpdate(ana.session.envelope)).toEqual(blobsBefore);

    // the hub (colluding) or any edit-link holder puts the same blob in: no device applies it
    const reported: string[] = [];
    ana.session.onProblem((p) => reported.push(p.kind));
    const ben = makeSealedClient(relay.syncUrl, keys.id, 'Ben', keys.edit);
    clients.push(ben);
    await untilDoc(ben, () => ben.wb.isInitialized() && ben.wb.getValue(sheet, rows[0], col) === 'real', 'Ben opens the workbook');
    ben.session.envelope.getArray(ENVELOPE_BLOBS).push([forgedBlob]);
    await until(
      (n) => ana.session.onProblem(n),
      () => reported.includes('bad-blob'),
      'Ana reports the blob',
    );
    expect(ana.doc.getMap('forged').size).toBe(0);
    expect(ana.session.bridge!.failures.map((f) => f.failure)).toEqual(['signature']);
    expect(ana.wb.getValue(sheet, rows[0], col)).toBe('real');
  }, 30_000);

  it('the journal is sealed too: history recorded before its session opened is sealed when it opens, and another device reads it', async () => {
    const relay = await startRelay();
    relays.push(relay);
    const keys = newSealedWorkbookKeys();
    const open = (name: string) => {
      const doc = new Y.Doc();
      const journal = new Y.Doc();
      const common = { credential: keys.edit, keys: sealedKeysFor(keys.id, keys.edit), deviceId: `${name}-device`, syncUrl: relay.syncUrl, hubStateStore: new MemoryHubStateStore(), WebSocketPolyfill: WebSocket, maxBackoffMs: 300, crossTab: false, batchMs: 20 };
      const session = new SealedSession({ ...common, doc, docTag: DOC_WORKBOOK, workbookId: keys.id });
      const wb = new Workbook(doc, { actor: { name, deviceId: `${name}-device` }, history: journal });
      return { doc, journal, session, wb, journalSession: null as SealedSession | null, openJournal() {
        this.journalSession = new SealedSession({ ...common, doc: journal, docTag: DOC_JOURNAL, workbookId: historyRoom(keys.id) });
        return this.journalSession;
      } };
    };
    const ana = open('Ana');
    await ana.session.whenLoaded;
    const sheet = ana.wb.initialize({ rows: 2, columns: 1 });
    const col = ana.wb.columns(sheet)[0].id;
    const row = ana.wb.rowIds(sheet)[0];
    ana.wb.setCell(sheet, row, col, 'before the journal opened');
    const journalSession = ana.openJournal();
    await journalSession.whenAllOnHub();
    await ana.session.whenAllOnHub();
    const ben = open('Ben');
    const benJournal = ben.openJournal();
    await benJournal.whenLoaded;
    await until(
      (n) => {
        ben.journal.on('update', n);
        return () => ben.journal.off('update', n);
      },
      () => ben.wb.isInitialized() && ben.wb.cellHistory(sheet, row, col).some((e) => JSON.stringify(e).includes('before the journal opened')),
      'Ben reads the cell’s history',
    );
    expect(hits(hubFiles(relay), ['before the journal opened'])).toEqual([]);
    for (const c of [ana, ben]) {
      await c.journalSession?.destroy();
      await c.session.destroy();
    }
  }, 30_000);

  it('an editor device compacts by itself once online and caught up: 300 blobs become a few, a fresh device opens the same workbook, nothing plain on the hub', async () => {
    const relay = await startRelay();
    relays.push(relay);
    const keys = newSealedWorkbookKeys();
    const ana = makeSealedClient(relay.syncUrl, keys.id, 'Ana', keys.edit);
    clients.push(ana);
    await ana.session.whenLoaded;
    const sheet = ana.wb.initialize({ rows: 300, columns: 2 });
    const col = ana.wb.columns(sheet)[0].id;
    const rows = ana.wb.rowIds(sheet);
    ana.session.disconnect();
    for (let i = 0; i < 300; i++) {
      ana.wb.setCell(sheet, rows[i], col, `${CANARY.cell} ${i}`);
      ana.session.bridge!.flush();
    }
    expect(ana.session.bridge!.envelopeSize().blobs).toBeGreaterThanOrEqual(300);
    ana.session.connect();
    await until(
      (n) => {
        ana.session.envelope.on('update', n);
        return () => ana.session.envelope.off('update', n);
      },
      () => ana.session.bridge!.envelopeSize().blobs <= 2,
      'the envelope compacted',
    );
    await allSealedOnHub(ana);
    const ben = makeSealedClient(relay.syncUrl, keys.id, 'Ben', keys.view);
    clients.push(ben);
    await untilDoc(ben, () => ben.wb.isInitialized() && rows.every((r, i) => ben.wb.getValue(sheet, r, col) === `${CANARY.cell} ${i}`), 'Ben opens all 300');
    expect(ben.session.bridge!.envelopeSize().blobs).toBeLessThanOrEqual(2);
    expect(ben.session.bridge!.failures).toEqual([]);
    await ana.destroy();
    await ben.destroy();
    clients.splice(0);
    expect(hits(hubFiles(relay), [CANARY.cell])).toEqual([]);
  }, 60_000);
});

