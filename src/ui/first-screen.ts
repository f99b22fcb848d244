import { LitElement, css, html, nothing, type PropertyValues } from 'lit';
import { columnLetter } from '../model/blank-sheet.js';
import { MAX_TEXT_LENGTH } from '../model/values.js';
import { MAX_CELL_CHARS, type CachedColumn, type CachedRow, type FirstScreen as Screen } from './first-screen-cache.js';
import { MAX_EDITS, type KeepResult, type PendingEdit } from './first-screen-edits.js';
import { formatNumber, LocaleController, t } from './i18n/locale.js';
import { gridStyles } from './grid/grid-styles.js';
import { HEADER_HEIGHT, ROW_HEIGHT_COARSE, ROW_HEIGHT_FINE, ROW_NUMBER_WIDTH } from './grid/metrics.js';
import { visuallyHidden } from './visually-hidden.js';

/** Where the first screen was when the live grid takes its place: the live grid goes on from there. */
export interface Handoff {
  scrollTop: number;
  scrollLeft: number;
  active: { row: number; col: number };
  /** the keyboard was in the first screen: it goes to the live grid's active cell */
  focused: boolean;
  /** an editor was open with something typed, not yet committed: the live grid's editor opens with it */
  draft: PendingEdit | null;
}

/** Keeps a committed edit (first-screen-edits.ts `keepEdit`, bound to the workbook), or refuses it. */
export type KeepEdit = (edit: PendingEdit) => KeepResult;

const cellKey = (rowId: string, colId: string) => `${rowId}\u0000${colId}`;

/** The sheet tabs' strip as `<sheet-tabs>` draws it (as tall), of the tabs kept: words only, nothing to press yet. Shared with `<first-cards>`. */
export const tabStripStyles = css`
  .tabs {
    display: flex;
    align-items: center;
    gap: 0.25rem;
    padding: 0.25rem 0.5rem;
    border-top: 1px solid #d0d7de;
    background: #f6f8fa;
    overflow: hidden;
  }
  .tab {
    box-sizing: border-box;
    display: inline-flex;
    align-items: center;
    min-height: 44px;
    padding: 0 0.75rem;
    border: 1px solid #d0d7de;
    border-radius: 6px;
    background: white;
    white-space: nowrap;
    /* a button's own line box, so the strip is as tall as <sheet-tabs> */
    line-height: normal;
    color: #57606a;
  }
  .tab.current {
    background: #ddf4ff;
    border-color: #0969da;
    font-weight: 600;
  }
`;

export function tabStrip(tabs: readonly { id: string; name: string }[], current: string) {
  return html`<div class="tabs" aria-hidden="true">${tabs.map((tab) => html`<span class="tab ${tab.id === current ? 'current' : ''}">${tab.name}</span>`)}</div>`;
}

/**
 * `<first-screen>`: while a workbook's doc is still being read, what its grid showed last time
 * (first-screen-cache.ts), laid out exactly as `<sheet-grid>` lays it out (its styles and
 * metrics, the toolbar's measured height, the tabs' strip), scrolled where it was, and said to
 * be busy. `<workbook-view>` replaces it with the live grid once the doc is in, handing over
 * the scroll position, the chosen cell and the keyboard.
 *
 * It takes edits (issue 18): typing, Enter, F2 or a double-click opens an editor in the cell,
 * Enter / Tab commit and move, Escape cancels, Delete / Backspace clears. A committed edit is kept
 * at once by `keep` (the queue in localStorage, first-screen-edits.ts) and shown in its cell as
 * waiting; the workbook page writes the queue into the doc at the handover. What cannot be edited
 * here is refused in words, up front: everything when `keep` is null (no key to keep edits under)
 * or on a view link, a computed column, a claim column, a formula cell's formula, a cell not kept.
 * An edit `keep` refuses (storage full, too many waiting) leaves the editor open and says why.
 *
 * Its rows carry no aria-rowindex: it is not the sheet, only the rows kept of it, and tests and
 * assistive technology that address the sheet's cells by index find only the live grid's.
 */
