import { describe, expect, it } from 'vitest';
import { SheetAggregates } from '../../src/model/aggregates.js';
import { Workbook, type WorkbookChange } from '../../src/model/index.js';
import { summaryText } from '../../src/ui/i18n/value-text.js';
import { newWorkbook } from '../support/model.js';
import { prng } from '../support/peers.js';

function setup() {
  const t = newWorkbook('Ana');
  const s = t.wb.initialize({ rows: 6, columns: 0 });
  const qty = t.wb.addColumn(s, { name: 'Qty', type: 'number' });
  const min = t.wb.addColumn(s, { name: 'Reorder at', type: 'number' });
  const stock = t.wb.addColumn(s, { name: 'Stock', type: 'counter', minColumn: min });
  const status = t.wb.addColumn(s, {
    name: 'Status',
    type: 'select',
    options: [
      { id: 'open', label: 'Open', color: '#1f6feb' },
      { id: 'done', label: 'Done', color: '#1a7f37' },
    ],
  });
  const done = t.wb.addColumn(s, { name: 'Checked', type: 'checkbox' });
  const driver = t.wb.addColumn(s, { name: 'Driver', type: 'claim', expiresDays: 6 });
  const note = t.wb.addColumn(s, { name: 'Note' });
  return { ...t, s, qty, min, stock, status, done, driver, note, rows: t.wb.rowIds(s) };
}

function follow(wb: Workbook, agg: SheetAggregates, sheet: string) {
  wb.observe((c: WorkbookChange) => {
    const mine = c.sheets.get(sheet);
    if (mine) agg.apply(mine);
  });
}

