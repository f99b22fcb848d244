import type { ReactiveController, ReactiveControllerHost } from 'lit';
import type * as Y from 'yjs';
import { isModelError } from '../model/errors.js';
import type { CellValue, Column } from '../model/types.js';
import { canHoldAsText, parseInput } from '../model/values.js';
import type { Workbook } from '../model/workbook.js';
import { statusKind, type SyncStatus } from '../sync/status.js';
import { errorText } from './i18n/error-text.js';
import { currentLocale, t } from './i18n/locale.js';
import type { MessageKey } from './i18n/messages.js';
import { inputOptions } from './i18n/value-text.js';

/** How long typing may pause before what was typed is written (it is written on leaving the field anyway). */
export const TYPING_PAUSE_MS = 400;

/**
 * Long enough that one field's typing, written at every pause, stays one undo step; the steps'
 * edges are set explicitly with `stopCapturing` (a new field, a tap, a blur), not by time.
 */
const ONE_STEP_MS = 10 * 60_000;

interface Target {
  wb: Workbook;
  sheetId: string;
  rowId: string;
  columns: Column[];
}

/**
 * The phone form's saving, kept apart from its look: every field is written as
 * it changes (typed text at each pause and on leaving the field; choices, ticks
 * and dates at once), so nothing waits for a button. What does not fit its
 * column stays in the field as typed, with the model's reason, until it is fixed
 * — or, when the person leaves the row, is kept as text flagged as not fitting.
 * Undo takes back this person's own changes made in this form to this row, one
 * field edit at a time: a Y.UndoManager tracking only this workbook's writes.
 */
export class RowEdits implements ReactiveController {
  /** what a field shows instead of the stored value: text being typed, or text that was refused */
  readonly drafts = new Map<string, string>();
  /** the model's reason a field's text was refused, by column */
  readonly errors = new Map<string, string>();
  /** fields written from this form for the row shown (the note says where it is saved) */
  readonly saved = new Set<string>();
  /** the column the last undo took back, to say so */
  undone: string | null = null;
  /** fields with typing not yet written */
  private readonly pending = new Set<string>();
  private readonly timers = new Map<string, ReturnType<typeof setTimeout>>();
  private target: Target | null = null;
  private undo: Y.UndoManager | null = null;
  /** the column whose typing the current undo step gathers; null: the next write starts a new step */
  private capturing: string | null = null;

  constructor(private readonly host: ReactiveControllerHost) {
    host.addController(this);
  }

  hostDisconnected(): void {
    this.flush(true);
    this.undo?.destroy();
    this.undo = null;
    this.target = null;
  }

  /**
   * What the form shows, on every render. Another row (previous / next, or the list moved
   * under it) first has the last row's typing written to the last row, then starts afresh.
   */
  bind(wb: Workbook | null, sheetId: string, rowId: string | undefined, columns: Column[]): void {
    const t = this.target;
    if (t && wb === t.wb && sheetId === t.sheetId && rowId === t.rowId) {
      t.columns = columns;
      return;
    }
    this.flush(true);
    this.drafts.clear();
    this.errors.clear();
    this.saved.clear();
    this.undone = null;
    this.capturing = null;
    if (!t || wb !== t.wb) {
      this.undo?.destroy();
      this.undo = wb && !wb.readOnly ? wb.createUndoManager() : null;
      // Steps are cut by hand (see ONE_STEP_MS); a column name on each says what an undo took back.
      if (this.undo) {
        this.undo.captureTimeout = ONE_STEP_MS;
        this.undo.on('stack-item-added', (e) => e.stackItem.meta.set('column', this.lastColumn));
      }
    } else {
      this.undo?.clear();
    }
    this.target = wb && rowId ? { wb, sheetId, rowId, columns } : null;
  }

  /** The column name the next undo step records (set just before each write). */
  private lastColumn = '';

  get canUndo(): boolean {
    return this.undo?.canUndo() ?? false;
  }

  /** Typing in a text-like field: shown at once, written at the next pause. */
  type(col: Column, text: string): void {
    this.drafts.set(col.id, text);
    this.pending.add(col.id);
    clearTimeout(this.timers.get(col.id));
    this.timers.set(
      col.id,
      setTimeout(() => this.commit(col.id), TYPING_PAUSE_MS),
    );
    this.undone = null;
    this.host.requestUpdate();
  }

  /** Leaving a field (blur, or its change event): written now; text that fits stops overriding the stored value. */
  leave(colId: string): void {
    this.commit(colId);
    if (!this.errors.has(colId)) this.drafts.delete(colId);
    this.capturing = null;
    this.host.requestUpdate();
  }

  /** A field whose whole value is chosen at once (a date picked, a choice made as text): parsed and written now. */
  choose(col: Column, text: string): void {
    this.drafts.set(col.id, text);
    this.pending.add(col.id);
    this.capturing = null;
    this.commit(col.id);
    if (!this.errors.has(col.id)) this.drafts.delete(col.id);
    this.host.requestUpdate();
  }

