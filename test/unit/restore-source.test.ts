import { describe, expect, it } from 'vitest';
import * as Y from 'yjs';
import { TEMPLATES, applyTemplate } from '../../src/model/templates.js';
import { restoreTo } from '../../src/model/restore-to.js';
import { Workbook } from '../../src/model/workbook.js';
import { historyRoom } from '../../src/protocol/messages.js';
import { encodeBeforeRetention, encodeTimeline, readTime } from '../../src/protocol/retained.js';
import { SnapshotApiError } from '../../src/protocol/snapshots.js';
import { previewRestore } from '../../src/ui/restore-plan.js';
import { RestoreSource } from '../../src/ui/restore-source.js';
import { newWorkbook } from '../support/model.js';
import { deleteEverythingUpdate } from '../support/vandal.js';

const ID = 'wb1';

/**
 * A stand-in for the hub's retained-log API (server/retained-api.ts), answering as it does:
 * state at a moment = every stored update at or before it; 410 before the earliest; 404 for a
 * room it never had. The real hub is exercised by test/integration/retained.test.ts and the e2e.
 */
function fakeHub(rooms: Map<string, { earliest?: number; updates: { at: number; data: Uint8Array }[] }>): typeof fetch {
  return async (input) => {
    const url = new URL(String(input));
    const [, , , room, what] = url.pathname.split('/').map(decodeURIComponent);
    const log = rooms.get(room);
    if (!log) return Response.json({ error: 'UNKNOWN_WORKBOOK', message: 'no such workbook' }, { status: 404 });
    const earliest = log.earliest ?? log.updates[0]?.at ?? 0;
    if (what === 'timeline') {
      const entries = log.updates.map((u) => ({ at: u.at, bytes: u.data.length })).reverse();
      return new Response(encodeTimeline({ earliest, entries, truncated: false }), { headers: { 'Content-Type': 'application/json' } });
    }
    const at = readTime(url.searchParams.get('at'));
    if (at === null) return Response.json({ error: 'BAD_TIME', message: 'say when' }, { status: 400 });
    if (at < earliest) return new Response(encodeBeforeRetention(earliest), { status: 410 });
    const upto = log.updates.filter((u) => u.at <= at).map((u) => u.data);
    const state = upto.length ? Y.mergeUpdates(upto) : Y.encodeStateAsUpdate(new Y.Doc());
    return new Response(new Blob([state.slice()]));
  };
}

/** Maria's requests workbook with two typed cells, and what the hub stored of it (sheets at 1000, journal at 1001). */
function filledWorkbook() {
  const maria = newWorkbook('Maria');
  const sheet = applyTemplate(maria.wb, TEMPLATES.find((t) => t.id === 'requests')!);
  const name = maria.wb.columns(sheet)[2].id;
  const rows = maria.wb.rowIds(sheet);
  maria.wb.setCell(sheet, rows[0], name, 'Amara');
  maria.wb.setCell(sheet, rows[1], name, 'Bashir');
  const sheets = [{ at: 1000, data: Y.encodeStateAsUpdate(maria.doc) }];
  const journal = [{ at: 1001, data: Y.encodeStateAsUpdate(maria.wb.journal.doc) }];
  return { maria, sheet, name, rows, sheets, journal };
}

/** A device that just opened the link: it has the hub's (wiped) sheets, and — as the app does before a sheet is on screen — no journal yet. */
function freshDevice(sheetsNow: Uint8Array): Workbook {
  const doc = new Y.Doc();
  Y.applyUpdate(doc, sheetsNow);
  return new Workbook(doc, { actor: { name: 'Rosa', deviceId: 'rosa' }, history: new Y.Doc() });
}

describe('RestoreSource: the two rooms of a workbook, read from the hub', () => {
  it('when only the sheets were wiped, catching up with the hub’s journal first means no history entry is appended twice', async () => {
    const { maria, sheets, journal } = filledWorkbook();
    const entries = maria.wb.journal.rawEntries().length;
    sheets.push({ at: 2000, data: deleteEverythingUpdate(maria.doc) });
    const hub = new Map([
      [ID, { updates: sheets }],
      [historyRoom(ID), { updates: journal }],
    ]);
    const rosa = freshDevice(Y.mergeUpdates(sheets.map((u) => u.data)));
    expect(rosa.isInitialized()).toBe(false);
    const source = new RestoreSource('http://hub', ID, null, fakeHub(hub));

    const timeline = await source.timeline();
    expect(timeline.changes.map((c) => [c.room, c.at])).toEqual([
      ['sheets', 2000],
      ['history', 1001],
      ['sheets', 1000],
    ]);
    const moment = await source.moment(1999);
    expect(moment.historyGone).toBe(false);
    expect(moment.then.journal.rawEntries()).toHaveLength(entries);
    // Without the journal here, every entry would look missing.
    expect(previewRestore(moment.then, rosa, null).historyBack).toBe(entries);
    await source.catchUp(rosa);
    expect(rosa.journal.rawEntries()).toHaveLength(entries);
    const preview = previewRestore(moment.then, rosa, null);
    expect(preview).toMatchObject({ emptyNow: true, historyBack: 0, totals: { sheets: 1, rows: 30, cells: 2 } });

    const result = restoreTo(moment.then, rosa, { at: moment.at });
    expect(result.journalBack).toBe(0);
    expect(rosa.sheets().map((s) => s.name)).toEqual(['Requests']);
    const names = rosa.history().flatMap((g) => g.entries).filter((e) => e.kind === 'cell' && e.by === 'Maria').map((e) => e.after);
    expect(names.sort()).toEqual(['Amara', 'Bashir']);
  });

  it('a journal pruned past the moment leaves the sheets restorable, and says so; a workbook whose journal the hub never had lists the sheets alone', async () => {
    const { maria, sheets, journal } = filledWorkbook();
    sheets.push({ at: 2000, data: deleteEverythingUpdate(maria.doc) });
    const pruned = new RestoreSource('http://hub', ID, null, fakeHub(new Map([[ID, { updates: sheets }], [historyRoom(ID), { earliest: 2500, updates: journal }]])));
    const moment = await pruned.moment(1999);
    expect(moment.historyGone).toBe(true);
    expect(moment.then.sheets().map((s) => s.name)).toEqual(['Requests']);

    const noJournal = new RestoreSource('http://hub', ID, null, fakeHub(new Map([[ID, { updates: sheets }]])));
    expect((await noJournal.timeline()).changes.map((c) => c.room)).toEqual(['sheets', 'sheets']);
    expect((await noJournal.moment(1999)).historyGone).toBe(false);
  });

  it('a moment before the sheets’ window is refused with the earliest one the hub has; a view link’s copy is never written to', async () => {
    const { sheets, journal } = filledWorkbook();
    const source = new RestoreSource('http://hub', ID, null, fakeHub(new Map([[ID, { updates: sheets }], [historyRoom(ID), { updates: journal }]])));
    const refused = await source.moment(999).then(
      () => null,
      (err: unknown) => err,
    );
    expect(refused).toBeInstanceOf(SnapshotApiError);
    expect(refused).toMatchObject({ code: 'BEFORE_RETENTION', earliest: 1000 });

    const doc = new Y.Doc();
    const viewer = new Workbook(doc, { actor: { name: 'Vic', deviceId: 'vic' }, readOnly: true });
    await source.catchUp(viewer);
    expect(viewer.isInitialized()).toBe(false);
  });
});
