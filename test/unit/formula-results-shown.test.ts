import { describe, expect, it } from 'vitest';
import type { ReactiveControllerHost } from 'lit';
import type { CellAddress } from '../../src/model/formula/index.js';
import { FormulaResults } from '../../src/ui/formula-results.js';
import { newWorkbook } from '../support/model.js';

const ROWS = 400;
const SHOWN = 20;

function host(): ReactiveControllerHost & { updates: number } {
  return {
    updates: 0,
    addController() {},
    removeController() {},
    requestUpdate() {
      this.updates++;
    },
    updateComplete: Promise.resolve(true),
  };
}

/** Qty (input), Rate in its first row, and Calc = Qty * Rate in every row: an edit of Rate reaches every row. */
function sheet() {
  const { wb } = newWorkbook('Ana');
  const sheetId = wb.initialize({ columns: 0, rows: ROWS });
  const qty = wb.addColumn(sheetId, { name: 'Qty', type: 'number' });
  const rate = wb.addColumn(sheetId, { name: 'Rate', type: 'number' });
  const calc = wb.addColumn(sheetId, { name: 'Calc' });
  const rows = wb.rowIds(sheetId);
  wb.setCells(sheetId, rows.map((rowId, i) => ({ rowId, colId: qty, value: i + 1 })));
  wb.setCell(sheetId, rows[0], rate, 2);
  rows.forEach((rowId, i) => wb.setFormula(sheetId, rowId, calc, `=A${i + 1}*$B$1`));
  return { wb, sheetId, rate, calc, rows };
}

describe('FormulaResults: what the screen shows first', () => {
  it('an edit computes the cells the last render read before the host repaints; the rest follows in idle slices, and any cell read before then is right', async () => {
    const { wb, sheetId, rate, calc, rows } = sheet();
    const h = host();
    const seen: CellAddress[][] = [];
    const results = new FormulaResults(h, { load: () => import('../../src/model/formula/index.js'), timeZone: () => 'UTC', onResults: (cells) => seen.push(cells) });
    results.watch(wb);
    await results.ready();
    // a render of the first rows, as the grid's reads them
    results.hostUpdate();
    for (const r of rows.slice(0, SHOWN)) results.result(sheetId, r, calc);
    results.hostUpdated();

    wb.setCell(sheetId, rows[0], rate, 3);
    // at once: the shown rows' new results, and the host asked to repaint them
    expect(seen).toHaveLength(1);
    const first = new Set(seen[0].map((c) => c.rowId));
    for (const r of rows.slice(0, SHOWN)) expect(first.has(r)).toBe(true);
    expect(first.size).toBeLessThan(ROWS);
    // a cell far below, read before the idle slices reached it (scrolled to, exported): right anyway
    expect(results.result(sheetId, rows[ROWS - 1], calc)).toBe(ROWS * 3);
    // then the rest, reported once when all of it is known
    await expect.poll(() => seen.length).toBe(2);
    const all = new Set([...seen[0], ...seen[1]].map((c) => c.rowId));
    expect(all.size).toBe(ROWS);
    expect(rows.map((r) => results.result(sheetId, r, calc))).toEqual(rows.map((_, i) => (i + 1) * 3));
    results.hostDisconnected();
  });
});