  /** A value that needs no parsing (a tick): written now, as its own undo step. */
  set(col: Column, value: CellValue): void {
    this.clearTyping(col.id);
    this.capturing = null;
    this.write(col, value, null);
    this.host.requestUpdate();
  }

  /** A tap that is an edit of its own (− / +, claim, release): one undo step, and its field says saved. */
  act(col: Column, fn: (wb: Workbook, sheetId: string, rowId: string) => void): void {
    const t = this.target;
    if (!t) return;
    this.undone = null;
    this.beginStep(null, col);
    try {
      fn(t.wb, t.sheetId, t.rowId);
      this.errors.delete(col.id);
      this.saved.add(col.id);
    } catch (err) {
      if (!isModelError(err)) throw err;
      this.errors.set(col.id, errorText(err));
    }
    this.host.requestUpdate();
  }

  /**
   * Writes everything typed and not yet written. `leaving` (another row, back, the page
   * closing): text that does not fit is kept as text flagged as not fitting, rather than lost;
   * only a recount that is not a number (it cannot be kept as text) is dropped.
   */
  flush(leaving: boolean): void {
    for (const colId of Array.from(this.pending)) this.commit(colId);
    if (!leaving || !this.target) return;
    for (const [colId, text] of Array.from(this.drafts)) {
      const col = this.target.columns.find((c) => c.id === colId);
      if (!this.errors.has(colId) || !col || !canHoldAsText(col, text)) continue;
      if (this.write(col, text, null, true)) this.drafts.delete(colId);
    }
    this.host.requestUpdate();
  }

  /** Takes back the last change made in this form; typing not yet written is written first, so that is what goes. */
  undoLast(): void {
    if (!this.undo) return;
    this.flush(false);
    const item = this.undo.undoStack.at(-1);
    if (!item) return;
    this.capturing = null;
    this.undo.undo();
    this.undo.stopCapturing();
    this.undone = (item.meta.get('column') as string | undefined) ?? '';
    // The fields show what the doc now holds; only refused text, which was never written, stays.
    for (const colId of Array.from(this.drafts.keys())) if (!this.errors.has(colId)) this.drafts.delete(colId);
    this.host.requestUpdate();
  }

  /** What a field says about its own saving, or '' when this form has not written it. */
  note(colId: string, status: SyncStatus | null): string {
    if (this.pending.has(colId)) return t('phone.saving');
    if (this.errors.has(colId) || !this.saved.has(colId)) return '';
    return t(savedKey(status));
  }

  private clearTyping(colId: string): void {
    clearTimeout(this.timers.get(colId));
    this.timers.delete(colId);
    this.pending.delete(colId);
    this.drafts.delete(colId);
  }

  /** Writes one field's typed text, if it has some waiting. */
  private commit(colId: string): void {
    clearTimeout(this.timers.get(colId));
    this.timers.delete(colId);
    if (!this.pending.delete(colId)) return;
    const col = this.target?.columns.find((c) => c.id === colId);
    const text = this.drafts.get(colId);
    if (!col || text === undefined) return;
    // An empty recount box means "no recount", not "set to 0".
    if (col.type === 'counter' && text.trim() === '') {
      this.errors.delete(colId);
      return;
    }
    let value: CellValue;
    try {
      value = parseInput(col, text, inputOptions(currentLocale()));
    } catch (err) {
      if (!isModelError(err)) throw err;
      this.errors.set(colId, errorText(err));
      this.host.requestUpdate();
      return;
    }
    this.write(col, value, colId);
    this.host.requestUpdate();
  }

  /**
   * Writes one value (a counter's is a recount). `step` is the field whose typing this
   * continues (merged into one undo step), or null for a step of its own.
   */
  private write(col: Column, value: CellValue, step: string | null, misfitAsText = false): boolean {
    const t = this.target;
    if (!t) return false;
    try {
      if (value !== t.wb.getValue(t.sheetId, t.rowId, col.id)) {
        this.beginStep(step, col);
        if (col.type === 'counter') {
          if (typeof value === 'number') t.wb.recount(t.sheetId, t.rowId, col.id, value);
        } else {
          t.wb.setCells(t.sheetId, [{ rowId: t.rowId, colId: col.id, value }], { keepMisfitText: misfitAsText });
        }
        this.saved.add(col.id);
      }
      this.errors.delete(col.id);
      return true;
    } catch (err) {
      if (!isModelError(err)) throw err;
      this.errors.set(col.id, errorText(err));
      return false;
    }
  }

  /** Cuts the undo history before a write unless it continues the same field's typing. */
  private beginStep(step: string | null, col: Column): void {
    if (step === null || step !== this.capturing) this.undo?.stopCapturing();
    this.capturing = step;
    this.lastColumn = col.name;
  }
}

/** Where a change written from this device now is: the hub, this device, or only this page. */
export function savedKey(status: SyncStatus | null): MessageKey {
  if (!status) return 'phone.savedDevice';
  if (status.local === 'failed') return 'phone.failedDevice';
  if (statusKind(status) === 'synced') return 'phone.savedHub';
  if (status.local === 'none') return 'phone.savedPage';
  if (status.local === 'saving') return 'phone.savingDevice';
  return 'phone.savedDevice';
}
