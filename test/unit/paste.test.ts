import { describe, expect, it } from 'vitest';
import * as Y from 'yjs';
import { fillDown, pasteBlock } from '../../src/model/paste.js';
import { fitsColumn } from '../../src/model/values.js';
import { newWorkbook } from '../support/model.js';

describe('pasteBlock', () => {
  it('types values per column, keeps and reports misfits with row and column, grows the sheet, in one update', () => {
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
    expect(result).toMatchObject({ addedRows: 2, addedColumns: 1, written: 9 });
    expect(result.misfits).toEqual([
      { row: 3, column: 'Qty', text: 'twelve', reason: expect.stringContaining('not a number'), code: 'NOT_A_NUMBER', detail: expect.objectContaining({ input: 'twelve' }), kept: true },
    ]);
    const after = wb.rowIds(s);
    expect(after).toHaveLength(4);
    expect(wb.getValue(s, after[3], qty)).toBe(1200);
    // The misfit is in its cell as it was pasted, flagged (it does not fit the column), as an import keeps it.
    expect(wb.getValue(s, after[2], qty)).toBe('twelve');
    expect(fitsColumn(wb.column(s, qty), wb.getValue(s, after[2], qty))).toBe(false);
    // A column the paste adds is named by its letter, as a blank sheet's are (the UI passes its own words).
    const third = wb.columns(s)[2];
    expect(third.name).toBe('C');
    expect(wb.getValue(s, after[3], third.id)).toBe('fridge');
  });

  it('after a paste with misfits every pasted value is in the sheet; only counts and claims, which hold no text, are left out', () => {
    const { wb } = newWorkbook();
    const s = wb.initialize({ rows: 3, columns: 0 });
    const when = wb.addColumn(s, { name: 'When', type: 'date' });
    const status = wb.addColumn(s, {
      name: 'Status',
      type: 'select',
      options: [
        { id: 'o1', label: 'Delivery needed', color: '#bc4c00' },
        { id: 'o2', label: 'Delivered', color: '#1a7f37' },
      ],
    });
    const done = wb.addColumn(s, { name: 'Done', type: 'checkbox' });
    const stock = wb.addColumn(s, { name: 'Stock', type: 'counter' });
    const driver = wb.addColumn(s, { name: 'Driver', type: 'claim' });
    const block = [
      ['3/14/2025', 'deliv', 'yes', 'lots', 'Ana'],
      ['2/30/2025', 'delivered', 'maybe', '4', ''],
      ['soon', 'lost', 'no', '2', ''],
    ];
    const result = pasteBlock(wb, s, wb.rowIds(s), wb.columns(s), 0, 0, block, { locale: 'en' });
    const rows = wb.rowIds(s);
    const cols = [when, status, done];
    const shown = rows.map((r) => cols.map((c) => wb.getValue(s, r, c)));
    expect(shown).toEqual([
      ['2025-03-14', 'deliv', true],
      ['2/30/2025', 'o2', 'maybe'],
      ['soon', 'lost', false],
    ]);
    expect(result.misfits.map((m) => [m.row, m.column, m.text, m.code, m.kept])).toEqual([
      [1, 'Status', 'deliv', 'NOT_AN_OPTION', true],
      [1, 'Stock', 'lots', 'NOT_A_NUMBER', false],
      [1, 'Driver', 'Ana', 'NOT_A_CLAIM', false],
      [2, 'When', '2/30/2025', 'NOT_A_DATE', true],
      [2, 'Done', 'maybe', 'NOT_A_CHECKBOX', true],
      [3, 'When', 'soon', 'NOT_A_DATE', true],
      [3, 'Status', 'lost', 'NOT_AN_OPTION', true],
    ]);
    // Every kept misfit is flagged: it does not fit its column.
    for (const m of result.misfits.filter((x) => x.kept)) {
      const col = wb.columns(s).find((c) => c.name === m.column)!;
      expect(fitsColumn(col, wb.getValue(s, rows[m.row - 1], col.id)), m.text).toBe(false);
    }
    expect(rows.map((r) => wb.getValue(s, r, stock))).toEqual([null, 4, 2]);
    expect(wb.getValue(s, rows[0], driver)).toBe(null);
    expect(wb.checkInvariants()).toEqual([]);
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
