import { LitElement, css, html, nothing } from 'lit';
import { dialogStyles, showDialog } from './dialog-styles.js';
import { LocaleController, currentLocale, t, tn } from './i18n/locale.js';
import type { MessageKey } from './i18n/messages.js';
import { opArity, opsFor, valueCounts, withCondition, type Condition, type RuleOp, type ValueCount, type ValuesCondition } from '../model/filters.js';
import type { CellValue, Column } from '../model/types.js';
import { applyView, type ViewSpec } from '../model/view.js';
import type { Workbook } from '../model/workbook.js';
import { boundText, opLabel, readBound, withoutFilter, withoutFilters } from './filter-text.js';
import './filter-checklist.js';
import './filter-chips.js';

/** Where the rows and values the dialog counts come from. */
export interface ViewSource {
  workbook: Workbook | null;
  sheetId: string;
  /** a cell as shown (formula results, result-values.ts); the doc's value when absent */
  value?: (rowId: string, colId: string) => CellValue;
}

/**
 * `<view-menu>`: sort, filter and hide for one column, in *my* view only.
 * Fires `view-change` with the new ViewSpec; the grid stores it on this device.
 * A checklist applies as it is ticked; a typed condition on Apply filter.
 */
export class ViewMenu extends LitElement {
  static properties = {
    column: { state: true },
    spec: { state: true },
    op: { state: true },
    value: { state: true },
    to: { state: true },
    error: { state: true },
  };

  declare column: Column | null;
  declare spec: ViewSpec;
  declare op: RuleOp;
  declare value: string;
  declare to: string;
  declare error: MessageKey | null;
  private source: ViewSource | null = null;
  /** bumped on every change to the sheet while open, so counts and chips follow a colleague's edits */
  private revision = 0;
  private stopObserving: (() => void) | null = null;
  /** what the last render read from the sheet, kept while nothing changed (a 10k-row sheet is read once, not per tick) */
  private counted: { revision: number; col: Column; counts: ValueCount[] } | null = null;
  private tallied: { revision: number; spec: ViewSpec; shown: number; total: number } | null = null;

  constructor() {
    super();
    // re-renders when the reader switches language
    new LocaleController(this);
    this.column = null;
    this.spec = { sort: [], filters: [], hidden: [], conditions: [] };
    this.op = 'contains';
    this.value = '';
    this.to = '';
    this.error = null;
  }

  static styles = [
    dialogStyles,
    css`
      dialog {
        max-width: min(30rem, 94vw);
        max-height: 92vh;
      }
      h2 {
        margin: 0 0 0.25rem;
        font-size: 1.1rem;
      }
      p.hint {
        margin: 0 0 0.75rem;
        color: #57606a;
        font-size: 0.85rem;
      }
      fieldset {
        border: 1px solid #d0d7de;
        border-radius: 6px;
        margin: 0 0 0.75rem;
        display: flex;
        flex-wrap: wrap;
        gap: 0.5rem;
        align-items: center;
      }
      fieldset.filter {
        display: block;
      }
      .rule,
      .row {
        display: flex;
        flex-wrap: wrap;
        gap: 0.5rem;
        align-items: center;
        margin-bottom: 0.5rem;
      }
      .rule {
        flex-wrap: nowrap;
      }
      .rule select {
        flex: 0 1 auto;
        min-width: 0;
      }
      .rule input {
        flex: 1 1 4rem;
        min-width: 0;
        width: 4rem;
      }
      .rule button {
        flex: 0 0 auto;
      }
      .summary {
        margin: 0 0 0.75rem;
        display: flex;
        flex-wrap: wrap;
        gap: 0.5rem;
        align-items: center;
      }
      .count {
        color: #57606a;
        font-size: 0.9rem;
      }
      /* Done stays in reach when the dialog scrolls on a short screen (1024×768). */
      .close {
        display: flex;
        justify-content: flex-end;
        position: sticky;
        bottom: -1rem;
        background: white;
        padding: 0.5rem 0 0;
      }
    `,
  ];

  /**
   * Opens the dialog on a column. `source` names the workbook and sheet whose
   * rows the checklist counts; without it the dialog asks the element that
   * renders it (the grid), so a caller that passes only two arguments still works.
   */
  open(column: Column, spec: ViewSpec, source?: ViewSource): void {
    this.column = column;
    this.spec = spec;
    this.source = source ?? this.hostSource();
    this.revision++;
    this.observe();
    const condition = spec.conditions?.find((c) => c.colId === column.id);
    const legacy = spec.filters.find((f) => f.colId === column.id);
    const ops = opsFor(column);
    const rule = condition?.kind === 'rule' ? condition : legacy ? { op: legacy.op, value: legacy.value, to: '' } : null;
    this.op = rule && ops.includes(rule.op) ? rule.op : (ops[0] ?? 'is');
    this.value = rule && ops.includes(rule.op) ? boundText(currentLocale(), column, rule.value) : '';
    this.to = rule && ops.includes(rule.op) ? boundText(currentLocale(), column, rule.to) : '';
    this.error = null;
    showDialog(this);
  }

