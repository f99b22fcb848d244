import type { CellValue } from '../types.js';
import type { Workbook } from '../workbook.js';
import { isError, type FormulaClock } from './values.js';
import { WorkbookFormulas } from './workbook-input.js';

/**
 * What an export writes for each cell: a formula cell's result, computed once for the whole
 * workbook (a number, text, TRUE/FALSE; an error value as its text, `#REF!`), and every other
 * cell's value as it is. Exports carry results because the file's reader cannot see our id-based
 * references; call `done()` when the export is written.
 */
export function exportValues(wb: Workbook, clock: FormulaClock): { get(sheetId: string, rowId: string, colId: string): CellValue; done(): void } {
  const formulas = WorkbookFormulas.fromDoc(wb, clock);
  return {
    get(sheetId, rowId, colId) {
      const result = formulas.engine.result(sheetId, rowId, colId);
      if (result === undefined) return wb.getValue(sheetId, rowId, colId);
      return isError(result) ? result.error : result;
    },
    done: () => formulas.destroy(),
  };
}
