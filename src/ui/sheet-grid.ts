import { LitElement, css, html, nothing, type PropertyValues } from 'lit';
import { isModelError } from '../model/errors.js';
import type { Column } from '../model/types.js';
import { fitsColumn, formatValue, parseInput } from '../model/values.js';
import type { Workbook } from '../model/workbook.js';
import { WorkbookController } from './workbook-controller.js';

/** Row height: roomier where the pointer is a finger, so every row is a 44px tap target. */
const ROW_HEIGHT_FINE = 36;
const ROW_HEIGHT_COARSE = 44;
const HEADER_HEIGHT = 40;
const ROW_NUMBER_WIDTH = 56;
/** Rows rendered beyond the visible ones, so a fast scroll does not flash blank rows. */
const OVERSCAN = 8;

interface Pos {
  row: number;
  col: number;
}

/**
 * `<sheet-grid>`: one sheet as a WAI-ARIA grid. Rows are windowed (only the
 * visible ones are in the DOM); focus stays on the grid element and
 * aria-activedescendant names the active cell, so the grid is one tab stop.
 */
export class SheetGrid extends LitElement {
  static properties = {
    workbook: { attribute: false },
    sheetId: { attribute: false },
    active: { state: true },
    editing: { state: true },
    draft: { state: true },
    error: { state: true },
    scrollTop: { state: true },
    viewportHeight: { state: true },
  };

  declare workbook: Workbook | null;
  declare sheetId: string;
  declare active: Pos;
  declare editing: boolean;
  declare draft: string;
  declare error: string;
  declare scrollTop: number;
  declare viewportHeight: number;

  private readonly controller = new WorkbookController(this, (change) => change.sheets.has(this.sheetId));
  private resizeObserver: ResizeObserver | null = null;
  private rowHeight = ROW_HEIGHT_FINE;

  constructor() {
    super();
    this.workbook = null;
    this.sheetId = '';
    this.active = { row: 0, col: 0 };
    this.editing = false;
    this.draft = '';
    this.error = '';
    this.scrollTop = 0;
    this.viewportHeight = 600;
  }

  static styles = css`
    :host {
      display: flex;
      flex-direction: column;
      min-height: 0;
      flex: 1;
      font-size: 0.95rem;
    }
    .toolbar {
      display: flex;
      flex-wrap: wrap;
      gap: 0.25rem;
      padding: 0.25rem 0.5rem;
      border-bottom: 1px solid #d0d7de;
      background: #f6f8fa;
    }
    button {
      min-height: 44px;
      min-width: 44px;
      padding: 0 0.75rem;
      font: inherit;
      border: 1px solid #d0d7de;
      border-radius: 6px;
      background: white;
      cursor: pointer;
    }
    button:focus-visible {
      outline: 3px solid #0969da;
      outline-offset: 1px;
    }
    .scroller {
      flex: 1;
      overflow: auto;
      position: relative;
      min-height: 0;
    }
    [role='grid'] {
      position: relative;
      outline: none;
      width: max-content;
      min-width: 100%;
    }
    [role='grid']:focus-visible .active {
      outline: 3px solid #0969da;
    }
    .row {
      display: flex;
      position: absolute;
      left: 0;
      right: 0;
    }
    .header {
      position: sticky;
      top: 0;
      z-index: 2;
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
      text-overflow: ellipsis;
      flex: none;
    }
    .colhead {
      font-weight: 600;
      justify-content: space-between;
      gap: 0.25rem;
      cursor: default;
    }
    .colhead .type {
      font-weight: 400;
      color: #57606a;
      font-size: 0.8em;
    }
    .rowhead,
    .corner {
      position: sticky;
      left: 0;
      z-index: 1;
      width: ${ROW_NUMBER_WIDTH}px;
      justify-content: flex-end;
      background: #f6f8fa;
      color: #57606a;
    }
    .corner {
      z-index: 3;
    }
    .cell {
      background: white;
      cursor: cell;
    }
    .cell span.text {
      overflow: hidden;
      text-overflow: ellipsis;
    }
    .cell.number {
      justify-content: flex-end;
      font-variant-numeric: tabular-nums;
    }
    .cell.active {
      outline: 2px solid #0969da;
      outline-offset: -2px;
      z-index: 1;
    }
    .cell.misfit {
      background: #fff8c5;
    }
    .chip {
      border-radius: 999px;
      padding: 0.1rem 0.6rem;
      font-size: 0.85em;
    }
    .cell input,
    .cell select {
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
    .empty {
      padding: 2rem;
      color: #57606a;
    }
  `;

