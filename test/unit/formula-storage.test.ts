import * as Y from 'yjs';
import { describe, expect, it } from 'vitest';
import { decodeCell, encodeCell, encodeFormula } from '../../src/model/cell-codec.js';
import { ERRORS, WorkbookFormulas, isFormulaError, type FormulaErrorCode } from '../../src/model/formula/index.js';
import { decodeEntry, encodeEntry } from '../../src/model/history.js';
import { restoreTo } from '../../src/model/restore-to.js';
import { restoreFromSnapshot } from '../../src/model/snapshot-diff.js';
import { SCHEMA_VERSION, Workbook, isModelError, migrate } from '../../src/model/index.js';
import { newWorkbook, syncWorkbooks } from '../support/model.js';

const CLOCK = { now: () => Date.UTC(2026, 11, 2, 12), timeZone: 'UTC' };

function formulaCode(fn: () => unknown): FormulaErrorCode | 'none' {
  try {
    fn();
  } catch (e) {
    if (isFormulaError(e)) return e.code;
    throw e;
  }
  return 'none';
}

/** A sheet: Item (text), Qty (number), Calc (text); rows 1–4 with Qty 1–4. */
function sheetWithNumbers(name = 'Ana') {
  const made = newWorkbook(name);
  const { wb } = made;
  const sheet = wb.initialize({ columns: 0, rows: 4 });
  const item = wb.addColumn(sheet, { name: 'Item' });
  const qty = wb.addColumn(sheet, { name: 'Qty', type: 'number' });
  const calc = wb.addColumn(sheet, { name: 'Calc' });
  const rows = wb.rowIds(sheet);
  rows.forEach((r, i) => wb.setCell(sheet, r, qty, i + 1));
  return { ...made, sheet, item, qty, calc, rows };
}

/** A second device with a copy of the doc and journal. */
function peerOf(wb: Workbook, name = 'Luis') {
  const other = newWorkbook(name);
  syncWorkbooks(wb, other.wb);
  return other.wb;
}

