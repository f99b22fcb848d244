import type { PropertyValues, ReactiveController } from 'lit';
import { SheetAggregates } from '../../model/aggregates.js';
import type { Column } from '../../model/types.js';
import { EMPTY_VIEW, applyView, filtersRows, isEmptyView, type ViewSpec } from '../../model/view.js';
import type { Workbook, WorkbookChange } from '../../model/workbook.js';
import { currentLocale, t, tn, type Locale } from '../i18n/locale.js';
import { filterChips } from '../filter-text.js';
import { resultValue, shownValues, type ValueReader } from '../result-values.js';
import type { ViewStore } from '../view-store.js';
import type { GridHost, Shown } from './host.js';

interface ViewCache extends Shown {
  version: number;
  spec: ViewSpec;
  /** Each shown row's number in the sheet (1-based), when the view reorders or hides rows. */
  numbers: Map<string, number> | null;
}

/**
 * The sheet as the grid shows it: follows the workbook's changes, applies
 * the reader's view (kept per device in the ViewStore), and keeps the column
 * figures current change by change. `shown()` is cached per change and view,
 * so the many reads in one render cost one pass.
 */
export class SheetData implements ReactiveController {
  /** The reader's sort, filters and hidden columns for this sheet. */
  view: ViewSpec = { ...EMPTY_VIEW };
  /** Footer figures, kept current change by change. */
  aggregates: SheetAggregates | null = null;
  private aggregatesBuilding: SheetAggregates | null = null;
  private observed: Workbook | null = null;
  private unobserve: (() => void) | null = null;
  private version = 0;
  private cache: ViewCache | null = null;
  private described: { version: number; spec: ViewSpec; shown: number; locale: Locale; text: string } | null = null;
  /** whether the figures were last read with formula results in hand (the engine loads after first paint) */
  private withResults = false;

  constructor(
    private readonly host: GridHost & { readonly viewStore: ViewStore | null },
  ) {
    host.addController(this);
  }

  hostDisconnected(): void {
    this.unobserve?.();
    this.unobserve = null;
    this.observed = null;
  }

  /** Follows the grid's inputs; called from the element's willUpdate. True when the sheet changed (the grid resets). */
  follow(changed: PropertyValues): boolean {
    const { workbook, sheetId, viewStore } = this.host;
    if (workbook !== this.observed) {
      this.unobserve?.();
      this.observed = workbook;
      this.unobserve = workbook ? workbook.observe(this.onChange) : null;
      this.invalidate();
    }
    // Results arriving for the first time change what formula cells show: the figures are read again.
    const withResults = this.host.formulas?.loaded ?? false;
    if (workbook && sheetId && (changed.has('sheetId') || changed.has('workbook') || !this.aggregates || withResults !== this.withResults)) {
      if (withResults !== this.withResults) this.invalidate();
      this.withResults = withResults;
      this.aggregates = new SheetAggregates(workbook, sheetId, Date.now, true, this.value);
      this.buildAggregates(this.aggregates);
    }
    if (changed.has('sheetId') || changed.has('viewStore')) {
      this.view = viewStore && sheetId ? viewStore.load(sheetId) : { ...EMPTY_VIEW };
      return changed.get('sheetId') !== undefined;
    }
    return false;
  }

  /** What is shown changed in a way no workbook event says (the conflicts-only toggle, a paste): recompute. */
  invalidate(): void {
    this.version++;
  }

  /**
   * A cell as this device shows it: a formula's result where it has one (result-values.ts). Sort,
   * filters and the column figures read through it, so a computed column sorts by its results.
   */
  readonly value: ValueReader = (rowId, colId) => {
    const wb = this.host.workbook;
    if (!wb) return null;
    const r = this.host.formulas?.result(this.host.sheetId, rowId, colId);
    return r === undefined ? wb.getValue(this.host.sheetId, rowId, colId) : resultValue(r);
  };

  /** Formula results changed here (FormulaResults.onResults): the view and the figures follow them. */
  resultsChanged(cells: readonly { sheetId: string; rowId: string; colId: string }[]): void {
    this.invalidate();
    const mine = cells.filter((c) => c.sheetId === this.host.sheetId);
    if (mine.length && this.aggregates) this.aggregates.refresh(mine);
  }

