import { LitElement, css, html, nothing, type PropertyValues, type ReactiveController, type ReactiveControllerHost } from 'lit';
import { live } from 'lit/directives/live.js';
import type { Column } from '../model/types.js';
import { EMPTY_VIEW, applyView, isEmptyView, type ViewSpec } from '../model/view.js';
import type { Workbook } from '../model/workbook.js';
import type { SyncStatus } from '../sync/status.js';
import { LocaleController, currentLocale, t, tn } from './i18n/locale.js';
import { displayValue } from './i18n/value-text.js';
import { CardEdits } from './phone/card-edits.js';
import {
  NO_FILTER,
  activeFilterCount,
  addIndex,
  cardFieldIds,
  cardTops,
  cardLayout,
  effectiveFilter,
  filterRows,
  hasClaims,
  hasLowStock,
  isEmptyRow,
  isMineRow,
  statusColumn,
  validStatus,
  type CardLayout,
  type PhoneFilter,
} from './phone/card-list.js';
import { ADD_CARD_PX, CARD_GAP_PX, CONFLICT_PX, cardHeight, cardListStyles, cardStyles, fieldText, renderCard, type CardContext } from './phone/card-view.js';
import { conflictableFields } from './phone/conflict-text.js';
import { ConflictTracker } from './conflict-tracker.js';
import { FormulaResults } from './formula-results.js';
import { isComputed } from './phone/formula-text.js';
import type { CellConflict } from '../model/conflicts.js';
import { PhoneFilterStore } from './phone/phone-filter-store.js';
import type { StatusSheet, StatusTarget } from './phone/status-sheet.js';
import { parseRoute } from './route.js';
import { savedKey } from './row-edits.js';
import type { ViewStore } from './view-store.js';
import { WorkbookController } from './workbook-controller.js';
import './conflict-menu.js';
import './phone/card-fields-dialog.js';
import './phone/status-sheet.js';
import './row-form.js';

const OVERSCAN = 4;
/** A finger that moved this far was scrolling, not tapping. */
const TAP_SLOP_PX = 10;

/** What the list shows now, for the phone's first cards of next time (first-cards-capture.ts). */
export interface ShownCards {
  wb: Workbook;
  sheetId: string;
  rows: readonly string[];
  numbers: ReadonlyMap<string, number>;
  layout: CardLayout;
  tops: ReturnType<typeof cardTops>;
  /** every card's height but one holding a conflict */
  height: number;
  /** the px a card's conflicts add to it */
  extra: (rowId: string) => number;
  scrollTop: number;
  viewportHeight: number;
  formulas: FormulaResults;
}

/** What the list shows for one render: the rows kept, how many there are at all, and how a card lays out. */
interface Shown {
  rows: string[];
  /** rows with something in them, before the phone's filters */
  total: number;
  columns: Column[];
  layout: CardLayout;
  status: Column | null;
  /** each row's number in the sheet, as the laptop's grid numbers it */
  numbers: Map<string, number>;
  /** rows claimed by or assigned to this person, whatever the filters */
  mine: number;
}

/**
 * `<row-cards>`: the sheet on a phone — a windowed list of row cards with, at
 * its top, what a volunteer reaches for: Mine (rows claimed by or assigned to
 * them), search, filters by status and low stock (remembered on this device),
 * and Add. Empty rows are not cards. A card shows the sheet's card fields; its
 * status chip changes the status in two taps (chip, then the choice), its − / +
 * count at once, each with Undo. Tapping elsewhere on a card opens `<row-form>`
 * — only a tap that did not move, so scrolling never opens an editor by
 * accident. The open row is held by its id: a change saved from the form that
 * moves it in a sorted or filtered view (or a colleague's insert above it)
 * never swaps the form to another row.
 */
export class RowCards extends LitElement {
  static properties = {
    workbook: { attribute: false },
    sheetId: { attribute: false },
    viewStore: { attribute: false },
    status: { attribute: false },
    openRow: { state: true },
    scrollTop: { state: true },
    viewportHeight: { state: true },
    filter: { state: true },
    filtersOpen: { state: true },
  };

  declare workbook: Workbook | null;
  declare sheetId: string;
  declare viewStore: ViewStore | null;
  /** the sync session's status, which the form and the cards use to say where each change is saved */
  declare status: SyncStatus | null;
  /** the row the form shows, and where it was in the list (kept there if the view drops it) */
  declare openRow: { id: string; index: number } | null;
  declare scrollTop: number;
  declare viewportHeight: number;
  declare filter: PhoneFilter;
  declare filtersOpen: boolean;

