import { describe, expect, it } from 'vitest';
import * as Y from 'yjs';
import { Workbook, type Column } from '../../src/model/index.js';
import { decodeEntry, encodeEntry, entryFrom } from '../../src/model/history.js';
import { restoreTo } from '../../src/model/restore-to.js';
import { applyTemplate, TEMPLATES } from '../../src/model/templates.js';
import { commitImport, inferColumns } from '../../src/model/import.js';
import { syncWorkbooks } from '../support/model.js';
import { observable } from '../support/peers.js';
import { deleteEverythingUpdate } from '../support/vandal.js';

function team(...names: string[]) {
  let t = 1_764_000_000_000;
  const now = () => (t += 1000);
  const wbs = names.map((name) => new Workbook(new Y.Doc(), { actor: { name, deviceId: `${name}-phone` }, now }));
  const syncAll = () => {
    for (let i = 0; i < wbs.length; i++) for (let j = 0; j < wbs.length; j++) if (i !== j) syncWorkbooks(wbs[i], wbs[j]);
  };
  return { wbs, syncAll, now: () => t, tick: (ms: number) => (t += ms) };
}

function statusSheet(wb: Workbook) {
  const sheet = wb.initialize({ rows: 3, columns: 1 });
  const status = wb.addColumn(sheet, {
    name: 'Status',
    type: 'select',
    options: [
      { id: 'o1', label: 'Open', color: '#1f6feb' },
      { id: 'o2', label: 'Done', color: '#1a7f37' },
      { id: 'o3', label: 'Called', color: '#9a6700' },
    ],
  });
  const text = wb.columns(sheet)[0].id;
  return { sheet, status, text, rows: wb.rowIds(sheet) };
}

