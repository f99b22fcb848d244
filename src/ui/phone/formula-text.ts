import type { Scalar } from '../../model/formula/values.js';
import type { Column } from '../../model/types.js';
import type { Workbook } from '../../model/workbook.js';
import type { FormulaResults } from '../formula-results.js';
import type { Locale } from '../i18n/locale.js';
import { inputOptions } from '../i18n/value-text.js';


/**
 * Formula results on the phone (cards and the row form), where they are read, never typed:
 * what a computed field shows, in the same words as the grid's cell.
 */

/** What the phone needs of FormulaResults (src/ui/formula-results.ts): the formula in force at a cell, and its result. */
export type FormulaReader = Pick<FormulaResults, 'formula' | 'result'>;

export interface ComputedField {
  /** the formula as this reader reads it: A1 for their order, columns by their names now */
  formula: string;
  /** what it shows; undefined while the engine is still loading */
  result: Scalar | undefined;
  /** the column's formula (every row), rather than this cell's own */
  column: boolean;
}

/** Whether the field is worked out by a formula (its column's or its own); cheap enough for every card. */
export function isComputed(formulas: FormulaReader | null | undefined, sheetId: string, rowId: string, col: Column): boolean {
  if (col.type === 'counter' || col.type === 'claim') return false;
  return (formulas?.formula(sheetId, rowId, col.id) ?? null) !== null;
}

/** A computed field's formula and result; null for a field people type in. */
export function computedField(
  locale: Locale,
  wb: Workbook,
  formulas: FormulaReader | null | undefined,
  sheetId: string,
  rowId: string,
  col: Column,
): ComputedField | null {
  if (!formulas || !isComputed(formulas, sheetId, rowId, col)) return null;
  const stored = formulas.formula(sheetId, rowId, col.id)!;
  return {
    formula: wb.formulaForDisplay(stored, { sheetId, rowId }, inputOptions(locale)),
    result: formulas.result(sheetId, rowId, col.id),
    column: col.formula !== undefined && col.formula === stored,
  };
}