  private readonly controller = new WorkbookController(this, (c) => {
    const relevant = c.sheets.has(this.sheetId) || c.sheetList;
    // What the list shows depends on every row's cells: any change to the sheet reads it again.
    if (relevant) this.cache = null;
    return relevant;
  });
  /**
   * The last list worked out, and what it was worked out for. Scrolling re-renders at every
   * frame; reading each row of a 10k-row sheet to find the empty ones must not happen per frame.
   */
  private cache: { key: string; wb: Workbook; shown: Shown } | null = null;
  private readonly edits = new CardEdits(this);
  /**
   * One engine for the list and the form it opens (a phone has little to spare for two): results
   * arriving, or the engine having loaded, re-render the open form as well as the list.
   */
  private readonly formulas = new FormulaResults(this.formulaHost());
  /** the sheet's open same-cell conflicts, read after the list has painted and re-read as the journal changes */
  private readonly conflicts = new ConflictTracker(this, () => this.requestUpdate());
  private down: { x: number; y: number } | null = null;
  private resizeObserver: ResizeObserver | null = null;
  /** the list element on the page, while one is */
  private list: HTMLElement | null = null;
  /** the sheet whose filter `filter` is, so switching sheets loads that sheet's */
  private filterSheet: string | null = null;
  private filterStore: PhoneFilterStore | null = null;

  constructor() {
    super();
    // re-renders when the reader switches language
    new LocaleController(this);
    this.workbook = null;
    this.sheetId = '';
    this.viewStore = null;
    this.status = null;
    this.openRow = null;
    this.scrollTop = 0;
    this.viewportHeight = 600;
    this.filter = { ...NO_FILTER };
    this.filtersOpen = false;
  }

  static styles = [
    cardStyles,
    cardListStyles,
    css`
      .bar {
        display: grid;
        gap: 0.4rem;
        padding: 0.4rem 0.5rem;
        border-bottom: 1px solid #d0d7de;
        background: #f6f8fa;
      }
      .tools,
      .find {
        display: flex;
        gap: 0.4rem;
        align-items: center;
      }
      button,
      select,
      input[type='search'] {
        min-height: 44px;
        min-width: 44px;
        padding: 0 0.75rem;
        font: inherit;
        border: 1px solid #d0d7de;
        border-radius: 6px;
        background: white;
        box-sizing: border-box;
      }
      button[aria-pressed='true'] {
        background: #ddf4ff;
        border-color: #0969da;
        font-weight: 600;
      }
      .badge {
        display: inline-block;
        min-width: 1.4em;
        padding: 0 0.3em;
        border-radius: 999px;
        background: #0969da;
        color: white;
        font-size: 0.8rem;
        font-weight: 600;
      }
      .tools .grow {
        flex: 1;
      }
      input[type='search'] {
        flex: 1;
        min-width: 0;
      }
      .count {
        color: #57606a;
        font-size: 0.85rem;
        white-space: nowrap;
      }
      .panel {
        display: flex;
        flex-wrap: wrap;
        gap: 0.5rem;
        align-items: center;
      }
      .panel label {
        display: inline-flex;
        align-items: center;
        gap: 0.35rem;
        min-height: 44px;
      }
      .panel input[type='checkbox'] {
        width: 44px;
        height: 44px;
        margin: 0;
      }
      .reason {
        font-size: 0.8rem;
        color: #57606a;
        margin: 0;
      }
      .note {
        display: flex;
        align-items: center;
        gap: 0.5rem;
        padding: 0.25rem 0.5rem;
        font-size: 0.85rem;
        border-bottom: 1px solid #eaeef2;
      }
      .note span {
        flex: 1;
      }
      .note .saved {
        color: #1a7f37;
      }
      .note .saved.away {
        color: #9a6700;
      }
      .note .error {
        color: #cf222e;
      }
      .add {
        position: absolute;
        left: 0.5rem;
        right: 0.5rem;
      }
      .add button {
        width: 100%;
        height: ${ADD_CARD_PX - CARD_GAP_PX}px;
        border-style: dashed;
        font-weight: 600;
      }
      .empty {
        margin: 0;
        padding: 0.5rem 0.5rem 0;
        color: #57606a;
      }
      .empty:empty {
        display: none;
      }
    `,
  ];

