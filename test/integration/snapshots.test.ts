import { afterEach, describe, expect, it } from 'vitest';
import * as Y from 'yjs';
import { diffSheet, planRestore, restoreFromSnapshot } from '../../src/model/snapshot-diff.js';
import { Workbook } from '../../src/model/index.js';
import { SnapshotApiError } from '../../src/protocol/snapshots.js';
import { SnapshotClient } from '../../src/sync/snapshots.js';
import { allOnHub, makeClient, untilDoc, type TestClient } from '../support/clients.js';
import { startRelay, type RelayProcess } from '../support/relay-process.js';

const relays: RelayProcess[] = [];
const clients: TestClient[] = [];
afterEach(async () => {
  await Promise.all(clients.splice(0).map((c) => c.destroy()));
  await Promise.all(relays.splice(0).map((r) => r.stop('SIGKILL')));
});

async function thenWorkbook(api: SnapshotClient, id: number): Promise<Workbook> {
  const doc = new Y.Doc();
  Y.applyUpdate(doc, await api.fetch(id));
  return new Workbook(doc, { actor: { name: 'reader', deviceId: 'reader' } });
}

describe('snapshots kept by the hub', () => {
  it('snapshot → both peers edit → diff → restore a row and the sheet, without clobbering an unseen change', async () => {
    const relay = await startRelay();
    relays.push(relay);
    const room = 'snap-wb-000001';
    const ana = makeClient(relay.syncUrl, room, 'Ana');
    const ben = makeClient(relay.syncUrl, room, 'Ben');
    clients.push(ana, ben);
    const sheet = ana.wb.initialize({ title: 'Depot', columns: 0, rows: 0 });
    const item = ana.wb.addColumn(sheet, { name: 'Item', type: 'text' });
    const stock = ana.wb.addColumn(sheet, { name: 'On hand', type: 'counter' });
    const who = ana.wb.addColumn(sheet, { name: 'Driver', type: 'claim' });
    const rows = ana.wb.insertRows(sheet, 0, 3);
    ana.wb.setCells(sheet, rows.map((rowId, i) => ({ rowId, colId: item, value: ['Rice', 'Beans', 'Oil'][i] })));
    ana.wb.recount(sheet, rows[0], stock, 10);
    ana.wb.claim(sheet, rows[1], who);
    await allOnHub(ana);
    await untilDoc(ben, () => ben.wb.isInitialized() && ben.wb.rowCount(sheet) === 3 && ben.wb.getValue(sheet, rows[1], who) === 'Ana', 'Ben has the sheet');

    const api = new SnapshotClient(relay.httpUrl, room);
    const made = await api.create('end of day 3', 'Ana');
    expect(made).toMatchObject({ name: 'end of day 3', kind: 'named', by: 'Ana' });
    expect(await api.list()).toEqual([made]);

    // Both keep working after the snapshot.
    ana.wb.setCell(sheet, rows[0], item, 'Rice 5kg');
    ana.wb.deleteRows(sheet, [rows[2]]);
    ben.wb.setCell(sheet, rows[1], item, 'Black beans');
    ben.wb.adjustCounter(sheet, rows[0], stock, -4);
    ben.wb.release(sheet, rows[1], who, ben.wb.claims(sheet, rows[1], who)[0].person);
    const added = ben.wb.insertRows(sheet, 3, 1)[0];
    ben.wb.setCell(sheet, added, item, 'Water');
    await Promise.all([allOnHub(ana), allOnHub(ben)]);
    await untilDoc(ana, () => ana.wb.rowCount(sheet) === 3 && ana.wb.getValue(sheet, rows[0], stock) === 6, 'Ana has Ben’s edits');

    const then = await thenWorkbook(api, made.id);
    const diff = diffSheet(then, ana.wb, sheet);
    expect(diff.added).toEqual([added]);
    expect(diff.removed).toEqual([rows[2]]);
    const changes = diff.changed.map((c) => [c.column, c.before, c.after, c.by]);
    expect(changes).toEqual(
      expect.arrayContaining([
        ['Item', 'Rice', 'Rice 5kg', 'Ana'],
        ['On hand', 10, 6, 'Ben'],
        ['Item', 'Beans', 'Black beans', 'Ben'],
        ['Driver', 'Ana', null, 'Ben'],
      ]),
    );
    expect(changes).toHaveLength(4);

    // Ben brings back the deleted row only: nothing else moves.
    restoreFromSnapshot(then, ben.wb, { sheetId: sheet, rows: [rows[2]] });
    expect(new Set(ben.wb.rowIds(sheet))).toEqual(new Set([rows[0], rows[1], rows[2], added]));
    expect(ben.wb.getValue(sheet, rows[1], item)).toBe('Black beans');
    await allOnHub(ben);
    await untilDoc(ana, () => ana.wb.rowCount(sheet) === 4, 'Ana sees the row back');

    // Ana restores the whole sheet; she is told first whose later edits it sets back.
    const plan = planRestore(then, ana.wb, { sheetId: sheet });
    expect(plan.overwrites).toEqual(expect.arrayContaining([{ by: 'Ben', cells: 2 }, { by: 'Ana', cells: 1 }]));
    expect(plan.rowsToTrash).toEqual([added]);
    // Meanwhile Ben, offline, hands out 2 more; Ana has not seen it when she restores.
    ben.session.disconnect();
    ben.wb.adjustCounter(sheet, rows[0], stock, -2);
    restoreFromSnapshot(then, ana.wb, { sheetId: sheet });
    expect(ana.wb.rowIds(sheet)).toEqual([rows[0], rows[1], rows[2]]);
    expect(ana.wb.getValue(sheet, rows[0], item)).toBe('Rice');
    expect(ana.wb.getValue(sheet, rows[1], who)).toBe('Ana');
    expect(ana.wb.getValue(sheet, rows[0], stock)).toBe(10);
    expect(ana.wb.deletedRows(sheet).map((r) => r.id)).toContain(added);
    ben.session.connect();
    await Promise.all([allOnHub(ana), allOnHub(ben)]);
    await untilDoc(ana, () => ana.wb.getValue(sheet, rows[0], stock) === 8, 'Ben’s unseen hand-out still counts');
    await untilDoc(ben, () => ben.wb.getValue(sheet, rows[0], stock) === 8 && ben.wb.rowCount(sheet) === 3, 'Ben converges');
    expect(Y.encodeStateVector(ben.doc)).toEqual(Y.encodeStateVector(ana.doc));
    // History is not rewritten: the restore is new edits, and the snapshot still reads as it was.
    expect(diffSheet(then, ana.wb, sheet).changed.map((c) => c.column)).toEqual(['On hand']);
    expect(ana.wb.history({ sheetId: sheet }).some((g) => g.label === 'restore')).toBe(true);
  });

  it('refuses bad requests with a typed error and keeps the list unchanged', async () => {
    const relay = await startRelay();
    relays.push(relay);
    const room = 'snap-wb-000002';
    const ana = makeClient(relay.syncUrl, room, 'Ana');
    clients.push(ana);
    ana.wb.initialize();
    await allOnHub(ana);
    const api = new SnapshotClient(relay.httpUrl, room);
    const first = await api.create('before', 'Ana');
    const code = (p: Promise<unknown>) => p.then(() => 'ok', (e: unknown) => (e instanceof SnapshotApiError ? e.code : String(e)));
    expect(await code(api.create('', 'Ana'))).toBe('BAD_NAME');
    expect(await code(api.create('x'.repeat(101), 'Ana'))).toBe('BAD_NAME');
    expect(await code(api.create('ok', ''))).toBe('BAD_NAME');
    expect(await code(new SnapshotClient(relay.httpUrl, 'no-such-wb-01').create('x', 'Ana'))).toBe('UNKNOWN_WORKBOOK');
    expect(await code(api.fetch(first.id + 99))).toBe('UNKNOWN_SNAPSHOT');
    const big = await fetch(`${relay.httpUrl}/api/w/${room}/snapshots`, { method: 'POST', body: JSON.stringify({ name: 'x', by: 'y'.repeat(10_000) }) });
    expect(big.status).toBe(413);
    const bad = await fetch(`${relay.httpUrl}/api/w/${room}/snapshots`, { method: 'POST', body: '{not json' });
    expect((await bad.json()).error).toBe('BAD_REQUEST');
    expect((await fetch(`${relay.httpUrl}/api/w/..%2f/snapshots`)).status).toBe(404);
    expect(await api.list()).toEqual([first]);
    expect(await code(new SnapshotClient('http://127.0.0.1:1', room).list())).toBe('OFFLINE');
  });
});
