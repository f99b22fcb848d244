import * as X from '@e965/xlsx';
import { describe, expect, it } from 'vitest';
import { exportReader } from '../../src/io/export-values.js';
import { csvFile } from '../../src/io/csv.js';
import { readXlsx, writeXlsx } from '../../src/io/xlsx.js';
import { newWorkbook } from '../support/model.js';
import { commitImports } from '../../src/model/formula/import-commit.js';
import { inferColumns } from '../../src/model/import.js';

function withFormulas() {
  const { wb } = newWorkbook('Ana');
  const sheet = wb.initialize({ rows: 3, columns: 0 });
  const qty = wb.addColumn(sheet, { name: 'Qty', type: 'number' });
  const total = wb.addColumn(sheet, { name: 'Total', type: 'text' });
  const rows = wb.rowIds(sheet);
  wb.setCell(sheet, rows[0], qty, 4);
  wb.setCell(sheet, rows[1], qty, 6);
  wb.setFormula(sheet, rows[0], total, '=SUM(A1:A2)');
  wb.setFormula(sheet, rows[1], total, '=A1/0');
  return { wb, sheet, rows, qty, total };
}

describe('exports write formula results', () => {
  it('CSV: a formula cell is its result, an error its text; plain cells as they are', async () => {
    const { wb, sheet } = withFormulas();
    const values = await exportReader(wb);
    const text = csvFile(wb.columns(sheet), wb.rowIds(sheet), (r, c) => values.get(sheet, r, c));
    values.done();
    expect(text.replace(/^\ufeff/, '').split('\r\n').slice(0, 3)).toEqual(['Qty,Total', '4,10', '6,#DIV/0!']);
  });

  it('XLSX: a formula cell holds its formula in the file\'s A1 (header on row 1) and its result as the cached value', async () => {
    const { wb } = withFormulas();
    const book = X.read(await writeXlsx(wb), { type: 'array', dense: true });
    const ws = book.Sheets[book.SheetNames[0]];
    const cell = (a1: string) => {
      const { r, c } = X.utils.decode_cell(a1);
      return ws['!data']![r]![c]!;
    };
    expect(cell('B2')).toMatchObject({ f: 'SUM(A2:A3)', t: 'n', v: 10 });
    expect(cell('B3')).toMatchObject({ f: 'A2/0', t: 'e', w: '#DIV/0!' });
    expect(cell('A2')).toMatchObject({ t: 'n', v: 4 });
    expect(cell('A2').f).toBeUndefined();
  });

  it('XLSX round trip: export then import keeps cell formulas, a column formula and a reference to another sheet, with the same results', async () => {
    const { wb } = newWorkbook('Ana');
    const stock = wb.initialize({ rows: 3, columns: 0 });
    wb.renameSheet(stock, 'Stock');
    const depots = wb.addSheet('Depots list');
    const depot = wb.addColumn(depots, { name: 'Depot', type: 'text' });
    wb.insertRows(depots, 0, 2).forEach((row, i) => wb.setCell(depots, row, depot, ['North', 'South'][i]));
    const qty = wb.addColumn(stock, { name: 'Qty', type: 'number' });
    const price = wb.addColumn(stock, { name: 'Price', type: 'number' });
    const total = wb.addColumn(stock, { name: 'Total', type: 'number' });
    const where = wb.addColumn(stock, { name: 'Where', type: 'text' });
    const rows = wb.rowIds(stock);
    [[4, 2.5], [6, 1.5], [1, 10]].forEach(([q, p], i) => wb.setCells(stock, [{ rowId: rows[i], colId: qty, value: q }, { rowId: rows[i], colId: price, value: p }]));
    wb.setColumnFormula(stock, total, '=[Qty]*[Price]');
    wb.setFormula(stock, rows[0], where, "='Depots list'!A2");
    wb.setFormula(stock, rows[2], where, '=SUM(B1:B3)&" kg"');
    const tables = await readXlsx(await writeXlsx(wb));
    const { wb: back } = newWorkbook('Luis');
    commitImports(back, tables.map((table) => ({ table, plans: inferColumns(table), target: { kind: 'new' as const, name: table.name } })));
    const s = back.sheets().find((x) => x.name === 'Stock')!.id;
    const col = (name: string) => back.columns(s).find((c) => c.name === name)!;
    const backRows = back.rowIds(s);
    expect(back.formulaForDisplay(col('Total').formula!, { sheetId: s, rowId: null })).toBe('=[Qty]*[Price]');
    expect(back.formulaForDisplay(back.getFormula(s, backRows[0], col('Where').id)!, { sheetId: s, rowId: backRows[0] })).toBe("='Depots list'!A2");
    expect(back.formulaForDisplay(back.getFormula(s, backRows[2], col('Where').id)!, { sheetId: s, rowId: backRows[2] })).toBe('=SUM(B1:B3)&" kg"');
    expect(back.getValue(s, backRows[1], col('Qty').id)).toBe(6);
    const before = await exportReader(wb);
    const after = await exportReader(back);
    for (let r = 0; r < 3; r++) {
      for (const [from, to] of [[total, col('Total').id], [where, col('Where').id]]) expect(after.get(s, backRows[r], to)).toEqual(before.get(stock, rows[r], from));
    }
    expect(after.get(s, backRows[0], col('Where').id)).toBe('South');
    expect(after.get(s, backRows[2], col('Where').id)).toBe('14 kg');
    before.done();
    after.done();
  });

  it('XLSX: a function this app does not compute, or a row the export leaves out, goes out as the result only', async () => {
    const { wb } = newWorkbook('Ana');
    const sheet = wb.initialize({ rows: 3, columns: 0 });
    const qty = wb.addColumn(sheet, { name: 'Qty', type: 'number' });
    const out = wb.addColumn(sheet, { name: 'Out', type: 'text' });
    const rows = wb.rowIds(sheet);
    rows.forEach((row, i) => wb.setCell(sheet, row, qty, i + 1));
    wb.setFormula(sheet, rows[0], out, '=WEBSERVICE("http://example.org/?"&A2)');
    wb.setFormula(sheet, rows[1], out, '=A3*2');
    wb.setFormula(sheet, rows[2], out, '=A1*2');
    // the view holds rows 2 and 3: the formula of row 2 points at row 3 (in the file), the one of row 3 at row 1 (not in it)
    const first = async (choice?: { sheetId: string; rows: string[] }[]) => {
      const book = X.read(await writeXlsx(wb, choice), { type: 'array', dense: true });
      return book.Sheets[book.SheetNames[0]]['!data']!;
    };
    const whole = await first();
    const view = await first([{ sheetId: sheet, rows: rows.slice(1) }]);
    expect(whole[1][1]).toMatchObject({ t: 'e', w: '#NAME?' });
    expect(whole[1][1].f).toBeUndefined();
    expect(view[1][1]).toMatchObject({ f: 'A3*2', v: 6 });
    expect(view[2][1]).toMatchObject({ v: 2 });
    expect(view[2][1].f).toBeUndefined();
  });

  it('a workbook without formulas never loads the engine and reads values as stored', async () => {
    const { wb } = newWorkbook('Ana');
    const sheet = wb.initialize({ rows: 1, columns: 1 });
    const [row] = wb.rowIds(sheet);
    const col = wb.columns(sheet)[0].id;
    wb.setCell(sheet, row, col, '=not a formula, only text');
    expect(wb.hasFormulas()).toBe(false);
    const values = await exportReader(wb);
    expect(values.get(sheet, row, col)).toBe('=not a formula, only text');
  });
});
