import { LitElement, css, html, nothing } from 'lit';
import { dialogStyles, showDialog } from './dialog-styles.js';
import { LocaleController, t } from './i18n/locale.js';
import type { Column } from '../model/types.js';
import type { FilterOp, ViewSpec } from '../model/view.js';

/**
 * `<view-menu>`: sort, filter and hide for one column, in *my* view only.
 * Fires `view-change` with the new ViewSpec; the grid stores it on this device.
 */
export class ViewMenu extends LitElement {
  static properties = {
    column: { state: true },
    spec: { state: true },
    op: { state: true },
    value: { state: true },
  };

  declare column: Column | null;
  declare spec: ViewSpec;
  declare op: FilterOp;
  declare value: string;

  constructor() {
    super();
    // re-renders when the reader switches language
    new LocaleController(this);
    this.column = null;
    this.spec = { sort: [], filters: [], hidden: [] };
    this.op = 'contains';
    this.value = '';
  }

  static styles = [
    dialogStyles,
    css`
    dialog {
      max-width: min(26rem, 92vw);
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
    .close {
      display: flex;
      justify-content: flex-end;
    }
  `,
  ];

  open(column: Column, spec: ViewSpec): void {
    this.column = column;
    this.spec = spec;
    const existing = spec.filters.find((f) => f.colId === column.id);
    this.op = existing?.op ?? 'contains';
    this.value = existing?.value ?? '';
    showDialog(this);
  }

  private emit(spec: ViewSpec): void {
    this.spec = spec;
    this.dispatchEvent(new CustomEvent('view-change', { detail: spec, bubbles: true, composed: true }));
  }

  private close(): void {
    this.renderRoot.querySelector('dialog')?.close();
  }

  render() {
    const col = this.column;
    return html`<dialog aria-labelledby="view-menu-title" @close=${() => this.dispatchEvent(new CustomEvent('view-menu-closed', { bubbles: true, composed: true }))}>
      ${col
        ? html`<h2 id="view-menu-title">${t('view.title', { name: col.name })}</h2>
            <p class="hint">${t('view.hint')}</p>
            <fieldset>
              <legend>${t('view.sort')}</legend>
              <button @click=${() => this.sort('asc')}>${t('view.sortAsc')}</button>
              <button @click=${() => this.sort('desc')}>${t('view.sortDesc')}</button>
              ${this.spec.sort.length ? html`<button @click=${() => this.emit({ ...this.spec, sort: [] })}>${t('view.clearSort')}</button>` : nothing}
            </fieldset>
            <fieldset>
              <legend>${t('view.filter')}</legend>
              <select aria-label=${t('view.filterRule')} @change=${(e: Event) => (this.op = (e.target as HTMLSelectElement).value as FilterOp)}>
                ${(['contains', 'is', 'empty', 'filled'] as const).map(
                  (op) => html`<option value=${op} ?selected=${op === this.op}>${t(`view.op.${op}`)}</option>`,
                )}
              </select>
              ${this.op === 'contains' || this.op === 'is'
                ? html`<input aria-label=${t('view.filterValue')} .value=${this.value} @input=${(e: Event) => (this.value = (e.target as HTMLInputElement).value)} />`
                : nothing}
              <button @click=${this.applyFilter}>${t('view.applyFilter')}</button>
              ${this.spec.filters.some((f) => f.colId === col.id)
                ? html`<button @click=${() => this.emit({ ...this.spec, filters: this.spec.filters.filter((f) => f.colId !== col.id) })}>${t('view.clearFilter')}</button>`
                : nothing}
            </fieldset>
            <fieldset>
              <legend>${t('view.columns')}</legend>
              <button @click=${() => this.hide()}>${t('view.hide')}</button>
              ${this.spec.hidden.length ? html`<button @click=${() => this.emit({ ...this.spec, hidden: [] })}>${t('view.showAll')}</button>` : nothing}
            </fieldset>
            <div class="close"><button @click=${() => this.close()}>${t('view.done')}</button></div>`
        : nothing}
    </dialog>`;
  }

  private sort(dir: 'asc' | 'desc'): void {
    if (!this.column) return;
    this.emit({ ...this.spec, sort: [{ colId: this.column.id, dir }] });
    this.close();
  }

  private applyFilter = (): void => {
    if (!this.column) return;
    const others = this.spec.filters.filter((f) => f.colId !== this.column!.id);
    this.emit({ ...this.spec, filters: [...others, { colId: this.column.id, op: this.op, value: this.value }] });
    this.close();
  };

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