export class FirstScreenView extends LitElement {
  static properties = {
    screen: { attribute: false },
    readOnly: { attribute: false },
    keep: { attribute: false },
    pending: { attribute: false },
    active: { state: true },
    editing: { state: true },
    alert: { state: true },
    said: { state: true },
  };

  declare screen: Screen | null;
  /** a view link: nothing can be typed */
  declare readOnly: boolean;
  /** where committed edits go; null: they cannot be kept on this device, and typing is refused */
  declare keep: KeepEdit | null;
  /** the edits waiting (this page's and any left from an earlier one): shown in their cells */
  declare pending: PendingEdit[];
  declare active: { row: number; col: number };
  declare editing: boolean;
  /** why the last key did nothing, or why an edit was not kept ('' when nothing) */
  declare alert: string;
  /** what was done, for the live region */
  declare said: string;
  private draft = '';
  /** the editor opened on the cell's own text (F2, Enter, a double-click), not on a typed key */
  private initial: string | null = null;
  private rowHeight = ROW_HEIGHT_FINE;
  /** handoff() was asked: the live grid has what was typed, and nothing more is kept here (a blur as this goes, say) */
  private handedOver = false;

  constructor() {
    super();
    new LocaleController(this);
    this.screen = null;
    this.readOnly = false;
    this.keep = null;
    this.pending = [];
    this.active = { row: 0, col: 0 };
    this.editing = false;
    this.alert = '';
    this.said = '';
  }

  static styles = [
    visuallyHidden,
    gridStyles,
    tabStripStyles,
    css`
      .toolbar {
        box-sizing: border-box;
        color: #57606a;
        /* one line, whatever the width: the rows stay where the live grid puts them */
        flex-wrap: nowrap;
        overflow: hidden;
      }
      .toolbar .words {
        min-width: 0;
        white-space: nowrap;
        overflow: hidden;
        text-overflow: ellipsis;
      }
      .cell {
        cursor: progress;
      }
      .cell.waiting {
        font-style: italic;
        color: #57606a;
      }
    `,
  ];

  connectedCallback(): void {
    super.connectedCallback();
    this.rowHeight = matchMedia('(pointer: coarse)').matches ? ROW_HEIGHT_COARSE : ROW_HEIGHT_FINE;
  }

  protected willUpdate(changed: PropertyValues<this>): void {
    // The cell chosen last time, even when scrolled away from: the live grid starts on it.
    if (changed.has('screen') && this.screen) this.active = { ...this.screen.active };
  }

  protected firstUpdated(): void {
    const scroller = this.renderRoot.querySelector<HTMLElement>('.scroller');
    if (!scroller || !this.screen) return;
    scroller.scrollTop = this.screen.scrollTop;
    scroller.scrollLeft = this.screen.scrollLeft;
    // where the first screen of data came in, for test/bench/open.ts (as the sync session marks its steps)
    performance.mark('ms:first-screen');
  }

  protected updated(): void {
    const input = this.renderRoot.querySelector<HTMLInputElement>('.cell.active input');
    if (this.editing && input && (this.renderRoot as ShadowRoot).activeElement !== input) {
      input.focus();
      input.setSelectionRange(input.value.length, input.value.length);
    }
  }

  /** The scroll position, chosen cell, keyboard and open editor, for the live grid that takes over. */
  handoff(): Handoff | null {
    const scroller = this.renderRoot.querySelector<HTMLElement>('.scroller');
    if (!this.screen || !scroller) return null;
    this.handedOver = true;
    return {
      scrollTop: scroller.scrollTop,
      scrollLeft: scroller.scrollLeft,
      active: { ...this.active },
      focused: !!this.shadowRoot?.activeElement,
      draft: this.editing && this.draft !== this.initial ? this.editAt(this.draft) : null,
    };
  }

  /**
   * Keeps what is in an open editor as a committed edit: the first screen is going without a live
   * grid to hand it to (the workbook is still to arrive from the hub). False when it was not kept.
   */
  keepOpenEditor(): boolean {
    return !this.editing || this.closeEditor();
  }

