import { LitElement, css, html, nothing } from 'lit';
import { isModelError } from '../../model/errors.js';
import type { Column } from '../../model/types.js';
import type { Workbook } from '../../model/workbook.js';
import { dialogStyles, showDialog } from '../dialog-styles.js';
import { errorText } from '../i18n/error-text.js';
import { LocaleController, t } from '../i18n/locale.js';
import { cardFieldIds } from './card-list.js';

/**
 * `<card-fields-dialog>`: which fields the sheet's phone cards show, and in
 * what order — a setting of the sheet, shared with everyone (Workbook
 * .setCardFields), so a coordinator sets it once for every volunteer. Ticked
 * fields come first, in card order, each movable up; the rest follow in the
 * sheet's order. Fires `card-fields-saved` after a change is written.
 */
export class CardFieldsDialog extends LitElement {
  static properties = {
    workbook: { attribute: false },
    sheetId: { attribute: false },
    chosen: { state: true },
    error: { state: true },
    showing: { state: true },
  };

  declare workbook: Workbook | null;
  declare sheetId: string;
  declare chosen: string[];
  declare error: string;
  declare showing: boolean;

  constructor() {
    super();
    // re-renders when the reader switches language
    new LocaleController(this);
    this.workbook = null;
    this.sheetId = '';
    this.chosen = [];
    this.error = '';
    this.showing = false;
  }

  static styles = [
    dialogStyles,
    css`
      dialog {
        max-width: min(26rem, 96vw);
        max-height: 90vh;
      }
      ul {
        list-style: none;
        margin: 0.5rem 0;
        padding: 0;
      }
      li {
        display: flex;
        align-items: center;
        gap: 0.5rem;
        border-bottom: 1px solid #eaeef2;
      }
      label {
        flex: 1;
        display: flex;
        align-items: center;
        gap: 0.5rem;
        min-height: 44px;
      }
      input[type='checkbox'] {
        width: 28px;
        height: 28px;
        min-height: 28px;
        min-width: 28px;
        margin: 8px;
      }
      .hint {
        color: #57606a;
        font-size: 0.85rem;
        margin: 0;
      }
      .actions {
        display: flex;
        flex-wrap: wrap;
        gap: 0.5rem;
        justify-content: flex-end;
      }
    `,
  ];

  open(): void {
    const wb = this.workbook;
    if (!wb || !this.sheetId) return;
    this.chosen = cardFieldIds(wb, this.sheetId, wb.columns(this.sheetId));
    this.error = '';
    this.showing = true;
    showDialog(this);
  }

  render() {
    const wb = this.workbook;
    if (!wb || !this.showing) return nothing;
    const columns = wb.columns(this.sheetId);
    const byId = new Map(columns.map((c) => [c.id, c]));
    const chosen = this.chosen.filter((id) => byId.has(id));
    const rest = columns.filter((c) => !chosen.includes(c.id));
    const item = (col: Column, on: boolean, i: number) =>
      html`<li>
        <label><input type="checkbox" .checked=${on} @change=${(e: Event) => this.toggle(col.id, (e.target as HTMLInputElement).checked)} />${col.name}</label>
        ${on && i > 0 ? html`<button type="button" aria-label=${t('phone.moveUp', { column: col.name })} @click=${() => this.moveUp(chosen, i)}>↑</button>` : nothing}
      </li>`;
    return html`<dialog aria-label=${t('phone.cardFieldsTitle')} @close=${() => (this.showing = false)}>
      <h2>${t('phone.cardFieldsTitle')}</h2>
      <p class="hint">${t('phone.cardFieldsHint')}</p>
      <ul>
        ${chosen.map((id, i) => item(byId.get(id)!, true, i))} ${rest.map((c) => item(c, false, -1))}
      </ul>
      ${this.error ? html`<p class="error" role="alert">${this.error}</p>` : nothing}
      <div class="actions">
        <button type="button" @click=${() => this.save(null)}>${t('phone.cardFieldsDefault')}</button>
        <button type="button" @click=${this.close}>${t('phone.cancel')}</button>
        <button type="button" @click=${() => this.save(chosen)}>${t('phone.cardFieldsSave')}</button>
      </div>
    </dialog>`;
  }

  private toggle(colId: string, on: boolean): void {
    this.chosen = on ? [...this.chosen.filter((id) => id !== colId), colId] : this.chosen.filter((id) => id !== colId);
  }

  private moveUp(chosen: readonly string[], i: number): void {
    const next = chosen.slice();
    [next[i - 1], next[i]] = [next[i], next[i - 1]];
    this.chosen = next;
  }

  private save(ids: string[] | null): void {
    const wb = this.workbook;
    if (!wb) return;
    if (ids !== null && ids.length === 0) {
      this.error = t('phone.cardFieldsNone');
      return;
    }
    try {
      wb.setCardFields(this.sheetId, ids);
    } catch (err) {
      if (!isModelError(err)) throw err;
      this.error = errorText(err);
      return;
    }
    this.close();
    this.dispatchEvent(new CustomEvent('card-fields-saved'));
  }

  private close = (): void => {
    this.renderRoot.querySelector('dialog')?.close();
  };
}

customElements.define('card-fields-dialog', CardFieldsDialog);

declare global {
  interface HTMLElementTagNameMap {
    'card-fields-dialog': CardFieldsDialog;
  }
}
