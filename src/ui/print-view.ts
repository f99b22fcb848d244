import { LitElement, css, html } from 'lit';
import type { CellValue, Column } from '../model/types.js';
import { currentLocale, formatNumber, t } from './i18n/locale.js';
import { displayValue } from './i18n/value-text.js';

export const MAX_PRINT_ROWS = 20_000;

/**
 * `<print-view>`: the current view as a plain table, for the printer or "Save
 * as PDF". It is appended to the page only while printing; index.html's print
 * stylesheet hides everything else, so what is printed is exactly this.
 */
export class PrintView extends LitElement {
  static properties = {
    heading: { attribute: false },
    columns: { attribute: false },
    rows: { attribute: false },
    get: { attribute: false },
  };

  declare heading: string;
  declare columns: Column[];
  declare rows: string[];
  declare get: (rowId: string, colId: string) => CellValue;

  constructor() {
    super();
    this.heading = '';
    this.columns = [];
    this.rows = [];
    this.get = () => null;
  }

  static styles = css`
    :host {
      display: block;
      font: 10pt system-ui, sans-serif;
      color: black;
    }
    table {
      border-collapse: collapse;
      width: 100%;
    }
    th,
    td {
      border: 1px solid #888;
      padding: 2pt 4pt;
      text-align: left;
      vertical-align: top;
      white-space: pre-wrap;
      overflow-wrap: anywhere;
    }
    thead {
      display: table-header-group;
    }
    tr {
      break-inside: avoid;
    }
    td.num {
      text-align: right;
    }
  `;

  render() {
    const shown = this.rows.slice(0, MAX_PRINT_ROWS);
    return html`<h1>${this.heading}</h1>
      <table>
        <thead>
          <tr>
            ${this.columns.map((c) => html`<th scope="col">${c.name}</th>`)}
          </tr>
        </thead>
        <tbody>
          ${shown.map(
            (r) => html`<tr>
              ${this.columns.map((c) => {
                const v = this.get(r, c.id);
                return html`<td class=${typeof v === 'number' ? 'num' : ''}>${displayValue(currentLocale(), c, v)}</td>`;
              })}
            </tr>`,
          )}
        </tbody>
      </table>
      ${this.rows.length > shown.length ? html`<p>${t('print.firstRows', { max: formatNumber(MAX_PRINT_ROWS), n: formatNumber(this.rows.length) })}</p>` : ''}`;
  }
}

customElements.define('print-view', PrintView);
