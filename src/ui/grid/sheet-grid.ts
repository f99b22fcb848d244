import { LitElement, html, nothing, type PropertyValues } from 'lit';
import type * as Y from 'yjs';
import type { PresenceSource } from '../../sync/presence-source.js';
import { isModelError } from '../../model/errors.js';
import type { CellPos } from '../../model/range.js';
import type { Column } from '../../model/types.js';
import { DEFAULT_COLUMN_WIDTH, MAX_COLUMN_WIDTH, MIN_COLUMN_WIDTH, type Workbook } from '../../model/workbook.js';
import { errorText } from '../i18n/error-text.js';
import { LocaleController, t } from '../i18n/locale.js';
import { cursors, type PeerCursor } from '../presence.js';
import type { ViewStore } from '../view-store.js';
import { FormulaResults } from '../formula-results.js';
import { ConflictTracker, cellShortcut, conflictBar, conflictStyles } from '../conflict-tracker.js';
import { safePx } from '../safe-style.js';
import '../column-editor.js';
import '../activity-panel.js';
import '../cell-history.js';
import '../claim-menu.js';
import '../conflict-menu.js';
import '../trash-panel.js';
import '../view-menu.js';
import './find-replace-bar.js';
import type { FindHits } from './find.js';
import { ClipboardController } from './clipboard.js';
import { EditingController } from './editing.js';
import { gridStyles } from './grid-styles.js';
import { visuallyHidden } from '../visually-hidden.js';
import { renderEditorLayer, renderFooter, renderHeader, renderRow, renderSummaries, type Frame } from './grid-rows.js';
import { renderToolbar } from './grid-toolbar.js';
import { SheetActions } from './sheet-actions.js';
import type { GridHost } from './host.js';
import { keyCommand, type GridCommand, type KeyContext } from './keymap.js';
import { HEADER_HEIGHT, ROW_NUMBER_WIDTH } from './metrics.js';
import { PointerController } from './pointer.js';
import { SelectionController } from './selection-controller.js';
import { cellSelection, lastDataCell } from './selection.js';
import { SheetData } from './sheet-data.js';
import { ViewportController } from './viewport.js';
import { columnOffsets, columnWindow } from './window.js';

/** Commands that change the sheet: refused up front on a view link. */
const WRITES: ReadonlySet<GridCommand['kind']> = new Set(['toggle', 'claim-menu', 'clear', 'undo', 'redo', 'fill-down', 'conflict', 'replace']);

/**
 * `<sheet-grid>`: one sheet as a WAI-ARIA grid, windowed on both axes. One
 * native scroll container; rows are absolutely placed in a spacer as tall as
 * the sheet, and only the visible ones (plus a few) exist in the DOM, reused
 * by position as the sheet scrolls. Header and row numbers stay put with
 * `position: sticky`. Focus roves: the active cell is the grid's one tab stop.
 *
 * The element holds its inputs and composes the render; the work is in its
 * controllers (src/ui/grid/): SheetData (what is shown), SelectionController,
 * EditingController, ClipboardController, PointerController, ViewportController,
 * and the pure keymap, selection and window maths they use.
 */
export class SheetGrid extends LitElement implements GridHost {
  static properties = {
    workbook: { attribute: false },
    sheetId: { attribute: false },
    undo: { attribute: false },
    awareness: { attribute: false },
    viewStore: { attribute: false },
    error: { state: true },
    notice: { state: true },
    findOpen: { state: true },
  };

  declare workbook: Workbook | null;
  declare sheetId: string;
  declare undo: Y.UndoManager | null;
  declare awareness: PresenceSource | null;
  declare viewStore: ViewStore | null;
  declare error: string;
  declare notice: string;
  declare findOpen: boolean;

  /** open same-cell conflicts, read only after first paint (conflict-tracker.ts); a conflicts-only view recomputes the rows */
  readonly conflicts = new ConflictTracker(this, () => this.data.invalidate());
  readonly formulas = new FormulaResults(this, { onResults: (cells) => this.data.resultsChanged(cells) });
  readonly data: SheetData = new SheetData(this);
  readonly viewport: ViewportController = new ViewportController(this);
  readonly selection: SelectionController = new SelectionController(this);
  readonly editor: EditingController = new EditingController(this);
  readonly pointer: PointerController = new PointerController(this);
  private readonly clipboard = new ClipboardController(this);
  private readonly actions = new SheetActions(this);
  /** The find bar's matches, marked in the grid while it is open (set by its find-matches). */
  findHits: FindHits | null = null;
  private peerCursors: PeerCursor[] = [];
  private observedAwareness: PresenceSource | null = null;
  private wantFocus = false;
  private readonly onAwareness = () => {
    this.peerCursors = this.awareness && this.sheetId ? cursors(this.awareness, this.sheetId) : [];
    this.requestUpdate();
  };