  private clampActive(p: { row: number; col: number }): { row: number; col: number } {
    const s = this.screen!;
    const row = Math.min(Math.max(p.row, s.rowFrom), s.rowFrom + s.rows.length - 1);
    const col = Math.min(Math.max(p.col, s.colFrom), s.colFrom + s.columns.length - 1);
    return { row: Math.max(0, row), col: Math.max(0, col) };
  }

  /** The waiting text of each cell of this sheet: the last edit to it wins, as it will when applied. */
  private waiting(): Map<string, string> {
    const out = new Map<string, string>();
    const sheetId = this.screen?.sheetId;
    for (const e of this.pending) if (e.sheetId === sheetId) out.set(cellKey(e.rowId, e.colId), e.text);
    return out;
  }

  private get editable(): boolean {
    return !!this.keep && !this.readOnly;
  }

  render() {
    const s = this.screen;
    if (!s) return nothing;
    const h = this.rowHeight;
    const cols = s.columns;
    const width = cols.reduce((sum, c) => sum + c.width, 0);
    const totalWidth = ROW_NUMBER_WIDTH + s.left + width + s.right;
    const label = t('fs.label', { sheet: s.sheetName });
    const waiting = this.waiting();
    const editable = this.editable;
    return html`
      <div class="toolbar" role="status" style=${s.bar > 0 ? `height:${s.bar}px` : ''}><span class="words">${t('fs.opening')}${editable ? html`. ${t('fs.typeHere')}` : nothing}</span></div>
      <div class="scroller">
        <div
          role="grid"
          aria-label=${label}
          aria-busy="true"
          aria-readonly=${editable ? 'false' : 'true'}
          style="--row-h:${h - 1}px;width:${totalWidth}px;height:${HEADER_HEIGHT + s.totalRows * h}px"
          @keydown=${this.onKeydown}
          @pointerdown=${this.onPointerDown}
          @dblclick=${this.onDoubleClick}
        >
          <div class="header" role="row">
            <div class="corner" role="columnheader"><span class="sr">${t('grid.rowNumber')}</span></div>
            <div class="gap" style="width:${s.left}px"></div>
            ${cols.map((c) => html`<div class="colhead" role="columnheader" style="width:${c.width}px"><span class="name">${c.name}</span></div>`)}
            <div class="gap" style="width:${s.right}px"></div>
          </div>
          ${s.rows.map((r, k) => {
            const index = s.rowFrom + k;
            return html`<div class="row" role="row" style="height:${h}px;width:${totalWidth}px;transform:translateY(${HEADER_HEIGHT + index * h}px)">
              <div class="rowhead" role="rowheader">${r.n}</div>
              <div class="gap" style="width:${s.left}px"></div>
              ${cols.map((c, j) => {
                const col = s.colFrom + j;
                const isActive = index === this.active.row && col === this.active.col;
                const typed = waiting.get(cellKey(r.id, c.id));
                const inEditor = isActive && this.editing;
                return html`<div
                  class="cell ${c.type} ${isActive ? 'active' : ''} ${typed !== undefined ? 'waiting' : ''} ${inEditor ? 'editing' : ''}"
                  role="gridcell"
                  aria-readonly=${editable && !c.computed && c.type !== 'claim' ? 'false' : 'true'}
                  tabindex=${isActive && !inEditor ? 0 : -1}
                  data-row=${index}
                  data-col=${col}
                  style="width:${c.width}px"
                >${inEditor
                  ? html`<input
                      aria-label=${t('grid.edit', { name: c.name })}
                      maxlength=${MAX_TEXT_LENGTH}
                      inputmode=${c.type === 'number' || c.type === 'counter' ? 'decimal' : 'text'}
                      .value=${this.draft}
                      @input=${this.onInput}
                      @keydown=${this.onEditorKeydown}
                      @blur=${this.onBlur}
                    />`
                  : typed !== undefined
                    ? html`${typed}<span class="sr"> ${t('fs.waiting')}</span>`
                    : r.cells[j]}</div>`;
              })}
            </div>`;
          })}
        </div>
      </div>
      <div class="footer">
        <span role=${this.alert ? 'alert' : nothing}>${this.alert}</span>
        <span class="sr" role="status">${this.said}</span>
        <span>${t('grid.size', { rows: formatNumber(s.totalRows), columns: formatNumber(s.totalCols) })}</span>
      </div>
      ${tabStrip(s.tabs, s.sheetId)}
    `;
  }

