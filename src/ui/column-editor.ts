import { LitElement, css, html, nothing } from 'lit';
import { isModelError } from '../model/errors.js';
import { FormulaError, isFormulaError } from '../model/formula/errors.js';
import { randomId } from '../model/ids.js';
import { COLUMN_TYPES, type ColumnType, type SelectOption } from '../model/types.js';
import type { Workbook } from '../model/workbook.js';
import { errorText } from './i18n/error-text.js';
import { LocaleController, currentLocale, t } from './i18n/locale.js';
import { inputOptions } from './i18n/value-text.js';

/** Colours for new select options, readable as a tint behind dark text. */
const PALETTE = ['#1f6feb', '#1a7f37', '#bf8700', '#cf222e', '#8250df', '#bc4c00', '#0a7ea4', '#57606a'];

/** `<column-editor>`: name, type and options of one column, in a modal dialog. */
export class ColumnEditor extends LitElement {
  static properties = {
    workbook: { attribute: false },
    sheetId: { attribute: false },
    colId: { state: true },
    newAt: { state: true },
    name: { state: true },
    type: { state: true },
    optionsText: { state: true },
    min: { state: true },
    unit: { state: true },
    minColumn: { state: true },
    expiresDays: { state: true },
    formulaText: { state: true },
    error: { state: true },
  };

  declare workbook: Workbook | null;
  declare sheetId: string;
  declare colId: string;
  /** Where a column being created goes in the sheet's order; -1 while editing an existing one. */
  declare newAt: number;
  declare name: string;
  declare type: ColumnType;
  declare optionsText: string;
  declare min: string;
  declare unit: string;
  declare minColumn: string;
  declare expiresDays: string;
  /** the column formula as the person reads it (`=[Needed]-[Signed up]`), '' for a column people type in */
  declare formulaText: string;
  declare error: string;
  /** what the formula field showed on opening: left as it was, the stored formula stays (even a reference shown as #REF!) */
  private shownFormula = '';

  constructor() {
    super();
    // re-renders when the reader switches language
    new LocaleController(this);
    this.workbook = null;
    this.sheetId = '';
    this.colId = '';
    this.newAt = -1;
    this.name = '';
    this.type = 'text';
    this.optionsText = '';
    this.min = '';
    this.unit = '';
    this.minColumn = '';
    this.expiresDays = '';
    this.formulaText = '';
    this.error = '';
  }

  static styles = css`
    dialog {
      border: 1px solid #d0d7de;
      border-radius: 8px;
      padding: 1rem 1.25rem;
      max-width: min(28rem, 92vw);
      width: 100%;
      /* Save stays on screen on a short laptop: the fields scroll, the buttons do not. */
      max-height: calc(100dvh - 2rem);
      box-sizing: border-box;
      overflow: hidden;
    }
    dialog[open] {
      display: flex;
      flex-direction: column;
    }
    form {
      display: flex;
      flex-direction: column;
      gap: 0.75rem;
      min-height: 0;
      flex: 1;
    }
    h2 {
      margin: 0;
    }
    fieldset.fields {
      display: grid;
      gap: 0.75rem;
      border: 0;
      margin: 0;
      padding: 0 0.25rem 0.25rem 0;
      min-height: 0;
      overflow-y: auto;
    }
    .reason {
      margin: 0;
      color: #57606a;
    }
    label {
      display: grid;
      gap: 0.25rem;
      font-weight: 600;
    }
    input,
    select,
    textarea {
      font: inherit;
      min-height: 44px;
      padding: 0 0.5rem;
      border: 1px solid #d0d7de;
      border-radius: 6px;
    }
    textarea {
      min-height: 6rem;
      padding: 0.5rem;
    }
    .hint {
      font-weight: 400;
      color: #57606a;
      font-size: 0.85rem;
    }
    .buttons {
      display: flex;
      flex-wrap: wrap;
      gap: 0.5rem;
      justify-content: space-between;
    }
    button {
      min-height: 44px;
      min-width: 44px;
      padding: 0 1rem;
      font: inherit;
      border-radius: 6px;
      border: 1px solid #d0d7de;
      background: white;
      cursor: pointer;
    }
    button.primary {
      background: #1f883d;
      color: white;
      border-color: #1f883d;
    }
    button.danger {
      color: #cf222e;
    }
    .error {
      color: #cf222e;
      font-weight: 600;
    }
    .formula {
      display: grid;
      gap: 0.25rem;
    }
  `;

