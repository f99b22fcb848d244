import { LitElement, css, html, nothing } from 'lit';
import type { NamedEntry } from '../model/history.js';
import type { Column } from '../model/types.js';
import type { Workbook } from '../model/workbook.js';
import { dialogStyles, recordListStyles, showDialog } from './dialog-styles.js';
import { LocaleController, currentLocale, formatDateTime, t } from './i18n/locale.js';
import { entryText, whoText, workbookPlace } from './history-text.js';

/** At most this many changes are listed; a cell with more is a counter tapped all day, and Activity pages through all. */
const MAX_SHOWN = 300;

/**
 * `<cell-history>`: every recorded change to one cell, newest first — who
 * (name and device), when, old → new — opened from the grid (toolbar button
 * or Alt+Shift+H). Follows the journal while open.
 */
export class CellHistory extends LitElement {
  static properties = {
    workbook: { attribute: false },
    entries: { state: true },
  };

  declare workbook: Workbook | null;
  declare entries: NamedEntry[];
  private target: { sheetId: string; rowId: string; col: Column; row: number } | null = null;
  private offHistory: (() => void) | null = null;

  constructor() {
    super();
    // re-renders when the reader switches language
    new LocaleController(this);
    this.workbook = null;
    this.entries = [];
  }

  static styles = [
    dialogStyles,
    recordListStyles,
    css`
      dialog {
        max-width: min(34rem, 94vw);
      }
      ul {
        max-height: 60vh;
        overflow: auto;
      }
      li {
        flex-direction: column;
        align-items: flex-start;
        gap: 0.1rem;
      }
      .close {
        display: flex;
        justify-content: flex-end;
      }
    `,
  ];

  disconnectedCallback(): void {
    super.disconnectedCallback();
    this.offHistory?.();
    this.offHistory = null;
  }

  open(sheetId: string, rowId: string, col: Column, row: number): void {
    const wb = this.workbook;
    if (!wb) return;
    this.target = { sheetId, rowId, col, row };
    this.refresh();
    this.offHistory?.();
    this.offHistory = wb.observeHistory((sheets) => {
      if (sheets.size === 0 || sheets.has(sheetId)) this.refresh();
    });
    showDialog(this);
  }

  private refresh(): void {
    const x = this.target;
    this.entries = x && this.workbook ? this.workbook.cellHistory(x.sheetId, x.rowId, x.col.id) : [];
  }

  render() {
    const x = this.target;
    const wb = this.workbook;
    const locale = currentLocale();
    const place = wb ? workbookPlace(wb) : null;
    const myDevice = wb?.getActor().deviceId ?? '';
    return html`<dialog
      aria-labelledby="cell-history-title"
      @close=${() => {
        this.offHistory?.();
        this.offHistory = null;
        this.dispatchEvent(new CustomEvent('cell-history-closed', { bubbles: true, composed: true }));
      }}
    >
      ${x ? html`<h2 id="cell-history-title">${t('cellHistory.title', { column: x.col.name, row: x.row })}</h2>` : nothing}
      ${this.entries.length && place
        ? html`<ul>
            ${this.entries.slice(0, MAX_SHOWN).map(
              (e) => html`<li>
                <span>${entryText(locale, place, e, { withoutPlace: true })}</span>
                <span class="who">${whoText(locale, e.by, e.dev, myDevice)} · ${formatDateTime(e.at)}</span>
              </li>`,
            )}
          </ul>`
        : html`<p>${t('cellHistory.none')}</p>`}
      <div class="close"><button @click=${() => this.renderRoot.querySelector('dialog')?.close()}>${t('cellHistory.close')}</button></div>
    </dialog>`;
  }
}

customElements.define('cell-history', CellHistory);

declare global {
  interface HTMLElementTagNameMap {
    'cell-history': CellHistory;
  }
}