describe('formulas in the doc (schema 3)', () => {
  it('a typed formula is stored by row and column id, with who and when, and reads back in A1 for the current order', () => {
    const { wb, sheet, qty, calc, rows } = sheetWithNumbers();
    const stored = wb.setFormula(sheet, rows[0], calc, '=SUM(B2:B4)*2');
    expect(stored).toBe(`=SUM({${qty}@${rows[1]}:${qty}@${rows[3]}})*2`);
    expect(wb.getFormula(sheet, rows[0], calc)).toBe(stored);
    const cell = wb.getCell(sheet, rows[0], calc)!;
    expect(cell).toMatchObject({ v: null, formula: stored, by: 'Ana', dev: 'Ana-phone' });
    // the record: ref|at|, then the stored text itself (its `=` is the tag)
    const raw = (wb.doc.getMap('sheets').get(sheet) as Y.Map<Y.Map<Y.Map<string>>>).get('cells')!.get(rows[0])!.get(calc)!;
    expect(raw.endsWith(`|${stored}`)).toBe(true);
    expect(decodeCell(raw)).toMatchObject({ v: null, formula: stored });
    // the value is computed, never stored: results live on devices
    expect(wb.getValue(sheet, rows[0], calc)).toBeNull();
    wb.insertRows(sheet, 0, 2);
    expect(wb.formulaForDisplay(stored, { sheetId: sheet, rowId: rows[0] })).toBe('=SUM(B4:B6)*2');
    // a Spanish writer's decimal comma and `;` store the same text
    const es = wb.setFormula(sheet, rows[1], calc, '=ROUND(B4*1,5; 2)', { decimal: ',' });
    expect(es).toBe(`=ROUND({${qty}@${rows[1]}}*1.5,2)`);
    expect(wb.formulaForDisplay(es, { sheetId: sheet, rowId: rows[1] })).toBe('=ROUND(B4*1.5,2)');
    expect(wb.formulaForDisplay(es, { sheetId: sheet, rowId: rows[1] }, { decimal: ',' })).toBe('=ROUND(B4*1,5;2)');
  });

  it('round-trips through sync: the other device reads the same stored text and computes the same result', () => {
    const { wb, sheet, calc, rows } = sheetWithNumbers();
    const stored = wb.setFormula(sheet, rows[0], calc, '=SUM(B1:B4)');
    const luis = peerOf(wb);
    expect(luis.getFormula(sheet, rows[0], calc)).toBe(stored);
    expect(luis.getCell(sheet, rows[0], calc)).toMatchObject({ formula: stored, by: 'Ana' });
    const mine = WorkbookFormulas.fromDoc(wb, CLOCK);
    const theirs = WorkbookFormulas.fromDoc(luis, CLOCK);
    expect(mine.engine.result(sheet, rows[0], calc)).toBe(10);
    expect(theirs.engine.result(sheet, rows[0], calc)).toBe(10);
    mine.destroy();
    theirs.destroy();
  });

  it('refuses what cannot be stored with a code, and writes nothing', () => {
    const { wb, sheet, qty, calc, rows } = sheetWithNumbers();
    const stock = wb.addColumn(sheet, { name: 'Stock', type: 'counter' });
    const who = wb.addColumn(sheet, { name: 'Taken by', type: 'claim' });
    const before = Y.encodeStateVector(wb.doc);
    expect(formulaCode(() => wb.setFormula(sheet, rows[0], calc, '=SUM(B2:'))).toBe('FORMULA_SYNTAX');
    expect(formulaCode(() => wb.setFormula(sheet, rows[0], calc, '=B900'))).toBe('FORMULA_NO_SUCH_CELL');
    expect(formulaCode(() => wb.setFormula(sheet, rows[0], calc, "='Nowhere'!A1"))).toBe('FORMULA_UNKNOWN_SHEET');
    expect(formulaCode(() => wb.setFormula(sheet, rows[0], calc, '=[Nope]+1'))).toBe('FORMULA_UNKNOWN_COLUMN');
    expect(formulaCode(() => wb.setFormula(sheet, rows[0], stock, '=1'))).toBe('FORMULA_NOT_HERE');
    expect(formulaCode(() => wb.setFormula(sheet, rows[0], who, '=1'))).toBe('FORMULA_NOT_HERE');
    // stored text written directly (an import, a paste) is checked against the storage grammar
    expect(formulaCode(() => wb.setCells(sheet, [{ rowId: rows[0], colId: calc, value: null, formula: '=B2+1' }]))).toBe('FORMULA_BAD_STORAGE');
    expect(formulaCode(() => wb.setColumnFormula(sheet, calc, '=[Qty'))).toBe('FORMULA_SYNTAX');
    expect(formulaCode(() => wb.updateColumn(sheet, calc, { formula: '= 1' }))).toBe('FORMULA_BAD_STORAGE');
    expect(formulaCode(() => wb.setColumnFormula(sheet, stock, '=[Qty]'))).toBe('FORMULA_NOT_HERE');
    expect(Y.encodeStateVector(wb.doc)).toEqual(before);
    expect(wb.getFormula(sheet, rows[0], calc)).toBeNull();
    expect(wb.getValue(sheet, rows[0], qty)).toBe(1);
  });

  it('a view-only device cannot write a formula', () => {
    const { wb, sheet, calc, rows } = sheetWithNumbers();
    const viewer = new Workbook(new Y.Doc(), { actor: { name: 'V', deviceId: 'v' }, readOnly: true });
    Y.applyUpdate(viewer.doc, Y.encodeStateAsUpdate(wb.doc));
    for (const write of [() => viewer.setFormula(sheet, rows[0], calc, '=1+1'), () => viewer.setColumnFormula(sheet, calc, '=[Qty]*2')]) {
      let code = '';
      try {
        write();
      } catch (e) {
        code = isModelError(e) ? e.code : 'other';
      }
      expect(code).toBe('READ_ONLY');
    }
    expect(viewer.getFormula(sheet, rows[0], calc)).toBeNull();
  });

  it('a column formula is a validated column field; every row computes it, new rows at once; clearing shows the values again', () => {
    const { wb, sheet, item, qty, calc, rows } = sheetWithNumbers();
    wb.setCell(sheet, rows[0], calc, 'kept');
    const stored = wb.setColumnFormula(sheet, calc, '=[Qty] * 10');
    expect(stored).toBe(`={~${qty}}*10`);
    expect(wb.columnFormula(sheet, calc)).toBe(stored);
    expect(wb.column(sheet, calc).formula).toBe(stored);
    expect(wb.column(sheet, item).formula).toBeUndefined();
    const f = WorkbookFormulas.fromDoc(wb, CLOCK);
    expect(rows.map((r) => f.engine.result(sheet, r, calc))).toEqual([10, 20, 30, 40]);
    const [added] = wb.insertRows(sheet, 4, 1);
    expect(f.engine.result(sheet, added, calc)).toBe(0);
    wb.setCell(sheet, added, qty, 7);
    expect(f.engine.result(sheet, added, calc)).toBe(70);
    // a peer renames the column read: the formula shows the new name
    wb.updateColumn(sheet, qty, { name: 'Quantity' });
    expect(wb.formulaForDisplay(stored!, { sheetId: sheet, rowId: rows[0] })).toBe('=[Quantity]*10');
    expect(wb.setColumnFormula(sheet, calc, null)).toBeNull();
    expect(wb.columnFormula(sheet, calc)).toBeNull();
    expect(f.engine.result(sheet, rows[1], calc)).toBeUndefined();
    expect(wb.getValue(sheet, rows[0], calc)).toBe('kept');
    f.destroy();
  });

  it('WorkbookFormulas over the doc follows local edits, sync, deletes (#REF!) and restores', () => {
    const { wb, sheet, qty, calc, rows } = sheetWithNumbers();
    const luis = peerOf(wb);
    const f = WorkbookFormulas.fromDoc(luis, CLOCK);
    wb.setFormula(sheet, rows[0], calc, '=B2+B3');
    syncWorkbooks(wb, luis);
    expect(f.engine.result(sheet, rows[0], calc)).toBe(5);
    luis.setCell(sheet, rows[1], qty, 20);
    expect(f.engine.result(sheet, rows[0], calc)).toBe(23);
    wb.deleteRows(sheet, [rows[2]]);
    syncWorkbooks(wb, luis);
    expect(f.engine.result(sheet, rows[0], calc)).toEqual(ERRORS['#REF!']);
    expect(luis.formulaForDisplay(luis.getFormula(sheet, rows[0], calc)!, { sheetId: sheet, rowId: rows[0] })).toBe('=B2+#REF!');
    wb.restoreRows(sheet, [rows[2]]);
    syncWorkbooks(wb, luis);
    expect(f.engine.result(sheet, rows[0], calc)).toBe(23);
    // a value typed over the formula ends it
    wb.setCell(sheet, rows[0], calc, 'done');
    syncWorkbooks(wb, luis);
    expect(f.engine.result(sheet, rows[0], calc)).toBeUndefined();
    expect(luis.getValue(sheet, rows[0], calc)).toBe('done');
    f.destroy();
  });

  it('a cycle through a column moved to the trash reads #REF! as a fresh start would, and is a cycle again once restored', () => {
    const { wb, sheet, rows } = sheetWithNumbers();
    const x = wb.addColumn(sheet, { name: 'X' });
    const y = wb.addColumn(sheet, { name: 'Y' });
    const f = WorkbookFormulas.fromDoc(wb, CLOCK);
    wb.setFormula(sheet, rows[0], x, '=E1*2');
    wb.setFormula(sheet, rows[0], y, '=D1*2');
    expect(f.engine.result(sheet, rows[0], x)).toEqual(ERRORS['#CYCLE!']);
    wb.deleteColumn(sheet, y);
    const fresh = WorkbookFormulas.fromDoc(wb, CLOCK);
    expect(fresh.engine.result(sheet, rows[0], x)).toEqual(ERRORS['#REF!']);
    expect(f.engine.result(sheet, rows[0], x)).toEqual(ERRORS['#REF!']);
    wb.restoreColumn(sheet, y);
    expect(f.engine.result(sheet, rows[0], x)).toEqual(ERRORS['#CYCLE!']);
    expect(f.engine.result(sheet, rows[0], y)).toEqual(ERRORS['#CYCLE!']);
    f.destroy();
    fresh.destroy();
  });

  it('hasFormulas says whether the engine is needed at all', () => {
    const { wb, sheet, calc, rows } = sheetWithNumbers();
    wb.setCell(sheet, rows[0], calc, '=looks like one but is text');
    expect(wb.hasFormulas()).toBe(false);
    wb.setFormula(sheet, rows[1], calc, '=1+1');
    expect(wb.hasFormulas()).toBe(true);
    wb.setCell(sheet, rows[1], calc, null);
    expect(wb.hasFormulas()).toBe(false);
    wb.setColumnFormula(sheet, calc, '=[Qty]+1');
    expect(wb.hasFormulas()).toBe(true);
  });
});

