import { LitElement, css, html, nothing } from 'lit';
import { EMPTY_VIEW, type ViewSpec } from '../model/view.js';
import type { Workbook } from '../model/workbook.js';
import { LocaleController, t } from './i18n/locale.js';
import { filterChips, withoutFilter } from './filter-text.js';
import type { ValueReader } from './result-values.js';

/**
 * `<filter-chips>`: the filters of my view as removable chips
 * ("Status: 2 of 5 values ×", "Qty < 10 ×"). Fires `view-change` with the
 * view a removal leaves, as <view-menu> does.
 */
export class FilterChips extends LitElement {
  static properties = {
    workbook: { attribute: false },
    sheetId: { attribute: false },
    spec: { attribute: false },
    revision: { attribute: false },
    value: { attribute: false },
  };

  declare workbook: Workbook | null;
  declare sheetId: string;
  declare spec: ViewSpec;
  /** Set it to anything new when the sheet changed: the chips' counts are read again. */
  declare revision: number;
  /** reads a cell as shown (formula results); null: as the doc holds it */
  declare value: ValueReader | null;

  constructor() {
    super();
    new LocaleController(this);
    this.workbook = null;
    this.sheetId = '';
    this.spec = { ...EMPTY_VIEW };
    this.revision = 0;
    this.value = null;
  }

  static styles = css`
    :host {
      display: contents;
    }
    ul {
      display: inline-flex;
      flex-wrap: wrap;
      gap: 0.25rem;
      list-style: none;
      margin: 0;
      padding: 0;
    }
    li {
      display: inline-flex;
      align-items: center;
      border: 1px solid #d0d7de;
      border-radius: 999px;
      background: #f6f8fa;
      padding-left: 0.6rem;
      font-size: 0.85rem;
    }
    button {
      min-height: 32px;
      min-width: 32px;
      border: none;
      background: none;
      border-radius: 999px;
      font: inherit;
      cursor: pointer;
    }
    button:hover,
    button:focus-visible {
      background: #eaeef2;
    }
    @media (pointer: coarse) {
      button {
        min-height: 44px;
        min-width: 44px;
      }
    }
  `;

  render() {
    if (!this.workbook || !this.sheetId) return nothing;
    const chips = filterChips(this.workbook, this.sheetId, this.spec, undefined, this.value ?? undefined);
    if (!chips.length) return nothing;
    const names = new Map(this.workbook.columns(this.sheetId).map((c) => [c.id, c.name]));
    return html`<ul aria-label=${t('filter.active')}>
      ${chips.map(
        (c) => html`<li>
          <span>${c.text}</span>
          <button aria-label=${t('filter.remove', { name: names.get(c.colId) ?? '' })} title=${t('filter.remove', { name: names.get(c.colId) ?? '' })} @click=${() => this.drop(c.colId)}>
            ×
          </button>
        </li>`,
      )}
    </ul>`;
  }

  private drop(colId: string): void {
    this.dispatchEvent(new CustomEvent<ViewSpec>('view-change', { detail: withoutFilter(this.spec, colId), bubbles: true, composed: true }));
  }
}

customElements.define('filter-chips', FilterChips);

declare global {
  interface HTMLElementTagNameMap {
    'filter-chips': FilterChips;
  }
}
