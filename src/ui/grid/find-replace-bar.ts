import { LitElement, css, html, nothing } from 'lit';
import type * as Y from 'yjs';
import { isModelError } from '../../model/errors.js';
import type { CellPos } from '../../model/range.js';
import type { Column } from '../../model/types.js';
import type { Workbook } from '../../model/workbook.js';
import { claimCellText } from '../claim-text.js';
import { errorText } from '../i18n/error-text.js';
import { LocaleController, currentLocale, formatNumber, t, tn } from '../i18n/locale.js';
import { displayValue, inputOptions } from '../i18n/value-text.js';
import { WorkbookController } from '../workbook-controller.js';
import { FindHits, findMatches, matchIndex, planReplace, stepMatch, type FindOptions, type FindSource, type ReplacePlan } from './find.js';

export type FindMode = 'find' | 'replace';

/**
 * `<find-replace-bar>`: find in the sheet or the active column (match case,
 * whole cell), step through the matches, and replace one or all of them. The
 * grid owns the selection: the bar says where to go (`find-goto`, view
 * positions), which cells match (`find-matches`, for the grid to mark) and
 * when it is done (`find-close`). Replace all is one
 * `setCells`, so one undo step, and it says what it could not replace and why.
 * Every key pressed in it stays in it: typing here never reaches the grid.
 */
export class FindReplaceBar extends LitElement {
  static properties = {
    workbook: { attribute: false },
    sheetId: { attribute: false },
    rows: { attribute: false },
    columns: { attribute: false },
    activeColumn: { attribute: false },
    undo: { attribute: false },
    mode: { state: true },
    query: { state: true },
    replacement: { state: true },
    inColumn: { state: true },
    matchCase: { state: true },
    wholeCell: { state: true },
    current: { state: true },
    result: { state: true },
  };

  declare workbook: Workbook | null;
  declare sheetId: string;
  declare rows: readonly string[];
  declare columns: readonly Column[];
  declare activeColumn: number;
  declare undo: Y.UndoManager | null;
  declare mode: FindMode;
  declare query: string;
  declare replacement: string;
  /** Search only the active column. */
  declare inColumn: boolean;
  declare matchCase: boolean;
  declare wholeCell: boolean;
  /** The match last gone to (a view position), or null before the first Next. */
  declare current: CellPos | null;
  /** What the last replace did, until the search changes. */
  declare result: string;
  private readonly wbc = new WorkbookController(this);
  private found: CellPos[] = [];
  /** What the grid was last told to mark. */
  private announced: FindHits | null = null;

  constructor() {
    super();
    new LocaleController(this);
    this.workbook = null;
    this.sheetId = '';
    this.rows = [];
    this.columns = [];
    this.activeColumn = 0;
    this.undo = null;
    this.mode = 'find';
    this.query = '';
    this.replacement = '';
    this.inColumn = false;
    this.matchCase = false;
    this.wholeCell = false;
    this.current = null;
    this.result = '';
    // The grid listens for keys on its own element; none typed here may reach it.
    this.addEventListener('keydown', this.onKeydown);
  }

  static styles = css`
    :host {
      display: block;
    }
    [role='search'] {
      display: flex;
      flex-wrap: wrap;
      align-items: center;
      gap: 0.25rem 0.5rem;
      padding: 0.25rem 0.5rem;
      border-bottom: 1px solid #d0d7de;
      background: #f6f8fa;
    }
    label {
      display: inline-flex;
      align-items: center;
      gap: 0.25rem;
    }
    input[type='text'],
    select,
    button {
      min-height: 32px;
      font: inherit;
      border: 1px solid #d0d7de;
      border-radius: 6px;
      background: white;
      padding: 0 0.5rem;
    }
    input[type='text'] {
      min-width: 10rem;
    }
    button {
      cursor: pointer;
    }
    button:disabled {
      cursor: default;
      color: #8c959f;
    }
    :focus-visible {
      outline: 3px solid #0969da;
      outline-offset: 1px;
    }
    .status {
      color: #57606a;
      font-size: 0.9rem;
    }
    .reason {
      color: #57606a;
      font-size: 0.85rem;
      flex-basis: 100%;
    }
    @media (pointer: coarse) {
      input[type='text'],
      select,
      button,
      label {
        min-height: 44px;
        min-width: 44px;
      }
      input[type='checkbox'] {
        width: 24px;
        height: 24px;
      }
    }
  `;

  /** Shows the bar's fields for `mode`, then focuses and selects the find field. */
  async open(mode: FindMode): Promise<void> {
    this.mode = mode;
    await this.updateComplete;
    const input = this.renderRoot.querySelector<HTMLInputElement>('#find-query');
    input?.focus();
    input?.select();
  }