describe('schema 3', () => {
  it('upgrades a version 2 doc and leaves text that looks like a formula as text', () => {
    const { wb, doc, sheet, calc, rows } = sheetWithNumbers();
    wb.setCell(sheet, rows[0], calc, '=A1+A2');
    doc.getMap('meta').set('schemaVersion', 2);
    migrate(doc);
    expect(SCHEMA_VERSION).toBe(3);
    expect(doc.getMap('meta').get('schemaVersion')).toBe(3);
    expect(wb.getValue(sheet, rows[0], calc)).toBe('=A1+A2');
    expect(wb.getFormula(sheet, rows[0], calc)).toBeNull();
  });

  it('an app of schema 2 refuses to edit a doc of schema 3 (it would read formula cells as empty)', () => {
    const { doc } = sheetWithNumbers();
    let code = '';
    try {
      migrate(doc, 2);
    } catch (e) {
      code = isModelError(e) ? e.code : 'other';
    }
    expect(code).toBe('SCHEMA_TOO_NEW');
  });
});

describe("a hostile peer's formula records", () => {
  it('a malformed formula record reads as the text it is, keeping who and when; nothing else changes and nothing crashes', () => {
    const { wb, sheet, qty, calc, rows } = sheetWithNumbers();
    const good = wb.setFormula(sheet, rows[1], calc, '=B1*2');
    const f = WorkbookFormulas.fromDoc(wb, CLOCK);
    const others = () => rows.map((r) => [wb.getCell(sheet, r, qty), wb.getFormula(sheet, r, calc), f.engine.result(sheet, r, calc)]);
    const seen = others();
    const row = (wb.doc.getMap('sheets').get(sheet) as Y.Map<Y.Map<Y.Map<string>>>).get('cells')!.get(rows[0])!;
    const ref = row.get(qty)!.split('|')[0];
    const at = Date.UTC(2026, 0, 1);
    const junk = [
      '=SUM({',
      '= 1',
      '=B2+1',
      '={a b}',
      `=${'('.repeat(500)}1${')'.repeat(500)}`,
      `=${'1+'.repeat(5000)}1`,
      '=[Qty]',
      '=SUM({x@y:})',
    ];
    for (const text of junk) {
      const hostile = new Y.Doc();
      Y.applyUpdate(hostile, Y.encodeStateAsUpdate(wb.doc));
      const cells = (hostile.getMap('sheets').get(sheet) as Y.Map<Y.Map<Y.Map<string>>>).get('cells')!;
      cells.get(rows[0])!.set(calc, `${ref}|${at.toString(36)}|${text}`);
      Y.applyUpdate(wb.doc, Y.encodeStateAsUpdate(hostile, Y.encodeStateVector(wb.doc)));
      expect(wb.getCell(sheet, rows[0], calc), text.slice(0, 20)).toEqual({ v: text, by: 'Ana', dev: 'Ana-phone', at });
      expect(wb.getFormula(sheet, rows[0], calc)).toBeNull();
      expect(f.engine.result(sheet, rows[0], calc)).toBeUndefined();
      expect(f.engine.result(sheet, rows[1], calc)).toBe(2);
      expect(wb.checkInvariants()).toEqual([]);
    }
    expect(others().slice(1)).toEqual(seen.slice(1));
    expect(wb.getFormula(sheet, rows[1], calc)).toBe(good);
    // a column formula field holding anything but a stored formula is no formula
    for (const bad of [42, '= 1', { formula: '=1' }, '=B2']) {
      const hostile = new Y.Doc();
      Y.applyUpdate(hostile, Y.encodeStateAsUpdate(wb.doc));
      ((hostile.getMap('sheets').get(sheet) as Y.Map<Y.Map<Y.Map<unknown>>>).get('columns')!.get(calc) as Y.Map<unknown>).set('formula', bad);
      Y.applyUpdate(wb.doc, Y.encodeStateAsUpdate(hostile, Y.encodeStateVector(wb.doc)));
      expect(wb.columnFormula(sheet, calc)).toBeNull();
      expect(wb.column(sheet, calc).name).toBe('Calc');
      expect(f.engine.result(sheet, rows[1], calc)).toBe(2);
    }
    f.destroy();
  });

  it('a history entry flagging a non-formula as a formula reads as text; a real one round-trips', () => {
    const base = { kind: 'cell' as const, g: 's.1', ref: 'r', at: 5, sheetId: 'S', rowId: 'R', colId: 'C', id: 'r|5', saw: [], person: null, rowIds: [], resolves: false, label: null, detail: '' };
    const real = { ...base, before: 'plain', after: '={C@R}+1', beforeFormula: false, afterFormula: true };
    expect(decodeEntry(encodeEntry(real))).toEqual(real);
    const forged = JSON.parse(encodeEntry(real));
    forged[9] = 'B2+1';
    forged[10].f = 3;
    expect(decodeEntry(JSON.stringify(forged))).toMatchObject({ before: 'plain', after: 'B2+1', beforeFormula: false, afterFormula: false });
  });

  it('encodeFormula refuses text that is not stored form; an unknown tag still reads as no cell', () => {
    expect(() => encodeFormula('r', 1, '=B2')).toThrow();
    expect(decodeCell('r|1|?x')).toBeNull();
    expect(decodeCell(encodeCell('r', 1, '=B2'))).toEqual({ ref: 'r', at: 1, v: '=B2', before: null });
  });
});