  constructor() {
    super();
    // re-renders when the reader switches language
    new LocaleController(this);
    this.workbook = null;
    this.sheetId = '';
    this.undo = null;
    this.awareness = null;
    this.viewStore = null;
    this.error = '';
    this.notice = '';
    this.findOpen = false;
    this.addEventListener('find-matches', (e) => {
      this.findHits = this.findOpen ? e.detail.hits : null;
      this.requestUpdate();
    });
  }

  static styles = [visuallyHidden, conflictStyles, gridStyles];

  disconnectedCallback(): void {
    super.disconnectedCallback();
    this.observedAwareness?.off('change', this.onAwareness);
    this.observedAwareness = null;
  }

  protected firstUpdated(): void {
    this.viewport.watch(this.renderRoot.querySelector('.scroller'));
  }

  protected willUpdate(changed: PropertyValues<this>): void {
    if (this.awareness !== this.observedAwareness) {
      this.observedAwareness?.off('change', this.onAwareness);
      this.observedAwareness = this.awareness;
      this.awareness?.on('change', this.onAwareness);
    }
    if (this.workbook && this.sheetId) this.conflicts.watch(this.workbook, this.sheetId);
    if (this.workbook) this.formulas.watch(this.workbook);
    if (this.data.follow(changed)) {
      this.selection.reset();
      this.editor.editing = false;
      this.error = '';
      this.notice = '';
    }
    if (changed.has('sheetId') || changed.has('viewStore')) this.peerCursors = this.awareness && this.sheetId ? cursors(this.awareness, this.sheetId) : [];
    if (this.workbook && this.sheetId) this.selection.clamp();
  }

  protected updated(): void {
    // Tells the workbook page what is on screen changed, for next time's first screen (first-screen-capture.ts).
    this.dispatchEvent(new Event('grid-rendered'));
    if (this.wantFocus && !this.editor.editing) {
      this.wantFocus = false;
      this.renderRoot.querySelector<HTMLElement>('.cell.active')?.focus({ preventScroll: true });
    }
  }

  /** Puts keyboard focus on the active cell (the grid's single tab stop). */
  focusGrid(): void {
    this.wantFocus = true;
    this.requestUpdate();
  }

  /** Public so tests and the phone view can paste without a clipboard event. */
  pasteGrid(block: string[][]): void {
    this.clipboard.paste(block);
  }

  refuseReadOnly(): boolean {
    if (!this.workbook?.readOnly) return false;
    this.notice = t('grid.viewOnly');
    return true;
  }

  guard(fn: () => void): void {
    try {
      fn();
    } catch (err) {
      if (isModelError(err)) this.error = errorText(err);
      else throw err;
    }
  }

  // ── rendering ───────────────────────────────────────────────────────────

