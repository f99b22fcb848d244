import { describe, expect, it } from 'vitest';
import * as Y from 'yjs';
import { Workbook } from '../../src/model/index.js';
import { encodeEntry, entryFrom, type HistoryEntry } from '../../src/model/history.js';
import { syncWorkbooks } from '../support/model.js';
import { observable } from '../support/peers.js';

function team(...names: string[]) {
  let t = 1_764_000_000_000;
  const now = () => (t += 1000);
  const wbs = names.map((name) => new Workbook(new Y.Doc(), { actor: { name, deviceId: `${name}-phone` }, now }));
  const syncAll = () => {
    for (let i = 0; i < wbs.length; i++) for (let j = 0; j < wbs.length; j++) if (i !== j) syncWorkbooks(wbs[i], wbs[j]);
  };
  return { wbs, syncAll };
}

function sheetOf(wb: Workbook) {
  const sheet = wb.initialize({ rows: 3, columns: 2 });
  const [text, other] = wb.columns(sheet).map((c) => c.id);
  return { sheet, text, other, rows: wb.rowIds(sheet) };
}

/** The values a person can pick from at a cell: what it shows and its alternatives. */
function choices(wb: Workbook, sheet: string, row: string, col: string) {
  const c = wb.conflict(sheet, row, col);
  return { shown: wb.getValue(sheet, row, col), values: c ? [c.current.v, ...c.others.map((o) => o.v)].sort() : null };
}

