import { columnLetter } from './blank-sheet.js';
import { isModelError, type ModelErrorCode } from './errors.js';
import { LayoutIndex } from './formula/layout.js';
import { shiftStored } from './formula/shift.js';
import type { CellValue, CellWrite, Column } from './types.js';
import { canHoldAsText, fitsColumn, parseInput, type InputOptions } from './values.js';
import type { Workbook } from './workbook.js';

export const CONFIRM_PASTE_CELLS = 10_000;

export interface Misfit {
  /** 1-based row number in the view and the column's name, as a person would say them */
  row: number;
  column: string;
  text: string;
  /** why, in English for logs; `code` and `detail` let the UI say it in the reader's language */
  reason: string;
  code: ModelErrorCode;
  detail: Record<string, unknown>;
  /** true when the text is in the cell, flagged as not fitting; false where a cell cannot hold text (counts, claims) */
  kept: boolean;
}

export interface PasteResult {
  written: number;
  addedRows: number;
  addedColumns: number;
  misfits: Misfit[];
}

/**
 * Pastes a block of text cells with its top-left at (top, left) of a view.
 * Grows the sheet with rows and text columns when the block runs past its
 * edges. Each value is typed by its column (parseInput); text that does not
 * fit is kept in the cell as it came, flagged as a misfit as an import keeps it,
 * and reported — never dropped or coerced. Counts and claims cannot hold text:
 * those misfits are reported and not written.
 * Everything happens in one transaction: one sync update, one undo step.
 */
export interface PasteOptions extends InputOptions {
  /** the name of the n-th column, when a paste adds columns (the UI's language) */
  columnName?: (n: number) => string;
  /** the stored formula to write at a block cell instead of its text, or null (src/io/paste-formulas.ts) */
  formulaAt?: (r: number, c: number, rowId: string, column: Column, text: string) => string | null;
}

export function pasteBlock(
  wb: Workbook,
  sheetId: string,
  viewRows: readonly string[],
  viewColumns: readonly Column[],
  top: number,
  left: number,
  block: string[][],
  options: PasteOptions = {},
): PasteResult {
  const height = block.length;
  const width = Math.max(0, ...block.map((r) => r.length));
  const result: PasteResult = { written: 0, addedRows: 0, addedColumns: 0, misfits: [] };
  if (height === 0 || width === 0) return result;
  wb.group('paste', `${height}×${width}`, () => {
    const rows = viewRows.slice(top, top + height);
    result.addedRows = height - rows.length;
    if (result.addedRows > 0) rows.push(...wb.insertRows(sheetId, wb.rowCount(sheetId), result.addedRows));
    const columns = viewColumns.slice(left, left + width);
    const existing = wb.columns(sheetId).length;
    for (let i = columns.length; i < width; i++) {
      const n = existing + i - columns.length + 1;
      const id = wb.addColumn(sheetId, { name: options.columnName?.(n) ?? columnLetter(n - 1) });
      columns.push(wb.column(sheetId, id));
      result.addedColumns++;
    }
    const writes: CellWrite[] = [];
    block.forEach((line, r) => {
      line.forEach((text, c) => {
        const column = columns[c];
        const formula = options.formulaAt?.(r, c, rows[r], column, text) ?? null;
        if (formula !== null) {
          writes.push({ rowId: rows[r], colId: column.id, value: null, formula });
          return;
        }
        let value: CellValue;
        try {
          value = parseInput(column, text, options);
        } catch (err) {
          if (!isModelError(err)) throw err;
          const kept = canHoldAsText(column, text);
          result.misfits.push({ row: top + r + 1, column: column.name, text, reason: err.message, code: err.code, detail: err.detail, kept });
          if (kept) writes.push({ rowId: rows[r], colId: column.id, value: text });
          return;
        }
        writes.push({ rowId: rows[r], colId: column.id, value });
      });
    });
    wb.setCells(sheetId, writes, { keepMisfitText: true });
    result.written = writes.length;
  });
  return result;
}

/** Ctrl+D: copies the top row of a block into the rows below it (or the row above into a single row). */
export function fillDown(wb: Workbook, sheetId: string, viewRows: readonly string[], columns: readonly Column[], top: number, bottom: number): number {
  const source = top === bottom ? top - 1 : top;
  if (source < 0) return 0;
  const from = viewRows[source];
  const writes: CellWrite[] = [];
  let layout: LayoutIndex | null = null;
  for (let r = source + 1; r <= bottom; r++) {
    for (const col of columns) {
      // A formula fills down as Sheets fills it: relative parts shift by the distance in the sheet's order.
      const formula = col.formula ? null : wb.getFormula(sheetId, from, col.id);
      if (formula !== null) {
        layout ??= new LayoutIndex(wb);
        const formulaTo = shiftStored(formula, { sheetId, rowId: from, colId: col.id }, { sheetId, rowId: viewRows[r], colId: col.id }, layout);
        writes.push({ rowId: viewRows[r], colId: col.id, value: null, formula: formulaTo });
        continue;
      }
      const value = wb.getValue(sheetId, from, col.id);
      // A value left over from a retype cannot be written again; the target keeps its own.
      if (fitsColumn(col, value)) writes.push({ rowId: viewRows[r], colId: col.id, value });
    }
  }
  wb.setCells(sheetId, writes);
  return writes.length;
}
