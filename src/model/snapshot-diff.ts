import { ModelError } from './errors.js';
import type { CellValue, CellWrite, Column } from './types.js';
import { fitsColumn } from './values.js';
import type { Workbook } from './workbook.js';

/**
 * Comparing a saved snapshot ("then") with the live workbook ("now") and
 * restoring from it. Both are Workbooks over docs of the same lineage, so rows
 * and columns are matched by id, never by position. A restore is a set of new
 * edits made now — history is never rewritten — and it says up front whose
 * later changes it will set back, so nobody's work is replaced silently.
 */

export interface CellChange {
  rowId: string;
  colId: string;
  column: string;
  before: CellValue;
  after: CellValue;
  /** the cell held a formula then / holds one now (stored text, docs/formulas.md); absent when not */
  formulaBefore?: string;
  formulaAfter?: string;
  /** who made the current value, and when */
  by: string | null;
  at: number | null;
}

export interface SheetDiff {
  sheetId: string;
  name: string;
  /** the sheet was in the snapshot and is in the trash now, or was created after it */
  state: 'present' | 'deleted-now' | 'added-now';
  added: string[];
  removed: string[];
  changed: CellChange[];
  columnsAdded: Column[];
  columnsRemoved: Column[];
}

export interface RestorePlan {
  sheetId: string;
  /** only these rows (a single-row restore); whole sheet when absent */
  rows?: readonly string[];
}

export interface RestoreSummary {
  cells: CellChange[];
  rowsBack: string[];
  rowsToTrash: string[];
  columnsBack: Column[];
  sheetBack: boolean;
  /** whose later edits this restore sets back, with how many cells each */
  overwrites: { by: string; cells: number }[];
  /** values the current column can no longer hold (it was retyped since); left as they are now */
  unfit: CellChange[];
}

function sameValue(a: CellValue, b: CellValue): boolean {
  return a === b || (a === null && b === '') || (a === '' && b === null);
}

function hasSheet(wb: Workbook, sheetId: string): 'visible' | 'deleted' | 'absent' {
  if (wb.sheets().some((s) => s.id === sheetId)) return 'visible';
  if (wb.deletedSheets().some((s) => s.id === sheetId)) return 'deleted';
  return 'absent';
}

function changedCells(then: Workbook, now: Workbook, sheetId: string, rows: Iterable<string>, columns: readonly Column[]): CellChange[] {
  const out: CellChange[] = [];
  for (const rowId of rows) {
    for (const col of columns) {
      const was = then.getCell(sheetId, rowId, col.id);
      const before = was?.v ?? null;
      const current = now.getCell(sheetId, rowId, col.id);
      const after = current?.v ?? null;
      if (sameValue(before, after) && was?.formula === current?.formula) continue;
      const change: CellChange = { rowId, colId: col.id, column: col.name, before, after, by: current?.by ?? null, at: current?.at ?? null };
      if (was?.formula) change.formulaBefore = was.formula;
      if (current?.formula) change.formulaAfter = current.formula;
      out.push(change);
    }
  }
  return out;
}

/** What changed in one sheet between the snapshot and now. */
export function diffSheet(then: Workbook, now: Workbook, sheetId: string): SheetDiff {
  const thenState = hasSheet(then, sheetId);
  const nowState = hasSheet(now, sheetId);
  const name = (now.sheets().find((s) => s.id === sheetId) ?? then.sheets().find((s) => s.id === sheetId))?.name ?? sheetId;
  if (thenState !== 'visible') {
    return { sheetId, name, state: 'added-now', added: nowState === 'visible' ? now.rowIds(sheetId) : [], removed: [], changed: [], columnsAdded: [], columnsRemoved: [] };
  }
  const thenRows = then.rowIds(sheetId);
  const thenCols = then.columns(sheetId);
  if (nowState !== 'visible') {
    return { sheetId, name, state: 'deleted-now', added: [], removed: thenRows, changed: [], columnsAdded: [], columnsRemoved: thenCols };
  }
  const nowRows = now.rowIds(sheetId);
  const nowRowSet = new Set(nowRows);
  const thenRowSet = new Set(thenRows);
  const nowCols = now.columns(sheetId);
  const nowColIds = new Set(nowCols.map((c) => c.id));
  const thenColIds = new Set(thenCols.map((c) => c.id));
  return {
    sheetId,
    name,
    state: 'present',
    added: nowRows.filter((id) => !thenRowSet.has(id)),
    removed: thenRows.filter((id) => !nowRowSet.has(id)),
    changed: changedCells(
      then,
      now,
      sheetId,
      thenRows.filter((id) => nowRowSet.has(id)),
      thenCols.filter((c) => nowColIds.has(c.id)),
    ),
    columnsAdded: nowCols.filter((c) => !thenColIds.has(c.id)),
    columnsRemoved: thenCols.filter((c) => !nowColIds.has(c.id)),
  };
}

/** Every sheet that exists in either, in the order people see them now (then the snapshot's). */
export function diffWorkbooks(then: Workbook, now: Workbook): SheetDiff[] {
  const ids = [...now.sheets().map((s) => s.id), ...then.sheets().map((s) => s.id)];
  return Array.from(new Set(ids)).map((id) => diffSheet(then, now, id));
}