  shown(): Shown {
    const wb = this.host.workbook!;
    const sheetId = this.host.sheetId;
    const c = this.cache;
    if (c && c.version === this.version && c.spec === this.view) return c;
    const conflicts = this.host.conflicts;
    const all = wb.rowIds(sheetId);
    const baseRows = conflicts.only ? conflicts.filterRows(all) : all;
    const baseCols = wb.columns(sheetId);
    const result = isEmptyView(this.view) ? { rows: baseRows, columns: baseCols } : applyView(baseRows, baseCols, this.view, shownValues(wb, sheetId, this.host.formulas));
    const numbers = result.rows === all ? null : new Map(all.map((id, i) => [id, i + 1]));
    this.cache = { version: this.version, spec: this.view, numbers, ...result };
    return this.cache;
  }

  /**
   * The number people call the row at view position `index`: its place in
   * the sheet, not in a filtered or sorted list (row 12 stays row 12).
   */
  rowNumber(index: number): number {
    const c = this.shown() as ViewCache;
    if (!c.numbers) return index + 1;
    return c.numbers.get(c.rows[index]) ?? index + 1;
  }

  setView(view: ViewSpec): void {
    this.view = view;
    this.host.viewStore?.save(this.host.sheetId, view);
    this.host.requestUpdate();
  }

  /** Whether the reader's view changes what is shown (and so the toolbar says so). */
  get viewActive(): boolean {
    return this.view.filters.length > 0 || this.view.hidden.length > 0 || this.view.sort.length > 0 || (this.view.conditions?.length ?? 0) > 0;
  }

  /**
   * The toolbar's words for the view: sort, every filter as its chip reads ("Status: 2 of 5
   * values", "Qty < 10"), hidden columns, rows shown. A checklist's counts read the whole
   * column, so the words are kept until the rows, the view or the language change.
   */
  describeView(shown: number): string {
    const locale = currentLocale();
    const d = this.described;
    if (d && d.version === this.version && d.spec === this.view && d.shown === shown && d.locale === locale) return d.text;
    const parts: string[] = [];
    const wb = this.host.workbook;
    const cols: Column[] = wb?.columns(this.host.sheetId) ?? [];
    const name = (id: string) => cols.find((c) => c.id === id)?.name ?? '?';
    for (const s of this.view.sort) parts.push(t('grid.sortedBy', { name: name(s.colId), dir: s.dir === 'asc' ? '▲' : '▼' }));
    if (wb) parts.push(...filterChips(wb, this.host.sheetId, this.view, locale, this.value).map((c) => c.text));
    if (this.view.hidden.length) parts.push(tn('grid.hidden', this.view.hidden.length));
    const text = tn('grid.shown', shown, { views: parts.join(', ') });
    this.described = { version: this.version, spec: this.view, shown, locale, text };
    return text;
  }

  private onChange = (change: WorkbookChange): void => {
    const mine = change.sheets.get(this.host.sheetId);
    if (change.sheetList) {
      this.invalidate();
      this.host.requestUpdate();
      return;
    }
    if (!mine) return;
    if (this.aggregates) {
      this.aggregates.apply(mine);
      // A structural change re-reads the figures, again a column at a time.
      if (!this.aggregates.ready) this.buildAggregates(this.aggregates);
    }
    const ordered = this.view.sort.length > 0 || filtersRows(this.view);
    if (mine.structure || (ordered && mine.cells.size > 0)) {
      this.invalidate();
      this.host.requestUpdate();
      return;
    }
    // A cell edit anywhere can change the column figures (rendered outside the grid); Lit
    // then rewrites only the DOM whose values changed: the cell if it is on screen, and the figures.
    if (mine.cells.size) this.host.requestUpdate();
  };

  /**
   * Reads the column figures one column per macrotask after the grid is on
   * screen: a 100k-row sheet is interactive first, and never blocked for long.
   */
  private buildAggregates(agg: SheetAggregates): void {
    if (this.aggregatesBuilding === agg) return;
    this.aggregatesBuilding = agg;
    const step = () => {
      if (agg !== this.aggregates) return;
      if (agg.buildNext()) {
        setTimeout(step, 0);
      } else {
        this.aggregatesBuilding = null;
        this.host.requestUpdate();
      }
    };
    requestAnimationFrame(() => setTimeout(step, 0));
  }
}