  open(colId: string): void {
    const col = this.workbook?.columns(this.sheetId).find((c) => c.id === colId);
    if (!col) return;
    this.colId = colId;
    this.newAt = -1;
    this.name = col.name;
    this.type = col.type;
    this.optionsText = col.options.map((o) => o.label).join('\n');
    this.min = col.min === null ? '' : String(col.min);
    this.unit = col.unit ?? '';
    this.minColumn = col.minColumn ?? '';
    this.expiresDays = col.expiresDays === null ? '' : String(col.expiresDays);
    // Shown with the names the columns have now (a renamed column reads by its new name).
    this.formulaText = col.formula ? this.workbook!.formulaForDisplay(col.formula, { sheetId: this.sheetId, rowId: '' }, inputOptions(currentLocale())) : '';
    this.shownFormula = this.formulaText;
    this.error = '';
    this.show();
  }

  /**
   * Create mode: the same fields with a new column's defaults. Nothing is written
   * until Save, so Cancel leaves no column behind and Save is one undo step.
   */
  openNew(at: number): void {
    const wb = this.workbook;
    if (!wb) return;
    const count = wb.columns(this.sheetId).length;
    this.colId = '';
    this.newAt = Math.max(0, Math.min(at, count));
    this.name = t('grid.newColumn', { n: count + 1 });
    this.type = 'text';
    this.optionsText = '';
    this.min = '';
    this.unit = '';
    this.minColumn = '';
    this.expiresDays = '';
    this.formulaText = '';
    this.shownFormula = '';
    this.error = '';
    this.show();
  }

  private get creating(): boolean {
    return this.newAt >= 0;
  }

  private show(): void {
    this.updateComplete.then(() => {
      const dialog = this.renderRoot.querySelector('dialog');
      if (dialog && !dialog.open) dialog.showModal();
      this.renderRoot.querySelector<HTMLInputElement>('input[name="name"]')?.select();
    });
  }

  private close(): void {
    this.renderRoot.querySelector('dialog')?.close();
  }

  /** A view link's workbook refuses every change: the dialog shows the settings, and says why nothing can be changed. */
  private get readOnly(): boolean {
    return this.workbook?.readOnly ?? true;
  }

  render() {
    const ro = this.readOnly;
    const why = ro ? t('layout.viewOnly') : nothing;
    return html`<dialog aria-labelledby="column-editor-title" aria-describedby=${ro ? 'column-editor-why' : nothing} @close=${this.onClosed}>
      <form @submit=${this.onSave}>
        <h2 id="column-editor-title">${this.creating ? t('layout.newColumnTitle') : t('column.title')}</h2>
        ${ro ? html`<p class="reason" id="column-editor-why">${t('layout.viewOnly')}</p>` : nothing}
        <fieldset class="fields" ?disabled=${ro}>
        <label
          >${t('column.name')}
          <input name="name" .value=${this.name} @input=${(e: Event) => (this.name = (e.target as HTMLInputElement).value)} required />
        </label>
        <label
          >${t('column.type')}
          <select name="type" @change=${(e: Event) => (this.type = (e.target as HTMLSelectElement).value as ColumnType)}>
            ${COLUMN_TYPES.map((x) => html`<option value=${x} ?selected=${x === this.type}>${t(`type.${x}`)}</option>`)}
          </select>
          <span class="hint">${t('column.typeHint')}</span>
        </label>
        ${this.type === 'number'
          ? html`<label
              >${t('column.unit')} <span class="hint">${t('column.unitHint')}</span>
              <input name="unit" .value=${this.unit} @input=${(e: Event) => (this.unit = (e.target as HTMLInputElement).value)} />
            </label>`
          : nothing}
        ${this.type === 'select' || this.type === 'multiselect'
          ? html`<label
              >${t('column.options')} <span class="hint">${t('column.optionsHint')}</span>
              <textarea
                name="options"
                .value=${this.optionsText}
                @input=${(e: Event) => (this.optionsText = (e.target as HTMLTextAreaElement).value)}
              ></textarea>
            </label>`
          : nothing}
        ${this.type === 'counter' ? this.renderCounterSettings() : nothing}
        ${this.type === 'claim'
          ? html`<label
              >${t('column.expires')} <span class="hint">${t('column.expiresHint')}</span>
              <input
                name="expires"
                inputmode="numeric"
                .value=${this.expiresDays}
                @input=${(e: Event) => (this.expiresDays = (e.target as HTMLInputElement).value)}
              />
            </label>`
          : nothing}
        ${this.renderFormula()}
        ${this.creating ? nothing : this.renderMoveButtons()}
        </fieldset>
        ${this.error ? html`<p class="error" role="alert">${this.error}</p>` : nothing}
        <div class="buttons">
          ${this.creating
            ? html`<span></span>`
            : html`<button type="button" class="danger" ?disabled=${ro} title=${why} @click=${this.onDelete}>${t('column.delete')}</button>`}
          <span>
            <button type="button" @click=${() => this.close()}>${t('column.cancel')}</button>
            <button type="submit" class="primary" ?disabled=${ro} title=${why}>${t('column.save')}</button>
          </span>
        </div>
      </form>
    </dialog>`;
  }

