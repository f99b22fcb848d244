import type { ReactiveController } from 'lit';
import type { Column } from '../../model/types.js';
import { claimCellText } from '../claim-text.js';
import { otherValuesText } from '../conflict-tracker.js';
import { currentLocale, formatDateTime, t } from '../i18n/locale.js';
import { displayValue, personText } from '../i18n/value-text.js';
import type { GridHost } from './host.js';
import { MAX_DRAG_WIDTH, MIN_DRAG_WIDTH } from './metrics.js';

/**
 * The pointer on the grid: press and drag to select cells, drag rows by
 * their numbers, drag a column's edge to resize it (one shared write when the
 * drag ends), and the tooltip saying who changed the cell under the pointer.
 *
 * Editing a formula with the caret where a reference may go, a press on a
 * cell puts its reference in and a drag a range (FormulaPointing); the editor
 * keeps the keyboard.
 *
 * Cells are reused as the grid scrolls (a cell element shows another column
 * after a sideways scroll), so the tooltip is put on the element under the
 * pointer afresh after every scroll, and after any render that made the
 * titled element show another cell; it is never left on an element that
 * shows something else.
 */
export class PointerController implements ReactiveController {
  /** The row a dragged row block would land before, shown as a line. */
  dropRow: number | null = null;
  /** A column's width while its edge is dragged (written when the drag ends). */
  widthPreview: { colId: string; width: number } | null = null;
  private dragging = false;
  /** A press is pointing at cells for a formula: dragging stretches the reference, not the selection. */
  private pointing = false;
  private rowDrag: { from: number; count: number } | null = null;
  private lastPointer: { x: number; y: number } | null = null;
  private titled: HTMLElement | null = null;
  /** The cell (row id and column id) the title on `titled` is about. */
  private titledFor = '';
  private rescan = false;

  constructor(private readonly host: GridHost) {
    host.addController(this);
  }

  hostConnected(): void {
    window.addEventListener('pointerup', this.onWindowPointerUp);
  }

  hostDisconnected(): void {
    window.removeEventListener('pointerup', this.onWindowPointerUp);
  }

  /** The grid scrolled: the cell under a resting pointer may now be another one. */
  scrolled(): void {
    if (this.lastPointer) this.rescan = true;
  }

  hostUpdated(): void {
    if (this.titled && this.titledFor !== this.cellKey(this.titled)) this.rescan = true;
    if (!this.rescan) return;
    this.rescan = false;
    if (!this.lastPointer) {
      this.clearTitle();
      return;
    }
    const root = this.host.renderRoot as ShadowRoot;
    const under = root.elementFromPoint?.(this.lastPointer.x, this.lastPointer.y);
    const cell = under?.closest<HTMLElement>('.cell') ?? null;
    if (cell) this.showProvenance(cell);
    else this.clearTitle();
  }

  cellDown(e: PointerEvent, row: number, col: number): void {
    if (e.button !== 0) return;
    const { editor, selection } = this.host;
    if (editor.editing) {
      if (row === selection.active.row && col === selection.active.col) return;
      if (editor.formulaDraft && editor.formula.canPoint()) {
        // Kept from focusing the cell, the editor keeps the keyboard (and its caret).
        e.preventDefault();
        editor.formula.pointAt({ row, col }, e.shiftKey);
        this.pointing = true;
        return;
      }
      if (!editor.commit(false)) {
        e.preventDefault();
        return;
      }
    }
    e.preventDefault();
    selection.select({ row, col }, e.shiftKey);
    this.dragging = true;
    const { columns } = this.host.data.shown();
    // One click on a checkbox toggles it, as in every spreadsheet.
    if (columns[col]?.type === 'checkbox' && (e.target as HTMLElement).dataset.toggle) this.host.run({ kind: 'toggle' });
  }

  readonly onPointerOver = (e: PointerEvent): void => {
    this.lastPointer = { x: e.clientX, y: e.clientY };
    const cell = (e.target as HTMLElement).closest<HTMLElement>('.cell');
    if (!cell) return;
    const row = Number(cell.dataset.row);
    const col = Number(cell.dataset.col);
    this.showProvenance(cell);
    const sel = this.host.selection.sel;
    if (this.pointing && e.buttons === 1) {
      this.host.editor.formula.dragTo({ row, col });
    } else if (this.dragging && e.buttons === 1) {
      if (row !== sel.focus.row || col !== sel.focus.col) this.host.selection.set({ active: sel.active, anchor: sel.anchor, focus: { row, col } });
    } else if (this.rowDrag && e.buttons === 1) {
      this.dropRow = row;
      this.host.requestUpdate();
    }
  };

  readonly onPointerLeave = (): void => {
    this.lastPointer = null;
  };

  private clearTitle(): void {
    this.titled?.removeAttribute('title');
    this.titled = null;
    this.titledFor = '';
  }

