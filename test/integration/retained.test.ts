import { afterEach, describe, expect, it } from 'vitest';
import { deleteEverythingUpdate } from '../support/vandal.js';
import * as Y from 'yjs';
import * as decoding from 'lib0/decoding';
import * as encoding from 'lib0/encoding';
import { Workbook } from '../../src/model/index.js';
import { newWorkbookKeys, type Credential } from '../../src/protocol/access.js';
import { CloseCode, MESSAGE_DURABLE_ACK, MESSAGE_SYNC, historyRoom } from '../../src/protocol/messages.js';
import { BeforeRetentionError } from '../../src/protocol/retained.js';
import { SnapshotApiError } from '../../src/protocol/snapshots.js';
import { authHeaders } from '../../src/sync/api-auth.js';
import { RetainedClient } from '../../src/sync/retained.js';
import { allOnHub, makeClient, untilDoc, type TestClient } from '../support/clients.js';
import { authenticate, challengeOf, proofFrame, rawSocket } from '../support/raw-socket.js';
import { startRelay, type RelayProcess } from '../support/relay-process.js';
import { until } from '../support/wait.js';

const relays: RelayProcess[] = [];
const clients: TestClient[] = [];
afterEach(async () => {
  await Promise.all(clients.splice(0).map((c) => c.destroy()));
  await Promise.all(relays.splice(0).map((r) => r.stop('SIGKILL')));
});

function client(relay: RelayProcess, room: string, name: string, credential: Credential | null): TestClient {
  const c = makeClient(relay.syncUrl, room, name, new Y.Doc(), credential);
  clients.push(c);
  return c;
}

function syncUpdate(update: Uint8Array): Uint8Array {
  const enc = encoding.createEncoder();
  encoding.writeVarUint(enc, MESSAGE_SYNC);
  encoding.writeVarUint(enc, 2);
  encoding.writeVarUint8Array(enc, update);
  return encoding.toUint8Array(enc);
}

/** Sends one raw update with a link's credential through a real socket and resolves once the hub has acked it. */
async function sendAcked(relay: RelayProcess, room: string, credential: Credential, update: Uint8Array): Promise<void> {
  const s = rawSocket(relay.syncUrl, room);
  await s.opened;
  await authenticate(s, room, credential);
  const acks = () => s.frames.filter((f) => decoding.readVarUint(decoding.createDecoder(f)) === MESSAGE_DURABLE_ACK).length;
  const onFrame = (n: () => void) => {
    s.ws.on('message', n);
    return () => s.ws.off('message', n);
  };
  // the hub's first ack says what it holds as the connection opens; the next one is for this update
  await until(onFrame, () => acks() >= 1, 'the hub greets the socket');
  s.ws.send(syncUpdate(update));
  await until(onFrame, () => acks() >= 2, 'the hub acks the update');
  s.ws.close();
  await s.closed;
}

/** Everything a person sees: each sheet's name, columns and every cell by row. */
function contents(wb: Workbook): unknown {
  if (!wb.isInitialized()) return null;
  return wb.sheets().map((s) => ({
    name: s.name,
    columns: wb.columns(s.id).map((c) => c.name),
    rows: wb.rowIds(s.id).map((r) => wb.columns(s.id).map((c) => wb.getValue(s.id, r, c.id))),
  }));
}

function workbookOf(update: Uint8Array): Workbook {
  const doc = new Y.Doc();
  Y.applyUpdate(doc, update);
  return new Workbook(doc, { actor: { name: 'reader', deviceId: 'reader' } });
}

const code = (p: Promise<unknown>) => p.then(() => 'ok', (e: unknown) => (e instanceof SnapshotApiError ? e.code : String(e)));