  connectedCallback(): void {
    super.connectedCallback();
    this.rowHeight = matchMedia('(pointer: coarse)').matches ? ROW_HEIGHT_COARSE : ROW_HEIGHT_FINE;
    this.resizeObserver = new ResizeObserver((entries) => {
      for (const e of entries) this.viewportHeight = e.contentRect.height;
    });
  }

  disconnectedCallback(): void {
    super.disconnectedCallback();
    this.resizeObserver?.disconnect();
  }

  protected firstUpdated(): void {
    const scroller = this.renderRoot.querySelector('.scroller');
    if (scroller) this.resizeObserver?.observe(scroller);
  }

  protected willUpdate(changed: PropertyValues<this>): void {
    this.controller.bind(this.workbook);
    if (changed.has('sheetId') && changed.get('sheetId') !== undefined) {
      this.active = { row: 0, col: 0 };
      this.editing = false;
      this.error = '';
    }
    // Remote edits can remove rows or columns under the cursor: keep it inside the sheet.
    if (this.workbook && this.sheetId) {
      const rows = this.workbook.rowCount(this.sheetId);
      const cols = this.workbook.columns(this.sheetId).length;
      const row = Math.max(0, Math.min(this.active.row, rows - 1));
      const col = Math.max(0, Math.min(this.active.col, cols - 1));
      if (row !== this.active.row || col !== this.active.col) this.active = { row, col };
    }
  }

  protected updated(): void {
    if (this.editing) {
      const editor = this.renderRoot.querySelector<HTMLInputElement>('.cell.active input');
      if (editor && this.shadowRoot?.activeElement !== editor) {
        editor.focus();
        editor.setSelectionRange(editor.value.length, editor.value.length);
      }
    }
  }

  /** Puts keyboard focus on the grid (the single tab stop). */
  focusGrid(): void {
    this.renderRoot.querySelector<HTMLElement>('[role="grid"]')?.focus();
  }

  // ── rendering ───────────────────────────────────────────────────────────

  render() {
    const wb = this.workbook;
    if (!wb || !this.sheetId) return html`<div class="empty">No sheet</div>`;
    const columns = wb.columns(this.sheetId);
    const rowIds = wb.rowIds(this.sheetId);
    const sheetName = wb.sheets().find((s) => s.id === this.sheetId)?.name ?? '';
    const first = Math.max(0, Math.floor(this.scrollTop / this.rowHeight) - OVERSCAN);
    const visibleCount = Math.ceil(this.viewportHeight / this.rowHeight) + OVERSCAN * 2;
    const last = Math.min(rowIds.length, first + visibleCount);
    const totalWidth = ROW_NUMBER_WIDTH + columns.reduce((n, c) => n + c.width, 0);
    const activeCol = columns[this.active.col];
    const activeRowId = rowIds[this.active.row];

    return html`
      <div class="toolbar" role="toolbar" aria-label="Sheet actions">
        <button @click=${() => this.insertRow(this.active.row + 1)} ?disabled=${!columns.length}>Add row</button>
        <button @click=${() => this.deleteActiveRow()} ?disabled=${!rowIds.length}>Delete row</button>
        <button @click=${() => this.addColumn()}>Add column</button>
        <button @click=${() => this.openColumnSettings()} ?disabled=${!activeCol}>Column settings</button>
      </div>
      <div class="scroller" @scroll=${this.onScroll}>
        <div
          role="grid"
          tabindex="0"
          aria-label=${sheetName}
          aria-rowcount=${rowIds.length + 1}
          aria-colcount=${columns.length + 1}
          aria-activedescendant=${activeRowId && activeCol ? this.cellDomId(this.active.row, this.active.col) : nothing}
          aria-describedby="footer-status"
          style="width:${totalWidth}px"
          @keydown=${this.onGridKeydown}
        >
          <div class="header" role="row" aria-rowindex="1">
            <div class="corner" role="columnheader" aria-colindex="1"><span class="sr">Row</span></div>
            ${columns.map(
              (c, i) => html`<div
                class="colhead"
                role="columnheader"
                aria-colindex=${i + 2}
                style="width:${c.width}px"
                @dblclick=${() => this.openColumnSettings(i)}
              >
                <span class="name">${c.name}</span><span class="type">${c.type}</span>
              </div>`,
            )}
          </div>
          <div class="body" style="height:${rowIds.length * this.rowHeight}px;position:relative">
            ${rowIds.slice(first, last).map((rowId, k) => this.renderRow(rowId, first + k, columns))}
          </div>
        </div>
        ${rowIds.length === 0 ? html`<div class="empty">This sheet has no rows yet. Use “Add row”.</div>` : nothing}
      </div>
      <div class="footer" id="footer-status">
        ${this.error
          ? html`<span class="error" role="alert">${this.error}</span>`
          : html`<span aria-live="polite">${this.describeActive(columns, rowIds)}</span>`}
        <span>${rowIds.length} rows · ${columns.length} columns</span>
      </div>
      <column-editor
        .workbook=${wb}
        .sheetId=${this.sheetId}
        @column-editor-closed=${() => this.focusGrid()}
      ></column-editor>
    `;
  }

