import * as Y from 'yjs';
import { decodeCell, isStoredFormula, writeId } from './cell-codec.js';
import { decodeClaim, parseClaimKey } from './claim.js';
import { counterValue, decodeOp, parseOpKey, type CounterOp } from './counter.js';
import type { EntryInput } from './history.js';
import type { CellValue } from './types.js';
import { TAKEN, cellRef } from './undo.js';

/**
 * Turns one local transaction's Yjs events into history entries. Reading the
 * events, rather than asking every write method to log itself, means nothing
 * escapes the history: undo and redo, a template, an import, a restore and any
 * future write path are recorded the same way, with the value each key held
 * before (the event's oldValue).
 */

export interface RecorderContext {
  /** the person key of whoever is writing here (claims for oneself vs assignments) */
  me: string;
  /** the cell's heads in the journal before this transaction (see conflicts.ts) */
  heads(sheetId: string, rowId: string, colId: string): string[];
  /** Whether a conflict was shown at the cell with `current` the record on it, before this transaction (see conflicts.ts) */
  conflictShown(sheetId: string, rowId: string, colId: string, current: { id: string; v: CellValue; formula: boolean } | null): boolean;
}

/** Row operations on more rows than this keep a count, not every id (a whole-sheet reorder). */
const MAX_ROW_IDS = 2_000;

export function recordEvents(events: readonly Y.YEvent<any>[], context: RecorderContext): EntryInput[] {
  // A cell an undo or redo left cleared has seen only the record it took (undo.ts).
  const taken = events[0]?.transaction.meta.get(TAKEN) as Set<string> | undefined;
  const ctx: RecorderContext = taken ? { ...context, heads: (s, r, c) => (taken.has(cellRef(s, r, c)) ? [] : context.heads(s, r, c)) } : context;
  const out: EntryInput[] = [];
  const rowBatch = new Map<string, EntryInput>();
  const addRows = (kind: 'row-insert' | 'row-delete' | 'row-restore' | 'row-move', sheetId: string, rowId: string) => {
    const key = `${kind}\u0000${sheetId}`;
    let e = rowBatch.get(key);
    if (!e) {
      e = { kind, sheetId, rowIds: [], after: 0 };
      rowBatch.set(key, e);
      out.push(e);
    }
    e.after = (e.after as number) + 1;
    if (e.rowIds!.length < MAX_ROW_IDS) e.rowIds!.push(rowId);
  };

  for (const event of events) {
    const path = event.path as (string | number)[];
    const target = event.target as Y.Map<unknown>;
    const keys = (event as Y.YMapEvent<unknown>).changes.keys;
    if (path.length === 0) {
      for (const [sheetId, change] of keys) {
        if (change.action === 'add') newSheet(out, sheetId, target.get(sheetId), addRows, ctx);
        else if (change.action === 'delete') out.push({ kind: 'sheet-delete', sheetId, before: nameOf(change.oldValue) });
      }
      continue;
    }
    const sheetId = String(path[0]);
    if (path.length === 1) {
      for (const [key, change] of keys) {
        const now = target.get(key);
        if (key === 'name') out.push({ kind: 'sheet-rename', sheetId, before: text(change.oldValue), after: text(now) });
        else if (key === 'pos') out.push({ kind: 'sheet-move', sheetId });
        else if (key === 'deleted') out.push({ kind: now ? 'sheet-delete' : 'sheet-restore', sheetId, after: text(target.get('name')) });
      }
      continue;
    }
    const part = path[1];
    if (part === 'columns') {
      if (path.length === 2) {
        for (const [colId, change] of keys) {
          if (change.action === 'add') out.push({ kind: 'column-add', sheetId, colId, after: nameOf(target.get(colId)) });
          else if (change.action === 'delete') out.push({ kind: 'column-delete', sheetId, colId, before: nameOf(change.oldValue) });
        }
      } else {
        const colId = String(path[2]);
        for (const [key, change] of keys) {
          const now = target.get(key);
          if (key === 'name') out.push({ kind: 'column-rename', sheetId, colId, before: text(change.oldValue), after: text(now) });
          else if (key === 'type') out.push({ kind: 'column-retype', sheetId, colId, before: text(change.oldValue), after: text(now) });
          else if (key === 'pos') out.push({ kind: 'column-move', sheetId, colId });
          else if (key === 'deleted') out.push({ kind: now ? 'column-delete' : 'column-restore', sheetId, colId, after: text(target.get('name')) });
          else if (key === 'formula') out.push(columnFormulaEntry(sheetId, colId, change.oldValue, now));
          // Width is a drag of the mouse, not a change anyone needs to trace.
          else if (key !== 'width') out.push({ kind: 'column-update', sheetId, colId, after: key });
        }
      }
    } else if (part === 'rowPos') {
      for (const [rowId, change] of keys) {
        if (change.action === 'add') addRows('row-insert', sheetId, rowId);
        else if (change.action === 'update') addRows('row-move', sheetId, rowId);
        // Only an undo of an insert takes a row's place away (deletes put rows in the trash): the rows are gone.
        else if (change.action === 'delete') addRows('row-delete', sheetId, rowId);
      }
    } else if (part === 'rowDeleted') {
      for (const [rowId, change] of keys) {
        if (change.action === 'add' || change.action === 'update') addRows('row-delete', sheetId, rowId);
        else if (change.action === 'delete') addRows('row-restore', sheetId, rowId);
      }
    } else if (part === 'cells') {
      if (path.length === 2) {
        for (const [rowId, change] of keys) {
          const row = target.get(rowId);
          if (change.action === 'add' && row instanceof Y.Map) {
            row.forEach((_v, key) => cellEntry(out, sheetId, rowId, key, row, undefined, ctx));
          }
        }
      } else {
        const rowId = String(path[2]);
        for (const [key, change] of keys) cellEntry(out, sheetId, rowId, key, target as Y.Map<unknown>, change.oldValue, ctx);
      }
    }
  }
  return out;
}

