import { LitElement, html, nothing, type PropertyValues } from 'lit';
import { live } from 'lit/directives/live.js';
import type { Column } from '../model/types.js';
import { isSafeLink, parseInput, validateValue } from '../model/values.js';
import type { Workbook } from '../model/workbook.js';
import type { SyncStatus } from '../sync/status.js';
import { errorText } from './i18n/error-text.js';
import { LocaleController, currentLocale, formatDateTime, t } from './i18n/locale.js';
import { editText, inputOptions, numberText, personText } from './i18n/value-text.js';
import { RowEdits, savedKey } from './row-edits.js';
import { claimHolders, claimText } from './claim-text.js';
import { holders } from '../model/claim.js';
import type { CellConflict } from '../model/conflicts.js';
import { alternativeText } from './history-text.js';
import { otherValues } from './phone/conflict-text.js';
import { computedField, type ComputedField, type FormulaReader } from './phone/formula-text.js';
import { resultMeaning, resultText } from './result-text.js';
import { rowFormStyles } from './phone/row-form-styles.js';
import { visuallyHidden } from './visually-hidden.js';
import './cell-history.js';

/**
 * `<row-form>`: one row as a form with big inputs and the phone's own
 * keyboards (decimal pad for numbers, date picker for dates). Each field is
 * saved as it changes — there is no Save button to miss — and says where it is
 * saved (on the hub, or only on this device while offline); Undo takes back
 * this person's last change made here. Leaving the form, by any way out, writes
 * whatever is still being typed first (row-edits.ts).
 */
export class RowForm extends LitElement {
  static properties = {
    workbook: { attribute: false },
    sheetId: { attribute: false },
    rowIds: { attribute: false },
    columns: { attribute: false },
    index: { attribute: false },
    status: { attribute: false },
    numbers: { attribute: false },
    formulas: { attribute: false },
  };

  declare workbook: Workbook | null;
  declare sheetId: string;
  declare rowIds: string[];
  declare columns: Column[];
  declare index: number;
  /** the sync session's status, to say whether a saved change is on the hub or only on this device */
  declare status: SyncStatus | null;
  /** each row's number in the sheet; without it, a row is called by its place in `rowIds` */
  declare numbers: ReadonlyMap<string, number> | null;
  /** formula results (the list's FormulaResults, which re-renders this form as they change) */
  declare formulas: FormulaReader | null;

  private readonly edits = new RowEdits(this);
  /** the journal this form follows, so a conflict arriving (or settled elsewhere) shows at once */
  private followed: { wb: Workbook; off: () => void } | null = null;

  constructor() {
    super();
    // re-renders when the reader switches language
    new LocaleController(this);
    this.workbook = null;
    this.sheetId = '';
    this.rowIds = [];
    this.columns = [];
    this.index = 0;
    this.status = null;
    this.numbers = null;
    this.formulas = null;
  }

  static styles = [visuallyHidden, rowFormStyles];

  /** Leaving by the browser's back button or a link, or closing the page: what is being typed is written first. */
  private readonly onLeavePage = (): void => this.edits.flush(true);
  /** Switching to another app may be the last moment a phone lets this page run. */
  private readonly onHidden = (): void => {
    if (document.visibilityState === 'hidden') this.edits.flush(false);
  };

  connectedCallback(): void {
    super.connectedCallback();
    // Capture: these run before the app's own listeners, which close the workbook (hashchange)
    // or decide whether to ask before closing the page (beforeunload).
    for (const type of ['hashchange', 'popstate', 'beforeunload', 'pagehide'] as const) window.addEventListener(type, this.onLeavePage, true);
    document.addEventListener('visibilitychange', this.onHidden);
    this.followHistory();
  }

  disconnectedCallback(): void {
    for (const type of ['hashchange', 'popstate', 'beforeunload', 'pagehide'] as const) window.removeEventListener(type, this.onLeavePage, true);
    document.removeEventListener('visibilitychange', this.onHidden);
    this.followed?.off();
    this.followed = null;
    // RowEdits writes what is left as the element goes (its hostDisconnected).
    super.disconnectedCallback();
  }