  private renderRow(rowId: string, index: number, columns: Column[]) {
    const wb = this.workbook!;
    return html`<div
      class="row"
      role="row"
      aria-rowindex=${index + 2}
      style="height:${this.rowHeight}px;transform:translateY(${index * this.rowHeight}px)"
    >
      <div class="rowhead" role="rowheader" aria-colindex="1">${index + 1}</div>
      ${columns.map((col, c) => {
        const active = index === this.active.row && c === this.active.col;
        const record = wb.getCell(this.sheetId, rowId, col.id);
        const value = record?.v ?? null;
        const misfit = value !== null && !fitsColumn(col, value);
        const title = record ? `${formatValue(col, value)}\n— ${record.by}, ${new Date(record.at).toLocaleString()}` : '';
        return html`<div
          id=${this.cellDomId(index, c)}
          class="cell ${col.type} ${active ? 'active' : ''} ${misfit ? 'misfit' : ''}"
          role="gridcell"
          aria-colindex=${c + 2}
          aria-selected=${active ? 'true' : 'false'}
          aria-readonly=${'false'}
          title=${title}
          style="width:${col.width}px"
          @mousedown=${(e: MouseEvent) => this.onCellMouseDown(e, index, c)}
          @dblclick=${() => this.startEditing()}
        >
          ${active && this.editing ? this.renderEditor(col) : this.renderValue(col, value, misfit)}
        </div>`;
      })}
    </div>`;
  }

  private renderValue(col: Column, value: unknown, misfit: boolean) {
    if (value === null || value === undefined) return nothing;
    if (!misfit && col.type === 'checkbox') {
      return html`<span role="img" aria-label=${value ? 'checked' : 'not checked'}>${value ? '☑' : '☐'}</span>`;
    }
    if (!misfit && col.type === 'select') {
      const opt = col.options.find((o) => o.id === value);
      if (opt) return html`<span class="chip" style="background:${opt.color}33;border:1px solid ${opt.color}">${opt.label}</span>`;
    }
    return html`<span class="text">${formatValue(col, value as never)}</span>`;
  }

  private renderEditor(col: Column) {
    if (col.type === 'select') {
      // A text box with suggestions: typing an option's name works like everywhere else.
      return html`<input
          aria-label=${`Edit ${col.name}`}
          .value=${this.draft}
          list="select-options"
          @input=${(e: Event) => (this.draft = (e.target as HTMLInputElement).value)}
          @keydown=${this.onEditorKeydown}
          @blur=${this.onEditorBlur}
        /><datalist id="select-options">
          ${col.options.map((o) => html`<option value=${o.label}></option>`)}
        </datalist>`;
    }
    return html`<input
      aria-label=${`Edit ${col.name}`}
      .value=${this.draft}
      inputmode=${col.type === 'number' ? 'decimal' : 'text'}
      placeholder=${col.type === 'date' ? 'YYYY-MM-DD' : ''}
      @input=${(e: Event) => (this.draft = (e.target as HTMLInputElement).value)}
      @keydown=${this.onEditorKeydown}
      @blur=${this.onEditorBlur}
    />`;
  }

  private describeActive(columns: Column[], rowIds: string[]): string {
    const col = columns[this.active.col];
    const rowId = rowIds[this.active.row];
    if (!col || !rowId || !this.workbook) return '';
    const record = this.workbook.getCell(this.sheetId, rowId, col.id);
    const where = `${col.name}, row ${this.active.row + 1}`;
    const value = record && record.v !== null ? formatValue(col, record.v) : 'empty';
    const who = record ? ` · changed by ${record.by}, ${relativeTime(record.at)}` : '';
    return `${where}: ${value}${who}`;
  }

  private cellDomId(row: number, col: number): string {
    return `cell-${row}-${col}`;
  }

