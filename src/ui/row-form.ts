import { LitElement, css, html, nothing } from 'lit';
import { isModelError } from '../model/errors.js';
import type { CellValue, CellWrite, Column } from '../model/types.js';
import { isSafeLink, parseInput } from '../model/values.js';
import type { Workbook } from '../model/workbook.js';
import { errorText } from './i18n/error-text.js';
import { LocaleController, currentLocale, formatDateTime, t } from './i18n/locale.js';
import { editText, inputOptions, listAnd, numberText } from './i18n/value-text.js';

/**
 * `<row-form>`: one row as a form with big inputs and the phone's own
 * keyboards (decimal pad for numbers, date picker for dates). Saves all fields
 * in one step, or none if any does not fit, saying which and why.
 */
export class RowForm extends LitElement {
  static properties = {
    workbook: { attribute: false },
    sheetId: { attribute: false },
    rowIds: { attribute: false },
    columns: { attribute: false },
    index: { attribute: false },
    drafts: { state: true },
    errors: { state: true },
  };

  declare workbook: Workbook | null;
  declare sheetId: string;
  declare rowIds: string[];
  declare columns: Column[];
  declare index: number;
  declare drafts: Map<string, string>;
  declare errors: Map<string, string>;

  constructor() {
    super();
    // re-renders when the reader switches language
    new LocaleController(this);
    this.workbook = null;
    this.sheetId = '';
    this.rowIds = [];
    this.columns = [];
    this.index = 0;
    this.drafts = new Map();
    this.errors = new Map();
  }

  static styles = css`
    :host {
      display: flex;
      flex-direction: column;
      flex: 1;
      min-height: 0;
    }
    form {
      flex: 1;
      overflow-y: auto;
      padding: 0.75rem;
      display: grid;
      gap: 0.75rem;
      align-content: start;
    }
    .nav {
      display: flex;
      gap: 0.5rem;
      padding: 0.5rem;
      border-bottom: 1px solid #d0d7de;
      background: #f6f8fa;
      align-items: center;
    }
    .nav .where {
      flex: 1;
      text-align: center;
      font-weight: 600;
    }
    label {
      display: grid;
      gap: 0.25rem;
      font-weight: 600;
    }
    input,
    select,
    textarea,
    button {
      min-height: 48px;
      font: inherit;
      font-size: 1.05rem;
      padding: 0 0.75rem;
      border: 1px solid #d0d7de;
      border-radius: 8px;
      background: white;
      box-sizing: border-box;
      width: 100%;
    }
    .nav button {
      width: auto;
      min-width: 48px;
    }
    input[type='checkbox'] {
      width: 44px;
      min-height: 44px;
      height: 44px;
    }
    .error {
      color: #cf222e;
      font-weight: 400;
      font-size: 0.9rem;
    }
    .field {
      display: grid;
      gap: 0.35rem;
    }
    .label {
      font-weight: 600;
    }
    .counter {
      display: flex;
      align-items: center;
      gap: 0.75rem;
    }
    .counter output {
      font-size: 1.6rem;
      font-variant-numeric: tabular-nums;
      min-width: 3ch;
      text-align: center;
    }
    button.big {
      width: 64px;
      min-height: 56px;
      font-size: 1.6rem;
    }
    .recount {
      font-weight: 400;
    }
    .links a,
    a {
      display: inline-flex;
      align-items: center;
      min-height: 44px;
      padding: 0 0.75rem;
      font-weight: 400;
    }
    .choices {
      display: flex;
      flex-wrap: wrap;
      gap: 0.5rem;
      font-weight: 400;
    }
    label.choice {
      display: inline-flex;
      align-items: center;
      gap: 0.25rem;
    }
    .who {
      font-weight: 400;
      font-size: 0.8rem;
      color: #57606a;
    }
    .save {
      background: #1f883d;
      color: white;
      border-color: #1f883d;
      font-weight: 600;
    }
  `;

  private get rowId(): string {
    return this.rowIds[this.index];
  }

  private valueText(col: Column): string {
    if (this.drafts.has(col.id)) return this.drafts.get(col.id)!;
    return editText(currentLocale(), col, this.workbook?.getValue(this.sheetId, this.rowId, col.id) ?? null);
  }