describe('SheetAggregates', () => {
  it('summarises each column by its type: sums, option counts, checked, claims, low stock, stale claims', () => {
    const { wb, s, qty, min, stock, status, done, driver, note, rows, tick } = setup();
    const agg = new SheetAggregates(wb, s, () => 1_764_000_000_000 + 10 * 86_400_000);
    follow(wb, agg, s);
    wb.setCells(s, [
      { rowId: rows[0], colId: qty, value: 5 },
      { rowId: rows[1], colId: qty, value: -2 },
      { rowId: rows[2], colId: qty, value: 10.5 },
      { rowId: rows[0], colId: min, value: 10 },
      { rowId: rows[0], colId: status, value: 'open' },
      { rowId: rows[1], colId: status, value: 'open' },
      { rowId: rows[2], colId: status, value: 'done' },
      { rowId: rows[3], colId: done, value: true },
      { rowId: rows[4], colId: note, value: 'hi' },
    ]);
    wb.recount(s, rows[0], stock, 4);
    wb.recount(s, rows[1], stock, 20);
    wb.claim(s, rows[0], driver);
    tick();
    expect(agg.summary(qty).figures).toEqual({ kind: 'numbers', count: 3, sum: 13.5, min: -2, max: 10.5 });
    expect(summaryText('en', agg.summary(qty))).toBe('Σ 13.5 · min -2 · max 10.5');
    expect(summaryText('en', agg.summary(stock))).toBe('Σ 24 · min 4 · max 20 · 1 low');
    expect(summaryText('es', agg.summary(qty))).toBe('Σ 13,5 · mín -2 · máx 10,5');
    expect(agg.isLow(rows[0], stock)).toBe(true);
    expect(agg.lowCount()).toBe(1);
    expect(summaryText('en', agg.summary(status))).toBe('Open 2 · Done 1');
    expect(summaryText('en', agg.summary(done))).toBe('1 of 6 checked');
    expect(agg.summary(driver)).toMatchObject({ figures: { kind: 'claims', claimed: 1, open: 5 }, stale: 1 });
    expect(summaryText('en', agg.summary(driver))).toBe('1 claimed · 5 open · 1 stale');
    expect(summaryText('es', agg.summary(driver))).toBe('1 reservadas · 5 libres · 1 antiguas');
    expect(summaryText('en', agg.summary(note))).toBe('1 filled · 5 empty');
    // Raising the reorder level elsewhere in the row makes another row low.
    wb.setCell(s, rows[1], min, 25);
    expect(agg.isLow(rows[1], stock)).toBe(true);
    expect(agg.summary(stock).low).toBe(2);
  });

  it('stays equal to a full rebuild through hundreds of random edits', () => {
    const { wb, s, qty, stock, status, done, rows } = setup();
    const agg = new SheetAggregates(wb, s);
    follow(wb, agg, s);
    const r = prng(42);
    for (let i = 0; i < 400; i++) {
      const row = r.pick(rows);
      const k = r.int(5);
      if (k === 0) wb.setCell(s, row, qty, r.chance(0.2) ? null : r.int(100) - 50);
      if (k === 1) wb.adjustCounter(s, row, stock, r.pick([-1, 2]));
      if (k === 2) wb.recount(s, row, stock, r.int(30));
      if (k === 3) wb.setCell(s, row, status, r.pick(['open', 'done', null]));
      if (k === 4) wb.setCell(s, row, done, r.chance(0.5));
      const fresh = new SheetAggregates(wb, s);
      for (const col of [qty, stock, status, done]) expect(agg.summary(col)).toEqual(fresh.summary(col));
    }
  });

  it('a lazy build reads a long column in slices, shows its figures only when whole, and folds in edits made meanwhile', () => {
    const t = newWorkbook('Ana');
    const s = t.wb.initialize({ rows: 0, columns: 0 });
    const qty = t.wb.addColumn(s, { name: 'Qty', type: 'number' });
    const stock = t.wb.addColumn(s, { name: 'Stock', type: 'counter', min: 3 });
    const rows = t.wb.insertRows(s, 0, 5_000);
    t.wb.setCells(s, rows.flatMap((rowId, i) => [{ rowId, colId: qty, value: i % 7 }]));
    const agg = new SheetAggregates(t.wb, s, Date.now, true);
    follow(t.wb, agg, s);
    const r = prng(7);
    let slices = 0;
    let more = true;
    while (more) {
      more = agg.buildNext();
      slices++;
      // not ready while any column is still being read, the last one included
      expect(agg.ready).toBe(!more);
      if (more) expect(agg.summary(stock).figures).toEqual({ kind: 'none' });
      // edits land while the build is part-way: rows already read, rows not yet read, other columns
      for (let i = 0; i < 20; i++) {
        const row = r.pick(rows);
        if (r.chance(0.5)) t.wb.setCell(s, row, qty, r.int(50));
        else t.wb.adjustCounter(s, row, stock, r.pick([-1, 2, 5]));
      }
    }
    // 5,000 rows a column in slices of 2,000: three slices each
    expect(slices).toBe(6);
    expect(agg.ready).toBe(true);
    const fresh = new SheetAggregates(t.wb, s);
    expect(agg.summary(qty)).toEqual(fresh.summary(qty));
    expect(agg.summary(stock)).toEqual(fresh.summary(stock));
    expect(agg.lowCount()).toBe(fresh.lowCount());
  });

  it('rows added, deleted and moved while a lazy build runs keep the columns already read: it finishes, and agrees with a fresh read', () => {
    const t = newWorkbook('Ana');
    const s = t.wb.initialize({ rows: 0, columns: 0 });
    const qty = t.wb.addColumn(s, { name: 'Qty', type: 'number' });
    const stock = t.wb.addColumn(s, { name: 'Stock', type: 'counter', min: 3 });
    const note = t.wb.addColumn(s, { name: 'Note', type: 'text' });
    const rows = t.wb.insertRows(s, 0, 5_000);
    t.wb.setCells(s, rows.flatMap((rowId, i) => [{ rowId, colId: qty, value: i % 11 }, { rowId, colId: note, value: i % 3 ? 'x' : '' }]));
    const agg = new SheetAggregates(t.wb, s, Date.now, true);
    follow(t.wb, agg, s);
    const seed = 11;
    const r = prng(seed);
    let slices = 0;
    while (agg.buildNext()) {
      slices++;
      // a colleague adding a row every slice, and now and then deleting or moving some
      const [added] = t.wb.insertRows(s, r.int(t.wb.rowIds(s).length), 1);
      t.wb.setCell(s, added, qty, r.int(40));
      if (r.chance(0.3)) t.wb.deleteRows(s, [r.pick(t.wb.rowIds(s))]);
      if (r.chance(0.3)) t.wb.moveRows(s, [r.pick(t.wb.rowIds(s))], 0);
      if (r.chance(0.5)) t.wb.adjustCounter(s, r.pick(t.wb.rowIds(s)), stock, r.pick([-2, 4]));
      expect(slices, `seed ${seed}: the build keeps starting over`).toBeLessThan(40);
    }
    expect(agg.ready).toBe(true);
    const fresh = new SheetAggregates(t.wb, s);
    for (const col of [qty, stock, note]) expect(agg.summary(col), `seed ${seed}`).toEqual(fresh.summary(col));
    expect(agg.lowCount()).toBe(fresh.lowCount());
    // and once built, a row change adjusts the figures in place
    const extra = t.wb.insertRows(s, 0, 3);
    t.wb.setCells(s, extra.map((rowId) => ({ rowId, colId: qty, value: 1000 })));
    t.wb.deleteRows(s, t.wb.rowIds(s).slice(10, 20));
    expect(agg.ready).toBe(true);
    const after = new SheetAggregates(t.wb, s);
    for (const col of [qty, stock, note]) expect(agg.summary(col)).toEqual(after.summary(col));
    // a column change still reads everything again, in slices as before
    t.wb.addColumn(s, { name: 'More', type: 'number' });
    expect(agg.ready).toBe(false);
    while (agg.buildNext());
    expect(agg.summary(qty)).toEqual(new SheetAggregates(t.wb, s).summary(qty));
  });
});