describe('undo and redo are new writes', () => {
  it('an undo that crossed a colleague’s unseen write is a conflict on every peer, recorded as the person’s change', () => {
    const { wbs, syncAll } = team('Ana', 'Luis', 'Rosa');
    const [ana, luis, rosa] = wbs;
    const { sheet, text, rows } = sheetOf(ana);
    ana.setCell(sheet, rows[0], text, 'Beans');
    const undo = ana.createUndoManager();
    ana.setCell(sheet, rows[0], text, 'oops');
    syncAll();
    const beans = ana.cellHistory(sheet, rows[0], text).find((e) => e.after === 'Beans')!.id!;
    const oops = ana.cellWriteId(sheet, rows[0], text)!;
    luis.setCell(sheet, rows[0], text, 'Z by Luis');
    undo.undo();
    expect(ana.getValue(sheet, rows[0], text)).toBe('Beans');
    // The undo is a new write of Ana's, having seen exactly what her phone had: "oops".
    const step = ana.cellHistory(sheet, rows[0], text)[0];
    expect(step).toMatchObject({ by: 'Ana', dev: 'Ana-phone', before: 'oops', after: 'Beans', saw: [oops], resolves: false });
    expect(step.id).not.toBe(beans);
    expect(ana.cellWriteId(sheet, rows[0], text)).toBe(step.id);
    syncAll();
    const seen = wbs.map((w) => w.conflict(sheet, rows[0], text));
    expect(seen[0]).not.toBeNull();
    expect(seen[1]).toEqual(seen[0]);
    expect(seen[2]).toEqual(seen[0]);
    for (const w of wbs) expect(choices(w, sheet, rows[0], text)).toEqual({ shown: seen[0]!.current.v, values: ['Beans', 'Z by Luis'] });
    expect(rosa.conflicts(sheet).map((c) => c.rowId)).toEqual([rows[0]]);
    // Every value ever written is in the history, the undo's too.
    expect(rosa.cellHistory(sheet, rows[0], text).map((e) => [e.by, e.before, e.after])).toEqual(
      expect.arrayContaining([
        ['Ana', null, 'Beans'],
        ['Ana', 'Beans', 'oops'],
        ['Luis', 'oops', 'Z by Luis'],
        ['Ana', 'oops', 'Beans'],
      ]),
    );
    // An undo sees only the record it takes: it settles nothing, and says so.
    const luisUndo = luis.createUndoManager();
    luis.setCell(sheet, rows[1], text, 'unrelated');
    luisUndo.undo();
    expect(luis.cellHistory(sheet, rows[1], text)[0]).toMatchObject({ resolves: false });
    // Resolved in one action, it is one line again everywhere, and that write says it settled a conflict.
    rosa.resolveConflict(sheet, rows[0], text, 'Z by Luis');
    expect(rosa.cellHistory(sheet, rows[0], text)[0]).toMatchObject({ by: 'Rosa', after: 'Z by Luis', resolves: true });
    syncAll();
    for (const w of wbs) expect(choices(w, sheet, rows[0], text)).toEqual({ shown: 'Z by Luis', values: null });
    // A plain write after it settles nothing.
    luis.setCell(sheet, rows[0], text, 'Z, later');
    expect(luis.cellHistory(sheet, rows[0], text)[0]).toMatchObject({ after: 'Z, later', resolves: false });
  });

  it('an undo and a redo with nothing crossing them stay quiet, on every peer', () => {
    const { wbs, syncAll } = team('Ana', 'Luis');
    const [ana, luis] = wbs;
    const { sheet, text, rows } = sheetOf(ana);
    ana.setCell(sheet, rows[0], text, 'Beans');
    const undo = ana.createUndoManager();
    ana.setCell(sheet, rows[0], text, 'oops');
    syncAll();
    undo.undo();
    syncAll();
    for (const w of wbs) expect(choices(w, sheet, rows[0], text)).toEqual({ shown: 'Beans', values: null });
    undo.redo();
    syncAll();
    for (const w of wbs) expect(choices(w, sheet, rows[0], text)).toEqual({ shown: 'oops', values: null });
    // Undoing the first write of a cell leaves it cleared, a write like the others.
    undo.undo();
    ana.setCell(sheet, rows[1], text, 'first');
    undo.undo();
    syncAll();
    for (const w of wbs) {
      expect(choices(w, sheet, rows[1], text)).toEqual({ shown: null, values: null });
      expect(w.conflicts(sheet)).toEqual([]);
    }
    const ids = ana.cellHistory(sheet, rows[0], text).map((e) => e.id);
    expect(new Set(ids).size).toBe(ids.length);
    expect(ana.cellHistory(sheet, rows[0], text).map((e) => [e.before, e.after])).toEqual([
      ['oops', 'Beans'],
      ['Beans', 'oops'],
      ['oops', 'Beans'],
      ['Beans', 'oops'],
      [null, 'Beans'],
    ]);
    // A colleague's later write this phone had seen is never undone from here, and nothing is flagged.
    ana.setCell(sheet, rows[2], text, 'Ana’s');
    syncAll();
    luis.setCell(sheet, rows[2], text, 'Luis’s');
    syncAll();
    undo.undo();
    syncAll();
    for (const w of wbs) expect(choices(w, sheet, rows[2], text)).toEqual({ shown: 'Luis’s', values: null });
  });

  it('a redo that crossed a colleague’s write is a conflict too', () => {
    const { wbs, syncAll } = team('Ana', 'Luis');
    const [ana, luis] = wbs;
    const { sheet, text, rows } = sheetOf(ana);
    const undo = ana.createUndoManager();
    ana.setCell(sheet, rows[0], text, 'Rice');
    ana.setCell(sheet, rows[0], text, 'Rice 10kg');
    undo.undo();
    syncAll();
    luis.setCell(sheet, rows[0], text, 'Rice 5kg');
    undo.redo();
    syncAll();
    expect(ana.conflict(sheet, rows[0], text)).toEqual(luis.conflict(sheet, rows[0], text));
    expect(choices(ana, sheet, rows[0], text).values).toEqual(['Rice 10kg', 'Rice 5kg']);
  });

  it('a paste undone is one step: each cell a new write in one group; only the cell a colleague changed meanwhile conflicts', () => {
    const { wbs, syncAll } = team('Ana', 'Luis');
    const [ana, luis] = wbs;
    const { sheet, text, other, rows } = sheetOf(ana);
    ana.setCells(sheet, rows.map((rowId, i) => ({ rowId, colId: text, value: `before ${i}` })));
    const undo = ana.createUndoManager();
    ana.setCells(sheet, [...rows.map((rowId, i) => ({ rowId, colId: text, value: `pasted ${i}` })), { rowId: rows[0], colId: other, value: 'pasted x' }]);
    syncAll();
    luis.setCell(sheet, rows[1], text, 'Luis fixed it');
    undo.undo();
    // The whole paste went back in one step.
    expect(undo.canUndo()).toBe(false);
    const step = ana.history({ limit: 1 })[0];
    expect(step.by).toBe('Ana');
    expect(step.entries.map((e) => [e.before, e.after]).sort()).toEqual([
      ['pasted 0', 'before 0'],
      ['pasted 1', 'before 1'],
      ['pasted 2', 'before 2'],
      ['pasted x', null],
    ]);
    syncAll();
    for (const w of wbs) {
      expect(w.conflicts(sheet).map((c) => [c.rowId, c.colId])).toEqual([[rows[1], text]]);
      expect(w.getValue(sheet, rows[0], text)).toBe('before 0');
      expect(w.getValue(sheet, rows[2], text)).toBe('before 2');
      expect(w.getValue(sheet, rows[0], other)).toBeNull();
    }
    expect(choices(ana, sheet, rows[1], text).values).toEqual(['Luis fixed it', 'before 1']);
    // Redo puts the paste back, again one step of new writes. Where Luis's value stands Yjs does
    // not write over it; either way his value is shown or listed, the same on both.
    undo.redo();
    syncAll();
    expect([ana.getValue(sheet, rows[0], text), ana.getValue(sheet, rows[2], text), ana.getValue(sheet, rows[0], other)]).toEqual(['pasted 0', 'pasted 2', 'pasted x']);
    expect(luis.conflicts(sheet)).toEqual(ana.conflicts(sheet));
    const row1 = choices(ana, sheet, rows[1], text);
    expect(row1.shown === 'Luis fixed it' || row1.values?.includes('Luis fixed it')).toBe(true);
    expect(observable(luis)).toEqual(observable(ana));
  });

  it('a formula an undo puts back comes back as the formula, under a new write id', () => {
    const { wbs, syncAll } = team('Ana', 'Luis');
    const [ana, luis] = wbs;
    const { sheet, text, rows } = sheetOf(ana);
    const qty = ana.addColumn(sheet, { name: 'Qty', type: 'number' });
    ana.setCell(sheet, rows[1], qty, 2);
    const undo = ana.createUndoManager();
    const stored = ana.setFormula(sheet, rows[0], text, '=C2*3');
    const formulaId = ana.cellWriteId(sheet, rows[0], text);
    ana.setCell(sheet, rows[0], text, 'typed over');
    undo.undo();
    expect(ana.getFormula(sheet, rows[0], text)).toBe(stored);
    expect(ana.cellWriteId(sheet, rows[0], text)).not.toBe(formulaId);
    expect(ana.cellHistory(sheet, rows[0], text)[0]).toMatchObject({ before: 'typed over', after: stored, afterFormula: true });
    syncAll();
    expect(luis.getFormula(sheet, rows[0], text)).toBe(stored);
    expect(luis.conflict(sheet, rows[0], text)).toBeNull();
  });

  it('rows inserted, filled and deleted still undo and redo step by step', () => {
    const { wbs, syncAll } = team('Ana', 'Luis');
    const [ana, luis] = wbs;
    const { sheet, text, rows } = sheetOf(ana);
    const undo = ana.createUndoManager();
    const [added] = ana.insertRows(sheet, 1, 1);
    ana.setCell(sheet, added, text, 'new row');
    ana.deleteRows(sheet, [rows[0]]);
    syncAll();
    undo.undo();
    expect(ana.rowIds(sheet)).toEqual([rows[0], added, rows[1], rows[2]]);
    undo.undo();
    expect(ana.getValue(sheet, added, text)).toBeNull();
    undo.undo();
    expect(ana.rowIds(sheet)).toEqual(rows);
    undo.redo();
    undo.redo();
    expect(ana.getValue(sheet, added, text)).toBe('new row');
    undo.redo();
    expect(ana.rowIds(sheet)).toEqual([added, rows[1], rows[2]]);
    syncAll();
    expect(observable(luis)).toEqual(observable(ana));
    expect(ana.conflicts(sheet)).toEqual([]);
    // The redos, newest first: the row trashed again, its cell, the row back (with the cell it had).
    const kinds = ana.history().map((g) => g.entries.map((e) => e.kind).join(','));
    expect(kinds.slice(0, 3)).toEqual(['row-delete', 'cell', 'row-insert,cell']);
    const ids = ana.cellHistory(sheet, added, text).map((e) => e.id);
    expect(new Set(ids).size).toBe(ids.length);
  });
});