  /** Which cell an element shows now: its row id and column id (positions alone repeat across views). */
  private cellKey(cell: HTMLElement): string {
    const { rows, columns } = this.host.data.shown();
    return `${rows[Number(cell.dataset.row)] ?? ''}:${columns[Number(cell.dataset.col)]?.id ?? ''}`;
  }

  /** Who changed a cell and when, as its tooltip: computed on hover, not for every rendered cell. */
  private showProvenance(cell: HTMLElement): void {
    if (this.titled !== cell) this.clearTitle();
    const wb = this.host.workbook;
    const { rows, columns } = this.host.data.shown();
    const row = Number(cell.dataset.row);
    const c = columns[Number(cell.dataset.col)];
    const rowId = rows[row];
    const record = c && rowId ? wb?.getCell(this.host.sheetId, rowId, c.id) : undefined;
    if (!wb || !c || !record) {
      cell.removeAttribute('title');
      return;
    }
    const locale = currentLocale();
    const text = c.type === 'claim' ? claimCellText(locale, wb, this.host.sheetId, rowId, c.id) : displayValue(locale, c, record.v);
    const where = t('grid.cellName', { column: c.name, row: this.host.data.rowNumber(row) });
    const who = t('grid.provenance', { by: personText(locale, record.by), when: formatDateTime(record.at) });
    const conflict = this.host.conflicts.at(rowId, c.id);
    const also = conflict ? `\n${t('conflict.tooltip', { values: otherValuesText(locale, wb, c, conflict, true) })}` : '';
    cell.title = `${where}${text ? `: ${text}` : ''}\n${who}${also}`;
    this.titled = cell;
    this.titledFor = this.cellKey(cell);
  }

  private onWindowPointerUp = (): void => {
    this.dragging = false;
    this.pointing = false;
    if (!this.rowDrag) return;
    const drag = this.rowDrag;
    this.rowDrag = null;
    const to = this.dropRow;
    this.dropRow = null;
    if (to !== null && (to < drag.from || to > drag.from + drag.count)) this.moveRows(drag.from, drag.count, to);
    this.host.requestUpdate();
  };

  /** A press on a row's number selects the row (or keeps a selected block) and starts dragging it. */
  rowHeadDown(e: PointerEvent, row: number): void {
    if (e.button !== 0) return;
    e.preventDefault();
    const { selection } = this.host;
    const rect = selection.rect;
    const { columns } = this.host.data.shown();
    const inSelection = row >= rect.top && row <= rect.bottom && rect.left === 0 && rect.right === columns.length - 1;
    if (!inSelection || e.shiftKey) selection.selectRowBand(row, e.shiftKey);
    const r = selection.rect;
    // A view link selects rows but cannot move them.
    if (!this.host.workbook?.readOnly) this.rowDrag = { from: r.top, count: r.bottom - r.top + 1 };
    this.host.focusGrid();
  }

  private moveRows(from: number, count: number, toViewIndex: number): void {
    const wb = this.host.workbook;
    if (!wb) return;
    const sheetId = this.host.sheetId;
    const { rows } = this.host.data.shown();
    const ids = rows.slice(from, from + count);
    const base = wb.rowIds(sheetId);
    const target = rows[toViewIndex];
    const toIndex = target ? base.indexOf(target) : base.length;
    this.host.guard(() => wb.moveRows(sheetId, ids, toIndex));
    const newTop = toViewIndex > from ? toViewIndex - count : toViewIndex;
    const cols = this.host.data.shown().columns.length;
    this.host.selection.set({ active: { row: newTop, col: 0 }, anchor: { row: newTop, col: 0 }, focus: { row: newTop + count - 1, col: Math.max(0, cols - 1) } });
  }

  startResize(e: PointerEvent, col: Column, startWidth: number): void {
    e.preventDefault();
    e.stopPropagation();
    const handle = e.target as HTMLElement;
    handle.setPointerCapture(e.pointerId);
    const startX = e.clientX;
    const move = (ev: PointerEvent) => {
      const width = Math.max(MIN_DRAG_WIDTH, Math.min(MAX_DRAG_WIDTH, Math.round(startWidth + ev.clientX - startX)));
      this.widthPreview = { colId: col.id, width };
      this.host.requestUpdate();
    };
    const up = () => {
      handle.removeEventListener('pointermove', move);
      handle.removeEventListener('pointerup', up);
      const preview = this.widthPreview;
      this.widthPreview = null;
      this.host.requestUpdate();
      const wb = this.host.workbook;
      // Widths are shared: one write when the drag ends, not one per pixel.
      if (preview && preview.width !== col.width && wb) this.host.guard(() => wb.updateColumn(this.host.sheetId, col.id, { width: preview.width }));
    };
    handle.addEventListener('pointermove', move);
    handle.addEventListener('pointerup', up);
  }
}
