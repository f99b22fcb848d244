import { describe, expect, it } from 'vitest';
import { WorkbookFormulas } from '../../src/model/formula/index.js';
import { newWorkbook } from '../support/model.js';

const CLOCK = { now: () => Date.UTC(2026, 11, 2, 12), timeZone: 'UTC' };

/**
 * Found by the formula-doc convergence fuzz (FUZZ_SEED=4109): a cell formula under a column
 * formula is not in force, and the column formula has no node for a row in the trash. With the
 * column formula removed while the row was in the trash, the row's cell formula never came back
 * into the engine, so once the row was restored the cell showed no result on that device while a
 * fresh start (and every peer that saw the edits in another order) computed it.
 */
describe('a cell formula under a column formula, its row in the trash when the column formula goes', () => {
  it('computes again once the row is restored, as a fresh start does', () => {
    const { wb } = newWorkbook();
    const sheet = wb.initialize({ columns: 0, rows: 4 });
    const qty = wb.addColumn(sheet, { name: 'Qty', type: 'number' });
    const note = wb.addColumn(sheet, { name: 'Note' });
    const rows = wb.rowIds(sheet);
    wb.setCell(sheet, rows[0], qty, 4);
    wb.setCell(sheet, rows[1], qty, 7);
    const f = WorkbookFormulas.fromDoc(wb, CLOCK);
    const stored = wb.setFormula(sheet, rows[1], note, '=A1+A2');
    expect(f.engine.result(sheet, rows[1], note)).toBe(11);
    wb.setColumnFormula(sheet, note, '=[Qty]*3');
    expect(f.engine.result(sheet, rows[1], note)).toBe(21);
    wb.deleteRows(sheet, [rows[1]]);
    wb.setColumnFormula(sheet, note, null);
    wb.restoreRows(sheet, [rows[1]]);
    expect(wb.getFormula(sheet, rows[1], note)).toBe(stored);
    const fresh = WorkbookFormulas.fromDoc(wb, CLOCK);
    expect(fresh.engine.result(sheet, rows[1], note)).toBe(11);
    expect(f.engine.formula(sheet, rows[1], note)).toBe(stored);
    expect(f.engine.result(sheet, rows[1], note)).toBe(11);
    f.destroy();
    fresh.destroy();
  });
});
