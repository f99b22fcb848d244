import { LitElement, css, html, nothing, type PropertyValues } from 'lit';
import type * as Y from 'yjs';
import type { PresenceSource } from '../sync/presence-source.js';
import { decodeHtml, decodeTsv, encodeHtml, encodeTsv } from '../io/clipboard.js';
import { SheetAggregates } from '../model/aggregates.js';
import { isModelError } from '../model/errors.js';
import { CONFIRM_PASTE_CELLS, fillDown, pasteBlock } from '../model/paste.js';
import { clampPos, rectContains, rectOf, rectSize, single, type CellPos, type Rect, type Selection } from '../model/range.js';
import type { CellValue, CellWrite, Column } from '../model/types.js';
import { MULTI_SEPARATOR, fitsColumn, isSafeLink, parseInput } from '../model/values.js';
import { EMPTY_VIEW, applyView, isEmptyView, type ViewSpec } from '../model/view.js';
import { DEFAULT_COLUMN_WIDTH, MAX_COLUMN_WIDTH, MIN_COLUMN_WIDTH, type Workbook, type WorkbookChange } from '../model/workbook.js';
import { errorText } from './i18n/error-text.js';
import { LocaleController, currentLocale, formatDateTime, formatNumber, t, tn } from './i18n/locale.js';
import { displayValue, editText, inputOptions, numberText, relativeTime, summaryText } from './i18n/value-text.js';
import { cursors, type PeerCursor } from './presence.js';
import type { ViewStore } from './view-store.js';
import { claimCellText, claimHolders, claimText } from './claim-text.js';
import { ConflictTracker, cellShortcut, conflictBar, conflictLabel, conflictMark, conflictStyles, conflictToggle, currentConflictText, otherValuesText } from './conflict-tracker.js';
import './column-editor.js';
import './activity-panel.js';
import './cell-history.js';
import './claim-menu.js';
import './conflict-menu.js';
import './trash-panel.js';
import './view-menu.js';
import { safeColor, safePx } from './safe-style.js';
import { keyCommand, type GridCommand } from './grid/keymap.js';
import { columnOffsets, columnWindow, pageRows, revealTarget, rowWindow } from './grid/window.js';

const ROW_HEIGHT_FINE = 36;
/** Where the pointer is a finger, every row is a 44px tap target. */
const ROW_HEIGHT_COARSE = 44;
const HEADER_HEIGHT = 40;
const ROW_NUMBER_WIDTH = 56;
const MIN_WIDTH = 40;
const MAX_WIDTH = 1000;

interface ViewCache {
  version: number;
  spec: ViewSpec;
  rows: string[];
  columns: Column[];
}

/**
 * `<sheet-grid>`: one sheet as a WAI-ARIA grid, windowed on both axes. One
 * native scroll container; rows are absolutely placed in a spacer as tall as
 * the sheet, and only the visible ones (plus a few) exist in the DOM, reused
 * by position as the sheet scrolls. Header and row numbers stay put with
 * `position: sticky`. Focus roves: the active cell is the grid's one tab stop.
 */
export class SheetGrid extends LitElement {
  static properties = {
    workbook: { attribute: false },
    sheetId: { attribute: false },
    undo: { attribute: false },
    awareness: { attribute: false },
    viewStore: { attribute: false },
    sel: { state: true },
    editing: { state: true },
    draft: { state: true },
    error: { state: true },
    notice: { state: true },
    scrollTop: { state: true },
    scrollLeft: { state: true },
    viewportHeight: { state: true },
    viewportWidth: { state: true },
    view: { state: true },
    findOpen: { state: true },
    findQuery: { state: true },
    widthPreview: { state: true },
    dropRow: { state: true },
  };

  declare workbook: Workbook | null;
  declare sheetId: string;
  declare undo: Y.UndoManager | null;
  declare awareness: PresenceSource | null;
  declare viewStore: ViewStore | null;
  declare sel: Selection;
  declare editing: boolean;
  declare draft: string;
  declare error: string;
  declare notice: string;
  declare scrollTop: number;
  declare scrollLeft: number;
  declare viewportHeight: number;
  declare viewportWidth: number;
  declare view: ViewSpec;
  declare findOpen: boolean;
  declare findQuery: string;
  declare widthPreview: { colId: string; width: number } | null;
  declare dropRow: number | null;

  private rowHeight = ROW_HEIGHT_FINE;
  private resizeObserver: ResizeObserver | null = null;
  private unobserve: (() => void) | null = null;
  private observed: Workbook | null = null;
  private version = 0;
  /** footer figures, kept current change by change */
  private aggregates: SheetAggregates | null = null;
  private aggregatesBuilding: SheetAggregates | null = null;
  private viewCache: ViewCache | null = null;
  private peerCursors: PeerCursor[] = [];
  private readonly onAwareness = () => {
    this.peerCursors = this.awareness && this.sheetId ? cursors(this.awareness, this.sheetId) : [];
    this.requestUpdate();
  };
  private observedAwareness: PresenceSource | null = null;
  private dragging: 'cells' | null = null;
  private rowDrag: { from: number; count: number } | null = null;
  private wantFocus = false;
  /** The column where the current run of Tabs began (Enter after the run returns there), or null. */
  private tabStart: number | null = null;
  /** open same-cell conflicts, read only after first paint (conflict-tracker.ts); a conflicts-only view recomputes the rows */
  private readonly conflicts = new ConflictTracker(this, () => this.version++);

  constructor() {
    super();
    // re-renders when the reader switches language
    new LocaleController(this);
    this.workbook = null;
    this.sheetId = '';
    this.undo = null;
    this.awareness = null;
    this.viewStore = null;
    this.sel = single({ row: 0, col: 0 });
    this.editing = false;
    this.draft = '';
    this.error = '';
    this.notice = '';
    this.scrollTop = 0;
    this.scrollLeft = 0;
    this.viewportHeight = 600;
    this.viewportWidth = 1000;
    this.view = { ...EMPTY_VIEW };
    this.findOpen = false;
    this.findQuery = '';
    this.widthPreview = null;
    this.dropRow = null;
  }

