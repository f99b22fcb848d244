import { LitElement, css, html, nothing } from 'lit';
import type { Alternative, CellConflict } from '../model/conflicts.js';
import { isModelError } from '../model/errors.js';
import type { CellValue, Column } from '../model/types.js';
import { parseInput } from '../model/values.js';
import type { Workbook } from '../model/workbook.js';
import { dialogStyles, showDialog } from './dialog-styles.js';
import { errorText } from './i18n/error-text.js';
import { LocaleController, currentLocale, formatDateTime, t } from './i18n/locale.js';
import { inputOptions, personText } from './i18n/value-text.js';
import { alternativeText } from './history-text.js';

/**
 * `<conflict-menu>`: a cell two people wrote at the same time, without seeing
 * each other's change. Lists the value shown and each other one with who and
 * when; one action settles it for everyone (`Workbook.resolveConflict`):
 * keep one of them, or type a new value. Stays current while open, so a
 * colleague settling it first is seen rather than overwritten blindly.
 */
export class ConflictMenu extends LitElement {
  static properties = {
    workbook: { attribute: false },
    conflict: { state: true },
    draft: { state: true },
    error: { state: true },
  };

  declare workbook: Workbook | null;
  declare conflict: CellConflict | null;
  declare draft: string;
  declare error: string;
  private target: { sheetId: string; rowId: string; col: Column; row: number } | null = null;
  private offHistory: (() => void) | null = null;

  constructor() {
    super();
    // re-renders when the reader switches language
    new LocaleController(this);
    this.workbook = null;
    this.conflict = null;
    this.draft = '';
    this.error = '';
  }

  static styles = [
    dialogStyles,
    css`
      dialog {
        max-width: min(30rem, 94vw);
      }
      ul {
        list-style: none;
        padding: 0;
        margin: 0.5rem 0;
      }
      li {
        display: flex;
        flex-wrap: wrap;
        gap: 0.5rem;
        align-items: center;
        justify-content: space-between;
        border-bottom: 1px solid #eaeef2;
        padding: 0.35rem 0;
      }
      .value {
        font-weight: 600;
        overflow-wrap: anywhere;
      }
      .who,
      .intro {
        color: #57606a;
        font-size: 0.85rem;
      }
      .kind {
        display: block;
        font-size: 0.8rem;
        color: #57606a;
      }
      form {
        display: flex;
        flex-wrap: wrap;
        gap: 0.5rem;
        align-items: end;
        margin: 0.75rem 0;
      }
      label {
        display: flex;
        flex-direction: column;
        gap: 0.25rem;
        flex: 1;
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

  /** Opens on a cell; `row` is its number as the reader sees it. */
  open(sheetId: string, rowId: string, col: Column, row: number): void {
    const wb = this.workbook;
    if (!wb) return;
    this.target = { sheetId, rowId, col, row };
    this.error = '';
    this.refresh();
    this.draft = '';
    this.offHistory?.();
    this.offHistory = wb.observeHistory(() => this.refresh());
    showDialog(this);
  }

  private refresh(): void {
    const x = this.target;
    this.conflict = x && this.workbook ? this.workbook.conflict(x.sheetId, x.rowId, x.col.id) : null;
  }

  /** A view link shows the conflict (it is what the sheet holds) but cannot settle it. */
  private get readOnly(): boolean {
    return this.workbook?.readOnly ?? true;
  }

  /** `formula`: keep a formula alternative as the formula it is (its stored text), not as text */
  private resolve(value: CellValue, formula = false): void {
    const wb = this.workbook;
    const x = this.target;
    if (!wb || !x || wb.readOnly) return;
    try {
      wb.resolveConflict(x.sheetId, x.rowId, x.col.id, value, { formula });
    } catch (err) {
      if (!isModelError(err)) throw err;
      this.error = errorText(err);
      return;
    }
    this.close();
  }

  private close(): void {
    this.renderRoot.querySelector('dialog')?.close();
  }

  private onSubmit = (e: Event): void => {
    e.preventDefault();
    const x = this.target;
    if (!x) return;
    try {
      this.resolve(parseInput(x.col, this.draft, inputOptions(currentLocale())));
    } catch (err) {
      if (!isModelError(err)) throw err;
      this.error = errorText(err);
    }
  };

  private renderChoice(a: Alternative, kind: string) {
    const x = this.target!;
    const locale = currentLocale();
    const value = this.workbook && this.conflict ? alternativeText(locale, this.workbook, x.col, this.conflict, a) : '';
    const by = personText(locale, this.workbook?.knownActor(a.ref)?.name);
    return html`<li>
      <span
        ><span class="kind">${kind}</span><span class="value">${value}</span>
        <span class="who">${t('conflict.byWhen', { by, when: formatDateTime(a.at) })}</span></span
      >
      <button ?disabled=${this.readOnly} aria-describedby=${this.readOnly ? 'conflict-readonly' : nothing} @click=${() => this.resolve(a.v, a.formula === true)}>
        ${t('conflict.keep', { value })}
      </button>
    </li>`;
  }

  render() {
    const x = this.target;
    const c = this.conflict;
    return html`<dialog
      aria-labelledby="conflict-title"
      @close=${() => {
        this.offHistory?.();
        this.offHistory = null;
        this.dispatchEvent(new CustomEvent('conflict-menu-closed', { bubbles: true, composed: true }));
      }}
    >
      ${x ? html`<h2 id="conflict-title">${t('conflict.title', { column: x.col.name, row: x.row })}</h2>` : nothing}
      ${c
        ? html`<p class="intro">${t('conflict.intro')}</p>
            <ul>
              ${this.renderChoice(c.current, t('conflict.shown'))} ${c.others.map((o) => this.renderChoice(o, t('conflict.also')))}
            </ul>
            ${this.readOnly
              ? html`<p class="intro" id="conflict-readonly">${t('phone.conflictViewer')}</p>`
              : html`<form @submit=${this.onSubmit}>
              <label
                >${t('conflict.typeNew')}
                <input
                  list=${x && x.col.options.length ? 'conflict-options' : nothing}
                  .value=${this.draft}
                  @input=${(e: Event) => (this.draft = (e.target as HTMLInputElement).value)}
                />
              </label>
              ${x && x.col.options.length ? html`<datalist id="conflict-options">${x.col.options.map((o) => html`<option value=${o.label}></option>`)}</datalist>` : nothing}
              <button type="submit" ?disabled=${this.draft.trim() === ''}>${t('conflict.save')}</button>
            </form>`}`
        : html`<p role="status">${t('conflict.settled')}</p>`}
      ${this.error ? html`<p class="error" role="alert">${this.error}</p>` : nothing}
      <div class="close"><button @click=${() => this.close()}>${t('conflict.close')}</button></div>
    </dialog>`;
  }
}

customElements.define('conflict-menu', ConflictMenu);

declare global {
  interface HTMLElementTagNameMap {
    'conflict-menu': ConflictMenu;
  }
}
