import { ModelError } from './errors.js';
import { restoreFromSnapshot, type RestoreSummary } from './snapshot-diff.js';
import type { ColumnPatch } from './types.js';
import type { Workbook } from './workbook.js';

/**
 * "Restore to…": brings a sheet or the whole workbook back to how it was at a
 * moment inside the hub's retention window, from the hub's retained log of
 * every acknowledged update (server side: `GET /api/w/<id>/state?at=`). `then`
 * is that earlier state opened as a Workbook (with its journal); `now` is this
 * device's copy, which may be wiped or unrenderable. Everything is new edits
 * made now, in one named history group, so the restore itself is traced and
 * can be undone by another restore; history entries a hostile peer deleted are
 * appended again.
 */

export interface RestoreToResult {
  at: number;
  revived: { meta: boolean; sheets: number; columns: number; rows: number };
  sheets: { sheetId: string; summary: RestoreSummary }[];
  /** sheets made after the moment, moved to the trash (whole-workbook restore) */
  sheetsToTrash: string[];
  columnsChanged: number;
  journalBack: number;
}

export function restoreTo(then: Workbook, now: Workbook, options: { at: number; sheetId?: string }): RestoreToResult {
  if (!then.isInitialized()) throw new ModelError('UNKNOWN_SHEET', 'there was no workbook at that moment', { reason: 'empty' });
  const only = options.sheetId ?? null;
  if (only !== null && !then.sheets().some((s) => s.id === only)) throw new ModelError('UNKNOWN_SHEET', 'that sheet did not exist at that moment', { sheetId: only });
  const result: RestoreToResult = { at: options.at, revived: { meta: false, sheets: 0, columns: 0, rows: 0 }, sheets: [], sheetsToTrash: [], columnsChanged: 0, journalBack: 0 };
  const detail = new Date(options.at).toISOString();
  now.group('rewind', detail, () => {
    result.revived = now.reviveFrom(then, only);
    const thenSheets = then.sheets();
    for (const s of thenSheets) {
      if (only !== null && s.id !== only) continue;
      if (now.deletedSheets().some((d) => d.id === s.id)) now.restoreSheet(s.id);
      if (!now.sheets().some((x) => x.id === s.id)) continue;
      if (now.sheets().find((x) => x.id === s.id)?.name !== s.name) now.renameSheet(s.id, s.name);
      // Column settings first, so values come back into columns that can hold them.
      const nowCols = new Set(now.columns(s.id).map((c) => c.id));
      for (const c of then.columns(s.id)) {
        if (!nowCols.has(c.id)) continue;
        const patch = differences(then.columnSettings(s.id, c.id), now.columnSettings(s.id, c.id));
        if (patch) {
          now.updateColumn(s.id, c.id, patch);
          result.columnsChanged++;
        }
      }
      result.sheets.push({ sheetId: s.id, summary: restoreFromSnapshot(then, now, { sheetId: s.id }) });
    }
    if (only === null) {
      const keep = new Set(thenSheets.map((s) => s.id));
      for (const s of now.sheets()) {
        if (keep.has(s.id) || now.sheets().length <= 1) continue;
        now.deleteSheet(s.id);
        result.sheetsToTrash.push(s.id);
      }
      if (then.title() !== now.title()) now.setTitle(then.title());
      if (then.timeZone() !== now.timeZone()) now.setTimeZone(then.timeZone());
    }
  });
  result.journalBack = restoreJournal(then, now);
  return result;
}

/** Appends the entries the earlier journal has and this one lost (counted as a multiset: duplicates are real entries). */
function restoreJournal(then: Workbook, now: Workbook): number {
  const have = new Map<string, number>();
  for (const raw of now.journal.rawEntries()) have.set(raw, (have.get(raw) ?? 0) + 1);
  const missing: string[] = [];
  for (const raw of then.journal.rawEntries()) {
    const n = have.get(raw) ?? 0;
    if (n > 0) have.set(raw, n - 1);
    else missing.push(raw);
  }
  now.journal.reappend(missing);
  return missing.length;
}

function differences(want: ColumnPatch, have: ColumnPatch): ColumnPatch | null {
  const patch: Record<string, unknown> = {};
  for (const key of Object.keys(want) as (keyof ColumnPatch)[]) {
    if (JSON.stringify(want[key]) !== JSON.stringify(have[key])) patch[key] = want[key];
  }
  return Object.keys(patch).length ? (patch as ColumnPatch) : null;
}