  static styles = [
    conflictStyles,
    css`
    :host {
      display: flex;
      flex-direction: column;
      min-height: 0;
      flex: 1;
      font-size: 0.95rem;
    }
    .toolbar,
    .findbar {
      display: flex;
      flex-wrap: wrap;
      align-items: center;
      gap: 0.25rem;
      padding: 0.25rem 0.5rem;
      border-bottom: 1px solid #d0d7de;
      background: #f6f8fa;
    }
    button,
    .findbar input {
      min-height: 44px;
      min-width: 44px;
      padding: 0 0.75rem;
      font: inherit;
      border: 1px solid #d0d7de;
      border-radius: 6px;
      background: white;
      cursor: pointer;
    }
    .findbar input {
      cursor: text;
      min-width: 12rem;
    }
    button:focus-visible {
      outline: 3px solid #0969da;
      outline-offset: 1px;
    }
    .viewinfo {
      font-size: 0.85rem;
      color: #57606a;
    }
    .scroller {
      flex: 1;
      overflow: auto;
      position: relative;
      min-height: 0;
      overscroll-behavior: contain;
    }
    [role='grid'] {
      position: relative;
      outline: none;
      background: white;
    }
    .row {
      display: flex;
      position: absolute;
      left: 0;
      top: 0;
      /* Each row lays out on its own: re-filling a row does not relayout the sheet. */
      contain: layout style;
    }
    .header {
      position: sticky;
      top: 0;
      z-index: 3;
      display: flex;
      height: ${HEADER_HEIGHT}px;
      background: #f6f8fa;
      border-bottom: 1px solid #d0d7de;
    }
    .cell,
    .colhead,
    .rowhead,
    .corner {
      box-sizing: border-box;
      border-right: 1px solid #eaeef2;
      border-bottom: 1px solid #eaeef2;
      padding: 0 0.5rem;
      display: flex;
      align-items: center;
      overflow: hidden;
      white-space: nowrap;
      flex: none;
      position: relative;
    }
    /* Cells are plain blocks (cheaper to lay out than flex boxes): the text sits right in them,
       clipped with an ellipsis (the tooltip and the editor show all of it). */
    .cell {
      display: block;
      line-height: var(--row-h);
      height: 100%;
      text-overflow: ellipsis;
    }
    .gap {
      flex: none;
    }
    .colhead {
      font-weight: 600;
      gap: 0.25rem;
      cursor: pointer;
      user-select: none;
      /* the resize handle straddles the right edge; the name clips on its own */
      overflow: visible;
    }
    .colhead .name {
      overflow: hidden;
      text-overflow: ellipsis;
      flex: 1;
    }
    .colhead .sort {
      color: #0969da;
    }
    .colhead .menu {
      min-height: 32px;
      min-width: 32px;
      padding: 0;
      border: none;
      background: transparent;
    }
    .resizer {
      position: absolute;
      right: -5px;
      top: 0;
      bottom: 0;
      width: 10px;
      cursor: col-resize;
      z-index: 5;
      touch-action: none;
    }
    .resizer:hover,
    .resizer.active {
      background: #0969da55;
    }
    .rowhead,
    .corner {
      position: sticky;
      left: 0;
      z-index: 2;
      width: ${ROW_NUMBER_WIDTH}px;
      justify-content: flex-end;
      background: #f6f8fa;
      color: #57606a;
      user-select: none;
    }
    .rowhead {
      cursor: grab;
      touch-action: none;
    }
    .corner {
      z-index: 4;
    }
    .row.drop-before {
      box-shadow: 0 -3px 0 #0969da;
      z-index: 1;
    }
    .cell {
      cursor: cell;
      outline: none;
    }
    .cell.number {
      text-align: right;
      font-variant-numeric: tabular-nums;
    }
    .cell[aria-selected='true'] {
      background: #ddf4ff;
    }
    .cell.active {
      box-shadow: inset 0 0 0 2px #0969da;
      background: white;
    }
    .cell.misfit {
      background: #fff8c5;
    }
    .cell.found {
      background: #fff1a8;
    }
    .cell.peer {
      box-shadow: inset 0 0 0 2px var(--peer);
    }
    .peer-tag {
      position: absolute;
      top: 0;
      right: 0;
      font-size: 0.65rem;
      line-height: 1;
      padding: 1px 3px;
      color: white;
      background: var(--peer);
      border-bottom-left-radius: 3px;
      pointer-events: none;
    }
    .idle {
      opacity: 0.45;
    }
    .summaries {
      position: sticky;
      bottom: 0;
      z-index: 3;
      display: flex;
      height: 30px;
      background: #f6f8fa;
      border-top: 1px solid #d0d7de;
      font-size: 0.8rem;
      color: #57606a;
    }
    .summaries .corner {
      height: 30px;
    }
    .figure {
      box-sizing: border-box;
      flex: none;
      padding: 0 0.5rem;
      line-height: 30px;
      white-space: nowrap;
      overflow: hidden;
      text-overflow: ellipsis;
      border-right: 1px solid #eaeef2;
    }
    .figure.alert {
      color: #bc4c00;
      font-weight: 600;
    }
    .cell.low {
      background: #ffebe9;
      color: #a40e26;
      font-weight: 600;
    }
    .cell.stale {
      color: #bc4c00;
      font-style: italic;
    }
    .lowinfo {
      color: #a40e26;
      font-weight: 600;
      font-size: 0.9rem;
    }
    .steppers {
      float: left;
      display: inline-flex;
      gap: 2px;
      margin-right: 0.25rem;
    }
    .steppers button {
      min-height: 26px;
      min-width: 26px;
      padding: 0;
      line-height: 1;
      margin-top: 4px;
    }
    .cell.claim .conflict {
      color: #bc4c00;
    }
    .chip {
      border-radius: 999px;
      padding: 0.1rem 0.6rem;
      font-size: 0.85em;
    }
    .cell textarea {
      width: 100%;
      height: 100%;
      box-sizing: border-box;
      border: none;
      font: inherit;
      padding: 0;
      outline: none;
      resize: none;
      line-height: inherit;
      overflow: hidden;
      white-space: pre;
    }
    .cell input {
      width: 100%;
      height: 100%;
      box-sizing: border-box;
      border: none;
      font: inherit;
      padding: 0;
      outline: none;
      background: #fff;
    }
    .footer {
      display: flex;
      gap: 1rem;
      justify-content: space-between;
      padding: 0.25rem 0.75rem;
      border-top: 1px solid #d0d7de;
      background: #f6f8fa;
      min-height: 1.75rem;
      align-items: center;
      font-size: 0.85rem;
      color: #57606a;
    }
    .error {
      color: #cf222e;
      font-weight: 600;
    }
    .notice {
      display: flex;
      gap: 0.5rem;
      align-items: center;
      padding: 0.25rem 0.75rem;
      background: #fff8c5;
      border-bottom: 1px solid #d4a72c;
      font-size: 0.9rem;
    }
    .empty {
      padding: 2rem;
      color: #57606a;
    }
    .sr {
      position: absolute;
      width: 1px;
      height: 1px;
      overflow: hidden;
      clip: rect(0 0 0 0);
    }
  `,
  ];

  connectedCallback(): void {
    super.connectedCallback();
    this.rowHeight = matchMedia('(pointer: coarse)').matches ? ROW_HEIGHT_COARSE : ROW_HEIGHT_FINE;
    this.resizeObserver = new ResizeObserver((entries) => {
      for (const e of entries) {
        this.viewportHeight = e.contentRect.height;
        this.viewportWidth = e.contentRect.width;
      }
    });
    window.addEventListener('pointerup', this.onWindowPointerUp);
  }

  disconnectedCallback(): void {
    super.disconnectedCallback();
    this.resizeObserver?.disconnect();
    this.unobserve?.();
    this.unobserve = null;
    this.observed = null;
    this.observedAwareness?.off('change', this.onAwareness);
    this.observedAwareness = null;
    window.removeEventListener('pointerup', this.onWindowPointerUp);
  }

  protected firstUpdated(): void {
    const scroller = this.renderRoot.querySelector('.scroller');
    if (scroller) this.resizeObserver?.observe(scroller);
  }

  protected willUpdate(changed: PropertyValues<this>): void {
    if (this.workbook !== this.observed) {
      this.unobserve?.();
      this.observed = this.workbook;
      this.unobserve = this.workbook ? this.workbook.observe(this.onChange) : null;
      this.version++;
    }
    if (this.awareness !== this.observedAwareness) {
      this.observedAwareness?.off('change', this.onAwareness);
      this.observedAwareness = this.awareness;
      this.awareness?.on('change', this.onAwareness);
    }
    if (this.workbook && this.sheetId) this.conflicts.watch(this.workbook, this.sheetId);
    if (this.workbook && this.sheetId && (changed.has('sheetId') || changed.has('workbook') || !this.aggregates)) {
      this.aggregates = new SheetAggregates(this.workbook, this.sheetId, Date.now, true);
      this.buildAggregates(this.aggregates);
    }
    if (changed.has('sheetId') || changed.has('viewStore')) {
      if (changed.get('sheetId') !== undefined) {
        this.sel = single({ row: 0, col: 0 });
        this.editing = false;
        this.error = '';
        this.notice = '';
      }
      this.view = this.viewStore && this.sheetId ? this.viewStore.load(this.sheetId) : { ...EMPTY_VIEW };
      this.peerCursors = this.awareness && this.sheetId ? cursors(this.awareness, this.sheetId) : [];
    }
    if (this.workbook && this.sheetId) {
      const { rows, columns } = this.shown();
      const focus = clampPos(this.sel.focus, Math.max(rows.length, 1), Math.max(columns.length, 1));
      const anchor = clampPos(this.sel.anchor, Math.max(rows.length, 1), Math.max(columns.length, 1));
      if (focus.row !== this.sel.focus.row || focus.col !== this.sel.focus.col || anchor.row !== this.sel.anchor.row || anchor.col !== this.sel.anchor.col) {
        this.sel = { anchor, focus };
      }
    }
  }

