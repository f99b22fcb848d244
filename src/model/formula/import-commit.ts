import { commitImport, convertCell, type ImportColumnPlan, type ImportResult, type ImportTable, type ImportTarget } from '../import.js';
import type { CellWrite } from '../types.js';
import type { Workbook } from '../workbook.js';
import { MAX_FORMULA_LENGTH } from './parse.js';
import { placeIds, planImportFormulas, valuesOnly, type DroppedFormula, type PlacedSheet, type SheetFormulaPlan } from './import-formulas.js';

export interface ImportItem {
  table: ImportTable;
  plans: readonly ImportColumnPlan[];
  target: ImportTarget;
}

export interface FormulaImportResult extends ImportResult {
  /** cells written as formulas */
  formulas: number;
  /** columns given one column formula */
  columnFormulas: number;
  /** the file's formulas that came in as their cached value, with why */
  dropped: DroppedFormula[];
}

/**
 * Every chosen sheet of a file in one transaction (one undo step): values first, through
 * commitImport, then the formulas, once every sheet they may point at has its rows and columns.
 * A formula that cannot be kept brings in its cached value; the others bring in no value at all
 * (a result is computed on each device, never stored: docs/formulas.md).
 */
export function commitImports(wb: Workbook, items: readonly ImportItem[], planned?: readonly SheetFormulaPlan[]): FormulaImportResult[] {
  // The preview planned them already for the same choices (a 50,000-row formula column takes seconds to convert).
  const plans = planned ?? planImportFormulas(items.map((i) => ({ table: i.table, plans: i.plans, append: i.target.kind === 'append' })));
  return wb.group('import', items.map((i) => (i.target.kind === 'new' ? i.target.name : i.table.name)).join(', '), () => {
    const placed: PlacedSheet[] = [];
    const results: FormulaImportResult[] = items.map((item, i) => {
      const before = new Set(item.target.kind === 'append' ? wb.rowIds(item.target.sheetId) : []);
      const r = commitImport(wb, valuesOnly(item.table, plans[i]), item.plans, item.target);
      const rowIds = wb.rowIds(r.sheetId).filter((id) => !before.has(id));
      const included = item.plans.filter((p) => p.include);
      const columns = wb.columns(r.sheetId);
      const colIds = new Map<number, string>();
      included.forEach((p, k) => {
        // A new sheet has exactly the planned columns, in order; rows added to a sheet go under the columns of their names, as commitImport matched them.
        const column = item.target.kind === 'new' ? columns[k] : columns.find((c) => c.name.trim().toLowerCase() === p.name.trim().toLowerCase());
        if (column) colIds.set(p.source, column.id);
      });
      placed.push({ sheetId: r.sheetId, rowIds, colIds });
      return { ...r, formulas: 0, columnFormulas: 0, dropped: plans[i].dropped.slice() };
    });
    items.forEach((item, i) => {
      const sheet = placed[i];
      const result = results[i];
      const writes: CellWrite[] = [];
      const cached: CellWrite[] = [];
      for (const c of plans[i].cells) {
        const stored = placeIds(c.stored, i, placed);
        const colId = sheet.colIds.get(c.source)!;
        const rowId = sheet.rowIds[c.row];
        if (stored.length <= MAX_FORMULA_LENGTH) {
          writes.push({ rowId, colId, value: null, formula: stored });
          continue;
        }
        // Ids of an existing sheet longer than the import's own: the formula no longer fits, its value comes in.
        result.dropped.push({ row: c.row, source: c.source, text: c.text, reason: 'too-long' });
        const plan = item.plans.find((p) => p.source === c.source)!;
        try {
          cached.push({ rowId, colId, value: convertCell(wb.column(sheet.sheetId, colId), plan, item.table.rows[c.row][c.source] ?? null) });
        } catch {
          // A cached value that does not fit the column is left out, as commitImport leaves out such a value.
        }
      }
      wb.setCells(sheet.sheetId, [...writes, ...cached], { keepMisfitText: true });
      for (const c of plans[i].columns) wb.updateColumn(sheet.sheetId, sheet.colIds.get(c.source)!, { formula: placeIds(c.stored, i, placed) });
      result.formulas = writes.length;
      result.columnFormulas = plans[i].columns.length;
    });
    return results;
  });
}