  render() {
    const wb = this.workbook;
    if (!wb || !this.rowId) return nothing;
    return html`<div class="nav">
        <button @click=${this.back} aria-label=${t('form.back')}>←</button>
        <button @click=${() => this.go(-1)} ?disabled=${this.index === 0} aria-label=${t('form.previous')}>▲</button>
        <span class="where">${t('form.where', { n: this.index + 1, total: this.rowIds.length })}</span>
        <button @click=${() => this.go(1)} ?disabled=${this.index >= this.rowIds.length - 1} aria-label=${t('form.next')}>▼</button>
      </div>
      <form @submit=${this.onSubmit}>
        ${this.columns.map((col) => this.renderField(col))}
        <button class="save" type="submit">${t('form.save')}</button>
      </form>`;
  }

  private renderField(col: Column) {
    const text = this.valueText(col);
    const error = this.errors.get(col.id);
    const set = (v: string) => {
      this.drafts = new Map(this.drafts).set(col.id, v);
    };
    let input;
    switch (col.type) {
      case 'counter':
        return this.renderCounter(col);
      case 'claim':
        return this.renderClaim(col);
      case 'checkbox':
        input = html`<input
          type="checkbox"
          .checked=${text === 'yes'}
          @change=${(e: Event) => set((e.target as HTMLInputElement).checked ? 'yes' : 'no')}
        />`;
        break;
      case 'select':
        input = html`<select @change=${(e: Event) => set((e.target as HTMLSelectElement).value)}>
          <option value="" ?selected=${text === ''}>—</option>
          ${col.options.map((o) => html`<option value=${o.label} ?selected=${o.label === text}>${o.label}</option>`)}
        </select>`;
        break;
      case 'date':
        input = html`<input type="date" .value=${text} @input=${(e: Event) => set((e.target as HTMLInputElement).value)} />`;
        break;
      case 'datetime':
        input = html`<input type="datetime-local" .value=${text.replace(' ', 'T')} @input=${(e: Event) => set((e.target as HTMLInputElement).value)} />`;
        break;
      case 'longtext':
        input = html`<textarea rows="4" .value=${text} @input=${(e: Event) => set((e.target as HTMLTextAreaElement).value)}></textarea>`;
        break;
      case 'phone': {
        const number = text.replace(/[^+0-9]/g, '');
        input = html`<input type="tel" .value=${text} @input=${(e: Event) => set((e.target as HTMLInputElement).value)} />
          ${number ? html`<span class="links"><a href=${`tel:${number}`}>${t('form.call')}</a> <a href=${`sms:${number}`}>${t('form.text')}</a></span>` : nothing}`;
        break;
      }
      case 'link':
        input = html`<input type="text" inputmode="url" .value=${text} @input=${(e: Event) => set((e.target as HTMLInputElement).value)} />
          ${isSafeLink(text) ? html`<a href=${text} target="_blank" rel="noopener noreferrer">${t('form.open')}</a>` : nothing}`;
        break;
      case 'multiselect': {
        const chosen = new Set(text.split(',').map((t) => t.trim()).filter(Boolean));
        const toggle = (label: string, on: boolean) => {
          const next = new Set(chosen);
          if (on) next.add(label);
          else next.delete(label);
          set(col.options.filter((o) => next.has(o.label)).map((o) => o.label).join(', '));
        };
        input = html`<span class="choices">
          ${col.options.map(
            (o) =>
              html`<label class="choice"
                ><input type="checkbox" .checked=${chosen.has(o.label)} @change=${(e: Event) => toggle(o.label, (e.target as HTMLInputElement).checked)} />
                ${o.label}</label
              >`,
          )}
        </span>`;
        break;
      }
      case 'number':
        input = html`<input type="text" inputmode="decimal" .value=${text} @input=${(e: Event) => set((e.target as HTMLInputElement).value)} />`;
        break;
      default:
        input = html`<input type="text" .value=${text} @input=${(e: Event) => set((e.target as HTMLInputElement).value)} />`;
    }
    const record = this.workbook?.getCell(this.sheetId, this.rowId, col.id);
    // Who/when sits beside the label, not in it, so the field's accessible name stays its column name.
    return html`<div class="field">
      <label>${col.name} ${input}</label>
      ${error ? html`<span class="error" role="alert">${error}</span>` : nothing}
      ${record ? html`<span class="who">${t('form.changedBy', { by: record.by, when: formatDateTime(record.at) })}</span>` : nothing}
    </div>`;
  }