  /**
   * A column formula makes the column computed. Offered for every type so that a column retyped
   * to a counter or claim still shows the formula it must lose; Save says why it cannot keep it.
   */
  private renderFormula() {
    const noFormula = this.type === 'counter' || this.type === 'claim';
    // The hint is the input's description, not part of its name: the field is called "Formula".
    return html`<div class="formula">
      <label for="column-formula">${t('column.formula')}</label>
      <input
        id="column-formula"
        name="formula"
        spellcheck="false"
        autocomplete="off"
        aria-describedby="column-formula-hint"
        .value=${this.formulaText}
        @input=${(e: Event) => (this.formulaText = (e.target as HTMLInputElement).value)}
      />
      <span class="hint" id="column-formula-hint"
        >${noFormula ? t('column.formulaHere') : t('column.formulaHint')} ${this.creating ? nothing : t('column.formulaKept')}</span
      >
    </div>`;
  }

  /**
   * The formula field as stored text, checked against the columns as they are now, before anything
   * is written: a refused formula must leave the other settings unsaved too (a Yjs transaction
   * does not roll back). Grist writes formulas without `=`; either way is taken.
   */
  private storedFormula(wb: Workbook): string | null {
    const typed = this.formulaText.trim();
    if (typed === '') return null;
    if (this.type === 'counter' || this.type === 'claim') {
      throw new FormulaError('FORMULA_NOT_HERE', `a ${this.type} column computes its own value`, null, { type: this.type });
    }
    return wb.formulaFromTyped(typed.startsWith('=') ? typed : `=${typed}`, { sheetId: this.sheetId, rowId: '' }, inputOptions(currentLocale()));
  }

  /** Move and Delete act on a column that exists; a column being created is placed by where it was asked for. */
  private renderMoveButtons() {
    return html`<div class="buttons">
          <span>
            <button type="button" @click=${() => this.move(-1)} aria-label=${t('column.moveLeft')}>${t('column.moveLeftButton')}</button>
            <button type="button" @click=${() => this.move(1)} aria-label=${t('column.moveRight')}>${t('column.moveRightButton')}</button>
          </span>
        </div>`;
  }

  private renderCounterSettings() {
    const numberColumns = (this.workbook?.columns(this.sheetId) ?? []).filter((c) => c.type === 'number' && c.id !== this.colId);
    return html`<label
        >${t('column.lowBelow')} <span class="hint">${t('column.lowBelowHint')}</span>
        <input name="min" inputmode="decimal" .value=${this.min} @input=${(e: Event) => (this.min = (e.target as HTMLInputElement).value)} />
      </label>
      <label
        >${t('column.lowBelowColumn')}
        <select name="minColumn" @change=${(e: Event) => (this.minColumn = (e.target as HTMLSelectElement).value)}>
          <option value="" ?selected=${this.minColumn === ''}>—</option>
          ${numberColumns.map((c) => html`<option value=${c.id} ?selected=${c.id === this.minColumn}>${c.name}</option>`)}
        </select>
      </label>`;
  }