  connectedCallback(): void {
    super.connectedCallback();
    this.resizeObserver = new ResizeObserver((entries) => {
      for (const e of entries) this.viewportHeight = e.contentRect.height;
    });
  }

  disconnectedCallback(): void {
    super.disconnectedCallback();
    this.resizeObserver?.disconnect();
    this.list = null;
  }

  protected updated(): void {
    // the phone's first cards of next time are kept from what this drew (workbook-view.ts)
    this.dispatchEvent(new Event('cards-rendered', { bubbles: true, composed: true }));
    // The list is a new element each time the form closes: it is observed, and scrolled back to
    // where the volunteer was (the cards drawn are those for `scrollTop`, so it must match).
    const list = this.renderRoot.querySelector<HTMLElement>('.list');
    if (!list || list === this.list) return;
    if (this.list) this.resizeObserver?.unobserve(this.list);
    this.list = list;
    this.resizeObserver?.observe(list);
    list.scrollTop = this.scrollTop;
    this.scrollTop = list.scrollTop;
  }

  protected willUpdate(_changed: PropertyValues<this>): void {
    this.controller.bind(this.workbook);
    this.edits.bind(this.workbook);
    if (this.workbook) this.formulas.watch(this.workbook);
    if (this.workbook && this.sheetId) this.conflicts.watch(this.workbook, this.sheetId);
    if (this.sheetId !== this.filterSheet) {
      this.filterSheet = this.sheetId;
      // The workbook's id is in the page's address (#/w/<id>); without one, filters last for this page only.
      const id = parseRoute(location.hash)?.id;
      this.filterStore = id ? new PhoneFilterStore(localStorage, id) : null;
      this.filter = this.filterStore?.load(this.sheetId) ?? { ...NO_FILTER };
      this.edits.forget();
    }
  }

  private formulaHost(): ReactiveControllerHost {
    const cards = this;
    return {
      addController: (c: ReactiveController) => cards.addController(c),
      removeController: (c: ReactiveController) => cards.removeController(c),
      requestUpdate: () => {
        // A search reads results, which change with no change to the sheet (the engine loaded, TODAY() moved on).
        if (cards.filter.search.trim()) cards.cache = null;
        cards.requestUpdate();
        cards.renderRoot?.querySelector('row-form')?.requestUpdate();
      },
      get updateComplete() {
        return cards.updateComplete;
      },
    };
  }

  private setFilter(patch: Partial<PhoneFilter>): void {
    this.filter = { ...this.filter, ...patch };
    this.filterStore?.save(this.sheetId, this.filter);
  }

  private shown(): Shown {
    const wb = this.workbook!;
    const sheetId = this.sheetId;
    const view = this.viewStore?.load(sheetId) ?? EMPTY_VIEW;
    const key = JSON.stringify([sheetId, this.filter, currentLocale(), view]);
    if (this.cache?.key === key && this.cache.wb === wb) return this.cache.shown;
    const shown = this.work(wb, sheetId, view);
    this.cache = { key, wb, shown };
    return shown;
  }

  private work(wb: Workbook, sheetId: string, view: ViewSpec): Shown {
    const all = wb.rowIds(sheetId);
    const columns = wb.columns(sheetId);
    const numbers = new Map(all.map((r, i) => [r, i + 1]));
    const fieldIds = cardFieldIds(wb, sheetId, columns);
    const layout = cardLayout(columns, fieldIds);
    const status = statusColumn(columns, fieldIds);
    const filled = all.filter((r) => !isEmptyRow(wb, sheetId, r, columns));
    // The device's own view (sort, filters from the laptop's "My view") applies here too.
    const viewed = isEmptyView(view) ? { rows: filled, columns } : applyView(filled, columns, view, (r, c) => wb.getValue(sheetId, r, c));
    const rows = filterRows(viewed.rows, effectiveFilter(this.filter, columns), {
      wb,
      sheetId,
      columns,
      status,
      // A claim cell's value is the names of who holds it, so a search finds people too.
      text: (c, v) => displayValue(currentLocale(), c, v),
      computed: (r, c) => (isComputed(this.formulas, sheetId, r, c) ? fieldText(wb, sheetId, r, c, this.formulas) : null),
    });
    const mine = filled.filter((r) => isMineRow(wb, sheetId, r, columns)).length;
    return { rows, total: filled.length, columns: viewed.columns, layout, status, numbers, mine };
  }