  protected updated(changed: PropertyValues<this>): void {
    if (this.editing) {
      const editor = this.renderRoot.querySelector<HTMLInputElement | HTMLTextAreaElement>('.cell.active input, .cell.active textarea');
      if (editor && this.shadowRoot?.activeElement !== editor) {
        editor.focus();
        editor.setSelectionRange(editor.value.length, editor.value.length);
      }
    } else if (this.wantFocus) {
      this.wantFocus = false;
      this.renderRoot.querySelector<HTMLElement>('.cell.active')?.focus({ preventScroll: true });
    }
    if (changed.has('sel')) this.publishCursor();
  }

  /** Puts keyboard focus on the active cell (the grid's single tab stop). */
  focusGrid(): void {
    this.wantFocus = true;
    this.requestUpdate();
  }

  /**
   * Reads the column figures one column per macrotask after the grid is on
   * screen: a 100k-row sheet is interactive first, and never blocked for long.
   */
  private buildAggregates(agg: SheetAggregates): void {
    if (this.aggregatesBuilding === agg) return;
    this.aggregatesBuilding = agg;
    const step = () => {
      if (agg !== this.aggregates) return;
      if (agg.buildNext()) {
        setTimeout(step, 0);
      } else {
        this.aggregatesBuilding = null;
        this.requestUpdate();
      }
    };
    requestAnimationFrame(() => setTimeout(step, 0));
  }

  // ── what is shown ───────────────────────────────────────────────────────

  private onChange = (change: WorkbookChange): void => {
    const mine = change.sheets.get(this.sheetId);
    if (!mine && !change.sheetList) return;
    if (change.sheetList) {
      this.version++;
      this.requestUpdate();
      return;
    }
    if (!mine) return;
    if (this.aggregates) {
      this.aggregates.apply(mine);
      // A structural change re-reads the figures, again a column at a time.
      if (!this.aggregates.ready) this.buildAggregates(this.aggregates);
    }
    const ordered = this.view.sort.length > 0 || this.view.filters.length > 0;
    if (mine.structure || (ordered && mine.cells.size > 0)) {
      this.version++;
      this.requestUpdate();
      return;
    }
    // A cell edit anywhere can change the column figures (rendered outside the grid); Lit
    // then rewrites only the DOM whose values changed: the cell if it is on screen, and the figures.
    if (mine.cells.size) this.requestUpdate();
  };

  private shown(): { rows: string[]; columns: Column[] } {
    const wb = this.workbook!;
    const c = this.viewCache;
    if (c && c.version === this.version && c.spec === this.view) return c;
    const baseRows = this.conflicts.only ? this.conflicts.filterRows(wb.rowIds(this.sheetId)) : wb.rowIds(this.sheetId);
    const baseCols = wb.columns(this.sheetId);
    const result = isEmptyView(this.view)
      ? { rows: baseRows, columns: baseCols }
      : applyView(baseRows, baseCols, this.view, (r, col) => wb.getValue(this.sheetId, r, col));
    this.viewCache = { version: this.version, spec: this.view, ...result };
    return result;
  }

  private setView(view: ViewSpec): void {
    this.view = view;
    this.viewStore?.save(this.sheetId, view);
  }

  // ── rendering ───────────────────────────────────────────────────────────

  render() {
    const wb = this.workbook;
    if (!wb || !this.sheetId) return html`<div class="empty">${t('grid.noSheet')}</div>`;
    const { rows, columns } = this.shown();
    const sheetName = wb.sheets().find((s) => s.id === this.sheetId)?.name ?? '';
    // Every width goes into a style: one that is not a sane number (the model reads it checked already) is the default.
    const widths = columns.map((c) =>
      safePx(this.widthPreview?.colId === c.id ? this.widthPreview.width : c.width, DEFAULT_COLUMN_WIDTH, MIN_COLUMN_WIDTH, MAX_COLUMN_WIDTH),
    );
    const offsets = columnOffsets(widths);
    const totalWidth = ROW_NUMBER_WIDTH + offsets[offsets.length - 1];
    const h = this.rowHeight;
    // A fixed pool of row slots: row i always renders in slot i % pool, so scrolling by one row
    // re-fills one slot instead of shifting every row's content.
    const { pool, first, last } = rowWindow(this.scrollTop, this.viewportHeight, h, rows.length);
    const { from: colFrom, to: colTo } = columnWindow(offsets, this.scrollLeft, this.viewportWidth);
    const rect = rectOf(this.sel);
    const focus = this.sel.focus;
    const slots: (number | undefined)[] = new Array(pool);
    for (let i = first; i < last; i++) slots[i % pool] = i;
    // The active row stays in the DOM even when scrolled away, so focus never falls out of the grid.
    const extra = rows.length && (focus.row < first || focus.row >= last) ? focus.row : undefined;
    const peersAt = new Map<string, PeerCursor[]>();
    for (const p of this.peerCursors) {
      const k = `${p.rowId}:${p.colId}`;
      peersAt.set(k, [...(peersAt.get(k) ?? []), p]);
    }
    const sortOf = new Map(this.view.sort.map((s) => [s.colId, s.dir]));
    const filtered = this.view.filters.length > 0 || this.view.hidden.length > 0 || this.view.sort.length > 0;
    // A view link cannot change the sheet: its structure controls say so rather than fail when pressed.
    const ro = wb.readOnly;
    const why = ro ? t('grid.viewOnlyReason') : undefined;

    return html`
      <div class="toolbar" role="toolbar" aria-label=${t('grid.actions')}>
        <button @click=${() => this.insertRows(rect.bottom + 1, 1)} ?disabled=${ro || !columns.length} title=${why ?? nothing} aria-description=${why ?? nothing}>
          ${t('grid.addRow')}
        </button>
        <button @click=${() => this.deleteSelectedRows()} ?disabled=${ro || !rows.length} title=${why ?? nothing} aria-description=${why ?? nothing}>
          ${rect.bottom > rect.top ? t('grid.deleteRows', { n: rect.bottom - rect.top + 1 }) : t('grid.deleteRow')}
        </button>
        <button @click=${() => this.addColumn()} ?disabled=${ro} title=${why ?? nothing} aria-description=${why ?? nothing}>${t('grid.addColumn')}</button>
        <button
          @click=${() => this.renderRoot.querySelector('trash-panel')?.open()}
          ?disabled=${ro}
          title=${ro ? t('grid.viewOnlyTrash') : nothing}
          aria-description=${ro ? t('grid.viewOnlyTrash') : nothing}
        >
          ${t('grid.trash', { n: wb.deletedRows(this.sheetId).length })}
        </button>
        <button @click=${() => this.renderRoot.querySelector('activity-panel')?.open()}>${t('grid.activity')}</button>
        <button @click=${() => this.openCellHistory()} title=${t('grid.cellHistoryTitle')} ?disabled=${!rows.length || !columns.length}>${t('grid.cellHistory')}</button>
        <button @click=${() => this.openColumnSettings()} ?disabled=${ro || !columns[focus.col]} title=${why ?? nothing} aria-description=${why ?? nothing}>
          ${t('grid.columnSettings')}
        </button>
        <button @click=${() => this.openViewMenu()} ?disabled=${!columns[focus.col]}>${t('grid.sortFilter')}</button>
        ${conflictToggle(this.conflicts)}
        ${ro
          ? nothing
          : html`<button aria-label=${t('grid.undo')} title=${t('grid.undoTitle')} @click=${() => this.runUndo(false)} ?disabled=${!this.undo?.canUndo()}>↶</button>
              <button aria-label=${t('grid.redo')} title=${t('grid.redoTitle')} @click=${() => this.runUndo(true)} ?disabled=${!this.undo?.canRedo()}>↷</button>`}
        ${this.aggregates?.ready && this.aggregates.lowCount()
          ? html`<span class="lowinfo" role="status">${tn('grid.low', this.aggregates.lowCount())}</span>`
          : nothing}
        ${filtered
          ? html`<span class="viewinfo" role="status">${t('grid.myView', { view: this.describeView(rows.length) })}</span>
              <button @click=${() => this.setView({ ...EMPTY_VIEW })}>${t('grid.showAll')}</button>
              ${this.view.sort.length
                ? html`<button
                    @click=${() => this.applyOrderToSheet(rows)}
                    ?disabled=${ro}
                    title=${why ?? t('grid.applyOrderTitle')}
                    aria-description=${why ?? nothing}
                  >
                    ${t('grid.applyOrder')}
                  </button>`
                : nothing}`
          : nothing}
      </div>
      ${this.findOpen ? this.renderFindBar() : nothing}
      ${conflictBar(this.conflicts, (dir) => {
        const next = this.conflicts.step(dir, rows, columns, this.sel.focus);
        if (next) this.select(next, false);
      })}
      ${this.notice
        ? html`<div class="notice" role="alert">
            <span>${this.notice}</span><button @click=${() => (this.notice = '')}>${t('grid.dismiss')}</button>
          </div>`
        : nothing}
      <div class="scroller" @scroll=${this.onScroll}>
        <div
          role="grid"
          aria-label=${sheetName}
          aria-rowcount=${rows.length + 1}
          aria-colcount=${columns.length + 1}
          aria-multiselectable="true"
          style="--row-h:${h - 1}px;width:${totalWidth}px;height:${HEADER_HEIGHT + rows.length * h}px"
          @keydown=${this.onGridKeydown}
          @copy=${this.onCopy}
          @cut=${this.onCut}
          @paste=${this.onPaste}
          @pointerover=${this.onPointerOver}
        >
          <div class="header" role="row" aria-rowindex="1">
            <div class="corner" role="columnheader" aria-colindex="1"><span class="sr">${t('grid.rowNumber')}</span></div>
            <div class="gap" style="width:${offsets[colFrom]}px"></div>
            ${columns.slice(colFrom, colTo).map((c, k) => {
              const i = colFrom + k;
              const dir = sortOf.get(c.id);
              return html`<div
                class="colhead"
                role="columnheader"
                aria-colindex=${i + 2}
                aria-sort=${dir === 'asc' ? 'ascending' : dir === 'desc' ? 'descending' : nothing}
                style="width:${widths[i]}px"
                title=${t('grid.columnTitle', { name: c.name, type: t(`type.${c.type}`) })}
                @click=${(e: MouseEvent) => this.selectColumn(i, e.shiftKey)}
                @dblclick=${() => (ro ? nothing : this.openColumnSettings(i))}
              >
                <span class="name">${c.name}</span>
                ${dir ? html`<span class="sort" aria-hidden="true">${dir === 'asc' ? '▲' : '▼'}</span>` : nothing}
                <button
                  class="menu"
                  tabindex="-1"
                  aria-label=${t('grid.columnMenu', { name: c.name })}
                  @click=${(e: Event) => {
                    e.stopPropagation();
                    this.openViewMenu(i);
                  }}
                >
                  ⋮
                </button>
                ${ro
                  ? nothing
                  : html`<span
                  class="resizer ${this.widthPreview?.colId === c.id ? 'active' : ''}"
                  aria-hidden="true"
                  @pointerdown=${(e: PointerEvent) => this.startResize(e, c, widths[i])}
                  @click=${(e: Event) => e.stopPropagation()}
                ></span>`}
              </div>`;
            })}
            <div class="gap" style="width:${offsets[columns.length] - offsets[colTo]}px"></div>
          </div>
          ${Array.from(slots, (i) => (i === undefined ? nothing : this.renderRow(rows[i], i, columns, widths, offsets, colFrom, colTo, rect, peersAt)))}
          ${extra !== undefined ? this.renderRow(rows[extra], extra, columns, widths, offsets, colFrom, colTo, rect, peersAt) : nothing}
        </div>
        ${rows.length === 0
          ? html`<div class="empty">${filtered ? t('grid.noMatch') : t('grid.noRows')}</div>`
          : nothing}
        ${this.renderSummaries(columns, widths, offsets, colFrom, colTo)}
      </div>
      <div class="footer">
        ${this.error
          ? html`<span class="error" role="alert">${this.error}</span>`
          : html`<span aria-live="polite">${this.describeActive(columns, rows)}</span>`}
        <span
          >${rect.bottom > rect.top || rect.right > rect.left ? t('grid.cellsSelected', { n: formatNumber(rectSize(rect).cells) }) : ''}${t('grid.size', {
            rows: formatNumber(rows.length),
            columns: formatNumber(columns.length),
          })}</span
        >
      </div>
      <column-editor .workbook=${wb} .sheetId=${this.sheetId} @column-editor-closed=${() => this.focusGrid()}></column-editor>
      <view-menu @view-change=${this.onViewChange} @view-menu-closed=${() => this.focusGrid()}></view-menu>
      <claim-menu .workbook=${wb} @claim-menu-closed=${() => this.focusGrid()}></claim-menu>
      <trash-panel .workbook=${wb} .sheetId=${this.sheetId} @trash-closed=${() => this.focusGrid()}></trash-panel>
      <activity-panel .workbook=${wb} .sheetId=${this.sheetId} @activity-closed=${() => this.focusGrid()}></activity-panel>
      <conflict-menu .workbook=${wb} @conflict-menu-closed=${() => this.focusGrid()}></conflict-menu>
      <cell-history .workbook=${wb} @cell-history-closed=${() => this.focusGrid()}></cell-history>
    `;
  }