describe('history you can read', () => {
  it('keeps every write, including ones later overwritten or reverted, with who, device, when and old → new', () => {
    const { wbs } = team('Ana');
    const [ana] = wbs;
    const { sheet, text, rows } = statusSheet(ana);
    ana.setCell(sheet, rows[0], text, 'Rice');
    ana.setCell(sheet, rows[0], text, 'Rice 10kg');
    ana.setCell(sheet, rows[0], text, 'Beans');
    const undo = ana.createUndoManager();
    ana.setCell(sheet, rows[0], text, 'oops');
    undo.undo();
    const h = ana.cellHistory(sheet, rows[0], text);
    expect(h.map((e) => [e.before, e.after])).toEqual([
      ['oops', 'Beans'],
      ['Beans', 'oops'],
      ['Rice 10kg', 'Beans'],
      ['Rice', 'Rice 10kg'],
      [null, 'Rice'],
    ]);
    expect(h.every((e) => e.by === 'Ana' && e.dev === 'Ana-phone' && e.at > 0)).toBe(true);
    expect(ana.getValue(sheet, rows[0], text)).toBe('Beans');
  });

  it('records rows, columns, sheets, counters and claims as their own kinds', () => {
    const { wbs } = team('Ana');
    const [ana] = wbs;
    const { sheet, text, rows } = statusSheet(ana);
    const stock = ana.addColumn(sheet, { name: 'Stock', type: 'counter' });
    const taken = ana.addColumn(sheet, { name: 'Taken by', type: 'claim' });
    ana.recount(sheet, rows[0], stock, 40);
    ana.adjustCounter(sheet, rows[0], stock, -2);
    ana.claim(sheet, rows[1], taken);
    ana.release(sheet, rows[1], taken);
    ana.assignClaim(sheet, rows[2], taken, { name: 'Luis' });
    const [added] = ana.insertRows(sheet, 0, 1);
    ana.moveRow(sheet, added, 2);
    ana.deleteRows(sheet, [added]);
    ana.restoreRows(sheet, [added]);
    ana.updateColumn(sheet, text, { name: 'Need' });
    ana.updateColumn(sheet, text, { type: 'longtext' });
    ana.deleteColumn(sheet, text);
    ana.restoreColumn(sheet, text);
    const other = ana.addSheet('Shifts');
    ana.renameSheet(other, 'Rota');
    ana.deleteSheet(other);
    ana.restoreSheet(other);
    ana.setTitle('Needs');
    const kinds = ana.history().flatMap((g) => g.entries.map((e) => e.kind));
    for (const k of ['recount', 'delta', 'claim', 'release', 'assign', 'row-insert', 'row-move', 'row-delete', 'row-restore', 'column-add', 'column-rename', 'column-retype', 'column-delete', 'column-restore', 'sheet-add', 'sheet-rename', 'sheet-delete', 'sheet-restore', 'title']) {
      expect(kinds, k).toContain(k);
    }
    const delta = ana.history().flatMap((g) => g.entries).find((e) => e.kind === 'delta')!;
    expect([delta.before, delta.after]).toEqual([40, -2]);
    const rename = ana.history().flatMap((g) => g.entries).find((e) => e.kind === 'column-rename')!;
    expect([rename.before, rename.after]).toEqual(['A', 'Need']);
  });

  it('makes a paste, an import and a template one named group each, expandable to every cell', () => {
    const { wbs } = team('Ana');
    const [ana] = wbs;
    applyTemplate(ana, TEMPLATES.find((t) => t.id === 'requests')!);
    const table = { name: 'needs.csv', header: ['Name', 'Phone'], rows: [['Ana', '555 0100'], ['Luis', '555 0101']] };
    commitImport(ana, table, inferColumns(table), { kind: 'new', name: 'Imported' });
    const groups = ana.history();
    const imported = groups.find((g) => g.label === 'import')!;
    expect(imported.detail).toBe('needs.csv');
    expect(imported.entries.filter((e) => e.kind === 'cell').map((e) => e.after).sort()).toEqual(['555 0100', '555 0101', 'Ana', 'Luis'].sort());
    expect(groups.find((g) => g.label === 'template')).toBeTruthy();
    // Filters: by sheet, column, row, person, time.
    const sheetId = imported.entries[0].sheetId!;
    expect(ana.history({ sheetId }).every((g) => g.entries.every((e) => e.sheetId === sheetId))).toBe(true);
    expect(ana.history({ by: 'Nobody' })).toEqual([]);
    expect(ana.history({ from: Number.MAX_SAFE_INTEGER })).toEqual([]);
  });

  it('prunes only entries both older than the window and beyond the newest N', () => {
    const { wbs, tick, now } = team('Ana');
    const [ana] = wbs;
    const { sheet, text, rows } = statusSheet(ana);
    for (let i = 0; i < 10; i++) ana.setCell(sheet, rows[0], text, `v${i}`);
    const before = ana.journal.length;
    expect(ana.journal.prune(now() + 1000, { days: 90, entries: 5 })).toBe(0); // nothing is 90 days old yet
    tick(100 * 86_400_000);
    const dropped = ana.journal.prune(ana.journal.entries().reduce((m, e) => Math.max(m, e.at), 0) + 91 * 86_400_000, { days: 90, entries: 5 });
    expect(dropped).toBe(before - 5);
    expect(ana.journal.length).toBe(5);
    // The newest five are what is left.
    expect(ana.cellHistory(sheet, rows[0], text)[0].after).toBe('v9');
    // Retention can be made longer, never shorter than the promise.
    ana.journal.setRetention({ days: 10, entries: 10 });
    expect(ana.journal.retention()).toEqual({ days: 90, entries: 1_000_000 });
  });

  it('ignores a malformed or hostile history record and keeps the rest of the cell intact', () => {
    const { wbs, syncAll } = team('Ana', 'Mallory');
    const [ana, mallory] = wbs;
    const { sheet, text, rows } = statusSheet(ana);
    ana.setCell(sheet, rows[0], text, 'Insulin pickup');
    syncAll();
    const before = { content: observable(ana), history: ana.cellHistory(sheet, rows[0], text), conflict: ana.conflict(sheet, rows[0], text) };
    const log = mallory.journal.doc.getArray<unknown>('log');
    const good = entryFrom({ kind: 'cell', sheetId: sheet, rowId: rows[0], colId: text, id: 'x|1', after: 'fake' }, 'g', 'x', 1);
    mallory.journal.doc.transact(() => {
      log.push([
        'not json',
        '[1,"cell"]',
        JSON.stringify([1, 'cell', 'g', 'r', 1, sheet, rows[0], text, null, { nested: [1] }, {}]),
        JSON.stringify([1, 'cell', 'g', 'r', -5, sheet, rows[0], text, null, 'x', { i: 'a|1' }]),
        encodeEntry(good).replace('"cell"', '"explode"'),
        42 as unknown as string,
        { kind: 'cell' } as unknown as string,
        JSON.stringify([1, 'cell', 'g', 'r', 1, sheet, rows[0], text, null, 'x', { i: 'a|1', w: 'not a list' }]),
      ]);
      mallory.journal.doc.getMap('actors').set('x', 'not an actor');
    });
    syncAll();
    expect(observable(ana)).toEqual(before.content);
    expect(ana.cellHistory(sheet, rows[0], text)).toEqual(before.history);
    expect(ana.conflict(sheet, rows[0], text)).toEqual(before.conflict);
    expect(ana.history().length).toBeGreaterThan(0);
    expect(decodeEntry(encodeEntry(good))).toEqual(good);
  });
});