  private options(): FindOptions {
    return { column: this.inColumn ? this.activeColumn : null, matchCase: this.matchCase, wholeCell: this.wholeCell };
  }

  private source(): FindSource | null {
    const wb = this.workbook;
    if (!wb || !this.sheetId) return null;
    const sheetId = this.sheetId;
    const locale = currentLocale();
    return {
      rows: this.rows,
      columns: this.columns,
      value: (rowId, column) => wb.getValue(sheetId, rowId, column.id),
      // A claim reads as the names that hold it, as its cell shows.
      display: (column, value, rowId) => (column.type === 'claim' ? claimCellText(locale, wb, sheetId, rowId, column.id) : displayValue(locale, column, value)),
    };
  }

  protected willUpdate(changed: Map<string, unknown>): void {
    this.wbc.bind(this.workbook);
    const source = this.source();
    // Every render follows a change to the search, the view or the workbook, so the matches are read afresh.
    this.found = source ? findMatches(this.query, source, this.options()) : [];
    const searchChanged = ['query', 'inColumn', 'matchCase', 'wholeCell', 'sheetId'].some((k) => changed.has(k));
    if (searchChanged && !changed.has('result')) this.result = '';
    if (changed.has('sheetId')) this.current = null;
  }

  /** Tells the grid which cells to mark (`find-matches`), only when that changed: the grid re-renders for it. */
  protected updated(): void {
    const hits = new FindHits(this.found, this.current);
    if (this.announced && this.announced.signature === hits.signature) return;
    this.announced = hits;
    this.dispatchEvent(new CustomEvent('find-matches', { detail: { hits }, bubbles: true, composed: true }));
  }

  private go(pos: CellPos | null): void {
    if (!pos) return;
    this.current = pos;
    this.dispatchEvent(new CustomEvent('find-goto', { detail: { row: pos.row, col: pos.col }, bubbles: true, composed: true }));
  }

  private step(dir: 1 | -1): void {
    // Before the first step, Next starts at the top of the sheet and Previous at its end.
    const from = this.current ?? (dir > 0 ? { row: -1, col: -1 } : { row: Number.MAX_SAFE_INTEGER, col: 0 });
    this.go(stepMatch(this.found, from, dir));
  }

  private close(): void {
    this.dispatchEvent(new CustomEvent('find-close', { bubbles: true, composed: true }));
  }

  private canReplace(): boolean {
    return !!this.workbook && !this.workbook.readOnly;
  }

  /** Writes a plan in one transaction (one undo step) and says what came of it. */
  private write(plan: ReplacePlan): boolean {
    const wb = this.workbook;
    if (!wb) return false;
    try {
      // Its own undo step, even if the grid wrote a moment ago.
      this.undo?.stopCapturing();
      if (plan.writes.length) wb.setCells(this.sheetId, plan.writes);
      this.undo?.stopCapturing();
    } catch (err) {
      if (!isModelError(err)) throw err;
      this.result = errorText(err);
      return false;
    }
    this.result = this.describe(plan);
    return true;
  }

  private describe(plan: ReplacePlan): string {
    const parts = [tn('find.replaced', plan.writes.length)];
    const misfits = plan.skipped.filter((s) => s.reason === 'does-not-fit');
    const notText = plan.skipped.filter((s) => s.reason === 'not-text');
    if (misfits.length) parts.push(tn('find.notFit', misfits.length, { reason: errorText(misfits[0].error) }));
    if (notText.length) parts.push(tn('find.notText', notText.length));
    return parts.join(' ');
  }

  /** Replaces the current match and goes to the next; with no current match, first goes to one. */
  private replaceOne(): void {
    const source = this.source();
    if (!source || !this.canReplace()) return;
    const at = this.current && matchIndex(this.found, this.current) >= 0 ? this.current : null;
    if (!at) return this.step(1);
    const plan = planReplace([at], this.query, this.replacement, source, this.options(), inputOptions(currentLocale()));
    if (!this.write(plan)) return;
    const after = findMatches(this.query, source, this.options());
    // The cell just replaced may still match (replacing "a" by "aa"): move past it either way.
    this.go(stepMatch(after, at, 1));
  }

  private replaceAll(): void {
    const source = this.source();
    if (!source || !this.canReplace()) return;
    const plan = planReplace(this.found, this.query, this.replacement, source, this.options(), inputOptions(currentLocale()));
    this.write(plan);
  }