  private renderRow(
    rowId: string,
    index: number,
    columns: Column[],
    widths: number[],
    offsets: number[],
    colFrom: number,
    colTo: number,
    rect: Rect,
    peersAt: Map<string, PeerCursor[]>,
  ) {
    const wb = this.workbook!;
    const focus = this.sel.focus;
    const isActiveRow = index === focus.row;
    // In the active row the active cell is always rendered, even when scrolled sideways.
    const from = isActiveRow ? Math.min(colFrom, focus.col) : colFrom;
    const to = isActiveRow ? Math.max(colTo, focus.col + 1) : colTo;
    const h = this.rowHeight;
    return html`<div
      class="row ${this.dropRow === index ? 'drop-before' : ''}"
      role="row"
      aria-rowindex=${index + 2}
      style="height:${h}px;width:${ROW_NUMBER_WIDTH + offsets[offsets.length - 1]}px;transform:translateY(${HEADER_HEIGHT + index * h}px)"
    >
      <div
        class="rowhead"
        role="rowheader"
        aria-colindex="1"
        @pointerdown=${(e: PointerEvent) => this.onRowHeadDown(e, index)}
      >
        ${index + 1}
      </div>
      <div class="gap" style="width:${offsets[from]}px"></div>
      ${columns.slice(from, to).map((col, k) => {
        const c = from + k;
        const active = isActiveRow && c === focus.col;
        const selected = rectContains(rect, index, c);
        const record = wb.getCell(this.sheetId, rowId, col.id);
        const value = record?.v ?? null;
        const misfit = value !== null && col.type !== 'claim' && !fitsColumn(col, value);
        const text = displayValue(currentLocale(), col, value);
        const found = this.findOpen && this.findQuery && text.toLowerCase().includes(this.findQuery.toLowerCase());
        const peers = peersAt.get(`${rowId}:${col.id}`);
        const low = col.type === 'counter' && this.aggregates?.isLow(rowId, col.id);
        const stale = col.type === 'claim' && this.aggregates?.isStale(rowId, col.id);
        const conflict = this.conflicts.at(rowId, col.id);
        return html`<div
          class="cell ${col.type} ${active ? 'active' : ''} ${misfit ? 'misfit' : ''} ${low ? 'low' : ''} ${stale ? 'stale' : ''} ${found ? 'found' : ''} ${peers ? 'peer' : ''} ${peers?.every((p) => p.idle) ? 'idle' : ''} ${conflict ? 'conflicted' : ''}"
          role="gridcell"
          aria-description=${conflict ? conflictLabel(currentLocale(), conflict) : nothing}
          aria-colindex=${c + 2}
          aria-selected=${selected ? 'true' : 'false'}
          tabindex=${active ? 0 : -1}
          data-row=${index}
          data-col=${c}
          style="width:${widths[c]}px;${peers ? `--peer:${safeColor(peers[0].color)}` : ''}"
          @pointerdown=${(e: PointerEvent) => this.onCellPointerDown(e, index, c)}
          @dblclick=${() => (col.type === 'claim' ? this.run({ kind: 'claim-menu' }) : this.startEditing())}
        >
          ${active && this.editing ? this.renderEditor(col) : this.renderValue(col, value, misfit, rowId, active)}
          ${peers ? html`<span class="peer-tag">${peers.map((p) => p.name).join(', ')}</span>` : nothing}
          ${conflict && !(active && this.editing) ? conflictMark(() => this.refuseReadOnly() || this.openConflictMenu({ row: index, col: c })) : nothing}
        </div>`;
      })}
    </div>`;
  }

