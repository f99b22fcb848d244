import { LitElement, css, html, nothing, type PropertyValues } from 'lit';
import type { Column } from '../model/types.js';
import { EMPTY_VIEW, applyView, isEmptyView } from '../model/view.js';
import type { Workbook } from '../model/workbook.js';
import type { SyncStatus } from '../sync/status.js';
import { LocaleController, currentLocale, t, tn } from './i18n/locale.js';
import { displayValue } from './i18n/value-text.js';
import type { ViewStore } from './view-store.js';
import { WorkbookController } from './workbook-controller.js';
import './row-form.js';

const CARD_HEIGHT = 112;
const OVERSCAN = 4;
/** A finger that moved this far was scrolling, not tapping. */
const TAP_SLOP_PX = 10;

/**
 * `<row-cards>`: the sheet on a phone — a windowed list of row cards; tapping
 * one opens `<row-form>` for that row. A card opens only on a tap that did not
 * move, so scrolling never opens an editor by accident. The open row is held by
 * its id: a change saved from the form that moves it in a sorted or filtered
 * view (or a colleague's insert above it) never swaps the form to another row.
 */
export class RowCards extends LitElement {
  static properties = {
    workbook: { attribute: false },
    sheetId: { attribute: false },
    viewStore: { attribute: false },
    status: { attribute: false },
    openRow: { state: true },
    scrollTop: { state: true },
    viewportHeight: { state: true },
  };

  declare workbook: Workbook | null;
  declare sheetId: string;
  declare viewStore: ViewStore | null;
  /** the sync session's status, which the form uses to say where each change is saved */
  declare status: SyncStatus | null;
  /** the row the form shows, and where it was in the list (kept there if the view drops it) */
  declare openRow: { id: string; index: number } | null;
  declare scrollTop: number;
  declare viewportHeight: number;

  private readonly controller = new WorkbookController(this, (c) => c.sheets.has(this.sheetId) || c.sheetList);
  private down: { x: number; y: number } | null = null;
  private resizeObserver: ResizeObserver | null = null;

  constructor() {
    super();
    // re-renders when the reader switches language
    new LocaleController(this);
    this.workbook = null;
    this.sheetId = '';
    this.viewStore = null;
    this.status = null;
    this.openRow = null;
    this.scrollTop = 0;
    this.viewportHeight = 600;
  }

  static styles = css`
    :host {
      display: flex;
      flex-direction: column;
      flex: 1;
      min-height: 0;
    }
    .bar {
      display: flex;
      gap: 0.5rem;
      padding: 0.5rem;
      border-bottom: 1px solid #d0d7de;
      background: #f6f8fa;
      align-items: center;
    }
    button {
      min-height: 44px;
      min-width: 44px;
      padding: 0 1rem;
      font: inherit;
      border: 1px solid #d0d7de;
      border-radius: 6px;
      background: white;
    }
    .list {
      flex: 1;
      overflow-y: auto;
      position: relative;
      overscroll-behavior: contain;
    }
    .card {
      position: absolute;
      left: 0.5rem;
      right: 0.5rem;
      height: ${CARD_HEIGHT - 8}px;
      box-sizing: border-box;
      border: 1px solid #d0d7de;
      border-radius: 8px;
      padding: 0.5rem 0.75rem;
      background: white;
      overflow: hidden;
      cursor: pointer;
      display: grid;
      align-content: start;
      gap: 0.15rem;
      text-align: left;
      font: inherit;
      width: auto;
    }
    .title {
      font-weight: 600;
      white-space: nowrap;
      overflow: hidden;
      text-overflow: ellipsis;
    }
    .field {
      font-size: 0.9rem;
      color: #57606a;
      white-space: nowrap;
      overflow: hidden;
      text-overflow: ellipsis;
    }
    .count {
      color: #57606a;
      font-size: 0.9rem;
    }
  `;

  connectedCallback(): void {
    super.connectedCallback();
    this.resizeObserver = new ResizeObserver((entries) => {
      for (const e of entries) this.viewportHeight = e.contentRect.height;
    });
  }

  disconnectedCallback(): void {
    super.disconnectedCallback();
    this.resizeObserver?.disconnect();
  }

