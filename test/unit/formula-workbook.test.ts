import { describe, expect, it } from 'vitest';
import { ERRORS, serialFromParts, WorkbookFormulas, type CellAddress, type FormulaSource } from '../../src/model/formula/index.js';
import { newWorkbook } from '../support/model.js';

const CLOCK = { now: () => Date.UTC(2026, 11, 2, 12), timeZone: 'UTC' };
/** Formulas kept as `=…` text in the column named "Calc": the engine over a source of its own (the doc's storage: formula-storage.test.ts). */
const source = (calc: string, columnFormulas: Record<string, string> = {}): FormulaSource => ({
  cellFormula: (_s, _r, c, v) => (c === calc && typeof v === 'string' && v.startsWith('=') ? v : null),
  columnFormula: (_s, col) => columnFormulas[col.id] ?? null,
});

describe('formulas over a Workbook', () => {
  it('read counters as numbers, claims as names, statuses as labels, checkboxes as TRUE/FALSE, dates as serials', () => {
    const { wb } = newWorkbook('Ana');
    const sheet = wb.initialize({ columns: 0, rows: 2 });
    const stock = wb.addColumn(sheet, { name: 'Stock', type: 'counter' });
    const who = wb.addColumn(sheet, { name: 'Taken by', type: 'claim' });
    const status = wb.addColumn(sheet, { name: 'Status', type: 'select', options: [{ id: 'o1', label: 'Delivery needed', color: '#ff0000' }] });
    const done = wb.addColumn(sheet, { name: 'Done', type: 'checkbox' });
    const due = wb.addColumn(sheet, { name: 'Due', type: 'date' });
    const calc = wb.addColumn(sheet, { name: 'Calc', type: 'text' });
    const [row] = wb.rowIds(sheet);
    wb.recount(sheet, row, stock, 40);
    wb.adjustCounter(sheet, row, stock, -3);
    wb.claim(sheet, row, who);
    wb.setCell(sheet, row, status, 'o1');
    wb.setCell(sheet, row, done, true);
    wb.setCell(sheet, row, due, '2026-12-24');
    const f = new WorkbookFormulas(wb, source(calc), CLOCK);
    const place = { sheetId: sheet, rowId: row };
    const cases: [string, unknown][] = [
      ['=[Stock]*2', 74],
      ['=[Taken by]&" has it"', 'Ana has it'],
      ['=IF([Status]="delivery needed","send","wait")', 'send'],
      ['=IF([Done],"yes","no")', 'yes'],
      ['=DAYS([Due],DATE(2026,12,1))', 23],
      ['=[Due]', serialFromParts(2026, 12, 24)],
    ];
    for (const [typed, want] of cases) {
      wb.setCell(sheet, row, calc, f.engine.enter(typed, place));
      expect(f.engine.result(sheet, row, calc), typed).toEqual(want);
    }
    f.destroy();
  });

  it('follows edits, a counter tapped, rows inserted and deleted, and says which cells changed', () => {
    const { wb } = newWorkbook('Ana');
    const sheet = wb.initialize({ columns: 0, rows: 4 });
    const qty = wb.addColumn(sheet, { name: 'Qty', type: 'counter' });
    const calc = wb.addColumn(sheet, { name: 'Calc', type: 'text' });
    const rows = wb.rowIds(sheet);
    rows.forEach((r, i) => wb.recount(sheet, r, qty, i + 1));
    const seen: CellAddress[][] = [];
    const f = new WorkbookFormulas(wb, source(calc), CLOCK, (cells) => seen.push(cells));
    wb.setCell(sheet, rows[0], calc, f.engine.enter('=SUM(A2:A4)', { sheetId: sheet, rowId: rows[0] }));
    expect(f.engine.result(sheet, rows[0], calc)).toBe(9);
    seen.length = 0;
    wb.adjustCounter(sheet, rows[2], qty, 10);
    expect(f.engine.result(sheet, rows[0], calc)).toBe(19);
    expect(seen.flat()).toEqual([{ sheetId: sheet, rowId: rows[0], colId: calc }]);
    const [added] = wb.insertRows(sheet, 2, 1);
    wb.recount(sheet, added, qty, 100);
    expect(f.engine.result(sheet, rows[0], calc)).toBe(119);
    wb.deleteRows(sheet, [rows[3]]);
    expect(f.engine.result(sheet, rows[0], calc)).toEqual(ERRORS['#REF!']);
    wb.restoreRows(sheet, [rows[3]]);
    expect(f.engine.result(sheet, rows[0], calc)).toBe(119);
    f.destroy();
  });

  it('a column formula computes on a row added later, at once', () => {
    const { wb } = newWorkbook('Ana');
    const sheet = wb.initialize({ columns: 0, rows: 2 });
    const needed = wb.addColumn(sheet, { name: 'Needed', type: 'number' });
    const signed = wb.addColumn(sheet, { name: 'Signed up', type: 'number' });
    const left = wb.addColumn(sheet, { name: 'Slots left', type: 'number' });
    const formulas: Record<string, string> = {};
    const f = new WorkbookFormulas(wb, source('none', formulas), CLOCK);
    formulas[left] = f.engine.enter('=[Needed] - [Signed up]', { sheetId: sheet, rowId: wb.rowIds(sheet)[0] });
    // the column's formula changed: what the doc would report as a column update
    wb.updateColumn(sheet, left, { width: 130 });
    const [row] = wb.insertRows(sheet, 2, 1);
    wb.setCells(sheet, [
      { rowId: row, colId: needed, value: 6 },
      { rowId: row, colId: signed, value: 2 },
    ]);
    expect(f.engine.result(sheet, row, left)).toBe(4);
    f.destroy();
  });
});
