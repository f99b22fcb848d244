import Database from 'better-sqlite3';
import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import * as decoding from 'lib0/decoding';
import * as encoding from 'lib0/encoding';
import { afterEach, describe, expect, it } from 'vitest';
import WebSocket from 'ws';
import * as Y from 'yjs';
import * as syncProtocol from 'y-protocols/sync';
import { Workbook } from '../../src/model/index.js';
import { MESSAGE_REFUSED, newWorkbookKeys, type Credential } from '../../src/protocol/access.js';
import { openBlob } from '../../src/protocol/blob.js';
import { CloseCode, MESSAGE_SYNC, historyRoom } from '../../src/protocol/messages.js';
import { DOC_JOURNAL, DOC_WORKBOOK, ENVELOPE_BLOBS } from '../../src/protocol/sealed.js';
import { newSealedWorkbookKeys, sealedKeysFor } from '../../src/protocol/sealed-keys.js';
import { MemoryHubStateStore } from '../../src/sync/hub-state.js';
import { RetireError, replaceLinks, retireOnHub, retireNoncePath, retirePath } from '../../src/sync/retire.js';
import { SealedSession } from '../../src/sync/sealed/session.js';
import { SnapshotClient } from '../../src/sync/snapshots.js';
import type { SyncStatus } from '../../src/sync/status.js';
import { DB_FILE_NAME } from '../../server/store.js';
import { allOnHub, makeClient, untilDoc } from '../support/clients.js';
import { authenticate, challengeOf, proofFrame, rawSocket } from '../support/raw-socket.js';
import { startRelay, type RelayProcess } from '../support/relay-process.js';
import { until } from '../support/wait.js';

/**
 * Replacing a sealed workbook's links, against the real hub: the new workbook gets everything
 * (content and history), the old one is retired — its links open nothing any more, its live
 * connections are closed with the reason, every write and API request for it is refused — and
 * the hub's file keeps nothing of it.
 */

const relays: RelayProcess[] = [];
const cleanups: (() => Promise<void>)[] = [];
afterEach(async () => {
  for (const c of cleanups.splice(0).reverse()) await c();
  for (const r of relays.splice(0)) await r.stop();
});

async function relay(options: Parameters<typeof startRelay>[0] = {}): Promise<RelayProcess> {
  const r = await startRelay(options);
  relays.push(r);
  return r;
}

function sealedSession(syncUrl: string, room: string, baseId: string, journal: boolean, credential: Credential, doc: Y.Doc, name: string): SealedSession {
  return new SealedSession({
    credential,
    doc,
    keys: sealedKeysFor(baseId, credential),
    docTag: journal ? DOC_JOURNAL : DOC_WORKBOOK,
    deviceId: `${name}-device`,
    workbookId: room,
    syncUrl,
    hubStateStore: new MemoryHubStateStore(),
    WebSocketPolyfill: WebSocket,
    maxBackoffMs: 200,
    crossTab: false,
    batchMs: 20,
  });
}

/** A device with a sealed workbook open as the app opens it: the workbook and its history journal, each through its own sealed session. */
interface Device {
  doc: Y.Doc;
  journalDoc: Y.Doc;
  wb: Workbook;
  main: SealedSession;
  journal: SealedSession;
}

function device(syncUrl: string, id: string, name: string, credential: Credential): Device {
  const doc = new Y.Doc();
  const journalDoc = new Y.Doc();
  const main = sealedSession(syncUrl, id, id, false, credential, doc, name);
  const journal = sealedSession(syncUrl, historyRoom(id), id, true, credential, journalDoc, name);
  const wb = new Workbook(doc, { actor: { name, deviceId: `${name}-device` }, readOnly: credential.role === 'view', history: journalDoc });
  const d = { doc, journalDoc, wb, main, journal };
  cleanups.push(async () => {
    wb.destroy();
    await Promise.all([main.destroy(), journal.destroy()]);
    doc.destroy();
    journalDoc.destroy();
  });
  return d;
}

function untilSession(s: SealedSession, pred: (s: SyncStatus) => boolean, what: string): Promise<void> {
  return until((n) => s.onStatus(n), () => pred(s.getStatus()), what);
}

const onHub = (s: SealedSession) => untilSession(s, (st) => st.connection === 'online' && st.caughtUp && st.pending === 0, 'all on the hub');
const retiredClose = (s: SealedSession, what: string) => untilSession(s, (st) => st.lastClose?.code === CloseCode.RETIRED, what);

