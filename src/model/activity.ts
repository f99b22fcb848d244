/**
 * One change as the activity panel shows it, read back from the doc (see
 * Workbook.activity): kind 'cell' has the raw record before and after;
 * 'delta' and 'recount' carry the number; 'claim' and 'release' the person.
 */
export type ActivityKind = 'cell' | 'delta' | 'recount' | 'claim' | 'release';

export interface ActivityEntry {
  sheetId: string;
  rowId: string;
  colId: string;
  kind: ActivityKind;
  before: string | number | null;
  after: string | number | null;
  ref: string;
  at: number;
}

export interface RevertResult {
  reverted: number;
  /** not revertible: a recount, a claim, or a row that no longer exists */
  skipped: number;
}
