import * as X from '@e965/xlsx';
import { describe, expect, it } from 'vitest';
import { readImportFile } from '../../src/io/import-file.js';
import { inferColumns, type ImportTable } from '../../src/model/import.js';
import { withHeaderRow } from '../../src/model/import-header.js';
import { commitImports, type ImportItem } from '../../src/model/formula/import-commit.js';
import { planImportFormulas } from '../../src/model/formula/import-formulas.js';
import { WorkbookFormulas } from '../../src/model/formula/workbook-input.js';
import { isError } from '../../src/model/formula/values.js';
import type { Workbook } from '../../src/model/workbook.js';
import { newWorkbook } from '../support/model.js';

type Cell = string | number | boolean | null | { f: string; v?: string | number | boolean };
const CLOCK = { now: () => Date.UTC(2026, 11, 2, 12), timeZone: 'UTC' };

/** A real file, written by SheetJS as Excel (or LibreOffice, for ods) would: formulas with their cached values. */
function fileOf(sheets: Record<string, Cell[][]>, bookType: 'xlsx' | 'ods' = 'xlsx'): Uint8Array {
  const book = X.utils.book_new();
  for (const [name, rows] of Object.entries(sheets)) {
    const ws = X.utils.aoa_to_sheet(rows.map((row) => row.map((c) => (c !== null && typeof c === 'object' ? (c.v ?? '') : c))));
    rows.forEach((row, r) =>
      row.forEach((c, col) => {
        if (c === null || typeof c !== 'object') return;
        const v = c.v ?? '';
        ws[X.utils.encode_cell({ r, c: col })] = { t: typeof v === 'number' ? 'n' : typeof v === 'boolean' ? 'b' : 's', v, f: c.f.slice(1) };
      }),
    );
    X.utils.book_append_sheet(book, ws, name);
  }
  return new Uint8Array(X.write(book, { type: 'array', bookType }) as ArrayBuffer);
}

function importAll(wb: Workbook, tables: ImportTable[]) {
  const items: ImportItem[] = tables.map((table) => ({ table, plans: inferColumns(table), target: { kind: 'new', name: table.name } }));
  return commitImports(wb, items);
}

/** The workbook as a person reads it: each cell's formula in A1 (or null) and its result, by sheet name, row number and column name. */
function reader(wb: Workbook) {
  const formulas = WorkbookFormulas.fromDoc(wb, CLOCK);
  const at = (sheet: string, row: number, column: string) => {
    const s = wb.sheets().find((x) => x.name === sheet)!;
    const rowId = wb.rowIds(s.id)[row - 1];
    const col = wb.columns(s.id).find((c) => c.name === column)!;
    return { sheetId: s.id, rowId, colId: col.id, col };
  };
  return {
    formula(sheet: string, row: number, column: string): string | null {
      const { sheetId, rowId, colId } = at(sheet, row, column);
      const stored = wb.getFormula(sheetId, rowId, colId);
      return stored === null ? null : wb.formulaForDisplay(stored, { sheetId, rowId });
    },
    columnFormula(sheet: string, column: string): string | null {
      const { sheetId, col } = at(sheet, 1, column);
      return col.formula ? wb.formulaForDisplay(col.formula, { sheetId, rowId: null }) : null;
    },
    result(sheet: string, row: number, column: string) {
      const { sheetId, rowId, colId } = at(sheet, row, column);
      const r = formulas.engine.result(sheetId, rowId, colId);
      return r === undefined ? { value: wb.getValue(sheetId, rowId, colId) } : { computed: isError(r) ? r.error : r };
    },
    done: () => formulas.destroy(),
  };
}