  /** Column figures under the grid, sticky at the bottom, scrolled sideways with it. */
  private renderSummaries(columns: Column[], widths: number[], offsets: number[], colFrom: number, colTo: number) {
    const agg = this.aggregates;
    if (!agg || !agg.ready || !columns.length) return nothing;
    agg.setCellConflicts(this.conflicts.byColumn);
    return html`<div class="summaries" aria-label=${t('grid.totals')} style="width:${ROW_NUMBER_WIDTH + offsets[offsets.length - 1]}px">
      <div class="corner" aria-hidden="true">Σ</div>
      <div class="gap" style="width:${offsets[colFrom]}px"></div>
      ${columns.slice(colFrom, colTo).map((c, k) => {
        const sum = agg.summary(c.id);
        const text = summaryText(currentLocale(), sum);
        return html`<div class="figure ${sum.low || sum.conflicts || sum.stale ? 'alert' : ''}" style="width:${widths[colFrom + k]}px" title=${`${c.name}: ${text}`}>
          ${text}
        </div>`;
      })}
    </div>`;
  }

  private renderValue(col: Column, value: CellValue, misfit: boolean, rowId: string, active: boolean) {
    if (col.type === 'counter') {
      return html`${active && !this.workbook?.readOnly
          ? html`<span class="steppers"
              ><button tabindex="-1" aria-label=${t('grid.minusOne', { name: col.name })} @pointerdown=${(e: Event) => this.step(e, rowId, col, -1)}>−</button
              ><button tabindex="-1" aria-label=${t('grid.plusOne', { name: col.name })} @pointerdown=${(e: Event) => this.step(e, rowId, col, 1)}>+</button></span
            >`
          : nothing}${typeof value === 'number' ? numberText(currentLocale(), value) : (value ?? '')}`;
    }
    if (col.type === 'claim') {
      const held = claimHolders(this.workbook!, this.sheetId, rowId, col.id);
      const conflict = new Set(held.map((e) => e.name)).size > 1;
      return html`${conflict ? html`<span class="conflict" title=${t('grid.claimConflict')}>⚠ </span>` : nothing}${claimText(currentLocale(), held)}`;
    }
    if (value === null) return nothing;
    if (!misfit && col.type === 'checkbox') {
      return html`<span role="img" aria-label=${value ? t('grid.checked') : t('grid.notChecked')} data-toggle="1">${value ? '☑' : '☐'}</span>`;
    }
    if (!misfit && (col.type === 'select' || col.type === 'multiselect') && typeof value === 'string') {
      const opts = value.split(MULTI_SEPARATOR).map((id) => col.options.find((o) => o.id === id));
      if (opts.every(Boolean)) {
        return opts.map((opt) => html`<span class="chip" style="background:${safeColor(opt!.color)}33;border:1px solid ${safeColor(opt!.color)}">${opt!.label}</span> `);
      }
    }
    // Only web, mail and phone links open; anything else in a link column stays inert text.
    if (col.type === 'link' && typeof value === 'string' && isSafeLink(value)) {
      return html`<a href=${value} target="_blank" rel="noopener noreferrer" tabindex="-1">${value}</a>`;
    }
    if (col.type === 'longtext' && typeof value === 'string') return value.split('\n')[0];
    return displayValue(currentLocale(), col, value);
  }

  private renderEditor(col: Column) {
    if (col.type === 'text' || col.type === 'longtext') {
      // A textarea keeps line breaks that an <input> would silently drop; Alt+Enter adds one.
      return html`<textarea
        aria-label=${t('grid.edit', { name: col.name })}
        rows="1"
        .value=${this.draft}
        @input=${(e: Event) => (this.draft = (e.target as HTMLTextAreaElement).value)}
        @keydown=${this.onEditorKeydown}
        @blur=${this.onEditorBlur}
        @pointerdown=${(e: Event) => e.stopPropagation()}
      ></textarea>`;
    }
    return html`<input
        aria-label=${t('grid.edit', { name: col.name })}
        .value=${this.draft}
        inputmode=${col.type === 'number' ? 'decimal' : 'text'}
        placeholder=${col.type === 'date' ? t('grid.datePlaceholder') : col.type === 'datetime' ? t('grid.dateTimePlaceholder') : ''}
        list=${col.type === 'select' || col.type === 'multiselect' ? 'select-options' : nothing}
        @input=${(e: Event) => (this.draft = (e.target as HTMLInputElement).value)}
        @keydown=${this.onEditorKeydown}
        @blur=${this.onEditorBlur}
        @pointerdown=${(e: Event) => e.stopPropagation()}
      />${col.type === 'select' || col.type === 'multiselect'
        ? html`<datalist id="select-options">${col.options.map((o) => html`<option value=${o.label}></option>`)}</datalist>`
        : nothing}`;
  }

  private renderFindBar() {
    const matches = this.findMatches();
    return html`<div class="findbar" role="search">
      <input
        aria-label=${t('grid.find')}
        placeholder=${t('grid.findPlaceholder')}
        .value=${this.findQuery}
        @input=${(e: Event) => (this.findQuery = (e.target as HTMLInputElement).value)}
        @keydown=${this.onFindKeydown}
      />
      <span role="status">${this.findQuery ? t('grid.found', { n: formatNumber(matches.length) }) : ''}</span>
      <button @click=${() => this.findStep(-1)} ?disabled=${!matches.length}>${t('grid.previous')}</button>
      <button @click=${() => this.findStep(1)} ?disabled=${!matches.length}>${t('grid.next')}</button>
      <button @click=${() => this.closeFind()}>${t('grid.close')}</button>
    </div>`;
  }

  private describeView(shown: number): string {
    const parts: string[] = [];
    const cols = this.workbook?.columns(this.sheetId) ?? [];
    const name = (id: string) => cols.find((c) => c.id === id)?.name ?? '?';
    for (const s of this.view.sort) parts.push(t('grid.sortedBy', { name: name(s.colId), dir: s.dir === 'asc' ? '▲' : '▼' }));
    for (const f of this.view.filters) parts.push(t(FILTER_WORDS[f.op], { name: name(f.colId), value: f.value ?? '' }));
    if (this.view.hidden.length) parts.push(tn('grid.hidden', this.view.hidden.length));
    return tn('grid.shown', shown, { views: parts.join(', ') });
  }

  private describeActive(columns: Column[], rows: string[]): string {
    const col = columns[this.sel.focus.col];
    const rowId = rows[this.sel.focus.row];
    if (!col || !rowId || !this.workbook) return '';
    const record = this.workbook.getCell(this.sheetId, rowId, col.id);
    const locale = currentLocale();
    const value = record && record.v !== null ? (col.type === 'claim' ? claimCellText(locale, this.workbook, this.sheetId, rowId, col.id) : displayValue(locale, col, record.v)) : t('value.empty');
    const where = { column: col.name, row: this.sel.focus.row + 1, value };
    const conflict = this.conflicts.at(rowId, col.id);
    const text = record ? t('grid.activeBy', { ...where, by: record.by, when: relativeTime(locale, record.at) }) : t('grid.active', where);
    return conflict ? `${text} · ${currentConflictText(this.workbook, col, conflict)}` : text;
  }

  // ── selection and movement ──────────────────────────────────────────────

  /** Makes `focus` the active cell; any move but a Tab (`keepTabRun`) ends a run of Tabs. */
  private select(focus: CellPos, extend: boolean, keepTabRun = false): void {
    if (!keepTabRun) this.tabStart = null;
    const { rows, columns } = this.shown();
    if (!rows.length || !columns.length) return;
    const f = clampPos(focus, rows.length, columns.length);
    this.sel = extend ? { anchor: this.sel.anchor, focus: f } : single(f);
    this.error = '';
    this.reveal(f);
    this.focusGrid();
  }