describe('formula writes in history, conflicts, revert and restore', () => {
  it('history records each formula write, old → new, flagged as formulas', () => {
    const { wb, sheet, calc, rows } = sheetWithNumbers();
    wb.setCell(sheet, rows[0], calc, 'note');
    const a = wb.setFormula(sheet, rows[0], calc, '=B2+1');
    const b = wb.setFormula(sheet, rows[0], calc, '=B3+1');
    wb.setCell(sheet, rows[0], calc, 'plain again');
    const steps = wb
      .cellHistory(sheet, rows[0], calc)
      .reverse()
      .map((e) => [e.before, e.beforeFormula, e.after, e.afterFormula, e.by]);
    expect(steps).toEqual([
      [null, false, 'note', false, 'Ana'],
      ['note', false, a, true, 'Ana'],
      [a, true, b, true, 'Ana'],
      [b, true, 'plain again', false, 'Ana'],
    ]);
  });

  it('two people writing formulas to one cell offline is a conflict naming both; resolving keeps the chosen formula as a formula', () => {
    const { wb: ana, sheet, calc, rows } = sheetWithNumbers();
    const luis = peerOf(ana);
    const mine = ana.setFormula(sheet, rows[0], calc, '=B2*2');
    const theirs = luis.setFormula(sheet, rows[0], calc, '=B3*2');
    syncWorkbooks(ana, luis);
    const shown = ana.getFormula(sheet, rows[0], calc);
    expect(luis.getFormula(sheet, rows[0], calc)).toBe(shown);
    const conflict = ana.conflict(sheet, rows[0], calc)!;
    expect(conflict).not.toBeNull();
    const all = [conflict.current, ...conflict.others].map((x) => [x.v, x.formula]).sort();
    expect(all).toEqual([[mine, true], [theirs, true]].sort());
    expect(luis.conflict(sheet, rows[0], calc)!.others.map((o) => o.v)).toEqual(conflict.others.map((o) => o.v));
    const loser = conflict.others[0];
    ana.resolveConflict(sheet, rows[0], calc, loser.v, { formula: loser.formula });
    syncWorkbooks(ana, luis);
    expect(ana.conflict(sheet, rows[0], calc)).toBeNull();
    expect(luis.conflict(sheet, rows[0], calc)).toBeNull();
    expect(luis.getFormula(sheet, rows[0], calc)).toBe(loser.v);
  });

  it('a formula and a text that read the same are still a conflict', () => {
    const { wb: ana, sheet, qty, calc, rows } = sheetWithNumbers();
    const luis = peerOf(ana);
    const stored = ana.setFormula(sheet, rows[0], calc, '=1+1');
    luis.setCell(sheet, rows[0], calc, stored);
    syncWorkbooks(ana, luis);
    expect(ana.conflict(sheet, rows[0], calc)).not.toBeNull();
    expect(ana.getValue(sheet, rows[0], qty)).toBe(1);
  });

  it("reverting a person's edits puts back the formula they replaced, as a formula", () => {
    const made = sheetWithNumbers();
    const { wb: ana, sheet, calc, rows } = made;
    const stored = ana.setFormula(sheet, rows[0], calc, '=SUM(B1:B4)');
    const luis = peerOf(ana);
    luis.setCell(sheet, rows[0], calc, 'vandalised');
    syncWorkbooks(ana, luis);
    expect(ana.getFormula(sheet, rows[0], calc)).toBeNull();
    const result = ana.revertBy('Luis', 0, Number.MAX_SAFE_INTEGER);
    expect(result.reverted).toBe(1);
    expect(ana.getFormula(sheet, rows[0], calc)).toBe(stored);
  });

  it('restoring a snapshot brings back formulas changed since; restoring to a moment also column formulas', () => {
    const { wb, sheet, calc, rows, qty } = sheetWithNumbers();
    const stored = wb.setFormula(sheet, rows[0], calc, '=B2*3');
    const column = wb.addColumn(sheet, { name: 'Double' });
    const columnStored = wb.setColumnFormula(sheet, column, '=[Qty]*2');
    const then = new Workbook(new Y.Doc(), { actor: { name: 'Snap', deviceId: 's' } });
    Y.applyUpdate(then.doc, Y.encodeStateAsUpdate(wb.doc));
    wb.setCell(sheet, rows[0], calc, '12');
    const later = wb.setFormula(sheet, rows[1], calc, '=B1');
    wb.setColumnFormula(sheet, column, null);
    const summary = restoreFromSnapshot(then, wb, { sheetId: sheet });
    expect(summary.cells.map((c) => [c.rowId, c.before, c.after, c.formulaBefore ?? null, c.formulaAfter ?? null])).toEqual([
      [rows[0], null, '12', stored, null],
      [rows[1], null, null, null, later],
    ]);
    expect(wb.getFormula(sheet, rows[0], calc)).toBe(stored);
    expect(wb.getFormula(sheet, rows[1], calc)).toBeNull();
    expect(wb.getValue(sheet, rows[0], qty)).toBe(1);
    expect(wb.columnFormula(sheet, column)).toBeNull();
    restoreTo(then, wb, { at: Date.UTC(2026, 0, 1), sheetId: sheet });
    expect(wb.columnFormula(sheet, column)).toBe(columnStored);
  });
});
