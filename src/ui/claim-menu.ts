import { LitElement, css, html, nothing } from 'lit';
import { dialogStyles, showDialog } from './dialog-styles.js';
import { holders, type ClaimEntry } from '../model/claim.js';
import { isModelError } from '../model/errors.js';
import type { Column } from '../model/types.js';
import type { Workbook } from '../model/workbook.js';
import { errorText } from './i18n/error-text.js';
import { LocaleController, currentLocale, t } from './i18n/locale.js';
import { listAnd } from './i18n/value-text.js';

/**
 * `<claim-menu>`: take or let go of a request or shift, and — when two people
 * claimed it at once — settle who keeps it. Nothing here ever drops a claim
 * without someone choosing to.
 */
export class ClaimMenu extends LitElement {
  static properties = {
    workbook: { attribute: false },
    entries: { state: true },
    error: { state: true },
  };

  declare workbook: Workbook | null;
  declare entries: ClaimEntry[];
  declare error: string;
  private target: { sheetId: string; rowId: string; col: Column } | null = null;

  constructor() {
    super();
    // re-renders when the reader switches language
    new LocaleController(this);
    this.workbook = null;
    this.entries = [];
    this.error = '';
  }

  static styles = [
    dialogStyles,
    css`
    dialog {
      max-width: min(24rem, 92vw);
    }
    .row {
      display: flex;
      flex-wrap: wrap;
      gap: 0.5rem;
      margin: 0.5rem 0;
    }
    .warn {
      color: #bc4c00;
    }
  `,
  ];

  open(sheetId: string, rowId: string, col: Column): void {
    this.target = { sheetId, rowId, col };
    this.refresh();
    showDialog(this);
  }

  private refresh(): void {
    const target = this.target;
    this.entries = target && this.workbook ? this.workbook.claims(target.sheetId, target.rowId, target.col.id) : [];
  }

  private act(fn: (wb: Workbook, t: { sheetId: string; rowId: string; col: Column }) => void): void {
    const wb = this.workbook;
    const target = this.target;
    if (!wb || !target) return;
    try {
      fn(wb, target);
      this.error = '';
      this.renderRoot.querySelector('dialog')?.close();
    } catch (err) {
      if (isModelError(err)) this.error = errorText(err);
      else throw err;
    }
  }

  render() {
    const target = this.target;
    const wb = this.workbook;
    const held = holders(this.entries);
    const me = wb?.getActor().name;
    const mine = held.some((e) => e.name === me);
    const names = Array.from(new Set(held.map((e) => e.name)));
    return html`<dialog aria-labelledby="claim-title" @close=${() => this.dispatchEvent(new CustomEvent('claim-menu-closed', { bubbles: true, composed: true }))}>
      <h2 id="claim-title">${target?.col.name ?? t('claim.title')}</h2>
      <p role="status">
        ${names.length === 0
          ? t('claim.nobody')
          : names.length === 1
            ? t('claim.by', { name: names[0] })
            : html`<span class="warn">${t('claim.conflict', { names: listAnd(currentLocale(), names) })}</span>`}
      </p>
      <div class="row">
        ${mine
          ? html`<button @click=${() => this.act((w, x) => w.release(x.sheetId, x.rowId, x.col.id))}>${t('claim.releaseMine')}</button>`
          : html`<button @click=${() => this.act((w, x) => w.claim(x.sheetId, x.rowId, x.col.id))}>${t('claim.take')}</button>`}
      </div>
      ${names.length > 1
        ? html`<div class="row">
            ${held.map(
              (e) => html`<button @click=${() => this.act((w, x) => w.resolveClaim(x.sheetId, x.rowId, x.col.id, e.person))}>${t('claim.keepOnly', { name: e.name })}</button>`,
            )}
          </div>`
        : nothing}
      ${held.length
        ? html`<div class="row"><button @click=${() => this.act((w, x) => w.resolveClaim(x.sheetId, x.rowId, x.col.id, null))}>${t('claim.releaseAll')}</button></div>`
        : nothing}
      ${this.error ? html`<p class="error" role="alert">${this.error}</p>` : nothing}
      <div class="row"><button @click=${() => this.renderRoot.querySelector('dialog')?.close()}>${t('claim.close')}</button></div>
    </dialog>`;
  }
}

customElements.define('claim-menu', ClaimMenu);

declare global {
  interface HTMLElementTagNameMap {
    'claim-menu': ClaimMenu;
  }
}