  private reveal(p: CellPos): void {
    const scroller = this.renderRoot.querySelector<HTMLElement>('.scroller');
    if (!scroller) return;
    const target = revealTarget({
      row: p.row,
      col: p.col,
      rowHeight: this.rowHeight,
      widths: this.shown().columns.map((c) => c.width),
      scrollTop: scroller.scrollTop,
      scrollLeft: scroller.scrollLeft,
      viewHeight: scroller.clientHeight,
      viewWidth: scroller.clientWidth,
      headerHeight: HEADER_HEIGHT,
      rowNumberWidth: ROW_NUMBER_WIDTH,
    });
    if (target.scrollTop !== scroller.scrollTop) scroller.scrollTop = target.scrollTop;
    if (target.scrollLeft !== scroller.scrollLeft) scroller.scrollLeft = target.scrollLeft;
    this.scrollTop = scroller.scrollTop;
    this.scrollLeft = scroller.scrollLeft;
  }

  private selectColumn(col: number, extend: boolean): void {
    const { rows } = this.shown();
    if (this.editing && !this.commitEdit()) return;
    const anchorCol = extend ? this.sel.anchor.col : col;
    this.sel = { anchor: { row: 0, col: anchorCol }, focus: { row: Math.max(0, rows.length - 1), col } };
    this.focusGrid();
  }

  private onScroll = (e: Event): void => {
    const t = e.target as HTMLElement;
    this.scrollTop = t.scrollTop;
    this.scrollLeft = t.scrollLeft;
  };

  private onCellPointerDown(e: PointerEvent, row: number, col: number): void {
    if (e.button !== 0) return;
    if (this.editing) {
      if (row === this.sel.focus.row && col === this.sel.focus.col) return;
      if (!this.commitEdit(false)) {
        e.preventDefault();
        return;
      }
    }
    e.preventDefault();
    this.select({ row, col }, e.shiftKey);
    this.dragging = 'cells';
    const { columns } = this.shown();
    // One click on a checkbox toggles it, as in every spreadsheet.
    if (columns[col]?.type === 'checkbox' && (e.target as HTMLElement).dataset.toggle && !this.refuseReadOnly()) this.toggleCheckboxes();
  }

  private onPointerOver = (e: PointerEvent): void => {
    const cell = (e.target as HTMLElement).closest<HTMLElement>('.cell');
    if (!cell) return;
    const row = Number(cell.dataset.row);
    const col = Number(cell.dataset.col);
    this.showProvenance(cell, row, col);
    if (this.dragging === 'cells' && e.buttons === 1) {
      if (row !== this.sel.focus.row || col !== this.sel.focus.col) this.sel = { anchor: this.sel.anchor, focus: { row, col } };
    } else if (this.rowDrag && e.buttons === 1) {
      this.dropRow = row;
    }
  };

  /** Who changed a cell and when, as its tooltip: computed on hover, not for every rendered cell. */
  private showProvenance(cell: HTMLElement, row: number, col: number): void {
    const { rows, columns } = this.shown();
    const c = columns[col];
    const record = c && rows[row] ? this.workbook?.getCell(this.sheetId, rows[row], c.id) : undefined;
    if (!c || !record) {
      cell.removeAttribute('title');
      return;
    }
    const text = c.type === 'claim' ? claimCellText(currentLocale(), this.workbook!, this.sheetId, rows[row], c.id) : displayValue(currentLocale(), c, record.v);
    const who = t('grid.provenance', { by: record.by, when: formatDateTime(record.at) });
    const conflict = this.conflicts.at(rows[row], c.id);
    const also = conflict ? `\n${t('conflict.tooltip', { values: otherValuesText(currentLocale(), this.workbook!, c, conflict, true) })}` : '';
    cell.title = (text ? `${text}\n${who}` : who) + also;
  }

  private onWindowPointerUp = (): void => {
    this.dragging = null;
    if (this.rowDrag) {
      const drag = this.rowDrag;
      this.rowDrag = null;
      const to = this.dropRow;
      this.dropRow = null;
      if (to !== null && (to < drag.from || to > drag.from + drag.count)) this.moveSelectedRows(drag.from, drag.count, to);
    }
  };

  private onRowHeadDown(e: PointerEvent, row: number): void {
    if (e.button !== 0) return;
    e.preventDefault();
    const rect = rectOf(this.sel);
    const { columns } = this.shown();
    const inSelection = row >= rect.top && row <= rect.bottom && rect.left === 0 && rect.right === columns.length - 1;
    if (!inSelection || e.shiftKey) {
      const anchorRow = e.shiftKey ? this.sel.anchor.row : row;
      this.sel = { anchor: { row: anchorRow, col: 0 }, focus: { row, col: Math.max(0, columns.length - 1) } };
    }
    const r = rectOf(this.sel);
    // A view link selects rows but cannot move them.
    if (!this.workbook?.readOnly) this.rowDrag = { from: r.top, count: r.bottom - r.top + 1 };
    this.focusGrid();
  }

  // ── keyboard ────────────────────────────────────────────────────────────

  private keyContext(editing: boolean): Parameters<typeof keyCommand>[1] {
    const wb = this.workbook;
    const { rows, columns } = this.shown();
    const { row, col } = this.sel.focus;
    return {
      editing,
      findOpen: this.findOpen,
      row,
      col,
      nRows: rows.length,
      nCols: columns.length,
      page: pageRows(this.viewportHeight, this.rowHeight),
      colType: columns[col]?.type,
      tabStart: this.tabStart,
      filled: (r, c) => !!wb && wb.getValue(this.sheetId, rows[r], columns[c].id) !== null,
    };
  }

  private onGridKeydown = (e: KeyboardEvent): void => {
    if (this.editing || e.isComposing || (e.target as HTMLElement).closest('input')) return;
    if (!this.workbook) return;
    const shortcut = cellShortcut(e);
    const command: GridCommand | null = shortcut
      ? { kind: shortcut }
      : keyCommand({ key: e.key, shift: e.shiftKey, ctrl: e.ctrlKey || e.metaKey, alt: e.altKey }, this.keyContext(false));
    if (!command) return;
    e.preventDefault();
    this.run(command);
  };

  private onEditorKeydown = (e: KeyboardEvent): void => {
    e.stopPropagation();
    // An IME commits its composition with Enter: that Enter (and Tab, Escape) is not ours.
    const composing = e.isComposing || e.keyCode === 229;
    const command = keyCommand({ key: e.key, shift: e.shiftKey, ctrl: e.ctrlKey || e.metaKey, alt: e.altKey, composing }, this.keyContext(true));
    if (!command) return;
    e.preventDefault();
    if (command.kind === 'edit-newline') {
      const t = e.target as HTMLTextAreaElement;
      if (t instanceof HTMLTextAreaElement) t.setRangeText('\n', t.selectionStart, t.selectionEnd, 'end');
      this.draft = t.value;
    } else this.run(command);
  };

  /** Carries out a keymap command. */
  private run(command: GridCommand): void {
    if (WRITES.has(command.kind) && this.refuseReadOnly()) return;
    const { rows, columns } = this.shown();
    const nRows = rows.length;
    const nCols = columns.length;
    const { row, col } = this.sel.focus;
    switch (command.kind) {
      case 'history':
        return this.openCellHistory();
      case 'conflict':
        return this.openConflictMenu();
      case 'undo':
      case 'redo':
        return this.runUndo(command.kind === 'redo');
      case 'fill-down':
        return this.fillDown();
      case 'find':
        return this.openFind();
      case 'close-find':
        return this.closeFind();
      case 'select-all':
        this.tabStart = null;
        this.sel = { anchor: { row: 0, col: 0 }, focus: { row: nRows - 1, col: nCols - 1 } };
        return;
      case 'select-col':
        this.tabStart = null;
        this.sel = { anchor: { row: 0, col }, focus: { row: nRows - 1, col } };
        return;
      case 'select-row':
        this.tabStart = null;
        this.sel = { anchor: { row, col: 0 }, focus: { row, col: nCols - 1 } };
        return;
      case 'collapse':
        this.sel = single(this.sel.focus);
        return;
      case 'move':
        return this.select(command.to, command.extend);
      case 'move-tab':
        if (this.editing && !this.commitEdit()) return;
        this.select(command.to, false, true);
        this.tabStart = command.tabStart;
        return;
      case 'edit-commit':
        if (this.commitEdit()) this.select(command.to, false);
        return;
      case 'edit-cancel':
        return this.cancelEdit();
      case 'edit-newline':
        return;
      case 'enter':
        return this.startEditing();
      case 'edit-start':
        return this.startEditing(command.char);
      case 'toggle':
        return this.toggleCheckboxes();
      case 'claim-menu':
        return this.openClaimMenu();
      case 'clear':
        return this.clearSelection();
    }
  }

