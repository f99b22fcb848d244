import { describe, expect, it } from 'vitest';
import { OVERSCAN_PX, OVERSCAN_ROWS, columnOffsets, columnWindow, pageRows, revealTarget, rowWindow, upperBound } from '../../src/ui/grid/window.js';

describe('grid window: rows', () => {
  it('at the top: the pool covers the viewport plus overscan, starting at row 0', () => {
    // 600 px / 36 px = 16.7 → 17 rows, + 3 above + 3 below + 1.
    expect(rowWindow(0, 600, 36, 1000)).toEqual({ pool: 17 + 2 * OVERSCAN_ROWS + 1, first: 0, last: 24 });
  });

  it('scrolled: starts overscan rows above the first visible row', () => {
    expect(rowWindow(36 * 100, 600, 36, 1000)).toEqual({ pool: 24, first: 97, last: 121 });
    // Part-way into a row still counts that row as visible.
    expect(rowWindow(36 * 100 + 20, 600, 36, 1000).first).toBe(97);
  });

  it('at the bottom: the window ends at the last row and keeps the full pool', () => {
    const w = rowWindow(36 * 1000, 600, 36, 1000);
    expect(w.last).toBe(1000);
    expect(w.first).toBe(1000 - w.pool);
  });

  it('a smaller viewport keeps a larger pool it is given (rows stay in their slots), a larger one grows it', () => {
    const big = rowWindow(36 * 100, 600, 36, 1000);
    const shrunk = rowWindow(36 * 100, 300, 36, 1000, OVERSCAN_ROWS, big.pool);
    expect(shrunk.pool).toBe(big.pool);
    expect(shrunk).toEqual(big);
    expect(rowWindow(0, 900, 36, 1000, OVERSCAN_ROWS, big.pool).pool).toBeGreaterThan(big.pool);
  });

  it('a sheet shorter than the pool renders all of it; an empty sheet renders nothing', () => {
    expect(rowWindow(0, 600, 36, 5)).toMatchObject({ first: 0, last: 5 });
    expect(rowWindow(500, 600, 36, 5)).toMatchObject({ first: 0, last: 5 });
    expect(rowWindow(0, 600, 36, 0)).toMatchObject({ first: 0, last: 0 });
  });

  it('coarse pointers (44 px rows) need fewer slots', () => {
    expect(rowWindow(0, 600, 44, 1000).pool).toBe(Math.ceil(600 / 44) + 7);
  });

  it('a page is a viewport less one row, at least one', () => {
    expect(pageRows(600, 36)).toBe(15);
    expect(pageRows(40, 36)).toBe(1);
    expect(pageRows(0, 36)).toBe(1);
  });
});

describe('grid window: columns', () => {
  const widths = [100, 100, 200, 100, 100];
  const offsets = columnOffsets(widths);

  it('offsets are the running sum of widths, ending with the total', () => {
    expect(offsets).toEqual([0, 100, 200, 400, 500, 600]);
    expect(columnOffsets([])).toEqual([0]);
  });

  it('upperBound is the first offset greater than x', () => {
    expect(upperBound(offsets, -1)).toBe(0);
    expect(upperBound(offsets, 0)).toBe(1);
    expect(upperBound(offsets, 150)).toBe(2);
    expect(upperBound(offsets, 600)).toBe(6);
  });

  it('at the left: from column 0 through those the viewport and overscan reach', () => {
    // 0..(250 + 120) reaches into column 2 (200..400).
    expect(columnWindow(offsets, 0, 250)).toEqual({ from: 0, to: 3 });
  });

  it('scrolled right: starts at the column overscan px left of the view', () => {
    // 450 - 120 = 330 is inside column 2; 450 + 100 + 120 = 670 is past the end.
    expect(columnWindow(offsets, 450, 100)).toEqual({ from: 2, to: 5 });
    expect(columnWindow(offsets, 450, 100, 0)).toEqual({ from: 3, to: 5 });
  });

  it('a viewport wider than the sheet shows every column; no columns shows none', () => {
    expect(columnWindow(offsets, 0, 5000)).toEqual({ from: 0, to: 5 });
    expect(columnWindow([0], 0, 1000)).toEqual({ from: 0, to: 0 });
    expect(OVERSCAN_PX).toBeGreaterThan(0);
  });
});

describe('grid window: scroll into view', () => {
  const base = { rowHeight: 36, widths: [100, 100, 200, 100, 100], scrollTop: 0, scrollLeft: 0, viewHeight: 400, viewWidth: 356, headerHeight: 40, rowNumberWidth: 56 };

  it('a cell already in view does not scroll', () => {
    expect(revealTarget({ ...base, row: 0, col: 0 })).toEqual({ scrollTop: 0, scrollLeft: 0 });
    expect(revealTarget({ ...base, row: 5, col: 1, scrollTop: 10 })).toEqual({ scrollTop: 10, scrollLeft: 0 });
  });

  it('a row below the view scrolls just enough to show its bottom edge', () => {
    // Row 20's bottom is 40 + 21 * 36 = 796; the view is 400 tall.
    expect(revealTarget({ ...base, row: 20, col: 0 }).scrollTop).toBe(796 - 400);
  });

  it('with the sticky figures row along the bottom, a row scrolls to show above it, not under it', () => {
    // Row 20's bottom is 796; the view is 400 tall, its last 30px covered by the figures.
    expect(revealTarget({ ...base, row: 20, col: 0, footerHeight: 30 }).scrollTop).toBe(796 - 400 + 30);
    // A row already fully above the figures does not move.
    expect(revealTarget({ ...base, row: 8, col: 0, footerHeight: 30 }).scrollTop).toBe(0);
    // A row partly under them (bottom 40 + 10 * 36 = 400 > 370) scrolls by what they cover.
    expect(revealTarget({ ...base, row: 9, col: 0, footerHeight: 30 }).scrollTop).toBe(30);
  });

  it('a row above the view scrolls so it sits just under the sticky header', () => {
    expect(revealTarget({ ...base, row: 3, col: 0, scrollTop: 1000 }).scrollTop).toBe(3 * 36);
    expect(revealTarget({ ...base, row: 0, col: 0, scrollTop: 1000 }).scrollTop).toBe(0);
  });

  it('a column right of the view scrolls to show its right edge; left of it, to clear the row numbers', () => {
    // Column 4 spans 56 + 500 .. 56 + 600 in content pixels.
    expect(revealTarget({ ...base, row: 0, col: 4 }).scrollLeft).toBe(656 - 356);
    expect(revealTarget({ ...base, row: 0, col: 1, scrollLeft: 300 }).scrollLeft).toBe(100);
    expect(revealTarget({ ...base, row: 0, col: 0, scrollLeft: 300 }).scrollLeft).toBe(0);
  });

  it('the last row and column of a sheet; a column past the end of an empty sheet does not throw', () => {
    expect(revealTarget({ ...base, row: 999, col: 4 })).toEqual({ scrollTop: 40 + 1000 * 36 - 400, scrollLeft: 300 });
    expect(revealTarget({ ...base, widths: [], row: 0, col: 3, scrollLeft: 50 })).toEqual({ scrollTop: 0, scrollLeft: 0 });
  });
});