  /** The active cell, when it is one of the cells kept. */
  private activeCell(): { row: CachedRow; col: CachedColumn; j: number } | null {
    const s = this.screen;
    if (!s) return null;
    const row = s.rows[this.active.row - s.rowFrom];
    const j = this.active.col - s.colFrom;
    const col = s.columns[j];
    return row && col ? { row, col, j } : null;
  }

  /** Why the active cell cannot be changed here (`own`: the editor would open on its own text), or '' when it can. */
  private refusal(own: boolean): string {
    if (!this.keep) return t('fs.stillOpening');
    if (this.readOnly) return t('grid.viewOnly');
    const a = this.activeCell();
    if (!a) return t('fs.notKept');
    if (a.col.computed) return t('fs.computed', { column: a.col.name });
    if (a.col.type === 'claim') return t('fs.claim', { column: a.col.name });
    const waiting = this.waiting().get(cellKey(a.row.id, a.col.id));
    if (own && waiting === undefined) {
      if (a.row.f.includes(a.j)) return t('fs.formulaCell');
      // The cache has a long text's first line, cut to MAX_CELL_CHARS: edited, the rest would go.
      const shown = a.row.cells[a.j];
      if (a.col.type === 'longtext' || shown.length >= MAX_CELL_CHARS || shown.includes('\n')) return t('fs.longText');
    }
    return '';
  }

  /** The edit of the active cell to `text`. */
  private editAt(text: string): PendingEdit | null {
    const a = this.activeCell();
    if (!a || !this.screen) return null;
    return { sheetId: this.screen.sheetId, rowId: a.row.id, colId: a.col.id, cell: `${columnLetter(this.active.col)}${a.row.n}`, text, at: Date.now() };
  }

  /** Opens the editor on the active cell: on `typed` (a key), or on the cell's own text. */
  private startEdit(typed: string | null): void {
    const refused = this.refusal(typed === null);
    if (refused) {
      this.alert = refused;
      return;
    }
    const a = this.activeCell()!;
    const own = this.waiting().get(cellKey(a.row.id, a.col.id)) ?? a.row.cells[a.j];
    this.initial = typed === null ? own : null;
    this.draft = typed ?? own;
    this.alert = '';
    this.editing = true;
  }

  /** Keeps `text` as the active cell's edit; false, and said, when it is not kept. */
  private commitText(text: string): boolean {
    const edit = this.editAt(text);
    if (!edit || !this.keep || this.handedOver) return false;
    const kept = this.keep(edit);
    if (!kept.ok) {
      this.alert = {
        'no-key': t('fs.stillOpening'),
        full: t('fs.queueFull', { max: formatNumber(MAX_EDITS) }),
        'too-long': t('fs.tooLong', { max: formatNumber(MAX_TEXT_LENGTH) }),
        unreadable: t('fs.queueUnreadable'),
        storage: t('fs.storageFull'),
      }[kept.reason];
      return false;
    }
    // What waited when the page opened (earlier opens' queues, each its own) stays shown with this one.
    this.pending = [...this.pending, edit];
    this.alert = '';
    this.said = text === '' ? t('fs.clearedWaiting', { cell: edit.cell }) : t('fs.typedWaiting', { cell: edit.cell, text });
    return true;
  }

  /** Commits the open editor; on success the editor closes (and the active cell moves by `move`). */
  private commitEditor(move: [number, number] | null): void {
    if (!this.closeEditor()) {
      void this.updateComplete.then(() => this.renderRoot.querySelector<HTMLInputElement>('.cell.active input')?.focus());
      return;
    }
    if (move) this.moveTo({ row: this.active.row + move[0], col: this.active.col + move[1] });
    else this.focusActive();
  }

  private cancelEdit(): void {
    this.editing = false;
    this.initial = null;
    this.alert = '';
    this.focusActive();
  }

  private onInput = (e: Event): void => {
    this.draft = (e.target as HTMLInputElement).value;
  };