  /** On a view link, says so (instead of a write failing) and returns true. */
  private refuseReadOnly(): boolean {
    if (!this.workbook?.readOnly) return false;
    this.notice = t('grid.viewOnly');
    return true;
  }

  private onEditorBlur = (): void => {
    // Focus moved elsewhere (a click outside the grid): keep what was typed.
    if (this.editing) this.commitEdit(false);
  };

  // ── editing ─────────────────────────────────────────────────────────────

  private active(): { rowId: string; col: Column } | null {
    const { rows, columns } = this.shown();
    const rowId = rows[this.sel.focus.row];
    const col = columns[this.sel.focus.col];
    return rowId && col ? { rowId, col } : null;
  }

  private startEditing(initial?: string): void {
    const a = this.active();
    if (!a || !this.workbook) return;
    if (this.workbook.readOnly) {
      this.notice = t('grid.viewOnly');
      return;
    }
    this.draft = initial ?? editText(currentLocale(), a.col, this.workbook.getValue(this.sheetId, a.rowId, a.col.id));
    this.error = '';
    this.editing = true;
  }

  private cancelEdit(): void {
    this.editing = false;
    this.error = '';
    this.focusGrid();
  }

  /** Writes the draft; on a value that does not fit, keeps the editor open and says why. */
  private commitEdit(refocus = true): boolean {
    const a = this.active();
    if (!a || !this.workbook) return false;
    try {
      const value = parseInput(a.col, this.draft, inputOptions(currentLocale()));
      const current = this.workbook.getCell(this.sheetId, a.rowId, a.col.id);
      if (!(current?.v === value || (current === undefined && value === null))) this.workbook.setCell(this.sheetId, a.rowId, a.col.id, value);
    } catch (err) {
      if (isModelError(err)) {
        this.error = errorText(err);
        return false;
      }
      throw err;
    }
    this.editing = false;
    this.error = '';
    if (refocus) this.focusGrid();
    return true;
  }

  private guard(fn: () => void): void {
    try {
      fn();
    } catch (err) {
      if (isModelError(err)) this.error = errorText(err);
      else throw err;
    }
  }

  /** Writes, in one transaction, what `make` returns for each selected cell (null: leave it). */
  private writeSelection(make: (rowId: string, col: Column) => CellWrite | null): void {
    const wb = this.workbook;
    if (!wb) return;
    const { rows, columns } = this.shown();
    const r = rectOf(this.sel);
    const writes: CellWrite[] = [];
    for (let i = r.top; i <= r.bottom; i++) {
      for (let c = r.left; c <= r.right; c++) {
        const w = make(rows[i], columns[c]);
        if (w) writes.push(w);
      }
    }
    this.guard(() => wb.setCells(this.sheetId, writes));
  }

  private toggleCheckboxes(): void {
    const a = this.active();
    const wb = this.workbook;
    if (!a || !wb) return;
    const next = wb.getValue(this.sheetId, a.rowId, a.col.id) !== true;
    this.writeSelection((rowId, col) => (col.type === 'checkbox' ? { rowId, colId: col.id, value: next } : null));
  }

  private clearSelection(): void {
    const wb = this.workbook;
    if (!wb) return;
    this.writeSelection((rowId, col) => (wb.getCell(this.sheetId, rowId, col.id)?.v != null ? { rowId, colId: col.id, value: null } : null));
  }

  private fillDown(): void {
    const wb = this.workbook;
    if (!wb) return;
    const { rows, columns } = this.shown();
    const r = rectOf(this.sel);
    this.guard(() => fillDown(wb, this.sheetId, rows, columns.slice(r.left, r.right + 1), r.top, r.bottom));
  }

  /** −1 / +1 on a counter: a delta, which adds up with everyone else's (never a recount). */
  private step(e: Event, rowId: string, col: Column, delta: number): void {
    e.preventDefault();
    e.stopPropagation();
    this.guard(() => this.workbook!.adjustCounter(this.sheetId, rowId, col.id, delta));
  }

  private openClaimMenu(): void {
    const a = this.active();
    if (a?.col.type === 'claim') this.renderRoot.querySelector('claim-menu')?.open(this.sheetId, a.rowId, a.col);
  }

  /** The conflict menu on a cell (the active one by default, selecting it first when clicked on its mark). */
  private openConflictMenu(pos = this.sel.focus): void {
    const { rows, columns } = this.shown();
    const rowId = rows[pos.row];
    const col = columns[pos.col];
    if (!rowId || !col || !this.workbook || !this.conflicts.at(rowId, col.id)) return;
    if (pos.row !== this.sel.focus.row || pos.col !== this.sel.focus.col) this.select(pos, false);
    this.renderRoot.querySelector('conflict-menu')?.open(this.sheetId, rowId, col, this.workbook.rowIds(this.sheetId).indexOf(rowId) + 1);
  }

  private openCellHistory(): void {
    const a = this.active();
    if (a && this.workbook) this.renderRoot.querySelector('cell-history')?.open(this.sheetId, a.rowId, a.col, this.workbook.rowIds(this.sheetId).indexOf(a.rowId) + 1);
  }

  private runUndo(redo: boolean): void {
    if (!this.undo) return;
    if (redo) this.undo.redo();
    else this.undo.undo();
    this.requestUpdate();
  }

  // ── clipboard ───────────────────────────────────────────────────────────

  private selectionText(): string[][] {
    const wb = this.workbook!;
    const { rows, columns } = this.shown();
    const r = rectOf(this.sel);
    const locale = currentLocale();
    const out: string[][] = [];
    for (let i = r.top; i <= r.bottom; i++) {
      const line: string[] = [];
      for (let c = r.left; c <= r.right; c++) line.push(displayValue(locale, columns[c], wb.getValue(this.sheetId, rows[i], columns[c].id)));
      out.push(line);
    }
    return out;
  }

  private onCopy = (e: ClipboardEvent): void => {
    if (this.editing || !this.workbook || !e.clipboardData) return;
    const grid = this.selectionText();
    e.clipboardData.setData('text/plain', encodeTsv(grid));
    e.clipboardData.setData('text/html', encodeHtml(grid));
    e.preventDefault();
  };

  private onCut = (e: ClipboardEvent): void => {
    if (this.editing) return;
    if (this.workbook?.readOnly) {
      // Copy is fine on a view link; the clearing half of a cut is not.
      this.onCopy(e);
      this.refuseReadOnly();
      return;
    }
    this.onCopy(e);
    this.clearSelection();
  };

  private onPaste = (e: ClipboardEvent): void => {
    if (this.editing || !this.workbook || !e.clipboardData) return;
    e.preventDefault();
    const html = e.clipboardData.getData('text/html');
    const block = (html && decodeHtml(html)) || decodeTsv(e.clipboardData.getData('text/plain'));
    this.pasteGrid(block);
  };