  private observe(): void {
    this.stopObserving?.();
    const wb = this.source?.workbook;
    const sheetId = this.source?.sheetId;
    this.stopObserving = wb
      ? wb.observe((change) => {
          if (!change.sheetList && !change.sheets.has(sheetId ?? '')) return;
          // A colleague may have renamed the column or its options meanwhile.
          const fresh = wb.columns(sheetId ?? '').find((c) => c.id === this.column?.id);
          if (fresh) this.column = fresh;
          this.revision++;
          this.requestUpdate();
        })
      : null;
  }

  private onClosed = (): void => {
    this.stopObserving?.();
    this.stopObserving = null;
    this.dispatchEvent(new CustomEvent('view-menu-closed', { bubbles: true, composed: true }));
  };

  disconnectedCallback(): void {
    super.disconnectedCallback();
    this.stopObserving?.();
    this.stopObserving = null;
  }

  private hostSource(): ViewSource | null {
    const root = this.getRootNode();
    const host = root instanceof ShadowRoot ? (root.host as Partial<ViewSource>) : null;
    return host && host.workbook && typeof host.sheetId === 'string' ? { workbook: host.workbook, sheetId: host.sheetId } : null;
  }

  private emit(spec: ViewSpec): void {
    this.spec = spec;
    this.dispatchEvent(new CustomEvent('view-change', { detail: spec, bubbles: true, composed: true }));
  }

  private close(): void {
    this.renderRoot.querySelector('dialog')?.close();
  }

  /** This column's filter replaced by `next` (an older text filter on it goes: the new one says it all). */
  private setCondition(next: Condition | null): void {
    if (!this.column) return;
    const base = withoutFilter(this.spec, this.column.id);
    this.emit({ ...base, conditions: withCondition(base.conditions ?? [], this.column.id, next) });
  }

  private rows(): readonly string[] {
    const s = this.source;
    return s?.workbook && s.sheetId ? s.workbook.rowIds(s.sheetId) : [];
  }

  render() {
    const col = this.column;
    return html`<dialog aria-labelledby="view-menu-title" @close=${this.onClosed}>
      ${col
        ? html`<h2 id="view-menu-title">${t('view.title', { name: col.name })}</h2>
            <p class="hint">${t('view.hint')}</p>
            <fieldset>
              <legend>${t('view.sort')}</legend>
              <button @click=${() => this.sort('asc')}>${t('view.sortAsc')}</button>
              <button @click=${() => this.sort('desc')}>${t('view.sortDesc')}</button>
              ${this.spec.sort.length ? html`<button @click=${() => this.emit({ ...this.spec, sort: [] })}>${t('view.clearSort')}</button>` : nothing}
            </fieldset>
            ${this.renderFilter(col)} ${this.renderSummary()}
            <fieldset>
              <legend>${t('view.columns')}</legend>
              <button @click=${() => this.hide()}>${t('view.hide')}</button>
              ${this.spec.hidden.length ? html`<button @click=${() => this.emit({ ...this.spec, hidden: [] })}>${t('view.showAll')}</button>` : nothing}
            </fieldset>
            <div class="close"><button @click=${() => this.close()}>${t('view.done')}</button></div>`
        : nothing}
    </dialog>`;
  }

  private renderFilter(col: Column) {
    const ops = opsFor(col);
    const filtered = this.spec.filters.some((f) => f.colId === col.id) || (this.spec.conditions ?? []).some((c) => c.colId === col.id);
    // A condition and a checklist both filter this one column: using either replaces the other.
    return html`<fieldset class="filter">
      <legend>${t('view.filter')}</legend>
      ${ops.length ? this.renderRule(col, ops) : nothing} ${this.renderChecklist(col)}
      ${filtered ? html`<div class="row"><button @click=${() => this.setCondition(null)}>${t('view.clearFilter')}</button></div>` : nothing}
    </fieldset>`;
  }

  private renderChecklist(col: Column) {
    const counts = this.counts(col);
    const current = (this.spec.conditions ?? []).find((c): c is ValuesCondition => c.colId === col.id && c.kind === 'values');
    return html`<filter-checklist
      .column=${col}
      .counts=${counts}
      .hide=${current?.hide ?? []}
      @checklist-change=${(e: CustomEvent<{ hide: string[] }>) =>
        this.setCondition(e.detail.hide.length ? { colId: col.id, kind: 'values', hide: e.detail.hide } : null)}
    ></filter-checklist>`;
  }