describe('same-cell conflicts', () => {
  it('two phones offline change one status: both show the same winner and the other value, with who and when', () => {
    const { wbs, syncAll } = team('Coord', 'Ana', 'Luis');
    const [coord, ana, luis] = wbs;
    const { sheet, status, rows } = statusSheet(coord);
    syncAll();
    ana.setCell(sheet, rows[0], status, 'o2');
    luis.setCell(sheet, rows[0], status, 'o3');
    syncAll();
    const seen = wbs.map((w) => w.conflict(sheet, rows[0], status));
    expect(seen[0]).not.toBeNull();
    expect(seen[1]).toEqual(seen[0]);
    expect(seen[2]).toEqual(seen[0]);
    const c = seen[0]!;
    const values = [c.current.v, ...c.others.map((o) => o.v)].sort();
    expect(values).toEqual(['o2', 'o3']);
    expect(coord.getValue(sheet, rows[0], status)).toBe(c.current.v);
    expect(c.others.map((o) => coord.knownActor(o.ref)?.name)).toEqual([c.current.v === 'o2' ? 'Luis' : 'Ana']);
    expect(coord.conflicts(sheet).map((x) => x.rowId)).toEqual([rows[0]]);
    // Resolved in one action on the laptop; the resolution is in the history.
    coord.resolveConflict(sheet, rows[0], status, c.others[0].v);
    syncAll();
    for (const w of wbs) {
      expect(w.conflict(sheet, rows[0], status)).toBeNull();
      expect(w.getValue(sheet, rows[0], status)).toBe(c.others[0].v);
    }
    const h = coord.cellHistory(sheet, rows[0], status);
    expect(h).toHaveLength(3);
    expect(coord.history().find((g) => g.label === 'resolve')?.by).toBe('Coord');
  });

  it('holds for every plain type', () => {
    const { wbs, syncAll } = team('Ana', 'Luis');
    const [ana, luis] = wbs;
    const sheet = ana.initialize({ rows: 1, columns: 0 });
    const row = ana.rowIds(sheet)[0];
    const values: [Column['type'], unknown, unknown][] = [
      ['text', 'a', 'b'],
      ['longtext', 'a\nb', 'c'],
      ['number', 1, 2],
      ['date', '2026-12-01', '2026-12-02'],
      ['datetime', '2026-12-01T09:00', '2026-12-01T10:00'],
      ['checkbox', true, false],
      ['phone', '+1 555 0100', '+1 555 0199'],
      ['link', 'https://a.example', 'https://b.example'],
    ];
    const cols = values.map(([type]) => ana.addColumn(sheet, { name: type, type }));
    syncAll();
    values.forEach(([, a, b], i) => {
      ana.setCell(sheet, row, cols[i], a as never);
      luis.setCell(sheet, row, cols[i], b as never);
    });
    syncAll();
    for (const c of cols) {
      const x = ana.conflict(sheet, row, c);
      expect(x, c).not.toBeNull();
      expect(luis.conflict(sheet, row, c)).toEqual(x);
    }
    expect(ana.conflicts(sheet)).toHaveLength(cols.length);
  });

  it('a write that saw the other is not a conflict, nor are two equal values', () => {
    const { wbs, syncAll } = team('Ana', 'Luis');
    const [ana, luis] = wbs;
    const { sheet, status, text, rows } = statusSheet(ana);
    syncAll();
    ana.setCell(sheet, rows[0], status, 'o2');
    syncAll();
    luis.setCell(sheet, rows[0], status, 'o3');
    syncAll();
    ana.setCell(sheet, rows[0], status, 'o1');
    syncAll();
    expect(ana.conflict(sheet, rows[0], status)).toBeNull();
    ana.setCell(sheet, rows[1], text, 'same');
    luis.setCell(sheet, rows[1], text, 'same');
    syncAll();
    expect(ana.conflict(sheet, rows[1], text)).toBeNull();
    expect(ana.conflicts(sheet)).toEqual([]);
  });

  it('typing a new value having seen the conflict settles it; a write made offline during the settling is a new conflict', () => {
    const { wbs, syncAll } = team('Coord', 'Ana', 'Luis');
    const [coord, ana, luis] = wbs;
    const { sheet, text, rows } = statusSheet(coord);
    syncAll();
    ana.setCell(sheet, rows[0], text, 'Ana says');
    luis.setCell(sheet, rows[0], text, 'Luis says');
    syncAll();
    expect(coord.conflict(sheet, rows[0], text)).not.toBeNull();
    coord.setCell(sheet, rows[0], text, 'Both called');
    ana.setCell(sheet, rows[0], text, 'Ana again, offline');
    syncAll();
    const c = coord.conflict(sheet, rows[0], text)!;
    expect([c.current.v, ...c.others.map((o) => o.v)].sort()).toEqual(['Ana again, offline', 'Both called']);
  });
});