/** The hub's database file and WAL, as bytes. */
function hubFiles(r: RelayProcess): Buffer {
  return Buffer.concat(['', '-wal'].map((ext) => join(r.dataDir, DB_FILE_NAME + ext)).filter((f) => existsSync(f)).map((f) => readFileSync(f)));
}

/** Rows the hub's database holds for a room, in every table that keeps a room's data. */
function rowsFor(r: RelayProcess, room: string): number {
  const db = new Database(join(r.dataDir, DB_FILE_NAME), { readonly: true });
  try {
    const count = (sql: string) => (db.prepare(sql).get(room) as { n: number }).n;
    return (
      count('SELECT COUNT(*) AS n FROM updates WHERE room = ?') +
      count('SELECT COUNT(*) AS n FROM snapshots WHERE room = ?') +
      count('SELECT COUNT(*) AS n FROM saved_snapshots WHERE room = ?') +
      count('SELECT COUNT(*) AS n FROM retained WHERE room = (SELECT id FROM retained_rooms WHERE name = ?)') +
      count('SELECT COUNT(*) AS n FROM retained_base WHERE room = ?')
    );
  } finally {
    db.close();
  }
}

/** Slices of the envelope's ciphertext: what the hub stores of a sealed workbook. */
function cipherSlices(envelope: Y.Doc): Buffer[] {
  return envelope
    .getArray<Uint8Array>(ENVELOPE_BLOBS)
    .toArray()
    .map((b) => Buffer.from(b.subarray(Math.floor(b.length / 2) - 24, Math.floor(b.length / 2) + 24)));
}

function refusedCode(frames: Uint8Array[]): number | null {
  for (const f of frames) {
    if (f[0] !== MESSAGE_REFUSED) continue;
    const dec = decoding.createDecoder(f);
    decoding.readVarUint(dec);
    return decoding.readVarUint(dec);
  }
  return null;
}

function updateFrame(update: Uint8Array): Uint8Array {
  const enc = encoding.createEncoder();
  encoding.writeVarUint(enc, MESSAGE_SYNC);
  syncProtocol.writeUpdate(enc, update);
  return encoding.toUint8Array(enc);
}