  render() {
    const wb = this.workbook;
    if (!wb || !this.sheetId) return nothing;
    const shown = this.shown();
    const open = this.openRow;
    if (open && wb.hasRow(this.sheetId, open.id)) {
      let index = shown.rows.indexOf(open.id);
      let formRows = shown.rows;
      if (index < 0) {
        // The view no longer shows it (a filtered value changed, or it is a new, empty row): it stays open where it was.
        index = Math.min(open.index, shown.rows.length);
        formRows = [...shown.rows.slice(0, index), open.id, ...shown.rows.slice(index)];
      }
      return html`<row-form
        .workbook=${wb}
        .sheetId=${this.sheetId}
        .rowIds=${formRows}
        .columns=${shown.columns}
        .index=${index}
        .status=${this.status}
        .numbers=${shown.numbers}
        .formulas=${this.formulas}
        @row-form-close=${this.closeForm}
        @row-form-goto=${(e: CustomEvent<number>) => this.openAt(formRows, e.detail)}
      ></row-form>`;
    }
    return html`${this.renderBar(shown)} ${this.renderNote()} ${this.renderList(shown)}
      <status-sheet @status-picked=${this.onStatusPicked}></status-sheet>
      <conflict-menu .workbook=${wb}></conflict-menu>
      <card-fields-dialog .workbook=${wb} .sheetId=${this.sheetId} @card-fields-saved=${() => this.edits.forget()}></card-fields-dialog>`;
  }

  private renderBar(shown: Shown) {
    const wb = this.workbook!;
    const f = this.filter;
    const active = activeFilterCount(f);
    const status = shown.status;
    const lowStock = hasLowStock(shown.columns);
    return html`<div class="bar">
      <div class="tools">
        ${hasClaims(shown.columns)
          ? html`<button aria-pressed=${f.mine ? 'true' : 'false'} aria-label=${t('phone.mineLabel', { n: shown.mine })} @click=${() => this.setFilter({ mine: !f.mine })}>
              ${t('phone.mine')}${shown.mine ? html` <span class="badge">${shown.mine}</span>` : nothing}
            </button>`
          : nothing}
        <button aria-expanded=${this.filtersOpen ? 'true' : 'false'} aria-controls="filters" @click=${() => (this.filtersOpen = !this.filtersOpen)}>
          ${active ? t('phone.filtersOn', { n: active }) : t('phone.filters')}
        </button>
        <span class="grow"></span>
        ${wb.readOnly ? nothing : html`<button @click=${this.addRow}>${t('grid.addRow')}</button>`}
        <button
          aria-label=${t('phone.cardFields')}
          title=${wb.readOnly ? t('phone.cardFieldsViewer') : t('phone.cardFields')}
          ?disabled=${wb.readOnly}
          aria-describedby=${wb.readOnly ? 'fields-reason' : nothing}
          @click=${this.openCardFields}
        >
          ⚙
        </button>
      </div>
      ${wb.readOnly ? html`<p class="reason" id="fields-reason">${t('phone.cardFieldsViewer')}</p>` : nothing}
      <div class="find">
        <input
          type="search"
          aria-label=${t('phone.search')}
          placeholder=${t('phone.searchHint')}
          enterkeyhint="search"
          .value=${live(f.search)}
          @input=${(e: Event) => this.setFilter({ search: (e.target as HTMLInputElement).value })}
        />
        <span class="count" aria-live="polite">${shown.rows.length === shown.total ? tn('cards.count', shown.total) : tn('phone.shown', shown.rows.length, { total: shown.total })}</span>
      </div>
      ${this.filtersOpen
        ? html`<div class="panel" id="filters" role="group" aria-label=${t('phone.filters')}>
            ${status
              ? html`<label
                  >${status.name}
                  <select @change=${(e: Event) => this.setFilter({ status: (e.target as HTMLSelectElement).value || null })}>
                    <option value="" ?selected=${validStatus(f, status) === null}>${t('phone.anyStatus')}</option>
                    ${status.options.map((o) => html`<option value=${o.id} ?selected=${o.id === f.status}>${o.label}</option>`)}
                  </select></label
                >`
              : nothing}
            ${lowStock
              ? html`<label><input type="checkbox" .checked=${live(f.low)} @change=${(e: Event) => this.setFilter({ low: (e.target as HTMLInputElement).checked })} />${t('phone.lowOnly')}</label>`
              : nothing}
            <button ?disabled=${active === 0 && !f.mine} @click=${() => this.setFilter({ ...NO_FILTER })}>${t('phone.clearFilters')}</button>
          </div>`
        : nothing}
    </div>`;
  }