describe('revert over history', () => {
  it('undoes several steps by one person back to the value before their first, leaving colleagues alone', () => {
    const { wbs, syncAll, now } = team('Coord', 'Leaked link');
    const [coord, vandal] = wbs;
    const { sheet, text, status, rows } = statusSheet(coord);
    coord.setCell(sheet, rows[0], text, 'Insulin pickup');
    coord.setCell(sheet, rows[1], text, 'Groceries');
    syncAll();
    const start = now();
    vandal.setCell(sheet, rows[0], text, 'lol');
    vandal.setCell(sheet, rows[0], text, 'lol2');
    vandal.setCell(sheet, rows[0], text, 'lol3');
    vandal.setCell(sheet, rows[1], status, 'o2');
    const [junk] = vandal.insertRows(sheet, 0, 1);
    vandal.deleteRows(sheet, [rows[2]]);
    const extra = vandal.addColumn(sheet, { name: 'spam' });
    vandal.updateColumn(sheet, text, { name: 'hacked' });
    syncAll();
    coord.setCell(sheet, rows[1], status, 'o3');
    const result = coord.revertBy('Leaked link', start, now());
    syncAll();
    for (const w of wbs) {
      expect(w.getValue(sheet, rows[0], text)).toBe('Insulin pickup');
      expect(w.getValue(sheet, rows[1], status)).toBe('o3');
      expect(w.hasRow(sheet, junk)).toBe(false);
      expect(w.hasRow(sheet, rows[2])).toBe(true);
      expect(w.columns(sheet).some((c) => c.id === extra)).toBe(false);
      expect(w.column(sheet, text).name).toBe('A');
    }
    expect(result.reverted).toBeGreaterThanOrEqual(5);
    expect(coord.history().find((g) => g.label === 'revert')?.detail).toBe('Leaked link');
  });
});

