/** A cell position in a view: row and column indexes of what is shown, not ids. */
export interface CellPos {
  row: number;
  col: number;
}

/** A rectangular selection, anchor where it started and focus where it ends (the active cell). */
export interface Selection {
  anchor: CellPos;
  focus: CellPos;
}

export interface Rect {
  top: number;
  left: number;
  bottom: number;
  right: number;
}

export function rectOf(sel: Selection): Rect {
  return {
    top: Math.min(sel.anchor.row, sel.focus.row),
    bottom: Math.max(sel.anchor.row, sel.focus.row),
    left: Math.min(sel.anchor.col, sel.focus.col),
    right: Math.max(sel.anchor.col, sel.focus.col),
  };
}

export function rectContains(r: Rect, row: number, col: number): boolean {
  return row >= r.top && row <= r.bottom && col >= r.left && col <= r.right;
}

export function rectSize(r: Rect): { rows: number; cols: number; cells: number } {
  const rows = r.bottom - r.top + 1;
  const cols = r.right - r.left + 1;
  return { rows, cols, cells: rows * cols };
}

export function clampPos(p: CellPos, rows: number, cols: number): CellPos {
  return { row: Math.max(0, Math.min(rows - 1, p.row)), col: Math.max(0, Math.min(cols - 1, p.col)) };
}

export function single(p: CellPos): Selection {
  return { anchor: { ...p }, focus: { ...p } };
}

/**
 * Ctrl+Arrow: the spreadsheet "data edge" jump along one line of cells. From a
 * filled cell whose neighbour is filled, go to the last filled cell of that
 * run; otherwise go to the next filled cell, or to the end of the line.
 * `filled(i)` says whether position i along the line holds a value.
 */
export function dataEdge(from: number, step: 1 | -1, length: number, filled: (i: number) => boolean): number {
  // nothing to walk (an empty sheet), or a start outside it: stay, rather than walk forever
  if (length <= 0 || from < 0 || from >= length) return from;
  const last = step > 0 ? length - 1 : 0;
  if (from === last) return from;
  let i = from;
  if (filled(i) && filled(i + step)) {
    while (i !== last && filled(i + step)) i += step;
    return i;
  }
  i += step;
  while (i !== last && !filled(i)) i += step;
  return i;
}