  /** Reads an optional number field; throws a model-style message for anything else. */
  private optionalNumber(text: string, what: string): number | null {
    const trimmed = text.trim();
    if (trimmed === '') return null;
    const n = Number(trimmed);
    if (!Number.isFinite(n)) throw new Error(t('column.notANumber', { what }));
    return n;
  }

  /** Keeps ids (and so every cell's value) of options whose label is unchanged. */
  private buildOptions(): SelectOption[] {
    const existing = this.workbook?.columns(this.sheetId).find((c) => c.id === this.colId)?.options ?? [];
    const labels = Array.from(new Set(this.optionsText.split('\n').map((l) => l.trim()).filter(Boolean)));
    return labels.map((label, i) => {
      const same = existing.find((o) => o.label === label);
      return same ?? { id: randomId(6), label, color: PALETTE[i % PALETTE.length] };
    });
  }

  private onSave = (e: Event): void => {
    e.preventDefault();
    const wb = this.workbook;
    if (!wb || this.readOnly) return;
    let settings = {};
    const was = this.creating ? null : (wb.columns(this.sheetId).find((c) => c.id === this.colId)?.formula ?? null);
    let formula = was;
    try {
      const untouched = this.formulaText === this.shownFormula && this.type !== 'counter' && this.type !== 'claim';
      if (!untouched) formula = this.storedFormula(wb);
    } catch (err) {
      if (!isFormulaError(err)) throw err;
      this.error = errorText(err);
      return;
    }
    try {
      if (this.type === 'counter') {
        settings = { min: this.optionalNumber(this.min, t('column.lowBelow')), minColumn: this.minColumn || null };
      }
      if (this.type === 'claim') settings = { expiresDays: this.optionalNumber(this.expiresDays, t('column.days')) };
    } catch (err) {
      this.error = (err as Error).message;
      return;
    }
    const fields = {
      name: this.name,
      type: this.type,
      ...(this.type === 'select' || this.type === 'multiselect' ? { options: this.buildOptions() } : {}),
      ...(this.type === 'number' ? { unit: this.unit } : {}),
      ...settings,
      // only a change is written: the register keeps who set it last, and Activity lists it
      ...(formula !== was ? { formula } : {}),
    };
    try {
      let created = '';
      wb.transact(() => {
        if (this.creating) created = wb.addColumn(this.sheetId, fields, this.newAt);
        else wb.updateColumn(this.sheetId, this.colId, fields);
      });
      if (created) {
        // column-editor-closed still follows (the dialog's close event is queued), so the grid regains focus as after an edit.
        this.newAt = -1;
        this.close();
        this.dispatchEvent(new CustomEvent<{ id: string }>('column-created', { detail: { id: created }, bubbles: true, composed: true }));
        return;
      }
      this.close();
    } catch (err) {
      if (isModelError(err) || isFormulaError(err)) this.error = errorText(err);
      else throw err;
    }
  };

  /** Reorders the shared sheet's columns (everyone sees it), one place at a time. */
  private move(step: -1 | 1): void {
    const wb = this.workbook;
    if (!wb || this.readOnly) return;
    const index = wb.columns(this.sheetId).findIndex((c) => c.id === this.colId);
    const to = index + step;
    if (index < 0 || to < 0 || to >= wb.columns(this.sheetId).length) return;
    try {
      wb.moveColumn(this.sheetId, this.colId, to);
    } catch (err) {
      if (isModelError(err)) this.error = errorText(err);
      else throw err;
    }
  }

  private onDelete = (): void => {
    const wb = this.workbook;
    if (!wb || this.readOnly) return;
    wb.deleteColumn(this.sheetId, this.colId);
    this.close();
  };

  private onClosed = (): void => {
    this.dispatchEvent(new CustomEvent('column-editor-closed', { bubbles: true, composed: true }));
  };
}

customElements.define('column-editor', ColumnEditor);

declare global {
  interface HTMLElementTagNameMap {
    'column-editor': ColumnEditor;
  }
}
