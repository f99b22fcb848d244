import { describe, expect, it } from 'vitest';
import { isFormulaError, LayoutIndex, toDisplay } from '../../src/model/formula/index.js';
import { shiftTyped } from '../../src/model/formula/shift.js';
import { fillDown } from '../../src/model/paste.js';
import { newWorkbook } from '../support/model.js';

/** A sheet "Roster" of 6 rows × 4 columns (A–D) and a second sheet "Stock" of 3 × 2. */
function book() {
  const { wb } = newWorkbook('Ana');
  const sheet = wb.initialize({ sheetName: 'Roster', columns: 4, rows: 6 });
  const stock = wb.addSheet('Stock');
  wb.addColumn(stock, { name: 'Item' });
  wb.addColumn(stock, { name: 'Qty' });
  wb.insertRows(stock, 0, 3);
  return { wb, sheet, stock, rows: wb.rowIds(sheet), cols: wb.columns(sheet).map((c) => c.id) };
}

const codeOf = (f: () => unknown) => {
  try {
    f();
    return null;
  } catch (e) {
    return isFormulaError(e) ? e.code : String(e);
  }
};

describe('shiftTyped: a copied formula (A1 at its source) pasted some rows and columns away', () => {
  it('moves relative parts by the distance, keeps $ parts, and shifts ranges and whole columns', () => {
    const { wb, sheet, rows } = book();
    const place = { sheetId: sheet, rowId: rows[3] };
    const layout = new LayoutIndex(wb);
    const stored = shiftTyped('=B1*2+$B$1+B$1+$A1+SUM(A1:B2)+C:C', 3, 0, place, layout);
    expect(toDisplay(stored, place, layout)).toBe('=B4*2+$B$1+B$1+$A4+SUM(A4:B5)+C:C');
    const right = shiftTyped('=B1*2+$B$1+B$1+$A1+SUM(A1:B2)+C:C', 3, 1, place, layout);
    expect(toDisplay(right, place, layout)).toBe('=C4*2+$B$1+C$1+$A4+SUM(B4:C5)+D:D');
  });

  it('a reference pushed above row 1, left of column A or past the last row or column becomes #REF!, the rest of the formula stays', () => {
    const { wb, sheet, rows } = book();
    const layout = new LayoutIndex(wb);
    const place = { sheetId: sheet, rowId: rows[0] };
    expect(toDisplay(shiftTyped('=B2+A1', -1, 0, place, layout), place, layout)).toBe('=B1+#REF!');
    expect(toDisplay(shiftTyped('=B2+A1', 0, -1, place, layout), place, layout)).toBe('=A2+#REF!');
    expect(toDisplay(shiftTyped('=SUM(B5:B6)', 1, 0, place, layout), place, layout)).toBe('=SUM(#REF!)');
    expect(toDisplay(shiftTyped('=D1', 0, 1, place, layout), place, layout)).toBe('=#REF!');
    // $ parts do not move, so they never fall off; the relative row of $B2 does
    expect(toDisplay(shiftTyped('=$A$1+$B2+$B3', -2, -5, place, layout), place, layout)).toBe('=$A$1+#REF!+$B1');
  });

  it('sheet names are looked up where it is pasted: one this workbook lacks is #REF!; a cut keeps reading the sheet it came from', () => {
    const { wb, sheet, stock, rows } = book();
    const layout = new LayoutIndex(wb);
    const place = { sheetId: sheet, rowId: rows[0] };
    expect(toDisplay(shiftTyped('=Stock!B1+Gone!A1', 1, 0, place, layout), place, layout)).toBe('=Stock!B2+#REF!');
    // a cut from Roster pasted into Stock: B1 still means Roster's, named as such
    const there = { sheetId: stock, rowId: wb.rowIds(stock)[0] };
    expect(toDisplay(shiftTyped('=B1', 0, 0, there, layout, { ownSheetId: sheet }), there, layout)).toBe('=Roster!B1');
    // a copy pasted into Stock reads Stock's cells, as Sheets does
    expect(toDisplay(shiftTyped('=B1', 0, 0, there, layout), there, layout)).toBe('=B1');
  });

  it('[Name] finds the column of that name where it is pasted, or is #REF!', () => {
    const { wb, sheet, rows, cols } = book();
    wb.updateColumn(sheet, cols[1], { name: 'Needed' });
    const layout = new LayoutIndex(wb);
    const place = { sheetId: sheet, rowId: rows[2] };
    const stored = shiftTyped('=[Needed]-[Missing]', 5, 5, place, layout);
    expect(stored).toBe(`={~${cols[1]}}-#REF!`);
  });

  it('refuses text that is not a formula, and a stored form past the length limit', () => {
    const { wb, sheet, rows } = book();
    const layout = new LayoutIndex(wb);
    const place = { sheetId: sheet, rowId: rows[0] };
    expect(codeOf(() => shiftTyped('=SUM(B1', 0, 0, place, layout))).toBe('FORMULA_SYNTAX');
    expect(codeOf(() => shiftTyped('B1', 0, 0, place, layout))).toBe('FORMULA_SYNTAX');
    // stored text cannot come from a clipboard: an id reference is nothing a person types
    expect(codeOf(() => shiftTyped(`={${rows[0]}}`, 0, 0, place, layout))).toBe('FORMULA_SYNTAX');
    // 2,000 × "B1+" is under 8,192 characters as typed and far over it with ids
    const long = `=${Array.from({ length: 2000 }, () => 'B1').join('+')}`;
    expect(long.length).toBeLessThan(8192);
    expect(codeOf(() => shiftTyped(long, 0, 0, place, layout))).toBe('FORMULA_TOO_LARGE');
  });
});

describe('fill down (Ctrl+D) shifts formulas as Sheets does', () => {
  it('=B1*2+$B$1 in C1 filled down to C4 reads =B2*2+$B$1 … =B4*2+$B$1; values in the same rows fill as values', () => {
    const { wb, sheet, rows, cols } = book();
    wb.setFormula(sheet, rows[0], cols[2], '=B1*2+$B$1');
    wb.setCell(sheet, rows[0], cols[3], 'note');
    const columns = wb.columns(sheet).slice(2, 4);
    fillDown(wb, sheet, rows, columns, 0, 3);
    const shown = (r: number) => wb.formulaForDisplay(wb.getFormula(sheet, rows[r], cols[2])!, { sheetId: sheet, rowId: rows[r] });
    expect([1, 2, 3].map(shown)).toEqual(['=B2*2+$B$1', '=B3*2+$B$1', '=B4*2+$B$1']);
    expect(wb.getValue(sheet, rows[3], cols[3])).toBe('note');
  });

  it('in a sorted view the distance is the sheet order, not the view order', () => {
    const { wb, sheet, rows, cols } = book();
    wb.setFormula(sheet, rows[4], cols[2], '=B5');
    // the view shows row 5 first and row 2 below it: filling down writes into row 2
    const view = [rows[4], rows[1]];
    fillDown(wb, sheet, view, wb.columns(sheet).slice(2, 3), 0, 1);
    expect(wb.formulaForDisplay(wb.getFormula(sheet, rows[1], cols[2])!, { sheetId: sheet, rowId: rows[1] })).toBe('=B2');
  });
});