describe('replacing a sealed workbook’s links', () => {
  it('the new workbook holds the content and history (what only the page holds, and a journal the page had not loaded); the old edit link cannot write, the old view link cannot read anything written after, and live devices are told why and stop', async () => {
    const hub = await relay();
    const old = newSealedWorkbookKeys();
    const ana = device(hub.syncUrl, old.id, 'Ana', old.edit);
    await ana.main.whenLoaded;
    const sheet = ana.wb.initialize({ title: 'Pantry', rows: 4, columns: 2 });
    const col = ana.wb.columns(sheet)[0].id;
    const rows = ana.wb.rowIds(sheet);
    ana.wb.setCell(sheet, rows[0], col, 'Rosa: 555-0100');
    ana.wb.setCell(sheet, rows[1], col, 'Beans: 4 cans');
    await Promise.all([onHub(ana.main), onHub(ana.journal)]);
    const vic = device(hub.syncUrl, old.id, 'Vic', old.view);
    await untilDoc(vic, () => vic.wb.isInitialized() && vic.wb.getValue(sheet, rows[1], col) === 'Beans: 4 cans', 'the old view link reads the workbook');
    // An edit only this page holds (its workbook session is offline), and a journal the page has not loaded:
    // the copy takes the page's doc and what the hub holds of both.
    ana.main.disconnect();
    await untilSession(ana.main, (st) => st.connection === 'offline', 'Ana offline');
    ana.wb.setCell(sheet, rows[3], col, 'Only on this page');
    await onHub(ana.journal);
    const historyBefore = ana.wb.history().length;
    expect(historyBefore).toBeGreaterThan(2);

    const steps: string[] = [];
    const fresh = await replaceLinks({
      origin: hub.httpUrl,
      oldId: old.id,
      credential: old.edit,
      workbook: ana.doc,
      open: (d) => sealedSession(hub.syncUrl, d.workbookId, d.baseId, d.journal, d.credential, d.doc, 'Ana-copy'),
      onStep: (step) => steps.push(step),
    });
    expect(steps).toEqual(['copying', 'retiring']);
    expect(fresh.id).not.toBe(old.id);
    expect(fresh.id).toMatch(/^e[\w-]{43}$/);

    // Every live connection to the old workbook and its journal is closed at once, with the reason, and stays closed.
    await Promise.all([retiredClose(ana.journal, 'Ana’s journal told'), retiredClose(vic.main, 'Vic told'), retiredClose(vic.journal, 'Vic’s journal told')]);
    // a device coming back online is refused the same way, and its offline edit goes nowhere
    ana.main.connect();
    await retiredClose(ana.main, 'Ana told when she reconnects');
    await new Promise((r) => setTimeout(r, 800));
    for (const s of [ana.main, ana.journal, vic.main, vic.journal]) {
      expect(s.getStatus()).toMatchObject({ connection: 'offline', lastClose: { code: CloseCode.RETIRED, reason: 'this workbook has moved: ask your coordinator for the new link' } });
      expect(s.sync.provider.shouldConnect).toBe(false);
    }

    // The new workbook, opened with its new edit link: every cell, and the whole history.
    const ben = device(hub.syncUrl, fresh.id, 'Ben', fresh.edit);
    await untilDoc(ben, () => ben.wb.isInitialized() && ben.wb.getValue(sheet, rows[0], col) === 'Rosa: 555-0100', 'the new workbook has the content');
    expect(ben.wb.title()).toBe('Pantry');
    expect(ben.wb.getValue(sheet, rows[1], col)).toBe('Beans: 4 cans');
    expect(ben.wb.getValue(sheet, rows[3], col)).toBe('Only on this page');
    await until(
      (n) => {
        ben.journalDoc.on('update', n);
        return () => ben.journalDoc.off('update', n);
      },
      () => ben.wb.history().length === historyBefore,
      'the new workbook has the history',
    );
    expect(JSON.stringify(ben.wb.history())).toBe(JSON.stringify(ana.wb.history()));
    // written after the replacement, into the new workbook only
    ben.wb.setCell(sheet, rows[2], col, 'After: moved to the church');
    await Promise.all([onHub(ben.main), onHub(ben.journal)]);

    // The old edit link: refused with RETIRED, and a change sent anyway changes nothing on the hub.
    const write = rawSocket(hub.syncUrl, old.id);
    await write.opened;
    await authenticate(write, old.id, old.edit);
    const forged = new Y.Doc();
    forged.getMap('m').set('x', 'written after retiring');
    write.ws.send(updateFrame(Y.encodeStateAsUpdate(forged)));
    expect(await write.closed).toBe(CloseCode.RETIRED);
    expect(refusedCode(write.frames)).toBe(CloseCode.RETIRED);
    const journalWrite = rawSocket(hub.syncUrl, historyRoom(old.id));
    await journalWrite.opened;
    await authenticate(journalWrite, historyRoom(old.id), old.edit);
    expect(await journalWrite.closed).toBe(CloseCode.RETIRED);
    expect(rowsFor(hub, old.id)).toBe(0);
    expect(rowsFor(hub, historyRoom(old.id))).toBe(0);

    // The old view link: a device opening it now gets nothing, and is told why.
    const late = device(hub.syncUrl, old.id, 'Late', old.view);
    await Promise.all([retiredClose(late.main, 'a late viewer is refused'), retiredClose(late.journal, 'and its journal')]);
    expect(late.wb.isInitialized()).toBe(false);
    expect(late.main.envelope.getArray(ENVELOPE_BLOBS).length).toBe(0);
    // …and the new workbook's blobs do not open with the old keys, nor does the hub let the old view link in.
    const oldView = sealedKeysFor(old.id, old.view)!;
    const blobs = [...ben.main.envelope.getArray<Uint8Array>(ENVELOPE_BLOBS).toArray(), ...ben.journal.envelope.getArray<Uint8Array>(ENVELOPE_BLOBS).toArray()];
    expect(blobs.length).toBeGreaterThan(2);
    for (const blob of blobs) {
      expect(openBlob(oldView, blob, DOC_WORKBOOK).ok).toBe(false);
      expect(openBlob({ ...oldView, id: fresh.id }, blob, DOC_WORKBOOK).ok).toBe(false);
      expect(openBlob({ ...oldView, id: fresh.id }, blob, DOC_JOURNAL).ok).toBe(false);
    }
    const peek = rawSocket(hub.syncUrl, fresh.id);
    await peek.opened;
    peek.ws.send(proofFrame(fresh.id, old.view, await challengeOf(peek), old.id));
    expect(await peek.closed).toBe(CloseCode.UNAUTHORIZED);
  }, 45_000);

  it('only an edit link retires: a view proof (403), no proof (401) and a request from elsewhere (403) are refused and change nothing; retiring is idempotent; every API and the journal refuse afterwards, also after a restart', async () => {
    const hub = await relay();
    const keys = newSealedWorkbookKeys();
    const ana = device(hub.syncUrl, keys.id, 'Ana', keys.edit);
    await ana.main.whenLoaded;
    const sheet = ana.wb.initialize({ rows: 2, columns: 1 });
    const col = ana.wb.columns(sheet)[0].id;
    const [r0, r1] = ana.wb.rowIds(sheet);
    ana.wb.setCell(sheet, r0, col, 'kept');
    await Promise.all([onHub(ana.main), onHub(ana.journal)]);

    const refusal = (p: Promise<unknown>) => p.then(() => null, (e: unknown) => (e instanceof RetireError ? e.code : String(e)));
    expect(await refusal(retireOnHub(hub.httpUrl, keys.id, keys.view))).toBe('READ_ONLY');
    expect(await refusal(retireOnHub(hub.httpUrl, keys.id, null))).toBe('UNAUTHORIZED');
    // a proof made for another workbook opens nothing here
    expect(await refusal(retireOnHub(hub.httpUrl, keys.id, newSealedWorkbookKeys().edit))).toBe('UNAUTHORIZED');
    // the edit link's proof, sent without the app's header (as a form on another site would)
    const stripHeader: typeof fetch = (input, init) => {
      const headers = { ...(init?.headers as Record<string, string>) };
      delete headers['X-Requested-With'];
      return fetch(input, { ...init, headers });
    };
    expect(await refusal(retireOnHub(hub.httpUrl, keys.id, keys.edit, stripHeader))).toBe('CROSS_SITE');
    // the journal's name is not a workbook to retire; a nonce is used once
    expect((await fetch(`${hub.httpUrl}${retirePath(historyRoom(keys.id))}`, { method: 'POST' })).status).toBe(404);
    expect((await fetch(`${hub.httpUrl}${retirePath(keys.id)}`, { method: 'GET' })).status).toBe(405);
    // nothing changed: the workbook is still open to its links
    ana.wb.setCell(sheet, r1, col, 'still writable');
    await Promise.all([onHub(ana.main), onHub(ana.journal)]);
    expect(ana.main.getStatus().lastClose).toBeNull();
    expect(rowsFor(hub, keys.id)).toBeGreaterThan(0);
    const snapshots = new SnapshotClient(hub.httpUrl, keys.id, keys.edit);
    expect((await snapshots.list()).length).toBeGreaterThan(0);

    const first = await retireOnHub(hub.httpUrl, keys.id, keys.edit);
    await retiredClose(ana.main, 'Ana told');
    // idempotent: asked again, the same answer and the same moment
    expect(await retireOnHub(hub.httpUrl, keys.id, keys.edit)).toEqual(first);

    for (const path of [`/api/w/${keys.id}/snapshots`, `/api/w/${keys.id}/nonce`, `/api/w/${historyRoom(keys.id)}/timeline?from=0&to=${Date.now()}`, `/api/w/${keys.id}/state?at=${Date.now()}`]) {
      const res = await fetch(`${hub.httpUrl}${path}`);
      expect(res.status, path).toBe(410);
      expect(await res.json(), path).toMatchObject({ error: 'RETIRED' });
    }
    const take = await fetch(`${hub.httpUrl}/api/w/${keys.id}/snapshots`, { method: 'POST', body: '{"name":"x","by":"y"}', headers: { 'X-Requested-With': 'mutual-sheets' } });
    expect(take.status).toBe(410);
    // the retire route itself still answers (its nonce too), so asking again is harmless
    expect((await fetch(`${hub.httpUrl}${retireNoncePath(keys.id)}`)).status).toBe(200);

    // after a restart the marker is still there: a device with the edit link is refused, workbook and journal
    await hub.stop();
    relays.splice(0);
    const again = await relay({ dataDir: hub.dataDir });
    const ben = device(again.syncUrl, keys.id, 'Ben', keys.edit);
    await Promise.all([retiredClose(ben.main, 'refused after a restart'), retiredClose(ben.journal, 'its journal too')]);
    expect(ben.wb.isInitialized()).toBe(false);
    expect(rowsFor(again, keys.id) + rowsFor(again, historyRoom(keys.id))).toBe(0);
  }, 45_000);

  it('the hub’s file keeps nothing of a retired workbook: a sealed one’s ciphertext, and a signed one’s plain text, snapshots and history, are gone from the database and its WAL', async () => {
    const hub = await relay();
    // sealed: what the hub stores is ciphertext; its bytes are in the file before, and gone after
    const sealed = newSealedWorkbookKeys();
    const ana = device(hub.syncUrl, sealed.id, 'Ana', sealed.edit);
    await ana.main.whenLoaded;
    const sheet = ana.wb.initialize({ rows: 3, columns: 2 });
    const col = ana.wb.columns(sheet)[0].id;
    for (const [i, r] of ana.wb.rowIds(sheet).entries()) ana.wb.setCell(sheet, r, col, `sealed row ${i}`);
    await Promise.all([onHub(ana.main), onHub(ana.journal)]);
    const slices = [...cipherSlices(ana.main.envelope), ...cipherSlices(ana.journal.envelope)];
    expect(slices.length).toBeGreaterThanOrEqual(2);
    await new SnapshotClient(hub.httpUrl, sealed.id, sealed.edit).create('before the move', 'Ana');

    // signed: the hub can read it, so its canary is in the file in plain text
    const CANARY = 'Canary-Retired-Maribel-5551234';
    const KEPT = 'Canary-Kept-Northside';
    const signed = await newWorkbookKeys();
    const plain = makeClient(hub.syncUrl, signed.id, 'Plain', undefined, signed.edit);
    cleanups.push(() => plain.destroy());
    const plainSheet = plain.wb.initialize({ title: `${CANARY} title`, rows: 2, columns: 1 });
    const plainCol = plain.wb.columns(plainSheet)[0].id;
    for (let i = 0; i < 40; i++) plain.wb.setCell(plainSheet, plain.wb.rowIds(plainSheet)[i % 2], plainCol, `${CANARY} ${i}`);
    await allOnHub(plain);
    await new SnapshotClient(hub.httpUrl, signed.id, signed.edit).create(`${CANARY} snapshot`, 'Plain');
    // another workbook, not retired, stays as it was
    const other = await newWorkbookKeys();
    const keep = makeClient(hub.syncUrl, other.id, 'Keep', undefined, other.edit);
    cleanups.push(() => keep.destroy());
    keep.wb.initialize({ title: KEPT, rows: 1, columns: 1 });
    await allOnHub(keep);

    const before = hubFiles(hub);
    expect(slices.filter((s) => before.includes(s)).length).toBe(slices.length);
    expect(before.includes(CANARY)).toBe(true);

    await retireOnHub(hub.httpUrl, sealed.id, sealed.edit);
    await retireOnHub(hub.httpUrl, signed.id, signed.edit);
    await untilSession(ana.main, (s) => s.lastClose?.code === CloseCode.RETIRED, 'the sealed workbook’s device told');
    await until(
      (n) => plain.session.onStatus(n),
      () => plain.session.getStatus().lastClose?.code === CloseCode.RETIRED,
      'the signed workbook’s device told',
    );

    const after = hubFiles(hub);
    expect(slices.filter((s) => after.includes(s))).toEqual([]);
    expect(after.includes(CANARY)).toBe(false);
    expect(after.includes(Buffer.from(CANARY, 'utf16le'))).toBe(false);
    expect(after.includes(KEPT)).toBe(true);
    for (const room of [sealed.id, historyRoom(sealed.id), signed.id, historyRoom(signed.id)]) expect(rowsFor(hub, room), room).toBe(0);
    // the marker is all that is left: the id and when
    const db = new Database(join(hub.dataDir, DB_FILE_NAME), { readonly: true });
    try {
      expect(db.prepare('SELECT workbook FROM retired ORDER BY workbook').all()).toEqual([{ workbook: sealed.id }, { workbook: signed.id }].sort((a, b) => (a.workbook < b.workbook ? -1 : 1)));
    } finally {
      db.close();
    }
    // and it stays so after the hub shuts down (its last checkpoint)
    await hub.stop();
    relays.splice(0);
    const closed = hubFiles(hub);
    expect(closed.includes(CANARY)).toBe(false);
    expect(slices.filter((s) => closed.includes(s))).toEqual([]);
  }, 45_000);
});