/** A column formula's change keeps old → new as stored text, flagged as formulas, so the history can show both. */
function columnFormulaEntry(sheetId: string, colId: string, was: unknown, now: unknown): EntryInput {
  const before = isStoredFormula(was) ? was : null;
  const after = isStoredFormula(now) ? now : null;
  if (before === null && after === null) return { kind: 'column-update', sheetId, colId, after: 'formula' };
  return { kind: 'column-update', sheetId, colId, before, after, beforeFormula: before !== null, afterFormula: after !== null };
}

export function recordMeta(event: Y.YMapEvent<unknown>): EntryInput[] {
  const out: EntryInput[] = [];
  for (const [key, change] of event.changes.keys) {
    if (key === 'title') out.push({ kind: 'title', before: text(change.oldValue), after: text(event.target.get('title')) });
  }
  return out;
}

function newSheet(
  out: EntryInput[],
  sheetId: string,
  sheet: unknown,
  addRows: (kind: 'row-insert', sheetId: string, rowId: string) => void,
  ctx: RecorderContext,
): void {
  if (!(sheet instanceof Y.Map)) return;
  out.push({ kind: 'sheet-add', sheetId, after: text(sheet.get('name')) });
  const columns = sheet.get('columns');
  if (columns instanceof Y.Map) columns.forEach((col, colId) => out.push({ kind: 'column-add', sheetId, colId, after: nameOf(col) }));
  const rowPos = sheet.get('rowPos');
  if (rowPos instanceof Y.Map) rowPos.forEach((_p, rowId) => addRows('row-insert', sheetId, rowId));
  const cells = sheet.get('cells');
  if (cells instanceof Y.Map) {
    cells.forEach((row, rowId) => {
      if (row instanceof Y.Map) row.forEach((_v, key) => cellEntry(out, sheetId, rowId, key, row, undefined, ctx));
    });
  }
}

function cellEntry(out: EntryInput[], sheetId: string, rowId: string, key: string, row: Y.Map<unknown>, oldRaw: unknown, ctx: RecorderContext): void {
  const raw = row.get(key);
  const op = parseOpKey(key);
  if (op) {
    const d = decodeOp(key, raw);
    if (!d) return;
    const ops: CounterOp[] = [];
    row.forEach((v, k) => {
      if (k === key || !k.startsWith(`${op.colId}#`)) return;
      const o = decodeOp(k, v);
      if (o) ops.push(o);
    });
    const before = ops.length ? counterValue(ops) : null;
    if (d.kind === 'delta') out.push({ kind: 'delta', sheetId, rowId, colId: op.colId, before, after: d.delta });
    else out.push({ kind: 'recount', sheetId, rowId, colId: op.colId, before, after: d.value });
    return;
  }
  const claim = parseClaimKey(key);
  if (claim) {
    const c = decodeClaim(key, raw);
    if (!c) return;
    const had = typeof oldRaw === 'string' ? decodeClaim(key, oldRaw) : null;
    const kind = !c.held ? 'release' : claim.person === ctx.me ? 'claim' : 'assign';
    out.push({ kind, sheetId, rowId, colId: claim.colId, person: claim.person, before: had?.held ? had.name : null, after: c.held ? c.name : null });
    return;
  }
  const cell = decodeCell(raw);
  const was = oldRaw === undefined ? null : decodeCell(oldRaw);
  if (!cell) {
    // A cell taken away entirely (an old-style revert, or a clear by a future app): still a change to trace.
    if (raw === undefined && was) {
      out.push({ kind: 'cell', sheetId, rowId, colId: key, before: was.formula ?? was.v, beforeFormula: was.formula !== undefined, after: null, id: `${writeId(was.ref, was.at)}~`, saw: [writeId(was.ref, was.at)] });
    }
    return;
  }
  const id = writeId(cell.ref, cell.at);
  const replaced = was && { id: writeId(was.ref, was.at), v: was.formula ?? was.v, formula: was.formula !== undefined };
  // The record replaced comes first: revert walks back along it.
  const saw = new Set<string>(replaced ? [replaced.id] : []);
  const heads = ctx.heads(sheetId, rowId, key).filter((h) => h !== id);
  for (const h of heads) saw.add(h);
  // It settled a conflict when one was shown on the record it replaced (the index is as it was
  // before this write) and it saw the heads. Having seen two records is not enough: with the
  // journal ahead of the doc the replaced one may be an earlier write of the one head, and nothing
  // was shown. (An undo's write sees only the record it took: it settles nothing.)
  const resolves = heads.length > 0 && ctx.conflictShown(sheetId, rowId, key, replaced);
  // A formula's entry holds its stored text, flagged, so history, conflicts and reverts carry it as a formula.
  out.push({
    kind: 'cell',
    sheetId,
    rowId,
    colId: key,
    before: was ? (was.formula ?? was.v) : null,
    beforeFormula: !!was?.formula,
    after: cell.formula ?? cell.v,
    afterFormula: cell.formula !== undefined,
    id,
    saw: Array.from(saw),
    resolves,
  });
}

function text(v: unknown): string | null {
  return typeof v === 'string' ? v : v === null || v === undefined ? null : String(v).slice(0, 200);
}

function nameOf(map: unknown): string | null {
  return map instanceof Y.Map ? text(map.get('name')) : null;
}

