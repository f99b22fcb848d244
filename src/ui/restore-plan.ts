import { diffWorkbooks, planRestore } from '../model/snapshot-diff.js';
import type { Workbook } from '../model/workbook.js';

/**
 * What "Restore to…" would do, read before anything is written: per sheet in scope, what comes
 * back, what is set back and whose later changes that undoes; and the history entries that come
 * back. Built on the model's own diff and plan (snapshot-diff.ts), so the preview and the restore
 * (restore-to.ts) agree on what "changed" means. Pure reads of two Workbooks: no DOM, no hub.
 */

export type SheetFate =
  /** not on screen now (wiped, or unreadable): comes back whole */
  | 'back'
  /** in the trash now: comes back from it */
  | 'fromTrash'
  /** on screen now and different: cells, rows or columns are set back */
  | 'changes'
  | 'unchanged'
  /** made after the moment: a whole-workbook restore moves it to the trash */
  | 'toTrash';

export interface SheetPreview {
  sheetId: string;
  /** as it was at the moment (a restore renames it back); for a later sheet, as it is now */
  name: string;
  fate: SheetFate;
  rowsBack: number;
  cellsBack: number;
  rowsToTrash: number;
  columnsBack: number;
  /** values the column, retyped since, can no longer hold: left as they are */
  unfit: number;
}

export interface RestorePreview {
  /** nothing renders now: the workbook was wiped, or what is left of it cannot be read */
  emptyNow: boolean;
  /** there was no workbook yet at that moment: there is nothing to go back to */
  emptyThen: boolean;
  sheets: SheetPreview[];
  /** the title a whole-workbook restore sets back, when it differs */
  titleBack: string | null;
  /** whose current cell values this sets back, most first */
  overwrites: { by: string; cells: number }[];
  /** history entries the moment had that are missing now (restoreTo appends them whatever the scope) */
  historyBack: number;
  totals: { sheets: number; rows: number; cells: number; sheetsToTrash: number };
  /** anything at all would be written */
  changes: boolean;
}

/** `sheetId` null: the whole workbook. */
export function previewRestore(then: Workbook, now: Workbook, sheetId: string | null): RestorePreview {
  const emptyNow = !now.isInitialized() || now.sheets().length === 0;
  const historyBack = missingEntries(then.journal.rawEntries(), now.journal.rawEntries());
  const out: RestorePreview = {
    emptyNow,
    emptyThen: !then.isInitialized(),
    sheets: [],
    titleBack: null,
    overwrites: [],
    historyBack,
    totals: { sheets: 0, rows: 0, cells: 0, sheetsToTrash: 0 },
    changes: false,
  };
  if (out.emptyThen) return out;
  const thenNames = new Map(then.sheets().map((s) => [s.id, s.name]));
  const inTrash = new Set(now.deletedSheets().map((s) => s.id));
  const byPerson = new Map<string, number>();
  for (const d of diffWorkbooks(then, now)) {
    if (sheetId !== null && d.sheetId !== sheetId) continue;
    const sheet: SheetPreview = { sheetId: d.sheetId, name: thenNames.get(d.sheetId) ?? d.name, fate: 'unchanged', rowsBack: 0, cellsBack: 0, rowsToTrash: 0, columnsBack: 0, unfit: 0 };
    if (d.state === 'added-now') {
      // restoreTo keeps a later sheet only when it would otherwise leave no sheet, which cannot happen once the moment's sheets are back.
      if (sheetId !== null || thenNames.size === 0) continue;
      sheet.fate = 'toTrash';
      sheet.rowsToTrash = d.added.length;
      out.totals.sheetsToTrash++;
    } else if (d.state === 'deleted-now') {
      sheet.fate = inTrash.has(d.sheetId) ? 'fromTrash' : 'back';
      sheet.rowsBack = d.removed.length;
      sheet.cellsBack = filledCells(then, d.sheetId);
      sheet.columnsBack = d.columnsRemoved.length;
      out.totals.sheets++;
    } else {
      const plan = planRestore(then, now, { sheetId: d.sheetId });
      sheet.rowsBack = d.removed.length;
      sheet.cellsBack = plan.cells.length;
      sheet.rowsToTrash = plan.rowsToTrash.length;
      sheet.columnsBack = plan.columnsBack.length;
      sheet.unfit = plan.unfit.length;
      const renamed = sheet.name !== d.name;
      if (sheet.rowsBack || sheet.cellsBack || sheet.rowsToTrash || sheet.columnsBack || renamed) sheet.fate = 'changes';
      for (const o of plan.overwrites) byPerson.set(o.by, (byPerson.get(o.by) ?? 0) + o.cells);
    }
    out.totals.rows += sheet.rowsBack;
    out.totals.cells += sheet.cellsBack;
    out.sheets.push(sheet);
  }
  if (sheetId === null && then.title() !== now.title()) out.titleBack = then.title();
  out.overwrites = Array.from(byPerson, ([by, cells]) => ({ by, cells })).sort((a, b) => b.cells - a.cells || a.by.localeCompare(b.by));
  out.changes = out.historyBack > 0 || out.titleBack !== null || out.sheets.some((s) => s.fate !== 'unchanged');
  return out;
}

/** The sheet's cells that hold something, as they were: what "comes back" means to a person. */
function filledCells(wb: Workbook, sheetId: string): number {
  const columns = wb.columns(sheetId);
  let n = 0;
  for (const rowId of wb.rowIds(sheetId)) {
    for (const c of columns) {
      const v = wb.getValue(sheetId, rowId, c.id);
      if (v !== null && v !== '') n++;
    }
  }
  return n;
}

/**
 * How many of the earlier journal's entries the current one lacks, counted as a multiset (two
 * identical entries are two real changes) — the rule restoreTo appends them by.
 */
export function missingEntries(thenRaw: readonly string[], nowRaw: readonly string[]): number {
  const have = new Map<string, number>();
  for (const raw of nowRaw) have.set(raw, (have.get(raw) ?? 0) + 1);
  let missing = 0;
  for (const raw of thenRaw) {
    const n = have.get(raw) ?? 0;
    if (n > 0) have.set(raw, n - 1);
    else missing++;
  }
  return missing;
}