export function isUnchanged(d: SheetDiff): boolean {
  return d.state === 'present' && !d.added.length && !d.removed.length && !d.changed.length && !d.columnsAdded.length && !d.columnsRemoved.length;
}

/** What restoring would do, for the confirmation a person reads before anything is written. */
export function planRestore(then: Workbook, now: Workbook, plan: RestorePlan): RestoreSummary {
  const { sheetId } = plan;
  if (hasSheet(then, sheetId) !== 'visible') throw new ModelError('UNKNOWN_SHEET', 'that sheet is not in the snapshot', { sheetId });
  if (hasSheet(now, sheetId) === 'absent') throw new ModelError('UNKNOWN_SHEET', 'that sheet is not in this workbook', { sheetId });
  const thenRows = then.rowIds(sheetId);
  const wanted = plan.rows ? new Set(plan.rows) : null;
  const rows = wanted ? thenRows.filter((id) => wanted.has(id)) : thenRows;
  if (wanted && rows.length !== wanted.size) throw new ModelError('UNKNOWN_ROW', 'a row to restore is not in the snapshot', { sheetId });
  if (hasSheet(now, sheetId) === 'deleted') {
    // The sheet comes back from the trash first; what else changes is worked out once it is back.
    return { cells: [], rowsBack: [], rowsToTrash: [], columnsBack: [], sheetBack: true, overwrites: [], unfit: [] };
  }
  const nowRows = new Set(now.rowIds(sheetId));
  const nowColIds = new Set(now.columns(sheetId).map((c) => c.id));
  const thenCols = then.columns(sheetId);
  const columnsBack = wanted ? [] : thenCols.filter((c) => !nowColIds.has(c.id));
  const restoredCols = thenCols.filter((c) => nowColIds.has(c.id) || columnsBack.includes(c));
  const rowsBack = rows.filter((id) => !nowRows.has(id) && now.hasRowRecord(sheetId, id));
  const rowsToTrash = wanted ? [] : Array.from(nowRows).filter((id) => !thenRows.includes(id));
  const all = changedCells(then, now, sheetId, rows, restoredCols);
  const columnNow = new Map(restoredCols.map((c) => [c.id, nowColIds.has(c.id) ? now.column(sheetId, c.id) : c]));
  const unfit: CellChange[] = [];
  const cells: CellChange[] = [];
  for (const ch of all) {
    const col = columnNow.get(ch.colId)!;
    const ok =
      ch.formulaBefore !== undefined
        ? col.type !== 'counter' && col.type !== 'claim'
        : ch.before === null || col.type === 'counter' || col.type === 'claim'
          ? col.type === then.column(sheetId, ch.colId).type
          : fitsColumn(col, ch.before);
    (ok ? cells : unfit).push(ch);
  }
  const byPerson = new Map<string, number>();
  for (const ch of cells) if (ch.after !== null && ch.by) byPerson.set(ch.by, (byPerson.get(ch.by) ?? 0) + 1);
  return {
    cells,
    rowsBack,
    rowsToTrash,
    columnsBack,
    sheetBack: false,
    overwrites: Array.from(byPerson, ([by, n]) => ({ by, cells: n })).sort((a, b) => b.cells - a.cells),
    unfit,
  };
}

/**
 * Puts the snapshot's values back as new edits in one transaction (one undo
 * step, one sync update): the sheet, columns and rows come back from the
 * trash, cells get the snapshot's values (counters by a recount, claims by
 * setting their holders), and — for a whole-sheet restore — rows added since
 * go to the trash, where they can be restored in turn.
 */
export function restoreFromSnapshot(then: Workbook, now: Workbook, plan: RestorePlan): RestoreSummary {
  let summary = planRestore(then, now, plan);
  const { sheetId } = plan;
  now.group('restore', then.title(), () => {
    if (summary.sheetBack) {
      now.restoreSheet(sheetId);
      summary = { ...planRestore(then, now, plan), sheetBack: true };
    }
    for (const c of summary.columnsBack) now.restoreColumn(sheetId, c.id);
    if (summary.rowsBack.length) now.restoreRows(sheetId, summary.rowsBack);
    const writes: CellWrite[] = [];
    for (const ch of summary.cells) {
      const type = now.column(sheetId, ch.colId).type;
      if (type === 'counter') now.recount(sheetId, ch.rowId, ch.colId, typeof ch.before === 'number' ? ch.before : 0);
      else if (type === 'claim') {
        const people = then.claims(sheetId, ch.rowId, ch.colId).filter((e) => e.held);
        now.setClaimHolders(sheetId, ch.rowId, ch.colId, people.map((e) => ({ person: e.person, name: e.name })));
      } else writes.push(ch.formulaBefore !== undefined ? { rowId: ch.rowId, colId: ch.colId, value: null, formula: ch.formulaBefore } : { rowId: ch.rowId, colId: ch.colId, value: ch.before });
    }
    now.setCells(sheetId, writes, { keepMisfitText: true });
    if (summary.rowsToTrash.length) now.deleteRows(sheetId, summary.rowsToTrash);
  });
  return summary;
}
