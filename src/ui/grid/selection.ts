/**
 * The grid's selection model, pure (no DOM, no Lit), as Sheets has it: a
 * range from `anchor` to `focus` (the corner that Shift-moves drag) and, inside
 * it, the `active` cell, which the editor, the footer and presence follow.
 * Extending the range never moves the active cell; a plain move starts from
 * it. Positions are view positions (what is shown after filters and sort).
 */
import { clampPos, rectOf, type CellPos, type Rect } from '../../model/range.js';

export interface GridSelection {
  readonly active: CellPos;
  readonly anchor: CellPos;
  readonly focus: CellPos;
}

/** One cell, selected and active. */
export function cellSelection(p: CellPos): GridSelection {
  return { active: { ...p }, anchor: { ...p }, focus: { ...p } };
}

export function selectionRect(sel: GridSelection): Rect {
  return rectOf(sel);
}

export function isMultiCell(sel: GridSelection): boolean {
  return sel.anchor.row !== sel.focus.row || sel.anchor.col !== sel.focus.col;
}

/**
 * Moves to `to` (clamped to the sheet): a plain move makes it the one
 * selected, active cell; `extend` drags the range's far corner there and
 * leaves the anchor and the active cell where they are.
 */
export function moveSelection(sel: GridSelection, to: CellPos, extend: boolean, nRows: number, nCols: number): GridSelection {
  const p = clampPos(to, Math.max(nRows, 1), Math.max(nCols, 1));
  return extend ? { active: sel.active, anchor: sel.anchor, focus: p } : cellSelection(p);
}

/** Shift+Space: every row the range touches, across all columns; the active cell stays. */
export function selectRows(sel: GridSelection, nCols: number): GridSelection {
  const last = Math.max(0, nCols - 1);
  return { active: sel.active, anchor: { row: sel.anchor.row, col: 0 }, focus: { row: sel.focus.row, col: last } };
}

/** Ctrl+Space: every column the range touches, down all rows; the active cell stays. */
export function selectColumns(sel: GridSelection, nRows: number): GridSelection {
  const last = Math.max(0, nRows - 1);
  return { active: sel.active, anchor: { row: 0, col: sel.anchor.col }, focus: { row: last, col: sel.focus.col } };
}

/** Ctrl+A: the whole sheet; the active cell stays. */
export function selectAll(sel: GridSelection, nRows: number, nCols: number): GridSelection {
  return { active: sel.active, anchor: { row: 0, col: 0 }, focus: { row: Math.max(0, nRows - 1), col: Math.max(0, nCols - 1) } };
}

/**
 * A click on row number `row` (Shift: from the range's anchor row): whole rows,
 * the active cell on the clicked row in the column it was in.
 */
export function rowBand(sel: GridSelection, row: number, extend: boolean, nCols: number): GridSelection {
  const from = extend ? sel.anchor.row : row;
  const active = extend ? sel.active : { row, col: Math.min(sel.active.col, Math.max(0, nCols - 1)) };
  return { active, anchor: { row: from, col: 0 }, focus: { row, col: Math.max(0, nCols - 1) } };
}

/** A click on column header `col` (Shift: from the range's anchor column): whole columns, the active cell at its top. */
export function columnBand(sel: GridSelection, col: number, extend: boolean, nRows: number): GridSelection {
  const from = extend ? sel.anchor.col : col;
  const active = extend ? sel.active : { row: 0, col };
  return { active, anchor: { row: 0, col: from }, focus: { row: Math.max(0, nRows - 1), col } };
}

/** Rows `top`..`top + count - 1`, whole, the first of them active (where moved rows land). */
export function rowsSelection(top: number, count: number, nCols: number): GridSelection {
  return { active: { row: top, col: 0 }, anchor: { row: top, col: 0 }, focus: { row: top + count - 1, col: Math.max(0, nCols - 1) } };
}

/** A block of `height` × `width` cells from (top, left), its top-left active (where a paste lands). */
export function blockSelection(top: number, left: number, height: number, width: number): GridSelection {
  return { active: { row: top, col: left }, anchor: { row: top, col: left }, focus: { row: top + height - 1, col: left + width - 1 } };
}

const samePos = (a: CellPos, b: CellPos) => a.row === b.row && a.col === b.col;

/** The selection kept inside a sheet of this size (after rows or columns went away); the same object when it already fits. */
export function clampSelection(sel: GridSelection, nRows: number, nCols: number): GridSelection {
  const rows = Math.max(nRows, 1);
  const cols = Math.max(nCols, 1);
  const active = clampPos(sel.active, rows, cols);
  const anchor = clampPos(sel.anchor, rows, cols);
  const focus = clampPos(sel.focus, rows, cols);
  if (samePos(active, sel.active) && samePos(anchor, sel.anchor) && samePos(focus, sel.focus)) return sel;
  return { active, anchor, focus };
}

/**
 * Ctrl+End's target: the last row holding any value and the last column
 * holding any value up to that row, (0, 0) on an empty sheet. Scans from the
 * bottom, so a sheet whose data reaches its end answers at once.
 */
export function lastDataCell(nRows: number, nCols: number, filled: (r: number, c: number) => boolean): CellPos {
  let lastRow = -1;
  for (let r = nRows - 1; r >= 0 && lastRow < 0; r--) {
    for (let c = 0; c < nCols; c++) {
      if (filled(r, c)) {
        lastRow = r;
        break;
      }
    }
  }
  if (lastRow < 0) return { row: 0, col: 0 };
  for (let c = nCols - 1; c >= 0; c--) {
    for (let r = lastRow; r >= 0; r--) if (filled(r, c)) return { row: lastRow, col: c };
  }
  return { row: lastRow, col: 0 };
}