  protected willUpdate(_changed: PropertyValues<this>): void {
    this.edits.bind(this.workbook, this.sheetId, this.rowId, this.columns);
    this.followHistory();
  }

  private get rowId(): string | undefined {
    return this.rowIds[this.index];
  }

  /**
   * Which row this is: its number in the sheet, as the laptop's grid and the card call it, and —
   * when the list shown is filtered or skips empty rows, so that number is not its place here —
   * its place in the list too, which is what ▲ / ▼ step through.
   */
  private whereText(): string {
    const place = this.index + 1;
    const total = this.rowIds.length;
    const n = this.numbers?.get(this.rowId!) ?? place;
    return n === place ? t('form.where', { n, total }) : t('phone.whereShown', { n, i: place, total });
  }

  private valueText(col: Column): string {
    const draft = this.edits.drafts.get(col.id);
    if (draft !== undefined) return draft;
    return editText(currentLocale(), col, this.workbook?.getValue(this.sheetId, this.rowId!, col.id) ?? null);
  }

  render() {
    const wb = this.workbook;
    if (!wb || !this.rowId) return nothing;
    const undone = this.edits.undone;
    return html`<div class="nav">
        <button @click=${this.back} aria-label=${t('form.back')}>←</button>
        <button @click=${() => this.go(-1)} ?disabled=${this.index === 0} aria-label=${t('form.previous')}>▲</button>
        <span class="where">${this.whereText()}</span>
        <button @click=${() => this.go(1)} ?disabled=${this.index >= this.rowIds.length - 1} aria-label=${t('form.next')}>▼</button>
        ${wb.readOnly
          ? nothing
          : html`<button class="undo" ?disabled=${!this.edits.canUndo} aria-label=${t('phone.undoLabel')} @click=${this.onUndo}>
              ↶ ${t('phone.undo')}
            </button>`}
      </div>
      <p class="hint" role="status">${undone !== null ? t('phone.undone', { column: undone }) : t('phone.autosave')}</p>
      <form novalidate @submit=${this.onSubmit}>${this.columns.map((col) => this.renderField(col))}</form>
      <cell-history .workbook=${wb}></cell-history>`;
  }

  private renderField(col: Column) {
    const computed = computedField(currentLocale(), this.workbook!, this.formulas, this.sheetId, this.rowId!, col);
    if (computed) return this.renderComputed(col, computed);
    if (col.type === 'counter') return this.renderCounter(col);
    if (col.type === 'claim') return this.renderClaim(col);
    const e = this.edits;
    const text = this.valueText(col);
    const id = `f-${col.id}`;
    const described = `s-${col.id}`;
    const typed = (ev: Event) => e.type(col, (ev.target as HTMLInputElement | HTMLTextAreaElement).value);
    const left = () => e.leave(col.id);
    let input;
    let extra: unknown = nothing;
    switch (col.type) {
      case 'checkbox':
        input = html`<input
          id=${id}
          type="checkbox"
          aria-describedby=${described}
          .checked=${live(this.workbook!.getValue(this.sheetId, this.rowId!, col.id) === true)}
          @change=${(ev: Event) => e.set(col, (ev.target as HTMLInputElement).checked)}
        />`;
        break;
      case 'select':
        input = html`<select id=${id} aria-describedby=${described} @change=${(ev: Event) => e.choose(col, (ev.target as HTMLSelectElement).value)}>
          <option value="" ?selected=${text === ''}>—</option>
          ${col.options.map((o) => html`<option value=${o.label} ?selected=${o.label === text}>${o.label}</option>`)}
        </select>`;
        break;
      case 'date':
        input = html`<input id=${id} type="date" aria-describedby=${described} .value=${live(text)} @change=${(ev: Event) => e.choose(col, (ev.target as HTMLInputElement).value)} />`;
        break;
      case 'datetime':
        input = html`<input
          id=${id}
          type="datetime-local"
          aria-describedby=${described}
          .value=${live(text.replace(' ', 'T'))}
          @change=${(ev: Event) => e.choose(col, (ev.target as HTMLInputElement).value)}
        />`;
        break;
      case 'longtext':
        input = html`<textarea id=${id} rows="4" aria-describedby=${described} .value=${live(text)} @input=${typed} @change=${left} @blur=${left}></textarea>`;
        break;
      case 'multiselect':
        return this.renderChoices(col, text);
      case 'phone': {
        input = html`<input id=${id} type="tel" aria-describedby=${described} .value=${live(text)} @input=${typed} @change=${left} @blur=${left} />`;
        const number = text.replace(/[^+0-9]/g, '');
        if (number) extra = html`<span class="links"><a href=${`tel:${number}`}>${t('form.call')}</a> <a href=${`sms:${number}`}>${t('form.text')}</a></span>`;
        break;
      }
      case 'link':
        input = html`<input id=${id} type="text" inputmode="url" aria-describedby=${described} .value=${live(text)} @input=${typed} @change=${left} @blur=${left} />`;
        if (isSafeLink(text)) extra = html`<a href=${text} target="_blank" rel="noopener noreferrer">${t('form.open')}</a>`;
        break;
      case 'number':
        input = html`<input id=${id} type="text" inputmode="decimal" aria-describedby=${described} .value=${live(text)} @input=${typed} @change=${left} @blur=${left} />`;
        break;
      default:
        input = html`<input id=${id} type="text" aria-describedby=${described} .value=${live(text)} @input=${typed} @change=${left} @blur=${left} />`;
    }
    return html`<div class="field">
      <label for=${id}>${col.name}</label>
      ${input} ${extra} ${this.renderState(col, described)} ${this.renderConflict(col)} ${this.renderWho(col)} ${this.renderHistoryButton(col)}
    </div>`;
  }