  /** After a card's own change: what it changed, where it is saved, and Undo. */
  private renderNote() {
    const e = this.edits;
    const wb = this.workbook!;
    const last = e.last;
    if (e.error) return html`<div class="note" role="status"><span class="error">${e.error}</span></div>`;
    if (e.undone !== null && !last) return html`<div class="note" role="status"><span>${t('phone.undone', { column: e.undone })}</span></div>`;
    if (!last || last.sheetId !== this.sheetId || !wb.hasRow(last.sheetId, last.rowId)) return nothing;
    const col = wb.columns(this.sheetId).find((c) => c.id === last.colId);
    if (!col) return nothing;
    const n = wb.rowIds(this.sheetId).indexOf(last.rowId) + 1;
    const key = savedKey(this.status);
    return html`<div class="note" role="status">
      <span
        >${e.undone !== null ? t('phone.undone', { column: e.undone }) + ' ' : ''}${t('phone.changed', { column: col.name, n, value: fieldText(wb, this.sheetId, last.rowId, col, this.formulas) || t('phone.none') })}
        <span class="saved ${key === 'phone.savedHub' ? '' : 'away'}" data-testid="card-saved">${t(key)}</span></span
      >
      <button aria-label=${t('phone.undoCardsLabel')} @click=${() => e.undoLast()}>↶ ${t('phone.undo')}</button>
    </div>`;
  }

  /** The card's fields that hold an open same-cell conflict, in the card's order. */
  private conflictsOf(layout: CardLayout): (rowId: string) => { col: Column; conflict: CellConflict }[] {
    const fields = conflictableFields(layout);
    const tracker = this.conflicts;
    return (rowId) => {
      if (!tracker.total) return [];
      const out: { col: Column; conflict: CellConflict }[] = [];
      for (const col of fields) {
        const conflict = tracker.at(rowId, col.id);
        if (conflict) out.push({ col, conflict });
      }
      return out;
    };
  }

  private tops(rows: readonly string[], layout: CardLayout, height: number) {
    const conflictsOf = this.conflictsOf(layout);
    return cardTops(rows, height, this.conflicts.total ? (r) => conflictsOf(r).length * CONFLICT_PX : null);
  }

  /** What the list shows now, or null while it shows nothing: first-cards-capture.ts keeps it for next time. */
  shownCards(): ShownCards | null {
    const wb = this.workbook;
    if (!wb || !this.sheetId) return null;
    const shown = this.shown();
    const height = cardHeight(shown.layout);
    const conflictsOf = this.conflictsOf(shown.layout);
    return {
      wb,
      sheetId: this.sheetId,
      rows: shown.rows,
      numbers: shown.numbers,
      layout: shown.layout,
      tops: this.tops(shown.rows, shown.layout, height),
      height,
      extra: (r) => conflictsOf(r).length * CONFLICT_PX,
      // where the list is now, even before its scroll event has come in
      scrollTop: this.renderRoot.querySelector<HTMLElement>('.list')?.scrollTop ?? this.scrollTop,
      viewportHeight: this.viewportHeight,
      formulas: this.formulas,
    };
  }

  /**
   * The live cards go on where the first cards were (first-cards.ts): scrolled there, and the
   * card tapped while they opened opens its form. False when that row is no longer a card here.
   */
  resume(scrollTop: number, rowId: string | null): boolean {
    this.scrollTop = scrollTop;
    const rows = rowId !== null && this.workbook ? this.shown().rows : [];
    const index = rowId !== null ? rows.indexOf(rowId) : -1;
    if (index >= 0) {
      // The list goes for the form and comes back at `scrollTop` (updated()). Not scrolled now:
      // its scroll event would come from a list no longer on the page, reading 0.
      this.openAt(rows, index);
      return true;
    }
    const list = this.renderRoot.querySelector<HTMLElement>('.list');
    if (list) {
      list.scrollTop = scrollTop;
      // read back: the browser clamps to what the live list's extent allows
      this.scrollTop = list.scrollTop;
    }
    return rowId === null;
  }

