import { LitElement, css, html, nothing, type PropertyValues } from 'lit';
import type { FirstScreen as Screen } from './first-screen-cache.js';
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
}

/**
 * `<first-screen>`: while a workbook's doc is still being read, what its grid showed last time
 * (first-screen-cache.ts), laid out exactly as `<sheet-grid>` lays it out (its styles and
 * metrics, the toolbar's measured height, the tabs' strip), scrolled where it was. Read-only
 * and said to be busy: a cell can be chosen (the live grid starts there), typing is refused
 * out loud, never dropped silently. `<workbook-view>` replaces it with the live grid once the
 * doc is in, handing over the scroll position, the chosen cell and the keyboard.
 *
 * Its rows carry no aria-rowindex: it is not the sheet, only the rows kept of it, and tests and
 * assistive technology that address the sheet's cells by index find only the live grid's.
 */
export class FirstScreenView extends LitElement {
  static properties = {
    screen: { attribute: false },
    active: { state: true },
    refused: { state: true },
  };

  declare screen: Screen | null;
  declare active: { row: number; col: number };
  /** a key was pressed that would have changed the sheet: said, since it did nothing */
  declare refused: boolean;
  private rowHeight = ROW_HEIGHT_FINE;

  constructor() {
    super();
    new LocaleController(this);
    this.screen = null;
    this.active = { row: 0, col: 0 };
    this.refused = false;
  }

  static styles = [
    visuallyHidden,
    gridStyles,
    css`
      .toolbar {
        box-sizing: border-box;
        color: #57606a;
      }
      .cell {
        cursor: progress;
      }
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

  /** The scroll position, chosen cell and keyboard, for the live grid that takes over. */
  handoff(): Handoff | null {
    const scroller = this.renderRoot.querySelector<HTMLElement>('.scroller');
    if (!this.screen || !scroller) return null;
    return {
      scrollTop: scroller.scrollTop,
      scrollLeft: scroller.scrollLeft,
      active: { ...this.active },
      focused: !!this.shadowRoot?.activeElement,
    };
  }

  private clampActive(p: { row: number; col: number }): { row: number; col: number } {
    const s = this.screen!;
    const row = Math.min(Math.max(p.row, s.rowFrom), s.rowFrom + s.rows.length - 1);
    const col = Math.min(Math.max(p.col, s.colFrom), s.colFrom + s.columns.length - 1);
    return { row: Math.max(0, row), col: Math.max(0, col) };
  }

  render() {
    const s = this.screen;
    if (!s) return nothing;
    const h = this.rowHeight;
    const cols = s.columns;
    const width = cols.reduce((sum, c) => sum + c.width, 0);
    const totalWidth = ROW_NUMBER_WIDTH + s.left + width + s.right;
    const label = t('fs.label', { sheet: s.sheetName });
    return html`
      <div class="toolbar" role="status" style=${s.bar > 0 ? `height:${s.bar}px` : ''}>${t('fs.opening')}</div>
      <div class="scroller">
        <div
          role="grid"
          aria-label=${label}
          aria-busy="true"
          aria-readonly="true"
          style="--row-h:${h - 1}px;width:${totalWidth}px;height:${HEADER_HEIGHT + s.totalRows * h}px"
          @keydown=${this.onKeydown}
          @pointerdown=${this.onPointerDown}
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
                return html`<div
                  class="cell ${c.type} ${isActive ? 'active' : ''}"
                  role="gridcell"
                  aria-readonly="true"
                  tabindex=${isActive ? 0 : -1}
                  data-row=${index}
                  data-col=${col}
                  style="width:${c.width}px"
                >${r.cells[j]}</div>`;
              })}
            </div>`;
          })}
        </div>
      </div>
      <div class="footer">
        <span role=${this.refused ? 'alert' : nothing}>${this.refused ? t('fs.stillOpening') : ''}</span>
        <span>${t('grid.size', { rows: formatNumber(s.totalRows), columns: formatNumber(s.totalCols) })}</span>
      </div>
      <div class="tabs" aria-hidden="true">${s.tabs.map((tab) => html`<span class="tab ${tab.id === s.sheetId ? 'current' : ''}">${tab.name}</span>`)}</div>
    `;
  }

  private onPointerDown = (e: PointerEvent): void => {
    const el = (e.target as HTMLElement).closest<HTMLElement>('[role="gridcell"]');
    if (!el) return;
    this.moveTo({ row: Number(el.dataset.row), col: Number(el.dataset.col) });
  };

  private onKeydown = (e: KeyboardEvent): void => {
    const moves: Record<string, [number, number]> = { ArrowUp: [-1, 0], ArrowDown: [1, 0], ArrowLeft: [0, -1], ArrowRight: [0, 1] };
    const move = moves[e.key];
    if (move) {
      e.preventDefault();
      this.moveTo({ row: this.active.row + move[0], col: this.active.col + move[1] });
      return;
    }
    // A key that would type, clear or edit does nothing yet: said, so nobody thinks it went in.
    if ((e.key.length === 1 && !e.ctrlKey && !e.metaKey && !e.altKey) || e.key === 'Enter' || e.key === 'Delete' || e.key === 'Backspace' || e.key === 'F2') {
      e.preventDefault();
      this.refused = true;
    }
  };

  private moveTo(p: { row: number; col: number }): void {
    if (!this.screen || !Number.isFinite(p.row) || !Number.isFinite(p.col)) return;
    this.active = this.clampActive(p);
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