describe('undoing an insert', () => {
  it('is in the history: the rows it took away are named, on every peer', () => {
    const { wbs, syncAll } = team('Ana', 'Luis');
    const [ana, luis] = wbs;
    const { sheet } = sheetOf(ana);
    syncAll();
    const undo = ana.createUndoManager();
    const added = ana.insertRows(sheet, 1, 2);
    syncAll();
    undo.undo();
    expect(ana.rowIds(sheet)).not.toContain(added[0]);
    syncAll();
    const newest = luis.history()[0];
    expect(newest).toMatchObject({ by: 'Ana' });
    expect(newest.entries.map((e) => [e.kind, [...e.rowIds].sort()])).toEqual([['row-delete', [...added].sort()]]);
  });
});

describe('a write that saw a value in the journal only', () => {
  it('is listed when Yjs keeps, in the doc, the value it replaced', () => {
    const { wbs, syncAll } = team('Ana', 'Luis', 'Coord');
    const [ana, luis, coord] = wbs;
    // Yjs shows the record of the higher client of two that crossed: Luis's over the coordinator's.
    ana.doc.clientID = 1;
    coord.doc.clientID = 2;
    luis.doc.clientID = 3;
    const { sheet, text, rows } = sheetOf(ana);
    syncAll();
    coord.conflicts(sheet);
    ana.setCell(sheet, rows[0], text, 'Ana’s');
    luis.setCell(sheet, rows[0], text, 'Luis’s');
    // The coordinator has both entries but only Ana's record, and settles what she sees.
    Y.applyUpdate(coord.doc, Y.encodeStateAsUpdate(ana.doc));
    for (const w of [ana, luis]) Y.applyUpdate(coord.journal.doc, Y.encodeStateAsUpdate(w.journal.doc));
    coord.resolveConflict(sheet, rows[0], text, 'Both called');
    syncAll();
    for (const w of wbs) {
      expect(w.getValue(sheet, rows[0], text)).toBe('Luis’s');
      expect(w.conflict(sheet, rows[0], text)?.others.map((o) => o.v)).toEqual(['Both called']);
      expect(w.conflicts(sheet).map((c) => c.rowId)).toEqual([rows[0]]);
    }
    // Settled again, by anyone who now sees both: quiet everywhere.
    ana.resolveConflict(sheet, rows[0], text, 'Both called');
    syncAll();
    for (const w of wbs) expect(choices(w, sheet, rows[0], text)).toEqual({ shown: 'Both called', values: null });
  });
});