  private onEditorKeydown = (e: KeyboardEvent): void => {
    e.stopPropagation();
    // An IME commits its composition with Enter: that Enter is not ours.
    if (e.isComposing || e.keyCode === 229) return;
    if (e.key === 'Enter' && !e.altKey) {
      e.preventDefault();
      this.commitEditor([e.shiftKey ? -1 : 1, 0]);
    } else if (e.key === 'Tab') {
      e.preventDefault();
      this.commitEditor([0, e.shiftKey ? -1 : 1]);
    } else if (e.key === 'Escape') {
      e.preventDefault();
      this.cancelEdit();
    }
  };

  /** Keeps what the open editor holds and closes it; false (still open, and said) when it was not kept. */
  private closeEditor(): boolean {
    if (this.draft !== this.initial && !this.commitText(this.draft)) return false;
    this.editing = false;
    this.initial = null;
    return true;
  }

  private onBlur = (): void => {
    // Focus went elsewhere: what was typed is kept, as the live grid keeps it. Refused, it stays in the editor.
    if (!this.editing || !this.isConnected || this.handedOver) return;
    this.closeEditor();
  };

  private onPointerDown = (e: PointerEvent): void => {
    const el = (e.target as HTMLElement).closest<HTMLElement>('[role="gridcell"]');
    if (!el || (e.target as HTMLElement).closest('input')) return;
    // Another cell pressed while editing: the edit is kept for the cell it was typed in before the choice moves.
    if (this.editing && !this.closeEditor()) return;
    this.moveTo({ row: Number(el.dataset.row), col: Number(el.dataset.col) });
  };

  private onDoubleClick = (e: MouseEvent): void => {
    const el = (e.target as HTMLElement).closest<HTMLElement>('[role="gridcell"]');
    if (!el || this.editing) return;
    this.startEdit(null);
  };

  private onKeydown = (e: KeyboardEvent): void => {
    if (this.editing) return;
    const moves: Record<string, [number, number]> = { ArrowUp: [-1, 0], ArrowDown: [1, 0], ArrowLeft: [0, -1], ArrowRight: [0, 1] };
    const move = e.key === 'Tab' ? ([0, e.shiftKey ? -1 : 1] as [number, number]) : moves[e.key];
    if (move) {
      e.preventDefault();
      this.moveTo({ row: this.active.row + move[0], col: this.active.col + move[1] });
      return;
    }
    if (e.ctrlKey || e.metaKey || e.altKey) return;
    if (e.key.length === 1) {
      e.preventDefault();
      this.startEdit(e.key);
    } else if (e.key === 'Enter' || e.key === 'F2') {
      e.preventDefault();
      this.startEdit(null);
    } else if (e.key === 'Delete' || e.key === 'Backspace') {
      e.preventDefault();
      const refused = this.refusal(false);
      const a = this.activeCell();
      if (refused) this.alert = refused;
      // an empty cell (no formula, nothing waiting): nothing to clear
      else if (a && (a.row.cells[a.j] !== '' || a.row.f.includes(a.j) || this.waiting().has(cellKey(a.row.id, a.col.id)))) this.commitText('');
    }
  };

  private moveTo(p: { row: number; col: number }): void {
    if (!this.screen || !Number.isFinite(p.row) || !Number.isFinite(p.col)) return;
    this.active = this.clampActive(p);
    this.focusActive();
  }

  private focusActive(): void {
    void this.updateComplete.then(() => this.renderRoot.querySelector<HTMLElement>('.cell.active')?.focus({ preventScroll: false }));
  }
}

/**
 * Resolves once `rendered` has and the browser has drawn it (a frame, or in a tab that is not
 * drawn, a moment): the doc's long first apply then waits behind the first screen, not before it.
 */
export async function afterPaint(rendered: Promise<unknown>): Promise<void> {
  await rendered;
  await Promise.race([new Promise((r) => requestAnimationFrame(() => setTimeout(r, 0))), new Promise((r) => setTimeout(r, 100))]);
}

customElements.define('first-screen', FirstScreenView);

declare global {
  interface HTMLElementTagNameMap {
    'first-screen': FirstScreenView;
  }
}