describe('nothing the hub acknowledged can be destroyed', () => {
  it('a delete-everything update from an edit link is acked, yet the workbook and its journal as they were just before come back whole, also after a SIGKILL', async () => {
    let relay = await startRelay();
    relays.push(relay);
    const keys = await newWorkbookKeys();
    const ana = client(relay, keys.id, 'Ana', keys.edit);
    const ben = client(relay, keys.id, 'Ben', keys.edit);
    const depot = ana.wb.initialize({ title: 'Depot', sheetName: 'Stock', rows: 0, columns: 0 });
    const item = ana.wb.addColumn(depot, { name: 'Item', type: 'text' });
    const rows = ana.wb.insertRows(depot, 0, 3);
    ana.wb.setCells(depot, rows.map((rowId, i) => ({ rowId, colId: item, value: ['Rice', 'Beans', 'Oil'][i] })));
    await allOnHub(ana);
    await untilDoc(ben, () => ben.wb.isInitialized() && ben.wb.rowCount(depot) === 3, 'Ben has the sheet');
    const shifts = ben.wb.addSheet('Shifts');
    const who = ben.wb.addColumn(shifts, { name: 'Volunteer', type: 'text' });
    const [shift] = ben.wb.insertRows(shifts, 0, 1);
    ben.wb.setCell(shifts, shift, who, 'Luis, 9–13');
    ben.wb.setCell(depot, rows[1], item, 'Black beans');
    await allOnHub(ben);
    await untilDoc(ana, () => ana.wb.sheets().length === 2 && ana.wb.getValue(depot, rows[1], item) === 'Black beans', 'Ana has Ben’s edits');
    const before = contents(ana.wb);
    expect(before).toEqual([
      { name: 'Stock', columns: ['Item'], rows: [['Rice'], ['Black beans'], ['Oil']] },
      { name: 'Shifts', columns: ['Volunteer'], rows: [['Luis, 9–13']] },
    ]);

    // The journal: its own room, the same link.
    const journalRoom = historyRoom(keys.id);
    const anaJournal = client(relay, journalRoom, 'Ana', keys.edit);
    const benJournal = client(relay, journalRoom, 'Ben', keys.edit);
    anaJournal.doc.getArray('entries').push(['Ana restored Stock']);
    benJournal.doc.getArray('entries').push(['Ben renamed Shifts']);
    await Promise.all([allOnHub(anaJournal), allOnHub(benJournal)]);
    await untilDoc(anaJournal, () => anaJournal.doc.getArray('entries').length === 2, 'Ana has both journal entries');
    const journalBefore = anaJournal.doc.getArray('entries').toJSON().sort();

    // Someone with the edit link sends one update that deletes every client's every item, in both rooms.
    const vandal = deleteEverythingUpdate(ana.doc);
    expect(Y.decodeUpdate(vandal).structs).toHaveLength(0);
    await sendAcked(relay, keys.id, keys.edit, vandal);
    await sendAcked(relay, journalRoom, keys.edit, deleteEverythingUpdate(anaJournal.doc));
    await untilDoc(ana, () => ana.wb.sheets().length === 0, 'the live workbook is wiped');
    await untilDoc(anaJournal, () => anaJournal.doc.getArray('entries').length === 0, 'the live journal is wiped');

    // A view link reads the timeline and picks the moment just before the wipe.
    const history = new RetainedClient(relay.httpUrl, keys.id, keys.view);
    const timeline = await history.timeline();
    expect(timeline.truncated).toBe(false);
    expect(timeline.entries.length).toBeGreaterThan(3);
    const ats = timeline.entries.map((e) => e.at);
    expect([...ats].sort((a, b) => b - a)).toEqual(ats);
    expect(new Set(ats).size).toBe(ats.length);
    const wipe = timeline.entries[0];
    expect(wipe.bytes).toBe(vandal.length);
    expect(timeline.earliest).toBe(ats.at(-1));
    expect(contents(workbookOf(await history.stateAt(wipe.at - 1)))).toEqual(before);
    // at the wipe itself: nothing left (not even the title that marks a workbook as started)
    expect(contents(workbookOf(await history.stateAt(wipe.at)))).toBeNull();
    const journalHistory = new RetainedClient(relay.httpUrl, journalRoom, keys.view);
    const journalWipe = (await journalHistory.timeline()).entries[0];
    const journalThen = new Y.Doc();
    Y.applyUpdate(journalThen, await journalHistory.stateAt(journalWipe.at - 1));
    expect(journalThen.getArray('entries').toJSON().sort()).toEqual(journalBefore);

    // Nothing was lost by a crash either.
    await relay.stop('SIGKILL');
    relay = await startRelay({ dataDir: relay.dataDir });
    relays.push(relay);
    const afterKill = new RetainedClient(relay.httpUrl, keys.id, keys.edit);
    expect(await afterKill.timeline()).toEqual(timeline);
    expect(contents(workbookOf(await afterKill.stateAt(wipe.at - 1)))).toEqual(before);
    const journalAfterKill = new Y.Doc();
    Y.applyUpdate(journalAfterKill, await new RetainedClient(relay.httpUrl, journalRoom, keys.edit).stateAt(journalWipe.at - 1));
    expect(journalAfterKill.getArray('entries').toJSON().sort()).toEqual(journalBefore);
    // …and the live workbook is still the wiped one: reading the past changes nothing.
    const late = client(relay, keys.id, 'Cai', keys.edit);
    await allOnHub(late);
    expect(contents(late.wb)).toBeNull();
  });

  it('RETAIN_MS is the window: older changes are folded into the base at compaction, and what is left still rebuilds exactly', async () => {
    const relay = await startRelay({ env: { RETAIN_MS: '1', COMPACT_AFTER_UPDATES: '3', AUTO_SNAPSHOT_MS: '0' } });
    relays.push(relay);
    const room = 'retain-wb-0001';
    const ana = client(relay, room, 'Ana', null);
    const sheet = ana.wb.initialize({ rows: 1, columns: 1 });
    const [row] = ana.wb.rowIds(sheet);
    const [col] = ana.wb.columns(sheet);
    for (let i = 0; i < 8; i++) {
      ana.wb.setCell(sheet, row, col.id, `edit ${i}`);
      await allOnHub(ana);
    }
    const history = new RetainedClient(relay.httpUrl, room);
    const timeline = await history.timeline();
    // a millisecond's window: all but the last few (since the last compaction) are folded
    expect(timeline.entries.length).toBeLessThan(8);
    expect(timeline.earliest).toBeLessThan(timeline.entries.at(-1)!.at);
    expect(await code(history.stateAt(timeline.earliest - 1))).toBe('BEFORE_RETENTION');
    const latest = workbookOf(await history.stateAt(timeline.entries[0].at));
    expect(latest.getValue(sheet, row, col.id)).toBe('edit 7');
  });

  it('the same link rules hold for the journal, and bad requests get typed refusals that change nothing', async () => {
    const relay = await startRelay();
    relays.push(relay);
    const keys = await newWorkbookKeys();
    const other = await newWorkbookKeys();
    const journalRoom = historyRoom(keys.id);
    const ana = client(relay, journalRoom, 'Ana', keys.edit);
    ana.doc.getArray('entries').push(['first']);
    await allOnHub(ana);

    // A view connection to the journal reads but cannot write.
    const viewer = rawSocket(relay.syncUrl, journalRoom);
    await viewer.opened;
    await authenticate(viewer, journalRoom, keys.view);
    const change = new Y.Doc();
    change.getArray('entries').push(['forged']);
    viewer.ws.send(syncUpdate(Y.encodeStateAsUpdate(change)));
    expect(await viewer.closed).toBe(CloseCode.READ_ONLY);
    // …and neither can a wrong key, nor an address that is not a workbook's or its journal's.
    const stranger = rawSocket(relay.syncUrl, journalRoom);
    await stranger.opened;
    stranger.ws.send(proofFrame(journalRoom, other.edit, await challengeOf(stranger), other.id));
    expect(await stranger.closed).toBe(CloseCode.UNAUTHORIZED);
    for (const bad of [`${journalRoom}.h`, `${keys.id}.x`, '.h']) await expect(rawSocket(relay.syncUrl, bad).opened).rejects.toThrow('HTTP 404');

    const history = new RetainedClient(relay.httpUrl, journalRoom, keys.view);
    const timeline = await history.timeline();
    expect(timeline.entries).toHaveLength(1);
    const state = await history.stateAt(timeline.entries[0].at);
    const then = new Y.Doc();
    Y.applyUpdate(then, state);
    expect(then.getArray('entries').toJSON()).toEqual(['first']);

    // Refusals, each with its status and code.
    const get = async (path: string, credential: Credential | null = keys.view) =>
      fetch(`${relay.httpUrl}/api/w/${path}`, {
        headers: await authHeaders(relay.httpUrl, path.split('/')[0], credential, { method: 'GET', path: `/api/w/${path}` }, fetch),
      });
    for (const q of ['', '?at=', '?at=soon', '?at=-1', '?at=1.5']) {
      const res = await get(`${journalRoom}/state${q}`);
      expect(res.status, q).toBe(400);
      expect((await res.json()).error).toBe('BAD_TIME');
    }
    expect((await get(`${journalRoom}/timeline?from=9&to=1`)).status).toBe(400);
    const gone = await get(`${journalRoom}/state?at=1`);
    expect(gone.status).toBe(410);
    expect(await gone.json()).toMatchObject({ error: 'BEFORE_RETENTION', earliest: timeline.earliest });
    const refused = await history.stateAt(timeline.earliest - 1).then(() => null, (e: unknown) => e);
    expect(refused).toBeInstanceOf(BeforeRetentionError);
    expect((refused as BeforeRetentionError).earliest).toBe(timeline.earliest);
    expect((await get(`${journalRoom}/state?at=1`, null)).status).toBe(401);
    expect(await code(new RetainedClient(relay.httpUrl, journalRoom).timeline())).toBe('UNAUTHORIZED');
    expect(await code(new RetainedClient(relay.httpUrl, journalRoom, other.edit).stateAt(Date.now()))).toBe('UNAUTHORIZED');
    expect(await code(new RetainedClient(relay.httpUrl, keys.id, keys.edit).stateAt(Date.now()))).toBe('UNKNOWN_WORKBOOK');
    expect(await code(new RetainedClient(relay.httpUrl, historyRoom(other.id), other.edit).timeline())).toBe('UNKNOWN_WORKBOOK');
    expect((await get(`${journalRoom}/state?at=${timeline.entries[0].at}`, null)).status).toBe(401);
    // the snapshot API takes the journal's room too, with the workbook's link
    expect(await (await get(`${journalRoom}/snapshots`)).json()).toEqual([]);

    // None of that changed anything.
    expect(await history.timeline()).toEqual(timeline);
    expect(ana.doc.getArray('entries').toJSON()).toEqual(['first']);
  });
});
