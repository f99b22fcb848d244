import { afterEach, describe, expect, it, vi } from 'vitest';
import type { ReactiveControllerHost } from 'lit';
import { SheetAggregates } from '../../src/model/aggregates.js';
import type { ViewSpec } from '../../src/model/view.js';
import { FormulaResults } from '../../src/ui/formula-results.js';
import type { GridHost } from '../../src/ui/grid/host.js';
import { SheetData } from '../../src/ui/grid/sheet-data.js';
import { resultValue, shownValues } from '../../src/ui/result-values.js';
import { newWorkbook } from '../support/model.js';

const load = () => import('../../src/model/formula/index.js');

afterEach(() => {
  vi.unstubAllGlobals();
});

/** Qty 5, 1, 3 and a computed column Calc = Qty × 10; the grid's data over real formula results. */
async function setup() {
  // SheetData reads the figures a column per task after the first frame; Node has no frames.
  vi.stubGlobal('requestAnimationFrame', (cb: () => void) => setTimeout(cb, 0));
  const { wb } = newWorkbook('Ana');
  const sheetId = wb.initialize({ columns: 0, rows: 3 });
  const qty = wb.addColumn(sheetId, { name: 'Qty', type: 'number' });
  const calc = wb.addColumn(sheetId, { name: 'Calc', type: 'number' });
  const rows = wb.rowIds(sheetId);
  [5, 1, 3].forEach((n, i) => wb.setCell(sheetId, rows[i], qty, n));
  wb.setColumnFormula(sheetId, calc, '=[Qty]*10');
  let data: SheetData | null = null;
  const gridHost: ReactiveControllerHost = { addController() {}, removeController() {}, requestUpdate() {}, updateComplete: Promise.resolve(true) };
  const formulas = new FormulaResults(gridHost, { load, timeZone: () => 'UTC', onResults: (cells) => data?.resultsChanged(cells) });
  formulas.watch(wb);
  await formulas.ready();
  const host = {
    workbook: wb,
    sheetId,
    viewStore: null,
    formulas,
    conflicts: { only: false, filterRows: (r: string[]) => r },
    addController() {},
    requestUpdate() {},
  } as unknown as GridHost & { viewStore: null };
  data = new SheetData(host);
  data.follow(new Map([['workbook', null]]) as never);
  await expect.poll(() => data!.aggregates?.ready).toBe(true);
  return { wb, sheetId, qty, calc, rows, data, formulas };
}

const view = (v: Partial<ViewSpec>): ViewSpec => ({ sort: [], filters: [], hidden: [], conditions: [], ...v });

describe('sort, filters and column figures use formula results', () => {
  it('a computed column sorts by its results, both ways, and a rule filters them', async () => {
    const { calc, rows, data } = await setup();
    data.view = view({ sort: [{ colId: calc, dir: 'asc' }] });
    expect(data.shown().rows).toEqual([rows[1], rows[2], rows[0]]);
    data.view = view({ sort: [{ colId: calc, dir: 'desc' }] });
    expect(data.shown().rows).toEqual([rows[0], rows[2], rows[1]]);
    data.view = view({ conditions: [{ colId: calc, kind: 'rule', op: 'gt', value: '20', to: '' }] });
    expect(data.shown().rows).toEqual([rows[0], rows[2]]);
    expect(data.describeView(2)).toBe('Calc > 20 · 2 rows shown');
  });

  it('a checklist lists and hides results', async () => {
    const { calc, rows, data } = await setup();
    data.view = view({ conditions: [{ colId: calc, kind: 'values', hide: ['10'] }] });
    expect(data.shown().rows).toEqual([rows[0], rows[2]]);
    expect(data.describeView(2)).toBe('Calc: 2 of 3 values · 2 rows shown');
  });

  it('the column figures sum the results, and follow a change that moves them', async () => {
    const { wb, sheetId, qty, calc, rows, data } = await setup();
    expect(data.aggregates!.summary(calc).figures).toEqual({ kind: 'numbers', count: 3, sum: 90, min: 10, max: 50 });
    data.view = view({ sort: [{ colId: calc, dir: 'asc' }] });
    expect(data.shown().rows[2]).toBe(rows[0]);
    // Qty changes; only the results of Calc move (no write to Calc): figures and order follow them
    wb.setCell(sheetId, rows[1], qty, 10);
    await expect.poll(() => data.aggregates!.summary(calc).figures).toEqual({ kind: 'numbers', count: 3, sum: 180, min: 30, max: 100 });
    expect(data.shown().rows).toEqual([rows[2], rows[0], rows[1]]);
  });

  it('before the engine is there a formula cell reads as the doc holds it; an error reads as its text', async () => {
    const { wb, sheetId, qty, calc, rows, formulas } = await setup();
    expect(shownValues(wb, sheetId, null)(rows[0], calc)).toBeNull();
    expect(shownValues(wb, sheetId, formulas)(rows[0], calc)).toBe(50);
    expect(shownValues(wb, sheetId, formulas)(rows[0], qty)).toBe(5);
    wb.setColumnFormula(sheetId, calc, '=[Qty]/0');
    expect(shownValues(wb, sheetId, formulas)(rows[0], calc)).toBe('#DIV/0!');
    expect(resultValue(true)).toBe(true);
    expect(new SheetAggregates(wb, sheetId, Date.now, false, shownValues(wb, sheetId, formulas)).summary(calc).figures).toEqual({ kind: 'numbers', count: 0, sum: 0, min: 0, max: 0 });
  });
});
