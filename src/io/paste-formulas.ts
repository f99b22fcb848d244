/**
 * Copy and paste of formulas (docs/formulas.md, "Copy/paste of formulas"): what a copy puts in the
 * clipboard marker, and which pasted cells are entered as formulas. Pure: runs in Node tests.
 */

import { isFormulaError } from '../model/formula/errors.js';
import { LayoutIndex } from '../model/formula/layout.js';
import { toDisplay, toStored } from '../model/formula/refs.js';
import { shiftTyped } from '../model/formula/shift.js';
import type { SyntaxOptions } from '../model/formula/parse.js';
import type { Column } from '../model/types.js';
import type { Workbook } from '../model/workbook.js';
import type { ClipboardMarker, CopiedFormula } from './clipboard-marker.js';

/** The copied block: the rows and columns shown, and the rectangle of them selected. */
export interface CopiedBlock {
  rows: readonly string[];
  columns: readonly Column[];
  top: number;
  left: number;
  bottom: number;
  right: number;
}

/**
 * The formula cells of a copied block as the marker lists them: each one's formula in force (its
 * own, or its column's, as `formulaOf` says) in A1 for the current order with `.` decimals, and
 * where the cell sits in its sheet's order, the point a paste measures its shift from. The view may
 * be sorted or filtered: A1 and the shift are always in the sheet's order, as the grid numbers rows.
 */
export function copiedFormulas(wb: Workbook, sheetId: string, block: CopiedBlock, formulaOf: (rowId: string, colId: string) => string | null): CopiedFormula[] {
  // one index for the whole copy: the Workbook's own conversions rebuild one per cell
  const layout = new LayoutIndex(wb);
  const out: CopiedFormula[] = [];
  for (let i = block.top; i <= block.bottom; i++) {
    const rowId = block.rows[i];
    for (let c = block.left; c <= block.right; c++) {
      const col = block.columns[c];
      const stored = formulaOf(rowId, col.id);
      const row = layout.rowIndex(sheetId, rowId);
      const at = layout.colIndex(sheetId, col.id);
      if (stored === null || row === undefined || at === undefined) continue;
      let formula: string;
      try {
        formula = toDisplay(stored, { sheetId, rowId }, layout);
      } catch (err) {
        // stored text is checked on read; one that still fails is copied as its value
        if (isFormulaError(err)) continue;
        throw err;
      }
      out.push({ r: i - block.top, c: c - block.left, row, col: at, formula });
    }
  }
  return out;
}

/** For one pasted cell: the stored formula to write there, or null to paste its text as a value. */
export type FormulaAt = (r: number, c: number, rowId: string, column: Column, text: string) => string | null;

/**
 * Which cells of a pasted block become formulas.
 *
 * With the app's marker for exactly this block (same size as the pasted text): each copied formula,
 * shifted by the distance from its source cell to the cell pasted into in the current order (not
 * at all after a cut), resolved against this workbook; a reference with nothing to name here is
 * #REF!. A cut pasted into another sheet of the workbook it came from keeps reading its own sheet.
 * Every other cell of the block is a value, even text that starts with `=`.
 *
 * Without a marker (another app, or a marker that failed its checks): text that starts with `=` and
 * reads as a formula typed in the cell pasted into is that formula, as Sheets and Excel do with
 * pasted text; anything else, including `=` text that is no formula, is a value.
 *
 * Counters, claims and columns with a formula of their own never get a cell formula: their cells
 * take the value, as a typed `=` does not make a formula there either.
 */
export function pastedFormulas(wb: Workbook, sheetId: string, block: readonly (readonly string[])[], marker: ClipboardMarker | null, options: SyntaxOptions = {}): FormulaAt {
  const width = block.reduce((w, line) => Math.max(w, line.length), 0);
  const own = marker && marker.rows === block.length && marker.cols === width ? marker : null;
  const byCell = new Map(own?.formulas.map((f) => [f.r * own.cols + f.c, f]));
  const sameWorkbook = own !== null && wb.sheets().some((s) => s.id === own.sheetId);
  // built at the first cell, after the paste added the rows and columns it needed
  let layout: LayoutIndex | null = null;
  return (r, c, rowId, column, text) => {
    if (column.type === 'counter' || column.type === 'claim' || column.formula) return null;
    const place = { sheetId, rowId };
    try {
      if (own) {
        const f = byCell.get(r * own.cols + c);
        if (!f) return null;
        layout ??= new LayoutIndex(wb);
        const row = layout.rowIndex(sheetId, rowId);
        const col = layout.colIndex(sheetId, column.id);
        if (row === undefined || col === undefined) return null;
        const [dr, dc] = own.cut ? [0, 0] : [row - f.row, col - f.col];
        return shiftTyped(f.formula, dr, dc, place, layout, { ownSheetId: own.cut && sameWorkbook ? own.sheetId : undefined });
      }
      const typed = text.trim();
      if (typed.length < 2 || !typed.startsWith('=')) return null;
      layout ??= new LayoutIndex(wb);
      return toStored(typed, place, layout, options);
    } catch (err) {
      if (isFormulaError(err)) return null;
      throw err;
    }
  };
}

/**
 * Sheets' paste into a larger selection: a block pasted where the selection is a whole number of
 * times its size (taller, wider or both) fills it, repeated, and the marker's formulas repeat with
 * it, each copy shifting from the same source cell (`=B1*2` into C2:C4 reads `=B2*2` … `=B4*2`).
 * Any other selection takes the block once, from its top-left.
 */
export function tileBlock(block: string[][], marker: ClipboardMarker | null, selRows: number, selCols: number): { block: string[][]; marker: ClipboardMarker | null } {
  const h = block.length;
  const w = block.reduce((n, line) => Math.max(n, line.length), 0);
  if (h === 0 || w === 0 || selRows % h !== 0 || selCols % w !== 0 || (selRows === h && selCols === w)) return { block, marker };
  const down = selRows / h;
  const across = selCols / w;
  const tiled: string[][] = [];
  for (let k = 0; k < down; k++) {
    for (const line of block) {
      const full = Array.from({ length: w }, (_, c) => line[c] ?? '');
      tiled.push(Array.from({ length: w * across }, (_, c) => full[c % w]));
    }
  }
  if (!marker || marker.rows !== h || marker.cols !== w) return { block: tiled, marker: null };
  const formulas: CopiedFormula[] = [];
  for (let ky = 0; ky < down; ky++) for (let kx = 0; kx < across; kx++) for (const f of marker.formulas) formulas.push({ ...f, r: f.r + ky * h, c: f.c + kx * w });
  return { block: tiled, marker: { ...marker, rows: selRows, cols: selCols, formulas } };
}