  protected firstUpdated(): void {
    const list = this.renderRoot.querySelector('.list');
    if (list) this.resizeObserver?.observe(list);
  }

  protected willUpdate(_changed: PropertyValues<this>): void {
    this.controller.bind(this.workbook);
  }

  private shown(): { rows: string[]; columns: Column[] } {
    const wb = this.workbook!;
    const view = this.viewStore?.load(this.sheetId) ?? EMPTY_VIEW;
    const rows = wb.rowIds(this.sheetId);
    const columns = wb.columns(this.sheetId);
    return isEmptyView(view) ? { rows, columns } : applyView(rows, columns, view, (r, c) => wb.getValue(this.sheetId, r, c));
  }

  render() {
    const wb = this.workbook;
    if (!wb || !this.sheetId) return nothing;
    const { rows, columns } = this.shown();
    const open = this.openRow;
    if (open && wb.hasRow(this.sheetId, open.id)) {
      let index = rows.indexOf(open.id);
      let formRows = rows;
      if (index < 0) {
        // The view no longer shows it (a filtered value changed): it stays open where it was.
        index = Math.min(open.index, rows.length);
        formRows = [...rows.slice(0, index), open.id, ...rows.slice(index)];
      }
      return html`<row-form
        .workbook=${wb}
        .sheetId=${this.sheetId}
        .rowIds=${formRows}
        .columns=${columns}
        .index=${index}
        .status=${this.status}
        @row-form-close=${() => (this.openRow = null)}
        @row-form-goto=${(e: CustomEvent<number>) => this.openAt(formRows, e.detail)}
      ></row-form>`;
    }
    const first = Math.max(0, Math.floor(this.scrollTop / CARD_HEIGHT) - OVERSCAN);
    const last = Math.min(rows.length, Math.ceil((this.scrollTop + this.viewportHeight) / CARD_HEIGHT) + OVERSCAN);
    const indices = [];
    for (let i = first; i < last; i++) indices.push(i);
    return html`<div class="bar">
        <button @click=${this.addRow}>${t('grid.addRow')}</button>
        <span class="count">${tn('cards.count', rows.length)}</span>
      </div>
      <div class="list" role="list" aria-label=${t('cards.rows')} @scroll=${(e: Event) => (this.scrollTop = (e.target as HTMLElement).scrollTop)}>
        <div style="height:${rows.length * CARD_HEIGHT + 8}px"></div>
        ${indices.map((i) => {
          const rowId = rows[i];
          const [head, ...rest] = columns;
          const text = (c: Column) => displayValue(currentLocale(), c, wb.getValue(this.sheetId, rowId, c.id));
          return html`<button
            class="card"
            role="listitem"
            style="top:${i * CARD_HEIGHT + 8}px"
            aria-label=${t('cards.row', { n: i + 1, text: head ? text(head) || t('value.empty') : '' })}
            @pointerdown=${(e: PointerEvent) => (this.down = { x: e.clientX, y: e.clientY })}
            @click=${(e: MouseEvent) => this.onCardClick(e, i)}
          >
            <span class="title">${i + 1}. ${head ? text(head) || '—' : ''}</span>
            ${rest.slice(0, 3).map((c) => html`<span class="field">${c.name}: ${text(c) || '—'}</span>`)}
          </button>`;
        })}
      </div>`;
  }

  private onCardClick(e: MouseEvent, index: number): void {
    const d = this.down;
    this.down = null;
    if (d && Math.hypot(e.clientX - d.x, e.clientY - d.y) > TAP_SLOP_PX) return;
    this.openAt(this.shown().rows, index);
  }

  private openAt(rows: string[], index: number): void {
    const id = rows[index];
    if (id) this.openRow = { id, index };
  }

  private addRow = (): void => {
    const wb = this.workbook;
    if (!wb) return;
    const [id] = wb.insertRows(this.sheetId, wb.rowCount(this.sheetId), 1);
    const rows = this.shown().rows;
    this.openRow = { id, index: rows.includes(id) ? rows.indexOf(id) : rows.length };
  };
}

customElements.define('row-cards', RowCards);

declare global {
  interface HTMLElementTagNameMap {
    'row-cards': RowCards;
  }
}