  /** Big − / + that record a change at once (it adds up with everyone's), and a box to recount. */
  private renderCounter(col: Column) {
    const wb = this.workbook!;
    const value = wb.getValue(this.sheetId, this.rowId, col.id) ?? 0;
    const error = this.errors.get(col.id);
    const step = (d: number) => {
      try {
        wb.adjustCounter(this.sheetId, this.rowId, col.id, d);
        this.requestUpdate();
      } catch (err) {
        if (!isModelError(err)) throw err;
        this.errors = new Map(this.errors).set(col.id, errorText(err));
      }
    };
    return html`<div class="field">
      <span class="label" id=${`l-${col.id}`}>${col.name}</span>
      <div class="counter" role="group" aria-labelledby=${`l-${col.id}`}>
        <button type="button" class="big" aria-label=${t('grid.minusOne', { name: col.name })} @click=${() => step(-1)}>−</button>
        <output aria-live="polite" data-testid=${`count-${col.name}`}>${typeof value === 'number' ? numberText(currentLocale(), value) : value}</output>
        <button type="button" class="big" aria-label=${t('grid.plusOne', { name: col.name })} @click=${() => step(1)}>+</button>
      </div>
      <label class="recount"
        >${t('form.recount')}
        <input
          type="text"
          inputmode="numeric"
          .value=${this.drafts.get(col.id) ?? ''}
          @input=${(e: Event) => (this.drafts = new Map(this.drafts).set(col.id, (e.target as HTMLInputElement).value))}
      /></label>
      ${error ? html`<span class="error" role="alert">${error}</span>` : nothing}
    </div>`;
  }

  private renderClaim(col: Column) {
    const wb = this.workbook!;
    const held = wb.claims(this.sheetId, this.rowId, col.id).filter((e) => e.held);
    const names = Array.from(new Set(held.map((e) => e.name)));
    const mine = names.includes(wb.getActor().name);
    const act = (fn: () => void) => {
      fn();
      this.requestUpdate();
    };
    return html`<div class="field">
      <span class="label">${col.name}</span>
      <span role="status">${names.length === 0 ? t('form.nobody') : names.length === 1 ? names[0] : t('form.bothClaimed', { names: listAnd(currentLocale(), names) })}</span>
      ${mine
        ? html`<button type="button" @click=${() => act(() => wb.release(this.sheetId, this.rowId, col.id))}>${t('form.release')}</button>`
        : html`<button type="button" @click=${() => act(() => wb.claim(this.sheetId, this.rowId, col.id))}>${t('form.claim')}</button>`}
    </div>`;
  }

  /** Writes every changed field, or nothing when one does not fit. */
  private save(): boolean {
    const wb = this.workbook;
    if (!wb) return false;
    const writes: CellWrite[] = [];
    const errors = new Map<string, string>();
    for (const col of this.columns) {
      if (!this.drafts.has(col.id)) continue;
      // An empty recount box means "no recount", not "set to 0".
      if (col.type === 'counter' && this.drafts.get(col.id)!.trim() === '') continue;
      try {
        const value: CellValue = parseInput(col, this.drafts.get(col.id)!, inputOptions(currentLocale()));
        if (value !== wb.getValue(this.sheetId, this.rowId, col.id)) writes.push({ rowId: this.rowId, colId: col.id, value });
      } catch (err) {
        if (!isModelError(err)) throw err;
        errors.set(col.id, errorText(err));
      }
    }
    this.errors = errors;
    if (errors.size) return false;
    try {
      wb.setCells(this.sheetId, writes);
    } catch (err) {
      if (!isModelError(err)) throw err;
      this.errors = new Map([[this.columns[0]?.id ?? '', errorText(err)]]);
      return false;
    }
    this.drafts = new Map();
    return true;
  }

  private onSubmit = (e: Event): void => {
    e.preventDefault();
    if (this.save()) this.back();
  };

  private go(step: number): void {
    if (!this.save()) return;
    this.dispatchEvent(new CustomEvent('row-form-goto', { detail: this.index + step }));
  }

  private back = (): void => {
    this.drafts = new Map();
    this.errors = new Map();
    this.dispatchEvent(new CustomEvent('row-form-close'));
  };
}

customElements.define('row-form', RowForm);

declare global {
  interface HTMLElementTagNameMap {
    'row-form': RowForm;
  }
}