  private renderList(shown: Shown) {
    const wb = this.workbook!;
    const height = cardHeight(shown.layout);
    const conflictsOf = this.conflictsOf(shown.layout);
    const ctx: CardContext = {
      wb,
      sheetId: this.sheetId,
      layout: shown.layout,
      height,
      editable: !wb.readOnly,
      open: (rowId, e) => this.onCardTap(rowId, e),
      down: (e) => (this.down = { x: e.clientX, y: e.clientY }),
      pickStatus: (rowId, col, n) => this.pickStatus(rowId, col, n),
      step: (rowId, col, delta) => this.edits.step(this.sheetId, rowId, col, delta),
      claim: (rowId, col, person) => this.edits.claim(this.sheetId, rowId, col, person),
      conflicts: conflictsOf,
      openConflict: (rowId, col, n) => this.renderRoot.querySelector('conflict-menu')?.open(this.sheetId, rowId, col, n),
      formulas: this.formulas,
    };
    const rows = shown.rows;
    const tops = this.tops(rows, shown.layout, height);
    const first = Math.max(0, tops.indexAt(this.scrollTop) - OVERSCAN);
    const last = Math.min(rows.length, tops.indexAt(this.scrollTop + this.viewportHeight) + 1 + OVERSCAN);
    const cards = [];
    for (let i = first; i < last; i++) cards.push(renderCard(ctx, rows[i], shown.numbers.get(rows[i]) ?? i + 1, tops.top(i) + CARD_GAP_PX));
    const end = tops.top(rows.length) + CARD_GAP_PX;
    const filtered = rows.length < shown.total;
    const message = rows.length === 0 ? (filtered ? t('phone.noMatch') : t('phone.noRows')) : '';
    const addTop = end;
    // The list holds only its items (the spacer that gives it its height is hidden); the message is beside it.
    return html`<p class="empty" role="status">${message}</p>
      <div class="list" role="list" aria-label=${t('cards.rows')} @scroll=${(e: Event) => (this.scrollTop = (e.target as HTMLElement).scrollTop)}>
      <div aria-hidden="true" style="height:${addTop + ADD_CARD_PX + CARD_GAP_PX}px"></div>
      ${cards}
      ${wb.readOnly
        ? nothing
        : html`<div class="add" role="listitem" aria-label=${t('phone.add')} style="top:${addTop}px">
            <button @click=${this.addRow}>+ ${t('phone.add')}</button>
          </div>`}
    </div>`;
  }

  private onCardTap(rowId: string, e: MouseEvent): void {
    const d = this.down;
    this.down = null;
    if (d && Math.hypot(e.clientX - d.x, e.clientY - d.y) > TAP_SLOP_PX) return;
    const rows = this.shown().rows;
    this.openAt(rows, rows.indexOf(rowId));
  }

  private openAt(rows: string[], index: number): void {
    const id = rows[index];
    if (!id) return;
    this.edits.forget();
    this.openRow = { id, index };
  }

  private closeForm = (): void => {
    this.openRow = null;
    this.edits.forget();
  };

  private pickStatus(rowId: string, col: Column, n: number): void {
    const value = this.workbook?.getValue(this.sheetId, rowId, col.id);
    const target: StatusTarget = { rowId, col, n, current: typeof value === 'string' && col.options.some((o) => o.id === value) ? value : null };
    this.renderRoot.querySelector<StatusSheet>('status-sheet')?.open(target);
  }

  private onStatusPicked = (e: CustomEvent<{ target: StatusTarget; optionId: string | null }>): void => {
    const { target, optionId } = e.detail;
    this.edits.choose(this.sheetId, target.rowId, target.col, optionId);
  };

  private openCardFields = (): void => {
    this.renderRoot.querySelector('card-fields-dialog')?.open();
  };

  /** A new row just after the last one with something in it (not below a template's spare rows), opened at once. */
  private addRow = (): void => {
    const wb = this.workbook;
    if (!wb || wb.readOnly) return;
    const [id] = wb.insertRows(this.sheetId, addIndex(wb, this.sheetId, wb.columns(this.sheetId)), 1);
    const rows = this.shown().rows;
    this.edits.forget();
    this.openRow = { id, index: rows.includes(id) ? rows.indexOf(id) : rows.length };
  };
}

customElements.define('row-cards', RowCards);

declare global {
  interface HTMLElementTagNameMap {
    'row-cards': RowCards;
  }
}
