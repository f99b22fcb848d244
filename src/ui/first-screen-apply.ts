import type { Workbook } from '../model/workbook.js';
import { errorText } from './i18n/error-text.js';
import { t } from './i18n/locale.js';
import { writeTyped } from './grid/editing.js';
import type { PendingEdit } from './first-screen-edits.js';

export interface AppliedEdits {
  applied: number;
  /** each edit not applied, with why in the reader's words: said, so nothing typed vanishes silently */
  refused: { edit: PendingEdit; reason: string }[];
}

/**
 * Writes the edits typed in the first screen, in the order they were typed, as the grid's editor
 * writes a typed edit (grid/editing.ts `writeTyped`: a formula through setFormula, anything else
 * through the column's parser, nothing when it changes nothing), each an ordinary edit of this
 * device with its provenance. What the live workbook refuses (the sheet, row or column is gone,
 * a computed column, a view link, a value that does not fit) is returned with its reason.
 */
export function applyEdits(wb: Workbook, edits: readonly PendingEdit[]): AppliedEdits {
  const out: AppliedEdits = { applied: 0, refused: [] };
  for (const edit of edits) {
    const reason = applyEdit(wb, edit);
    if (reason === null) out.applied++;
    else out.refused.push({ edit, reason });
  }
  return out;
}

function applyEdit(wb: Workbook, edit: PendingEdit): string | null {
  if (wb.readOnly) return t('fs.reason.viewOnly');
  if (!wb.sheets().some((s) => s.id === edit.sheetId)) return t('fs.reason.sheet');
  const col = wb.columns(edit.sheetId).find((c) => c.id === edit.colId);
  if (!col) return t('fs.reason.column');
  if (!wb.hasRow(edit.sheetId, edit.rowId)) return t('fs.reason.row');
  if (col.formula) return t('fs.reason.computed');
  try {
    writeTyped(wb, edit.sheetId, edit.rowId, col, edit.text);
    return null;
  } catch (err) {
    // Anything else thrown is said too: the queue is already taken, and what was typed must not vanish.
    return errorText(err);
  }
}

/** One line per edit not applied: "B4: “abc” was not applied: “abc” is not a number (Count holds numbers)." */
export function refusedText(refused: AppliedEdits['refused']): string[] {
  return refused.map(({ edit, reason }) => t('fs.notApplied', { cell: edit.cell, text: edit.text, reason }));
}