describe('import keeps formulas', () => {
  it('converts the file A1 (header on row 1) to this workbook\'s rows, across sheets; the preview holds the cached values', async () => {
    const bytes = fileOf({
      Stock: [
        ['Item', 'Qty', 'Price', 'Total', 'Where'],
        ['Rice', 4, 2.5, { f: '=B2*C2', v: 10 }, { f: "='Depots list'!A2", v: 'North' }],
        ['Beans', 6, 1.5, { f: '=B3*C3', v: 9 }, { f: "='Depots list'!A3", v: 'South' }],
        ['Sum', { f: '=SUM(B2:B3)', v: 10 }, { f: '=SUM(B:B)', v: 20 }, { f: '=SUM(D2:D3)', v: 19 }, null],
      ],
      'Depots list': [['Depot'], ['North'], ['South']],
    });
    const tables = await readImportFile(bytes, 'stock.xlsx');
    expect(tables[0].rows[0]).toEqual(['Rice', 4, 2.5, 10, 'North']);
    const { wb } = newWorkbook('Ana');
    const [stock] = importAll(wb, tables);
    expect(stock.formulas).toBe(7);
    expect(stock.dropped).toEqual([]);
    const r = reader(wb);
    // the file's row 2 is this workbook's row 1: the header became column names
    expect(r.formula('Stock', 1, 'Total')).toBe('=B1*C1');
    expect(r.formula('Stock', 3, 'Qty')).toBe('=SUM(B1:B2)');
    expect(r.formula('Stock', 3, 'Price')).toBe('=SUM(B:B)');
    expect(r.formula('Stock', 3, 'Total')).toBe('=SUM(D1:D2)');
    expect(r.formula('Stock', 2, 'Where')).toBe("='Depots list'!A2");
    expect(r.result('Stock', 1, 'Total')).toEqual({ computed: 10 });
    expect(r.result('Stock', 3, 'Qty')).toEqual({ computed: 10 });
    expect(r.result('Stock', 2, 'Where')).toEqual({ computed: 'South' });
    expect(r.result('Stock', 3, 'Total')).toEqual({ computed: 19 });
    expect(r.result('Stock', 3, 'Price')).toEqual({ computed: 20 });
    // no result is written into the doc: a formula cell holds no value of its own
    const s = wb.sheets()[0].id;
    expect(wb.getValue(s, wb.rowIds(s)[0], wb.columns(s)[3].id)).toBeNull();
    r.done();
  });

  it('reads ODS formulas (of:=[.B2]*2) the same way', async () => {
    const bytes = fileOf({ Counts: [['Qty', 'Twice'], [3, { f: '=A2*2', v: 6 }], [5, { f: '=A3*2', v: 10 }], [7, { f: '=SUM(A2:A3)', v: 8 }]] }, 'ods');
    const tables = await readImportFile(bytes, 'counts.ods');
    const { wb } = newWorkbook('Ana');
    importAll(wb, tables);
    const r = reader(wb);
    expect(r.formula('Counts', 1, 'Twice')).toBe('=A1*2');
    expect(r.formula('Counts', 3, 'Twice')).toBe('=SUM(A1:A2)');
    expect(r.result('Counts', 2, 'Twice')).toEqual({ computed: 10 });
    r.done();
  });

  it('an unknown function stays a formula with its text, reading #NAME?; _xlfn. prefixes are dropped', async () => {
    const bytes = fileOf({
      Sheet1: [
        ['Qty', 'Odd', 'Joined', 'Log'],
        [3, { f: '=ISODD(A2)', v: true }, { f: '=_xlfn.CONCAT("n",A2)', v: 'n3' }, { f: '=LOG10(A2)', v: 0.477 }],
      ],
    });
    const { wb } = newWorkbook('Ana');
    const [res] = importAll(wb, await readImportFile(bytes, 'x.xlsx'));
    expect(res.dropped).toEqual([]);
    const r = reader(wb);
    expect(r.formula('Sheet1', 1, 'Odd')).toBe('=ISODD(A1)');
    expect(r.result('Sheet1', 1, 'Odd')).toEqual({ computed: '#NAME?' });
    expect(r.formula('Sheet1', 1, 'Joined')).toBe('=CONCAT("n",A1)');
    // a name that looks like a cell until its parenthesis (LOG10, ATAN2) is a call, in storage too
    expect(r.formula('Sheet1', 1, 'Log')).toBe('=LOG10(A1)');
    expect(r.result('Sheet1', 1, 'Log')).toEqual({ computed: '#NAME?' });
    expect(r.result('Sheet1', 1, 'Joined')).toEqual({ computed: 'n3' });
    r.done();
  });

  it('a column filled down with one relative formula becomes a column formula; a column with one row different stays cell formulas', async () => {
    const bytes = fileOf({
      Shifts: [
        ['Needed', 'Signed up', 'Gap', 'Note'],
        [5, 2, { f: '=A2-B2', v: 3 }, { f: '=A2*2', v: 10 }],
        [4, 4, { f: '=A3-B3', v: 0 }, { f: '=A3*2', v: 8 }],
        [6, 1, { f: '=A4-B4', v: 5 }, { f: '=A4*3', v: 18 }],
      ],
    });
    const { wb } = newWorkbook('Ana');
    const [res] = importAll(wb, await readImportFile(bytes, 'shifts.xlsx'));
    expect(res.columnFormulas).toBe(1);
    expect(res.formulas).toBe(3);
    const r = reader(wb);
    expect(r.columnFormula('Shifts', 'Gap')).toBe('=[Needed]-[Signed up]');
    expect(r.formula('Shifts', 1, 'Gap')).toBeNull();
    expect(r.result('Shifts', 3, 'Gap')).toEqual({ computed: 5 });
    expect(r.columnFormula('Shifts', 'Note')).toBeNull();
    expect(r.formula('Shifts', 3, 'Note')).toBe('=A3*3');
    // rows added later compute too: that is what a column formula is for
    const s = wb.sheets()[0].id;
    const [added] = wb.insertRows(s, 3, 1);
    wb.setCell(s, added, wb.columns(s)[0].id, 9);
    r.done();
    const again = reader(wb);
    expect(again.result('Shifts', 4, 'Gap')).toEqual({ computed: 9 });
    again.done();
  });

  it('a formula that cannot be kept brings in its cached value, with why, and the rest of the import goes on', async () => {
    const bytes = fileOf({
      Sheet1: [
        ['Qty', 'A', 'B', 'C', 'D'],
        [2, { f: '=SUM(1:1)', v: 2 }, { f: '=A1&"!"', v: 'Qty!' }, { f: '=[1]Other!A1', v: 7 }, { f: '=A2+1', v: 3 }],
        [4, { f: "='No such'!A1", v: 'x' }, { f: '=A9', v: 0 }, { f: '=A2*', v: 1 }, { f: '=A3+1', v: 5 }],
      ],
    });
    const { wb } = newWorkbook('Ana');
    const [res] = importAll(wb, await readImportFile(bytes, 'broken.xlsx'));
    expect(res.dropped.map((d) => [d.text, d.reason])).toEqual([
      ['=SUM(1:1)', 'syntax'],
      ['=A1&"!"', 'header'],
      ['=[1]Other!A1', 'syntax'],
      ["='No such'!A1", 'sheet'],
      ['=A9', 'outside'],
      ['=A2*', 'syntax'],
    ]);
    const r = reader(wb);
    // the column holds text and a number, so it is a text column, as any import makes it
    expect(r.result('Sheet1', 1, 'A')).toEqual({ value: '2' });
    expect(r.result('Sheet1', 1, 'B')).toEqual({ value: 'Qty!' });
    expect(r.result('Sheet1', 2, 'A')).toEqual({ value: 'x' });
    expect(r.columnFormula('Sheet1', 'D')).toBe('=[Qty]+1');
    expect(r.result('Sheet1', 2, 'D')).toEqual({ computed: 5 });
    r.done();
  });

  it('follows the header row the preview picks, and leaves out formulas on columns left out', async () => {
    const bytes = fileOf({
      Sheet1: [
        ['Relief stock, March', null],
        ['Qty', 'Twice'],
        [3, { f: '=A3*2', v: 6 }],
        [5, { f: '=A3+A4', v: 8 }],
      ],
    });
    const [read] = await readImportFile(bytes, 'titled.xlsx');
    const table = withHeaderRow(read, 1);
    const plans = inferColumns(table);
    const [plan] = planImportFormulas([{ table, plans }]);
    expect(plan.cells.map((c) => [c.row, c.text])).toEqual([
      [0, '=A3*2'],
      [1, '=A3+A4'],
    ]);
    const without = planImportFormulas([{ table, plans: plans.map((p) => (p.source === 0 ? { ...p, include: false } : p)) }])[0];
    expect(without.dropped.map((d) => d.reason)).toEqual(['excluded', 'excluded']);
  });

  it('rows added under an existing sheet get cell formulas, never a column formula over its other rows', async () => {
    const bytes = fileOf({ More: [['Qty', 'Twice'], [3, { f: '=A2*2', v: 6 }], [5, { f: '=A3*2', v: 10 }], [1, { f: '=SUM(A:A)', v: 9 }]] });
    const { wb } = newWorkbook('Ana');
    const sheet = wb.initialize({ rows: 1, columns: 0 });
    const qty = wb.addColumn(sheet, { name: 'Qty', type: 'number' });
    wb.addColumn(sheet, { name: 'Twice', type: 'number' });
    wb.setCell(sheet, wb.rowIds(sheet)[0], qty, 100);
    const [table] = await readImportFile(bytes, 'more.xlsx');
    const [res] = commitImports(wb, [{ table, plans: inferColumns(table), target: { kind: 'append', sheetId: sheet } }]);
    expect(res.columnFormulas).toBe(0);
    expect(res.dropped.map((d) => d.reason)).toEqual(['append-range']);
    const name = wb.sheets()[0].name;
    const r = reader(wb);
    expect(r.formula(name, 2, 'Twice')).toBe('=A2*2');
    expect(r.result(name, 3, 'Twice')).toEqual({ computed: 10 });
    expect(r.result(name, 4, 'Twice')).toEqual({ value: 9 });
    r.done();
  });

  it('nesting past the limit, an array formula over several cells and a formula in a counter column come in as values; the import goes on', async () => {
    const deep = `=${'('.repeat(80)}A2${')'.repeat(80)}+1`;
    const bytes = fileOf({
      Sheet1: [
        ['Qty', 'Deep', 'Spread', 'Count'],
        [3, { f: deep, v: 4 }, 6, { f: '=A2+1', v: 4 }],
        [5, { f: '=A3+1', v: 6 }, 10, { f: '=A3+1', v: 6 }],
      ],
    });
    const [table] = await readImportFile(bytes, 'odd.xlsx');
    // SheetJS writes no array formulas: the reader marks one as the file would (Excel's {=A2:A3*2} over C2:C3)
    table.formulas!.push({ row: 1, col: 2, text: '=A2:A3*2', array: true });
    const plans = inferColumns(table).map((p) => (p.name === 'Count' ? { ...p, type: 'counter' as const } : p));
    const { wb } = newWorkbook('Ana');
    const [res] = commitImports(wb, [{ table, plans, target: { kind: 'new', name: 'Odd' } }]);
    expect(res.dropped.map((d) => [d.row, d.source, d.reason]).sort()).toEqual([
      [0, 1, 'too-long'],
      [0, 2, 'array'],
      [0, 3, 'column-type'],
      [1, 3, 'column-type'],
    ]);
    const r = reader(wb);
    expect(r.result('Odd', 1, 'Deep')).toEqual({ value: 4 });
    expect(r.result('Odd', 1, 'Spread')).toEqual({ value: 6 });
    expect(r.result('Odd', 2, 'Count')).toEqual({ value: 6 });
    expect(r.formula('Odd', 2, 'Deep')).toBe('=A2+1');
    r.done();
  });
});
