import { describe, expect, it } from 'vitest';
import * as Y from 'yjs';
import { fillDown, pasteBlock } from '../../src/model/paste.js';
import { newWorkbook } from '../support/model.js';

describe('pasteBlock', () => {
  it('types values per column, reports misfits with row and column, grows the sheet, in one update', () => {
    const { wb, doc } = newWorkbook();
    const s = wb.initialize({ rows: 2, columns: 1 });
    const qty = wb.addColumn(s, { name: 'Qty', type: 'number' });
    let updates = 0;
    doc.on('update', () => updates++);
    const rows = wb.rowIds(s);
    const result = pasteBlock(wb, s, rows, wb.columns(s), 1, 0, [
      ['Soap', '12', 'shelf A'],
      ['Tea', 'twelve', 'shelf B'],
      ['Milk', '1,200', 'fridge'],
    ]);
    expect(updates).toBe(1);
    expect(result).toMatchObject({ addedRows: 2, addedColumns: 1, written: 8 });
    expect(result.misfits).toEqual([{ row: 3, column: 'Qty', text: 'twelve', reason: expect.stringContaining('not a number') }]);
    const after = wb.rowIds(s);
    expect(after).toHaveLength(4);
    expect(wb.getValue(s, after[3], qty)).toBe(1200);
    expect(wb.getValue(s, after[2], qty)).toBe(null);
    const third = wb.columns(s)[2];
    expect(third.name).toBe('Column 3');
    expect(wb.getValue(s, after[3], third.id)).toBe('fridge');
  });

  it('an empty block changes nothing', () => {
    const { wb, doc } = newWorkbook();
    const s = wb.initialize({ rows: 1, columns: 1 });
    const sv = Y.encodeStateVector(doc);
    expect(pasteBlock(wb, s, wb.rowIds(s), wb.columns(s), 0, 0, [])).toMatchObject({ written: 0 });
    expect(Y.encodeStateVector(doc)).toEqual(sv);
  });
});

describe('fillDown', () => {
  it('copies the top row of the block down, or the row above into a single row', () => {
    const { wb } = newWorkbook();
    const s = wb.initialize({ rows: 4, columns: 2 });
    const rows = wb.rowIds(s);
    const cols = wb.columns(s);
    wb.setCells(s, [
      { rowId: rows[0], colId: cols[0].id, value: 'top' },
      { rowId: rows[0], colId: cols[1].id, value: 'right' },
    ]);
    expect(fillDown(wb, s, rows, cols.slice(0, 1), 0, 2)).toBe(2);
    expect(rows.map((r) => wb.getValue(s, r, cols[0].id))).toEqual(['top', 'top', 'top', null]);
    expect(wb.getValue(s, rows[1], cols[1].id)).toBe(null);
    fillDown(wb, s, rows, cols, 3, 3);
    expect(wb.getValue(s, rows[3], cols[0].id)).toBe('top');
    expect(fillDown(wb, s, rows, cols, 0, 0)).toBe(0);
  });
});