  private renderRule(col: Column, ops: readonly RuleOp[]) {
    const locale = currentLocale();
    const arity = opArity(this.op);
    const type = col.type === 'date' || col.type === 'datetime' ? 'date' : 'text';
    const inputmode = col.type === 'number' || col.type === 'counter' ? 'decimal' : nothing;
    const onKey = (e: KeyboardEvent) => {
      if (e.key === 'Enter' && !e.isComposing) {
        e.preventDefault();
        this.applyRule();
      }
    };
    return html`<div class="rule" role="group" aria-label=${t('filter.byRule')}>
        <select aria-label=${t('view.filterRule')} @change=${(e: Event) => (this.op = (e.target as HTMLSelectElement).value as RuleOp)}>
          ${ops.map((op) => html`<option value=${op} ?selected=${op === this.op}>${opLabel(locale, col, op)}</option>`)}
        </select>
        ${arity >= 1
          ? html`<input
              type=${type}
              inputmode=${inputmode}
              aria-label=${t('view.filterValue')}
              .value=${this.value}
              @input=${(e: Event) => (this.value = (e.target as HTMLInputElement).value)}
              @keydown=${onKey}
            />`
          : nothing}
        ${arity === 2
          ? html`<input
              type=${type}
              inputmode=${inputmode}
              aria-label=${t('filter.ruleTo')}
              .value=${this.to}
              @input=${(e: Event) => (this.to = (e.target as HTMLInputElement).value)}
              @keydown=${onKey}
            />`
          : nothing}
        <button @click=${() => this.applyRule()}>${t('view.applyFilter')}</button>
      </div>
      ${this.error ? html`<p class="error" role="alert">${t(this.error)}</p>` : nothing}`;
  }

  private renderSummary() {
    const wb = this.source?.workbook;
    const sheetId = this.source?.sheetId ?? '';
    if (!wb || !sheetId) return nothing;
    const { shown, total } = this.tally();
    const any = this.spec.filters.length > 0 || (this.spec.conditions?.length ?? 0) > 0;
    return html`<div class="summary">
      <filter-chips .workbook=${wb} .sheetId=${sheetId} .spec=${this.spec} .revision=${this.revision} .value=${this.source?.value ?? null} @view-change=${this.onChipsChange}></filter-chips>
      <span class="count" role="status">${tn('filter.rows', shown, { total: new Intl.NumberFormat(currentLocale()).format(total) })}</span>
      ${any ? html`<button @click=${() => this.emit(withoutFilters(this.spec))}>${t('filter.clearAll')}</button>` : nothing}
    </div>`;
  }

  private counts(col: Column): ValueCount[] {
    const c = this.counted;
    if (c && c.revision === this.revision && c.col === col) return c.counts;
    const wb = this.source?.workbook;
    const sheetId = this.source?.sheetId ?? '';
    const read = this.source?.value ?? ((r: string, id: string) => wb?.getValue(sheetId, r, id) ?? null);
    const counts = wb ? valueCounts(this.rows(), col, (r) => read(r, col.id)) : [];
    this.counted = { revision: this.revision, col, counts };
    return counts;
  }

  /** How many of the sheet's rows the view being edited shows. */
  private tally(): { shown: number; total: number } {
    const c = this.tallied;
    if (c && c.revision === this.revision && c.spec === this.spec) return c;
    const wb = this.source?.workbook;
    const sheetId = this.source?.sheetId ?? '';
    const all = this.rows();
    const shown = wb ? applyView(all, wb.columns(sheetId), this.spec, this.source?.value ?? ((r, id) => wb.getValue(sheetId, r, id))).rows.length : all.length;
    this.tallied = { revision: this.revision, spec: this.spec, shown, total: all.length };
    return this.tallied;
  }

  private onChipsChange = (e: CustomEvent<ViewSpec>): void => {
    // The chips speak for this dialog: one view-change leaves it, with the whole spec.
    e.stopPropagation();
    this.emit(e.detail);
  };

  private applyRule(): void {
    const col = this.column;
    if (!col) return;
    const locale = currentLocale();
    const arity = opArity(this.op);
    let value = '';
    let to = '';
    if (arity >= 1) {
      const read = readBound(locale, col, this.value);
      if ('error' in read) return void (this.error = read.error);
      value = read.value;
    }
    if (arity === 2) {
      const read = readBound(locale, col, this.to);
      if ('error' in read) return void (this.error = read.error);
      to = read.value;
    }
    this.error = null;
    // "between 10 and 2" means the same as "between 2 and 10": kept in reading order.
    const number = col.type === 'number' || col.type === 'counter';
    if (arity === 2 && (number ? Number(value) > Number(to) : value > to)) [value, to] = [to, value];
    this.setCondition({ colId: col.id, kind: 'rule', op: this.op, value, to });
    this.close();
  }

  private sort(dir: 'asc' | 'desc'): void {
    if (!this.column) return;
    this.emit({ ...this.spec, sort: [{ colId: this.column.id, dir }] });
    this.close();
  }

  private hide(): void {
    if (!this.column) return;
    this.emit({ ...this.spec, hidden: [...new Set([...this.spec.hidden, this.column.id])] });
    this.close();
  }
}

customElements.define('view-menu', ViewMenu);

declare global {
  interface HTMLElementTagNameMap {
    'view-menu': ViewMenu;
  }
}
