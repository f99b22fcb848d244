import type { CellValue } from '../model/types.js';
import type { Workbook } from '../model/workbook.js';

export interface ExportReader {
  get(sheetId: string, rowId: string, colId: string): CellValue;
  done(): void;
}

/**
 * What exports write for each cell: values as stored, and for formula cells their results,
 * computed once for the export (the engine is loaded only when the workbook has a formula).
 */
export async function exportReader(wb: Workbook): Promise<ExportReader> {
  if (!wb.hasFormulas()) return { get: (s, r, c) => wb.getValue(s, r, c), done: () => undefined };
  const { exportValues } = await import('../model/formula/index.js');
  // the workbook's zone, not this device's: an export says what every screen says
  return exportValues(wb, { now: Date.now, timeZone: wb.timeZone() });
}