  render() {
    const wb = this.workbook;
    if (!wb || !this.sheetId) return html`<div class="empty">${t('grid.noSheet')}</div>`;
    const { rows, columns } = this.data.shown();
    const sheetName = wb.sheets().find((s) => s.id === this.sheetId)?.name ?? '';
    const preview = this.pointer.widthPreview;
    // Every width goes into a style: one that is not a sane number (the model reads it checked already) is the default.
    const widths = columns.map((c) => safePx(preview?.colId === c.id ? preview.width : c.width, DEFAULT_COLUMN_WIDTH, MIN_COLUMN_WIDTH, MAX_COLUMN_WIDTH));
    const offsets = columnOffsets(widths);
    const totalWidth = ROW_NUMBER_WIDTH + offsets[offsets.length - 1];
    const vp = this.viewport;
    const h = vp.rowHeight;
    // A fixed pool of row slots: row i always renders in slot i % pool, so scrolling by one row
    // re-fills one slot instead of shifting every row's content.
    const { pool, first, last } = vp.rows(rows.length);
    const { from: colFrom, to: colTo } = columnWindow(offsets, vp.scrollLeft, vp.width);
    const rect = this.selection.rect;
    const active = this.selection.active;
    const slots: (number | undefined)[] = new Array(pool);
    for (let i = first; i < last; i++) slots[i % pool] = i;
    // The active row stays in the DOM even when scrolled away, so focus never falls out of the grid.
    const extra = rows.length && (active.row < first || active.row >= last) ? active.row : undefined;
    const peersAt = new Map<string, PeerCursor[]>();
    for (const p of this.peerCursors) {
      const k = `${p.rowId}:${p.colId}`;
      peersAt.set(k, [...(peersAt.get(k) ?? []), p]);
    }
    const f: Frame = { rows, columns, widths, offsets, colFrom, colTo, rect, peersAt, readOnly: wb.readOnly };

    return html`
      <div @click=${this.onToolbarClick}>${renderToolbar(this, f, this.actions)}</div>
      ${this.findOpen
        ? html`<find-replace-bar
            .workbook=${wb}
            .sheetId=${this.sheetId}
            .rows=${rows}
            .columns=${columns}
            .activeColumn=${active.col}
            .undo=${this.undo}
            @find-goto=${this.onFindGoto}
            @find-close=${this.closeFind}
          ></find-replace-bar>`
        : nothing}
      ${conflictBar(this.conflicts, (dir) => {
        const next = this.conflicts.step(dir, rows, columns, this.selection.active);
        if (next) this.selection.select(next, false);
      })}
      ${this.notice
        ? html`<div class="notice" role="alert">
            <span>${this.notice}</span><button @click=${this.dismissNotice}>${t('grid.dismiss')}</button>
          </div>`
        : nothing}
      <div class="scroller" @scroll=${vp.onScroll} @pointerleave=${this.pointer.onPointerLeave}>
        <div
          role="grid"
          aria-label=${sheetName}
          aria-rowcount=${rows.length + 1}
          aria-colcount=${columns.length + 1}
          aria-multiselectable="true"
          style="--row-h:${h - 1}px;width:${totalWidth}px;height:${HEADER_HEIGHT + rows.length * h}px"
          @keydown=${this.onGridKeydown}
          @copy=${this.clipboard.onCopy}
          @cut=${this.clipboard.onCut}
          @paste=${this.clipboard.onPaste}
          @pointerover=${this.pointer.onPointerOver}
        >
          ${renderHeader(this, f)}
          ${Array.from(slots, (i) => (i === undefined ? nothing : renderRow(this, f, i)))}
          ${extra !== undefined ? renderRow(this, f, extra) : nothing}
          ${renderEditorLayer(this, f)}
        </div>
        ${rows.length === 0 ? html`<div class="empty">${this.data.viewActive ? t('grid.noMatch') : t('grid.noRows')}</div>` : nothing}
        ${renderSummaries(this, f)}
      </div>
      ${renderFooter(this, f)}
      <column-editor
        .workbook=${wb}
        .sheetId=${this.sheetId}
        @column-editor-closed=${this.refocus}
        @column-created=${this.actions.onColumnCreated}
      ></column-editor>
      <view-menu @view-change=${this.actions.onViewChange} @view-menu-closed=${this.refocus}></view-menu>
      <claim-menu .workbook=${wb} @claim-menu-closed=${this.refocus}></claim-menu>
      <trash-panel .workbook=${wb} .sheetId=${this.sheetId} @trash-closed=${this.refocus}></trash-panel>
      <activity-panel .workbook=${wb} .sheetId=${this.sheetId} @activity-closed=${this.refocus}></activity-panel>
      <conflict-menu .workbook=${wb} @conflict-menu-closed=${this.refocus}></conflict-menu>
      <cell-history .workbook=${wb} @cell-history-closed=${this.refocus}></cell-history>
    `;
  }

  private refocus = (): void => this.focusGrid();

  private dismissNotice = (): void => {
    this.notice = '';
    this.focusGrid();
  };

  /**
   * After any toolbar button, the keyboard is the grid's again: typing never
   * reaches a toolbar button. (A button that opened a dialog leaves focus in
   * the dialog, the grid being inert under it; the dialog's close gives it back.)
   */
  private onToolbarClick = (e: Event): void => {
    if ((e.target as HTMLElement).closest('button')) this.focusGrid();
  };

  // ── keyboard ────────────────────────────────────────────────────────────

