import type { LayoutIndex } from './layout.js';

/**
 * Which rows and columns of each sheet references were last checked against. An insert, move or
 * sort changes no reference's validity; only a row that came or went does (deleted, restored, or
 * arriving after a formula that names it). Knowing which, a structure change re-checks the few
 * formulas that read those rows instead of all 30,000.
 */
export class Membership {
  private readonly seen = new Map<string, { rows: Set<string>; cols: string }>();

  /** Rows that came or went since the last call for this sheet; null when not known (the first call) or the columns changed. */
  changedRows(sheetId: string, layout: LayoutIndex): string[] | null {
    const rows = layout.rows(sheetId);
    const cols = layout
      .columns(sheetId)
      .map((c) => c.id)
      .join(' ');
    const before = this.seen.get(sheetId);
    const now = new Set(rows);
    this.seen.set(sheetId, { rows: now, cols });
    if (!before || before.cols !== cols) return null;
    const out: string[] = [];
    for (const r of rows) if (!before.rows.has(r)) out.push(r);
    if (now.size - out.length !== before.rows.size) for (const r of before.rows) if (!now.has(r)) out.push(r);
    return out;
  }
}
