import { fillDown } from '../../model/paste.js';
import type { CellPos } from '../../model/range.js';
import type { CellWrite, Column } from '../../model/types.js';
import type { ViewSpec } from '../../model/view.js';
import { t } from '../i18n/locale.js';
import type { ToolbarActions } from './grid-toolbar.js';
import type { GridHost } from './host.js';
import { cellSelection } from './selection.js';

/**
 * What the grid does to the sheet beyond typing: the selection's cells
 * (toggle, clear, fill down, counters), the menus on a cell (claim, conflict,
 * history), undo, and structure (rows, columns, the view's order applied to
 * the sheet). Each write is refused up front on a view link and shows a model
 * error in the footer rather than throwing.
 */
export class SheetActions implements ToolbarActions {
  constructor(private readonly host: GridHost) {}

  /** Writes, in one transaction, what `make` returns for each selected cell (null: leave it). */
  private writeSelection(make: (rowId: string, col: Column) => CellWrite | null): void {
    const wb = this.host.workbook;
    if (!wb) return;
    const { rows, columns } = this.host.data.shown();
    const r = this.host.selection.rect;
    const writes: CellWrite[] = [];
    for (let i = r.top; i <= r.bottom; i++) {
      for (let c = r.left; c <= r.right; c++) {
        const w = make(rows[i], columns[c]);
        if (w) writes.push(w);
      }
    }
    this.host.guard(() => wb.setCells(this.host.sheetId, writes));
  }

  toggleCheckboxes(): void {
    const a = this.host.selection.activeCell();
    const wb = this.host.workbook;
    if (!a || !wb) return;
    const next = wb.getValue(this.host.sheetId, a.rowId, a.col.id) !== true;
    this.writeSelection((rowId, col) => (col.type === 'checkbox' ? { rowId, colId: col.id, value: next } : null));
  }

  clearSelection(): void {
    const wb = this.host.workbook;
    if (!wb) return;
    this.writeSelection((rowId, col) => {
      const cell = wb.getCell(this.host.sheetId, rowId, col.id);
      // a formula cell holds no value (v is null) and is cleared all the same
      return cell?.v != null || cell?.formula !== undefined ? { rowId, colId: col.id, value: null } : null;
    });
  }

  fillDown(): void {
    const wb = this.host.workbook;
    if (!wb) return;
    const { rows, columns } = this.host.data.shown();
    const r = this.host.selection.rect;
    this.host.guard(() => fillDown(wb, this.host.sheetId, rows, columns.slice(r.left, r.right + 1), r.top, r.bottom));
  }

  /** −1 / +1 on a counter: a delta, which adds up with everyone else's (never a recount). */
  step(rowId: string, col: Column, delta: number): void {
    if (this.host.refuseReadOnly()) return;
    this.host.guard(() => this.host.workbook!.adjustCounter(this.host.sheetId, rowId, col.id, delta));
  }

  openClaimMenu(): void {
    const a = this.host.selection.activeCell();
    if (a?.col.type === 'claim') this.host.renderRoot.querySelector('claim-menu')?.open(this.host.sheetId, a.rowId, a.col);
  }

  openConflictAt(pos: CellPos): void {
    if (this.host.refuseReadOnly()) return;
    const { rows, columns } = this.host.data.shown();
    const rowId = rows[pos.row];
    const col = columns[pos.col];
    if (!rowId || !col || !this.host.workbook || !this.host.conflicts.at(rowId, col.id)) return;
    const a = this.host.selection.active;
    if (pos.row !== a.row || pos.col !== a.col) this.host.selection.select(pos, false);
    this.host.renderRoot.querySelector('conflict-menu')?.open(this.host.sheetId, rowId, col, this.host.workbook.rowIds(this.host.sheetId).indexOf(rowId) + 1);
  }

  openCellHistory(): void {
    const a = this.host.selection.activeCell();
    if (a && this.host.workbook) this.host.renderRoot.querySelector('cell-history')?.open(this.host.sheetId, a.rowId, a.col, this.host.workbook.rowIds(this.host.sheetId).indexOf(a.rowId) + 1);
  }