  // ── interaction ─────────────────────────────────────────────────────────

  private onScroll(e: Event): void {
    this.scrollTop = (e.target as HTMLElement).scrollTop;
  }

  private onCellMouseDown(e: MouseEvent, row: number, col: number): void {
    if (this.editing && row === this.active.row && col === this.active.col) return;
    if (this.editing && !this.commitEdit()) {
      e.preventDefault();
      return;
    }
    this.moveTo(row, col);
    e.preventDefault();
    this.focusGrid();
    const column = this.workbook?.columns(this.sheetId)[col];
    // One click on a checkbox toggles it, as in every spreadsheet.
    if (column?.type === 'checkbox' && (e.target as HTMLElement).getAttribute('role') === 'img') this.toggleCheckbox();
  }

  private onGridKeydown = (e: KeyboardEvent): void => {
    if (this.editing || e.isComposing) return;
    const wb = this.workbook;
    if (!wb) return;
    const rows = wb.rowCount(this.sheetId);
    const cols = wb.columns(this.sheetId).length;
    const page = Math.max(1, Math.floor(this.viewportHeight / this.rowHeight) - 1);
    const { row, col } = this.active;
    const ctrl = e.ctrlKey || e.metaKey;
    let handled = true;
    switch (e.key) {
      case 'ArrowUp':
        this.moveTo(ctrl ? 0 : row - 1, col);
        break;
      case 'ArrowDown':
        this.moveTo(ctrl ? rows - 1 : row + 1, col);
        break;
      case 'ArrowLeft':
        this.moveTo(row, ctrl ? 0 : col - 1);
        break;
      case 'ArrowRight':
        this.moveTo(row, ctrl ? cols - 1 : col + 1);
        break;
      case 'Home':
        this.moveTo(ctrl ? 0 : row, 0);
        break;
      case 'End':
        this.moveTo(ctrl ? rows - 1 : row, cols - 1);
        break;
      case 'PageUp':
        this.moveTo(row - page, col);
        break;
      case 'PageDown':
        this.moveTo(row + page, col);
        break;
      case 'Tab':
        if ((e.shiftKey && col === 0) || (!e.shiftKey && col === cols - 1)) {
          handled = false; // let focus leave the grid at its edges
        } else {
          this.moveTo(row, col + (e.shiftKey ? -1 : 1));
        }
        break;
      case 'Enter':
      case 'F2':
        if (this.activeColumn()?.type === 'checkbox') this.toggleCheckbox();
        else this.startEditing();
        break;
      case ' ':
        if (this.activeColumn()?.type === 'checkbox') this.toggleCheckbox();
        else this.startEditing(' ');
        break;
      case 'Delete':
      case 'Backspace':
        this.writeActive(null);
        break;
      default:
        if (e.key.length === 1 && !ctrl && !e.altKey) {
          if (this.activeColumn()?.type === 'checkbox') handled = false;
          else this.startEditing(e.key);
        } else {
          handled = false;
        }
    }
    if (handled) e.preventDefault();
  };

  private onEditorKeydown = (e: KeyboardEvent): void => {
    e.stopPropagation();
    // An IME commits its composition with Enter: that Enter is not ours.
    if (e.isComposing || e.keyCode === 229) return;
    if (e.key === 'Escape') {
      e.preventDefault();
      this.cancelEdit();
    } else if (e.key === 'Enter') {
      e.preventDefault();
      if (this.commitEdit()) this.moveTo(this.active.row + (e.shiftKey ? -1 : 1), this.active.col);
    } else if (e.key === 'Tab') {
      e.preventDefault();
      if (this.commitEdit()) this.moveTo(this.active.row, this.active.col + (e.shiftKey ? -1 : 1));
    }
  };

  private onEditorBlur = (): void => {
    // Focus moved elsewhere (a click outside the grid): keep what was typed.
    if (this.editing) this.commitEdit(false);
  };

  private activeColumn(): Column | undefined {
    return this.workbook?.columns(this.sheetId)[this.active.col];
  }

  private moveTo(row: number, col: number): void {
    const wb = this.workbook;
    if (!wb) return;
    const rows = wb.rowCount(this.sheetId);
    const cols = wb.columns(this.sheetId).length;
    this.active = { row: clamp(row, 0, rows - 1), col: clamp(col, 0, cols - 1) };
    this.error = '';
    this.revealRow(this.active.row);
  }

