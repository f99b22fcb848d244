import { describe, expect, it } from 'vitest';
import * as Y from 'yjs';
import { asColumnFormula, isFormulaError, LayoutIndex, shiftStored, toDisplay, toStored, type FormulaPlace } from '../../src/model/formula/index.js';
import { Workbook } from '../../src/model/index.js';
import { newWorkbook, syncWorkbooks } from '../support/model.js';

/** Two people on one workbook of 6 rows × 4 columns (A–D), in step. */
function pair() {
  const ana = newWorkbook('Ana');
  const sheet = ana.wb.initialize({ sheetName: 'Roster', columns: 4, rows: 6 });
  const luis = newWorkbook('Luis');
  syncWorkbooks(ana.wb, luis.wb);
  return { ana: ana.wb, luis: luis.wb, sheet };
}

const enter = (wb: Workbook, text: string, place: FormulaPlace) => toStored(text, place, new LayoutIndex(wb));
const show = (wb: Workbook, stored: string, place: FormulaPlace) => toDisplay(stored, place, new LayoutIndex(wb));
const codeOf = (f: () => unknown) => {
  try {
    f();
    return null;
  } catch (e) {
    return isFormulaError(e) ? e.code : String(e);
  }
};

describe('formula references are stored by row and column id', () => {
  it('shows back what was typed while nothing moved', () => {
    const { ana, sheet } = pair();
    const place = { sheetId: sheet, rowId: ana.rowIds(sheet)[0] };
    for (const text of ['=SUM(B2:B5)', '=$B$2*C3', '=B$2+$C3', '=SUM(B:C)', '=IF(A2>1,"yes","no")', '=-B2^2%', '=(B2+B3)/2']) {
      expect(show(ana, enter(ana, text, place), place)).toBe(text);
    }
  });

  it('a concurrent insert inside a range makes it grow on both peers; the references keep their rows', () => {
    const { ana, luis, sheet } = pair();
    const place = { sheetId: sheet, rowId: ana.rowIds(sheet)[5] };
    const stored = enter(ana, '=SUM(B2:B5)+C3', place);
    // Luis, not having seen it, inserts two rows above row 3 (inside the range, above C3)
    luis.insertRows(sheet, 2, 2);
    syncWorkbooks(ana, luis);
    expect(show(ana, stored, place)).toBe('=SUM(B2:B7)+C5');
    expect(show(luis, stored, place)).toBe('=SUM(B2:B7)+C5');
  });

  it('moves, sorts and column moves follow the cells referred to', () => {
    const { ana, luis, sheet } = pair();
    const rows = ana.rowIds(sheet);
    const cols = ana.columns(sheet).map((c) => c.id);
    const place = { sheetId: sheet, rowId: rows[0] };
    const stored = enter(ana, '=B2+$C$6', place);
    luis.reorderRows(sheet, rows.slice().reverse());
    luis.moveColumn(sheet, cols[1], 3); // B goes last: C→B, D→C, B→D
    syncWorkbooks(ana, luis);
    // row 2 is now row 5, row 6 is now row 1; column B is now D, C is B
    expect(show(ana, stored, place)).toBe('=D5+$B$1');
  });

  it('a deleted row or column reads #REF!; restored from the trash the reference is back', () => {
    const { ana, luis, sheet } = pair();
    const rows = ana.rowIds(sheet);
    const cols = ana.columns(sheet).map((c) => c.id);
    const place = { sheetId: sheet, rowId: rows[0] };
    const stored = enter(ana, '=B3+SUM(C2:C4)+D2', place);
    luis.deleteRows(sheet, [rows[2]]);
    luis.deleteColumn(sheet, cols[3]);
    syncWorkbooks(ana, luis);
    expect(show(ana, stored, place)).toBe('=#REF!+SUM(C2:C3)+#REF!');
    ana.restoreRows(sheet, [rows[2]]);
    ana.restoreColumn(sheet, cols[3]);
    syncWorkbooks(ana, luis);
    expect(show(luis, stored, place)).toBe('=B3+SUM(C2:C4)+D2');
  });

  it('a range whose end row is deleted reads #REF!', () => {
    const { ana, sheet } = pair();
    const rows = ana.rowIds(sheet);
    const place = { sheetId: sheet, rowId: rows[0] };
    const stored = enter(ana, '=SUM(B2:B4)', place);
    ana.deleteRows(sheet, [rows[3]]);
    expect(show(ana, stored, place)).toBe('=SUM(#REF!)');
  });

  it('other sheets by name, quoted when they need it, following a rename', () => {
    const { ana, sheet } = pair();
    const other = ana.addSheet('Shift roster');
    ana.addColumn(other, { name: 'Role' });
    ana.addColumn(other, { name: 'Slots' });
    ana.addColumn(other, { name: 'Signed' });
    ana.insertRows(other, 0, 4);
    const place = { sheetId: sheet, rowId: ana.rowIds(sheet)[0] };
    const stored = enter(ana, "='shift ROSTER'!C3+Roster!A1", place);
    expect(show(ana, stored, place)).toBe("='Shift roster'!C3+Roster!A1");
    ana.renameSheet(other, 'Shifts');
    expect(show(ana, stored, place)).toBe('=Shifts!C3+Roster!A1');
    ana.deleteSheet(other);
    expect(show(ana, stored, place)).toBe('=#REF!+Roster!A1');
  });

  it('column formulas name columns, stored by id: a rename shows the new name', () => {
    const { ana, sheet } = pair();
    const cols = ana.columns(sheet);
    ana.updateColumn(sheet, cols[1].id, { name: 'Needed' });
    ana.updateColumn(sheet, cols[2].id, { name: 'Signed up' });
    const place = { sheetId: sheet, rowId: ana.rowIds(sheet)[0] };
    const stored = enter(ana, '=[needed] - [ Signed up ]', place);
    expect(stored).toBe(`={~${cols[1].id}}-{~${cols[2].id}}`);
    ana.updateColumn(sheet, cols[1].id, { name: 'Slots' });
    expect(show(ana, stored, place)).toBe('=[Slots]-[Signed up]');
  });

  it('storage is the same whatever the writer’s decimal mark; display follows the reader’s', () => {
    const { ana, sheet } = pair();
    const place = { sheetId: sheet, rowId: ana.rowIds(sheet)[0] };
    const layout = new LayoutIndex(ana);
    const es = toStored('=ROUND(B2*1,5; 2)', place, layout, { decimal: ',' });
    const en = toStored('=ROUND(B2*1.5, 2)', place, layout);
    expect(es).toBe(en);
    expect(toDisplay(en, place, layout, { decimal: ',' })).toBe('=ROUND(B2*1,5;2)');
  });

  it('refuses references that point at nothing, with typed codes; a range past the end stops at the last row', () => {
    const { ana, sheet } = pair();
    const place = { sheetId: sheet, rowId: ana.rowIds(sheet)[0] };
    expect(codeOf(() => enter(ana, '=B900', place))).toBe('FORMULA_NO_SUCH_CELL');
    expect(codeOf(() => enter(ana, '=Z1', place))).toBe('FORMULA_NO_SUCH_CELL');
    expect(codeOf(() => enter(ana, "='Nowhere'!A1", place))).toBe('FORMULA_UNKNOWN_SHEET');
    expect(codeOf(() => enter(ana, '=[Nope]', place))).toBe('FORMULA_UNKNOWN_COLUMN');
    expect(codeOf(() => enter(ana, '=[A]', { sheetId: sheet, rowId: null }))).toBe('FORMULA_NAME_OUTSIDE_COLUMN');
    expect(show(ana, enter(ana, '=SUM(B2:B100)', place), place)).toBe('=SUM(B2:B6)');
  });

  it('stored text names no position and no language: a doc made elsewhere reads the same', () => {
    const { ana, sheet } = pair();
    const place = { sheetId: sheet, rowId: ana.rowIds(sheet)[0] };
    const stored = enter(ana, '=SUM(B2:B5)', place);
    // exactly the ids of column B and rows 2 and 5 (random ids may contain "B2" themselves)
    const b = ana.columns(sheet)[1].id;
    const rows = ana.rowIds(sheet);
    expect(stored).toBe(`=SUM({${b}@${rows[1]}:${b}@${rows[4]}})`);
    const copy = new Workbook(new Y.Doc(), { actor: { name: 'Eve', deviceId: 'e' } });
    Y.applyUpdate(copy.doc, Y.encodeStateAsUpdate(ana.doc));
    expect(show(copy, stored, place)).toBe('=SUM(B2:B5)');
  });
});

