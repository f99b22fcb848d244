import { LitElement, css, html, nothing } from 'lit';
import { dialogStyles, recordListStyles, showDialog } from './dialog-styles.js';
import type { Workbook } from '../model/workbook.js';
import { LocaleController, currentLocale, formatDateTime, t } from './i18n/locale.js';
import { displayValue, personText } from './i18n/value-text.js';

/** `<trash-panel>`: rows deleted from a sheet — by whom, when — and a way back for each. */
export class TrashPanel extends LitElement {
  static properties = {
    workbook: { attribute: false },
    sheetId: { attribute: false },
    tick: { state: true },
    isOpen: { state: true },
  };

  declare workbook: Workbook | null;
  declare sheetId: string;
  declare tick: number;
  /** Contents are built only while open: listing them scans the sheet. */
  declare isOpen: boolean;

  constructor() {
    super();
    // re-renders when the reader switches language
    new LocaleController(this);
    this.workbook = null;
    this.sheetId = '';
    this.tick = 0;
    this.isOpen = false;
  }

  static styles = [
    dialogStyles,
    recordListStyles,
    css`
    dialog {
      max-width: min(36rem, 94vw);
    }
    ul {
      max-height: 60vh;
      overflow: auto;
    }
    .what {
      overflow: hidden;
      text-overflow: ellipsis;
      white-space: nowrap;
    }
    button {
      flex: none;
    }
  `,
  ];

  open(): void {
    this.tick++;
    this.isOpen = true;
    showDialog(this);
  }

  render() {
    const wb = this.workbook;
    if (!wb || !this.sheetId || !this.isOpen) return html`<dialog></dialog>`;
    const cols = wb.columns(this.sheetId).slice(0, 3);
    const rows = wb.deletedRows(this.sheetId).sort((a, b) => b.deleted.at - a.deleted.at);
    return html`<dialog aria-labelledby="trash-title" @close=${() => {
        this.isOpen = false;
        this.dispatchEvent(new CustomEvent('trash-closed', { bubbles: true, composed: true }));
      }}>
      <h2 id="trash-title">${t('trash.title')}</h2>
      ${rows.length === 0 ? html`<p>${t('trash.nothing')}</p>` : nothing}
      <ul>
        ${rows.map((r) => {
          const summary = cols.map((c) => displayValue(currentLocale(), c, wb.getValue(this.sheetId, r.id, c.id))).filter(Boolean).join(' · ') || t('trash.emptyRow');
          return html`<li>
            <span>
              <span class="what">${summary}</span><br />
              <span class="who">${t('trash.deletedBy', { by: personText(currentLocale(), r.deleted.by), when: formatDateTime(r.deleted.at) })}</span>
            </span>
            <button aria-label=${t('trash.restoreLabel', { row: summary })} @click=${() => this.restore(r.id)}>${t('trash.restore')}</button>
          </li>`;
        })}
      </ul>
      <button @click=${() => this.renderRoot.querySelector('dialog')?.close()}>${t('trash.close')}</button>
    </dialog>`;
  }

  private restore(rowId: string): void {
    this.workbook?.restoreRows(this.sheetId, [rowId]);
    this.tick++;
  }
}

customElements.define('trash-panel', TrashPanel);

declare global {
  interface HTMLElementTagNameMap {
    'trash-panel': TrashPanel;
  }
}
