import type { Scalar } from '../model/formula/index.js';
import type { CellValue } from '../model/types.js';
import type { Workbook } from '../model/workbook.js';

/** Reads one cell of a sheet as the grid shows it. */
export type ValueReader = (rowId: string, colId: string) => CellValue;

/** What the reader needs of FormulaResults: a formula cell's result, undefined for a plain cell. */
export interface ResultSource {
  result(sheetId: string, rowId: string, colId: string): Scalar | undefined;
}

/** A result as the value sort, filters and column figures compare: an error value as the text it shows (`#DIV/0!`). */
export function resultValue(result: Scalar): CellValue {
  if (result === null || typeof result !== 'object') return result;
  return result.error;
}

/**
 * A cell's value as this device shows it: a formula's result (computed here) where the cell has
 * one, else what the doc holds. Sort, filters and column figures read cells through this, so a
 * computed column sorts and filters by what it shows. While the engine loads a formula cell reads
 * as the doc has it (no value), and the view follows once results arrive.
 */
export function shownValues(wb: Workbook, sheetId: string, results: ResultSource | null | undefined): ValueReader {
  return (rowId, colId) => {
    const r = results?.result(sheetId, rowId, colId);
    return r === undefined ? wb.getValue(sheetId, rowId, colId) : resultValue(r);
  };
}
