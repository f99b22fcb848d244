import { holders } from '../model/claim.js';
import type { Workbook } from '../model/workbook.js';
import { translate, type Locale } from './i18n/locale.js';
import { listAnd } from './i18n/value-text.js';

/** One person holding a claim, as a claim cell or the phone form names them. */
export interface Holder {
  name: string;
  /** who gave it to them, when it was not their own claim */
  assignedBy: string | null;
  /** the reader holds it (their own key, or an assignment to their name) */
  mine: boolean;
}

/** A claim cell's holders in words, for its tooltip and the grid's footer. */
export function claimCellText(locale: Locale, wb: Workbook, sheetId: string, rowId: string, colId: string): string {
  return claimText(locale, claimHolders(wb, sheetId, rowId, colId));
}

/** The holders of a claim cell, earliest first, as `claimText` words them. */
export function claimHolders(wb: Workbook, sheetId: string, rowId: string, colId: string): Holder[] {
  return holders(wb.claims(sheetId, rowId, colId)).map((e) => ({ name: e.name, assignedBy: wb.assignedBy(e), mine: wb.isMine(e) }));
}

/**
 * The one phrasing of who holds a claim, for the grid, the claim menu and the
 * phone form: "Ana", "Ana (assigned by Maria)", and for the person it was
 * given to "You (assigned by Maria)". A claim someone took themselves keeps
 * their name, so two people claiming at once still read "Luis, Ana".
 * `join`: 'list' for a cell ("Luis, Ana"), 'and' for a sentence ("Luis and Ana").
 * Empty when nobody holds it.
 */
export function claimText(locale: Locale, people: readonly Holder[], join: 'list' | 'and' = 'list'): string {
  const words = people.map((h) =>
    h.assignedBy === null
      ? h.name
      : translate(locale, h.mine ? 'claim.youAssigned' : 'claim.assigned', { name: h.name, by: h.assignedBy }),
  );
  // The same person claiming from two devices is one holder to the reader.
  const unique = Array.from(new Set(words));
  return join === 'and' ? listAnd(locale, unique) : unique.join(', ');
}