  /**
   * A field a formula works out (its column's, or the cell's own): its result, read-only — no
   * input to type over it — named as computed, with the formula it comes from as its description.
   * Who wrote it is shown for a cell's own formula; a column formula's value is nobody's edit.
   */
  private renderComputed(col: Column, c: ComputedField) {
    const id = `f-${col.id}`;
    const described = `s-${col.id}`;
    const text = resultText(currentLocale(), col, c.result);
    const meaning = resultMeaning(c.result);
    return html`<div class="field computed">
      <label for=${id}>${col.name} <span class="tag">${t('formula.computed')}</span></label>
      <output id=${id} aria-describedby=${described} data-testid=${`result-${col.name}`} class=${meaning ? 'error' : ''}>${text || t('phone.none')}</output>
      <span class="who" id=${described}>${t('formula.from', { formula: c.formula })}${meaning ? html`<br />${meaning}` : nothing}</span>
      ${c.column ? nothing : this.renderWho(col)} ${this.renderHistoryButton(col)}
    </div>`;
  }

  /** Several choices: one box each, written as each is ticked. */
  private renderChoices(col: Column, text: string) {
    const chosen = new Set(text.split(',').map((x) => x.trim()).filter(Boolean));
    const toggle = (label: string, on: boolean) => {
      const next = new Set(chosen);
      if (on) next.add(label);
      else next.delete(label);
      this.edits.choose(col, col.options.filter((o) => next.has(o.label)).map((o) => o.label).join(', '));
    };
    const described = `s-${col.id}`;
    return html`<div class="field">
      <span class="label" id=${`l-${col.id}`}>${col.name}</span>
      <span class="choices" role="group" aria-labelledby=${`l-${col.id}`} aria-describedby=${described}>
        ${col.options.map(
          (o) =>
            html`<label class="choice"
              ><input type="checkbox" .checked=${live(chosen.has(o.label))} @change=${(ev: Event) => toggle(o.label, (ev.target as HTMLInputElement).checked)} />
              ${o.label}</label
            >`,
        )}
      </span>
      ${this.renderState(col, described)} ${this.renderConflict(col)} ${this.renderWho(col)} ${this.renderHistoryButton(col)}
    </div>`;
  }

