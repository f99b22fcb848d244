import { afterEach, describe, expect, it, vi } from 'vitest';
import type { ReactiveControllerHost } from 'lit';
import type { CellAddress } from '../../src/model/formula/index.js';
import { FormulaResults } from '../../src/ui/formula-results.js';
import { newWorkbook, syncWorkbooks } from '../support/model.js';

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

/** The real engine module, counted: what the app's dynamic import() would fetch. */
function counted() {
  const calls = { n: 0 };
  const load = () => {
    calls.n++;
    return import('../../src/model/formula/index.js');
  };
  return { calls, load };
}

function sheet() {
  const { wb } = newWorkbook('Ana');
  const sheetId = wb.initialize({ columns: 0, rows: 3 });
  const qty = wb.addColumn(sheetId, { name: 'Qty', type: 'number' });
  const calc = wb.addColumn(sheetId, { name: 'Calc' });
  const rows = wb.rowIds(sheetId);
  rows.forEach((r, i) => wb.setCell(sheetId, r, qty, i + 1));
  return { wb, sheetId, qty, calc, rows };
}

afterEach(() => {
  vi.useRealTimers();
});

describe('FormulaResults: the engine loads only for a workbook with formulas', () => {
  it('never loads for a workbook without formulas, and loads when one is typed; results and repaints follow', async () => {
    const { wb, sheetId, qty, calc, rows } = sheet();
    const { calls, load } = counted();
    const h = host();
    const seen: CellAddress[][] = [];
    const results = new FormulaResults(h, { load, timeZone: () => 'UTC', onResults: (cells) => seen.push(cells) });
    results.watch(wb);
    wb.setCell(sheetId, rows[0], calc, '=not a formula, text');
    wb.insertRows(sheetId, 3, 1);
    await results.ready();
    expect(calls.n).toBe(0);
    expect(results.loaded).toBe(false);
    expect(results.result(sheetId, rows[0], calc)).toBeUndefined();

    const stored = wb.setFormula(sheetId, rows[1], calc, '=SUM(A1:A3)');
    // before the engine is there, the formula is known but has no result yet
    expect(results.formula(sheetId, rows[1], calc)).toBe(stored);
    await results.ready();
    expect(calls.n).toBe(1);
    expect(results.loaded).toBe(true);
    expect(results.result(sheetId, rows[1], calc)).toBe(6);
    const updates = h.updates;
    expect(updates).toBeGreaterThan(0);

    wb.setCell(sheetId, rows[2], qty, 10);
    expect(results.result(sheetId, rows[1], calc)).toBe(13);
    expect(h.updates).toBeGreaterThan(updates);
    expect(seen.at(-1)).toEqual([{ sheetId, rowId: rows[1], colId: calc }]);
    results.hostDisconnected();
    expect(results.result(sheetId, rows[1], calc)).toBeUndefined();
  });

  it('loads at once for a workbook that has formulas, and when a colleague’s formula arrives by sync', async () => {
    const a = sheet();
    a.wb.setColumnFormula(a.sheetId, a.calc, '=[Qty]*2');
    const first = counted();
    const opened = new FormulaResults(host(), { load: first.load, timeZone: () => 'UTC' });
    opened.watch(a.wb);
    await opened.ready();
    expect(first.calls.n).toBe(1);
    expect(a.rows.map((r) => opened.result(a.sheetId, r, a.calc))).toEqual([2, 4, 6]);

    const b = sheet();
    const later = counted();
    const h = host();
    const synced = new FormulaResults(h, { load: later.load, timeZone: () => 'UTC' });
    synced.watch(b.wb);
    const { wb: luis } = newWorkbook('Luis');
    syncWorkbooks(b.wb, luis);
    luis.setFormula(b.sheetId, b.rows[0], b.calc, '=A2+A3');
    expect(later.calls.n).toBe(0);
    syncWorkbooks(b.wb, luis);
    await synced.ready();
    expect(later.calls.n).toBe(1);
    expect(synced.result(b.sheetId, b.rows[0], b.calc)).toBe(5);
  });

  it('TODAY() and NOW() move on once a minute', async () => {
    vi.useFakeTimers({ toFake: ['setInterval', 'clearInterval'] });
    const { wb, sheetId, calc, rows } = sheet();
    let now = Date.UTC(2026, 11, 2, 23, 59, 30);
    const results = new FormulaResults(host(), { load: counted().load, timeZone: () => 'UTC', now: () => now });
    wb.setFormula(sheetId, rows[0], calc, '=TODAY()');
    results.watch(wb);
    await results.ready();
    const before = results.result(sheetId, rows[0], calc);
    now += 60_000;
    vi.advanceTimersByTime(60_000);
    expect(typeof before).toBe('number');
    expect(results.result(sheetId, rows[0], calc)).toBe((before as number) + 1);
    results.hostDisconnected();
  });
});