  keyContext(editing: boolean): KeyContext {
    const wb = this.workbook;
    const { rows, columns } = this.data.shown();
    const { active, focus } = this.selection.sel;
    const filled = (r: number, c: number) => !!wb && wb.getValue(this.sheetId, rows[r], columns[c].id) !== null;
    return {
      editing,
      multiline: this.editor.multiline,
      optionList: editing && this.editor.offering,
      findOpen: this.findOpen,
      row: active.row,
      col: active.col,
      focusRow: focus.row,
      focusCol: focus.col,
      nRows: rows.length,
      nCols: columns.length,
      page: this.viewport.page(),
      colType: columns[active.col]?.type,
      tabStart: this.selection.tabStart,
      filled,
      lastData: () => lastDataCell(rows.length, columns.length, filled),
    };
  }

  private onGridKeydown = (e: KeyboardEvent): void => {
    if (this.editor.editing || e.isComposing || (e.target as HTMLElement).closest('input, textarea')) return;
    if (!this.workbook) return;
    const shortcut = cellShortcut(e);
    const command: GridCommand | null = shortcut
      ? { kind: shortcut }
      : keyCommand({ key: e.key, shift: e.shiftKey, ctrl: e.ctrlKey || e.metaKey, alt: e.altKey }, this.keyContext(false));
    if (!command) return;
    e.preventDefault();
    this.run(command);
  };

  /** Carries out a keymap command. */
  run(command: GridCommand): void {
    if (WRITES.has(command.kind) && this.refuseReadOnly()) return;
    const sel = this.selection;
    switch (command.kind) {
      case 'history':
        return this.actions.openCellHistory();
      case 'conflict':
        return this.openConflictAt(sel.active);
      case 'undo':
      case 'redo':
        return this.actions.undo(command.kind === 'redo');
      case 'fill-down':
        return this.actions.fillDown();
      case 'find':
        return this.openFind('find');
      case 'replace':
        return this.openFind('replace');
      case 'close-find':
        return this.closeFind();
      case 'select-all':
        return sel.selectAll();
      case 'select-col':
        return sel.selectColumns();
      case 'select-row':
        return sel.selectRows();
      case 'collapse':
        return sel.collapse();
      case 'move':
        return sel.select(command.to, command.extend);
      case 'move-tab':
        if (this.editor.editing && !this.editor.commit()) return;
        sel.select(command.to, false, true);
        sel.tabStart = command.tabStart;
        return;
      case 'edit-commit':
        if (this.editor.commit()) sel.select(command.to, false);
        return;
      case 'edit-cancel':
        return this.editor.cancel();
      case 'edit-newline':
        return;
      case 'option-move':
        return this.editor.moveOption(command.delta);
      case 'option-pick':
        return this.editor.pickOption();
      case 'open-picker':
        return this.editor.openPicker();
      case 'enter':
        return this.editor.start();
      case 'edit-start':
        return this.editor.start(command.char);
      case 'toggle':
        return this.actions.toggleCheckboxes();
      case 'claim-menu':
        return this.actions.openClaimMenu();
      case 'clear':
        return this.actions.clearSelection();
    }
  }

  // ── find ────────────────────────────────────────────────────────────────

  private openFind(mode: 'find' | 'replace'): void {
    this.findOpen = true;
    void this.updateComplete.then(() => this.renderRoot.querySelector('find-replace-bar')?.open(mode));
  }

  private closeFind = (): void => {
    this.findOpen = false;
    this.findHits = null;
    this.focusGrid();
  };

  /** The bar went to a match: select and show it, leaving the keyboard in the bar. */
  private onFindGoto = (e: CustomEvent<{ row: number; col: number }>): void => {
    const { rows, columns } = this.data.shown();
    if (!rows.length || !columns.length) return;
    const p = { row: Math.min(e.detail.row, rows.length - 1), col: Math.min(e.detail.col, columns.length - 1) };
    this.selection.set(cellSelection(p));
    this.viewport.reveal(p);
  };

  // ── actions ─────────────────────────────────────────────────────────────

  step(rowId: string, col: Column, delta: number): void {
    this.actions.step(rowId, col, delta);
  }

  openConflictAt(pos: CellPos): void {
    this.actions.openConflictAt(pos);
  }

  openColumnSettings(index: number): void {
    this.actions.openColumnSettings(index);
  }

  openViewMenu(index: number): void {
    this.actions.openViewMenu(index);
  }
}

customElements.define('sheet-grid', SheetGrid);

declare global {
  interface HTMLElementTagNameMap {
    'sheet-grid': SheetGrid;
  }
}
