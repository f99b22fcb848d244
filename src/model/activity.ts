/**
 * The activity log: one entry per cell change, in a root-level Y.Array (root
 * types never clash, so concurrent appends from offline devices all survive).
 * It answers "who changed this, from what to what", and lets a coordinator
 * revert one person's changes after an edit link leaks.
 *
 * Entry (JSON array): [sheetId, rowId, colId, kind, before, after, ref, at]
 *   kind 'cell'  — before/after are raw stored cell strings (or null)
 *   kind 'delta' — after is the counter delta
 *   kind 'recount' — after is the value counted
 *   kind 'claim' / 'release' — after is the person's name
 */
export type ActivityKind = 'cell' | 'delta' | 'recount' | 'claim' | 'release';

export interface ActivityEntry {
  index: number;
  sheetId: string;
  rowId: string;
  colId: string;
  kind: ActivityKind;
  before: string | number | null;
  after: string | number | null;
  ref: string;
  at: number;
}

const KINDS = new Set<ActivityKind>(['cell', 'delta', 'recount', 'claim', 'release']);

export function encodeActivity(e: Omit<ActivityEntry, 'index'>): string {
  return JSON.stringify([e.sheetId, e.rowId, e.colId, e.kind, e.before, e.after, e.ref, e.at]);
}

export function decodeActivity(raw: unknown, index: number): ActivityEntry | null {
  if (typeof raw !== 'string') return null;
  try {
    const v = JSON.parse(raw);
    if (!Array.isArray(v) || v.length !== 8 || !KINDS.has(v[3]) || typeof v[6] !== 'string' || typeof v[7] !== 'number') return null;
    const scalar = (x: unknown) => (typeof x === 'string' || typeof x === 'number' ? x : null);
    return { index, sheetId: String(v[0]), rowId: String(v[1]), colId: String(v[2]), kind: v[3], before: scalar(v[4]), after: scalar(v[5]), ref: v[6], at: v[7] };
  } catch {
    return null;
  }
}

export interface RevertResult {
  reverted: number;
  /** changed again since by someone else, or not revertible (a recount, a claim) */
  skipped: number;
}
