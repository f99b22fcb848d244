import { LitElement, css, html, nothing } from 'lit';
import type { ValueCount } from '../model/filters.js';
import type { Column } from '../model/types.js';
import { LocaleController, currentLocale, t, tn } from './i18n/locale.js';
import { valueLabel } from './filter-text.js';

/** Past this many values a search box narrows the list (a roster's names, an inventory's items). */
const SEARCH_FROM = 8;
/** A notes column can hold a value per row: the list stops here and the search finds the rest. */
const MAX_LISTED = 300;

/**
 * `<filter-checklist>`: a column's values as a group of labelled checkboxes,
 * each with how many rows hold it. Unticking fires `checklist-change` with the
 * keys now hidden; Select all / Clear act on every value the search matches,
 * listed or not.
 */
export class FilterChecklist extends LitElement {
  static properties = {
    column: { attribute: false },
    counts: { attribute: false },
    hide: { attribute: false },
    query: { state: true },
  };

  declare column: Column | null;
  declare counts: readonly ValueCount[];
  declare hide: readonly string[];
  declare query: string;

  constructor() {
    super();
    new LocaleController(this);
    this.column = null;
    this.counts = [];
    this.hide = [];
    this.query = '';
  }

  static styles = css`
    :host {
      display: block;
    }
    fieldset {
      border: none;
      margin: 0;
      padding: 0;
    }
    legend {
      font-weight: 600;
      padding: 0;
      margin-bottom: 0.25rem;
    }
    .tools {
      display: flex;
      flex-wrap: wrap;
      gap: 0.5rem;
      margin-bottom: 0.5rem;
    }
    input[type='search'],
    button {
      min-height: 44px;
      min-width: 44px;
      padding: 0 0.75rem;
      font: inherit;
      border: 1px solid #d0d7de;
      border-radius: 6px;
      background: white;
    }
    input[type='search'] {
      flex: 1 1 10rem;
    }
    ul {
      list-style: none;
      margin: 0;
      padding: 0;
      max-height: 14rem;
      overflow-y: auto;
      border: 1px solid #eaeef2;
      border-radius: 6px;
    }
    label {
      display: flex;
      align-items: center;
      gap: 0.5rem;
      min-height: 2rem;
      padding: 0 0.5rem;
      cursor: pointer;
    }
    label:focus-within {
      outline: 2px solid #0969da;
      outline-offset: -2px;
    }
    .text {
      flex: 1;
      overflow-wrap: anywhere;
    }
    .count {
      color: #57606a;
      font-variant-numeric: tabular-nums;
    }
    .none {
      color: #57606a;
      padding: 0.5rem;
    }
    @media (pointer: coarse) {
      label {
        min-height: 44px;
      }
      input[type='checkbox'] {
        width: 1.5rem;
        height: 1.5rem;
      }
    }
  `;

  private visible(): ValueCount[] {
    const q = this.query.trim().toLowerCase();
    if (!q || !this.column) return [...this.counts];
    const locale = currentLocale();
    return this.counts.filter((v) => valueLabel(locale, this.column!, v.key).toLowerCase().includes(q));
  }

  private emit(hide: Iterable<string>): void {
    this.dispatchEvent(new CustomEvent<{ hide: string[] }>('checklist-change', { detail: { hide: [...new Set(hide)] } }));
  }

  private toggle(key: string, shown: boolean): void {
    this.emit(shown ? this.hide.filter((k) => k !== key) : [...this.hide, key]);
  }

  private setVisible(shown: boolean): void {
    const keys = new Set(this.visible().map((v) => v.key));
    this.emit(shown ? this.hide.filter((k) => !keys.has(k)) : [...this.hide, ...keys]);
  }

  /** Up/Down (and Home/End) walk the list, so a long one needs no run of Tabs; Space ticks as ever. */
  private onListKey = (e: KeyboardEvent): void => {
    const boxes = [...this.renderRoot.querySelectorAll<HTMLInputElement>('ul input[type="checkbox"]')];
    const at = boxes.indexOf(e.target as HTMLInputElement);
    if (at < 0) return;
    const to = e.key === 'ArrowDown' ? at + 1 : e.key === 'ArrowUp' ? at - 1 : e.key === 'Home' ? 0 : e.key === 'End' ? boxes.length - 1 : null;
    if (to === null) return;
    e.preventDefault();
    boxes[Math.max(0, Math.min(boxes.length - 1, to))].focus();
  };

  render() {
    const column = this.column;
    if (!column) return nothing;
    const locale = currentLocale();
    const hidden = new Set(this.hide);
    const nf = new Intl.NumberFormat(locale);
    const matching = this.visible();
    const list = matching.slice(0, MAX_LISTED);
    return html`<fieldset>
      <legend>${t('filter.values', { name: column.name })}</legend>
      <div class="tools">
        ${this.counts.length > SEARCH_FROM
          ? html`<input
              type="search"
              aria-label=${t('filter.search')}
              placeholder=${t('filter.search')}
              .value=${this.query}
              @input=${(e: Event) => (this.query = (e.target as HTMLInputElement).value)}
            />`
          : nothing}
        <button @click=${() => this.setVisible(true)}>${t('filter.selectAll')}</button>
        <button @click=${() => this.setVisible(false)}>${t('filter.clear')}</button>
      </div>
      ${list.length
        ? html`<ul @keydown=${this.onListKey}>
            ${list.map(
              (v) => html`<li>
                <label>
                  <input type="checkbox" .checked=${!hidden.has(v.key)} @change=${(e: Event) => this.toggle(v.key, (e.target as HTMLInputElement).checked)} />
                  <span class="text">${valueLabel(locale, column, v.key)}</span>
                  <span class="count">(${nf.format(v.count)})</span>
                </label>
              </li>`,
            )}
          </ul>`
        : html`<p class="none" role="status">${t('filter.noValues')}</p>`}
      ${matching.length > list.length ? html`<p class="none">${tn('filter.more', matching.length - list.length)}</p>` : nothing}
    </fieldset>`;
  }
}

customElements.define('filter-checklist', FilterChecklist);

declare global {
  interface HTMLElementTagNameMap {
    'filter-checklist': FilterChecklist;
  }
}
