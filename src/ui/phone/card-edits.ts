import type { ReactiveController, ReactiveControllerHost } from 'lit';
import type * as Y from 'yjs';
import { isModelError } from '../../model/errors.js';
import type { Column } from '../../model/types.js';
import type { Workbook } from '../../model/workbook.js';
import { errorText } from '../i18n/error-text.js';

/** The change a card last made, which the list's status line names (with its value as it is now). */
export interface CardChange {
  sheetId: string;
  rowId: string;
  colId: string;
  /** the column's name, kept for "Undone: …" after the column is gone */
  column: string;
}

/**
 * The cards' own edits — a status picked from a chip, a − / + on a counter —
 * written the moment they are tapped, as the form writes its fields, each its
 * own undo step. Undo takes back only this person's taps on the cards: the
 * steps are cleared whenever the row form opens or closes, since the form has
 * an Undo of its own for what is done there.
 */
export class CardEdits implements ReactiveController {
  /** the column the last undo took back */
  undone: string | null = null;
  /** why the last tap was refused, in the reader's words */
  error: string | null = null;
  private wb: Workbook | null = null;
  private undo: Y.UndoManager | null = null;
  /** what the tap being written changes, recorded on its undo step */
  private pending: CardChange | null = null;

  constructor(private readonly host: ReactiveControllerHost) {
    host.addController(this);
  }

  hostDisconnected(): void {
    this.undo?.destroy();
    this.undo = null;
    this.wb = null;
  }

  bind(wb: Workbook | null): void {
    if (wb === this.wb) return;
    this.undo?.destroy();
    this.wb = wb;
    this.undo = wb && !wb.readOnly ? wb.createUndoManager() : null;
    this.undo?.on('stack-item-added', (e) => {
      if (e.type === 'undo') e.stackItem.meta.set('change', this.pending);
    });
    this.forget();
  }

  /** The change the next undo takes back; null when there is none a card made. */
  get last(): CardChange | null {
    return (this.undo?.undoStack.at(-1)?.meta.get('change') as CardChange | null | undefined) ?? null;
  }

  /** A choice picked from the status sheet (null: cleared). */
  choose(sheetId: string, rowId: string, col: Column, optionId: string | null): void {
    this.act({ sheetId, rowId, colId: col.id, column: col.name }, (wb) => wb.setCells(sheetId, [{ rowId, colId: col.id, value: optionId }]));
  }

  /** One tap on − or +: a change that adds up with everyone else's. */
  step(sheetId: string, rowId: string, col: Column, delta: number): void {
    this.act({ sheetId, rowId, colId: col.id, column: col.name }, (wb) => wb.adjustCounter(sheetId, rowId, col.id, delta));
  }

  /** Claim (`person` null) or let go of one's own claim (`person`: the key it is held under). */
  claim(sheetId: string, rowId: string, col: Column, person: string | null): void {
    this.act({ sheetId, rowId, colId: col.id, column: col.name }, (wb) => (person === null ? wb.claim(sheetId, rowId, col.id) : wb.release(sheetId, rowId, col.id, person)));
  }

  undoLast(): void {
    const last = this.last;
    if (!this.undo || !last) return;
    this.undo.undo();
    this.undo.stopCapturing();
    this.undone = last.column;
    this.error = null;
    this.host.requestUpdate();
  }

  /** Drops the steps and the message: what comes next (the form) has its own. */
  forget(): void {
    this.undo?.clear();
    this.undone = null;
    this.error = null;
    this.host.requestUpdate();
  }

  private act(change: CardChange, fn: (wb: Workbook) => void): void {
    const wb = this.wb;
    if (!wb) return;
    this.undone = null;
    // Every tap its own step: two quick + taps are two undos, as they were two taps.
    this.undo?.stopCapturing();
    this.pending = change;
    try {
      fn(wb);
      this.error = null;
    } catch (err) {
      if (!isModelError(err)) throw err;
      this.error = errorText(err);
    } finally {
      this.pending = null;
    }
    this.undo?.stopCapturing();
    this.host.requestUpdate();
  }
}
