import { LitElement, css, html, nothing } from 'lit';
import { activeConditions, valueCounts, withCondition, type Condition } from '../model/filters.js';
import type { Column } from '../model/types.js';
import { EMPTY_VIEW, type Filter, type ViewSpec } from '../model/view.js';
import type { Workbook } from '../model/workbook.js';
import { LocaleController, currentLocale, t } from './i18n/locale.js';
import { conditionText } from './filter-text.js';

/** An old text filter (views saved before conditions) read as the rule it is. */
function asCondition(f: Filter): Condition {
  return { colId: f.colId, kind: 'rule', op: f.op, value: f.value, to: '' };
}

export interface FilterChip {
  colId: string;
  text: string;
}

/**
 * Every filter a view applies, in words, one per column: the view's conditions
 * and any older text filters, skipping those whose column is gone.
 */
export function filterChips(workbook: Workbook, sheetId: string, spec: ViewSpec): FilterChip[] {
  const columns = workbook.columns(sheetId);
  const byId = new Map<string, Column>(columns.map((c) => [c.id, c]));
  const locale = currentLocale();
  const rows = workbook.rowIds(sheetId);
  const chips: FilterChip[] = [];
  const legacy = spec.filters.filter((f) => byId.has(f.colId));
  // An old filter compared the text a cell shows, whatever its column's type: it reads in text words.
  for (const f of legacy) chips.push({ colId: f.colId, text: conditionText(locale, { ...byId.get(f.colId)!, type: 'text' }, asCondition(f), []) });
  for (const { column, condition } of activeConditions(spec.conditions ?? [], columns)) {
    const counts = condition.kind === 'values' ? valueCounts(rows, column, (r) => workbook.getValue(sheetId, r, column.id)) : [];
    chips.push({ colId: column.id, text: conditionText(locale, column, condition, counts) });
  }
  return chips;
}

/** The view without any filter on this column (its condition and any old text filter). */
export function withoutFilter(spec: ViewSpec, colId: string): ViewSpec {
  return { ...spec, filters: spec.filters.filter((f) => f.colId !== colId), conditions: withCondition(spec.conditions ?? [], colId, null) };
}

/** The view with no filter at all; its sort and hidden columns stay. */
export function withoutFilters(spec: ViewSpec): ViewSpec {
  return { ...spec, filters: [], conditions: [...(EMPTY_VIEW.conditions ?? [])] };
}

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
  };

  declare workbook: Workbook | null;
  declare sheetId: string;
  declare spec: ViewSpec;
  /** Set it to anything new when the sheet changed: the chips' counts are read again. */
  declare revision: number;

  constructor() {
    super();
    new LocaleController(this);
    this.workbook = null;
    this.sheetId = '';
    this.spec = { ...EMPTY_VIEW };
    this.revision = 0;
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
    const chips = filterChips(this.workbook, this.sheetId, this.spec);
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
