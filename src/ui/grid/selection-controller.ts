import type { ReactiveController } from 'lit';
import type { CellPos, Rect } from '../../model/range.js';
import type { Column } from '../../model/types.js';
import type { PresenceSource } from '../../sync/presence-source.js';
import type { GridHost } from './host.js';
import {
  cellSelection,
  clampSelection,
  columnBand,
  moveSelection,
  rowBand,
  selectAll,
  selectColumns,
  selectRows,
  selectionRect,
  type GridSelection,
} from './selection.js';

/**
 * The grid's selection as state: the pure model (selection.ts) plus the run
 * of Tabs, scrolling the moved-to cell into view, and telling the others on
 * the sheet where this person's active cell is.
 */
export class SelectionController implements ReactiveController {
  private current: GridSelection = cellSelection({ row: 0, col: 0 });
  private published: GridSelection | null = null;
  /** The column where the current run of Tabs began (Enter after the run returns there), or null. */
  tabStart: number | null = null;

  constructor(private readonly host: GridHost & { readonly awareness: PresenceSource | null }) {
    host.addController(this);
  }

  get sel(): GridSelection {
    return this.current;
  }

  /** The active cell's view position. */
  get active(): CellPos {
    return this.current.active;
  }

  get rect(): Rect {
    return selectionRect(this.current);
  }

  /** The active cell's row id and column, or null on an empty sheet. */
  activeCell(): { rowId: string; col: Column } | null {
    if (!this.host.workbook) return null;
    const { rows, columns } = this.host.data.shown();
    const rowId = rows[this.current.active.row];
    const col = columns[this.current.active.col];
    return rowId && col ? { rowId, col } : null;
  }

  set(sel: GridSelection): void {
    this.current = sel;
    this.host.requestUpdate();
  }

  /** Back to the first cell (another sheet is shown). */
  reset(): void {
    this.tabStart = null;
    this.set(cellSelection({ row: 0, col: 0 }));
  }

  /** Keeps the selection inside what is shown, after rows or columns went away. */
  clamp(): void {
    const { rows, columns } = this.host.data.shown();
    const next = clampSelection(this.current, rows.length, columns.length);
    if (next !== this.current) this.current = next;
  }

  /**
   * Moves to `to`: a plain move makes it the one active cell, `extend` drags
   * the range's far corner there. Any move but a Tab (`keepTabRun`) ends a run of Tabs.
   */
  select(to: CellPos, extend: boolean, keepTabRun = false): void {
    if (!keepTabRun) this.tabStart = null;
    const { rows, columns } = this.host.data.shown();
    if (!rows.length || !columns.length) return;
    this.set(moveSelection(this.current, to, extend, rows.length, columns.length));
    this.host.error = '';
    this.host.viewport.reveal(extend ? this.current.focus : this.current.active);
    this.host.focusGrid();
  }

  selectAll(): void {
    const { rows, columns } = this.host.data.shown();
    this.tabStart = null;
    this.set(selectAll(this.current, rows.length, columns.length));
  }

  selectRows(): void {
    this.tabStart = null;
    this.set(selectRows(this.current, this.host.data.shown().columns.length));
  }

  selectColumns(): void {
    this.tabStart = null;
    this.set(selectColumns(this.current, this.host.data.shown().rows.length));
  }

  collapse(): void {
    this.set(cellSelection(this.current.active));
  }

  /** A click on a column's header: the whole column (Shift: from the anchor column). */
  selectColumn(col: number, extend: boolean): void {
    if (this.host.editor.editing && !this.host.editor.commit()) return;
    this.tabStart = null;
    this.set(columnBand(this.current, col, extend, this.host.data.shown().rows.length));
    this.host.focusGrid();
  }

  /** A press on a row's number: the whole row (Shift: from the anchor row). */
  selectRowBand(row: number, extend: boolean): void {
    this.tabStart = null;
    this.set(rowBand(this.current, row, extend, this.host.data.shown().columns.length));
  }

  hostUpdated(): void {
    if (this.published === this.current) return;
    this.published = this.current;
    this.publishCursor();
  }

  private publishCursor(): void {
    const awareness = this.host.awareness;
    if (!awareness) return;
    const a = this.activeCell();
    awareness.setLocalStateField('cursor', a ? { sheetId: this.host.sheetId, rowId: a.rowId, colId: a.col.id } : null);
    awareness.setLocalStateField('active', Date.now());
  }
}
