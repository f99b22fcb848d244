import * as Y from 'yjs';
import { decodeCell, encodeCell, splitBefore, writeId } from './cell-codec.js';
import { parseClaimKey } from './claim.js';
import { parseOpKey } from './counter.js';

/**
 * Undo and redo as fresh writes. Y.UndoManager puts back the very record a
 * cell held before, under that record's old write id; the journal already
 * knows that id and the write being undone lists it as seen, so the value put
 * back is never a head (conflicts.ts). An undo that crossed a colleague's
 * unseen write then loses one of the two without a trace: Yjs keeps either,
 * nothing flags it. Undoing a cell's first write is worse: Yjs deletes the
 * record, and when that record is the one the map ordered last, every write
 * that crossed it goes with it. So each plain cell an undo or redo touches is
 * written again, in the same transaction, as a new record of this person's
 * under a new id — the put-back value, or a cleared cell where the step took
 * the record away. The recorder journals it like any typed value: old → new,
 * having seen what the cell showed here and its heads. A colleague's write
 * this device had not seen stays a head beside it, a conflict on every peer;
 * an undo with nothing crossing it replaces one head with one, and stays quiet.
 * A cleared cell is only what the step left, not a value anyone chose, so it
 * settles nothing: it lists as seen only the record it took (see TAKEN).
 */

/**
 * Transaction meta: the cells (sheetId, rowId, colId joined by U+0000) a step
 * left cleared. When Yjs takes away the record a map ordered last, a colleague's
 * record that crossed it is not revived; listing every head as seen would then
 * settle that colleague's value out of sight.
 */
export const TAKEN = Symbol('cells an undo or redo left cleared');

export function cellRef(sheetId: string, rowId: string, colId: string): string {
  return `${sheetId}\u0000${rowId}\u0000${colId}`;
}

type StackItem = ReturnType<Y.UndoManager['undo']>;

/**
 * This person's writer ref and a new write time (cell-codec.ts), asked for once per step.
 * `rowsBack`: the step brought back a row (or sheet) map whose cells show no earlier record
 * to list as seen, so the seen-lists need the cells' heads from the journal.
 */
export type FreshWriter = (rowsBack: boolean) => { ref: string; at: number };

export class FreshUndoManager extends Y.UndoManager {
  private readonly sheets: Y.Map<any>;
  private readonly fresh: FreshWriter;

  constructor(sheets: Y.Map<any>, scope: Y.AbstractType<any>[], options: { trackedOrigins: Set<unknown>; captureTimeout: number }, fresh: FreshWriter) {
    super(scope, options);
    this.sheets = sheets;
    this.fresh = fresh;
  }

  override undo(): StackItem {
    return this.step(false);
  }

  override redo(): StackItem {
    return this.step(true);
  }

  private step(redo: boolean): StackItem {
    let res: StackItem = null;
    try {
      // One transaction around Yjs's own (which then joins it): the records are
      // rewritten before anyone — peers, the journal — sees the step.
      this.doc.transact((tr) => {
        const before = tr.beforeState.get(this.doc.clientID) ?? 0;
        res = redo ? super.redo() : super.undo();
        if (res) this.rewrite(tr, before);
        // Yjs files this transaction on the redo (or undo) stack when it ends, by
        // these flags; its own undo()/redo() cleared them already.
        if (redo) this.redoing = true;
        else this.undoing = true;
      }, this);
    } finally {
      this.undoing = false;
      this.redoing = false;
    }
    return res;
  }

  /** Every plain cell the step put a record in (this device's items since `before`) or took one from becomes a new write. */
  private rewrite(tr: Y.Transaction, before: number): void {
    const put: { row: Y.Map<unknown>; key: string; item: Y.Item }[] = [];
    const taken = new Map<Y.Map<unknown>, Map<string, string>>();
    const structs = this.doc.store.clients.get(this.doc.clientID) ?? [];
    // Items made in this transaction are the newest of this client, at the end;
    // a map keeps one live item per key, so each cell comes up once.
    for (let i = structs.length - 1; i >= 0 && structs[i].id.clock >= before; i--) {
      const item = structs[i];
      const cell = item instanceof Y.Item && !item.deleted ? this.cellOf(item) : null;
      if (cell) put.push({ row: (item as Y.Item).parent as Y.Map<unknown>, key: cell.colId, item: item as Y.Item });
    }
    Y.iterateDeletedStructs(tr, tr.deleteSet, (item) => {
      const cell = item instanceof Y.Item ? this.cellOf(item) : null;
      if (!cell) return;
      const row = (item as Y.Item).parent as Y.Map<unknown>;
      if (row.has(cell.colId) || !decodeCell((item as Y.Item).content.getContent().at(-1))) return;
      let keys = taken.get(row);
      if (!keys) taken.set(row, (keys = new Map()));
      keys.set(cell.colId, cellRef(cell.sheetId, cell.rowId, cell.colId));
    });
    if (put.length === 0 && taken.size === 0) return;
    const client = this.doc.clientID;
    const rowsBack = put.some(({ row }) => row._item !== null && row._item.id.client === client && row._item.id.clock >= before);
    const { ref, at } = this.fresh(rowsBack);
    const id = writeId(ref, at);
    for (const { row, key, item } of put) {
      const raw = restamp(row.get(key), id);
      if (raw === null) continue;
      row.set(key, raw);
      // Yjs finds what an earlier step put in place by following `redone` from the
      // item it first wrote; pointing the put-back item at its replacement keeps
      // that chain whole, so the next undo takes the new record away.
      const now = row._map.get(key);
      if (now) item.redone = now.id;
    }
    const cleared = new Set<string>();
    for (const [row, keys] of taken) {
      for (const [key, cell] of keys) {
        row.set(key, encodeCell(ref, at, null));
        cleared.add(cell);
      }
    }
    if (cleared.size) tr.meta.set(TAKEN, cleared);
  }

  /** The plain cell an item of a sheet's cells is a record of (not a counter op, a claim, a column or a sheet's own field). */
  private cellOf(item: Y.Item): { sheetId: string; rowId: string; colId: string } | null {
    const key = item.parentSub;
    const row = item.parent;
    if (key === null || !(row instanceof Y.Map) || parseOpKey(key) || parseClaimKey(key)) return null;
    const rowId = row._item?.parentSub;
    const cells = row.parent;
    if (!rowId || !(cells instanceof Y.Map) || cells._item?.parentSub !== 'cells' || cells.get(rowId) !== row) return null;
    const sheet = cells.parent;
    const sheetId = sheet?._item?.parentSub;
    return sheetId && sheet instanceof Y.Map && sheet.get('cells') === cells && this.sheets.get(sheetId) === sheet ? { sheetId, rowId, colId: key } : null;
  }
}

/**
 * The same content under another write id: only the `ref|at|` head changes, so
 * whatever the record holds (a value, a formula) comes back as it was. Null for
 * what is not a cell record (a hostile peer's junk is left as it is).
 */
function restamp(raw: unknown, id: string): string | null {
  if (typeof raw !== 'string' || !decodeCell(raw)) return null;
  const { record } = splitBefore(raw);
  const a = record.indexOf('|');
  const b = record.indexOf('|', a + 1);
  return `${id}|${record.slice(b + 1)}`;
}
