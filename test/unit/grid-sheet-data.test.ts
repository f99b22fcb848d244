import { describe, expect, it } from 'vitest';
import type { Condition } from '../../src/model/filters.js';
import type { ViewSpec } from '../../src/model/view.js';
import type { Workbook } from '../../src/model/workbook.js';
import { SheetData } from '../../src/ui/grid/sheet-data.js';
import type { GridHost } from '../../src/ui/grid/host.js';
import { newWorkbook } from '../support/model.js';

/** The part of `<sheet-grid>` SheetData reads: its inputs and a conflicts list with nothing in it. */
function dataFor(wb: Workbook, sheetId: string): SheetData {
  const host = {
    workbook: wb,
    sheetId,
    viewStore: null,
    conflicts: { only: false, filterRows: (rows: string[]) => rows },
    addController: () => {},
    requestUpdate: () => {},
  } as unknown as GridHost & { viewStore: null };
  return new SheetData(host);
}

const values = (colId: string, hide: string[]): Condition => ({ colId, kind: 'values', hide });

describe('grid sheet data: the toolbar names the view', () => {
  it('names a checklist (value) filter and a rule as their chips do, with the sort and hidden columns', () => {
    const { wb } = newWorkbook('Ana');
    const s = wb.initialize({ rows: 3, columns: 1 });
    const notes = wb.columns(s)[0].id;
    const st = wb.addColumn(s, { name: 'Status', type: 'select', options: [{ id: 'new', label: 'New', color: '#cf222e' }, { id: 'done', label: 'Done', color: '#1a7f37' }] });
    const qty = wb.addColumn(s, { name: 'Qty', type: 'number' });
    const [a, b] = wb.rowIds(s);
    wb.setCell(s, a, st, 'new');
    wb.setCell(s, b, st, 'done');
    const data = dataFor(wb, s);
    const spec: ViewSpec = {
      sort: [{ colId: qty, dir: 'desc' }],
      filters: [],
      hidden: [notes],
      conditions: [values(st, ['done']), { colId: qty, kind: 'rule', op: 'lt', value: '10', to: '' }],
    };
    data.view = spec;
    expect(data.describeView(2)).toBe('sorted by Qty ▼, Status: 2 of 3 values, Qty < 10, 1 hidden column · 2 rows shown');
  });

  it('an old contains filter still reads as before', () => {
    const { wb } = newWorkbook('Ana');
    const s = wb.initialize({ rows: 2, columns: 1 });
    const notes = wb.columns(s)[0];
    const data = dataFor(wb, s);
    data.view = { sort: [], filters: [{ colId: notes.id, op: 'contains', value: 'rice' }], hidden: [], conditions: [] };
    expect(data.describeView(1)).toBe(`${notes.name} contains “rice” · 1 row shown`);
  });

  it('re-reads the checklist counts when the rows change (the workbook observer invalidates), not on every render', () => {
    const { wb } = newWorkbook('Ana');
    const s = wb.initialize({ rows: 2, columns: 1 });
    const st = wb.addColumn(s, { name: 'Status', type: 'select', options: [{ id: 'new', label: 'New', color: '#cf222e' }] });
    const [a, b] = wb.rowIds(s);
    wb.setCell(s, a, st, 'new');
    const data = dataFor(wb, s);
    data.view = { sort: [], filters: [], hidden: [], conditions: [values(st, ['new'])] };
    // Shown: the empty cell's value; hidden: "New".
    expect(data.describeView(1)).toBe('Status: 1 of 2 values · 1 row shown');
    wb.setCell(s, b, st, 'new');
    // Same rows, same view: the words are kept (a checklist's counts read the whole column).
    expect(data.describeView(1)).toBe('Status: 1 of 2 values · 1 row shown');
    data.invalidate();
    expect(data.describeView(0)).toBe('Status: 0 of 1 value · 0 rows shown');
  });
});
