import { describe, expect, it } from 'vitest';
import * as Y from 'yjs';
import { Workbook } from '../../src/model/index.js';
import { syncWorkbooks } from '../support/model.js';

function pair() {
  let t = 1_764_000_000_000;
  const a = new Y.Doc();
  const b = new Y.Doc();
  const coord = new Workbook(a, { actor: { name: 'Coord', deviceId: 'c' }, now: () => (t += 1000) });
  const vandal = new Workbook(b, { actor: { name: 'Leaked link', deviceId: 'v' }, now: () => (t += 1000) });
  const sheet = coord.initialize({ rows: 3, columns: 2 });
  const stock = coord.addColumn(sheet, { name: 'Stock', type: 'counter' });
  const sync = () => syncWorkbooks(coord, vandal);
  sync();
  return { coord, vandal, sheet, stock, sync, rows: coord.rowIds(sheet), cols: coord.columns(sheet).map((c) => c.id), now: () => t };
}

describe('activity and reverting one person', () => {
  it('lists changes newest first with who, before and after', () => {
    const { coord, sheet, rows, cols } = pair();
    coord.setCell(sheet, rows[0], cols[0], 'Rice');
    coord.setCell(sheet, rows[0], cols[0], 'Rice 10kg');
    coord.setCell(sheet, rows[1], cols[1], 'Beans');
    const [latest, earlier] = coord.history({ sheetId: sheet }).map((g) => g.entries[0]);
    expect(latest.by).toBe('Coord');
    expect([latest.before, latest.after]).toEqual([null, 'Beans']);
    expect([earlier.before, earlier.after]).toEqual(['Rice', 'Rice 10kg']);
  });

  it('reverts everything one person did in a time range, but never a cell a colleague has fixed since', () => {
    const { coord, vandal, sheet, stock, sync, rows, cols, now } = pair();
    coord.setCell(sheet, rows[0], cols[0], 'Insulin pickup');
    coord.setCell(sheet, rows[1], cols[0], 'Groceries');
    coord.recount(sheet, rows[0], stock, 40);
    sync();
    const start = now();
    vandal.setCell(sheet, rows[0], cols[0], 'lol');
    vandal.setCell(sheet, rows[1], cols[0], 'deleted');
    vandal.setCell(sheet, rows[2], cols[1], 'spam');
    vandal.adjustCounter(sheet, rows[0], stock, -30);
    sync();
    coord.setCell(sheet, rows[1], cols[0], 'Groceries (fixed by hand)');
    const result = coord.revertBy('Leaked link', start, now());
    // Two cells and one counter change were still the vandal's; the hand-fixed cell is the colleague's now (skipped).
    expect(result).toEqual({ reverted: 3, skipped: 1 });
    sync();
    for (const w of [coord, vandal]) {
      expect(w.getValue(sheet, rows[0], cols[0])).toBe('Insulin pickup');
      expect(w.getCell(sheet, rows[0], cols[0])?.by).toBe('Coord');
      expect(w.getValue(sheet, rows[1], cols[0])).toBe('Groceries (fixed by hand)');
      expect(w.getValue(sheet, rows[2], cols[1])).toBe(null);
      expect(w.getValue(sheet, rows[0], stock)).toBe(40);
    }
  });
});
