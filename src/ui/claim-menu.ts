import { LitElement, css, html, nothing } from 'lit';
import { dialogStyles, showDialog } from './dialog-styles.js';
import { holders, type ClaimEntry } from '../model/claim.js';
import { isModelError } from '../model/errors.js';
import type { Column } from '../model/types.js';
import type { Workbook } from '../model/workbook.js';
import { errorText } from './i18n/error-text.js';
import { LocaleController, currentLocale, t } from './i18n/locale.js';
import { claimText, type Holder } from './claim-text.js';

/**
 * `<claim-menu>`: take or let go of a request or shift, give it to someone
 * ("Assign to…": a person seen in this workbook, or a name typed in), and —
 * when two people claimed it at once — settle who keeps it. Nothing here ever
 * drops a claim without someone choosing to.
 */
export class ClaimMenu extends LitElement {
  static properties = {
    workbook: { attribute: false },
    entries: { state: true },
    error: { state: true },
    assignee: { state: true },
  };

  declare workbook: Workbook | null;
  declare entries: ClaimEntry[];
  declare error: string;
  /** the name typed or picked in "Assign to…" */
  declare assignee: string;
  private target: { sheetId: string; rowId: string; col: Column } | null = null;
  /** everyone seen in the workbook, read when the menu opens (it scans the history) */
  private people: { person: string; name: string }[] = [];

  constructor() {
    super();
    // re-renders when the reader switches language
    new LocaleController(this);
    this.workbook = null;
    this.entries = [];
    this.error = '';
    this.assignee = '';
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
    form {
      display: flex;
      flex-wrap: wrap;
      gap: 0.5rem;
      align-items: end;
      margin: 0.75rem 0 0.5rem;
    }
    label {
      display: flex;
      flex-direction: column;
      gap: 0.25rem;
      flex: 1;
    }
    .hint {
      color: #57606a;
      font-size: 0.85rem;
    }
  `,
  ];

  open(sheetId: string, rowId: string, col: Column): void {
    this.target = { sheetId, rowId, col };
    this.assignee = '';
    this.error = '';
    this.people = this.workbook?.people() ?? [];
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
    const mine = wb ? held.some((e) => wb.isMine(e)) : false;
    const people: Holder[] = wb ? held.map((e) => ({ name: e.name, assignedBy: wb.assignedBy(e), mine: wb.isMine(e) })) : [];
    const names = Array.from(new Set(held.map((e) => e.name)));
    const locale = currentLocale();
    return html`<dialog aria-labelledby="claim-title" @close=${() => this.dispatchEvent(new CustomEvent('claim-menu-closed', { bubbles: true, composed: true }))}>
      <h2 id="claim-title">${target?.col.name ?? t('claim.title')}</h2>
      <p role="status">
        ${names.length === 0
          ? t('claim.nobody')
          : names.length === 1
            ? t('claim.by', { name: claimText(locale, people) })
            : html`<span class="warn">${t('claim.conflict', { names: claimText(locale, people, 'and') })}</span>`}
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
      ${wb && !wb.readOnly ? this.renderAssign(wb) : nothing}
      ${this.error ? html`<p class="error" role="alert">${this.error}</p>` : nothing}
      <div class="row"><button @click=${() => this.renderRoot.querySelector('dialog')?.close()}>${t('claim.close')}</button></div>
    </dialog>`;
  }

  /**
   * "Assign to…": a text field with everyone seen in this workbook as its
   * suggestions (a datalist: type to narrow, arrows to pick, Enter to assign).
   */
  private renderAssign(wb: Workbook) {
    const names = Array.from(new Set(this.people.map((p) => p.name)));
    return html`<form @submit=${(e: Event) => this.assign(e, wb)}>
      <label
        >${t('claim.assignTo')}
        <input
          list="claim-people"
          autocomplete="off"
          .value=${this.assignee}
          aria-describedby="assign-hint"
          @input=${(e: Event) => (this.assignee = (e.target as HTMLInputElement).value)}
        />
        <span class="hint" id="assign-hint">${t('claim.assignHint')}</span>
      </label>
      <datalist id="claim-people">${names.map((n) => html`<option value=${n}></option>`)}</datalist>
      <button type="submit" ?disabled=${this.assignee.trim() === ''}>${t('claim.assign')}</button>
    </form>`;
  }

  private assign(e: Event, wb: Workbook): void {
    e.preventDefault();
    const name = this.assignee.trim();
    if (!name) return;
    // A name shared by one person seen here is that person (their own device then sees it as theirs);
    // a name typed in, or shared by several, is left to the model to key.
    const matches = this.people.filter((p) => p.name === name);
    this.act((w, x) => w.assignClaim(x.sheetId, x.rowId, x.col.id, matches.length === 1 ? { name, person: matches[0].person } : { name }));
  }
}

customElements.define('claim-menu', ClaimMenu);

declare global {
  interface HTMLElementTagNameMap {
    'claim-menu': ClaimMenu;
  }
}