describe('assign, not only claim', () => {
  it('a coordinator assigns to a person seen here; the assignee sees it as theirs; concurrent assignments conflict', () => {
    const { wbs, syncAll } = team('Maria', 'Ana', 'Luis');
    const [maria, ana, luis] = wbs;
    const sheet = maria.initialize({ rows: 2, columns: 1 });
    const taken = maria.addColumn(sheet, { name: 'Taken by', type: 'claim' });
    const rows = maria.rowIds(sheet);
    syncAll();
    ana.setCell(sheet, rows[1], maria.columns(sheet)[0].id, 'hi');
    syncAll();
    const person = maria.people().find((p) => p.name === 'Ana')!;
    maria.assignClaim(sheet, rows[0], taken, person);
    syncAll();
    const [entry] = ana.claims(sheet, rows[0], taken).filter((e) => e.held);
    expect(entry.name).toBe('Ana');
    expect(ana.assignedBy(entry)).toBe('Maria');
    expect(ana.isMine(entry)).toBe(true);
    expect(luis.isMine(entry)).toBe(false);
    // A typed name nobody has used yet.
    maria.assignClaim(sheet, rows[1], taken, { name: 'Rosa' });
    expect(maria.getValue(sheet, rows[1], taken)).toBe('Rosa');
    syncAll();
    // Two coordinators assign at once: both stand, a conflict for someone to settle.
    maria.assignClaim(sheet, rows[0], taken, { name: 'Luis' });
    luis.assignClaim(sheet, rows[0], taken, { name: 'Rosa' });
    syncAll();
    const holders = maria.claims(sheet, rows[0], taken).filter((e) => e.held).map((e) => e.name).sort();
    expect(holders).toEqual(['Luis', 'Rosa']);
    expect(maria.history().flatMap((g) => g.entries).some((e) => e.kind === 'assign' && e.after === 'Luis')).toBe(true);
  });
});

