import { describe, expect, it } from 'vitest';
import { exportReader } from '../../src/io/export-values.js';
import { csvFile } from '../../src/io/csv.js';
import { readXlsx, writeXlsx } from '../../src/io/xlsx.js';
import { newWorkbook } from '../support/model.js';

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

  it('XLSX: the result is in the cell, and reads back', async () => {
    const { wb, sheet, rows, total } = withFormulas();
    const tables = await readXlsx(await writeXlsx(wb));
    const table = tables.find((t) => t.name === wb.sheets()[0].name)!;
    const flat = JSON.stringify(table);
    expect(flat).toContain('#DIV/0!');
    expect(wb.getFormula(sheet, rows[0], total)).not.toBeNull();
    expect(flat).toMatch(/"10"|:10\b|,10\b/);
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