  /**
   * Under each field: why what was typed does not fit (kept in the field as typed), a stored
   * value that does not fit its column, or where this form's change to it is saved.
   */
  private renderState(col: Column, id: string) {
    const error = this.edits.errors.get(col.id);
    const stored = error ? undefined : this.storedMisfit(col);
    const note = this.edits.note(col.id, this.status);
    const away = note !== '' && savedKey(this.status) !== 'phone.savedHub';
    return html`<div class="state" id=${id}>${error
        ? html`<span class="error" role="alert">${error}</span><span class="kept">${t('phone.keptTyped')}</span>`
        : nothing}${stored ? html`<span class="error">${t('phone.misfit', { reason: stored })}</span>` : nothing}${note
        ? html`<span class="saved ${away ? 'away' : ''}" data-testid=${`saved-${col.name}`}>${note}</span>`
        : nothing}</div>`;
  }

  /** A value left in the cell that its column's type refuses (kept as text by an import, a retype or this form). */
  private storedMisfit(col: Column): string {
    // A claim's value is who holds it and a counter's is a sum: neither is typed, so neither can misfit.
    if (col.type === 'claim' || col.type === 'counter') return '';
    const value = this.workbook?.getValue(this.sheetId, this.rowId!, col.id) ?? null;
    try {
      validateValue(col, value);
      return '';
    } catch (err) {
      // Text read as if typed says which words do not fit ("“five?” is not a number"); else the column's rule.
      if (typeof value === 'string') {
        try {
          parseInput(col, value, inputOptions(currentLocale()));
        } catch (typed) {
          return errorText(typed);
        }
      }
      return errorText(err);
    }
  }

  /** Who/when sits beside the label, not in it, so the field's accessible name stays its column name. */
  private renderWho(col: Column) {
    const record = this.workbook?.getCell(this.sheetId, this.rowId!, col.id);
    return record ? html`<span class="who">${t('form.changedBy', { by: personText(currentLocale(), record.by), when: formatDateTime(record.at) })}</span>` : nothing;
  }

  /** Big − / + that record a change at once (it adds up with everyone's), and a box to recount. */
  private renderCounter(col: Column) {
    const wb = this.workbook!;
    const value = wb.getValue(this.sheetId, this.rowId!, col.id) ?? 0;
    const step = (d: number) => this.edits.act(col, (w, sheetId, rowId) => w.adjustCounter(sheetId, rowId, col.id, d));
    const described = `s-${col.id}`;
    const recount = `r-${col.id}`;
    return html`<div class="field">
      <span class="label" id=${`l-${col.id}`}>${col.name}</span>
      <div class="counter" role="group" aria-labelledby=${`l-${col.id}`} aria-describedby=${described}>
        <button type="button" class="big" aria-label=${t('grid.minusOne', { name: col.name })} @click=${() => step(-1)}>−</button>
        <output aria-live="polite" data-testid=${`count-${col.name}`}>${typeof value === 'number' ? numberText(currentLocale(), value) : value}</output>
        <button type="button" class="big" aria-label=${t('grid.plusOne', { name: col.name })} @click=${() => step(1)}>+</button>
      </div>
      <label class="recount" for=${recount}>${t('form.recount')}</label>
      <input
        id=${recount}
        type="text"
        inputmode="numeric"
        aria-describedby=${described}
        .value=${live(this.edits.drafts.get(col.id) ?? '')}
        @input=${(ev: Event) => this.edits.type(col, (ev.target as HTMLInputElement).value)}
        @change=${() => this.edits.leave(col.id)}
        @blur=${() => this.edits.leave(col.id)}
      />
      ${this.renderState(col, described)} ${this.renderHistoryButton(col)}
    </div>`;
  }

  private renderClaim(col: Column) {
    const wb = this.workbook!;
    const people = claimHolders(wb, this.sheetId, this.rowId!, col.id);
    // Held by this person: their own claim, or one a coordinator assigned to their name.
    const mine = holders(wb.claims(this.sheetId, this.rowId!, col.id)).find((e) => wb.isMine(e));
    const described = `s-${col.id}`;
    return html`<div class="field">
      <span class="label">${col.name}</span>
      <span role="status">${people.length === 0 ? t('form.nobody') : people.length === 1 ? claimText(currentLocale(), people) : t('form.bothClaimed', { names: claimText(currentLocale(), people, 'and') })}</span>
      ${mine
        ? html`<button type="button" aria-describedby=${described} @click=${() => this.edits.act(col, (w, s, r) => w.release(s, r, col.id, mine.person))}>${t('form.release')}</button>`
        : html`<button type="button" aria-describedby=${described} @click=${() => this.edits.act(col, (w, s, r) => w.claim(s, r, col.id))}>${t('form.claim')}</button>`}
      ${this.renderState(col, described)} ${this.renderHistoryButton(col)}
    </div>`;
  }

