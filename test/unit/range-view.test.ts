import { describe, expect, it } from 'vitest';
import { dataEdge, rectContains, rectOf, rectSize } from '../../src/model/range.js';
import { applyView, parseView, type ViewSpec } from '../../src/model/view.js';
import type { CellValue, Column } from '../../src/model/index.js';
import { newWorkbook } from '../support/model.js';

describe('range maths', () => {
  it('normalises a selection dragged in any direction', () => {
    const r = rectOf({ anchor: { row: 5, col: 3 }, focus: { row: 2, col: 1 } });
    expect(r).toEqual({ top: 2, bottom: 5, left: 1, right: 3 });
    expect(rectSize(r)).toEqual({ rows: 4, cols: 3, cells: 12 });
    expect(rectContains(r, 2, 1) && rectContains(r, 5, 3) && !rectContains(r, 6, 3)).toBe(true);
  });
  it('Ctrl+Arrow on an empty sheet (or from outside it) stays put instead of walking forever', () => {
    for (const step of [1, -1] as const) {
      expect(dataEdge(0, step, 0, () => false)).toBe(0);
      expect(dataEdge(5, step, 3, () => true)).toBe(5);
    }
  });

  it('Ctrl+Arrow finds the data edge like a spreadsheet', () => {
    const line = [1, 1, 1, 0, 0, 1, 0, 1, 1, 0].map(Boolean);
    const filled = (i: number) => line[i];
    expect(dataEdge(0, 1, 10, filled)).toBe(2); // end of the run
    expect(dataEdge(2, 1, 10, filled)).toBe(5); // next filled cell
    expect(dataEdge(5, 1, 10, filled)).toBe(7); // lone cell: next filled
    expect(dataEdge(7, 1, 10, filled)).toBe(8);
    expect(dataEdge(8, 1, 10, filled)).toBe(9); // nothing after: the end
    expect(dataEdge(9, -1, 10, filled)).toBe(8);
    expect(dataEdge(4, -1, 10, filled)).toBe(2);
  });
});

describe('personal views', () => {
  const cols: Column[] = [
    { id: 'name', name: 'Name', type: 'text', width: 100, options: [], min: null, minColumn: null, expiresDays: null, unit: null },
    { id: 'qty', name: 'Qty', type: 'number', width: 100, options: [], min: null, minColumn: null, expiresDays: null, unit: null },
    {
      id: 'st',
      name: 'Status',
      type: 'select',
      width: 100,
      options: [
        { id: 'new', label: 'Intake needed', color: '#cf222e' },
        { id: 'done', label: 'Request complete', color: '#1a7f37' },
      ],
      min: null,
      minColumn: null,
      expiresDays: null,
      unit: null,
    },
  ];
  const data: Record<string, Record<string, CellValue>> = {
    r1: { name: 'item 10', qty: 5, st: 'done' },
    r2: { name: 'item 9', qty: null, st: 'new' },
    r3: { name: 'Item 2', qty: 12, st: 'new' },
    r4: { name: 'apples', qty: 5, st: null },
  };
  const get = (r: string, c: string) => data[r][c] ?? null;
  const rows = ['r1', 'r2', 'r3', 'r4'];
  const view = (v: Partial<ViewSpec>) => applyView(rows, cols, { sort: [], filters: [], hidden: [], ...v }, get);

  it('sorts numbers numerically, text naturally, select by option order, empties last either way; ties keep sheet order', () => {
    expect(view({ sort: [{ colId: 'qty', dir: 'asc' }] }).rows).toEqual(['r1', 'r4', 'r3', 'r2']);
    expect(view({ sort: [{ colId: 'qty', dir: 'desc' }] }).rows).toEqual(['r3', 'r1', 'r4', 'r2']);
    expect(view({ sort: [{ colId: 'name', dir: 'asc' }] }).rows).toEqual(['r4', 'r3', 'r2', 'r1']);
    expect(view({ sort: [{ colId: 'st', dir: 'asc' }] }).rows).toEqual(['r2', 'r3', 'r1', 'r4']);
    expect(view({ sort: [{ colId: 'qty', dir: 'asc' }, { colId: 'name', dir: 'asc' }] }).rows).toEqual(['r4', 'r1', 'r3', 'r2']);
  });
  it('filters by contains, is, empty and filled, on the shown text', () => {
    expect(view({ filters: [{ colId: 'name', op: 'contains', value: 'ITEM' }] }).rows).toEqual(['r1', 'r2', 'r3']);
    expect(view({ filters: [{ colId: 'st', op: 'is', value: 'intake needed' }] }).rows).toEqual(['r2', 'r3']);
    expect(view({ filters: [{ colId: 'qty', op: 'empty', value: '' }] }).rows).toEqual(['r2']);
    expect(view({ filters: [{ colId: 'st', op: 'filled', value: '' }] }).rows).toEqual(['r1', 'r2', 'r3']);
  });
  it('hides columns, and ignores rules for columns that no longer exist', () => {
    const v = view({ hidden: ['qty'], sort: [{ colId: 'gone', dir: 'asc' }] });
    expect(v.columns.map((c) => c.id)).toEqual(['name', 'st']);
    expect(v.rows).toEqual(rows);
  });
  it('reads a corrupt stored view as the empty view', () => {
    expect(parseView('nonsense')).toEqual({ sort: [], filters: [], hidden: [], conditions: [] });
    expect(parseView({ sort: [{ colId: 'a', dir: 'up' }], filters: [{ colId: 'a', op: 'contains', value: 'x' }], hidden: [1, 'b'] })).toEqual({
      sort: [],
      filters: [{ colId: 'a', op: 'contains', value: 'x' }],
      hidden: ['b'],
      conditions: [],
    });
  });
});