describe('vandalism by protocol, then "Restore to…"', () => {
  function filled() {
    const { wbs, syncAll, now, tick } = team('Coord', 'Ana');
    const [coord, ana] = wbs;
    applyTemplate(coord, TEMPLATES.find((t) => t.id === 'requests')!);
    const sheet = coord.sheets()[0].id;
    const cols = coord.columns(sheet);
    const rows = coord.rowIds(sheet);
    const textCol = cols.find((c) => c.type === 'text')!.id;
    coord.setCell(sheet, rows[0], textCol, 'Insulin pickup, 5th & Main');
    const second = coord.addSheet('Shifts');
    coord.insertRows(second, 0, 2);
    syncAll();
    ana.setCell(sheet, rows[1], textCol, 'Groceries for 4');
    syncAll();
    tick(60_000);
    return { coord, ana, syncAll, now, sheet, textCol, rows };
  }

  function copyOf(wb: Workbook): Workbook {
    const doc = new Y.Doc();
    Y.applyUpdate(doc, Y.encodeStateAsUpdate(wb.doc));
    const journal = new Y.Doc();
    Y.applyUpdate(journal, Y.encodeStateAsUpdate(wb.journal.doc));
    return new Workbook(doc, { actor: { name: 'then', deviceId: 'then' }, history: journal });
  }

  it('a raw update deleting everything is undone from a fresh device: every cell, row, sheet and history entry is back', () => {
    const { coord, ana, syncAll, now } = filled();
    const then = copyOf(coord);
    const moment = now();
    const expected = observable(coord);
    const journalBefore = coord.journal.rawEntries().length;
    // One edit-link holder sends a delete set covering every clock, to both docs.
    Y.applyUpdate(ana.doc, deleteEverythingUpdate(ana.doc));
    Y.applyUpdate(ana.journal.doc, deleteEverythingUpdate(ana.journal.doc));
    syncAll();
    expect(coord.isInitialized()).toBe(false);
    expect(coord.history()).toEqual([]);
    // A fresh device, holding the wiped state, restores to the moment before.
    const fresh = new Workbook(new Y.Doc(), { actor: { name: 'Rosa', deviceId: 'rosa' } });
    syncWorkbooks(fresh, coord);
    const result = restoreTo(then, fresh, { at: moment });
    expect(result.revived.meta).toBe(true);
    expect(result.journalBack).toBe(journalBefore);
    syncWorkbooks(fresh, coord);
    syncWorkbooks(fresh, ana);
    for (const w of [fresh, coord, ana]) {
      expect(observable(w)).toEqual(expected);
      expect(w.checkInvariants()).toEqual([]);
    }
    // The old history is back, and the restore is in it as one named entry.
    expect(coord.history().find((g) => g.label === 'rewind')?.by).toBe('Rosa');
    expect(coord.journal.rawEntries().length).toBeGreaterThan(journalBefore);
  });

  it('restores a workbook whose current state cannot be rendered: a label that is not a string, parts replaced', () => {
    const { coord, ana, syncAll, now, sheet } = filled();
    const then = copyOf(coord);
    const moment = now();
    const expected = observable(coord);
    // Hostile writes straight to the doc, under the model's feet.
    const raw = ana.doc.getMap('sheets').get(sheet) as Y.Map<unknown>;
    const selectId = coord.columns(sheet).find((c) => c.type === 'select')!.id;
    const col = (raw.get('columns') as Y.Map<Y.Map<unknown>>).get(selectId)!;
    ana.doc.transact(() => {
      col.set('options', [{ id: 'o1', label: 42, color: 'red' }, 'junk', null]);
      col.set('name', { nested: [[['deep']]] });
      raw.set('cells', 'not a map');
    });
    syncAll();
    // Reading it never throws: the broken sheet reads as absent, the bad option as absent.
    expect(() => observable(coord)).not.toThrow();
    expect(coord.sheets().some((s) => s.id === sheet)).toBe(false);
    const fresh = new Workbook(new Y.Doc(), { actor: { name: 'Rosa', deviceId: 'rosa' } });
    syncWorkbooks(fresh, coord);
    restoreTo(then, fresh, { at: moment });
    syncWorkbooks(fresh, coord);
    expect(observable(coord)).toEqual(expected);
    expect(coord.checkInvariants()).toEqual([]);
  });

  it('restores one sheet to a moment, leaving the others as they are', () => {
    const { coord, now, sheet, textCol, rows } = filled();
    const then = copyOf(coord);
    const moment = now();
    coord.setCell(sheet, rows[0], textCol, 'changed later');
    coord.deleteRows(sheet, [rows[2]]);
    const other = coord.sheets()[1].id;
    coord.renameSheet(other, 'Renamed later');
    restoreTo(then, coord, { at: moment, sheetId: sheet });
    expect(coord.getValue(sheet, rows[0], textCol)).toBe('Insulin pickup, 5th & Main');
    expect(coord.hasRow(sheet, rows[2])).toBe(true);
    expect(coord.sheets()[1].name).toBe('Renamed later');
  });
});

describe('reading a long history off the open path', () => {
  it('builds the conflict index in slices, taking in what arrives meanwhile', async () => {
    const { wbs, syncAll } = team('Ana', 'Luis');
    const [ana, luis] = wbs;
    const { sheet, text, rows } = statusSheet(ana);
    syncAll();
    for (let i = 0; i < 300; i++) ana.setCell(sheet, rows[i % 3], text, `v${i}`);
    ana.setCell(sheet, rows[0], text, 'Ana offline');
    luis.setCell(sheet, rows[0], text, 'Luis offline');
    // A fresh device: the journal arrives, then is read in slices of 50 while a new conflict lands.
    const fresh = new Workbook(new Y.Doc(), { actor: { name: 'Rosa', deviceId: 'r' } });
    syncWorkbooks(fresh, ana);
    let pauses = 0;
    await fresh.prepareHistory(async () => {
      pauses++;
      if (pauses === 8) syncWorkbooks(fresh, luis);
    }, 50);
    expect(pauses).toBeGreaterThan(2);
    expect(fresh.conflictsReady()).toBe(true);
    const c = fresh.conflict(sheet, rows[0], text);
    expect(c && [c.current.v, ...c.others.map((o) => o.v)].sort()).toEqual(['Ana offline', 'Luis offline']);
  });
});