  undo(redo: boolean): void {
    const undo = this.host.undo;
    if (!undo) return;
    if (redo) undo.redo();
    else undo.undo();
    this.host.requestUpdate();
  }

  // ── structure ───────────────────────────────────────────────────────────

  addRow(): void {
    this.insertRows(this.host.selection.rect.bottom + 1, 1);
  }

  deleteRows(): void {
    this.deleteSelectedRows();
  }

  openTrash(): void {
    this.host.renderRoot.querySelector('trash-panel')?.open();
  }

  openActivity(): void {
    this.host.renderRoot.querySelector('activity-panel')?.open();
  }

  applyOrder(rows: string[]): void {
    this.applyOrderToSheet(rows);
  }

  private insertRows(viewIndex: number, count: number): void {
    const wb = this.host.workbook;
    if (!wb || this.host.refuseReadOnly()) return;
    const { rows } = this.host.data.shown();
    // Insert next to the row shown at this position, wherever it sits in the sheet.
    const base = wb.rowIds(this.host.sheetId);
    const anchor = rows[viewIndex - 1];
    const at = anchor ? base.indexOf(anchor) + 1 : 0;
    this.host.guard(() => wb.insertRows(this.host.sheetId, at, count));
    void this.host.updateComplete.then(() => this.host.selection.select({ row: viewIndex, col: this.host.selection.active.col }, false));
  }

  private deleteSelectedRows(): void {
    const wb = this.host.workbook;
    if (!wb || this.host.refuseReadOnly()) return;
    const { rows } = this.host.data.shown();
    const r = this.host.selection.rect;
    const ids = rows.slice(r.top, r.bottom + 1);
    this.host.guard(() => wb.deleteRows(this.host.sheetId, ids));
    this.host.selection.set(cellSelection({ row: r.top, col: this.host.selection.active.col }));
    this.host.focusGrid();
  }

  /** A new column right of the active one, created only when its settings are saved (column-editor's create mode). */
  addColumn(): void {
    const wb = this.host.workbook;
    if (!wb || this.host.refuseReadOnly()) return;
    const base = wb.columns(this.host.sheetId);
    const after = this.host.data.shown().columns[this.host.selection.active.col];
    const at = after ? base.findIndex((c) => c.id === after.id) + 1 : base.length;
    this.host.renderRoot.querySelector('column-editor')?.openNew(at);
  }

  /** The column saved from "Add column": give it a row to type in on an empty sheet, and select it. */
  readonly onColumnCreated = (e: CustomEvent<{ id: string }>): void => {
    const wb = this.host.workbook;
    if (!wb) return;
    const id = e.detail.id;
    if (wb.rowCount(this.host.sheetId) === 0) this.host.guard(() => wb.insertRows(this.host.sheetId, 0, 1));
    void this.host.updateComplete.then(() => {
      const { rows } = this.host.data.shown();
      const idx = this.host.data.shown().columns.findIndex((c) => c.id === id);
      if (idx < 0) return;
      const row = Math.min(this.host.selection.active.row, Math.max(0, rows.length - 1));
      this.host.selection.select({ row, col: idx }, false);
    });
  };

  openColumnSettings(index = this.host.selection.active.col): void {
    const col = this.host.data.shown().columns[index];
    if (col && !this.host.refuseReadOnly()) this.host.renderRoot.querySelector('column-editor')?.open(col.id);
  }

  openViewMenu(index = this.host.selection.active.col): void {
    const col = this.host.data.shown().columns[index];
    // the checklist lists, and the rules test, what cells show: formula results where there are some
    if (col) this.host.renderRoot.querySelector('view-menu')?.open(col, this.host.data.view, { workbook: this.host.workbook, sheetId: this.host.sheetId, value: this.host.data.value });
  }

  readonly onViewChange = (e: CustomEvent<ViewSpec>): void => {
    this.host.data.setView(e.detail);
  };

  private applyOrderToSheet(rows: string[]): void {
    const wb = this.host.workbook;
    if (!wb || this.host.refuseReadOnly()) return;
    if (!confirm(t('grid.applyOrderConfirm'))) return;
    this.host.guard(() => wb.reorderRows(this.host.sheetId, rows));
    this.host.data.setView({ ...this.host.data.view, sort: [] });
  }
}