describe('forged but well-formed journal entries', () => {
  /** Two cells' worth of real writes crossing, then Mallory's entries in the journal, delivered to two peers in opposite orders. */
  function crossingWithForgery(forge: (real: { sheet: string; row: string; col: string; ana: string; luis: string; luisRef: string }) => HistoryEntry[]) {
    const { wbs, syncAll } = team('Ana', 'Luis', 'Mallory', 'Rosa', 'Pia');
    const [ana, luis, mallory, rosa, pia] = wbs;
    const { sheet, text, rows } = sheetOf(ana);
    syncAll();
    ana.setCell(sheet, rows[0], text, 'Ana’s');
    luis.setCell(sheet, rows[0], text, 'Luis’s');
    ana.setCell(sheet, rows[1], text, 'untouched');
    // Mallory has the workbook (so she knows the write ids) and the journal up to before the writes.
    for (const w of [ana, luis]) Y.applyUpdate(mallory.doc, Y.encodeStateAsUpdate(w.doc));
    const journalBefore = Y.encodeStateVector(mallory.journal.doc);
    const real = {
      sheet,
      row: rows[0],
      col: text,
      ana: ana.cellWriteId(sheet, rows[0], text)!,
      luis: luis.cellWriteId(sheet, rows[0], text)!,
      luisRef: luis.cellWriteId(sheet, rows[0], text)!.split('|')[0],
    };
    mallory.journal.doc.getArray<string>('log').push(forge(real).map(encodeEntry));
    const forged = Y.encodeStateAsUpdate(mallory.journal.doc, journalBefore);
    const honest = [ana, luis].map((w) => Y.encodeStateAsUpdate(w.journal.doc));
    // Rosa gets the real entries first, Pia the forged ones first; both get the workbook.
    for (const w of [ana, luis]) for (const p of [rosa, pia]) Y.applyUpdate(p.doc, Y.encodeStateAsUpdate(w.doc));
    const before = observable(rosa);
    // Both have their conflict index built (as on screen), so entries are taken in as they arrive.
    for (const p of [rosa, pia]) expect(p.conflicts(sheet)).toEqual([]);
    for (const u of honest) Y.applyUpdate(rosa.journal.doc, u);
    Y.applyUpdate(rosa.journal.doc, forged);
    Y.applyUpdate(pia.journal.doc, forged);
    for (const u of honest) Y.applyUpdate(pia.journal.doc, u);
    return { rosa, pia, real, before, rows, sheet, text };
  }

  it('a copy of a real write id with another value: every peer lists the same alternative, whatever order they came in', () => {
    const { rosa, pia, real, before, rows, sheet, text } = crossingWithForgery((r) => [
      // under Mallory's own name, and under Luis's name with an earlier time
      entryFrom({ kind: 'cell', sheetId: r.sheet, rowId: r.row, colId: r.col, id: r.luis, after: 'forged' }, 'mg1', 'mallory', 1),
      entryFrom({ kind: 'cell', sheetId: r.sheet, rowId: r.row, colId: r.col, id: r.luis, after: 'forged as Luis' }, 'mg2', r.luisRef, 2),
      entryFrom({ kind: 'cell', sheetId: r.sheet, rowId: r.row, colId: r.col, id: r.ana, after: 'forged as Ana', saw: [] }, 'mg3', r.ana.split('|')[0], 3),
    ]);
    const c = rosa.conflict(sheet, rows[0], text);
    expect(c).not.toBeNull();
    expect(pia.conflict(sheet, rows[0], text)).toEqual(c);
    expect(pia.conflicts(sheet)).toEqual(rosa.conflicts(sheet));
    expect(pia.cellWrite(sheet, rows[0], text, real.luis)).toEqual(rosa.cellWrite(sheet, rows[0], text, real.luis));
    // The cells are as they were; the real values stay in the history, beside the forged lines.
    expect(observable(rosa)).toEqual(before);
    expect(observable(pia)).toEqual(before);
    for (const p of [rosa, pia]) {
      const afters = p.cellHistory(sheet, rows[0], text).map((e) => e.after);
      expect(afters).toEqual(expect.arrayContaining(['Ana’s', 'Luis’s', 'forged', 'forged as Luis', 'forged as Ana']));
      expect(p.getValue(sheet, rows[1], text)).toBe('untouched');
      expect(p.conflict(sheet, rows[1], text)).toBeNull();
    }
    // The shown value is the doc's, never a forged copy's.
    expect(c!.current.v).toBe(rosa.getValue(sheet, rows[0], text));
  });

  it('a forged seen-list hiding a head does not make the real write vanish from the history, and every peer agrees', () => {
    const { rosa, pia, real, before, rows, sheet, text } = crossingWithForgery((r) => [
      entryFrom({ kind: 'cell', sheetId: r.sheet, rowId: r.row, colId: r.col, id: 'mallory|1', after: 'settled', saw: [r.ana, r.luis] }, 'mg1', 'mallory', 1),
      entryFrom({ kind: 'cell', sheetId: r.sheet, rowId: r.row, colId: r.col, id: 'mallory|2', after: 'cycle', saw: ['mallory|1', r.luis] }, 'mg2', 'mallory', 2),
    ]);
    expect(pia.conflict(sheet, rows[0], text)).toEqual(rosa.conflict(sheet, rows[0], text));
    expect(pia.conflicts(sheet)).toEqual(rosa.conflicts(sheet));
    expect(observable(rosa)).toEqual(before);
    expect(observable(pia)).toEqual(before);
    for (const p of [rosa, pia]) {
      const h = p.cellHistory(sheet, rows[0], text);
      expect(h.find((e) => e.id === real.ana)?.after).toBe('Ana’s');
      expect(h.find((e) => e.id === real.luis)?.after).toBe('Luis’s');
      const activity = p.history({ sheetId: sheet }).flatMap((g) => g.entries.map((e) => e.after));
      expect(activity).toEqual(expect.arrayContaining(['Ana’s', 'Luis’s']));
      expect(p.getValue(sheet, rows[1], text)).toBe('untouched');
    }
    // Whatever the forgery hid, what the cell shows is still one of the two real writes.
    expect(['Ana’s', 'Luis’s']).toContain(rosa.getValue(sheet, rows[0], text));
  });
});
