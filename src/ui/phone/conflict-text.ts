import type { CellConflict } from '../../model/conflicts.js';
import type { Column } from '../../model/types.js';
import type { Workbook } from '../../model/workbook.js';
import { otherValuesText } from '../conflict-tracker.js';
import type { Locale } from '../i18n/locale.js';

/**
 * The values a conflicting cell does not show, with who wrote each and when, as
 * the laptop's conflict menu says them: “Done” by Luis, 2 Dec 2026, 14:02.
 * The time is exact, not "5 min ago": on a phone read hours later, and next to
 * the history, a relative time would not match what the history lists.
 */
export function otherValues(locale: Locale, wb: Workbook, col: Column, c: CellConflict): string {
  return otherValuesText(locale, wb, col, c, true);
}

/** The fields of a card that can hold a conflict, in the order the card shows them (counters and claims merge instead). */
export function conflictableFields(layout: { title: Column | null; status: Column | null; lines: Column[] }): Column[] {
  const out: Column[] = [];
  if (layout.title) out.push(layout.title);
  if (layout.status) out.push(layout.status);
  for (const c of layout.lines) if (!out.includes(c)) out.push(c);
  return out.filter((c) => c.type !== 'counter' && c.type !== 'claim');
}