  /**
   * Two people wrote this field at once without seeing each other: the mark, the other
   * value(s) with who and when, and Keep for each value — or simply changing the field, since a
   * write made having seen every value settles it (Workbook.resolveConflict does the same write,
   * named as a resolution in the history). A view link shows it, its Keep buttons disabled.
   */
  private renderConflict(col: Column) {
    const wb = this.workbook!;
    let c: CellConflict | null;
    try {
      c = wb.conflict(this.sheetId, this.rowId!, col.id);
    } catch {
      // the row or column went away meanwhile
      c = null;
    }
    if (!c) return nothing;
    const locale = currentLocale();
    const id = `c-${col.id}`;
    const reason = `cr-${col.id}`;
    return html`<div class="conflict" role="group" aria-labelledby=${id} data-testid=${`conflict-${col.name}`}>
      <span class="conflict-text" id=${id}><span class="mark" aria-hidden="true">⚠</span> ${t('phone.conflictField', { values: otherValues(locale, wb, col, c) })}</span>
      <span class="keeps">
        ${[c.current, ...c.others].map((a) => {
          const value = alternativeText(locale, wb, col, c, a);
          return html`<button
            type="button"
            ?disabled=${wb.readOnly}
            aria-describedby=${reason}
            @click=${() => this.edits.act(col, (w, s, r) => w.resolveConflict(s, r, col.id, a.v, { formula: a.formula }))}
          >
            ${t('conflict.keep', { value })}
          </button>`;
        })}
      </span>
      <span class="who" id=${reason}>${wb.readOnly ? t('phone.conflictViewer') : t('phone.conflictKeepHint')}</span>
    </div>`;
  }

  /** "History of this cell", as the laptop has it (Alt+Shift+H there): every change to this field, who and when. */
  private renderHistoryButton(col: Column) {
    // The name is in the button's words, not an aria-label: a label naming the column would make
    // "the field labelled Status" ambiguous (getByLabel, and voice control saying "Status").
    return html`<button type="button" class="history" @click=${() => this.openHistory(col)}>
      <span aria-hidden="true">${t('phone.cellHistory')}</span><span class="sr">${t('phone.cellHistoryLabel', { column: col.name })}</span>
    </button>`;
  }

  private openHistory(col: Column): void {
    const rowId = this.rowId;
    if (!rowId) return;
    const n = this.numbers?.get(rowId) ?? this.index + 1;
    this.renderRoot.querySelector('cell-history')?.open(this.sheetId, rowId, col, n);
  }

  /**
   * Conflicts live in the journal, whose entries can arrive after the cell they are about (or
   * without any cell change, when a colleague settles one): the form re-renders on them too.
   */
  private followHistory(): void {
    const wb = this.workbook;
    if (this.followed?.wb === wb) return;
    this.followed?.off();
    this.followed = wb
      ? {
          wb,
          off: wb.observeHistory((sheets) => {
            if (sheets.size === 0 || sheets.has(this.sheetId)) this.requestUpdate();
          }),
        }
      : null;
  }

  /** Enter in a field (the keyboard's "Go") writes what was typed; there is nothing else to submit. */
  private onSubmit = (e: Event): void => {
    e.preventDefault();
    this.edits.flush(false);
  };

  private onUndo = (): void => {
    this.edits.undoLast();
  };

  private go(step: number): void {
    this.edits.flush(true);
    this.dispatchEvent(new CustomEvent('row-form-goto', { detail: this.index + step }));
  }

  private back = (): void => {
    this.edits.flush(true);
    this.dispatchEvent(new CustomEvent('row-form-close'));
  };
}

customElements.define('row-form', RowForm);

declare global {
  interface HTMLElementTagNameMap {
    'row-form': RowForm;
  }
}
