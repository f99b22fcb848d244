/**
 * The grid's window maths, pure (no DOM): which rows and columns of a sheet
 * exist in the DOM for a scroll offset and viewport, and where to scroll so a
 * cell is fully in view. Positions are in the scroller's content pixels: the
 * header row (`headerHeight`) is above row 0, the row numbers
 * (`rowNumberWidth`) left of column 0, both sticky.
 */

/** Rows and columns rendered beyond the visible ones, so a fast scroll does not flash blanks. */
export const OVERSCAN_ROWS = 3;
export const OVERSCAN_PX = 120;

export interface RowWindow {
  /** Row slots: row i always renders in slot i % pool. */
  pool: number;
  /** First row rendered (inclusive). */
  first: number;
  /** Last row rendered (exclusive). */
  last: number;
}

/**
 * A fixed pool of row slots wide enough for the viewport plus overscan (and at
 * least `minPool`), and the rows [first, last) that fill it at this scroll offset.
 */
export function rowWindow(scrollTop: number, viewportHeight: number, rowHeight: number, rowCount: number, overscan = OVERSCAN_ROWS, minPool = 0): RowWindow {
  const pool = Math.max(minPool, Math.ceil(viewportHeight / rowHeight) + 2 * overscan + 1);
  const first = Math.max(0, Math.min(Math.floor(scrollTop / rowHeight) - overscan, rowCount - pool));
  const last = Math.min(rowCount, first + pool);
  return { pool, first, last };
}

/** Left edge of each column and, last, the total width: `[0, w0, w0+w1, …]`. */
export function columnOffsets(widths: readonly number[]): number[] {
  const offsets: number[] = [0];
  for (const w of widths) offsets.push(offsets[offsets.length - 1] + w);
  return offsets;
}

/** The columns [from, to) that overlap the viewport (plus overscan) at this horizontal offset. */
export function columnWindow(offsets: readonly number[], scrollLeft: number, viewportWidth: number, overscanPx = OVERSCAN_PX): { from: number; to: number } {
  const count = offsets.length - 1;
  const from = Math.max(0, upperBound(offsets, scrollLeft - overscanPx) - 1);
  const to = Math.min(count, upperBound(offsets, scrollLeft + viewportWidth + overscanPx));
  return { from, to };
}

/** Rows a PageUp / PageDown moves: a viewport less one, at least one. */
export function pageRows(viewportHeight: number, rowHeight: number): number {
  return Math.max(1, Math.floor(viewportHeight / rowHeight) - 1);
}

export interface RevealInput {
  row: number;
  col: number;
  rowHeight: number;
  /** Width of each shown column, in order. */
  widths: readonly number[];
  scrollTop: number;
  scrollLeft: number;
  /** The scroller's client size (header and row numbers included). */
  viewHeight: number;
  viewWidth: number;
  headerHeight: number;
  rowNumberWidth: number;
  /** A sticky row at the bottom (the column figures) that covers the last visible pixels; 0 when absent. */
  footerHeight?: number;
}

/**
 * The scroll offsets that bring cell (row, col) into view, moving as little as
 * possible: unchanged on an axis where it is already fully visible, else just
 * enough that it clears the sticky header / row numbers, or the far edge and
 * the sticky figures row along the bottom.
 */
export function revealTarget(p: RevealInput): { scrollTop: number; scrollLeft: number } {
  let { scrollTop, scrollLeft } = p;
  const h = p.rowHeight;
  const top = p.headerHeight + p.row * h;
  if (top - p.headerHeight < scrollTop) scrollTop = top - p.headerHeight;
  else if (top + h > scrollTop + p.viewHeight - (p.footerHeight ?? 0)) scrollTop = top + h - p.viewHeight + (p.footerHeight ?? 0);
  let left = p.rowNumberWidth;
  for (let i = 0; i < p.col && i < p.widths.length; i++) left += p.widths[i];
  const w = p.widths[p.col] ?? 0;
  if (left - p.rowNumberWidth < scrollLeft) scrollLeft = left - p.rowNumberWidth;
  else if (left + w > scrollLeft + p.viewWidth) scrollLeft = left + w - p.viewWidth;
  return { scrollTop, scrollLeft };
}

/** The first index whose offset is greater than x (offsets ascending). */
export function upperBound(offsets: readonly number[], x: number): number {
  let lo = 0;
  let hi = offsets.length;
  while (lo < hi) {
    const mid = (lo + hi) >> 1;
    if (offsets[mid] <= x) lo = mid + 1;
    else hi = mid;
  }
  return lo;
}