  private onKeydown = (e: KeyboardEvent): void => {
    e.stopPropagation();
    if (e.isComposing) return;
    const ctrl = e.ctrlKey || e.metaKey;
    if (e.key === 'Escape') {
      e.preventDefault();
      this.close();
    } else if (e.key === 'Enter' && (e.composedPath()[0] as HTMLElement | undefined)?.localName === 'input') {
      // Only in a field: Enter on a button presses that button.
      e.preventDefault();
      this.step(e.shiftKey ? -1 : 1);
    } else if (ctrl && (e.key === 'f' || e.key === 'F')) {
      // The browser's own find would search the page, not the sheet.
      e.preventDefault();
      void this.open(this.mode);
    } else if (ctrl && (e.key === 'h' || e.key === 'H')) {
      e.preventDefault();
      void this.open('replace');
    }
  };

  private status(): string {
    if (!this.query.trim()) return '';
    const n = this.found.length;
    if (!n) return t('find.none');
    const i = this.current ? matchIndex(this.found, this.current) : -1;
    return i >= 0 ? t('find.position', { i: formatNumber(i + 1), n: formatNumber(n) }) : tn('find.count', n);
  }

  render() {
    const none = !this.found.length;
    const column = this.columns[this.activeColumn];
    const replacing = this.mode === 'replace';
    const canReplace = this.canReplace();
    return html`<div role="search" aria-label=${t('find.region')}>
      <label
        >${t('find.find')}
        <input
          id="find-query"
          type="text"
          autocomplete="off"
          spellcheck="false"
          placeholder=${t('find.placeholder')}
          .value=${this.query}
          @input=${(e: Event) => (this.query = (e.target as HTMLInputElement).value)}
      /></label>
      ${replacing
        ? html`<label
            >${t('find.replaceWith')}
            <input
              id="find-replacement"
              type="text"
              autocomplete="off"
              spellcheck="false"
              .value=${this.replacement}
              ?disabled=${!canReplace}
              aria-describedby=${canReplace ? nothing : 'find-readonly'}
              @input=${(e: Event) => (this.replacement = (e.target as HTMLInputElement).value)}
          /></label>`
        : nothing}
      <label
        >${t('find.scope')}
        <select
          id="find-scope"
          @change=${(e: Event) => (this.inColumn = (e.target as HTMLSelectElement).value === 'column')}
        >
          <option value="sheet" ?selected=${!this.inColumn}>${t('find.scopeSheet')}</option>
          ${column ? html`<option value="column" ?selected=${this.inColumn}>${t('find.scopeColumn', { column: column.name })}</option>` : nothing}
        </select></label
      >
      <label
        ><input id="find-case" type="checkbox" .checked=${this.matchCase} @change=${(e: Event) => (this.matchCase = (e.target as HTMLInputElement).checked)} />${t(
          'find.matchCase',
        )}</label
      >
      <label
        ><input id="find-whole" type="checkbox" .checked=${this.wholeCell} @change=${(e: Event) => (this.wholeCell = (e.target as HTMLInputElement).checked)} />${t(
          'find.wholeCell',
        )}</label
      >
      <button id="find-previous" ?disabled=${none} @click=${() => this.step(-1)}>${t('find.previous')}</button>
      <button id="find-next" ?disabled=${none} @click=${() => this.step(1)}>${t('find.next')}</button>
      ${replacing
        ? html`<button id="find-replace" ?disabled=${none || !canReplace} aria-describedby=${canReplace ? nothing : 'find-readonly'} @click=${() => this.replaceOne()}>
              ${t('find.replace')}
            </button>
            <button id="find-replace-all" ?disabled=${none || !canReplace} aria-describedby=${canReplace ? nothing : 'find-readonly'} @click=${() => this.replaceAll()}>
              ${t('find.replaceAll')}
            </button>`
        : html`<button id="find-show-replace" @click=${() => this.open('replace')}>${t('find.showReplace')}</button>`}
      <button id="find-close" @click=${() => this.close()}>${t('find.close')}</button>
      <span class="status" role="status" aria-live="polite">${[this.status(), this.result].filter(Boolean).join(' · ')}</span>
      ${replacing && !canReplace ? html`<span class="reason" id="find-readonly">${t('find.readOnly')}</span>` : nothing}
    </div>`;
  }
}

customElements.define('find-replace-bar', FindReplaceBar);

declare global {
  interface HTMLElementTagNameMap {
    'find-replace-bar': FindReplaceBar;
  }
  interface HTMLElementEventMap {
    'find-goto': CustomEvent<{ row: number; col: number }>;
    'find-close': CustomEvent<void>;
    'find-matches': CustomEvent<{ hits: FindHits }>;
  }
}