  /** Public so tests and the phone view can paste without a clipboard event. */
  pasteGrid(block: string[][]): void {
    const wb = this.workbook;
    if (!wb || !block.length || this.refuseReadOnly()) return;
    const { rows, columns } = this.shown();
    const r = rectOf(this.sel);
    const cells = block.reduce((n, line) => n + line.length, 0);
    if (cells > CONFIRM_PASTE_CELLS && !confirm(t('grid.pasteConfirm', { n: formatNumber(cells) }))) return;
    try {
      const result = pasteBlock(wb, this.sheetId, rows, columns, r.top, r.left, block, {
        ...inputOptions(currentLocale()),
        columnName: (n) => t('grid.newColumn', { n }),
      });
      const height = block.length;
      const width = Math.max(...block.map((l) => l.length));
      this.version++;
      this.sel = { anchor: { row: r.top, col: r.left }, focus: { row: r.top + height - 1, col: r.left + width - 1 } };
      const grew = result.addedRows || result.addedColumns ? t('grid.pasteGrew', { rows: result.addedRows, columns: result.addedColumns }) : '';
      if (result.misfits.length) {
        const sample = result.misfits
          .slice(0, 5)
          .map((m) => t('grid.misfit', { column: m.column, row: m.row, text: m.text }))
          .join('; ');
        const list = result.misfits.length > 5 ? t('grid.misfitMore', { list: sample, n: result.misfits.length - 5 }) : sample;
        this.notice = [tn('grid.misfits', result.misfits.length, { list }), grew].filter(Boolean).join(' ');
      } else {
        this.notice = grew;
      }
    } catch (err) {
      if (isModelError(err)) this.error = errorText(err);
      else throw err;
    }
  }

  // ── find ────────────────────────────────────────────────────────────────

  private openFind(): void {
    this.findOpen = true;
    this.updateComplete.then(() => this.renderRoot.querySelector<HTMLInputElement>('.findbar input')?.select());
  }

  private closeFind(): void {
    this.findOpen = false;
    this.focusGrid();
  }

  private findMatches(): CellPos[] {
    const q = this.findQuery.trim().toLowerCase();
    if (!q || !this.workbook) return [];
    const { rows, columns } = this.shown();
    const locale = currentLocale();
    const out: CellPos[] = [];
    for (let r = 0; r < rows.length; r++) {
      for (let c = 0; c < columns.length; c++) {
        const v = this.workbook.getValue(this.sheetId, rows[r], columns[c].id);
        if (v !== null && displayValue(locale, columns[c], v).toLowerCase().includes(q)) out.push({ row: r, col: c });
      }
    }
    return out;
  }

  private findStep(dir: 1 | -1): void {
    const matches = this.findMatches();
    if (!matches.length) return;
    const { row, col } = this.sel.focus;
    const after = (m: CellPos) => m.row > row || (m.row === row && m.col > col);
    const before = (m: CellPos) => m.row < row || (m.row === row && m.col < col);
    const next = dir > 0 ? (matches.find(after) ?? matches[0]) : ([...matches].reverse().find(before) ?? matches[matches.length - 1]);
    this.sel = single(next);
    this.reveal(next);
  }

  private onFindKeydown = (e: KeyboardEvent): void => {
    e.stopPropagation();
    if (e.isComposing) return;
    if (e.key === 'Enter') {
      e.preventDefault();
      this.findStep(e.shiftKey ? -1 : 1);
    } else if (e.key === 'Escape') {
      e.preventDefault();
      this.closeFind();
    }
  };

  // ── structure ───────────────────────────────────────────────────────────

  private insertRows(viewIndex: number, count: number): void {
    const wb = this.workbook;
    if (!wb) return;
    const { rows } = this.shown();
    // Insert next to the row shown at this position, wherever it sits in the sheet.
    const base = wb.rowIds(this.sheetId);
    const anchor = rows[viewIndex - 1];
    const at = anchor ? base.indexOf(anchor) + 1 : 0;
    this.guard(() => wb.insertRows(this.sheetId, at, count));
    this.updateComplete.then(() => this.select({ row: viewIndex, col: this.sel.focus.col }, false));
  }

  private deleteSelectedRows(): void {
    const wb = this.workbook;
    if (!wb) return;
    const { rows } = this.shown();
    const r = rectOf(this.sel);
    const ids = rows.slice(r.top, r.bottom + 1);
    this.guard(() => wb.deleteRows(this.sheetId, ids));
    this.sel = single({ row: r.top, col: this.sel.focus.col });
    this.focusGrid();
  }

  private moveSelectedRows(from: number, count: number, toViewIndex: number): void {
    const wb = this.workbook;
    if (!wb) return;
    const { rows } = this.shown();
    const ids = rows.slice(from, from + count);
    const base = wb.rowIds(this.sheetId);
    const target = rows[toViewIndex];
    const toIndex = target ? base.indexOf(target) : base.length;
    this.guard(() => wb.moveRows(this.sheetId, ids, toIndex));
    const newTop = toViewIndex > from ? toViewIndex - count : toViewIndex;
    const cols = this.shown().columns.length;
    this.sel = { anchor: { row: newTop, col: 0 }, focus: { row: newTop + count - 1, col: Math.max(0, cols - 1) } };
  }

  private addColumn(): void {
    const wb = this.workbook;
    if (!wb) return;
    const base = wb.columns(this.sheetId);
    const { columns } = this.shown();
    const after = columns[this.sel.focus.col];
    const at = after ? base.findIndex((c) => c.id === after.id) + 1 : base.length;
    let id = '';
    this.guard(() => {
      id = wb.addColumn(this.sheetId, { name: t('grid.newColumn', { n: base.length + 1 }) }, at);
      if (wb.rowCount(this.sheetId) === 0) wb.insertRows(this.sheetId, 0, 1);
    });
    if (!id) return;
    this.updateComplete.then(() => {
      const idx = this.shown().columns.findIndex((c) => c.id === id);
      if (idx >= 0) this.sel = single({ row: this.sel.focus.row, col: idx });
      this.renderRoot.querySelector('column-editor')?.open(id);
    });
  }

  private openColumnSettings(index = this.sel.focus.col): void {
    const col = this.shown().columns[index];
    if (col) this.renderRoot.querySelector('column-editor')?.open(col.id);
  }

  private openViewMenu(index = this.sel.focus.col): void {
    const col = this.shown().columns[index];
    if (col) this.renderRoot.querySelector('view-menu')?.open(col, this.view);
  }

  private onViewChange = (e: CustomEvent<ViewSpec>): void => {
    this.setView(e.detail);
  };

  private applyOrderToSheet(rows: string[]): void {
    const wb = this.workbook;
    if (!wb) return;
    if (!confirm(t('grid.applyOrderConfirm'))) return;
    this.guard(() => wb.reorderRows(this.sheetId, rows));
    this.setView({ ...this.view, sort: [] });
  }

  private startResize(e: PointerEvent, col: Column, startWidth: number): void {
    e.preventDefault();
    e.stopPropagation();
    const handle = e.target as HTMLElement;
    handle.setPointerCapture(e.pointerId);
    const startX = e.clientX;
    const move = (ev: PointerEvent) => {
      const width = Math.max(MIN_WIDTH, Math.min(MAX_WIDTH, Math.round(startWidth + ev.clientX - startX)));
      this.widthPreview = { colId: col.id, width };
    };
    const up = () => {
      handle.removeEventListener('pointermove', move);
      handle.removeEventListener('pointerup', up);
      const preview = this.widthPreview;
      this.widthPreview = null;
      // Widths are shared: one write when the drag ends, not one per pixel.
      if (preview && preview.width !== col.width && this.workbook) this.guard(() => this.workbook!.updateColumn(this.sheetId, col.id, { width: preview.width }));
    };
    handle.addEventListener('pointermove', move);
    handle.addEventListener('pointerup', up);
  }

  // ── presence ────────────────────────────────────────────────────────────

  private publishCursor(): void {
    const a = this.active();
    if (!this.awareness) return;
    this.awareness.setLocalStateField('cursor', a ? { sheetId: this.sheetId, rowId: a.rowId, colId: a.col.id } : null);
    this.awareness.setLocalStateField('active', Date.now());
  }
}

/** Index of the first offset greater than x (offsets ascending). */
/** Commands that change the sheet: refused up front on a view link. */
const WRITES: ReadonlySet<GridCommand['kind']> = new Set(['toggle', 'claim-menu', 'clear', 'undo', 'redo', 'fill-down', 'conflict']);

const FILTER_WORDS = { contains: 'grid.filterContains', is: 'grid.filterIs', empty: 'grid.filterEmpty', filled: 'grid.filterFilled' } as const;

customElements.define('sheet-grid', SheetGrid);

declare global {
  interface HTMLElementTagNameMap {
    'sheet-grid': SheetGrid;
  }
}