  private revealRow(row: number): void {
    const scroller = this.renderRoot.querySelector<HTMLElement>('.scroller');
    if (!scroller) return;
    const top = row * this.rowHeight;
    const visibleTop = scroller.scrollTop;
    const visibleBottom = visibleTop + scroller.clientHeight - HEADER_HEIGHT;
    if (top < visibleTop) scroller.scrollTop = top;
    else if (top + this.rowHeight > visibleBottom) scroller.scrollTop = top + this.rowHeight - (scroller.clientHeight - HEADER_HEIGHT);
    this.scrollTop = scroller.scrollTop;
  }

  private startEditing(initial?: string): void {
    const col = this.activeColumn();
    const rowId = this.workbook?.rowIds(this.sheetId)[this.active.row];
    if (!col || !rowId || !this.workbook) return;
    const current = this.workbook.getValue(this.sheetId, rowId, col.id);
    this.draft = initial ?? formatValue(col, current);
    this.error = '';
    this.editing = true;
  }

  private cancelEdit(): void {
    this.editing = false;
    this.error = '';
    this.updateComplete.then(() => this.focusGrid());
  }

  /** Writes the draft; on a value that does not fit, keeps the editor open and says why. */
  private commitEdit(refocus = true): boolean {
    const col = this.activeColumn();
    if (!col || !this.workbook) return false;
    let value;
    try {
      value = parseInput(col, this.draft);
    } catch (err) {
      if (isModelError(err)) {
        this.error = err.message;
        return false;
      }
      throw err;
    }
    if (!this.writeActive(value)) return false;
    this.editing = false;
    if (refocus) this.updateComplete.then(() => this.focusGrid());
    return true;
  }

  private writeActive(value: ReturnType<typeof parseInput>): boolean {
    const wb = this.workbook;
    const col = this.activeColumn();
    const rowId = wb?.rowIds(this.sheetId)[this.active.row];
    if (!wb || !col || !rowId) return false;
    try {
      const current = wb.getCell(this.sheetId, rowId, col.id);
      if (current?.v === value || (current === undefined && value === null)) return true;
      wb.setCell(this.sheetId, rowId, col.id, value);
      this.error = '';
      return true;
    } catch (err) {
      if (isModelError(err)) {
        this.error = err.message;
        return false;
      }
      throw err;
    }
  }

  private toggleCheckbox(): void {
    const wb = this.workbook;
    const col = this.activeColumn();
    const rowId = wb?.rowIds(this.sheetId)[this.active.row];
    if (!wb || !col || !rowId) return;
    this.writeActive(wb.getValue(this.sheetId, rowId, col.id) !== true);
  }

  private insertRow(index: number): void {
    const wb = this.workbook;
    if (!wb) return;
    const at = clamp(index, 0, wb.rowCount(this.sheetId));
    wb.insertRows(this.sheetId, at, 1);
    this.updateComplete.then(() => {
      this.moveTo(at, this.active.col);
      this.focusGrid();
    });
  }

  private deleteActiveRow(): void {
    const wb = this.workbook;
    const rowId = wb?.rowIds(this.sheetId)[this.active.row];
    if (!wb || !rowId) return;
    wb.deleteRows(this.sheetId, [rowId]);
    this.focusGrid();
  }

  private addColumn(): void {
    const wb = this.workbook;
    if (!wb) return;
    const count = wb.columns(this.sheetId).length;
    const at = count === 0 ? 0 : this.active.col + 1;
    wb.addColumn(this.sheetId, { name: `Column ${count + 1}` }, at);
    if (wb.rowCount(this.sheetId) === 0) wb.insertRows(this.sheetId, 0, 1);
    this.updateComplete.then(() => {
      this.moveTo(this.active.row, at);
      this.openColumnSettings(at);
    });
  }

  private openColumnSettings(index = this.active.col): void {
    const col = this.workbook?.columns(this.sheetId)[index];
    if (!col) return;
    this.renderRoot.querySelector('column-editor')?.open(col.id);
  }
}

function clamp(n: number, lo: number, hi: number): number {
  return Math.max(lo, Math.min(hi, n));
}

function relativeTime(at: number): string {
  const s = Math.round((Date.now() - at) / 1000);
  if (s < 45) return 'just now';
  if (s < 3600) return `${Math.round(s / 60)} min ago`;
  if (s < 86_400) return `${Math.round(s / 3600)} h ago`;
  return new Date(at).toLocaleDateString();
}

customElements.define('sheet-grid', SheetGrid);

declare global {
  interface HTMLElementTagNameMap {
    'sheet-grid': SheetGrid;
  }
}