describe('row order and undo in the model', () => {
  it('reorderRows applies a view order to the sheet in one step; moveRows keeps a block together', () => {
    const { wb } = newWorkbook();
    const s = wb.initialize({ rows: 5, columns: 1 });
    const [a, b, c, d, e] = wb.rowIds(s);
    wb.reorderRows(s, [e, c, a]);
    expect(wb.rowIds(s)).toEqual([e, c, a, b, d]);
    wb.moveRows(s, [c, b], 5);
    expect(wb.rowIds(s)).toEqual([e, a, d, c, b]);
    wb.moveRows(s, [d, b], 0);
    expect(wb.rowIds(s)).toEqual([d, b, e, a, c]);
    expect(wb.checkInvariants()).toEqual([]);
  });

  it('undo reverts only this person’s changes, a batch as one step, and redo restores it', () => {
    const { wb, doc } = newWorkbook('Ana');
    const s = wb.initialize({ rows: 3, columns: 2 });
    const [r1, r2, r3] = wb.rowIds(s);
    const [c1, c2] = wb.columns(s).map((c) => c.id);
    const undo = wb.createUndoManager();
    const ben = new (wb.constructor as typeof import('../../src/model/index.js').Workbook)(doc, { actor: { name: 'Ben', deviceId: 'b' } });
    wb.setCell(s, r1, c1, 'Ana 1');
    ben.setCell(s, r1, c2, 'Ben 1');
    wb.setCells(s, [
      { rowId: r2, colId: c1, value: 'paste a' },
      { rowId: r3, colId: c1, value: 'paste b' },
    ]);
    undo.undo();
    expect([wb.getValue(s, r2, c1), wb.getValue(s, r3, c1)]).toEqual([null, null]);
    expect(wb.getValue(s, r1, c1)).toBe('Ana 1');
    undo.undo();
    expect(wb.getValue(s, r1, c1)).toBe(null);
    expect(wb.getValue(s, r1, c2)).toBe('Ben 1');
    undo.redo();
    expect(wb.getValue(s, r1, c1)).toBe('Ana 1');
    expect(wb.getCell(s, r1, c1)?.by).toBe('Ana');
  });
});