describe('copying formulas and filled-down columns', () => {
  it('a pasted formula shifts its relative parts by the distance in the current order, $ parts stay', () => {
    const { ana, sheet } = pair();
    const rows = ana.rowIds(sheet);
    const cols = ana.columns(sheet).map((c) => c.id);
    const layout = new LayoutIndex(ana);
    const from = { sheetId: sheet, rowId: rows[1], colId: cols[3] };
    const stored = toStored('=A2+$B$1+B$2+SUM(A1:A2)+C:C', from, layout);
    const to = { sheetId: sheet, rowId: rows[3], colId: cols[3] };
    expect(toDisplay(shiftStored(stored, from, to, layout), to, layout)).toBe('=A4+$B$1+B$2+SUM(A3:A4)+C:C');
    const left = { sheetId: sheet, rowId: rows[1], colId: cols[2] };
    expect(toDisplay(shiftStored(stored, from, left, layout), left, layout)).toBe('=#REF!+$B$1+A$2+SUM(#REF!)+B:B');
    // pushed past the last row
    const bottom = { sheetId: sheet, rowId: rows[5], colId: cols[3] };
    expect(toDisplay(shiftStored(toStored('=A3', from, layout), from, bottom, layout), bottom, layout)).toBe('=#REF!');
  });

  it('a formula reading only its own row becomes a column formula; anything else does not', () => {
    const { ana, sheet } = pair();
    const rows = ana.rowIds(sheet);
    const cols = ana.columns(sheet).map((c) => c.id);
    const layout = new LayoutIndex(ana);
    const texts = rows.map((rowId, i) => asColumnFormula(toStored(`=B${i + 1}-C${i + 1}*2`, { sheetId: sheet, rowId }, layout), { sheetId: sheet, rowId }));
    expect(new Set(texts)).toEqual(new Set([`={~${cols[1]}}-{~${cols[2]}}*2`]));
    const place = { sheetId: sheet, rowId: rows[1] };
    expect(asColumnFormula(toStored('=B2+B3', place, layout), place)).toBeNull();
    expect(asColumnFormula(toStored('=B$2', place, layout), place)).toBeNull();
    expect(asColumnFormula(toStored('=SUM(B2:C2)', place, layout), place)).toBeNull();
  });
});
