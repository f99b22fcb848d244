import { ModelError } from './errors.js';
import type { NamedEntry } from './history.js';
import type { CellValue } from './types.js';
import type { Workbook } from './workbook.js';

export interface RevertResult {
  reverted: number;
  /** not revertible: a recount, a move, or a change someone else has built on since */
  skipped: number;
}

/**
 * "Revert everything this person changed between two times" (a leaked edit
 * link, a confused volunteer), over the whole history, not one step per cell.
 * Every step is a new edit made now, so the revert itself is in the history and
 * can be reverted. A change someone else has built on since is theirs and stays.
 */
export function revertPerson(wb: Workbook, name: string, from: number, to: number): RevertResult {
  const result: RevertResult = { reverted: 0, skipped: 0 };
  const mine = (e: NamedEntry) => e.by === name && e.at >= from && e.at <= to;
  const entries = wb.journal.query({ by: name, from, to }, (ref) => wb.knownActor(ref)).filter((e) => e.kind !== 'group');
  if (entries.length === 0) return result;
  const attempt = (fn: () => boolean) => {
    try {
      if (fn()) result.reverted++;
      else result.skipped++;
    } catch (err) {
      if (!(err instanceof ModelError)) throw err;
      result.skipped++;
    }
  };
  wb.group('revert', name, () => {
    const cellsDone = new Set<string>();
    // Newest first: structure changes are undone in reverse order of making.
    for (const e of entries) {
      const sheetId = e.sheetId;
      switch (e.kind) {
        case 'cell': {
          const key = `${sheetId}\u0000${e.rowId}\u0000${e.colId}`;
          if (cellsDone.has(key) || !sheetId || !e.rowId || !e.colId) continue;
          cellsDone.add(key);
          attempt(() => revertCell(wb, sheetId, e.rowId!, e.colId!, mine));
          break;
        }
        case 'delta':
          attempt(() => {
            if (!sheetId || !e.rowId || !e.colId || typeof e.after !== 'number' || !wb.hasRow(sheetId, e.rowId)) return false;
            wb.adjustCounter(sheetId, e.rowId, e.colId, -e.after);
            return true;
          });
          break;
        case 'claim':
        case 'assign':
          attempt(() => {
            if (!sheetId || !e.rowId || !e.colId || !e.person) return false;
            const entry = wb.claims(sheetId, e.rowId, e.colId).find((c) => c.person === e.person);
            // Still held as they left it: nobody has claimed, released or reassigned it since.
            if (!entry?.held || wb.knownActor(entry.ref)?.name !== name) return false;
            wb.release(sheetId, e.rowId, e.colId, e.person);
            return true;
          });
          break;
        case 'row-insert':
          attempt(() => {
            if (!sheetId) return false;
            const still = e.rowIds.filter((id) => wb.hasRow(sheetId, id));
            if (!still.length) return false;
            wb.deleteRows(sheetId, still);
            return true;
          });
          break;
        case 'row-delete':
          attempt(() => {
            if (!sheetId) return false;
            const deleted = new Set(wb.deletedRows(sheetId).map((r) => r.id));
            const back = e.rowIds.filter((id) => deleted.has(id));
            if (!back.length) return false;
            wb.restoreRows(sheetId, back);
            return true;
          });
          break;
        case 'column-add':
          attempt(() => {
            if (!sheetId || !e.colId || !wb.columns(sheetId).some((c) => c.id === e.colId)) return false;
            wb.deleteColumn(sheetId, e.colId);
            return true;
          });
          break;
        case 'column-delete':
          attempt(() => {
            if (!sheetId || !e.colId || !wb.deletedColumns(sheetId).some((c) => c.id === e.colId)) return false;
            wb.restoreColumn(sheetId, e.colId);
            return true;
          });
          break;
        case 'column-rename':
        case 'column-retype':
          attempt(() => {
            if (!sheetId || !e.colId || typeof e.before !== 'string') return false;
            const col = wb.columns(sheetId).find((c) => c.id === e.colId);
            if (!col) return false;
            if (e.kind === 'column-rename' && col.name === e.after) wb.updateColumn(sheetId, e.colId, { name: e.before });
            else if (e.kind === 'column-retype' && col.type === e.after) wb.updateColumn(sheetId, e.colId, { type: e.before as never });
            else return false;
            return true;
          });
          break;
        case 'sheet-add':
          attempt(() => {
            if (!sheetId || !wb.sheets().some((s) => s.id === sheetId)) return false;
            wb.deleteSheet(sheetId);
            return true;
          });
          break;
        case 'sheet-delete':
          attempt(() => {
            if (!sheetId || !wb.deletedSheets().some((s) => s.id === sheetId)) return false;
            wb.restoreSheet(sheetId);
            return true;
          });
          break;
        case 'sheet-rename':
          attempt(() => {
            const now = wb.sheets().find((s) => s.id === sheetId);
            if (!now || now.name !== e.after || typeof e.before !== 'string') return false;
            wb.renameSheet(now.id, e.before);
            return true;
          });
          break;
        default:
          // recounts (a count cannot be un-counted), moves, releases, restores, titles
          result.skipped++;
      }
    }
  });
  return result;
}

/**
 * A cell goes back to what it held before this person's first write in the range,
 * following the chain of their writes back through the journal; only if the value
 * shown now is theirs.
 */
function revertCell(wb: Workbook, sheetId: string, rowId: string, colId: string, mine: (e: NamedEntry) => boolean): boolean {
  if (!wb.hasRow(sheetId, rowId)) return false;
  const currentId = wb.cellWriteId(sheetId, rowId, colId);
  let e = currentId ? wb.cellWrite(sheetId, rowId, colId, currentId) : undefined;
  if (!e || !mine(e)) return false;
  let value: CellValue = e.before;
  let formula = e.beforeFormula;
  const visited = new Set<string>();
  while (e && mine(e) && !visited.has(e.id!)) {
    visited.add(e.id!);
    value = e.before;
    formula = e.beforeFormula;
    const previous: string | undefined = e.saw[0];
    e = previous ? wb.cellWrite(sheetId, rowId, colId, previous) : undefined;
  }
  // a formula it replaced goes back as a formula, not as its stored text
  const write = formula && typeof value === 'string' ? { rowId, colId, value: null, formula: value } : { rowId, colId, value };
  wb.setCells(sheetId, [write], { keepMisfitText: true });
  return true;
}
